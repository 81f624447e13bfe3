import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb, type Db } from "../db";
import { bootId, EmbeddedJobQueue } from "./embedded-queue";
import type { Job, JobEvent, JobQueue } from "./types";

const here = import.meta.dirname;
const workerEntry = join(here, "worker-main.ts");
const handlersModule = join(here, "fixtures", "test-handlers.ts");

let dir: string;
let db: Db;
const queues: EmbeddedJobQueue[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "trellis-jobs-"));
  db = openDb(join(dir, "trellis.db"));
});
afterEach(async () => {
  for (const q of queues.splice(0)) await q.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function queue(opts: { concurrency?: number; cancelGraceMs?: number; db?: Db; leaseMs?: number } = {}): EmbeddedJobQueue {
  const q = new EmbeddedJobQueue({
    db: opts.db ?? db,
    dataDir: dir,
    workerEntry,
    handlersModule,
    concurrency: opts.concurrency ?? 1,
    cancelGraceMs: opts.cancelGraceMs ?? 5000,
    ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
  });
  queues.push(q);
  return q;
}

function until(q: JobQueue, id: string, pred: (j: Job) => boolean): Promise<Job> {
  return new Promise((resolve) => {
    const check = () => {
      const j = q.get(id);
      if (j && pred(j)) {
        off();
        resolve(j);
      }
    };
    const off = q.subscribe(id, check);
    check();
  });
}
const settled = (q: JobQueue, id: string) => until(q, id, (j) => ["succeeded", "failed", "cancelled"].includes(j.state));

describe("embedded job queue", () => {
  it("runs a job in a worker: progress, logs, result, files in its job dir", async () => {
    const q = queue();
    const events: JobEvent[] = [];
    q.subscribe("*", (e) => events.push(e));
    const job = q.enqueue({ kind: "steps", params: { steps: 3, tag: "x" } });
    expect(job.state).toBe("queued");
    const done = await settled(q, job.id);
    expect(done).toMatchObject({ state: "succeeded", percent: 100, result: { echoed: { steps: 3, tag: "x" }, attempt: 1 }, attempts: 1, error: null });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(readFileSync(join(q.jobDir(job.id), "out.txt"), "utf8")).toBe("done in attempt 1");
    const lines = q.logs(job.id).map((l) => l.line);
    expect(lines).toEqual(expect.arrayContaining(["step 1 of 3", "step 3 of 3", "succeeded"]));
    expect(q.logs(job.id, 2).every((l) => l.seq > 2)).toBe(true);
    expect(events.filter((e) => e.type === "progress").map((e) => (e as { stage: string }).stage)).toEqual(["step-1", "step-2", "step-3"]);
    expect(events.filter((e) => e.type === "state").map((e) => (e as { job: Job }).job.state)).toEqual(["queued", "running", "succeeded"]);
    expect(q.list().map((j) => j.id)).toContain(job.id);
  });

  it("records typed failures and worker crashes", async () => {
    const q = queue({ concurrency: 2 });
    const a = q.enqueue({ kind: "typedFailure", params: {} });
    const b = q.enqueue({ kind: "crash", params: {} });
    const c = q.enqueue({ kind: "no-such-kind", params: {} });
    expect(await settled(q, a.id)).toMatchObject({ state: "failed", retryable: false, error: { kind: "digest-mismatch", digest: "sha256:abc" } });
    expect(await settled(q, b.id)).toMatchObject({ state: "failed", retryable: true, error: { kind: "worker-crashed" } });
    expect(await settled(q, c.id)).toMatchObject({ state: "failed", error: { kind: "unknown-kind" } });
  });

  it("cancels queued and running jobs, and kills a worker that ignores cancellation", async () => {
    const q = queue({ concurrency: 1, cancelGraceMs: 300 });
    const slow = q.enqueue({ kind: "slow", params: {} });
    const waiting = q.enqueue({ kind: "steps", params: {} });
    await until(q, slow.id, (j) => j.stage === "waiting");
    const cq = q.cancel(waiting.id);
    expect(cq.ok && cq.value.state).toBe("cancelled");
    expect(q.cancel(slow.id).ok).toBe(true);
    expect(await settled(q, slow.id)).toMatchObject({ state: "cancelled" });
    const stubborn = q.enqueue({ kind: "stubborn", params: {} });
    await until(q, stubborn.id, (j) => j.stage === "stubborn");
    q.cancel(stubborn.id);
    expect(await settled(q, stubborn.id)).toMatchObject({ state: "cancelled" });
    expect(q.logs(stubborn.id).map((l) => l.line)).toContain("the worker did not stop in time; killing it");
    expect(q.cancel(stubborn.id)).toMatchObject({ ok: false, error: { kind: "invalid-state" } });
    expect(q.cancel("missing")).toMatchObject({ ok: false, error: { kind: "not-found" } });
    // A cancelled job can be retried.
    const r = q.retry(waiting.id);
    expect(r.ok && r.value.state).toBe("queued");
    expect(await settled(q, waiting.id)).toMatchObject({ state: "succeeded" });
  });

  it("never runs more jobs at once than its concurrency", async () => {
    const q = queue({ concurrency: 2 });
    let running = 0, peak = 0;
    const seen = new Map<string, string>();
    q.subscribe("*", (e) => {
      if (e.type !== "state") return;
      const prev = seen.get(e.jobId);
      seen.set(e.jobId, e.job.state);
      if (e.job.state === "running" && prev !== "running") running++;
      if (prev === "running" && e.job.state !== "running") running--;
      peak = Math.max(peak, running);
    });
    const ids = Array.from({ length: 4 }, () => q.enqueue({ kind: "slow", params: { ms: 300 } }).id);
    for (const id of ids) expect(await settled(q, id)).toMatchObject({ state: "succeeded" });
    expect(peak).toBe(2);
  });

  it("after a shutdown and restart, interrupted jobs are failed-and-retryable and queued jobs still run", async () => {
    const a = queue({ concurrency: 1 });
    const running = a.enqueue({ kind: "slow", params: { ms: 200 } });
    const queued = a.enqueue({ kind: "steps", params: { steps: 1 } });
    await until(a, running.id, (j) => j.stage === "waiting");
    await a.close(); // the server shuts down while the job runs
    const b = queue({ concurrency: 1 });
    expect(b.get(running.id)).toMatchObject({ state: "failed", retryable: true, error: { kind: "interrupted" } });
    expect(await settled(b, queued.id)).toMatchObject({ state: "succeeded" });
    expect(b.retry(running.id).ok).toBe(true);
    expect(await settled(b, running.id)).toMatchObject({ state: "succeeded", attempts: 2, result: { finished: true } });
    expect(b.retry(running.id)).toMatchObject({ ok: false, error: { kind: "invalid-state" } });
  });

  it("recovers from a server process killed with SIGKILL", async () => {
    const host = fork(join(here, "fixtures", "queue-host.ts"), [], {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, TRELLIS_DATA_DIR: dir },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    await new Promise<void>((resolve, reject) => {
      host.once("message", () => resolve());
      host.once("exit", (c) => reject(new Error(`host exited early (${c})`)));
    });
    host.removeAllListeners("exit");
    const exited = new Promise((r) => host.once("exit", r));
    host.kill("SIGKILL");
    await exited;
    const q = queue({ concurrency: 1 });
    expect(q.get("host-running")).toMatchObject({ state: "failed", retryable: true, error: { kind: "interrupted" } });
    expect(await settled(q, "host-queued")).toMatchObject({ state: "succeeded" });
  });
});

describe("job leases", () => {
  const running = (id: string, owner: string, leaseUntil: number | null) => {
    const t = new Date().toISOString();
    db.prepare("INSERT INTO jobs (id, kind, state, params, owner, lease_until, attempts, created_at, updated_at, started_at) VALUES (?, 'slow', 'running', '{}', ?, ?, 1, ?, ?, ?)").run(id, owner, leaseUntil, t, t, t);
  };

  it("recovers a running job whose owner's PID now belongs to another live process (PID reuse)", () => {
    // process.ppid is alive (the test runner); liveness of that PID used to keep these jobs "running" forever.
    running("reused-old-format", `${process.ppid}:gone-instance`, null);
    running("reused-expired", `${bootId()}:${process.ppid}:gone-instance`, Date.now() - 1);
    const q = queue();
    expect(q.get("reused-old-format")).toMatchObject({ state: "failed", retryable: true, error: { kind: "interrupted" } });
    expect(q.get("reused-expired")).toMatchObject({ state: "failed", retryable: true, error: { kind: "interrupted" } });
  });

  it("leaves a job alone while its owner's lease holds, and takes it over once the lease runs out", async () => {
    running("leased", `another-boot:${process.ppid}:other-server`, Date.now() + 700);
    const q = queue({ leaseMs: 150 });
    expect(q.get("leased")!.state).toBe("running");
    expect(await until(q, "leased", (j) => j.state === "failed")).toMatchObject({ retryable: true, error: { kind: "interrupted" } });
  });

  it("a job whose owner ran on this boot and whose PID is gone is recovered at once", () => {
    running("dead-pid", `${bootId()}:2147483646:crashed`, Date.now() + 60_000);
    expect(queue().get("dead-pid")!.state).toBe("failed");
  });

  it("the owner renews its leases while the job runs (the heartbeat)", async () => {
    const q = queue({ leaseMs: 200 });
    const job = q.enqueue({ kind: "slow", params: {} });
    await until(q, job.id, (j) => j.state === "running");
    const lease = () => (db.prepare("SELECT lease_until FROM jobs WHERE id = ?").get(job.id) as { lease_until: number }).lease_until;
    const first = lease();
    await new Promise((r) => setTimeout(r, 500));
    expect(lease()).toBeGreaterThan(first);
    expect(lease()).toBeGreaterThan(Date.now());
    expect(q.get(job.id)!.state).toBe("running");
    expect(q.cancel(job.id).ok).toBe(true);
    await until(q, job.id, (j) => j.state === "cancelled");
  });
});

describe("compile job limits", () => {
  it("come from the environment", async () => {
    const { limitsFromEnv } = await import("./handlers");
    expect(limitsFromEnv({ TRELLIS_IMAGE_MAX_BYTES: "1000", TRELLIS_IMAGE_MAX_ENTRIES: "5", TRELLIS_IMAGE_MAX_RATIO: "50" })).toEqual({ maxUnpackedBytes: 1000, maxEntries: 5, maxCompressionRatio: 50 });
    expect(limitsFromEnv({ TRELLIS_IMAGE_MAX_BYTES: "lots" })).toEqual({});
  });
});
