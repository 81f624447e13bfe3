// Cycle finding for types (per scope) and for interfaces/worlds (per package).
// One error per cycle, at the edge wit-parser names: the cycle's first node in
// declaration order and its first edge back into the cycle. wit-parser stops
// at the first cycle; an editor gets every one.
import type { Span } from "./errors";

export interface DepEdge {
  name: string;
  span: Span;
}

/** `nodes` in declaration order with their edges; edges to unknown names are ignored. */
export function cycleEdges(nodes: Map<string, DepEdge[]>): DepEdge[] {
  // Tarjan's strongly connected components (iterative: deep chains must not overflow the stack).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let next = 0;
  let components = 0;
  for (const root of nodes.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1];
      const edges = nodes.get(top.node)!;
      if (top.edge < edges.length) {
        const to = edges[top.edge++].name;
        if (!nodes.has(to)) continue;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.set(n, components);
        } while (n !== top.node);
        components++;
      }
    }
  }
  const size = new Map<number, number>();
  for (const c of component.values()) size.set(c, (size.get(c) ?? 0) + 1);
  const reported = new Set<number>();
  const out: DepEdge[] = [];
  for (const [name, edges] of nodes) {
    const c = component.get(name)!;
    if (reported.has(c)) continue;
    const back = edges.find((e) => component.get(e.name) === c && (size.get(c)! > 1 || e.name === name));
    if (!back) continue;
    reported.add(c);
    out.push(back);
  }
  return out;
}
