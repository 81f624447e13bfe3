// Synchronous HTTP for network mode (POST /call) and `trellis serve --peer`
// (a component's outgoing requests). A component's import must return
// synchronously, so a helper thread does the request while this thread
// blocks on Atomics.wait, then reads the answer with receiveMessageOnPort.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

const HELPER = `
const { workerData } = require("node:worker_threads");
const http = require("node:http");
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const { port, signal, token } = workerData;
port.on("message", ({ url, body, raw }) => {
  const done = (msg) => { port.postMessage(msg); Atomics.store(signal, 0, 1); Atomics.notify(signal, 0); };
  const opts = raw
    ? { method: raw.method, agent, headers: ["host", new URL(url).host, ...raw.headers.flat(), "content-length", String(raw.body.byteLength)] } // raw headers get no Host of Node's
    : { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-trellis-run": token } };
  const req = http.request(url, opts, (res) => {
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("end", () => {
      const all = Buffer.concat(chunks);
      const pairs = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
      done(raw ? { status: res.statusCode, headers: pairs, bytes: new Uint8Array(all) } : { status: res.statusCode, body: all.toString("utf8") });
    });
    res.on("error", (e) => done({ error: String(e && e.message || e) }));
  });
  req.on("error", (e) => done({ error: String(e && e.message || e) }));
  req.end(raw ? Buffer.from(raw.body) : body);
});
`;

export interface SyncResponse {
  status?: number;
  body?: string;
  error?: string;
}

/** The answer of `request`: status, header pairs as received, body bytes; or why there is none. */
export interface SyncRawResponse {
  status?: number;
  headers?: Array<[string, string]>;
  bytes?: Uint8Array;
  error?: string;
}

export class SyncHttpClient {
  readonly #port: MessagePort;
  readonly #signal = new Int32Array(new SharedArrayBuffer(4));
  readonly #worker: Worker;

  /** `token` goes in the `x-trellis-run` header: run processes only answer their own run. */
  constructor(token: string) {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(HELPER, { eval: true, workerData: { port: port2, signal: this.#signal, token }, transferList: [port2] });
    this.#worker.unref();
  }

  /** POSTs `body` and blocks until the answer (or `timeoutMs`) arrives. */
  post(url: string, body: string, timeoutMs: number): SyncResponse {
    Atomics.store(this.#signal, 0, 0);
    this.#port.postMessage({ url, body });
    const waited = Atomics.wait(this.#signal, 0, 0, timeoutMs);
    if (waited === "timed-out") return { error: `no answer from ${url} within ${timeoutMs} ms` };
    const msg = receiveMessageOnPort(this.#port);
    return (msg?.message as SyncResponse | undefined) ?? { error: "the HTTP helper thread returned nothing" };
  }

  /** Any HTTP request (no run token), blocking until the answer (or `timeoutMs`). */
  request(url: string, r: { method: string; headers: Array<[string, string]>; body: Uint8Array }, timeoutMs: number): SyncRawResponse {
    Atomics.store(this.#signal, 0, 0);
    this.#port.postMessage({ url, raw: r });
    const waited = Atomics.wait(this.#signal, 0, 0, timeoutMs);
    if (waited === "timed-out") return { error: `no answer from ${url} within ${timeoutMs} ms` };
    const msg = receiveMessageOnPort(this.#port);
    return (msg?.message as SyncRawResponse | undefined) ?? { error: "the HTTP helper thread returned nothing" };
  }

  close(): Promise<number> {
    this.#port.close();
    return this.#worker.terminate();
  }
}
