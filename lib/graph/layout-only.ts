// Whether two designs differ only in where nodes sit on the canvas. Work that
// does not read positions (export readiness: every exporter, run ~2 s of CPU at
// 1,000 nodes) skips a drag's drop. Compares by identity where the store shares
// values (moveNodes keeps every untouched node and the links array), by value
// for a moved node's other fields.
import type { DesignDocument, TopologyNode } from "./types";

function sameButPosition(a: TopologyNode, b: TopologyNode): boolean {
  if (a === b) return true;
  const ka = Object.keys(a) as (keyof TopologyNode)[];
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k === "position" || a[k] === b[k]);
}

export function onlyPositionsDiffer(a: DesignDocument, b: DesignDocument): boolean {
  if (a === b) return true;
  const ka = Object.keys(a) as (keyof DesignDocument)[];
  if (ka.length !== Object.keys(b).length || !ka.every((k) => k === "topology" || a[k] === b[k])) return false;
  const ta = a.topology, tb = b.topology;
  if (ta === tb) return true;
  const kt = Object.keys(ta) as (keyof typeof ta)[];
  if (kt.length !== Object.keys(tb).length || !kt.every((k) => k === "nodes" || ta[k] === tb[k])) return false;
  return ta.nodes.length === tb.nodes.length && ta.nodes.every((n, i) => sameButPosition(n, tb.nodes[i]!));
}
