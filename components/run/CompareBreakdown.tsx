"use client";
import type { Breakdown } from "@/lib/run/breakdown";
import type { Comparison } from "@/lib/run/compare";
import { fmtMs } from "./format";
import { ModesHead } from "./ModesHead";

interface Part {
  key: string;
  label: string;
  inProcess?: number;
  network?: number;
}

/** Parts of one request in both modes, in a stable order: ingress, nodes, wires, recording. */
function parts(c: Comparison, nameOf: (id: string) => string): Part[] {
  const out = new Map<string, Part>();
  const put = (mode: "inProcess" | "network", b: Breakdown) => {
    const set = (key: string, label: string, v: number) => {
      const p = out.get(key) ?? { key, label };
      p[mode] = v;
      out.set(key, p);
    };
    set("ingress", "ingress (input in, answer out)", b.ingressMs);
    for (const n of b.nodes) set(`node:${n.nodeId}`, `${nameOf(n.nodeId)}: own work`, n.ownMs);
    for (const w of b.wires) set(`wire:${w.linkId}`, `wire ${nameOf(w.from)} → ${nameOf(w.to)}: transport`, w.transportMs);
    set("recording", "run bookkeeping", b.recordingMs);
  };
  put("inProcess", c.inProcess.breakdown);
  put("network", c.network.breakdown);
  const rank = (k: string) => (k === "ingress" ? 0 : k.startsWith("node:") ? 1 : k.startsWith("wire:") ? 2 : 3);
  return [...out.values()].sort((a, b) => rank(a.key) - rank(b.key));
}

/** The largest share of a request, said in words. */
function why(b: Breakdown, nameOf: (id: string) => string): string {
  const wires = b.wires.reduce((a, w) => a + w.transportMs, 0);
  const own = b.nodes.reduce((a, n) => a + n.ownMs, 0);
  const top = [...b.nodes].sort((x, y) => y.ownMs - x.ownMs)[0];
  const pct = (v: number) => `${((v / Math.max(b.requestMs, 1e-9)) * 100).toFixed(0)}%`;
  if (wires >= own && wires >= b.ingressMs) return `${pct(wires)} of a request is wire transport (the round trips between processes)`;
  if (own >= b.ingressMs) return `${pct(own)} of a request is the components' own work${top ? ` (most in ${nameOf(top.nodeId)})` : ""}`;
  return `${pct(b.ingressMs)} of a request is the ingress`;
}

const cell = (v: number | undefined) => (v === undefined ? "–" : fmtMs(v));

/** Where one request's time goes in each mode, with what each mode is. */
export function CompareBreakdown({ result, nameOf }: { result: Comparison; nameOf: (id: string) => string }) {
  const rows = parts(result, nameOf);
  const i = result.inProcess.breakdown;
  const n = result.network.breakdown;
  return (
    <div className="compare-breakdown">
      <div className="section-title">Where a request&apos;s time goes</div>
      <table className="kv compare-table" data-testid="compare-breakdown">
        <ModesHead inProcess={result.inProcess.mode === "composed" ? "in-process, composed" : "in-process, JS-linked"} />
        <tbody>
          {rows.map((p) => (
            <tr key={p.key} data-testid="breakdown-row" data-part={p.key}>
              <th>{p.label}</th>
              <td data-mode="in-process">{cell(p.inProcess)}</td>
              <td data-mode="network">{cell(p.network)}</td>
            </tr>
          ))}
          <tr data-testid="breakdown-total">
            <th>one request (measured)</th>
            <td data-testid="breakdown-total-in" data-ms={i.requestMs}>
              {fmtMs(i.requestMs)}
            </td>
            <td data-testid="breakdown-total-net" data-ms={n.requestMs}>
              {fmtMs(n.requestMs)}
            </td>
          </tr>
        </tbody>
      </table>
      <ul className="compare-notes" data-testid="compare-why">
        <li>
          in-process: {why(i, nameOf)};{" "}
          {result.inProcess.mode === "composed"
            ? "a wire is a canonical-ABI adapter call inside the composed component (timed at its entry and exit), so its copies count as the components' own work; so do a component's calls to the host (WASI, wasi:http, key-value), each through jco's JS glue."
            : "a wire is a direct call, so its canonical-ABI copies count as the components' own work."}
        </li>
        <li>network: {why(n, nameOf)}.</li>
      </ul>
      <div className="hint" data-testid="compare-baseline">
        Baseline (network): {result.modes.network}. In-process: {result.modes.inProcess}.
      </div>
    </div>
  );
}
