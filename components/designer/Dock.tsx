"use client";
import { useState, type ReactNode } from "react";

export interface DockTab {
  id: string;
  label: ReactNode;
  render: () => ReactNode;
}

/** The bottom dock: one tab per feature panel (problems, jobs, run, export…). */
export function Dock({ tabs, active, onActive }: { tabs: DockTab[]; active?: string; onActive?: (id: string) => void }) {
  const [own, setOwn] = useState(tabs[0]?.id);
  const current = active ?? own;
  const tab = tabs.find((t) => t.id === current) ?? tabs[0];
  const select = (id: string) => (onActive ? onActive(id) : setOwn(id));
  return (
    <section className="dock" data-testid="dock">
      <nav className="dock-tabs">
        {tabs.map((t) => (
          <button key={t.id} className={t.id === tab?.id ? "active" : ""} data-testid={`dock-tab-${t.id}`} onClick={() => select(t.id)}>
            {t.label}
          </button>
        ))}
      </nav>
      <div className="dock-body" data-testid={`dock-${tab?.id}`}>
        {tab?.render()}
      </div>
    </section>
  );
}
