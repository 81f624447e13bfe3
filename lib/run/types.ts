// Public shapes of a pipeline run (shared by the engine, the route and the UI).
import type { EncodedValue } from "./codec";

export type RunMode = "in-process" | "network";

export interface RunLimits {
  /** Wall-clock budget for the whole run (instantiation included). */
  timeMs: number;
  /** Linear memory of all component instances together, and the JS heap of the run. */
  memoryBytes: number;
  /** Largest value any call may return (bytes/strings, encoded size). */
  outputBytes: number;
}

export const DEFAULT_LIMITS: RunLimits = { timeMs: 10_000, memoryBytes: 256 * 1024 * 1024, outputBytes: 4 * 1024 * 1024 };

/** What the user gives the entry node. */
export type RunInput = { text: string } | { base64: string } | { json: unknown };

export type RunErrorKind =
  | "invalid-request"
  | "no-entry"
  | "ambiguous-entry"
  | "unsupported-entry"
  | "unsupported-node"
  | "missing-component"
  | "missing-link"
  | "cycle"
  | "instantiate-failed"
  | "trap"
  | "time-limit"
  | "memory-limit"
  | "output-limit"
  | "network-failure"
  /** A wasi:http handler set an error-code instead of a response (a compiled container's guest answered badly or not at all). */
  | "http-error"
  | "crashed";

export interface RunError {
  kind: RunErrorKind;
  message: string;
  nodeId?: string;
  /** For cycles: the nodes on the cycle, in call order. */
  nodeIds?: string[];
  portId?: string;
  interface?: string;
}

/** One call across a wire (or from the run's input into the entry node). */
export interface CallEvent {
  type: "call";
  seq: number;
  /** Milliseconds since the run started. */
  at: number;
  /** Caller node id, or `null` for the run's input. */
  from: string | null;
  to: string;
  linkId: string | null;
  interface: string;
  function: string;
  args: EncodedValue[];
  /** The returned value (for `result` functions: the `ok` value). */
  result?: EncodedValue;
  /** A refusal the callee returned (`result` err payload); not a failure of the run. */
  refused?: EncodedValue;
  /** A trap or host failure during the call. */
  error?: string;
  durationMs: number;
}

export type RunEvent =
  /** `nodes` take part in the run; `skipped` are nodes of the design the entry does not reach. */
  | { type: "started"; at: number; mode: RunMode; nodes: string[]; skipped: string[]; entry: { nodeId: string; interface: string }; http?: HttpServing[] }
  /** A component is being transpiled (first run of these bytes); the run's clock stops meanwhile. */
  | { type: "compiling"; at: number; nodeId: string; done: boolean; ms?: number }
  | { type: "node-ready"; at: number; nodeId: string; ms: number }
  | CallEvent
  | { type: "stdio"; at: number; nodeId: string | null; stream: "stdout" | "stderr"; text: string }
  | { type: "finished"; at: number; ok: boolean; error?: RunError };

/**
 * How a compiled HTTP service answers in a run: through the wasi:http component its compile job
 * built, or through the guest's published port (the command artifact with host networking).
 */
export interface HttpServing {
  nodeId: string;
  port: number;
  via: "component" | "published-port";
  /** Why it is not the component, when it is not. */
  why?: string;
}

export interface NodeSummary {
  nodeId: string;
  calls: number;
  /** Time inside this node's functions, including the calls it made. */
  totalMs: number;
  /** `totalMs` minus time spent in the nodes it called. */
  selfMs: number;
  lastInput?: EncodedValue[];
  lastOutput?: EncodedValue;
  lastRefusal?: EncodedValue;
  error?: string;
}

export interface RunResult {
  ok: boolean;
  mode: RunMode;
  entry?: { nodeId: string; interface: string; function: string };
  /** The entry call's value (for `result` functions: the `ok` value). */
  output?: EncodedValue;
  /** The entry node refused the input (its `result` was `err`). */
  refused?: EncodedValue;
  error?: RunError;
  nodes: Record<string, NodeSummary>;
  events: RunEvent[];
  durationMs: number;
  /** Resident memory of every process of the run, summed (bytes), measured after the entry call. */
  rssBytes?: number;
}
