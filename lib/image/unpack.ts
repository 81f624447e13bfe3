// The whole image path: open the upload, resolve the manifest for the chosen
// platform, stream every layer into one flattened tree (verifying digests),
// write the packed rootfs, classify. Everything it writes goes under workDir.

import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { Readable, Writable } from "node:stream";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { err, ok, type Result } from "../result";
import { fail, ImageFailure, toImageError, type ImageError } from "./errors";
import { FsTree } from "./fs-tree";
import { ImageArchive, resolveImage, type ImageConfigSummary, type PlatformInfo } from "./image-archive";
import { applyLayer, DEFAULT_LIMITS, detectCompression, Spool, streamError, Tap, type Compression, type Limits, type SkippedEntry } from "./layer";
import { writePackedRootfs, type PackStats } from "./packed-rootfs";
import { classifyImage, treeView, type Classification, type WasmLayerInput } from "./classify";

export type UnpackStage = "open" | "manifest" | "layers" | "pack" | "classify";

export interface UnpackProgress {
  stage: UnpackStage;
  /** 0–100 within the stage. */
  percent: number;
  message?: string;
}

export interface UnpackOptions {
  /** The uploaded archive. */
  file: string;
  /** Job directory: every file this writes goes here. */
  workDir: string;
  platform?: string;
  name?: string;
  limits?: Partial<Limits>;
  onProgress?: (p: UnpackProgress) => void;
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}

export interface LayerReport {
  index: number;
  mediaType: string;
  /** Blob digest (as stored); absent for a compressed layer of a legacy docker save, which names layers by diff_id only. */
  digest?: string;
  /** Blob size (as stored). */
  size: number;
  diffId?: string;
  compression: Compression;
  wasm: boolean;
  /** A data layer of a Wasm artifact: digest verified, not unpacked. */
  other?: boolean;
  /** Uncompressed tar size (tar layers). */
  tarSize?: number;
  entries?: number;
  fileBytes?: number;
  whiteouts?: number;
}

export interface UnpackResult {
  format: "docker-save" | "oci-layout";
  outerCompression: Compression;
  platforms: PlatformInfo[];
  platform: string;
  names: string[];
  manifestDigest?: string;
  configDigest?: string;
  config: ImageConfigSummary;
  layers: LayerReport[];
  /** Wasm layers copied out of the archive (their bytes, under workDir). */
  wasmLayers: { digest: string; mediaType: string; size: number; path: string }[];
  /** The flattened filesystem. */
  files: number;
  dirs: number;
  symlinks: number;
  entries: number;
  unpackedBytes: number;
  skipped: SkippedEntry[];
  /** The packed rootfs file (absent for a pure Wasm artifact with no tar layers). */
  rootfs?: { path: string } & PackStats;
  classification: Classification;
  /** For a Wasm image: the module/component bytes, copied under workDir. */
  wasmFile?: string;
  timingsMs: Record<UnpackStage, number>;
}

/** Unpacks, packs and classifies an image. Never throws: failures are typed errors. */
export async function unpackImage(o: UnpackOptions): Promise<Result<UnpackResult, ImageError>> {
  try {
    return ok(await run(o));
  } catch (e) {
    return err(toImageError(e instanceof ImageFailure ? e : streamError(e, "the image")));
  }
}

async function run(o: UnpackOptions): Promise<UnpackResult> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...o.limits };
  const timings: Record<UnpackStage, number> = { open: 0, manifest: 0, layers: 0, pack: 0, classify: 0 };
  const progress = (stage: UnpackStage, percent: number, message?: string) => o.onProgress?.({ stage, percent: Math.max(0, Math.min(100, percent)), ...(message ? { message } : {}) });
  const log = (s: string) => o.onLog?.(s);
  const cancelled = () => {
    if (o.signal?.aborted) fail("io", "cancelled");
  };
  await mkdir(o.workDir, { recursive: true });

  let t = performance.now();
  progress("open", 0, "reading the archive");
  const archive = await ImageArchive.open(o.file, {
    limits,
    workDir: o.workDir,
    onProgress: (f) => progress("open", f * 100, "decompressing the archive"),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  try {
    timings.open = performance.now() - t;
    log(`archive: ${archive.members.size} members${archive.outerCompression !== "none" ? ` (outer ${archive.outerCompression})` : ""}`);
    cancelled();

    t = performance.now();
    progress("manifest", 0);
    const img = await resolveImage(archive, { limits, workDir: o.workDir, ...(o.platform ? { platform: o.platform } : {}), ...(o.name ? { name: o.name } : {}) });
    timings.manifest = performance.now() - t;
    log(`${img.format}: platform ${img.platform} (of ${img.platforms.map((p) => p.label).join(", ")}), ${img.layers.length} layers`);
    cancelled();

    t = performance.now();
    const tree = new FsTree();
    const spoolPath = join(o.workDir, "content.spool");
    const spool = await Spool.create(spoolPath);
    const budget = { entries: 0, bytes: 0 };
    const skipped: SkippedEntry[] = [];
    const layers: LayerReport[] = [];
    const wasmLayers: UnpackResult["wasmLayers"] = [];
    const wasmInputs: WasmLayerInput[] = [];
    const totalBytes = img.layers.reduce((a, l) => a + l.member.size, 0) || 1;
    let doneBytes = 0;
    try {
      for (const l of img.layers) {
        cancelled();
        const onBytes = (n: number) => progress("layers", ((doneBytes + n) / totalBytes) * 100, `layer ${l.index + 1}/${img.layers.length}`);
        if (l.other) {
          const tap = new Tap(true, (_n, total) => onBytes(total));
          try {
            await pipeline(archive.stream(l.member), tap, new Writable({ write: (_c, _e, cb) => cb() }), o.signal ? { signal: o.signal } : {});
          } catch (e) {
            throw streamError(e, `layer ${l.index}`);
          }
          const digest = "sha256:" + tap.hash!.digest("hex");
          if (l.digest && digest !== l.digest) fail("digest-mismatch", `blob ${l.digest} has digest ${digest}`, { digest: l.digest });
          layers.push({ index: l.index, mediaType: l.mediaType, digest, size: l.member.size, compression: "none", wasm: false, other: true });
          log(`layer ${l.index}: ${l.mediaType}, ${l.member.size} bytes (a data layer of the artifact; not unpacked)`);
        } else if (l.wasm) {
          const dir = join(o.workDir, "wasm");
          await mkdir(dir, { recursive: true });
          const out = join(dir, `layer-${l.index}.wasm`);
          const tap = new Tap(true, (_n, total) => onBytes(total));
          try {
            await pipeline(archive.stream(l.member), tap, createWriteStream(out), o.signal ? { signal: o.signal } : {});
          } catch (e) {
            throw streamError(e, `layer ${l.index}`);
          }
          const digest = "sha256:" + tap.hash!.digest("hex");
          if (l.digest && digest !== l.digest) fail("digest-mismatch", `blob ${l.digest} has digest ${digest}`, { digest: l.digest });
          const head = await archive.readBlob({ ...l.member, size: Math.min(8, l.member.size) });
          wasmLayers.push({ digest, mediaType: l.mediaType, size: l.member.size, path: out });
          wasmInputs.push({ digest, mediaType: l.mediaType, size: l.member.size, head });
          layers.push({ index: l.index, mediaType: l.mediaType, digest, size: l.member.size, compression: "none", wasm: true });
          log(`layer ${l.index}: Wasm ${l.mediaType}, ${l.member.size} bytes`);
        } else {
          const head = await archive.readBlob({ ...l.member, size: Math.min(4, l.member.size) });
          const compression = detectCompression(head);
          const r = await applyLayer(archive.stream(l.member), compression, {
            tree,
            layer: l.index,
            spool,
            limits,
            budget,
            skipped,
            onProgress: onBytes,
            // Legacy docker-save states no blob digest (diff_ids are checked instead); skip hashing compressed bytes then.
            hashBlob: l.digest !== undefined,
            ...(o.signal ? { signal: o.signal } : {}),
          });
          if (l.digest && r.digest !== l.digest) fail("digest-mismatch", `blob ${l.digest} has digest ${r.digest}`, { digest: l.digest });
          if (l.diffId && r.diffId !== l.diffId) fail("digest-mismatch", `layer ${l.index}: uncompressed content has digest ${r.diffId}, the config's diff_id is ${l.diffId}`, { digest: l.diffId });
          layers.push({
            index: l.index,
            mediaType: l.mediaType,
            ...(r.digest ? { digest: r.digest } : {}),
            size: r.compressedSize,
            ...(l.diffId ? { diffId: l.diffId } : { diffId: r.diffId }),
            compression,
            wasm: false,
            tarSize: r.tarSize,
            entries: r.entries,
            fileBytes: r.fileBytes,
            whiteouts: r.whiteouts,
          });
          log(`layer ${l.index}: ${compression === "none" ? "tar" : `tar+${compression}`}, ${r.compressedSize} → ${r.tarSize} bytes, ${r.entries} entries, ${r.whiteouts} whiteouts`);
        }
        doneBytes += l.member.size;
      }
    } finally {
      await spool.close();
    }
    timings.layers = performance.now() - t;
    // The report lists every skipped entry; the log names the first few.
    for (const s of skipped.slice(0, 20)) log(`skipped ${s.type} ${s.path} (layer ${s.layer})`);
    if (skipped.length > 20) log(`… and ${skipped.length - 20} more device/fifo entries skipped (listed in the report)`);

    const st = tree.stats();
    let rootfs: UnpackResult["rootfs"];
    t = performance.now();
    const hasTarLayers = img.layers.some((l) => !l.wasm && !l.other);
    if (hasTarLayers) {
      progress("pack", 0, "writing the packed rootfs");
      const out = join(o.workDir, "rootfs.img");
      const r = await writePackedRootfs(tree, out, { onProgress: (f) => progress("pack", f * 100, "writing the packed rootfs"), ...(o.signal ? { signal: o.signal } : {}) });
      if (!r.ok) throw new ImageFailure(r.error);
      rootfs = { path: out, ...r.value };
      log(`packed rootfs: ${r.value.entries} entries, ${r.value.totalSize} bytes`);
      progress("pack", 100);
    }
    timings.pack = performance.now() - t;

    t = performance.now();
    progress("classify", 0);
    const classification = await classifyImage({ config: img.config, wasmLayers: wasmInputs, view: treeView(tree) });
    timings.classify = performance.now() - t;
    log(`classification: ${classification.kind}${classification.kind === "unsupported" ? ` (${classification.reason})` : ""}`);
    let wasmFile: string | undefined;
    if (classification.kind === "wasm") {
      if (classification.source === "layer") wasmFile = wasmLayers.find((w) => w.digest === classification.layerDigest)?.path;
      else if (classification.path) {
        // Copy the entry's bytes out of the spool before the spool is deleted.
        const node = tree.get(classification.path.slice(1));
        const c = node?.inode.content;
        if (c) {
          await mkdir(join(o.workDir, "wasm"), { recursive: true });
          wasmFile = join(o.workDir, "wasm", "entrypoint.wasm");
          const src = c.kind === "buffer" ? Readable.from([Buffer.from(c.data)]) : c.length === 0 ? Readable.from([]) : createReadStream(c.path, { start: c.offset, end: c.offset + c.length - 1 });
          await pipeline(src, createWriteStream(wasmFile));
        }
      }
    }

    return {
      format: img.format,
      outerCompression: img.outerCompression,
      platforms: img.platforms,
      platform: img.platform,
      names: img.names,
      ...(img.manifestDigest ? { manifestDigest: img.manifestDigest } : {}),
      ...(img.configDigest ? { configDigest: img.configDigest } : {}),
      config: img.config,
      layers,
      wasmLayers,
      files: st.files,
      dirs: st.dirs,
      symlinks: st.symlinks,
      entries: st.entries,
      unpackedBytes: st.bytes,
      skipped,
      ...(rootfs ? { rootfs } : {}),
      classification,
      ...(wasmFile ? { wasmFile } : {}),
      timingsMs: timings,
    };
  } finally {
    await archive.close();
    if (archive.path !== o.file) await rm(archive.path, { force: true });
    await rm(join(o.workDir, "content.spool"), { force: true });
  }
}

/** sha256 of a buffer as an OCI digest. */
export function sha256Digest(b: Uint8Array): string {
  return "sha256:" + createHash("sha256").update(b).digest("hex");
}
