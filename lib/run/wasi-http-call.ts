// Calls a wasi:http/incoming-handler component the way the run engine's
// ingress does (jco transpile, the preview2 shim with in-memory requests and
// responses), for components built outside a design: `trellis serve`, tests, benches.
import { collectResponse, MemoryIncomingRequest, MemoryResponseOutparam, memoryOutgoingHandler, type OutgoingServe } from "./memory-http";
import { instantiateComponent, transpileCached } from "./transpile";
import { wasiImports } from "./wasi";

export interface CallRequest {
  method?: string;
  path: string;
  headers?: Array<[string, string]>;
  body?: Uint8Array | string;
}

export type CallOutcome =
  | { status: number; headers: Array<[string, string]>; body: Buffer }
  /** The handler set an error-code instead of a response (`tag` is its case). */
  | { error: { tag: string; val?: unknown } };

/** `outgoing` serves the component's wasi:http/outgoing-handler import (else it is refused). */
export async function loadHandler(component: Uint8Array, cacheDir: string, outgoing?: OutgoingServe): Promise<(r: CallRequest) => CallOutcome> {
  const t = await transpileCached(component, cacheDir);
  const imports = wasiImports(t.imports);
  if (outgoing) for (const name of t.imports.filter((n) => n.startsWith("wasi:http/outgoing-handler"))) imports[name] = memoryOutgoingHandler(outgoing);
  const inst = await instantiateComponent(t, imports);
  const h = inst["wasi:http/incoming-handler@0.2.0"] as { handle(req: unknown, out: unknown): void } | undefined;
  if (!h) throw new Error(`the component exports ${Object.keys(inst).join(", ")}, not wasi:http/incoming-handler@0.2.0`);
  return (r) => {
    const body = typeof r.body === "string" ? Buffer.from(r.body) : (r.body ?? new Uint8Array(0));
    const out = new MemoryResponseOutparam();
    h.handle(new MemoryIncomingRequest({ method: r.method ?? "GET", pathWithQuery: r.path, authority: "localhost", headers: r.headers ?? [], body }), out);
    if (out.response?.tag === "err") return { error: out.response.val as { tag: string; val?: unknown } };
    const res = collectResponse(out);
    if ("problem" in res) {
      if (res.incomplete) return { error: { tag: "HTTP-response-incomplete", val: res.problem } };
      throw new Error(res.problem);
    }
    return { status: res.status, headers: res.headers.map(([k, v]) => [k.toLowerCase(), v]), body: Buffer.from(res.body) };
  };
}
