"use client";
// Background work of the designer (the palette's lists from the server, job events, export
// readiness) starts once the canvas has first drawn the design: on a first load it would share the
// server's one thread and the machine's cores with the page's scripts and the first render.
import { createContext, useContext } from "react";

export interface CanvasPainted {
  painted: boolean;
  /** Called by the canvas after the frame that first drew the design. */
  markPainted(): void;
}

// Outside a designer (tests, other pages) there is nothing to wait for.
const Context = createContext<CanvasPainted>({ painted: true, markPainted: () => undefined });
export const CanvasPaintedContext = Context.Provider;
export const useCanvasPainted = () => useContext(Context);
