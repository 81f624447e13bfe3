// Where the shared compile queue lives: `redis://[user:pass@]host:port[/db]`
// (TRELLIS_QUEUE on the server, --queue on a worker), and how BullMQ reaches
// it: every connection BullMQ opens (including its blocking ones) goes
// through RespClient via BullMQ's own Bun-client adapter.

import { createBunRedisClient, RedisConnection, type RedisOptions } from "bullmq";
import { err, ok, type Result } from "../../result";
import { RedisConnectError, RespClient, type RespOptions } from "./resp-client";

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

export function respOptions(t: RedisTarget): RespOptions {
  return { host: t.host, port: t.port, db: t.db, ...(t.username ? { username: t.username } : {}), ...(t.password !== undefined ? { password: t.password } : {}) };
}

/** Connection options for BullMQ classes (the factory below turns them into RespClient connections). */
export function bullConnection(t: RedisTarget): RedisOptions {
  return { host: t.host, port: t.port, db: t.db, ...(t.username ? { username: t.username } : {}), ...(t.password !== undefined ? { password: t.password } : {}) };
}

let installed = false;

/** Routes every BullMQ connection in this process through RespClient. */
export function installRespFactory(): void {
  if (installed) return;
  installed = true;
  RedisConnection.clientFactory = (o: RedisOptions) =>
    createBunRedisClient(
      new RespClient({
        ...(o.host ? { host: o.host } : {}),
        ...(o.port ? { port: o.port } : {}),
        ...(o.username ? { username: o.username } : {}),
        ...(o.password !== undefined ? { password: o.password } : {}),
        ...(o.db ? { db: o.db } : {}),
      }) as never,
    );
}

/**
 * Connects once, authenticates and pings: the start-up check of the server and
 * of `trellis worker`, so a wrong password stops them with a clear message
 * instead of BullMQ retrying forever.
 */
export async function checkRedis(t: RedisTarget): Promise<Result<{ version: string }, { kind: RedisConnectError["kind"]; message: string }>> {
  const c = new RespClient({ ...respOptions(t), connectTimeoutMs: 5000 });
  try {
    await c.connect();
    const info = String(await c.send("INFO", ["server"]));
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? "unknown";
    return ok({ version });
  } catch (e) {
    if (e instanceof RedisConnectError) return err({ kind: e.kind, message: `${e.message} (queue ${t.display})` });
    return err({ kind: "redis-error", message: `Redis at ${t.display}: ${(e as Error).message}` });
  } finally {
    c.close();
  }
}
