"use client";
import { useReactFlow } from "@xyflow/react";
import Link from "next/link";
import { useRef, useState, type ReactNode } from "react";
import { useDesigner, useDesignerStore } from "./store-context";
import { ThemeToggle } from "./ThemeToggle";

function download(name: string, text: string, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "design";
}

export function Toolbar({ onLayout, onHelp, children }: { onLayout: () => Promise<void>; onHelp?: () => void; children?: ReactNode }) {
  const store = useDesignerStore();
  const name = useDesigner((s) => s.doc.name);
  const canUndo = useDesigner((s) => s.past.length > 0);
  const canRedo = useDesigner((s) => s.future.length > 0);
  const saveStatus = useDesigner((s) => s.saveStatus);
  const saveError = useDesigner((s) => s.saveError);
  const { fitView } = useReactFlow();
  const fileRef = useRef<HTMLInputElement>(null);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);

  const exportJson = () => {
    const doc = store.getState().doc;
    download(`${slug(doc.name)}.trellis.json`, JSON.stringify(doc, null, 2) + "\n");
  };

  const importJson = async (file: File) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch (e) {
      store.getState().notify({ level: "error", kind: "invalid-json", message: `${file.name} is not JSON: ${(e as Error).message}`, anchor: "toolbar" });
      return;
    }
    // The validator (Ajv and the design schema) loads on the first import, not with the designer.
    const { parseDesign } = await import("@/lib/graph/document");
    const r = parseDesign(parsed);
    if (!r.ok) {
      const first = r.error.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join("; ");
      store.getState().notify({ level: "error", kind: "invalid-document", message: `${file.name} was not imported (${r.error.length} problem(s)): ${first}`, anchor: "toolbar" });
      return;
    }
    store.getState().replaceDocument(r.value);
    store.getState().notify({ level: "info", message: `imported ${r.value.topology.nodes.length} nodes and ${r.value.topology.links.length} wires from ${file.name}`, anchor: "toolbar" });
    requestAnimationFrame(() => void fitView({ duration: 200, maxZoom: 1, padding: 0.15 }));
  };

  return (
    <header className="toolbar" data-testid="toolbar">
      <Link href="/" className="brand" data-testid="home-link">
        Trellis
      </Link>
      {editing ? (
        <input
          autoFocus
          className="project-name-input"
          data-testid="project-name-input"
          defaultValue={name}
          onBlur={(e) => {
            store.getState().rename(e.target.value);
            setEditing(false);
          }}
          aria-label="Project name"
          onKeyDown={(e) => {
            if (e.key === "Enter") (e.target as HTMLInputElement).blur();
            else if (e.key === "Escape") {
              (e.target as HTMLInputElement).value = name;
              (e.target as HTMLInputElement).blur();
            }
          }}
        />
      ) : (
        <span className="project-title">
          <h1 className="project-name" data-testid="project-name" onDoubleClick={() => setEditing(true)} title="Double-click (or the pencil) to rename">
            {name}
          </h1>
          <button className="icon" data-testid="rename-design" aria-label="Rename this design" title="Rename this design" onClick={() => setEditing(true)}>
            ✎
          </button>
        </span>
      )}
      <div className="toolbar-group">
        <button data-testid="undo" disabled={!canUndo} onClick={() => store.getState().undo()} title="Undo (Ctrl+Z)">
          ↶ Undo
        </button>
        <button data-testid="redo" disabled={!canRedo} onClick={() => store.getState().redo()} title="Redo (Ctrl+Shift+Z)">
          ↷ Redo
        </button>
        <button
          data-testid="auto-layout"
          title="Auto-layout (Shift+L)"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await onLayout();
              requestAnimationFrame(() => void fitView({ duration: 200, maxZoom: 1, padding: 0.15 }));
            } finally {
              setBusy(false);
            }
          }}
        >
          Auto-layout
        </button>
        <button data-testid="fit-view" title="Fit view (Shift+F)" onClick={() => void fitView({ duration: 200, maxZoom: 1, padding: 0.15 })}>
          Fit view
        </button>
      </div>
      <div className="toolbar-group">
        <button data-testid="export-json" onClick={exportJson}>
          Export JSON
        </button>
        <button data-testid="import-json" onClick={() => fileRef.current?.click()}>
          Import JSON
        </button>
        <input
          ref={fileRef}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-json-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = "";
            if (f) void importJson(f);
          }}
        />
        {children}
      </div>
      <div className="toolbar-end">
        {onHelp && (
          <button className="icon" data-testid="open-shortcuts" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={onHelp}>
            ?
          </button>
        )}
        <ThemeToggle />
      </div>
      <div className={`save-status save-${saveStatus}`} data-testid="save-status" data-status={saveStatus} title={saveError}>
        {saveStatus === "saved" ? "saved" : saveStatus === "saving" ? "saving…" : saveStatus === "conflict" ? "conflict" : `error: ${saveError ?? "save failed"}`}
        {saveStatus === "error" && (
          <button data-testid="save-retry" className="save-retry" onClick={() => store.getState().requestSave()}>
            Retry
          </button>
        )}
      </div>
    </header>
  );
}
