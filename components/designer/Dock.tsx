"use client";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";

export interface DockTab {
  id: string;
  label: ReactNode;
  render: () => ReactNode;
}

const HEIGHT_KEY = "trellis-dock-height";
const MIN = 120;
const DEFAULT = 290;
const maxHeight = () => Math.max(MIN, Math.round(window.innerHeight * 0.7));

/** The bottom dock: one tab per feature panel (problems, jobs, run, export…); its top edge drags (or arrow keys) to resize. */
export function Dock({ tabs, active, onActive }: { tabs: DockTab[]; active?: string; onActive?: (id: string) => void }) {
  const [own, setOwn] = useState(tabs[0]?.id);
  const current = active ?? own;
  const tab = tabs.find((t) => t.id === current) ?? tabs[0];
  const select = (id: string) => (onActive ? onActive(id) : setOwn(id));
  const [height, setHeight] = useState(DEFAULT);
  const drag = useRef<{ y: number; h: number } | null>(null);
  useEffect(() => {
    const saved = Number(localStorage.getItem(HEIGHT_KEY));
    if (saved >= MIN) setHeight(Math.min(saved, maxHeight()));
  }, []);
  const resize = useCallback((h: number) => {
    const v = Math.max(MIN, Math.min(Math.round(h), maxHeight()));
    setHeight(v);
    try {
      localStorage.setItem(HEIGHT_KEY, String(v));
    } catch {
      /* storage blocked */
    }
  }, []);
  return (
    <section className="dock" data-testid="dock" style={{ height }}>
      <div
        className="dock-resize"
        data-testid="dock-resize"
        role="separator"
        aria-orientation="horizontal"
        aria-label="Resize the panel"
        aria-valuenow={height}
        aria-valuemin={MIN}
        tabIndex={0}
        onPointerDown={(e) => {
          drag.current = { y: e.clientY, h: height };
          (e.target as HTMLElement).setPointerCapture(e.pointerId);
        }}
        onPointerMove={(e) => drag.current && resize(drag.current.h + drag.current.y - e.clientY)}
        onPointerUp={() => (drag.current = null)}
        onKeyDown={(e) => {
          if (e.key === "ArrowUp") resize(height + 24);
          else if (e.key === "ArrowDown") resize(height - 24);
          else return;
          e.preventDefault();
        }}
      />
      <nav className="dock-tabs" role="tablist" aria-label="Panels">
        {tabs.map((t) => (
          <button key={t.id} role="tab" aria-selected={t.id === tab?.id} className={t.id === tab?.id ? "active" : ""} data-testid={`dock-tab-${t.id}`} onClick={() => select(t.id)}>
            {t.label}
          </button>
        ))}
      </nav>
      <div className="dock-body" role="tabpanel" data-testid={`dock-${tab?.id}`}>
        {tab?.render()}
      </div>
    </section>
  );
}
