// Reads the structure of an uploaded image archive: `docker save` tarballs
// (manifest.json + layer tars) and OCI image layouts (oci-layout, index.json,
// blobs/sha256/…), plain or gzip-compressed. Resolves which manifest to use
// (platform choice), reads and verifies the small JSON blobs, and describes
// every layer so the unpacker can stream it from the archive by offset.

import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open, rm, stat, type FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fail } from "./errors";
import { decompressor, detectCompression, streamError, Tap, type Limits } from "./layer";
import { indexTar, type TarMember } from "./tar-index";

export const WASM_LAYER_TYPES = new Set([
  "application/vnd.wasm.content.layer.v1+wasm",
  "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm",
  "application/wasm",
]);

const INDEX_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);

export interface PlatformInfo {
  os: string;
  architecture: string;
  variant?: string;
  /** `os/architecture[/variant]` */
  label: string;
  manifestDigest: string;
  /** False when the index lists the platform but the archive lacks its blobs. */
  available: boolean;
}

export interface LayerRef {
  index: number;
  /** Member of the outer archive holding the blob. */
  member: TarMember;
  mediaType: string;
  /** Digest of the blob as stored, when the manifest states it. */
  digest?: string;
  /** Size stated by the manifest (OCI); docker-save states none. */
  size: number;
  /** sha256 of the uncompressed layer, from the config's rootfs.diff_ids. */
  diffId?: string;
  wasm: boolean;
  /** A data layer of a Wasm artifact (e.g. a Spin app's config): verified, reported, not unpacked. */
  other?: boolean;
}

export interface ImageConfigSummary {
  entrypoint: string[] | null;
  cmd: string[] | null;
  env: string[];
  workingDir: string;
  user: string;
  exposedPorts: string[];
  labels: Record<string, string>;
  architecture: string;
  os: string;
  variant?: string;
}

export interface ResolvedImage {
  format: "docker-save" | "oci-layout";
  /** The (decompressed) archive the members point into. */
  archivePath: string;
  outerCompression: "gzip" | "zstd" | "none";
  platforms: PlatformInfo[];
  platform: string;
  manifestDigest?: string;
  configDigest?: string;
  configMediaType?: string;
  names: string[];
  config: ImageConfigSummary;
  layers: LayerRef[];
}

export interface OpenOptions {
  /** `os/arch[/variant]`; default `linux/amd64`. */
  platform?: string;
  /** Image name/tag to pick when the archive holds several. */
  name?: string;
  limits: Limits;
  /** Where a decompressed copy of a gzip outer tar may be written. */
  workDir: string;
  signal?: AbortSignal;
}

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const MAX_JSON = 16 * 1024 * 1024;

export function checkDigest(d: unknown, where: string): string {
  if (typeof d !== "string") fail("manifest-invalid", `${where}: missing digest`);
  if (d.startsWith("sha256:") && DIGEST_RE.test(d)) return d;
  if (/^[a-z0-9]+:/.test(d) && !d.startsWith("sha256:")) fail("manifest-invalid", `${where}: unsupported digest algorithm in ${d}`, { digest: d });
  fail("manifest-invalid", `${where}: malformed digest ${JSON.stringify(d).slice(0, 100)}`);
}

export function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice("sha256:".length)}`;
}

export class ImageArchive {
  private constructor(
    readonly path: string,
    readonly fh: FileHandle,
    readonly members: Map<string, TarMember>,
    readonly outerCompression: "gzip" | "zstd" | "none",
  ) {}

  /** Opens the upload; a compressed outer tar is first decompressed into workDir (with bomb limits). */
  static async open(file: string, o: { limits: Limits; workDir: string; signal?: AbortSignal; onProgress?: (fraction: number) => void }): Promise<ImageArchive> {
    const head = Buffer.alloc(4);
    const fh0 = await open(file, "r");
    await fh0.read(head, 0, 4, 0);
    await fh0.close();
    const comp = detectCompression(head);
    let tarPath = file;
    if (comp !== "none") {
      tarPath = `${o.workDir}/upload.tar`;
      const total = (await stat(file)).size || 1;
      const tap = new Tap(false, (_n, read) => o.onProgress?.(read / total));
      const out = new Tap(false, (_n, total) => {
        if (total > o.limits.ratioFloorBytes && total > tap.bytes * o.limits.maxCompressionRatio) {
          fail("limit-ratio", `the upload expands more than ${o.limits.maxCompressionRatio}:1: refusing a likely decompression bomb`);
        }
        if (total > o.limits.maxUnpackedBytes) fail("limit-size", `the upload decompresses beyond ${o.limits.maxUnpackedBytes} bytes`);
      });
      try {
        await pipeline(createReadStream(file), tap, decompressor(comp), out, createWriteStream(tarPath), { signal: o.signal });
      } catch (e) {
        await rm(tarPath, { force: true });
        throw streamError(e, "the upload", "archive-invalid");
      }
    }
    const fh = await open(tarPath, "r");
    try {
      const size = (await stat(tarPath)).size;
      const members = await indexTar(fh, size);
      return new ImageArchive(tarPath, fh, members, comp);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  /** The file member `name`; symlinks and hard links among members (older
   *  `docker save` links duplicate layers) are followed, inside the archive only. */
  member(name: string, digest?: string): TarMember {
    let m = this.members.get(name);
    for (let hops = 0; m && (m.type === "symlink" || m.type === "hardlink") && hops < 8; hops++) {
      const base = m.type === "symlink" ? m.name.split("/").slice(0, -1).join("/") : "";
      const target = m.linkname ?? "";
      // Resolve `..` against the member's directory; anything leaving the archive root is refused.
      const joined = target.startsWith("/") ? target.slice(1) : base ? `${base}/${target}` : target;
      const parts: string[] = [];
      for (const c of joined.split("/")) {
        if (c === "" || c === ".") continue;
        if (c === "..") {
          if (parts.length === 0) fail("path-escape", `archive member ${m.name} links outside the archive: ${target}`, { path: m.name });
          parts.pop();
        } else parts.push(c);
      }
      const resolved = parts.join("/");
      m = this.members.get(resolved);
    }
    if (!m || m.type !== "file") {
      fail("blob-missing", digest ? `blob ${digest} is referenced but not in the archive` : `${name} is referenced but not in the archive`, digest ? { digest } : { path: name });
    }
    return m;
  }

  stream(m: TarMember): Readable {
    if (m.size === 0) return Readable.from([]);
    return createReadStream(this.path, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 1 << 20 });
  }

  /** Reads a small blob whole; verifies its digest (and size) when given. */
  async readBlob(m: TarMember, expect?: { digest?: string; size?: number }): Promise<Buffer> {
    if (m.size > MAX_JSON) fail("manifest-invalid", `${m.name} is too large for a manifest or config (${m.size} bytes)`);
    if (expect?.size !== undefined && expect.size !== m.size) {
      fail("digest-mismatch", `blob ${expect.digest ?? m.name} has ${m.size} bytes, the manifest says ${expect.size}`, expect.digest ? { digest: expect.digest } : {});
    }
    const b = Buffer.alloc(m.size);
    await this.fh.read(b, 0, m.size, m.offset);
    if (expect?.digest) {
      const got = "sha256:" + createHash("sha256").update(b).digest("hex");
      if (got !== expect.digest) fail("digest-mismatch", `blob ${expect.digest} has digest ${got}`, { digest: expect.digest });
    }
    return b;
  }

  async readJson(m: TarMember, expect?: { digest?: string; size?: number }): Promise<unknown> {
    const b = await this.readBlob(m, expect);
    try {
      return JSON.parse(b.toString("utf8"));
    } catch (e) {
      fail("manifest-invalid", `${m.name} is not valid JSON: ${(e as Error).message}`, expect?.digest ? { digest: expect.digest } : { path: m.name });
    }
  }
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === "object" && x !== null && !Array.isArray(x);
const strArr = (x: unknown): string[] | null => (Array.isArray(x) && x.every((s) => typeof s === "string") ? (x as string[]) : null);

export function platformLabel(p: { os: string; architecture: string; variant?: string }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

export function summarizeConfig(cfg: unknown): ImageConfigSummary {
  const c = isObj(cfg) ? cfg : {};
  const inner = isObj(c.config) ? c.config : isObj(c.container_config) ? c.container_config : {};
  const labels: Record<string, string> = {};
  if (isObj(inner.Labels)) for (const [k, v] of Object.entries(inner.Labels)) if (typeof v === "string") labels[k] = v;
  return {
    entrypoint: strArr(inner.Entrypoint),
    cmd: strArr(inner.Cmd),
    env: strArr(inner.Env) ?? [],
    workingDir: typeof inner.WorkingDir === "string" ? inner.WorkingDir : "",
    user: typeof inner.User === "string" ? inner.User : "",
    exposedPorts: isObj(inner.ExposedPorts) ? Object.keys(inner.ExposedPorts) : [],
    labels,
    architecture: typeof c.architecture === "string" ? c.architecture : "",
    os: typeof c.os === "string" ? c.os : "",
    ...(typeof c.variant === "string" ? { variant: c.variant } : {}),
  };
}

function diffIdsOf(cfg: unknown): string[] {
  if (!isObj(cfg) || !isObj(cfg.rootfs)) return [];
  return strArr(cfg.rootfs.diff_ids) ?? [];
}

interface Candidate {
  digest: string;
  size?: number;
  platform?: { os: string; architecture: string; variant?: string };
  names: string[];
}

/** Resolves the archive into one image: format, platform, config and layers. */
export async function resolveImage(archive: ImageArchive, o: OpenOptions): Promise<ResolvedImage> {
  if (archive.members.has("oci-layout") && archive.members.has("index.json")) return resolveOci(archive, o);
  if (archive.members.has("manifest.json")) return resolveDockerSave(archive, o);
  fail("unknown-format", "not a docker-save or OCI layout archive: neither manifest.json nor oci-layout + index.json found");
}

async function resolveOci(archive: ImageArchive, o: OpenOptions): Promise<ResolvedImage> {
  const layout = await archive.readJson(archive.member("oci-layout"));
  if (!isObj(layout) || typeof layout.imageLayoutVersion !== "string") fail("manifest-invalid", "oci-layout has no imageLayoutVersion");
  const index = await archive.readJson(archive.member("index.json"));
  const candidates: Candidate[] = [];
  // Walks nested indexes (a docker-built archive wraps the multi-platform index in index.json).
  const walk = async (idx: unknown, names: string[], depth: number): Promise<void> => {
    if (depth > 4) fail("manifest-invalid", "image indexes nested too deeply");
    if (!isObj(idx) || !Array.isArray(idx.manifests)) fail("manifest-invalid", "an image index has no manifests array");
    for (const d of idx.manifests) {
      if (!isObj(d)) fail("manifest-invalid", "malformed descriptor in an image index");
      const digest = checkDigest(d.digest, "index descriptor");
      const ann = isObj(d.annotations) ? d.annotations : {};
      if (ann["vnd.docker.reference.type"] === "attestation-manifest") continue;
      const refNames = [ann["io.containerd.image.name"], ann["org.opencontainers.image.ref.name"]].filter((x): x is string => typeof x === "string");
      const allNames = [...names, ...refNames];
      const size = typeof d.size === "number" ? d.size : undefined;
      if (typeof d.mediaType === "string" && INDEX_TYPES.has(d.mediaType)) {
        const nested = await archive.readJson(archive.member(blobPath(digest), digest), { digest, size });
        await walk(nested, allNames, depth + 1);
        continue;
      }
      const p = isObj(d.platform) && typeof d.platform.os === "string" && typeof d.platform.architecture === "string"
        ? { os: d.platform.os, architecture: d.platform.architecture, ...(typeof d.platform.variant === "string" ? { variant: d.platform.variant } : {}) }
        : undefined;
      if (p && p.os === "unknown") continue;
      candidates.push({ digest, size, platform: p, names: allNames });
    }
  };
  await walk(index, [], 0);
  if (candidates.length === 0) fail("manifest-invalid", "index.json lists no image manifest");

  let pool = candidates;
  if (o.name) {
    const named = candidates.filter((c) => c.names.some((n) => nameMatches(n, o.name!)));
    if (named.length > 0) pool = named;
  }
  // Load a candidate's manifest and config (verified). Candidates without a
  // platform in the index get it from their config.
  type Loaded = { manifest: Json; config: unknown; configDigest: string; configMediaType: string };
  const load = async (c: Candidate): Promise<Loaded> => {
    const manifest = await archive.readJson(archive.member(blobPath(c.digest), c.digest), { digest: c.digest, size: c.size });
    if (!isObj(manifest) || !isObj(manifest.config) || !Array.isArray(manifest.layers)) fail("manifest-invalid", `manifest ${c.digest} has no config or layers`, { digest: c.digest });
    const configDigest = checkDigest(manifest.config.digest, `manifest ${c.digest} config`);
    const configSize = typeof manifest.config.size === "number" ? manifest.config.size : undefined;
    const config = await archive.readJson(archive.member(blobPath(configDigest), configDigest), { digest: configDigest, size: configSize });
    return { manifest, config, configDigest, configMediaType: String(manifest.config.mediaType ?? "") };
  };
  const platforms: PlatformInfo[] = [];
  const loaded = new Map<string, Loaded>();
  for (const c of pool) {
    // `docker save` of one platform of a multi-platform image keeps the whole
    // index but only that platform's blobs: list the others as unavailable.
    const available = archive.members.has(blobPath(c.digest));
    let p = c.platform;
    if (!p) {
      if (!available) continue;
      const l = await load(c);
      loaded.set(c.digest, l);
      const s = summarizeConfig(l.config);
      p = { os: s.os || "unknown", architecture: s.architecture || "unknown", ...(s.variant ? { variant: s.variant } : {}) };
    }
    platforms.push({ ...p, label: platformLabel(p), manifestDigest: c.digest, available });
  }
  if (platforms.length === 0) fail("blob-missing", "none of the manifests index.json lists is in the archive", { digest: pool[0]!.digest });
  const chosen = choosePlatform(platforms, o.platform);
  if (!chosen.available) {
    fail("blob-missing", `platform ${chosen.label} is listed, but its manifest ${chosen.manifestDigest} is not in the archive`, { digest: chosen.manifestDigest });
  }
  const cand = pool.find((c) => c.digest === chosen.manifestDigest)!;
  const { manifest, config, configDigest, configMediaType } = loaded.get(chosen.manifestDigest) ?? (await load(cand));
  const diffIds = diffIdsOf(config);
  const layerDescs = manifest.layers as unknown[];
  // Wasm artifacts may carry data layers of their own types next to the Wasm ones.
  const anyWasm = layerDescs.some((d) => isObj(d) && typeof d.mediaType === "string" && WASM_LAYER_TYPES.has(d.mediaType));
  const layers: LayerRef[] = layerDescs.map((d, i) => {
    if (!isObj(d)) fail("manifest-invalid", `manifest ${chosen.manifestDigest} has a malformed layer descriptor`);
    const digest = checkDigest(d.digest, `layer ${i}`);
    const mediaType = typeof d.mediaType === "string" ? d.mediaType : "";
    const wasm = WASM_LAYER_TYPES.has(mediaType);
    const other = !wasm && !isTarMediaType(mediaType);
    if (other && !anyWasm) fail("unsupported-media-type", `layer ${i} (${digest}) has media type ${mediaType || "(none)"}, which is neither a tar layer nor a Wasm layer`, { digest });
    const member = archive.member(blobPath(digest), digest);
    const size = typeof d.size === "number" ? d.size : member.size;
    if (size !== member.size) fail("digest-mismatch", `blob ${digest} has ${member.size} bytes, the manifest says ${size}`, { digest });
    return { index: i, member, mediaType, digest, size, wasm, ...(other ? { other } : {}), ...(diffIds[i] && !wasm && !other ? { diffId: diffIds[i] } : {}) };
  });
  const names = [...new Set(pool.find((c) => c.digest === chosen.manifestDigest)?.names ?? [])];
  return {
    format: "oci-layout",
    archivePath: archive.path,
    outerCompression: archive.outerCompression,
    platforms,
    platform: chosen.label,
    manifestDigest: chosen.manifestDigest,
    configDigest,
    configMediaType,
    names,
    config: summarizeConfig(config),
    layers,
  };
}

/** `alpine`, `alpine:3`, `library/alpine:3` and `docker.io/library/alpine:3` name
 *  the same image (an OCI `ref.name` that is only a tag matches that tag exactly). */
export function nameMatches(candidate: string, wanted: string): boolean {
  const norm = (x: string) => x.replace(/^docker\.io\//, "").replace(/^library\//, "");
  const split = (x: string): [string, string | undefined] => {
    const colon = x.lastIndexOf(":");
    return colon > x.lastIndexOf("/") ? [x.slice(0, colon), x.slice(colon + 1)] : [x, undefined];
  };
  const c = norm(candidate), w = norm(wanted);
  if (c === w) return true;
  return !w.includes(":") && split(c)[0] === w;
}

function isTarMediaType(mt: string): boolean {
  return mt === "" || mt.includes(".tar") || mt.includes("rootfs.diff") || mt.endsWith("+tar");
}

/** Picks the platform: the one asked for, else linux/amd64, else the only one; `platform-not-found` lists the choices. */
export function choosePlatform(platforms: PlatformInfo[], wanted?: string): PlatformInfo {
  const list = platforms.map((p) => p.label + (p.available ? "" : " (blobs not in the archive)")).join(", ");
  const offered = { platforms: platforms.filter((p) => p.available).map((p) => p.label) };
  if (wanted) {
    const hit =
      platforms.find((p) => p.label === wanted && p.available) ??
      platforms.find((p) => `${p.os}/${p.architecture}` === wanted && p.available) ??
      platforms.find((p) => p.label === wanted || `${p.os}/${p.architecture}` === wanted);
    if (!hit) fail("platform-not-found", `platform ${wanted} is not in this image; it lists: ${list}`, offered);
    return hit;
  }
  const usable = platforms.filter((p) => p.available);
  const amd = usable.find((p) => p.os === "linux" && p.architecture === "amd64");
  if (amd) return amd;
  if (usable.length === 1) return usable[0]!;
  fail("platform-not-found", `no linux/amd64 image here; choose one of: ${list}`, offered);
}

async function resolveDockerSave(archive: ImageArchive, o: OpenOptions): Promise<ResolvedImage> {
  const man = await archive.readJson(archive.member("manifest.json"));
  if (!Array.isArray(man) || man.length === 0) fail("manifest-invalid", "manifest.json is not a non-empty array");
  let entry = man[0] as unknown;
  if (o.name) {
    const hit = man.find((m) => isObj(m) && (strArr(m.RepoTags) ?? []).some((t) => nameMatches(t, o.name!)));
    if (hit) entry = hit;
  }
  if (!isObj(entry) || typeof entry.Config !== "string") fail("manifest-invalid", "manifest.json entry has no Config");
  const layerNames = strArr(entry.Layers);
  if (!layerNames) fail("manifest-invalid", "manifest.json entry has no Layers array");
  const configName = entry.Config;
  // The config's file name is its digest (`<hex>.json` or `blobs/sha256/<hex>`): verify it.
  const hex = /(?:^|\/)([a-f0-9]{64})(?:\.json)?$/.exec(configName)?.[1];
  const configDigest = hex ? `sha256:${hex}` : undefined;
  const config = await archive.readJson(archive.member(configName), configDigest ? { digest: configDigest } : undefined);
  const s = summarizeConfig(config);
  const diffIds = diffIdsOf(config);
  if (diffIds.length !== layerNames.length) {
    fail("manifest-invalid", `the config lists ${diffIds.length} diff_ids for ${layerNames.length} layers`);
  }
  const sources = isObj(entry.LayerSources) ? entry.LayerSources : {};
  const layers: LayerRef[] = layerNames.map((name, i) => {
    const blobHex = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name)?.[1];
    const digest = blobHex ? `sha256:${blobHex}` : undefined;
    const member = archive.member(name, digest ?? diffIds[i]);
    const src = isObj(sources[diffIds[i] ?? ""]) ? (sources[diffIds[i]!] as Json) : {};
    const mediaType = typeof src.mediaType === "string" ? src.mediaType : "application/vnd.docker.image.rootfs.diff.tar";
    return { index: i, member, mediaType, ...(digest ? { digest } : {}), size: member.size, diffId: checkDigest(diffIds[i], `diff_id ${i}`), wasm: false };
  });
  const p = { os: s.os || "unknown", architecture: s.architecture || "unknown", ...(s.variant ? { variant: s.variant } : {}) };
  const label = platformLabel(p);
  if (o.platform && o.platform !== label && o.platform !== `${p.os}/${p.architecture}`) {
    fail("platform-not-found", `platform ${o.platform} is not in this image; it lists: ${label}`, { platforms: [label] });
  }
  return {
    format: "docker-save",
    archivePath: archive.path,
    outerCompression: archive.outerCompression,
    platforms: [{ ...p, label, manifestDigest: configDigest ?? "", available: true }],
    platform: label,
    ...(configDigest ? { configDigest } : {}),
    names: strArr(entry.RepoTags) ?? [],
    config: s,
    layers,
  };
}
