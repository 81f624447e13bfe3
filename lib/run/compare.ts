// The numbers behind "typed links beat network links": the same design and
// input, driven `requests` times in-process (one process, wires are calls) and
// in network mode (a process per node, wires are loopback HTTP), measured in
// the same run. Requests are driven inside the entry's process in both modes,
// so only the wires differ.
import type { Topology } from "../graph/types";
import { computeBreakdown, type Breakdown } from "./breakdown";
import { err, ok, type Result } from "../result";
import { encodeValue } from "./codec";
import { entryCall, type HttpRequestShape } from "./entry";
import type { LatencyStats } from "./stats";
import { effectiveLimits, LIMIT_BOUNDS, prepareRun, type RunOptions } from "./run";
import { resolveDefault } from "./resolve";
import { prepareComposed } from "./composed-run";
import type { PreparedRun } from "./host-types";
import { RunSession } from "./session";
import type { RunError, RunInput, RunLimits, RunMode } from "./types";

/** How a comparison ran the design: the two run modes, and the group composed into one component. */
export type CompareMode = RunMode | "composed";

export interface ModeMetrics {
  mode: CompareMode;
  requests: number;
  elapsedMs: number;
  requestsPerSecond: number;
  /** Latency of each whole request at the entry. */
  request: LatencyStats;
  /** Latency of each call across a wire, as its caller saw it. */
  wire: LatencyStats;
  wireCallsPerSecond: number;
  /** Resident memory of all processes of the mode, summed after the run (after a garbage collection). */
  rssBytes: number;
  processes: number;
  /** CPU time per request, all the mode's processes together (ms): the cost, whatever else loads the machine. */
  cpuMsPerRequest: number;
  /** Where one request's time went. */
  breakdown: Breakdown;
  /** Requests run before the measured ones (excluded from every figure), and why the warm-up ended. */
  warmup: { requests: number; ended: WarmupEnd };
}

/** Why a warm-up ended: the count asked for, the per-request time no longer falling, or its cap. */
export type WarmupEnd = "count" | "steady" | "cap";

/** What the network mode stands for, said wherever its figures are shown. */
export const NETWORK_BASELINE =
  "one process per node; each wire is an HTTP/1.1 POST with keep-alive over loopback, values as JSON (like a service mesh hop without sidecars)";
export const IN_PROCESS_MODE = "one process; the components are instantiated once and linked by direct calls (values copied by the canonical ABI)";
export const COMPOSED_MODE =
  "one process; the connected components composed into one component (as the WAC export deploys them), instantiated once; each wire a canonical-ABI adapter call in core wasm, timed at jco's enter/exit trampolines; what the host serves (WASI, key-value) imported by the composed component";

export interface Comparison {
  entry: { nodeId: string; interface: string };
  inProcess: ModeMetrics;
  network: ModeMetrics;
  /** Asked for with `composed: true`, when every import of the group is wired inside it. */
  composed?: ModeMetrics;
  /** network time / in-process time for the same requests. */
  throughputRatio: number;
  /** network time / composed time, with `composed`. */
  composedThroughputRatio?: number;
  /** network RSS / in-process RSS. */
  memoryRatio: number;
  /** network CPU time / in-process CPU time for the same requests. */
  cpuRatio: number;
  /** What each mode is (the baseline said plainly). */
  modes: { inProcess: string; network: string; composed?: string };
  /** With `preferComposed`, when the group could not be composed: why (the in-process side is then the JS-linked mode). */
  inProcessFallback?: string;
  /** With `jcoHostCalls`: the in-process side and `composed` again, their sync host calls on jco's own lowering. */
  jcoHostCalls?: { inProcess: ModeMetrics; composed?: ModeMetrics };
  /** The limits both modes ran under (the request's, clamped). */
  limits: RunLimits;
}

export interface CompareRequest {
  topology: Topology;
  input: RunInput;
  requests: number;
  entryNodeId?: string;
  limits?: Partial<RunLimits>;
  request?: HttpRequestShape;
  /**
   * Requests before the measured ones; without it, the warm-up runs until the per-request time stops falling
   * (`warmUp`), and each mode measures at least `MIN_MEASURE_MS` worth of requests (`measuredRequests`).
   */
  warmup?: number;
  /** Also measure the design composed into one component, as a third mode (refused for a group that cannot be one). */
  composed?: boolean;
  /**
   * The in-process side is the design composed into one component where its group composes (what deploys);
   * else the JS-linked in-process mode, with `inProcessFallback` saying why.
   */
  preferComposed?: boolean;
  /** Also measure the in-process side (and `composed`) with jco's own lowering of sync host calls: the figures without the lean path. */
  jcoHostCalls?: boolean;
}

const COMPARE_LIMITS: RunLimits = { timeMs: 15 * 60_000, memoryBytes: 512 * 2 ** 20, outputBytes: 4 * 2 ** 20 };
/** A comparison drives thousands of requests, so it may take longer than one run; the rest is bounded as for runs. */
const COMPARE_BOUNDS = { ...LIMIT_BOUNDS, timeMs: [100, COMPARE_LIMITS.timeMs] as const };

export async function compareModes(req: CompareRequest, opts: RunOptions = {}): Promise<Result<Comparison, RunError>> {
  const prepared = await prepareRun(req.topology, req.entryNodeId, opts);
  if (!prepared.ok) return prepared;
  const { plan } = prepared.value;
  const call = entryCall(plan.entry.entryInterface, req.input, req.request);
  if (!call.ok) return call;
  const limits = effectiveLimits(req.limits, COMPARE_LIMITS, COMPARE_BOUNDS);
  const target = { to: plan.entry.nodeId, interface: plan.entry.interface, function: call.value.function, args: call.value.args.map(encodeValue), from: null, linkId: null };

  const measure = async (mode: CompareMode, run: PreparedRun = prepared.value, leanHostCalls = true): Promise<Result<ModeMetrics, RunError>> => {
    const runStart = Date.now();
    const started = await RunSession.start(run, { mode: mode === "composed" ? "in-process" : mode, limits, record: false, runStart, onEvent: () => {}, leanHostCalls });
    if (!started.ok) return started;
    const session = started.value;
    const timer = setTimeout(() => void session.close(), limits.timeMs);
    try {
      const warm = await warmUp((n) => session.drive(n, target), req.warmup);
      if (warm.error) return err(warm.error);
      await session.resetCounters(); // the figures cover the measured requests only
      const n = measuredRequests(req.requests, warm);
      const d = await session.drive(n, target);
      if (d.errors) return err(d.firstError ?? { kind: "crashed", message: `${mode}: ${d.errors} requests failed` });
      const stats = await session.stats();
      const seconds = d.elapsedMs / 1000;
      return ok({
        mode,
        requests: n,
        elapsedMs: d.elapsedMs,
        requestsPerSecond: n / seconds,
        request: d.requests,
        wire: stats.wire,
        wireCallsPerSecond: stats.wire.count / seconds,
        rssBytes: stats.rssBytes,
        processes: session.processCount,
        cpuMsPerRequest: stats.cpuMs / n,
        breakdown: computeBreakdown({ requests: n, sumMs: d.sumMs, summaries: stats.summaries, timing: stats.timing }),
        warmup: { requests: warm.requests, ended: warm.ended },
      });
    } finally {
      clearTimeout(timer);
      await session.close();
    }
  };

  // A group that cannot be composed is refused before anything runs (or, preferring it, falls back).
  let unit: PreparedRun | undefined;
  let fallback: string | undefined;
  if (req.composed || req.preferComposed) {
    const u = await prepareComposed(prepared.value, req.topology, opts.resolve ?? resolveDefault);
    if (u.ok) unit = u.value;
    else if (req.composed) return u;
    else fallback = u.error.message;
  }
  const typedComposed = !!(req.preferComposed && unit);
  const inProcess = typedComposed ? await measure("composed", unit) : await measure("in-process");
  if (!inProcess.ok) return inProcess;
  const network = await measure("network");
  if (!network.ok) return network;
  let composed: ModeMetrics | undefined;
  if (unit && req.composed) {
    const m = await measure("composed", unit);
    if (!m.ok) return m;
    composed = m.value;
  }
  let jcoHostCalls: Comparison["jcoHostCalls"];
  if (req.jcoHostCalls) {
    const i = typedComposed ? await measure("composed", unit, false) : await measure("in-process", prepared.value, false);
    if (!i.ok) return i;
    const c = unit && req.composed ? await measure("composed", unit, false) : undefined;
    if (c && !c.ok) return c;
    jcoHostCalls = { inProcess: i.value, ...(c ? { composed: c.value } : {}) };
  }
  return ok({
    entry: { nodeId: plan.entry.nodeId, interface: plan.entry.interface },
    inProcess: inProcess.value,
    network: network.value,
    throughputRatio: inProcess.value.requestsPerSecond / network.value.requestsPerSecond,
    memoryRatio: network.value.rssBytes / inProcess.value.rssBytes,
    cpuRatio: network.value.cpuMsPerRequest / inProcess.value.cpuMsPerRequest,
    ...(composed ? { composed, composedThroughputRatio: composed.requestsPerSecond / network.value.requestsPerSecond } : {}),
    modes: { inProcess: typedComposed ? COMPOSED_MODE : IN_PROCESS_MODE, network: NETWORK_BASELINE, ...(composed ? { composed: COMPOSED_MODE } : {}) },
    ...(fallback !== undefined ? { inProcessFallback: fallback } : {}),
    ...(jcoHostCalls ? { jcoHostCalls } : {}),
    limits,
  });
}

/** Shortest measurement after an automatic warm-up: the requests asked for, or more when they would take less than this. */
export const MIN_MEASURE_MS = 1000;

/**
 * How many requests to measure: the count asked for, and after an automatic warm-up at least
 * `MIN_MEASURE_MS` worth at the rate its fastest batch ran (at most 100 times the count). On a loaded
 * machine a process is descheduled for tens of milliseconds at a time; in a window of 0.2 s one such
 * pause decides the throughput, so the faster mode, whose window is the shortest, was the noisiest.
 */
export function measuredRequests(asked: number, warm: { ended: WarmupEnd; perRequestMs?: number }): number {
  if (warm.ended === "count" || !warm.perRequestMs) return asked;
  return Math.max(asked, Math.min(100 * asked, Math.ceil(MIN_MEASURE_MS / warm.perRequestMs)));
}

/**
 * The warm-up's limits: batches of about `batchMs` (the first `minRequests`), at least `minMs` in all, ended
 * when `patience` batches in a row have a median no `gain` below the best one's, or at `maxMs` / `maxRequests`.
 */
export const WARMUP = { minRequests: 50, minMs: 1000, batchMs: 150, patience: 3, gain: 0.9, maxMs: 5000, maxRequests: 30_000 };

/**
 * Warms a session up before measuring: `count` requests when asked for, else
 * until the per-request time stops falling. A run process compiles its code
 * while it serves: the first thousand requests of the composed sample take
 * five to ten times the CPU of the steady state (V8 tiering the glue and the
 * host code up), and the network mode's processes warm up too. A fixed short
 * warm-up measured mostly that, and more so the faster the mode. The rule is
 * the same for every mode: batches of about `WARMUP.batchMs`, for at least
 * `WARMUP.minMs`, until `WARMUP.patience` batches in a row have a median no
 * `WARMUP.gain` below the best batch's (one noisy batch on a loaded machine
 * does not end it), or `WARMUP.maxMs` / `WARMUP.maxRequests`.
 */
export async function warmUp(
  drive: (n: number) => Promise<{ elapsedMs: number; requests: LatencyStats; errors: number; firstError?: RunError }>,
  count?: number,
): Promise<{ requests: number; ended: WarmupEnd; error?: RunError; perRequestMs?: number }> {
  const failed = (d: { firstError?: RunError }) => d.firstError ?? { kind: "crashed" as const, message: "warm-up failed" };
  if (count !== undefined) {
    const d = await drive(count);
    return { requests: count, ended: "count", ...(d.errors ? { error: failed(d) } : {}) };
  }
  let done = 0;
  let spent = 0;
  let best = Infinity;
  let stale = 0;
  let fastest = Infinity;
  let n = WARMUP.minRequests;
  while (true) {
    const d = await drive(n);
    if (d.errors) return { requests: done + n, ended: "cap", error: failed(d) };
    done += n;
    spent += d.elapsedMs;
    // The fastest batch's rate: sized from it, the measurement lasts at least MIN_MEASURE_MS (a slow last batch was a pause).
    fastest = Math.min(fastest, d.elapsedMs / n);
    const perRequestMs = fastest;
    if (d.requests.p50 < best * WARMUP.gain) {
      best = Math.min(best, d.requests.p50);
      stale = 0;
    } else {
      best = Math.min(best, d.requests.p50);
      if (++stale >= WARMUP.patience && spent >= WARMUP.minMs) return { requests: done, ended: "steady", perRequestMs };
    }
    if (spent >= WARMUP.maxMs || done >= WARMUP.maxRequests) return { requests: done, ended: "cap", perRequestMs };
    // The next batch lasts about batchMs at the rate just seen.
    n = Math.max(10, Math.min(WARMUP.maxRequests - done, Math.round((n * WARMUP.batchMs) / Math.max(d.elapsedMs, 1))));
  }
}
