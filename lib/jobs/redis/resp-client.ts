// A small Redis client over one TCP connection (RESP2), shaped like the raw
// client BullMQ's own `createBunRedisClient` adapter drives: `send(command,
// args)`, `connect()`, `close()`, `duplicate()`, `connected` and the
// onconnect/onclose callbacks. BullMQ does the queue work (Lua scripts,
// locks, stalled checks, events); this only frames commands and parses
// replies. It exists because the project carries no Redis driver package.
//
// Replies: simple string → string, error → Error (a rejected promise at the
// top level, an Error element inside EXEC's array), integer → number, bulk →
// UTF-8 string or null, array → array or null.

import { connect as netConnect, type Socket } from "node:net";

export interface RespOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  /** Give up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
}

/** Why a connection could not be made; `kind` is stable. */
export class RedisConnectError extends Error {
  constructor(
    readonly kind: "redis-auth-failed" | "redis-unreachable" | "redis-error",
    message: string,
  ) {
    super(message);
  }
}

type Reply = string | number | null | Error | Reply[];

interface Pending {
  resolve: (v: Reply) => void;
  reject: (e: Error) => void;
}

const CRLF = Buffer.from("\r\n");

function encode(command: string, args: readonly (string | Buffer | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length + 1}\r\n$${Buffer.byteLength(command)}\r\n${command}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
  }
  return Buffer.concat(parts);
}

/** Incremental RESP2 parser: feed bytes, take complete replies. */
export class RespParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  feed(chunk: Buffer): Reply[] {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    const out: Reply[] = [];
    for (;;) {
      const start = this.pos;
      const r = this.parse();
      if (r === undefined) {
        this.pos = start;
        break;
      }
      out.push(r.v);
    }
    return out;
  }

  private line(): string | undefined {
    const end = this.buf.indexOf(CRLF, this.pos);
    if (end < 0) return undefined;
    const s = this.buf.toString("utf8", this.pos, end);
    this.pos = end + 2;
    return s;
  }

  private parse(): { v: Reply } | undefined {
    if (this.pos >= this.buf.length) return undefined;
    const type = String.fromCharCode(this.buf[this.pos]!);
    this.pos++;
    const l = this.line();
    if (l === undefined) return undefined;
    switch (type) {
      case "+":
        return { v: l };
      case "-":
        return { v: new Error(l) };
      case ":":
        return { v: Number(l) };
      case "$": {
        const n = Number(l);
        if (n < 0) return { v: null };
        if (this.buf.length < this.pos + n + 2) return undefined;
        const s = this.buf.toString("utf8", this.pos, this.pos + n);
        this.pos += n + 2;
        return { v: s };
      }
      case "*": {
        const n = Number(l);
        if (n < 0) return { v: null };
        const items: Reply[] = [];
        for (let i = 0; i < n; i++) {
          const r = this.parse();
          if (r === undefined) return undefined;
          items.push(r.v);
        }
        return { v: items };
      }
      default:
        throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
    }
  }
}

export class RespClient {
  connected = false;
  onconnect?: () => void;
  onclose?: (error?: Error) => void;
  onerror?: (error: Error) => void;
  private socket?: Socket;
  private readonly pending: Pending[] = [];
  private parser = new RespParser();
  private closing = false;

  constructor(readonly opts: RespOptions) {}

  /** Opens the connection, authenticates and selects the database. Rejects with a RedisConnectError. */
  async connect(): Promise<void> {
    if (this.connected) return;
    const host = this.opts.host ?? "127.0.0.1";
    const port = this.opts.port ?? 6379;
    this.closing = false;
    this.parser = new RespParser();
    await new Promise<void>((resolve, reject) => {
      const s = netConnect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new RedisConnectError("redis-unreachable", `Redis at ${host}:${port} did not answer within ${this.opts.connectTimeoutMs ?? 10_000} ms`));
      }, this.opts.connectTimeoutMs ?? 10_000);
      s.once("connect", () => {
        clearTimeout(timer);
        s.setNoDelay(true);
        s.setKeepAlive(true, 10_000);
        this.socket = s;
        resolve();
      });
      s.once("error", (e) => {
        clearTimeout(timer);
        reject(new RedisConnectError("redis-unreachable", `cannot reach Redis at ${host}:${port}: ${e.message}`));
      });
    });
    const s = this.socket!;
    s.on("data", (c: Buffer) => this.onData(c));
    s.on("error", (e) => this.onerror?.(e));
    s.on("close", () => this.onSocketClose());
    this.connected = true;
    try {
      if (this.opts.password !== undefined) {
        await this.send("AUTH", this.opts.username ? [this.opts.username, this.opts.password] : [this.opts.password]);
      }
      if (this.opts.db) await this.send("SELECT", [String(this.opts.db)]);
    } catch (e) {
      const msg = (e as Error).message;
      this.close();
      if (/WRONGPASS|invalid password|NOAUTH/i.test(msg)) {
        throw new RedisConnectError("redis-auth-failed", `Redis at ${host}:${port} refused the ${this.opts.username ? `user ${JSON.stringify(this.opts.username)} or its password` : "password"} (${msg})`);
      }
      throw new RedisConnectError("redis-error", `Redis at ${host}:${port}: ${msg}`);
    }
    this.onconnect?.();
  }

  send(command: string, args: readonly (string | Buffer | number)[] = []): Promise<Reply> {
    if (!this.connected || !this.socket) return Promise.reject(new Error("Connection closed"));
    return new Promise<Reply>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket!.write(encode(command, args));
    });
  }

  close(): void {
    this.closing = true;
    this.socket?.destroy();
  }

  disconnect(): void {
    this.close();
  }

  /** A new, unconnected client for the same server (BullMQ's blocking connections). */
  duplicate(): RespClient {
    return new RespClient(this.opts);
  }

  private onData(c: Buffer): void {
    let replies: Reply[];
    try {
      replies = this.parser.feed(c);
    } catch (e) {
      this.onerror?.(e as Error);
      this.socket?.destroy();
      return;
    }
    for (const r of replies) {
      const p = this.pending.shift();
      if (!p) continue;
      if (r instanceof Error) p.reject(r);
      else p.resolve(r);
    }
  }

  private onSocketClose(): void {
    const was = this.connected;
    this.connected = false;
    this.socket = undefined;
    for (const p of this.pending.splice(0)) p.reject(new Error("Connection closed"));
    if (was) this.onclose?.(this.closing ? undefined : new Error("Connection closed unexpectedly"));
  }
}
