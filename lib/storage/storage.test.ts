import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleImageUpload } from "../jobs/http";
import type { Job, JobQueue } from "../jobs/types";
import { ComponentStore } from "../components/store";
import { ingestWasm } from "../components/ingest";
import { componentFromWit } from "../components/test-wasm";
import { openDb } from "../db";
import { ProjectRepo } from "../projects/repo";
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

  it("removes uploaded components past the retention age that no saved design uses", async () => {
    const db = openDb(join(dir, "t.db"));
    try {
      const store = new ComponentStore(db, join(dir, "components"));
      const projects = new ProjectRepo(db);
      const w = await ingestWasm(await componentFromWit(), "greeter.wasm");
      if (!w.ok) throw new Error(w.error.message);
      const used = store.add("used.wasm", w.value);
      const unused = store.add("unused.wasm", w.value);
      const p = projects.create("uses one");
      if (!p.ok) throw new Error(p.error.message);
      const node = { id: "n", kind: "component", name: "n", position: { x: 0, y: 0 }, ports: [], config: { source: used.source, env: [], replicas: 1, exposedPorts: [] } };
      expect(projects.save(p.value.id, { ...p.value.doc, topology: { nodes: [node], links: [] } }, p.value.revision).ok).toBe(true);
      const components = { list: () => store.list(), remove: (id: string) => store.remove(id), inUse: () => projects.uploadsInUse() };
      const policy = { quotaBytes: 10 ** 9, retentionMs: 14 * DAY };
      // Young: both stay.
      expect((await sweep(dir, queue(), policy, { components, now: Date.now() + DAY })).removedComponents).toEqual([]);
      // Old: the one no design uses goes, file and row.
      const r = await sweep(dir, queue(), policy, { components, now: Date.now() + 15 * DAY });
      expect(r.removedComponents).toEqual([unused.id]);
      expect(store.list().map((c) => c.id)).toEqual([used.id]);
      expect(store.readWasm(unused.id)).toBeUndefined();
      expect(store.readWasm(used.id)).toBeDefined();
      // Retention 0 keeps everything.
      projects.delete(p.value.id);
      expect((await sweep(dir, queue(), { ...policy, retentionMs: 0 }, { components, now: Date.now() + 99 * DAY })).removedComponents).toEqual([]);
    } finally {
      db.close();
    }
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
