// The compile step's smoke run (issue 13): the plain artifact runs its own
// command (the image's entrypoint + cmd, or the arguments given) under an
// instruction budget, recording the blocks it runs (TRELLIS_AOT_PROFILE,
// emulator/src/aot-run.c). The core stops the run itself once the budget is
// spent (TRELLIS_STOP_AFTER, emulator/src/main.c) and writes the profile as an
// exit would, so servers that never exit are profiled too. Its time limit is
// CPU time, so a busy machine does not cut the profile short.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childArgs, preopensFor } from "./native-artifact";

export interface SmokeOptions {
  /** Arguments that replace the image's CMD (as `trellis run ARTIFACT -- ARGS`); none: the image's own command. */
  args?: string[];
  /** Guest instructions before the core stops the run. */
  budget: number;
  /** CPU-time limit the core enforces (of the whole node process); a guest that sleeps uses none, so wall time stops it at `WALL_FACTOR` times this. */
  timeMs: number;
  signal?: AbortSignal;
}

export interface SmokeResult {
  /** The block profile (a file in its own temp dir; `cleanup` removes it). */
  profile: string;
  profileBytes: number;
  /** Guest instructions of every process, as the core counted them. */
  instructions: number;
  /** What ended it: the guest exited, the budget (or time limit) ran out, or every process was left waiting (a server with no clients). */
  end: SmokeEnd;
  /** The guest's exit code (124 when stopped, 125 when every process was left waiting). */
  exitCode: number;
  ms: number;
  cleanup: () => void;
}

export type SmokeEnd = "exited" | "budget" | "waiting";
export type SmokeError = { kind: "smoke-failed"; message: string };

const PROFILE_DIR = "/aot-profile";
/** The wall-clock backstop, as a multiple of the CPU limit: a guest that sleeps or waits on timers spends no CPU. */
export const WALL_FACTOR = 3;
const STDERR_KEPT = 64 * 1024;

/** Runs `artifact` (a plain, untranslated native artifact) once, profiling the blocks it runs. */
export function smokeRun(artifact: string, o: SmokeOptions): Promise<{ ok: true; value: SmokeResult } | { ok: false; error: SmokeError }> {
  const dir = mkdtempSync(join(tmpdir(), "trellis-smoke-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const env = { TRELLIS_AOT_PROFILE: `${PROFILE_DIR}/blocks.prof`, TRELLIS_AOT_PROFILE_MIN: "1", TRELLIS_STOP_AFTER: [o.budget, o.timeMs, o.timeMs * WALL_FACTOR].map((n) => Math.max(1, Math.floor(n))).join(",") };
  const cfg = { file: artifact, args: ["artifact.wasm", ...(o.args ?? [])], env, preopens: { ...preopensFor(artifact), [PROFILE_DIR]: dir } };
  const t0 = performance.now();
  return new Promise((resolve) => {
    const fail = (message: string) => {
      cleanup();
      resolve({ ok: false, error: { kind: "smoke-failed", message } });
    };
    const child = spawn(process.execPath, childArgs(cfg), { stdio: ["pipe", "ignore", "pipe"] });
    let tail = "";
    child.stderr.on("data", (b: Buffer) => {
      tail = (tail + b.toString("latin1")).slice(-STDERR_KEPT);
    });
    // The core stops itself; this only guards against a host call that never returns.
    const guard = setTimeout(() => child.kill("SIGKILL"), o.timeMs * WALL_FACTOR * 2 + 60_000);
    const onAbort = () => child.kill("SIGKILL");
    o.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (e) => {
      clearTimeout(guard);
      fail(`the smoke run did not start: ${e.message}`);
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end();
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      o.signal?.removeEventListener("abort", onAbort);
      const m = /trellis-x86: run (stopped|ended|waiting) after (\d+) instructions \(exit (-?\d+)\)\s*$/.exec(tail);
      const profile = join(dir, "blocks.prof");
      if (!m || !existsSync(profile)) {
        const why = o.signal?.aborted ? "cancelled" : signal ? `killed by ${signal}` : `exit ${code}`;
        return fail(`the smoke run wrote no profile (${why}): ${tail.trim().split("\n").slice(-3).join(" / ") || "no output"}`);
      }
      resolve({
        ok: true,
        value: { profile, profileBytes: statSync(profile).size, instructions: Number(m[2]), end: m[1] === "stopped" ? "budget" : m[1] === "waiting" ? "waiting" : "exited", exitCode: Number(m[3]), ms: performance.now() - t0, cleanup },
      });
    });
  });
}
