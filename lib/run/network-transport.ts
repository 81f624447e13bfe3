// Network mode's wires: a call to a node hosted by another process is a
// synchronous HTTP/1.1 POST /call (keep-alive, loopback) carrying the call as
// JSON; each host serves its own nodes the same way. Only requests carrying the
// run's secret token are answered.
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { decodeValue, encodeValue } from "./codec";
import { errorMessage, RunStop, type CallOutcome, type CallRequest, type InvokeOutcome } from "./host-types";
import { SyncHttpClient } from "./sync-http";

const safeEqual = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The calling side: blocks this thread until the remote host answers. */
export class RemoteCaller {
  #client?: SyncHttpClient;

  /** `onLatency` gets each round trip (ms); `timeoutMs` bounds one call. */
  constructor(
    readonly token: string,
    readonly timeoutMs: number,
    readonly onLatency: (ms: number, req: CallRequest) => void,
  ) {}

  /** Starts the helper thread now (it takes a moment to boot), not on the first call. */
  warm(): void {
    this.#client ??= new SyncHttpClient(this.token);
  }

  /** The callee's value; a refusal is thrown as `{ payload }`, a failure as a RunStop. */
  call(url: string, req: CallRequest): unknown {
    this.#client ??= new SyncHttpClient(this.token);
    // The parent's clock (which pauses while components transpile) is authoritative and kills
    // the run; a single call just never waits longer than the whole budget.
    const t0 = performance.now();
    const res = this.#client.post(`${url}/call`, JSON.stringify(req), this.timeoutMs);
    this.onLatency(performance.now() - t0, req);
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

  async close(): Promise<void> {
    await this.#client?.close();
  }
}

export interface CallServer {
  port: number;
  close(): Promise<void>;
}

/** Serves `POST /call` on 127.0.0.1 (a free port) with `invoke`; keep-alive connections. */
export function serveCalls(token: string, invoke: (req: CallRequest) => InvokeOutcome): Promise<CallServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/call") {
      res.writeHead(404).end();
      return;
    }
    const given = req.headers["x-trellis-run"];
    if (typeof given !== "string" || !safeEqual(given, token)) {
      res.writeHead(403).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let outcome: CallOutcome;
      try {
        const r = invoke(JSON.parse(Buffer.concat(chunks).toString("utf8")) as CallRequest);
        outcome = r.error ? { error: r.error } : "refused" in r ? { refused: encodeValue(r.refused) } : { ok: encodeValue(r.value) };
      } catch (e) {
        outcome = { error: { kind: "invalid-request", message: `bad call request: ${errorMessage(e)}` } };
      }
      const body = JSON.stringify(outcome);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      resolve({
        port: typeof addr === "object" && addr ? addr.port : 0,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
