"use client";
import { BaseEdge, getBezierPath, useInternalNode, useStore, type EdgeProps, type ReactFlowState } from "@xyflow/react";
import { memo, useCallback, useContext, useMemo } from "react";
import { createPortal } from "react-dom";
import type { FlowEdge } from "@/lib/store/flow-adapter";
import { backEdgePath, labelSpots, nearSpots, pickSpot, type Rect } from "@/lib/store/edge-route";
import { LodContext } from "./lod-context";

type Internal = NonNullable<ReturnType<typeof useInternalNode>>;
const rectOf = (n: Internal): Rect => ({ x: n.internals.positionAbsolute.x, y: n.internals.positionAbsolute.y, width: n.measured.width ?? 0, height: n.measured.height ?? 0 });

/** A wire whose target sits left of its source would cut through both nodes as a bezier. */
const isBackEdge = (p: EdgeProps<FlowEdge>) => p.targetX < p.sourceX + 16 && p.source !== p.target;

/** Routed below both end nodes; only these edges read node sizes (and subscribe to them). */
function BackEdge(props: EdgeProps<FlowEdge>) {
  const s = useInternalNode(props.source);
  const t = useInternalNode(props.target);
  const route = s && t ? backEdgePath({ x: props.sourceX, y: props.sourceY }, { x: props.targetX, y: props.targetY }, [rectOf(s), rectOf(t)], []) : null;
  return <EdgeBody {...props} path={route ? route.path : getBezierPath(props)[0]} back />;
}

/** Label size in flow units (the label scales with the canvas); matches .tedge-label. */
const labelSize = (text: string) => ({ width: Math.min(180, text.length * 6.2 + 12), height: 18 });

const domNodeOf = (st: ReactFlowState) => st.domNode;

function EdgeLabel({ id, path, text, broken, title, selected }: { id: string; path: string; text: string; broken: boolean; title?: string; selected: boolean }) {
  // React Flow's EdgeLabelRenderer looks its container up with a querySelector in a store
  // selector, run by every label on every store update (each drag frame); look it up once.
  const domNode = useStore(domNodeOf);
  const layer = useMemo(() => domNode?.querySelector(".react-flow__edgelabel-renderer") ?? null, [domNode]);
  const size = useMemo(() => labelSize(text), [text]);
  const spots = useMemo(() => labelSpots(path, size), [path, size]);
  // Re-placed only when the answer changes (a string compares by value); a drag frame costs
  // one box test per node, the exact test only for nodes near the wire.
  const where = useStore(
    useCallback(
      (st: ReactFlowState) => {
        const near: Rect[] = [];
        for (const n of st.nodeLookup.values()) {
          const r = rectOf(n as Internal);
          if (nearSpots(spots, r)) near.push(r);
        }
        const p = pickSpot(spots, size, near);
        return `${Math.round(p.x)},${Math.round(p.y)}`;
      },
      [spots, size],
    ),
  );
  const [x, y] = where.split(",").map(Number);
  if (!layer) return null;
  return createPortal(
    <div
      className={`tedge-label${broken ? " broken" : ""}${selected ? " selected" : ""}`}
      style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
      data-testid={`edge-${id}`}
      data-broken={broken ? "true" : "false"}
      title={title}
    >
      {text}
    </div>,
    layer,
  );
}

function EdgeBody(props: EdgeProps<FlowEdge> & { path: string; back?: boolean }) {
  const { id, data, selected, path, back } = props;
  const broken = Boolean(data?.problem);
  const cls = `tedge${broken ? " broken" : ""}${selected ? " selected" : ""}${data?.linkKind === "network" ? " network" : ""}${back ? " back" : ""}`;
  // The ports already name the interface; the label shows on focus, trouble or a run value.
  // Zoomed far out a label is a few pixels of unreadable text: none are drawn.
  const lod = useContext(LodContext);
  const showLabel = lod === "near" && (selected || broken || data?.value !== undefined);
  return (
    <>
      <BaseEdge id={id} path={path} className={cls} interactionWidth={lod === "tiny" ? 0 : 16} />
      {showLabel && (
        <EdgeLabel id={id} path={path} text={data?.value ?? (broken ? `✕ ${data?.problem}` : (data?.label ?? ""))} broken={broken} title={data?.problem ?? data?.label} selected={!!selected} />
      )}
    </>
  );
}

function TrellisEdgeView(props: EdgeProps<FlowEdge>) {
  return isBackEdge(props) ? <BackEdge {...props} /> : <EdgeBody {...props} path={getBezierPath(props)[0]} />;
}

export const TrellisEdge = memo(TrellisEdgeView);
