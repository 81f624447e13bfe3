"use client";
import { createContext, useContext } from "react";
import { useStore } from "zustand";
import type { InterfaceChecker } from "@/lib/graph/ops";
import { findProblems, type DesignProblem } from "@/lib/graph/problems";
import type { Topology } from "@/lib/graph/types";
import type { DesignerState, DesignerStore } from "@/lib/store/designer-store";
import { hasWit, pendingWitChecker, sameAnswers } from "@/lib/store/wit-support";

export const DesignerStoreContext = createContext<DesignerStore | null>(null);

export function useDesignerStore(): DesignerStore {
  const store = useContext(DesignerStoreContext);
  if (!store) throw new Error("useDesigner outside a DesignerStoreContext provider");
  return store;
}

/** Reads one slice of the designer state; re-renders only when it changes. */
export function useDesigner<T>(selector: (s: DesignerState) => T): T {
  return useStore(useDesignerStore(), selector);
}

// One problems list per (topology, checker): the canvas, the panel and the tab
// label all read it, so the wires are checked once per edit, not three times.
const problemsCache = new WeakMap<Topology, { checker: InterfaceChecker; problems: DesignProblem[] | null }>();

/**
 * The design's problems, or null while they cannot be known yet: the WIT checker is still loading
 * (lib/store/wit-support.ts) and some node has WIT. A design without WIT is checked at once.
 */
export function useProblemsOrPending(): DesignProblem[] | null {
  const topology = useDesigner((s) => s.doc.topology);
  const checker = useDesigner((s) => s.checker);
  const hit = problemsCache.get(topology);
  if (hit && sameAnswers(hit.checker, checker, topology.nodes)) return hit.problems;
  const problems = checker === pendingWitChecker && topology.nodes.some(hasWit) ? null : findProblems(topology, checker);
  problemsCache.set(topology, { checker, problems });
  return problems;
}

const NO_PROBLEMS: DesignProblem[] = [];

/** The design's problems; none while they are pending (the canvas then marks nothing for a moment). */
export function useProblems(): DesignProblem[] {
  return useProblemsOrPending() ?? NO_PROBLEMS;
}
