// Typed refusals from graph ops. `kind` is stable: the UI maps it to a message
// and uses the ids to highlight the culprit.
export type LinkError =
  | { kind: "unknown-node"; nodeId: string; message: string }
  | { kind: "unknown-port"; nodeId: string; portId: string; message: string }
  | { kind: "self-link"; nodeId: string; message: string }
  | { kind: "wrong-direction"; nodeId: string; portId: string; message: string }
  | { kind: "port-kind-mismatch"; fromPort: string; toPort: string; message: string }
  | { kind: "interface-mismatch"; fromPort: string; toPort: string; message: string }
  | { kind: "duplicate-link"; linkId: string; message: string }
  | { kind: "import-already-linked"; nodeId: string; portId: string; linkId: string; message: string };

export type NodeError =
  | { kind: "duplicate-node"; nodeId: string; message: string }
  | { kind: "unknown-node"; nodeId: string; message: string }
  | { kind: "invalid-field"; nodeId: string; field: string; message: string };

export type GraphError = LinkError | NodeError;
