"use client";
import type { ReactNode } from "react";
import { useDesigner, useProblemsOrPending } from "./store-context";

/** A standing problem that does not come from the wiring (a failed compile, a target's limits…). */
export interface ExtraProblem {
  key: string;
  kind: string;
  label: string;
  message: string;
  nodeId?: string;
  actions?: ReactNode;
}

export function ProblemsPanel({ extra = [] }: { extra?: ExtraProblem[] }) {
  const setSelection = useDesigner((s) => s.setSelection);
  const found = useProblemsOrPending();
  const problems = found ?? [];
  const pick = (sel: { nodes: string[]; links: string[] }) => ({
    onClick: () => setSelection(sel),
    onKeyDown: (e: React.KeyboardEvent) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), setSelection(sel)),
    role: "button",
    tabIndex: 0,
  });
  return (
    <div className="problems" data-testid="problems-panel">
      <div className="problems-head">Problems ({found ? problems.length + extra.length : "…"})</div>
      {!found && <p className="muted" data-testid="problems-pending">Checking the wires against the components' WIT…</p>}
      {found && problems.length + extra.length === 0 && <p className="muted">No problems: every wire connects matching interfaces.</p>}
      <ul>
        {extra.map((p) => (
          <li key={p.key} data-testid={`problem-${p.kind}`} {...pick({ nodes: p.nodeId ? [p.nodeId] : [], links: [] })}>
            <span className="problem-kind">{p.label}</span> {p.message}
            {p.actions && <span className="problem-actions" onClick={(e) => e.stopPropagation()}>{p.actions}</span>}
          </li>
        ))}
        {problems.map((p) => (
          <li
            key={p.kind === "broken-link" ? p.linkId : `${p.nodeId}/${p.portId}`}
            data-testid={`problem-${p.kind}`}
            {...pick(p.kind === "broken-link" ? { nodes: [], links: [p.linkId] } : { nodes: [p.nodeId], links: [] })}
          >
            <span className="problem-kind">{p.kind === "broken-link" ? "wire" : "import"}</span> {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Tab label with the live problem count (no count while the wires wait for the WIT checker). */
export function ProblemsTabLabel({ extra = 0 }: { extra?: number }) {
  const found = useProblemsOrPending();
  const n = (found?.length ?? 0) + extra;
  return (
    <span data-testid="problems-count" data-count={found ? n : undefined} data-pending={found ? undefined : "true"}>
      Problems{found ? (n ? ` (${n})` : "") : " (…)"}
    </span>
  );
}
