"use client";
// Inspector fields for a node's deployment settings: volumes, healthcheck,
// restart policy, resources, secret references (never values) and, on HTTP
// ingress endpoints, host and path. Each edit is one config patch.
import { CommitField as Text } from "./CommitField";
import type { HealthCheck, NodeConfig, RestartPolicy, SecretRef, TopologyNode, VolumeMount } from "@/lib/graph/types";

const orUndefined = <T,>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined);
const seconds = (v: string): number | undefined => (v.trim() === "" || !Number.isFinite(Number(v)) ? undefined : Math.max(0, Math.trunc(Number(v))));

function Volumes({ volumes, onChange }: { volumes: VolumeMount[]; onChange: (v: VolumeMount[] | undefined) => void }) {
  const set = (i: number, p: Partial<VolumeMount>) => onChange(volumes.map((x, j) => (j === i ? { ...x, ...p } : x)));
  return (
    <div data-testid="volumes-editor">
      <div className="section-title">Volumes</div>
      {volumes.map((v, i) => (
        <div className="env-row" key={i}>
          <select data-testid={`volume-type-${i}`} aria-label="Volume type" value={v.type} onChange={(e) => set(i, { type: e.target.value as VolumeMount["type"] })}>
            <option value="volume">named</option>
            <option value="bind">bind</option>
          </select>
          <Text label="" placeholder={v.type === "volume" ? "volume name" : "/host/path"} testId={`volume-source-${i}`} value={v.source} onCommit={(s) => set(i, { source: s })} />
          <Text label="" placeholder="/mount/path" testId={`volume-target-${i}`} value={v.target} onCommit={(s) => set(i, { target: s })} />
          {v.type === "volume" && <Text label="" placeholder="size (1Gi)" testId={`volume-size-${i}`} value={v.size ?? ""} onCommit={(s) => set(i, { size: s || undefined })} />}
          <button className="icon" data-testid={`volume-remove-${i}`} onClick={() => onChange(orUndefined(volumes.filter((_, j) => j !== i)))} title="Remove">
            ×
          </button>
        </div>
      ))}
      <button data-testid="volume-add" onClick={() => onChange([...volumes, { type: "volume", source: `data-${volumes.length + 1}`, target: `/data${volumes.length ? volumes.length + 1 : ""}` }])}>
        + volume
      </button>
    </div>
  );
}

function Secrets({ secrets, onChange }: { secrets: SecretRef[]; onChange: (s: SecretRef[] | undefined) => void }) {
  const set = (i: number, p: Partial<SecretRef>) => onChange(secrets.map((x, j) => (j === i ? { ...x, ...p } : x)));
  return (
    <div data-testid="secrets-editor">
      <div className="section-title">Secrets (references only)</div>
      {secrets.map((s, i) => (
        <div className="env-row" key={i}>
          <Text label="" placeholder="secret" testId={`secret-name-${i}`} value={s.secret} onCommit={(v) => set(i, { secret: v })} />
          <Text label="" placeholder="key" testId={`secret-key-${i}`} value={s.key} onCommit={(v) => set(i, { key: v })} />
          <Text label="" placeholder="ENV or /file/path" testId={`secret-as-${i}`} value={s.env ?? s.path ?? ""} onCommit={(v) => set(i, v.startsWith("/") ? { path: v, env: undefined } : { env: v || undefined, path: undefined })} />
          <button className="icon" data-testid={`secret-remove-${i}`} onClick={() => onChange(orUndefined(secrets.filter((_, j) => j !== i)))} title="Remove">
            ×
          </button>
        </div>
      ))}
      <button data-testid="secret-add" onClick={() => onChange([...secrets, { secret: "app-secrets", key: `key-${secrets.length + 1}`, env: `SECRET_${secrets.length + 1}` }])}>
        + secret reference
      </button>
    </div>
  );
}

function Health({ health, onChange }: { health: HealthCheck | undefined; onChange: (h: HealthCheck | undefined) => void }) {
  const command = health?.exec ? (health.exec[0] === "sh" && health.exec[1] === "-c" ? health.exec.slice(2).join(" ") : health.exec.join(" ")) : "";
  const httpPath = health?.httpGet ? `${health.httpGet.port}${health.httpGet.path}` : "";
  return (
    <div data-testid="healthcheck-editor">
      <div className="section-title">Healthcheck</div>
      <Text label="Command" placeholder="pg_isready -U postgres" testId="health-command" value={command} onCommit={(v) => onChange(v.trim() ? { ...health, exec: ["sh", "-c", v.trim()], httpGet: undefined, tcpPort: undefined } : health?.httpGet || health?.tcpPort ? { ...health, exec: undefined } : undefined)} />
      <Text label="or HTTP port/path" placeholder="8080/healthz" testId="health-http" value={httpPath} onCommit={(v) => {
        const m = /^(\d+)(\/.*)$/.exec(v.trim());
        onChange(m ? { ...health, httpGet: { port: Number(m[1]), path: m[2]! }, exec: undefined, tcpPort: undefined } : health?.exec ? { ...health, httpGet: undefined } : undefined);
      }} />
      {health && (
        <div className="env-row">
          <Text label="Interval (s)" testId="health-interval" value={String(health.intervalSeconds ?? "")} onCommit={(v) => onChange({ ...health, intervalSeconds: seconds(v) })} />
          <Text label="Retries" testId="health-retries" value={String(health.retries ?? "")} onCommit={(v) => onChange({ ...health, retries: seconds(v) || undefined })} />
        </div>
      )}
    </div>
  );
}

export function DeploymentInspector({ node, patch }: { node: TopologyNode; patch: (config: Partial<NodeConfig>) => void }) {
  const c = node.config;
  if (node.kind === "endpoint") {
    if (c.capability !== "http-ingress") return null;
    const ingress = c.ingress ?? {};
    const set = (p: Partial<NonNullable<NodeConfig["ingress"]>>) => {
      const next = { ...ingress, ...p };
      patch({ ingress: next.host || next.path ? { ...(next.host ? { host: next.host } : {}), ...(next.path ? { path: next.path } : {}) } : undefined });
    };
    return (
      <div data-testid="ingress-editor">
        <div className="section-title">Ingress</div>
        <Text label="Host" placeholder="shop.example.com" testId="ingress-host" value={ingress.host ?? ""} onCommit={(v) => set({ host: v.trim() || undefined })} />
        <Text label="Path" placeholder="/" testId="ingress-path" value={ingress.path ?? ""} onCommit={(v) => set({ path: v.trim() ? (v.trim().startsWith("/") ? v.trim() : `/${v.trim()}`) : undefined })} />
      </div>
    );
  }
  const res = c.resources ?? {};
  const setRes = (which: "requests" | "limits", what: "cpu" | "memory", v: string) => {
    const side = { ...(res[which] ?? {}), [what]: v.trim() || undefined };
    if (!side.cpu) delete side.cpu;
    if (!side.memory) delete side.memory;
    const next = { ...res, [which]: Object.keys(side).length > 0 ? side : undefined };
    patch({ resources: next.requests || next.limits ? { ...(next.requests ? { requests: next.requests } : {}), ...(next.limits ? { limits: next.limits } : {}) } : undefined });
  };
  return (
    <div className="deployment-inspector" data-testid="deployment-inspector">
      <Volumes volumes={c.volumes ?? []} onChange={(volumes) => patch({ volumes })} />
      <Health health={c.healthcheck} onChange={(healthcheck) => patch({ healthcheck })} />
      <label className="field">
        <span>Restart policy</span>
        <select data-testid="inspector-restart" value={c.restartPolicy ?? ""} onChange={(e) => patch({ restartPolicy: (e.target.value || undefined) as RestartPolicy | undefined })}>
          <option value="">(platform default)</option>
          <option value="always">always</option>
          <option value="unless-stopped">unless stopped</option>
          <option value="on-failure">on failure</option>
          <option value="never">never</option>
        </select>
      </label>
      <div className="section-title">Resources</div>
      <div className="env-row">
        <Text label="CPU request" placeholder="250m" testId="res-cpu-request" value={res.requests?.cpu ?? ""} onCommit={(v) => setRes("requests", "cpu", v)} />
        <Text label="CPU limit" placeholder="1" testId="res-cpu-limit" value={res.limits?.cpu ?? ""} onCommit={(v) => setRes("limits", "cpu", v)} />
      </div>
      <div className="env-row">
        <Text label="Memory request" placeholder="128Mi" testId="res-memory-request" value={res.requests?.memory ?? ""} onCommit={(v) => setRes("requests", "memory", v)} />
        <Text label="Memory limit" placeholder="512Mi" testId="res-memory-limit" value={res.limits?.memory ?? ""} onCommit={(v) => setRes("limits", "memory", v)} />
      </div>
      <Secrets secrets={c.secrets ?? []} onChange={(secrets) => patch({ secrets })} />
    </div>
  );
}
