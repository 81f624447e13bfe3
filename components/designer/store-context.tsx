"use client";
import { createContext, useContext } from "react";
import { useStore } from "zustand";
import type { InterfaceChecker } from "@/lib/graph/ops";
import { findProblems, type DesignProblem } from "@/lib/graph/problems";
import type { Topology } from "@/lib/graph/types";
import type { DesignerState, DesignerStore } from "@/lib/store/designer-store";

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
const problemsCache = new WeakMap<Topology, { checker: InterfaceChecker; problems: DesignProblem[] }>();

export function useProblems(): DesignProblem[] {
  const topology = useDesigner((s) => s.doc.topology);
  const checker = useDesigner((s) => s.checker);
  const hit = problemsCache.get(topology);
  if (hit && hit.checker === checker) return hit.problems;
  const problems = findProblems(topology, checker);
  problemsCache.set(topology, { checker, problems });
  return problems;
}
