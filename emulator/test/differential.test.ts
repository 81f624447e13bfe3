// Differential tests of the x86-64 core: each guest runs natively on the host
// and inside the emulator (node:wasi); stdout, stderr and exit status must
// match byte for byte. The corpus is built here from Debian's busybox-static
// and from the C programs in programs/ (gcc -static and musl-gcc -static).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { haveHostTools } from "../../lib/testing/host-tools";
import { translateProfiles } from "../../lib/compile/aot-translate";
import { corePath, emulatorDir, ensureCore, packStage, runEmulated, runNative, type RunResult, type RunSpec } from "./harness";

// Under CI=true a missing tool fails this file (lib/testing/host-tools.ts) instead of skipping or not generating cases.
const haveTools = haveHostTools({ commands: ["clang-14", "gcc"], files: ["/bin/busybox"] }, "the differential suite");
const haveMusl = haveHostTools({ commands: ["musl-gcc"] }, "the musl-gcc cases");
const work = join(emulatorDir, "build", "test-diff");
const stage = join(work, "stage");
const rootfs = join(work, "rootfs.img");
const hostWork = join(stage, "work");
// The first pass records the blocks each case runs (TRELLIS_AOT_PROFILE);
// the second runs every case again on the core with those blocks translated.
const profDir = join(work, "profiles");
const aotCore = join(work, "core-aot.wasm");
// The hottest blocks of the whole corpus (the module stays a few MB, so each run compiles it quickly).
const AOT_BLOCKS = 6000;
const ENV = { PATH: "/bin", HOME: "/", LC_ALL: "C" };

// Shared objects for dynamically linked guests, copied to the same paths as on the host.
const glibcFiles = ["/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6"];
const muslLoader = "/lib/ld-musl-x86_64.so.1";
const haveDynamic = haveHostTools({ files: glibcFiles }, "the dynamically linked glibc cases");
const haveMuslDynamic = haveMusl && haveHostTools({ files: [muslLoader] }, "the dynamically linked musl cases");
const dynamicPrograms = ["floats", "files", "procs", "names", "strings-v2"];
// Programs for x86-64-v2 (SSE3, SSSE3, SSE4.1, SSE4.2): built for it, as RHEL 9 / UBI 9 images are.
const programFlags: Record<string, string[]> = { "simd-v2": ["-march=x86-64-v2"], "strings-v2": ["-march=x86-64-v2"], "bmi-v3": ["-mno-red-zone"], "avx-v3": ["-mno-red-zone"] };
// Programs of instructions the host CPU (CI's too) may lack: the native side of their cases is the same
// source built with -DREFERENCE, which computes every line in portable C; the host runs the instructions
// themselves only when it has the features (hostFeatures).
const referencePrograms: Record<string, string[]> = { "bmi-v3": ["bmi1", "bmi2", "abm", "movbe"], "avx-v3": ["avx", "avx2", "fma"] };
const hostFlags = new Set((/^flags\s*:(.*)$/m.exec(existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "")?.[1] ?? "").trim().split(/\s+/));
const hostHas = (features: string[]): boolean => features.every((f) => hostFlags.has(f));
// Their answers depend on the machine (hostname, resolver): checked against what the core provides.
const emulatedOnly = ["names"];
// A Debian-like userland from the host: bash and coreutils (dynamic, glibc), with their libraries.
const debianTools = ["bash", "zstd", "ls", "sort", "uniq", "env", "cat", "sha256sum", "date", "find", "grep", "sed", "awk", "head", "tail", "wc", "tr", "cut", "mkdir", "rm", "cp", "mv", "basename", "id", "sleep", "stat", "xargs"].map(
  (t) => `/usr/bin/${t}`,
);
const haveDebian = haveDynamic && haveHostTools({ commands: ["ldd"], files: debianTools }, "the Debian userland cases");

const programs = readdirSync(join(emulatorDir, "test", "programs")).filter((f) => f.endsWith(".c")).map((f) => f.slice(0, -2));

function stageTree(): void {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(stage, "bin"), { recursive: true });
  mkdirSync(join(stage, "tmp"), { recursive: true });
  mkdirSync(join(stage, "etc"), { recursive: true });
  mkdirSync(join(stage, "dev"), { recursive: true });
  mkdirSync(join(stage, "proc"), { recursive: true });
  for (const f of ["passwd", "group"]) copyFileSync(`/etc/${f}`, join(stage, "etc", f));
  copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
  for (const a of ["sh", "echo", "cat", "ls", "sort", "env", "true", "false"]) symlinkSync("busybox", join(stage, "bin", a));
  mkdirSync(join(hostWork, "data", "sub", "deeper"), { recursive: true });
  mkdirSync(join(hostWork, "prog"), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) lines.push(`${(i * 7919) % 101} item-${i % 17} ${i % 3 === 0 ? "alpha" : i % 3 === 1 ? "beta" : "gamma"}`);
  writeFileSync(join(hostWork, "data", "lines.txt"), lines.join("\n") + "\n");
  writeFileSync(join(hostWork, "data", "words.txt"), "the quick brown fox\njumps over\nthe lazy dog\nthe end\n");
  writeFileSync(join(hostWork, "data", "sub", "a.csv"), "name,qty,price\napple,3,1.25\npear,10,0.5\nfig,7,2.75\n");
  writeFileSync(join(hostWork, "data", "sub", "deeper", "empty"), "");
  let bin = Buffer.alloc(70000);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 131 + (i >> 7)) & 0xff;
  writeFileSync(join(hostWork, "data", "blob.bin"), bin);
  writeFileSync(
    join(hostWork, "script.sh"),
    [
      "#!/bin/sh",
      "set -e",
      'echo "args: $# $*"',
      "for i in 1 2 3; do printf '%s-' \"$i\"; done; echo",
      "x=$(echo sub | tr a-z A-Z); echo \"cmdsub $x\"",
      "(cd data && ls) | sort -r | head -n 2",
      "cat data/words.txt | grep -c the",
      "seq 1 50 | awk '{s+=$1} END {print s}'",
      "if [ -d data/sub ]; then echo isdir; fi",
      "n=0; while [ $n -lt 5 ]; do n=$((n+1)); done; echo loop $n",
      "echo hello > /tmp/t.txt; cat /tmp/t.txt; rm /tmp/t.txt",
      "( exit 3 ) || echo subshell-failed $?",
      "echo done",
    ].join("\n") + "\n",
    { mode: 0o755 },
  );
  for (const f of [...(haveDynamic ? glibcFiles : []), ...(haveMuslDynamic ? [muslLoader] : [])]) {
    mkdirSync(join(stage, dirname(f)), { recursive: true });
    copyFileSync(realpathSync(f), join(stage, f));
  }
  // guests that must be stopped or reported rather than compared
  writeFileSync(
    join(work, "special.c"),
    [
      "#include <stdio.h>",
      "#include <string.h>",
      "#include <errno.h>",
      "#include <unistd.h>",
      "#include <sys/syscall.h>",
      "int main(int argc, char **argv) {",
      '  if (argc > 1 && !strcmp(argv[1], "avx")) { puts("before"); fflush(stdout); __asm__ volatile("vaesenc %%xmm1, %%xmm1, %%xmm1" ::: "xmm1"); puts("after"); }',
      '  if (argc > 1 && !strcmp(argv[1], "ud2")) { __asm__ volatile("ud2"); }',
      '  if (argc > 1 && !strcmp(argv[1], "nosys")) { for (int i = 0; i < 3; i++) { long r = syscall(999); printf("%ld %s\\n", r, strerror(errno)); } }',
      "  return 0;",
      "}",
    ].join("\n") + "\n",
  );
  execFileSync("gcc", ["-static", "-O2", "-o", join(hostWork, "prog", "special"), join(work, "special.c")]);
  if (haveDebian) {
    const libs = new Set<string>();
    for (const t of debianTools) {
      mkdirSync(join(stage, "usr", "bin"), { recursive: true });
      copyFileSync(realpathSync(t), join(stage, t));
      const out = execFileSync("ldd", [t], { encoding: "utf8" });
      for (const m of out.matchAll(/(\/[^ ]+\.so[^ ]*) \(0x/g)) libs.add(m[1]!);
    }
    for (const l of libs) {
      mkdirSync(join(stage, dirname(l)), { recursive: true });
      if (!existsSync(join(stage, l))) copyFileSync(realpathSync(l), join(stage, l));
    }
    writeFileSync(
      join(hostWork, "entrypoint.sh"),
      [
        "#!/usr/bin/bash",
        "set -euo pipefail",
        'trap \'echo "exit trap $?"\' EXIT',
        'declare -a parts=(alpha beta "gamma delta")',
        'echo "parts: ${#parts[@]} last=${parts[-1]}"',
        'name="file-name.tar.gz"; echo "${name%%.*} ${name#*.} ${name//-/_}"',
        "printf '%05.2f|%-5s|%x\\n' 3.14159 ab 255",
        "sort data/lines.txt | cut -d' ' -f3 | uniq -c | sort -rn | head -n 3",
        "find data -type f | sort | xargs wc -c | tail -n 1",
        "mkdir -p ep-out/a/b && cp data/words.txt ep-out/a/b/ && mv ep-out/a/b/words.txt ep-out/w.txt && ls -R ep-out && rm -r ep-out",
        "grep -E -c 'item-(1|2) ' data/lines.txt || true",
        "while read -r a b; do echo \"[$b:$a]\"; done < <(head -n 2 data/words.txt)",
        "sleep 0.1 & wait $!",
        "date -u -d @1700000000 +%FT%T",
        'if [ "${1:-}" = run ]; then shift; exec "$@"; fi',
      ].join("\n") + "\n",
      { mode: 0o755 },
    );
  }
  for (const p of programs) {
    const src = join(emulatorDir, "test", "programs", `${p}.c`);
    const flags = ["-O2", ...(programFlags[p] ?? [])];
    execFileSync("gcc", ["-static", ...flags, "-o", join(hostWork, "prog", `${p}-gcc`), src, "-lm"]);
    if (haveMusl) execFileSync("musl-gcc", ["-static", ...flags, "-o", join(hostWork, "prog", `${p}-musl`), src, "-lm"]);
    if (referencePrograms[p]) execFileSync("gcc", ["-static", ...flags, "-DREFERENCE", "-o", join(hostWork, "prog", `${p}-ref`), src, "-lm"]);
    if (!dynamicPrograms.includes(p)) continue;
    if (haveDynamic) execFileSync("gcc", [...flags, "-o", join(hostWork, "prog", `${p}-gcc-dyn`), src, "-lm"]);
    if (haveMuslDynamic) execFileSync("musl-gcc", [...flags, "-o", join(hostWork, "prog", `${p}-musl-dyn`), src, "-lm"]);
  }
}

interface Case extends RunSpec {
  name: string;
  /** Run natively instead of argv[0] (a reference build; see referencePrograms). */
  nativeExe?: string;
  /** The core's own WASI environment (TRELLIS_X86_V3). */
  coreEnv?: Record<string, string>;
}
// cpuid with x86-64-v3 (TRELLIS_X86_V3=1): glibc then takes its AVX2 string functions, its FMA libm
// variants and XSAVEC in the lazy-binding trampoline.
const V3 = { TRELLIS_X86_V3: "1" };

const bb = (name: string, args: string[], stdin?: string): Case => ({ name: `busybox ${name}`, argv: ["/bin/busybox", ...args], stdin });

const cases: Case[] = [
  bb("echo", ["echo", "hello", "world"]),
  bb("echo -e", ["echo", "-e", "a\\tb\\n\\x41"]),
  bb("cat file", ["cat", "data/words.txt"]),
  bb("cat stdin", ["cat"], "from stdin\nline 2\n"),
  bb("sha256sum", ["sha256sum", "data/blob.bin", "data/lines.txt"]),
  bb("md5sum", ["md5sum", "data/blob.bin"]),
  bb("sort", ["sort", "data/lines.txt"]),
  bb("sort -n -k1", ["sort", "-n", "-k1,1", "-s", "data/lines.txt"]),
  bb("uniq -c", ["sh", "-c", "cut -d' ' -f3 data/lines.txt | sort | uniq -c"]),
  bb("wc", ["wc", "data/lines.txt", "data/words.txt"]),
  bb("head/tail", ["sh", "-c", "head -n 3 data/lines.txt; tail -n 2 data/lines.txt; tail -c 20 data/words.txt"]),
  bb("tr", ["tr", "a-z", "A-Z"], "Hello tr\n"),
  bb("sed", ["sed", "-e", "s/the/THE/g", "-e", "/lazy/d", "data/words.txt"]),
  bb("awk", ["awk", "-F,", "NR>1 {t += $2*$3; printf \"%s %.2f\\n\", $1, $2*$3} END {printf \"total %.3f\\n\", t}", "data/sub/a.csv"]),
  bb("grep -E", ["grep", "-E", "-n", "item-(1|3) (alpha|gamma)", "data/lines.txt"]),
  bb("grep no match", ["grep", "zzz", "data/words.txt"]),
  bb("od", ["od", "-A", "x", "-t", "x1z", "-N", "64", "data/blob.bin"]),
  bb("base64", ["base64", "data/words.txt"]),
  bb("expr", ["expr", "12345", "*", "6789"]),
  bb("seq", ["seq", "-s", ",", "1", "3", "40"]),
  bb("printf floats", ["printf", "%.3f %e %g %5.1f|%-6s|%x\\n", "3.14159", "12345.678", "0.0001", "2.25", "ab", "255"]),
  bb("date -u -d @0", ["date", "-u", "-d", "@0"]),
  bb("date format", ["date", "-u", "-d", "@1700000000", "+%Y-%m-%d %H:%M:%S %j %a"]),
  bb("ls -la", ["ls", "-la", "data/sub"]),
  bb("find", ["sh", "-c", "find data -type f | sort; find . -name '*.csv'"]),
  bb("xargs", ["sh", "-c", "find data -name '*.txt' | sort | xargs wc -l"]),
  bb("sh pipes", ["sh", "-c", "cat data/lines.txt | grep alpha | sort -n | head -n 5 | wc -c"]),
  bb("sh loops+subshells", ["sh", "-c", "for f in a b c; do (echo $f; echo ${f}${f}) | tr a-c x-z; done; i=0; until [ $i -ge 3 ]; do echo i=$i; i=$((i+1)); done"]),
  bb("sh exit status", ["sh", "-c", "false || echo caught; true && exit 42"]),
  bb("sh script (shebang)", ["sh", "-c", "./script.sh one two"]),
  bb("stderr + status", ["ls", "/nonexistent-dir"]),
  bb("unknown applet", ["no-such-applet"]),
  bb("sort -u stdin", ["sort", "-u"], "b\na\nc\na\nb\n"),
  bb("sh SIGPIPE (yes | head)", ["sh", "-c", "yes | head -n 3; echo ${PIPESTATUS:-ok}"]),
  bb("sh background + wait", ["sh", "-c", "sleep 0.2 & sleep 0.1 & wait; echo waited $?; (sleep 5; echo late) & kill $!; wait; echo killed"]),
  bb("sh trap + here-doc + read loop", ["sh", "-c", "trap 'echo bye' EXIT; cat <<EOF\nsum $((2+3))\nEOF\nprintf '%s\\n' a b | while read x; do echo got $x; done"]),
  bb("sh kill self", ["sh", "-c", "echo before; kill -TERM $$; echo not reached"]),
  bb("cmp + diff-like", ["sh", "-c", "cp data/words.txt /tmp/w; echo extra >> /tmp/w; cmp data/words.txt /tmp/w; echo $?"]),
];

cases.push({ name: "avx-v3 xsave (native: portable reference), cpuid x86-64-v3", argv: ["./prog/avx-v3-gcc", "xsave"], nativeExe: "./prog/avx-v3-ref", coreEnv: V3 });
for (const p of programs.filter((x) => !emulatedOnly.includes(x))) {
  const stdin = p === "floats" ? "1.5\n-2.25\n1e3\n0.1\n" : undefined;
  const args = p === "cpuloop" ? ["300000"] : [];
  const ref = referencePrograms[p] ? { nativeExe: `./prog/${p}-ref` } : {};
  cases.push({ name: `gcc -static ${p}${ref.nativeExe ? " (native: portable reference)" : ""}`, argv: [`./prog/${p}-gcc`, ...args], stdin, ...ref });
  if (haveMusl) cases.push({ name: `musl-gcc -static ${p}${ref.nativeExe ? " (native: portable reference)" : ""}`, argv: [`./prog/${p}-musl`, ...args], stdin, ...ref });
  if (!dynamicPrograms.includes(p)) continue;
  if (haveDynamic) cases.push({ name: `gcc dynamic (glibc ld.so) ${p}`, argv: [`./prog/${p}-gcc-dyn`, ...args], stdin });
  if (haveDynamic && (p === "strings-v2" || p === "floats"))
    cases.push({ name: `gcc dynamic (glibc ld.so) ${p}, cpuid x86-64-v3`, argv: [`./prog/${p}-gcc-dyn`, ...args], stdin, coreEnv: V3 });
  if (haveMuslDynamic) cases.push({ name: `musl-gcc dynamic (musl ld.so) ${p}`, argv: [`./prog/${p}-musl-dyn`, ...args], stdin });
}

const DEB_ENV = { PATH: "/usr/bin:/bin", HOME: "/", LC_ALL: "C" };
if (haveDebian) {
  const deb = (name: string, argv: string[], stdin?: string): Case => ({ name: `debian userland: ${name}`, argv, env: DEB_ENV, ...(stdin !== undefined ? { stdin } : {}) });
  cases.push(
    deb("bash entrypoint script + coreutils", ["/usr/bin/bash", "./entrypoint.sh", "run", "/usr/bin/basename", "/a/b/c.txt", ".txt"]),
    deb("ls -l, stat, sha256sum", ["/usr/bin/bash", "-c", "ls -l data/sub; stat -c '%s %F %a' data/words.txt data/sub; sha256sum data/blob.bin; id -u"]),
    deb("awk + sed + sort -k", ["/usr/bin/bash", "-c", "awk '{n[$3]++} END {for (k in n) print k, n[k]}' data/lines.txt | sort; sed -E 's/item-([0-9]+)/<\\1>/' data/lines.txt | sort -t' ' -k1,1n -k2 | head -n 4"]),
    // Debian's zstd takes its BMI2 code paths (SHLX/SHRX/BZHI/RORX/SARX, TZCNT/LZCNT) when cpuid reports BMI1 and BMI2
    deb("zstd compress + decompress (BMI2 paths)", ["/usr/bin/bash", "-c", "sha256sum < data/blob.bin; for l in 1 3; do zstd -q -T1 -$l -c data/blob.bin > z.zst; sha256sum < z.zst; zstd -q -d -c z.zst | sha256sum; done; rm z.zst; zstd -q -T1 -19 -c data/lines.txt > z.zst; sha256sum < z.zst; zstd -q -d -c < z.zst | sha256sum; rm z.zst"]),
    { ...deb("bash entrypoint script + coreutils, cpuid x86-64-v3", ["/usr/bin/bash", "./entrypoint.sh", "run", "/usr/bin/basename", "/a/b/c.txt", ".txt"]), coreEnv: V3 },
    { ...deb("awk + sed + sort -k, cpuid x86-64-v3", ["/usr/bin/bash", "-c", "awk '{n[$3]++} END {for (k in n) print k, n[k]}' data/lines.txt | sort; sed -E 's/item-([0-9]+)/<\\1>/' data/lines.txt | sort -t' ' -k1,1n -k2 | head -n 4; grep -c alpha data/lines.txt"]), coreEnv: V3 },
    deb("bash reads stdin", ["/usr/bin/bash", "-c", "mapfile -t L; echo ${#L[@]} ${L[1]}; tr a-z A-Z <<< \"${L[0]}\""], "first line\nsecond\nthird\n"),
  );
}

describe.skipIf(!haveTools)("x86-64 core: native vs emulated", () => {
  // Set-up compiles about 50 guests (gcc and musl, static and dynamic): more than the default 120 s hook limit on a loaded 2-core machine.
  beforeAll(async () => {
    ensureCore();
    stageTree();
    mkdirSync(profDir, { recursive: true });
    await packStage(stage, rootfs);
  }, 300_000);

  it("stops at an unimplemented instruction (VEX-encoded AES) with a SIGILL report naming bytes and address, status 132", () => {
    const emu = runEmulated({ argv: ["./prog/special", "avx"], env: ENV }, rootfs, "/work", join(work, "tmp"));
    expect(emu.stdout).toBe("before\n");
    expect(emu.stderr).toMatch(/SIGILL: unimplemented or undefined instruction \[c4 e2 71 dc c9\] at rip=0x[0-9a-f]+/);
    expect(emu.status).toBe(132);
  });

  it("busybox ls -la on the rootfs root (the host runs it in the staged tree)", () => {
    const spec = { argv: ["/bin/busybox", "sh", "-c", "ls -la | sed '/ \\.\\.$/d'; ls -l bin | head -n 4"], env: ENV };
    const native = runNative(spec, stage);
    const emu = runEmulated(spec, rootfs, "/", join(work, "tmp"));
    expect(emu.stderr).toBe(native.stderr);
    expect(emu.stdout).toBe(native.stdout);
    expect(emu.status).toBe(native.status);
  });

  it("ud2 is reported the same way", () => {
    const emu = runEmulated({ argv: ["./prog/special", "ud2"], env: ENV }, rootfs, "/work", join(work, "tmp"));
    expect(emu.stderr).toMatch(/SIGILL: .*\[0f 0b\]/);
    expect(emu.status).toBe(132);
  });

  it("unknown syscalls return ENOSYS (like the host) and are logged once under TRELLIS_TRACE=1", () => {
    const spec = { argv: ["./prog/special", "nosys"], env: ENV };
    const native = runNative(spec, hostWork, join(hostWork, "prog", "special"));
    const emu = runEmulated(spec, rootfs, "/work", join(work, "tmp"), "1");
    expect(emu.stdout).toBe(native.stdout);
    expect(emu.stderr.match(/unsupported syscall 999 \(\?\) -> ENOSYS/g)).toHaveLength(1);
    expect(runEmulated(spec, rootfs, "/work", join(work, "tmp"), "0").stderr).toBe("");
  });

  for (const [p, features] of Object.entries(referencePrograms)) {
    // without the features the host would stop at the first instruction: its CPU says nothing then
    it.skipIf(!hostHas(features))(`${p} run by the host CPU (${features.join(", ")}) equals its portable reference`, () => {
      const spec = { argv: [`./prog/${p}-gcc`], env: ENV };
      const host = runNative(spec, hostWork, join(hostWork, "prog", `${p}-gcc`));
      const ref = runNative(spec, hostWork, join(hostWork, "prog", `${p}-ref`));
      expect(host.stdout.length).toBeGreaterThan(1000);
      expect(host.stdout).toBe(ref.stdout);
      expect(host.status).toBe(0);
    });
  }

  it.skipIf(!haveDynamic)("glibc's loader sees x86-64-v2 and not x86-64-v3 (no AVX/AVX2/FMA reported), so it searches no v3 libraries", () => {
    const emu = runEmulated({ argv: ["/lib64/ld-linux-x86-64.so.2", "--help"], env: ENV }, rootfs, "/work", join(work, "tmp"));
    expect(emu.stdout).toMatch(/^ {2}x86-64-v2 \(supported, searched\)$/m);
    expect(emu.stdout).toMatch(/^ {2}x86-64-v3$/m);
    expect(emu.stdout).not.toMatch(/(haswell|avx512_1) \(/);
    const v3 = runEmulated({ argv: ["/lib64/ld-linux-x86-64.so.2", "--help"], env: ENV }, rootfs, "/work", join(work, "tmp"), undefined, { env: V3 });
    expect(v3.stdout).toMatch(/^ {2}x86-64-v3 \(supported, searched\)$/m);
  });

  it("without TRELLIS_X86_V3, XGETBV raises #UD (cpuid says no OSXSAVE)", () => {
    const emu = runEmulated({ argv: ["./prog/avx-v3-gcc", "xsave"], env: ENV }, rootfs, "/work", join(work, "tmp"));
    expect(emu.stderr).toMatch(/SIGILL: unimplemented or undefined instruction \[0f 01 d0\]/);
    expect(emu.status).toBe(132);
  });

  const namesOut = (notFound: string): string =>
    [
      "uname trellis, gethostname trellis, /etc/hostname trellis",
      "localhost (inet): 127.0.0.1",
      "localhost (inet6): ::1",
      "trellis (inet): 10.88.0.2",
      `no-such-host.example (any): ${notFound}, at once`,
      `nodots (inet): ${notFound}, at once`,
      "gethostbyname localhost: 127.0.0.1",
      "server got 'hello by name', client status 0",
      "",
    ].join("\n");
  for (const [variant, notFound, arg] of [
    ["gcc", "Name or service not known", ""],
    ["gcc-dyn", "Name or service not known", ""],
    ["musl", "Name does not resolve", ""],
    ["gcc-dyn", "Name or service not known", "nohosts"],
    ["musl", "Name does not resolve", "nohosts"],
  ] as const) {
    it(`names like in a container, resolved by the libc (${variant}${arg ? ", no /etc/hosts" : ""}): hostname, /etc/hosts, the core's DNS, NXDOMAIN at once`, () => {
      if (variant === "musl" && !haveMusl) return;
      if (variant === "gcc-dyn" && !haveDynamic) return;
      const emu = runEmulated({ argv: [`./prog/names-${variant}`, ...(arg ? [arg] : [])], env: ENV }, rootfs, "/work", join(work, "tmp"));
      expect(emu.stderr).toBe("");
      expect(emu.stdout).toBe(namesOut(notFound));
      expect(emu.status).toBe(0);
    });
  }

  it("a guest flooding sockets gets errors at the core's limits (256 fds a process, 1024 sockets, 16 MiB unread), the host goes on", () => {
    const emu = runEmulated({ argv: ["./prog/sockets-gcc", "flood"], env: ENV }, rootfs, "/work", join(work, "tmp"));
    expect(emu.stdout).toBe(
      [0, 1, 2, 3].map((i) => `process ${i}: 250 sockets, then Too many open files\n`).join("") + // 256 less stdio and 3 pipe ends
        "process 4: 24 sockets, then Too many open files in system\n" +
        "120 pairs nobody reads hold 16 MiB, then Resource temporarily unavailable\n",
    );
    expect(emu.status).toBe(0);
  });

  cases.forEach((c, i) => {
    it(c.name, () => {
      const spec = { ...c, env: c.env ?? ENV };
      const exe = c.nativeExe ?? c.argv[0];
      const native = runNative(spec, hostWork, exe.startsWith("./") ? join(hostWork, exe) : undefined);
      nativeResults.set(c.name, native);
      const emu = runEmulated(spec, rootfs, "/work", join(work, "tmp"), undefined, { env: { TRELLIS_AOT_PROFILE: `/prof/${i}.blocks`, ...c.coreEnv }, preopens: { "/prof": profDir } });
      expect(emu.stderr).toBe(native.stderr);
      expect(emu.stdout).toBe(native.stdout);
      expect(emu.status).toBe(native.status);
    });
  });
});

const nativeResults = new Map<string, RunResult>();

describe.skipIf(!haveTools)("x86-64 core: blocks translated ahead of time vs native", () => {
  let translated = 0;
  beforeAll(() => {
    const profiles = existsSync(profDir) ? readdirSync(profDir).map((f) => join(profDir, f)) : [];
    const r = translateProfiles(readFileSync(corePath), profiles, { maxBlocks: AOT_BLOCKS });
    if (!r.ok) throw new Error(`translation failed: ${r.error.message}`);
    writeFileSync(aotCore, r.value.module);
    translated = r.value.functions;
  });

  it("translates the corpus' hottest blocks, most instructions inline", () => {
    const r = translateProfiles(readFileSync(corePath), readdirSync(profDir).map((f) => join(profDir, f)), { maxBlocks: 200 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const insns = r.value.blocks.reduce((n, b) => n + b.insns, 0), inlined = r.value.blocks.reduce((n, b) => n + b.inlined, 0);
    expect(r.value.functions).toBe(200);
    expect(inlined / insns).toBeGreaterThan(0.7);
    expect(translated).toBe(AOT_BLOCKS);
  });

  for (const c of cases) {
    it(`translated: ${c.name}`, () => {
      const native = nativeResults.get(c.name);
      if (!native) throw new Error("the interpreted pass did not run this case");
      const emu = runEmulated({ ...c, env: c.env ?? ENV }, rootfs, "/work", join(work, "tmp"), undefined, { core: aotCore, ...(c.coreEnv ? { env: c.coreEnv } : {}) });
      expect(emu.stderr).toBe(native.stderr);
      expect(emu.stdout).toBe(native.stdout);
      expect(emu.status).toBe(native.status);
    });
  }

  // A block translated from this case alone holds the forked child's execve; the block it ran in went with
  // the old address space, and the executor once read it after the call (a segfault in `sort`).
  it("a core translated from one case's profile only: bash forking and execve-ing inside translated blocks", () => {
    const i = cases.findIndex((x) => x.name.endsWith("bash entrypoint script + coreutils"));
    expect(i).toBeGreaterThanOrEqual(0);
    const r = translateProfiles(readFileSync(corePath), [join(profDir, `${i}.blocks`)], { maxBlocks: AOT_BLOCKS });
    if (!r.ok) throw new Error(`translation failed: ${r.error.message}`);
    expect(r.value.functions).toBeGreaterThan(100);
    const own = join(work, "trellis-x86-aot-own.wasm");
    writeFileSync(own, r.value.module);
    const c = cases[i]!;
    const emu = runEmulated({ ...c, env: c.env ?? ENV }, rootfs, "/work", join(work, "tmp"), undefined, { core: own });
    const native = nativeResults.get(c.name)!;
    expect([emu.stderr, emu.stdout, emu.status]).toEqual([native.stderr, native.stdout, native.status]);
  });

  it("TRELLIS_AOT=0 turns the translations off (the same results through the interpreter)", () => {
    const c = cases.find((x) => x.name === "gcc -static cpuloop")!;
    const on = runEmulated({ ...c, env: ENV }, rootfs, "/work", join(work, "tmp"), "1", { core: aotCore });
    const off = runEmulated({ ...c, env: ENV }, rootfs, "/work", join(work, "tmp"), "1", { core: aotCore, env: { TRELLIS_AOT: "0" } });
    const runs = (r: RunResult) => Number(/translated blocks (?:on|off \(TRELLIS_AOT=0\)), (\d+) runs/.exec(r.stderr)?.[1] ?? NaN);
    expect(runs(on)).toBeGreaterThan(1000);
    expect(off.stderr).toContain("translated blocks off (TRELLIS_AOT=0), 0 runs");
    expect(on.stdout).toBe(nativeResults.get(c.name)!.stdout);
    expect(off.stdout).toBe(on.stdout);
  });
});
