"use client";
// "Upload component (.wasm)": the palette button, drop-on-canvas handling and
// the "My components" palette section (persisted on the server).
import { FilePickButton } from "../designer/FilePickButton";
import { useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { freeSpot, type NodeTemplate } from "@/lib/graph/factory";
import type { UploadedComponent } from "@/lib/components/store";
import type { PaletteSection } from "../designer/Palette";
import { useCanvasPainted } from "../designer/canvas-painted";
import { useDesignerStore } from "../designer/store-context";

export const MY_COMPONENTS = "My components";

export function uploadedTemplate(c: UploadedComponent): NodeTemplate {
  return {
    kind: "component",
    name: c.name,
    config: { source: c.source, ...(c.wit ? { wit: c.wit, world: c.world } : {}) },
    ports: c.ports.map((p) => ({ ...p })),
  };
}

const KIND_DETAIL: Record<UploadedComponent["kind"], string> = {
  component: "component",
  converted: "converted from a WASI preview1 module",
  "core-module": "core module, no WIT ports",
};

export type UploadStatus = { state: "uploading"; fileName: string } | { state: "done"; fileName: string; message: string; kind: UploadedComponent["kind"] } | { state: "error"; fileName: string; message: string; errorKind: string };

export interface ComponentUploads {
  section: PaletteSection | null;
  status: UploadStatus | null;
  upload(file: File, at?: { x: number; y: number }): Promise<void>;
  dismiss(): void;
}

export function useComponentUploads(): ComponentUploads {
  const store = useDesignerStore();
  const flow = useReactFlow();
  const [list, setList] = useState<UploadedComponent[]>([]);
  const [status, setStatus] = useState<UploadStatus | null>(null);

  const { painted } = useCanvasPainted();
  useEffect(() => {
    if (!painted) return;
    let cancelled = false;
    fetch("/api/components")
      .then((r) => (r.ok ? (r.json() as Promise<UploadedComponent[]>) : []))
      .then((l) => !cancelled && Array.isArray(l) && setList(l))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [painted]);

  const upload = useCallback(
    async (file: File, at?: { x: number; y: number }) => {
      setStatus({ state: "uploading", fileName: file.name });
      let res: Response;
      try {
        res = await fetch(`/api/components?filename=${encodeURIComponent(file.name)}`, { method: "POST", headers: { "content-type": "application/wasm" }, body: file });
      } catch (e) {
        const message = `${file.name}: the upload failed (${(e as Error).message})`;
        setStatus({ state: "error", fileName: file.name, message, errorKind: "network" });
        store.getState().notify({ level: "error", kind: "upload-failed", message, anchor: "palette" });
        return;
      }
      const body = (await res.json().catch(() => ({}))) as { component?: UploadedComponent; error?: { kind?: string; message?: string } };
      if (!res.ok || !body.component) {
        const message = body.error?.message ?? `${file.name}: upload refused (HTTP ${res.status})`;
        setStatus({ state: "error", fileName: file.name, message, errorKind: body.error?.kind ?? `http-${res.status}` });
        store.getState().notify({ level: "error", kind: body.error?.kind ?? "upload-failed", message, anchor: "palette" });
        return;
      }
      const c = body.component;
      setList((l) => [...l.filter((x) => x.id !== c.id), c]);
      const s = store.getState();
      const pos = at ? { x: at.x - 90, y: at.y - 30 } : freeSpot(s.doc.topology.nodes);
      // Not dropped at a point: the free spot may be off screen, so bring it into view.
      if (s.addFromTemplate(uploadedTemplate(c), pos) && !at) void flow.setCenter(pos.x + 90, pos.y + 40, { zoom: flow.getZoom(), duration: 200 });
      const message =
        c.kind === "converted"
          ? `${file.name} was a WASI preview1 module: converted to a component (${c.ports.length} ports).`
          : c.kind === "core-module"
            ? `${file.name} is a core module without WIT: added without ports; wrap it as a component to wire it by interface.`
            : `${file.name}: component with ${c.ports.length} port(s), added to My components.`;
      setStatus({ state: "done", fileName: file.name, message, kind: c.kind });
      store.getState().notify({ level: "info", kind: `uploaded-${c.kind}`, message, anchor: "palette" });
    },
    [store, flow],
  );

  const section = useMemo<PaletteSection | null>(
    () =>
      list.length
        ? {
            title: MY_COMPONENTS,
            items: list.map((c) => ({ id: `upload-${c.id}`, label: c.name, detail: `${KIND_DETAIL[c.kind]} · ${c.fileName}`, template: uploadedTemplate(c) })),
          }
        : null,
    [list],
  );
  return { section, status, upload, dismiss: () => setStatus(null) };
}

/** The palette button (with its file input) and the last upload's outcome. */
export function ComponentUploadButton({ uploads }: { uploads: ComponentUploads }) {
  const s = uploads.status;
  const statusRef = useRef<HTMLDivElement>(null);
  // The palette scrolls: keep a new outcome in view instead of below the fold.
  useEffect(() => {
    statusRef.current?.scrollIntoView({ block: "nearest" });
  }, [s]);
  return (
    <div className="palette-actions">
      <FilePickButton
        label="Upload component (.wasm)…"
        accept=".wasm,application/wasm"
        testId="upload-component"
        inputTestId="upload-component-input"
        title="A component, a WASI preview1 module (converted), or a core module"
        onFile={(f) => void uploads.upload(f)}
      />
      {s && (
        <div ref={statusRef} className={`upload-status upload-${s.state}`} data-testid="component-upload-status" data-state={s.state} data-kind={s.state === "done" ? s.kind : s.state === "error" ? s.errorKind : ""}>
          <span>{s.state === "uploading" ? `Uploading ${s.fileName}…` : s.message}</span>
          {s.state !== "uploading" && (
            <button className="icon" onClick={uploads.dismiss} title="Dismiss">
              ×
            </button>
          )}
        </div>
      )}
    </div>
  );
}
