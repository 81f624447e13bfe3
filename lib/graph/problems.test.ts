import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findProblems } from "./problems";
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
});
