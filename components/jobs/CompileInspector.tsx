"use client";
import type { TopologyNode } from "@/lib/graph/types";
import { useDesigner } from "../designer/store-context";
import { useJobs } from "./JobsProvider";

/** Inspector section for nodes that came from an image upload. */
export function CompileInspector({ node }: { node: TopologyNode }) {
  const { jobs, openReport } = useJobs();
  const keep = useDesigner((s) => s.keepAsContainer);
  const c = node.config.compile;
  if (!c) return null;
  const job = jobs.find((j) => j.id === c.jobId);
  return (
    <div className="compile-inspector" data-testid="compile-inspector">
      <div className="section-title">Compile</div>
      <div>
        job <code>{c.jobId.slice(0, 8)}</code>: <span data-testid="compile-state">{job?.state ?? "unknown"}</span>
        {job?.state === "running" && ` (${job.stage ?? ""} ${Math.round(job.percent)}%)`}
      </div>
      {c.originalImage && <div className="muted">from {c.originalImage}</div>}
      <div className="row-actions left">
        <button data-testid="compile-open-report" onClick={() => openReport(c.jobId)}>
          Report
        </button>
        {node.kind === "compiled" && (
          <button data-testid="keep-as-container" onClick={() => keep(node.id)}>
            Keep as container
          </button>
        )}
      </div>
    </div>
  );
}
