// Export readiness runs every exporter over the whole design (seconds at 1,000
// nodes), so the designer asks this worker instead of blocking the canvas.
import { exportReadiness, type ReadinessItem } from "@/lib/manifest/readiness";
import type { DesignDocument } from "@/lib/graph/types";

export type ReadinessReply = { ok: true; items: ReadinessItem[] } | { ok: false; message: string };

self.onmessage = (e: MessageEvent<DesignDocument>) => {
  let reply: ReadinessReply;
  try {
    reply = { ok: true, items: exportReadiness(e.data) };
  } catch (x) {
    reply = { ok: false, message: (x as Error).message };
  }
  (self as unknown as Worker).postMessage(reply);
};
