// Disk use under TRELLIS_DATA_DIR: a quota for job files (uploads, outputs,
// reports) and uploaded components, and age-based clean-up of finished jobs
// (their directory, log lines and row). Uploads are refused with a typed
// `storage-full` error when they would not fit, after the oldest finished
// jobs have been cleared to make room. Uploaded components count too; one past
// the retention age goes only when no saved design uses it any more.
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { apiError, type ApiError } from "../server/errors";
import { TERMINAL_STATES, type Job, type JobQueue } from "../jobs/types";

export interface StoragePolicy {
  /** Most bytes for jobs/ and components/ together (TRELLIS_STORAGE_QUOTA). */
  quotaBytes: number;
  /** Finished jobs older than this are removed (TRELLIS_JOB_RETENTION_DAYS; 0 keeps them). */
  retentionMs: number;
}

export const DEFAULT_QUOTA_BYTES = 20 * 2 ** 30;
export const DEFAULT_RETENTION_DAYS = 14;
const DAY = 24 * 3600 * 1000;

export function storagePolicy(env: Readonly<Record<string, string | undefined>> = process.env): StoragePolicy {
  const q = Number(env.TRELLIS_STORAGE_QUOTA);
  const d = env.TRELLIS_JOB_RETENTION_DAYS === undefined ? DEFAULT_RETENTION_DAYS : Number(env.TRELLIS_JOB_RETENTION_DAYS);
  return {
    quotaBytes: Number.isFinite(q) && q > 0 ? q : DEFAULT_QUOTA_BYTES,
    retentionMs: Number.isFinite(d) && d > 0 ? d * DAY : 0,
  };
}

/** Bytes of the regular files under `dir` (symlinks not followed); 0 when it is missing. */
export async function dirBytes(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirBytes(p);
    else if (e.isFile()) total += await lstat(p).then((s) => s.size, () => 0);
  }
  return total;
}

export interface StorageUsage {
  usedBytes: number;
  jobsBytes: number;
  componentsBytes: number;
  quotaBytes: number;
  retentionDays: number;
  jobs: number;
}

export async function storageUsage(dataDir: string, queue: JobQueue, policy = storagePolicy()): Promise<StorageUsage> {
  const [jobsBytes, componentsBytes] = await Promise.all([dirBytes(join(dataDir, "jobs")), dirBytes(join(dataDir, "components"))]);
  return {
    usedBytes: jobsBytes + componentsBytes,
    jobsBytes,
    componentsBytes,
    quotaBytes: policy.quotaBytes,
    retentionDays: policy.retentionMs / DAY,
    jobs: allJobs(queue).length,
  };
}

function allJobs(queue: JobQueue): Job[] {
  return queue.list({ limit: Number.MAX_SAFE_INTEGER });
}

const finishedAt = (j: Job) => Date.parse(j.finishedAt ?? j.updatedAt);

export interface SweepResult {
  /** Finished jobs removed. */
  removed: string[];
  /** Uploaded components removed (past the retention age and used by no saved design). */
  removedComponents: string[];
  usage: StorageUsage;
}

/** The uploaded components and which of them saved designs still use (`upload:<id>` sources). */
export interface ComponentSweep {
  list(): { id: string; createdAt: string }[];
  remove(id: string): boolean;
  inUse(): Set<string>;
}

/**
 * Removes finished jobs past the retention age, then, while usage is over
 * `quota - reserveBytes`, the oldest finished jobs. Queued and running jobs are never touched.
 */
export async function sweep(
  dataDir: string,
  queue: JobQueue,
  policy = storagePolicy(),
  o: { now?: number; reserveBytes?: number; components?: ComponentSweep } = {},
): Promise<SweepResult> {
  const now = o.now ?? Date.now();
  const removed: string[] = [];
  const removedComponents: string[] = [];
  if (o.components && policy.retentionMs > 0) {
    // Read which ones are used after listing: a design saved meanwhile that uses an old upload keeps it.
    const old = o.components.list().filter((c) => now - Date.parse(c.createdAt) > policy.retentionMs);
    const used = old.length ? o.components.inUse() : new Set<string>();
    for (const c of old) if (!used.has(c.id) && o.components.remove(c.id)) removedComponents.push(c.id);
  }
  const finished = allJobs(queue)
    .filter((j) => TERMINAL_STATES.includes(j.state))
    .sort((a, b) => finishedAt(a) - finishedAt(b));
  const keep: Job[] = [];
  for (const j of finished) {
    if (policy.retentionMs > 0 && now - finishedAt(j) > policy.retentionMs) {
      if ((await queue.remove(j.id)).ok) removed.push(j.id);
    } else keep.push(j);
  }
  let usage = await storageUsage(dataDir, queue, policy);
  const budget = policy.quotaBytes - (o.reserveBytes ?? 0);
  for (const j of keep) {
    if (usage.usedBytes <= budget) break;
    const bytes = await dirBytes(queue.jobDir(j.id));
    if ((await queue.remove(j.id)).ok) {
      removed.push(j.id);
      usage = { ...usage, usedBytes: usage.usedBytes - bytes, jobsBytes: usage.jobsBytes - bytes, jobs: usage.jobs - 1 };
    }
  }
  return { removed, removedComponents, usage };
}

/**
 * Makes room for an upload of `bytes` (clearing old finished jobs if needed);
 * the room left, or a `storage-full` error when it cannot fit.
 */
export async function reserve(dataDir: string, queue: JobQueue, bytes: number, policy = storagePolicy()): Promise<{ ok: true; roomBytes: number } | { ok: false; error: ApiError }> {
  let usage = await storageUsage(dataDir, queue, policy);
  if (usage.usedBytes + bytes > policy.quotaBytes) usage = (await sweep(dataDir, queue, policy, { reserveBytes: bytes })).usage;
  const room = policy.quotaBytes - usage.usedBytes;
  if (bytes > room) {
    return {
      ok: false,
      error: apiError("storage-full", `the upload needs ${bytes} bytes but only ${Math.max(0, room)} of the storage quota (TRELLIS_STORAGE_QUOTA, ${policy.quotaBytes} bytes) are free`, {
        usedBytes: usage.usedBytes,
        quotaBytes: policy.quotaBytes,
      }),
    };
  }
  return { ok: true, roomBytes: room };
}

const g = globalThis as { __trellisSweeper?: NodeJS.Timeout };

/** Sweeps now and then every `everyMs` (default hourly), once per process. */
export function startSweeper(dataDir: string, queue: JobQueue, everyMs = 3600_000, components?: ComponentSweep): void {
  if (g.__trellisSweeper) return;
  const run = () =>
    void sweep(dataDir, queue, storagePolicy(), components ? { components } : {}).then(
      (r) => {
        if (r.removed.length) console.log(`trellis: storage clean-up removed ${r.removed.length} finished job(s)`);
        if (r.removedComponents.length) console.log(`trellis: storage clean-up removed ${r.removedComponents.length} unused uploaded component(s)`);
      },
      (e: unknown) => console.error("trellis: storage clean-up failed:", e),
    );
  run();
  g.__trellisSweeper = setInterval(run, everyMs);
  g.__trellisSweeper.unref();
}
