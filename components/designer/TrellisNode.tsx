"use client";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, useContext } from "react";
import type { FlowNode, PortView } from "@/lib/store/flow-adapter";
import { LodContext } from "./lod-context";
import { useNodeActions } from "./node-actions";

const KIND_ICON: Record<string, string> = { component: "◆", container: "▣", compiled: "◈", endpoint: "◎" };

function PortRow({ port, side }: { port: PortView; side: "in" | "out" }) {
  return (
    <div className={`port port-${side} port-${port.kind}`} data-testid={`port-${port.id}`} title={port.label}>
      <Handle
        id={port.id}
        type={side === "in" ? "target" : "source"}
        position={side === "in" ? Position.Left : Position.Right}
        className={`handle handle-${port.kind}`}
        data-testid={`handle-${side}-${port.id}`}
      />
      <span className="port-label">{port.label}</span>
    </div>
  );
}

function FailureRow({ nodeId, failure }: { nodeId: string; failure: NonNullable<FlowNode["data"]["failure"]> }) {
  const actions = useNodeActions();
  return (
    <div className="tnode-failure nodrag" data-testid="node-failure" data-kind={failure.kind} role="alert">
      <div className="tnode-failure-text" title={failure.message}>
        ✕ {failure.message}
      </div>
      {actions && (
        <div className="tnode-failure-actions">
          <button data-testid="node-retry" onClick={() => actions.retryCompile(failure.jobId)}>
            Retry
          </button>
          <button data-testid="node-remove" onClick={() => actions.removeNode(nodeId)}>
            Remove
          </button>
        </div>
      )}
    </div>
  );
}

// Row geometry of the full node (see .tnode-* in globals.css), so wires attach
// at about the same height when the view switches between the two.
const HEAD = 44;
const ROW = 20;
/** The far node's box (it has no text to size it): the canvas also estimates its first view from it. */
export const FAR_WIDTH = 230;
export const farHeight = (ports: number) => HEAD + Math.max(1, ports) * ROW + 6;

/**
 * What React Flow reads from a handle element to attach wires (class, data-handleid, data-handlepos; see
 * getHandleBounds in @xyflow/system), without the `<Handle>` component's store subscription: used when
 * zoomed out too far to aim at a handle. Same classes and box as the live handle, so wires stay put.
 * A plain element, not a component: a thousand far nodes would otherwise add ~3,000 components.
 */
function staticHandle(nodeId: string, port: PortView, side: "in" | "out", top: number) {
  const pos = side === "in" ? Position.Left : Position.Right;
  return (
    <div
      key={port.id}
      className={`react-flow__handle react-flow__handle-${pos} nodrag nopan ${side === "in" ? "target" : "source"} handle handle-${port.kind}`}
      data-handleid={port.id}
      data-nodeid={nodeId}
      data-handlepos={pos}
      style={{ top }}
    />
  );
}

/**
 * The far-zoom node: same box, a handle per port, no text or rows (a tenth of the elements). Called as a
 * function from the node component (it has no hooks), so a far node is one component, not two.
 */
function farNode({ id, data, selected }: NodeProps<FlowNode>, live: boolean) {
  const ports = [...data.inputs.map((p) => [p, "in"] as const), ...data.outputs.map((p) => [p, "out"] as const)];
  return (
    <div
      className={`tnode tnode-far tnode-${data.kind}${selected ? " selected" : ""}${data.highlighted ? " highlighted" : ""}${data.failure ? " failed" : ""}`}
      style={{ height: farHeight(ports.length) }}
      data-testid={`node-${id}`}
      data-node-name={data.name}
      data-kind={data.kind}
      data-lod="far"
    >
      {ports.map(([p, side], i) =>
        live ? (
          <Handle
            key={p.id}
            id={p.id}
            type={side === "in" ? "target" : "source"}
            position={side === "in" ? Position.Left : Position.Right}
            className={`handle handle-${p.kind}`}
            style={{ top: HEAD + i * ROW + ROW / 2 }}
          />
        ) : (
          staticHandle(id, p, side, HEAD + i * ROW + ROW / 2)
        ),
      )}
    </div>
  );
}

function TrellisNodeView(props: NodeProps<FlowNode>) {
  const lod = useContext(LodContext);
  return lod === "near" ? <NearNode {...props} /> : farNode(props, lod === "far");
}

function NearNode({ id, data, selected }: NodeProps<FlowNode>) {
  return (
    <div
      className={`tnode tnode-${data.kind}${selected ? " selected" : ""}${data.highlighted ? " highlighted" : ""}${data.failure ? " failed" : ""}`}
      data-failed={data.failure ? "true" : undefined}
      data-testid={`node-${id}`}
      data-node-name={data.name}
      data-kind={data.kind}
    >
      <div className="tnode-head">
        <span className="tnode-icon">{KIND_ICON[data.kind]}</span>
        <span className="tnode-name" data-testid="node-name">{data.name}</span>
        {data.problemCount > 0 && (
          <span className="tnode-badge" data-testid="node-problem-badge" title={`${data.problemCount} problem(s)`}>
            {data.problemCount}
          </span>
        )}
        {data.progress !== undefined && (
          <span className="tnode-progress" data-testid="node-progress" title={`${Math.round(data.progress)}%`}>
            <svg viewBox="0 0 20 20" width="18" height="18">
              <circle cx="10" cy="10" r="8" fill="none" stroke="#334" strokeWidth="3" />
              <circle cx="10" cy="10" r="8" fill="none" stroke="#6cf" strokeWidth="3" strokeDasharray={`${(data.progress / 100) * 50.3} 50.3`} transform="rotate(-90 10 10)" />
            </svg>
          </span>
        )}
      </div>
      <div className="tnode-sub">{data.subtitle}</div>
      {data.failure && <FailureRow nodeId={id} failure={data.failure} />}
      {data.run && (
        <div className={`tnode-run${data.run.error ? " error" : ""}`} data-testid="node-run" title={data.run.text}>
          {data.run.text}
        </div>
      )}
      {/* One row per port: imports (left handles) first, then exports (right handles). */}
      <div className="tnode-ports">
        {data.inputs.map((p) => <PortRow key={p.id} port={p} side="in" />)}
        {data.outputs.map((p) => <PortRow key={p.id} port={p} side="out" />)}
      </div>
    </div>
  );
}

export const TrellisNode = memo(TrellisNodeView);
