// x86-64 core benchmark: the same Linux binaries run natively on the host and
// inside the emulator (node:wasi), measured in the same run.
//
//   node --import tsx bench/emulator.ts        (BENCH_EMU_SHA_MB=32, BENCH_EMU_LOOP=20000000)
//
// Figures: emulated/native wall-time ratio for `busybox sha256sum` of a
// 32 MiB file and for a CPU-bound C loop (gcc -static); cold start of
// `busybox echo hi` as a module run (compile + instantiate + run, in this
// process and as a fresh `node` process) against spawning busybox natively;
// and the size of the artifact against the rootfs it embeds. Emulated times
// include loading the rootfs; the ratios are of medians of 3 runs.

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildArtifactBytes, CORE_NODE_FLAGS } from "../lib/compile/native-artifact";
import { ensureCore, emulatorDir, packStage } from "../emulator/test/harness";

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeSpawn(cmd: string, args: string[], cwd: string): { ms: number; out: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, env: { PATH: "/bin" } as unknown as NodeJS.ProcessEnv, maxBuffer: 64 * MiB });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return { ms, out: r.stdout.toString() };
}

export async function runEmulatorBench(): Promise<string[]> {
  const lines: string[] = [];
  const core = ensureCore();
  const shaMb = Number(process.env.BENCH_EMU_SHA_MB ?? 32);
  const loopN = Number(process.env.BENCH_EMU_LOOP ?? 20_000_000);
  const work = join(here, ".work", "emulator");
  rmSync(work, { recursive: true, force: true });
  const stage = join(work, "stage");
  const wd = join(stage, "work");
  mkdirSync(join(stage, "bin"), { recursive: true });
  mkdirSync(wd, { recursive: true });
  copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
  symlinkSync("busybox", join(stage, "bin", "sh"));
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
  execFileSync("gcc", ["-static", "-O2", "-o", join(wd, "cpuloop"), join(emulatorDir, "test", "programs", "cpuloop.c")]);
  const rootfs = join(work, "rootfs.img");
  await packStage(stage, rootfs);

  const runner = join(emulatorDir, "test", "run-core.mjs");
  const emu = (argv: string[], flags: readonly string[] = CORE_NODE_FLAGS) => {
    const cfg = { args: ["trellis-x86", "--rootfs", "/r/rootfs.img", "--workdir", "/work", "-e", "PATH=/bin", "--", ...argv], preopens: { "/r": work } };
    return timeSpawn(process.execPath, ["--no-warnings", ...flags, runner, core, JSON.stringify(cfg)], work);
  };

  const compare = (label: string, argv: string[], nativeArgv: string[]) => {
    const n: number[] = [], e: number[] = [];
    let nOut = "", eOut = "";
    for (let i = 0; i < 3; i++) {
      const a = timeSpawn(nativeArgv[0]!, nativeArgv.slice(1), wd);
      n.push(a.ms);
      nOut = a.out;
    }
    for (let i = 0; i < 3; i++) {
      const b = emu(argv);
      e.push(b.ms);
      eOut = b.out;
    }
    const same = nOut === eOut ? "outputs identical" : "OUTPUTS DIFFER";
    lines.push(`${label}: native ${median(n).toFixed(0)} ms, emulated ${median(e).toFixed(0)} ms, ratio ${(median(e) / median(n)).toFixed(1)}x (${same})`);
  };

  compare(`busybox sha256sum ${shaMb} MiB`, ["/bin/busybox", "sha256sum", "data.bin"], ["/bin/busybox", "sha256sum", "data.bin"]);
  compare(`CPU-bound C loop (gcc -static, n=${loopN})`, ["./cpuloop", String(loopN)], [join(wd, "cpuloop"), String(loopN)]);

  // cold start: a module whose rootfs holds only busybox
  const small = join(work, "small");
  mkdirSync(join(small, "bin"), { recursive: true });
  copyFileSync("/bin/busybox", join(small, "bin", "busybox"));
  const smallImg = join(work, "small.img");
  await packStage(small, smallImg);
  const rootfsBytes = readFileSync(smallImg);
  const art = buildArtifactBytes(readFileSync(core), rootfsBytes, { entrypoint: ["/bin/busybox"], cmd: ["echo", "hi"], env: ["PATH=/bin"] });
  if (!art.ok) throw new Error(art.error.message);
  const artFile = join(work, "echo.wasm");
  writeFileSync(artFile, art.value);
  // in-process cold start, measured inside a fresh node (with the flags the runners use)
  const inProcScript = `import{WASI}from"node:wasi";import{readFileSync,openSync,closeSync}from"node:fs";const ts=[];for(let i=0;i<5;i++){const fd=openSync(process.argv[2],"w");const t=performance.now();const m=new WebAssembly.Module(readFileSync(process.argv[1]));const w=new WASI({version:"preview1",args:["x"],env:{},stdout:fd,returnOnExit:true});const c=w.start(new WebAssembly.Instance(m,w.getImportObject()));ts.push(performance.now()-t);closeSync(fd);if(c!==0||readFileSync(process.argv[2],"utf8")!=="hi\\n")throw new Error("wrong result");}console.log(JSON.stringify(ts));`;
  const outFile = join(work, "echo.out");
  const inProc = JSON.parse(timeSpawn(process.execPath, ["--no-warnings", ...CORE_NODE_FLAGS, "--input-type=module", "-e", inProcScript, artFile, outFile], work).out) as number[];
  const child: number[] = [];
  const childRunner = `import{WASI}from"node:wasi";import{readFileSync}from"node:fs";const w=new WASI({version:"preview1",args:["x"],env:{},returnOnExit:true});const m=new WebAssembly.Module(readFileSync(process.argv[1]));process.exitCode=w.start(new WebAssembly.Instance(m,w.getImportObject()));`;
  for (let i = 0; i < 5; i++) child.push(timeSpawn(process.execPath, ["--no-warnings", ...CORE_NODE_FLAGS, "--input-type=module", "-e", childRunner, artFile], work).ms);
  // V8 flag sets for the core, in this run: the C loop (steady state) and a fresh-process cold start.
  const flagSets: string[][] = [[], ["--no-liftoff"], ["--no-wasm-lazy-compilation"], ["--no-liftoff", "--no-wasm-lazy-compilation"]];
  const flagLines = flagSets.map((flags) => {
    const loop: number[] = [], start: number[] = [];
    for (let i = 0; i < 2; i++) loop.push(emu(["./cpuloop", String(loopN)], flags).ms);
    for (let i = 0; i < 3; i++) start.push(timeSpawn(process.execPath, ["--no-warnings", ...flags, "--input-type=module", "-e", childRunner, artFile], work).ms);
    return `${flags.join(" ") || "(no flags)"}: C loop ${median(loop).toFixed(0)} ms, cold start ${median(start).toFixed(0)} ms`;
  });
  const nodeBare: number[] = [];
  for (let i = 0; i < 5; i++) nodeBare.push(timeSpawn(process.execPath, ["-e", "0"], work).ms);
  const nat: number[] = [];
  for (let i = 0; i < 5; i++) nat.push(timeSpawn("/bin/busybox", ["echo", "hi"], work).ms);
  lines.push(
    `cold start of busybox echo hi as a module: first run ${inProc[0]!.toFixed(1)} ms in-process (compile+instantiate+run; ${median(inProc).toFixed(1)} ms median of 5 in one process, V8 reuses the compiled code), ` +
      `${median(child).toFixed(0)} ms as a fresh node process (node alone: ${median(nodeBare).toFixed(0)} ms); ` +
      `native spawn ${median(nat).toFixed(1)} ms; ratio first in-process run/native ${(inProc[0]! / median(nat)).toFixed(1)}x`,
  );
  lines.push(`V8 flags for the core (runners use ${CORE_NODE_FLAGS.join(" ")}): ${flagLines.join("; ")}`);
  lines.push(
    `artifact size: ${art.value.length} bytes = rootfs ${rootfsBytes.length} bytes + ${art.value.length - rootfsBytes.length} bytes (core + config), ` +
      `${((art.value.length / rootfsBytes.length - 1) * 100).toFixed(1)}% over the rootfs`,
  );
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const l of await runEmulatorBench()) console.log(l);
}
