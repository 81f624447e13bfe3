// The run's input into a wasi:http/incoming-handler export: a real HTTP
// request to jco's preview2 shim server wrapped around the export (what an
// HTTP ingress does). One server per node, started on first use.
import { interfaceName } from "../graph/ports";
import { decodeValue, previewValue } from "./codec";
import type { CallRecorder } from "./call-recorder";
import { errorMessage, RunStop, type CallRequest, type InvokeOutcome } from "./host-types";
import type { CallEvent, RunError, RunLimits } from "./types";

export interface HttpInput {
  method?: string;
  path?: string;
  headers?: Array<[string, string]>;
  body?: Uint8Array;
}

export interface HttpOutput {
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

interface Handled {
  ms: number;
  childMs: number;
  error?: RunStop;
}

interface InFlight {
  handled?: Handled;
  abort: AbortController;
}

interface ShimServer {
  port: number;
  stop(): void;
  current?: InFlight;
}

type ShimHttpServer = new (h: unknown) => { listen(port: number, host: string): void; address(): { port: number }; stop(): void };

export class HttpIngress {
  readonly #servers = new Map<string, ShimServer>();

  constructor(
    readonly recorder: CallRecorder,
    readonly limits: RunLimits,
  ) {}

  async #server(nodeId: string, iface: string, target: Record<string, unknown>): Promise<ShimServer> {
    const have = this.#servers.get(nodeId);
    if (have) return have;
    const { HTTPServer } = (await import("@bytecodealliance/preview2-shim/http")) as unknown as { HTTPServer: ShimHttpServer };
    const handle = target.handle as (rq: unknown, out: unknown) => void;
    const s = new HTTPServer({
      handle: (rq: unknown, out: unknown) => {
        const current = this.#servers.get(nodeId)?.current;
        const r = this.recorder.within(nodeId, () => handle.call(target, rq, out));
        const error = !r.failed
          ? undefined
          : r.thrown instanceof RunStop
            ? r.thrown
            : new RunStop({ kind: "trap", message: `'${nodeId}' trapped in ${iface}.handle: ${errorMessage(r.thrown)}`, nodeId });
        if (current) {
          current.handled = { ms: r.ms, childMs: r.childMs, ...(error ? { error } : {}) };
          if (error) current.abort.abort(); // no response will come
        }
      },
    });
    s.listen(0, "127.0.0.1");
    const server: ShimServer = { port: s.address().port, stop: () => s.stop() };
    this.#servers.set(nodeId, server);
    return server;
  }

  /** `req.args[0]` is `{ method, path, headers, body }`; `target` is the node's incoming-handler export. */
  async invoke(req: CallRequest, target: Record<string, unknown> | undefined): Promise<InvokeOutcome> {
    if (!target || typeof target.handle !== "function")
      return { error: { kind: "missing-link", message: `'${req.to}' does not export ${req.interface}`, nodeId: req.to, interface: req.interface } };
    const input = decodeValue(req.args[0] ?? null) as HttpInput;
    const server = await this.#server(req.to, req.interface, target);
    const current: InFlight = { abort: new AbortController() };
    server.current = current;
    const rec = this.recorder;
    const seq = rec.nextSeq();
    const at = rec.now();
    const t0 = performance.now();
    let value: HttpOutput | undefined;
    let failure: RunError | undefined;
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}${input.path ?? "/"}`, {
        method: input.method ?? "POST",
        headers: input.headers ?? [],
        ...(input.body && input.method !== "GET" && input.method !== "HEAD" ? { body: input.body as Uint8Array<ArrayBuffer> } : {}),
        signal: AbortSignal.any([current.abort.signal, AbortSignal.timeout(this.limits.timeMs)]),
      });
      value = { status: res.status, headers: [...res.headers.entries()], body: new Uint8Array(await res.arrayBuffer()) };
    } catch (e) {
      failure = { kind: "network-failure", message: `HTTP request to '${req.to}' failed: ${errorMessage(e)}`, nodeId: req.to };
    }
    server.current = undefined;
    const h = current.handled;
    if (h?.error) failure = h.error.error;
    const d = h?.ms ?? performance.now() - t0;
    if (!failure && value && value.body.byteLength > this.limits.outputBytes)
      failure = { kind: "output-limit", message: `the HTTP response of '${req.to}' has ${value.body.byteLength} bytes, over the limit of ${this.limits.outputBytes}`, nodeId: req.to };
    failure ??= rec.checkMemory(req.to)?.error;
    const s = rec.summary(req.to);
    s.calls++;
    s.totalMs += d;
    s.selfMs += d - (h?.childMs ?? 0);
    if (rec.eventBudget()) {
      const args = [previewValue(input)];
      s.lastInput = args;
      const ev: CallEvent = { type: "call", seq, at, from: null, to: req.to, linkId: null, interface: interfaceName(req.interface), function: "handle", args, durationMs: d };
      if (failure) {
        ev.error = failure.message;
        s.error = failure.message;
      } else {
        ev.result = previewValue(value);
        s.lastOutput = ev.result;
      }
      rec.emit(ev);
    }
    return failure ? { error: failure } : { value };
  }

  close(): void {
    for (const s of this.#servers.values()) s.stop();
  }
}
