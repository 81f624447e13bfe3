import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { openPackedRootfs, type PackedRootfs } from "./packed-rootfs";
import { unpackImage, type UnpackOptions, type UnpackResult } from "./unpack";
import { configJson, gzip, makeDockerSave, makeOciLayout, makeTar, sha256, tarLayer, type TestEntry, type TestImage } from "./test-images";
import type { ImageError } from "./errors";

let base: string;
let n = 0;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "trellis-unpack-"));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function run(archive: Buffer, opts: Partial<UnpackOptions> = {}): Promise<{ ok: true; value: UnpackResult; workDir: string } | { ok: false; error: ImageError; workDir: string }> {
  const id = `case${++n}`;
  const file = join(base, `${id}.tar`);
  writeFileSync(file, archive);
  const workDir = join(base, id);
  const r = await unpackImage({ file, workDir, ...opts });
  return { ...r, workDir } as never;
}

async function must(archive: Buffer, opts: Partial<UnpackOptions> = {}): Promise<UnpackResult> {
  const r = await run(archive, opts);
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

function rootfsOf(r: UnpackResult): PackedRootfs {
  const o = openPackedRootfs(readFileSync(r.rootfs!.path));
  if (!o.ok) throw new Error(o.error.message);
  return o.value;
}

const text = (fs: PackedRootfs, p: string): string | undefined => {
  const r = fs.readFile(p);
  return r.ok ? Buffer.from(r.value).toString() : undefined;
};

async function layer(entries: TestEntry[], c: "none" | "gzip" | "zstd" = "none") {
  return tarLayer(await makeTar(entries), c);
}

const BUSYBOX = "/bin/busybox";

describe("docker save archives", () => {
  it("flattens layers with whiteouts, opaque dirs and hard links", async () => {
    const l0 = await layer([
      { name: "etc/", type: "directory" },
      { name: "etc/passwd", content: "root:x:0:0\n" },
      { name: "etc/old", content: "old" },
      { name: "var/cache/", type: "directory" },
      { name: "var/cache/a", content: "a" },
      { name: "var/cache/b", content: "b" },
      { name: "usr/bin/tool", content: "#!/bin/sh\n", mode: 0o755 },
      { name: "usr/bin/tool-link", type: "link", linkname: "usr/bin/tool" },
      { name: "dev/null", type: "character-device" },
      { name: "run/fifo", type: "fifo" },
    ]);
    const l1 = await layer([
      { name: "etc/.wh.old", content: "" },
      { name: "var/cache/.wh..wh..opq", content: "" },
      { name: "var/cache/c", content: "c" },
      { name: "etc/passwd", content: "root:x:0:0\nuser:x:1000:1000\n", uid: 0 },
    ]);
    const archive = await makeDockerSave([l0, l1], { Entrypoint: ["/usr/bin/tool"], Env: ["PATH=/usr/bin"], ExposedPorts: { "8080/tcp": {} }, Labels: { a: "b" }, WorkingDir: "/srv", User: "1000" }, { repoTags: ["demo:1"] });
    const r = await must(archive);
    expect(r.format).toBe("docker-save");
    expect(r.names).toEqual(["demo:1"]);
    expect(r.config).toMatchObject({ entrypoint: ["/usr/bin/tool"], exposedPorts: ["8080/tcp"], labels: { a: "b" }, workingDir: "/srv", user: "1000", architecture: "amd64", os: "linux" });
    expect(r.layers).toHaveLength(2);
    expect(r.layers[0]!.diffId).toBe(sha256(l0.tar!));
    expect(r.layers[1]!.whiteouts).toBe(2);
    const fs = rootfsOf(r);
    expect(text(fs, "/etc/passwd")).toBe("root:x:0:0\nuser:x:1000:1000\n");
    expect(fs.lookup("etc/old")).toBe(-1);
    expect(fs.readdir("/var/cache")).toEqual({ ok: true, value: ["c"] });
    const a = fs.stat("/usr/bin/tool"), b = fs.stat("/usr/bin/tool-link");
    expect(a.ok && b.ok && a.value.inode === b.value.inode).toBe(true);
    expect(r.skipped.map((s) => `${s.type} ${s.path}`).sort()).toEqual(["character-device /dev/null", "fifo /run/fifo"]);
    expect(fs.lookup("dev/null")).toBe(-1);
    // The entrypoint is a script whose interpreter is missing.
    expect(r.classification).toMatchObject({ kind: "unsupported", code: "missing-interpreter" });
    // Only the packed rootfs (and no spool or copy) remains in the job dir.
    expect(readdirSync(join(base, `case${n}`)).sort()).toEqual(["rootfs.img"]);
  });

  it("classifies Debian busybox-static as a static x86-64 native entrypoint, through PATH and a symlink", async () => {
    if (!existsSync(BUSYBOX)) throw new Error("busybox-static is required: apt-get install busybox-static");
    const l = await layer([
      { name: "bin/busybox", content: readFileSync(BUSYBOX), mode: 0o755 },
      { name: "bin/sh", type: "symlink", linkname: "busybox" },
      { name: "usr/local/bin/start", content: "#!/bin/sh\necho hi\n", mode: 0o755 },
    ], "gzip");
    const native = await must(await makeDockerSave([l], { Cmd: ["sh", "-c", "echo hi"] }));
    expect(native.classification).toMatchObject({ kind: "native", executable: "/bin/busybox", elf: { class: 64, machine: "x86-64", linking: "static" } });
    const script = await must(await makeDockerSave([l], { Entrypoint: ["start"] }));
    expect(script.classification).toMatchObject({ kind: "native", executable: "/bin/busybox", script: { path: "/usr/local/bin/start", interpreter: ["/bin/sh"] } });
    const fs = rootfsOf(native);
    expect(fs.readFile("/bin/sh").ok && fs.readFile("/bin/sh")).toMatchObject({ ok: true });
    expect(Buffer.compare(Buffer.from((fs.readFile("/bin/sh") as { value: Uint8Array }).value), readFileSync(BUSYBOX))).toBe(0);
  });

  it("reports other architectures, missing entrypoints and dynamic loaders", async () => {
    const elfHeader = (machine: number, interp?: string) => {
      const h = Buffer.alloc(64 + 56 + 64);
      h.write("\x7fELF", 0, "latin1");
      h[4] = 2; h[5] = 1; h[6] = 1;
      h.writeUInt16LE(interp ? 3 : 2, 16);
      h.writeUInt16LE(machine, 18);
      h.writeBigUInt64LE(0x401000n, 24);
      h.writeBigUInt64LE(64n, 32);
      h.writeUInt16LE(56, 54);
      h.writeUInt16LE(interp ? 1 : 0, 56);
      if (interp) {
        h.writeUInt32LE(3, 64);
        h.writeBigUInt64LE(120n, 64 + 8);
        h.writeBigUInt64LE(BigInt(interp.length + 1), 64 + 32);
        h.write(interp, 120, "latin1");
      }
      return h;
    };
    const arm = await must(await makeDockerSave([await layer([{ name: "app", content: elfHeader(183), mode: 0o755 }])], { Entrypoint: ["/app"], architecture: "arm64" }));
    expect(arm.classification).toMatchObject({ kind: "unsupported", code: "other-architecture", elf: { machine: "aarch64" } });
    const dyn = await must(await makeDockerSave([await layer([{ name: "app", content: elfHeader(62, "/lib64/ld-linux-x86-64.so.2"), mode: 0o755 }])], { Entrypoint: ["/app"] }));
    expect(dyn.classification).toMatchObject({ kind: "unsupported", code: "missing-interpreter" });
    const dynOk = await must(
      await makeDockerSave([await layer([
        { name: "app", content: elfHeader(62, "/lib64/ld-linux-x86-64.so.2"), mode: 0o755 },
        { name: "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", content: elfHeader(62), mode: 0o755 },
        { name: "lib64", type: "symlink", linkname: "lib/x86_64-linux-gnu" },
      ])], { Entrypoint: ["/app"] }),
    );
    expect(dynOk.classification).toMatchObject({ kind: "native", elf: { linking: "dynamic", interpreter: "/lib64/ld-linux-x86-64.so.2" } });
    const win = await must(await makeDockerSave([await layer([{ name: "app.exe", content: "MZ", mode: 0o755 }])], { Entrypoint: ["app.exe"], os: "windows" }));
    expect(win.classification).toMatchObject({ kind: "unsupported", code: "other-os" });
    const none = await must(await makeDockerSave([await layer([{ name: "x", content: "x" }])], {}));
    expect(none.classification).toMatchObject({ kind: "unsupported", code: "no-entrypoint" });
    const missing = await must(await makeDockerSave([await layer([{ name: "x", content: "x" }])], { Cmd: ["nginx"] }));
    expect(missing.classification).toMatchObject({ kind: "unsupported", code: "entrypoint-missing" });
  });
});

describe("OCI layout archives", () => {
  it("reads gzip and zstd layers, a gzip outer tar, and verifies digests", async () => {
    const img: TestImage = {
      layers: [await layer([{ name: "a/one", content: "1" }], "gzip"), await layer([{ name: "a/two", content: "2" }, { name: "a/.wh.one" }], "zstd")],
      config: { Cmd: ["/a/two"] },
      platform: { os: "linux", architecture: "amd64" },
    };
    const { archive, digests } = await makeOciLayout([img]);
    for (const a of [archive, gzipSync(archive)]) {
      const r = await must(a);
      expect(r.format).toBe("oci-layout");
      expect(r.layers.map((l) => l.compression)).toEqual(["gzip", "zstd"]);
      expect(r.layers.map((l) => l.digest)).toEqual(digests.layers[0]);
      expect(r.manifestDigest).toBe(digests.manifests[0]);
      const fs = rootfsOf(r);
      expect(fs.readdir("/a")).toEqual({ ok: true, value: ["two"] });
    }
    expect((await must(gzipSync(archive))).outerCompression).toBe("gzip");
  });

  it("picks linux/amd64 from a multi-platform index by default and lets the caller choose", async () => {
    const mk = async (arch: string, variant?: string): Promise<TestImage> => ({
      layers: [await layer([{ name: "arch", content: arch }], "gzip")],
      config: { Cmd: ["/arch"], architecture: arch },
      platform: { os: "linux", architecture: arch, ...(variant ? { variant } : {}) },
    });
    const { archive } = await makeOciLayout([await mk("arm64", "v8"), await mk("amd64"), await mk("s390x")], { nested: true, refName: "demo:1" });
    const def = await must(archive);
    expect(def.platform).toBe("linux/amd64");
    expect(def.platforms.map((p) => p.label)).toEqual(["linux/arm64/v8", "linux/amd64", "linux/s390x"]);
    expect(text(rootfsOf(def), "/arch")).toBe("amd64");
    const arm = await must(archive, { platform: "linux/arm64" });
    expect(arm.platform).toBe("linux/arm64/v8");
    expect(text(rootfsOf(arm), "/arch")).toBe("arm64");
    const bad = await run(archive, { platform: "windows/amd64" });
    expect(bad.ok || bad.error).toMatchObject({ kind: "platform-not-found" });
    expect(!bad.ok && bad.error.message).toContain("linux/s390x");
    const noAmd = await makeOciLayout([await mk("arm64"), await mk("riscv64")]);
    const r = await run(noAmd.archive);
    expect(r.ok || r.error).toMatchObject({ kind: "platform-not-found" });
  });
});

describe("progress and cancellation", () => {
  it("reports stages in order with percents in range, and stops when aborted", async () => {
    const l = await layer(Array.from({ length: 200 }, (_, i) => ({ name: `f${i}`, content: Buffer.alloc(10_000, i) })), "gzip");
    const archive = await makeDockerSave([l, l], { Cmd: ["/f1"] });
    const seen: { stage: string; percent: number }[] = [];
    await must(archive, { onProgress: (p) => seen.push(p) });
    const order = ["open", "manifest", "layers", "pack", "classify"];
    const stages = [...new Set(seen.map((p) => p.stage))];
    expect(stages).toEqual(order);
    expect(seen.every((p) => p.percent >= 0 && p.percent <= 100)).toBe(true);
    const ac = new AbortController();
    ac.abort();
    const r = await run(archive, { signal: ac.signal });
    expect(r.ok || r.error).toMatchObject({ kind: "io", message: expect.stringMatching(/cancel|abort/i) });
  });
});

describe("layers made by GNU tar", () => {
  for (const format of ["gnu", "pax", "ustar"] as const) {
    it(`reads ${format} archives: long names, hard links, symlinks, fifos`, async () => {
      const src = join(base, `gnutar-${format}`);
      const long = "d".repeat(60) + "/" + "e".repeat(60);
      mkdirSync(join(src, long), { recursive: true });
      writeFileSync(join(src, long, "file-with-a-long-name.txt"), "deep");
      writeFileSync(join(src, "a.txt"), "aaa");
      linkSync(join(src, "a.txt"), join(src, "a-hard.txt"));
      // ustar cannot hold a link target longer than 100 bytes.
      symlinkSync(format === "ustar" ? "a.txt" : `${long}/file-with-a-long-name.txt`, join(src, "s"));
      execFileSync("mkfifo", [join(src, "pipe")]);
      const t = execFileSync("tar", [`--format=${format}`, "-C", src, "-cf", "-", "."], { maxBuffer: 1 << 26 });
      const r = await must(await makeDockerSave([{ blob: gzip(t), tar: t }], { Cmd: ["/a.txt"] }));
      const fs = rootfsOf(r);
      expect(text(fs, `/${long}/file-with-a-long-name.txt`)).toBe("deep");
      expect(text(fs, "/s")).toBe(format === "ustar" ? "aaa" : "deep");
      const a = fs.stat("/a.txt"), b = fs.stat("/a-hard.txt");
      expect(a.ok && b.ok && a.value.inode === b.value.inode).toBe(true);
      expect(r.skipped).toEqual([{ path: "/pipe", type: "fifo", layer: 0 }]);
    });
  }
});

describe("outer archives made by GNU tar", () => {
  for (const format of ["gnu", "pax", "ustar"] as const) {
    it(`indexes a ${format} OCI layout archive`, async () => {
      const { archive } = await makeOciLayout([{ layers: [await layer([{ name: "hello", content: "world" }], "gzip")], config: { Cmd: ["/hello"] } }]);
      const dir = join(base, `outer-${format}`);
      mkdirSync(dir, { recursive: true });
      execFileSync("tar", ["-x", "-C", dir], { input: archive });
      // A long-named extra member exercises the long-name headers of each format.
      const deep = join(dir, "x".repeat(90), "y".repeat(40));
      mkdirSync(deep, { recursive: true });
      writeFileSync(join(deep, "note.txt"), "not part of the image");
      const out = execFileSync("tar", [`--format=${format}`, "-C", dir, "-cf", "-", "."], { maxBuffer: 1 << 26 });
      const r = await must(out);
      expect(text(rootfsOf(r), "/hello")).toBe("world");
    });
  }
});

describe("archive quirks", () => {
  it("lists platforms whose blobs a single-platform docker save left out, and picks the one present", async () => {
    const mk = async (arch: string): Promise<TestImage> => ({
      layers: [await layer([{ name: "arch", content: arch }])],
      config: { Cmd: ["/arch"], architecture: arch },
      platform: { os: "linux", architecture: arch },
    });
    const images = [await mk("arm64"), await mk("amd64")];
    // Digests are deterministic: learn arm64's, then build the archive without its blobs.
    const { digests } = await makeOciLayout(images, { nested: true });
    const arm = new Set([digests.manifests[0]!, digests.configs[0]!, digests.layers[0]![0]!]);
    const partial = await makeOciLayout(images, { nested: true, dropBlob: (d) => arm.has(d) });
    const r = await must(partial.archive);
    expect(r.platform).toBe("linux/amd64");
    expect(r.platforms.map((p) => [p.label, p.available])).toEqual([["linux/arm64", false], ["linux/amd64", true]]);
    const wantArm = await run(partial.archive, { platform: "linux/arm64" });
    expect(wantArm.ok || wantArm.error).toMatchObject({ kind: "blob-missing", digest: digests.manifests[0] });
  });

  it("follows symlinked duplicate layers in a docker save, but not out of the archive", async () => {
    const t = await makeTar([{ name: "same", content: "layer" }]);
    const cfg = configJson({ Cmd: ["/same"] }, [sha256(t), sha256(t)]);
    const cfgName = `${sha256(cfg).slice(7)}.json`;
    const build = (link: string) =>
      makeTar([
        { name: "manifest.json", content: JSON.stringify([{ Config: cfgName, Layers: ["a/layer.tar", "b/layer.tar"] }]) },
        { name: cfgName, content: cfg },
        { name: "a/layer.tar", content: t },
        { name: "b/layer.tar", type: "symlink", linkname: link },
      ]);
    const r = await must(await build("../a/layer.tar"));
    expect(r.layers.map((l) => l.diffId)).toEqual([sha256(t), sha256(t)]);
    expect(text(rootfsOf(r), "/same")).toBe("layer");
    const evil = await run(await build("../../../etc/passwd"));
    expect(evil.ok || evil.error).toMatchObject({ kind: "path-escape" });
  });

  it("applies upper layers through usrmerge symlinks, like docker", async () => {
    const base = await layer([{ name: "usr/lib/", type: "directory" }, { name: "lib", type: "symlink", linkname: "usr/lib" }, { name: "usr/lib/old.so", content: "old" }]);
    const upper = await layer([
      { name: "lib/x86_64/libfoo.so", content: "foo" },
      { name: "lib/.wh.old.so" },
      { name: "lib/foo-link.so", type: "link", linkname: "lib/x86_64/libfoo.so" },
    ]);
    const fs = rootfsOf(await must(await makeDockerSave([base, upper], { Cmd: ["/x"] })));
    expect(text(fs, "/usr/lib/x86_64/libfoo.so")).toBe("foo");
    expect(fs.readlink("/lib")).toEqual({ ok: true, value: "usr/lib" });
    expect(fs.lookup("usr/lib/old.so")).toBe(-1);
    const a = fs.stat("/usr/lib/foo-link.so"), b = fs.stat("/usr/lib/x86_64/libfoo.so");
    expect(a.ok && b.ok && a.value.inode === b.value.inode).toBe(true);
  });

  it("accepts empty layers, root entries and ./-prefixed names", async () => {
    const empty = await makeTar([]);
    const l1 = await layer([{ name: "./", type: "directory", mode: 0o700 }, { name: "./etc/motd", content: "hi" }]);
    const r = await must(await makeDockerSave([{ blob: empty, tar: empty }, l1], { Cmd: ["/etc/motd"] }));
    const fs = rootfsOf(r);
    expect(text(fs, "/etc/motd")).toBe("hi");
    const root = fs.stat("/");
    expect(root.ok && root.value.mode & 0o777).toBe(0o700);
    expect(r.layers[0]).toMatchObject({ entries: 0 });
  });
});

describe("Wasm images", () => {
  const module = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const component = Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
  it("recognises Wasm OCI artifacts by layer media type (module and component)", async () => {
    for (const [bytes, mediaType, kind] of [
      [module, "application/vnd.wasm.content.layer.v1+wasm", "module"],
      [component, "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm", "component"],
    ] as const) {
      const { archive } = await makeOciLayout([{ layers: [{ blob: bytes, mediaType }], config: { os: "wasip2", architecture: "wasm" }, configMediaType: "application/vnd.wasm.config.v0+json" }]);
      const r = await must(archive);
      expect(r.classification).toMatchObject({ kind: "wasm", wasmKind: kind, source: "layer" });
      expect(r.rootfs).toBeUndefined();
      expect(Buffer.compare(readFileSync(r.wasmFile!), bytes)).toBe(0);
    }
  });
  it("keeps data layers of a Wasm artifact out of the rootfs (Spin-style apps), still verified", async () => {
    const data = Buffer.from('{"spin_manifest_version":2}');
    const img: TestImage = {
      layers: [
        { blob: data, mediaType: "application/vnd.fermyon.spin.application.v1+config" },
        { blob: component, mediaType: "application/vnd.wasm.content.layer.v1+wasm" },
        { blob: module, mediaType: "application/vnd.wasm.content.layer.v1+wasm" },
      ],
      config: { os: "wasip1", architecture: "wasm" },
    };
    const r = await must((await makeOciLayout([img])).archive);
    expect(r.layers.map((l) => [l.other ?? false, l.wasm])).toEqual([[true, false], [false, true], [false, true]]);
    expect(r.classification).toMatchObject({ kind: "wasm", wasmKind: "component", why: expect.stringContaining("first of 2 Wasm layers") });
    expect(r.rootfs).toBeUndefined();
    const tampered = await makeOciLayout([img], { corrupt: (b) => b.set(sha256(data), Buffer.from("tampered")) });
    const bad = await run(tampered.archive);
    expect(bad.ok || bad.error).toMatchObject({ kind: "digest-mismatch", digest: sha256(data) });
    // Without any Wasm layer, an unknown layer type is refused.
    const noWasm = await makeOciLayout([{ layers: [{ blob: data, mediaType: "application/vnd.example.data" }], config: {} }]);
    const nw = await run(noWasm.archive);
    expect(nw.ok || nw.error).toMatchObject({ kind: "unsupported-media-type" });
  });

  it("recognises a .wasm entrypoint in the rootfs", async () => {
    const { archive } = await makeOciLayout([{ layers: [await layer([{ name: "app/server.wasm", content: component }])], config: { Entrypoint: ["/app/server.wasm"], os: "wasip1", architecture: "wasm" }, platform: { os: "wasip1", architecture: "wasm" } }]);
    const r = await must(archive);
    expect(r.classification).toMatchObject({ kind: "wasm", wasmKind: "component", source: "rootfs", path: "/app/server.wasm" });
    expect(Buffer.compare(readFileSync(r.wasmFile!), component)).toBe(0);
    const lone = await makeOciLayout([{ layers: [await layer([{ name: "plugin.wasm", content: module }])], config: { os: "wasi", architecture: "wasm" } }]);
    expect((await must(lone.archive)).classification).toMatchObject({ kind: "wasm", wasmKind: "module", path: "/plugin.wasm" });
  });
});

describe("hostile archives are refused with typed errors", () => {
  const refuse = async (archive: Buffer, kind: string, opts: Partial<UnpackOptions> = {}) => {
    const r = await run(archive, opts);
    expect(r.ok ? "accepted" : r.error.kind).toBe(kind);
    return r;
  };
  const oneLayer = async (entries: TestEntry[], c: "none" | "gzip" = "none") => makeDockerSave([await layer(entries, c)], { Cmd: ["/x"] });

  it("../ paths", async () => refuse(await oneLayer([{ name: "../../evil", content: "x" }]), "path-escape"));
  it("absolute paths", async () => refuse(await oneLayer([{ name: "/etc/evil", content: "x" }]), "path-absolute"));
  it("a symlink then a file through it stays inside the rootfs", async () => {
    // As docker does (it unpacks in a chroot), parents that are symlinks resolve inside the rootfs.
    const r = await must(await oneLayer([
      { name: "escape", type: "symlink", linkname: "/tmp" },
      { name: "escape/evil", content: "x" },
      { name: "up", type: "symlink", linkname: "../../../../.." },
      { name: "up/etc/evil2", content: "y" },
    ]));
    expect(existsSync("/tmp/evil")).toBe(false);
    expect(existsSync("/etc/evil2")).toBe(false);
    const fs = rootfsOf(r);
    expect(fs.readlink("/escape")).toEqual({ ok: true, value: "/tmp" });
    expect(text(fs, "/tmp/evil")).toBe("x");
    expect(text(fs, "/etc/evil2")).toBe("y");
    expect(fs.lookup("escape/evil")).toBe(-1);
  });
  it("a symlink loop among the parents", async () =>
    refuse(await oneLayer([{ name: "a", type: "symlink", linkname: "b" }, { name: "b", type: "symlink", linkname: "a" }, { name: "a/x", content: "x" }]), "path-through-symlink"));
  it("a file under a regular file", async () => refuse(await oneLayer([{ name: "f", content: "x" }, { name: "f/x", content: "x" }]), "not-a-directory"));
  it("a hard link to outside the root", async () => refuse(await oneLayer([{ name: "pw", type: "link", linkname: "../../../etc/passwd" }]), "path-escape"));
  it("a hard link to a missing file", async () => refuse(await oneLayer([{ name: "pw", type: "link", linkname: "etc/passwd" }]), "hardlink-invalid"));
  it("a whiteout naming ..", async () => refuse(await oneLayer([{ name: "a/.wh...", content: "" }]), "path-escape"));
  it("a gzip bomb", async () => {
    const zeros = Buffer.alloc(48 * 1024 * 1024);
    const bomb = await makeTar([{ name: "zeros", content: zeros }]);
    const r = await refuse(await makeDockerSave([{ blob: gzip(bomb), tar: bomb }], { Cmd: ["/zeros"] }), "limit-ratio");
    expect(!r.ok && r.error.message).toMatch(/decompression bomb/);
  });
  it("a zstd bomb and a gzip-bombed outer archive", async () => {
    const bomb = await makeTar([{ name: "zeros", content: Buffer.alloc(48 * 1024 * 1024) }]);
    await refuse(await makeDockerSave([tarLayer(bomb, "zstd")], { Cmd: ["/zeros"] }), "limit-ratio");
    const r = await refuse(gzipSync(await makeDockerSave([{ blob: bomb, tar: bomb }], { Cmd: ["/zeros"] })), "limit-ratio");
    // The partial decompressed copy is not left behind.
    expect(readdirSync(r.workDir)).toEqual([]);
  });
  it("too many bytes", async () => refuse(await oneLayer([{ name: "big", content: Buffer.alloc(4096) }]), "limit-size", { limits: { maxUnpackedBytes: 1000 } }));
  it("an overlong path", async () => refuse(await oneLayer([{ name: "a/".repeat(60) + "x", content: "x" }]), "path-too-long", { limits: { maxPathLength: 100 } }));
  it("a truncated layer (plain and gzip)", async () => {
    const t = await makeTar([{ name: "file", content: Buffer.alloc(100_000, 7) }]);
    const cut = t.subarray(0, 50_000);
    await refuse(await makeDockerSave([{ blob: cut, tar: cut }], { Cmd: ["/x"] }), "archive-truncated");
    const gz = gzip(t);
    const gzCut = gz.subarray(0, gz.length - 20);
    await refuse(await makeDockerSave([{ blob: gzCut, tar: t }], { Cmd: ["/x"] }), "archive-truncated");
  });
  it("a truncated outer archive", async () => {
    const a = await oneLayer([{ name: "x", content: Buffer.alloc(5000, 1) }]);
    await refuse(a.subarray(0, a.length - 3000), "archive-truncated");
  });
  it("a wrong layer digest names the digest", async () => {
    const { archive, digests } = await makeOciLayout(
      [{ layers: [await layer([{ name: "x", content: "x" }], "gzip")], config: { Cmd: ["/x"] } }],
      { corrupt: (blobs) => { for (const [d, b] of blobs) if (b[0] === 0x1f) blobs.set(d, gzip(Buffer.from("tampered"))); } },
    );
    const r = await refuse(archive, "digest-mismatch");
    expect(!r.ok && r.error.digest).toBe(digests.layers[0]![0]);
    expect(!r.ok && r.error.message).toContain(digests.layers[0]![0]);
  });
  it("a docker-save layer that does not match its diff_id", async () => {
    const good = await makeTar([{ name: "x", content: "x" }]);
    const evil = await makeTar([{ name: "x", content: "y" }]);
    const r = await refuse(await makeDockerSave([{ blob: evil, tar: good }], { Cmd: ["/x"] }), "digest-mismatch");
    expect(!r.ok && r.error.digest).toBe(sha256(good));
  });
  it("a manifest with a missing blob", async () => {
    const img: TestImage = { layers: [await layer([{ name: "x", content: "x" }])], config: { Cmd: ["/x"] } };
    const layerDigest = sha256(img.layers[0]!.blob);
    const { archive } = await makeOciLayout([img], { dropBlob: (d) => d === layerDigest });
    const r = await refuse(archive, "blob-missing");
    expect(!r.ok && r.error.digest).toBe(layerDigest);
  });
  it("a docker-save manifest naming a missing layer", async () => {
    const a = await makeDockerSave([await layer([{ name: "x", content: "x" }])], { Cmd: ["/x"] }, { omit: [`${createHash("sha256").update("layer0").digest("hex")}/layer.tar`] });
    await refuse(a, "blob-missing");
  });
  it("not an image at all", async () => {
    await refuse(await makeTar([{ name: "hello.txt", content: "hi" }]), "unknown-format");
    const text = await refuse(Buffer.from("this is not a tar archive, just text that is long enough ".repeat(20)), "archive-invalid");
    // The message names the problem (not an archive), not a header field.
    expect(!text.ok && text.error.message).toMatch(/^not an image archive/);
    const { gzipSync } = await import("node:zlib");
    const junk = await refuse(gzipSync(Buffer.from("this is not a tar archive at all".repeat(50))), "archive-invalid");
    expect(!junk.ok && junk.error.message).toMatch(/^not an image archive/);
    const random = await refuse(gzipSync(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff))), "archive-invalid");
    expect(!random.ok && random.error.message).toMatch(/^not an image archive/);
    // gzip magic, then garbage
    await refuse(Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(2000, 0xee)]), "archive-invalid");
  });
  it("a 10,000-entry layer unpacks; an entry limit stops it", async () => {
    const entries: TestEntry[] = Array.from({ length: 10_000 }, (_, i) => ({ name: `d${i % 100}/f${i}`, content: `${i}` }));
    const a = await oneLayer(entries, "gzip");
    const r = await must(a);
    expect(r.files).toBe(10_000);
    expect(r.layers[0]!.entries).toBe(10_000);
    const fs = rootfsOf(r);
    expect(text(fs, "/d42/f9942")).toBe("9942");
    await refuse(a, "limit-entries", { limits: { maxEntries: 5_000 } });
  });
  it("writes nothing outside the job directory", async () => {
    const before = new Set(readdirSync(base));
    await run(await oneLayer([{ name: "ok", content: "x" }, { name: "../../outside", content: "x" }]));
    const after = readdirSync(base).filter((f) => !before.has(f));
    // Only the new upload file and its job dir appeared.
    expect(after.sort()).toEqual([`case${n}`, `case${n}.tar`]);
    expect(readdirSync(join(base, `case${n}`))).toEqual([]);
  });
});

describe("image names", () => {
  it("match with or without registry, library/ and tag", async () => {
    const { nameMatches } = await import("./image-archive");
    expect(nameMatches("docker.io/library/alpine:3.20", "alpine")).toBe(true);
    expect(nameMatches("docker.io/library/alpine:3.20", "alpine:3.20")).toBe(true);
    expect(nameMatches("docker.io/library/alpine:3.20", "alpine:3.19")).toBe(false);
    expect(nameMatches("ghcr.io/acme/app:1", "ghcr.io/acme/app")).toBe(true);
    expect(nameMatches("ghcr.io/acme/app:1", "app")).toBe(false);
    expect(nameMatches("localhost:5000/app", "localhost:5000/app")).toBe(true);
  });
  it("pick one image out of a docker save with several", async () => {
    const a = tarLayer(await makeTar([{ name: "which", content: "a" }]));
    const arch = await makeDockerSave([a], { Cmd: ["/which"] }, { repoTags: ["docker.io/library/one:1"] });
    const r = await must(arch, { name: "one" });
    expect(r.names).toEqual(["docker.io/library/one:1"]);
  });
});
