"use client";
import type { PullDetail } from "@/lib/jobs/handlers";

const fmt = (n: number) => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** Per-blob progress of a pull: the config, then each layer. */
export function PullLayers({ detail }: { detail: PullDetail }) {
  return (
    <ul className="pull-layers" data-testid="pull-layers">
      {detail.blobs.map((b, i) => {
        const pct = b.size ? (b.done / b.size) * 100 : 100;
        return (
          <li key={`${b.digest}-${i}`} data-testid="pull-layer" data-done={b.done === b.size ? "true" : "false"}>
            <span className="pull-layer-name">
              {i === 0 ? "config" : `layer ${i}`} <code title={b.digest}>{b.digest.slice(7, 19)}</code>
            </span>
            <div className="bar" data-percent={Math.round(pct)}>
              <div className="bar-fill" style={{ width: `${pct}%` }} />
            </div>
            <span className="pull-layer-bytes">
              {fmt(b.done)} / {fmt(b.size)}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
