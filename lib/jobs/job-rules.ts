// What both job queues (embedded and Redis) agree on about a job, whatever
// runs it: valid ids and their directories, and which states allow cancel,
// retry and remove. One place, so the two queues cannot drift apart.
import { join } from "node:path";
import type { Job, QueueError } from "./types";

export const JOB_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export type QueueResult<T> = { ok: true; value: T } | { ok: false; error: QueueError };

export function jobDirIn(dataDir: string, id: string): string {
  if (!JOB_ID_RE.test(id)) throw new Error(`invalid job id ${JSON.stringify(id)}`);
  return join(dataDir, "jobs", id);
}

const fail = (kind: QueueError["kind"], message: string, jobId: string): { ok: false; error: QueueError } => ({ ok: false, error: { kind, message, jobId } });

export function found(job: Job | undefined, id: string): QueueResult<Job> {
  return job ? { ok: true, value: job } : fail("not-found", `no job ${id}`, id);
}

/** Only a queued or running job can be cancelled. */
export function cancellable(job: Job | undefined, id: string): QueueResult<Job> {
  const f = found(job, id);
  if (!f.ok || f.value.state === "queued" || f.value.state === "running") return f;
  return fail("invalid-state", `job ${id} is already ${f.value.state}`, id);
}

/** Only a failed or cancelled job can run again. */
export function retryable(job: Job | undefined, id: string): QueueResult<Job> {
  const f = found(job, id);
  if (!f.ok || f.value.state === "failed" || f.value.state === "cancelled") return f;
  return fail("invalid-state", `only failed or cancelled jobs can be retried; job ${id} is ${f.value.state}`, id);
}

/** A job is removed only when nothing runs it. */
export function removable(job: Job | undefined, id: string): QueueResult<Job> {
  const f = found(job, id);
  if (!f.ok || (f.value.state !== "queued" && f.value.state !== "running")) return f;
  return fail("invalid-state", `job ${id} is ${f.value.state}; cancel it first`, id);
}
