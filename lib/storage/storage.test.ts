import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleImageUpload } from "../jobs/http";
import type { Job, JobQueue } from "../jobs/types";
import { dirBytes, reserve, storagePolicy, storageUsage, sweep } from "./storage";

const DAY = 24 * 3600 * 1000;
let dir: string;
let jobs: Map<string, Job>;

/** The parts of a JobQueue storage uses, over real directories. */
function queue(): JobQueue {
  return {
    jobDir: (id: string) => join(dir, "jobs", id),
    list: () => [...jobs.values()],
    get: (id: string) => jobs.get(id),
    newJobId: () => `j${jobs.size + 1}`,
    enqueue: (i: { id: string }) => {
      const j = { id: i.id, state: "queued", finishedAt: null, updatedAt: new Date().toISOString() } as unknown as Job;
      jobs.set(i.id, j);
      return j;
    },
    remove: async (id: string) => {
      const j = jobs.get(id);
      if (!j || j.state === "queued" || j.state === "running") return { ok: false, error: { kind: "invalid-state", message: "busy", jobId: id } };
      jobs.delete(id);
      rmSync(join(dir, "jobs", id), { recursive: true, force: true });
      return { ok: true, value: null };
    },
  } as unknown as JobQueue;
}

function job(id: string, state: Job["state"], ageDays: number, bytes: number) {
  const at = new Date(Date.now() - ageDays * DAY).toISOString();
  jobs.set(id, { id, state, finishedAt: state === "running" || state === "queued" ? null : at, updatedAt: at } as unknown as Job);
  mkdirSync(join(dir, "jobs", id), { recursive: true });
  writeFileSync(join(dir, "jobs", id, "upload.tar"), Buffer.alloc(bytes));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "trellis-storage-"));
  jobs = new Map();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("storage", () => {
  it("reads its settings", () => {
    expect(storagePolicy({ TRELLIS_STORAGE_QUOTA: "1000", TRELLIS_JOB_RETENTION_DAYS: "2" })).toEqual({ quotaBytes: 1000, retentionMs: 2 * DAY });
    expect(storagePolicy({ TRELLIS_JOB_RETENTION_DAYS: "0" }).retentionMs).toBe(0);
    expect(storagePolicy({}).quotaBytes).toBeGreaterThan(2 ** 30);
  });

  it("counts job files and components", async () => {
    job("a", "succeeded", 0, 300);
    mkdirSync(join(dir, "components"));
    writeFileSync(join(dir, "components", "c.wasm"), Buffer.alloc(50));
    expect(await dirBytes(join(dir, "nope"))).toBe(0);
    expect(await storageUsage(dir, queue(), { quotaBytes: 1000, retentionMs: 0 })).toMatchObject({ usedBytes: 350, jobsBytes: 300, componentsBytes: 50, jobs: 1 });
  });

  it("removes finished jobs past the retention age, never running ones", async () => {
    job("old", "failed", 20, 10);
    job("oldRunning", "running", 20, 10);
    job("new", "succeeded", 1, 10);
    const r = await sweep(dir, queue(), { quotaBytes: 10_000, retentionMs: 14 * DAY });
    expect(r.removed).toEqual(["old"]);
    expect(existsSync(join(dir, "jobs", "old"))).toBe(false);
    expect([...jobs.keys()].sort()).toEqual(["new", "oldRunning"]);
  });

  it("over the quota, clears the oldest finished jobs first to make room, else refuses with storage-full", async () => {
    job("j1", "succeeded", 3, 400);
    job("j2", "cancelled", 2, 400);
    job("busy", "running", 5, 400);
    const policy = { quotaBytes: 1500, retentionMs: 0 };
    const fits = await reserve(dir, queue(), 500, policy);
    expect(fits.ok).toBe(true);
    expect([...jobs.keys()].sort()).toEqual(["busy", "j2"]);
    const full = await reserve(dir, queue(), 2000, policy);
    expect(full.ok ? "fit" : full.error.kind).toBe("storage-full");
  });

  it("an image upload that does not fit is refused (507) and leaves nothing behind", async () => {
    job("busy", "running", 0, 900);
    const q = queue();
    const policy = { quotaBytes: 1000, retentionMs: 0 };
    const req = (n: number, declared: boolean) =>
      new Request("http://127.0.0.1/api/images", { method: "POST", body: Buffer.alloc(n), headers: declared ? { "content-length": String(n) } : {}, duplex: "half" } as RequestInit);
    const declared = await handleImageUpload(req(500, true), q, 10_000, (n) => reserve(dir, q, n, policy));
    expect([declared.status, ((await declared.json()) as { error: { kind: string } }).error.kind]).toEqual([507, "storage-full"]);
    const streamed = await handleImageUpload(req(500, false), q, 10_000, (n) => reserve(dir, q, n, policy));
    expect(streamed.status).toBe(507);
    expect([...jobs.keys()]).toEqual(["busy"]);
    expect(await dirBytes(join(dir, "jobs"))).toBe(900);
    expect((await handleImageUpload(req(50, true), q, 10_000, (n) => reserve(dir, q, n, policy))).status).toBe(202);
  });
});
