// Pure topology ops: each returns a new Topology (or a typed error) and never
// mutates its input, so the store can keep old values for undo.
import { err, ok, type Result } from "../result";
import { deploymentSettingsIssue } from "./deployment-settings";
import type { GraphError, LinkError, NodeError } from "./errors";
import { capabilityPorts, HTTP_HANDLER_INTERFACE, HTTP_OUTGOING_INTERFACE, httpBridged, interfaceName, interfaceVersion, networkPorts, servicePorts, witPort } from "./ports";
import { versionsCompatible } from "../wit/compat";
import type { Link, LinkEnd, NodeConfig, Port, Topology, TopologyNode } from "./types";

const HTTP_HANDLER_PORT_ID = witPort("export", HTTP_HANDLER_INTERFACE).id;
const HTTP_OUTGOING_PORT_ID = witPort("import", HTTP_OUTGOING_INTERFACE).id;
/** The WIT ports servicePorts() derives, replaced whenever the exposed ports change. */
const servicePortId = (id: string) => id === HTTP_HANDLER_PORT_ID || id === HTTP_OUTGOING_PORT_ID;

export const emptyTopology = (): Topology => ({ nodes: [], links: [] });

export function createId(prefix: string): string {
  return `${prefix}-${globalThis.crypto.randomUUID().slice(0, 8)}`;
}

export function findNode(t: Topology, id: string): TopologyNode | undefined {
  return t.nodes.find((n) => n.id === id);
}

export function findPort(t: Topology, end: LinkEnd): Port | undefined {
  return findNode(t, end.node)?.ports.find((p) => p.id === end.port);
}

/**
 * Decides whether an exported WIT interface satisfies an import. Returns the
 * reason for refusal, or null. The WIT layer supplies a structural checker;
 * the default compares names and versions only.
 */
export type InterfaceChecker = (args: {
  topology: Topology;
  from: { node: TopologyNode; port: Port & { kind: "wit" } };
  to: { node: TopologyNode; port: Port & { kind: "wit" } };
}) => string | null;

export const nameAndVersionChecker: InterfaceChecker = ({ from, to }) => {
  const provided = from.port.interface;
  const wanted = to.port.interface;
  if (interfaceName(provided) !== interfaceName(wanted) && !httpBridged(provided, wanted)) {
    return `${interfaceName(to.port.interface)}: export is ${interfaceName(provided)}, import expects ${interfaceName(wanted)}`;
  }
  const pv = interfaceVersion(provided);
  const wv = interfaceVersion(wanted);
  if (!versionsCompatible(pv, wv)) {
    return `${interfaceName(wanted)}: export is version ${pv ?? "(none)"}, import expects ${wv ?? "(none)"}`;
  }
  return null;
};

/** Ports derived from a node's kind and config (WIT ports of components are kept as given). */
export function derivePorts(kind: TopologyNode["kind"], config: NodeConfig, current: Port[]): Port[] {
  switch (kind) {
    case "container":
      return networkPorts(config.exposedPorts);
    case "compiled":
      // A compiled container keeps its network face and gains whatever WIT ports it has. A native
      // image's artifact (no WIT of its own) serves HTTP from its guest: a port marked HTTP adds
      // (or, unmarked, removes) its wasi:http/incoming-handler export. A compiled component keeps
      // the ports of its world as they are.
      if (config.wit) return [...current.filter((p) => p.kind === "wit"), ...networkPorts(config.exposedPorts)];
      return [...current.filter((p) => p.kind === "wit" && !servicePortId(p.id)), ...servicePorts(config.exposedPorts), ...networkPorts(config.exposedPorts)];
    case "endpoint":
      return config.capability ? capabilityPorts(config.capability) : [];
    case "component":
      return current;
  }
}

export function addNode(t: Topology, node: TopologyNode): Result<Topology, NodeError> {
  if (findNode(t, node.id)) {
    return err({ kind: "duplicate-node", nodeId: node.id, message: `a node with id '${node.id}' already exists` });
  }
  return ok({ ...t, nodes: [...t.nodes, node] });
}

/** Removes nodes (with every link touching them) and links. */
export function removeElements(t: Topology, nodeIds: Iterable<string>, linkIds: Iterable<string> = []): Topology {
  const nodes = new Set(nodeIds);
  const links = new Set(linkIds);
  if (nodes.size === 0 && links.size === 0) return t;
  return {
    nodes: t.nodes.filter((n) => !nodes.has(n.id)),
    links: t.links.filter((l) => !links.has(l.id) && !nodes.has(l.from.node) && !nodes.has(l.to.node)),
  };
}

export function moveNodes(t: Topology, positions: Record<string, { x: number; y: number }>): Topology {
  let changed = false;
  const nodes = t.nodes.map((n) => {
    const p = positions[n.id];
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    changed = true;
    return { ...n, position: { x: p.x, y: p.y } };
  });
  return changed ? { ...t, nodes } : t;
}

export interface NodePatch {
  name?: string;
  config?: Partial<NodeConfig>;
  ports?: Port[];
}

export interface UpdateOutcome {
  topology: Topology;
  /** Links dropped because the port they used no longer exists. */
  removedLinks: Link[];
}

export function updateNode(t: Topology, id: string, patch: NodePatch): Result<UpdateOutcome, NodeError> {
  const node = findNode(t, id);
  if (!node) return err({ kind: "unknown-node", nodeId: id, message: `no node '${id}'` });
  if (patch.name !== undefined && patch.name.trim() === "") {
    return err({ kind: "invalid-field", nodeId: id, field: "name", message: "name must not be empty" });
  }
  const config: NodeConfig = { ...node.config, ...patch.config };
  if (!Number.isInteger(config.replicas) || config.replicas < 0) {
    return err({ kind: "invalid-field", nodeId: id, field: "replicas", message: "replicas must be a whole number ≥ 0" });
  }
  for (const p of config.exposedPorts) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      return err({ kind: "invalid-field", nodeId: id, field: "exposedPorts", message: `port ${p.port} is not in 1–65535` });
    }
  }
  const seen = new Set<string>();
  for (const e of config.env) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(e.name)) {
      return err({ kind: "invalid-field", nodeId: id, field: "env", message: `'${e.name}' is not a valid variable name` });
    }
    if (seen.has(e.name)) return err({ kind: "invalid-field", nodeId: id, field: "env", message: `variable '${e.name}' is set twice` });
    seen.add(e.name);
  }
  const deployment = deploymentSettingsIssue(config);
  if (deployment) return err({ kind: "invalid-field", nodeId: id, field: deployment.field, message: deployment.message });
  const ports = derivePorts(node.kind, config, patch.ports ?? node.ports);
  const updated: TopologyNode = { ...node, name: patch.name ?? node.name, config, ports };
  const portIds = new Set(ports.map((p) => p.id));
  const removedLinks = t.links.filter(
    (l) => (l.from.node === id && !portIds.has(l.from.port)) || (l.to.node === id && !portIds.has(l.to.port)),
  );
  const removed = new Set(removedLinks.map((l) => l.id));
  return ok({
    topology: { nodes: t.nodes.map((n) => (n.id === id ? updated : n)), links: t.links.filter((l) => !removed.has(l.id)) },
    removedLinks,
  });
}

/**
 * What checkLink needs to know about the rest of the design. checkLink scans the
 * topology's arrays; findProblems, which checks every wire, answers from indexes.
 */
export interface LinkLookup {
  topology(): Topology;
  node(id: string): TopologyNode | undefined;
  /** A wire between exactly these two ports. */
  duplicate(from: LinkEnd, to: LinkEnd): Link | undefined;
  /** A wire already ending at this import. */
  into(to: LinkEnd): Link | undefined;
}

export function scanLookup(t: Topology): LinkLookup {
  return {
    topology: () => t,
    node: (id) => findNode(t, id),
    duplicate: (from, to) => t.links.find((l) => l.from.node === from.node && l.from.port === from.port && l.to.node === to.node && l.to.port === to.port),
    into: (to) => t.links.find((l) => l.to.node === to.node && l.to.port === to.port),
  };
}

/** Checks a prospective link without adding it. */
export function checkLink(
  t: Topology,
  from: LinkEnd,
  to: LinkEnd,
  checker: InterfaceChecker = nameAndVersionChecker,
): LinkError | null {
  return checkLinkIn(scanLookup(t), from, to, checker);
}

/** checkLink against a lookup (same rules, same errors). */
export function checkLinkIn(t: LinkLookup, from: LinkEnd, to: LinkEnd, checker: InterfaceChecker = nameAndVersionChecker): LinkError | null {
  const fromNode = t.node(from.node);
  if (!fromNode) return { kind: "unknown-node", nodeId: from.node, message: `no node '${from.node}'` };
  const toNode = t.node(to.node);
  if (!toNode) return { kind: "unknown-node", nodeId: to.node, message: `no node '${to.node}'` };
  if (from.node === to.node) return { kind: "self-link", nodeId: from.node, message: `${fromNode.name} cannot be wired to itself` };
  const fromPort = fromNode.ports.find((p) => p.id === from.port);
  if (!fromPort) return { kind: "unknown-port", nodeId: from.node, portId: from.port, message: `${fromNode.name} has no port '${from.port}'` };
  const toPort = toNode.ports.find((p) => p.id === to.port);
  if (!toPort) return { kind: "unknown-port", nodeId: to.node, portId: to.port, message: `${toNode.name} has no port '${to.port}'` };
  if (fromPort.direction !== "export") {
    return { kind: "wrong-direction", nodeId: from.node, portId: from.port, message: `a wire starts at an export; '${from.port}' on ${fromNode.name} is an import` };
  }
  if (toPort.direction !== "import") {
    return { kind: "wrong-direction", nodeId: to.node, portId: to.port, message: `a wire ends at an import; '${to.port}' on ${toNode.name} is an export` };
  }
  if (fromPort.kind !== toPort.kind) {
    return {
      kind: "port-kind-mismatch",
      fromPort: from.port,
      toPort: to.port,
      message:
        fromPort.kind === "wit"
          ? `${fromNode.name} offers a WIT interface; ${toNode.name}'s port is a network connection`
          : `${fromNode.name} offers a network port; ${toNode.name}'s port is a WIT import`,
    };
  }
  const dup = t.duplicate(from, to);
  if (dup) return { kind: "duplicate-link", linkId: dup.id, message: "these ports are already wired" };
  if (fromPort.kind === "wit" && toPort.kind === "wit") {
    // A WIT import is bound to exactly one implementation.
    const taken = t.into(to);
    if (taken) {
      return {
        kind: "import-already-linked",
        nodeId: to.node,
        portId: to.port,
        linkId: taken.id,
        message: `${toNode.name}'s import ${toPort.interface} is already wired`,
      };
    }
    const reason = checker({ get topology() { return t.topology(); }, from: { node: fromNode, port: fromPort }, to: { node: toNode, port: toPort } });
    if (reason) return { kind: "interface-mismatch", fromPort: from.port, toPort: to.port, message: reason };
  }
  return null;
}

export function connect(
  t: Topology,
  from: LinkEnd,
  to: LinkEnd,
  options: { checker?: InterfaceChecker; id?: string } = {},
): Result<Topology, LinkError> {
  const problem = checkLink(t, from, to, options.checker);
  if (problem) return err(problem);
  const link: Link = { id: options.id ?? createId("link"), from: { ...from }, to: { ...to } };
  return ok({ ...t, links: [...t.links, link] });
}

export interface Clipboard {
  nodes: TopologyNode[];
  links: Link[];
}

/** The selected nodes and the links among them, ready to paste. */
export function copySelection(t: Topology, nodeIds: Iterable<string>): Clipboard {
  const ids = new Set(nodeIds);
  return {
    nodes: t.nodes.filter((n) => ids.has(n.id)),
    links: t.links.filter((l) => ids.has(l.from.node) && ids.has(l.to.node)),
  };
}

/** Pastes copies with fresh ids, shifted by `offset`; returns the new node ids for selection. */
export function paste(
  t: Topology,
  clip: Clipboard,
  offset: { x: number; y: number },
): { topology: Topology; nodeIds: string[] } {
  const idMap = new Map<string, string>();
  const names = new Set(t.nodes.map((n) => n.name));
  const nodes = clip.nodes.map((n) => {
    const id = createId(n.kind);
    idMap.set(n.id, id);
    let name = n.name;
    for (let i = 2; names.has(name); i++) name = `${n.name} ${i}`;
    names.add(name);
    return { ...structuredClone(n), id, name, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } };
  });
  const links = clip.links.map((l) => ({
    id: createId("link"),
    from: { node: idMap.get(l.from.node)!, port: l.from.port },
    to: { node: idMap.get(l.to.node)!, port: l.to.port },
  }));
  return { topology: { nodes: [...t.nodes, ...nodes], links: [...t.links, ...links] }, nodeIds: nodes.map((n) => n.id) };
}

export type { GraphError };

export interface CompiledFacts {
  jobId: string;
  /** The artifact's WIT ports (a component's world; `wasi:cli/run` for a command). */
  witPorts: Port[];
  wit?: string;
  world?: string;
  originalImage?: string;
  /** The job's wasi:http component of the container (a native image exposing an HTTP port). */
  httpComponent?: { file: string; port: number };
}

/**
 * A container whose image compiled to Wasm becomes a compiled container: same
 * id, name, position, settings and network ports, so every wire is kept; the
 * artifact's WIT ports are added.
 */
export function convertToCompiled(t: Topology, id: string, facts: CompiledFacts): Result<Topology, NodeError> {
  const node = findNode(t, id);
  if (!node) return err({ kind: "unknown-node", nodeId: id, message: `no node '${id}'` });
  if (node.kind !== "container" && node.kind !== "compiled") {
    return err({ kind: "invalid-field", nodeId: id, field: "kind", message: `${node.name} is a ${node.kind}, not a container` });
  }
  const config: NodeConfig = {
    ...node.config,
    wit: facts.wit,
    world: facts.world,
    compile: { jobId: facts.jobId, artifactId: facts.jobId, originalImage: facts.originalImage ?? node.config.image, ...(facts.httpComponent ? { httpComponent: facts.httpComponent } : {}) },
  };
  // a component's world gives its ports; a native artifact serves HTTP from its guest (see derivePorts)
  const witPorts = facts.wit ? facts.witPorts : [...facts.witPorts.filter((p) => !servicePortId(p.id)), ...servicePorts(config.exposedPorts)];
  const updated: TopologyNode = { ...node, kind: "compiled", config, ports: [...witPorts, ...networkPorts(config.exposedPorts)] };
  return ok({ ...t, nodes: t.nodes.map((n) => (n.id === id ? updated : n)) });
}

/** Back to a plain container (the user keeps the image as is); WIT wires go, network wires stay. */
export function keepAsContainer(t: Topology, id: string): Result<Topology, NodeError> {
  const node = findNode(t, id);
  if (!node) return err({ kind: "unknown-node", nodeId: id, message: `no node '${id}'` });
  const { wit: _wit, world: _world, ...rest } = node.config;
  const config: NodeConfig = { ...rest, compile: node.config.compile ? { ...node.config.compile, keepContainer: true } : undefined };
  const ports = networkPorts(config.exposedPorts);
  const ids = new Set(ports.map((p) => p.id));
  const updated: TopologyNode = { ...node, kind: "container", config, ports };
  return ok({
    nodes: t.nodes.map((n) => (n.id === id ? updated : n)),
    links: t.links.filter((l) => !((l.from.node === id && !ids.has(l.from.port)) || (l.to.node === id && !ids.has(l.to.port)))),
  });
}
