// A running graph: the child processes that host its nodes. In-process mode is
// one child hosting every node (wires are function calls); network mode is one
// child per node behind a loopback HTTP endpoint (wires are HTTP calls).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { err, ok, type Result } from "../result";
import type { CallRequest, HostCommand, HostComponent, HostService, HostSpec, InvokeOutcome, PreparedRun } from "./host-types";
import type { HostTiming, LinkTiming } from "./call-recorder";
import { hostedNodes, type RunPlan } from "./plan";
import { isChildMessage, type ChildMessage, type ParentMessage } from "./protocol";
import { latencyStats, type LatencyStats } from "./stats";
import { runnerEntry } from "./runner-entry";
import type { NodeSummary, RunError, RunEvent, RunLimits, RunMode } from "./types";

/** The repository root (where node_modules and lib/ live): `$TRELLIS_ROOT`, else the working directory. */
export function repoRoot(): string {
  return process.env.TRELLIS_ROOT ?? /*turbopackIgnore: true*/ process.cwd();
}

interface Child {
  proc: ChildProcess;
  nodes: string[];
  stderrTail: string;
  exited: boolean;
  started: boolean;
  onStart?: (r: Result<number, RunError>) => void;
}

export interface DriveResult {
  elapsedMs: number;
  requests: LatencyStats;
  /** The requests' latencies summed (ms). */
  sumMs: number;
  errors: number;
  firstError?: RunError;
}

export interface SessionStats {
  summaries: NodeSummary[];
  rssBytes: number;
  /** Calls across wires, as the caller saw them (in network mode: HTTP round trips). */
  wire: LatencyStats;
  /** Where the time went, all processes together. */
  timing: HostTiming;
  /** CPU time of all processes since the counters were reset (ms): unlike elapsed time, not stretched by other load on the machine. */
  cpuMs: number;
}

export interface SessionOptions {
  mode: RunMode;
  limits: RunLimits;
  record: boolean;
  runStart: number;
  onEvent: (e: RunEvent) => void;
  /** Resolving it stops a session that is still starting (its processes are killed). */
  abort?: Promise<unknown>;
  /** false: sync host calls take jco's own lowering, not the lean path (`lean-host-glue.ts`); for measuring the difference. */
  leanHostCalls?: boolean;
}

export class RunSession {
  readonly #children: Child[] = [];
  readonly #endpoints = new Map<string, string>();
  readonly #pending = new Map<number, (m: ChildMessage) => void>();
  #nextId = 1;
  #stdioBytes = 0;
  /** Scratch space of this run's processes (WASI command stdio); removed on close even if they were killed. */
  readonly #scratch = mkdtempSync(join(tmpdir(), "trellis-run-"));
  #stdioCut = false;
  #failure?: RunError;
  #closed = false;
  #onFailure?: (e: RunError) => void;

  private constructor(
    readonly plan: RunPlan,
    readonly opts: SessionOptions,
  ) {}

  /** Spawns and instantiates; providers start before their importers so their URLs are known. */
  static async start(prepared: PreparedRun, opts: SessionOptions): Promise<Result<RunSession, RunError>> {
    const { plan, transpiled, commandFiles } = prepared;
    const s = new RunSession(plan, opts);
    void opts.abort?.then(() => s.close());
    const command = (id: string): HostCommand => ({ id, ...commandFiles.get(id)! });
    const service = (id: string): HostService => ({ id, ...commandFiles.get(id)!, guestPort: plan.services.find((x) => x.nodeId === id)!.guestPort });
    const component = (id: string): HostComponent => {
      const n = plan.nodes[id]!;
      const t = transpiled.get(id);
      const members = { ...(prepared.composed && id === plan.entry.nodeId ? { members: prepared.composed } : {}), ...(n.env ? { env: n.env } : {}) };
      if (t) return { id, name: n.name, dir: t.dir, jsFile: t.jsFile, imports: t.imports, bindings: n.bindings, ...members };
      return { id, name: n.name, componentFile: prepared.pendingComponents.get(id)!, cacheDir: prepared.cacheDir, bindings: n.bindings, ...members };
    };
    const base = {
      runStart: opts.runStart,
      limits: opts.limits,
      record: opts.record,
      callToken: randomBytes(18).toString("base64url"),
      ...(opts.leanHostCalls === false ? { glue: { leanHostCalls: false } } : {}),
    };
    try {
      if (opts.mode === "in-process") {
        const child = s.#spawn(hostedNodes(plan));
        const r = await s.#start(
          child,
          { ...base, components: plan.order.map(component), keyvalueStores: plan.keyvalueStores, commands: plan.commands.map(command), services: plan.services.map((x) => service(x.nodeId)), remote: {} },
          false,
        );
        if (!r.ok) return s.#fail(r.error);
      } else {
        // Boot every process at once (the slow part), then instantiate providers
        // first so each importer is told its providers' URLs.
        const ids = hostedNodes(plan);
        const children = new Map(ids.map((id) => [id, s.#spawn([id])]));
        const remote: Record<string, string> = {};
        for (const id of ids) {
          const isKv = plan.keyvalueStores.includes(id);
          const isCommand = plan.commands.includes(id);
          const isService = plan.services.some((x) => x.nodeId === id);
          const spec: HostSpec = {
            ...base,
            components: isKv || isCommand || isService ? [] : [component(id)],
            keyvalueStores: isKv ? [id] : [],
            commands: isCommand ? [command(id)] : [],
            services: isService ? [service(id)] : [],
            remote: { ...remote },
          };
          const r = await s.#start(children.get(id)!, spec, true);
          if (!r.ok) return s.#fail(r.error);
          remote[id] = `http://127.0.0.1:${r.value}`;
          s.#endpoints.set(id, remote[id]!);
        }
      }
    } catch (e) {
      return s.#fail({ kind: "crashed", message: `could not start the run: ${(e as Error).message}` });
    }
    return ok(s);
  }

  async #fail(e: RunError): Promise<Result<RunSession, RunError>> {
    await this.close();
    return err(e);
  }

  /** Called when a child dies unexpectedly (out of memory, killed). */
  onFailure(f: (e: RunError) => void): void {
    this.#onFailure = f;
    if (this.#failure) f(this.#failure);
  }

  /** Starts a process that will host `nodes`; it boots while others start. */
  #spawn(nodes: string[]): Child {
    const heapMb = Math.max(64, Math.ceil(this.opts.limits.memoryBytes / 2 ** 20));
    const entry = runnerEntry(repoRoot());
    // Through sh for `ulimit -f`: no file a run process writes (WASI command stdio) can outgrow
    // twice the output limit, so a command printing forever cannot fill the disk before the time limit.
    const fileBlocks = Math.ceil((2 * this.opts.limits.outputBytes + 2 ** 20) / 512);
    const proc = spawn(
      "/bin/sh",
      [
        "-c",
        'ulimit -f "$TRELLIS_FSIZE_BLOCKS" && exec "$0" "$@"',
        process.execPath,
        ...entry.execArgv,
        "--disable-warning=ExperimentalWarning", // node:wasi's notice is not the user's output
        `--max-old-space-size=${heapMb}`,
        "--expose-gc", // resident memory is measured after a collection
        // The memory limit is checked after each call; V8's page cap bounds what one call can take meanwhile.
        `--wasm-max-mem-pages=${Math.ceil((4 * this.opts.limits.memoryBytes) / 65536)}`,
        entry.file,
      ],
      {
        cwd: repoRoot(),
        stdio: ["ignore", "pipe", "pipe", "ipc"],
        serialization: "advanced",
        // Components can read their environment through WASI: give them none of the server's.
        env: { NODE_ENV: process.env.NODE_ENV, PATH: process.env.PATH ?? "/usr/bin:/bin", TRELLIS_RUN_CHILD: "1", TRELLIS_FSIZE_BLOCKS: String(fileBlocks), TRELLIS_SCRATCH: this.#scratch },
      },
    );
    const child: Child = { proc, nodes, stderrTail: "", exited: false, started: false };
    this.#children.push(child);
    const owner = nodes.length === 1 ? nodes[0]! : null;
    const stdio = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      if (stream === "stderr") child.stderrTail = (child.stderrTail + text).slice(-4000);
      if (!this.opts.record) return;
      // Output is reported up to the output limit per run; a chatty component cannot flood the server.
      const room = this.opts.limits.outputBytes - this.#stdioBytes;
      this.#stdioBytes += chunk.length;
      const at = Date.now() - this.opts.runStart;
      if (room > 0) this.opts.onEvent({ type: "stdio", at, nodeId: owner, stream, text: room >= chunk.length ? text : chunk.subarray(0, room).toString("utf8") });
      if (room < chunk.length && !this.#stdioCut) {
        this.#stdioCut = true;
        this.opts.onEvent({ type: "stdio", at, nodeId: null, stream: "stderr", text: `[trellis] output beyond ${this.opts.limits.outputBytes} bytes is not shown\n` });
      }
    };
    proc.stdout!.on("data", stdio("stdout"));
    proc.stderr!.on("data", stdio("stderr"));
    proc.on("message", (m: unknown) => {
      if (!isChildMessage(m)) return;
      if (m.type === "events") for (const e of m.events) this.opts.onEvent(e);
      else if (m.type === "ready" || m.type === "failed") {
        child.started = true;
        child.onStart?.(m.type === "ready" ? ok(m.port ?? 0) : err(m.error));
      } else {
        this.#pending.get(m.id)?.(m);
        this.#pending.delete(m.id);
      }
    });
    proc.on("exit", (code, signal) => {
      child.exited = true;
      if (this.#closed) {
        if (!child.started) child.onStart?.(err({ kind: "crashed", message: "the run was stopped while starting" }));
        return;
      }
      const oom = /heap out of memory|Allocation failed/i.test(child.stderrTail);
      const e: RunError = oom
        ? { kind: "memory-limit", message: `the run ran out of memory (limit ${heapMb} MiB of heap)`, ...(owner ? { nodeId: owner } : {}) }
        : {
            kind: "crashed",
            message: `the process hosting ${nodes.join(", ")} exited (${signal ?? `code ${code}`}): ${child.stderrTail.trim().split("\n").slice(-3).join(" | ")}`,
            ...(owner ? { nodeId: owner } : {}),
          };
      this.#failure ??= e;
      this.#onFailure?.(e);
      for (const [, f] of this.#pending) f({ type: "result", id: -1, outcome: { error: e } });
      this.#pending.clear();
      if (!child.started) child.onStart?.(err(e));
    });
    return child;
  }

  /** Instantiates the child's nodes; resolves to its HTTP port (0 when not listening). */
  #start(child: Child, spec: HostSpec, listen: boolean): Promise<Result<number, RunError>> {
    return new Promise((resolve) => {
      if (child.exited) return resolve(err(this.#failure ?? { kind: "crashed", message: "the host process exited before starting" }));
      child.onStart = resolve;
      child.proc.send({ type: "start", spec, listen } satisfies ParentMessage);
    });
  }

  #ask<T extends ChildMessage>(child: Child, m: ParentMessage & { id: number }): Promise<T> {
    return new Promise((resolve) => {
      if (child.exited) {
        resolve({ type: "result", id: m.id, outcome: { error: this.#failure ?? { kind: "crashed", message: "the host process is gone" } } } as unknown as T);
        return;
      }
      this.#pending.set(m.id, resolve as (x: ChildMessage) => void);
      child.proc.send(m);
    });
  }

  #hostOf(nodeId: string): Child {
    return this.#children.find((c) => c.nodes.includes(nodeId))!;
  }

  /** One call into a node (the run's input). */
  async call(req: CallRequest): Promise<InvokeOutcome> {
    const m = await this.#ask<ChildMessage & { type: "result" }>(this.#hostOf(req.to), { type: "call", id: this.#nextId++, req });
    return m.outcome;
  }

  /** `n` calls in a row, driven inside the entry's host (so only the wires differ between modes). */
  async drive(n: number, req: CallRequest): Promise<DriveResult> {
    const m = await this.#ask<ChildMessage>(this.#hostOf(req.to), { type: "drive", id: this.#nextId++, n, req });
    if (m.type === "drove") return { elapsedMs: m.elapsedMs, requests: m.requests, sumMs: m.sumMs, errors: m.errors, ...(m.firstError ? { firstError: m.firstError } : {}) };
    const e = m.type === "result" ? m.outcome.error : undefined;
    return { elapsedMs: 0, requests: { count: 0, p50: 0, p99: 0 }, sumMs: 0, errors: n, ...(e ? { firstError: e } : {}) };
  }

  /** Every process starts counting afresh (after a warm-up). */
  async resetCounters(): Promise<void> {
    await Promise.all(this.#children.filter((c) => !c.exited).map((c) => this.#ask<ChildMessage>(c, { type: "reset", id: this.#nextId++ })));
  }

  async stats(): Promise<SessionStats> {
    const all = await Promise.all(this.#children.filter((c) => !c.exited).map((c) => this.#ask<ChildMessage>(c, { type: "stats", id: this.#nextId++ })));
    const summaries: NodeSummary[] = [];
    let rssBytes = 0;
    const latencies: number[] = [];
    const links = new Map<string, LinkTiming>();
    let recordingMs = 0;
    let recordingTopMs = 0;
    let ingressMs = 0;
    let cpuMs = 0;
    for (const m of all) {
      if (m.type !== "stats") continue;
      cpuMs += m.cpuMicros / 1000;
      summaries.push(...m.summaries);
      rssBytes += m.rssBytes;
      for (const x of m.wireLatencies) latencies.push(x);
      recordingMs += m.timing.recordingMs;
      recordingTopMs += m.timing.recordingTopMs;
      ingressMs += m.timing.ingressMs;
      // A wire between two processes: its caller's host saw the round trip, its callee's host the work.
      for (const l of m.timing.links) {
        const have = links.get(l.linkId);
        if (!have) links.set(l.linkId, { ...l });
        else {
          have.calls += l.calls;
          have.callerMs += l.callerMs;
          have.calleeMs += l.calleeMs;
        }
      }
    }
    return { summaries, rssBytes, wire: latencyStats(latencies), timing: { links: [...links.values()], recordingMs, recordingTopMs, ingressMs }, cpuMs };
  }

  /** Network mode: the loopback URL serving a node (answers `POST /call` with the run's token only). */
  endpoint(nodeId: string): string | undefined {
    return this.#endpoints.get(nodeId);
  }

  get processCount(): number {
    return this.#children.length;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      this.#children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exited) return resolve();
            c.proc.once("exit", () => resolve());
            c.proc.kill("SIGKILL");
          }),
      ),
    );
    rmSync(this.#scratch, { recursive: true, force: true });
  }
}
