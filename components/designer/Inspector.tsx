"use client";
import type { ReactNode } from "react";
import { CAPABILITY_LABELS, httpBridged, KIND_LABELS, peerHostName, portLabel } from "@/lib/graph/ports";
import type { EnvVar, ExposedPort, TopologyNode } from "@/lib/graph/types";
import { CommitField as Field } from "./CommitField";
import { DeploymentInspector } from "./DeploymentInspector";
import { useDesigner } from "./store-context";

function EnvEditor({ env, onChange }: { env: EnvVar[]; onChange: (env: EnvVar[]) => void }) {
  return (
    <div className="env-editor" data-testid="env-editor">
      <div className="section-title">Environment</div>
      {env.map((e, i) => (
        <div className="env-row" key={`${i}-${e.name}`}>
          <Field label="" testId={`env-name-${i}`} value={e.name} onCommit={(v) => onChange(env.map((x, j) => (j === i ? { ...x, name: v } : x)))} />
          <Field label="" testId={`env-value-${i}`} value={e.value} onCommit={(v) => onChange(env.map((x, j) => (j === i ? { ...x, value: v } : x)))} />
          <button className="icon" data-testid={`env-remove-${i}`} onClick={() => onChange(env.filter((_, j) => j !== i))} title="Remove">
            ×
          </button>
        </div>
      ))}
      <button
        data-testid="env-add"
        onClick={() => {
          let n = env.length + 1;
          while (env.some((e) => e.name === `VAR_${n}`)) n++;
          onChange([...env, { name: `VAR_${n}`, value: "" }]);
        }}
      >
        + variable
      </button>
    </div>
  );
}

function PortsEditor({ ports, onChange }: { ports: ExposedPort[]; onChange: (p: ExposedPort[]) => void }) {
  return (
    <div className="ports-editor" data-testid="ports-editor">
      <div className="section-title">Exposed ports</div>
      {ports.map((p, i) => (
        <div className="env-row" key={`${i}-${p.port}`}>
          <Field label="" type="number" testId={`exposed-port-${i}`} value={String(p.port)} onCommit={(v) => onChange(ports.map((x, j) => (j === i ? { ...x, port: Number(v) } : x)))} />
          <select value={p.protocol} data-testid={`exposed-proto-${i}`} onChange={(e) => onChange(ports.map((x, j) => (j === i ? { ...x, protocol: e.target.value as "tcp" | "udp" } : x)))}>
            <option value="tcp">tcp</option>
            <option value="udp">udp</option>
          </select>
          <label className="port-http" title="The port speaks HTTP: a compiled container then exports wasi:http/incoming-handler">
            <input type="checkbox" data-testid={`exposed-http-${i}`} checked={!!p.http} disabled={p.protocol !== "tcp"} onChange={(e) => onChange(ports.map((x, j) => (j === i ? { ...x, http: e.target.checked } : x)))} />
            HTTP
          </label>
          <button className="icon" onClick={() => onChange(ports.filter((_, j) => j !== i))} title="Remove">
            ×
          </button>
        </div>
      ))}
      <button data-testid="exposed-port-add" onClick={() => onChange([...ports, { port: nextPort(ports), protocol: "tcp" }])}>
        + port
      </button>
    </div>
  );
}

const nextPort = (ports: ExposedPort[]) => {
  let p = 8080;
  while (ports.some((x) => x.port === p)) p++;
  return p;
};

/** The wired peers a compiled service's guest reaches by name through its wasi:http/outgoing-handler import. */
function GuestPeers({ node }: { node: TopologyNode }) {
  const topology = useDesigner((s) => s.doc.topology);
  const peers = topology.links.flatMap((l) => {
    const to = node.ports.find((p) => p.id === l.to.port);
    const from = topology.nodes.find((n) => n.id === l.from.node);
    const fp = from?.ports.find((p) => p.id === l.from.port);
    return l.to.node === node.id && to?.kind === "wit" && fp?.kind === "wit" && from && httpBridged(fp.interface, to.interface) ? [{ id: l.id, name: from.name, host: peerHostName(from) }] : [];
  });
  if (peers.length === 0) return null;
  return (
    <>
      <div className="section-title">Reachable from the guest</div>
      <ul className="port-list" data-testid="inspector-guest-peers">
        {peers.map((p) => (
          <li key={p.id} title={`the guest resolves ${p.host}; its HTTP requests there go out through wasi:http/outgoing-handler to ${p.name}`}>
            <code>http://{p.host}/</code> → {p.name}
          </li>
        ))}
      </ul>
    </>
  );
}

export function NodeInspector({ node, extra }: { node: TopologyNode; extra?: ReactNode }) {
  const updateNode = useDesigner((s) => s.updateNode);
  const c = node.config;
  const patch = (config: Partial<TopologyNode["config"]>) => updateNode(node.id, { config });
  return (
    <div className="inspector-body" data-testid="node-inspector">
      <div className="inspector-kind">{node.kind === "endpoint" && c.capability ? CAPABILITY_LABELS[c.capability] : KIND_LABELS[node.kind]}</div>
      <Field label="Name" testId="inspector-name" value={node.name} onCommit={(v) => updateNode(node.id, { name: v })} />
      {(node.kind === "container" || node.kind === "compiled" || node.kind === "component") && (
        <Field label={node.kind === "component" ? "Image reference (OCI)" : "Image reference"} testId="inspector-image" value={c.image ?? ""} placeholder="registry/repo:tag" onCommit={(v) => patch({ image: v || undefined })} />
      )}
      {node.kind === "component" && <Field label="Component source" testId="inspector-source" value={c.source ?? ""} onCommit={(v) => patch({ source: v || undefined })} />}
      {node.kind === "endpoint" && (
        <label className="field">
          <span>Capability</span>
          <select data-testid="inspector-capability" value={c.capability} onChange={(e) => patch({ capability: e.target.value as typeof c.capability })}>
            {Object.entries(CAPABILITY_LABELS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
      )}
      {node.kind !== "endpoint" && (
        <Field label="Replicas" type="number" testId="inspector-replicas" value={String(c.replicas)} onCommit={(v) => patch({ replicas: Number(v) })} />
      )}
      {node.kind !== "endpoint" && <EnvEditor env={c.env} onChange={(env) => patch({ env })} />}
      {(node.kind === "container" || node.kind === "compiled") && <PortsEditor ports={c.exposedPorts} onChange={(exposedPorts) => patch({ exposedPorts })} />}
      {node.kind === "compiled" && <GuestPeers node={node} />}
      <DeploymentInspector node={node} patch={patch} />
      {extra}
      <div className="section-title">Ports</div>
      <ul className="port-list" data-testid="inspector-ports">
        {node.ports.map((p) => (
          <li key={p.id}>
            <span className={`dir dir-${p.direction}`}>{p.direction}</span> {portLabel(p)}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Inspector({ extra }: { extra?: (node: TopologyNode) => ReactNode }) {
  const topology = useDesigner((s) => s.doc.topology);
  const selection = useDesigner((s) => s.selection);
  const node = selection.nodes.length === 1 ? topology.nodes.find((n) => n.id === selection.nodes[0]) : undefined;
  const link = !node && selection.links.length === 1 ? topology.links.find((l) => l.id === selection.links[0]) : undefined;
  let body: ReactNode;
  if (node) body = <NodeInspector key={node.id} node={node} extra={extra?.(node)} />;
  else if (link) {
    const from = topology.nodes.find((n) => n.id === link.from.node);
    const to = topology.nodes.find((n) => n.id === link.to.node);
    const fp = from?.ports.find((p) => p.id === link.from.port);
    const tp = to?.ports.find((p) => p.id === link.to.port);
    body = (
      <div className="inspector-body" data-testid="edge-inspector">
        <div className="inspector-kind">{fp?.kind === "wit" ? "Typed link (function calls)" : "Network link"}</div>
        <dl>
          <dt>Provider</dt>
          <dd data-testid="edge-from">
            {from?.name} · {fp ? portLabel(fp) : link.from.port}
          </dd>
          <dt>Consumer</dt>
          <dd data-testid="edge-to">
            {to?.name} · {tp ? portLabel(tp) : link.to.port}
          </dd>
        </dl>
      </div>
    );
  } else if (selection.nodes.length > 1 || selection.links.length > 1) {
    body = <div className="inspector-empty">{selection.nodes.length} nodes, {selection.links.length} wires selected</div>;
  } else body = <div className="inspector-empty">Select a node or a wire to edit it.</div>;
  return (
    <aside className="inspector" data-testid="inspector">
      <h3>Inspector</h3>
      {body}
    </aside>
  );
}
