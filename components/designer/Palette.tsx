"use client";
import { memo, type DragEvent } from "react";
import { templateLabel, type NodeTemplate } from "@/lib/graph/factory";
import { TEMPLATE_MIME } from "./Canvas";

export interface PaletteSection {
  title: string;
  items: { id: string; label: string; detail?: string; template: NodeTemplate }[];
}

function PaletteItem({ id, label, detail, template, onAdd }: { id: string; label: string; detail?: string; template: NodeTemplate; onAdd: (t: NodeTemplate) => void }) {
  const onDragStart = (e: DragEvent) => {
    e.dataTransfer.setData(TEMPLATE_MIME, JSON.stringify(template));
    e.dataTransfer.effectAllowed = "copy";
  };
  return (
    <div
      className={`palette-item palette-${template.kind}`}
      draggable
      onDragStart={onDragStart}
      onDoubleClick={() => onAdd(template)}
      data-testid={`palette-${id}`}
      title={`${templateLabel(template)}${detail ? `: ${detail}` : ""} — drag onto the canvas, or double-click to add`}
    >
      <div className="palette-label">{label}</div>
      {detail && <div className="palette-detail">{detail}</div>}
    </div>
  );
}

function PaletteView({ sections, onAdd, footer, onDropFiles }: { sections: PaletteSection[]; onAdd: (t: NodeTemplate) => void; footer?: React.ReactNode; onDropFiles?: (files: File[]) => void }) {
  // Files dropped on the palette are uploads (e.g. a .wasm becomes a palette entry).
  const onDragOver = (e: DragEvent) => {
    if (!onDropFiles || !e.dataTransfer.types.includes("Files")) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  };
  const onDrop = (e: DragEvent) => {
    if (!onDropFiles || e.dataTransfer.files.length === 0) return;
    e.preventDefault();
    onDropFiles([...e.dataTransfer.files]);
  };
  return (
    <aside className="palette" data-testid="palette" onDragOver={onDragOver} onDrop={onDrop}>
      {sections.map((s) => (
        <section key={s.title}>
          <h3>{s.title}</h3>
          {s.items.map((i) => (
            <PaletteItem key={i.id} {...i} onAdd={onAdd} />
          ))}
        </section>
      ))}
      {footer}
    </aside>
  );
}

export const Palette = memo(PaletteView);
