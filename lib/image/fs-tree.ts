// An in-memory flattened filesystem: metadata only. File contents stay where
// they are (a spool file on disk, a host file, or a small buffer) and are
// referenced by a ContentSource, so a multi-gigabyte image costs a few hundred
// bytes of memory per entry, not its size.

import { fail } from "./errors";

export type ContentSource =
  | { kind: "buffer"; data: Uint8Array }
  | { kind: "file"; path: string; offset: number; length: number };

export type InodeType = "file" | "dir" | "symlink";

export interface FsInode {
  type: InodeType;
  /** Permission bits only (07777); the type bits are derived from `type`. */
  perm: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  mtimeNsec: number;
  /** Regular files: where the content lives. */
  content?: ContentSource;
  /** Regular files: content length. */
  size: number;
  /** Symlinks: target exactly as stored (never resolved on the host). */
  target?: string;
  /** Directories: children by name. */
  children?: Map<string, FsNode>;
}

export interface FsNode {
  inode: FsInode;
  /** Index of the layer that created this entry (opaque whiteouts keep same-layer entries). */
  layer: number;
}

export interface Meta {
  perm?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  mtimeNsec?: number;
}

export const DEFAULT_MAX_PATH = 4096;

/**
 * Normalises a path from an archive into the rootfs form: no leading `/`, no
 * `.` components, no doubled or trailing `/`. Absolute paths and `..` are
 * refused (they would escape the root). `./x` is the usual tar spelling and is
 * accepted. The empty string is the root.
 */
export function normalizeArchivePath(raw: string, opts: { allowAbsolute?: boolean; maxPath?: number } = {}): string {
  const maxPath = opts.maxPath ?? DEFAULT_MAX_PATH;
  if (raw.includes("\0")) fail("path-invalid", `path contains a NUL byte: ${JSON.stringify(raw)}`, { path: raw });
  if (Buffer.byteLength(raw) > maxPath) fail("path-too-long", `path longer than ${maxPath} bytes`, { path: raw.slice(0, 200) });
  if (raw.startsWith("/") && !opts.allowAbsolute) fail("path-absolute", `absolute path refused: ${raw}`, { path: raw });
  const parts: string[] = [];
  for (const c of raw.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") fail("path-escape", `path escapes the root: ${raw}`, { path: raw });
    parts.push(c);
  }
  return parts.join("/");
}

function splitPath(p: string): string[] {
  return p === "" ? [] : p.split("/");
}

function newDir(meta: Meta = {}): FsInode {
  return {
    type: "dir",
    perm: meta.perm ?? 0o755,
    uid: meta.uid ?? 0,
    gid: meta.gid ?? 0,
    mtime: meta.mtime ?? 0,
    mtimeNsec: meta.mtimeNsec ?? 0,
    size: 0,
    children: new Map(),
  };
}

export class FsTree {
  readonly root: FsNode = { inode: newDir(), layer: -1 };

  /**
   * Walks to the directory that holds `path`'s last component, creating missing
   * parents (0755) when `create` is set. A symlink among the parents is
   * resolved inside the tree, the way `docker` applies a layer inside a chroot:
   * absolute targets start at the rootfs root and `..` stops there, so an entry
   * can never land outside the rootfs, and nothing on the host is touched.
   */
  private parentOf(path: string, layer: number, create = true): { dir: FsInode; name: string; real: string } | undefined {
    const parts = splitPath(path);
    if (parts.length === 0) fail("path-invalid", "the root has no parent", { path: "/" });
    const name = parts[parts.length - 1]!;
    let pending = parts.slice(0, -1);
    const done: string[] = [];
    const stack: FsInode[] = [this.root.inode];
    let hops = 0;
    while (pending.length > 0) {
      const c = pending.shift()!;
      if (c === "" || c === ".") continue;
      if (c === "..") {
        if (done.length > 0) {
          done.pop();
          stack.pop();
        }
        continue;
      }
      const cur = stack[stack.length - 1]!;
      let next = cur.children!.get(c);
      if (!next) {
        if (!create) return undefined;
        next = { inode: newDir(), layer };
        cur.children!.set(c, next);
      }
      if (next.inode.type === "symlink") {
        if (++hops > 40) fail("path-through-symlink", `entry ${path}: too many levels of symbolic links`, { path });
        const target = next.inode.target ?? "";
        if (target.startsWith("/")) {
          done.length = 0;
          stack.length = 1;
        }
        pending = [...target.split("/"), ...pending];
        continue;
      }
      if (next.inode.type !== "dir") {
        fail("not-a-directory", `entry ${path} goes through the non-directory /${[...done, c].join("/")}`, { path });
      }
      done.push(c);
      stack.push(next.inode);
    }
    return { dir: stack[stack.length - 1]!, name, real: [...done, name].join("/") };
  }

  /** Looks a path up, resolving symlinks among its parents (not the last component). */
  lookup(path: string): { node: FsNode; real: string } | undefined {
    if (path === "") return { node: this.root, real: "" };
    const p = this.parentOf(path, -1, false);
    const node = p?.dir.children!.get(p.name);
    return p && node ? { node, real: p.real } : undefined;
  }

  /** Looks a path up without following any symlink. */
  get(path: string): FsNode | undefined {
    let cur: FsNode = this.root;
    for (const name of splitPath(path)) {
      if (cur.inode.type !== "dir") return undefined;
      const next = cur.inode.children!.get(name);
      if (!next) return undefined;
      cur = next;
    }
    return cur;
  }

  mkdir(path: string, meta: Meta, layer: number): void {
    if (path === "") {
      Object.assign(this.root.inode, stripUndefined(meta));
      return;
    }
    const { dir, name } = this.parentOf(path, layer)!;
    const existing = dir.children!.get(name);
    if (existing && existing.inode.type === "dir") {
      // A directory entry over an existing directory updates its metadata and keeps its children.
      Object.assign(existing.inode, stripUndefined(meta));
      return;
    }
    dir.children!.set(name, { inode: newDir(meta), layer });
  }

  addFile(path: string, content: ContentSource, size: number, meta: Meta, layer: number): void {
    this.put(path, {
      type: "file",
      perm: meta.perm ?? 0o644,
      uid: meta.uid ?? 0,
      gid: meta.gid ?? 0,
      mtime: meta.mtime ?? 0,
      mtimeNsec: meta.mtimeNsec ?? 0,
      size,
      content,
    }, layer);
  }

  addSymlink(path: string, target: string, meta: Meta, layer: number): void {
    if (target.includes("\0")) fail("path-invalid", `symlink target contains a NUL byte`, { path });
    this.put(path, {
      type: "symlink",
      perm: meta.perm ?? 0o777,
      uid: meta.uid ?? 0,
      gid: meta.gid ?? 0,
      mtime: meta.mtime ?? 0,
      mtimeNsec: meta.mtimeNsec ?? 0,
      size: Buffer.byteLength(target),
      target,
    }, layer);
  }

  /** `path` becomes another name for the inode at `target` (both rootfs paths). */
  addHardLink(path: string, target: string, layer: number): void {
    const t = this.lookup(target)?.node;
    if (!t) fail("hardlink-invalid", `hard link ${path} points to a missing entry ${target}`, { path });
    if (t.inode.type === "dir") fail("hardlink-invalid", `hard link ${path} points to a directory ${target}`, { path });
    if (path === target) return;
    this.put(path, t.inode, layer);
  }

  private put(path: string, inode: FsInode, layer: number): void {
    if (path === "") fail("path-invalid", "only a directory may replace the root", { path: "/" });
    const { dir, name } = this.parentOf(path, layer)!;
    dir.children!.set(name, { inode, layer });
  }

  /** `.wh.<name>`: removes `path` (and its subtree) if a lower layer made it. */
  whiteout(path: string, layer: number): void {
    const p = this.parentOf(path, layer, false);
    const node = p?.dir.children!.get(p.name);
    if (p && node && node.layer < layer) p.dir.children!.delete(p.name);
  }

  /** `.wh..wh..opq`: hides everything lower layers put in `dir`. */
  opaque(dirPath: string, layer: number): void {
    const found = this.lookup(dirPath);
    const node = found?.node.inode.type === "symlink" ? undefined : found?.node;
    if (!node || node.inode.type !== "dir") return;
    for (const [name, child] of node.inode.children!) {
      if (child.layer < layer) node.inode.children!.delete(name);
    }
  }

  /** Every entry (path without leading `/`, root is ""), depth first. */
  *walk(): Generator<[string, FsNode]> {
    const stack: [string, FsNode][] = [["", this.root]];
    while (stack.length > 0) {
      const [p, n] = stack.pop()!;
      yield [p, n];
      if (n.inode.type === "dir") {
        for (const [name, child] of n.inode.children!) stack.push([p === "" ? name : `${p}/${name}`, child]);
      }
    }
  }

  /** Entry count and the bytes of distinct file contents. */
  stats(): { entries: number; files: number; dirs: number; symlinks: number; bytes: number } {
    let entries = 0, files = 0, dirs = 0, symlinks = 0, bytes = 0;
    const seen = new Set<FsInode>();
    for (const [, n] of this.walk()) {
      entries++;
      if (n.inode.type === "dir") dirs++;
      else if (n.inode.type === "symlink") symlinks++;
      else {
        files++;
        if (!seen.has(n.inode)) {
          seen.add(n.inode);
          bytes += n.inode.size;
        }
      }
    }
    return { entries, files, dirs, symlinks, bytes };
  }
}

function stripUndefined(meta: Meta): Meta {
  const out: Meta = {};
  for (const [k, v] of Object.entries(meta)) if (v !== undefined) (out as Record<string, number>)[k] = v;
  return out;
}
