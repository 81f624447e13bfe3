"use client";
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore as useFlowStore,
  type Connection,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
  type OnConnectEnd,
} from "@xyflow/react";
import { useCallback, useMemo, useRef, useState, type DragEvent } from "react";
import { checkLink } from "@/lib/graph/ops";
import type { NodeTemplate } from "@/lib/graph/factory";
import { createFlowAdapter, type FlowEdge, type FlowNode } from "@/lib/store/flow-adapter";
import { useDesigner, useDesignerStore, useProblems } from "./store-context";
import { TrellisEdge } from "./TrellisEdge";
import { TrellisNode } from "./TrellisNode";

// Module scope: React Flow re-mounts every node if these objects change identity.
const nodeTypes = { trellis: TrellisNode };
const edgeTypes = { trellis: TrellisEdge };

const MINIMAP_COLORS: Record<string, string> = { component: "#8f7bff", container: "#3fc99a", compiled: "#6cc4ff", endpoint: "#ffb547" };
const minimapColor = (n: FlowNode) => MINIMAP_COLORS[n.data.kind] ?? "#888";

const FIT_OPTIONS = { maxZoom: 1, padding: 0.15 };

/** Below this zoom, text on nodes is under ~5px and unreadable: skip painting it. */
const LOD_ZOOM = 0.45;
const farSelector = (s: { transform: [number, number, number] }) => s.transform[2] < LOD_ZOOM;

export const TEMPLATE_MIME = "application/x-trellis-template";

export function Canvas({
  onFilesDropped,
  progress,
  failures,
  run,
}: {
  onFilesDropped?: (files: File[], at: { x: number; y: number }) => void;
  progress?: Map<string, number>;
  failures?: Map<string, { jobId: string; kind: string; message: string }>;
  run?: { nodes: Map<string, { text: string; error: boolean }>; links: Map<string, string> };
}) {
  const store = useDesignerStore();
  const topology = useDesigner((s) => s.doc.topology);
  const selection = useDesigner((s) => s.selection);
  const dragging = useDesigner((s) => s.dragging);
  const notice = useDesigner((s) => s.notice);
  const { screenToFlowPosition } = useReactFlow();
  // Re-renders only when the zoom crosses the threshold.
  const far = useFlowStore(farSelector);
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const adapter = useRef(createFlowAdapter()).current;
  const [reason, setReason] = useState<{ text: string; x: number; y: number } | null>(null);
  const cursor = useRef({ x: 0, y: 0 });
  // Fit only a design that opens with nodes; an empty one keeps zoom 1 so the
  // first dropped node does not fill the screen.
  const [openedWithNodes] = useState(() => store.getState().doc.topology.nodes.length > 0);

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
    dragging,
    nodeProblems,
    linkProblems,
    highlightedNodes: highlighted.nodes,
    highlightedLinks: highlighted.links,
    progress,
    failures,
    run,
    measured,
  };
  const nodes = useMemo(() => adapter.nodes(input), [adapter, topology.nodes, selNodes, dragging, nodeProblems, highlighted, progress, failures, run, measured]); // eslint-disable-line react-hooks/exhaustive-deps
  const portIndex = useMemo(() => new Map(topology.nodes.map((n) => [n.id, n])), [topology.nodes]);
  const edges = useMemo(
    () => adapter.edges(input, (end) => portIndex.get(end.node)?.ports.find((p) => p.id === end.port)),
    [adapter, topology.links, selLinks, linkProblems, highlighted, portIndex, run], // eslint-disable-line react-hooks/exhaustive-deps
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
      if (Object.keys(moving).length) s.dragNodes(moving);
      if (dragEnded) s.endDrag();
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

  return (
    <div
      className={`canvas${far ? " lod-far" : ""}`}
      data-testid="canvas"
      data-lod={far ? "far" : "near"}
      onMouseMove={(e) => {
        cursor.current = { x: e.clientX, y: e.clientY };
      }}
    >
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
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        connectionRadius={24}
        fitView={openedWithNodes}
        fitViewOptions={FIT_OPTIONS}
        minZoom={0.05}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} />
        <MiniMap pannable zoomable data-testid="minimap" nodeColor={minimapColor} maskColor="rgba(15, 20, 32, 0.7)" bgColor="#161d2d" />
        <Controls data-testid="zoom-controls" />
      </ReactFlow>
      {reason && (
        <div className="connect-reason" data-testid="connect-reason" style={{ left: reason.x + 14, top: reason.y + 14 }}>
          {reason.text}
        </div>
      )}
    </div>
  );
}
