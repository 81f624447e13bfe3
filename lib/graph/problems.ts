// Design-wide problems: wires that no longer type-check and imports nobody
// satisfies. Derived, never stored.
import { checkLink, nameAndVersionChecker, type InterfaceChecker } from "./ops";
import { interfaceName } from "./ports";
import type { Topology } from "./types";

export type DesignProblem =
  | { kind: "broken-link"; linkId: string; nodeIds: [string, string]; message: string }
  | { kind: "unsatisfied-import"; nodeId: string; portId: string; message: string };

/** Interfaces a target platform provides to every component (WASI). */
export function isPlatformProvided(iface: string): boolean {
  return interfaceName(iface).startsWith("wasi:");
}

export function findProblems(t: Topology, checker: InterfaceChecker = nameAndVersionChecker): DesignProblem[] {
  const problems: DesignProblem[] = [];
  for (const l of t.links) {
    // Re-check the wire as if it were new, against every other wire.
    const others = { ...t, links: t.links.filter((x) => x.id !== l.id) };
    const e = checkLink(others, l.from, l.to, checker);
    if (e) problems.push({ kind: "broken-link", linkId: l.id, nodeIds: [l.from.node, l.to.node], message: e.message });
  }
  for (const n of t.nodes) {
    if (n.kind !== "component" && n.kind !== "compiled") continue;
    for (const p of n.ports) {
      if (p.kind !== "wit" || p.direction !== "import" || isPlatformProvided(p.interface)) continue;
      if (!t.links.some((l) => l.to.node === n.id && l.to.port === p.id)) {
        problems.push({ kind: "unsatisfied-import", nodeId: n.id, portId: p.id, message: `${n.name}: import ${p.interface} is not wired` });
      }
    }
  }
  return problems;
}
