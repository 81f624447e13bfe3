// `trellis worker`: takes compile jobs from the shared BullMQ queue and runs
// each in its own forked process (the handlers of lib/jobs/handlers.ts, as
// the embedded queue does). Input comes from the server's internal route
// (per-run token) or from a registry; what the job produced goes to the
// artifact store the payload names. Progress and log lines go back as BullMQ
// job progress, the outcome as the job's return value, in that order.
//
// Stopping: close() stops taking jobs and lets running ones finish;
// handBack() stops them and puts them back in the queue for another worker.
// A worker killed outright holds its jobs only until their BullMQ lock
// expires: another worker's stalled check puts them back and they run again.

import { createWriteStream, existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { QueueEvents, UnrecoverableError, WaitingError, Worker, type Job as BullJob } from "bullmq";
import { insecureFromEnv } from "../registry/client";
import { authFileCredentials } from "../registry/credentials";
import { parseArtifactStore, putRun } from "./artifact-store";
import { runInChild } from "./child-run";
import type { Redis } from "ioredis";
import { bullConnection, ensureRedis, openRedis, type RedisTarget } from "./redis/connection";
import { CANCEL_EVENT, cancelKey, isRemotePayload, REMOTE_QUEUE_NAME, type RemoteEvent, type RemoteJobPayload, type RemoteOutcome } from "./remote-protocol";

export interface RemoteWorkerOptions {
  target: RedisTarget;
  /** Jobs at once (each in its own process). */
  concurrency: number;
  /** Shown in job logs; default `<hostname>:<pid>`. */
  name?: string;
  /** Job directories live in `<workDir>/jobs/<id>/` while they run. */
  workDir: string;
  workerEntry: string;
  handlersModule?: string;
  /** BullMQ lock duration: how long a silent worker holds a job (default 30 s). */
  lockDurationMs?: number;
  /** How often this worker checks for other workers' stalled jobs (default 30 s). */
  stalledIntervalMs?: number;
  cancelGraceMs?: number;
  queueName?: string;
  onLog?: (line: string) => void;
}

interface Active {
  job: BullJob;
  token: string | undefined;
  abort: AbortController;
  handBack: boolean;
}

export class RemoteWorker {
  readonly name: string;
  private readonly active = new Map<string, Active>();
  private worker?: Worker;
  private events?: QueueEvents;
  private raw?: Redis;

  constructor(private readonly o: RemoteWorkerOptions) {
    this.name = o.name ?? `${hostname()}:${process.pid}`;
  }

  private say(line: string): void {
    this.o.onLog?.(line);
  }

  async start(): Promise<void> {
    await ensureRedis(this.o.target);
    this.raw = openRedis(this.o.target);
    this.raw.on("error", (e: Error) => this.say(`redis: ${e.message}`));
    await this.raw.connect();
    const name = this.o.queueName ?? REMOTE_QUEUE_NAME;
    // Cancels reach the worker running the job as a custom queue event.
    this.events = new QueueEvents(name, { connection: bullConnection(this.o.target) });
    this.events.on(CANCEL_EVENT as "error", ((args: { jobId?: string }) => {
      const a = args.jobId ? this.active.get(args.jobId) : undefined;
      if (a && !a.abort.signal.aborted) {
        this.say(`cancel of ${args.jobId} received`);
        a.abort.abort();
      }
    }) as never);
    this.events.on("error", (e) => this.say(`queue events: ${e.message}`));
    await this.events.waitUntilReady();
    this.worker = new Worker(name, (job, token) => this.process(job, token), {
      connection: bullConnection(this.o.target),
      concurrency: this.o.concurrency,
      lockDuration: this.o.lockDurationMs ?? 30_000,
      stalledInterval: this.o.stalledIntervalMs ?? 30_000,
      maxStalledCount: 1,
      autorun: false,
    });
    this.worker.on("error", (e) => this.say(`queue: ${e.message}`));
    void this.worker.run();
    await this.worker.waitUntilReady();
  }

  /** Jobs running now. */
  get running(): number {
    return this.active.size;
  }

  /** Stops taking jobs; running ones finish first. */
  async close(): Promise<void> {
    await this.worker?.close();
    await this.events?.close();
    this.raw?.disconnect();
  }

  /** Stops running jobs and puts them back in the queue (for another worker), then closes. */
  async handBack(): Promise<void> {
    for (const a of this.active.values()) {
      a.handBack = true;
      a.abort.abort();
    }
    await this.close();
  }

  private async process(job: BullJob, token: string | undefined): Promise<RemoteOutcome> {
    const p = job.data as unknown;
    if (!isRemotePayload(p)) throw new UnrecoverableError("not a Trellis compile job (unknown payload shape)");
    const a: Active = { job, token, abort: new AbortController(), handBack: false };
    this.active.set(p.runKey, a);
    // Progress and logs are sent in order, and all before the outcome.
    let sending = Promise.resolve();
    const send = (e: RemoteEvent) => {
      sending = sending.then(() => job.updateProgress(e as unknown as object)).catch(() => undefined);
    };
    const dir = join(this.o.workDir, "jobs", p.jobId);
    try {
      if ((await this.raw!.exists(cancelKey(p.runKey))) === 1) return { state: "cancelled", worker: this.name };
      this.say(`${p.runKey}: started`);
      send({ t: "log", line: `running on worker ${this.name}` });
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const outcome = await this.run(p, dir, a, send);
      if (a.handBack) {
        send({ t: "log", line: `worker ${this.name} is stopping: handed the job back to the queue` });
        await sending;
        await job.moveToWait(token);
        this.say(`${p.runKey}: handed back`);
        throw new WaitingError();
      }
      await sending;
      this.say(`${p.runKey}: ${outcome.state}`);
      return outcome;
    } finally {
      this.active.delete(p.runKey);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async run(p: RemoteJobPayload, dir: string, a: Active, send: (e: RemoteEvent) => void): Promise<RemoteOutcome> {
    // The server logs the failure when it applies the outcome.
    const failed = (kind: string, message: string, retryable: boolean): RemoteOutcome => ({ state: "failed", error: { kind, message }, retryable, worker: this.name });
    const store = parseArtifactStore(p.artifacts);
    if (!store.ok) return failed(store.error.kind, store.error.message, false);
    if (p.input.from === "server") {
      send({ t: "progress", stage: "fetch", percent: 0 });
      try {
        const res = await fetch(p.input.url, { headers: { "x-trellis-job-token": p.input.token }, signal: a.abort.signal });
        if (!res.ok || !res.body) return failed("input-unavailable", `the server answered ${res.status} for the job's image (${p.input.url})`, res.status >= 500);
        await pipeline(Readable.fromWeb(res.body as unknown as NodeWebReadableStream<Uint8Array>), createWriteStream(join(dir, p.input.file)));
      } catch (e) {
        if (a.abort.signal.aborted) return { state: "cancelled", worker: this.name };
        return failed("input-unavailable", `could not fetch the job's image from ${p.input.url}: ${(e as Error).message}`, true);
      }
      send({ t: "log", line: `fetched the image from the server (${p.input.bytes} bytes)` });
    }
    const r = await runInChild({
      workerEntry: this.o.workerEntry,
      ...(this.o.handlersModule ? { handlersModule: this.o.handlersModule } : {}),
      job: { id: p.jobId, kind: p.kind, params: p.params, dir, attempt: a.job.attemptsStarted || 1 },
      signal: a.abort.signal,
      ...(this.o.cancelGraceMs ? { cancelGraceMs: this.o.cancelGraceMs } : {}),
      onProgress: (stage, percent, detail) => send({ t: "progress", stage, percent, ...(detail !== undefined ? { detail } : {}) }),
      onLog: (line) => send({ t: "log", line }),
    });
    if (r.type === "cancelled") return { state: "cancelled", worker: this.name };
    if (r.type === "crashed") return failed("worker-crashed", r.message, true);
    // What the server takes back: the report, and on success the produced files.
    const files = existsSync(join(dir, "report.json")) ? ["report.json"] : [];
    if (r.type === "succeeded") files.push(...producedFiles(r.result));
    // A registry store: the worker machine's own credentials (REGISTRY_AUTH_FILE, docker config).
    const put = await putRun(store.value, p.jobId, dir, files, { credentials: authFileCredentials(), insecureRegistries: insecureFromEnv() });
    if (!put.ok) return failed(put.error.kind, put.error.message, true);
    if (r.type === "succeeded") return { state: "succeeded", result: r.result, worker: this.name, artifactRun: put.value, files };
    return { state: "failed", error: r.error, retryable: r.retryable, worker: this.name, artifactRun: put.value, files };
  }
}

/** The files a compile result names (relative to its job dir). */
export function producedFiles(result: unknown): string[] {
  const p = (result as { produced?: { file?: string; witFile?: string; native?: { extraFiles?: { file: string }[] } } } | null)?.produced;
  if (!p?.file) return [];
  return [p.file, ...(p.witFile ? [p.witFile] : []), ...(p.native?.extraFiles ?? []).map((x) => x.file)].filter((f) => !f.startsWith("/") && !f.split("/").includes(".."));
}
