// The structural checker for typed wiring: each side's interface comes from
// its node's own WIT, so a wire is accepted only when every function and type
// the import needs is present with identical resolved types.
import { analyzeWit, checkInterfaceCompat, type WitAnalysis } from "../wit";
import { nameAndVersionChecker, type InterfaceChecker } from "./ops";
import { httpBridged } from "./ports";
import type { Port, Topology, TopologyNode } from "./types";

const MAX_CACHED = 256;
const cache = new Map<string, WitAnalysis>();

/** Analysis of a node's WIT, memoized by its text, world and feature gates (analysis is pure). */
export function analyzeNodeWit(node: TopologyNode): WitAnalysis | undefined {
  const wit = node.config.wit;
  if (!wit) return undefined;
  const features = node.config.witFeatures ?? [];
  const key = `${node.config.world ?? ""}\u0000${features.join(",")}\u0000${wit}`;
  let a = cache.get(key);
  if (!a) {
    a = analyzeWit(wit, node.config.world, { features });
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, a);
  }
  return a;
}

export const witChecker: InterfaceChecker = (args) => {
  const fromWit = analyzeNodeWit(args.from.node);
  const toWit = analyzeNodeWit(args.to.node);
  // A port kept for its wire after it left the node's (valid) world.
  for (const [side, a] of [[args.from, fromWit], [args.to, toWit]] as const) {
    if (a?.ok && !a.interfaces[side.port.id]) return `${side.port.interface} is no longer in ${side.node.name}'s world`;
  }
  const exported = fromWit?.interfaces[args.from.port.id];
  const imported = toWit?.interfaces[args.to.port.id];
  // Platform endpoints and hand-declared ports carry no WIT: names and versions decide; so do
  // the two wasi:http handlers the host bridges (an outgoing request becomes the callee's incoming one).
  if (!exported || !imported || httpBridged(args.from.port.interface, args.to.port.interface)) return nameAndVersionChecker(args);
  return checkInterfaceCompat(exported, imported)?.message ?? null;
};

/**
 * Ports after a WIT edit: the world's ports, plus any old port that still has a
 * wire but left the world. Keeping it lets the wire show as broken (the
 * checker says why) instead of disappearing; the user decides what to do.
 */
export function portsAfterWitEdit(node: TopologyNode, links: Topology["links"]): { ports: Port[]; errors: number } {
  const a = analyzeNodeWit(node);
  if (!a || a.errors.length) return { ports: node.ports, errors: a?.errors.length ?? 0 };
  const next: Port[] = [...a.ports];
  const ids = new Set(next.map((p) => p.id));
  for (const p of node.ports) {
    if (ids.has(p.id)) continue;
    if (links.some((l) => (l.from.node === node.id && l.from.port === p.id) || (l.to.node === node.id && l.to.port === p.id))) next.push(p);
  }
  return { ports: next, errors: 0 };
}
