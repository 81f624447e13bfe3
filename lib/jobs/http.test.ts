import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { componentEmbed, componentNew } from "@bytecodealliance/jco";
import { openDb, type Db } from "../db";
import { makeOciLayout } from "../image/test-images";
import { EmbeddedJobQueue } from "./embedded-queue";
import { allJobsEventsResponse, artifactResponse, handleImageUpload, jobEventsResponse, readReport, retryResponse } from "./http";
import type { Job } from "./types";

let dir: string;
let db: Db;
let q: EmbeddedJobQueue;
let image: Buffer;
let component: Buffer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trellis-http-"));
  db = openDb(join(dir, "trellis.db"));
  q = new EmbeddedJobQueue({ db, dataDir: dir, concurrency: 1, workerEntry: join(import.meta.dirname, "worker-main.ts") });
  const core = await componentEmbed({ dummy: true, witSource: "package t:x;\ninterface api { ping: func() -> u32; }\nworld w { export api; }\n", world: "w" });
  component = Buffer.from(await componentNew(core));
  image = (await makeOciLayout([{ layers: [{ blob: component, mediaType: "application/vnd.wasm.content.layer.v1+wasm" }], config: { os: "wasip2", architecture: "wasm" } }])).archive;
});
afterAll(async () => {
  await q.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A request whose body arrives in chunks, like a browser upload. */
function uploadRequest(bytes: Buffer, query = "", headers: Record<string, string> = {}): Request {
  let off = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (off >= bytes.length) return c.close();
      c.enqueue(new Uint8Array(bytes.subarray(off, off + 4096)));
      off += 4096;
    },
  });
  return new Request(`http://x/api/images${query}`, { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

async function sse(res: Response): Promise<{ event: string; data: unknown; id?: string }[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((b) => b.includes("event: "))
    .map((b) => {
      const lines = b.split("\n");
      const get = (k: string) => lines.find((l) => l.startsWith(`${k}: `))?.slice(k.length + 2);
      return { event: get("event")!, data: JSON.parse(get("data")!), ...(get("id") ? { id: get("id") } : {}) };
    });
}

describe("image upload and job HTTP API", () => {
  let jobId: string;
  it("streams an upload into a job and compiles it; SSE reports progress to the end", async () => {
    const res = await handleImageUpload(uploadRequest(image, "?filename=hello.tar&platform=wasip2/wasm"), q);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { jobId: string; job: Job };
    jobId = body.jobId;
    expect(body.job).toMatchObject({ kind: "compile-image", state: "queued", params: { upload: "upload.tar", bytes: image.length, fileName: "hello.tar", platform: "wasip2/wasm" } });
    expect(Buffer.compare(readFileSync(join(q.jobDir(jobId), "upload.tar")), image)).toBe(0);
    const events = await sse(jobEventsResponse(new Request(`http://x/api/jobs/${jobId}/events`), q, jobId));
    expect(events[0]!.event).toBe("snapshot");
    expect(events.at(-1)).toEqual({ event: "end", data: { state: "succeeded" } });
    expect(events.some((e) => e.event === "progress")).toBe(true);
    const states = events.filter((e) => e.event === "state").map((e) => (e.data as { job: Job }).job.state);
    expect(states.at(-1)).toBe("succeeded");
    const seqs = events.filter((e) => e.event === "log").map((e) => (e.data as { seq: number }).seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it("replays from Last-Event-ID and ends at once for finished jobs", async () => {
    const all = q.logs(jobId);
    expect(all.length).toBeGreaterThan(3);
    const events = await sse(jobEventsResponse(new Request(`http://x/api/jobs/${jobId}/events`, { headers: { "last-event-id": "2" } }), q, jobId));
    expect(events.map((e) => e.event)).toEqual(["snapshot", "end"]);
    const snap = events[0]!.data as { job: Job; logs: { seq: number }[] };
    expect(snap.logs.map((l) => l.seq)).toEqual(all.filter((l) => l.seq > 2).map((l) => l.seq));
    expect(events[0]!.id).toBe(String(all.at(-1)!.seq));
  });

  it("serves the artifact and the report", async () => {
    const res = await artifactResponse(q, jobId);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/wasm");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="hello.wasm"');
    expect(Buffer.compare(Buffer.from(await res.arrayBuffer()), component)).toBe(0);
    expect(await readReport(q, jobId)).toMatchObject({ outcome: "compiled", produced: { kind: "wasm-component" }, input: { fileName: "hello.tar" } });
    expect((await artifactResponse(q, "nope")).status).toBe(404);
    // Only produced files are served.
    expect((await artifactResponse(q, jobId, "upload.tar")).status).toBe(404);
    expect((await artifactResponse(q, jobId, "../../trellis.db")).status).toBe(404);
    expect((await artifactResponse(q, jobId, "artifact.wasm")).status).toBe(200);
  });

  it("refuses oversized, empty, multipart and malformed uploads without leaving files", async () => {
    const before = readdirSync(join(dir, "jobs")).length;
    const big = await handleImageUpload(uploadRequest(Buffer.alloc(100_000)), q, 50_000);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { kind: string } }).error.kind).toBe("too-large");
    const declared = await handleImageUpload(new Request("http://x/api/images", { method: "POST", body: "x", headers: { "content-length": "999999999999" } }), q, 1000);
    expect(declared.status).toBe(413);
    expect((await handleImageUpload(uploadRequest(Buffer.alloc(0)), q)).status).toBe(400);
    expect((await handleImageUpload(new Request("http://x/api/images", { method: "POST" }), q)).status).toBe(400);
    expect((await handleImageUpload(uploadRequest(Buffer.from("x"), "", { "content-type": "multipart/form-data; boundary=x" }), q)).status).toBe(415);
    expect((await handleImageUpload(uploadRequest(image, "?platform=../../etc"), q)).status).toBe(400);
    const snap = await handleImageUpload(uploadRequest(image, "?snapshot=yes"), q);
    expect(snap.status).toBe(400);
    expect(((await snap.json()) as { error: { kind: string } }).error.kind).toBe("invalid-snapshot");
    // A malformed encoded file name header is kept as sent, not a server error.
    const odd = await handleImageUpload(uploadRequest(image, "", { "x-file-name": "%E0%A4%A" }), q);
    expect(odd.status).toBe(202);
    const oddJob = ((await odd.json()) as { job: Job }).job;
    expect(oddJob.params.fileName).toBe("%E0%A4%A");
    q.cancel(oddJob.id);
    await sse(jobEventsResponse(new Request("http://x/"), q, oddJob.id));
    await q.remove(oddJob.id);
    expect(readdirSync(join(dir, "jobs")).length).toBe(before);
  });

  it("platform-not-found lists the platforms; retry with one of them compiles without re-uploading", async () => {
    const layerFor = (arch: string) => ({ blob: component, mediaType: "application/vnd.wasm.content.layer.v1+wasm", arch });
    const multi = (
      await makeOciLayout(
        ["arm64", "riscv64"].map((arch) => ({ layers: [layerFor(arch)], config: { architecture: arch }, platform: { os: "linux", architecture: arch } })),
      )
    ).archive;
    const { jobId: id } = (await (await handleImageUpload(uploadRequest(multi), q)).json()) as { jobId: string };
    await sse(jobEventsResponse(new Request("http://x/"), q, id));
    expect(q.get(id)).toMatchObject({ state: "failed", retryable: true, error: { kind: "platform-not-found", platforms: ["linux/arm64", "linux/riscv64"] } });
    const post = async (body: unknown) => retryResponse(body, q, id);
    expect((await post({ platform: "../x" })).status).toBe(400);
    expect((await post({ evil: 1 })).status).toBe(400);
    expect((await post([1])).status).toBe(400);
    const ok = await post({ platform: "linux/riscv64" });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { job: Job }).job).toMatchObject({ state: "queued", params: { platform: "linux/riscv64", upload: "upload.tar" } });
    await sse(jobEventsResponse(new Request("http://x/"), q, id));
    expect(q.get(id)).toMatchObject({ state: "succeeded", attempts: 2, result: { platform: "linux/riscv64" } });
    expect((await post(undefined)).status).toBe(409);
  });

  it("streams every job's state and progress on one stream, and deletes finished jobs", async () => {
    const ac = new AbortController();
    const res = allJobsEventsResponse(new Request("http://x/api/jobs/events", { signal: ac.signal }), q);
    const reader = res.body!.getReader();
    let text = "";
    const { jobId: id } = (await (await handleImageUpload(uploadRequest(image), q)).json()) as { jobId: string };
    const finished = () => text.split("\n\n").some((b) => b.startsWith("event: state") && b.includes(`"id":"${id}"`) && b.includes(`"state":"succeeded"`));
    while (!finished()) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(await q.remove(id)).toEqual({ ok: true, value: null });
    while (!text.includes("event: removed")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ac.abort();
    expect(text).toContain(`event: removed\ndata: {"jobId":"${id}"}`);
    expect(text.indexOf("event: snapshot")).toBeGreaterThanOrEqual(0);
    expect(text).toContain("event: progress");
    expect(text).toMatch(new RegExp(`"jobId":"${id}"`));
    expect(q.get(id)).toBeUndefined();
    expect(q.logs(id)).toEqual([]);
    expect(existsSync(q.jobDir(id))).toBe(false);
    expect(await q.remove(id)).toMatchObject({ ok: false, error: { kind: "not-found" } });
  });

  it("a non-image upload fails its job with a typed error and a report", async () => {
    const res = await handleImageUpload(uploadRequest(Buffer.from("definitely not a tar archive\n".repeat(100))), q);
    const { jobId: id } = (await res.json()) as { jobId: string };
    const events = await sse(jobEventsResponse(new Request(`http://x/api/jobs/${id}/events`), q, id));
    expect(events.at(-1)).toEqual({ event: "end", data: { state: "failed" } });
    expect(q.get(id)).toMatchObject({ state: "failed", error: { kind: "archive-invalid" } });
    expect(await readReport(q, id)).toMatchObject({ outcome: "error", error: { kind: "archive-invalid" } });
    expect((await artifactResponse(q, id)).status).toBe(404);
    expect(existsSync(join(q.jobDir(id), "upload.tar"))).toBe(true);
  });
});
