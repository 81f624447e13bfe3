"use client";
import { createContext } from "react";

/**
 * How much of the canvas is drawn: `near` in full, `far` nodes as boxes with handles and wires
 * without labels, `tiny` also without live handles. The canvas reads the zoom once and hands
 * the level down, so nodes and wires do not each subscribe to the viewport (a thousand
 * listeners run on every frame otherwise).
 */
export type Lod = "near" | "far" | "tiny";
export const LodContext = createContext<Lod>("near");

/** Below this zoom node text is under ~5px: nodes draw as plain boxes with their handles, wires without labels. */
export const LOD_ZOOM = 0.45;

/**
 * Below this zoom a handle is under 2.5px and a wire's grab area under 3.5px: neither can
 * be aimed at, so they are left out of painting and hit testing (every pointer move
 * hit-tests the canvas: 1,500 wires and 3,000 handles at the bench's size). A handle is then
 * a plain element where React Flow measures it (wires still attach), not a `<Handle>`, whose
 * store subscription runs on every drag frame; wires have no grab path. Nodes stay draggable
 * and selectable.
 */
export const TINY_ZOOM = 0.2;
