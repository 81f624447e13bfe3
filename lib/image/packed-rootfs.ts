// Writer and reader for the packed rootfs format v1 (see PACKED-ROOTFS.md).
// The writer streams file contents from wherever they live; the reader answers
// lookups on a buffer by binary search and returns subarrays (no copies).

import { lstat, open, readdir as readdirHost, readlink as readlinkHost, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { err, ok, type Result } from "../result";
import { fail, imageError, toImageError, type ImageError } from "./errors";
import { walkPath } from "./walk-path";
import { FsTree, normalizeArchivePath, type ContentSource, type FsInode, type FsNode, type Meta } from "./fs-tree";

export const PACKED_MAGIC = "TRLSROFS";
export const PACKED_VERSION = 1;
export const HEADER_SIZE = 64;
export const INDEX_ENTRY_SIZE = 16;
export const INODE_SIZE = 64;

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

const typeBits: Record<FsInode["type"], number> = { file: S_IFREG, dir: S_IFDIR, symlink: S_IFLNK };

export interface PackStats {
  entries: number;
  inodes: number;
  files: number;
  dirs: number;
  symlinks: number;
  /** Bytes of distinct regular-file content. */
  contentBytes: number;
  totalSize: number;
}

/** Writes `tree` as a packed rootfs to `outFile`. File contents are streamed
 *  from their sources in 1 MiB batches; only the tables are built in memory. */
export interface WriteOptions {
  /** Called with the fraction (0–1) of the file written. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export async function writePackedRootfs(tree: FsTree, outFile: string, opts: WriteOptions = {}): Promise<Result<PackStats, ImageError>> {
  try {
    return ok(await writeTree(tree, outFile, opts));
  } catch (e) {
    return err(toImageError(e));
  }
}

interface Row {
  path: string;
  bytes: Buffer;
  node: FsNode;
}

async function writeTree(tree: FsTree, outFile: string, opts: WriteOptions): Promise<PackStats> {
  const rows: Row[] = [];
  for (const [path, node] of tree.walk()) rows.push({ path, bytes: Buffer.from(path), node });
  rows.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const n = rows.length;
  const idxOf = new Map<string, number>();
  rows.forEach((r, i) => idxOf.set(r.path, i));

  // Inodes in order of first appearance; hard links share one.
  const inodeNo = new Map<FsInode, number>();
  const inodes: FsInode[] = [];
  const nlink: number[] = [];
  for (const r of rows) {
    let no = inodeNo.get(r.node.inode);
    if (no === undefined) {
      no = inodes.length;
      inodeNo.set(r.node.inode, no);
      inodes.push(r.node.inode);
      nlink.push(0);
    }
    nlink[no]!++;
  }
  const m = inodes.length;

  const indexOffset = HEADER_SIZE;
  const inodeOffset = indexOffset + n * INDEX_ENTRY_SIZE;
  const stringsOffset = inodeOffset + m * INODE_SIZE;
  let stringsLen = 0;
  for (const r of rows) stringsLen += r.bytes.length;
  if (stringsLen > 0xffffffff) fail("limit-size", "path string pool exceeds 4 GiB");
  const dataOffset = Math.ceil((stringsOffset + stringsLen) / 8) * 8;

  // Directory child lists (path-index numbers sorted by child name).
  const dirChildren = new Map<number, Uint32Array>();
  const blobSize: number[] = new Array(m);
  const blobAt: number[] = new Array(m);
  const stats = { files: 0, dirs: 0, symlinks: 0, contentBytes: 0 };
  for (const r of rows) {
    const no = inodeNo.get(r.node.inode)!;
    if (blobSize[no] !== undefined) continue;
    const ino = r.node.inode;
    if (ino.type === "dir") {
      stats.dirs++;
      const names = [...ino.children!.keys()].map((k) => Buffer.from(k)).sort(Buffer.compare);
      const list = new Uint32Array(names.length);
      names.forEach((name, i) => {
        const childPath = r.path === "" ? name.toString() : `${r.path}/${name.toString()}`;
        list[i] = idxOf.get(childPath)!;
      });
      dirChildren.set(no, list);
      blobSize[no] = list.length * 4;
    } else if (ino.type === "symlink") {
      stats.symlinks++;
      blobSize[no] = Buffer.byteLength(ino.target ?? "");
    } else {
      stats.files++;
      stats.contentBytes += ino.size;
      blobSize[no] = ino.size;
    }
  }
  let pos = dataOffset;
  for (let i = 0; i < m; i++) {
    if (blobSize[i] === 0) {
      blobAt[i] = 0;
      continue;
    }
    blobAt[i] = pos;
    pos = Math.ceil((pos + blobSize[i]!) / 8) * 8;
  }
  // total_size is the end of the last blob rounded up to 8 (zero padding included).
  const totalSize = pos;

  const head = Buffer.alloc(dataOffset);
  head.write(PACKED_MAGIC, 0, "latin1");
  head.writeUInt32LE(PACKED_VERSION, 8);
  head.writeUInt32LE(HEADER_SIZE, 12);
  head.writeUInt32LE(n, 16);
  head.writeUInt32LE(m, 20);
  head.writeBigUInt64LE(BigInt(indexOffset), 24);
  head.writeBigUInt64LE(BigInt(inodeOffset), 32);
  head.writeBigUInt64LE(BigInt(stringsOffset), 40);
  head.writeBigUInt64LE(BigInt(dataOffset), 48);
  head.writeBigUInt64LE(BigInt(totalSize), 56);

  let strPos = 0;
  rows.forEach((r, i) => {
    const o = indexOffset + i * INDEX_ENTRY_SIZE;
    head.writeUInt32LE(strPos, o);
    head.writeUInt32LE(r.bytes.length, o + 4);
    head.writeUInt32LE(inodeNo.get(r.node.inode)!, o + 8);
    const slash = r.bytes.lastIndexOf(0x2f);
    head.writeUInt32LE(slash < 0 ? 0 : slash + 1, o + 12);
    r.bytes.copy(head, stringsOffset + strPos);
    strPos += r.bytes.length;
  });
  inodes.forEach((ino, i) => {
    const o = inodeOffset + i * INODE_SIZE;
    let sizeField = blobSize[i]!;
    let links = nlink[i]!;
    if (ino.type === "dir") {
      sizeField = dirChildren.get(i)!.length;
      let subdirs = 0;
      for (const c of ino.children!.values()) if (c.inode.type === "dir") subdirs++;
      links = 2 + subdirs;
    }
    head.writeUInt32LE((typeBits[ino.type] | (ino.perm & 0o7777)) >>> 0, o);
    head.writeUInt32LE(ino.uid >>> 0, o + 4);
    head.writeUInt32LE(ino.gid >>> 0, o + 8);
    head.writeUInt32LE(links, o + 12);
    head.writeBigUInt64LE(BigInt(sizeField), o + 16);
    head.writeBigUInt64LE(BigInt(blobAt[i]!), o + 24);
    head.writeBigInt64LE(BigInt(Math.trunc(ino.mtime)), o + 32);
    head.writeUInt32LE(ino.mtimeNsec >>> 0, o + 40);
  });

  const out = await open(outFile, "w");
  const sources = new Map<string, FileHandle>();
  try {
    const w = new BatchWriter(out);
    await w.write(head);
    let reported = 0;
    for (let i = 0; i < m; i++) {
      if (blobSize[i] === 0) continue;
      if (opts.signal?.aborted) fail("io", "cancelled");
      if (opts.onProgress && w.offset - reported > 4 * 1024 * 1024) {
        reported = w.offset;
        opts.onProgress(w.offset / totalSize);
      }
      await w.padTo(blobAt[i]!);
      const ino = inodes[i]!;
      if (ino.type === "dir") {
        const list = dirChildren.get(i)!;
        await w.write(Buffer.from(list.buffer, list.byteOffset, list.byteLength));
      } else if (ino.type === "symlink") {
        await w.write(Buffer.from(ino.target ?? ""));
      } else {
        await w.copyFrom(ino.content!, ino.size, sources);
      }
    }
    await w.padTo(totalSize);
    await w.flush();
  } finally {
    for (const h of sources.values()) await h.close();
    await out.close();
  }
  return { entries: n, inodes: m, ...stats, totalSize };
}

/** Collects small writes into 1 MiB batches; big contents are copied in 1 MiB reads. */
class BatchWriter {
  private buf = Buffer.alloc(1 << 20);
  private used = 0;
  private pos = 0; // file position of buf[0]
  constructor(private readonly fh: FileHandle) {}

  get offset(): number {
    return this.pos + this.used;
  }

  async flush(): Promise<void> {
    let done = 0;
    while (done < this.used) {
      const { bytesWritten } = await this.fh.write(this.buf, done, this.used - done, this.pos + done);
      done += bytesWritten;
    }
    this.pos += this.used;
    this.used = 0;
  }

  async write(data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) {
      if (this.used === this.buf.length) await this.flush();
      const k = Math.min(data.length - off, this.buf.length - this.used);
      this.buf.set(data.subarray(off, off + k), this.used);
      this.used += k;
      off += k;
    }
  }

  async padTo(target: number): Promise<void> {
    const gap = target - this.offset;
    if (gap < 0) throw new Error("packed rootfs writer went past a blob offset");
    if (gap > 0) await this.write(new Uint8Array(gap));
  }

  async copyFrom(src: ContentSource, size: number, handles: Map<string, FileHandle>): Promise<void> {
    if (src.kind === "buffer") {
      if (src.data.length !== size) fail("io", `content length ${src.data.length} differs from size ${size}`);
      await this.write(src.data);
      return;
    }
    if (src.length !== size) fail("io", `content length ${src.length} differs from size ${size}`);
    let fh = handles.get(src.path);
    if (!fh) {
      fh = await open(src.path, "r");
      handles.set(src.path, fh);
    }
    let done = 0;
    while (done < size) {
      if (this.used === this.buf.length) await this.flush();
      const k = Math.min(size - done, this.buf.length - this.used);
      const { bytesRead } = await fh.read(this.buf, this.used, k, src.offset + done);
      if (bytesRead === 0) fail("io", `content source ${src.path} ended early (wanted ${size} bytes at ${src.offset})`);
      this.used += bytesRead;
      done += bytesRead;
    }
  }
}

// ---------------------------------------------------------------------------
// Entry lists and host directories

export type PackContent = Uint8Array | { path: string; offset?: number; length: number };

export type PackEntry =
  | ({ type: "dir"; path: string } & Meta)
  | ({ type: "file"; path: string; content: PackContent } & Meta)
  | ({ type: "symlink"; path: string; target: string } & Meta)
  /** `path` becomes another name for the file at `target`. */
  | { type: "hardlink"; path: string; target: string };

/** Builds a tree from an entry list. Paths may start with `/`; missing parent
 *  directories are created (0755, root). Hard links may name later entries. */
export function treeFromEntries(entries: PackEntry[]): Result<FsTree, ImageError> {
  try {
    const tree = new FsTree();
    const links: { path: string; target: string }[] = [];
    for (const e of entries) {
      const p = normalizeArchivePath(e.path, { allowAbsolute: true });
      if (e.type === "dir") tree.mkdir(p, e, 0);
      else if (e.type === "symlink") tree.addSymlink(p, e.target, e, 0);
      else if (e.type === "hardlink") links.push({ path: p, target: normalizeArchivePath(e.target, { allowAbsolute: true }) });
      else {
        const c = e.content;
        const src: ContentSource =
          c instanceof Uint8Array ? { kind: "buffer", data: c } : { kind: "file", path: c.path, offset: c.offset ?? 0, length: c.length };
        tree.addFile(p, src, c instanceof Uint8Array ? c.length : c.length, e, 0);
      }
    }
    for (const l of links) tree.addHardLink(l.path, l.target, 0);
    return ok(tree);
  } catch (e) {
    return err(toImageError(e));
  }
}

export async function packEntries(entries: PackEntry[], outFile: string): Promise<Result<PackStats, ImageError>> {
  const tree = treeFromEntries(entries);
  if (!tree.ok) return tree;
  return writePackedRootfs(tree.value, outFile);
}

export interface PackDirectoryResult extends PackStats {
  /** Sockets, FIFOs and device nodes found and not stored. */
  skipped: { path: string; type: string }[];
}

/** Packs a host directory. Symlinks are stored as they are (never followed),
 *  hard links (same device and inode) share one inode. */
export async function packDirectory(dir: string, outFile: string): Promise<Result<PackDirectoryResult, ImageError>> {
  try {
    const tree = new FsTree();
    const skipped: { path: string; type: string }[] = [];
    const seen = new Map<string, string>();
    const metaOf = (st: import("node:fs").BigIntStats): Meta => ({
      perm: Number(st.mode) & 0o7777,
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtime: Number(st.mtimeNs / 1_000_000_000n),
      mtimeNsec: Number(st.mtimeNs % 1_000_000_000n),
    });
    const rootSt = await lstat(dir, { bigint: true });
    if (!rootSt.isDirectory()) fail("io", `${dir} is not a directory`);
    tree.mkdir("", metaOf(rootSt), 0);
    const stack: string[] = [""];
    while (stack.length > 0) {
      const rel = stack.pop()!;
      const names = await readdirHost(join(dir, rel));
      for (const name of names) {
        const p = rel === "" ? name : `${rel}/${name}`;
        const host = join(dir, p);
        const st = await lstat(host, { bigint: true });
        const meta = metaOf(st);
        if (st.isDirectory()) {
          tree.mkdir(p, meta, 0);
          stack.push(p);
        } else if (st.isSymbolicLink()) {
          tree.addSymlink(p, await readlinkHost(host), meta, 0);
        } else if (st.isFile()) {
          const key = `${st.dev}:${st.ino}`;
          const first = st.nlink > 1n ? seen.get(key) : undefined;
          if (first !== undefined) tree.addHardLink(p, first, 0);
          else {
            if (st.nlink > 1n) seen.set(key, p);
            tree.addFile(p, { kind: "file", path: host, offset: 0, length: Number(st.size) }, Number(st.size), meta, 0);
          }
        } else {
          skipped.push({ path: "/" + p, type: st.isFIFO() ? "fifo" : st.isSocket() ? "socket" : st.isCharacterDevice() ? "char-device" : "block-device" });
        }
      }
    }
    const r = await writePackedRootfs(tree, outFile);
    if (!r.ok) return r;
    return ok({ ...r.value, skipped });
  } catch (e) {
    return err(toImageError(e));
  }
}

// ---------------------------------------------------------------------------
// Reader

export type PackedType = "file" | "dir" | "symlink";

export interface PackedStat {
  /** Path-index entry number. */
  index: number;
  inode: number;
  type: PackedType;
  /** Full st_mode. */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** File: content length; symlink: target length; directory: children count. */
  size: number;
  mtime: number;
  mtimeNsec: number;
}

export interface PackedRootfs {
  readonly entryCount: number;
  readonly inodeCount: number;
  readonly totalSize: number;
  /** Path-index number of `path` (no symlink followed), or -1. */
  lookup(path: string): number;
  /** The path (without leading `/`) of index entry `i`. */
  pathAt(i: number): string;
  statAt(i: number): PackedStat;
  /** lstat: never follows a final symlink. */
  stat(path: string): Result<PackedStat, ImageError>;
  /** Resolves symlinks inside the rootfs (`..` stops at the root, as in a chroot). */
  resolve(path: string, followFinal?: boolean): Result<string, ImageError>;
  /** Content of a regular file (symlinks followed) as a subarray of the buffer. */
  readFile(path: string): Result<Uint8Array, ImageError>;
  readdir(path: string): Result<string[], ImageError>;
  readlink(path: string): Result<string, ImageError>;
}

function bad(message: string): never {
  fail("rootfs-invalid", `packed rootfs refused: ${message}`);
}

function typeOfMode(mode: number): PackedType | undefined {
  const t = mode & S_IFMT;
  return t === S_IFREG ? "file" : t === S_IFDIR ? "dir" : t === S_IFLNK ? "symlink" : undefined;
}

/** Validates every offset and length in `data`, then returns a reader over it. */
export function openPackedRootfs(data: Uint8Array): Result<PackedRootfs, ImageError> {
  try {
    return ok(open_(data));
  } catch (e) {
    return err(toImageError(e));
  }
}

function open_(data: Uint8Array): PackedRootfs {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < HEADER_SIZE) bad("shorter than the header");
  if (buf.toString("latin1", 0, 8) !== PACKED_MAGIC) bad("bad magic");
  const version = buf.readUInt32LE(8);
  if (version !== PACKED_VERSION) bad(`unsupported version ${version}`);
  if (buf.readUInt32LE(12) !== HEADER_SIZE) bad("bad header size");
  const n = buf.readUInt32LE(16);
  const m = buf.readUInt32LE(20);
  const u64 = (o: number): number => {
    const v = buf.readBigUInt64LE(o);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) bad(`offset at ${o} too large`);
    return Number(v);
  };
  const indexOffset = u64(24);
  const inodeOffset = u64(32);
  const stringsOffset = u64(40);
  const dataOffset = u64(48);
  const totalSize = u64(56);
  if (totalSize !== buf.length) bad(`total_size ${totalSize} differs from the file size ${buf.length}`);
  if (n < 1) bad("no root entry");
  const within = (off: number, len: number): boolean => off >= HEADER_SIZE && off + len <= totalSize;
  if (!within(indexOffset, n * INDEX_ENTRY_SIZE)) bad("path index out of bounds");
  if (!within(inodeOffset, m * INODE_SIZE)) bad("inode table out of bounds");
  if (dataOffset % 8 !== 0) bad("data offset not 8-aligned");
  if (stringsOffset < HEADER_SIZE || stringsOffset > dataOffset || dataOffset > totalSize) bad("string pool or data region out of bounds");
  const stringsLen = dataOffset - stringsOffset;

  const ixPathOff = (i: number) => buf.readUInt32LE(indexOffset + i * 16);
  const ixPathLen = (i: number) => buf.readUInt32LE(indexOffset + i * 16 + 4);
  const ixInode = (i: number) => buf.readUInt32LE(indexOffset + i * 16 + 8);
  const pathBytes = (i: number) => buf.subarray(stringsOffset + ixPathOff(i), stringsOffset + ixPathOff(i) + ixPathLen(i));

  let prev: Buffer | undefined;
  for (let i = 0; i < n; i++) {
    const po = ixPathOff(i), pl = ixPathLen(i);
    if (po + pl > stringsLen) bad(`path of entry ${i} out of bounds`);
    if (ixInode(i) >= m) bad(`entry ${i} names inode ${ixInode(i)} of ${m}`);
    if (buf.readUInt32LE(indexOffset + i * 16 + 12) > pl) bad(`name offset of entry ${i} out of bounds`);
    const p = pathBytes(i);
    if (i === 0 && p.length !== 0) bad("entry 0 is not the root");
    if (prev && Buffer.compare(prev, p) >= 0) bad(`path index not sorted at entry ${i}`);
    prev = p;
  }
  const inodeField = (ino: number, off: number) => inodeOffset + ino * INODE_SIZE + off;
  for (let i = 0; i < m; i++) {
    const mode = buf.readUInt32LE(inodeField(i, 0));
    const t = typeOfMode(mode);
    if (!t) bad(`inode ${i} has an unknown file type`);
    const size = u64(inodeField(i, 16));
    const at = u64(inodeField(i, 24));
    const bytes = t === "dir" ? size * 4 : size;
    if (bytes === 0) continue;
    if (at % 8 !== 0 || at < dataOffset || at + bytes > totalSize) bad(`data of inode ${i} out of bounds`);
    if (t === "dir") {
      for (let k = 0; k < size; k++) if (buf.readUInt32LE(at + k * 4) >= n) bad(`directory inode ${i} names a missing entry`);
    }
  }
  if (typeOfMode(buf.readUInt32LE(inodeField(ixInode(0), 0))) !== "dir") bad("root is not a directory");

  const statAt = (i: number): PackedStat => {
    const ino = ixInode(i);
    const mode = buf.readUInt32LE(inodeField(ino, 0));
    return {
      index: i,
      inode: ino,
      type: typeOfMode(mode)!,
      mode,
      uid: buf.readUInt32LE(inodeField(ino, 4)),
      gid: buf.readUInt32LE(inodeField(ino, 8)),
      nlink: buf.readUInt32LE(inodeField(ino, 12)),
      size: u64(inodeField(ino, 16)),
      mtime: Number(buf.readBigInt64LE(inodeField(ino, 32))),
      mtimeNsec: buf.readUInt32LE(inodeField(ino, 40)),
    };
  };
  const blob = (i: number): Buffer => {
    const st = statAt(i);
    const at = u64(inodeField(st.inode, 24));
    const len = st.type === "dir" ? st.size * 4 : st.size;
    return len === 0 ? Buffer.alloc(0) : buf.subarray(at, at + len);
  };
  const clean = (path: string): string => path.split("/").filter((c) => c !== "" && c !== ".").join("/");
  const lookup = (path: string): number => {
    const key = Buffer.from(clean(path));
    let lo = 0, hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = Buffer.compare(pathBytes(mid), key);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  const notFound = (path: string) => imageError("rootfs-not-found", `no such entry: /${clean(path)}`, { path: "/" + clean(path) });

  const resolve = (path: string, followFinal = true): Result<string, ImageError> => {
    const r = walkPath(
      path,
      (p) => {
        const i = lookup(p);
        return i < 0 ? undefined : { type: statAt(i).type, target: () => blob(i).toString() };
      },
      followFinal,
    );
    if (r.ok) return ok(r.path);
    if (r.reason === "missing") return err(notFound(r.at));
    if (r.reason === "loop") return err(imageError("rootfs-wrong-type", `too many symlinks resolving /${clean(path)}`, { path: "/" + clean(path) }));
    return err(imageError("rootfs-wrong-type", `/${r.at} is not a directory`, { path: "/" + r.at }));
  };

  return {
    entryCount: n,
    inodeCount: m,
    totalSize,
    lookup,
    pathAt: (i) => pathBytes(i).toString(),
    statAt,
    resolve,
    stat(path) {
      const i = lookup(path);
      return i < 0 ? err(notFound(path)) : ok(statAt(i));
    },
    readFile(path) {
      const r = resolve(path, true);
      if (!r.ok) return r;
      const i = lookup(r.value);
      const st = statAt(i);
      if (st.type !== "file") return err(imageError("rootfs-wrong-type", `/${r.value} is not a regular file`, { path: "/" + r.value }));
      return ok(blob(i));
    },
    readdir(path) {
      const r = resolve(path, true);
      if (!r.ok) return r;
      const i = lookup(r.value);
      const st = statAt(i);
      if (st.type !== "dir") return err(imageError("rootfs-wrong-type", `/${r.value} is not a directory`, { path: "/" + r.value }));
      const list = blob(i);
      const names: string[] = [];
      for (let k = 0; k < st.size; k++) {
        const child = list.readUInt32LE(k * 4);
        const nameOff = buf.readUInt32LE(indexOffset + child * 16 + 12);
        names.push(pathBytes(child).subarray(nameOff).toString());
      }
      return ok(names);
    },
    readlink(path) {
      const i = lookup(path);
      if (i < 0) return err(notFound(path));
      const st = statAt(i);
      if (st.type !== "symlink") return err(imageError("rootfs-wrong-type", `/${clean(path)} is not a symlink`, { path: "/" + clean(path) }));
      return ok(blob(i).toString());
    },
  };
}
