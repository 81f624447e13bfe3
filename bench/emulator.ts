// x86-64 core benchmark: the same Linux binaries run natively on the host and
// inside the emulator (node:wasi), measured in the same run.
//
//   node --import tsx bench/emulator.ts
//
// CPU-bound set (issue 13), each the whole command, emulated vs native:
// `busybox sha256sum` of BENCH_EMU_SHA_MB MiB (32), the C loop
// (programs/cpuloop.c, gcc -static, n = BENCH_EMU_LOOP, 20M), a python3 loop
// (BENCH_EMU_PY iterations, 1M), a perl loop (BENCH_EMU_PERL, 1M), a gzip -6
// round trip of BENCH_EMU_GZIP_MB MiB of text (8) and sqlite3 inserting
// BENCH_EMU_SQL_ROWS rows (100k), indexing and grouping; python3, perl, gzip
// and sqlite3 are the host's Debian binaries with their shared libraries (and
// python's standard library) copied into the rootfs. Prints each ratio and
// their geometric mean; cold starts (`busybox echo hi` as a module, and
// `python3 -c pass`); the artifact size. Native runs: median of 3; emulated:
// median of BENCH_EMU_REPS (1). BENCH_EMU_ONLY=sha,loop,python,perl,gzip,sqlite
// picks programs; BENCH_EMU_CORE=path runs another build of the core (e.g.
// an older one, for before/after figures); BENCH_EMU_FLAGSETS=1 adds the V8
// flag comparison. Emulated times include node start and loading the rootfs.
// Translation (issue 13): training runs of every program on its input /
// BENCH_EMU_TRAIN (8) record the blocks that ran twice or more; the hottest
// BENCH_EMU_AOT_BLOCKS (20000) are translated and appended to the core, and
// every program and cold start is then measured on both cores in the same
// run (interpreted and translated runs alternate); BENCH_EMU_AOT=0 skips it.
// "pipeline" columns: translations produced as `trellis compile` produces
// them (lib/compile/aot-compile.ts), one core per program from a smoke run of
// that program's own command as an artifact's entrypoint, with the compile
// defaults (budget TRELLIS_AOT_SMOKE_BUDGET, blocks run >= minRuns);
// BENCH_EMU_PIPELINE=0 skips them.
// Start-up snapshots: python3 -c pass and -c 'print(1)' as artifacts, each
// run without and with its snapshot (lib/compile/startup-snapshot.ts).

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { translateForArtifact, type TranslationReport } from "../lib/compile/aot-compile";
import { translateProfiles } from "../lib/compile/aot-translate";
import { buildArtifactBytes, CORE_NODE_FLAGS, encodeRunConfig, type RunConfig } from "../lib/compile/native-artifact";
import { takeStartupSnapshot } from "../lib/compile/startup-snapshot";
import { ensureCore, emulatorDir, packStage } from "../emulator/test/harness";

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeSpawn(cmd: string, args: string[], cwd: string, env: Record<string, string> = { PATH: "/bin" }): { ms: number; out: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, env: env as unknown as NodeJS.ProcessEnv, maxBuffer: 64 * MiB });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return { ms, out: r.stdout.toString() };
}

/** Copies a host binary and the shared libraries ldd names to the same paths under `stage`. */
function stageDynamic(stage: string, bin: string): boolean {
  if (!existsSync(bin)) return false;
  const files = new Set<string>([bin]);
  const out = execFileSync("ldd", [bin], { encoding: "utf8" });
  for (const m of out.matchAll(/(\/[^ \t]+) \(0x/g)) files.add(m[1]!);
  for (const f of files) {
    const to = join(stage, f);
    if (existsSync(to)) continue;
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(realpathSync(f), to);
  }
  return true;
}

/** python3's standard library (without its tests and GUI parts) next to the binary. Timestamps are kept, as
 * dpkg leaves them in a Debian image: a copied .py newer than its __pycache__ .pyc makes every run recompile
 * the modules it imports (45.6 M guest instructions for `python3 -c pass` instead of 26.0 M). */
function stagePythonLib(stage: string): boolean {
  const ver = execFileSync("python3", ["-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"], { encoding: "utf8" }).trim();
  const lib = `/usr/lib/python${ver}`;
  if (!existsSync(lib)) return false;
  const skip = new Set(["test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "pydoc_data", "site-packages", "dist-packages"]);
  cpSync(lib, join(stage, lib), { recursive: true, dereference: true, preserveTimestamps: true, filter: (src) => !skip.has(src.slice(lib.length + 1).split("/")[0]!) });
  return true;
}

export async function runEmulatorBench(): Promise<string[]> {
  const lines: string[] = [];
  const core = process.env.BENCH_EMU_CORE ?? ensureCore();
  const num = (k: string, d: number) => Number(process.env[k] ?? d);
  const shaMb = num("BENCH_EMU_SHA_MB", 32);
  const loopN = num("BENCH_EMU_LOOP", 20_000_000);
  const pyN = num("BENCH_EMU_PY", 1_000_000);
  const perlN = num("BENCH_EMU_PERL", 1_000_000);
  const gzMb = num("BENCH_EMU_GZIP_MB", 8);
  const sqlRows = num("BENCH_EMU_SQL_ROWS", 100_000);
  const reps = Math.max(1, num("BENCH_EMU_REPS", 1));
  const only = (process.env.BENCH_EMU_ONLY ?? "sha,loop,python,perl,gzip,sqlite").split(",");
  const work = join(here, ".work", "emulator");
  rmSync(work, { recursive: true, force: true });
  const stage = join(work, "stage");
  const wd = join(stage, "work");
  mkdirSync(join(stage, "bin"), { recursive: true });
  mkdirSync(join(stage, "tmp"), { recursive: true });
  mkdirSync(wd, { recursive: true });
  copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
  for (const a of ["sh", "wc", "sha256sum"]) symlinkSync("busybox", join(stage, "bin", a));
  // deterministic incompressible-ish data
  const data = Buffer.alloc(shaMb * MiB);
  let x = 0x12345678;
  for (let i = 0; i < data.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data.writeUInt32LE(x >>> 0, i);
  }
  writeFileSync(join(wd, "data.bin"), data);
  // compressible text for gzip: numbered lines of words
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"];
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < gzMb * MiB; i++) {
    const l = `${i} ${words[i % 12]} ${words[(i * 7) % 12]} ${(i * 2654435761) % 1000003} ${words[(i >> 3) % 12]}\n`;
    parts.push(l);
    size += l.length;
  }
  writeFileSync(join(wd, "text.txt"), parts.join(""));
  // smaller inputs for the training runs of the translation below
  const train = Math.max(1, num("BENCH_EMU_TRAIN", 8));
  writeFileSync(join(wd, "train.bin"), data.subarray(0, Math.max(1, Math.floor(data.length / train))));
  const text = parts.join("");
  writeFileSync(join(wd, "train.txt"), text.slice(0, text.indexOf("\n", Math.floor(text.length / train)) + 1));
  execFileSync("gcc", ["-static", "-O2", "-o", join(wd, "cpuloop"), join(emulatorDir, "test", "programs", "cpuloop.c")]);
  const have = {
    python: stageDynamic(stage, "/usr/bin/python3") && stagePythonLib(stage),
    perl: stageDynamic(stage, "/usr/bin/perl"),
    gzip: stageDynamic(stage, "/usr/bin/gzip"),
    sqlite: stageDynamic(stage, "/usr/bin/sqlite3"),
  };
  const rootfs = join(work, "rootfs.img");
  await packStage(stage, rootfs);

  const runner = join(emulatorDir, "test", "run-core.mjs");
  const GUEST_PATH = "/usr/bin:/bin";
  const emuWith = (coreFile: string, argv: string[], flags: readonly string[] = CORE_NODE_FLAGS, env: Record<string, string> = {}) => {
    const cfg = { args: ["trellis-x86", "--rootfs", "/r/rootfs.img", "--workdir", "/work", "-e", `PATH=${GUEST_PATH}`, "-e", "LC_ALL=C", "--", ...argv], env, preopens: { "/r": work } };
    return timeSpawn(process.execPath, ["--no-warnings", ...flags, runner, coreFile, JSON.stringify(cfg)], work);
  };
  const emu = (argv: string[], flags: readonly string[] = CORE_NODE_FLAGS) => emuWith(core, argv, flags);
  const nativeEnv = { PATH: "/usr/bin:/bin", LC_ALL: "C" };

  // Ahead-of-time translation (BENCH_EMU_AOT=0 skips it): the blocks each
  // program runs on a smaller training input (BENCH_EMU_TRAIN: sizes divided
  // by 8) are translated and appended to the core; every program is then
  // measured on both cores in the same run.
  const aot = process.env.BENCH_EMU_AOT !== "0";
  const py = (n: number) => `s = 0\nfor i in range(${n}):\n    s += i * i % 7\nprint(s)`;
  const pl = (n: number) => `my $s = 0; for my $i (1..${n}) { $s += $i * $i % 7 } print "$s\\n";`;
  const sql = (rows: number) =>
    `create table t(a integer, b integer, c text); ` +
    `with recursive n(x) as (select 1 union all select x + 1 from n where x < ${rows}) insert into t select x, x % 97, 'row' || x from n; ` +
    `create index tb on t(b); select b, count(*), sum(a), max(c) from t group by b order by b limit 3; select count(*) from t where b = 13;`;
  let aotCore: string | undefined;
  if (aot) {
    const trainRuns: [string, string[]][] = [
      ["sha", ["/bin/busybox", "sha256sum", "train.bin"]],
      ["loop", ["./cpuloop", String(Math.floor(loopN / train))]],
      ...(have.python ? ([["python", ["/usr/bin/python3", "-c", py(Math.floor(pyN / train))]]] as [string, string[]][]) : []),
      ...(have.perl ? ([["perl", ["/usr/bin/perl", "-e", pl(Math.floor(perlN / train))]]] as [string, string[]][]) : []),
      ...(have.gzip ? ([["gzip", ["/bin/sh", "-c", "gzip -6 -c train.txt | gzip -d -c | wc -c"]]] as [string, string[]][]) : []),
      ...(have.sqlite ? ([["sqlite", ["/usr/bin/sqlite3", ":memory:", sql(Math.floor(sqlRows / train))]]] as [string, string[]][]) : []),
    ];
    const profDir = join(work, "profiles");
    mkdirSync(profDir, { recursive: true });
    const t0 = performance.now();
    for (const [key, argv] of trainRuns) {
      if (!only.includes(key) && !(key === "python" && only.includes("pystart"))) continue;
      const cfg = { args: ["trellis-x86", "--rootfs", "/r/rootfs.img", "--workdir", "/work", "-e", `PATH=${GUEST_PATH}`, "-e", "LC_ALL=C", "--", ...argv], env: { TRELLIS_AOT_PROFILE: `/p/${key}.blocks`, TRELLIS_AOT_PROFILE_MIN: "2" }, preopens: { "/r": work, "/p": profDir } };
      timeSpawn(process.execPath, ["--no-warnings", ...CORE_NODE_FLAGS, runner, core, JSON.stringify(cfg)], work);
    }
    const profiles = readdirSync(profDir).map((f) => join(profDir, f));
    const t1 = performance.now();
    const tr = translateProfiles(readFileSync(core), profiles, { maxBlocks: num("BENCH_EMU_AOT_BLOCKS", 20000) });
    if (!tr.ok) throw new Error(`translation: ${tr.error.message}`);
    aotCore = join(work, "core-aot.wasm");
    writeFileSync(aotCore, tr.value.module);
    const insns = tr.value.blocks.reduce((n, b) => n + b.insns, 0), inl = tr.value.blocks.reduce((n, b) => n + b.inlined, 0);
    lines.push(
      `translation: training runs (inputs / ${train}) ${((t1 - t0) / 1000).toFixed(1)} s, translating ${((performance.now() - t1) / 1000).toFixed(1)} s: ` +
        `${tr.value.functions} blocks (run >= 2 times), ${insns} instructions, ${((inl / Math.max(1, insns)) * 100).toFixed(0)}% inline; ` +
        `core ${statSync(core).size} -> ${tr.value.module.length} bytes`,
    );
  }

  // translations as the compile pipeline makes them: per program, a smoke run of its own command
  const pipeline = process.env.BENCH_EMU_PIPELINE !== "0";
  const plainCore = readFileSync(core);
  const pipelineCores = new Map<string, { file: string; report: TranslationReport }>();
  const pipelineCore = async (key: string, argv: string[], rootfsFile = rootfs): Promise<string | undefined> => {
    if (!pipeline) return undefined;
    const hit = pipelineCores.get(key);
    if (hit) return hit.file;
    const cfg: RunConfig = { entrypoint: argv, cmd: [], env: [`PATH=${GUEST_PATH}`, "LC_ALL=C"], workdir: "/work" };
    const art = buildArtifactBytes(plainCore, readFileSync(rootfsFile), cfg);
    if (!art.ok) throw new Error(art.error.message);
    const plainArtifact = join(work, `smoke-${key}.wasm`);
    writeFileSync(plainArtifact, art.value);
    const tr = await translateForArtifact({ core: plainCore, plainArtifact, rootfsPath: rootfsFile, config: encodeRunConfig(cfg), request: {} });
    rmSync(plainArtifact, { force: true });
    if (!tr.ok) throw new Error(`pipeline translation of ${key}: ${tr.error.message}`);
    const file = join(work, `core-pipeline-${key}.wasm`);
    writeFileSync(file, tr.value.core);
    pipelineCores.set(key, { file, report: tr.value.report });
    const r = tr.value.report;
    lines.push(`pipeline translation of ${key}: smoke run ${r.smoke.instructions} instructions (${r.smoke.end}, ${(r.smoke.ms / 1000).toFixed(1)} s), ${r.blocks} blocks run >= ${r.minRuns} times, ${r.inlinedPercent}% inline, core ${r.coreBytes.plain} -> ${r.coreBytes.translated} bytes, ${(r.ms / 1000).toFixed(1)} s in all`);
    return file;
  };

  const ratios: { label: string; ratio: number }[] = [];
  const aotRatios: { label: string; ratio: number }[] = [];
  const pipeRatios: { label: string; ratio: number }[] = [];
  const compare = async (key: string, label: string, argv: string[], nativeArgv: string[]) => {
    if (!only.includes(key)) return;
    const pipeCore = await pipelineCore(key, argv);
    const n: number[] = [], e: number[] = [], t: number[] = [], q: number[] = [];
    let nOut = "", eOut = "", tOut = "", qOut = "";
    for (let i = 0; i < 3; i++) {
      const a = timeSpawn(nativeArgv[0]!, nativeArgv.slice(1), wd, nativeEnv);
      n.push(a.ms);
      nOut = a.out;
    }
    for (let i = 0; i < reps; i++) { // interpreted and translated runs alternate, so load changes hit both
      const b = emu(argv);
      e.push(b.ms);
      eOut = b.out;
      if (aotCore) {
        const c = emuWith(aotCore, argv);
        t.push(c.ms);
        tOut = c.out;
      }
      if (pipeCore) {
        const c = emuWith(pipeCore, argv);
        q.push(c.ms);
        qOut = c.out;
      }
    }
    const same = nOut === eOut && (!aotCore || nOut === tOut) && (!pipeCore || nOut === qOut) ? "outputs identical" : "OUTPUTS DIFFER";
    const ratio = median(e) / median(n);
    ratios.push({ label: key, ratio });
    let line = `${label}: native ${median(n).toFixed(0)} ms, emulated ${median(e).toFixed(0)} ms, ratio ${ratio.toFixed(1)}x`;
    if (aotCore) {
      const r2 = median(t) / median(n);
      aotRatios.push({ label: key, ratio: r2 });
      line += `; bench-trained ${median(t).toFixed(0)} ms, ratio ${r2.toFixed(1)}x (${(median(e) / median(t)).toFixed(2)}x faster)`;
    }
    if (pipeCore) {
      const r3 = median(q) / median(n);
      pipeRatios.push({ label: key, ratio: r3 });
      line += `; pipeline ${median(q).toFixed(0)} ms, ratio ${r3.toFixed(1)}x (${(median(e) / median(q)).toFixed(2)}x faster)`;
    }
    lines.push(`${line} (${same})`);
  };
  const skipped = (key: string, what: string) => {
    if (only.includes(key)) lines.push(`${what}: not measured (not installed on this host)`);
  };

  await compare("sha", `busybox sha256sum ${shaMb} MiB`, ["/bin/busybox", "sha256sum", "data.bin"], ["/bin/busybox", "sha256sum", "data.bin"]);
  await compare("loop", `CPU-bound C loop (gcc -static, n=${loopN})`, ["./cpuloop", String(loopN)], [join(wd, "cpuloop"), String(loopN)]);
  if (have.python) await compare("python", `python3 loop (${pyN} iterations)`, ["/usr/bin/python3", "-c", py(pyN)], ["/usr/bin/python3", "-c", py(pyN)]);
  else skipped("python", "python3 loop");
  if (have.perl) await compare("perl", `perl loop (${perlN} iterations)`, ["/usr/bin/perl", "-e", pl(perlN)], ["/usr/bin/perl", "-e", pl(perlN)]);
  else skipped("perl", "perl loop");
  const gz = "gzip -6 -c text.txt | gzip -d -c | wc -c";
  if (have.gzip) await compare("gzip", `gzip -6 | gzip -d of ${gzMb} MiB text`, ["/bin/sh", "-c", gz], ["/bin/sh", "-c", gz]);
  else skipped("gzip", "gzip round trip");
  if (have.sqlite) await compare("sqlite", `sqlite3 ${sqlRows} rows + index + group by`, ["/usr/bin/sqlite3", ":memory:", sql(sqlRows)], ["/usr/bin/sqlite3", ":memory:", sql(sqlRows)]);
  else skipped("sqlite", "sqlite3");
  if (ratios.length) {
    const gm = Math.exp(ratios.reduce((t, r) => t + Math.log(r.ratio), 0) / ratios.length);
    lines.push(`geometric mean emulated/native over ${ratios.map((r) => r.label).join(", ")}: ${gm.toFixed(1)}x (goal <= 20x, then <= 8x)`);
  }
  if (aotRatios.length) {
    const gm = Math.exp(aotRatios.reduce((t, r) => t + Math.log(r.ratio), 0) / aotRatios.length);
    lines.push(`geometric mean bench-trained translated/native over ${aotRatios.map((r) => r.label).join(", ")}: ${gm.toFixed(1)}x`);
  }
  if (pipeRatios.length) {
    const gm = Math.exp(pipeRatios.reduce((t, r) => t + Math.log(r.ratio), 0) / pipeRatios.length);
    lines.push(`geometric mean pipeline-translated/native over ${pipeRatios.map((r) => r.label).join(", ")}: ${gm.toFixed(1)}x (goal <= 20x)`);
  }

  // cold start: a module whose rootfs holds only busybox
  const small = join(work, "small");
  mkdirSync(join(small, "bin"), { recursive: true });
  copyFileSync("/bin/busybox", join(small, "bin", "busybox"));
  const smallImg = join(work, "small.img");
  await packStage(small, smallImg);
  const rootfsBytes = readFileSync(smallImg);
  const inProcScript = `import{WASI}from"node:wasi";import{readFileSync,openSync,closeSync}from"node:fs";const ts=[];for(let i=0;i<5;i++){const fd=openSync(process.argv[2],"w");const t=performance.now();const m=new WebAssembly.Module(readFileSync(process.argv[1]));const w=new WASI({version:"preview1",args:["x"],env:{},stdout:fd,returnOnExit:true});const c=w.start(new WebAssembly.Instance(m,w.getImportObject()));ts.push(performance.now()-t);closeSync(fd);if(c!==0||readFileSync(process.argv[2],"utf8")!=="hi\\n")throw new Error("wrong result");}console.log(JSON.stringify(ts));`;
  const outFile = join(work, "echo.out");
  const echoArtifact = (coreFile: string, name: string) => {
    const a = buildArtifactBytes(readFileSync(coreFile), rootfsBytes, { entrypoint: ["/bin/busybox"], cmd: ["echo", "hi"], env: ["PATH=/bin"] });
    if (!a.ok) throw new Error(a.error.message);
    const file = join(work, name);
    writeFileSync(file, a.value);
    // in-process cold start, measured inside a fresh node (with the flags the runners use)
    const times = JSON.parse(timeSpawn(process.execPath, ["--no-warnings", ...CORE_NODE_FLAGS, "--input-type=module", "-e", inProcScript, file, outFile], work).out) as number[];
    return { bytes: a.value, file, times };
  };
  const art = echoArtifact(core, "echo.wasm");
  const artFile = art.file;
  const inProc = art.times;
  const artAot = aotCore ? echoArtifact(aotCore, "echo-aot.wasm") : undefined;
  const echoPipe = await pipelineCore("echo", ["/bin/busybox", "echo", "hi"], smallImg);
  const artPipe = echoPipe ? echoArtifact(echoPipe, "echo-pipeline.wasm") : undefined;
  const child: number[] = [];
  const childRunner = `import{WASI}from"node:wasi";import{readFileSync}from"node:fs";const w=new WASI({version:"preview1",args:["x"],env:{},returnOnExit:true});const m=new WebAssembly.Module(readFileSync(process.argv[1]));process.exitCode=w.start(new WebAssembly.Instance(m,w.getImportObject()));`;
  for (let i = 0; i < 5; i++) child.push(timeSpawn(process.execPath, ["--no-warnings", ...CORE_NODE_FLAGS, "--input-type=module", "-e", childRunner, artFile], work).ms);
  const nodeBare: number[] = [];
  for (let i = 0; i < 5; i++) nodeBare.push(timeSpawn(process.execPath, ["-e", "0"], work).ms);
  const nat: number[] = [];
  for (let i = 0; i < 5; i++) nat.push(timeSpawn("/bin/busybox", ["echo", "hi"], work).ms);
  lines.push(
    `cold start of busybox echo hi as a module: first run ${inProc[0]!.toFixed(1)} ms in-process (compile+instantiate+run; ${median(inProc).toFixed(1)} ms median of 5 in one process, V8 reuses the compiled code), ` +
      `${median(child).toFixed(0)} ms as a fresh node process (node alone: ${median(nodeBare).toFixed(0)} ms); ` +
      `native spawn ${median(nat).toFixed(1)} ms; ratio first in-process run/native ${(inProc[0]! / median(nat)).toFixed(1)}x (goal <= 50 ms)` +
      (artAot ? `; with the bench-trained core: first run ${artAot.times[0]!.toFixed(1)} ms in-process (${median(artAot.times).toFixed(1)} ms median of 5)` : "") +
      (artPipe ? `; pipeline-translated: first run ${artPipe.times[0]!.toFixed(1)} ms in-process (${median(artPipe.times).toFixed(1)} ms median of 5)` : ""),
  );
  if (have.python) {
    const e: number[] = [], n: number[] = [];
    for (let i = 0; i < 3; i++) n.push(timeSpawn("/usr/bin/python3", ["-c", "pass"], wd, nativeEnv).ms);
    const t: number[] = [], q: number[] = [];
    const pyPipe = only.includes("pystart") || only.includes("python") ? await pipelineCore("pystart", ["/usr/bin/python3", "-c", "pass"]) : undefined;
    for (let i = 0; i < Math.max(reps, 2); i++) {
      e.push(emu(["/usr/bin/python3", "-c", "pass"]).ms);
      if (aotCore) t.push(emuWith(aotCore, ["/usr/bin/python3", "-c", "pass"]).ms);
      if (pyPipe) q.push(emuWith(pyPipe, ["/usr/bin/python3", "-c", "pass"]).ms);
    }
    lines.push(
      `cold start of python3 -c pass (whole command, a fresh node process, rootfs with python's standard library): emulated ${median(e).toFixed(0)} ms, ` +
        `native ${median(n).toFixed(0)} ms, ratio ${(median(e) / median(n)).toFixed(1)}x (goal <= 300 ms)` +
        (aotCore ? `; bench-trained ${median(t).toFixed(0)} ms, ratio ${(median(t) / median(n)).toFixed(1)}x` : "") +
        (pyPipe ? `; pipeline ${median(q).toFixed(0)} ms, ratio ${(median(q) / median(n)).toFixed(1)}x` : ""),
    );
  }
  if (have.python) {
    // Start-up snapshots (lib/compile/startup-snapshot.ts): python3 as an artifact whose command is the one
    // measured, run as a fresh node process without and with its snapshot, alternating. Its rootfs holds what a
    // python image holds (python3, its libraries and standard library, busybox), not the other programs' inputs:
    // every byte of the module is read and copied at each start.
    const pyStage = join(work, "py-stage");
    mkdirSync(join(pyStage, "bin"), { recursive: true });
    mkdirSync(join(pyStage, "tmp"), { recursive: true });
    mkdirSync(join(pyStage, "work"), { recursive: true });
    copyFileSync("/bin/busybox", join(pyStage, "bin", "busybox"));
    stageDynamic(pyStage, "/usr/bin/python3");
    stagePythonLib(pyStage);
    const pyRootfs = join(work, "py-rootfs.img");
    await packStage(pyStage, pyRootfs);
    const rootfsImg = readFileSync(pyRootfs);
    const pyRun = (file: string) => timeSpawn(process.execPath, ["--no-warnings", ...CORE_NODE_FLAGS, "--input-type=module", "-e", childRunner, file], work);
    for (const code of ["pass", "print(1)"]) {
      const a = buildArtifactBytes(readFileSync(core), rootfsImg, { entrypoint: ["/usr/bin/python3"], cmd: ["-c", code], env: [`PATH=${GUEST_PATH}`, "LC_ALL=C"], workdir: "/work" });
      if (!a.ok) throw new Error(a.error.message);
      const t0 = performance.now();
      const s = await takeStartupSnapshot(a.value);
      if (!s.ok) throw new Error(`start-up snapshot: ${s.error.message}`);
      const took = performance.now() - t0;
      const plainFile = join(work, "py-plain.wasm"), snapFile = join(work, "py-snap.wasm");
      writeFileSync(plainFile, a.value);
      writeFileSync(snapFile, s.value.module);
      const p: number[] = [], q: number[] = [];
      let same = true;
      for (let i = 0; i < Math.max(reps, 3); i++) {
        const x = pyRun(plainFile), y = pyRun(snapFile);
        p.push(x.ms);
        q.push(y.ms);
        same &&= x.out === y.out;
      }
      const n: number[] = [];
      for (let i = 0; i < 3; i++) n.push(timeSpawn("/usr/bin/python3", ["-c", code], wd, nativeEnv).ms);
      lines.push(
        `cold start of python3 -c ${JSON.stringify(code)} as an artifact (a fresh node process, median of ${p.length}): ${median(p).toFixed(0)} ms, ` +
          `${median(q).toFixed(0)} ms with its start-up snapshot (${(median(p) / median(q)).toFixed(1)}x faster; native ${median(n).toFixed(0)} ms; goal <= 300 ms; ${same ? "outputs identical" : "OUTPUTS DIFFER"}); ` +
          `the snapshot stops before syscall ${s.value.stopSyscall} after ${s.value.instructions} guest instructions, took ${(took / 1000).toFixed(1)} s, ` +
          `adds ${s.value.dumpBytes} bytes (core memory ${s.value.memoryBytes} bytes); artifact ${a.value.length} -> ${s.value.module.length} bytes (rootfs ${rootfsImg.length} bytes)`,
      );
    }
  }
  if (process.env.BENCH_EMU_FLAGSETS === "1") {
    // V8 flag sets for the core, in this run: the C loop (steady state) and a fresh-process cold start.
    const flagSets: string[][] = [[], ["--no-liftoff"], ["--no-wasm-lazy-compilation"], ["--no-liftoff", "--no-wasm-lazy-compilation"]];
    const flagLines = flagSets.map((flags) => {
      const loop: number[] = [], start: number[] = [];
      for (let i = 0; i < 2; i++) loop.push(emu(["./cpuloop", String(loopN)], flags).ms);
      for (let i = 0; i < 3; i++) start.push(timeSpawn(process.execPath, ["--no-warnings", ...flags, "--input-type=module", "-e", childRunner, artFile], work).ms);
      return `${flags.join(" ") || "(no flags)"}: C loop ${median(loop).toFixed(0)} ms, cold start ${median(start).toFixed(0)} ms`;
    });
    lines.push(`V8 flags for the core (runners use ${CORE_NODE_FLAGS.join(" ")}): ${flagLines.join("; ")}`);
  }
  lines.push(
    `artifact size: ${art.bytes.length} bytes = rootfs ${rootfsBytes.length} bytes + ${art.bytes.length - rootfsBytes.length} bytes (core + config), ` +
      `${((art.bytes.length / rootfsBytes.length - 1) * 100).toFixed(1)}% over the rootfs without translated code` +
      (artAot ? `; ${artAot.bytes.length} bytes with the translated blocks of this bench (+${artAot.bytes.length - art.bytes.length} bytes)` : "") +
      (artPipe ? `; ${artPipe.bytes.length} bytes with its pipeline translations (+${artPipe.bytes.length - art.bytes.length} bytes)` : ""),
  );
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const l of await runEmulatorBench()) console.log(l);
}
