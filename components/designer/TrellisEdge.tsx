"use client";
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from "@xyflow/react";
import { memo } from "react";
import type { FlowEdge } from "@/lib/store/flow-adapter";

function TrellisEdgeView(props: EdgeProps<FlowEdge>) {
  const { id, data, selected } = props;
  const [path, labelX, labelY] = getBezierPath(props);
  const broken = Boolean(data?.problem);
  const cls = `tedge${broken ? " broken" : ""}${selected ? " selected" : ""}${data?.linkKind === "network" ? " network" : ""}`;
  return (
    <>
      <BaseEdge id={id} path={path} className={cls} interactionWidth={16} />
      {/* The ports already name the interface; the label shows on focus, trouble or a run value. */}
      {(selected || broken || data?.value !== undefined) && (
      <EdgeLabelRenderer>
        <div
          className={`tedge-label${broken ? " broken" : ""}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          data-testid={`edge-${id}`}
          data-broken={broken ? "true" : "false"}
          title={data?.problem ?? data?.label}
        >
          {data?.value ?? (broken ? `✕ ${data?.problem}` : data?.label)}
        </div>
      </EdgeLabelRenderer>
      )}
    </>
  );
}

export const TrellisEdge = memo(TrellisEdgeView);
