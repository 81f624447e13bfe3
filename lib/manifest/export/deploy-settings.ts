// A node's deployment settings (volumes, healthcheck, restart policy,
// resources, secret references, ingress) as Kubernetes pod pieces, and the
// warnings for targets that cannot express some of them.
import type { HealthCheck, TopologyNode } from "../../graph/types";
import { dnsLabel, problem } from "../common";
import type { ExportProblem } from "../types";

export const DEFAULT_VOLUME_SIZE = "1Gi";

export interface PodPieces {
  volumes: Record<string, unknown>[];
  volumeMounts: Record<string, unknown>[];
  env: Record<string, unknown>[];
  probes: { livenessProbe?: Record<string, unknown>; readinessProbe?: Record<string, unknown> };
  resources?: Record<string, unknown>;
}

/** PersistentVolumeClaims for the named volumes of all workloads (one per volume name: compose shares them). */
export function claims(workloads: TopologyNode[], app: string, ns: string | undefined): { objects: Record<string, unknown>[]; problems: ExportProblem[] } {
  const byName = new Map<string, { size?: string; modes: Set<string>; users: TopologyNode[] }>();
  for (const n of workloads) {
    for (const v of n.config.volumes ?? []) {
      if (v.type !== "volume") continue;
      const e = byName.get(v.source) ?? { modes: new Set<string>(), users: [] };
      e.size ??= v.size;
      e.modes.add(v.accessMode ?? "ReadWriteOnce");
      e.users.push(n);
      byName.set(v.source, e);
    }
  }
  const objects: Record<string, unknown>[] = [];
  const problems: ExportProblem[] = [];
  for (const [name, e] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    const users = [...new Set(e.users)];
    if (users.length > 1 && e.modes.has("ReadWriteOnce")) {
      problems.push(problem("unsupported-node", "warning", `volume ${name} is mounted by ${users.map((u) => u.name).join(", ")} with ReadWriteOnce: pods on different nodes cannot share it; set the access mode to ReadWriteMany if the storage class supports it`, users.map((u) => u.id)));
    }
    objects.push({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: claimName(name), ...(ns ? { namespace: ns } : {}), labels: { "app.kubernetes.io/part-of": app } },
      spec: { accessModes: [...e.modes].sort(), resources: { requests: { storage: e.size ?? DEFAULT_VOLUME_SIZE } } },
    });
  }
  return { objects, problems };
}

export const claimName = (volume: string): string => dnsLabel(volume, "volume");

function probe(h: HealthCheck): Record<string, unknown> | undefined {
  const action = h.exec ? { exec: { command: h.exec } } : h.httpGet ? { httpGet: { path: h.httpGet.path, port: h.httpGet.port } } : h.tcpPort ? { tcpSocket: { port: h.tcpPort } } : undefined;
  if (!action) return undefined;
  return {
    ...action,
    ...(h.startPeriodSeconds !== undefined ? { initialDelaySeconds: h.startPeriodSeconds } : {}),
    ...(h.intervalSeconds ? { periodSeconds: h.intervalSeconds } : {}),
    ...(h.timeoutSeconds ? { timeoutSeconds: h.timeoutSeconds } : {}),
    ...(h.retries ? { failureThreshold: h.retries } : {}),
  };
}

/** The pod-level pieces for one workload; problems name what Kubernetes cannot take as designed. */
export function podPieces(n: TopologyNode, problems: ExportProblem[]): PodPieces {
  const out: PodPieces = { volumes: [], volumeMounts: [], env: [], probes: {} };
  const used = new Set<string>();
  const volumeName = (base: string) => {
    let name = dnsLabel(base, "volume");
    for (let i = 2; used.has(name); i++) name = `${dnsLabel(base, "volume").slice(0, 60)}-${i}`;
    used.add(name);
    return name;
  };
  for (const v of n.config.volumes ?? []) {
    if (v.type === "bind" && !v.source.startsWith("/")) {
      problems.push(problem("unsupported-node", "warning", `${n.name}: bind mount ${v.source} → ${v.target} is a path of the compose project, which a cluster node does not have; it is left out (build it into the image or use a ConfigMap)`, [n.id]));
      continue;
    }
    const name = volumeName(v.type === "volume" ? v.source : `host-${v.target}`);
    out.volumes.push(v.type === "volume" ? { name, persistentVolumeClaim: { claimName: claimName(v.source) } } : { name, hostPath: { path: v.source } });
    if (v.type === "bind") problems.push(problem("unsupported-node", "warning", `${n.name}: bind mount ${v.source} becomes a hostPath volume: the pod sees that path on whichever node it runs`, [n.id]));
    out.volumeMounts.push({ name, mountPath: v.target, ...(v.readOnly ? { readOnly: true } : {}) });
  }
  const fileSecrets = new Map<string, { key: string; path: string }[]>();
  for (const s of n.config.secrets ?? []) {
    if (s.env) out.env.push({ name: s.env, valueFrom: { secretKeyRef: { name: dnsLabel(s.secret, "secret"), key: s.key } } });
    if (s.path) fileSecrets.set(s.secret, [...(fileSecrets.get(s.secret) ?? []), { key: s.key, path: s.path }]);
    if (!s.env && !s.path) problems.push(problem("unsupported-node", "warning", `${n.name}: secret ${s.secret}/${s.key} is neither an environment variable nor a file; it is left out`, [n.id]));
  }
  for (const [secret, items] of fileSecrets) {
    for (const it of items) {
      const slash = it.path.lastIndexOf("/");
      const dir = slash > 0 ? it.path.slice(0, slash) : "/";
      const file = it.path.slice(slash + 1);
      const name = volumeName(`secret-${secret}-${file}`);
      out.volumes.push({ name, secret: { secretName: dnsLabel(secret, "secret"), items: [{ key: it.key, path: file }] } });
      out.volumeMounts.push({ name, mountPath: `${dir === "/" ? "" : dir}/${file}`, subPath: file, readOnly: true });
    }
  }
  const h = n.config.healthcheck;
  if (h) {
    const p = probe(h);
    if (p) out.probes = { livenessProbe: p, readinessProbe: p };
  }
  const r = n.config.resources;
  if (r && (r.requests || r.limits)) out.resources = { ...(r.requests ? { requests: { ...r.requests } } : {}), ...(r.limits ? { limits: { ...r.limits } } : {}) };
  if (n.config.restartPolicy && n.config.restartPolicy !== "always" && n.config.restartPolicy !== "unless-stopped") {
    problems.push(problem("unsupported-node", "warning", `${n.name}: restart policy '${n.config.restartPolicy}' cannot be expressed by a Deployment (its pods always restart); run it as a Job if it should stop`, [n.id]));
  }
  return out;
}

const SETTINGS: { key: keyof TopologyNode["config"]; label: string }[] = [
  { key: "volumes", label: "volumes" },
  { key: "healthcheck", label: "healthcheck" },
  { key: "restartPolicy", label: "restart policy" },
  { key: "resources", label: "resource requests/limits" },
  { key: "secrets", label: "secret references" },
  { key: "ingress", label: "ingress host/path" },
];

/** One warning per node whose settings the target has no field for. */
export function unexpressed(nodes: TopologyNode[], target: string, cannot: (keyof TopologyNode["config"])[], why: string): ExportProblem[] {
  const out: ExportProblem[] = [];
  for (const n of nodes) {
    const lost = SETTINGS.filter((s) => cannot.includes(s.key) && n.config[s.key] !== undefined && !(Array.isArray(n.config[s.key]) && (n.config[s.key] as unknown[]).length === 0));
    if (lost.length > 0) out.push(problem("unsupported-node", "warning", `${n.name}: ${target} cannot express ${lost.map((s) => s.label).join(", ")} (${why}); set them on the platform by hand`, [n.id]));
  }
  return out;
}
