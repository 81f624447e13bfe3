// Golden fixtures: the exact bytes of a small packed rootfs (a reference for
// other readers of PACKED-ROOTFS.md, as a hex dump) and the unpack summaries
// of a few built images (uncompressed layers: gzip bytes may differ between
// zlib versions, digests must not). `UPDATE=1` rewrites them.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packEntries } from "./packed-rootfs";
import { unpackImage, type UnpackResult } from "./unpack";
import { makeDockerSave, makeOciLayout, makeTar, tarLayer } from "./test-images";

const UPDATE = process.env.UPDATE === "1";
const fixtures = join(import.meta.dirname, "fixtures");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "trellis-golden-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function golden(name: string, actual: string): void {
  const file = join(fixtures, name);
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) throw new Error(`missing golden ${name}: run with UPDATE=1`);
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, "utf8"));
}

function hexdump(b: Buffer): string {
  const lines: string[] = [];
  for (let o = 0; o < b.length; o += 16) {
    const row = b.subarray(o, o + 16);
    const hex = [...row].map((x) => x.toString(16).padStart(2, "0")).join(" ");
    const txt = [...row].map((x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : ".")).join("");
    lines.push(`${o.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  |${txt}|`);
  }
  return lines.join("\n") + "\n";
}

/** The stable part of an unpack result (no timings, no temp paths). */
function summary(r: UnpackResult): unknown {
  const { timingsMs: _t, rootfs, wasmLayers, wasmFile: _w, ...rest } = r;
  return {
    ...rest,
    rootfs: rootfs ? { ...rootfs, path: "<job>/work/rootfs.img" } : null,
    wasmLayers: wasmLayers.map((w) => ({ ...w, path: "<job>/work/wasm/…" })),
  };
}

describe("golden: packed rootfs bytes", () => {
  it("small.rootfs.hex", async () => {
    const out = join(dir, "small.rootfs");
    const r = await packEntries(
      [
        { type: "dir", path: "/bin", perm: 0o755, mtime: 1_700_000_000 },
        { type: "file", path: "/bin/hello", content: Buffer.from("#!/bin/sh\necho hello\n"), perm: 0o755, uid: 0, gid: 0, mtime: 1_700_000_001 },
        { type: "symlink", path: "/bin/hi", target: "hello", mtime: 1_700_000_002 },
        { type: "hardlink", path: "/hello-again", target: "/bin/hello" },
        { type: "dir", path: "/etc", perm: 0o755, mtime: 1_700_000_003 },
        { type: "file", path: "/etc/hostname", content: Buffer.from("trellis\n"), perm: 0o644, uid: 1000, gid: 1000, mtime: 1_700_000_004, mtimeNsec: 500 },
        { type: "dir", path: "/", perm: 0o755, mtime: 1_700_000_005 },
      ],
      out,
    );
    expect(r.ok).toBe(true);
    golden("packed/small.rootfs.hex", hexdump(readFileSync(out)));
  });
});

describe("golden: unpack summaries", () => {
  const cases: Record<string, () => Promise<Buffer>> = {
    "docker-save-two-layers": async () =>
      makeDockerSave(
        [
          tarLayer(await makeTar([{ name: "etc/", type: "directory" }, { name: "etc/a", content: "a" }, { name: "etc/b", content: "b" }, { name: "bin/tool", content: "#!/bin/sh\n", mode: 0o755 }])),
          tarLayer(await makeTar([{ name: "etc/.wh.a" }, { name: "etc/c", content: "c" }, { name: "dev/null", type: "character-device" }])),
        ],
        { Entrypoint: ["/bin/tool"], Env: ["PATH=/bin"], ExposedPorts: { "8080/tcp": {} }, Labels: { team: "trellis" } },
        { repoTags: ["golden:1"] },
      ),
    "oci-multi-platform": async () =>
      (
        await makeOciLayout(
          await Promise.all(
            ["amd64", "arm64"].map(async (arch) => ({
              layers: [tarLayer(await makeTar([{ name: "arch", content: arch }]))],
              config: { Cmd: ["/arch"], architecture: arch },
              platform: { os: "linux", architecture: arch },
            })),
          ),
          { nested: true, refName: "docker.io/library/golden:2" },
        )
      ).archive,
    "oci-wasm-component-artifact": async () =>
      (
        await makeOciLayout([
          {
            layers: [{ blob: Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]), mediaType: "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm" }],
            config: { os: "wasip2", architecture: "wasm" },
          },
        ])
      ).archive,
  };
  for (const [name, build] of Object.entries(cases)) {
    it(name, async () => {
      const file = join(dir, `${name}.tar`);
      writeFileSync(file, await build());
      const r = await unpackImage({ file, workDir: join(dir, name) });
      if (!r.ok) throw new Error(r.error.message);
      golden(`unpack/${name}.json`, JSON.stringify(summary(r.value), null, 2) + "\n");
    });
  }
});
