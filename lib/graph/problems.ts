// Design-wide problems: wires that no longer type-check and imports nobody
// satisfies. Derived, never stored.
import { checkLinkIn, nameAndVersionChecker, type InterfaceChecker, type LinkLookup } from "./ops";
import { interfaceName } from "./ports";
import type { Link, LinkEnd, Topology, TopologyNode } from "./types";

export type DesignProblem =
  | { kind: "broken-link"; linkId: string; nodeIds: [string, string]; message: string }
  | { kind: "unsatisfied-import"; nodeId: string; portId: string; message: string };

/** Interfaces a target platform provides to every component (WASI). */
export function isPlatformProvided(iface: string): boolean {
  return interfaceName(iface).startsWith("wasi:");
}

const endKey = (e: LinkEnd) => `${e.node}\u0000${e.port}`;

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function findProblems(t: Topology, checker: InterfaceChecker = nameAndVersionChecker): DesignProblem[] {
  const problems: DesignProblem[] = [];
  // Indexes, so checking every wire is linear in the design (a 1,500-wire design re-scanned every
  // wire for each wire before). Lists keep the design's order, so the same wire is named as before.
  const nodes = new Map<string, TopologyNode>();
  for (const n of t.nodes) if (!nodes.has(n.id)) nodes.set(n.id, n);
  const between = new Map<string, Link[]>();
  const into = new Map<string, Link[]>();
  for (const l of t.links) {
    push(between, `${endKey(l.from)}\u0000${endKey(l.to)}`, l);
    push(into, endKey(l.to), l);
  }
  for (const l of t.links) {
    // Re-check the wire as if it were new, against every other wire.
    const other = (list: Link[] | undefined) => list?.find((x) => x.id !== l.id);
    const lookup: LinkLookup = {
      topology: () => ({ ...t, links: t.links.filter((x) => x.id !== l.id) }),
      node: (id) => nodes.get(id),
      duplicate: (from, to) => other(between.get(`${endKey(from)}\u0000${endKey(to)}`)),
      into: (to) => other(into.get(endKey(to))),
    };
    const e = checkLinkIn(lookup, l.from, l.to, checker);
    if (e) problems.push({ kind: "broken-link", linkId: l.id, nodeIds: [l.from.node, l.to.node], message: e.message });
  }
  for (const n of t.nodes) {
    if (n.kind !== "component" && n.kind !== "compiled") continue;
    for (const p of n.ports) {
      if (p.kind !== "wit" || p.direction !== "import" || isPlatformProvided(p.interface)) continue;
      if (!into.has(endKey({ node: n.id, port: p.id }))) {
        problems.push({ kind: "unsatisfied-import", nodeId: n.id, portId: p.id, message: `${n.name}: import ${p.interface} is not wired` });
      }
    }
  }
  return problems;
}
