import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateDesign } from "../../bench/design-gen";
import { instantiate } from "../graph/factory";
import { checkLink } from "../graph/ops";
import { findProblems } from "../graph/problems";
import type { DesignDocument, Topology } from "../graph/types";
import { witChecker } from "../graph/wit-checker";
import { createDesignerStore } from "./designer-store";
import { currentWitChecker, hasWit, loadWitSupport, pendingWitChecker, sameAnswers, WIT_PENDING_MESSAGE, witSupport } from "./wit-support";

const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(`examples/${f}`, "utf8")) as DesignDocument);

const infer = `package acme:ml@1.0.0;
interface infer {
  predict: func(input: list<u8>) -> list<f32>;
}
`;
function witNode(id: string, world: string, body: string) {
  return instantiate({ kind: "component", name: id, config: { wit: `${infer}world ${world} { ${body} }\n`, world } }, id, { x: 0, y: 0 });
}

describe("the WIT checker before it has loaded", () => {
  it("is the pending checker until loaded, and the store starts with it", () => {
    expect(witSupport()).toBeNull();
    expect(currentWitChecker()).toBe(pendingWitChecker);
    const s = createDesignerStore({ projectId: "p", doc: examples[0]!, revision: 1 });
    expect(s.getState().checker).toBe(pendingWitChecker);
  });

  it("refuses a wire with WIT at an end, saying why, and a WIT edit, without changing the design", () => {
    const t: Topology = { nodes: [witNode("a", "server", "export infer;"), witNode("b", "client", "import infer;")], links: [] };
    // The ports as the node had them when it was added (the analyzer derived them).
    t.nodes[0]!.ports = [{ id: "exp:acme:ml/infer", kind: "wit", direction: "export", interface: "acme:ml/infer@1.0.0" }];
    t.nodes[1]!.ports = [{ id: "imp:acme:ml/infer", kind: "wit", direction: "import", interface: "acme:ml/infer@1.0.0" }];
    const s = createDesignerStore({ projectId: "p", doc: { trellisVersion: 1, name: "w", topology: t }, revision: 1 });
    const e = s.getState().connect({ node: "a", port: "exp:acme:ml/infer" }, { node: "b", port: "imp:acme:ml/infer" });
    expect(e?.message).toContain(WIT_PENDING_MESSAGE);
    expect(s.getState().doc.topology.links).toEqual([]);
    const before = s.getState().doc;
    const u = s.getState().updateNode("a", { config: { wit: `${infer}world server { }\n` } });
    expect(u).toMatchObject({ kind: "invalid-field", field: "wit", message: WIT_PENDING_MESSAGE });
    expect(s.getState().doc).toBe(before);
  });

  it("answers every wire as the WIT checker does on designs without WIT (the examples, a generated design)", () => {
    const designs = [...examples.map((d) => d.topology), generateDesign(300, 450, 5).topology];
    let wires = 0;
    for (const t of designs) {
      if (t.nodes.some(hasWit)) continue;
      wires += t.links.length;
      expect(findProblems(t, pendingWitChecker)).toEqual(findProblems(t, witChecker));
      for (const l of t.links) {
        const rest = { ...t, links: t.links.filter((x) => x.id !== l.id) };
        expect(checkLink(rest, l.from, l.to, pendingWitChecker)).toEqual(checkLink(rest, l.from, l.to, witChecker));
      }
    }
    expect(wires).toBeGreaterThan(450);
  });
});

describe("the WIT checker once loaded", () => {
  it("loads once, and then checks wires with WIT structurally", async () => {
    const m = await loadWitSupport();
    expect(await loadWitSupport()).toBe(m);
    expect(witSupport()).toBe(m);
    expect(currentWitChecker()).toBe(m.witChecker);
    const t: Topology = { nodes: [witNode("a", "server", "export infer;"), witNode("b", "client", "import infer;")], links: [] };
    t.nodes = t.nodes.map((n) => ({ ...n, ports: m.analyzeNodeWit(n)!.ports }));
    const s = createDesignerStore({ projectId: "p", doc: { trellisVersion: 1, name: "w", topology: t }, revision: 1 });
    expect(s.getState().checker).toBe(m.witChecker);
    expect(s.getState().connect({ node: "a", port: "exp:acme:ml/infer" }, { node: "b", port: "imp:acme:ml/infer" })).toBeNull();
    // A WIT edit that drops the export keeps the wired port, which the checker now calls broken.
    expect(s.getState().updateNode("a", { config: { wit: `${infer}world server { }\n` } })).toBeNull();
    const problems = findProblems(s.getState().doc.topology, s.getState().checker);
    expect(problems).toEqual([expect.objectContaining({ kind: "broken-link", message: expect.stringContaining("no longer in") })]);
  });

  it("gives the same answers as the pending checker only where no node has WIT", async () => {
    const m = await loadWitSupport();
    const plain = generateDesign(20, 30, 2).topology.nodes;
    const withWit = [...plain, witNode("a", "server", "export infer;")];
    expect(sameAnswers(pendingWitChecker, m.witChecker, plain)).toBe(true);
    expect(sameAnswers(pendingWitChecker, m.witChecker, withWit)).toBe(false);
    expect(sameAnswers(m.witChecker, m.witChecker, withWit)).toBe(true);
    expect(sameAnswers(pendingWitChecker, () => null, plain)).toBe(false);
  });
});
