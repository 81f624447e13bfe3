// Compile workers on other machines, with the real parts: Debian's
// redis-server (password set) on a free loopback port, the server's
// RedisJobQueue over its own SQLite store, the internal input route served
// over HTTP, and `trellis worker` processes that compile a small busybox
// image. Jobs wait at a test gate (lib/jobs/fixtures/gated-handlers.ts) when
// a test needs one mid-run; every wait polls state, none sleeps a guess.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "../db";
import { makeDockerSave, makeTar, tarLayer } from "../image/test-images";
import { haveHostTools } from "../testing/host-tools";
import { freePort } from "../testing/free-port";
import { defaultCorePath, runNativeArtifact } from "../compile/native-artifact";
import { startRegistry, type TestRegistry } from "../registry/test-registry";
import { listRuns } from "./artifact-store";
import { parseQueueUrl } from "./redis/connection";
import { REDIS_SERVER, startRedis, type TestRedis } from "./redis/test-redis";
import { RedisJobQueue } from "./redis-queue";
import { serveInputRoute } from "./remote-input-http";

const root = join(import.meta.dirname, "..", "..");
const haveTools = haveHostTools({ files: [REDIS_SERVER, "/bin/busybox", defaultCorePath()], commands: ["docker-registry", "skopeo", "htpasswd", "redis-cli"] }, "the remote worker suite");

let redis: TestRedis;
let dir: string;
let db: Db;
let q: RedisJobQueue;
let http: Server;
let port: number;
let image: Buffer;
let registry: TestRegistry;
let authFile: string;
const workers = new Map<string, ChildProcess>();
const workerLogs = new Map<string, string>();

function newQueue(artifacts = `file://${join(dir, "artifacts")}`): RedisJobQueue {
  const t = parseQueueUrl(redis.url);
  if (!t.ok) throw new Error(t.error.message);
  return new RedisJobQueue({ db, dataDir: join(dir, "data"), target: t.value, serverUrl: `http://127.0.0.1:${port}`, artifacts });
}

const cli = (args: string[], env: Record<string, string> = {}) =>
  spawn(process.execPath, [join(root, "bin", "trellis.mjs"), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });

function startWorker(name: string): ChildProcess {
  const w = cli(["worker", "--queue", redis.url, "--name", name, "--concurrency", "1", "--lock-duration", "4000", "--stalled-interval", "1000", "--work-dir", join(dir, `work-${name}`)], {
    TRELLIS_JOB_HANDLERS: join(import.meta.dirname, "fixtures", "gated-handlers.ts"),
    // The worker machine's own registry credentials (a payload never carries any).
    REGISTRY_AUTH_FILE: authFile,
  });
  workerLogs.set(name, "");
  w.stderr!.on("data", (c: Buffer) => workerLogs.set(name, workerLogs.get(name)! + c.toString()));
  workers.set(name, w);
  return w;
}

/** Polls until `pred` holds (generous deadline: the machine may be loaded). */
async function until<T>(what: string, f: () => T | undefined | false, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; worker logs:\n${[...workerLogs].map(([n, l]) => `[${n}]\n${l}`).join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const state = (id: string) => q.get(id);
const settled = (id: string) => until(`job ${id} to finish`, () => ["succeeded", "failed", "cancelled"].includes(state(id)?.state ?? "") && state(id));
const lines = (id: string) => q.logs(id).map((l) => l.line);

function submit(gate?: string): string {
  const id = q.newJobId();
  mkdirSync(q.jobDir(id), { recursive: true });
  writeFileSync(join(q.jobDir(id), "upload.tar"), image);
  q.enqueue({ id, kind: "compile-image", params: { upload: "upload.tar", bytes: image.length, fileName: "busybox.tar", ...(gate ? { gate } : {}) } });
  return id;
}

/** Which worker ran (or runs) a job, from its "running on worker X" lines. */
const ranOn = (id: string) => lines(id).filter((l) => l.startsWith("running on worker ")).map((l) => l.slice("running on worker ".length));

describe.skipIf(!haveTools)("compile workers on a Redis queue (BullMQ)", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "trellis-remote-"));
    redis = await startRedis();
    const layer = await makeTar([
      { name: "bin/", type: "directory", mode: 0o755 },
      { name: "bin/busybox", content: readFileSync("/bin/busybox"), mode: 0o755 },
      { name: "etc/", type: "directory", mode: 0o755 },
      { name: "etc/motd", content: "from a worker\n" },
    ]);
    image = await makeDockerSave([tarLayer(layer)], { Entrypoint: ["/bin/busybox"], Cmd: ["cat", "/etc/motd"], Env: ["PATH=/bin"] });
    registry = await startRegistry();
    authFile = join(dir, "auth.json");
    writeFileSync(authFile, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${registry.user}:${registry.password}`).toString("base64") } } }));
    // The server's own lookup (artifacts in a registry) reads the same file.
    process.env.REGISTRY_AUTH_FILE = authFile;
    db = openDb(join(dir, "trellis.db"));
    port = await freePort();
    // The internal input route, as the app serves it, over real HTTP.
    http = (await serveInputRoute(() => q, "127.0.0.1", port)).server;
    q = newQueue();
    await q.ready;
    startWorker("A");
    startWorker("B");
    await until("both workers ready", () => [...workerLogs.values()].every((l) => l.includes(" ready on ")));
  });

  afterAll(async () => {
    for (const w of workers.values()) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
    await q?.close();
    db?.close();
    http?.close();
    await redis?.stop();
    await registry?.stop();
    delete process.env.REGISTRY_AUTH_FILE;
    rmSync(dir, { recursive: true, force: true });
  });

  it("two workers share the queue: both take jobs, each compiles, the server serves the artifact", { timeout: 240_000 }, async () => {
    const gate = join(dir, "gate-1");
    const a = submit(gate);
    const b = submit(gate);
    // Both held at the gate at once: with one job per worker, they run on different workers.
    await until("both jobs at the gate", () => state(a)?.stage === "gate" && state(b)?.stage === "gate");
    expect(new Set([...ranOn(a), ...ranOn(b)])).toEqual(new Set(["A", "B"]));
    const runKey = q.store.owner(a)!.slice("bull:".length);
    writeFileSync(gate, "");
    for (const id of [a, b]) {
      const done = await settled(id);
      expect(done, lines(id).join("\n")).toMatchObject({ state: "succeeded", attempts: 1, result: { outcome: "compiled", produced: { kind: "native-artifact" } } });
      const produced = (done.result as { produced: { file: string; bytes: number } }).produced;
      // Fetched from the artifact store into the server's job directory, whole.
      expect(readFileSync(join(q.jobDir(id), produced.file)).length).toBe(produced.bytes);
      expect(existsSync(join(q.jobDir(id), "report.json"))).toBe(true);
      expect(await listRuns(q.artifacts, id)).toHaveLength(1);
      // Progress and log lines came back through the queue's events.
      expect(lines(id)).toEqual(expect.arrayContaining(["waiting at the test gate", "succeeded"]));
    }
    // The input route opens only with the run's token, and only while the job is unfinished.
    const input = `http://127.0.0.1:${port}/api/internal/jobs/${a}/input`;
    const token = JSON.parse(spawnSync("redis-cli", ["-p", String(redis.port), "-a", redis.password, "--no-auth-warning", "HGET", `bull:trellis-compile:${runKey}`, "data"], { encoding: "utf8" }).stdout).input.token as string;
    expect((await fetch(input)).status).toBe(401);
    expect((await fetch(input, { headers: { "x-trellis-job-token": token.slice(1) + "x" } })).status).toBe(401);
    expect((await fetch(input, { headers: { "x-trellis-job-token": token } })).status).toBe(401);
    // The payload in Redis carries a per-run token, never the Redis or any registry password.
    const raw = spawnSync("redis-cli", ["-p", String(redis.port), "-a", redis.password, "--no-auth-warning", "HGET", `bull:trellis-compile:${runKey}`, "data"], { encoding: "utf8" });
    expect(raw.stdout).toContain('"from":"server"');
    expect(raw.stdout).not.toContain(redis.password);
  });

  it("trellis compile --queue submits to the workers, waits, and writes a module that runs", { timeout: 180_000 }, async () => {
    const file = join(dir, "busybox.tar");
    writeFileSync(file, image);
    const out = join(dir, "queued.wasm");
    const c = cli(["compile", "--queue", redis.url, file, "-o", out]);
    let err = "";
    c.stderr!.on("data", (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((r) => c.once("exit", (x) => r(x)));
    expect(code, err).toBe(0);
    expect(err).toMatch(/running on worker [AB]/);
    const r = await runNativeArtifact(out);
    expect(r.stdout.toString()).toBe("from a worker\n");
  });

  it("cancel reaches a job running on a worker", { timeout: 120_000 }, async () => {
    const id = submit(join(dir, "gate-never"));
    await until("the job at the gate", () => state(id)?.stage === "gate");
    const r = q.cancel(id);
    expect(r.ok).toBe(true);
    const done = await settled(id);
    expect(done.state, lines(id).join("\n")).toBe("cancelled");
    // The worker stopped it (the outcome came back through the queue), and took the next job after.
    expect(lines(id)).toEqual(expect.arrayContaining(["cancel requested", "cancelled"]));
    const queued = submit();
    const c = q.cancel(queued);
    expect(c.ok && c.value.state).toBe("cancelled");
    expect((await settled(queued)).state).toBe("cancelled");
  });

  it("SIGTERM: a worker takes no more jobs; a second SIGTERM hands its job back, and another worker runs it", { timeout: 240_000 }, async () => {
    const g1 = join(dir, "gate-term-1");
    const g2 = join(dir, "gate-term-2");
    const first = submit(g1);
    await until("the first job at the gate", () => state(first)?.stage === "gate");
    const x = ranOn(first)[0]!;
    const y = x === "A" ? "B" : "A";
    const wx = workers.get(x)!;
    const exited = new Promise<number | null>((r) => wx.once("exit", (c) => r(c)));
    wx.kill("SIGTERM");
    await until("the worker to stop taking jobs", () => workerLogs.get(x)!.includes("stopping: finishing 1 running job(s)"));
    const second = submit(g2);
    await until("the second job at the gate", () => state(second)?.stage === "gate");
    expect(ranOn(second)).toEqual([y]);
    wx.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(lines(first)).toContain(`worker ${x} is stopping: handed the job back to the queue`);
    writeFileSync(g2, "");
    writeFileSync(g1, "");
    expect((await settled(second)).state).toBe("succeeded");
    const done = await settled(first);
    expect(done, lines(first).join("\n")).toMatchObject({ state: "succeeded", attempts: 2 });
    expect(ranOn(first)).toEqual([x, y]);
    expect(await listRuns(q.artifacts, first)).toHaveLength(1);
    // A fresh worker under the stopped one's name, for the tests below.
    startWorker(x);
    await until("the new worker", () => workerLogs.get(x)!.includes(" ready on "));
  });

  it("a worker killed with SIGKILL mid-compile: the job runs again on the other worker and completes once", { timeout: 240_000 }, async () => {
    const gate = join(dir, "gate-kill");
    const id = submit(gate);
    await until("the job at the gate", () => state(id)?.stage === "gate");
    const victim = ranOn(id)[0]!;
    const survivor = victim === "A" ? "B" : "A";
    const w = workers.get(victim)!;
    const gone = new Promise((r) => w.once("exit", r));
    w.kill("SIGKILL");
    await gone;
    writeFileSync(gate, "");
    const done = await settled(id);
    expect(done, lines(id).join("\n")).toMatchObject({ state: "succeeded", attempts: 2 });
    expect(ranOn(id)).toEqual([victim, survivor]);
    expect(lines(id).filter((l) => l === "succeeded")).toHaveLength(1);
    expect(lines(id).some((l) => l.includes("stopped answering"))).toBe(true);
    // One artifact: the killed run left nothing behind in the store.
    expect(await listRuns(q.artifacts, id)).toHaveLength(1);
  });

  it("a server restart mid-job loses nothing: the job finishes on its worker, the new server applies it", { timeout: 240_000 }, async () => {
    const gate = join(dir, "gate-restart");
    const id = submit(gate);
    await until("the job at the gate", () => state(id)?.stage === "gate");
    const seen = lines(id).length;
    await q.close();
    // While no server listens, the job goes on and finishes.
    writeFileSync(gate, "");
    await until("the run's files in the artifact store", () => existsSync(join(dir, "artifacts", id)) && readdirSync(join(dir, "artifacts", id)).some((f) => !f.startsWith(".partial-")));
    expect(q.get(id)?.state).toBe("running");
    q = newQueue();
    await q.ready;
    const done = await settled(id);
    expect(done, lines(id).join("\n")).toMatchObject({ state: "succeeded", attempts: 1 });
    const all = lines(id);
    // Lines the worker sent while the server was down were replayed, once each.
    expect(all.length).toBeGreaterThan(seen);
    expect(all.filter((l) => l.startsWith("running on worker "))).toHaveLength(1);
    expect(all.filter((l) => l === "succeeded")).toHaveLength(1);
    // Lines the compile wrote after the gate opened, while no server listened.
    expect(all.slice(seen).some((l) => l.startsWith("native artifact:"))).toBe(true);
  });

  it("an image by reference, pulled by the worker with its own credentials; the artifact pushed to an OCI registry", { timeout: 180_000 }, async () => {
    const file = join(dir, "for-registry.tar");
    writeFileSync(file, image);
    await registry.seed(`docker-archive:${file}`, "team/busybox:1");
    await q.close();
    q = newQueue(`oci://${registry.host}/trellis/artifacts`);
    await q.ready;
    const id = q.newJobId();
    q.enqueue({ id, kind: "compile-image", params: { reference: `${registry.host}/team/busybox:1`, fileName: "busybox" } });
    const done = await settled(id);
    expect(done, lines(id).join("\n")).toMatchObject({ state: "succeeded", result: { source: { reference: `${registry.host}/team/busybox:1` } } });
    const produced = (done.result as { produced: { file: string; bytes: number } }).produced;
    expect((await runNativeArtifact(join(q.jobDir(id), produced.file))).stdout.toString()).toBe("from a worker\n");
    // The run is a tagged manifest in the registry, its files are blobs.
    const tags = spawnSync("skopeo", ["list-tags", "--tls-verify=false", "--creds", `${registry.user}:${registry.password}`, `docker://${registry.host}/trellis/artifacts`], { encoding: "utf8" });
    expect((JSON.parse(tags.stdout) as { Tags: string[] }).Tags.filter((t) => t.startsWith(id))).toHaveLength(1);
    const raw = spawnSync("redis-cli", ["-p", String(redis.port), "-a", redis.password, "--no-auth-warning", "--scan", "--pattern", "bull:trellis-compile:*"], { encoding: "utf8" });
    for (const key of raw.stdout.split("\n").filter((k) => /:[0-9a-f-]+\.[0-9a-f]+$/.test(k))) {
      const data = spawnSync("redis-cli", ["-p", String(redis.port), "-a", redis.password, "--no-auth-warning", "HGET", key, "data"], { encoding: "utf8" }).stdout;
      expect(data).not.toContain(registry.password);
    }
  });

  it("a wrong Redis password stops a worker at start with a clear message, and fails the server's jobs with queue-unavailable", { timeout: 120_000 }, async () => {
    const wrong = redis.url.replace(redis.password, "not-the-password");
    const w = cli(["worker", "--queue", wrong]);
    let err = "";
    w.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => w.once("exit", (c) => r(c)));
    expect(code).toBe(1);
    expect(err).toMatch(/redis-auth-failed: Redis at 127\.0\.0\.1:\d+ refused the password/);
    expect(err).not.toContain("not-the-password");
    const t = parseQueueUrl(wrong);
    if (!t.ok) throw new Error(t.error.message);
    const other = new RedisJobQueue({ db, dataDir: join(dir, "data"), target: t.value, serverUrl: `http://127.0.0.1:${port}`, artifacts: `file://${join(dir, "artifacts")}` });
    await expect(other.ready).rejects.toMatchObject({ kind: "redis-auth-failed" });
    const id = other.newJobId();
    other.enqueue({ id, kind: "compile-image", params: { upload: "upload.tar" } });
    const failed = await until("the job to fail", () => other.get(id)?.state === "failed" && other.get(id));
    expect(failed.error).toMatchObject({ kind: "queue-unavailable" });
    expect(failed.retryable).toBe(true);
    await other.close();
  });

  it("SIGTERM once: the worker finishes its running job, then exits", { timeout: 120_000 }, async () => {
    const gate = join(dir, "gate-finish");
    const id = submit(gate);
    await until("the job at the gate", () => state(id)?.stage === "gate");
    const w = workers.get(ranOn(id)[0]!)!;
    const exited = new Promise<number | null>((r) => w.once("exit", (c) => r(c)));
    w.kill("SIGTERM");
    await until("the worker to say it is stopping", () => workerLogs.get(ranOn(id)[0]!)!.includes("stopping: finishing 1 running job(s)"));
    writeFileSync(gate, "");
    expect((await settled(id)).state).toBe("succeeded");
    expect(await exited).toBe(0);
    expect(state(id)!.attempts).toBe(1);
  });
});
