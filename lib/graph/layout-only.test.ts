import { describe, expect, it } from "vitest";
import { generateDesign } from "../../bench/design-gen";
import { onlyPositionsDiffer } from "./layout-only";
import { moveNodes, updateNode } from "./ops";

describe("onlyPositionsDiffer", () => {
  const d = generateDesign(30, 40);
  it("is true for a move (one node or many) and for the same design", () => {
    expect(onlyPositionsDiffer(d, d)).toBe(true);
    const moved = { ...d, topology: moveNodes(d.topology, { [d.topology.nodes[2]!.id]: { x: 500, y: 7 }, [d.topology.nodes[9]!.id]: { x: 1, y: 2 } }) };
    expect(moved.topology).not.toBe(d.topology);
    expect(onlyPositionsDiffer(d, moved)).toBe(true);
  });

  it("is false for any other change", () => {
    const n = d.topology.nodes[4]!;
    const renamed = updateNode(d.topology, n.id, { name: "other" });
    if (!renamed.ok) throw new Error(renamed.error.message);
    expect(onlyPositionsDiffer(d, { ...d, topology: renamed.value.topology })).toBe(false);
    expect(onlyPositionsDiffer(d, { ...d, name: "x" })).toBe(false);
    expect(onlyPositionsDiffer(d, { ...d, topology: { ...d.topology, links: d.topology.links.slice(1) } })).toBe(false);
    expect(onlyPositionsDiffer(d, { ...d, topology: { ...d.topology, nodes: d.topology.nodes.slice(1) } })).toBe(false);
    // A moved node that also changed (a copy with new config) is not a move.
    const nodes = d.topology.nodes.map((m) => (m.id === n.id ? { ...m, position: { x: 9, y: 9 }, config: { ...m.config } } : m));
    expect(onlyPositionsDiffer(d, { ...d, topology: { ...d.topology, nodes } })).toBe(false);
    expect(onlyPositionsDiffer(d, { ...d, topology: { ...d.topology, nodes: [...d.topology.nodes].reverse() } })).toBe(false);
  });
});
