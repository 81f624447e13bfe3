"use client";
import { useJobs } from "./JobsProvider";

/** Compile option beside "Add image…": a start-up snapshot of native images, with what it costs in secrecy stated where it is turned on. */
export function SnapshotOption() {
  const { snapshot, setSnapshot } = useJobs();
  return (
    <div className="snapshot-option">
      <label title="Native images: run the image's command once while compiling and keep the guest's memory at its first output in the artifact">
        <input type="checkbox" data-testid="add-image-snapshot" checked={snapshot} onChange={(e) => setSnapshot(e.target.checked)} /> Start-up snapshot
      </label>
      {snapshot && (
        <div className="snapshot-caveat" role="note" data-testid="add-image-snapshot-caveat">
          The compile runs the image&apos;s command once and stores its memory at the first output in the artifact; runs with the same arguments and
          environment start from there. Every such run shares that run&apos;s random seeds (stack canary, pointer guard, hash secrets) and clock
          readings, and anyone with the artifact can read them. Leave it off for images that make keys or secrets at start-up.
        </div>
      )}
    </div>
  );
}
