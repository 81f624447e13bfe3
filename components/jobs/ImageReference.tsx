"use client";
import { useState } from "react";
import { useJobs } from "./JobsProvider";

/** The reference half of "Add image…": `registry/repo:tag` or `repo@sha256:…`, pulled by the server. */
export function ImageReference({ platform, onStarted }: { platform?: string; onStarted?: () => void }) {
  const { startPull } = useJobs();
  const [ref, setRef] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    if (!ref.trim()) return;
    setBusy(true);
    setError(null);
    const e = await startPull(ref.trim(), platform);
    setBusy(false);
    if (e) setError(e);
    else {
      setRef("");
      onStarted?.();
    }
  };
  return (
    <form
      className="image-ref"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <input
        data-testid="add-image-ref"
        aria-label="Image reference"
        placeholder="or a reference: registry/repo:tag"
        value={ref}
        onChange={(e) => setRef(e.target.value)}
        title="An image in a registry: host[:port]/repo[:tag] or …@sha256:…; Docker Hub names like nginx work too"
      />
      <button type="submit" data-testid="add-image-pull" disabled={busy || !ref.trim()}>
        {busy ? "Pulling…" : "Pull"}
      </button>
      {error && (
        <div className="job-error" role="alert" data-testid="add-image-ref-error">
          {error}
        </div>
      )}
    </form>
  );
}
