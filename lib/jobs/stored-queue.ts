// What every JobQueue shares: the SQLite job store is the record of which jobs
// exist, their logs and how they ended, and listeners hear each change. The
// queues differ only in where a queued job goes to run (`schedule`), how a
// cancel reaches it and what else a removed job leaves behind.

import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Db } from "../db";
import { JobListeners } from "./job-listeners";
import { jobDirIn, removable, retryable, type QueueResult } from "./job-rules";
import { JobStore } from "./store";
import type { EnqueueInput, Job, JobEvent, JobLogLine } from "./types";

export abstract class StoredJobQueue {
  readonly store: JobStore;
  private readonly listeners = new JobListeners();

  constructor(db: Db, private readonly dataDir: string) {
    this.store = new JobStore(db);
  }

  /** Hands a job that is now queued to whatever runs jobs. */
  protected abstract schedule(id: string): void;

  /** The first log line of a job: where it was queued. */
  protected queuedLine(kind: string): string {
    return `queued (${kind})`;
  }

  /** What a removed job leaves besides its row and its directory. */
  protected async removeMore(_id: string): Promise<void> {}

  jobDir(id: string): string {
    return jobDirIn(this.dataDir, id);
  }

  newJobId(): string {
    return randomUUID();
  }

  enqueue(input: EnqueueInput): Job {
    const id = input.id ?? this.newJobId();
    mkdirSync(this.jobDir(id), { recursive: true });
    const job = this.store.insert(id, input.kind, input.params);
    this.log(id, this.queuedLine(input.kind));
    this.emit({ type: "state", jobId: id, job });
    this.schedule(id);
    return job;
  }

  get(id: string): Job | undefined {
    return this.store.get(id);
  }

  list(opts: { limit?: number; kind?: string } = {}): Job[] {
    return this.store.list(opts.limit ?? 200, opts.kind);
  }

  logs(id: string, afterSeq = 0): JobLogLine[] {
    return this.store.logs(id, afterSeq);
  }

  retry(id: string, params?: Record<string, unknown>): QueueResult<Job> {
    const r = retryable(this.store.get(id), id);
    if (!r.ok) return r;
    this.log(id, `retry (attempt ${r.value.attempts + 1})${params ? ` with ${JSON.stringify(params)}` : ""}`);
    const j = this.store.requeue(id, params)!;
    this.emit({ type: "state", jobId: id, job: j });
    this.schedule(id);
    return { ok: true, value: j };
  }

  async remove(id: string): Promise<QueueResult<null>> {
    const r = removable(this.store.get(id), id);
    if (!r.ok) return r;
    this.store.delete(id);
    await rm(this.jobDir(id), { recursive: true, force: true });
    await this.removeMore(id);
    this.emit({ type: "removed", jobId: id });
    return { ok: true, value: null };
  }

  subscribe(id: string, listener: (e: JobEvent) => void): () => void {
    return this.listeners.subscribe(id, listener);
  }

  /** Ends a job in the store (a failure has logged its own line) and tells the listeners. */
  protected finishJob(id: string, state: "succeeded" | "failed" | "cancelled", o: Parameters<JobStore["finish"]>[2]): Job | undefined {
    if (state !== "failed") this.log(id, state);
    const job = this.store.finish(id, state, o);
    if (job) this.emit({ type: "state", jobId: id, job });
    return job;
  }

  protected log(id: string, line: string): void {
    const l = this.store.appendLog(id, line);
    this.emit({ type: "log", jobId: id, ...l });
  }

  protected emitState(id: string): void {
    const job = this.store.get(id);
    if (job) this.emit({ type: "state", jobId: id, job });
  }

  protected emit(e: JobEvent): void {
    this.listeners.emit(e);
  }
}
