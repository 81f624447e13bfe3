"use client";
import { useMemo, useState } from "react";
import { builtinBySource } from "@/lib/builtins/catalog";
import { useDesigner } from "../designer/store-context";
import type { Comparison, ModeMetrics } from "@/lib/run/compare";
import { CompareBreakdown } from "./CompareBreakdown";
import { fmtMiB, fmtMs } from "./format";
import { useRun, type PanelMode } from "./RunProvider";
import { ModesHead } from "./ModesHead";

/** A sensible first input: the sample of a built-in wired to an ingress, else any built-in's sample. */
function useSampleInput(): string {
  const topology = useDesigner((s) => s.doc.topology);
  return useMemo(() => {
    const fed = new Set(topology.links.map((l) => l.from.node));
    const candidates = topology.nodes.filter((n) => n.kind === "component" && builtinBySource(n.config.source)?.sampleInput);
    const entry = candidates.find((n) => fed.has(n.id) && topology.links.some((l) => l.from.node === n.id && topology.nodes.find((x) => x.id === l.to.node)?.kind === "endpoint")) ?? candidates[0];
    return (entry && builtinBySource(entry.config.source)?.sampleInput) ?? "";
  }, [topology]);
}

export function RunPanel() {
  const { run, compare, start, stop, startCompare, clear } = useRun();
  const sample = useSampleInput();
  const [input, setInput] = useState<string | null>(null);
  const [mode, setMode] = useState<PanelMode>("in-process");
  const [requests, setRequests] = useState(500);
  // For HTTP entries: the request line (the input is its body); "POST /" as before when left alone.
  const [requestLine, setRequestLine] = useState("POST /");
  const [method = "POST", path = "/"] = requestLine.trim().split(/\s+/);
  const request = requestLine.trim() === "POST /" ? undefined : { method, path };
  const nodes = useDesigner((s) => s.doc.topology.nodes);
  const nameOf = (id: string) => nodes.find((n) => n.id === id)?.name ?? id;
  const text = input ?? sample;
  const calls = run.events.filter((e) => e.type === "call");
  return (
    <div className="run-panel" data-testid="run-panel">
      <div className="run-controls">
        <label className="run-field run-input-field">
          <span>Input for the entry node</span>
          <textarea data-testid="run-input" value={text} onChange={(e) => setInput(e.target.value)} placeholder="text or JSON" spellCheck={false} />
        </label>
        <div className="run-buttons">
          <label className="run-field run-request-field" title="HTTP entries (wasi:http): method and path of the request; the input is its body">
            <span>HTTP request</span>
            <input data-testid="run-request" value={requestLine} onChange={(e) => setRequestLine(e.target.value)} spellCheck={false} />
          </label>
          <label className="run-field run-mode-field">
            <span>Mode</span>
            <select data-testid="run-mode" value={mode} onChange={(e) => setMode(e.target.value as PanelMode)}>
              <option value="in-process">in-process (typed calls)</option>
              <option value="composed" title="the components composed into one, as the WAC export deploys them">composed (one component)</option>
              <option value="network">network (one process per component, HTTP)</option>
            </select>
          </label>
          {run.status === "running" ? (
            <button data-testid="run-stop" onClick={stop}>
              Stop
            </button>
          ) : (
            <button data-testid="run-start" className="primary" onClick={() => start(text, mode, request)}>
              ▶ Run
            </button>
          )}
          <span className="inline">
            <label className="run-field inline-field">
              <span>Requests</span>
              <input type="number" min={1} max={20000} value={requests} onChange={(e) => setRequests(Number(e.target.value))} data-testid="compare-requests" />
            </label>
            <button data-testid="compare-start" disabled={compare.status === "running"} onClick={() => startCompare(text, requests, request)}>
              {compare.status === "running" ? "Comparing…" : "Compare both modes"}
            </button>
          </span>
          <button onClick={clear} data-testid="run-clear">
            Clear
          </button>
        </div>
      </div>
      <div className="run-results">
        <div className="run-col">
          <div className="run-status" data-testid="run-status" data-status={run.status}>
            {run.status === "idle" ? "Not run yet." : `${run.status}${run.durationMs !== undefined ? ` in ${fmtMs(run.durationMs)}` : ""} (${run.mode}${run.composed ? ", composed" : ""})`}
          </div>
          {run.http?.map((h) => (
            <p className="compare-note" key={h.nodeId} data-testid="run-http" data-node-id={h.nodeId} data-via={h.via}>
              {nameOf(h.nodeId)} (port {h.port}) answered{" "}
              {h.via === "component" ? "through its wasi:http component, as it deploys" : `through its published port: ${h.why ?? "no wasi:http component"}`}
            </p>
          ))}
          {run.error && (
            <div className="notice notice-error" data-testid="run-error" data-kind={run.error.kind}>
              {run.error.kind}: {run.error.message}
            </div>
          )}
          {run.output !== undefined && (
            <pre className="run-output" data-testid="run-output">
              {run.output}
            </pre>
          )}
          <ul className="run-nodes" data-testid="run-nodes">
            {Object.entries(run.nodes).map(([id, s]) => (
              <li key={id} data-testid="run-node" data-node-id={id}>
                <b>{nameOf(id)}</b> · {s.calls} call{s.calls === 1 ? "" : "s"}, {fmtMs(s.ms)}
                <div className="mono">in: {s.lastIn}</div>
                <div className="mono">out: {s.lastOut}</div>
              </li>
            ))}
          </ul>
        </div>
        <div className="run-col">
          <div className="section-title">Calls ({calls.length})</div>
          <ol className="run-calls" data-testid="run-calls">
            {calls.slice(-50).map((c) =>
              c.type === "call" ? (
                <li key={c.seq} className="mono">
                  {c.from ? nameOf(c.from) : "input"} → {nameOf(c.to)} {c.interface}.{c.function} · {fmtMs(c.durationMs)}
                  {c.error ? ` ✕ ${c.error}` : ""}
                </li>
              ) : null,
            )}
          </ol>
          {run.stdio.length > 0 && (
            <pre className="run-output small" data-testid="run-stdio">
              {run.stdio.map((l) => `${l.nodeId ? nameOf(l.nodeId) : "run"} ${l.stream}: ${l.text}`).join("")}
            </pre>
          )}
        </div>
        <div className="run-col" data-testid="compare">
          <div className="section-title">Typed calls vs network hops</div>
          {compare.status === "failed" && <div className="notice notice-error" data-testid="compare-error">{compare.error}</div>}
          {compare.result && (
            <table className="kv compare-table" data-testid="compare-table">
              <ModesHead inProcess={typedLabel(compare.result)} />
              <tbody>
                <tr>
                  <th>requests/s</th>
                  <td data-testid="compare-rps-in">{compare.result.inProcess.requestsPerSecond.toFixed(0)}</td>
                  <td data-testid="compare-rps-net">{compare.result.network.requestsPerSecond.toFixed(0)}</td>
                </tr>
                <tr>
                  <th>calls/s across wires</th>
                  <td>{compare.result.inProcess.wireCallsPerSecond.toFixed(0)}</td>
                  <td>{compare.result.network.wireCallsPerSecond.toFixed(0)}</td>
                </tr>
                <tr>
                  <th>p50 / p99 per call</th>
                  <td>
                    {fmtMs(compare.result.inProcess.wire.p50)} / {fmtMs(compare.result.inProcess.wire.p99)}
                  </td>
                  <td>
                    {fmtMs(compare.result.network.wire.p50)} / {fmtMs(compare.result.network.wire.p99)}
                  </td>
                </tr>
                <tr>
                  <th>resident memory</th>
                  <td>
                    {fmtMiB(compare.result.inProcess.rssBytes)} ({compare.result.inProcess.processes} proc)
                  </td>
                  <td>
                    {fmtMiB(compare.result.network.rssBytes)} ({compare.result.network.processes} proc)
                  </td>
                </tr>
                <tr>
                  <th>requests measured</th>
                  <td data-testid="compare-measured-in">{compare.result.inProcess.requests}</td>
                  <td data-testid="compare-measured-net">{compare.result.network.requests}</td>
                </tr>
                <tr>
                  <th title="requests run before the measured ones, until the time per request stopped falling">warm-up</th>
                  <td data-testid="compare-warmup-in">{warmupText(compare.result.inProcess.warmup)}</td>
                  <td data-testid="compare-warmup-net">{warmupText(compare.result.network.warmup)}</td>
                </tr>
                <tr>
                  <th>ratio</th>
                  <td colSpan={2} data-testid="compare-ratio">
                    typed links {compare.result.throughputRatio.toFixed(1)}× the throughput, {compare.result.cpuRatio.toFixed(1)}× less CPU per request,{" "}
                    {compare.result.memoryRatio.toFixed(1)}× less memory
                  </td>
                </tr>
              </tbody>
            </table>
          )}
          {compare.result && (
            <p className="compare-note" data-testid="compare-typed-mode" data-mode={compare.result.inProcess.mode}>
              {compare.result.inProcess.mode === "composed"
                ? "In-process: the connected components composed into one component, as the export deploys them, instantiated once and reused for every request."
                : `In-process: the components linked by direct JS calls (not composed: ${compare.result.inProcessFallback ?? "not asked for"}).`}
            </p>
          )}
          {compare.result && <CompareBreakdown result={compare.result} nameOf={nameOf} />}
          {compare.result && run.durationMs !== undefined && (
            <p className="compare-note" data-testid="compare-note">
              The single run ({fmtMs(run.durationMs)}, {run.mode}) is one request with its start-up: loading and linking the components, or
              starting a process per component. The table is the steady state over many requests after a warm-up, so a single run can be faster in either
              mode than the table suggests.
            </p>
          )}
        </div>
      </div>
    </div>
  );
}

/** A mode's warm-up in words: how many requests ran before the measured ones, and why it stopped there (steady: the time per request no longer fell). */
function warmupText(w: ModeMetrics["warmup"] | undefined): string {
  if (!w) return "–";
  const why = w.ended === "steady" ? "until steady" : w.ended === "cap" ? "capped" : "as asked";
  return `${w.requests} (${why})`;
}

/** What the in-process column measured. */
function typedLabel(c: Comparison): string {
  return c.inProcess.mode === "composed" ? "in-process, composed" : "in-process, JS-linked";
}

export function RunTabLabel() {
  const { run } = useRun();
  return <span data-testid="run-tab-label">Run{run.status === "running" ? " (running)" : run.status === "failed" ? " (failed)" : ""}</span>;
}
