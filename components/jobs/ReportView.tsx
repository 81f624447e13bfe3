"use client";
import { useEffect, useState } from "react";
import type { CompileReport } from "@/lib/compile/compile-image";
import { jobsApi } from "@/lib/jobs/client";
import type { Job } from "@/lib/jobs/types";
import { Modal } from "../designer/Modal";
import { PushArtifact } from "./PushArtifact";
import { RunArtifact } from "./RunArtifact";

const fmtBytes = (n?: number) => (n === undefined ? "—" : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

function Row({ k, v, testId }: { k: string; v: React.ReactNode; testId?: string }) {
  return (
    <tr>
      <th>{k}</th>
      <td data-testid={testId}>{v}</td>
    </tr>
  );
}

interface PortsDetail {
  typed: Array<{ port: number; protocol: string; interface: string }>;
  network: Array<{ port: number; protocol: string }>;
}

/** Which exposed ports became typed interfaces (the wasi:http component) and which stayed network ports. */
function portsLine(p: unknown): string | undefined {
  const d = p as PortsDetail | undefined;
  if (!d || !Array.isArray(d.typed) || !Array.isArray(d.network) || d.typed.length + d.network.length === 0) return undefined;
  const typed = d.typed.map((x) => `${x.port}/${x.protocol} → ${x.interface} (wasi:http component)`);
  const network = d.network.map((x) => `${x.port}/${x.protocol} → network port`);
  return [...typed, ...network].join("; ");
}

/** Whether the compile took a start-up snapshot (lib/compile/startup-snapshot.ts), and what it adds. */
function snapshotLine(s: unknown): string {
  const d = s as { artifactBytes?: { without: number; with: number }; stopSyscall?: number; instructions?: number; skipped?: string } | undefined;
  if (!d) return "none (not asked for)";
  if (d.skipped) return `none: ${d.skipped}`;
  if (!d.artifactBytes) return "—";
  return `taken before syscall ${d.stopSyscall} after ${d.instructions} guest instructions; adds ${fmtBytes(d.artifactBytes.with - d.artifactBytes.without)} (runs resumed from it share its random seeds)`;
}

export function ReportView({ jobId, onClose }: { jobId: string; onClose: () => void }) {
  const [data, setData] = useState<{ job: Job; report: CompileReport | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    jobsApi.get(jobId).then(setData, (e: Error) => setError(e.message));
  }, [jobId]);
  const r = data?.report;
  const cfg = r?.image?.config;
  const ports = portsLine(r?.produced?.native?.details?.ports);
  return (
    <Modal title="Compile report" onClose={onClose} testId="report-view" wide>
      {error && <div className="notice notice-error">{error}</div>}
      {!data && !error && <p className="muted">Loading…</p>}
      {data && !r && <p className="muted">No report yet: the job is {data.job.state}.</p>}
      {r && (
        <div className="report">
          <div className={`notice ${r.outcome === "compiled" ? "notice-info" : "notice-error"}`} data-testid="report-outcome" data-outcome={r.outcome}>
            <span>
              <b>{r.outcome}</b>: {r.summary}
            </span>
          </div>
          <div className="report-actions">
            <a className="button" href={jobsApi.reportUrl(jobId, true)} data-testid="report-download">
              Download report (JSON)
            </a>
            {r.produced && (
              <a className="button" href={jobsApi.artifactUrl(jobId)} data-testid="report-artifact">
                Download artifact
              </a>
            )}
          </div>
          <div className="report-grid">
            <section>
              <h3>Image</h3>
              <table className="kv">
                <tbody>
                  {r.input.source ? (
                    <Row k="pulled" v={<code>{r.input.source.pinned}</code>} testId="report-source" />
                  ) : (
                    <Row k="file" v={`${r.input.fileName ?? "(upload)"} (${fmtBytes(r.input.uploadBytes)})`} />
                  )}
                  <Row k="format" v={r.image ? `${r.image.format}${r.image.outerCompression !== "none" ? `, ${r.image.outerCompression}` : ""}` : "—"} />
                  <Row k="names" v={r.image?.names.join(", ") || "—"} />
                  <Row k="platform" v={r.image?.platform ?? "—"} testId="report-platform" />
                  <Row k="platforms offered" v={r.image?.platforms.join(", ") || "—"} />
                  <Row k="entrypoint" v={<code>{JSON.stringify(r.entrypoint)}</code>} testId="report-entrypoint" />
                  <Row k="cmd" v={<code>{JSON.stringify(cfg?.cmd ?? null)}</code>} />
                  <Row k="env" v={<code>{(cfg?.env ?? []).join(" ")}</code>} />
                  <Row k="working dir / user" v={`${cfg?.workingDir || "/"} / ${cfg?.user || "root"}`} />
                  <Row k="exposed ports" v={cfg?.exposedPorts.join(", ") || "—"} />
                </tbody>
              </table>
            </section>
            <section>
              <h3>Filesystem</h3>
              <table className="kv">
                <tbody>
                  <Row k="files / dirs / symlinks" v={`${r.files ?? "—"} / ${r.dirs ?? "—"} / ${r.symlinks ?? "—"}`} testId="report-files" />
                  <Row k="unpacked" v={fmtBytes(r.unpackedBytes)} />
                  <Row k="packed rootfs" v={r.rootfs ? `${fmtBytes(r.rootfs.bytes)}, ${r.rootfs.entries} entries` : "—"} />
                  <Row k="skipped entries" v={r.skipped.length ? r.skipped.map((s) => `${s.path} (${s.type}, layer ${s.layer})`).join("; ") : "none"} />
                </tbody>
              </table>
              <h3>Classification</h3>
              <table className="kv">
                <tbody>
                  <Row k="kind" v={r.classification ? r.classification.kind : "—"} testId="report-classification" />
                  <Row k="details" v={<code>{r.classification ? JSON.stringify(r.classification) : "—"}</code>} />
                  <Row k="ELF" v={<code>{r.elf ? JSON.stringify(r.elf) : "—"}</code>} testId="report-elf" />
                </tbody>
              </table>
            </section>
            <section>
              <h3>Produced</h3>
              <table className="kv">
                <tbody>
                  <Row k="artifact" v={r.produced ? `${r.produced.kind}, ${fmtBytes(r.produced.bytes)}` : "nothing"} testId="report-produced" />
                  <Row k="sha256" v={<code>{r.produced?.sha256 ?? "—"}</code>} />
                  {ports && <Row k="ports" v={ports} testId="report-ports" />}
                  {r.produced?.kind === "native-artifact" && <Row k="start-up snapshot" v={snapshotLine(r.produced.native?.details?.snapshot)} testId="report-snapshot" />}
                </tbody>
              </table>
              {r.produced?.wit && <pre className="code-view small" data-testid="report-wit">{r.produced.wit}</pre>}
              <h3>Timings</h3>
              <table className="kv">
                <tbody>
                  {Object.entries(r.timingsMs).map(([k, v]) => (
                    <Row key={k} k={k} v={`${Math.round(v as number)} ms`} />
                  ))}
                </tbody>
              </table>
            </section>
          </div>
          {r.produced && data.job.state === "succeeded" && <PushArtifact jobId={jobId} />}
          {(r.produced?.kind === "native-artifact" || r.produced?.kind === "wasm-module") && <RunArtifact jobId={jobId} defaultArgs={(cfg?.cmd ?? []).join(" ")} />}
          <h3>Layers ({r.layers.length})</h3>
          <table className="layers" data-testid="report-layers">
            <thead>
              <tr>
                <th>#</th>
                <th>digest</th>
                <th>media type</th>
                <th>size</th>
              </tr>
            </thead>
            <tbody>
              {r.layers.map((l, i) => (
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td>
                    <code title={l.digest ?? l.diffId}>{(l.digest ?? l.diffId ?? "").slice(0, 19)}</code>
                  </td>
                  <td>{l.mediaType}</td>
                  <td>{fmtBytes(l.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Modal>
  );
}
