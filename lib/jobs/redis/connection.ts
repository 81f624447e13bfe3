// Where the shared compile queue lives: `redis://[user:pass@]host:port[/db]`
// (TRELLIS_QUEUE on the server, --queue on a worker), and how Trellis and
// BullMQ reach it: ioredis, the client BullMQ is built and tested with.

import type { RedisOptions as BullRedisOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { err, ok, type Result } from "../../result";

export interface RedisTarget {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  /** The URL with the password replaced by `***` (for logs and errors). */
  display: string;
}

export interface QueueUrlError {
  kind: "queue-url-invalid";
  message: string;
}

export function parseQueueUrl(raw: string): Result<RedisTarget, QueueUrlError> {
  const bad = (why: string) => err<QueueUrlError>({ kind: "queue-url-invalid", message: `${why}; expected redis://[user:pass@]host:port[/db]` });
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return bad(`not a URL: ${JSON.stringify(raw.replace(/:[^:@/]*@/, ":***@"))}`);
  }
  if (u.protocol !== "redis:") return bad(`unsupported scheme ${JSON.stringify(u.protocol)} (rediss:// and others are not supported)`);
  if (!u.hostname) return bad("no host");
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,2}$/.test(path)) return bad(`the path must be a database number, got ${JSON.stringify(path)}`);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const shown = new URL(raw);
  if (shown.password) shown.password = "***";
  return ok({
    host,
    port,
    ...(username ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    db: path ? Number(path) : 0,
    display: shown.toString(),
  });
}

/** Why a connection could not be made; `kind` is stable. */
export type RedisConnectErrorKind = "redis-auth-failed" | "redis-unreachable" | "redis-error";

export class RedisConnectError extends Error {
  constructor(
    readonly kind: RedisConnectErrorKind,
    message: string,
  ) {
    super(message);
  }
}

function baseOptions(t: RedisTarget): RedisOptions {
  return { host: t.host, port: t.port, db: t.db, ...(t.username ? { username: t.username } : {}), ...(t.password !== undefined ? { password: t.password } : {}) };
}

/**
 * Connection options for BullMQ classes. BullMQ requires `maxRetriesPerRequest:
 * null` for its blocking connections; ioredis reconnects by itself.
 */
export function bullConnection(t: RedisTarget): BullRedisOptions {
  return { ...baseOptions(t), maxRetriesPerRequest: null } as BullRedisOptions;
}

/** A plain connection for Trellis's own reads and writes (event replay, cancel flags); connected by the caller. */
export function openRedis(t: RedisTarget, extra: RedisOptions = {}): Redis {
  return new Redis({ ...baseOptions(t), lazyConnect: true, ...extra });
}

export function connectErrorKind(e: unknown): RedisConnectErrorKind {
  const m = String((e as Error)?.message ?? e);
  if (/WRONGPASS|NOAUTH|invalid (username-)?password|AUTH/i.test(m)) return "redis-auth-failed";
  if (/ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|connect|Connection is closed/i.test(m)) return "redis-unreachable";
  return "redis-error";
}

/** checkRedis as a throw, for start-up code that is already async. */
export async function ensureRedis(t: RedisTarget): Promise<void> {
  const r = await checkRedis(t);
  if (!r.ok) throw new RedisConnectError(r.error.kind, r.error.message);
}

/**
 * Connects once, authenticates and pings: the start-up check of the server and
 * of `trellis worker`, so a wrong password stops them with a clear message
 * instead of BullMQ retrying forever.
 */
export async function checkRedis(t: RedisTarget): Promise<Result<{ version: string }, { kind: RedisConnectErrorKind; message: string }>> {
  // No retries and no offline queue: one honest attempt.
  const c = openRedis(t, { connectTimeout: 5000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // ioredis emits the server's reply (WRONGPASS …) as an error event, then rejects
  // connect() with "Connection is closed": the event says why.
  let emitted: Error | undefined;
  c.on("error", (e: Error) => (emitted ??= e));
  try {
    await c.connect();
    const info = String(await c.info("server"));
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? "unknown";
    return ok({ version });
  } catch (thrown) {
    const e = emitted ?? thrown;
    const kind = connectErrorKind(e);
    const why = kind === "redis-auth-failed" ? "refused the password" : kind === "redis-unreachable" ? "could not be reached" : "failed";
    return err({ kind, message: `Redis at ${t.host}:${t.port} ${why} (${(e as Error).message}) (queue ${t.display})` });
  } finally {
    c.disconnect();
  }
}
