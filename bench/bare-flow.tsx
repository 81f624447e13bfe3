// Baseline for the canvas benchmark: React Flow with its default nodes and
// edges, no store, no adapter, rendering the same design Trellis renders.
import { ReactFlow, applyNodeChanges, type Edge, type Node, type NodeChange } from "@xyflow/react";
import { useCallback, useState } from "react";
import { createRoot } from "react-dom/client";

declare global {
  interface Window {
    __DESIGN__: { topology: { nodes: { id: string; name: string; position: { x: number; y: number } }[]; links: { id: string; from: { node: string }; to: { node: string } }[] } };
  }
}

const t = window.__DESIGN__.topology;
const initialNodes: Node[] = t.nodes.map((n) => ({ id: n.id, position: n.position, data: { label: n.name } }));
const edges: Edge[] = t.links.map((l) => ({ id: l.id, source: l.from.node, target: l.to.node }));

function App() {
  const [nodes, setNodes] = useState(initialNodes);
  const onNodesChange = useCallback((c: NodeChange[]) => setNodes((ns) => applyNodeChanges(c, ns)), []);
  return (
    <div style={{ width: "100vw", height: "100vh" }}>
      <ReactFlow nodes={nodes} edges={edges} onNodesChange={onNodesChange} fitView fitViewOptions={{ maxZoom: 1, padding: 0.15 }} minZoom={0.05} />
    </div>
  );
}

createRoot(document.getElementById("root")!).render(<App />);
