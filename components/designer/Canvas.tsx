"use client";
import {
  Background,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  useReactFlow,
  getViewportForBounds,
  useStore as useFlowStore,
  type Connection,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
  type OnConnectEnd,
  type Viewport,
} from "@xyflow/react";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from "react";
import { checkLink } from "@/lib/graph/ops";
import type { NodeTemplate } from "@/lib/graph/factory";
import type { TopologyNode } from "@/lib/graph/types";
import { createFlowAdapter, type FlowEdge, type FlowNode } from "@/lib/store/flow-adapter";
import { useCanvasPainted } from "./canvas-painted";
import { useDesigner, useDesignerStore, useProblems } from "./store-context";
import { TrellisEdge } from "./TrellisEdge";
import { LodContext, LOD_ZOOM, TINY_ZOOM } from "./lod-context";
import { FAR_WIDTH, farHeight, TrellisNode } from "./TrellisNode";

// Module scope: React Flow re-mounts every node if these objects change identity.
const nodeTypes = { trellis: TrellisNode };
const edgeTypes = { trellis: TrellisEdge };

const MINIMAP_COLORS: Record<string, string> = { component: "#8f7bff", container: "#3fc99a", compiled: "#6cc4ff", endpoint: "#ffb547" };
const minimapColor = (n: FlowNode) => MINIMAP_COLORS[n.data.kind] ?? "#888";

const NO_NODES: FlowNode[] = [];
const NO_EDGES: FlowEdge[] = [];

const FIT_OPTIONS = { maxZoom: 1, padding: 0.15 };
const MIN_ZOOM = 0.05;

/**
 * The view fitView will settle on, estimated from positions and port counts before
 * anything is measured, so a large design is first drawn at its fit zoom (far nodes)
 * instead of in full detail at zoom 1 and then again.
 */
function estimatedFit(nodes: TopologyNode[], width: number, height: number): Viewport {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const n of nodes) {
    x0 = Math.min(x0, n.position.x);
    y0 = Math.min(y0, n.position.y);
    x1 = Math.max(x1, n.position.x + FAR_WIDTH);
    y1 = Math.max(y1, n.position.y + farHeight(n.ports.length));
  }
  if (!(x1 > x0) || width <= 0 || height <= 0) return { x: 0, y: 0, zoom: 1 };
  return getViewportForBounds({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, width, height, MIN_ZOOM, FIT_OPTIONS.maxZoom, FIT_OPTIONS.padding);
}

const farSelector = (s: { transform: [number, number, number] }) => s.transform[2] < LOD_ZOOM;
const tinySelector = (s: { transform: [number, number, number] }) => s.transform[2] < TINY_ZOOM;
/** Every node measured (an empty design has nothing to measure). */
const drawnSelector = (s: { nodesInitialized: boolean; nodeLookup: Map<string, unknown> }) => s.nodesInitialized || s.nodeLookup.size === 0;

export const TEMPLATE_MIME = "application/x-trellis-template";

/** What was right-clicked (or given the menu key): the designer builds the menu for it. */
export type CanvasTarget = { type: "node"; id: string } | { type: "edge"; id: string } | { type: "pane"; at: { x: number; y: number } };

const MINIMAP_KEY = "trellis-minimap";

/** The minimap is off by default (it covers the canvas corner where nodes get dropped); the choice is remembered. */
export function useMinimapOpen(): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    try {
      setOpen(localStorage.getItem(MINIMAP_KEY) === "open");
    } catch {
      /* storage blocked */
    }
  }, []);
  const set = useCallback((o: boolean) => {
    setOpen(o);
    try {
      localStorage.setItem(MINIMAP_KEY, o ? "open" : "closed");
    } catch {
      /* storage blocked */
    }
  }, []);
  return [open, set];
}

export function Canvas({
  onFilesDropped,
  progress,
  failures,
  run,
  onContextMenu,
  minimap = false,
  onMinimap,
}: {
  onContextMenu?: (target: CanvasTarget, screen: { x: number; y: number }) => void;
  minimap?: boolean;
  onMinimap?: (open: boolean) => void;
  onFilesDropped?: (files: File[], at: { x: number; y: number }) => void;
  progress?: Map<string, number>;
  failures?: Map<string, { jobId: string; kind: string; message: string }>;
  run?: { nodes: Map<string, { text: string; error: boolean }>; links: Map<string, string> };
}) {
  const store = useDesignerStore();
  const topology = useDesigner((s) => s.doc.topology);
  const selection = useDesigner((s) => s.selection);
  // Where dragged nodes are now: React Flow's frames, kept here and committed to the store once, at drop.
  const [drag, setDrag] = useState<Record<string, { x: number; y: number }>>({});
  const dragRef = useRef<Record<string, { x: number; y: number }>>({});
  const notice = useDesigner((s) => s.notice);
  const { screenToFlowPosition } = useReactFlow();
  // Re-renders only when the zoom crosses the threshold.
  const far = useFlowStore(farSelector);
  const tiny = useFlowStore(tinySelector);
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const adapter = useRef(createFlowAdapter()).current;
  const [reason, setReason] = useState<{ text: string; x: number; y: number } | null>(null);
  const cursor = useRef({ x: 0, y: 0 });
  // Fit only a design that opens with nodes; an empty one keeps zoom 1 so the
  // first dropped node does not fill the screen.
  const [openedWithNodes] = useState(() => store.getState().doc.topology.nodes.length > 0);
  // React Flow mounts on the client only (it draws no node on the server anyway), once the
  // pane's size is known, so the first view can be the fit one.
  const host = useRef<HTMLDivElement>(null);
  const [firstView, setFirstView] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    const r = host.current?.getBoundingClientRect();
    setFirstView(openedWithNodes && r ? estimatedFit(store.getState().doc.topology.nodes, r.width, r.height) : { x: 0, y: 0, zoom: 1 });
  }, [openedWithNodes, store]);

  const problems = useProblems();
  const nodeProblems = useMemo(() => {
    const m = new Map<string, number>();
    for (const p of problems) {
      const ids = p.kind === "broken-link" ? p.nodeIds : [p.nodeId];
      for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
    }
    return m;
  }, [problems]);
  const linkProblems = useMemo(
    () => new Map(problems.flatMap((p) => (p.kind === "broken-link" ? [[p.linkId, p.message] as const] : []))),
    [problems],
  );
  const highlighted = useMemo(
    () => ({ nodes: new Set(notice?.level === "error" ? notice.nodeIds ?? [] : []), links: new Set(notice?.linkIds ?? []) }),
    [notice],
  );
  const selNodes = useMemo(() => new Set(selection.nodes), [selection.nodes]);
  const selLinks = useMemo(() => new Set(selection.links), [selection.links]);
  const input = {
    nodes: topology.nodes,
    links: topology.links,
    selectedNodes: selNodes,
    selectedLinks: selLinks,
    nodeProblems,
    linkProblems,
    highlightedNodes: highlighted.nodes,
    highlightedLinks: highlighted.links,
    progress,
    failures,
    run,
    measured,
  };
  // Nothing to derive before React Flow mounts (the server render, the hydration pass).
  const mounted = firstView !== null;
  const modelNodes = useMemo(() => (mounted ? adapter.nodes(input) : NO_NODES), [mounted, adapter, topology.nodes, selNodes, nodeProblems, highlighted, progress, failures, run, measured]); // eslint-disable-line react-hooks/exhaustive-deps
  // A drag frame replaces only the dragged nodes' objects; every other node keeps its identity.
  const nodes = useMemo(
    () => (Object.keys(drag).length === 0 ? modelNodes : modelNodes.map((n) => (drag[n.id] ? { ...n, position: drag[n.id] } : n))),
    [modelNodes, drag],
  );
  // React Flow draws a design in two passes: nodes hidden until it has measured them, then nodes and
  // wires. The frame after the second is the first that shows the design.
  const { markPainted } = useCanvasPainted();
  const drawn = useFlowStore(drawnSelector);
  useEffect(() => {
    if (!mounted || !drawn) return;
    let t: ReturnType<typeof setTimeout> | undefined;
    const r = requestAnimationFrame(() => (t = setTimeout(markPainted, 0)));
    return () => {
      cancelAnimationFrame(r);
      clearTimeout(t);
    };
  }, [mounted, drawn, markPainted]);
  const portIndex = useMemo(() => new Map(topology.nodes.map((n) => [n.id, n])), [topology.nodes]);
  const edges = useMemo(
    () => (mounted ? adapter.edges(input, (end) => portIndex.get(end.node)?.ports.find((p) => p.id === end.port)) : NO_EDGES),
    [mounted, adapter, topology.links, selLinks, linkProblems, highlighted, portIndex, run], // eslint-disable-line react-hooks/exhaustive-deps
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const s = store.getState();
      const moving: Record<string, { x: number; y: number }> = {};
      let dragEnded = false;
      let sel: Set<string> | null = null;
      const sizes: Record<string, { width: number; height: number }> = {};
      for (const c of changes) {
        if (c.type === "position") {
          if (c.position) moving[c.id] = c.position;
          if (c.dragging === false) dragEnded = true;
        } else if (c.type === "select") {
          sel ??= new Set(s.selection.nodes);
          if (c.selected) sel.add(c.id);
          else sel.delete(c.id);
        } else if (c.type === "dimensions" && c.dimensions) {
          sizes[c.id] = { width: c.dimensions.width, height: c.dimensions.height };
        }
      }
      if (Object.keys(sizes).length) setMeasured((m) => ({ ...m, ...sizes }));
      if (Object.keys(moving).length) {
        dragRef.current = { ...dragRef.current, ...moving };
        setDrag(dragRef.current);
      }
      if (dragEnded) {
        const dropped = dragRef.current;
        dragRef.current = {};
        setDrag({});
        s.moveNodes(dropped);
      }
      if (sel) s.setSelection({ nodes: [...sel], links: s.selection.links });
    },
    [store],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<FlowEdge>[]) => {
      const s = store.getState();
      let sel: Set<string> | null = null;
      for (const c of changes) {
        if (c.type === "select") {
          sel ??= new Set(s.selection.links);
          if (c.selected) sel.add(c.id);
          else sel.delete(c.id);
        }
      }
      if (sel) s.setSelection({ nodes: s.selection.nodes, links: [...sel] });
    },
    [store],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      setReason(null);
      if (!c.sourceHandle || !c.targetHandle) return;
      store.getState().connect({ node: c.source, port: c.sourceHandle }, { node: c.target, port: c.targetHandle });
    },
    [store],
  );

  // While dragging a wire: say why a hovered handle refuses it, at the cursor.
  const isValidConnection: IsValidConnection<FlowEdge> = useCallback(
    (c) => {
      if (!c.sourceHandle || !c.targetHandle) return false;
      const s = store.getState();
      const e = checkLink(s.doc.topology, { node: c.source, port: c.sourceHandle }, { node: c.target, port: c.targetHandle }, s.checker);
      setReason(e ? { text: e.message, ...cursor.current } : null);
      return e === null;
    },
    [store],
  );

  const onConnectEnd: OnConnectEnd = useCallback(
    (_e, state) => {
      setReason(null);
      // A drop on a refusing handle: record the refusal where the problems show.
      if (state.isValid !== false || !state.fromHandle?.id || !state.toHandle?.id) return;
      const a = { node: state.fromHandle.nodeId, port: state.fromHandle.id };
      const b = { node: state.toHandle.nodeId, port: state.toHandle.id };
      const s = store.getState();
      if (state.fromHandle.type === "source") s.connect(a, b);
      else s.connect(b, a);
    },
    [store],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const at = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const raw = e.dataTransfer.getData(TEMPLATE_MIME);
      if (raw) {
        store.getState().addFromTemplate(JSON.parse(raw) as NodeTemplate, { x: at.x - 90, y: at.y - 30 });
        return;
      }
      if (e.dataTransfer.files.length && onFilesDropped) onFilesDropped([...e.dataTransfer.files], at);
    },
    [store, screenToFlowPosition, onFilesDropped],
  );

  const menu = useCallback(
    (target: CanvasTarget) => (e: ReactMouseEvent) => {
      if (!onContextMenu) return;
      e.preventDefault();
      onContextMenu(target, { x: e.clientX, y: e.clientY });
    },
    [onContextMenu],
  );
  const onNodeContextMenu = useCallback((e: ReactMouseEvent, n: FlowNode) => {
    const s = store.getState();
    if (!s.selection.nodes.includes(n.id)) s.setSelection({ nodes: [n.id], links: [] });
    menu({ type: "node", id: n.id })(e);
  }, [menu, store]);
  const onEdgeContextMenu = useCallback((e: ReactMouseEvent, ed: FlowEdge) => {
    store.getState().setSelection({ nodes: [], links: [ed.id] });
    menu({ type: "edge", id: ed.id })(e);
  }, [menu, store]);
  const onPaneContextMenu = useCallback(
    (e: ReactMouseEvent | MouseEvent) => {
      e.preventDefault();
      onContextMenu?.({ type: "pane", at: screenToFlowPosition({ x: e.clientX, y: e.clientY }) }, { x: e.clientX, y: e.clientY });
    },
    [onContextMenu, screenToFlowPosition],
  );

  return (
    <div
      ref={host}
      className={`canvas${far ? " lod-far" : ""}${tiny ? " lod-tiny" : ""}`}
      data-testid="canvas"
      data-lod={far ? "far" : "near"}
      onMouseMove={(e) => {
        cursor.current = { x: e.clientX, y: e.clientY };
      }}
    >
      <LodContext.Provider value={tiny ? "tiny" : far ? "far" : "near"}>
        {firstView && (
          <ReactFlow<FlowNode, FlowEdge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onConnectEnd={onConnectEnd}
            isValidConnection={isValidConnection}
            onDragOver={onDragOver}
            onDrop={onDrop}
            onNodeContextMenu={onNodeContextMenu}
            onEdgeContextMenu={onEdgeContextMenu}
            onPaneContextMenu={onPaneContextMenu}
            deleteKeyCode={null}
            selectionKeyCode="Shift"
            multiSelectionKeyCode={["Shift", "Meta", "Control"]}
            connectionRadius={24}
            fitView={openedWithNodes}
            fitViewOptions={FIT_OPTIONS}
            defaultViewport={firstView}
            minZoom={MIN_ZOOM}
            proOptions={{ hideAttribution: true }}
          >
            {/* Zoomed far out the dot grid is a sub-pixel pattern repainted under every frame. */}
            {!far && <Background gap={20} />}
            {minimap && <MiniMap pannable zoomable data-testid="minimap" nodeColor={minimapColor} maskColor="var(--minimap-mask)" bgColor="var(--panel)" ariaLabel="Minimap" offsetScale={4} />}
            <Panel position="bottom-right" className="minimap-toggle-panel" style={minimap ? { bottom: 172 } : undefined}>
              <button data-testid="minimap-toggle" aria-pressed={minimap} onClick={() => onMinimap?.(!minimap)} title="Show or hide the minimap (Shift+M)">
                {minimap ? "Hide map" : "Map"}
              </button>
            </Panel>
            <Controls data-testid="zoom-controls" />
          </ReactFlow>
        )}
      </LodContext.Provider>
      {topology.nodes.length === 0 && (
        <div className="canvas-hint" data-testid="empty-hint">
          <b>An empty design.</b> Drag a node from the palette (or double-click it, or search with <kbd>/</kbd> and press <kbd>Enter</kbd>), drop a
          .wasm component or an image tar here, or right-click for a menu. <kbd>?</kbd> lists every shortcut.
        </div>
      )}
      {reason && (
        <div className="connect-reason" data-testid="connect-reason" style={{ left: reason.x + 14, top: reason.y + 14 }}>
          {reason.text}
        </div>
      )}
    </div>
  );
}
