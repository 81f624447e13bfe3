// Messages between the queue (parent) and a worker process, over the
// child_process IPC channel. One worker process runs one job, then exits.

import type { JobError } from "./types";

export type ParentMessage =
  | {
      type: "run";
      job: { id: string; kind: string; params: Record<string, unknown>; dir: string; attempt: number };
    }
  /** Stop the running job as soon as possible (the handler's AbortSignal fires). */
  | { type: "cancel" };

export type WorkerMessage =
  | { type: "ready" }
  /** `detail`: what the stage wants the UI to show beyond a percent (a pull: per-layer bytes). */
  | { type: "progress"; stage: string | null; percent: number; detail?: unknown }
  | { type: "log"; line: string }
  | { type: "succeeded"; result: unknown }
  | { type: "failed"; error: JobError; retryable: boolean }
  | { type: "cancelled" };

/** What a job handler gets; handlers live in the worker process. */
export interface JobContext {
  id: string;
  dir: string;
  params: Record<string, unknown>;
  attempt: number;
  signal: AbortSignal;
  progress(stage: string | null, percent: number, detail?: unknown): void;
  log(line: string): void;
}

/** A handler returns its result (JSON) or throws; a thrown `{ kind, message }` becomes the job error. */
export type JobHandler = (ctx: JobContext) => Promise<unknown>;

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === "object" && m !== null && typeof (m as { type?: unknown }).type === "string";
}
