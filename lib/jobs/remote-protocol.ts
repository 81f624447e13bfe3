// The queue boundary between the server and `trellis worker` processes on
// other machines: what a BullMQ job carries, what a worker reports while it
// runs (through BullMQ job progress, which reaches the server as QueueEvents
// `progress` events), and what it returns. The server's SQLite store stays
// the source of truth for which jobs exist and how they ended; Redis only
// carries work and events.
//
// A payload holds no credentials. The worker fetches an uploaded image from
// the server with a per-job token (good for that job's input only, while the
// job is unfinished); a pull by reference uses the registry credentials the
// worker machine has (REGISTRY_AUTH_FILE / docker config), named here only by
// that reference.

import type { JobError } from "./types";
import { JOB_ID_RE } from "./job-rules";

/** BullMQ queue name of compile jobs. */
export const REMOTE_QUEUE_NAME = "trellis-compile";

/** Custom QueueEvents event a server publishes to stop a job wherever it runs. */
export const CANCEL_EVENT = "trellis-cancel";

/** Redis key that marks a run as cancelled (read by a worker before it starts the run). */
export const cancelKey = (runKey: string) => `trellis:cancel:${runKey}`;

export type RemoteInput =
  /** The upload, from the server's internal route (`GET <url>` with header `x-trellis-job-token`). */
  | { from: "server"; url: string; token: string; file: string; bytes: number }
  /** A pull by reference, done by the worker (the compile handler's own pull stage). */
  | { from: "registry"; reference: string; credentials: "worker" };

export interface RemoteJobPayload {
  v: 1;
  /** The server's job id (SQLite). */
  jobId: string;
  kind: string;
  /** BullMQ job id: `<jobId>.<nonce>`, one per enqueue (a retry gets a new one). */
  runKey: string;
  /** The job's params as the handler reads them (no credentials). */
  params: Record<string, unknown>;
  input: RemoteInput;
  /** Where the worker puts what the job produced: `file:///dir` or `oci://host[:port]/repository` (pushed with the worker's own registry credentials). */
  artifacts: string;
}

/** What a worker sends while running, as BullMQ job progress. */
export type RemoteEvent =
  | { t: "progress"; stage: string | null; percent: number; detail?: unknown }
  | { t: "log"; line: string };

/** What a run returns (its BullMQ return value). Failures of the job itself are outcomes, not BullMQ failures. */
export type RemoteOutcome =
  | { state: "succeeded"; result: unknown; worker: string; artifactRun: string; files: string[] }
  | { state: "failed"; error: JobError; retryable: boolean; worker: string; artifactRun?: string; files?: string[] }
  | { state: "cancelled"; worker: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const RUN_RE = /^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9]{1,32}$/;

/** The server's job id inside a run key, or null when the key is not one of ours. */
export function jobIdOfRun(runKey: string): string | null {
  return RUN_RE.test(runKey) ? runKey.slice(0, runKey.lastIndexOf(".")) : null;
}

export function isRemotePayload(v: unknown): v is RemoteJobPayload {
  if (!isObj(v) || v.v !== 1 || typeof v.jobId !== "string" || !JOB_ID_RE.test(v.jobId) || typeof v.kind !== "string") return false;
  if (typeof v.runKey !== "string" || jobIdOfRun(v.runKey) !== v.jobId || !isObj(v.params) || typeof v.artifacts !== "string") return false;
  const i = v.input;
  if (!isObj(i)) return false;
  if (i.from === "server") return typeof i.url === "string" && typeof i.token === "string" && typeof i.file === "string" && typeof i.bytes === "number";
  return i.from === "registry" && typeof i.reference === "string" && i.credentials === "worker";
}

export function isRemoteEvent(v: unknown): v is RemoteEvent {
  if (!isObj(v)) return false;
  if (v.t === "log") return typeof v.line === "string";
  return v.t === "progress" && (v.stage === null || typeof v.stage === "string") && typeof v.percent === "number";
}

export function isRemoteOutcome(v: unknown): v is RemoteOutcome {
  if (!isObj(v) || typeof v.worker !== "string") return false;
  if (v.state === "succeeded") return typeof v.artifactRun === "string" && Array.isArray(v.files);
  if (v.state === "failed") return isObj(v.error) && typeof v.error.kind === "string" && typeof v.error.message === "string";
  return v.state === "cancelled";
}
