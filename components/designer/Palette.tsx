"use client";
import { forwardRef, memo, useImperativeHandle, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from "react";
import { templateLabel, type NodeTemplate } from "@/lib/graph/factory";
import { TEMPLATE_MIME } from "./Canvas";

export interface PaletteSection {
  title: string;
  items: { id: string; label: string; detail?: string; template: NodeTemplate }[];
}

export interface PaletteHandle {
  focusSearch(): void;
}

function PaletteItem({ id, label, detail, template, active, onAdd }: { id: string; label: string; detail?: string; template: NodeTemplate; active: boolean; onAdd: (t: NodeTemplate) => void }) {
  const onDragStart = (e: DragEvent) => {
    e.dataTransfer.setData(TEMPLATE_MIME, JSON.stringify(template));
    e.dataTransfer.effectAllowed = "copy";
  };
  return (
    <div
      id={`palette-option-${id}`}
      className={`palette-item palette-${template.kind}${active ? " active" : ""}`}
      draggable
      role="button"
      tabIndex={0}
      onDragStart={onDragStart}
      onDoubleClick={() => onAdd(template)}
      onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), onAdd(template))}
      data-testid={`palette-${id}`}
      title={`${templateLabel(template)}${detail ? `: ${detail}` : ""} — drag onto the canvas, double-click or press Enter to add`}
    >
      <div className="palette-label">{label}</div>
      {detail && <div className="palette-detail">{detail}</div>}
    </div>
  );
}

const matches = (q: string, i: PaletteSection["items"][number]) => {
  const hay = `${i.label} ${i.detail ?? ""} ${i.template.kind}`.toLowerCase();
  return q.split(/\s+/).every((w) => hay.includes(w));
};

const PaletteView = forwardRef<PaletteHandle, { sections: PaletteSection[]; onAdd: (t: NodeTemplate) => void; footer?: React.ReactNode; onDropFiles?: (files: File[]) => void }>(function PaletteView({ sections, onAdd, footer, onDropFiles }, ref) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const search = useRef<HTMLInputElement>(null);
  useImperativeHandle(ref, () => ({ focusSearch: () => search.current?.focus() }), []);
  const q = query.trim().toLowerCase();
  const shown = useMemo(() => sections.map((s) => ({ ...s, items: q ? s.items.filter((i) => matches(q, i)) : s.items })).filter((s) => s.items.length > 0), [sections, q]);
  const flat = shown.flatMap((s) => s.items);
  const current = q ? flat[Math.min(active, flat.length - 1)] : undefined;

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
  const onSearchKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") setActive((a) => Math.min(a + 1, flat.length - 1));
    else if (e.key === "ArrowUp") setActive((a) => Math.max(a - 1, 0));
    else if (e.key === "Enter" && current) {
      onAdd(current.template);
      setQuery("");
    } else if (e.key === "Escape") {
      if (query) setQuery("");
      else search.current?.blur();
    } else return;
    e.preventDefault();
  };
  return (
    <aside className="palette" data-testid="palette" aria-label="Palette" onDragOver={onDragOver} onDrop={onDrop}>
      <input
        ref={search}
        className="palette-search"
        type="search"
        data-testid="palette-search"
        placeholder="Search nodes… ( / )"
        aria-label="Search the palette"
        aria-controls="palette-results"
        aria-activedescendant={current ? `palette-option-${current.id}` : undefined}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onSearchKey}
      />
      <div id="palette-results">
        {shown.map((s) => (
          <section key={s.title}>
            <h3>{s.title}</h3>
            {s.items.map((i) => (
              <PaletteItem key={i.id} {...i} active={i === current} onAdd={onAdd} />
            ))}
          </section>
        ))}
        {q && flat.length === 0 && (
          <p className="muted" data-testid="palette-no-match">
            Nothing matches “{query}”.
          </p>
        )}
      </div>
      {footer}
    </aside>
  );
});

export const Palette = memo(PaletteView);
