"use client";
import { ReactFlowProvider } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useState } from "react";
import { freeSpot, genericTemplates, templateLabel, type NodeTemplate } from "@/lib/graph/factory";
import type { DesignDocument } from "@/lib/graph/types";
import { builtinTemplate, type BuiltinComponent } from "@/lib/builtins/catalog";
import { attachAutosave, createDesignerStore } from "@/lib/store/designer-store";
import { Canvas } from "./Canvas";
import { Inspector } from "./Inspector";
import { Palette, type PaletteSection } from "./Palette";
import { ExportPanel } from "../manifest/ExportPanel";
import { ImportPanel } from "../manifest/ImportPanel";
import { JobsPanel, JobsTabLabel } from "../jobs/JobsPanel";
import { JobsProvider, useJobs, useNodeFailures, useNodeProgress } from "../jobs/JobsProvider";
import { jobsApi } from "@/lib/jobs/client";
import { NodeActionsContext, type NodeActions } from "./node-actions";
import { CompileInspector } from "../jobs/CompileInspector";
import { ReportView } from "../jobs/ReportView";
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
import { ImageReference } from "../jobs/ImageReference";

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
      store.getState().addFromTemplate(t, freeSpot(store.getState().doc.topology.nodes));
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
        placeholder="platform (default linux/amd64)"
        value={platform}
        onChange={(e) => setPlatform(e.target.value)}
        title="For multi-platform images: the os/arch[/variant] to compile, e.g. linux/arm64"
      />
      <ImageReference platform={platform.trim() || undefined} onStarted={() => setDockTab("jobs")} />
    </div>
  );

  return (
    <div className="designer" data-testid="designer">
      <Toolbar onLayout={onLayout}>
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
            <Canvas onFilesDropped={onFilesDropped} progress={progress} failures={failures} run={runOnCanvas} />
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
        {reportJobId && <ReportView jobId={reportJobId} onClose={() => openReport(null)} />}
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
        <JobsProvider>
          <RunProvider>
            <DesignerLayout />
          </RunProvider>
        </JobsProvider>
      </ReactFlowProvider>
    </DesignerStoreContext.Provider>
  );
}
