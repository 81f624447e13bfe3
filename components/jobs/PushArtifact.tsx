"use client";
import { useEffect, useState } from "react";
import { registryApi, type PushInfo } from "@/lib/jobs/client";
import { useDesignerStore } from "../designer/store-context";

/**
 * Push a compiled artifact to a registry (as a Wasm OCI artifact). The nodes
 * compiled by this job then use the pushed reference, pinned to its digest,
 * so every export points at an artifact that exists.
 */
export function PushArtifact({ jobId }: { jobId: string }) {
  const store = useDesignerStore();
  const [ref, setRef] = useState("");
  const [target, setTarget] = useState<string | null>(null);
  const [pushes, setPushes] = useState<PushInfo[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    registryApi.settings().then((s) => setTarget(s.pushTarget), () => undefined);
    registryApi.pushes(jobId).then(setPushes, () => undefined);
  }, [jobId]);
  const push = async () => {
    setBusy(true);
    setError(null);
    try {
      const p = await registryApi.push(jobId, ref.trim() || undefined);
      setPushes((ps) => [...ps, p]);
      const s = store.getState();
      for (const n of s.doc.topology.nodes.filter((n) => n.config.compile?.jobId === jobId)) s.updateNode(n.id, { config: { image: p.pinned } });
      s.notify({ level: "info", message: `pushed ${p.pinned}; the design's nodes from this compile now use it` });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="push-artifact" data-testid="report-push-section">
      <h3>Push to a registry</h3>
      <form
        className="image-ref"
        onSubmit={(e) => {
          e.preventDefault();
          void push();
        }}
      >
        <input
          data-testid="report-push-ref"
          aria-label="Push reference"
          value={ref}
          onChange={(e) => setRef(e.target.value)}
          placeholder={target ? `default: ${target}/<name>-wasm:<tag>` : "registry/repo:tag (or set a push target under Registries)"}
        />
        <button type="submit" data-testid="report-push" disabled={busy || (!ref.trim() && !target)}>
          {busy ? "Pushing…" : "Push"}
        </button>
      </form>
      {error && (
        <div className="notice notice-error" role="alert" data-testid="report-push-error">
          {error}
        </div>
      )}
      {pushes.length > 0 && (
        <ul className="pushes" data-testid="report-pushes">
          {pushes.map((p) => (
            <li key={p.at + p.digest} data-testid="report-pushed">
              <code>{p.pinned}</code> ({p.file}, {p.bytes} bytes)
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
