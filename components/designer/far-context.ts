"use client";
import { createContext } from "react";

/**
 * Whether the canvas is zoomed out past the level-of-detail threshold. The canvas
 * reads the zoom once and hands the answer down, so nodes and wires do not each
 * subscribe to the viewport (a thousand listeners run on every frame otherwise).
 */
export const FarContext = createContext(false);

/** Below this zoom node text is under ~5px: nodes draw as plain boxes with their handles, wires without labels. */
export const LOD_ZOOM = 0.45;
