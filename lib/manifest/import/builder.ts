// Builds a topology while importing: unique ids, the port conventions of the
// model, and one wire per (from port, to port) pair.
import { capabilityPorts } from "../../graph/ports";
import type { HealthCheck, NodeConfig, NodeKind, Topology, TopologyNode } from "../../graph/types";
import { dnsLabel, parseInterface } from "../common";

export const witPortId = (direction: "import" | "export", iface: string): string => {
  const p = parseInterface(iface);
  return `${direction === "export" ? "exp" : "imp"}:${p ? p.id : iface}`;
};

/** The design format caps replicas at 10000. */
const clampReplicas = (n: number): number => Math.min(10000, Math.max(0, Math.trunc(n)));

const isPort = (p: unknown): boolean => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;

/**
 * A health check within the design format's bounds: times 0–86400 s, retries 1–1000 (clamped), and a check
 * on a port outside 1–65535 dropped. Undefined when no way of checking is left.
 */
function boundedHealthcheck(h: HealthCheck): HealthCheck | undefined {
  const out: HealthCheck = { ...h };
  for (const k of ["intervalSeconds", "timeoutSeconds", "startPeriodSeconds"] as const) {
    if (out[k] !== undefined) out[k] = Math.min(86400, Math.max(0, Math.trunc(out[k])));
  }
  if (out.retries !== undefined) out.retries = Math.min(1000, Math.max(1, Math.trunc(out.retries)));
  if (out.httpGet && !isPort(out.httpGet.port)) delete out.httpGet;
  if (out.tcpPort !== undefined && !isPort(out.tcpPort)) delete out.tcpPort;
  return out.exec || out.httpGet || out.tcpPort !== undefined ? out : undefined;
}

export class TopologyBuilder {
  private nodes: TopologyNode[] = [];
  private byId = new Map<string, TopologyNode>();
  private linkKeys = new Set<string>();
  private pairKeys = new Set<string>();
  private links: Topology["links"] = [];

  addNode(kind: NodeKind, name: string, config: Partial<NodeConfig> = {}): TopologyNode {
    const base = `${kind === "endpoint" ? "ep" : kind === "container" ? "ct" : kind === "compiled" ? "cc" : "wc"}-${dnsLabel(name)}`;
    let id = base;
    for (let i = 2; this.byId.has(id); i++) id = `${base}-${i}`;
    const node: TopologyNode = {
      id,
      kind,
      // The design format wants 1–200 characters; a manifest can name a thing "" or at any length.
      name: name.slice(0, 200) || id,
      position: { x: 0, y: 0 },
      ports: [],
      config: { env: [], replicas: 1, exposedPorts: [], ...config },
    };
    node.config.replicas = clampReplicas(node.config.replicas);
    if (kind === "container" || kind === "compiled") node.ports.push({ id: "net", kind: "network", direction: "import", protocol: "tcp" });
    if (kind === "endpoint" && config.capability) node.ports.push(...capabilityPorts(config.capability));
    this.nodes.push(node);
    this.byId.set(id, node);
    return node;
  }

  node(id: string): TopologyNode | undefined {
    return this.byId.get(id);
  }

  /** A WIT port for `iface` (`ns:pkg/name[@version]`), created if missing; returns its id. */
  witPort(node: TopologyNode, direction: "import" | "export", iface: string): string {
    const id = witPortId(direction, iface);
    const existing = node.ports.find((p) => p.id === id);
    if (existing) {
      // Keep the most specific interface text (one with a version).
      if (existing.kind === "wit" && !existing.interface.includes("@") && iface.includes("@")) existing.interface = iface;
      return id;
    }
    node.ports.push({ id, kind: "wit", direction, interface: iface });
    return id;
  }

  /** A listening network port `port:<n>`, created if missing; returns its id. */
  listenPort(node: TopologyNode, port: number, protocol: "tcp" | "udp" | "http" = "tcp"): string {
    const id = `port:${port}`;
    if (!node.ports.some((p) => p.id === id)) node.ports.push({ id, kind: "network", direction: "export", port, protocol });
    if (protocol !== "http" && !node.config.exposedPorts.some((e) => e.port === port && e.protocol === protocol)) {
      node.config.exposedPorts.push({ port, protocol });
    } else if (protocol === "http" && !node.config.exposedPorts.some((e) => e.port === port)) {
      node.config.exposedPorts.push({ port, protocol: "tcp" });
    }
    return id;
  }

  /** Adds a wire unless the same pair of ports is already wired. Returns false for duplicates. */
  link(fromNode: string, fromPort: string, toNode: string, toPort: string): boolean {
    const key = `${fromNode}\u0000${fromPort}\u0000${toNode}\u0000${toPort}`;
    if (this.linkKeys.has(key)) return false;
    this.linkKeys.add(key);
    this.pairKeys.add(fromNode < toNode ? `${fromNode}\u0000${toNode}` : `${toNode}\u0000${fromNode}`);
    this.links.push({ id: `w${this.links.length + 1}`, from: { node: fromNode, port: fromPort }, to: { node: toNode, port: toPort } });
    return true;
  }

  /** True when some wire already joins the two nodes (either direction). */
  hasWireBetween(a: string, b: string): boolean {
    return this.pairKeys.has(a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  }

  build(): Topology {
    // Simple grid placement; importManifest replaces it with an ELK layout.
    this.nodes.forEach((n, i) => (n.position = { x: (i % 6) * 260, y: Math.floor(i / 6) * 180 }));
    // Again here: importers set replicas after addNode too (wadm scaler traits).
    for (const n of this.nodes) {
      n.config.replicas = clampReplicas(n.config.replicas);
      if (n.config.healthcheck) {
        const h = boundedHealthcheck(n.config.healthcheck);
        if (h) n.config.healthcheck = h;
        else delete n.config.healthcheck;
      }
    }
    return { nodes: this.nodes, links: this.links };
  }
}
