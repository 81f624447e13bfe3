import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateDesign } from "../../bench/design-gen";
import { checkLink } from "./ops";
import { findProblems } from "./problems";
import { witChecker } from "./wit-checker";
import type { DesignDocument } from "./types";

const sample = (): DesignDocument => JSON.parse(readFileSync("examples/thumbnail-service.json", "utf8"));

describe("findProblems", () => {
  it("finds nothing in the sample", () => {
    expect(findProblems(sample().topology)).toEqual([]);
  });

  it("flags a wire that no longer type-checks, and an unwired import, but not wasi imports", () => {
    const d = sample();
    const thumb = d.topology.nodes.find((n) => n.id === "thumbnailer")!;
    const port = thumb.ports.find((p) => p.kind === "wit")!;
    if (port.kind === "wit") port.interface = "acme:images/thumbnail@0.2.0";
    d.topology.links = d.topology.links.filter((l) => l.to.port !== "imp:wasi:keyvalue/store");
    const problems = findProblems(d.topology);
    expect(problems).toEqual([expect.objectContaining({ kind: "broken-link", linkId: "link-1", nodeIds: ["thumbnailer", "api"] })]);
    d.topology.links = d.topology.links.filter((l) => l.id !== "link-1");
    expect(findProblems(d.topology)).toEqual([expect.objectContaining({ kind: "unsatisfied-import", nodeId: "api", portId: "imp:acme:images/thumbnail" })]);
  });

  it("answers as checking each wire against all the others does (duplicates, taken imports, bad ports)", () => {
    const t = generateDesign(120, 240, 3).topology;
    // Make the design dirty: a duplicate wire, a second wire into a taken import, a wire to a missing port and node.
    const [a, b] = t.links;
    t.links.push({ ...a!, id: "dup" }, { ...b!, id: "second", from: t.links[5]!.from }, { ...a!, id: "no-port", to: { node: a!.to.node, port: "nope" } }, { ...a!, id: "no-node", from: { node: "ghost", port: "x" } });
    const scan = t.links.flatMap((l) => {
      const e = checkLink({ ...t, links: t.links.filter((x) => x.id !== l.id) }, l.from, l.to, witChecker);
      return e ? [{ kind: "broken-link", linkId: l.id, nodeIds: [l.from.node, l.to.node], message: e.message }] : [];
    });
    const found = findProblems(t, witChecker).filter((p) => p.kind === "broken-link");
    expect(scan.length).toBeGreaterThan(4);
    expect(found).toEqual(scan);
  });
});
