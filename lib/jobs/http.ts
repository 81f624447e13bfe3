// HTTP shapes for images and jobs, kept out of app/ so route files stay thin
// and this can be tested with plain Request objects. Web-standard Request /
// Response only (no next imports).

import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { basename, join, resolve, sep } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { apiError, errorResponse } from "../server/errors";
import { sseResponse } from "../server/sse";
import { TERMINAL_STATES, type JobEvent, type JobQueue, type QueueError } from "./types";

export const DEFAULT_MAX_UPLOAD = 4 * 1024 ** 3;

export function maxUpload(): number {
  const v = Number(process.env.TRELLIS_MAX_UPLOAD);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_MAX_UPLOAD;
}

/** Media types an image upload may carry: the archive bytes, never a form. */
export const IMAGE_UPLOAD_TYPES = ["application/x-tar", "application/octet-stream", "application/gzip", "application/x-gzip", "application/zstd"] as const;

export function errorJson(status: number, kind: string, message: string, extra: Record<string, unknown> = {}): Response {
  return errorResponse(apiError(kind, message, extra), status);
}

export function queueErrorResponse(e: QueueError): Response {
  return errorResponse(e);
}

const PLATFORM_RE = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?$/i;

class TooLarge extends Error {}
class NoRoom extends Error {}

/** Header values may be URI-encoded (non-ASCII file names); a malformed one is kept as sent. */
function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/**
 * POST /api/images: streams the body (the raw archive bytes) into a new job
 * directory, never holding it in memory, then enqueues a compile job.
 * Query: `platform` (os/arch[/variant]), `name` (image name/tag in the archive),
 * `filename` (or header `x-file-name`) for the report, `snapshot=1` for a
 * start-up snapshot of a native image (off by default: every run resumed from
 * it shares its random seeds; lib/compile/startup-snapshot.ts).
 */
/** Makes room for `bytes` on disk: the room there is, or the refusal (lib/storage). */
export type Reserve = (bytes: number) => Promise<{ ok: true; roomBytes: number } | { ok: false; error: { kind: string; message: string } }>;

export async function handleImageUpload(req: Request, queue: JobQueue, limit = maxUpload(), reserve?: Reserve): Promise<Response> {
  const url = new URL(req.url);
  const platform = url.searchParams.get("platform") ?? undefined;
  const name = url.searchParams.get("name") ?? undefined;
  const snap = url.searchParams.get("snapshot");
  if (snap !== null && snap !== "0" && snap !== "1") return errorJson(400, "invalid-snapshot", `snapshot must be 1 (take a start-up snapshot) or 0, got ${JSON.stringify(snap)}`);
  const header = req.headers.get("x-file-name");
  const rawName = url.searchParams.get("filename") ?? (header !== null ? safeDecode(header) : undefined);
  const fileName = rawName ? basename(rawName).replace(/[\0\r\n]/g, "").slice(0, 200) || undefined : undefined;
  if (platform !== undefined && !PLATFORM_RE.test(platform)) return errorJson(400, "invalid-platform", `platform must look like os/arch or os/arch/variant, got ${JSON.stringify(platform)}`);
  if (name !== undefined && (name.length > 256 || /[\0\n]/.test(name))) return errorJson(400, "invalid-name", "name must be an image name or tag");
  const ctype = req.headers.get("content-type") ?? "";
  if (ctype.startsWith("multipart/")) return errorJson(415, "unsupported-content-type", "send the archive bytes as the request body (e.g. application/x-tar), not a multipart form");
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return errorJson(413, "too-large", `the upload is ${declared} bytes; the limit (TRELLIS_MAX_UPLOAD) is ${limit}`, { limit });
  if (!req.body) return errorJson(400, "empty-upload", "the request has no body: send the image archive as the body");
  let room = Infinity;
  if (reserve) {
    const r = await reserve(Number.isFinite(declared) ? declared : 0);
    if (!r.ok) return errorResponse(r.error);
    room = r.roomBytes;
  }

  const id = queue.newJobId();
  const dir = queue.jobDir(id);
  await mkdir(dir, { recursive: true });
  const file = join(dir, "upload.tar");
  let received = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      received += chunk.length;
      if (received > limit) cb(new TooLarge());
      else if (received > room) cb(new NoRoom());
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(req.body as unknown as NodeWebReadableStream<Uint8Array>), limiter, createWriteStream(file));
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    if (e instanceof TooLarge) return errorJson(413, "too-large", `the upload exceeds the limit (TRELLIS_MAX_UPLOAD) of ${limit} bytes`, { limit });
    if (e instanceof NoRoom) return errorJson(507, "storage-full", `the upload does not fit in the ${room} bytes left of the storage quota (TRELLIS_STORAGE_QUOTA)`);
    return errorJson(400, "upload-interrupted", `the upload did not complete: ${(e as Error).message}`);
  }
  if (received === 0) {
    await rm(dir, { recursive: true, force: true });
    return errorJson(400, "empty-upload", "the uploaded archive is empty");
  }
  const job = queue.enqueue({
    id,
    kind: "compile-image",
    params: { upload: "upload.tar", bytes: received, ...(fileName ? { fileName } : {}), ...(platform ? { platform } : {}), ...(name ? { name } : {}), ...(snap === "1" ? { snapshot: true } : {}) },
  });
  return Response.json({ jobId: id, job }, { status: 202 });
}

/**
 * POST /api/jobs/[id]/retry. Optional JSON body `{ platform?, name? }` changes
 * those parameters of a compile job first (e.g. after `platform-not-found`,
 * whose error lists `platforms`), so the upload is not sent again.
 */
export function retryResponse(body: unknown, queue: JobQueue, id: string): Response {
  let patch: Record<string, unknown> | undefined;
  if (body !== undefined) {
    if (typeof body !== "object" || body === null || Array.isArray(body)) return errorJson(400, "invalid-input", "the body must be an object like { \"platform\": \"linux/arm64\" }");
    const b = body as Record<string, unknown>;
    const unknownKeys = Object.keys(b).filter((k) => k !== "platform" && k !== "name");
    if (unknownKeys.length) return errorJson(400, "invalid-input", `unknown retry parameters: ${unknownKeys.join(", ")}`);
    if (b.platform !== undefined && (typeof b.platform !== "string" || !PLATFORM_RE.test(b.platform))) return errorJson(400, "invalid-platform", "platform must look like os/arch or os/arch/variant");
    if (b.name !== undefined && (typeof b.name !== "string" || b.name.length > 256 || /[\0\n]/.test(b.name))) return errorJson(400, "invalid-name", "name must be an image name or tag");
    patch = b;
  }
  const r = queue.retry(id, patch);
  return r.ok ? Response.json({ job: r.value }) : queueErrorResponse(r.error);
}

/** Reads a job's report.json (written by every compile, also on failure). */
export async function readReport(queue: JobQueue, id: string): Promise<unknown | null> {
  try {
    return JSON.parse(await readFile(join(queue.jobDir(id), "report.json"), "utf8")) as unknown;
  } catch {
    return null;
  }
}

export function validJobId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(id);
}

export function notFound(id: string): Response {
  return errorJson(404, "not-found", `no job ${id}`);
}

/**
 * GET /api/jobs/[id]/artifact[?file=<name>]: the produced file, streamed.
 * `file` picks one of the artifact's extra files (e.g. a native artifact's
 * `artifact.component.wasm` or separate rootfs); nothing else is served.
 */
export async function artifactResponse(queue: JobQueue, id: string, which?: string | null): Promise<Response> {
  const job = queue.get(id);
  if (!job) return notFound(id);
  const produced = (job.result as { produced?: { file?: string; native?: { extraFiles?: { file: string }[] } } } | null)?.produced;
  if (job.state !== "succeeded" || !produced?.file) {
    return errorJson(404, "no-artifact", `job ${id} has no artifact (state: ${job.state})`);
  }
  const allowed = [produced.file, ...(produced.native?.extraFiles ?? []).map((x) => x.file)];
  const name = which ?? produced.file;
  if (!allowed.includes(name)) return errorJson(404, "no-artifact", `job ${id} produced no file ${JSON.stringify(name)}; it has: ${allowed.join(", ")}`);
  const dir = resolve(queue.jobDir(id));
  const file = resolve(dir, name);
  if (!file.startsWith(dir + sep)) return errorJson(500, "internal", "artifact path outside the job directory");
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return errorJson(410, "artifact-gone", `the artifact of job ${id} is no longer on disk`);
  }
  const base = String(job.params.fileName ?? "image").replace(/\.(tar|tgz|tar\.gz|oci)$/i, "").replace(/[^A-Za-z0-9._-]/g, "_") || "image";
  // The main file is named after the upload; extra files keep their own names.
  const downloadName = which ? basename(file) : `${base}${file.endsWith(".wasm") ? ".wasm" : ""}`;
  const body = Readable.toWeb(createReadStream(file)) as unknown as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "content-type": file.endsWith(".wasm") ? "application/wasm" : "application/octet-stream",
      "content-length": String(size),
      "content-disposition": `attachment; filename="${downloadName}"`,
    },
  });
}

/**
 * GET /api/jobs/[id]/events: Server-Sent Events.
 * - `snapshot` {job, logs}: the job now and log lines after `Last-Event-ID` (or `?after=`)
 * - `log` {seq, at, line} with `id: seq`
 * - `progress` {stage, percent}
 * - `state` {job}
 * - `end` {state}: the job reached a final state; the server closes the stream.
 */
export function jobEventsResponse(req: Request, queue: JobQueue, id: string, heartbeatMs = 15_000): Response {
  const job = queue.get(id);
  if (!job) return notFound(id);
  const url = new URL(req.url);
  const after = Number(req.headers.get("last-event-id") ?? url.searchParams.get("after") ?? 0) || 0;
  return sseResponse(
    req,
    (ch) => {
      // Subscribe first, replay after: nothing falls between the two.
      const pending: JobEvent[] = [];
      let live = false;
      let lastSeq = after;
      const deliver = (e: JobEvent) => {
        if (e.type === "log") {
          if (e.seq <= lastSeq) return;
          lastSeq = e.seq;
          ch.send("log", { seq: e.seq, at: e.at, line: e.line }, e.seq);
        } else if (e.type === "progress") ch.send("progress", { stage: e.stage, percent: e.percent, ...(e.detail !== undefined ? { detail: e.detail } : {}) });
        else if (e.type === "removed") ch.close();
        else {
          ch.send("state", { job: e.job });
          if (TERMINAL_STATES.includes(e.job.state)) {
            // Flush log lines written in the same tick as the final state.
            for (const l of queue.logs(id, lastSeq)) {
              lastSeq = l.seq;
              ch.send("log", l, l.seq);
            }
            ch.send("end", { state: e.job.state });
            ch.close();
          }
        }
      };
      const unsubscribe = queue.subscribe(id, (e) => (live ? deliver(e) : pending.push(e)));
      const now = queue.get(id)!;
      const logs = queue.logs(id, after);
      if (logs.length > 0) lastSeq = logs[logs.length - 1]!.seq;
      ch.send("snapshot", { job: now, logs }, logs.length > 0 ? lastSeq : undefined);
      if (TERMINAL_STATES.includes(now.state)) {
        ch.send("end", { state: now.state });
        ch.close();
      } else {
        live = true;
        for (const e of pending.splice(0)) deliver(e);
      }
      return unsubscribe;
    },
    { heartbeatMs, retryMs: 2000 },
  );
}

/**
 * GET /api/jobs/events: one Server-Sent Events stream for a job panel.
 * - `snapshot` {jobs}: the newest jobs now (as GET /api/jobs)
 * - `state` {job}: a job was queued, started, finished, retried
 * - `progress` {jobId, stage, percent}
 * - `removed` {jobId}: the job was deleted
 * Log lines are per job (GET /api/jobs/[id]/events). The stream stays open.
 */
export function allJobsEventsResponse(req: Request, queue: JobQueue, heartbeatMs = 15_000): Response {
  return sseResponse(
    req,
    (ch) => {
      const pending: JobEvent[] = [];
      let live = false;
      const deliver = (e: JobEvent) => {
        if (e.type === "state") ch.send("state", { job: e.job });
        else if (e.type === "progress") ch.send("progress", { jobId: e.jobId, stage: e.stage, percent: e.percent, ...(e.detail !== undefined ? { detail: e.detail } : {}) });
        else if (e.type === "removed") ch.send("removed", { jobId: e.jobId });
      };
      const unsubscribe = queue.subscribe("*", (e) => (live ? deliver(e) : pending.push(e)));
      ch.send("snapshot", { jobs: queue.list({ limit: 200 }) });
      live = true;
      for (const e of pending.splice(0)) deliver(e);
      return unsubscribe;
    },
    { heartbeatMs, retryMs: 2000 },
  );
}
