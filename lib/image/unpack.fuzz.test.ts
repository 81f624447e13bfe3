// Property: the image reader answers any archive (random layer entries with hostile paths, symlinks and hard
// links, inside docker-save or OCI layout archives, then truncated, bit-flipped or given lying sizes) with an
// unpacked rootfs or a typed error whose kind says what is wrong ("io" is kept for real I/O failures, so an
// "io" answer here means an unexpected exception leaked). Nothing is ever written outside the job directory.
import fc from "fast-check";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzParams } from "../testing/fuzz";
import { haveHostTools } from "../testing/host-tools";
import { IMAGE_ERROR_KINDS } from "./errors";
import { openPackedRootfs } from "./packed-rootfs";
import { makeDockerSave, makeOciLayout, makeTar, tarLayer, type TestEntry } from "./test-images";
import { unpackImage } from "./unpack";

const params = fuzzParams(60);
const runs = params.numRuns;
// zstd layers are made with the zstd tool (scripts/setup.sh installs it; under CI=true its absence fails here).
const compressions: ("none" | "gzip" | "zstd")[] = haveHostTools({ commands: ["zstd"] }, "the image reader fuzz (zstd layers)") ? ["none", "gzip", "zstd"] : ["none", "gzip"];
const kinds = new Set<string>(IMAGE_ERROR_KINDS);
// Small limits so bombs and size lies are reached in milliseconds.
const limits = { maxUnpackedBytes: 256 * 1024, maxEntries: 64, maxPathLength: 200, maxCompressionRatio: 20, ratioFloorBytes: 64 * 1024 };

let base: string;
let n = 0;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "trellis-unpack-fuzz-"));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

// Mostly plain names (so cases get past path checks into layers, whiteouts and links), some hostile ones.
const segment = fc.oneof({ weight: 6, arbitrary: fc.constantFrom("a", "b", "etc", "bin", ".wh.a", ".wh.b", ".wh..wh..opq") }, fc.constantFrom("..", ".", "", "x".repeat(120), "ü", "a\\b"));
const path = fc.tuple(fc.oneof({ weight: 6, arbitrary: fc.constant("") }, fc.constantFrom("/", "./", "../")), fc.array(segment, { minLength: 1, maxLength: 4 })).map(([lead, segs]) => lead + segs.join("/"));
const entry: fc.Arbitrary<TestEntry> = fc.oneof(
  fc.record({ name: path, content: fc.oneof(fc.string({ maxLength: 20 }), fc.constant("\x7fELF")) }),
  fc.record({ name: path, type: fc.constant("directory" as const) }),
  fc.record({ name: path, type: fc.constant("symlink" as const), linkname: path }),
  fc.record({ name: path, type: fc.constant("link" as const), linkname: path }),
);
// A bomb: compresses far past the ratio limit once it is over the floor.
const bomb: TestEntry = { name: "zeros", content: Buffer.alloc(300 * 1024) };

type Damage =
  | { kind: "none" }
  | { kind: "truncate"; at: number }
  | { kind: "flip"; at: number[]; xor: number }
  // An octal size field of a tar header (the outer archive's headers sit at 512-byte boundaries) made to lie.
  | { kind: "size"; header: number; size: string };
const damage: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Damage>({ kind: "none" }) },
  fc.record({ kind: fc.constant("truncate" as const), at: fc.integer({ min: 1, max: 999 }).map((x) => x / 1000) }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.array(fc.integer({ min: 0, max: 999 }).map((x) => x / 1000), { minLength: 1, maxLength: 4 }), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("size" as const), header: fc.nat({ max: 20 }), size: fc.constantFrom("77777777777", "00000000001", "00000001000", "7777777777x", "\0\0\0\0\0\0\0\0\0\0\0") }),
);

function applyDamage(b: Buffer, d: Damage): Buffer {
  const out = Buffer.from(b);
  switch (d.kind) {
    case "none": return out;
    case "truncate": return out.subarray(0, Math.floor(d.at * out.length));
    case "flip":
      for (const at of d.at) out[Math.min(out.length - 1, Math.floor(at * out.length))]! ^= d.xor;
      return out;
    case "size": {
      // Find the header-th tar header (a 512-byte block with "ustar" at 257) and rewrite its size (offset 124, 12 bytes).
      let seen = 0;
      for (let off = 0; off + 512 <= out.length; off += 512) {
        if (out.toString("latin1", off + 257, off + 262) !== "ustar") continue;
        if (seen++ !== d.header) continue;
        out.write(d.size.padEnd(11, "0").slice(0, 11) + "\0", off + 124, "latin1");
        return out;
      }
      return out;
    }
  }
}

const image = fc.record({
  layers: fc.array(fc.tuple(fc.array(fc.oneof({ weight: 30, arbitrary: entry }, fc.constant(bomb)), { maxLength: 6 }), fc.constantFrom(...compressions)), { minLength: 1, maxLength: 2 }),
  layout: fc.constantFrom<"docker-save" | "oci" | "oci-gzip">("docker-save", "oci", "oci-gzip"),
  damage,
});

describe("unpackImage (fuzz)", () => {
  it("answers any damaged or hostile archive with a rootfs or a typed, specific error, writing only in its job directory", async () => {
    await fc.assert(
      fc.asyncProperty(image, async ({ layers, layout, damage }) => {
        const ls = await Promise.all(layers.map(async ([entries, c]) => tarLayer(await makeTar(entries), c)));
        let archive: Buffer;
        if (layout === "docker-save") archive = await makeDockerSave(ls, { Cmd: ["/bin/x"] });
        else {
          archive = (await makeOciLayout([{ layers: ls, config: { Cmd: ["/bin/x"] } }])).archive;
          if (layout === "oci-gzip") archive = gzipSync(archive, { level: 1 });
        }
        archive = applyDamage(archive, damage);
        const id = `case${++n}`;
        const file = join(base, `${id}.tar`);
        writeFileSync(file, archive);
        const workDir = join(base, id);
        const r = await unpackImage({ file, workDir, limits });
        // Only this case's archive and job directory exist beside the earlier cases' ones.
        expect(readdirSync(base).filter((f) => !/^case\d+(\.tar)?$/.test(f))).toEqual([]);
        for (const f of readdirSync(workDir)) expect(lstatSync(join(workDir, f)).isSymbolicLink()).toBe(false);
        if (!r.ok) {
          expect(kinds.has(r.error.kind), r.error.kind).toBe(true);
          expect(r.error.kind, r.error.message).not.toBe("io");
        } else if (r.value.rootfs) {
          const fs = openPackedRootfs(readFileSync(r.value.rootfs.path));
          expect(fs.ok).toBe(true);
          if (!fs.ok) return;
          for (let i = 0; i < fs.value.entryCount; i++) {
            const p = fs.value.pathAt(i);
            expect(p.startsWith("/") || p.split("/").includes("..") || p.split("/").includes("."), p).toBe(false);
            // Resolving and reading follow symlinks inside the rootfs: loops end in a typed error.
            const res = fs.value.resolve(p, true);
            if (!res.ok) expect(kinds.has(res.error.kind)).toBe(true);
            if (fs.value.statAt(i).type === "file") expect(fs.value.readFile(p).ok).toBe(true);
          }
        }
        rmSync(workDir, { recursive: true, force: true });
        rmSync(file, { force: true });
      }),
      { ...params, numRuns: runs },
    );
  });
});
