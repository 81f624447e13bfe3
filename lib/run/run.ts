// Runs a design: plan → component bytes → transpile (cached) → a session of
// child processes → the entry call → per-node results. Never throws for a bad
// design or a misbehaving component: every failure is a typed RunError.
import { existsSync, mkdirSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Topology, TopologyNode } from "../graph/types";
import { err, ok, type Result } from "../result";
import { decodeValue, encodeValue, type EncodedValue } from "./codec";
import { entryCall, type HttpRequestShape } from "./entry";
import type { PreparedRun } from "./host-types";
import { hostedNodes, planRun, serveFromComponent, type RunPlan } from "./plan";
import { RunSession } from "./session";
import { contentHash, defaultCacheDir, placeComponent, pruneCache, transpileCached, type TranspiledComponent } from "./transpile";
import { prepareComposed } from "./composed-run";
import { resolveCompiledHttp, resolveDefault, type ComponentResolver, type HttpComponentResolver } from "./resolve";
import { DEFAULT_LIMITS, type NodeSummary, type RunError, type RunEvent, type RunInput, type RunLimits, type RunMode, type RunResult, type HttpServing } from "./types";

export interface RunRequest {
  topology: Topology;
  input: RunInput;
  mode: RunMode;
  limits?: Partial<RunLimits>;
  /** Which component takes the input; found from the wiring when absent. */
  entryNodeId?: string;
  /** HTTP entries: method, path and headers of the request (default POST / with a content type). */
  request?: HttpRequestShape;
  /** In-process only: the design's components composed into one component (`compose.ts`), hosted as one node under the entry's id. */
  composed?: boolean;
}

export interface RunOptions {
  resolve?: ComponentResolver;
  /** Compiled HTTP services' wasi:http components; default resolveCompiledHttp when `resolve` is the default, else none. */
  resolveHttp?: HttpComponentResolver;
  /** Called for every event as it happens (for streaming to the UI). */
  onEvent?: (e: RunEvent) => void;
  cacheDir?: string;
}

/** Bounds for user-given limits, `[lowest, highest]`. */
export const LIMIT_BOUNDS: Record<keyof RunLimits, readonly [number, number]> = {
  timeMs: [100, 120_000],
  memoryBytes: [16 * 2 ** 20, 2 * 2 ** 30],
  outputBytes: [1, 64 * 2 ** 20],
};

/** Clamps user limits to sane bounds (a request cannot ask for an hour or 64 GiB). */
export function effectiveLimits(l: Partial<RunLimits> = {}, defaults: RunLimits = DEFAULT_LIMITS, bounds = LIMIT_BOUNDS): RunLimits {
  const clamp = (k: keyof RunLimits) => {
    const v = l[k];
    const [lo, hi] = bounds[k];
    return typeof v === "number" && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : defaults[k];
  };
  return { timeMs: clamp("timeMs"), memoryBytes: clamp("memoryBytes"), outputBytes: clamp("outputBytes") };
}

export type { PreparedRun } from "./host-types";

/** A WASI preview1 command: a core module importing only wasi_snapshot_preview1 and exporting `_start`. */
export function checkCommand(bytes: Uint8Array, node: TopologyNode): Result<WebAssembly.Module, RunError> {
  let m: WebAssembly.Module;
  try {
    m = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    return err({ kind: "unsupported-node", message: `'${node.name}' is not a core WebAssembly module (a component? wire its WIT ports instead): ${(e as Error).message}`, nodeId: node.id });
  }
  const foreign = WebAssembly.Module.imports(m).find((i) => i.module !== "wasi_snapshot_preview1");
  if (foreign) return err({ kind: "unsupported-node", message: `'${node.name}' imports ${foreign.module}.${foreign.name}; only WASI preview1 commands run as stages`, nodeId: node.id });
  if (!WebAssembly.Module.exports(m).some((e) => e.name === "_start" && e.kind === "function"))
    return err({ kind: "unsupported-node", message: `'${node.name}' has no _start: it is not a WASI command`, nodeId: node.id });
  return ok(m);
}

/** Plans the run and transpiles every component it needs. */
export async function prepareRun(topology: Topology, entryNodeId: string | undefined, opts: RunOptions = {}): Promise<Result<PreparedRun, RunError>> {
  const planned = planRun(topology, entryNodeId !== undefined ? { entryNodeId } : {});
  if (!planned.ok) return planned;
  let plan = planned.value;
  const resolve = opts.resolve ?? resolveDefault;
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  // A compiled HTTP service whose job built its wasi:http component runs as that component.
  const resolveHttp = opts.resolveHttp ?? (opts.resolve ? undefined : resolveCompiledHttp);
  const httpComponents = new Map<string, Uint8Array>();
  const http: HttpServing[] = [];
  for (const s of plan.services) {
    const node = byId.get(s.nodeId)!;
    const bytes = resolveHttp ? await resolveHttp(node, s.guestPort) : undefined;
    if (!bytes) {
      const why = resolveHttp ? `its compile job built no wasi:http component for port ${s.guestPort}` : "this run serves compiled containers from their command artifacts";
      const out = plan.nodes[s.nodeId]?.bindings.find((b) => b.peer !== undefined);
      // the guest behind a published port has no outgoing handler: its clients would meet a refused connect
      if (out)
        return err({
          kind: "unsupported-node",
          message: `'${node.name}' calls '${byId.get(out.provider.nodeId)?.name ?? out.provider.nodeId}' through wasi:http/outgoing-handler, which only its wasi:http component serves, and ${why}`,
          nodeId: s.nodeId,
          interface: out.interface,
        });
      http.push({ nodeId: s.nodeId, port: s.guestPort, via: "published-port", why });
      continue;
    }
    plan = serveFromComponent(plan, s.nodeId, node.name, s.guestPort);
    httpComponents.set(s.nodeId, bytes);
    http.push({ nodeId: s.nodeId, port: s.guestPort, via: "component" });
  }
  const transpiled = new Map<string, TranspiledComponent>();
  const commandFiles = new Map<string, { name: string; file: string }>();
  // Compiled containers (stages and HTTP services) run from their artifact, a WASI command module.
  for (const id of [...plan.commands, ...plan.services.map((s) => s.nodeId)]) {
    const node = byId.get(id)!;
    const bytes = await resolve(node);
    if (!bytes.ok) return bytes;
    const checked = checkCommand(bytes.value, node);
    if (!checked.ok) return checked;
    const dir = join(opts.cacheDir ?? defaultCacheDir(), "commands");
    const file = join(dir, `${contentHash(bytes.value).slice(0, 32)}.wasm`);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${file}.${process.pid}`, bytes.value);
      renameSync(`${file}.${process.pid}`, file);
      pruneCache(dir);
    } else {
      const now = new Date();
      utimesSync(file, now, now);
    }
    commandFiles.set(id, { name: node.name, file });
  }
  // Components already transpiled come from the cache; the others are handed
  // to their run process as bytes and transpiled there (seconds for a big
  // upload), so the server's event loop never does that work.
  const pendingComponents = new Map<string, string>();
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  for (const id of plan.order) {
    const given = httpComponents.get(id);
    if (given) {
      // transpiled here: its core module (the rootfs inside) is larger than a run process may write (ulimit -f)
      try {
        transpiled.set(id, await transpileCached(given, cacheDir));
      } catch (e) {
        return err({ kind: "instantiate-failed", message: `the wasi:http component of '${byId.get(id)!.name}' is not a component jco can run: ${(e as Error).message}`, nodeId: id });
      }
      continue;
    }
    const bytes = await resolve(byId.get(id)!);
    if (!bytes.ok) return bytes;
    const placed = placeComponent(bytes.value, cacheDir);
    if ("transpiled" in placed) transpiled.set(id, placed.transpiled);
    else pendingComponents.set(id, placed.file);
  }
  return ok({ plan, transpiled, pendingComponents, cacheDir, commandFiles, ...(http.length ? { http } : {}) });
}


export async function runDesign(req: RunRequest, opts: RunOptions = {}): Promise<RunResult> {
  const runStart = Date.now();
  const limits = effectiveLimits(req.limits);
  const events: RunEvent[] = [];
  let done = false;
  // The run's clock: paused while components are transpiled (a platform step, seconds for a big
  // upload, once per content), which has its own budget.
  const clock = new RunClock(limits.timeMs, COMPILE_BUDGET_MS);
  const emit = (e: RunEvent) => {
    if (done) return; // late output of processes being stopped
    if (e.type === "compiling") clock.compiling(e.nodeId, e.done);
    events.push(e);
    opts.onEvent?.(e);
  };
  const finish = (r: Omit<RunResult, "events" | "durationMs" | "mode" | "nodes"> & { nodes?: Record<string, NodeSummary> }): RunResult => {
    emit({ type: "finished", at: Date.now() - runStart, ok: r.ok, ...(r.error ? { error: r.error } : {}) });
    done = true;
    return { nodes: {}, ...r, mode: req.mode, events, durationMs: Date.now() - runStart };
  };

  let prepared: Result<PreparedRun, RunError>;
  try {
    prepared = await prepareRun(req.topology, req.entryNodeId, opts);
  } catch (e) {
    // A resolver that throws (I/O, a bug) still ends as a typed failure of this run only.
    prepared = err({ kind: "missing-component", message: `could not load the components: ${(e as Error)?.message ?? String(e)}` });
  }
  const http = prepared.ok ? prepared.value.http : undefined;
  if (prepared.ok && req.composed) {
    if (req.mode !== "in-process") return finish({ ok: false, error: { kind: "invalid-request", message: "a composed run is an in-process run" } });
    prepared = await prepareComposed(prepared.value, req.topology, opts.resolve ?? resolveDefault);
  }
  if (!prepared.ok) return finish({ ok: false, error: prepared.error });
  const { plan } = prepared.value;
  const call = entryCall(plan.entry.entryInterface, req.input, req.request);
  if (!call.ok) return finish({ ok: false, error: call.error });
  const entry = { nodeId: plan.entry.nodeId, interface: plan.entry.interface, function: call.value.function };
  emit({ type: "started", at: Date.now() - runStart, mode: req.mode, nodes: hostedNodes(plan), skipped: plan.skipped, entry: { nodeId: entry.nodeId, interface: entry.interface }, ...(http ? { http } : {}) });

  // The time limit covers starting the processes too (not transpiling); on expiry every process is killed.
  let session: RunSession | undefined;
  let failure: RunError | undefined;
  let wake: (() => void) | undefined;
  const stopped = new Promise<void>((r) => (wake = r));
  clock.start(() => wake?.());
  const timeError = (): RunError =>
    clock.compileExceeded
      ? { kind: "time-limit", message: `transpiling the components took longer than ${COMPILE_BUDGET_MS} ms and was stopped` }
      : { kind: "time-limit", message: `the run took longer than ${limits.timeMs} ms and was stopped` };

  try {
    const started = await Promise.race([
      RunSession.start(prepared.value, { mode: req.mode, limits, record: true, runStart, onEvent: emit, abort: stopped }),
      stopped.then(() => undefined),
    ]);
    if (!started) return finish({ ok: false, error: timeError(), entry });
    if (!started.ok) return finish({ ok: false, error: started.error, entry });
    session = started.value;
    session.onFailure((e) => {
      failure = e;
      wake?.();
    });
    const outcome = await Promise.race([
      session.call({ to: entry.nodeId, interface: entry.interface, function: entry.function, args: call.value.args.map(encodeValue), from: null, linkId: null }),
      stopped.then(() => undefined),
    ]);
    if (!outcome) return finish({ ok: false, error: clock.expired ? timeError() : failure!, entry, nodes: nodesFrom(plan, []) });
    const stats = await session.stats();
    const nodes = nodesFrom(plan, stats.summaries);
    const base = { entry, nodes, rssBytes: stats.rssBytes };
    if (outcome.error) return finish({ ok: false, error: outcome.error, ...base });
    if (outcome.refused !== undefined) return finish({ ok: true, refused: outcome.refused as EncodedValue, ...base });
    return finish({ ok: true, ...(outcome.value !== undefined ? { output: outcome.value as EncodedValue } : {}), ...base });
  } finally {
    clock.stop();
    await session?.close();
  }
}

/** Longest time the transpiles of one run may take together. */
export const COMPILE_BUDGET_MS = Number(process.env.TRELLIS_COMPILE_BUDGET_MS ?? 120_000);

/** A countdown that stops while any component is being transpiled; transpiling has its own budget. */
export class RunClock {
  #left: number;
  #compileLeft: number;
  #since = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #onExpire?: () => void;
  readonly #compiling = new Set<string>();
  expired = false;
  compileExceeded = false;

  constructor(ms: number, compileBudgetMs: number) {
    this.#left = ms;
    this.#compileLeft = compileBudgetMs;
  }

  start(onExpire: () => void): void {
    this.#onExpire = onExpire;
    this.#arm();
  }

  compiling(nodeId: string, done: boolean): void {
    if (this.expired || !this.#onExpire) return;
    this.#spend();
    if (done) this.#compiling.delete(nodeId);
    else this.#compiling.add(nodeId);
    this.#arm();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#onExpire = undefined;
  }

  /** Charges the time since the last change to the run or to the compile budget. */
  #spend(): void {
    const spent = Date.now() - this.#since;
    if (this.#compiling.size > 0) this.#compileLeft -= spent;
    else this.#left -= spent;
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#since = Date.now();
    const compiling = this.#compiling.size > 0;
    this.#timer = setTimeout(() => {
      this.expired = true;
      this.compileExceeded = compiling;
      this.#onExpire?.();
    }, Math.max(1, compiling ? this.#compileLeft : this.#left));
  }
}

function nodesFrom(plan: RunPlan, summaries: NodeSummary[]): Record<string, NodeSummary> {
  const out: Record<string, NodeSummary> = {};
  for (const id of hostedNodes(plan)) out[id] = { nodeId: id, calls: 0, totalMs: 0, selfMs: 0 };
  for (const s of summaries) out[s.nodeId] = s;
  return out;
}

/** The entry call's output as bytes/text when it is bytes (or a response record with a body). */
export function outputText(r: RunResult): string | undefined {
  const v = decodeValue(r.output ?? null) as unknown;
  const bytes = v instanceof Uint8Array ? v : v && typeof v === "object" && (v as { body?: unknown }).body instanceof Uint8Array ? (v as { body: Uint8Array }).body : undefined;
  if (bytes) return new TextDecoder().decode(bytes);
  return typeof v === "string" ? v : undefined;
}
