"use client";
import { useDesigner, useProblems } from "./store-context";

export function ProblemsPanel() {
  const notice = useDesigner((s) => s.notice);
  const notify = useDesigner((s) => s.notify);
  const setSelection = useDesigner((s) => s.setSelection);
  const problems = useProblems();
  return (
    <div className="problems" data-testid="problems-panel">
      {notice && (
        <div className={`notice notice-${notice.level}`} data-testid="notice" data-kind={notice.kind ?? ""}>
          <span>{notice.message}</span>
          <button className="icon" onClick={() => notify(undefined)} title="Dismiss" data-testid="notice-dismiss">
            ×
          </button>
        </div>
      )}
      <div className="problems-head">Problems ({problems.length})</div>
      <ul>
        {problems.map((p) => (
          <li
            key={p.kind === "broken-link" ? p.linkId : `${p.nodeId}/${p.portId}`}
            data-testid={`problem-${p.kind}`}
            onClick={() =>
              setSelection(p.kind === "broken-link" ? { nodes: [], links: [p.linkId] } : { nodes: [p.nodeId], links: [] })
            }
          >
            <span className="problem-kind">{p.kind === "broken-link" ? "wire" : "import"}</span> {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Tab label with the live problem count. */
export function ProblemsTabLabel() {
  const n = useProblems().length;
  return (
    <span data-testid="problems-count" data-count={n}>
      Problems{n ? ` (${n})` : ""}
    </span>
  );
}
