// Where remote workers put what a job produced, so the server and the
// workers need no shared job directory (TRELLIS_ARTIFACTS):
// - `file:///dir` (one machine, or a shared mount): a run's files go to
//   `<dir>/<jobId>/<run>/`, written under a `.partial-` name and renamed into
//   place whole, so a worker killed mid-write leaves no half artifact. When the
//   server takes a run's files it removes every other run of that job (a
//   killed worker's partial one), so a job ends with exactly one artifact.
// - `oci://host[:port]/repository` (the registries of lib/registry): each file
//   is a blob (content-addressed, so a rerun adds nothing twice), and the run
//   is an OCI manifest tagged `<jobId>-<run>` naming the files; it is pushed
//   last, so a run a killed worker did not finish has no manifest.

import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { RegistryClient, MEDIA, type ClientOptions } from "../registry/client";
import { parseReference } from "../registry/reference";
import { err, ok, type Result } from "../result";
import { placeFile } from "./place-file";

export type ArtifactStore = { kind: "file"; dir: string; url: string } | { kind: "oci"; registry: string; repository: string; url: string };

/** The artifact type of a run's manifest in a registry. */
export const RUN_ARTIFACT_TYPE = "application/vnd.trellis.job-artifacts.v1+json";
const TITLE = "org.opencontainers.image.title";

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
  if (u.protocol === "oci:") {
    const rest = url.slice("oci://".length);
    const path = rest.slice(rest.indexOf("/") + 1);
    const ref = parseReference(rest);
    if (!ref.ok || !rest.includes("/") || /[:@]/.test(path)) {
      return err({ kind: "artifacts-url-invalid", message: `TRELLIS_ARTIFACTS: oci://host[:port]/repository (no tag or digest), got ${JSON.stringify(url)}` });
    }
    return ok({ kind: "oci", registry: ref.value.registry, repository: ref.value.repository, url: `oci://${ref.value.registry}/${ref.value.repository}` });
  }
  if (u.protocol !== "file:") return err({ kind: "artifacts-url-invalid", message: `TRELLIS_ARTIFACTS: file:///dir or oci://host/repository, got ${JSON.stringify(u.protocol)}` });
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

/** Puts `files` (relative to `srcDir`) under a new run of `jobId`; returns the run's name. */
export async function putRun(store: ArtifactStore, jobId: string, srcDir: string, files: string[], registry: ClientOptions = {}): Promise<Result<string, ArtifactStoreError>> {
  if (!SAFE.test(jobId)) return err({ kind: "artifact-io", message: `invalid job id ${JSON.stringify(jobId)}` });
  const run = randomUUID().replace(/-/g, "").slice(0, 16);
  if (store.kind === "oci") return putOci(store, jobId, run, srcDir, files, registry);
  const jobDir = join((store as { dir: string }).dir, jobId);
  const partial = join(jobDir, `.partial-${run}`);
  try {
    await mkdir(partial, { recursive: true });
    for (const f of files) {
      const src = inside(srcDir, f);
      const dst = inside(partial, f);
      if (!src || !dst) return err({ kind: "artifact-io", message: `refused the file name ${JSON.stringify(f)}` });
      await placeFile(src, dst);
    }
    await rename(partial, join(jobDir, run));
    return ok(run);
  } catch (e) {
    await rm(partial, { recursive: true, force: true });
    return err({ kind: "artifact-io", message: `could not store the artifact in ${store.url}: ${(e as Error).message}` });
  }
}

/** Brings a run's files into `destDir` and drops the job's other runs. */
export async function takeRun(store: ArtifactStore, jobId: string, run: string, files: string[], destDir: string, registry: ClientOptions = {}): Promise<Result<null, ArtifactStoreError>> {
  if (!SAFE.test(jobId) || !/^[A-Za-z0-9]{1,32}$/.test(run)) return err({ kind: "artifact-missing", message: `invalid artifact run ${JSON.stringify(run)}` });
  if (store.kind === "oci") return takeOci(store, jobId, run, files, destDir, registry);
  const dir = (store as { dir: string }).dir;
  const runDir = join(dir, jobId, run);
  if (!existsSync(runDir)) return err({ kind: "artifact-missing", message: `the artifact of this job is not in ${store.url} (run ${run})` });
  try {
    for (const f of files) {
      const src = inside(runDir, f);
      const dst = inside(destDir, f);
      if (!src || !dst) return err({ kind: "artifact-missing", message: `refused the file name ${JSON.stringify(f)}` });
      await placeFile(src, dst);
    }
    for (const other of await readdir(join(dir, jobId))) {
      if (other !== run) await rm(join(dir, jobId, other), { recursive: true, force: true });
    }
    return ok(null);
  } catch (e) {
    return err({ kind: "artifact-io", message: `could not read the artifact from ${store.url}: ${(e as Error).message}` });
  }
}

/** The runs stored for a job (finished ones; `.partial-` ones are listed with their prefix). */
export async function listRuns(store: ArtifactStore, jobId: string): Promise<string[]> {
  if (store.kind !== "file") return [];
  try {
    return (await readdir(join(store.dir, jobId))).sort();
  } catch {
    return [];
  }
}

export async function removeJobArtifacts(store: ArtifactStore, jobId: string): Promise<void> {
  // A registry keeps its runs (tags and blobs are the registry's to garbage-collect).
  if (store.kind === "file" && SAFE.test(jobId)) await rm(join(store.dir, jobId), { recursive: true, force: true });
}

async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return "sha256:" + h.digest("hex");
}

async function putOci(store: Extract<ArtifactStore, { kind: "oci" }>, jobId: string, run: string, srcDir: string, files: string[], o: ClientOptions): Promise<Result<string, ArtifactStoreError>> {
  const client = new RegistryClient(store.registry, store.repository, o);
  try {
    const layers: { mediaType: string; digest: string; size: number; annotations: Record<string, string> }[] = [];
    for (const f of files) {
      const src = inside(srcDir, f);
      if (!src) return err({ kind: "artifact-io", message: `refused the file name ${JSON.stringify(f)}` });
      const size = (await stat(src)).size;
      const digest = await sha256File(src);
      await client.pushBlob(digest, size, () => createReadStream(src, { highWaterMark: 1 << 20 }));
      layers.push({ mediaType: f.endsWith(".wasm") ? "application/wasm" : "application/octet-stream", digest, size, annotations: { [TITLE]: f } });
    }
    const config = Buffer.from(JSON.stringify({ jobId, run, files }));
    const configDigest = "sha256:" + createHash("sha256").update(config).digest("hex");
    await client.pushBlob(configDigest, config.length, () => config);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, artifactType: RUN_ARTIFACT_TYPE, config: { mediaType: RUN_ARTIFACT_TYPE, digest: configDigest, size: config.length }, layers }));
    // Last: a run is in the registry only once its manifest is.
    await client.putManifest(`${jobId}-${run}`, manifest, MEDIA.ociManifest);
    return ok(run);
  } catch (e) {
    return err({ kind: "artifact-io", message: `could not push the artifact to ${store.url}: ${(e as Error).message}` });
  }
}

async function takeOci(store: Extract<ArtifactStore, { kind: "oci" }>, jobId: string, run: string, files: string[], destDir: string, o: ClientOptions): Promise<Result<null, ArtifactStoreError>> {
  const client = new RegistryClient(store.registry, store.repository, o);
  try {
    const m = JSON.parse((await client.getManifest(`${jobId}-${run}`)).bytes.toString("utf8")) as { layers?: { digest: string; size: number; annotations?: Record<string, string> }[] };
    for (const f of files) {
      const layer = m.layers?.find((l) => l.annotations?.[TITLE] === f);
      const dst = inside(destDir, f);
      if (!layer || !dst) return err({ kind: "artifact-missing", message: `the artifact in ${store.url} (tag ${jobId}-${run}) has no file ${JSON.stringify(f)}` });
      const { stream } = await client.getBlob(layer.digest);
      const h = createHash("sha256");
      let n = 0;
      const tmp = `${dst}.partial`;
      await mkdir(dirname(dst), { recursive: true });
      await pipeline(stream, new Transform({ transform(c: Buffer, _e, cb) { h.update(c); n += c.length; cb(null, c); } }), createWriteStream(tmp));
      if (n !== layer.size || "sha256:" + h.digest("hex") !== layer.digest) {
        await rm(tmp, { force: true });
        return err({ kind: "artifact-missing", message: `${f} from ${store.url} does not match its digest ${layer.digest}` });
      }
      await rename(tmp, dst);
    }
    return ok(null);
  } catch (e) {
    return err({ kind: "artifact-missing", message: `could not fetch the artifact from ${store.url} (tag ${jobId}-${run}): ${(e as Error).message}` });
  }
}
