// A wire from a wasi:http/outgoing-handler import to a wasi:http/incoming-handler
// export (ports.ts httpBridged): each request the importer sends becomes an
// incoming request of the callee, held in memory both ways, as Spin's local
// service chaining and a wasmCloud link deliver it. The same request shape
// crosses the network transport between run processes.
import type { HttpOutput, NormalizedRequest } from "./http-ingress";
import { collectResponse, MemoryIncomingRequest, MemoryResponseOutparam, type OutgoingAnswer, type OutgoingCall } from "./memory-http";

/** What the callee answered: a response, or the wasi:http error-code it set instead. */
export type WireAnswer = HttpOutput | { error: { tag: string; val?: unknown } };

export function requestOf(call: OutgoingCall): NormalizedRequest {
  return { method: call.method, path: call.pathWithQuery, authority: call.authority, headers: call.headers, body: call.body };
}

/** Calls an incoming-handler export with the request; a handler that sets no response is an internal-error. */
export function callHandler(target: Record<string, unknown>, r: NormalizedRequest): WireAnswer {
  const handle = target.handle as (rq: unknown, out: unknown) => void;
  const out = new MemoryResponseOutparam();
  handle.call(target, new MemoryIncomingRequest({ method: r.method, pathWithQuery: r.path, authority: r.authority, headers: r.headers, body: r.body }), out);
  if (out.response?.tag === "err") return { error: out.response.val as { tag: string; val?: unknown } };
  const res = collectResponse(out);
  if ("problem" in res) return { error: res.incomplete ? { tag: "HTTP-response-incomplete" } : { tag: "internal-error", val: res.problem } };
  return res;
}

/** A WireAnswer (possibly decoded from the network transport) as the outgoing handler returns it. */
export function answerOf(a: WireAnswer): OutgoingAnswer {
  if ("error" in a) return { error: a.error };
  return { status: a.status, headers: a.headers, body: a.body instanceof Uint8Array ? a.body : new Uint8Array(0) };
}
