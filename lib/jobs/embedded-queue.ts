// The default JobQueue: jobs persisted in SQLite, each run in its own forked
// worker process (so a crashing or hung compile never takes the server down
// and cancellation can always end it), with bounded concurrency.

import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { availableParallelism, setPriority, uptime } from "node:os";
import type { Db } from "../db";
import { childEnv, eachLine } from "./child-run";
import { isWorkerMessage, type ParentMessage, type WorkerMessage } from "./protocol";
import type { JobStore } from "./store";
import { StoredJobQueue } from "./stored-queue";
import type { Job, JobQueue } from "./types";
import { cancellable, type QueueResult } from "./job-rules";

export interface EmbeddedQueueOptions {
  db: Db;
  /** Jobs live in `<dataDir>/jobs/<id>/`. */
  dataDir: string;
  /** Parallel workers; default one per two cores (at least one). */
  concurrency?: number;
  /** The worker entry (a .ts file run with `--import tsx`). */
  workerEntry: string;
  /** Module default-exporting the handlers (passed to workers as TRELLIS_JOB_HANDLERS). */
  handlersModule?: string;
  /** How long a cancelled running job may take to stop before it is killed. */
  cancelGraceMs?: number;
  /** Working directory for workers (so `--import tsx` resolves). */
  cwd?: string;
  /** How long a running job's lease lasts without a heartbeat (default 30 s; renewed every third of it). */
  leaseMs?: number;
}

interface Running {
  child: ChildProcess;
  cancelRequested: boolean;
  settled: boolean;
  killTimer?: NodeJS.Timeout;
}

// Queue instances alive in this process. A running job is owned by
// `<boot id>:<pid>:<uuid>` and leased: its owner renews the lease while it lives
// (the heartbeat). Another instance takes a job as orphaned when the lease has
// run out, or at once when the owner ran on this boot and its PID is gone. A
// live PID proves nothing (PIDs are reused, and differ across boots), so it
// never keeps a job whose lease expired.
const g = globalThis as { __trellisLiveQueues?: Set<string> };
const liveInstances = (g.__trellisLiveQueues ??= new Set<string>());

let boot: string | undefined;

/** This machine boot's id: Linux's boot_id, else the boot time (to 10 s). */
export function bootId(): string {
  if (boot !== undefined) return boot;
  try {
    boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    boot = `boot-${Math.round((Date.now() - uptime() * 1000) / 10_000)}`;
  }
  return boot;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether the owner of a running job may still be running it. */
export function ownerLive(owner: string, leaseUntil: number | null, now: number, thisBoot = bootId()): boolean {
  if (liveInstances.has(owner)) return true;
  if (leaseUntil === null || leaseUntil <= now) return false;
  const [ownerBoot, pid] = owner.split(":");
  if (ownerBoot === thisBoot && Number(pid) > 0 && !pidAlive(Number(pid))) return false;
  return true;
}

export const DEFAULT_LEASE_MS = 30_000;

export function defaultConcurrency(): number {
  const env = Number(process.env.TRELLIS_JOB_CONCURRENCY);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, Math.floor(availableParallelism() / 2));
}


export class EmbeddedJobQueue extends StoredJobQueue implements JobQueue {
  private readonly running = new Map<string, Running>();
  private readonly instance = `${bootId()}:${process.pid}:${randomUUID()}`;
  private readonly leaseMs: number;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly concurrency: number;
  private closed = false;
  private pumping = false;

  constructor(private readonly o: EmbeddedQueueOptions) {
    super(o.db, o.dataDir);
    this.concurrency = o.concurrency ?? defaultConcurrency();
    this.leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
    liveInstances.add(this.instance);
    this.recover();
    // The heartbeat: renew our leases, take over jobs whose owner's lease ran out.
    this.heartbeat = setInterval(() => {
      this.store.renewLeases(this.instance, Date.now() + this.leaseMs);
      this.recover();
      this.pump();
    }, Math.max(10, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
    queueMicrotask(() => this.pump());
  }

  private recover(): void {
    const now = Date.now();
    for (const id of this.store.recoverOrphans((owner, leaseUntil) => ownerLive(owner, leaseUntil, now))) this.emitState(id);
  }

  protected schedule(): void {
    queueMicrotask(() => this.pump());
  }

  cancel(id: string): QueueResult<Job> {
    const c = cancellable(this.store.get(id), id);
    if (!c.ok) return c;
    const job = c.value;
    if (job.state === "queued") {
      this.log(id, "cancelled before it started");
      const j = this.store.finish(id, "cancelled")!;
      this.emit({ type: "state", jobId: id, job: j });
      return { ok: true, value: j };
    }
    if (job.state === "running") {
      const r = this.running.get(id);
      if (!r) {
        // Running under another queue instance (another process): we cannot reach its worker.
        return { ok: false, error: { kind: "invalid-state", message: `job ${id} runs in another server process`, jobId: id } };
      }
      if (!r.cancelRequested) {
        r.cancelRequested = true;
        this.log(id, "cancel requested");
        this.sendTo(r.child, { type: "cancel" });
        r.killTimer = setTimeout(() => {
          if (!r.settled) {
            this.log(id, "the worker did not stop in time; killing it");
            r.child.kill("SIGKILL");
          }
        }, this.o.cancelGraceMs ?? 5000);
        r.killTimer.unref();
      }
    }
    return { ok: true, value: this.store.get(id)! };
  }

  /** Stops taking jobs and stops running workers; their jobs become failed-and-retryable. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    liveInstances.delete(this.instance);
    const exits = [...this.running.entries()].map(
      ([id, r]) =>
        new Promise<void>((resolve) => {
          if (!r.settled) {
            r.settled = true;
            this.log(id, "interrupted: the server is shutting down");
            this.finishJob(id, "failed", { error: { kind: "interrupted", message: "the server stopped while this job was running; retry it to run it again" }, retryable: true });
          }
          if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
          r.child.once("exit", () => resolve());
          r.child.kill("SIGKILL");
        }),
    );
    await Promise.all(exits);
  }

  // -------------------------------------------------------------------------

  private pump(): void {
    if (this.closed || this.pumping) return;
    this.pumping = true;
    try {
      while (this.running.size < this.concurrency) {
        const job = this.store.claimNext(this.instance, Date.now() + this.leaseMs);
        if (!job) break;
        this.start(job);
      }
    } finally {
      this.pumping = false;
    }
  }

  private start(job: Job): void {
    const dir = this.jobDir(job.id);
    mkdirSync(dir, { recursive: true });
    this.log(job.id, `started (attempt ${job.attempts})`);
    this.emit({ type: "state", jobId: job.id, job });
    const child = fork(this.o.workerEntry, [], {
      execArgv: ["--import", "tsx"],
      cwd: this.o.cwd ?? process.cwd(),
      env: childEnv(this.o.handlersModule),
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
    });
    try {
      // Compiles are batch work: let the web server win the CPU.
      if (child.pid) setPriority(child.pid, 10);
    } catch {
      // not permitted here; run at normal priority
    }
    const r: Running = { child, cancelRequested: false, settled: false };
    this.running.set(job.id, r);
    eachLine(child.stdout, (l) => this.log(job.id, l));
    eachLine(child.stderr, (l) => this.log(job.id, `stderr: ${l}`));
    child.on("message", (m) => {
      if (!isWorkerMessage(m) || r.settled) return;
      this.onWorkerMessage(job, r, m);
    });
    child.on("error", (e) => {
      if (r.settled) return;
      this.settle(job.id, r, "failed", { error: { kind: "worker-error", message: `could not run the worker: ${e.message}` }, retryable: true });
    });
    child.on("exit", (code, signal) => {
      if (!r.settled) {
        if (r.cancelRequested) this.settle(job.id, r, "cancelled", {});
        else this.settle(job.id, r, "failed", { error: { kind: "worker-crashed", message: `the worker exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`})` }, retryable: true });
      }
      if (r.killTimer) clearTimeout(r.killTimer);
      this.running.delete(job.id);
      this.pump();
    });
  }

  private onWorkerMessage(job: Job, r: Running, m: WorkerMessage): void {
    switch (m.type) {
      case "ready":
        this.sendTo(r.child, { type: "run", job: { id: job.id, kind: job.kind, params: job.params, dir: this.jobDir(job.id), attempt: job.attempts } });
        if (r.cancelRequested) this.sendTo(r.child, { type: "cancel" });
        break;
      case "progress":
        this.store.setProgress(job.id, m.stage, m.percent);
        this.emit({ type: "progress", jobId: job.id, stage: m.stage, percent: m.percent, ...(m.detail !== undefined ? { detail: m.detail } : {}) });
        break;
      case "log":
        this.log(job.id, m.line);
        break;
      case "succeeded":
        this.settle(job.id, r, "succeeded", { result: m.result });
        break;
      case "failed":
        this.log(job.id, `failed: ${m.error.kind}: ${m.error.message}`);
        this.settle(job.id, r, "failed", { error: m.error, retryable: m.retryable });
        break;
      case "cancelled":
        this.settle(job.id, r, "cancelled", {});
        break;
    }
  }

  private settle(id: string, r: Running, state: "succeeded" | "failed" | "cancelled", o: Parameters<JobStore["finish"]>[2]): void {
    r.settled = true;
    this.finishJob(id, state, o);
  }

  private sendTo(child: ChildProcess, m: ParentMessage): void {
    if (child.connected) child.send(m);
  }

}
