// wasi:http requests and responses held in memory, for feeding the run's input
// to an incoming-handler without a loopback HTTP server. jco's preview2 shim
// keeps every HTTP body (and stdio flushes) behind a worker thread, so each
// read, write and drop is a blocking cross-thread round trip; these classes
// extend the shim's own (jco's resource checks are `instanceof` the imported
// class) and keep the bytes in this thread. Outgoing requests (what a component
// sends through wasi:http/outgoing-handler) are held in memory too, and a wire
// serves them (`memoryOutgoingHandler`): the shim's own outgoing HTTP is off.
import * as shim from "@bytecodealliance/preview2-shim";

type Ctor = new (...a: never[]) => object;
const { types } = shim.http as unknown as { types: Record<string, Ctor & Record<string, unknown>> };
const { streams } = shim.io as unknown as { streams: { InputStream: Ctor; OutputStream: Ctor } };
const { poll } = shim.io as unknown as { poll: { Pollable: Ctor; poll(list: unknown[]): Uint32Array } };

const ShimInputStream = streams.InputStream as new () => object;
const ShimOutputStream = streams.OutputStream as new () => object;
const ShimPollable = poll.Pollable as new () => object;
const ShimIncomingRequest = types.IncomingRequest as unknown as new () => object;
const ShimIncomingBody = types.IncomingBody as unknown as new () => object;
const ShimIncomingResponse = types.IncomingResponse as unknown as new () => object;
const ShimFutureIncomingResponse = types.FutureIncomingResponse as unknown as new () => object;
const ShimOutgoingRequest = types.OutgoingRequest as unknown as new (headers: unknown) => object;
const ShimOutgoingResponse = types.OutgoingResponse as unknown as new (headers: unknown) => { statusCode(): number; headers(): { entries(): Array<[string, Uint8Array]> } };
const ShimOutgoingBody = types.OutgoingBody as unknown as (new () => object) & { finish(body: unknown, trailers: unknown): void };
const ShimResponseOutparam = types.ResponseOutparam as unknown as (new () => object) & { set(param: unknown, response: unknown): void };
const Fields = types.Fields as unknown as { fromList(entries: Array<[string, Uint8Array]>): unknown };

const dispose: symbol = (Symbol as unknown as { dispose?: symbol }).dispose ?? Symbol.for("dispose");
const isA = (C: object, x: unknown) => Function.prototype[Symbol.hasInstance].call(C, x);

/** Always ready: memory streams never wait. */
export class ReadyPollable extends ShimPollable {
  ready(): boolean {
    return true;
  }
  block(): void {}
  [dispose](): void {}
}

/** `poll` of wasi:io/poll: memory pollables are ready at once; others go to the shim. */
export function pollList(list: unknown[]): Uint32Array {
  const ready = list.flatMap((p, i) => (p instanceof ReadyPollable ? [i] : []));
  return ready.length > 0 ? Uint32Array.from(ready) : poll.poll(list);
}

export class MemoryInputStream extends ShimInputStream {
  #data: Uint8Array;
  #pos = 0;
  constructor(data: Uint8Array) {
    super();
    this.#data = data;
  }
  read(len: bigint): Uint8Array {
    if (this.#pos >= this.#data.byteLength) throw { tag: "closed" };
    const n = Math.min(Number(len), this.#data.byteLength - this.#pos);
    const out = this.#data.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this.read(len).byteLength);
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): ReadyPollable {
    return new ReadyPollable();
  }
  [dispose](): void {}
}

/** Collects what is written, up to `max` bytes (then the stream reports itself closed). */
export class MemoryOutputStream extends ShimOutputStream {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  constructor(readonly max: number) {
    super();
  }
  checkWrite(): bigint {
    return 65536n;
  }
  write(buf: Uint8Array): void {
    if (this.size + buf.byteLength > this.max) throw { tag: "closed" };
    this.chunks.push(buf.slice());
    this.size += buf.byteLength;
  }
  blockingWriteAndFlush(buf: Uint8Array): void {
    this.write(buf);
  }
  flush(): void {}
  blockingFlush(): void {}
  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(Number(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  splice(src: { read(len: bigint): Uint8Array }, len: bigint): bigint {
    const bytes = src.read(len);
    this.write(bytes);
    return BigInt(bytes.byteLength);
  }
  blockingSplice(src: { read(len: bigint): Uint8Array }, len: bigint): bigint {
    return this.splice(src, len);
  }
  subscribe(): ReadyPollable {
    return new ReadyPollable();
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
  [dispose](): void {}
}

class MemoryIncomingBody extends ShimIncomingBody {
  #stream?: MemoryInputStream;
  constructor(body: Uint8Array) {
    super();
    this.#stream = new MemoryInputStream(body);
  }
  stream(): MemoryInputStream {
    const s = this.#stream;
    if (!s) throw undefined; // the body's stream can be taken once
    this.#stream = undefined;
    return s;
  }
  [dispose](): void {}
}

const KNOWN_METHODS = new Set(["get", "head", "post", "put", "delete", "connect", "options", "trace", "patch"]);
const FORBIDDEN = new Set(["connection", "keep-alive", "host"]);

export interface MemoryRequestInit {
  method: string;
  pathWithQuery: string;
  authority: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

export class MemoryIncomingRequest extends ShimIncomingRequest {
  #init: MemoryRequestInit;
  #consumed = false;
  constructor(init: MemoryRequestInit) {
    super();
    this.#init = init;
  }
  method(): { tag: string; val?: string } {
    const m = this.#init.method.toLowerCase();
    return KNOWN_METHODS.has(m) ? { tag: m } : { tag: "other", val: this.#init.method };
  }
  pathWithQuery(): string {
    return this.#init.pathWithQuery;
  }
  scheme(): { tag: string } {
    return { tag: "HTTP" };
  }
  authority(): string {
    return this.#init.authority;
  }
  headers(): unknown {
    const enc = new TextEncoder();
    return Fields.fromList(this.#init.headers.filter(([k]) => !FORBIDDEN.has(k.toLowerCase())).map(([k, v]) => [k.toLowerCase(), enc.encode(v)]));
  }
  consume(): MemoryIncomingBody {
    if (this.#consumed) throw undefined;
    this.#consumed = true;
    return new MemoryIncomingBody(this.#init.body);
  }
  [dispose](): void {}
}

class MemoryOutgoingBody extends ShimOutgoingBody {
  #stream?: MemoryOutputStream;
  readonly out: MemoryOutputStream;
  finished = false;
  constructor(max: number) {
    super();
    this.out = new MemoryOutputStream(max);
    this.#stream = this.out;
  }
  write(): MemoryOutputStream {
    const s = this.#stream;
    if (!s) throw undefined; // once
    this.#stream = undefined;
    return s;
  }
  [dispose](): void {}
}

/** The largest response body a memory response collects (set per host from the output limit). */
let responseBodyLimit = 64 * 2 ** 20;
export function setResponseBodyLimit(bytes: number): void {
  responseBodyLimit = bytes;
}

/** Guests construct responses with this class (the `OutgoingResponse` of the import object). */
export class MemoryOutgoingResponse extends ShimOutgoingResponse {
  #body?: MemoryOutgoingBody;
  body(): MemoryOutgoingBody {
    if (this.#body) throw undefined;
    this.#body = new MemoryOutgoingBody(responseBodyLimit + 1);
    return this.#body;
  }
  get memoryBody(): MemoryOutgoingBody | undefined {
    return this.#body;
  }
  static [Symbol.hasInstance](x: unknown): boolean {
    return isA(ShimOutgoingResponse, x);
  }
}

/** `OutgoingBody` of the import object: memory bodies finish here, the shim's own go to the shim. */
export class OutgoingBody extends ShimOutgoingBody {
  static finish(body: unknown, trailers: unknown): void {
    if (body instanceof MemoryOutgoingBody) {
      if (trailers) throw { tag: "internal-error", val: "trailers unsupported" };
      if (body.finished) throw { tag: "internal-error", val: "body already finished" };
      body.finished = true;
      return;
    }
    ShimOutgoingBody.finish(body, trailers);
  }
  static [Symbol.hasInstance](x: unknown): boolean {
    return isA(ShimOutgoingBody, x);
  }
}

export type ResponseSet = { tag: "ok"; val: MemoryOutgoingResponse } | { tag: "err"; val: unknown };

export class ResponseOutparam extends ShimResponseOutparam {
  static set(param: unknown, response: unknown): void {
    if (param instanceof MemoryResponseOutparam) param.deliver(response as ResponseSet);
    else ShimResponseOutparam.set(param, response);
  }
  static [Symbol.hasInstance](x: unknown): boolean {
    return isA(ShimResponseOutparam, x);
  }
}

export class MemoryResponseOutparam extends ShimResponseOutparam {
  response?: ResponseSet;
  deliver(r: ResponseSet): void {
    if (this.response) throw new Error("response-outparam set twice");
    this.response = r;
  }
}

// ---------- outgoing requests (wasi:http/outgoing-handler) ----------

type HttpMethod = { tag: string; val?: string };
type FieldsLike = { entries(): Array<[string, Uint8Array]> };

/**
 * `OutgoingRequest` of the import object. Not the shim's subclass: the shim's
 * constructor opens a body stream on its worker thread. `instanceof` holds for
 * both, so jco's resource checks pass either way.
 */
export class MemoryOutgoingRequest {
  #method: HttpMethod = { tag: "get" };
  #scheme: { tag: string; val?: string } | undefined;
  #path: string | undefined;
  #authority: string | undefined;
  #headers: FieldsLike;
  #body?: MemoryOutgoingBody;
  #bodyTaken = false;
  constructor(headers: FieldsLike) {
    this.#headers = headers;
    this.#body = new MemoryOutgoingBody(responseBodyLimit + 1);
  }
  body(): MemoryOutgoingBody {
    if (this.#bodyTaken || !this.#body) throw undefined;
    this.#bodyTaken = true;
    return this.#body;
  }
  method(): HttpMethod {
    return this.#method;
  }
  setMethod(m: HttpMethod): void {
    if (m.tag === "other" && !/^[A-Za-z-]+$/.test(m.val ?? "")) throw undefined;
    this.#method = m;
  }
  pathWithQuery(): string | undefined {
    return this.#path;
  }
  setPathWithQuery(p: string | undefined): void {
    if (p !== undefined && !/^[A-Za-z0-9.\-_~!$&'()*+,;=:@%?/]*$/.test(p)) throw undefined;
    this.#path = p;
  }
  scheme(): { tag: string; val?: string } | undefined {
    return this.#scheme;
  }
  setScheme(s: { tag: string; val?: string } | undefined): void {
    this.#scheme = s;
  }
  authority(): string | undefined {
    return this.#authority;
  }
  setAuthority(a: string | undefined): void {
    if (a !== undefined && !/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(a)) throw undefined;
    this.#authority = a;
  }
  headers(): FieldsLike {
    return this.#headers;
  }
  /** The request as sent, once its body is finished (undefined before). */
  sent(): OutgoingCall | undefined {
    const b = this.#body;
    if (!b?.finished) return undefined;
    const dec = new TextDecoder();
    const m = this.#method;
    return {
      method: m.tag === "other" ? (m.val ?? "") : m.tag.toUpperCase(),
      scheme: this.#scheme?.tag === "HTTPS" ? "https" : this.#scheme?.tag === "other" ? (this.#scheme.val ?? "") : "http",
      authority: this.#authority ?? "",
      pathWithQuery: this.#path ?? "/",
      headers: this.#headers.entries().map(([k, v]) => [k, dec.decode(v)] as [string, string]),
      body: b.out.bytes(),
    };
  }
  [dispose](): void {}
  static [Symbol.hasInstance](x: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(MemoryOutgoingRequest, x) || isA(ShimOutgoingRequest, x);
  }
}

/** A request a component sent through wasi:http/outgoing-handler, whole. */
export interface OutgoingCall {
  method: string;
  scheme: string;
  authority: string;
  pathWithQuery: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

/** What serves it: a response, or a wasi:http error-code (`{ tag, val? }`). */
export type OutgoingAnswer = MemoryResponse | { error: { tag: string; val?: unknown } };
export type OutgoingServe = (call: OutgoingCall) => OutgoingAnswer;

class MemoryIncomingResponse extends ShimIncomingResponse {
  #res: MemoryResponse;
  #body?: MemoryIncomingBody;
  constructor(res: MemoryResponse) {
    super();
    this.#res = res;
    this.#body = new MemoryIncomingBody(res.body);
  }
  status(): number {
    return this.#res.status;
  }
  headers(): unknown {
    const enc = new TextEncoder();
    return Fields.fromList(this.#res.headers.filter(([k]) => !FORBIDDEN_RESPONSE.has(k.toLowerCase())).map(([k, v]) => [k.toLowerCase(), enc.encode(v)]));
  }
  consume(): MemoryIncomingBody {
    const b = this.#body;
    if (!b) throw undefined;
    this.#body = undefined;
    return b;
  }
  [dispose](): void {}
}

const FORBIDDEN_RESPONSE = new Set(["connection", "keep-alive", "transfer-encoding"]);

/** Served when first looked at: the caller finishes the body after handle() returns. */
class MemoryFutureIncomingResponse extends ShimFutureIncomingResponse {
  #req: MemoryOutgoingRequest;
  #serve: OutgoingServe;
  #taken = false;
  constructor(req: MemoryOutgoingRequest, serve: OutgoingServe) {
    super();
    this.#req = req;
    this.#serve = serve;
  }
  subscribe(): ReadyPollable {
    return new ReadyPollable();
  }
  get(): unknown {
    if (this.#taken) return { tag: "err" }; // the value was taken before
    const call = this.#req.sent();
    if (!call) return { tag: "ok", val: { tag: "err", val: { tag: "HTTP-request-body-size", val: undefined } } }; // body never finished
    this.#taken = true;
    const answer = this.#serve(call); // what it throws (a run stopping) unwinds through the caller
    if ("error" in answer) return { tag: "ok", val: { tag: "err", val: answer.error } };
    return { tag: "ok", val: { tag: "ok", val: new MemoryIncomingResponse(answer) } };
  }
  [dispose](): void {}
}

/** wasi:http/outgoing-handler served by `serve` (a wired node's incoming-handler, a test's function). */
export function memoryOutgoingHandler(serve: OutgoingServe): { handle(request: unknown, options?: unknown): unknown } {
  return {
    handle(request: unknown): unknown {
      if (!(request instanceof MemoryOutgoingRequest)) throw { tag: "internal-error", val: "not a request this host made" };
      return new MemoryFutureIncomingResponse(request, serve);
    },
  };
}

/** wasi:http/types for components: the shim's, with memory-aware requests, responses and bodies. */
export const memoryHttpTypes: Record<string, unknown> = { ...types, OutgoingRequest: MemoryOutgoingRequest, OutgoingResponse: MemoryOutgoingResponse, OutgoingBody, ResponseOutparam };

/** wasi:io/poll for components: the shim's, aware of memory pollables. */
export const memoryPoll = { Pollable: ShimPollable, poll: pollList };

export interface MemoryResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

/** What the handler answered, once `handle` returned; a string says why there is no response. */
/** Why a handler's answer is not a response: none set, an error-code, or a body dropped unfinished (`incomplete`). */
export interface ResponseProblem {
  problem: string;
  incomplete?: true;
}

export function collectResponse(out: MemoryResponseOutparam): MemoryResponse | ResponseProblem {
  const r = out.response;
  if (!r) return { problem: "the handler returned without setting a response" };
  if (r.tag === "err") return { problem: `the handler answered with an error: ${JSON.stringify(r.val)}` };
  const res = r.val;
  const dec = new TextDecoder();
  const headers = res.headers().entries().map(([k, v]) => [k, dec.decode(v)] as [string, string]);
  const body = res.memoryBody;
  // wasi:http: a body dropped without outgoing-body.finish is an incomplete response (a streamed answer cut short)
  if (body && !body.finished) return { problem: `the handler left the response body unfinished after ${body.out.bytes().length} bytes`, incomplete: true };
  return { status: res.statusCode(), headers, body: body ? body.out.bytes() : new Uint8Array(0) };
}

/** Writes straight to this process's stdout/stderr (which the run process attributes to the running node). */
export class StdioStream extends MemoryOutputStream {
  constructor(readonly target: "stdout" | "stderr") {
    super(Number.MAX_SAFE_INTEGER);
  }
  write(buf: Uint8Array): void {
    process[this.target].write(buf.slice());
  }
}
