// A GraphHost instantiates some nodes of a run in this process and links
// them: a wire to a local node is a direct call into the provider's exported
// interface; a wire to a node hosted elsewhere goes over the network transport.
// Calls are timed and reported by the CallRecorder; WASI commands, the HTTP
// ingress and the network transport live in their own files.
import { readFileSync } from "node:fs";
import { httpBridged, interfaceName } from "../graph/ports";
import { CallRecorder } from "./call-recorder";
import { decodeValue, encodeValue } from "./codec";
import { errorMessage, hasPayload, RunStop, type CallRequest, type HostSpec, type InvokeOutcome, type ReadyComponent } from "./host-types";
import { HttpIngress, type HttpInput } from "./http-ingress";
import { HttpService } from "./http-service";
import { answerOf, callHandler, requestOf, type WireAnswer } from "./http-wire";
import type { NormalizedRequest } from "./http-ingress";
import { memoryOutgoingHandler } from "./memory-http";
import { keyvalueImport, KvError, MemoryKeyValue, type KvMethod } from "./kv-store";
import { RemoteCaller, serveCalls, type CallServer } from "./network-transport";
import type { Binding } from "./plan";
import { GLUE_OPTIONS_IMPORT, type GlueStats } from "./lean-host-glue";
import { instantiateComponent, transpileCached, WIRE_TAP_IMPORT, type ComponentExports, type ImportObject } from "./transpile";
import { WireTap } from "./wire-tap";
import type { NodeSummary, RunEvent } from "./types";
import { refusalsOn, wasiInterface } from "./wasi";
import { loadCommand, runCommand, type LoadedCommand } from "./wasi-command";

export { RunStop } from "./host-types";
export type { CallOutcome, CallRequest, HostCommand, HostComponent, HostSpec } from "./host-types";
export { MAX_CALL_EVENTS } from "./call-recorder";

/** The exported interface `iface` of a component (by full name, short name, or version-less match). */
export function findInterface(exports: ComponentExports, iface: string): Record<string, unknown> | undefined {
  const name = interfaceName(iface);
  const hit = exports[iface] ?? exports[name] ?? Object.entries(exports).find(([k]) => interfaceName(k) === name)?.[1];
  return hit && typeof hit === "object" ? (hit as Record<string, unknown>) : undefined;
}

export class GraphHost {
  readonly recorder: CallRecorder;
  readonly #exports = new Map<string, ComponentExports>();
  readonly #kv = new Map<string, MemoryKeyValue>();
  readonly #commands = new Map<string, LoadedCommand>();
  readonly #services = new Map<string, HttpService>();
  readonly #taps = new Map<string, WireTap>();
  readonly #remote: RemoteCaller;
  readonly #ingress: HttpIngress;
  #server?: CallServer;

  private constructor(
    readonly spec: HostSpec,
    readonly emit: (e: RunEvent) => void,
  ) {
    this.recorder = new CallRecorder(spec, emit);
    this.#remote = new RemoteCaller(spec.callToken, spec.limits.timeMs, (ms, req) => this.recorder.remoteCallTook(ms, req));
    this.#ingress = new HttpIngress(this.recorder, spec.limits);
  }

  get summaries(): Map<string, NodeSummary> {
    return this.recorder.summaries;
  }

  get wireLatencies(): number[] {
    return this.recorder.wireLatencies;
  }

  static async create(spec: HostSpec, emit: (e: RunEvent) => void): Promise<GraphHost> {
    const host = new GraphHost(spec, emit);
    if (Object.keys(spec.remote).length > 0) host.#remote.warm(); // boots while the components instantiate
    const rec = host.recorder;
    for (const id of spec.keyvalueStores) {
      host.#kv.set(id, new MemoryKeyValue(spec.limits.memoryBytes));
      rec.summary(id);
    }
    for (const c of spec.commands) {
      const t0 = performance.now();
      host.#commands.set(c.id, loadCommand(c));
      rec.summary(c.id);
      emit({ type: "node-ready", at: rec.now(), nodeId: c.id, ms: performance.now() - t0 });
    }
    for (const s of spec.services) {
      const t0 = performance.now();
      host.#services.set(s.id, await HttpService.start(s, spec.limits, spec.runStart + spec.limits.timeMs));
      rec.summary(s.id);
      emit({ type: "node-ready", at: rec.now(), nodeId: s.id, ms: performance.now() - t0 });
    }
    for (const given of spec.components) {
      const t0 = performance.now();
      let c: ReadyComponent;
      if ("componentFile" in given) {
        emit({ type: "compiling", at: rec.now(), nodeId: given.id, done: false });
        const c0 = performance.now();
        try {
          const t = await transpileCached(new Uint8Array(readFileSync(given.componentFile)), given.cacheDir);
          c = { id: given.id, name: given.name, bindings: given.bindings, dir: t.dir, jsFile: t.jsFile, imports: t.imports };
        } catch (e) {
          throw new RunStop({ kind: "instantiate-failed", message: `'${given.name}' is not a component jco can run: ${errorMessage(e)}`, nodeId: given.id });
        } finally {
          emit({ type: "compiling", at: rec.now(), nodeId: given.id, done: true, ms: performance.now() - c0 });
        }
      } else c = given;
      const tap = given.members && WireTap.create(rec, c.id, given.members, readFileSync(c.jsFile, "utf8"), spec.glue?.leanHostCalls !== false);
      if (tap && given.members) {
        host.#taps.set(c.id, tap);
        for (const m of given.members.nodes) rec.summary(m);
      }
      const imports = host.#importsFor(c);
      if (tap) imports[WIRE_TAP_IMPORT] = tap;
      if (spec.glue) {
        const stats: GlueStats | undefined = spec.glue.stats && { tasksCreated: 0 };
        if (stats) spec.glue.stats!.set(c.id, stats);
        imports[GLUE_OPTIONS_IMPORT] = { leanHostCalls: spec.glue.leanHostCalls, stats };
      }
      try {
        host.#exports.set(
          c.id,
          await instantiateComponent(c, imports, (instance) => {
            for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) rec.watchMemory(c.id, v);
          }, c.id),
        );
      } catch (e) {
        throw e instanceof RunStop ? e : new RunStop({ kind: "instantiate-failed", message: `'${c.name}' failed to instantiate: ${errorMessage(e)}`, nodeId: c.id });
      }
      rec.summary(c.id);
      emit({ type: "node-ready", at: rec.now(), nodeId: c.id, ms: performance.now() - t0 });
    }
    for (const c of spec.components) {
      const over = rec.checkMemory(c.id); // instantiation alone can take more than allowed
      if (over) throw over;
    }
    return host;
  }

  now(): number {
    return this.recorder.now();
  }

  noteOutput(stream: "stdout" | "stderr", chunk: string | Uint8Array): void {
    this.recorder.noteOutput(stream, chunk);
  }

  #importsFor(c: ReadyComponent): ImportObject {
    const imports: ImportObject = {};
    // names the node's outgoing requests reach wired peers by: a compiled container's guest resolves them
    const peers = c.bindings.flatMap((b) => (b.peer !== undefined ? [b.peer] : []));
    const env: Array<[string, string]> = [...Object.entries(c.env ?? {}), ...(peers.length > 0 ? [["TRELLIS_HTTP_PEERS", peers.join(",")] as [string, string]] : [])];
    for (const name of c.imports) {
      const binding = c.bindings.find((b) => interfaceName(b.interface) === interfaceName(name));
      let impl: unknown;
      if (binding) impl = this.#bindingImport(c.id, binding);
      else if (env.length > 0 && interfaceName(name) === "wasi:cli/environment") impl = nodeEnvironment(wasiInterface(name), env);
      else if (name.startsWith("wasi:") && !name.startsWith("wasi:keyvalue/")) impl = wasiInterface(name, refusalsOn(this.recorder, c.id));
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
    const rec = this.recorder;
    const url = this.spec.remote[p.nodeId];
    const remote = (fn: string, args: unknown[], handle?: number) =>
      this.#remote.call(url!, { to: p.nodeId, interface: iface, function: fn, args: args.map(encodeValue), from: importer, linkId: p.linkId, ...(handle !== undefined ? { handle } : {}) });
    if (httpBridged(p.interface, b.interface)) {
      // each outgoing request becomes the callee's incoming one: a call of its handle() on this wire
      const service = this.#services.get(p.nodeId);
      const local = this.#exports.get(p.nodeId);
      const target = local && findInterface(local, p.interface);
      if (!service && !target && !url) return undefined;
      const send = (r: NormalizedRequest): WireAnswer => (service ? service.send(r) : target ? callHandler(target, r) : (remote("handle", [r]) as WireAnswer));
      return memoryOutgoingHandler((call) => {
        const r = requestOf(call);
        return answerOf(rec.record({ from: importer, to: p.nodeId, linkId: p.linkId, iface, fn: "handle", args: [r] }, () => send(r)) as WireAnswer);
      });
    }
    if (p.kind === "keyvalue") {
      const local = this.#kv.get(p.nodeId);
      if (!local && !url) return undefined;
      return keyvalueImport((op) => {
        const args = op.args as unknown[];
        const handle = "handle" in op ? op.handle : undefined;
        // In a composed unit the caller is the member running (the unit's wire tap knows which).
        if (local) return rec.record({ from: rec.innerFrame?.()?.nodeId ?? importer, to: p.nodeId, linkId: p.linkId, iface, fn: op.function, args }, () => kvOp(local, op.function, handle, args));
        return remote(op.function, args, handle);
      });
    }
    const command = p.kind === "command" ? this.#commands.get(p.nodeId) : undefined;
    if (command)
      return {
        process: (input: Uint8Array) =>
          rec.record({ from: importer, to: p.nodeId, linkId: p.linkId, iface, fn: "process", args: [input] }, () => runCommand(command, input, this.spec.limits)),
      };
    const local = this.#exports.get(p.nodeId);
    if (local) {
      const target = findInterface(local, p.interface);
      if (!target) return undefined;
      const wrapped: Record<string, unknown> = {};
      for (const [fn, f] of Object.entries(target)) {
        if (typeof f !== "function") continue;
        wrapped[fn] = (...args: unknown[]) => rec.record({ from: importer, to: p.nodeId, linkId: p.linkId, iface, fn, args }, () => (f as (...a: unknown[]) => unknown).apply(target, args));
      }
      return wrapped;
    }
    if (!url) return undefined;
    return new Proxy({}, { get: (_t, fn) => (typeof fn === "string" ? (...args: unknown[]) => remote(fn, args) : undefined) });
  }

  /** The run's input into a wasi:http/incoming-handler export (a request held in memory); `input`: `req.args[0]` decoded (a request driven many times). */
  invokeHttp(req: CallRequest, input?: HttpInput): InvokeOutcome {
    const service = this.#services.get(req.to);
    if (service) return this.#ingress.forward(req, (r) => service.send(r));
    const exports = this.#exports.get(req.to);
    this.#taps.get(req.to)?.reset();
    return this.#ingress.invoke(req, exports && findInterface(exports, req.interface), input);
  }

  hosts(nodeId: string): boolean {
    return this.#exports.has(nodeId) || this.#kv.has(nodeId) || this.#commands.has(nodeId) || this.#services.has(nodeId);
  }

  /** Calls an export of a local node (the run's input, or an inbound wire call); never throws. `args`: `req.args` decoded (a request driven many times). */
  invoke(req: CallRequest, record = this.spec.record, args?: unknown[]): InvokeOutcome {
    return req.from === null ? this.recorder.ingress(() => this.#invoke(req, record, args)) : this.#invoke(req, record, args);
  }

  #invoke(req: CallRequest, record: boolean, given?: unknown[]): InvokeOutcome {
    const saved = this.spec.record;
    this.spec.record = record;
    const rec = this.recorder;
    try {
      const args = given ?? req.args.map(decodeValue);
      const kv = this.#kv.get(req.to);
      if (kv) return { value: rec.record({ from: req.from, to: req.to, linkId: req.linkId, iface: req.interface, fn: req.function, args, inbound: true }, () => kvOp(kv, req.function, req.handle, args)) };
      const command = this.#commands.get(req.to);
      if (command)
        return {
          value: rec.record({ from: req.from, to: req.to, linkId: req.linkId, iface: interfaceName(req.interface), fn: "process", args, inbound: req.from !== null }, () =>
            runCommand(command, args[0], this.spec.limits),
          ),
        };
      const exports = this.#exports.get(req.to);
      const service = this.#services.get(req.to);
      if (req.from !== null && interfaceName(req.interface) === "wasi:http/incoming-handler" && req.function === "handle") {
        // an outgoing request from a node in another process (http-wire.ts), as a request record
        const target = exports && findInterface(exports, req.interface);
        if (service || target) {
          const r = args[0] as NormalizedRequest;
          return { value: rec.record({ from: req.from, to: req.to, linkId: req.linkId, iface: "wasi:http/incoming-handler", fn: "handle", args, inbound: true }, () => (service ? service.send(r) : callHandler(target!, r))) };
        }
      }
      if (!exports) return { error: { kind: "missing-link", message: `node '${req.to}' is not hosted here`, nodeId: req.to } };
      this.#taps.get(req.to)?.reset();
      const target = findInterface(exports, req.interface);
      const f = target?.[req.function];
      if (typeof f !== "function")
        return { error: { kind: "missing-link", message: `'${req.to}' has no function ${req.interface}.${req.function}`, nodeId: req.to, interface: req.interface } };
      return {
        value: rec.record({ from: req.from, to: req.to, linkId: req.linkId, iface: interfaceName(req.interface), fn: req.function, args, inbound: true }, () =>
          (f as (...a: unknown[]) => unknown).apply(target, args),
        ),
      };
    } catch (e) {
      if (e instanceof RunStop) return { error: e.error };
      if (e instanceof KvError || hasPayload(e)) return { refused: (e as { payload: unknown }).payload };
      return { error: { kind: "trap", message: errorMessage(e), nodeId: req.to } };
    } finally {
      this.spec.record = saved;
    }
  }

  /** Serves `POST /call` on 127.0.0.1 (a free port); resolves to the port. */
  async serve(): Promise<number> {
    this.#server = await serveCalls(this.spec.callToken, (req) => this.invoke(req));
    return this.#server.port;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#services.values()].map((s) => s.close()));
    await this.#remote.close();
    await this.#server?.close();
  }
}

/**
 * wasi:cli/environment for a node with settings of its own: a compiled service's guest port
 * (TRELLIS_HTTP_PORT) and the names of its wired peers (TRELLIS_HTTP_PEERS, emulator/src/http/bridge.c).
 */
function nodeEnvironment(base: unknown, vars: Array<[string, string]>): unknown {
  const shim = base as { getEnvironment(): Array<[string, string]> };
  return { ...shim, getEnvironment: () => [...shim.getEnvironment(), ...vars] };
}

function kvOp(store: MemoryKeyValue, fn: string, handle: number | undefined, args: unknown[]): unknown {
  if (fn === "open") return store.open(String(args[0]));
  if (fn === "drop") return store.drop(handle ?? -1);
  return store.call(handle ?? -1, fn as KvMethod, args);
}
