// Indexes the members of an uncompressed outer tar (a `docker save` or OCI
// layout archive) by name → byte range, reading only the 512-byte headers.
// Blobs are then streamed straight from the upload file by offset, so an image
// of any size is never copied or held in memory. Layer *contents* are parsed
// with tar-stream; this only needs names, sizes and offsets, which tar-stream
// does not expose.

import type { FileHandle } from "node:fs/promises";
import { fail } from "./errors";
import { normalizeArchivePath } from "./fs-tree";

export interface TarMember {
  name: string;
  /** Byte offset of the member's content in the archive file. */
  offset: number;
  size: number;
  type: "file" | "dir" | "symlink" | "hardlink" | "other";
  /** Symlinks and hard links: the target as stored. */
  linkname?: string;
}

const BLOCK = 512;

function cstr(b: Buffer, start: number, len: number): string {
  const end = b.indexOf(0, start);
  return b.toString("utf8", start, end < 0 || end > start + len ? start + len : end);
}

function parseNumber(b: Buffer, start: number, len: number, what: string): number {
  if (b[start]! & 0x80) {
    // GNU base-256: big-endian, first byte's high bit is the marker.
    let v = b[start]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[start + i]!;
    if (!Number.isSafeInteger(v)) fail("archive-invalid", `tar ${what} too large`);
    return v;
  }
  const s = b.toString("latin1", start, start + len).replace(/\0.*$/s, "").trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) fail("archive-invalid", `tar header has a malformed ${what} field`);
  return parseInt(s, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(data.toString("latin1", i, sp), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > data.length) fail("archive-invalid", "malformed pax header");
    const rec = data.toString("utf8", sp + 1, i + len - 1);
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

export const NOT_AN_ARCHIVE = "not an image archive: the file is not a tar archive (expected a docker save or OCI image layout tar, plain or gzip)";

function checksumMatches(header: Buffer, sum: number): boolean {
  try {
    return parseNumber(header, 148, 8, "checksum") === sum;
  } catch {
    return false;
  }
}

/** Reads every header of the tar in `fh` (of `fileSize` bytes). Refuses bad
 *  checksums, members running past the end, and escaping names. */
export async function indexTar(fh: FileHandle, fileSize: number, opts: { maxMembers?: number } = {}): Promise<Map<string, TarMember>> {
  const maxMembers = opts.maxMembers ?? 100_000;
  const members = new Map<string, TarMember>();
  const header = Buffer.alloc(BLOCK);
  let pos = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  let sawEnd = false;
  while (pos + BLOCK <= fileSize) {
    const { bytesRead } = await fh.read(header, 0, BLOCK, pos);
    if (bytesRead < BLOCK) break;
    if (header.every((x) => x === 0)) {
      sawEnd = true;
      break;
    }
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
    // A first block that is no tar header means the file is not an archive at
    // all: say that, not which header field happened to look wrong.
    if (pos === 0 && !checksumMatches(header, sum)) fail("archive-invalid", NOT_AN_ARCHIVE);
    if (parseNumber(header, 148, 8, "checksum") !== sum) fail("archive-invalid", `tar header checksum mismatch at byte ${pos}`);
    const type = String.fromCharCode(header[156]!);
    let size = parseNumber(header, 124, 12, "size");
    if (type !== "L" && type !== "K" && type !== "x" && type !== "g" && pax.size !== undefined) {
      size = Number(pax.size);
      if (!Number.isSafeInteger(size) || size < 0) fail("archive-invalid", "malformed pax size");
    }
    const dataAt = pos + BLOCK;
    if (dataAt + size > fileSize) fail("archive-truncated", `the archive ends inside a member (at byte ${fileSize}, member needs ${dataAt + size})`);
    const next = dataAt + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L" || type === "K" || type === "x" || type === "g") {
      if (size > 1 << 20) fail("archive-invalid", "oversized long-name or pax header");
      const data = Buffer.alloc(size);
      await fh.read(data, 0, size, dataAt);
      if (type === "L") longName = cstr(data, 0, size);
      else if (type === "K") longLink = cstr(data, 0, size);
      else if (type === "x") pax = parsePax(data);
      pos = next;
      continue;
    }
    let name = cstr(header, 0, 100);
    if (header.toString("latin1", 257, 262) === "ustar" && header[262] === 0) {
      const prefix = cstr(header, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (longName !== undefined) name = longName;
    if (pax.path !== undefined) name = pax.path;
    const norm = normalizeArchivePath(name, { allowAbsolute: false });
    const linkname = pax.linkpath ?? longLink ?? cstr(header, 157, 100);
    const kind: TarMember["type"] = type === "0" || type === "\0" || type === "7" ? "file" : type === "5" ? "dir" : type === "2" ? "symlink" : type === "1" ? "hardlink" : "other";
    members.set(norm, {
      name: norm,
      offset: dataAt,
      size,
      type: kind,
      ...(kind === "symlink" || kind === "hardlink" ? { linkname } : {}),
    });
    longName = undefined;
    longLink = undefined;
    pax = {};
    if (members.size > maxMembers) fail("limit-entries", `the archive has more than ${maxMembers} members`);
    pos = next;
  }
  if (!sawEnd && pos < fileSize) fail("archive-truncated", "the archive ends inside a tar header");
  if (members.size === 0) fail("unknown-format", "the upload is not a tar archive (no members found)");
  return members;
}
