// Translated blocks appended to the core: the module rewriter, the lookup
// table, and an artifact that carries translations next to its rootfs.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corePath, ensureCore, packStage, runEmulated } from "../../emulator/test/harness";
import { haveHostTools } from "../testing/host-tools";
import { buildLookupTable, helperFunctions, parseTranslations } from "./aot-module";
import { translateProfiles } from "./aot-translate";
import { buildArtifactBytes, buildNativeArtifact, runNativeArtifact } from "./native-artifact";

const haveTools = haveHostTools({ commands: ["clang-14"], files: ["/bin/busybox"] }, "the translated-blocks suite");
const dir = mkdtempSync(join(tmpdir(), "trellis-aot-"));
const rootfs = join(dir, "rootfs.img");
const SCRIPT = "i=0; while [ $i -lt 30 ]; do i=$((i+1)); done; echo counted $i | sha256sum";

describe.skipIf(!haveTools)("translated blocks in the core module", () => {
  let profile: string;
  let plain: string;
  beforeAll(async () => {
    ensureCore();
    const stage = join(dir, "stage");
    mkdirSync(join(stage, "bin"), { recursive: true });
    copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
    symlinkSync("busybox", join(stage, "bin", "sh"));
    await packStage(stage, rootfs);
    mkdirSync(join(dir, "prof"));
    profile = join(dir, "prof", "sh.blocks");
    const r = runEmulated({ argv: ["/bin/sh", "-c", SCRIPT], env: { PATH: "/bin" } }, rootfs, "/", join(dir, "tmp"), undefined, {
      env: { TRELLIS_AOT_PROFILE: "/prof/sh.blocks" },
      preopens: { "/prof": join(dir, "prof") },
    });
    expect(r.status).toBe(0);
    plain = r.stdout;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds the helpers through the core's descriptor and appends a module that validates", () => {
    const core = readFileSync(corePath);
    const helpers = helperFunctions(core);
    expect(helpers.ok && helpers.value.length).toBe(6);
    const r = translateProfiles(core, [profile], { minRuns: 2 });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.functions).toBeGreaterThan(50);
    expect(r.value.blocks.every((b) => b.runs >= 2)).toBe(true);
    expect(() => new WebAssembly.Module(new Uint8Array(r.value.module))).not.toThrow();
  });

  it("an artifact with translations runs them and prints what the interpreter prints; TRELLIS_AOT=0 turns them off", async () => {
    const r = translateProfiles(readFileSync(corePath), [profile]);
    if (!r.ok) throw new Error(r.error.message);
    const art = buildArtifactBytes(r.value.module, readFileSync(rootfs), { entrypoint: ["/bin/sh", "-c"], cmd: [SCRIPT], env: ["PATH=/bin"] });
    if (!art.ok) throw new Error(art.error.message);
    const file = join(dir, "artifact.wasm");
    writeFileSync(file, art.value);
    const on = await runNativeArtifact(file, { env: { TRELLIS_TRACE: "1" }, timeoutMs: 60_000 });
    expect(on.stdout.toString()).toBe(plain);
    expect(on.exitCode).toBe(0);
    const runs = Number(/translated blocks on, (\d+) runs/.exec(on.stderr.toString())?.[1]);
    expect(runs).toBeGreaterThan(100);
    const off = await runNativeArtifact(file, { env: { TRELLIS_TRACE: "1", TRELLIS_AOT: "0" }, timeoutMs: 60_000 });
    expect(off.stdout.toString()).toBe(plain);
    expect(off.stderr.toString()).toContain("translated blocks off (TRELLIS_AOT=0), 0 runs");
  });

  it("the compile pipeline's artifact builder translates the profiles it is given into the artifact", async () => {
    const input = {
      rootfsPath: rootfs,
      argv: ["/bin/sh", "-c", SCRIPT],
      entrypoint: ["/bin/sh", "-c"],
      cmd: [SCRIPT],
      executable: "/bin/busybox",
      elf: {} as never,
      env: ["PATH=/bin"],
      workingDir: "/",
      user: "",
    };
    mkdirSync(join(dir, "job"));
    const built = await buildNativeArtifact({ ...input, outDir: join(dir, "job"), aotProfiles: [profile] });
    const t = built.details?.translatedBlocks as { blocks: number; plainCoreBytes: number } | undefined;
    expect(t?.blocks).toBeGreaterThan(50);
    expect(built.details?.coreBytes).toBeGreaterThan(t!.plainCoreBytes);
    const r = await runNativeArtifact(built.file, { env: { TRELLIS_TRACE: "1" }, timeoutMs: 60_000 });
    expect(r.stdout.toString()).toBe(plain);
    expect(Number(/translated blocks on, (\d+) runs/.exec(r.stderr.toString())?.[1])).toBeGreaterThan(100);
    mkdirSync(join(dir, "job2"));
    await expect(buildNativeArtifact({ ...input, outDir: join(dir, "job2"), aotProfiles: [join(dir, "no-such.blocks")] })).rejects.toThrow(/translator failed/);
  });

  it("the lookup table finds every block by linear probing from its hash", () => {
    const blocks = Array.from({ length: 300 }, (_, i) => ({ hash: (BigInt(i) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn, key: 10 + i }));
    const t = buildLookupTable(blocks, 1000);
    expect(t.slots).toBe(1024);
    blocks.forEach((b, k) => {
      let i = Number(b.hash & BigInt(t.slots - 1));
      while (t.bytes.readBigUInt64LE(i * 16) !== b.hash || t.bytes.readUInt32LE(i * 16 + 8) !== b.key) {
        expect(t.bytes.readUInt32LE(i * 16 + 12)).not.toBe(0); // an empty slot before the block: not found
        i = (i + 1) % t.slots;
      }
      expect(t.bytes.readUInt32LE(i * 16 + 12)).toBe(1000 + k);
    });
  });

  it("refuses a translations file that is not one, and a module without the descriptor", () => {
    const bad = parseTranslations(Buffer.from("TAOX\x01\0\0\0\0\0\0\0", "latin1"));
    expect(!bad.ok && bad.error.kind).toBe("core-malformed");
    const empty = helperFunctions(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    expect(!empty.ok && empty.error.message).toMatch(/no trellis_aot descriptor/);
  });
});
