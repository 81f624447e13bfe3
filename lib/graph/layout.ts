// Auto-layout with ELK's layered algorithm, left to right, with ports so wires
// attach on the correct sides. Pure: returns a new topology with new positions.
import ELK from "elkjs/lib/elk.bundled.js";
import type { Topology } from "./types";

const NODE_WIDTH = 230;
const PORT_ROW = 20; // 12px port labels (readable at zoom 0.8) plus the row gap
const HEADER = 52;

/** Rough node height from its port rows; matches the canvas node's layout. */
export function estimateNodeSize(ports: number): { width: number; height: number } {
  return { width: NODE_WIDTH, height: HEADER + Math.max(1, ports) * PORT_ROW };
}

export async function layoutTopology(t: Topology, options: { spacing?: number } = {}): Promise<Topology> {
  if (t.nodes.length === 0) return t;
  const elk = new ELK();
  const spacing = String(options.spacing ?? 60);
  const graph = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.layered.spacing.nodeNodeBetweenLayers": String(Number(spacing) * 1.6),
      "elk.spacing.nodeNode": spacing,
      "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
      "elk.layered.cycleBreaking.strategy": "DEPTH_FIRST",
      "elk.separateConnectedComponents": "true",
    },
    children: t.nodes.map((n) => {
      const inputs = n.ports.filter((p) => p.direction === "import");
      const outputs = n.ports.filter((p) => p.direction === "export");
      const size = estimateNodeSize(Math.max(inputs.length, outputs.length));
      return {
        id: n.id,
        ...size,
        layoutOptions: { "elk.portConstraints": "FIXED_SIDE" },
        ports: [
          ...inputs.map((p) => ({ id: `${n.id}::${p.id}`, width: 8, height: 8, layoutOptions: { "elk.port.side": "WEST" } })),
          ...outputs.map((p) => ({ id: `${n.id}::${p.id}`, width: 8, height: 8, layoutOptions: { "elk.port.side": "EAST" } })),
        ],
      };
    }),
    edges: t.links.map((l) => ({ id: l.id, sources: [`${l.from.node}::${l.from.port}`], targets: [`${l.to.node}::${l.to.port}`] })),
  };
  const out = await elk.layout(graph);
  const pos = new Map((out.children ?? []).map((c) => [c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) }]));
  return { ...t, nodes: t.nodes.map((n) => ({ ...n, position: pos.get(n.id) ?? n.position })) };
}
