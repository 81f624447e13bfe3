// Browser-side helpers for the image/job HTTP API (no React, no Node imports):
// an upload with byte progress and cancellation, and typed SSE watchers.
// The UI layer wires these to components.

import type { CompileReport } from "../compile/compile-image";
import type { Job, JobLogLine } from "./types";

export interface UploadProgress {
  loaded: number;
  total: number;
  /** 0–100, or null when the browser does not know the total. */
  percent: number | null;
}

export interface UploadOptions {
  platform?: string;
  name?: string;
  /** A start-up snapshot of a native image (lib/compile/startup-snapshot.ts): runs resumed from it share its random seeds. */
  snapshot?: boolean;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
  /** Defaults to "" (same origin). */
  baseUrl?: string;
}

export type ApiError = { kind: string; message: string; [k: string]: unknown };

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

/**
 * POST /api/images with the file as the raw body. XMLHttpRequest (not fetch)
 * because only it reports upload progress; the browser streams the File from
 * disk, so it is never held whole in memory. Resolves with the new job.
 */
export function uploadImage(file: Blob & { name?: string }, o: UploadOptions = {}): Promise<{ jobId: string; job: Job }> {
  return new Promise((resolve, reject) => {
    const q = new URLSearchParams();
    if (o.platform) q.set("platform", o.platform);
    if (o.name) q.set("name", o.name);
    if (o.snapshot) q.set("snapshot", "1");
    if (file.name) q.set("filename", file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${o.baseUrl ?? ""}/api/images?${q}`);
    xhr.setRequestHeader("content-type", "application/x-tar");
    xhr.upload.onprogress = (e) => o.onProgress?.({ loaded: e.loaded, total: e.total, percent: e.lengthComputable ? (e.loaded / e.total) * 100 : null });
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = { error: { kind: "bad-response", message: xhr.responseText.slice(0, 200) } };
      }
      if (xhr.status === 202) resolve(body as { jobId: string; job: Job });
      else reject(new ApiFailure(xhr.status, (body as { error?: ApiError }).error ?? { kind: "http", message: `HTTP ${xhr.status}` }));
    };
    xhr.onerror = () => reject(new ApiFailure(0, { kind: "network", message: "the upload failed (network error)" }));
    xhr.onabort = () => reject(new ApiFailure(0, { kind: "aborted", message: "the upload was cancelled" }));
    if (o.signal) {
      if (o.signal.aborted) return xhr.abort();
      o.signal.addEventListener("abort", () => xhr.abort());
    }
    xhr.send(file);
  });
}

export interface JobWatchHandlers {
  snapshot?: (job: Job, logs: JobLogLine[]) => void;
  progress?: (stage: string | null, percent: number, detail?: unknown) => void;
  log?: (line: JobLogLine) => void;
  state?: (job: Job) => void;
  /** The job reached a final state; the stream is closed. */
  end?: (state: Job["state"]) => void;
}

/** Watches one job over SSE (`/api/jobs/:id/events`). Returns a function that stops watching. */
export function watchJob(id: string, h: JobWatchHandlers, baseUrl = ""): () => void {
  const es = new EventSource(`${baseUrl}/api/jobs/${encodeURIComponent(id)}/events`);
  const on = <T>(name: string, f: (d: T) => void) => es.addEventListener(name, (e) => f(JSON.parse((e as MessageEvent<string>).data) as T));
  on<{ job: Job; logs: JobLogLine[] }>("snapshot", (d) => h.snapshot?.(d.job, d.logs));
  on<{ stage: string | null; percent: number; detail?: unknown }>("progress", (d) => h.progress?.(d.stage, d.percent, d.detail));
  on<JobLogLine>("log", (d) => h.log?.(d));
  on<{ job: Job }>("state", (d) => h.state?.(d.job));
  on<{ state: Job["state"] }>("end", (d) => {
    es.close();
    h.end?.(d.state);
  });
  return () => es.close();
}

export interface AllJobsHandlers {
  snapshot?: (jobs: Job[]) => void;
  state?: (job: Job) => void;
  /** `detail` while pulling: `PullDetail` (per-layer bytes). */
  progress?: (jobId: string, stage: string | null, percent: number, detail?: unknown) => void;
  removed?: (jobId: string) => void;
}

/** Watches every job (`/api/jobs/events`), for a job panel. */
export function watchAllJobs(h: AllJobsHandlers, baseUrl = ""): () => void {
  const es = new EventSource(`${baseUrl}/api/jobs/events`);
  const on = <T>(name: string, f: (d: T) => void) => es.addEventListener(name, (e) => f(JSON.parse((e as MessageEvent<string>).data) as T));
  on<{ jobs: Job[] }>("snapshot", (d) => h.snapshot?.(d.jobs));
  on<{ job: Job }>("state", (d) => h.state?.(d.job));
  on<{ jobId: string; stage: string | null; percent: number; detail?: unknown }>("progress", (d) => h.progress?.(d.jobId, d.stage, d.percent, d.detail));
  on<{ jobId: string }>("removed", (d) => h.removed?.(d.jobId));
  return () => es.close();
}

async function call<T>(method: string, path: string, body?: unknown, baseUrl = ""): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  if (res.status === 204) return null as T;
  const json = (await res.json()) as T & { error?: ApiError };
  if (!res.ok) throw new ApiFailure(res.status, json.error ?? { kind: "http", message: `HTTP ${res.status}` });
  return json;
}

export const jobsApi = {
  list: (baseUrl = "") => call<{ jobs: Job[] }>("GET", "/api/jobs", undefined, baseUrl).then((r) => r.jobs),
  get: (id: string, baseUrl = "") => call<{ job: Job; report: CompileReport | null }>("GET", `/api/jobs/${encodeURIComponent(id)}`, undefined, baseUrl),
  cancel: (id: string, baseUrl = "") => call<{ job: Job }>("POST", `/api/jobs/${encodeURIComponent(id)}/cancel`, undefined, baseUrl).then((r) => r.job),
  /** `params`: `{ platform }` / `{ name }` to pick another image or platform without re-uploading. */
  retry: (id: string, params?: { platform?: string; name?: string }, baseUrl = "") =>
    call<{ job: Job }>("POST", `/api/jobs/${encodeURIComponent(id)}/retry`, params, baseUrl).then((r) => r.job),
  remove: (id: string, baseUrl = "") => call<null>("DELETE", `/api/jobs/${encodeURIComponent(id)}`, undefined, baseUrl),
  /** `file`: one of `produced.native.extraFiles[].file` (e.g. the wasi:cli/run component); default the main artifact. */
  artifactUrl: (id: string, file?: string, baseUrl = "") => `${baseUrl}/api/jobs/${encodeURIComponent(id)}/artifact${file ? `?file=${encodeURIComponent(file)}` : ""}`,
  reportUrl: (id: string, download = false, baseUrl = "") => `${baseUrl}/api/jobs/${encodeURIComponent(id)}/report${download ? "?download=1" : ""}`,
};

export interface RegistrySettings {
  registries: { registry: string; username: string; updatedAt: string }[];
  pushTarget: string | null;
}

export interface PushInfo {
  reference: string;
  pinned: string;
  digest: string;
  tag: string;
  bytes: number;
  file: string;
  at: string;
}

/** Registries: pull by reference (a compile job), push a job's artifact, settings (passwords go in, never come back). */
export const registryApi = {
  /** `snapshot`: a start-up snapshot of a native image (runs resumed from it share its random seeds). */
  pull: (reference: string, platform?: string, baseUrl = "", o: { snapshot?: boolean } = {}) =>
    call<{ jobId: string; job: Job }>("POST", "/api/registry/pull", { reference, ...(platform ? { platform } : {}), ...(o.snapshot ? { snapshot: true } : {}) }, baseUrl),
  push: (jobId: string, reference?: string, baseUrl = "") =>
    call<{ push: PushInfo }>("POST", `/api/jobs/${encodeURIComponent(jobId)}/push`, reference ? { reference } : {}, baseUrl).then((r) => r.push),
  pushes: (jobId: string, baseUrl = "") => call<{ pushes?: PushInfo[] }>("GET", `/api/jobs/${encodeURIComponent(jobId)}`, undefined, baseUrl).then((r) => r.pushes ?? []),
  settings: (baseUrl = "") => call<RegistrySettings>("GET", "/api/registry/settings", undefined, baseUrl),
  update: (body: { registry: string; username: string; password: string } | { registry: string; remove: true } | { pushTarget: string }, baseUrl = "") =>
    call<RegistrySettings>("PUT", "/api/registry/settings", body, baseUrl),
};
