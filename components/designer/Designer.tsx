"use client";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { freeSpot, genericTemplates, templateLabel, type NodeTemplate } from "@/lib/graph/factory";
import type { DesignDocument } from "@/lib/graph/types";
import { builtinTemplate, type BuiltinComponent } from "@/lib/builtins/catalog";
import { attachAutosave, createDesignerStore } from "@/lib/store/designer-store";
import { Canvas, useMinimapOpen, type CanvasTarget } from "./Canvas";
import { ContextMenu, type MenuItem } from "./ContextMenu";
// Dialogs load when first opened: the designer's first paint does not wait for the exporters and importers.
const ExportPanel = dynamic(() => import("../manifest/ExportPanel").then((m) => m.ExportPanel), { ssr: false });
const ImportPanel = dynamic(() => import("../manifest/ImportPanel").then((m) => m.ImportPanel), { ssr: false });
const ReportView = dynamic(() => import("../jobs/ReportView").then((m) => m.ReportView), { ssr: false });
const ShortcutsHelp = dynamic(() => import("./ShortcutsHelp").then((m) => m.ShortcutsHelp), { ssr: false });
import { EDIT_WIT_EVENT } from "../wit/WitInspector";
import { idbDrafts } from "@/lib/store/drafts-idb";
import { saveDesign } from "@/lib/store/save-client";
import { loadDesign, type LoadedDesign } from "@/lib/store/document-client";
import { ConflictDialog } from "./ConflictDialog";
import { Inspector } from "./Inspector";
import { Palette, type PaletteHandle, type PaletteSection } from "./Palette";
import dynamic from "next/dynamic";
import { JobsPanel, JobsTabLabel } from "../jobs/JobsPanel";
import { JobsProvider, useJobs, useNodeFailures, useNodeProgress } from "../jobs/JobsProvider";
import { jobsApi } from "@/lib/jobs/client";
import { NodeActionsContext, type NodeActions } from "./node-actions";
import { CompileInspector } from "../jobs/CompileInspector";

import { ComponentUploadButton, useComponentUploads } from "../wit/ComponentUpload";
import { WitInspector } from "../wit/WitInspector";
import { RunPanel, RunTabLabel } from "../run/RunPanel";
import { RunProvider, useRun } from "../run/RunProvider";
import { Dock, type DockTab } from "./Dock";
import { FilePickButton } from "./FilePickButton";
import { useDesigner } from "./store-context";
import { ExportReadiness } from "./ExportReadiness";
import { ProblemsPanel, ProblemsTabLabel, type ExtraProblem } from "./ProblemsPanel";
import { DesignerStoreContext, useDesignerStore } from "./store-context";
import { Toasts } from "./Toasts";
import { Toolbar } from "./Toolbar";
import { CanvasPaintedContext, useCanvasPainted } from "./canvas-painted";
import { loadWitSupport, pendingWitChecker } from "@/lib/store/wit-support";
import { ImageReference } from "../jobs/ImageReference";
import { SnapshotOption } from "../jobs/SnapshotOption";

export interface DesignerProps {
  projectId: string;
}

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable || !!el.closest?.(".monaco-editor"));
}

interface ShortcutHandlers {
  help(): void;
  search(): void;
  layout(): void;
  fit(): void;
  toggleMinimap(): void;
  rename(nodeId: string): void;
  menuForSelection(): void;
}

/** The key handler behind SHORTCUTS (components/designer/shortcuts.ts lists the same keys for the "?" overlay). */
function useShortcuts(h: ShortcutHandlers) {
  const store = useDesignerStore();
  const handlers = useRef(h);
  handlers.current = h;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isEditable(e.target)) return;
      // A dialog or menu has the keyboard (its own Escape closes it).
      if (document.querySelector('[aria-modal="true"], [role="menu"]')) return;
      const s = store.getState();
      const h = handlers.current;
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      const act = (f: () => void) => {
        e.preventDefault();
        f();
      };
      if (e.key === "Delete" || e.key === "Backspace") {
        if (s.selection.nodes.length || s.selection.links.length) act(() => s.deleteSelection());
      } else if (mod && k === "z" && !e.shiftKey) act(() => s.undo());
      else if (mod && ((k === "z" && e.shiftKey) || k === "y")) act(() => s.redo());
      else if (mod && k === "c") s.copy();
      else if (mod && k === "v") act(() => s.paste());
      else if (mod && k === "d") act(() => s.duplicate(s.selection.nodes));
      else if (mod && k === "a") act(() => s.setSelection({ nodes: s.doc.topology.nodes.map((n) => n.id), links: s.doc.topology.links.map((l) => l.id) }));
      else if ((mod && k === "k") || (e.key === "/" && !mod)) act(h.search);
      else if (e.key === "?") act(h.help);
      else if (e.key === "F2" && s.selection.nodes.length === 1) act(() => h.rename(s.selection.nodes[0]!));
      else if ((e.key === "F10" && e.shiftKey) || e.key === "ContextMenu") act(h.menuForSelection);
      else if (e.shiftKey && !mod && !e.altKey && k === "l") act(h.layout);
      else if (e.shiftKey && !mod && !e.altKey && k === "f") act(h.fit);
      else if (e.shiftKey && !mod && !e.altKey && k === "m") act(h.toggleMinimap);
      else if (e.key === "Escape") s.setSelection({ nodes: [], links: [] });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store]);
}

function DesignerLayout() {
  const store = useDesignerStore();
  const flow = useReactFlow();
  const palette = useRef<PaletteHandle>(null);
  const [help, setHelp] = useState(false);
  const [minimap, setMinimap] = useMinimapOpen();
  const [menu, setMenu] = useState<{ x: number; y: number; target: CanvasTarget } | null>(null);
  const fit = useCallback(() => void flow.fitView({ duration: 200, maxZoom: 1, padding: 0.15 }), [flow]);
  const renameNode = useCallback(
    (id: string) => {
      store.getState().setSelection({ nodes: [id], links: [] });
      // The inspector renders the node's fields on the next frame.
      requestAnimationFrame(() => {
        const input = document.querySelector<HTMLInputElement>('[data-testid="inspector-name"]');
        input?.focus();
        input?.select();
      });
    },
    [store],
  );
  const [sections, setSections] = useState<PaletteSection[]>(() => [
    {
      title: "Nodes",
      items: genericTemplates().map((t) => ({ id: t.kind === "endpoint" ? `endpoint-${t.config.capability}` : t.kind, label: templateLabel(t), template: t })),
    },
  ]);

  const { painted } = useCanvasPainted();
  useEffect(() => {
    // The WIT checker, once the design is on screen; the Problems count waits for it if the design has WIT.
    if (!painted) return;
    let live = true;
    loadWitSupport().then(
      (m) => {
        if (live && store.getState().checker === pendingWitChecker) store.getState().setChecker(m.witChecker);
      },
      (e: unknown) => live && store.getState().notify({ level: "error", kind: "wit-checker", message: `could not load the WIT checker: ${(e as Error).message}; reload the page`, anchor: "toolbar" }),
    );
    return () => {
      live = false;
    };
  }, [painted, store]);
  useEffect(() => {
    // Built-in components come from the server (built with the app).
    if (!painted) return;
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
  }, [painted]);

  const onAdd = useCallback(
    (t: NodeTemplate) => {
      store.getState().addFromTemplate(t, freeSpot(store.getState().doc.topology.nodes));
    },
    [store],
  );

  const onLayout = useCallback(async () => {
    const { layoutTopology } = await import("@/lib/graph/layout");
    const laid = await layoutTopology(store.getState().doc.topology);
    store.getState().replaceTopology(laid, "auto-layout applied (undo to revert)");
  }, [store]);
  const layoutAndFit = useCallback(() => void onLayout().then(() => requestAnimationFrame(fit)), [onLayout, fit]);

  const menuForSelection = useCallback(() => {
    const s = store.getState();
    const canvas = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    const el = s.selection.nodes[0] ? document.querySelector(`.react-flow__node[data-id="${CSS.escape(s.selection.nodes[0])}"]`) : null;
    const r = el?.getBoundingClientRect();
    if (s.selection.nodes[0] && r) setMenu({ x: r.left + 20, y: r.top + 20, target: { type: "node", id: s.selection.nodes[0] } });
    else if (s.selection.links[0] && canvas) setMenu({ x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2, target: { type: "edge", id: s.selection.links[0] } });
    else if (canvas) {
      const at = { x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 };
      setMenu({ ...at, target: { type: "pane", at: flow.screenToFlowPosition(at) } });
    }
  }, [store, flow]);
  useShortcuts({ help: () => setHelp(true), search: () => palette.current?.focusSearch(), layout: layoutAndFit, fit, toggleMinimap: () => setMinimap(!minimap), rename: renameNode, menuForSelection });

  const [modal, setModal] = useState<null | "export" | "import">(null);
  const closeModal = useCallback(() => setModal(null), []);
  // Feature panels add a tab here.
  const [dockTab, setDockTab] = useState("problems");
  const { canvas: runOnCanvas } = useRun();
  const { startUpload, reportJobId, openReport } = useJobs();
  const nodes = useDesigner((s) => s.doc.topology.nodes);
  const progress = useNodeProgress(nodes);
  const failures = useNodeFailures(nodes);
  const nodeActions = useMemo<NodeActions>(
    () => ({
      retryCompile: (jobId) =>
        void jobsApi.retry(jobId).catch((e: unknown) => store.getState().notify({ level: "error", kind: "retry-failed", message: `retry failed: ${(e as Error).message}` })),
      removeNode: (id) => store.getState().deleteElements([id], []),
    }),
    [store],
  );
  const jobProblems = useMemo<ExtraProblem[]>(
    () =>
      [...(failures ?? [])].map(([nodeId, f]) => ({
        key: `job/${nodeId}`,
        kind: "compile-failed",
        label: "image",
        nodeId,
        message: `${nodes.find((n) => n.id === nodeId)?.name ?? nodeId}: ${f.message}`,
        actions: (
          <>
            <button data-testid="problem-retry" onClick={() => nodeActions.retryCompile(f.jobId)}>
              Retry
            </button>
            <button data-testid="problem-remove" onClick={() => nodeActions.removeNode(nodeId)}>
              Remove node
            </button>
          </>
        ),
      })),
    [failures, nodes, nodeActions],
  );
  const tabs: DockTab[] = [
    { id: "problems", label: <ProblemsTabLabel extra={jobProblems.length} />, render: () => (
        <>
          <ProblemsPanel extra={jobProblems} />
          <ExportReadiness />
        </>
      ) },
    { id: "jobs", label: <JobsTabLabel />, render: () => <JobsPanel /> },
    { id: "run", label: <RunTabLabel />, render: () => <RunPanel /> },
  ];
  const uploads = useComponentUploads();
  const uploadComponent = uploads.upload;
  const onFilesDropped = useCallback(
    (files: File[], at?: { x: number; y: number }) => {
      for (const f of files) {
        if (/\.wasm$/i.test(f.name)) {
          void uploadComponent(f, at);
        } else if (/\.(tar|tar\.gz|tgz|oci)$/i.test(f.name)) {
          startUpload(f, at);
          setDockTab("jobs");
        } else {
          store.getState().notify({ level: "error", kind: "unsupported-file", message: `${f.name}: drop a Wasm component or module (.wasm) or a container image (docker save or OCI layout .tar / .tar.gz)`, ...(at ? {} : { anchor: "palette" as const }) });
        }
      }
    },
    [startUpload, store, uploadComponent],
  );
  const [platform, setPlatform] = useState("");

  const { jobs } = useJobs();
  const menuItems = (target: CanvasTarget): MenuItem[] => {
    const s = store.getState();
    if (target.type === "node") {
      const node = s.doc.topology.nodes.find((n) => n.id === target.id);
      if (!node) return [];
      const ids = s.selection.nodes.includes(node.id) ? s.selection.nodes : [node.id];
      const jobId = node.config.compile?.jobId;
      const job = jobId ? jobs.find((j) => j.id === jobId) : undefined;
      return [
        { id: "rename", label: "Rename", shortcut: "F2", run: () => renameNode(node.id) },
        { id: "duplicate", label: ids.length > 1 ? `Duplicate ${ids.length} nodes` : "Duplicate", shortcut: "Ctrl+D", run: () => s.duplicate(ids) },
        ...(node.kind === "component"
          ? [{ id: "edit-wit", label: "Edit WIT…", run: () => (s.setSelection({ nodes: [node.id], links: [] }), requestAnimationFrame(() => window.dispatchEvent(new CustomEvent(EDIT_WIT_EVENT, { detail: node.id })))) }]
          : []),
        ...(node.kind === "compiled" ? [{ id: "keep-container", label: "Keep as container", run: () => void s.keepAsContainer(node.id) }] : []),
        ...(node.kind === "container" && job && (job.state === "failed" || job.state === "cancelled") ? [{ id: "compile", label: "Compile again", run: () => nodeActions.retryCompile(job.id) }] : []),
        ...(jobId ? [{ id: "report", label: "Show compile report", disabled: !job || (job.state !== "succeeded" && job.state !== "failed"), run: () => openReport(jobId) }] : []),
        { id: "delete", label: ids.length > 1 ? `Delete ${ids.length} nodes` : "Delete", shortcut: "Delete", danger: true, run: () => s.deleteElements(ids, []) },
      ];
    }
    if (target.type === "edge") {
      return [
        { id: "inspect", label: "Inspect wire", run: () => s.setSelection({ nodes: [], links: [target.id] }) },
        { id: "delete", label: "Delete wire", shortcut: "Delete", danger: true, run: () => s.deleteElements([], [target.id]) },
      ];
    }
    const at = { x: target.at.x - 90, y: target.at.y - 30 };
    return [
      ...sections[0]!.items.map((i) => ({ id: `add-${i.id}`, label: `Add ${i.label} here`, run: () => void s.addFromTemplate(i.template, at) })),
      { id: "paste", label: "Paste", shortcut: "Ctrl+V", disabled: !s.clipboard, run: () => s.paste() },
      { id: "layout", label: "Auto-layout", shortcut: "Shift+L", disabled: s.doc.topology.nodes.length === 0, run: layoutAndFit },
      { id: "fit", label: "Fit view", shortcut: "Shift+F", run: fit },
    ];
  };
  const imageInput = (
    <div className="palette-actions">
      <FilePickButton
        label="Add image…"
        accept=".tar,.tgz,.gz,.oci,application/x-tar,application/gzip"
        testId="add-image"
        inputTestId="add-image-input"
        title="A docker save tarball or an OCI image layout tar, plain or gzip"
        onFile={(f) => {
          startUpload(f, undefined, platform.trim() || undefined);
          setDockTab("jobs");
        }}
      />
      <input
        className="platform-input"
        data-testid="add-image-platform"
        aria-label="Platform to compile (multi-platform images)"
        placeholder="platform (default linux/amd64)"
        value={platform}
        onChange={(e) => setPlatform(e.target.value)}
        title="For multi-platform images: the os/arch[/variant] to compile, e.g. linux/arm64"
      />
      <ImageReference platform={platform.trim() || undefined} onStarted={() => setDockTab("jobs")} />
      <SnapshotOption />
    </div>
  );

  return (
    <div className="designer" data-testid="designer">
      <Toolbar onLayout={onLayout} onHelp={() => setHelp(true)}>
        <button data-testid="open-run" className="primary" onClick={() => setDockTab("run")}>
          ▶ Run…
        </button>
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
        <Palette
          ref={palette}
          sections={uploads.section ? [...sections, uploads.section] : sections}
          onAdd={onAdd}
          onDropFiles={onFilesDropped}
          footer={
            <>
              {imageInput}
              <ComponentUploadButton uploads={uploads} />
            </>
          }
        />
        <div className="designer-center">
          <NodeActionsContext.Provider value={nodeActions}>
            <Canvas
              onFilesDropped={onFilesDropped}
              progress={progress}
              failures={failures}
              run={runOnCanvas}
              minimap={minimap}
              onMinimap={setMinimap}
              onContextMenu={(target, at) => setMenu({ ...at, target })}
            />
          </NodeActionsContext.Provider>
          <Dock tabs={tabs} active={dockTab} onActive={setDockTab} />
        </div>
        <Inspector
          extra={(node) => (
            <>
              <CompileInspector node={node} />
              <WitInspector node={node} />
            </>
          )}
        />
        <Toasts />
        {menu && (
          <ContextMenu
            x={menu.x}
            y={menu.y}
            label={menu.target.type === "node" ? "Node" : menu.target.type === "edge" ? "Wire" : "Canvas"}
            items={menuItems(menu.target)}
            onClose={() => setMenu(null)}
          />
        )}
        {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
        <ConflictDialog />
        {reportJobId && <ReportView jobId={reportJobId} onClose={() => openReport(null)} />}
      </div>
    </div>
  );
}

/**
 * Renders on the client only, once the document is in: the page is the same static file for every
 * load of a design (the server renders nothing per request), and the document comes as JSON.
 */
export function Designer({ projectId }: DesignerProps) {
  const [loaded, setLoaded] = useState<LoadedDesign | null>(null);
  useEffect(() => {
    let live = true;
    void loadDesign(projectId).then((l) => live && setLoaded(l));
    return () => {
      live = false;
    };
  }, [projectId]);
  if (!loaded) return <div className="designer" data-testid="designer-loading" />;
  if (loaded.state !== "ok") {
    return (
      <main className="designer-missing" data-testid="project-missing" data-state={loaded.state}>
        <h1>{loaded.state === "missing" ? "No such design" : "The design could not be loaded"}</h1>
        <p>{loaded.state === "missing" ? `There is no design with the id ${projectId}: it may have been deleted.` : `${loaded.message}. Reload the page to try again.`}</p>
        <a href="/" data-testid="home-link">
          Back to the designs
        </a>
      </main>
    );
  }
  return <DesignerClient projectId={projectId} doc={loaded.doc} revision={loaded.revision} />;
}

function DesignerClient({ projectId, doc, revision }: { projectId: string; doc: DesignDocument; revision: number }) {
  const [store] = useState(() => createDesignerStore({ projectId, doc, revision }));
  useEffect(() => {
    const drafts = idbDrafts();
    const autosave = attachAutosave(store, (d, base, o) => saveDesign(projectId, d, base, o), { drafts: drafts ?? undefined });
    let live = true;
    // Edits this browser kept but the server never confirmed come back on reopen.
    void drafts?.get(projectId).then((draft) => {
      if (!live || !draft) return;
      const s = store.getState();
      if (JSON.stringify(draft.doc) === JSON.stringify(s.doc)) return void drafts.delete(projectId);
      store.setState({ doc: draft.doc, revision: draft.baseRevision });
      s.notify({ level: "info", message: "restored edits from this browser that had not reached the server", anchor: "toolbar" });
    });
    // pagehide (tab closed, reload, external link): send what is pending with keepalive.
    const onPageHide = () => autosave.flushNow({ keepalive: true });
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (store.getState().saveStatus !== "saved") e.preventDefault();
    };
    window.addEventListener("pagehide", onPageHide);
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      live = false;
      window.removeEventListener("pagehide", onPageHide);
      window.removeEventListener("beforeunload", onBeforeUnload);
      // In-app navigation unmounts the designer: flush, don't drop.
      autosave.dispose();
    };
  }, [store, projectId]);
  const value = useMemo(() => store, [store]);
  const [painted, setPainted] = useState(false);
  const markPainted = useCallback(() => setPainted(true), []);
  const paint = useMemo(() => ({ painted, markPainted }), [painted, markPainted]);
  return (
    <DesignerStoreContext.Provider value={value}>
      <CanvasPaintedContext value={paint}>
        <ReactFlowProvider>
          <JobsProvider>
            <RunProvider>
              <DesignerLayout />
            </RunProvider>
          </JobsProvider>
        </ReactFlowProvider>
      </CanvasPaintedContext>
    </DesignerStoreContext.Provider>
  );
}
