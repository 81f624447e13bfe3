// Persistence for jobs and their log lines in the embedded SQLite store.
// Only the queue (parent process) writes here; workers report over IPC.

import type { Db } from "../db";
import type { Job, JobError, JobLogLine, JobState } from "./types";

interface Row {
  id: string;
  kind: string;
  state: JobState;
  stage: string | null;
  percent: number;
  params: string;
  error: string | null;
  retryable: number;
  result: string | null;
  attempts: number;
  owner: string | null;
  lease_until: number | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const now = () => new Date().toISOString();

function toJob(r: Row): Job {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    stage: r.stage,
    percent: r.percent,
    params: JSON.parse(r.params) as Record<string, unknown>,
    error: r.error ? (JSON.parse(r.error) as JobError) : null,
    retryable: r.retryable === 1,
    result: r.result ? (JSON.parse(r.result) as unknown) : null,
    attempts: r.attempts,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export class JobStore {
  constructor(private readonly db: Db) {}

  /**
   * Log lines and progress are many small commits; they skip the fsync that
   * synchronous=FULL (the store's setting, for designs) costs per commit
   * (~7–11 ms measured here). In WAL mode the store stays consistent; a power
   * loss may drop the last few of them, and the next FULL commit makes them durable.
   */
  private relaxed<T>(fn: () => T): T {
    this.db.pragma("synchronous = NORMAL");
    try {
      return fn();
    } finally {
      this.db.pragma("synchronous = FULL");
    }
  }

  insert(id: string, kind: string, params: Record<string, unknown>): Job {
    const t = now();
    this.db
      .prepare("INSERT INTO jobs (id, kind, state, params, created_at, updated_at) VALUES (?, ?, 'queued', ?, ?, ?)")
      .run(id, kind, JSON.stringify(params), t, t);
    return this.get(id)!;
  }

  get(id: string): Job | undefined {
    const r = this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as Row | undefined;
    return r ? toJob(r) : undefined;
  }

  owner(id: string): string | null {
    const r = this.db.prepare("SELECT owner FROM jobs WHERE id = ?").get(id) as { owner: string | null } | undefined;
    return r?.owner ?? null;
  }

  list(limit = 200, kind?: string): Job[] {
    const rows = kind
      ? (this.db.prepare("SELECT * FROM jobs WHERE kind = ? ORDER BY created_at DESC, rowid DESC LIMIT ?").all(kind, limit) as Row[])
      : (this.db.prepare("SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?").all(limit) as Row[]);
    return rows.map(toJob);
  }

  /** Atomically moves the oldest queued job to running, owned by `owner` with a lease until `leaseUntil` (ms). */
  claimNext(owner: string, leaseUntil: number): Job | undefined {
    return this.db.transaction(() => {
      const r = this.db.prepare("SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, rowid LIMIT 1").get() as { id: string } | undefined;
      if (!r) return undefined;
      const t = now();
      const changed = this.db
        .prepare("UPDATE jobs SET state = 'running', owner = ?, lease_until = ?, attempts = attempts + 1, stage = NULL, percent = 0, started_at = ?, updated_at = ? WHERE id = ? AND state = 'queued'")
        .run(owner, leaseUntil, t, t, r.id).changes;
      return changed === 1 ? this.get(r.id) : undefined;
    })();
  }

  setProgress(id: string, stage: string | null, percent: number): void {
    this.relaxed(() => this.db.prepare("UPDATE jobs SET stage = ?, percent = ?, updated_at = ? WHERE id = ? AND state = 'running'").run(stage, percent, now(), id));
  }

  finish(id: string, state: "succeeded" | "failed" | "cancelled", o: { error?: JobError; retryable?: boolean; result?: unknown } = {}): Job | undefined {
    const t = now();
    this.db
      .prepare("UPDATE jobs SET state = ?, error = ?, retryable = ?, result = ?, owner = NULL, lease_until = NULL, percent = CASE WHEN ? = 'succeeded' THEN 100 ELSE percent END, finished_at = ?, updated_at = ? WHERE id = ?")
      .run(state, o.error ? JSON.stringify(o.error) : null, o.retryable ? 1 : 0, o.result === undefined ? null : JSON.stringify(o.result), state, t, t, id);
    return this.get(id);
  }

  requeue(id: string, params?: Record<string, unknown>): Job | undefined {
    const merged = params ? JSON.stringify({ ...this.get(id)!.params, ...params }) : null;
    this.db
      .prepare("UPDATE jobs SET state = 'queued', params = COALESCE(?, params), error = NULL, retryable = 0, result = NULL, stage = NULL, percent = 0, owner = NULL, lease_until = NULL, started_at = NULL, finished_at = NULL, updated_at = ? WHERE id = ?")
      .run(merged, now(), id);
    return this.get(id);
  }

  delete(id: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM job_logs WHERE job_id = ?").run(id);
      this.db.prepare("DELETE FROM jobs WHERE id = ?").run(id);
    })();
  }

  appendLog(id: string, line: string): JobLogLine {
    const at = now();
    const seq = ((this.db.prepare("SELECT MAX(seq) AS m FROM job_logs WHERE job_id = ?").get(id) as { m: number | null }).m ?? 0) + 1;
    this.relaxed(() => this.db.prepare("INSERT INTO job_logs (job_id, seq, at, line) VALUES (?, ?, ?, ?)").run(id, seq, at, line));
    return { seq, at, line };
  }

  logs(id: string, afterSeq = 0): JobLogLine[] {
    return this.db.prepare("SELECT seq, at, line FROM job_logs WHERE job_id = ? AND seq > ? ORDER BY seq").all(id, afterSeq) as JobLogLine[];
  }

  /** A queued job handed to another queue (the run key of a remote worker queue); events are matched against it. */
  setOwner(id: string, owner: string): void {
    this.db.prepare("UPDATE jobs SET owner = ?, lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'queued'").run(owner, now(), id);
  }

  /** A remote worker started (or, after a stalled worker, restarted) the job's run `owner`. */
  markStarted(id: string, owner: string): Job | undefined {
    const t = now();
    const changed = this.db
      .prepare("UPDATE jobs SET state = 'running', attempts = attempts + 1, stage = NULL, percent = 0, started_at = ?, updated_at = ? WHERE id = ? AND owner = ? AND state IN ('queued', 'running')")
      .run(t, t, id, owner).changes;
    return changed === 1 ? this.get(id) : undefined;
  }

  /** Jobs not finished yet, oldest first, with their owner. */
  unfinished(): { id: string; state: "queued" | "running"; owner: string | null }[] {
    return this.db.prepare("SELECT id, state, owner FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_at, rowid").all() as { id: string; state: "queued" | "running"; owner: string | null }[];
  }

  getMeta(key: string): string | null {
    const r = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return r?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.relaxed(() => this.db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value));
  }

  /** Extends the lease of every job `owner` runs (its heartbeat). */
  renewLeases(owner: string, leaseUntil: number): number {
    return this.relaxed(() => this.db.prepare("UPDATE jobs SET lease_until = ? WHERE owner = ? AND state = 'running'").run(leaseUntil, owner).changes);
  }

  /** Running jobs whose owner is gone become failed-and-retryable. Returns their ids. */
  recoverOrphans(isLive: (owner: string, leaseUntil: number | null) => boolean): string[] {
    const rows = this.db.prepare("SELECT id, owner, lease_until FROM jobs WHERE state = 'running'").all() as { id: string; owner: string | null; lease_until: number | null }[];
    const orphans = rows.filter((r) => !r.owner || !isLive(r.owner, r.lease_until)).map((r) => r.id);
    for (const id of orphans) {
      this.finish(id, "failed", {
        error: { kind: "interrupted", message: "the server stopped while this job was running; retry it to run it again" },
        retryable: true,
      });
      this.appendLog(id, "interrupted: the server stopped while this job was running");
    }
    return orphans;
  }
}
