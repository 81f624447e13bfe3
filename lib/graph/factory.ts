import { derivePorts } from "./ops";
import { CAPABILITY_LABELS, KIND_LABELS } from "./ports";
import type { Capability, NodeConfig, NodeKind, Port, TopologyNode } from "./types";

/** What a palette entry drops onto the canvas: everything but id and position. */
export interface NodeTemplate {
  kind: NodeKind;
  name: string;
  config: Partial<NodeConfig>;
  /** WIT ports for components (from their world). */
  ports?: Port[];
}

export function defaultConfig(kind: NodeKind, capability?: Capability): NodeConfig {
  return {
    env: [],
    replicas: 1,
    exposedPorts: kind === "container" ? [{ port: 8080, protocol: "tcp" }] : [],
    ...(kind === "endpoint" ? { capability: capability ?? "http-ingress" } : {}),
  };
}

export function instantiate(template: NodeTemplate, id: string, position: { x: number; y: number }): TopologyNode {
  const config: NodeConfig = { ...defaultConfig(template.kind, template.config.capability), ...structuredClone(template.config) };
  return {
    id,
    kind: template.kind,
    name: template.name,
    position,
    config,
    ports: derivePorts(template.kind, config, template.ports ?? []),
  };
}

/** The generic palette entries, one per node kind (plus one per capability). */
export function genericTemplates(): NodeTemplate[] {
  return [
    {
      kind: "component",
      name: "component",
      config: {
        source: "user:new",
        world: "app",
        wit: "package user:app@0.1.0;\n\nworld app {\n}\n",
      },
      ports: [],
    },
    { kind: "container", name: "container", config: { image: "docker.io/library/nginx:1.27", exposedPorts: [{ port: 80, protocol: "tcp" }] } },
    ...(Object.keys(CAPABILITY_LABELS) as Capability[]).map((capability) => ({
      kind: "endpoint" as const,
      name: CAPABILITY_LABELS[capability].toLowerCase().replace(/\s+/g, "-"),
      config: { capability },
    })),
  ];
}

export function templateLabel(t: NodeTemplate): string {
  return t.kind === "endpoint" && t.config.capability ? CAPABILITY_LABELS[t.config.capability] : KIND_LABELS[t.kind];
}

/** A spot for a new node that overlaps none: below the lowest node, at the left edge of the design. */
export function freeSpot(nodes: { position: { x: number; y: number } }[]): { x: number; y: number } {
  if (nodes.length === 0) return { x: 80, y: 80 };
  const left = Math.min(...nodes.map((n) => n.position.x));
  const bottom = Math.max(...nodes.map((n) => n.position.y));
  return { x: left, y: bottom + 160 };
}
