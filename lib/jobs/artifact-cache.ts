// Content-addressed cache of compiled artifacts: the key is the image's
// platform manifest digest, the platform and the x86-64 core's own digest, so
// a second compile of the same image with the same core reuses the files
// instead of unpacking and compiling again. Entries live in
// `<dataDir>/cache/artifacts/<key>/` and are copied into the job directory.

import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { placeFile } from "./place-file";

export interface CacheableResult {
  produced: { file: string; witFile?: string; native?: { extraFiles?: { file: string }[] } } | null;
}

const coreIds = new Map<string, string>();

/** sha256 of the core binary ("none" when it is not built: Wasm images do not need it). */
export async function coreId(corePath: string): Promise<string> {
  const hit = coreIds.get(corePath);
  if (hit) return hit;
  let id = "none";
  if (existsSync(corePath)) {
    const h = createHash("sha256");
    for await (const c of createReadStream(corePath)) h.update(c as Buffer);
    id = "sha256:" + h.digest("hex");
  }
  coreIds.set(corePath, id);
  return id;
}

export function cacheKey(manifestDigest: string, platform: string, core: string, o: { snapshot?: boolean } = {}): string {
  // an artifact with a start-up snapshot is another artifact (the key of one without is unchanged)
  return createHash("sha256").update(JSON.stringify({ v: 1, manifestDigest, platform, core, ...(o.snapshot ? { snapshot: true } : {}) })).digest("hex");
}

const entryDir = (dataDir: string, key: string) => join(dataDir, "cache", "artifacts", key);

function filesOf(r: CacheableResult): string[] {
  const p = r.produced;
  if (!p) return [];
  return [p.file, ...(p.witFile ? [p.witFile] : []), ...(p.native?.extraFiles ?? []).map((x) => x.file)].filter((f) => !f.startsWith("/") && !f.includes(".."));
}

/** Copies a cached entry into `jobDir`; returns its result and report, or null on a miss. */
export async function restoreCached<T extends CacheableResult>(dataDir: string, key: string, jobDir: string): Promise<{ result: T; report: Record<string, unknown> } | null> {
  const dir = entryDir(dataDir, key);
  let result: T, report: Record<string, unknown>;
  try {
    result = JSON.parse(await readFile(join(dir, "result.json"), "utf8")) as T;
    report = JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
  const files = filesOf(result);
  if (!files.every((f) => existsSync(join(dir, f)))) return null;
  for (const f of files) await placeFile(join(dir, f), join(jobDir, f));
  return { result, report };
}

/** Stores a succeeded compile's files (written to a temp dir, renamed into place). */
export async function storeCached(dataDir: string, key: string, jobDir: string, result: CacheableResult): Promise<void> {
  const dir = entryDir(dataDir, key);
  if (existsSync(join(dir, "result.json"))) return;
  const tmp = `${dir}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    for (const f of filesOf(result)) await placeFile(join(jobDir, f), join(tmp, f));
    await copyFile(join(jobDir, "report.json"), join(tmp, "report.json"));
    await writeFile(join(tmp, "result.json"), JSON.stringify(result));
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if ((e as NodeJS.ErrnoException).code !== "ENOTEMPTY" && (e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
}
