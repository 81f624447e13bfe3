// Runs a compile job's artifact (a WASI command) on the server, in a child
// process under node:wasi with a time limit. At most TRELLIS_MAX_ARTIFACT_RUNS
// at once; output is streamed as it comes (SSE) or collected up to the cap,
// and a guest that writes past the cap is stopped.
import { join, resolve, sep } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { runNativeArtifact } from "../compile/native-artifact";
import { err, ok, type Result } from "../result";
import { apiError, errorResponse } from "../server/errors";
import { acquireSlot, envInt } from "../server/limits";
import { sseResponse } from "../server/sse";
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

export type OutputSink = (stream: "stdout" | "stderr", text: string) => void;

export async function runJobArtifact(queue: JobQueue, id: string, req: ArtifactRunRequest, onOutput?: OutputSink): Promise<Result<ArtifactRunResult, ArtifactRunError>> {
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
  // One decoder per stream, so a character split across chunks stays whole.
  const dec = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  const r = await runNativeArtifact(file, {
    args: req.args,
    stdin: req.stdin,
    timeoutMs: RUN_LIMITS.timeoutMs,
    maxOutputBytes: RUN_LIMITS.maxOutputBytes,
    ...(onOutput ? { onOutput: (stream: "stdout" | "stderr", chunk: Buffer) => onOutput(stream, dec[stream].write(chunk)) } : {}),
  });
  if (onOutput) for (const s of ["stdout", "stderr"] as const) {
    const rest = dec[s].end();
    if (rest) onOutput(s, rest);
  }
  return ok({
    stdout: r.stdout.toString("utf8"),
    stderr: r.stderr.toString("utf8"),
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    truncated: r.truncated,
    durationMs: Math.round(performance.now() - started),
  });
}

/** Artifact runs at once (TRELLIS_MAX_ARTIFACT_RUNS, default 2): each is a child process. */
export const maxArtifactRuns = () => envInt("TRELLIS_MAX_ARTIFACT_RUNS", 2);

/**
 * POST /api/jobs/:id/run. With `Accept: text/event-stream`: `output` {stream,
 * text} events as the guest writes, then `exit` (the result without output).
 * Otherwise the result as JSON. 429 when the server runs its maximum already.
 */
export async function artifactRunResponse(req: Request, queue: JobQueue, id: string, body: unknown, max = maxArtifactRuns()): Promise<Response> {
  const parsed = parseRunBody(body);
  if (!parsed.ok) return errorResponse(parsed.error, parsed.error.status);
  const release = acquireSlot("artifact-runs", max);
  if (!release) return errorResponse(apiError("busy", `the server is running its maximum of ${max} artifact runs; try again shortly`));
  if (!(req.headers.get("accept") ?? "").includes("text/event-stream")) {
    try {
      const r = await runJobArtifact(queue, id, parsed.value);
      return r.ok ? Response.json(r.value) : errorResponse(r.error, r.error.status);
    } finally {
      release();
    }
  }
  return sseResponse(
    req,
    (ch) => {
      runJobArtifact(queue, id, parsed.value, (stream, text) => ch.send("output", { stream, text }))
        .then((r) => (r.ok ? ch.send("exit", { ...r.value, stdout: undefined, stderr: undefined }) : ch.send("error", r.error)))
        .catch((e: unknown) => ch.send("error", apiError("internal", (e as Error).message)))
        .finally(() => {
          release();
          ch.close();
        });
    },
    { heartbeatMs: 15_000 },
  );
}
