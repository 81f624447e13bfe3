"use client";
import { createContext, useContext } from "react";
import { useStore } from "zustand";
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
