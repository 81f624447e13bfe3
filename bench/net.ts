// Published ports: Debian's redis-server inside the x86-64 core, reached from
// the host through `-p` (lib/image/HOST-NET.md), against the same redis-server
// run natively on loopback; redis-benchmark from Debian with the same
// parameters for both. Prints requests/s, the ratio and the connections held.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rootfsGuestArgs } from "../emulator/test/harness";
import { packDirectory } from "../lib/image/packed-rootfs";
import { freePort } from "../lib/testing/free-port";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = join(root, "emulator", "build", "bench-net");
const core = join(root, "emulator", "build", "trellis-x86.wasm");
const REQUESTS = Number(process.env.BENCH_NET_REQUESTS ?? 2000);
const CLIENTS = Number(process.env.BENCH_NET_CLIENTS ?? 10);


function stageRedis(stage: string): void {
  for (const d of ["bin", "tmp", "etc", "dev", "proc"]) mkdirSync(join(stage, d), { recursive: true });
  copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
  symlinkSync("busybox", join(stage, "bin", "sh"));
  for (const bin of ["/usr/bin/redis-server"]) {
    mkdirSync(join(stage, dirname(bin)), { recursive: true });
    copyFileSync(realpathSync(bin), join(stage, bin));
    const out = execFileSync("ldd", [bin], { encoding: "utf8" });
    for (const m of out.matchAll(/(\/[^ ]+\.so[^ ]*) \(0x/g)) {
      mkdirSync(join(stage, dirname(m[1]!)), { recursive: true });
      if (!existsSync(join(stage, m[1]!))) copyFileSync(realpathSync(m[1]!), join(stage, m[1]!));
    }
  }
}

async function waitPing(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if (execFileSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() === "PONG") return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis on port ${port} did not answer`);
}

function benchmark(port: number): Record<string, number> {
  const out = execFileSync("redis-benchmark", ["-p", String(port), "-t", "set,get", "-n", String(REQUESTS), "-c", String(CLIENTS), "-q"], { encoding: "utf8" });
  const r: Record<string, number> = {};
  for (const m of out.matchAll(/(SET|GET): ([\d.]+) requests per second/g)) r[m[1]!] = Number(m[2]);
  return r;
}

export async function runNetBench(): Promise<string[]> {
  for (const t of ["redis-server", "redis-cli", "redis-benchmark"]) execFileSync("sh", ["-c", `command -v ${t}`]);
  if (!existsSync(core)) throw new Error("the core is not built (npm run build:emulator)");
  rmSync(work, { recursive: true, force: true });
  const stage = join(work, "stage");
  stageRedis(stage);
  const packed = await packDirectory(stage, join(work, "rootfs.img"));
  if (!packed.ok) throw new Error(packed.error.message);

  const [nativePort, hostPort] = [await freePort(), await freePort()];
  const procs: ChildProcess[] = [];
  try {
    const native = spawn("redis-server", ["--port", String(nativePort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    procs.push(native);
    const started = Date.now();
    const command = ["/usr/bin/redis-server", "--port", "6379", "--save", "", "--appendonly", "no"];
    const guest = spawn(process.execPath, rootfsGuestArgs({ core, rootfsDir: work, command, publish: [{ hostAddr: "127.0.0.1", hostPort, guestPort: 6379 }] }), { stdio: "ignore" });
    procs.push(guest);
    await waitPing(nativePort);
    await waitPing(hostPort);
    const startup = (Date.now() - started) / 1000;
    const n = benchmark(nativePort);
    const e = benchmark(hostPort);
    const lines = [
      `  redis-benchmark -t set,get -n ${REQUESTS} -c ${CLIENTS} (${CLIENTS} connections held at once)`,
      `  guest redis-server up and answering through -p after ${startup.toFixed(1)} s`,
    ];
    for (const op of ["SET", "GET"]) {
      const a = n[op] ?? NaN, b = e[op] ?? NaN;
      lines.push(`  ${op}: native ${a.toFixed(0)} req/s, emulated via -p ${b.toFixed(0)} req/s, ratio ${(a / b).toFixed(1)}x`);
    }
    return lines;
  } finally {
    for (const p of procs) p.kill("SIGKILL");
  }
}
