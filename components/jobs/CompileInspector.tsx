"use client";
import type { TopologyNode } from "@/lib/graph/types";
import { useDesigner } from "../designer/store-context";
import { useJobs } from "./JobsProvider";

/** Whether a finished native compile took a start-up snapshot (the job result's produced.native.details.snapshot). */
function snapshotOf(result: unknown): { taken: boolean; text: string } | undefined {
  const p = (result as { produced?: { kind?: string; native?: { details?: { snapshot?: { artifactBytes?: { with: number; without: number }; skipped?: string } } } } } | null)?.produced;
  if (p?.kind !== "native-artifact") return undefined;
  const s = p.native?.details?.snapshot;
  if (!s) return { taken: false, text: "none" };
  if (s.artifactBytes) return { taken: true, text: `taken (+${((s.artifactBytes.with - s.artifactBytes.without) / 2 ** 20).toFixed(1)} MiB)` };
  return { taken: false, text: `none (${s.skipped ?? "skipped"})` };
}

/** Inspector section for nodes that came from an image upload. */
export function CompileInspector({ node }: { node: TopologyNode }) {
  const { jobs, openReport } = useJobs();
  const keep = useDesigner((s) => s.keepAsContainer);
  const c = node.config.compile;
  if (!c) return null;
  const job = jobs.find((j) => j.id === c.jobId);
  const snap = snapshotOf(job?.result);
  return (
    <div className="compile-inspector" data-testid="compile-inspector">
      <div className="section-title">Compile</div>
      <div>
        job <code>{c.jobId.slice(0, 8)}</code>: <span data-testid="compile-state">{job?.state ?? "unknown"}</span>
        {job?.state === "running" && ` (${job.stage ?? ""} ${Math.round(job.percent)}%)`}
      </div>
      {c.originalImage && <div className="muted">from {c.originalImage}</div>}
      {snap && (
        <div className="muted" data-testid="compile-snapshot" data-snapshot={snap.taken ? "taken" : "none"}>
          start-up snapshot: {snap.text}
        </div>
      )}
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
