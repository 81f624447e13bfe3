// A compiled container as a wasi:http/incoming-handler: the guest starts once
// (its image's entrypoint) under the core's host network runner
// (lib/compile/host-net-runner.mjs) with its HTTP port published on a free
// loopback port, and each request the run hands its export becomes one
// HTTP/1.1 request on a connection to that port; the guest keeps its state
// between requests. The answer is read whole (bounded by the output limit)
// and returned as the handler's response. A handler must answer
// synchronously, so a helper thread does the request while this thread
// waits on Atomics.wait, as sync-http.ts does for network-mode wires.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { basename } from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { hostNetChildArgs } from "../compile/host-net";
import { errorMessage, RunStop, type HostService } from "./host-types";
import type { HttpOutput, NormalizedRequest } from "./http-ingress";
import type { RunLimits } from "./types";

const HELPER = `
const { workerData } = require("node:worker_threads");
const http = require("node:http");
const { port, signal, target, maxBytes } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
port.on("message", ({ method, path, headers, body, timeoutMs }) => {
  let sent = false;
  const done = (msg) => { if (sent) return; sent = true; port.postMessage(msg); Atomics.store(signal, 0, 1); Atomics.notify(signal, 0); };
  const req = http.request({ host: "127.0.0.1", port: target, method, path, headers, agent, timeout: timeoutMs }, (res) => {
    const chunks = [];
    let size = 0;
    res.on("data", (c) => {
      size += c.length;
      if (size > maxBytes) { req.destroy(); return done({ tooLarge: size }); }
      chunks.push(c);
    });
    res.on("end", () => done({ status: res.statusCode, headers: res.rawHeaders, body: Buffer.concat(chunks) }));
    res.on("error", (e) => done({ error: String((e && e.message) || e) }));
  });
  req.on("timeout", () => { req.destroy(); done({ error: "no answer within " + timeoutMs + " ms" }); });
  req.on("error", (e) => done({ error: String((e && e.message) || e) }));
  req.end(Buffer.from(body));
});
`;

/** Connection-level headers the ingress does not pass on (RFC 9110 7.6.1); the guest's framing is its own. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

export class HttpService {
  readonly #child: ChildProcess;
  readonly #port: MessagePort;
  readonly #signal = new Int32Array(new SharedArrayBuffer(4));
  readonly #worker: Worker;
  #stderr = "";
  #exit: number | null | undefined;

  private constructor(
    readonly spec: HostService,
    readonly hostPort: number,
    readonly limits: RunLimits,
  ) {
    const cfg = {
      file: spec.file,
      args: [basename(spec.file)],
      env: {},
      preopens: {},
      publish: [{ hostAddr: "127.0.0.1", hostPort, guestPort: spec.guestPort }],
      allow: [],
      exitWithStdin: true,
    };
    // stdin stays open as a lifeline: when this process dies (the run's time limit kills it), the guest's runner sees EOF and ends
    this.#child = spawn(process.execPath, hostNetChildArgs(cfg), { stdio: ["pipe", "ignore", "pipe"] });
    this.#child.stderr!.on("data", (b: Buffer) => {
      if (this.#stderr.length < 64 * 1024) this.#stderr += b.toString("utf8");
    });
    this.#child.on("exit", (code) => (this.#exit = code));
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(HELPER, { eval: true, workerData: { port: port2, signal: this.#signal, target: hostPort, maxBytes: limits.outputBytes }, transferList: [port2] });
    this.#worker.unref();
  }

  /** Starts the guest and waits until its port accepts connections (the guest called listen()). */
  static async start(spec: HostService, limits: RunLimits, deadline: number): Promise<HttpService> {
    const s = new HttpService(spec, await freeLoopbackPort(), limits);
    for (;;) {
      if (s.#exit !== undefined) throw new RunStop({ kind: "crashed", message: `'${spec.name}' exited (code ${s.#exit}) before listening on port ${spec.guestPort}${s.#tail()}`, nodeId: spec.id });
      if (await accepts(s.hostPort)) return s;
      if (Date.now() > deadline) {
        await s.close();
        throw new RunStop({ kind: "time-limit", message: `'${spec.name}' did not listen on port ${spec.guestPort} within the run's time limit${s.#tail()}`, nodeId: spec.id });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  #tail(): string {
    const t = this.#stderr.trim().split("\n").slice(-5).join("\n");
    return t ? `: ${t}` : "";
  }

  /** One request to the guest; throws a RunStop when the guest is gone, too slow or answers too much. */
  send(r: NormalizedRequest): HttpOutput {
    const id = this.spec.id;
    if (this.#exit !== undefined) throw new RunStop({ kind: "crashed", message: `'${this.spec.name}' is no longer running (exit ${this.#exit})${this.#tail()}`, nodeId: id });
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of r.headers) {
      const key = k.toLowerCase();
      if (HOP_BY_HOP.has(key)) continue;
      const had = headers[key];
      headers[key] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    }
    headers.host ??= r.authority;
    const timeoutMs = this.limits.timeMs;
    Atomics.store(this.#signal, 0, 0);
    this.#port.postMessage({ method: r.method, path: r.path, headers, body: r.body, timeoutMs });
    if (Atomics.wait(this.#signal, 0, 0, timeoutMs + 1000) === "timed-out")
      throw new RunStop({ kind: "time-limit", message: `'${this.spec.name}' did not answer ${r.method} ${r.path} within ${timeoutMs} ms`, nodeId: id });
    const m = receiveMessageOnPort(this.#port)?.message as { status?: number; headers?: string[]; body?: Uint8Array; error?: string; tooLarge?: number } | undefined;
    if (!m) throw new RunStop({ kind: "crashed", message: "the HTTP helper thread returned nothing", nodeId: id });
    if (m.tooLarge !== undefined)
      throw new RunStop({ kind: "output-limit", message: `the HTTP response of '${this.spec.name}' has more than ${this.limits.outputBytes} bytes (the output limit)`, nodeId: id });
    if (m.error !== undefined || m.status === undefined)
      throw new RunStop({ kind: "network-failure", message: `'${this.spec.name}' (guest port ${this.spec.guestPort}) failed ${r.method} ${r.path}: ${m.error ?? "no status"}${this.#tail()}`, nodeId: id });
    const out: Array<[string, string]> = [];
    const raw = m.headers ?? [];
    for (let i = 0; i + 1 < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
    return { status: m.status, headers: out, body: new Uint8Array(m.body ?? new Uint8Array(0)) };
  }

  async close(): Promise<void> {
    this.#port.close();
    await this.#worker.terminate().catch(() => 0);
    if (this.#exit === undefined) {
      const gone = new Promise((r) => this.#child.once("exit", r));
      this.#child.kill("SIGKILL");
      await gone;
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => (s.destroy(), done(true)));
    s.once("error", () => done(false));
  });
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = net.createServer();
    srv.once("error", (e) => fail(new RunStop({ kind: "crashed", message: `no free loopback port: ${errorMessage(e)}` })));
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => done(typeof a === "object" && a ? a.port : 0));
    });
  });
}
