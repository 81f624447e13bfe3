// Property: the design validator answers any JSON value with ok or typed issues, never a throw.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDesign } from "./document";

const runs = Number(process.env.FUZZ_RUNS ?? 300);

describe("parseDesign (fuzz)", () => {
  it("never throws on arbitrary JSON, and every issue has a path and a message", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const r = parseDesign(v);
        if (!r.ok) for (const i of r.error) expect(typeof i.path === "string" && typeof i.message === "string").toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it("never throws on design-shaped documents with random nodes and links", () => {
    const node = fc.record({ id: fc.string(), kind: fc.constantFrom("container", "component", "endpoint", "x"), name: fc.string(), position: fc.anything(), ports: fc.anything(), config: fc.anything() }, { requiredKeys: [] });
    const link = fc.record({ id: fc.string(), from: fc.anything(), to: fc.anything() }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.record({ trellisVersion: fc.constantFrom(1, 2, "1"), name: fc.string(), topology: fc.record({ nodes: fc.array(node, { maxLength: 6 }), links: fc.array(link, { maxLength: 6 }) }) }), (v) => {
        parseDesign(v);
      }),
      { numRuns: runs },
    );
  });
});
