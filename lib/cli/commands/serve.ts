// `trellis serve`: a wasi:http/incoming-handler component (a compiled container's
// artifact.http.wasm, or any component whose imports are WASI) behind a local HTTP
// server, as a wasi:http host such as `wasmtime serve` or Spin would run it. One
// instance answers every request, one request at a time (the handler is synchronous),
// so a guest's state carries over between requests as it does when deployed.
// `--peer NAME=HOST:PORT` lets the component's outgoing requests reach that
// server: a compiled container's guest resolves NAME (TRELLIS_HTTP_PEERS) and
// its HTTP clients' requests go out through wasi:http/outgoing-handler to
// http://HOST:PORT; nothing else is reachable.
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import * as shim from "@bytecodealliance/preview2-shim";
import type { OutgoingAnswer, OutgoingCall } from "../../run/memory-http";
import { SyncHttpClient } from "../../run/sync-http";
import { defaultCacheDir } from "../../run/transpile";
import { loadHandler } from "../../run/wasi-http-call";
import type { CliCommand } from "../command";

const USAGE = "trellis serve <component.wasm> [--listen [ADDR:]PORT] [--max-body BYTES] [--peer NAME=HOST:PORT ...]   (default 127.0.0.1:8080, 16 MiB)";
const PEER_TIMEOUT_MS = 30_000;

/** The component's outgoing requests, sent to the peer servers the user named (by the authority the component gives). */
function peerHandler(peers: Map<string, string>): (c: OutgoingCall) => OutgoingAnswer {
  let client: SyncHttpClient | undefined;
  return (c) => {
    if (![...peers.values()].includes(c.authority)) return { error: { tag: "HTTP-request-denied" } };
    client ??= new SyncHttpClient("");
    const r = client.request(`http://${c.authority}${c.pathWithQuery}`, { method: c.method, headers: c.headers, body: c.body }, PEER_TIMEOUT_MS);
    if (r.error !== undefined || r.status === undefined) {
      process.stderr.write(`trellis serve: ${c.method} http://${c.authority}${c.pathWithQuery}: ${r.error ?? "no answer"}\n`);
      return { error: { tag: "connection-refused" } };
    }
    return { status: r.status, headers: (r.headers ?? []).map(([k, v]) => [k.toLowerCase(), v]), body: r.bytes ?? new Uint8Array(0) };
  };
}

function parseListen(v: string): { host: string; port: number } | undefined {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(v);
  const port = Number(m?.[2]);
  if (!m || port < 0 || port > 65535) return undefined;
  return { host: (m[1] ?? "127.0.0.1").replace(/^\[|\]$/g, ""), port };
}

/** A binary's preamble: `\0asm`, then version 1 for a core module or 0x0d with layer 1 for a component. */
function wasmKind(b: Uint8Array): "module" | "component" | "other" {
  if (b.length < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) return "other";
  if (b[4] === 1 && b[5] === 0 && b[6] === 0 && b[7] === 0) return "module";
  if (b[4] === 0x0d && b[5] === 0 && b[6] === 1 && b[7] === 0) return "component";
  return "other";
}

/** The request body, or undefined when it is larger than `max` (the rest is not read). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    n += (chunk as Buffer).length;
    if (n > max) return undefined;
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** Headers as wasi:http fields: one entry per value, hop-by-hop ones left to this server. */
function fields(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    if (k === "connection" || k === "keep-alive" || k === "transfer-encoding" || k === "host") continue;
    out.push([k, raw[i + 1]!]);
  }
  return out;
}

const command: CliCommand = {
  name: "serve",
  summary: "serve a wasi:http/incoming-handler component (e.g. a compiled container's --http-component) on a local port",
  usage: USAGE,
  async run(args) {
    let file: string | undefined;
    let listen = { host: "127.0.0.1", port: 8080 };
    let maxBody = 16 << 20;
    const peers = new Map<string, string>(); // name the guest uses → HOST:PORT
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === "--peer" && args[i + 1]) {
        const m = /^([A-Za-z0-9][A-Za-z0-9.-]*)=([A-Za-z0-9.-]+:\d{1,5})$/.exec(args[++i]!);
        if (!m) {
          process.stderr.write(`trellis serve: --peer takes NAME=HOST:PORT, not ${args[i]}\n`);
          return 2;
        }
        peers.set(m[1]!.toLowerCase(), m[2]!);
        continue;
      }
      if ((a === "--listen" || a === "-l") && args[i + 1]) {
        const l = parseListen(args[++i]!);
        if (!l) {
          process.stderr.write(`trellis serve: --listen takes [ADDR:]PORT, not ${args[i]}\n`);
          return 2;
        }
        listen = l;
      } else if (a === "--max-body" && args[i + 1]) {
        maxBody = Number(args[++i]);
        if (!Number.isInteger(maxBody) || maxBody < 0) {
          process.stderr.write(`trellis serve: --max-body takes a byte count\n`);
          return 2;
        }
      } else if (!a.startsWith("-") && !file) file = a;
      else {
        process.stderr.write(`usage: ${USAGE}\n`);
        return 2;
      }
    }
    if (!file) {
      process.stderr.write(`usage: ${USAGE}\n`);
      return 2;
    }
    if (!existsSync(file)) {
      process.stderr.write(`trellis serve: ${file}: no such file\n`);
      return 1;
    }
    const bytes = new Uint8Array(readFileSync(file));
    const kind = wasmKind(bytes);
    if (kind !== "component") {
      process.stderr.write(`trellis serve: ${file}: ${kind === "module" ? "a core Wasm module, not a component (a WASI command runs with trellis run)" : "not a Wasm file"}\n`);
      return 1;
    }
    let call: Awaited<ReturnType<typeof loadHandler>>;
    try {
      if (peers.size > 0) (shim.cli as unknown as { _setEnv(e: Record<string, string>): void })._setEnv({ TRELLIS_HTTP_PEERS: [...peers].map(([n, at]) => `${n}=${at}`).join(",") });
      call = await loadHandler(bytes, defaultCacheDir(), peers.size > 0 ? peerHandler(peers) : undefined);
    } catch (e) {
      process.stderr.write(`trellis serve: ${file}: ${(e as Error).message}\n`);
      return 1;
    }
    const authority = `${listen.host.includes(":") ? `[${listen.host}]` : listen.host}:${listen.port}`;
    const server = createServer(async (req, res) => {
      const body = await readBody(req, maxBody);
      if (!body) {
        res.writeHead(413, { "content-type": "text/plain", connection: "close" }).end(`request body over ${maxBody} bytes\n`);
        req.destroy();
        return;
      }
      try {
        const o = call({ method: req.method ?? "GET", path: req.url ?? "/", headers: fields(req.rawHeaders), body });
        if ("error" in o) {
          process.stderr.write(`trellis serve: ${req.method} ${req.url}: the component answered error ${o.error.tag}${o.error.val !== undefined ? ` (${JSON.stringify(o.error.val)})` : ""}\n`);
          res.writeHead(502, { "content-type": "text/plain" }).end(`the component answered error ${o.error.tag}\n`);
          return;
        }
        const headers: Record<string, string[]> = {};
        for (const [k, v] of o.headers) if (k !== "transfer-encoding" && k !== "connection") (headers[k] ??= []).push(v);
        res.writeHead(o.status, headers).end(req.method === "HEAD" ? undefined : o.body);
      } catch (e) {
        process.stderr.write(`trellis serve: ${req.method} ${req.url}: ${(e as Error).message}\n`);
        res.writeHead(500, { "content-type": "text/plain" }).end("the component failed\n");
      }
    });
    return await new Promise<number>((resolve) => {
      server.once("error", (e) => {
        process.stderr.write(`trellis serve: cannot listen on ${authority}: ${e.message}\n`);
        resolve(1);
      });
      server.listen(listen.port, listen.host, () => {
        const a = server.address();
        const port = typeof a === "object" && a ? a.port : listen.port;
        process.stdout.write(`serving ${file} on http://${listen.host.includes(":") ? `[${listen.host}]` : listen.host}:${port}/\n`);
      });
      const stop = () => server.close(() => resolve(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  },
};

export default command;
