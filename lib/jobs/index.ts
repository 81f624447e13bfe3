// The process-wide job queue, started lazily by the first route handler that
// needs it. Kept on globalThis so dev-server module reloads reuse the running
// queue (and its workers) instead of starting a second one.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { dataDir, getDb } from "../db";
import { EmbeddedJobQueue } from "./embedded-queue";
import { parseQueueUrl } from "./redis/connection";
import type { JobQueue } from "./types";

export type { Job, JobEvent, JobLogLine, JobQueue, JobState, JobError, QueueError } from "./types";
export { TERMINAL_STATES } from "./types";

const g = globalThis as { __trellisJobQueue?: { db: unknown; queue: JobQueue } };

/** Where the worker entry lives: the source tree (run with tsx), not the bundle. */
export function workerEntry(): string {
  const fromEnv = process.env.TRELLIS_WORKER_ENTRY;
  if (fromEnv) return resolve(/*turbopackIgnore: true*/ fromEnv);
  return join(/*turbopackIgnore: true*/ process.cwd(), "lib", "jobs", "worker-main.ts");
}

/** Where remote workers reach this server: TRELLIS_URL, else the listen address. */
export function serverUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TRELLIS_URL) return env.TRELLIS_URL;
  const host = !env.TRELLIS_HOST || env.TRELLIS_HOST === "0.0.0.0" || env.TRELLIS_HOST === "::" ? "127.0.0.1" : env.TRELLIS_HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${env.PORT ?? 3000}`;
}

/**
 * Starts the process-wide queue. With TRELLIS_QUEUE it loads BullMQ and ioredis here, once at start-up
 * (instrumentation.ts), so a server with the embedded queue never loads them.
 */
export async function startJobQueue(): Promise<JobQueue> {
  const db = getDb();
  if (g.__trellisJobQueue?.db === db) return g.__trellisJobQueue.queue;
  // TRELLIS_QUEUE=redis://…: compile jobs go to workers on other machines (`trellis worker`).
  if (process.env.TRELLIS_QUEUE) {
    const target = parseQueueUrl(process.env.TRELLIS_QUEUE);
    if (!target.ok) throw new Error(`TRELLIS_QUEUE: ${target.error.message}`);
    const { RedisJobQueue } = await import("./redis-queue");
    const queue = new RedisJobQueue({ db, dataDir: dataDir(), target: target.value, serverUrl: serverUrl(), ...(process.env.TRELLIS_ARTIFACTS ? { artifacts: process.env.TRELLIS_ARTIFACTS } : {}) });
    g.__trellisJobQueue = { db, queue };
    return queue;
  }
  return getJobQueue();
}

export function getJobQueue(): JobQueue {
  const db = getDb();
  if (g.__trellisJobQueue?.db === db) return g.__trellisJobQueue.queue;
  if (process.env.TRELLIS_QUEUE) throw new Error("the Redis job queue is not started yet (instrumentation.ts starts it with the server)");
  const entry = workerEntry();
  if (!existsSync(entry)) throw new Error(`the job worker entry ${entry} is missing (set TRELLIS_WORKER_ENTRY or start the server from the project root)`);
  const queue = new EmbeddedJobQueue({ db, dataDir: dataDir(), workerEntry: entry });
  g.__trellisJobQueue = { db, queue };
  return queue;
}
