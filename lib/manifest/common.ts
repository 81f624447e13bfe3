// Helpers shared by the exporters: interface names, DNS-safe names, wire
// resolution, graph groups and ordering. Pure functions over the topology.
import type { Link, Port, Topology, TopologyNode, WitPort } from "../graph/types";
import { versionsCompatible } from "../wit/compat";
import type { ExportProblem, ExportProblemKind } from "./types";

export interface InterfaceName {
  namespace: string;
  package: string;
  /** Interface name inside the package. */
  name: string;
  version?: string;
  /** `ns:pkg/iface` without version (the port id suffix). */
  id: string;
  /** `ns:pkg` */
  packageId: string;
}

const IFACE_RE = /^([a-z][a-z0-9-]*):([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)(?:@([0-9A-Za-z.+-]+))?$/;

/** Parses `ns:pkg/iface@version` (version optional); null when malformed. */
export function parseInterface(text: string): InterfaceName | null {
  const m = IFACE_RE.exec(text.trim());
  if (!m) return null;
  const [, namespace, pkg, name, version] = m as unknown as [string, string, string, string, string | undefined];
  return {
    namespace,
    package: pkg,
    name,
    ...(version ? { version } : {}),
    id: `${namespace}:${pkg}/${name}`,
    packageId: `${namespace}:${pkg}`,
  };
}

export const formatInterface = (i: InterfaceName): string => (i.version ? `${i.id}@${i.version}` : i.id);

/** A DNS-1123 label (lowercase alphanumerics and `-`, ≤ 63 chars, starts/ends alphanumeric). */
export function dnsLabel(name: string, fallback = "node"): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/g, "");
  const label = s.length > 0 ? s : fallback;
  return /^[a-z]/.test(label) ? label : `${fallback}-${label}`.slice(0, 63).replace(/-+$/g, "");
}

/** Unique DNS labels for the given nodes, stable in node order. */
export function uniqueNames(nodes: TopologyNode[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const n of nodes) {
    const base = dnsLabel(n.name || n.id);
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base.slice(0, 60)}-${i}`;
    used.add(name);
    out.set(n.id, name);
  }
  return out;
}

/** UPPER_SNAKE form for environment variable names. */
export const envName = (name: string): string =>
  name.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "").replace(/^(?=[0-9])/, "_") || "VALUE";

export function problem(
  kind: ExportProblemKind,
  severity: "error" | "warning",
  message: string,
  nodeIds: string[] = [],
  linkIds: string[] = [],
): ExportProblem {
  return { kind, severity, message, nodeIds, linkIds };
}

export interface ResolvedLink {
  link: Link;
  from: TopologyNode;
  fromPort: Port;
  to: TopologyNode;
  toPort: Port;
}

/** Resolves wires to their nodes and ports; wires that point nowhere become problems. */
export function resolveLinks(topology: Topology): { links: ResolvedLink[]; problems: ExportProblem[] } {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const links: ResolvedLink[] = [];
  const problems: ExportProblem[] = [];
  for (const link of topology.links) {
    const from = byId.get(link.from.node);
    const to = byId.get(link.to.node);
    const fromPort = from?.ports.find((p) => p.id === link.from.port);
    const toPort = to?.ports.find((p) => p.id === link.to.port);
    if (!from || !to || !fromPort || !toPort) {
      problems.push(
        problem("dangling-wire", "error", `wire ${link.id} refers to a node or port that does not exist`, [link.from.node, link.to.node], [link.id]),
      );
      continue;
    }
    links.push({ link, from, fromPort, to, toPort });
  }
  return { links, problems };
}

/**
 * Why a wire carries no usable WIT interface, or null when it does: both ends
 * are WIT ports naming the same interface, with compatible versions (lib/wit's
 * semver rule) when both ends state one.
 */
export function untypedReason(r: ResolvedLink): string | null {
  if (r.fromPort.kind !== "wit" || r.toPort.kind !== "wit") return `${r.fromPort.id} → ${r.toPort.id} is not a WIT port pair`;
  const a = parseInterface(r.fromPort.interface);
  const b = parseInterface(r.toPort.interface);
  if (!a || !b) return `'${!a ? r.fromPort.interface : r.toPort.interface}' is not a WIT interface name`;
  if (a.id !== b.id) return `export ${a.id} does not match import ${b.id}`;
  if (a.version && b.version && !versionsCompatible(a.version, b.version)) return `${a.id}: export version ${a.version} does not satisfy import version ${b.version}`;
  return null;
}

/** The WIT interface a wire carries (see `untypedReason`), or null. */
export function wireInterface(r: ResolvedLink): InterfaceName | null {
  if (untypedReason(r) !== null) return null;
  const a = parseInterface((r.fromPort as WitPort).interface)!;
  const b = parseInterface((r.toPort as WitPort).interface)!;
  // Prefer the importer's version: it is what the consumer was built against.
  return b.version ? b : a;
}

/** The standard problem for a wire between two components that is not typed. */
export const untypedMessage = (r: ResolvedLink): string => `wire ${r.from.name} → ${r.to.name} is not a typed WIT wire: ${untypedReason(r) ?? "?"}`;

export const witPorts = (n: TopologyNode, direction: "import" | "export"): WitPort[] =>
  n.ports.filter((p): p is WitPort => p.kind === "wit" && p.direction === direction);

/** Interfaces every host of a target supplies without a wire (by `ns:pkg`). */
export const HOST_PACKAGES = {
  wadm: ["wasi:cli", "wasi:clocks", "wasi:io", "wasi:random", "wasi:logging", "wasi:config", "wasmcloud:bus", "wasmcloud:secrets"],
  spin: ["wasi:cli", "wasi:clocks", "wasi:io", "wasi:random", "wasi:http", "wasi:config", "wasi:filesystem", "wasi:sockets", "fermyon:spin", "spin:postgres"],
  k8s: ["wasi:cli", "wasi:clocks", "wasi:io", "wasi:random", "wasi:filesystem", "wasi:sockets", "wasi:http"],
  wac: [] as string[],
} as const;

export function isHostProvided(iface: string, hostPackages: readonly string[]): boolean {
  const p = parseInterface(iface);
  return p !== null && hostPackages.includes(p.packageId);
}

/**
 * A compiled container's wasi:http/outgoing-handler import with no wire: its guest's clients
 * reach only wired peers (TRELLIS_HTTP_PEERS), so nothing calls it and nothing need provide it.
 */
export function idleOutgoing(n: TopologyNode, p: WitPort): boolean {
  return n.kind === "compiled" && !n.config.wit && parseInterface(p.interface)?.id === "wasi:http/outgoing-handler";
}

/** Unsatisfied WIT imports of component-like nodes (no wire, no host support). */
export function unsatisfiedImports(
  nodes: TopologyNode[],
  links: ResolvedLink[],
  hostPackages: readonly string[],
  severity: "error" | "warning" = "error",
): ExportProblem[] {
  const wired = new Set(links.map((l) => `${l.to.id}\u0000${l.toPort.id}`));
  const out: ExportProblem[] = [];
  for (const n of nodes) {
    if (n.kind !== "component" && n.kind !== "compiled") continue;
    for (const p of witPorts(n, "import")) {
      if (wired.has(`${n.id}\u0000${p.id}`) || isHostProvided(p.interface, hostPackages) || idleOutgoing(n, p)) continue;
      out.push(problem("unsatisfied-import", severity, `${n.name}: import ${p.interface} is not wired to anything that provides it`, [n.id]));
    }
  }
  return out;
}

/** Connected groups (undirected) of the given node ids over the given edges, in first-seen order. */
export function connectedGroups(ids: string[], edges: [string, string][]): string[][] {
  const parent = new Map(ids.map((id) => [id, id]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const [a, b] of edges) {
    if (!parent.has(a) || !parent.has(b)) continue;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  }
  const groups = new Map<string, string[]>();
  for (const id of ids) {
    const r = find(id);
    const g = groups.get(r) ?? [];
    g.push(id);
    groups.set(r, g);
  }
  return [...groups.values()];
}

/**
 * Topological order where each edge [a, b] means "a must come before b".
 * Returns the order, or the nodes on a cycle.
 */
export function topoOrder(ids: string[], edges: [string, string][]): { order: string[] } | { cycle: string[] } {
  const indeg = new Map(ids.map((id) => [id, 0]));
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [a, b] of edges) {
    if (!indeg.has(a) || !indeg.has(b)) continue;
    out.get(a)!.push(b);
    indeg.set(b, indeg.get(b)! + 1);
  }
  const queue = ids.filter((id) => indeg.get(id) === 0);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    order.push(id);
    for (const m of out.get(id)!) {
      indeg.set(m, indeg.get(m)! - 1);
      if (indeg.get(m) === 0) queue.push(m);
    }
  }
  if (order.length === ids.length) return { order };
  return { cycle: ids.filter((id) => indeg.get(id)! > 0) };
}

/** Stable JSON-ish comparison key for sorting. */
export const byKey = <T>(key: (t: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * The refusal of a Wasm target for a design with no Wasm nodes, naming the
 * containers and the way out; null when the design has Wasm nodes or no containers.
 */
export function containersOnlyProblem(topology: Topology, target: string): ExportProblem | null {
  if (topology.nodes.some((n) => n.kind === "component" || n.kind === "compiled")) return null;
  const containers = topology.nodes.filter((n) => n.kind === "container");
  if (containers.length === 0) return null;
  return problem("empty", "error", `the design has only containers (${containers.map((c) => c.name).join(", ")}); ${target} runs Wasm components: compile the containers to Wasm, or use the Kubernetes export`, containers.map((c) => c.id));
}
