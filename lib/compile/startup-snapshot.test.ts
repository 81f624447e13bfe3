import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packDirectory } from "../image/packed-rootfs";
import { haveHostTools } from "../testing/host-tools";
import { emulatorDir } from "../../emulator/test/harness";
import { buildArtifactBytes, defaultCorePath, runNativeArtifact, type RunConfig } from "./native-artifact";
import { addSnapshot, takeStartupSnapshot } from "./startup-snapshot";

const haveTools = haveHostTools({ files: ["/bin/busybox", "/usr/bin/clang-14"], commands: ["gcc"] }, "the start-up snapshot suite");
const dir = mkdtempSync(join(tmpdir(), "trellis-snap-test-"));
let core: Buffer;
let rootfs: Buffer;
// three file pages of distinct bytes for snap-pages.c
const pages = Buffer.alloc(3 * 4096, 0);
for (let i = 0; i < pages.length; i++) pages[i] = (i * 7 + (i >> 12) * 50 + 1) & 0xff;

// Deterministic work before the first output (a pipeline through fork, pipes
// and wait inside the guest), then output, then more work that allocates.
const SCRIPT = 'n=$(seq 1 400 | sort -rn | head -3 | tr "\\n" " "); echo "top $n"; seq 1 3000 | sort -rn | md5sum; cat /app/data.txt; echo "args $#: $*"';

async function artifact(cfg: RunConfig): Promise<{ plain: string; snap: string; stop: number; insns: number; log: string; dumpBytes: number }> {
  const a = buildArtifactBytes(core, rootfs, cfg);
  if (!a.ok) throw new Error(a.error.message);
  const s = await takeStartupSnapshot(a.value);
  if (!s.ok) throw new Error(s.error.message);
  const plain = join(dir, `plain-${Math.random().toString(36).slice(2)}.wasm`);
  const snap = plain.replace("plain-", "snap-");
  writeFileSync(plain, a.value);
  writeFileSync(snap, s.value.module);
  return { plain, snap, stop: s.value.stopSyscall, insns: s.value.instructions, log: s.value.log, dumpBytes: s.value.dumpBytes };
}

describe.skipIf(!haveTools)("start-up snapshots", () => {
  beforeAll(async () => {
    if (!existsSync(defaultCorePath())) execFileSync("bash", ["emulator/build.sh"], { stdio: "pipe" });
    core = readFileSync(defaultCorePath());
    const stage = join(dir, "stage");
    mkdirSync(join(stage, "bin"), { recursive: true });
    mkdirSync(join(stage, "app"), { recursive: true });
    copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
    for (const a of ["sh", "seq", "sort", "head", "tail", "tr", "md5sum", "cat"]) symlinkSync("busybox", join(stage, "bin", a));
    writeFileSync(join(stage, "app", "data.txt"), "from the rootfs\n");
    writeFileSync(join(stage, "app", "pages.bin"), pages);
    execFileSync("gcc", ["-static", "-O1", "-o", join(stage, "bin", "snap-pages"), join(emulatorDir, "test", "programs", "snap-pages.c")], { stdio: "pipe" });
    const img = join(dir, "rootfs.img");
    const r = await packDirectory(stage, img);
    if (!r.ok) throw new Error(r.error.message);
    rootfs = readFileSync(img);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("resumes at the first output with the same result as a normal start; other inputs start normally", async () => {
    const a = await artifact({ entrypoint: ["/bin/sh", "-c", SCRIPT, "sh"], cmd: ["x", "y"], env: ["PATH=/bin"], workdir: "/app" });
    expect(a.stop).toBe(1); // write(2) to stdout
    expect(a.insns).toBeGreaterThan(10_000); // PID 1's own (the pipeline ran in its children)
    const plain = await runNativeArtifact(a.plain);
    const snap = await runNativeArtifact(a.snap, { env: { TRELLIS_TRACE: "1" } });
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout.toString()).toMatch(/^top 400 399 398 \n[0-9a-f]{32}  -\nfrom the rootfs\nargs 2: x y\n$/);
    expect(snap.stdout.toString()).toBe(plain.stdout.toString());
    expect(snap.exitCode).toBe(0);
    expect(snap.stderr.toString()).toContain("resumed from the start-up snapshot");
    // other arguments, another environment variable, or TRELLIS_SNAPSHOT=0: a normal start
    const other = await runNativeArtifact(a.snap, { args: ["p", "q", "r"], env: { TRELLIS_TRACE: "1" } });
    expect(other.stdout.toString()).toMatch(/args 3: p q r\n$/);
    expect(other.stderr.toString()).toContain("start-up snapshot not used");
    const env = await runNativeArtifact(a.snap, { env: { TRELLIS_TRACE: "1", EXTRA: "1" } });
    expect(env.stdout.toString()).toBe(plain.stdout.toString());
    expect(env.stderr.toString()).toContain("start-up snapshot not used");
    // the CPU level cpuid reports is an input too (the guest's libc chose its routines from it before the stop)
    const v3 = await runNativeArtifact(a.snap, { env: { TRELLIS_TRACE: "1", TRELLIS_X86_V3: "1" } });
    expect(v3.stdout.toString()).toBe(plain.stdout.toString());
    expect(v3.stderr.toString()).toContain("start-up snapshot not used");
    const off = await runNativeArtifact(a.snap, { env: { TRELLIS_TRACE: "1", TRELLIS_SNAPSHOT: "0" } });
    expect(off.stdout.toString()).toBe(plain.stdout.toString());
    expect(off.stderr.toString()).not.toContain("resumed");
  }, 120_000);

  it("stops where a child process writes first; the resumed pipeline finishes as a normal start does", async () => {
    const a = await artifact({ entrypoint: ["/bin/sh", "-c", "seq 1 5 | sort -rn | head -2; echo done"], cmd: [], env: ["PATH=/bin"] });
    expect(a.stop).toBe(1);
    const plain = await runNativeArtifact(a.plain);
    const snap = await runNativeArtifact(a.snap, { env: { TRELLIS_TRACE: "1" } });
    expect(plain.stdout.toString()).toBe("5\n4\ndone\n");
    expect(snap.stdout.toString()).toBe(plain.stdout.toString());
    expect(snap.stderr.toString()).toContain("resumed from the start-up snapshot");
  }, 120_000);

  it("stops before reading stdin, so a resumed run reads its own", async () => {
    const a = await artifact({ entrypoint: ["/bin/sh", "-c", 'x=$(seq 1 50 | tail -1); read line; echo "$x $line"'], cmd: [], env: ["PATH=/bin"] });
    expect([0, 7]).toContain(a.stop); // read(2) on fd 0, or the poll(2) busybox's read builtin makes first
    const r = await runNativeArtifact(a.snap, { stdin: "typed\n", env: { TRELLIS_TRACE: "1" } });
    expect(r.stdout.toString()).toBe("50 typed\n");
    expect(r.stderr.toString()).toContain("resumed from the start-up snapshot");
  }, 120_000);

  it("stops before exit: a guest with no output still exits with its own status", async () => {
    const a = await artifact({ entrypoint: ["/bin/sh", "-c", "seq 1 100 | sort -rn > /tmp/x; exit 3"], cmd: [], env: ["PATH=/bin"] });
    expect(a.stop).toBe(231); // exit_group
    const r = await runNativeArtifact(a.snap, { env: { TRELLIS_TRACE: "1" } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr.toString()).toContain("resumed from the start-up snapshot");
  }, 120_000);

  it("carries neither decoded blocks nor file pages the rootfs holds: those come back, written pages stay written", async () => {
    const a = await artifact({ entrypoint: ["/bin/snap-pages"], cmd: [], env: ["PATH=/bin"] });
    expect(a.stop).toBe(1);
    const m = /(\d+) pages copied from the rootfs at a resume; (\d+) bytes of decoded blocks dropped/.exec(a.log);
    expect(m, a.log).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(2); // pages 0 and 2 of pages.bin, and the program's own
    expect(Number(m![2])).toBeGreaterThan(0);
    const plain = await runNativeArtifact(a.plain);
    const snap = await runNativeArtifact(a.snap, { env: { TRELLIS_TRACE: "1" } });
    expect(snap.stderr.toString()).toContain("resumed from the start-up snapshot");
    const want = `${pages[7]} ${pages[4096 + 7]! ^ 0x5a} ${pages[2 * 4096 + 9]! ^ 0xa5}`;
    expect(plain.stdout.toString()).toMatch(new RegExp(`^ready\n${want} [0-9a-f]+ [0-9a-f]+ [0-9a-f]+\n$`));
    expect(snap.stdout.toString()).toBe(plain.stdout.toString());
    expect(snap.exitCode).toBe(0);
  }, 120_000);

  it("fails with a typed error when the guest reaches no stop point, or the dump or core is wrong", async () => {
    const a = buildArtifactBytes(core, rootfs, { entrypoint: ["/bin/sh", "-c", "while :; do :; done"], cmd: [], env: ["PATH=/bin"] });
    if (!a.ok) throw new Error(a.error.message);
    const s = await takeStartupSnapshot(a.value, { timeoutMs: 3000 });
    expect(s.ok ? "" : s.error.kind).toBe("snapshot-failed");
    expect(s.ok ? "" : s.error.message).toMatch(/no stop point/);
    const notDump = addSnapshot(a.value, Buffer.from("not a dump at all, just some bytes in a buffer of some length"));
    expect(notDump.ok ? "" : notDump.error.kind).toBe("core-malformed");
    const dump = Buffer.alloc(72);
    Buffer.from("TRELLIS-SNAPDUMP", "latin1").copy(dump);
    dump.writeUInt32LE(4, 16);
    const noDesc = addSnapshot(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), dump);
    expect(noDesc.ok ? "" : noDesc.error.kind).toBe("core-malformed");
    // a range past the memory the dump says it had, and a dump cut short
    const run = Buffer.alloc(8 + 16);
    run.writeUInt32LE(0x10000, 0);
    run.writeUInt32LE(16, 4);
    const past = Buffer.concat([dump, run]);
    past.writeUInt32LE(0x8000, 20); // mem_end
    past.writeUInt32LE(1, 28); // nruns
    expect(addSnapshot(a.value, past).ok ? "" : (addSnapshot(a.value, past) as { error: { message: string } }).error.message).toMatch(/runs past its end/);
    const cut = Buffer.from(past);
    cut.writeUInt32LE(0x20000, 20);
    expect((addSnapshot(a.value, cut.subarray(0, cut.length - 4)) as { ok: boolean }).ok).toBe(false);
  }, 120_000);
});
