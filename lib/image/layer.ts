// Applies one layer (tar, tar+gzip or tar+zstd) onto the flattened tree,
// streaming: the compressed bytes are hashed on the way in, the tar bytes are
// hashed on the way out (diff_id), file contents are appended to a spool file
// in the job directory and only their offsets are kept in memory.

import { createHash, type Hash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { Decompress as ZstdDecompress } from "fzstd";
import tar from "tar-stream";
import { fail, ImageFailure, imageError } from "./errors";
import { FsTree, normalizeArchivePath } from "./fs-tree";

export type Compression = "gzip" | "zstd" | "none";

export interface Limits {
  /** Total bytes of file content across all layers. */
  maxUnpackedBytes: number;
  /** Total tar entries across all layers. */
  maxEntries: number;
  /** Longest path, in bytes. */
  maxPathLength: number;
  /** Largest decompressed/compressed ratio of one stream... */
  maxCompressionRatio: number;
  /** ...once it has produced at least this many bytes (small files compress oddly well). */
  ratioFloorBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxUnpackedBytes: 16 * 1024 ** 3,
  maxEntries: 1_000_000,
  maxPathLength: 4096,
  maxCompressionRatio: 200,
  ratioFloorBytes: 32 * 1024 ** 2,
};

export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  return "none";
}

/** Counts (and optionally hashes) the bytes flowing through. */
export class Tap extends Transform {
  bytes = 0;
  readonly hash?: Hash;
  constructor(
    withHash: boolean,
    private readonly onChunk?: (bytes: number, total: number) => void,
  ) {
    super();
    if (withHash) this.hash = createHash("sha256");
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    try {
      this.onChunk?.(chunk.length, this.bytes);
    } catch (e) {
      cb(e as Error);
      return;
    }
    cb(null, chunk);
  }
}

function zstdTransform(): Transform {
  let out: Transform;
  const d = new ZstdDecompress((data) => {
    out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  out = new Transform({
    transform(chunk: Buffer, _e, cb) {
      try {
        d.push(chunk);
        cb();
      } catch (e) {
        cb(new ImageFailure(imageError("layer-invalid", `zstd: ${(e as Error).message}`)));
      }
    },
    flush(cb) {
      try {
        d.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(new ImageFailure(imageError("archive-truncated", `zstd stream ended early: ${(e as Error).message}`)));
      }
    },
  });
  return out;
}

export function decompressor(c: Compression): Transform {
  if (c === "gzip") return createGunzip({ chunkSize: 256 * 1024 });
  if (c === "zstd") return zstdTransform();
  return new Transform({ transform: (chunk, _e, cb) => cb(null, chunk) });
}

/** Appends file contents to one spool file with 1 MiB write batches. */
export class Spool {
  private buf = Buffer.alloc(1 << 20);
  private used = 0;
  private flushed = 0;
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}
  static async create(path: string): Promise<Spool> {
    return new Spool(path, await open(path, "w"));
  }
  get size(): number {
    return this.flushed + this.used;
  }
  async write(chunk: Buffer): Promise<void> {
    if (chunk.length >= this.buf.length) {
      await this.flush();
      await this.fh.write(chunk, 0, chunk.length, this.flushed);
      this.flushed += chunk.length;
      return;
    }
    if (this.used + chunk.length > this.buf.length) await this.flush();
    chunk.copy(this.buf, this.used);
    this.used += chunk.length;
  }
  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.fh.write(this.buf, 0, this.used, this.flushed);
    this.flushed += this.used;
    this.used = 0;
  }
  async close(): Promise<void> {
    await this.flush();
    await this.fh.close();
  }
}

export interface SkippedEntry {
  path: string;
  type: string;
  layer: number;
}

export interface Budget {
  entries: number;
  bytes: number;
}

export interface LayerResult {
  compression: Compression;
  compressedSize: number;
  /** Size of the uncompressed tar stream. */
  tarSize: number;
  /** sha256 of the bytes as stored (the blob digest); absent when not asked for and not free. */
  digest?: string;
  /** sha256 of the uncompressed tar (the config's diff_id). */
  diffId: string;
  entries: number;
  fileBytes: number;
  whiteouts: number;
}

export interface ApplyLayerOptions {
  tree: FsTree;
  layer: number;
  spool: Spool;
  limits: Limits;
  budget: Budget;
  skipped: SkippedEntry[];
  /** Hash the blob as stored (needed when the manifest states its digest). Uncompressed blobs get it free from the diff_id. */
  hashBlob?: boolean;
  /** Called with compressed bytes read so far in this layer. */
  onProgress?: (compressedBytes: number) => void;
  signal?: AbortSignal;
}

/** Maps stream/zlib/tar-stream errors to typed image errors. */
export function streamError(e: unknown, what: string, badDataKind: "layer-invalid" | "archive-invalid" = "layer-invalid"): ImageFailure {
  if (e instanceof ImageFailure) return e;
  const x = e as NodeJS.ErrnoException;
  const msg = x?.message ?? String(e);
  if (x?.name === "AbortError") return new ImageFailure(imageError("io", "cancelled"));
  if (x?.code === "Z_BUF_ERROR" || /unexpected end|premature|truncated/i.test(msg)) {
    return new ImageFailure(imageError("archive-truncated", `${what} is truncated: ${msg}`));
  }
  if (typeof x?.code === "string" && x.code.startsWith("Z_")) return new ImageFailure(imageError(badDataKind, `${what}: bad compressed data (${msg})`));
  if (/tar header|invalid/i.test(msg)) return new ImageFailure(imageError(badDataKind, `${what}: ${msg}`));
  return new ImageFailure(imageError("io", `${what}: ${msg}`));
}

/** Streams `source` (the layer blob as stored) into the tree. Throws ImageFailure. */
export async function applyLayer(source: Readable, compression: Compression, o: ApplyLayerOptions): Promise<LayerResult> {
  const { tree, layer, spool, limits, budget } = o;
  const what = `layer ${layer}`;
  // An uncompressed blob's digest is its diff_id: hash it once.
  const tapIn = new Tap(compression !== "none" && o.hashBlob !== false, (_n, total) => o.onProgress?.(total));
  const tapOut = new Tap(true, (_n, total) => {
    if (total > limits.ratioFloorBytes && total > tapIn.bytes * limits.maxCompressionRatio && compression !== "none") {
      fail("limit-ratio", `${what} expands more than ${limits.maxCompressionRatio}:1 (${tapIn.bytes} → ${total} bytes so far): refusing a likely decompression bomb`);
    }
    if (total > limits.maxUnpackedBytes + 1024 * 1024 * 64) {
      fail("limit-size", `${what} decompresses beyond the ${limits.maxUnpackedBytes}-byte limit`);
    }
  });
  const extract = tar.extract();
  const piping = pipeline(source, tapIn, decompressor(compression), tapOut, extract, { signal: o.signal });
  piping.catch(() => undefined); // observed below; avoid an unhandled rejection while the consumer runs
  let entries = 0, fileBytes = 0, whiteouts = 0;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      entries++;
      if (++budget.entries > limits.maxEntries) fail("limit-entries", `the image has more than ${limits.maxEntries} entries`);
      const path = normalizeArchivePath(h.name, { maxPath: limits.maxPathLength });
      const slash = path.lastIndexOf("/");
      const dir = slash < 0 ? "" : path.slice(0, slash);
      const base = slash < 0 ? path : path.slice(slash + 1);
      const meta = {
        perm: (h.mode ?? 0) & 0o7777,
        uid: h.uid ?? 0,
        gid: h.gid ?? 0,
        mtime: h.mtime ? Math.floor(h.mtime.getTime() / 1000) : 0,
        // pax headers carry sub-second times; tar-stream keeps milliseconds of them.
        mtimeNsec: h.mtime ? (((h.mtime.getTime() % 1000) + 1000) % 1000) * 1_000_000 : 0,
      };
      if (base.startsWith(".wh.")) {
        whiteouts++;
        if (base === ".wh..wh..opq") tree.opaque(dir, layer);
        else {
          const name = base.slice(4);
          if (name === "" || name === "." || name === "..") fail("path-escape", `bad whiteout name ${h.name}`, { path: h.name });
          tree.whiteout(dir === "" ? name : `${dir}/${name}`, layer);
        }
        entry.resume();
        continue;
      }
      switch (h.type) {
        case "directory":
          tree.mkdir(path, meta, layer);
          entry.resume();
          break;
        case "file":
        case "contiguous-file": {
          const size = h.size ?? 0;
          budget.bytes += size;
          if (budget.bytes > limits.maxUnpackedBytes) fail("limit-size", `the image unpacks to more than ${limits.maxUnpackedBytes} bytes`, { path: "/" + path });
          const offset = spool.size;
          for await (const chunk of entry) await spool.write(chunk as Buffer);
          if (spool.size - offset !== size) fail("archive-truncated", `${what}: file /${path} is shorter than its header says`, { path: "/" + path });
          fileBytes += size;
          if (path === "") fail("path-invalid", "a file cannot replace the root", { path: "/" });
          tree.addFile(path, { kind: "file", path: spool.path, offset, length: size }, size, meta, layer);
          break;
        }
        case "symlink":
          tree.addSymlink(path, h.linkname ?? "", meta, layer);
          entry.resume();
          break;
        case "link": {
          const target = normalizeArchivePath(h.linkname ?? "", { maxPath: limits.maxPathLength });
          tree.addHardLink(path, target, layer);
          entry.resume();
          break;
        }
        case "character-device":
        case "block-device":
        case "fifo":
          skipped(o, path, h.type);
          entry.resume();
          break;
        default:
          // Anything else tar-stream hands us (e.g. unknown vendor types) is recorded, never silently dropped.
          skipped(o, path, String(h.type ?? "unknown"));
          entry.resume();
      }
      if (o.signal?.aborted) fail("io", "cancelled");
    }
    await piping;
  } catch (e) {
    source.destroy();
    extract.destroy();
    throw streamError(e, what);
  }
  const diffId = "sha256:" + tapOut.hash!.digest("hex");
  const digest = tapIn.hash ? "sha256:" + tapIn.hash.digest("hex") : compression === "none" ? diffId : undefined;
  return {
    compression,
    compressedSize: tapIn.bytes,
    tarSize: tapOut.bytes,
    diffId,
    ...(digest ? { digest } : {}),
    entries,
    fileBytes,
    whiteouts,
  };
}

function skipped(o: ApplyLayerOptions, path: string, type: string): void {
  o.skipped.push({ path: "/" + path, type, layer: o.layer });
}
