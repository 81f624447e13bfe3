// The JobQueue for compile workers on other machines (TRELLIS_QUEUE=redis://…):
// jobs are dispatched as BullMQ jobs; `trellis worker` processes anywhere take
// them. The server's SQLite store stays the source of truth for which jobs
// exist and how they ended: a job's row names its current run (owner
// `bull:<runKey>`), and only events of that run change it. Progress, log
// lines and outcomes come back as QueueEvents; the last event applied is kept
// in the store, so a restarted server first replays what it missed from the
// events stream, then asks BullMQ about every unfinished job, and loses nothing.

import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Queue, QueueEvents, QueueEventsProducer } from "bullmq";
import type { Db } from "../db";
import { insecureFromEnv } from "../registry/client";
import { credentialStorePath, storedCredentials } from "../registry/credential-store";
import { authFileCredentials, firstOf } from "../registry/credentials";
import { parseArtifactStore, removeJobArtifacts, takeRun, type ArtifactStore } from "./artifact-store";
import { ownerLive } from "./embedded-queue";
import { queueSecret, runToken, tokenMatches } from "./job-token";
import type { Redis } from "ioredis";
import { bullConnection, ensureRedis, openRedis, type RedisTarget } from "./redis/connection";
import { CANCEL_EVENT, cancelKey, isRemoteEvent, isRemoteOutcome, jobIdOfRun, REMOTE_QUEUE_NAME, type RemoteInput, type RemoteJobPayload, type RemoteOutcome } from "./remote-protocol";
import type { JobStore } from "./store";
import { StoredJobQueue } from "./stored-queue";
import type { Job, JobQueue } from "./types";
import { cancellable, type QueueResult } from "./job-rules";

export interface RedisQueueOptions {
  db: Db;
  dataDir: string;
  target: RedisTarget;
  /** Where workers reach this server's internal input route, e.g. `http://10.0.0.5:3000`. */
  serverUrl: string;
  /** `file:///dir` or `oci://host[:port]/repository` (TRELLIS_ARTIFACTS); default `file://<dataDir>/artifacts`. */
  artifacts?: string;
  queueName?: string;
}

const OWNER = "bull:";
const CANCEL_TTL_S = 7 * 24 * 3600;

type Ok<T> = QueueResult<T>;

export class RedisJobQueue extends StoredJobQueue implements JobQueue {
  readonly artifacts: ArtifactStore;
  /** Resolves once the missed events are replayed and unfinished jobs reconciled; rejects when Redis cannot be used. */
  readonly ready: Promise<void>;
  private readonly name: string;
  private readonly secret: Buffer;
  private readonly queue: Queue;
  private readonly producer: QueueEventsProducer;
  private readonly raw: Redis;
  private events?: QueueEvents;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: RedisQueueOptions) {
    super(o.db, o.dataDir);
    this.name = o.queueName ?? REMOTE_QUEUE_NAME;
    this.secret = queueSecret(o.dataDir);
    const store = parseArtifactStore(o.artifacts ?? `file://${join(o.dataDir, "artifacts")}`);
    if (!store.ok) throw new Error(store.error.message);
    this.artifacts = store.value;
    if (this.artifacts.kind === "file") mkdirSync(this.artifacts.dir, { recursive: true });
    const connection = bullConnection(o.target);
    this.queue = new Queue(this.name, { connection });
    this.producer = new QueueEventsProducer(this.name, { connection });
    this.raw = openRedis(o.target);
    // One line per failure, not a stack per connection attempt.
    const onError = (e: Error) => console.error(`trellis: job queue ${o.target.display}: ${e.message}`);
    this.queue.on("error", onError);
    this.raw.on("error", onError);
    (this.producer as unknown as { on(ev: "error", f: (e: Error) => void): void }).on("error", onError);
    this.ready = this.start();
    this.ready.catch(() => undefined);
  }

  private get cursorKey(): string {
    return `redis-queue-cursor:${this.name}`;
  }

  private async start(): Promise<void> {
    // A wrong password or an unreachable Redis fails start-up with a typed error, once.
    await ensureRedis(this.o.target);
    await this.raw.connect();
    const streamKey = `bull:${this.name}:events`;
    // 1. Replay what happened while no server listened (in order, from the stored cursor).
    let cursor = this.store.getMeta(this.cursorKey);
    if (cursor) {
      const entries = (await this.raw.xrange(streamKey, `(${cursor}`, "+")) as [string, string[]][] | null;
      for (const [id, fields] of entries ?? []) {
        const args: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) args[fields[i]!] = fields[i + 1]!;
        const { event, ...rest } = args;
        const parsed: Record<string, unknown> = { ...rest };
        try {
          if (event === "progress" && rest.data) parsed.data = JSON.parse(rest.data);
          if (event === "completed" && rest.returnvalue) parsed.returnvalue = JSON.parse(rest.returnvalue);
        } catch {
          // an entry that is not ours: applied as is (and ignored by apply)
        }
        await this.apply(event ?? "", parsed);
        this.store.setMeta(this.cursorKey, id);
        cursor = id;
      }
    } else {
      const last = (await this.raw.xrevrange(streamKey, "+", "-", "COUNT", 1)) as [string, string[]][] | null;
      cursor = last?.[0]?.[0] ?? "0-0";
    }
    // 2. Ask BullMQ about every job the store has not seen finish.
    await this.reconcile();
    if (this.closed) return;
    // 3. Live events from where the replay ended.
    const events = new QueueEvents(this.name, { connection: bullConnection(this.o.target), lastEventId: cursor });
    this.events = events;
    events.on("error", (e) => console.error(`trellis: job queue events ${this.o.target.display}: ${e.message}`));
    for (const name of ["active", "progress", "completed", "failed", "stalled"] as const) {
      events.on(name, (args: unknown, id: string) => this.later(name, args as Record<string, unknown>, id));
    }
    await events.waitUntilReady();
  }

  /** Events are applied one at a time, in stream order; the cursor moves after each. */
  private later(event: string, args: Record<string, unknown>, id: string): void {
    this.chain = this.chain
      .then(() => this.apply(event, args))
      .then(() => this.store.setMeta(this.cursorKey, id))
      .catch((e: unknown) => console.error(`trellis: job queue event ${event}: ${(e as Error).message}`));
  }

  private async apply(event: string, args: Record<string, unknown>): Promise<void> {
    const runKey = String(args.jobId ?? "");
    const id = jobIdOfRun(runKey);
    if (!id) return;
    // Only the job's current run may change it (an older run of a retried job, or a finished job, is ignored).
    if (this.store.owner(id) !== OWNER + runKey) return;
    const job = this.store.get(id);
    if (!job || (job.state !== "queued" && job.state !== "running")) return;
    switch (event) {
      case "active": {
        const j = this.store.markStarted(id, OWNER + runKey);
        if (!j) return;
        this.log(id, `started on a worker (attempt ${j.attempts})`);
        this.emit({ type: "state", jobId: id, job: j });
        if (await this.cancelRequested(runKey)) await this.publishCancel(runKey);
        return;
      }
      case "progress": {
        const d = args.data;
        if (!isRemoteEvent(d)) return;
        if (d.t === "log") this.log(id, d.line);
        else {
          this.store.setProgress(id, d.stage, d.percent);
          this.emit({ type: "progress", jobId: id, stage: d.stage, percent: d.percent, ...(d.detail !== undefined ? { detail: d.detail } : {}) });
        }
        return;
      }
      case "stalled":
        this.log(id, "the worker running this job stopped answering (killed or cut off); the queue runs it again on another worker");
        return;
      case "completed": {
        const o = args.returnvalue;
        if (isRemoteOutcome(o)) await this.finishWith(id, o);
        else this.settle(id, "failed", { error: { kind: "worker-error", message: "a worker returned something that is not a Trellis job outcome" }, retryable: true });
        return;
      }
      case "failed":
        this.log(id, `failed: worker-failed: ${String(args.failedReason ?? "unknown reason")}`);
        this.settle(id, "failed", { error: { kind: "worker-failed", message: `the queue gave up on this job: ${String(args.failedReason ?? "unknown reason")}` }, retryable: true });
        return;
    }
  }

  private async finishWith(id: string, o: RemoteOutcome): Promise<void> {
    if (o.state === "cancelled") {
      this.settle(id, "cancelled", {});
      return;
    }
    if (o.artifactRun && o.files) {
      // Registry credentials: the ones set in the UI, then the server's auth files.
      const registry = { credentials: firstOf(storedCredentials(credentialStorePath(this.o.dataDir)), authFileCredentials()), insecureRegistries: insecureFromEnv() };
      const got = await takeRun(this.artifacts, id, o.artifactRun, o.files, this.jobDir(id), registry);
      if (!got.ok) {
        this.log(id, `failed: ${got.error.kind}: ${got.error.message}`);
        this.settle(id, "failed", { error: got.error, retryable: true });
        return;
      }
    }
    if (o.state === "succeeded") {
      this.settle(id, "succeeded", { result: o.result });
      return;
    }
    this.log(id, `failed: ${o.error.kind}: ${o.error.message}`);
    this.settle(id, "failed", { error: o.error, retryable: o.retryable });
  }

  /** After a restart: every unfinished job is checked against BullMQ. */
  private async reconcile(): Promise<void> {
    const now = Date.now();
    for (const id of this.store.recoverOrphans((owner, leaseUntil) => owner.startsWith(OWNER) || ownerLive(owner, leaseUntil, now))) this.emitState(id);
    for (const row of this.store.unfinished()) {
      if (!row.owner) {
        if (row.state === "queued") await this.dispatch(row.id);
        continue;
      }
      const runKey = row.owner.slice(OWNER.length);
      const bj = await this.queue.getJob(runKey);
      const state = bj ? await bj.getState() : "unknown";
      if (state === "completed") await this.apply("completed", { jobId: runKey, returnvalue: bj!.returnvalue });
      else if (state === "failed") await this.apply("failed", { jobId: runKey, failedReason: bj!.failedReason });
      else if (state === "active" && row.state === "queued") await this.apply("active", { jobId: runKey });
      else if (state === "unknown") {
        if (row.state === "queued") await this.dispatch(row.id);
        else this.settle(row.id, "failed", { error: { kind: "interrupted", message: "the queue no longer has this job (Redis lost it); retry it to run it again" }, retryable: true });
      }
    }
  }

  // --- JobQueue -------------------------------------------------------------

  protected override queuedLine(kind: string): string {
    return `queued (${kind}) on ${this.o.target.display}`;
  }

  protected schedule(id: string): void {
    void this.ready.then(
      () => this.dispatch(id),
      (e: unknown) => this.unavailable(id, e),
    );
  }

  protected override async removeMore(id: string): Promise<void> {
    await removeJobArtifacts(this.artifacts, id);
  }

  cancel(id: string): Ok<Job> {
    const c = cancellable(this.store.get(id), id);
    if (!c.ok) return c;
    const job = c.value;
    const owner = this.store.owner(id);
    const runKey = owner?.startsWith(OWNER) ? owner.slice(OWNER.length) : null;
    if (job.state === "queued") {
      this.log(id, "cancelled before it started");
      const j = this.settle(id, "cancelled", {})!;
      // A worker may have taken it a moment ago: the flag and the event reach it there.
      if (runKey) void this.stopRemote(runKey, true);
      return { ok: true, value: j };
    }
    this.log(id, "cancel requested");
    if (runKey) void this.stopRemote(runKey, false);
    return { ok: true, value: this.store.get(id)! };
  }

  /** Stops listening; jobs running on workers keep running (a restarted server picks them up). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ready.catch(() => undefined);
    await this.events?.close();
    await this.chain;
    await Promise.allSettled([this.producer.close(), this.queue.close()]);
    this.raw.disconnect();
  }

  // --- the internal input route ----------------------------------------------

  /** Whether `token` opens the input of job `id`'s current, unfinished run. */
  inputAllowed(id: string, token: string | null): boolean {
    if (!token) return false;
    const job = this.store.get(id);
    const owner = this.store.owner(id);
    if (!job || (job.state !== "queued" && job.state !== "running") || !owner?.startsWith(OWNER)) return false;
    return tokenMatches(this.secret, owner.slice(OWNER.length), token);
  }

  // -------------------------------------------------------------------------

  private inputOf(id: string, params: Record<string, unknown>, runKey: string): RemoteInput | null {
    if (typeof params.reference === "string") return { from: "registry", reference: params.reference, credentials: "worker" };
    if (typeof params.upload === "string" && existsSync(join(this.jobDir(id), params.upload))) {
      return { from: "server", url: `${this.o.serverUrl.replace(/\/$/, "")}/api/internal/jobs/${encodeURIComponent(id)}/input`, token: runToken(this.secret, runKey), file: params.upload, bytes: Number(params.bytes ?? 0) };
    }
    return null;
  }

  /** Hands a queued job to BullMQ under a new run key. */
  private async dispatch(id: string): Promise<void> {
    const job = this.store.get(id);
    if (!job || job.state !== "queued" || this.closed) return;
    const runKey = `${id}.${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    const input = this.inputOf(id, job.params, runKey);
    if (!input) {
      this.log(id, "failed: invalid-params: the job has neither an uploaded image nor an image reference");
      this.settle(id, "failed", { error: { kind: "invalid-params", message: "the job has neither an uploaded image nor an image reference" }, retryable: false });
      return;
    }
    this.store.setOwner(id, OWNER + runKey);
    const payload: RemoteJobPayload = { v: 1, jobId: id, kind: job.kind, runKey, params: job.params, input, artifacts: this.artifacts.url };
    try {
      // One run per enqueue: BullMQ retries nothing itself (a stalled run is re-run by its stalled check).
      await this.queue.add(job.kind, payload, { jobId: runKey, attempts: 1, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } });
    } catch (e) {
      this.unavailable(id, e);
    }
  }

  private unavailable(id: string, e: unknown): void {
    const job = this.store.get(id);
    if (!job || job.state !== "queued") return;
    const message = `the job queue ${this.o.target.display} is unavailable: ${(e as Error)?.message ?? String(e)}`;
    this.log(id, `failed: queue-unavailable: ${message}`);
    this.settle(id, "failed", { error: { kind: "queue-unavailable", message }, retryable: true });
  }

  private async cancelRequested(runKey: string): Promise<boolean> {
    return (await this.raw.exists(cancelKey(runKey))) === 1;
  }

  private async publishCancel(runKey: string): Promise<void> {
    await this.producer.publishEvent({ eventName: CANCEL_EVENT, jobId: runKey });
  }

  /** Flags the run as cancelled (read by a worker before it starts it) and tells every worker. */
  private async stopRemote(runKey: string, queued: boolean): Promise<void> {
    try {
      await this.ready;
      await this.raw.set(cancelKey(runKey), "1", "EX", CANCEL_TTL_S);
      if (queued) {
        const bj = await this.queue.getJob(runKey);
        try {
          await bj?.remove();
        } catch {
          // taken by a worker just now (locked): the cancel event below stops it there
        }
      }
      await this.publishCancel(runKey);
    } catch (e) {
      console.error(`trellis: could not pass the cancel of ${runKey} to the queue: ${(e as Error).message}`);
    }
  }

  private settle(id: string, state: "succeeded" | "failed" | "cancelled", o: Parameters<JobStore["finish"]>[2]): Job | undefined {
    return this.finishJob(id, state, o);
  }
}
