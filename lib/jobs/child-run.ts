// One job in one forked worker process (lib/jobs/worker-main.ts, the same
// entry and IPC protocol the embedded queue uses), for `trellis worker`: a
// crashing or hung compile never takes the worker down, and a cancel can
// always end it (asked first, killed after a grace period).

import { fork } from "node:child_process";
import { setPriority } from "node:os";
import { isWorkerMessage, type ParentMessage } from "./protocol";
import type { JobError } from "./types";

export type ChildOutcome =
  | { type: "succeeded"; result: unknown }
  | { type: "failed"; error: JobError; retryable: boolean }
  | { type: "cancelled" }
  /** The process ended without an outcome (a crash, or killed). */
  | { type: "crashed"; message: string };

export interface ChildRunOptions {
  workerEntry: string;
  handlersModule?: string;
  cwd?: string;
  job: Extract<ParentMessage, { type: "run" }>["job"];
  signal: AbortSignal;
  /** How long a cancelled job may take to stop before it is killed (default 5 s). */
  cancelGraceMs?: number;
  onProgress(stage: string | null, percent: number, detail?: unknown): void;
  onLog(line: string): void;
}

/** The worker's environment minus debugger flags (a second `--inspect` would fight over the port). */
export function childEnv(handlersModule?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (env.NODE_OPTIONS) env.NODE_OPTIONS = env.NODE_OPTIONS.split(/\s+/).filter((f) => f && !f.startsWith("--inspect")).join(" ");
  if (handlersModule) env.TRELLIS_JOB_HANDLERS = handlersModule;
  return env;
}

/** Calls `f` with each non-blank line a job process writes to a stream. */
export function eachLine(stream: NodeJS.ReadableStream | null, f: (line: string) => void): void {
  let buf = "";
  stream?.on("data", (c: Buffer) => {
    buf += c.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) f(line);
    }
  });
}

export function runInChild(o: ChildRunOptions): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = fork(o.workerEntry, [], {
      execArgv: ["--import", "tsx"],
      cwd: o.cwd ?? process.cwd(),
      env: childEnv(o.handlersModule),
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
    });
    try {
      if (child.pid) setPriority(child.pid, 10);
    } catch {
      // not permitted here; run at normal priority
    }
    let outcome: ChildOutcome | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const send = (m: ParentMessage) => {
      if (child.connected) child.send(m);
    };
    const cancel = () => {
      send({ type: "cancel" });
      killTimer = setTimeout(() => {
        o.onLog("the job did not stop in time; killing it");
        child.kill("SIGKILL");
      }, o.cancelGraceMs ?? 5000);
      killTimer.unref();
    };
    if (o.signal.aborted) cancel();
    else o.signal.addEventListener("abort", cancel, { once: true });
    eachLine(child.stdout, (l) => o.onLog(l));
    eachLine(child.stderr, (l) => o.onLog(`stderr: ${l}`));
    child.on("message", (m) => {
      if (!isWorkerMessage(m) || outcome) return;
      switch (m.type) {
        case "ready":
          send({ type: "run", job: o.job });
          if (o.signal.aborted) send({ type: "cancel" });
          break;
        case "progress":
          o.onProgress(m.stage, m.percent, m.detail);
          break;
        case "log":
          o.onLog(m.line);
          break;
        case "succeeded":
          outcome = { type: "succeeded", result: m.result };
          break;
        case "failed":
          outcome = { type: "failed", error: m.error, retryable: m.retryable };
          break;
        case "cancelled":
          outcome = { type: "cancelled" };
          break;
      }
    });
    child.on("error", (e) => {
      outcome ??= { type: "crashed", message: `could not run the job process: ${e.message}` };
    });
    child.on("exit", (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      o.signal.removeEventListener("abort", cancel);
      if (!outcome && o.signal.aborted) outcome = { type: "cancelled" };
      resolve(outcome ?? { type: "crashed", message: `the job process exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`})` });
    });
  });
}
