"use client";
// Export readiness for the Problems panel, computed off the main thread after
// the design settles (never during the first render or a drag), latest design wins;
// not again when nodes were only moved.
import { useEffect, useRef, useState } from "react";
import { onlyPositionsDiffer } from "@/lib/graph/layout-only";
import type { DesignDocument } from "@/lib/graph/types";
import type { ReadinessItem } from "@/lib/manifest/readiness";
import { useCanvasPainted } from "./canvas-painted";
import type { ReadinessReply } from "./readiness-worker";

/** Edits in quick succession (typing in the inspector) ask once. */
const SETTLE_MS = 250;

export type Readiness = { state: "checking" } | { state: "ready"; items: ReadinessItem[] } | { state: "failed"; message: string };

export function useExportReadiness(doc: DesignDocument): Readiness {
  const [result, setResult] = useState<Readiness>({ state: "checking" });
  const runner = useRef<{ ask(doc: DesignDocument): void; dispose(): void } | null>(null);

  const { painted } = useCanvasPainted();
  useEffect(() => {
    if (!painted) return;
    let disposed = false;
    let worker: Worker | null = null;
    let inFlight: DesignDocument | null = null;
    let queued: DesignDocument | null = null;
    const answer = (r: Readiness) => {
      if (!disposed) setResult(r);
    };
    // Without workers (or when the worker fails) the same function runs here, loaded on demand.
    const inline = (d: DesignDocument) =>
      void import("@/lib/manifest/readiness").then(
        (m) => answer({ state: "ready", items: m.exportReadiness(d) }),
        (e: unknown) => answer({ state: "failed", message: (e as Error).message }),
      );
    const send = (d: DesignDocument) => {
      if (!worker) return inline(d);
      if (inFlight) return void (queued = d);
      inFlight = d;
      worker.postMessage(d);
    };
    const next = () => {
      inFlight = null;
      const d = queued;
      queued = null;
      if (d) send(d);
    };
    try {
      worker = new Worker(new URL("./readiness-worker.ts", import.meta.url), { type: "module" });
      worker.onmessage = (e: MessageEvent<ReadinessReply>) => {
        answer(e.data.ok ? { state: "ready", items: e.data.items } : { state: "failed", message: e.data.message });
        next();
      };
      worker.onerror = (e) => {
        e.preventDefault();
        worker?.terminate();
        worker = null;
        const d = queued ?? inFlight;
        inFlight = queued = null;
        if (d) inline(d);
      };
    } catch {
      worker = null;
    }
    runner.current = {
      ask: send,
      dispose: () => {
        disposed = true;
        worker?.terminate();
      },
    };
    return () => runner.current?.dispose();
  }, [painted]);

  const asked = useRef<DesignDocument | null>(null);
  useEffect(() => {
    // A drop only moves nodes, and no exporter reads positions: the answer stands (at 1,000 nodes
    // asking again kept a core busy for ~2 s after every drag, under the next drag).
    if (!painted || (asked.current && onlyPositionsDiffer(asked.current, doc))) return;
    const t = setTimeout(() => {
      asked.current = doc;
      runner.current?.ask(doc);
    }, SETTLE_MS);
    return () => clearTimeout(t);
  }, [doc, painted]);

  return result;
}
