// The job model and the queue interface. The embedded queue (SQLite + forked
// worker processes) is the default; another backend (workers on other
// machines) implements the same JobQueue.

export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export const TERMINAL_STATES: readonly JobState[] = ["succeeded", "failed", "cancelled"];

export interface JobError {
  kind: string;
  message: string;
  path?: string;
  digest?: string;
  /** platform-not-found: what the image offers (retry with `{ platform }` to pick one). */
  platforms?: string[];
}

export interface Job {
  id: string;
  kind: string;
  state: JobState;
  /** Current stage while running (e.g. `layers`), last stage otherwise. */
  stage: string | null;
  /** 0–100 within the whole job. */
  percent: number;
  params: Record<string, unknown>;
  error: JobError | null;
  /** Failed jobs that may be retried (interrupted by a restart, crashed worker, transient errors). */
  retryable: boolean;
  /** Handler output (JSON), e.g. what the compile produced. */
  result: unknown;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobLogLine {
  seq: number;
  at: string;
  line: string;
}

/** What listeners receive (and what the SSE route forwards). */
export type JobEvent =
  | { type: "progress"; jobId: string; stage: string | null; percent: number; detail?: unknown }
  | { type: "log"; jobId: string; seq: number; at: string; line: string }
  | { type: "state"; jobId: string; job: Job }
  | { type: "removed"; jobId: string };

export type QueueErrorKind = "not-found" | "invalid-state" | "invalid-input";

export interface QueueError {
  kind: QueueErrorKind;
  message: string;
  jobId?: string;
}

export interface EnqueueInput {
  kind: string;
  params: Record<string, unknown>;
  /** Use a pre-made id (the upload route writes into the job directory first). */
  id?: string;
}

export interface JobQueue {
  /** Directory holding the job's files (upload, outputs). Created on demand. */
  jobDir(id: string): string;
  newJobId(): string;
  enqueue(input: EnqueueInput): Job;
  get(id: string): Job | undefined;
  list(opts?: { limit?: number; kind?: string }): Job[];
  /** Queued jobs are cancelled at once; running ones are asked to stop (then killed). */
  cancel(id: string): { ok: true; value: Job } | { ok: false; error: QueueError };
  /** Failed or cancelled jobs go back to the queue with the same id; `params` are merged into the job's (e.g. another platform). */
  retry(id: string, params?: Record<string, unknown>): { ok: true; value: Job } | { ok: false; error: QueueError };
  logs(id: string, afterSeq?: number): JobLogLine[];
  /** Deletes a finished (succeeded/failed/cancelled) job, its logs and its directory. */
  remove(id: string): Promise<{ ok: true; value: null } | { ok: false; error: QueueError }>;
  /** Live events for one job (or every job with `*`). Returns the unsubscribe function. */
  subscribe(id: string | "*", listener: (e: JobEvent) => void): () => void;
  close(): Promise<void>;
}
