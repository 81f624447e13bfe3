import { describe, expect, it } from "vitest";
import { generateDesign } from "../../bench/design-gen";
import { createFlowAdapter, type AdapterInput } from "./flow-adapter";

function input(over: Partial<AdapterInput> = {}): AdapterInput {
  const d = generateDesign(20, 30);
  return {
    nodes: d.topology.nodes,
    links: d.topology.links,
    selectedNodes: new Set(),
    selectedLinks: new Set(),
    nodeProblems: new Map(),
    linkProblems: new Map(),
    highlightedNodes: new Set(),
    highlightedLinks: new Set(),
    measured: {},
    ...over,
  };
}

describe("flow adapter", () => {
  it("reuses unchanged nodes and keeps node data when only size or selection changed", () => {
    const a = createFlowAdapter();
    const base = input();
    const first = a.nodes(base);
    expect(a.nodes({ ...base })).toEqual(first);
    expect(a.nodes({ ...base }).every((n, i) => n === first[i])).toBe(true);
    const id = base.nodes[3]!.id;
    const measured = a.nodes({ ...base, measured: { [id]: { width: 230, height: 90 } }, selectedNodes: new Set([id]) });
    const changed = measured.findIndex((n, i) => n !== first[i]);
    expect(changed).toBe(3);
    expect(measured[3]).toMatchObject({ id, selected: true, measured: { width: 230, height: 90 } });
    // The memo'd node component compares data by identity: a new size alone must not re-render it.
    expect(measured[3]!.data).toBe(first[3]!.data);
  });

  it("gives a node new data when what it shows changes", () => {
    const a = createFlowAdapter();
    const base = input();
    const first = a.nodes(base);
    const id = base.nodes[5]!.id;
    const next = a.nodes({ ...base, nodeProblems: new Map([[id, 2]]) });
    expect(next[5]!.data).not.toBe(first[5]!.data);
    expect(next[5]!.data.problemCount).toBe(2);
    expect(next[4]!.data).toBe(first[4]!.data);
    const renamed = base.nodes.map((n) => (n.id === id ? { ...n, name: "renamed" } : n));
    expect(a.nodes({ ...base, nodes: renamed })[5]!.data.name).toBe("renamed");
  });
});
