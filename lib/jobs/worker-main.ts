// Worker process entry: `node --import tsx lib/jobs/worker-main.ts`, forked by
// the embedded queue. Receives one `run` message, runs the handler for the
// job's kind, reports progress/logs/outcome over IPC, and exits.
//
// Handlers come from the module named by TRELLIS_JOB_HANDLERS (default
// ./handlers.ts), which default-exports Record<kind, JobHandler>.

import { pathToFileURL } from "node:url";
import type { JobContext, JobHandler, ParentMessage, WorkerMessage } from "./protocol";
import type { JobError } from "./types";

function send(m: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

async function loadHandlers(): Promise<Record<string, JobHandler>> {
  const spec = process.env.TRELLIS_JOB_HANDLERS;
  const mod = (await import(spec ? pathToFileURL(spec).href : "./handlers")) as { default: Record<string, JobHandler> };
  return mod.default;
}

function asJobError(e: unknown): { error: JobError; retryable: boolean } {
  if (typeof e === "object" && e !== null && typeof (e as JobError).kind === "string" && typeof (e as JobError).message === "string") {
    const x = e as JobError & { retryable?: boolean; error?: JobError };
    const { kind, message, path, digest, platforms } = x;
    return {
      error: { kind, message, ...(path ? { path } : {}), ...(digest ? { digest } : {}), ...(Array.isArray(platforms) ? { platforms: platforms.map(String) } : {}) },
      retryable: x.retryable === true,
    };
  }
  // ImageFailure-style wrappers carry the typed error in `.error`.
  const inner = (e as { error?: unknown })?.error;
  if (typeof inner === "object" && inner !== null && typeof (inner as JobError).kind === "string") return asJobError(inner);
  const message = e instanceof Error ? e.message : String(e);
  return { error: { kind: "internal", message }, retryable: true };
}

async function main(): Promise<void> {
  const controller = new AbortController();
  let started = false;
  process.on("message", (raw) => {
    const m = raw as ParentMessage;
    if (m.type === "cancel") controller.abort();
    if (m.type === "run" && !started) {
      started = true;
      void run(m.job, controller).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    }
  });
  // The parent going away means nobody will read our results: stop.
  process.on("disconnect", () => {
    controller.abort();
    setTimeout(() => process.exit(0), 2000).unref();
  });
  await send({ type: "ready" });
}

async function run(job: Extract<ParentMessage, { type: "run" }>["job"], controller: AbortController): Promise<void> {
  const handlers = await loadHandlers();
  const handler = handlers[job.kind];
  if (!handler) {
    await send({ type: "failed", error: { kind: "unknown-kind", message: `no handler for job kind '${job.kind}'` }, retryable: false });
    return;
  }
  let lastPct = -1;
  let lastStage: string | null = null;
  let lastDetailAt = 0;
  const ctx: JobContext = {
    ...job,
    signal: controller.signal,
    progress(stage, percent, detail) {
      const p = Math.round(Math.max(0, Math.min(100, percent)) * 10) / 10;
      // Only meaningful changes cross the process boundary (details at most 5 a second).
      const now = Date.now();
      const detailDue = detail !== undefined && now - lastDetailAt >= 200;
      if (stage === lastStage && Math.abs(p - lastPct) < 1 && p !== 100 && !detailDue) return;
      lastStage = stage;
      lastPct = p;
      if (detail !== undefined) lastDetailAt = now;
      void send({ type: "progress", stage, percent: p, ...(detail !== undefined ? { detail } : {}) });
    },
    log(line) {
      void send({ type: "log", line });
    },
  };
  try {
    const result = await handler(ctx);
    if (controller.signal.aborted) await send({ type: "cancelled" });
    else await send({ type: "succeeded", result: result ?? null });
  } catch (e) {
    if (controller.signal.aborted) await send({ type: "cancelled" });
    else await send({ type: "failed", ...asJobError(e) });
  }
}

void main();
