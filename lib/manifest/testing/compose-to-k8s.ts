// Test support: a compose file imported and exported to Kubernetes; the only
// refusal allowed is services compose builds locally (no image to deploy).
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { parseAllDocuments } from "yaml";
import type { DesignDocument } from "../../graph/types";
import { exportK8s, parseManifest, validateK8sObjects } from "../index";

export function composeToK8s(file: string): void {
  const r = parseManifest(readFileSync(file, "utf8"), "compose");
  if (!r.ok) throw new Error(r.error.message);
  const out = exportK8s(r.value.design);
  const buildOnly = r.value.design.topology.nodes.filter((n) => !n.config.image).map((n) => n.id).sort();
  const errors = out.problems.filter((p) => p.severity === "error");
  // The only refusal allowed: services that compose builds locally have no image to deploy.
  expect(errors.every((p) => p.kind === "missing-image")).toBe(true);
  expect(errors.flatMap((p) => p.nodeIds).sort()).toEqual(buildOnly);
  if (buildOnly.length > 0) {
    // Give build-only services an image (as the user would after pushing) and the export goes through.
    const fixed: DesignDocument = {
      ...r.value.design,
      topology: { ...r.value.design.topology, nodes: r.value.design.topology.nodes.map((n) => (n.config.image ? n : { ...n, config: { ...n.config, image: `registry.local/${n.name}:dev` } })) },
    };
    const again = exportK8s(fixed);
    expect(again.problems.filter((p) => p.severity === "error")).toEqual([]);
    out.files.push(...again.files);
  }
  expect(out.files).toHaveLength(1);
  const objects = parseAllDocuments(out.files[0]!.content).map((d) => d.toJS() as unknown);
  expect(validateK8sObjects(objects)).toEqual({ ok: true });
  expect(objects.filter((o) => (o as { kind: string }).kind === "Deployment")).toHaveLength(r.value.design.topology.nodes.length);
}
