// Where one request's time goes, from what the hosts measured: the ingress
// (getting the input to the entry and its answer back), each node's own work,
// each wire's transport (network mode: the HTTP round trip minus the callee's
// time; in-process a wire is a direct call and has none of its own: the
// canonical-ABI copies are part of the nodes' work), and the run's bookkeeping.
// The parts are timed inside the hosts and the request outside, so their sum
// checks the measurement.
import type { HostTiming } from "./call-recorder";
import type { NodeSummary } from "./types";

export interface Breakdown {
  /** Mean time of one request (ms), as driven at the entry. */
  requestMs: number;
  /** Input to the entry and its answer back: an in-memory HTTP request for wasi:http entries, else decoding the input. */
  ingressMs: number;
  nodes: Array<{ nodeId: string; callsPerRequest: number; ownMs: number }>;
  wires: Array<{ linkId: string; from: string; to: string; callsPerRequest: number; transportMs: number; perCallMs: number }>;
  /** Timing, limit checks and call events of the run itself. */
  recordingMs: number;
  /** `requestMs` minus the parts: time between the clock reads. */
  unaccountedMs: number;
}

export interface BreakdownInput {
  requests: number;
  /** Sum of the requests' latencies (ms). */
  sumMs: number;
  summaries: NodeSummary[];
  timing: HostTiming;
}

export function computeBreakdown(x: BreakdownInput): Breakdown {
  const n = Math.max(1, x.requests);
  const requestMs = x.sumMs / n;
  const ingressMs = x.timing.ingressMs / n;
  const nodes = x.summaries.filter((s) => s.calls > 0).map((s) => ({ nodeId: s.nodeId, callsPerRequest: s.calls / n, ownMs: s.selfMs / n }));
  const wires = x.timing.links.map((l) => ({
    linkId: l.linkId,
    from: l.from,
    to: l.to,
    callsPerRequest: l.calls / n,
    transportMs: Math.max(0, l.callerMs - l.calleeMs) / n,
    perCallMs: l.calls ? l.callerMs / l.calls : 0,
  }));
  const recordingMs = x.timing.recordingMs / n;
  const parts = ingressMs + nodes.reduce((a, b) => a + b.ownMs, 0) + wires.reduce((a, b) => a + b.transportMs, 0) + recordingMs;
  return { requestMs, ingressMs, nodes, wires, recordingMs, unaccountedMs: requestMs - parts };
}

const us = (ms: number) => `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 1)} µs`;

/** One line per part, largest first (for the bench and logs). */
export function formatBreakdown(b: Breakdown, name: (id: string) => string = (id) => id): string[] {
  const rows: Array<[string, number]> = [
    ["ingress", b.ingressMs],
    ...b.nodes.map((n): [string, number] => [`${name(n.nodeId)} own work (${n.callsPerRequest.toFixed(1)} calls)`, n.ownMs]),
    ...b.wires.map((w): [string, number] => [`wire ${name(w.from)} → ${name(w.to)} transport (${w.callsPerRequest.toFixed(1)} calls)`, w.transportMs]),
    ["recording", b.recordingMs],
  ];
  rows.sort((a, b2) => b2[1] - a[1]);
  return [
    `per request ${us(b.requestMs)}:`,
    ...rows.map(([k, v]) => `  ${k.padEnd(54)} ${us(v).padStart(12)}  ${((v / b.requestMs) * 100).toFixed(0).padStart(3)}%`),
    `  ${"(between clock reads)".padEnd(54)} ${us(b.unaccountedMs).padStart(12)}`,
  ];
}
