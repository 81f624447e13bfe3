"use client";
import { ReactFlowProvider } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useState } from "react";
import { genericTemplates, templateLabel, type NodeTemplate } from "@/lib/graph/factory";
import type { DesignDocument } from "@/lib/graph/types";
import { builtinTemplate, type BuiltinComponent } from "@/lib/builtins/catalog";
import { attachAutosave, createDesignerStore } from "@/lib/store/designer-store";
import { Canvas } from "./Canvas";
import { Inspector } from "./Inspector";
import { Palette, type PaletteSection } from "./Palette";
import { ExportPanel } from "../manifest/ExportPanel";
import { ImportPanel } from "../manifest/ImportPanel";
import { Dock, type DockTab } from "./Dock";
import { ProblemsPanel, ProblemsTabLabel } from "./ProblemsPanel";
import { DesignerStoreContext, useDesignerStore } from "./store-context";
import { Toolbar } from "./Toolbar";

export interface DesignerProps {
  projectId: string;
  doc: DesignDocument;
  revision: number;
}

async function saveDesign(projectId: string, doc: DesignDocument, baseRevision: number): Promise<{ revision: number }> {
  const res = await fetch(`/api/projects/${projectId}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ doc, baseRevision }),
  });
  const body = (await res.json().catch(() => ({}))) as { revision?: number; error?: { message?: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return { revision: body.revision! };
}

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable || !!el.closest?.(".monaco-editor"));
}

function useShortcuts() {
  const store = useDesignerStore();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isEditable(e.target)) return;
      const s = store.getState();
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (e.key === "Delete" || e.key === "Backspace") {
        if (s.selection.nodes.length || s.selection.links.length) {
          e.preventDefault();
          s.deleteSelection();
        }
      } else if (mod && k === "z" && !e.shiftKey) {
        e.preventDefault();
        s.undo();
      } else if (mod && ((k === "z" && e.shiftKey) || k === "y")) {
        e.preventDefault();
        s.redo();
      } else if (mod && k === "c") {
        s.copy();
      } else if (mod && k === "v") {
        e.preventDefault();
        s.paste();
      } else if (mod && k === "a") {
        e.preventDefault();
        s.setSelection({ nodes: s.doc.topology.nodes.map((n) => n.id), links: s.doc.topology.links.map((l) => l.id) });
      } else if (e.key === "Escape") {
        s.setSelection({ nodes: [], links: [] });
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store]);
}

function DesignerLayout() {
  const store = useDesignerStore();
  useShortcuts();
  const [sections, setSections] = useState<PaletteSection[]>(() => [
    {
      title: "Nodes",
      items: genericTemplates().map((t) => ({ id: t.kind === "endpoint" ? `endpoint-${t.config.capability}` : t.kind, label: templateLabel(t), template: t })),
    },
  ]);

  useEffect(() => {
    // Built-in components come from the server (built with the app).
    let cancelled = false;
    fetch("/api/builtins")
      .then((r) => (r.ok ? r.json() : []))
      .then((list: BuiltinComponent[]) => {
        if (cancelled || !Array.isArray(list) || list.length === 0) return;
        setSections((s) => [
          ...s.filter((x) => x.title !== "Built-in components"),
          { title: "Built-in components", items: list.map((b) => ({ id: `builtin-${b.id}`, label: b.name, detail: b.description, template: builtinTemplate(b) })) },
        ]);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, []);

  const onAdd = useCallback(
    (t: NodeTemplate) => {
      const n = store.getState().doc.topology.nodes.length;
      store.getState().addFromTemplate(t, { x: 80 + (n % 5) * 60, y: 80 + (n % 7) * 50 });
    },
    [store],
  );

  const onLayout = useCallback(async () => {
    const { layoutTopology } = await import("@/lib/graph/layout");
    const laid = await layoutTopology(store.getState().doc.topology);
    store.getState().replaceTopology(laid, "auto-layout applied (undo to revert)");
  }, [store]);

  const [modal, setModal] = useState<null | "export" | "import">(null);
  const closeModal = useCallback(() => setModal(null), []);
  // Feature panels add a tab here.
  const [dockTab, setDockTab] = useState("problems");
  const tabs: DockTab[] = [{ id: "problems", label: <ProblemsTabLabel />, render: () => <ProblemsPanel /> }];

  return (
    <div className="designer" data-testid="designer">
      <Toolbar onLayout={onLayout}>
        <button data-testid="open-export" onClick={() => setModal("export")}>
          Export…
        </button>
        <button data-testid="open-import" onClick={() => setModal("import")}>
          Import manifest…
        </button>
      </Toolbar>
      {modal === "export" && <ExportPanel onClose={closeModal} />}
      {modal === "import" && <ImportPanel onClose={closeModal} />}
      <div className="designer-main">
        <Palette sections={sections} onAdd={onAdd} />
        <div className="designer-center">
          <Canvas />
          <Dock tabs={tabs} active={dockTab} onActive={setDockTab} />
        </div>
        <Inspector />
      </div>
    </div>
  );
}

export function Designer({ projectId, doc, revision }: DesignerProps) {
  const [store] = useState(() => createDesignerStore({ projectId, doc, revision }));
  useEffect(() => attachAutosave(store, (d, base) => saveDesign(projectId, d, base)), [store, projectId]);
  useEffect(() => {
    // Flush-on-leave guard: warn while a save is pending.
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (store.getState().saveStatus === "saving") e.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [store]);
  const value = useMemo(() => store, [store]);
  return (
    <DesignerStoreContext.Provider value={value}>
      <ReactFlowProvider>
        <DesignerLayout />
      </ReactFlowProvider>
    </DesignerStoreContext.Provider>
  );
}
