"use client";
import { useEffect, useMemo, useState } from "react";
import { jobsApi, watchJob } from "@/lib/jobs/client";
import type { Job, JobLogLine } from "@/lib/jobs/types";
import { useDesigner } from "../designer/store-context";
import { useJobs } from "./JobsProvider";
import { PullLayers } from "./PullLayers";
import { RegistrySettings } from "./RegistrySettings";

const fmtBytes = (n: number) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

function Bar({ percent, testId }: { percent: number | null; testId: string }) {
  return (
    <div className="bar" data-testid={testId} data-percent={percent === null ? "" : Math.round(percent)}>
      <div className="bar-fill" style={{ width: `${percent ?? 0}%` }} />
    </div>
  );
}

function JobLogs({ id }: { id: string }) {
  const [lines, setLines] = useState<JobLogLine[]>([]);
  useEffect(
    () =>
      watchJob(id, {
        snapshot: (_job, logs) => setLines(logs),
        log: (l) => setLines((ls) => (ls.some((x) => x.seq === l.seq) ? ls : [...ls, l])),
      }),
    [id],
  );
  return (
    <pre className="job-logs" data-testid="job-logs">
      {lines.map((l) => `${l.at.slice(11, 19)} ${l.line}`).join("\n") || "(no log lines yet)"}
    </pre>
  );
}

function JobRow({ job }: { job: Job }) {
  const { openReport, pullDetails } = useJobs();
  const pulling = (job.state === "running" || job.state === "queued") && job.stage === "pull" ? pullDetails.get(job.id) : undefined;
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [platform, setPlatform] = useState("");
  const act = (f: () => Promise<unknown>) => async () => {
    setError(null);
    try {
      await f();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const name = (job.params.fileName as string | undefined) ?? (job.params.name as string | undefined) ?? job.id;
  const finished = job.state === "succeeded" || job.state === "failed" || job.state === "cancelled";
  return (
    <li className={`job job-${job.state}`} data-testid="job-row" data-job-id={job.id} data-state={job.state}>
      <div className="job-line">
        <span className="job-name">{name}</span>
        <span className={`badge badge-${job.state}`} data-testid="job-state">
          {job.state}
        </span>
        <span className="job-stage" data-testid="job-stage">
          {job.stage ?? ""}
        </span>
        <Bar percent={job.percent} testId="job-progress" />
        <span className="job-actions">
          <button onClick={() => setOpen((o) => !o)} data-testid="job-toggle-logs">
            {open ? "Hide log" : "Log"}
          </button>
          {finished && (
            <button data-testid="job-open-report" onClick={() => openReport(job.id)}>
              Report
            </button>
          )}
          {job.state === "succeeded" && (
            <a className="button" data-testid="job-download-artifact" href={jobsApi.artifactUrl(job.id)}>
              Artifact
            </a>
          )}
          {!finished && (
            <button data-testid="job-cancel" onClick={act(() => jobsApi.cancel(job.id))}>
              Cancel
            </button>
          )}
          {(job.state === "failed" || job.state === "cancelled") && (
            <button data-testid="job-retry" onClick={act(() => jobsApi.retry(job.id))}>
              Retry
            </button>
          )}
          {finished && (
            <button data-testid="job-delete" onClick={act(() => jobsApi.remove(job.id))}>
              Delete
            </button>
          )}
        </span>
      </div>
      {job.error && (
        <div className="job-error" data-testid="job-error" data-kind={job.error.kind}>
          {job.error.kind}: {job.error.message}
          {job.error.platforms && job.error.platforms.length > 0 && (
            <span className="platform-pick">
              <select value={platform} onChange={(e) => setPlatform(e.target.value)} data-testid="job-platform">
                <option value="">choose a platform…</option>
                {job.error.platforms.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
              <button disabled={!platform} data-testid="job-retry-platform" onClick={act(() => jobsApi.retry(job.id, { platform }))}>
                Retry with {platform || "…"}
              </button>
            </span>
          )}
        </div>
      )}
      {pulling && <PullLayers detail={pulling} />}
      {error && <div className="job-error">{error}</div>}
      {open && <JobLogs id={job.id} />}
    </li>
  );
}

/** Jobs are server-wide; a design's are the ones its nodes came from. */
function useDesignJobIds(): Set<string> {
  const nodes = useDesigner((s) => s.doc.topology.nodes);
  return useMemo(() => new Set(nodes.flatMap((n) => (n.config.compile ? [n.config.compile.jobId] : []))), [nodes]);
}

export function JobsPanel() {
  const { jobs: allJobs, uploads, dismissUpload } = useJobs();
  const [showAll, setShowAll] = useState(false);
  const mine = useDesignJobIds();
  const jobs = showAll ? allJobs : allJobs.filter((j) => mine.has(j.id));
  return (
    <div className="jobs-panel" data-testid="jobs-panel">
      {uploads.length > 0 && (
        <ul className="jobs">
          {uploads.map((u) => (
            <li key={u.key} className="job" data-testid="upload-row" data-state={u.state}>
              <div className="job-line">
                <span className="job-name">{u.fileName}</span>
                <span className={`badge badge-${u.state}`}>{u.state}</span>
                <span className="job-stage" data-testid="upload-bytes">
                  {fmtBytes(u.loaded)} / {fmtBytes(u.total)}
                  {u.percent !== null ? ` (${Math.round(u.percent)}%)` : ""}
                </span>
                <Bar percent={u.percent} testId="upload-progress" />
                <span className="job-actions">
                  {u.state === "uploading" ? (
                    <button data-testid="upload-cancel" onClick={u.abort}>
                      Cancel
                    </button>
                  ) : (
                    <button onClick={() => dismissUpload(u.key)}>Dismiss</button>
                  )}
                </span>
              </div>
              {u.error && (
                <div className="job-error" data-testid="upload-error">
                  {u.error}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <RegistrySettings />
      <label className="jobs-filter">
        <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} data-testid="jobs-show-all" /> all jobs on this server ({allJobs.length})
      </label>
      {jobs.length === 0 && uploads.length === 0 ? (
        <p className="muted pad">No compile jobs yet. Use “Add image…” in the palette, or drop a docker-save / OCI image tar onto the canvas.</p>
      ) : (
        <ul className="jobs">
          {jobs.map((j) => (
            <JobRow key={j.id} job={j} />
          ))}
        </ul>
      )}
    </div>
  );
}

export function JobsTabLabel() {
  const { jobs: all, uploads } = useJobs();
  const mine = useDesignJobIds();
  const jobs = all.filter((j) => mine.has(j.id));
  const active = jobs.filter((j) => j.state === "queued" || j.state === "running").length + uploads.filter((u) => u.state === "uploading").length;
  return <span data-testid="jobs-count">Jobs{active ? ` (${active} active)` : jobs.length ? ` (${jobs.length})` : ""}</span>;
}
