// Export readiness: what blocks each target, grouped by blocking node, with
// the fix where there is one (set an image; compile containers to Wasm). Pure:
// the Problems panel shows it before the user opens Export.
import type { DesignDocument } from "../graph/types";
import { EXPORT_TARGETS, exportDesign } from "./index";
import type { ExportProblemKind, ExportTarget } from "./types";

export type ReadinessFix = { kind: "set-image"; nodeIds: string[] } | { kind: "compile"; nodeIds: string[] };

export interface ReadinessItem {
  key: string;
  kind: ExportProblemKind;
  /** Targets this problem blocks, in EXPORT_TARGETS order. */
  targets: { id: ExportTarget; label: string }[];
  message: string;
  nodeIds: string[];
  linkIds: string[];
  fix?: ReadinessFix;
}

export function exportReadiness(doc: DesignDocument): ReadinessItem[] {
  const items = new Map<string, ReadinessItem>();
  const byId = new Map(doc.topology.nodes.map((n) => [n.id, n]));
  for (const t of EXPORT_TARGETS) {
    for (const p of exportDesign(doc, t.id, { problemsOnly: true }).problems) {
      if (p.severity !== "error") continue;
      const nodes = p.nodeIds.map((id) => byId.get(id)).filter((n) => !!n);
      const containersOnly = p.kind === "empty" && nodes.length > 0 && nodes.every((n) => n.kind === "container");
      // A missing image, or a design of containers only, blocks each target for the same reason: one entry.
      // Other problems differ per target.
      const shared = p.kind === "missing-image" || containersOnly;
      const key = `${p.kind}/${[...p.nodeIds].sort().join(",")}/${[...p.linkIds].sort().join(",")}${shared ? "" : `/${p.message}`}`;
      const existing = items.get(key);
      if (existing) {
        if (!existing.targets.some((x) => x.id === t.id)) existing.targets.push(t);
        continue;
      }
      const fix: ReadinessFix | undefined =
        p.kind === "missing-image"
          ? { kind: "set-image", nodeIds: p.nodeIds }
          : containersOnly
            ? { kind: "compile", nodeIds: nodes.filter((n) => n.config.image).map((n) => n.id) }
            : undefined;
      const message =
        p.kind === "missing-image"
          ? `${nodes.map((n) => n.name).join(", ")}: no image reference; the targets pull every workload from a registry`
          : containersOnly
            ? `the design has only containers (${nodes.map((n) => n.name).join(", ")}); Wasm targets need components: compile the containers to Wasm, or use the Kubernetes export`
            : p.message;
      items.set(key, { key, kind: p.kind, targets: [t], message, nodeIds: p.nodeIds, linkIds: p.linkIds, ...(fix ? { fix } : {}) });
    }
  }
  return [...items.values()];
}
