"use client";
import { useMemo, useState } from "react";
import { EXPORT_TARGETS, exportDesign, isBlocking, validateExportFiles, zipExportFiles, type ExportTarget } from "@/lib/manifest";
import { Modal } from "../designer/Modal";
import { useDesigner } from "../designer/store-context";
import { slug } from "../designer/Toolbar";
import { CodeView } from "./CodeView";
import { downloadBlob } from "./download";

export function ExportPanel({ onClose }: { onClose: () => void }) {
  const doc = useDesigner((s) => s.doc);
  const notify = useDesigner((s) => s.notify);
  const setSelection = useDesigner((s) => s.setSelection);
  const [target, setTarget] = useState<ExportTarget>("wasmcloud");
  const result = useMemo(() => exportDesign(doc, target), [doc, target]);
  const [path, setPath] = useState<string | null>(null);
  const file = result.files.find((f) => f.path === path) ?? result.files[0];
  const blocking = isBlocking(result.problems);
  const validation = useMemo(() => validateExportFiles(result.files), [result.files]);
  const invalid = validation.filter((v) => !v.ok);
  const [message, setMessage] = useState<string | null>(null);

  // Every download is validated first; an invalid file is never handed out.
  const guard = (paths: string[]): boolean => {
    const bad = invalid.filter((v) => paths.includes(v.path));
    if (bad.length) {
      setMessage(`not downloaded: ${bad.map((b) => `${b.path}: ${b.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`).join(" | ")}`);
      return false;
    }
    return true;
  };

  return (
    <Modal title="Export" onClose={onClose} testId="export-panel" wide>
      <div className="export-top">
        <label className="field inline">
          <span>Target</span>
          <select data-testid="export-target" value={target} onChange={(e) => { setTarget(e.target.value as ExportTarget); setPath(null); setMessage(null); }}>
            {EXPORT_TARGETS.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <div className="export-actions">
          <button
            data-testid="export-download-zip"
            disabled={blocking || result.files.length === 0}
            onClick={() => guard(result.files.map((f) => f.path)) && downloadBlob(`${slug(doc.name)}-${target}.zip`, zipExportFiles(result.files, `${slug(doc.name)}-${target}`) as BlobPart, "application/zip")}
          >
            Download all (.zip)
          </button>
          <button data-testid="export-download-file" disabled={blocking || !file} onClick={() => file && guard([file.path]) && downloadBlob(file.path.split("/").pop()!, file.content, "text/plain")}>
            Download file
          </button>
          <button
            data-testid="export-copy"
            disabled={blocking || !file}
            onClick={async () => {
              if (!file) return;
              try {
                await navigator.clipboard.writeText(file.content);
                setMessage(`copied ${file.path}`);
              } catch (e) {
                setMessage(`copy failed: ${(e as Error).message}`);
              }
            }}
          >
            Copy
          </button>
        </div>
      </div>
      {message && <div className="notice notice-info" data-testid="export-message">{message}</div>}
      <div className="export-main">
        <div className="export-side" tabIndex={0} role="region" aria-label="Files and problems">
          <h3>Files ({result.files.length})</h3>
          <ul className="file-list" data-testid="export-files">
            {result.files.map((f) => {
              const v = validation.find((x) => x.path === f.path);
              return (
                <li key={f.path} className={f.path === file?.path ? "active" : ""} data-testid="export-file" data-path={f.path} data-valid={v?.ok ? "true" : "false"} onClick={() => setPath(f.path)}>
                  {v?.ok ? "✓" : "✕"} {f.path}
                </li>
              );
            })}
          </ul>
          <h3>Problems ({result.problems.length})</h3>
          <ul className="export-problems" data-testid="export-problems">
            {result.problems.map((p, i) => (
              <li key={i} className={`sev-${p.severity}`} data-testid="export-problem" data-kind={p.kind} onClick={() => { setSelection({ nodes: p.nodeIds, links: p.linkIds }); notify({ level: "error", kind: p.kind, message: p.message, nodeIds: p.nodeIds, linkIds: p.linkIds }); }}>
                <b>{p.severity}</b> {p.message}
              </li>
            ))}
          </ul>
          {result.report.inProcess.length + result.report.network.length > 0 && (
            <>
              <h3>Links</h3>
              <ul className="export-links" data-testid="export-links">
                {result.report.inProcess.map((l) => (
                  <li key={l.linkId} data-testid="link-in-process">in-process call: {l.from} → {l.to} ({l.interface})</li>
                ))}
                {result.report.network.map((l) => (
                  <li key={l.linkId} data-testid="link-network">network hop: {l.from} → {l.to} via {l.via}</li>
                ))}
              </ul>
            </>
          )}
          <h3>Trellis fills</h3>
          <ul className="export-notes">{result.report.filled.map((f) => <li key={f}>{f}</li>)}</ul>
          <h3>Left to you</h3>
          <ul className="export-notes">{result.report.leftToUser.map((f) => <li key={f}>{f}</li>)}</ul>
        </div>
        <div className="export-view">
          {blocking ? (
            <div className="notice notice-error" data-testid="export-blocked">Fix the errors listed to export for this target.</div>
          ) : file ? (
            <CodeView path={file.path} text={file.content} />
          ) : (
            <div className="inspector-empty">Nothing to export.</div>
          )}
          {invalid.length > 0 && !blocking && (
            <div className="notice notice-error" data-testid="export-invalid">
              {invalid.map((v) => `${v.path}: ${v.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`).join(" | ")}
            </div>
          )}
        </div>
      </div>
    </Modal>
  );
}
