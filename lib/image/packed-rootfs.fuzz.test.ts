// Property: the packed-rootfs reader answers any bytes (a real rootfs with bytes flipped, runs overwritten with
// extreme values, or cut short) with a reader or a typed error, and a reader that opened never throws from
// any of its calls on any entry or path: it validates every offset up front, so nothing later can read past the end.
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzParams } from "../testing/fuzz";
import { IMAGE_ERROR_KINDS } from "./errors";
import { openPackedRootfs, packEntries } from "./packed-rootfs";

const params = fuzzParams(300);
const runs = params.numRuns;
const kinds = new Set<string>(IMAGE_ERROR_KINDS);
let dir: string;
let good: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trellis-packed-fuzz-"));
  const out = join(dir, "a.rootfs");
  const r = await packEntries(
    [
      { type: "dir", path: "/etc", perm: 0o755 },
      { type: "file", path: "/etc/hostname", content: Buffer.from("trellis\n") },
      { type: "file", path: "/usr/bin/tool", content: Buffer.alloc(300, 7), perm: 0o755 },
      { type: "symlink", path: "/bin", target: "usr/bin" },
      { type: "symlink", path: "/loop", target: "/loop2" },
      { type: "symlink", path: "/loop2", target: "loop" },
      { type: "hardlink", path: "/usr/bin/tool2", target: "/usr/bin/tool" },
      { type: "file", path: "/empty", content: new Uint8Array(0) },
    ],
    out,
  );
  if (!r.ok) throw new Error(r.error.message);
  good = readFileSync(out);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const damage = fc.oneof(
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => (b: Buffer) => {
    for (const [at, x] of flips) b[at % b.length]! ^= x;
    return b;
  }),
  fc.tuple(fc.nat(), fc.constantFrom(0x00, 0xff, 0x7f, 0x80), fc.integer({ min: 1, max: 16 })).map(([at, v, n]) => (b: Buffer) => {
    b.fill(v, at % b.length, Math.min(b.length, (at % b.length) + n));
    return b;
  }),
  fc.nat().map((at) => (b: Buffer) => b.subarray(0, at % b.length)),
);
const paths = ["/", "/etc/hostname", "/bin/tool", "/bin/../etc/hostname", "/loop", "/loop/x", "/usr/bin/tool2", "/nope", "", "../../..", "/empty"];

describe("openPackedRootfs (fuzz)", () => {
  it("opens or refuses damaged bytes with a typed error, and an opened reader never throws", () => {
    fc.assert(
      fc.property(damage, (d) => {
        const r = openPackedRootfs(d(Buffer.from(good)));
        if (!r.ok) {
          expect(kinds.has(r.error.kind)).toBe(true);
          expect(r.error.kind, r.error.message).not.toBe("io");
          return;
        }
        const fs = r.value;
        const typed = (x: { ok: true } | { ok: false; error: { kind: string } }) => {
          if (!x.ok) expect(kinds.has(x.error.kind)).toBe(true);
        };
        const every = (p: string) => [fs.stat(p), fs.readFile(p), fs.readdir(p), fs.readlink(p), fs.resolve(p, true)].forEach(typed);
        for (let i = 0; i < fs.entryCount; i++) {
          const p = "/" + fs.pathAt(i);
          fs.statAt(i);
          every(p);
        }
        for (const p of paths) {
          fs.lookup(p);
          every(p);
        }
      }),
      { ...params, numRuns: runs },
    );
  });
});
