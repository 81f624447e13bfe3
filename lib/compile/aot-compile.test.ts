import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packDirectory } from "../image/packed-rootfs";
import { haveHostTools } from "../testing/host-tools";
import { DEFAULT_MIN_RUNS, type TranslateRequest, type TranslationReport } from "./aot-compile";
import { defaultTranslatorPath } from "./aot-translate";
import { buildNativeArtifact, defaultCorePath, runNativeArtifact } from "./native-artifact";

const haveTools = haveHostTools({ files: ["/bin/busybox", "/usr/bin/clang-14"] }, "the compile-time translation suite");
const dir = mkdtempSync(join(tmpdir(), "trellis-aotc-"));
const rootfs = join(dir, "rootfs.img");
const cacheDir = join(dir, "cache");
// a shell loop: its blocks run often enough to be translated (DEFAULT_MIN_RUNS)
const LOOP = "i=0; s=0; while [ $i -lt 1500 ]; do s=$((s + i * i % 7)); i=$((i+1)); done; echo $s";
const SUM = `${Array.from({ length: 1500 }, (_, i) => (i * i) % 7).reduce((a, b) => a + b, 0)}\n`;

type Report = TranslationReport & { artifactBytes: { plain: number; translated: number } };
let job = 0;
async function build(cmd: string[], translate?: TranslateRequest | false) {
  const out = join(dir, `job${job++}`);
  mkdirSync(out, { recursive: true });
  const built = await buildNativeArtifact({ rootfsPath: rootfs, outDir: out, argv: cmd, entrypoint: [], cmd, executable: "/bin/busybox", elf: {} as never, env: ["PATH=/bin"], workingDir: "/", user: "", ...(translate !== undefined ? { translate } : {}) });
  return { built, translation: built.details?.translation as Report & { skipped?: string } };
}

describe.skipIf(!haveTools)("translation in the compile pipeline", () => {
  beforeAll(async () => {
    if (!existsSync(defaultCorePath()) || !existsSync(defaultTranslatorPath())) execFileSync("bash", ["emulator/build.sh"], { stdio: "pipe" });
    const stage = join(dir, "stage");
    mkdirSync(join(stage, "bin"), { recursive: true });
    copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
    symlinkSync("busybox", join(stage, "bin", "sh"));
    const r = await packDirectory(stage, rootfs);
    if (!r.ok) throw new Error(r.error.message);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("translates by default: a smoke run of the image's command profiles it, the hot blocks go into the artifact, and it runs them", async () => {
    const { built, translation: t } = await build(["/bin/sh", "-c", LOOP], { cacheDir });
    expect(t.smoke).toMatchObject({ args: "image command", end: "exited", exitCode: 0, cached: false });
    expect(t.minRuns).toBe(DEFAULT_MIN_RUNS);
    expect(t.smoke.instructions).toBeGreaterThan(100_000);
    expect(t.blocks).toBeGreaterThan(10);
    expect(t.cached).toBe(false);
    expect(t.coreBytes.translated).toBeGreaterThan(t.coreBytes.plain);
    expect(t.artifactBytes.translated).toBe(readFileSync(built.file).length);
    expect(t.artifactBytes.translated - t.artifactBytes.plain).toBe(t.coreBytes.translated - t.coreBytes.plain);
    const on = await runNativeArtifact(built.file, { env: { TRELLIS_TRACE: "1" } });
    const off = await runNativeArtifact(built.file, { env: { TRELLIS_TRACE: "1", TRELLIS_AOT: "0" } });
    expect(on.stdout.toString()).toBe(SUM);
    expect(off.stdout.toString()).toBe(SUM);
    const runs = /translated blocks on, (\d+) runs/.exec(on.stderr.toString());
    expect(Number(runs?.[1])).toBeGreaterThan(100);
    expect(off.stderr.toString()).toContain("translated blocks off (TRELLIS_AOT=0)");
  });

  it("a second compile of the same image takes profile and translations from the cache, and gives the same artifact", async () => {
    const a = await build(["/bin/sh", "-c", LOOP], { cacheDir });
    const b = await build(["/bin/sh", "-c", LOOP], { cacheDir });
    expect(b.translation.smoke.cached).toBe(true);
    expect(b.translation.cached).toBe(true);
    expect(b.translation.smoke.instructions).toBe(a.translation.smoke.instructions);
    expect(readFileSync(b.built.file).equals(readFileSync(a.built.file))).toBe(true);
    // another threshold reuses the profile but translates again
    const c = await build(["/bin/sh", "-c", LOOP], { cacheDir, minRuns: 2 });
    expect(c.translation).toMatchObject({ cached: false, minRuns: 2, smoke: { cached: true } });
    expect(c.translation.blocks).toBeGreaterThan(a.translation.blocks);
  });

  it("profiles a server that never exits (every process left waiting) and a command stopped by its budget", async () => {
    const server = await build(["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/"]);
    expect(server.translation.smoke).toMatchObject({ end: "waiting", exitCode: 125 });
    const spin = await build(["/bin/sh", "-c", "while :; do :; done"], { budget: 2_000_000 });
    expect(spin.translation.smoke).toMatchObject({ end: "budget", exitCode: 124, budget: 2_000_000 });
    expect(spin.translation.smoke.instructions).toBeGreaterThanOrEqual(2_000_000);
    expect(spin.translation.smoke.instructions).toBeLessThan(3_000_000);
    expect(spin.translation.blocks).toBeGreaterThan(0);
  });

  it("bounds the smoke run by CPU time, with wall time as the backstop for a guest that sleeps", async () => {
    // a 2 s sleep uses far less than 1.5 s of CPU: a CPU limit lets it finish (a 1.5 s wall limit would have cut it)
    const nap = await build(["/bin/busybox", "sleep", "2"], { timeMs: 1500 });
    expect(nap.translation.smoke).toMatchObject({ end: "exited", exitCode: 0 });
    // a long sleep is stopped by the wall clock at 3x the limit, and still gives its profile
    const sleeper = await build(["/bin/busybox", "sleep", "600"], { timeMs: 300 });
    expect(sleeper.translation.smoke).toMatchObject({ end: "budget", exitCode: 124 });
    expect(sleeper.translation.smoke.ms).toBeLessThan(60_000);
  });

  it("takes a smoke command of its own, can be turned off, and reports a smoke run that cannot start", async () => {
    const given = await build(["/bin/sh", "-c", "echo plain"], { smokeArgs: ["/bin/sh", "-c", LOOP + "; exit 3"] });
    expect(given.translation.smoke).toMatchObject({ args: ["/bin/sh", "-c", LOOP + "; exit 3"], end: "exited", exitCode: 3 });
    expect(given.translation.blocks).toBeGreaterThan(10);
    expect((await runNativeArtifact(given.built.file)).stdout.toString()).toBe("plain\n");
    const off = await build(["/bin/sh", "-c", LOOP], false);
    expect(off.translation).toEqual({ skipped: "turned off for this compile" });
    expect(off.built.details?.coreBytes).toBe(readFileSync(defaultCorePath()).length);
    const missing = await build(["/bin/nothing-here"]);
    expect(missing.translation.skipped).toMatch(/^smoke-failed: .*cannot execute \/bin\/nothing-here/);
    expect(missing.built.details?.coreBytes).toBe(readFileSync(defaultCorePath()).length);
  });
});
