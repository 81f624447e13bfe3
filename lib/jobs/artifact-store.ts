// Where remote workers put what a job produced, so the server and the
// workers need no shared job directory: `TRELLIS_ARTIFACTS=file:///dir`.
// A run's files go to `<dir>/<jobId>/<run>/`, written under a `.partial-`
// name and renamed into place whole, so a worker killed mid-write leaves no
// half artifact. When the server takes a run's files it removes every other
// run of that job (a killed worker's partial one), so a job ends with exactly
// one artifact however often it was started.

import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, link, mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { err, ok, type Result } from "../result";

export interface ArtifactStore {
  kind: "file";
  dir: string;
  url: string;
}

export interface ArtifactStoreError {
  kind: "artifacts-url-invalid" | "artifact-missing" | "artifact-io";
  message: string;
}

export function parseArtifactStore(url: string): Result<ArtifactStore, ArtifactStoreError> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return err({ kind: "artifacts-url-invalid", message: `TRELLIS_ARTIFACTS must be file:///absolute/dir, got ${JSON.stringify(url)}` });
  }
  if (u.protocol !== "file:") return err({ kind: "artifacts-url-invalid", message: `TRELLIS_ARTIFACTS: only file:///dir is supported, got ${JSON.stringify(u.protocol)}` });
  const dir = fileURLToPath(u);
  return ok({ kind: "file", dir, url: u.toString() });
}

const SAFE = /^[A-Za-z0-9_-]{1,64}$/;

/** A file name a result may list: relative, inside the run directory. */
function inside(base: string, name: string): string | null {
  if (!name || name.startsWith("/") || name.split(/[\\/]/).includes("..")) return null;
  const p = resolve(base, name);
  return p.startsWith(resolve(base) + sep) ? p : null;
}

async function place(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await rm(to, { force: true });
  try {
    await link(from, to); // same file system: no copy of a big artifact
  } catch {
    await copyFile(from, to);
  }
}

/** Puts `files` (relative to `srcDir`) under a new run of `jobId`; returns the run's name. */
export async function putRun(store: ArtifactStore, jobId: string, srcDir: string, files: string[]): Promise<Result<string, ArtifactStoreError>> {
  if (!SAFE.test(jobId)) return err({ kind: "artifact-io", message: `invalid job id ${JSON.stringify(jobId)}` });
  const run = randomUUID().replace(/-/g, "").slice(0, 16);
  const jobDir = join(store.dir, jobId);
  const partial = join(jobDir, `.partial-${run}`);
  try {
    await mkdir(partial, { recursive: true });
    for (const f of files) {
      const src = inside(srcDir, f);
      const dst = inside(partial, f);
      if (!src || !dst) return err({ kind: "artifact-io", message: `refused the file name ${JSON.stringify(f)}` });
      await place(src, dst);
    }
    await rename(partial, join(jobDir, run));
    return ok(run);
  } catch (e) {
    await rm(partial, { recursive: true, force: true });
    return err({ kind: "artifact-io", message: `could not store the artifact in ${store.url}: ${(e as Error).message}` });
  }
}

/** Brings a run's files into `destDir` and drops the job's other runs. */
export async function takeRun(store: ArtifactStore, jobId: string, run: string, files: string[], destDir: string): Promise<Result<null, ArtifactStoreError>> {
  if (!SAFE.test(jobId) || !/^[A-Za-z0-9]{1,32}$/.test(run)) return err({ kind: "artifact-missing", message: `invalid artifact run ${JSON.stringify(run)}` });
  const runDir = join(store.dir, jobId, run);
  if (!existsSync(runDir)) return err({ kind: "artifact-missing", message: `the artifact of this job is not in ${store.url} (run ${run})` });
  try {
    for (const f of files) {
      const src = inside(runDir, f);
      const dst = inside(destDir, f);
      if (!src || !dst) return err({ kind: "artifact-missing", message: `refused the file name ${JSON.stringify(f)}` });
      await place(src, dst);
    }
    for (const other of await readdir(join(store.dir, jobId))) {
      if (other !== run) await rm(join(store.dir, jobId, other), { recursive: true, force: true });
    }
    return ok(null);
  } catch (e) {
    return err({ kind: "artifact-io", message: `could not read the artifact from ${store.url}: ${(e as Error).message}` });
  }
}

/** The runs stored for a job (finished ones; `.partial-` ones are listed with their prefix). */
export async function listRuns(store: ArtifactStore, jobId: string): Promise<string[]> {
  try {
    return (await readdir(join(store.dir, jobId))).sort();
  } catch {
    return [];
  }
}

export async function removeJobArtifacts(store: ArtifactStore, jobId: string): Promise<void> {
  if (SAFE.test(jobId)) await rm(join(store.dir, jobId), { recursive: true, force: true });
}
