// Pull-by-reference through the compile job handler and the CLI, against a
// real registry: progress detail per layer, the artifact cache on the second
// compile of the same digest, `compile REF --push REF`, pull back, same bytes.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../image/test-images";
import { componentEmbed, componentNew } from "@bytecodealliance/jco";
import { pullImage, RegistryClient } from "../registry";
import { pushArtifact } from "../registry/push";
import { startRegistry, type TestRegistry } from "../registry/test-registry";
import { openDb } from "../db";
import { EmbeddedJobQueue } from "./embedded-queue";
import handlers, { type CompileJobResult, type PullDetail } from "./handlers";
import { handleImagePull, handlePush, readPushes, settingsResponse, updateSettings } from "./registry-http";
import { TERMINAL_STATES, type Job } from "./types";
import type { JobContext } from "./protocol";

let reg: TestRegistry;
let dir: string;
let env: Record<string, string>;
// (module (func (export "f")))
const wasm = Buffer.from("0061736d0100000001040160000003020100070501016600000a040102000b", "hex");

beforeAll(async () => {
  reg = await startRegistry();
  dir = await mkdtemp(join(tmpdir(), "trellis-regjobs-"));
  // Credentials the way docker keeps them: $DOCKER_CONFIG/config.json.
  await mkdir(join(dir, "docker"));
  await writeFile(join(dir, "docker", "config.json"), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${reg.user}:${reg.password}`).toString("base64") } } }));
  env = { DOCKER_CONFIG: join(dir, "docker") };
  await writeFile(join(dir, "m.wasm"), wasm);
  const p = await pushArtifact({ reference: `${reg.host}/src/app:1`, file: join(dir, "m.wasm"), kind: "module", credentials: async () => ({ username: reg.user, password: reg.password }) });
  if (!p.ok) throw new Error(p.error.message);
  const core = await componentEmbed({ dummy: true, witSource: "package t:x;\ninterface api { ping: func() -> u32; }\nworld w { export api; }\n", world: "w" });
  await writeFile(join(dir, "c.wasm"), Buffer.from(await componentNew(core)));
  const c = await pushArtifact({ reference: `${reg.host}/src/comp:1`, file: join(dir, "c.wasm"), kind: "component", credentials: async () => ({ username: reg.user, password: reg.password }) });
  if (!c.ok) throw new Error(c.error.message);
}, 120_000);

afterAll(async () => {
  await reg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function ctx(id: string, params: Record<string, unknown>) {
  const logs: string[] = [];
  const details: PullDetail[] = [];
  const c: JobContext = {
    id,
    dir: join(dir, "data", "jobs", id),
    params,
    attempt: 1,
    signal: new AbortController().signal,
    progress: (_s, _p, d) => {
      if (d) details.push(structuredClone(d) as PullDetail);
    },
    log: (l) => logs.push(l),
  };
  return { c, logs, details };
}

async function withEnv<T>(f: () => Promise<T>): Promise<T> {
  const old = process.env.DOCKER_CONFIG;
  process.env.DOCKER_CONFIG = env.DOCKER_CONFIG;
  try {
    return await f();
  } finally {
    if (old === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = old;
  }
}

describe("compile job from a reference", () => {
  it("pulls with per-layer progress, compiles, and a second compile of the same digest reuses the artifact", async () => {
    const a = ctx("job-a", { reference: `${reg.host}/src/app:1` });
    await mkdir(a.c.dir, { recursive: true });
    const r1 = (await withEnv(() => handlers["compile-image"]!(a.c))) as CompileJobResult;
    expect(r1.outcome).toBe("compiled");
    expect(r1.cached).toBeUndefined();
    expect(r1.source?.pinned).toMatch(new RegExp(`^${reg.host}/src/app:1@sha256:[a-f0-9]{64}$`));
    expect(r1.produced?.sha256).toBe(sha256(wasm));
    expect(await readFile(join(a.c.dir, r1.produced!.file))).toEqual(wasm);
    const last = a.details.at(-1)!;
    expect(last.kind).toBe("pull");
    expect(last.blobs.map((b) => b.mediaType)).toEqual(["application/vnd.wasm.config.v0+json", "application/wasm"]);
    expect(last.blobs.every((b) => b.done === b.size)).toBe(true);
    expect(a.logs.join("\n")).not.toContain(reg.password);

    const b = ctx("job-b", { reference: `${reg.host}/src/app:1` });
    await mkdir(b.c.dir, { recursive: true });
    const r2 = (await withEnv(() => handlers["compile-image"]!(b.c))) as CompileJobResult;
    expect(r2.cached).toBe(true);
    expect(r2.summary).toContain("Reused the artifact");
    expect(r2.produced?.sha256).toBe(r1.produced?.sha256);
    expect(await readFile(join(b.c.dir, r2.produced!.file))).toEqual(wasm);
    expect(existsSync(join(b.c.dir, "pulled.oci.tar"))).toBe(false);
    const report = JSON.parse(await readFile(join(b.c.dir, "report.json"), "utf8")) as { cached?: boolean; input: { source?: { pinned: string } } };
    expect(report.cached).toBe(true);
    expect(report.input.source?.pinned).toBe(r1.source?.pinned);
  });

  it("a failed pull fails the job naming the reference, with a report and no artifact", async () => {
    const c = ctx("job-c", { reference: `${reg.host}/src/app:missing` });
    await mkdir(c.c.dir, { recursive: true });
    const e = (await withEnv(() => handlers["compile-image"]!(c.c)).catch((x: unknown) => x)) as { kind: string; message: string };
    expect(e.kind).toBe("not-found");
    expect(e.message).toContain(`${reg.host}/src/app:missing`);
    const report = JSON.parse(await readFile(join(c.c.dir, "report.json"), "utf8")) as { outcome: string; produced: unknown };
    expect(report).toMatchObject({ outcome: "error", produced: null });
    expect(existsSync(join(c.c.dir, "pulled.oci.tar"))).toBe(false);
  });
});

describe("trellis compile REF --push REF", () => {
  it("pulls by reference, compiles, pushes, and the pushed artifact pulls back byte for byte", async () => {
    const out = join(dir, "out.wasm");
    const r = spawnSync(process.execPath, ["bin/trellis.mjs", "compile", `${reg.host}/src/app:1`, "-o", out, "--push", `${reg.host}/dest/app:2`], {
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, ...env },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(await readFile(out)).toEqual(wasm);
    const m = new RegExp(`pushed (${reg.host}/dest/app:2@(sha256:[a-f0-9]{64}))`).exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(r.stderr + r.stdout).not.toContain(reg.password);
    const back = await pullImage({ reference: m![1]!, outFile: join(dir, "back.tar"), credentials: async () => ({ username: reg.user, password: reg.password }) });
    if (!back.ok) throw new Error(back.error.message);
    expect(back.value.digest).toBe(m![2]);
    expect(back.value.layers[0]!.digest).toBe(sha256(wasm));
  });

  it("a reference with junk, or a missing image, exits 1 with the reason", () => {
    const r = spawnSync(process.execPath, ["bin/trellis.mjs", "compile", `${reg.host}/src/app:nope`, "-o", join(dir, "x.wasm")], { encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`not-found: ${reg.host}/src/app:nope`);
    const j = spawnSync(process.execPath, ["bin/trellis.mjs", "compile", "Bad Ref!", "-o", join(dir, "x.wasm")], { encoding: "utf8", timeout: 60_000 });
    expect(j.status).toBe(1);
    expect(existsSync(join(dir, "x.wasm"))).toBe(false);
  });
});

describe("the HTTP side: settings, pull route, push route", () => {
  it("stores credentials server-side (never answered back), pulls through a worker with them, pushes the artifact", async () => {
    const data = join(dir, "srv");
    const put = (body: unknown) => updateSettings(new Request("http://x/api/registry/settings", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }), data);
    expect((await put({ registry: "bad host", username: "u", password: "p" })).status).toBe(400);
    const set = await put({ registry: reg.host, username: reg.user, password: reg.password });
    expect(set.status).toBe(200);
    const shown = await (await settingsResponse(data)).text();
    expect(shown).toContain(reg.host);
    expect(shown).not.toContain(reg.password);
    expect((await put({ pushTarget: `${reg.host}/pushed` })).status).toBe(200);

    const db = openDb(join(data, "trellis.db"));
    const q = new EmbeddedJobQueue({ db, dataDir: data, concurrency: 1, workerEntry: join(import.meta.dirname, "worker-main.ts") });
    try {
      const bad = await handleImagePull(new Request("http://x/api/registry/pull", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reference: "no spaces allowed" }) }), q);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { kind: string } }).error.kind).toBe("reference-invalid");
      const badSnap = await handleImagePull(new Request("http://x/api/registry/pull", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reference: `${reg.host}/src/app:1`, snapshot: "yes" }) }), q);
      expect(((await badSnap.json()) as { error: { kind: string } }).error.kind).toBe("invalid-snapshot");
      const res = await handleImagePull(new Request("http://x/api/registry/pull", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reference: `${reg.host}/src/app:1` }) }), q);
      expect(res.status).toBe(202);
      const { jobId } = (await res.json()) as { jobId: string };
      const details: unknown[] = [];
      const unsubscribe = q.subscribe(jobId, (e) => {
        if (e.type === "progress" && e.detail) details.push(e.detail);
      });
      const done = await new Promise<Job>((resolve) => {
        const check = () => {
          const j = q.get(jobId)!;
          if (TERMINAL_STATES.includes(j.state)) resolve(j);
          else setTimeout(check, 100);
        };
        check();
      });
      expect(done.state, JSON.stringify(done.error)).toBe("succeeded");
      unsubscribe();
      // Per-layer progress crosses the worker boundary as the progress event's detail.
      expect(details.length).toBeGreaterThan(0);
      expect(details[0]).toMatchObject({ kind: "pull", reference: `${reg.host}/src/app:1` });
      expect(q.logs(jobId).map((l) => l.line).join("\n")).not.toContain(reg.password);

      const pushed = await handlePush(new Request("http://x", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }), q, jobId, data);
      expect(pushed.status).toBe(200);
      const { push } = (await pushed.json()) as { push: { pinned: string; digest: string } };
      expect(push.pinned).toBe(`${reg.host}/pushed/app-wasm:1@${push.digest}`);
      expect((await readPushes(q, jobId)).map((p) => p.digest)).toEqual([push.digest]);
      const back = await pullImage({ reference: push.pinned, outFile: join(dir, "back2.tar"), credentials: async () => ({ username: reg.user, password: reg.password }) });
      expect(back.ok && back.value.layers[0]!.digest).toBe(sha256(wasm));

      // A component: pushed as one, its config naming the world's exports.
      const cres = await handleImagePull(new Request("http://x/api/registry/pull", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reference: `${reg.host}/src/comp:1` }) }), q);
      const cid = ((await cres.json()) as { jobId: string }).jobId;
      await new Promise<void>((resolve) => {
        const check = () => (TERMINAL_STATES.includes(q.get(cid)?.state ?? "failed") ? resolve() : setTimeout(check, 100));
        check();
      });
      expect(q.get(cid)!.state, JSON.stringify(q.get(cid)!.error)).toBe("succeeded");
      const cp = await handlePush(new Request("http://x", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reference: `${reg.host}/pushed/comp:2` }) }), q, cid, data);
      const cpush = ((await cp.json()) as { push: { digest: string } }).push;
      const client = new RegistryClient(reg.host, "pushed/comp", { credentials: async () => ({ username: reg.user, password: reg.password }) });
      const m = JSON.parse((await client.getManifest(cpush.digest)).bytes.toString()) as { config: { mediaType: string; digest: string }; layers: { mediaType: string }[] };
      expect(m.config.mediaType).toBe("application/vnd.wasm.config.v0+json");
      expect(m.layers.map((l) => l.mediaType)).toEqual(["application/wasm"]);
      const { stream } = await client.getBlob(m.config.digest);
      let cfg = "";
      for await (const ch of stream) cfg += (ch as Buffer).toString();
      expect(JSON.parse(cfg)).toMatchObject({ os: "wasip2", architecture: "wasm", component: { exports: ["t:x/api"] } });
    } finally {
      await q.close();
      db.close();
    }
  });
});
