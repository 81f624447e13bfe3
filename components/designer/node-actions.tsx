"use client";
import { createContext, useContext } from "react";

/** What a node's own buttons can do; node data stays plain values, so these come by context. */
export interface NodeActions {
  retryCompile(jobId: string): void;
  removeNode(nodeId: string): void;
}

export const NodeActionsContext = createContext<NodeActions | null>(null);

export const useNodeActions = () => useContext(NodeActionsContext);
