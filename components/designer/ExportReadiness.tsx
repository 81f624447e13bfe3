"use client";
// Problems panel section: what blocks each export target before the user opens
// Export, with the blocking node selected on click and the fix where there is
// one (select the node to set its image; compile the listed containers to Wasm).
import { useState } from "react";
import type { ReadinessItem } from "@/lib/manifest/readiness";
import { useExportReadiness } from "./use-export-readiness";
import { useDesigner, useDesignerStore } from "./store-context";

async function startCompile(reference: string): Promise<string> {
  const res = await fetch("/api/registry/pull", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reference }) });
  const body = (await res.json().catch(() => ({}))) as { jobId?: string; error?: { message?: string } };
  if (!res.ok || !body.jobId) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.jobId;
}

export function ExportReadiness() {
  const store = useDesignerStore();
  const doc = useDesigner((s) => s.doc);
  const setSelection = useDesigner((s) => s.setSelection);
  const readiness = useExportReadiness(doc);
  const items = readiness.state === "ready" ? readiness.items : [];
  const [busy, setBusy] = useState(false);

  const setImage = (it: ReadinessItem) => {
    setSelection({ nodes: it.nodeIds.slice(0, 1), links: [] });
    // The inspector renders on the next frame; put the cursor where the fix goes.
    requestAnimationFrame(() => (document.querySelector('[data-testid="inspector-image"]') as HTMLInputElement | null)?.focus());
  };
  const compile = async (it: ReadinessItem) => {
    setBusy(true);
    const s = store.getState();
    for (const id of it.fix?.nodeIds ?? []) {
      const node = s.doc.topology.nodes.find((n) => n.id === id);
      if (!node?.config.image || node.config.compile) continue;
      try {
        const jobId = await startCompile(node.config.image);
        store.getState().updateNode(id, { config: { compile: { jobId, originalImage: node.config.image } } });
        store.getState().notify({ level: "info", message: `${node.name}: compiling ${node.config.image} to Wasm (see Jobs)`, nodeIds: [id] });
      } catch (e) {
        store.getState().notify({ level: "error", kind: "compile-failed", message: `${node.name}: could not start the compile: ${(e as Error).message}`, nodeIds: [id] });
      }
    }
    setBusy(false);
  };

  return (
    <div className="problems export-readiness" data-testid="export-readiness" data-state={readiness.state} data-count={readiness.state === "ready" ? items.length : undefined}>
      <div className="problems-head">
        Export readiness (
        {readiness.state === "checking"
          ? "checking…"
          : readiness.state === "failed"
            ? `could not check: ${readiness.message}`
            : items.length === 0
              ? "every target can export"
              : `${items.length} blocking`}
        )
      </div>
      <ul>
        {items.map((it) => (
          <li
            key={it.key}
            data-testid="readiness-problem"
            data-kind={it.kind}
            data-targets={it.targets.map((t) => t.id).join(" ")}
            role="button"
            tabIndex={0}
            onClick={() => setSelection({ nodes: it.nodeIds, links: it.linkIds })}
            onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), setSelection({ nodes: it.nodeIds, links: it.linkIds }))}
          >
            <span className="problem-kind">{it.targets.map((t) => t.label.replace(/ \(.*\)$/, "")).join(", ")}</span> {it.message}
            {it.fix && (
              <span className="problem-actions" onClick={(e) => e.stopPropagation()}>
                {it.fix.kind === "set-image" ? (
                  <button data-testid="readiness-set-image" onClick={() => setImage(it)}>
                    Set image
                  </button>
                ) : (
                  it.fix.nodeIds.length > 0 && (
                    <button data-testid="readiness-compile" disabled={busy} onClick={() => void compile(it)}>
                      Compile {it.fix.nodeIds.length} container{it.fix.nodeIds.length === 1 ? "" : "s"} to Wasm
                    </button>
                  )
                )}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
