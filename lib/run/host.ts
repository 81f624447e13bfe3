// A GraphHost instantiates some component nodes of a run in this process and
// links them: a wire to a local node is a direct call into the provider's
// exported interface; a wire to a node hosted elsewhere is a synchronous HTTP
// call to that host (network mode). Every call across a wire is timed and,
// when recording, reported as a CallEvent. Limits are checked after each call.
import { timingSafeEqual } from "node:crypto";
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";
import { interfaceName } from "../graph/ports";
import { decodeValue, encodeValue, previewValue, valueSize, type EncodedValue } from "./codec";
import { keyvalueImport, KvError, MemoryKeyValue, type KvMethod } from "./kv-store";
import type { Binding } from "./plan";
import { SyncHttpClient } from "./sync-http";
import { instantiateComponent, transpileCached, type ComponentExports, type ImportObject } from "./transpile";
import type { CallEvent, NodeSummary, RunError, RunEvent, RunLimits } from "./types";
import { wasiInterface } from "./wasi";

/** A component to host: already transpiled, or its bytes to transpile here first. */
export type HostComponent = {
  id: string;
  name: string;
  bindings: Binding[];
} & (
  | {
      dir: string;
      jsFile: string;
      /** Import names of the transpiled component (jco's, no version). */
      imports: string[];
    }
  | { componentFile: string; cacheDir: string }
);

type ReadyComponent = Extract<HostComponent, { jsFile: string }>;

/** A compiled container run as a WASI preview1 command per call. */
export interface HostCommand {
  id: string;
  name: string;
  /** The core module (a WASI preview1 command). */
  file: string;
}

export interface HostSpec {
  /** Epoch milliseconds the run started at (event times are relative to it). */
  runStart: number;
  /** Local components in instantiation order. */
  components: HostComponent[];
  /** Key-value endpoint nodes served from this host's memory. */
  keyvalueStores: string[];
  /** Compiled containers served from this host as stdin → stdout stages. */
  commands: HostCommand[];
  /** nodeId → base URL (`http://127.0.0.1:port`) of the host serving it. */
  remote: Record<string, string>;
  limits: RunLimits;
  /** Report every call with its values (off for benchmarks). */
  record: boolean;
  /** Secret of this run; `POST /call` without it in `x-trellis-run` is refused. */
  callToken: string;
}

/** Stops a run: a limit was hit, a trap happened, a remote host failed. */
export class RunStop extends Error {
  constructor(readonly error: RunError) {
    super(error.message);
  }
}

/** Most call events one host reports in a run. */
export const MAX_CALL_EVENTS = 2000;

export interface CallRequest {
  to: string;
  interface: string;
  function: string;
  args: EncodedValue[];
  from: string | null;
  linkId: string | null;
  /** For resource methods (wasi:keyvalue bucket). */
  handle?: number;
}

export type CallOutcome = { ok: EncodedValue } | { refused: EncodedValue } | { error: RunError };

interface Frame {
  nodeId: string;
  childMs: number;
}

const hasPayload = (e: unknown): e is { payload: unknown } => typeof e === "object" && e !== null && Object.prototype.hasOwnProperty.call(e, "payload");
const safeEqual = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function findInterface(exports: ComponentExports, iface: string): Record<string, unknown> | undefined {
  const name = interfaceName(iface);
  const hit = exports[iface] ?? exports[name] ?? Object.entries(exports).find(([k]) => interfaceName(k) === name)?.[1];
  return hit && typeof hit === "object" ? (hit as Record<string, unknown>) : undefined;
}

export class GraphHost {
  readonly summaries = new Map<string, NodeSummary>();
  /** Latency (ms) of every call across a wire made from this host (local calls, or HTTP round trips). */
  readonly wireLatencies: number[] = [];
  readonly #exports = new Map<string, ComponentExports>();
  readonly #kv = new Map<string, MemoryKeyValue>();
  readonly #commands = new Map<string, { name: string; module: WebAssembly.Module }>();
  readonly #stack: Frame[] = [];
  readonly #memories: Array<{ nodeId: string; memory: WebAssembly.Memory }> = [];
  #seq = 0;
  #client?: SyncHttpClient;
  #server?: Server;

  private constructor(
    readonly spec: HostSpec,
    readonly emit: (e: RunEvent) => void,
  ) {}

  static async create(spec: HostSpec, emit: (e: RunEvent) => void): Promise<GraphHost> {
    const host = new GraphHost(spec, emit);
    for (const id of spec.keyvalueStores) {
      host.#kv.set(id, new MemoryKeyValue(spec.limits.memoryBytes));
      host.#summary(id);
    }
    for (const c of spec.commands) {
      const t0 = performance.now();
      try {
        host.#commands.set(c.id, { name: c.name, module: new WebAssembly.Module(readFileSync(c.file)) });
      } catch (e) {
        throw new RunStop({ kind: "instantiate-failed", message: `'${c.name}' is not a loadable WASI command: ${message(e)}`, nodeId: c.id });
      }
      host.#summary(c.id);
      host.emit({ type: "node-ready", at: host.now(), nodeId: c.id, ms: performance.now() - t0 });
    }
    for (const given of spec.components) {
      const t0 = performance.now();
      let c: ReadyComponent;
      if ("componentFile" in given) {
        host.emit({ type: "compiling", at: host.now(), nodeId: given.id, done: false });
        const c0 = performance.now();
        try {
          const t = await transpileCached(new Uint8Array(readFileSync(given.componentFile)), given.cacheDir);
          c = { id: given.id, name: given.name, bindings: given.bindings, dir: t.dir, jsFile: t.jsFile, imports: t.imports };
        } catch (e) {
          throw new RunStop({ kind: "instantiate-failed", message: `'${given.name}' is not a component jco can run: ${message(e)}`, nodeId: given.id });
        } finally {
          host.emit({ type: "compiling", at: host.now(), nodeId: given.id, done: true, ms: performance.now() - c0 });
        }
      } else c = given;
      const imports = host.#importsFor(c);
      try {
        host.#exports.set(
          c.id,
          await instantiateComponent(c, imports, (instance) => {
            for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) host.#memories.push({ nodeId: c.id, memory: v });
          }),
        );
      } catch (e) {
        throw e instanceof RunStop ? e : new RunStop({ kind: "instantiate-failed", message: `'${c.name}' failed to instantiate: ${message(e)}`, nodeId: c.id });
      }
      host.#summary(c.id);
      host.emit({ type: "node-ready", at: host.now(), nodeId: c.id, ms: performance.now() - t0 });
    }
    for (const c of spec.components) {
      const over = host.#checkMemory(c.id); // instantiation alone can take more than allowed
      if (over) throw over;
    }
    return host;
  }

  now(): number {
    return Date.now() - this.spec.runStart;
  }

  #summary(id: string): NodeSummary {
    let s = this.summaries.get(id);
    if (!s) {
      s = { nodeId: id, calls: 0, totalMs: 0, selfMs: 0 };
      this.summaries.set(id, s);
    }
    return s;
  }

  #importsFor(c: ReadyComponent): ImportObject {
    const imports: ImportObject = {};
    for (const name of c.imports) {
      const binding = c.bindings.find((b) => interfaceName(b.interface) === interfaceName(name));
      let impl: unknown;
      if (binding) impl = this.#bindingImport(c.id, binding);
      else if (name.startsWith("wasi:") && !name.startsWith("wasi:keyvalue/")) impl = wasiInterface(name);
      if (impl === undefined)
        throw new RunStop({
          kind: "missing-link",
          message: binding
            ? `'${c.name}' imports ${name}, and its provider is not part of the run`
            : `'${c.name}' imports ${name} but nothing provides it (wire it, or the host has no implementation)`,
          nodeId: c.id,
          interface: name,
        });
      imports[name] = impl;
      imports[interfaceName(name)] = impl;
    }
    return imports;
  }

  #bindingImport(importer: string, b: Binding): unknown {
    const p = b.provider;
    const iface = interfaceName(p.interface);
    if (p.kind === "keyvalue") {
      const local = this.#kv.get(p.nodeId);
      const url = this.spec.remote[p.nodeId];
      if (!local && !url) return undefined;
      return keyvalueImport((op) => {
        const args = op.args as unknown[];
        const handle = "handle" in op ? op.handle : undefined;
        if (local)
          return this.#record({ from: importer, to: p.nodeId, linkId: p.linkId, iface, fn: op.function, args }, () => this.#kvOp(local, op.function, handle, args));
        return this.#remote(url!, { to: p.nodeId, interface: iface, function: op.function, args: args.map(encodeValue), from: importer, linkId: p.linkId, ...(handle !== undefined ? { handle } : {}) });
      });
    }
    if (p.kind === "command" && this.#commands.has(p.nodeId))
      return {
        process: (input: Uint8Array) =>
          this.#record({ from: importer, to: p.nodeId, linkId: p.linkId, iface, fn: "process", args: [input] }, () => this.#runCommand(p.nodeId, input)),
      };
    const local = this.#exports.get(p.nodeId);
    if (local) {
      const target = findInterface(local, p.interface);
      if (!target) return undefined;
      const wrapped: Record<string, unknown> = {};
      for (const [fn, f] of Object.entries(target)) {
        if (typeof f !== "function") continue;
        wrapped[fn] = (...args: unknown[]) =>
          this.#record({ from: importer, to: p.nodeId, linkId: p.linkId, iface, fn, args }, () => (f as (...a: unknown[]) => unknown).apply(target, args));
      }
      return wrapped;
    }
    const url = this.spec.remote[p.nodeId];
    if (!url) return undefined;
    return new Proxy(
      {},
      {
        get: (_t, fn) =>
          typeof fn === "string"
            ? (...args: unknown[]) => this.#remote(url, { to: p.nodeId, interface: iface, function: fn, args: args.map(encodeValue), from: importer, linkId: p.linkId })
            : undefined,
      },
    );
  }

  #kvOp(store: MemoryKeyValue, fn: string, handle: number | undefined, args: unknown[]): unknown {
    if (fn === "open") return store.open(String(args[0]));
    if (fn === "drop") return store.drop(handle ?? -1);
    return store.call(handle ?? -1, fn as KvMethod, args);
  }

  /** A call over HTTP to the host serving `req.to`; blocks this thread until it answers. */
  #remote(url: string, req: CallRequest): unknown {
    this.#client ??= new SyncHttpClient(this.spec.callToken);
    // The parent's clock (which pauses while components transpile) is authoritative and kills
    // the run; a single call just never waits longer than the whole budget.
    const t0 = performance.now();
    const res = this.#client.post(`${url}/call`, JSON.stringify(req), this.spec.limits.timeMs);
    const d = performance.now() - t0;
    this.wireLatencies.push(d);
    const top = this.#stack.at(-1);
    if (top) top.childMs += d;
    if (res.error !== undefined || res.body === undefined)
      throw new RunStop({ kind: "network-failure", message: `call to '${req.to}' failed: ${res.error ?? "empty answer"}`, nodeId: req.to });
    let outcome: CallOutcome;
    try {
      outcome = JSON.parse(res.body) as CallOutcome;
    } catch {
      throw new RunStop({ kind: "network-failure", message: `'${req.to}' answered ${res.status} with a body that is not JSON`, nodeId: req.to });
    }
    if ("ok" in outcome) return decodeValue(outcome.ok);
    if ("refused" in outcome) throw Object.assign(new Error(`refused by ${req.to}`), { payload: decodeValue(outcome.refused) });
    throw new RunStop(outcome.error);
  }

  /** Over the limit: a stop naming the node holding the most memory (else `nodeId`). */
  #checkMemory(nodeId: string): RunStop | undefined {
    let total = 0;
    const perNode = new Map<string, number>();
    for (const { nodeId: id, memory } of this.#memories) {
      total += memory.buffer.byteLength;
      perNode.set(id, (perNode.get(id) ?? 0) + memory.buffer.byteLength);
    }
    if (total <= this.spec.limits.memoryBytes) return undefined;
    const [biggest] = [...perNode.entries()].sort((a, b) => b[1] - a[1])[0] ?? [nodeId];
    return new RunStop({
      kind: "memory-limit",
      message: `component memory reached ${(total / 2 ** 20).toFixed(1)} MiB (most of it in '${biggest}'), over the limit of ${(this.spec.limits.memoryBytes / 2 ** 20).toFixed(1)} MiB`,
      nodeId: biggest,
    });
  }

  #events = 0;
  #outputBytes = 0;
  #outputCut = false;

  /**
   * Output a component wrote (WASI stdout/stderr reach process.stdout/stderr
   * through the preview2 shim), attributed to the node running at the time and
   * reported up to the output limit.
   */
  noteOutput(stream: "stdout" | "stderr", chunk: string | Uint8Array): void {
    if (!this.spec.record) return;
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const room = this.spec.limits.outputBytes - this.#outputBytes;
    this.#outputBytes += bytes.length;
    const nodeId = this.#stack.at(-1)?.nodeId ?? null;
    if (room > 0) this.emit({ type: "stdio", at: this.now(), nodeId, stream, text: bytes.subarray(0, Math.min(room, bytes.length)).toString("utf8") });
    if (room < bytes.length && !this.#outputCut) {
      this.#outputCut = true;
      this.emit({ type: "stdio", at: this.now(), nodeId: null, stream: "stderr", text: `[trellis] output beyond ${this.spec.limits.outputBytes} bytes is not shown\n` });
    }
  }

  /** Call events are capped per host (a runaway loop of calls must not flood the server); summaries keep counting. */
  #eventBudget(): boolean {
    this.#events++;
    if (this.#events <= MAX_CALL_EVENTS) return true;
    if (this.#events === MAX_CALL_EVENTS + 1)
      this.emit({ type: "stdio", at: this.now(), nodeId: null, stream: "stderr", text: `[trellis] more than ${MAX_CALL_EVENTS} calls: further calls are counted, not reported one by one\n` });
    return false;
  }

  /** `inbound`: the call came from another host (its caller timed the wire already). */
  #record(call: { from: string | null; to: string; linkId: string | null; iface: string; fn: string; args: unknown[]; inbound?: boolean }, thunk: () => unknown): unknown {
    const seq = ++this.#seq;
    const at = this.now();
    const frame: Frame = { nodeId: call.to, childMs: 0 };
    const parent = this.#stack.at(-1);
    this.#stack.push(frame);
    const t0 = performance.now();
    let value: unknown;
    let thrown: unknown;
    let failed = false;
    try {
      value = thunk();
    } catch (e) {
      failed = true;
      thrown = e;
    }
    const d = performance.now() - t0;
    this.#stack.pop();
    if (parent) parent.childMs += d;
    if (call.from !== null && !call.inbound) this.wireLatencies.push(d);

    let stop: RunStop | undefined;
    let refused = false;
    if (failed) {
      if (thrown instanceof RunStop) stop = thrown;
      else if (hasPayload(thrown)) refused = true;
      // A trap with memory over the limit is most likely an allocation that hit V8's page cap.
      else stop = this.#checkMemory(call.to) ?? new RunStop({ kind: "trap", message: `'${call.to}' trapped in ${call.iface}.${call.fn}: ${message(thrown)}`, nodeId: call.to });
    } else {
      const size = valueSize(value);
      if (size > this.spec.limits.outputBytes)
        stop = new RunStop({
          kind: "output-limit",
          message: `${call.iface}.${call.fn} of '${call.to}' returned ${size} bytes, over the limit of ${this.spec.limits.outputBytes}`,
          nodeId: call.to,
        });
      stop ??= this.#checkMemory(call.to);
    }

    const s = this.#summary(call.to);
    s.calls++;
    s.totalMs += d;
    s.selfMs += d - frame.childMs;
    if (this.spec.record && this.#eventBudget()) {
      const args = call.args.map((a) => previewValue(a));
      s.lastInput = args;
      const ev: CallEvent = { type: "call", seq, at, from: call.from, to: call.to, linkId: call.linkId, interface: call.iface, function: call.fn, args, durationMs: d };
      if (stop) {
        ev.error = stop.message;
        if (stop.error.nodeId === call.to) s.error = stop.message;
      } else if (refused) {
        ev.refused = previewValue((thrown as { payload: unknown }).payload);
        s.lastRefusal = ev.refused;
      } else {
        ev.result = previewValue(value);
        s.lastOutput = ev.result;
      }
      this.emit(ev);
    }
    if (stop) throw stop;
    if (refused) throw thrown;
    return value;
  }

  /** Per node: the shim's HTTP server around its incoming-handler, and the request in flight. */
  #httpServers = new Map<
    string,
    { port: number; stop(): void; current?: { handled?: { ms: number; childMs: number; error?: RunStop }; abort: AbortController } }
  >();

  /**
   * The run's input into a wasi:http/incoming-handler export: a real HTTP
   * request to jco's preview2 shim server wrapped around the export (what an
   * HTTP ingress does). `req.args[0]` is `{ method, path, headers, body }`.
   */
  async invokeHttp(req: CallRequest): Promise<{ value?: unknown; refused?: unknown; error?: RunError }> {
    const exports = this.#exports.get(req.to);
    const target = exports && findInterface(exports, req.interface);
    if (!target || typeof target.handle !== "function")
      return { error: { kind: "missing-link", message: `'${req.to}' does not export ${req.interface}`, nodeId: req.to, interface: req.interface } };
    const input = decodeValue(req.args[0] ?? null) as { method?: string; path?: string; headers?: Array<[string, string]>; body?: Uint8Array };
    let server = this.#httpServers.get(req.to);
    if (!server) {
      const { HTTPServer } = (await import("@bytecodealliance/preview2-shim/http")) as unknown as {
        HTTPServer: new (h: unknown) => { listen(port: number, host: string): void; address(): { port: number }; stop(): void };
      };
      const handle = target.handle as (rq: unknown, out: unknown) => void;
      const s = new HTTPServer({
        handle: (rq: unknown, out: unknown) => {
          const current = this.#httpServers.get(req.to)?.current;
          const frame: Frame = { nodeId: req.to, childMs: 0 };
          this.#stack.push(frame);
          const t0 = performance.now();
          let error: RunStop | undefined;
          try {
            handle.call(target, rq, out);
          } catch (e) {
            error = e instanceof RunStop ? e : new RunStop({ kind: "trap", message: `'${req.to}' trapped in ${req.interface}.handle: ${message(e)}`, nodeId: req.to });
          }
          this.#stack.pop();
          if (current) {
            current.handled = { ms: performance.now() - t0, childMs: frame.childMs, ...(error ? { error } : {}) };
            if (error) current.abort.abort(); // no response will come
          }
        },
      });
      s.listen(0, "127.0.0.1");
      server = { port: s.address().port, stop: () => s.stop() };
      this.#httpServers.set(req.to, server);
    }
    const current: { handled?: { ms: number; childMs: number; error?: RunStop }; abort: AbortController } = { abort: new AbortController() };
    server.current = current;
    const seq = ++this.#seq;
    const at = this.now();
    const t0 = performance.now();
    let value: { status: number; headers: Array<[string, string]>; body: Uint8Array } | undefined;
    let failure: RunError | undefined;
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}${input.path ?? "/"}`, {
        method: input.method ?? "POST",
        headers: input.headers ?? [],
        ...(input.body && input.method !== "GET" && input.method !== "HEAD" ? { body: input.body as Uint8Array<ArrayBuffer> } : {}),
        signal: AbortSignal.any([current.abort.signal, AbortSignal.timeout(this.spec.limits.timeMs)]),
      });
      value = { status: res.status, headers: [...res.headers.entries()], body: new Uint8Array(await res.arrayBuffer()) };
    } catch (e) {
      failure = { kind: "network-failure", message: `HTTP request to '${req.to}' failed: ${message(e)}`, nodeId: req.to };
    }
    server.current = undefined;
    const h = current.handled;
    if (h?.error) failure = h.error.error;
    const d = h?.ms ?? performance.now() - t0;
    if (!failure && value && value.body.byteLength > this.spec.limits.outputBytes)
      failure = { kind: "output-limit", message: `the HTTP response of '${req.to}' has ${value.body.byteLength} bytes, over the limit of ${this.spec.limits.outputBytes}`, nodeId: req.to };
    failure ??= this.#checkMemory(req.to)?.error;
    const s = this.#summary(req.to);
    s.calls++;
    s.totalMs += d;
    s.selfMs += d - (h?.childMs ?? 0);
    const args = [previewValue(input)];
    if (this.spec.record && this.#eventBudget()) {
      s.lastInput = args;
      const ev: CallEvent = { type: "call", seq, at, from: null, to: req.to, linkId: null, interface: interfaceName(req.interface), function: "handle", args, durationMs: d };
      if (failure) {
        ev.error = failure.message;
        s.error = failure.message;
      } else {
        ev.result = previewValue(value);
        s.lastOutput = ev.result;
      }
      this.emit(ev);
    }
    return failure ? { error: failure } : { value };
  }

  hosts(nodeId: string): boolean {
    return this.#exports.has(nodeId) || this.#kv.has(nodeId) || this.#commands.has(nodeId);
  }

  /**
   * One run of a WASI command: `input` on stdin, stdout returned; a non-zero
   * exit is a refusal carrying the exit code and the end of stderr. No
   * preopened directories: the command sees no files.
   */
  #runCommand(id: string, input: unknown): Uint8Array {
    const cmd = this.#commands.get(id)!;
    if (!(input instanceof Uint8Array)) throw new RunStop({ kind: "invalid-request", message: `'${cmd.name}' takes bytes on stdin`, nodeId: id });
    const dir = mkdtempSync(join(process.env.TRELLIS_SCRATCH || tmpdir(), "cmd-"));
    const fds: number[] = [];
    try {
      try {
        writeFileSync(join(dir, "stdin"), input);
      } catch (e) {
        throw new RunStop({ kind: "output-limit", message: `the input of '${cmd.name}' (${input.byteLength} bytes) is too large: ${message(e)}`, nodeId: id });
      }
      const [stdin, stdout, stderr] = [openSync(join(dir, "stdin"), "r"), openSync(join(dir, "stdout"), "w+"), openSync(join(dir, "stderr"), "w+")];
      fds.push(stdin, stdout, stderr);
      const wasi = new WASI({ version: "preview1", args: [cmd.name], env: {}, stdin, stdout, stderr, returnOnExit: true });
      let code: number;
      let memory: WebAssembly.Memory | undefined;
      try {
        const instance = new WebAssembly.Instance(cmd.module, wasi.getImportObject() as WebAssembly.Imports);
        memory = instance.exports.memory instanceof WebAssembly.Memory ? instance.exports.memory : undefined;
        code = wasi.start(instance);
      } catch (e) {
        throw new RunStop({ kind: "trap", message: `'${cmd.name}' trapped: ${message(e)}`, nodeId: id });
      }
      if (memory && memory.buffer.byteLength > this.spec.limits.memoryBytes)
        throw new RunStop({ kind: "memory-limit", message: `'${cmd.name}' used ${(memory.buffer.byteLength / 2 ** 20).toFixed(1)} MiB of memory`, nodeId: id });
      const outSize = fstatSync(stdout).size;
      if (outSize > this.spec.limits.outputBytes)
        throw new RunStop({ kind: "output-limit", message: `'${cmd.name}' wrote ${outSize} bytes to stdout, over the limit of ${this.spec.limits.outputBytes}`, nodeId: id });
      const out = new Uint8Array(readFileSync(join(dir, "stdout")));
      if (code !== 0) {
        const err = readFileSync(join(dir, "stderr"), "utf8").trim().split("\n").slice(-5).join("\n");
        throw Object.assign(new Error(`exit ${code}`), { payload: `exit code ${code}${err ? `: ${err}` : ""}` });
      }
      return out;
    } finally {
      for (const fd of fds) closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Calls an export of a local node (the run's input, or an inbound wire call); never throws. */
  invoke(req: CallRequest, record = this.spec.record): { value?: unknown; refused?: unknown; error?: RunError } {
    const saved = this.spec.record;
    this.spec.record = record;
    try {
      const args = req.args.map(decodeValue);
      const kv = this.#kv.get(req.to);
      if (kv) {
        const v = this.#record({ from: req.from, to: req.to, linkId: req.linkId, iface: req.interface, fn: req.function, args, inbound: true }, () =>
          this.#kvOp(kv, req.function, req.handle, args),
        );
        return { value: v };
      }
      if (this.#commands.has(req.to)) {
        const v = this.#record({ from: req.from, to: req.to, linkId: req.linkId, iface: interfaceName(req.interface), fn: "process", args, inbound: req.from !== null }, () =>
          this.#runCommand(req.to, args[0]),
        );
        return { value: v };
      }
      const exports = this.#exports.get(req.to);
      if (!exports) return { error: { kind: "missing-link", message: `node '${req.to}' is not hosted here`, nodeId: req.to } };
      const target = findInterface(exports, req.interface);
      const f = target?.[req.function];
      if (typeof f !== "function")
        return { error: { kind: "missing-link", message: `'${req.to}' has no function ${req.interface}.${req.function}`, nodeId: req.to, interface: req.interface } };
      const v = this.#record({ from: req.from, to: req.to, linkId: req.linkId, iface: interfaceName(req.interface), fn: req.function, args, inbound: true }, () =>
        (f as (...a: unknown[]) => unknown).apply(target, args),
      );
      return { value: v };
    } catch (e) {
      if (e instanceof RunStop) return { error: e.error };
      if (e instanceof KvError || hasPayload(e)) return { refused: (e as { payload: unknown }).payload };
      return { error: { kind: "trap", message: message(e), nodeId: req.to } };
    } finally {
      this.spec.record = saved;
    }
  }

  /** Serves `POST /call` on 127.0.0.1 (a free port); resolves to the port. */
  serve(): Promise<number> {
    const server = createServer((req, res) => {
      if (req.method !== "POST" || req.url !== "/call") {
        res.writeHead(404).end();
        return;
      }
      const token = req.headers["x-trellis-run"];
      if (typeof token !== "string" || !safeEqual(token, this.spec.callToken)) {
        res.writeHead(403).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        let outcome: CallOutcome;
        try {
          const r = this.invoke(JSON.parse(Buffer.concat(chunks).toString("utf8")) as CallRequest);
          outcome = r.error ? { error: r.error } : "refused" in r ? { refused: encodeValue(r.refused) } : { ok: encodeValue(r.value) };
        } catch (e) {
          outcome = { error: { kind: "invalid-request", message: `bad call request: ${message(e)}` } };
        }
        const body = JSON.stringify(outcome);
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
      });
    });
    server.keepAliveTimeout = 30_000;
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const addr = server.address();
        resolve(typeof addr === "object" && addr ? addr.port : 0);
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.#httpServers.values()) s.stop();
    await this.#client?.close();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }
}
