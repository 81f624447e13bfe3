// Every shipped example exports to every target, or the refusal names the
// blocking node and what to do about it.
import { describe, expect, it } from "vitest";
import { examples } from "../../examples/index";
import { EXPORT_TARGETS, exportDesign, validateExportFiles } from "./index";

/** Words of the actions a refusal offers (set an image, wire, compile, use another target, …). */
const ACTION = /\b(set an image|set the image|wire it|wire .* to|compile|use the Kubernetes export|give|add)\b/i;

describe("shipped examples × targets", () => {
  for (const ex of examples) {
    for (const t of EXPORT_TARGETS) {
      it(`${ex.id} → ${t.id}`, () => {
        const r = exportDesign(ex.doc, t.id);
        const errors = r.problems.filter((p) => p.severity === "error");
        if (errors.length === 0) {
          expect(r.files.length).toBeGreaterThan(0);
          expect(validateExportFiles(r.files).filter((v) => !v.ok)).toEqual([]);
          return;
        }
        expect(r.files).toEqual([]);
        for (const e of errors) {
          expect(e.nodeIds.length, `${e.kind}: ${e.message}`).toBeGreaterThan(0);
          for (const id of e.nodeIds) expect(ex.doc.topology.nodes.some((n) => n.id === id)).toBe(true);
          expect(e.message, e.kind).toMatch(ACTION);
        }
      });
    }
  }
  it("the event pipeline exports to Spin with a Redis trigger", () => {
    const r = exportDesign(examples.find((e) => e.id === "event-pipeline")!.doc, "spin");
    expect(r.files.find((f) => f.path.endsWith("spin.toml"))?.content).toContain("[[trigger.redis]]");
  });
});
