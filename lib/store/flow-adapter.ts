// Derives React Flow nodes and edges from the topology. React Flow is a view:
// node.data holds serializable values only, and objects are reused while their
// inputs are unchanged so memo'd node components skip re-rendering.
import type { Edge, Node } from "@xyflow/react";
import { portLabel } from "../graph/ports";
import type { Capability, Link, NodeKind, Port, TopologyNode } from "../graph/types";

export interface PortView {
  id: string;
  label: string;
  kind: Port["kind"];
  direction: Port["direction"];
}

export interface NodeView extends Record<string, unknown> {
  name: string;
  kind: NodeKind;
  subtitle: string;
  capability?: Capability;
  inputs: PortView[];
  outputs: PortView[];
  problemCount: number;
  highlighted: boolean;
  progress?: number;
  /** What the last run saw at this node (calls, time, error). */
  run?: { text: string; error: boolean };
  /** The image compile that should have produced this node failed. */
  failure?: { jobId: string; kind: string; message: string };
}

export interface EdgeView extends Record<string, unknown> {
  label: string;
  linkKind: Port["kind"];
  problem?: string;
  highlighted: boolean;
  /** A value seen on this wire during a run. */
  value?: string;
}

export type FlowNode = Node<NodeView, "trellis">;
export type FlowEdge = Edge<EdgeView, "trellis">;

function subtitle(n: TopologyNode): string {
  switch (n.kind) {
    case "container":
    case "compiled":
      return n.config.image ?? "(no image)";
    case "component":
      return n.config.image ?? n.config.source ?? "";
    case "endpoint":
      return n.config.capability ?? "";
  }
}

const portView = (p: Port): PortView => ({ id: p.id, label: portLabel(p), kind: p.kind, direction: p.direction });

export interface AdapterInput {
  nodes: TopologyNode[];
  links: Link[];
  selectedNodes: Set<string>;
  selectedLinks: Set<string>;
  nodeProblems: Map<string, number>;
  linkProblems: Map<string, string>;
  highlightedNodes: Set<string>;
  highlightedLinks: Set<string>;
  progress?: Map<string, number>;
  run?: { nodes: Map<string, { text: string; error: boolean }>; links: Map<string, string> };
  failures?: Map<string, { jobId: string; kind: string; message: string }>;
  /** Sizes React Flow measured; it needs them back on controlled nodes. */
  measured: Record<string, { width: number; height: number }>;
}

/** Keeps derived objects stable between calls when their inputs did not change. */
export function createFlowAdapter() {
  const nodeCache = new Map<string, { key: unknown[]; node: FlowNode }>();
  const dataCache = new Map<string, { key: unknown[]; data: NodeView }>();
  const edgeCache = new Map<string, { key: unknown[]; edge: FlowEdge }>();

  const unchanged = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

  function nodes(input: AdapterInput): FlowNode[] {
    const seen = new Set<string>();
    const out = input.nodes.map((n) => {
      seen.add(n.id);
      const pos = n.position;
      const m = input.measured[n.id];
      const run = input.run?.nodes.get(n.id);
      const failure = input.failures?.get(n.id);
      const problemCount = input.nodeProblems.get(n.id) ?? 0;
      const highlighted = input.highlightedNodes.has(n.id);
      const progress = input.progress?.get(n.id);
      // `data` keeps its identity when only the size or the selection changed (React Flow's first
      // measurement of every node, a click): the memo'd node component then skips its render.
      const dataKey = [n, problemCount, highlighted, progress, run, failure];
      const cachedData = dataCache.get(n.id);
      let data = cachedData && unchanged(cachedData.key, dataKey) ? cachedData.data : undefined;
      if (!data) {
        data = {
          name: n.name,
          kind: n.kind,
          subtitle: subtitle(n),
          capability: n.config.capability,
          inputs: n.ports.filter((p) => p.direction === "import").map(portView),
          outputs: n.ports.filter((p) => p.direction === "export").map(portView),
          problemCount,
          highlighted,
          progress,
          run,
          ...(failure ? { failure } : {}),
        };
        dataCache.set(n.id, { key: dataKey, data });
      }
      const key = [n, m?.width, m?.height, input.selectedNodes.has(n.id), data];
      const cached = nodeCache.get(n.id);
      if (cached && unchanged(cached.key, key)) return cached.node;
      const node: FlowNode = {
        id: n.id,
        type: "trellis",
        position: { x: pos.x, y: pos.y },
        selected: input.selectedNodes.has(n.id),
        ...(m ? { measured: { width: m.width, height: m.height } } : {}),
        data,
      };
      nodeCache.set(n.id, { key, node });
      return node;
    });
    for (const id of nodeCache.keys()) if (!seen.has(id)) (nodeCache.delete(id), dataCache.delete(id));
    return out;
  }

  function edges(input: AdapterInput, portOf: (end: Link["from"]) => Port | undefined): FlowEdge[] {
    const seen = new Set<string>();
    const out = input.links.map((l) => {
      seen.add(l.id);
      const problem = input.linkProblems.get(l.id);
      const value = input.run?.links.get(l.id);
      const key = [l, input.selectedLinks.has(l.id), problem, input.highlightedLinks.has(l.id), value];
      const cached = edgeCache.get(l.id);
      if (cached && unchanged(cached.key, key)) return cached.edge;
      const fromPort = portOf(l.from);
      const edge: FlowEdge = {
        id: l.id,
        type: "trellis",
        source: l.from.node,
        sourceHandle: l.from.port,
        target: l.to.node,
        targetHandle: l.to.port,
        selected: input.selectedLinks.has(l.id),
        data: {
          label: fromPort ? portLabel(fromPort) : l.from.port,
          linkKind: fromPort?.kind ?? "network",
          problem,
          highlighted: input.highlightedLinks.has(l.id),
          value,
        },
      };
      edgeCache.set(l.id, { key, edge });
      return edge;
    });
    for (const id of edgeCache.keys()) if (!seen.has(id)) edgeCache.delete(id);
    return out;
  }

  return { nodes, edges };
}
