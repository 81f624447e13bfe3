// The run's input into a wasi:http/incoming-handler export: the request is
// built in memory (wasi:http resources as the shim's classes, bytes in this
// thread) and handed to the export, as an HTTP ingress would after parsing it.
// No loopback server: the ingress is the same in both run modes, and what
// a comparison measures is the wires behind it.
import { interfaceName } from "../graph/ports";
import { decodeValue, previewValue } from "./codec";
import type { CallRecorder } from "./call-recorder";
import { errorMessage, RunStop, type CallRequest, type InvokeOutcome } from "./host-types";
import { collectResponse, MemoryIncomingRequest, MemoryResponseOutparam, setResponseBodyLimit } from "./memory-http";
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

/** A request as the ingress hands it on: defaults filled in, a body only where the method has one. */
export interface NormalizedRequest {
  method: string;
  path: string;
  authority: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

export class HttpIngress {
  constructor(
    readonly recorder: CallRecorder,
    readonly limits: RunLimits,
  ) {
    setResponseBodyLimit(limits.outputBytes);
  }

  /**
   * `req.args[0]` is `{ method, path, headers, body }` (or `input`, that value decoded, when the caller
   * sends the same request many times); `target` is the node's incoming-handler export.
   */
  invoke(req: CallRequest, target: Record<string, unknown> | undefined, input?: HttpInput): InvokeOutcome {
    return this.recorder.ingress(() => this.#invoke(req, target, input));
  }

  #invoke(req: CallRequest, target: Record<string, unknown> | undefined, given?: HttpInput): InvokeOutcome {
    if (!target || typeof target.handle !== "function")
      return { error: { kind: "missing-link", message: `'${req.to}' does not export ${req.interface}`, nodeId: req.to, interface: req.interface } };
    const handle = target.handle as (rq: unknown, out: unknown) => void;
    return this.#serve(req, (r) => {
      const rq = new MemoryIncomingRequest({ method: r.method, pathWithQuery: r.path, authority: r.authority, headers: r.headers, body: r.body });
      const out = new MemoryResponseOutparam();
      handle.call(target, rq, out);
      if (out.response?.tag === "err") throw new RunStop({ kind: "http-error", message: httpErrorMessage(req.to, out.response.val), nodeId: req.to });
      const res = collectResponse(out);
      if ("problem" in res) throw new RunStop({ kind: "trap", message: `'${req.to}': ${res.problem}`, nodeId: req.to });
      return res;
    }, given);
  }

  /** The run's input into a node whose handler is not a component (a compiled container's guest server). */
  forward(req: CallRequest, send: (r: NormalizedRequest) => HttpOutput): InvokeOutcome {
    return this.recorder.ingress(() => this.#serve(req, send));
  }

  #serve(req: CallRequest, send: (r: NormalizedRequest) => HttpOutput, given?: HttpInput): InvokeOutcome {
    const input = given ?? (decodeValue(req.args[0] ?? null) as HttpInput);
    const method = input.method ?? "POST";
    const body = input.body && method !== "GET" && method !== "HEAD" ? input.body : new Uint8Array(0);
    const headers = [...(input.headers ?? [])];
    if (body.byteLength > 0 && !headers.some(([k]) => k.toLowerCase() === "content-length")) headers.push(["content-length", String(body.byteLength)]);
    const authority = headers.find(([k]) => k.toLowerCase() === "host")?.[1] ?? "localhost";

    const rec = this.recorder;
    const seq = rec.nextSeq();
    const at = rec.now();
    const r = rec.within(req.to, () => send({ method, path: input.path ?? "/", authority, headers, body }));
    rec.topLevelTook(r.ms);
    let failure: RunError | undefined;
    let value: HttpOutput | undefined;
    if (r.failed)
      failure = r.thrown instanceof RunStop ? r.thrown.error : { kind: "trap", message: `'${req.to}' trapped in ${interfaceName(req.interface)}.handle: ${errorMessage(r.thrown)}`, nodeId: req.to };
    else value = r.value;
    if (!failure && value && value.body.byteLength > this.limits.outputBytes)
      failure = { kind: "output-limit", message: `the HTTP response of '${req.to}' has more than ${this.limits.outputBytes} bytes (the output limit)`, nodeId: req.to };
    failure ??= rec.checkMemory(req.to)?.error;
    const s = rec.summary(req.to);
    s.calls++;
    s.totalMs += r.ms;
    s.selfMs += r.ms - r.childMs;
    if (rec.eventBudget()) {
      const args = [previewValue(input)];
      s.lastInput = args;
      const ev: CallEvent = { type: "call", seq, at, from: null, to: req.to, linkId: null, interface: interfaceName(req.interface), function: "handle", args, durationMs: r.ms };
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
}

/** What a wasi:http error-code from a compiled container's component means (emulator/src/http/handler.c sets these). */
const ERROR_CODES: Record<string, string> = {
  "connection-refused": "nothing listens on the guest's HTTP port",
  "destination-unavailable": "the guest has exited",
  "HTTP-response-timeout": "the guest did not answer (every guest process waits, or a step or time budget ran out)",
  "HTTP-response-incomplete": "the guest closed the connection before a complete answer",
  "HTTP-protocol-error": "the guest's answer is not an HTTP/1.x response",
  "HTTP-response-body-size": "the guest's answer is too large",
  "HTTP-request-body-size": "the request body is too large",
};

export function httpErrorMessage(nodeId: string, code: unknown): string {
  const tag = typeof code === "object" && code !== null && "tag" in code ? String((code as { tag: unknown }).tag) : JSON.stringify(code);
  const why = ERROR_CODES[tag];
  return `'${nodeId}' answered no HTTP response but the wasi:http error-code ${tag}${why ? `: ${why}` : ""} (the reason is on the node's stderr)`;
}
