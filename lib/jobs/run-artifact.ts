// Runs a compile job's artifact (a WASI command) on the server, in a child
// process under node:wasi with a time limit; output is capped.
import { join, resolve, sep } from "node:path";
import { runNativeArtifact } from "../compile/native-artifact";
import { err, ok, type Result } from "../result";
import type { JobQueue } from "./types";

export const RUN_LIMITS = { maxArgs: 64, maxArgBytes: 4096, maxStdinBytes: 1 << 20, maxOutputBytes: 1 << 20, timeoutMs: 20_000 };

export interface ArtifactRunRequest {
  args: string[];
  stdin: string;
}

export interface ArtifactRunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

export type ArtifactRunError = { kind: "invalid-request" | "not-found" | "not-runnable"; message: string; status: number };

export function parseRunBody(body: unknown): Result<ArtifactRunRequest, ArtifactRunError> {
  const b = (body ?? {}) as { args?: unknown; stdin?: unknown };
  const bad = (message: string) => err<ArtifactRunError>({ kind: "invalid-request", message, status: 400 });
  const args = b.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === "string")) return bad("args must be an array of strings");
  if (args.length > RUN_LIMITS.maxArgs) return bad(`at most ${RUN_LIMITS.maxArgs} arguments`);
  if (args.some((a: string) => Buffer.byteLength(a) > RUN_LIMITS.maxArgBytes)) return bad(`an argument is longer than ${RUN_LIMITS.maxArgBytes} bytes`);
  const stdin = b.stdin ?? "";
  if (typeof stdin !== "string") return bad("stdin must be a string");
  if (Buffer.byteLength(stdin) > RUN_LIMITS.maxStdinBytes) return bad(`stdin is larger than ${RUN_LIMITS.maxStdinBytes} bytes`);
  return ok({ args: args as string[], stdin });
}

const cap = (b: Buffer) => (b.length > RUN_LIMITS.maxOutputBytes ? b.subarray(0, RUN_LIMITS.maxOutputBytes) : b);

export async function runJobArtifact(queue: JobQueue, id: string, req: ArtifactRunRequest): Promise<Result<ArtifactRunResult, ArtifactRunError>> {
  const job = queue.get(id);
  if (!job) return err({ kind: "not-found", message: `no job '${id}'`, status: 404 });
  const produced = (job.result as { produced?: { kind: string; file: string } } | null)?.produced;
  if (job.state !== "succeeded" || !produced) return err({ kind: "not-runnable", message: "this job produced no artifact", status: 409 });
  if (produced.kind !== "native-artifact" && produced.kind !== "wasm-module") {
    return err({ kind: "not-runnable", message: `a ${produced.kind} is not a WASI command; wire it on the canvas and use Run`, status: 409 });
  }
  const dir = resolve(queue.jobDir(id));
  const file = resolve(join(dir, produced.file));
  if (!file.startsWith(dir + sep)) return err({ kind: "not-found", message: "artifact path leaves the job directory", status: 404 });
  const started = performance.now();
  const r = await runNativeArtifact(file, { args: req.args, stdin: req.stdin, timeoutMs: RUN_LIMITS.timeoutMs });
  return ok({
    stdout: cap(r.stdout).toString("utf8"),
    stderr: cap(r.stderr).toString("utf8"),
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    truncated: r.stdout.length > RUN_LIMITS.maxOutputBytes || r.stderr.length > RUN_LIMITS.maxOutputBytes,
    durationMs: Math.round(performance.now() - started),
  });
}
