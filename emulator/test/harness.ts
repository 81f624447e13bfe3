// Helpers for differential tests: build the core if needed, stage a rootfs
// directory, pack it with lib/image, and run a guest natively and emulated.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hostNetChildArgs, type Allow, type Publish } from "../../lib/compile/host-net";
import { CORE_NODE_FLAGS } from "../../lib/compile/native-artifact";
import { packDirectory } from "../../lib/image/packed-rootfs";

export const emulatorDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const corePath = join(emulatorDir, "build", "trellis-x86.wasm");
const runner = join(emulatorDir, "test", "run-core.mjs");

export const translatorPath = join(emulatorDir, "build", "trellis-aot.wasm");

/** Builds the core (and the translator) when either is missing or older than a source file. */
export function ensureCore(): string {
  const files = (dir: string) => readdirSync(join(emulatorDir, dir), { recursive: true, encoding: "utf8" }).map((f) => join(emulatorDir, dir, f)); // src/http/ too
  const newest = Math.max(...[...files("src"), ...files("aot")].map((f) => statSync(f).mtimeMs), statSync(join(emulatorDir, "build.sh")).mtimeMs);
  const httpCore = join(emulatorDir, "build", "trellis-x86-http.wasm"); // build.sh writes all variants
  if (![corePath, httpCore, translatorPath].every((f) => existsSync(f) && statSync(f).mtimeMs >= newest)) {
    execFileSync("bash", [join(emulatorDir, "build.sh")], { stdio: "pipe" });
  }
  return corePath;
}

export async function packStage(stage: string, out: string): Promise<void> {
  const r = await packDirectory(stage, out);
  if (!r.ok) throw new Error(`packing ${stage}: ${r.error.message}`);
}

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

export interface RunSpec {
  argv: string[];
  stdin?: string | Buffer;
  env?: Record<string, string>;
}

/** Runs natively with `hostCwd` as the working directory. `hostArgv0` replaces argv[0]. */
export function runNative(spec: RunSpec, hostCwd: string, hostArgv0?: string): RunResult {
  const [cmd, ...args] = spec.argv;
  const r = spawnSync(hostArgv0 ?? cmd, args, {
    cwd: hostCwd,
    env: (spec.env ?? {}) as NodeJS.ProcessEnv,
    input: spec.stdin ?? "",
    timeout: 60_000,
    maxBuffer: 64 << 20,
    argv0: cmd,
  });
  // a WASI module cannot die by a signal: the core exits with 128 + signal, as shells report it
  const status = r.status ?? (r.signal ? 128 + constants.signals[r.signal] : null);
  return { stdout: r.stdout.toString("latin1"), stderr: r.stderr.toString("latin1"), status };
}

/** Another core module (e.g. one with translated blocks), more WASI environment and preopens for one run. */
export interface CoreRun {
  core?: string;
  env?: Record<string, string>;
  preopens?: Record<string, string>;
}

/** Runs inside the emulator with the packed rootfs; `workdir` is a rootfs path. */
export function runEmulated(spec: RunSpec, rootfsFile: string, workdir: string, tmp: string, trace?: string, run: CoreRun = {}): RunResult {
  const args = ["trellis-x86", "--rootfs", "/rootfs/" + rootfsFile.split("/").pop(), "--workdir", workdir];
  for (const [k, v] of Object.entries(spec.env ?? {})) args.push("-e", `${k}=${v}`);
  args.push("--", ...spec.argv);
  let stdinFile: string | undefined;
  if (spec.stdin !== undefined) {
    mkdirSync(tmp, { recursive: true });
    stdinFile = join(tmp, `stdin-${process.pid}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(stdinFile, spec.stdin);
  }
  const env = { ...(trace ?? process.env.TRELLIS_TRACE ? { TRELLIS_TRACE: trace ?? process.env.TRELLIS_TRACE } : {}), ...run.env };
  const cfg = { args, env, preopens: { "/rootfs": dirname(rootfsFile), ...run.preopens }, stdinFile };
  const r = spawnSync(process.execPath, ["--no-warnings", ...CORE_NODE_FLAGS, runner, run.core ?? corePath, JSON.stringify(cfg)], {
    timeout: 120_000,
    maxBuffer: 64 << 20,
    input: stdinFile ? undefined : "",
  });
  return { stdout: r.stdout.toString("latin1"), stderr: r.stderr.toString("latin1"), status: r.status };
}

/**
 * `node` arguments running `command` inside the core with the packed rootfs
 * `<rootfsDir>/rootfs.img` and the host network interface (published ports,
 * allowed outbound), as tests and benches start guest services.
 */
export function rootfsGuestArgs(o: { core: string; rootfsDir: string; command: string[]; publish: Publish[]; allow?: Allow[]; env?: Record<string, string> }): string[] {
  return hostNetChildArgs({
    file: o.core,
    args: ["trellis-x86", "--rootfs", "/rootfs/rootfs.img", "--", ...o.command],
    env: o.env ?? {},
    preopens: { "/rootfs": o.rootfsDir },
    publish: o.publish,
    allow: o.allow ?? [],
  });
}
