// Pure planning of a run: which component is the entry, which nodes take part,
// what each import is bound to, and an instantiation order (providers first).
// Refusals are typed: a cycle, a missing link, a node kind that cannot run.
import { err, ok, type Result } from "../result";
import { httpBridged, httpServicePort, interfaceName, peerHostName } from "../graph/ports";
import type { Link, Topology, TopologyNode, WitPort } from "../graph/types";
import type { RunError } from "./types";

/** Interfaces the run engine knows how to feed a user's input into, in order of preference. */
export const ENTRY_INTERFACES = [
  "wasi:http/incoming-handler",
  "trellis:pipeline/handler",
  "trellis:pipeline/stage",
  "trellis:pipeline/text",
  "trellis:pipeline/table",
  "trellis:pipeline/log",
] as const;

export type EntryInterface = (typeof ENTRY_INTERFACES)[number];

export type Provider =
  | { kind: "node"; nodeId: string; interface: string; linkId: string }
  /** A compiled container run as a WASI command: stdin is the input, stdout the output. */
  | { kind: "command"; nodeId: string; interface: string; linkId: string }
  | { kind: "keyvalue"; nodeId: string; interface: string; linkId: string };

export interface Binding {
  /** The importer's port and interface (`ns:pkg/iface@version`). */
  portId: string;
  interface: string;
  provider: Provider;
  /**
   * A wasi:http/outgoing-handler import served by the provider's incoming-handler: the host name
   * the importer's requests reach it by (a compiled container's guest resolves it: TRELLIS_HTTP_PEERS).
   */
  peer?: string;
}

export interface PlanNode {
  id: string;
  name: string;
  source?: string;
  bindings: Binding[];
  /** Environment the node's component gets (a compiled service's TRELLIS_HTTP_PORT); components get none otherwise. */
  env?: Record<string, string>;
}

export interface RunPlan {
  entry: { nodeId: string; interface: string; entryInterface: EntryInterface };
  /** Component nodes in instantiation order: every provider before its importers. */
  order: string[];
  nodes: Record<string, PlanNode>;
  /** Key-value endpoint nodes the run serves from memory. */
  keyvalueStores: string[];
  /** Compiled containers run as WASI commands (stdin → stdout stages). */
  commands: string[];
  /** Compiled containers serving wasi:http/incoming-handler: node id → the guest port it listens on. */
  services: Array<{ nodeId: string; guestPort: number }>;
  /** Nodes of the design that the entry does not reach. */
  skipped: string[];
}

export interface PlanOptions {
  entryNodeId?: string;
  /** Imports a host supplies without a wire (WASI); default: wasi:* except keyvalue. */
  hostProvides?: (iface: string) => boolean;
}

/** What a compiled container offers when run as a WASI command: stdin → stdout. */
export const STAGE_INTERFACE = "trellis:pipeline/stage@0.1.0";

export const defaultHostProvides = (iface: string): boolean => iface.startsWith("wasi:") && !iface.startsWith("wasi:keyvalue/");

const witPorts = (n: TopologyNode, direction: "import" | "export"): WitPort[] =>
  n.ports.filter((p): p is WitPort => p.kind === "wit" && p.direction === direction);

function entryInterfaceOf(n: TopologyNode): { interface: string; entryInterface: EntryInterface } | undefined {
  for (const want of ENTRY_INTERFACES) {
    const p = witPorts(n, "export").find((q) => interfaceName(q.interface) === want);
    if (p) return { interface: p.interface, entryInterface: want };
  }
  return undefined;
}

/** Every node a run hosts: key-value stores, commands, HTTP services, components (providers first). */
export const hostedNodes = (plan: RunPlan): string[] => [...plan.keyvalueStores, ...plan.commands, ...plan.services.map((s) => s.nodeId), ...plan.order];

/** A compiled container serving HTTP: its wasi:http/incoming-handler export and the guest port behind it. */
function httpServiceOf(n: TopologyNode): { interface: string; guestPort: number } | undefined {
  const port = witPorts(n, "export").find((p) => interfaceName(p.interface) === "wasi:http/incoming-handler");
  const guestPort = httpServicePort(n.config.exposedPorts);
  return port && guestPort !== undefined ? { interface: port.interface, guestPort } : undefined;
}

export function planRun(topology: Topology, opts: PlanOptions = {}): Result<RunPlan, RunError> {
  const hostProvides = opts.hostProvides ?? defaultHostProvides;
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const linksInto = new Map<string, Link>(); // `${node}\u0000${port}` → link
  for (const l of topology.links) linksInto.set(`${l.to.node}\u0000${l.to.port}`, l);

  // 1. The entry.
  let entryNode: TopologyNode | undefined;
  if (opts.entryNodeId !== undefined) {
    entryNode = byId.get(opts.entryNodeId);
    if (!entryNode) return err({ kind: "no-entry", message: `no node '${opts.entryNodeId}' in the design`, nodeId: opts.entryNodeId });
    if (entryNode.kind !== "component" && entryNode.kind !== "compiled")
      return err({ kind: "unsupported-entry", message: `'${entryNode.name}' is a ${entryNode.kind}, not a component or compiled container`, nodeId: entryNode.id });
  } else {
    const ingress = topology.links.find((l) => {
      const from = byId.get(l.from.node);
      return byId.get(l.to.node)?.config.capability === "http-ingress" && (from?.kind === "component" || (from?.kind === "compiled" && httpServiceOf(from) !== undefined));
    });
    if (ingress) entryNode = byId.get(ingress.from.node);
  }
  if (!entryNode) {
    const called = new Set(topology.links.filter((l) => byId.get(l.to.node)?.kind === "component").map((l) => l.from.node));
    const roots = topology.nodes.filter((n) => n.kind === "component" && !called.has(n.id) && entryInterfaceOf(n));
    const heads = roots.filter((n) => topology.links.some((l) => l.to.node === n.id));
    // A lone compiled container (a WASI command) can take the input on its stdin.
    const commandRoots = topology.nodes.filter((n) => n.kind === "compiled" && !topology.links.some((l) => l.from.node === n.id));
    const pick = heads.length > 0 ? heads : roots.length > 0 ? roots : commandRoots;
    if (pick.length === 0)
      return err({ kind: "no-entry", message: "no component can take the input: none exports wasi:http/incoming-handler or a trellis:pipeline handler, stage, text, table or log interface that nothing else calls" });
    if (pick.length > 1)
      return err({
        kind: "ambiguous-entry",
        message: `several components could take the input (${pick.map((n) => n.name).join(", ")}): choose one`,
        nodeIds: pick.map((n) => n.id),
      });
    entryNode = pick[0]!;
  }
  let serviceEntry: { interface: string; guestPort: number } | undefined;
  if (entryNode.kind === "compiled") {
    const only = entryNode;
    serviceEntry = httpServiceOf(only);
    if (!serviceEntry)
      return ok({
        entry: { nodeId: only.id, interface: STAGE_INTERFACE, entryInterface: "trellis:pipeline/stage" },
        order: [],
        nodes: {},
        keyvalueStores: [],
        commands: [only.id],
        services: [],
        skipped: topology.nodes.filter((n) => n.id !== only.id).map((n) => n.id),
      });
  }
  const entry = serviceEntry ? { interface: serviceEntry.interface, entryInterface: "wasi:http/incoming-handler" as const } : entryInterfaceOf(entryNode);
  if (!entry)
    return err({
      kind: "unsupported-entry",
      message: `'${entryNode.name}' exports none of ${ENTRY_INTERFACES.join(", ")}, so the run cannot pass it an input`,
      nodeId: entryNode.id,
    });

  // 2. Bindings of every reachable component, depth first; a back edge is a cycle.
  const nodes: Record<string, PlanNode> = {};
  const order: string[] = [];
  const keyvalueStores = new Set<string>();
  const commands = new Set<string>();
  const services = new Map<string, number>(); // compiled HTTP services → guest port
  if (serviceEntry) services.set(entryNode.id, serviceEntry.guestPort);
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];

  const visit = (n: TopologyNode): RunError | undefined => {
    state.set(n.id, "visiting");
    stack.push(n.id);
    const bindings: Binding[] = [];
    for (const port of witPorts(n, "import")) {
      const link = linksInto.get(`${n.id}\u0000${port.id}`);
      if (!link) {
        if (hostProvides(port.interface)) continue;
        return {
          kind: "missing-link",
          message: `'${n.name}' imports ${port.interface} but nothing is wired to it`,
          nodeId: n.id,
          portId: port.id,
          interface: port.interface,
        };
      }
      const provider = byId.get(link.from.node);
      const fromPort = provider?.ports.find((p) => p.id === link.from.port);
      if (!provider || !fromPort || fromPort.kind !== "wit")
        return { kind: "missing-link", message: `the wire into '${n.name}' ${port.id} starts at no WIT export`, nodeId: n.id, portId: port.id };
      if (provider.kind === "endpoint" && provider.config.capability === "keyvalue" && interfaceName(fromPort.interface) === "wasi:keyvalue/store") {
        keyvalueStores.add(provider.id);
        bindings.push({ portId: port.id, interface: port.interface, provider: { kind: "keyvalue", nodeId: provider.id, interface: fromPort.interface, linkId: link.id } });
        continue;
      }
      if (provider.kind === "compiled" && interfaceName(fromPort.interface) === "trellis:pipeline/stage") {
        commands.add(provider.id);
        bindings.push({ portId: port.id, interface: port.interface, provider: { kind: "command", nodeId: provider.id, interface: fromPort.interface, linkId: link.id } });
        continue;
      }
      const bridged = httpBridged(fromPort.interface, port.interface) ? { peer: peerHostName(provider) } : {};
      const service = provider.kind === "compiled" && bridged.peer !== undefined ? httpServiceOf(provider) : undefined;
      // a compiled HTTP service behind the importer's outgoing handler (its guest keeps serving)
      if (service) services.set(provider.id, service.guestPort);
      else if (provider.kind !== "component")
        return {
          kind: "unsupported-node",
          message: `'${provider.name}' (${provider.kind}${provider.config.capability ? ` ${provider.config.capability}` : ""}) cannot serve ${fromPort.interface} in a run`,
          nodeId: provider.id,
          interface: fromPort.interface,
        };
      const s = state.get(provider.id);
      if (s === "visiting") {
        const cycle = stack.slice(stack.indexOf(provider.id));
        return {
          kind: "cycle",
          message: `the wires form a cycle: ${[...cycle, provider.id].map((id) => byId.get(id)?.name ?? id).join(" → ")}; a component cannot be instantiated before its providers`,
          nodeIds: cycle,
        };
      }
      if (s === undefined) {
        const e = visit(provider);
        if (e) return e;
      }
      bindings.push({ portId: port.id, interface: port.interface, provider: { kind: "node", nodeId: provider.id, interface: fromPort.interface, linkId: link.id }, ...bridged });
    }
    stack.pop();
    state.set(n.id, "done");
    nodes[n.id] = { id: n.id, name: n.name, ...(n.config.source !== undefined ? { source: n.config.source } : {}), bindings };
    if (n.kind === "component") order.push(n.id); // a compiled service is hosted as a service (its bindings kept for its component)
    return undefined;
  };
  const failure = visit(entryNode);
  if (failure) return err(failure);

  const reached = new Set([...order, ...keyvalueStores, ...commands, ...services.keys()]);
  return ok({
    entry: { nodeId: entryNode.id, ...entry },
    order,
    nodes,
    keyvalueStores: [...keyvalueStores],
    commands: [...commands],
    services: [...services].map(([nodeId, guestPort]) => ({ nodeId, guestPort })),
    skipped: topology.nodes.filter((n) => !reached.has(n.id) && !(n.kind === "endpoint" && n.config.capability === "http-ingress")).map((n) => n.id),
  });
}

/**
 * The plan with a compiled HTTP service served by its artifact's wasi:http
 * component instead of the guest behind a published port: the node becomes a
 * component whose only wire is its outgoing handler (its other imports are
 * WASI and wasi:http/types), told its guest port, instantiated after its
 * providers and before the first component that calls it.
 */
export function serveFromComponent(plan: RunPlan, nodeId: string, name: string, guestPort: number): RunPlan {
  const order = plan.order.filter((id) => id !== nodeId);
  const firstCaller = order.findIndex((id) => plan.nodes[id]?.bindings.some((b) => b.provider.nodeId === nodeId));
  order.splice(firstCaller < 0 ? order.length : firstCaller, 0, nodeId);
  return {
    ...plan,
    services: plan.services.filter((s) => s.nodeId !== nodeId),
    order,
    // the port the node marks HTTP, whichever port the component was built for (emulator/src/http/bridge.c)
    nodes: { ...plan.nodes, [nodeId]: { id: nodeId, name, bindings: plan.nodes[nodeId]?.bindings ?? [], env: { TRELLIS_HTTP_PORT: String(guestPort) } } },
  };
}
