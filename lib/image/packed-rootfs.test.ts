import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, readFileSync, writeFileSync, mkdirSync, symlinkSync, linkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPackedRootfs, packDirectory, packEntries, type PackedRootfs, S_IFDIR, S_IFLNK, S_IFREG } from "./packed-rootfs";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "trellis-packed-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mustOpen(file: string): PackedRootfs {
  const r = openPackedRootfs(readFileSync(file));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe("packed rootfs writer + reader", () => {
  it("round-trips files, dirs, symlinks and hard links", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 5);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const bigFile = join(dir, "big.bin");
    writeFileSync(bigFile, Buffer.concat([Buffer.from("prefix"), big]));
    const out = join(dir, "a.rootfs");
    const r = await packEntries(
      [
        { type: "dir", path: "/etc", perm: 0o755, uid: 0, gid: 0, mtime: 1700000000 },
        { type: "file", path: "/etc/hostname", content: Buffer.from("trellis\n"), perm: 0o644, uid: 1, gid: 2, mtime: 1700000001, mtimeNsec: 5 },
        { type: "file", path: "/usr/bin/tool", content: { path: bigFile, offset: 6, length: big.length }, perm: 0o755 },
        { type: "symlink", path: "/bin", target: "usr/bin" },
        { type: "hardlink", path: "/usr/bin/tool2", target: "/usr/bin/tool" },
        { type: "file", path: "/empty", content: new Uint8Array(0) },
        { type: "dir", path: "/a-b" },
        { type: "file", path: "/a/c", content: Buffer.from("x") },
      ],
      out,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.entries).toBe(12); // root etc hostname usr bin(dir) tool tool2 bin(link) empty a-b a a/c
    expect(r.value.inodes).toBe(11);
    const fs = mustOpen(out);
    expect(fs.entryCount).toBe(12);
    expect(fs.pathAt(0)).toBe("");
    // memcmp order: "a" < "a-b" < "a/c"
    const order = Array.from({ length: fs.entryCount }, (_, i) => fs.pathAt(i));
    expect(order.indexOf("a")).toBeLessThan(order.indexOf("a-b"));
    expect(order.indexOf("a-b")).toBeLessThan(order.indexOf("a/c"));
    expect(Buffer.from(fs.readFile("/etc/hostname").ok ? (fs.readFile("/etc/hostname") as { value: Uint8Array }).value : []).toString()).toBe("trellis\n");
    const st = fs.stat("etc/hostname");
    expect(st.ok && st.value).toMatchObject({ type: "file", mode: S_IFREG | 0o644, uid: 1, gid: 2, size: 8, mtime: 1700000001, mtimeNsec: 5, nlink: 1 });
    const tool = fs.readFile("/bin/tool");
    expect(tool.ok && Buffer.compare(Buffer.from(tool.value), big)).toBe(0);
    const t1 = fs.stat("/usr/bin/tool"), t2 = fs.stat("/usr/bin/tool2");
    expect(t1.ok && t2.ok && t1.value.inode === t2.value.inode).toBe(true);
    expect(t1.ok && t1.value.nlink).toBe(2);
    expect(fs.readlink("/bin")).toEqual({ ok: true, value: "usr/bin" });
    const bin = fs.stat("/bin");
    expect(bin.ok && bin.value.mode & 0o170000).toBe(S_IFLNK);
    expect(fs.readdir("/")).toEqual({ ok: true, value: ["a", "a-b", "bin", "empty", "etc", "usr"] });
    expect(fs.readdir("/usr/bin")).toEqual({ ok: true, value: ["tool", "tool2"] });
    const root = fs.stat("/");
    expect(root.ok && root.value).toMatchObject({ type: "dir", size: 6, nlink: 2 + 4 });
    expect(root.ok && root.value.mode & 0o170000).toBe(S_IFDIR);
    expect(fs.readFile("/empty")).toEqual({ ok: true, value: Buffer.alloc(0) });
    expect(fs.readFile("/nope").ok).toBe(false);
    expect(fs.readFile("/etc").ok).toBe(false);
    // `..` after a symlink applies to the link's target, as in POSIX.
    expect(fs.resolve("/bin/../etc")).toMatchObject({ ok: false, error: { kind: "rootfs-not-found", path: "/usr/etc" } });
    expect(fs.resolve("/bin/../../etc/./hostname")).toEqual({ ok: true, value: "etc/hostname" });
    // `..` from the root stays at the root, like a chroot.
    expect(fs.resolve("/../../etc")).toEqual({ ok: true, value: "etc" });
  });

  it("places every blob on an 8-byte boundary and zero-pads", async () => {
    const out = join(dir, "align.rootfs");
    const entries = Array.from({ length: 20 }, (_, i) => ({ type: "file" as const, path: `/f${i}`, content: Buffer.alloc(i + 1, 0xab) }));
    const r = await packEntries(entries, out);
    expect(r.ok).toBe(true);
    const buf = readFileSync(out);
    const fs = mustOpen(out);
    const dataOffset = Number(buf.readBigUInt64LE(48));
    expect(dataOffset % 8).toBe(0);
    expect(buf.length % 8).toBe(0);
    for (let i = 0; i < fs.entryCount; i++) {
      const st = fs.statAt(i);
      const at = Number(buf.readBigUInt64LE(Number(buf.readBigUInt64LE(32)) + st.inode * 64 + 24));
      if (st.size > 0) expect(at % 8).toBe(0);
      if (st.type === "file") {
        const pad = buf.subarray(at + st.size, Math.ceil((at + st.size) / 8) * 8);
        expect(pad.every((b) => b === 0)).toBe(true);
      }
    }
  });

  it("packs a host directory without following symlinks", async () => {
    const src = join(dir, "host");
    mkdirSync(join(src, "sub"), { recursive: true });
    writeFileSync(join(src, "sub", "f.txt"), "hello");
    linkSync(join(src, "sub", "f.txt"), join(src, "hard.txt"));
    symlinkSync("/etc/passwd", join(src, "evil"));
    const out = join(dir, "host.rootfs");
    const r = await packDirectory(src, out);
    expect(r.ok).toBe(true);
    const fs = mustOpen(out);
    expect(fs.readlink("evil")).toEqual({ ok: true, value: "/etc/passwd" });
    // The link resolves inside the rootfs, where /etc/passwd does not exist.
    expect(fs.readFile("evil").ok).toBe(false);
    const a = fs.stat("sub/f.txt"), b = fs.stat("hard.txt");
    expect(a.ok && b.ok && a.value.inode === b.value.inode).toBe(true);
    const c = fs.readFile("hard.txt");
    expect(c.ok && Buffer.from(c.value).toString()).toBe("hello");
  });

  it("refuses bad entry lists", async () => {
    const out = join(dir, "bad.rootfs");
    expect(await packEntries([{ type: "file", path: "/../x", content: Buffer.from("") }], out)).toMatchObject({ ok: false, error: { kind: "path-escape" } });
    expect(await packEntries([{ type: "hardlink", path: "/x", target: "/missing" }], out)).toMatchObject({ ok: false, error: { kind: "hardlink-invalid" } });
    expect(await packEntries([{ type: "file", path: "/x", content: { path: join(dir, "does-not-exist"), length: 4 } }], out)).toMatchObject({ ok: false, error: { kind: "io" } });
  });
});

describe("packed rootfs reader refuses corrupted files", () => {
  let good: Buffer;
  beforeAll(async () => {
    const out = join(dir, "good.rootfs");
    const r = await packEntries(
      [
        { type: "file", path: "/a", content: Buffer.from("aaaa") },
        { type: "file", path: "/d/b", content: Buffer.from("bbbbbbbbb") },
        { type: "symlink", path: "/l", target: "a" },
      ],
      out,
    );
    expect(r.ok).toBe(true);
    good = readFileSync(out);
  });
  const mutate = (f: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(good);
    f(b);
    return b;
  };
  const refused = (b: Uint8Array) => {
    const r = openPackedRootfs(b);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe("rootfs-invalid");
  };

  it("accepts the untouched file", () => expect(openPackedRootfs(good).ok).toBe(true));
  it("bad magic", () => refused(mutate((b) => b.write("XXXX", 0))));
  it("wrong version", () => refused(mutate((b) => b.writeUInt32LE(2, 8))));
  it("truncated file", () => refused(good.subarray(0, good.length - 8)));
  it("shorter than a header", () => refused(good.subarray(0, 20)));
  it("entry count beyond the file", () => refused(mutate((b) => b.writeUInt32LE(1_000_000, 16))));
  it("inode offset beyond the file", () => refused(mutate((b) => b.writeBigUInt64LE(BigInt(good.length), 32))));
  it("huge 64-bit offset", () => refused(mutate((b) => b.writeBigUInt64LE(0xffffffffffffffffn, 24))));
  it("path outside the string pool", () => refused(mutate((b) => b.writeUInt32LE(0xffff, 64 + 16 + 0))));
  it("inode number out of range", () => refused(mutate((b) => b.writeUInt32LE(999, 64 + 16 + 8))));
  it("unsorted index", () => {
    // swap the path offsets of entries 1 and 2
    refused(
      mutate((b) => {
        const a = b.readUInt32LE(64 + 16), c = b.readUInt32LE(64 + 32);
        const al = b.readUInt32LE(64 + 20), cl = b.readUInt32LE(64 + 36);
        b.writeUInt32LE(c, 64 + 16);
        b.writeUInt32LE(cl, 64 + 20);
        b.writeUInt32LE(a, 64 + 32);
        b.writeUInt32LE(al, 64 + 36);
      }),
    );
  });
  it("file data beyond the end", () => {
    refused(
      mutate((b) => {
        const inodeOff = Number(b.readBigUInt64LE(32));
        const m = b.readUInt32LE(20);
        for (let i = 0; i < m; i++) if ((b.readUInt32LE(inodeOff + i * 64) & 0o170000) === S_IFREG) b.writeBigUInt64LE(BigInt(good.length + 64), inodeOff + i * 64 + 16);
      }),
    );
  });
  it("misaligned data", () => {
    refused(
      mutate((b) => {
        const inodeOff = Number(b.readBigUInt64LE(32));
        const m = b.readUInt32LE(20);
        for (let i = 0; i < m; i++) {
          const at = b.readBigUInt64LE(inodeOff + i * 64 + 24);
          if (at > 0n) b.writeBigUInt64LE(at + 1n, inodeOff + i * 64 + 24);
        }
      }),
    );
  });
  it("directory naming a missing entry", () => {
    refused(
      mutate((b) => {
        const inodeOff = Number(b.readBigUInt64LE(32));
        const rootData = Number(b.readBigUInt64LE(inodeOff + 24));
        b.writeUInt32LE(12345, rootData);
      }),
    );
  });
  it("unknown file type", () => refused(mutate((b) => b.writeUInt32LE(0o010644, Number(b.readBigUInt64LE(32))))));
});
