// Messages between the run's parent (RunSession, in the server) and a run
// process (node-process.ts), over the child_process IPC channel with
// structured clone ("advanced" serialization).
import type { HostTiming } from "./call-recorder";
import type { CallRequest, HostSpec, InvokeOutcome } from "./host-types";
import type { LatencyStats } from "./stats";
import type { NodeSummary, RunError, RunEvent } from "./types";

export type ParentMessage =
  /** Instantiate the spec's nodes; `listen`: also serve POST /call (network mode). */
  | { type: "start"; spec: HostSpec; listen: boolean }
  /** One call into a hosted node (the run's input). */
  | { type: "call"; id: number; req: CallRequest }
  /** `n` calls in a row, timed inside this process. */
  | { type: "drive"; id: number; n: number; req: CallRequest }
  /** Start counting afresh (after a warm-up). */
  | { type: "reset"; id: number }
  | { type: "stats"; id: number };

export type ChildMessage =
  | { type: "ready"; port?: number }
  | { type: "failed"; error: RunError }
  /** Events in the order they happened (sent in batches). */
  | { type: "events"; events: RunEvent[] }
  | { type: "result"; id: number; outcome: InvokeOutcome }
  | { type: "drove"; id: number; elapsedMs: number; requests: LatencyStats; sumMs: number; errors: number; firstError?: RunError }
  /** `cpuMicros`: CPU time (user + system) the process used since its counters were last reset. */
  | { type: "stats"; id: number; summaries: NodeSummary[]; rssBytes: number; wireLatencies: Float64Array; timing: HostTiming; cpuMicros: number };

export function isChildMessage(m: unknown): m is ChildMessage {
  return typeof m === "object" && m !== null && typeof (m as { type?: unknown }).type === "string";
}
