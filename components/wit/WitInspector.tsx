"use client";
// Inspector additions for component nodes: "Edit WIT" and, for uploads, what
// the uploaded file was (a converted module, or a core module's raw imports/exports).
import dynamic from "next/dynamic";
import { useEffect, useState } from "react";
import type { TopologyNode } from "@/lib/graph/types";
import type { UploadedComponent } from "@/lib/components/store";
import { loadWitSupport, witSupport, type WitSupport } from "@/lib/store/wit-support";

// The editor and the analyzer it saves through load when it is first opened.
const WitEditor = dynamic(() => Promise.all([import("./WitEditor"), loadWitSupport()]).then(([m]) => m.WitEditor), { ssr: false });

/** The WIT analyzer, loading it if needed; null until it is in. */
function useWitSupport(): WitSupport | null {
  const [wit, setWit] = useState(witSupport);
  useEffect(() => {
    if (wit) return;
    let live = true;
    loadWitSupport().then(
      (m) => live && setWit(m),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [wit]);
  return wit;
}

function UploadInfo({ id }: { id: string }) {
  const [info, setInfo] = useState<UploadedComponent | null | "missing">(null);
  useEffect(() => {
    let cancelled = false;
    fetch(`/api/components/${encodeURIComponent(id)}`)
      .then(async (r): Promise<UploadedComponent | "missing"> => (r.ok ? ((await r.json()) as UploadedComponent) : "missing"))
      .then((x) => !cancelled && setInfo(x))
      .catch(() => !cancelled && setInfo("missing"));
    return () => {
      cancelled = true;
    };
  }, [id]);
  if (info === null) return null;
  if (info === "missing") return <p className="wit-note bad">The uploaded file ({id}) is no longer on this server.</p>;
  return (
    <div className="upload-info" data-testid="upload-info" data-upload-kind={info.kind}>
      <div className="section-title">Uploaded file</div>
      <p className="wit-note">
        <a href={info.wasmUrl} download>
          {info.fileName}
        </a>{" "}
        · {(info.bytes / 1024).toFixed(1)} KiB{info.kind === "core-module" ? "" : ` · ${info.note}`}
      </p>
      {info.kind === "core-module" && info.core && (
        <div data-testid="core-module-info">
          <p className="wit-note bad">A core module without WASI, not a component: it has no WIT interfaces, so it cannot be wired by interface until it is wrapped as a component.</p>
          <div className="section-title">Raw imports</div>
          <ul className="port-list mono" data-testid="core-imports">
            {info.core.imports.map((i) => (
              <li key={`${i.module}/${i.name}`}>
                {i.module}.{i.name} <span className="muted">({i.kind})</span>
              </li>
            ))}
            {info.core.imports.length === 0 && <li className="muted">none</li>}
          </ul>
          <div className="section-title">Raw exports</div>
          <ul className="port-list mono" data-testid="core-exports">
            {info.core.exports.map((x) => (
              <li key={x.name}>
                {x.name} <span className="muted">({x.kind})</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** Rendered by the designer's inspector below a node's fields. */
/** Other places (the node's context menu) open the editor of a node with this event. */
export const EDIT_WIT_EVENT = "trellis:edit-wit";

export function WitInspector({ node }: { node: TopologyNode }) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onEdit = (e: Event) => (e as CustomEvent<string>).detail === node.id && setOpen(true);
    window.addEventListener(EDIT_WIT_EVENT, onEdit);
    return () => window.removeEventListener(EDIT_WIT_EVENT, onEdit);
  }, [node.id]);
  const wit = useWitSupport();
  if (node.kind !== "component") return null;
  const a = wit?.analyzeNodeWit(node);
  const source = node.config.source ?? "";
  const uploadId = source.startsWith("upload:") ? source.slice("upload:".length) : undefined;
  const isCoreModule = uploadId !== undefined && !node.config.wit;
  return (
    <div className="wit-inspector">
      {!isCoreModule && (
        <div className="row-actions left">
          <button data-testid="edit-wit" onClick={() => setOpen(true)}>
            Edit WIT…
          </button>
          {a && !a.ok && (
            <span className="wit-note bad" data-testid="node-wit-errors">
              {a.errors.length} WIT error(s)
            </span>
          )}
        </div>
      )}
      {uploadId && <UploadInfo id={uploadId} />}
      {open && <WitEditor node={node} onClose={() => setOpen(false)} />}
    </div>
  );
}
