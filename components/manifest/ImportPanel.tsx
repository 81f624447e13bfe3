"use client";
import { useReactFlow } from "@xyflow/react";
import { useState } from "react";
import { importManifest, type ImportError, type ImportSuccess } from "@/lib/manifest";
import { Modal } from "../designer/Modal";
import { useDesignerStore } from "../designer/store-context";

/** Paste or upload a wadm, Kubernetes, SpinApp or compose file; the canvas changes only on success. */
export function ImportPanel({ onClose }: { onClose: () => void }) {
  const store = useDesignerStore();
  const { fitView } = useReactFlow();
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<ImportSuccess | null>(null);
  const [error, setError] = useState<ImportError | null>(null);

  const parse = async (input: string) => {
    setBusy(true);
    setPreview(null);
    setError(null);
    try {
      const r = await importManifest(input);
      if (r.ok) setPreview(r.value);
      else setError(r.error);
    } finally {
      setBusy(false);
    }
  };

  const apply = () => {
    if (!preview) return;
    const t = preview.design.topology;
    store.getState().replaceTopology(t, `imported ${t.nodes.length} nodes, ${t.links.length} wires, ${preview.skipped.length} skipped (${preview.format}); undo to revert`);
    requestAnimationFrame(() => void fitView({ duration: 200, maxZoom: 1, padding: 0.15 }));
    onClose();
  };

  return (
    <Modal title="Import manifest" onClose={onClose} testId="import-panel" wide>
      <p className="muted">wasmCloud 2 (WorkloadDeployment, Workload), wasmCloud 1 (wadm), Kubernetes YAML, SpinApp, spin.toml or docker-compose. The current canvas is replaced only when you confirm.</p>
      <div className="import-inputs">
        <input
          type="file"
          accept=".yaml,.yml,.toml,.json"
          aria-label="Manifest file"
          data-testid="import-manifest-file"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            e.target.value = "";
            if (!f) return;
            const t = await f.text();
            setText(t);
            await parse(t);
          }}
        />
        <button data-testid="import-manifest-parse" disabled={busy || !text.trim()} onClick={() => void parse(text)}>
          {busy ? "Reading…" : "Read pasted text"}
        </button>
      </div>
      <textarea className="import-text" data-testid="import-manifest-text" value={text}
        onChange={(e) => {
          // A result is about the text it was read from: editing the text retires it.
          setText(e.target.value);
          setError(null);
          setPreview(null);
        }} placeholder="Paste a manifest here" spellCheck={false} />
      {error && (
        <div className="notice notice-error" data-testid="import-error" data-kind={error.kind}>
          {error.line ? `line ${error.line}, column ${error.column}: ` : ""}
          {error.message}
        </div>
      )}
      {preview && (
        <div className="import-preview" data-testid="import-preview">
          <div data-testid="import-summary">
            {preview.format}: {preview.design.topology.nodes.length} nodes, {preview.design.topology.links.length} wires, {preview.skipped.length} skipped
          </div>
          {preview.skipped.length > 0 && (
            <ul className="export-notes" data-testid="import-skipped">
              {preview.skipped.map((s, i) => (
                <li key={i}>
                  {s.kind} <b>{s.name}</b>: {s.reason}
                </li>
              ))}
            </ul>
          )}
          <button data-testid="import-manifest-apply" onClick={apply}>
            Replace canvas with this design
          </button>
        </div>
      )}
    </Modal>
  );
}
