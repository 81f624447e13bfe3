"use client";
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import type { Comparison } from "@/lib/run/compare";
import type { HttpRequestShape } from "@/lib/run/entry";
import type { CallEvent, HttpServing, RunError, RunEvent, RunMode } from "@/lib/run/types";
import { useDesignerStore } from "../designer/store-context";
import { fmtMs, formatOutput, formatValue } from "./format";
import { readSse } from "../read-sse";

interface NodeStat {
  calls: number;
  ms: number;
  lastIn?: string;
  lastOut?: string;
  error?: string;
}

/** The panel's modes: the run modes, and in-process with the components composed into one (what the WAC export deploys). */
export type PanelMode = RunMode | "composed";

export interface RunState {
  status: "idle" | "running" | "done" | "failed";
  mode: RunMode;
  composed?: boolean;
  events: RunEvent[];
  nodes: Record<string, NodeStat>;
  links: Record<string, string>;
  output?: string;
  error?: RunError;
  durationMs?: number;
  /** How each compiled HTTP service of the run answered (its wasi:http component, or its published port). */
  http?: HttpServing[];
  /** Output lines by node id; the panel labels them with the node's name. */
  stdio: { nodeId: string | null; stream: "stdout" | "stderr"; text: string }[];
}

interface RunValue {
  run: RunState;
  compare: { status: "idle" | "running" | "done" | "failed"; result?: Comparison; error?: string };
  start(input: string, mode: PanelMode, request?: HttpRequestShape): void;
  stop(): void;
  startCompare(input: string, requests: number, request?: HttpRequestShape): void;
  clear(): void;
  canvas?: { nodes: Map<string, { text: string; error: boolean }>; links: Map<string, string> };
}

const RunContext = createContext<RunValue | null>(null);
export const useRun = () => {
  const v = useContext(RunContext);
  if (!v) throw new Error("useRun outside RunProvider");
  return v;
};

const idle: RunState = { status: "idle", mode: "in-process", events: [], nodes: {}, links: {}, stdio: [] };

/** JSON input is sent as JSON; anything else as text. */
export function runInput(text: string): { json: unknown } | { text: string } {
  const t = text.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return { json: JSON.parse(t) };
    } catch {
      /* not JSON after all: send it as text */
    }
  }
  return { text };
}

function applyEvent(s: RunState, e: RunEvent): RunState {
  const next: RunState = { ...s, events: [...s.events, e] };
  if (e.type === "call") {
    const c = e as CallEvent;
    const cur = s.nodes[c.to] ?? { calls: 0, ms: 0 };
    const out = c.error ? `error: ${c.error}` : c.refused !== undefined ? `refused: ${formatValue(c.refused as never)}` : formatValue(c.result as never);
    next.nodes = { ...s.nodes, [c.to]: { calls: cur.calls + 1, ms: cur.ms + c.durationMs, lastIn: c.args.map((a) => formatValue(a as never)).join(", "), lastOut: out, error: c.error ?? cur.error } };
    if (c.linkId) next.links = { ...s.links, [c.linkId]: `${c.function}: ${formatValue((c.result ?? c.refused ?? null) as never, 40)} · ${fmtMs(c.durationMs)}` };
  } else if (e.type === "started" && e.http) {
    next.http = e.http;
  } else if (e.type === "stdio") {
    next.stdio = [...s.stdio, { nodeId: e.nodeId, stream: e.stream, text: e.text }];
  } else if (e.type === "finished" && !e.ok && e.error) {
    next.error = e.error;
  }
  return next;
}

/** Reads an SSE response body event by event. */
export function RunProvider({ children }: { children: ReactNode }) {
  const store = useDesignerStore();
  const [run, setRun] = useState<RunState>(idle);
  const [compare, setCompare] = useState<RunValue["compare"]>({ status: "idle" });
  const abort = useRef<AbortController | null>(null);

  const start = useCallback(
    (input: string, panelMode: PanelMode, request?: HttpRequestShape) => {
      abort.current?.abort();
      const ctrl = new AbortController();
      abort.current = ctrl;
      const composed = panelMode === "composed";
      const mode: RunMode = composed ? "in-process" : panelMode;
      setRun({ ...idle, status: "running", mode, ...(composed ? { composed } : {}) });
      const design = store.getState().doc;
      void (async () => {
        try {
          const res = await fetch("/api/run", {
            method: "POST",
            headers: { "content-type": "application/json", accept: "text/event-stream" },
            body: JSON.stringify({ design, input: runInput(input), mode, ...(composed ? { composed } : {}), ...(request ? { request } : {}) }),
            signal: ctrl.signal,
          });
          if (!res.ok) {
            const body = (await res.json().catch(() => ({}))) as { error?: RunError };
            setRun((s) => ({ ...s, status: "failed", error: body.error ?? { kind: "crashed", message: `HTTP ${res.status}` } }));
            return;
          }
          await readSse(res, (event, data) => {
            if (event === "result") {
              const r = data as { ok: boolean; output?: unknown; refused?: unknown; error?: RunError; durationMs: number };
              setRun((s) => ({
                ...s,
                status: r.ok ? "done" : "failed",
                output: r.output !== undefined ? formatOutput(r.output as never) : r.refused !== undefined ? `refused: ${formatValue(r.refused as never, 4000)}` : undefined,
                error: r.error ?? s.error,
                durationMs: r.durationMs,
              }));
            } else setRun((s) => applyEvent(s, data as RunEvent));
          });
        } catch (e) {
          if (!ctrl.signal.aborted) setRun((s) => ({ ...s, status: "failed", error: { kind: "crashed", message: (e as Error).message } }));
          else setRun((s) => ({ ...s, status: "failed", error: { kind: "crashed", message: "stopped" } }));
        }
      })();
    },
    [store],
  );

  const startCompare = useCallback(
    (input: string, requests: number, request?: HttpRequestShape) => {
      setCompare({ status: "running" });
      void (async () => {
        try {
          const res = await fetch("/api/run/compare", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ design: store.getState().doc, input: runInput(input), requests, ...(request ? { request } : {}) }),
          });
          const body = (await res.json()) as Comparison & { error?: { message: string } };
          if (!res.ok) setCompare({ status: "failed", error: body.error?.message ?? `HTTP ${res.status}` });
          else setCompare({ status: "done", result: body });
        } catch (e) {
          setCompare({ status: "failed", error: (e as Error).message });
        }
      })();
    },
    [store],
  );

  const stop = useCallback(() => abort.current?.abort(), []);
  const clear = useCallback(() => {
    abort.current?.abort();
    setRun(idle);
    setCompare({ status: "idle" });
  }, []);

  const canvas = useMemo(() => {
    if (run.status === "idle") return undefined;
    const nodes = new Map<string, { text: string; error: boolean }>();
    for (const [id, st] of Object.entries(run.nodes)) nodes.set(id, { text: st.error ? `✕ ${st.error}` : `${st.calls} call${st.calls === 1 ? "" : "s"} · ${fmtMs(st.ms)} → ${st.lastOut ?? ""}`, error: !!st.error });
    if (run.error?.nodeId) nodes.set(run.error.nodeId, { text: `✕ ${run.error.kind}: ${run.error.message}`, error: true });
    return { nodes, links: new Map(Object.entries(run.links)) };
  }, [run]);

  const value = useMemo(() => ({ run, compare, start, stop, startCompare, clear, canvas }), [run, compare, start, stop, startCompare, clear, canvas]);
  return <RunContext.Provider value={value}>{children}</RunContext.Provider>;
}
