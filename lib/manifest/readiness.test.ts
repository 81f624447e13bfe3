import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { examples } from "../../examples/index";
import type { DesignDocument } from "../graph/types";
import { generateDesign } from "../../bench/design-gen";
import { EXPORT_TARGETS, exportDesign } from "./index";
import { exportReadiness } from "./readiness";

const ex = (id: string): DesignDocument => structuredClone(examples.find((e) => e.id === id)!.doc);

describe("export readiness", () => {
  it("a design without images: one entry per node, naming every target it blocks, with the set-image fix", () => {
    const doc = ex("thumbnail-service");
    const api = doc.topology.nodes.find((n) => n.name === "api")!;
    delete api.config.image;
    const items = exportReadiness(doc).filter((i) => i.nodeIds.includes(api.id));
    expect(items).toHaveLength(1);
    expect(items[0]!.kind).toBe("missing-image");
    expect(items[0]!.targets.map((t) => t.id)).toEqual(["wasmcloud", "wadm", "k8s"]);
    expect(items[0]!.fix).toEqual({ kind: "set-image", nodeIds: [api.id] });
  });
  it("a containers-only design: Wasm targets are blocked, the fix compiles the containers", () => {
    const doc = ex("web-shop-containers");
    const items = exportReadiness(doc);
    const empty = items.find((i) => i.kind === "empty")!;
    expect(empty.targets.map((t) => t.id)).toEqual(["wasmcloud", "wadm", "spin", "wac"]);
    expect(empty.fix).toEqual({ kind: "compile", nodeIds: doc.topology.nodes.filter((n) => n.kind === "container").map((n) => n.id) });
    expect(items.some((i) => i.targets.some((t) => t.id === "k8s"))).toBe(false);
  });
  it("a design every target takes has nothing to report", () => {
    const doc = JSON.parse(readFileSync(new URL("./fixtures/designs/kvcounter.json", import.meta.url), "utf8")) as DesignDocument;
    expect(exportReadiness(doc).filter((i) => i.targets.some((t) => t.id === "wasmcloud" || t.id === "k8s"))).toEqual([]);
  });
  it("asks for problems only: the same problems as the whole export, and no files", () => {
    const fixtures = readdirSync(new URL("./fixtures/designs/", import.meta.url)).filter((f) => f.endsWith(".json"));
    const designs = [
      ...examples.map((e) => structuredClone(e.doc)),
      ...fixtures.map((f) => JSON.parse(readFileSync(new URL(`./fixtures/designs/${f}`, import.meta.url), "utf8")) as DesignDocument),
      generateDesign(60, 90, 3),
    ];
    let files = 0;
    for (const doc of designs) {
      for (const t of EXPORT_TARGETS) {
        const whole = exportDesign(doc, t.id);
        const only = exportDesign(doc, t.id, { problemsOnly: true });
        expect(only.problems, `${doc.name} → ${t.id}`).toEqual(whole.problems);
        expect(only.files).toEqual([]);
        files += whole.files.length;
      }
    }
    // Designs that export cleanly were among them (so a skipped file could not have hidden a problem unseen).
    expect(files).toBeGreaterThan(5);
  });
});
