// Pulls one image from a registry into an OCI image layout tar (the same input
// an upload gives the compile pipeline): index.json → the tag's manifest or
// index → the chosen platform's manifest, its config and layers. Every blob is
// streamed straight into the tar file with its size and sha256 checked on the
// way; the tar is written as `<out>.partial` and renamed only when complete,
// so a failure leaves nothing behind.

import { createHash } from "node:crypto";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { err, ok, type Result } from "../result";
import { checkDigest, choosePlatform, platformLabel, type PlatformInfo } from "../image/image-archive";
import { RegistryClient, INDEX_MEDIA_TYPES, MEDIA, type ClientOptions } from "./client";
import { rfail, RegistryFailure, toRegistryError, type RegistryError } from "./errors";
import { parseReference, withDigest, type ImageReference } from "./reference";
import { tarHeader, tarPadding, TAR_END } from "./tar-writer";

export interface PullLayerProgress {
  digest: string;
  mediaType: string;
  size: number;
  done: number;
}

export interface PullProgress {
  doneBytes: number;
  totalBytes: number;
  /** Config first, then the layers in order. */
  blobs: PullLayerProgress[];
  /** Index into `blobs` being fetched now (-1 before the first, `blobs.length` when done). */
  current: number;
}

export interface PullOptions extends ClientOptions {
  reference: string | ImageReference;
  /** Where the OCI layout tar goes. */
  outFile: string;
  /** `os/arch[/variant]`; from an index, default linux/amd64 (or the only one). */
  platform?: string;
  /** Largest total of config + layer bytes (uploads have TRELLIS_MAX_UPLOAD). */
  maxBytes?: number;
  onProgress?: (p: PullProgress) => void;
  onLog?: (line: string) => void;
  /** Called once the manifests are resolved, before any layer is fetched: `true` stops there
   *  (e.g. a compile cache has the artifact of this digest); the result then has `stopped`. */
  stopBeforeBlobs?: (resolved: { digest: string; manifestDigest: string; platform?: string }) => Promise<boolean> | boolean;
}

export interface PullResult {
  /** Set when stopBeforeBlobs said so: nothing was written. */
  stopped?: boolean;
  /** The reference as resolved (`registry/repo:tag`). */
  reference: string;
  /** The same pinned to the digest the tag pointed at. */
  pinned: string;
  /** Digest of what the tag points at (an index or a manifest). */
  digest: string;
  mediaType: string;
  /** The platform's own manifest (same as `digest` when there is no index). */
  manifestDigest: string;
  configDigest: string;
  /** Chosen from an index; absent for a single-manifest image. */
  platform?: string;
  platforms: string[];
  layers: { digest: string; mediaType: string; size: number }[];
  blobBytes: number;
  file: string;
  fileBytes: number;
  ms: number;
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === "object" && x !== null && !Array.isArray(x);

interface Desc {
  mediaType: string;
  digest: string;
  size: number;
}

function desc(d: unknown, where: string): Desc {
  if (!isObj(d)) rfail("manifest-invalid", `${where} is not a descriptor`);
  const digest = checkDigest(d.digest, where);
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) rfail("manifest-invalid", `${where} (${digest}) has no valid size`, { digest });
  return { mediaType: typeof d.mediaType === "string" ? d.mediaType : "", digest, size: d.size };
}

function parseJson(b: Buffer, what: string): Json {
  try {
    const j = JSON.parse(b.toString("utf8")) as unknown;
    if (isObj(j)) return j;
  } catch {
    // fall through
  }
  rfail("manifest-invalid", `${what} is not a JSON object`);
}

const short = (d: string) => d.slice(0, 19);
/** Blobs fetched at once (docker's default is 3). */
const PARALLEL_BLOBS = 3;
const mb = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** Pulls `reference`; never throws. Errors name the reference. */
export async function pullImage(o: PullOptions): Promise<Result<PullResult, RegistryError>> {
  const input = typeof o.reference === "string" ? o.reference : o.reference.canonical;
  const parsed = typeof o.reference === "string" ? parseReference(o.reference) : ok(o.reference);
  if (!parsed.ok) return parsed;
  const ref = parsed.value;
  const partial = `${o.outFile}.partial`;
  let fh: FileHandle | undefined;
  try {
    const r = await pull(ref, o, partial, (h) => (fh = h));
    if (r.stopped) return ok(r);
    await fh?.close();
    fh = undefined;
    await rename(partial, o.outFile);
    return ok(r);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(partial, { force: true });
    return err(toRegistryError(e, input));
  }
}

async function pull(ref: ImageReference, o: PullOptions, partial: string, setFh: (h: FileHandle) => void): Promise<PullResult> {
  const t0 = performance.now();
  const log = (s: string) => o.onLog?.(s);
  // One signal for every request of this pull: the caller's cancel, or the first failed blob.
  const stop = new AbortController();
  if (o.signal?.aborted) stop.abort();
  o.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  const client = new RegistryClient(ref.registry, ref.repository, { ...o, signal: stop.signal });
  const top = await client.getManifest(ref.digest ?? ref.tag!);
  const written: { digest: string; bytes: Buffer }[] = [{ digest: top.digest, bytes: top.bytes }];
  let manifestDigest = top.digest;
  let manifest: Json;
  let platform: string | undefined;
  let platforms: string[] = [];
  if (INDEX_MEDIA_TYPES.has(top.mediaType)) {
    const index = parseJson(top.bytes, "the image index");
    if (!Array.isArray(index.manifests)) rfail("manifest-invalid", "the image index has no manifests array");
    const offered: PlatformInfo[] = [];
    for (const [i, d] of index.manifests.entries()) {
      const x = desc(d, `index entry ${i}`);
      const p = isObj(d) && isObj(d.platform) ? d.platform : null;
      const ann = isObj(d) && isObj(d.annotations) ? d.annotations : {};
      // BuildKit attestations sit in the index as unknown/unknown.
      if (ann["vnd.docker.reference.type"] === "attestation-manifest") continue;
      if (!p || typeof p.os !== "string" || typeof p.architecture !== "string" || p.os === "unknown") continue;
      const plat = { os: p.os, architecture: p.architecture, ...(typeof p.variant === "string" ? { variant: p.variant } : {}) };
      offered.push({ ...plat, label: platformLabel(plat), manifestDigest: x.digest, available: true });
    }
    if (offered.length === 0) rfail("manifest-invalid", "the image index lists no image for any platform");
    platforms = offered.map((p) => p.label);
    const chosen = choosePlatform(offered, o.platform);
    platform = chosen.label;
    const m = await client.getManifest(chosen.manifestDigest);
    if (INDEX_MEDIA_TYPES.has(m.mediaType)) rfail("manifest-invalid", `the index entry for ${chosen.label} is another index`);
    manifestDigest = m.digest;
    written.push({ digest: m.digest, bytes: m.bytes });
    manifest = parseJson(m.bytes, "the manifest");
    log(`${ref.canonical} → ${top.digest} (${top.mediaType === MEDIA.ociIndex ? "OCI index" : "Docker manifest list"} of ${platforms.join(", ")}); ${chosen.label}: ${m.digest}`);
  } else {
    manifest = parseJson(top.bytes, "the manifest");
    log(`${ref.canonical} → ${top.digest} (${top.mediaType === MEDIA.ociManifest ? "OCI manifest" : "Docker schema 2 manifest"})`);
  }
  if (!Array.isArray(manifest.layers)) rfail("manifest-invalid", `manifest ${manifestDigest} has no layers array`, { digest: manifestDigest });
  const config = desc(manifest.config, `the config of manifest ${manifestDigest}`);
  const layers = manifest.layers.map((d, i) => desc(d, `layer ${i} of manifest ${manifestDigest}`));
  const blobs = [config, ...layers];
  const totalBytes = blobs.reduce((a, b) => a + b.size, 0);
  if (o.maxBytes !== undefined && totalBytes > o.maxBytes) rfail("limit-size", `the image is ${totalBytes} bytes, more than the ${o.maxBytes}-byte limit (TRELLIS_MAX_UPLOAD)`);

  const result = (fileBytes: number, extra: { stopped?: boolean } = {}): PullResult => ({
    ...extra,
    reference: ref.canonical.split("@")[0]!,
    pinned: withDigest(ref, top.digest).canonical,
    digest: top.digest,
    mediaType: top.mediaType,
    manifestDigest,
    configDigest: config.digest,
    ...(platform ? { platform } : {}),
    platforms,
    layers: layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size })),
    blobBytes: totalBytes,
    file: extra.stopped ? "" : o.outFile,
    fileBytes,
    ms: Math.round(performance.now() - t0),
  });
  if (o.stopBeforeBlobs && (await o.stopBeforeBlobs({ digest: top.digest, manifestDigest, ...(platform ? { platform } : {}) }))) return result(0, { stopped: true });

  // The OCI layout: index.json names the tag's target; blobs follow.
  const fh = await open(partial, "w");
  setFh(fh);
  let pos = 0;
  const put = async (b: Buffer) => {
    await fh.write(b, 0, b.length, pos);
    pos += b.length;
  };
  const file = async (name: string, b: Buffer) => {
    await put(tarHeader(name, b.length));
    await put(b);
    await put(tarPadding(b.length));
  };
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.ociIndex,
    manifests: [{ mediaType: top.mediaType, digest: top.digest, size: top.bytes.length, annotations: { "io.containerd.image.name": ref.canonical.split("@")[0] } }],
  };
  await file("oci-layout", Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" })));
  await file("index.json", Buffer.from(JSON.stringify(index)));
  await put(tarHeader("blobs/", 0, "5"));
  await put(tarHeader("blobs/sha256/", 0, "5"));
  for (const w of written) await file(`blobs/sha256/${w.digest.slice(7)}`, w.bytes);

  const progress: PullProgress = { doneBytes: 0, totalBytes, blobs: blobs.map((b) => ({ digest: b.digest, mediaType: b.mediaType, size: b.size, done: 0 })), current: -1 };
  o.onProgress?.(progress);
  // Sizes are known up front, so every blob's place in the tar is too: a few
  // are fetched at once, each written at its own offset (as docker and skopeo
  // fetch layers in parallel). The first failure stops the others.
  const seen = new Set<string>(written.map((w) => w.digest));
  const plan: { i: number; b: Desc; at: number }[] = [];
  for (const [i, b] of blobs.entries()) {
    if (seen.has(b.digest)) {
      // The same blob twice (e.g. an empty layer repeated): one copy in the layout.
      progress.blobs[i]!.done = b.size;
      progress.doneBytes += b.size;
      continue;
    }
    seen.add(b.digest);
    plan.push({ i, b, at: pos });
    pos += 512 + b.size + tarPadding(b.size).length;
  }
  const fetchOne = async ({ i, b, at }: { i: number; b: Desc; at: number }) => {
    const what = i === 0 ? "the config" : `layer ${i}/${layers.length}`;
    await fh.write(tarHeader(`blobs/sha256/${b.digest.slice(7)}`, b.size), 0, 512, at);
    const { stream, length } = await client.getBlob(b.digest);
    if (length !== null && length !== b.size) {
      stream.destroy();
      rfail("digest-mismatch", `the registry sends ${what} (${b.digest}) with ${length} bytes; the manifest says ${b.size}`, { digest: b.digest });
    }
    const hash = createHash("sha256");
    let n = 0;
    try {
      for await (const chunk of stream) {
        const c = chunk as Buffer;
        if (n + c.length > b.size) rfail("digest-mismatch", `${what} (${b.digest}) is longer than the ${b.size} bytes its descriptor states`, { digest: b.digest });
        hash.update(c);
        await fh.write(c, 0, c.length, at + 512 + n);
        n += c.length;
        progress.blobs[i]!.done = n;
        progress.doneBytes += c.length;
        o.onProgress?.(progress);
      }
    } catch (e) {
      stream.destroy();
      if (e instanceof RegistryFailure) throw e;
      if ((e as Error).name === "AbortError" || stop.signal.aborted) rfail("cancelled", "cancelled");
      rfail("interrupted", `the registry stopped sending ${what} (${b.digest}) after ${n} of ${b.size} bytes: ${(e as Error).message}`, { digest: b.digest });
    }
    if (n < b.size) rfail("interrupted", `the registry stopped sending ${what} (${b.digest}) after ${n} of ${b.size} bytes`, { digest: b.digest });
    const got = "sha256:" + hash.digest("hex");
    if (got !== b.digest) rfail("digest-mismatch", `${what} has digest ${got}, not ${b.digest} as the manifest says`, { digest: b.digest });
    const pad = tarPadding(b.size);
    if (pad.length) await fh.write(pad, 0, pad.length, at + 512 + b.size);
    log(`${what}: ${short(b.digest)}… ${mb(b.size)} verified`);
  };
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    try {
      while (next < plan.length && failure === null) {
        const p = plan[next++]!;
        progress.current = Math.max(progress.current, p.i);
        await fetchOne(p);
      }
    } catch (e) {
      if (failure === null) {
        failure = e;
        stop.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_BLOBS, plan.length) }, worker));
  if (failure !== null) throw failure;
  progress.current = blobs.length;
  o.onProgress?.(progress);
  await put(TAR_END);
  const r = result(pos);
  log(`pulled ${mb(totalBytes)} in ${r.ms} ms`);
  return r;
}
