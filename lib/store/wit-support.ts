// The WIT analyzer (lexer, parser, resolver, structural checker) is not in the designer's first
// load: it is loaded once the canvas has drawn the design. Until then a wire is checked as the WIT
// checker would check it when neither end carries WIT (the WIT checker itself falls back to names
// and versions there); a wire with WIT at an end waits for the analyzer.
import { nameAndVersionChecker, type InterfaceChecker } from "../graph/ops";
import type { TopologyNode } from "../graph/types";

export type WitSupport = typeof import("../graph/wit-checker");

let loaded: WitSupport | null = null;
let loading: Promise<WitSupport> | null = null;

/** Loads the analyzer once; a failed load can be tried again. */
export function loadWitSupport(): Promise<WitSupport> {
  loading ??= import("../graph/wit-checker").then(
    (m) => (loaded = m),
    (e: unknown) => {
      loading = null;
      throw e;
    },
  );
  return loading;
}

/** The analyzer if it has loaded. */
export const witSupport = (): WitSupport | null => loaded;

export const hasWit = (n: TopologyNode): boolean => Boolean(n.config.wit);

export const WIT_PENDING_MESSAGE = "the components' WIT is still loading; try again in a moment";

/** The designer's checker until the analyzer is in (see the file's header). */
export const pendingWitChecker: InterfaceChecker = (args) => (hasWit(args.from.node) || hasWit(args.to.node) ? WIT_PENDING_MESSAGE : nameAndVersionChecker(args));

/** The WIT checker if loaded, else the pending one. */
export const currentWitChecker = (): InterfaceChecker => loaded?.witChecker ?? pendingWitChecker;

/**
 * Whether two checkers give the same answers on a topology: the same checker, or the pending and
 * the loaded WIT checker on a design without WIT (both check names and versions only).
 */
export function sameAnswers(a: InterfaceChecker, b: InterfaceChecker, nodes: TopologyNode[]): boolean {
  if (a === b) return true;
  const family = (c: InterfaceChecker) => c === pendingWitChecker || (loaded !== null && c === loaded.witChecker);
  return family(a) && family(b) && !nodes.some(hasWit);
}
