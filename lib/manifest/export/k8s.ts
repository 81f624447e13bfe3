// Kubernetes: every workload node becomes a Deployment (+ a Service when it
// listens). Wasm nodes (components, compiled containers) run on a runwasi
// RuntimeClass; wires between workloads become Service DNS names in env vars.
import { stringify } from "yaml";
import type { DesignDocument, TopologyNode } from "../../graph/types";
import {
  HOST_PACKAGES,
  dnsLabel,
  envName,
  problem,
  resolveLinks,
  uniqueNames,
  untypedMessage,
  unsatisfiedImports,
  wireInterface,
} from "../common";
import type { ExportOptions, ExportProblem, ExportResult } from "../types";
import { isBlocking } from "../types";
import { validateK8sObjects } from "../validate";
import { claims, podPieces } from "./deploy-settings";
import { deployEnv, deploysAsComponent, httpComponentOf, httpComponentSource, isHttpBridge } from "./compiled-http";
import { peerHostName } from "../../graph/ports";

/** runwasi's wasmtime shim: containerd handler `wasmtime` (containerd-shim-wasmtime-v1). */
export const WASM_RUNTIME_CLASS = { name: "wasmtime", handler: "wasmtime" } as const;
/** Port the wasmtime shim serves wasi:http components on. */
export const WASI_HTTP_PORT = 8080;
export const TRELLIS_KIND_ANNOTATION = "trellis.dev/kind";

interface PortOut {
  port: number;
  protocol: "TCP" | "UDP";
}

const isWorkload = (n: TopologyNode): boolean => n.kind === "container" || n.kind === "compiled" || n.kind === "component";
const isWasm = (n: TopologyNode): boolean => n.kind === "compiled" || n.kind === "component";

/** Annotation naming the wasi:http component a compiled container's Deployment runs (its image is where that component is pushed). */
export const HTTP_COMPONENT_ANNOTATION = "trellis.dev/wasi-http-component";

function listeningPorts(n: TopologyNode): PortOut[] {
  // its wasi:http component is served by the runwasi shim; the guest's own ports stay inside the component
  if (httpComponentOf(n)) return [{ port: WASI_HTTP_PORT, protocol: "TCP" }];
  const out = new Map<string, PortOut>();
  const add = (port: number, protocol: "TCP" | "UDP") => {
    if (Number.isInteger(port) && port >= 1 && port <= 65535) out.set(`${protocol}/${port}`, { port, protocol });
  };
  for (const e of n.config.exposedPorts) add(e.port, e.protocol === "udp" ? "UDP" : "TCP");
  for (const p of n.ports) if (p.kind === "network" && p.direction === "export" && p.port !== undefined) add(p.port, p.protocol === "udp" ? "UDP" : "TCP");
  if (n.kind === "component" && n.ports.some((p) => p.kind === "wit" && p.direction === "export" && p.id === "exp:wasi:http/incoming-handler")) add(WASI_HTTP_PORT, "TCP");
  return [...out.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

export function buildK8sObjects(doc: DesignDocument, options: ExportOptions = {}): { objects: Record<string, unknown>[]; problems: ExportProblem[]; network: ExportResult["report"]["network"] } {
  const { topology } = doc;
  const app = dnsLabel(doc.name, "app");
  const names = uniqueNames(topology.nodes);
  const { links, problems } = resolveLinks(topology);
  const network: ExportResult["report"]["network"] = [];
  const ns = options.namespace ? dnsLabel(options.namespace) : undefined;
  const host = (n: TopologyNode) => (ns ? `${names.get(n.id)}.${ns}.svc.cluster.local` : names.get(n.id)!);

  const extraEnv = new Map<string, { name: string; value: string }[]>();
  const exposed = new Set<string>();
  /** HTTP ingress endpoints with a host or path, per workload they serve: an Ingress object each. */
  const ingressOf = new Map<string, TopologyNode>();
  const ports = new Map(topology.nodes.map((n) => [n.id, listeningPorts(n)]));
  const pairs = new Map<string, number>();
  for (const r of links) pairs.set(`${r.from.id}>${r.to.id}`, (pairs.get(`${r.from.id}>${r.to.id}`) ?? 0) + 1);

  for (const r of links) {
    const typed = wireInterface(r);
    if (r.from.kind === "endpoint" || r.to.kind === "endpoint") {
      const ep = r.from.kind === "endpoint" ? r.from : r.to;
      const other = ep === r.from ? r.to : r.from;
      if (ep.config.capability === "http-ingress" && isWorkload(other)) {
        const routed = ep.config.ingress && (ep.config.ingress.host || ep.config.ingress.path);
        if (routed) ingressOf.set(other.id, ep);
        else exposed.add(other.id);
        network.push({ linkId: r.link.id, from: r.from.name, to: r.to.name, via: routed ? `Ingress ${ep.config.ingress!.host ?? ""}${ep.config.ingress!.path ?? "/"}` : "Service type LoadBalancer" });
      } else if (isWorkload(other)) {
        problems.push(problem("unsupported-wire", "warning", `${other.name} ↔ ${ep.name}: Kubernetes has no ${ep.config.capability ?? "provider"} for this wire; provision it and configure ${other.name} to reach it`, [ep.id, other.id], [r.link.id]));
      }
      continue;
    }
    if (isHttpBridge(r) && deploysAsComponent(r.from) && deploysAsComponent(r.to)) {
      // the caller's outgoing request goes to the callee's Service (it serves wasi:http on WASI_HTTP_PORT)
      if (!ports.get(r.from.id)!.some((p) => p.port === WASI_HTTP_PORT)) ports.get(r.from.id)!.push({ port: WASI_HTTP_PORT, protocol: "TCP" });
      const list = extraEnv.get(r.to.id) ?? [];
      if (r.to.kind === "compiled" && !r.to.config.wit) {
        const peer = `${peerHostName(r.from)}=${host(r.from)}:${WASI_HTTP_PORT}`;
        const at = list.find((e) => e.name === "TRELLIS_HTTP_PEERS");
        if (at) at.value += `,${peer}`;
        else list.push({ name: "TRELLIS_HTTP_PEERS", value: peer });
      } else list.push({ name: `${envName(r.from.name)}_URL`, value: `http://${host(r.from)}:${WASI_HTTP_PORT}` });
      extraEnv.set(r.to.id, list);
      network.push({ linkId: r.link.id, from: r.to.name, to: r.from.name, via: `wasi:http/outgoing-handler → Service ${names.get(r.from.id)}:${WASI_HTTP_PORT}` });
      continue;
    }
    if (r.fromPort.kind === "wit" || r.toPort.kind === "wit") {
      if (!typed && r.from.kind === "component" && r.to.kind === "component") {
        problems.push(problem("untyped-wire", "error", untypedMessage(r), [r.from.id, r.to.id], [r.link.id]));
      } else {
        problems.push(problem("unsupported-wire", "warning", `${r.to.name} imports ${typed?.id ?? r.toPort.id} from ${r.from.name}: a WIT call cannot cross pods; compose the two first (WAC export) or deploy them with wadm`, [r.from.id, r.to.id], [r.link.id]));
      }
      continue;
    }
    // Network wire: the consumer gets the provider's Service address.
    const port = r.fromPort.port ?? ports.get(r.from.id)?.[0]?.port;
    if (port === undefined) {
      problems.push(problem("unsupported-wire", "warning", `${r.from.name} has no listening port for the wire from ${r.to.name}`, [r.from.id, r.to.id], [r.link.id]));
      continue;
    }
    if (!ports.get(r.from.id)!.some((p) => p.port === port)) ports.get(r.from.id)!.push({ port, protocol: r.fromPort.protocol === "udp" ? "UDP" : "TCP" });
    const base = envName(r.from.name) + ((pairs.get(`${r.from.id}>${r.to.id}`) ?? 0) > 1 ? `_${port}` : "");
    const value = r.fromPort.protocol === "http" ? `http://${host(r.from)}:${port}` : `${host(r.from)}:${port}`;
    const list = extraEnv.get(r.to.id) ?? [];
    list.push({ name: `${base}_${r.fromPort.protocol === "http" ? "URL" : "ADDR"}`, value });
    extraEnv.set(r.to.id, list);
    network.push({ linkId: r.link.id, from: r.from.name, to: r.to.name, via: `Service ${names.get(r.from.id)}:${port}` });
  }

  const workloads = topology.nodes.filter(isWorkload);
  for (const n of topology.nodes) {
    if (n.kind === "endpoint" && n.config.capability !== "http-ingress") {
      problems.push(problem("unsupported-node", "warning", `${n.name} (${n.config.capability ?? "endpoint"}) is not deployed by the Kubernetes export; run the service it stands for yourself`, [n.id]));
    }
    if (isWorkload(n) && !n.config.image) {
      problems.push(problem("missing-image", "error", `${n.name}: no image reference for its Deployment`, [n.id]));
    }
  }
  problems.push(...unsatisfiedImports(workloads, links, HOST_PACKAGES.k8s));

  const objects: Record<string, unknown>[] = [];
  const pvcs = claims(workloads, app, ns);
  problems.push(...pvcs.problems);
  objects.push(...pvcs.objects);
  if (workloads.some(isWasm)) {
    objects.push({ apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: WASM_RUNTIME_CLASS.name }, handler: WASM_RUNTIME_CLASS.handler });
  }
  for (const n of workloads) {
    const name = names.get(n.id)!;
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": app };
    const meta = (extra: Record<string, unknown> = {}) => ({ name, ...(ns ? { namespace: ns } : {}), labels, ...extra });
    const env = [...deployEnv(n).map((e) => ({ name: e.name, value: e.value }))];
    for (const e of extraEnv.get(n.id) ?? []) if (!env.some((x) => x.name === e.name)) env.push(e);
    const p = ports.get(n.id)!;
    const pieces = podPieces(n, problems);
    const container: Record<string, unknown> = { name, image: n.config.image ?? "" };
    if (p.length > 0) container.ports = p.map((x) => ({ containerPort: x.port, protocol: x.protocol }));
    const allEnv: Record<string, unknown>[] = [...env, ...pieces.env.filter((e) => !env.some((x) => x.name === e.name))];
    if (allEnv.length > 0) container.env = allEnv;
    if (pieces.volumeMounts.length > 0) container.volumeMounts = pieces.volumeMounts;
    Object.assign(container, pieces.probes);
    if (pieces.resources) container.resources = pieces.resources;
    const podSpec: Record<string, unknown> = { ...(isWasm(n) ? { runtimeClassName: WASM_RUNTIME_CLASS.name } : {}), containers: [container], ...(pieces.volumes.length > 0 ? { volumes: pieces.volumes } : {}) };
    objects.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta({ annotations: { [TRELLIS_KIND_ANNOTATION]: n.kind, ...(httpComponentOf(n) ? { [HTTP_COMPONENT_ANNOTATION]: `${httpComponentOf(n)!.file} (compile job ${httpComponentOf(n)!.jobId}, guest port ${httpComponentOf(n)!.port})` } : {}) } }),
      spec: {
        replicas: Math.max(0, Math.trunc(n.config.replicas)),
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: podSpec },
      },
    });
    if (p.length > 0) {
      objects.push({
        apiVersion: "v1",
        kind: "Service",
        metadata: meta(),
        spec: {
          ...(exposed.has(n.id) ? { type: "LoadBalancer" } : {}),
          selector: labels,
          ports: p.map((x) => ({ name: `${x.protocol.toLowerCase()}-${x.port}`, port: x.port, targetPort: x.port, protocol: x.protocol })),
        },
      });
    } else if (exposed.has(n.id) || ingressOf.has(n.id)) {
      problems.push(problem("unsupported-wire", "warning", `${n.name} is wired to HTTP ingress but listens on no port; no Service was generated`, [n.id]));
    }
    const ep = ingressOf.get(n.id);
    if (ep && p.length > 0) {
      const ing = ep.config.ingress!;
      objects.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: meta(),
        spec: { rules: [{ ...(ing.host ? { host: ing.host } : {}), http: { paths: [{ path: ing.path ?? "/", pathType: "Prefix", backend: { service: { name, port: { number: p[0]!.port } } } }] } }] },
      });
    }
  }
  if (workloads.length === 0) problems.push(problem("empty", "error", "the design has no containers or components to deploy on Kubernetes"));
  return { objects, problems, network };
}

export function exportK8s(doc: DesignDocument, options: ExportOptions = {}): ExportResult {
  const { objects, problems, network } = buildK8sObjects(doc, options);
  // Schema check of what we generate; skipped when the design is already refused.
  const v = isBlocking(problems) ? { ok: true as const } : validateK8sObjects(objects);
  if (!v.ok) {
    for (const e of v.errors) problems.push(problem("schema", "error", `${e.object ?? "object"} ${e.path}: ${e.message}`));
  }
  const files = isBlocking(problems) || options.problemsOnly ? [] : [{ path: "kubernetes.yaml", content: objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n") }];
  return {
    files,
    problems,
    report: {
      target: "k8s",
      filled: [
        "Deployment: metadata (name, labels app.kubernetes.io/name + part-of, trellis.dev/kind annotation), replicas, selector, one container with image, ports, env",
        "Deployment of components and compiled containers: runtimeClassName wasmtime (runwasi), plus the RuntimeClass object (handler wasmtime)",
        "volumes: a PersistentVolumeClaim per named volume (size, default 1Gi; access mode, default ReadWriteOnce) and volumeMounts; absolute bind mounts as hostPath",
        "healthcheck → livenessProbe and readinessProbe (exec / httpGet / tcpSocket, period, timeout, failureThreshold, initialDelaySeconds); resources.requests/limits (cpu, memory)",
        "secret references → env valueFrom.secretKeyRef, or a Secret volume mounted at the file path (never a value)",
        "HTTP ingress with a host or path → networking.k8s.io/v1 Ingress to the workload's Service",
        "Service per listening workload: ClusterIP (LoadBalancer when wired to HTTP ingress), named ports = exposed ports and wired ports",
        `env vars <TARGET>_ADDR / <TARGET>_URL with the Service DNS name for every network wire; components exporting wasi:http listen on ${WASI_HTTP_PORT}`,
        `compiled containers with a wasi:http component: the Deployment runs that component (annotation ${HTTP_COMPONENT_ANNOTATION}), served on ${WASI_HTTP_PORT} like any wasi:http component`,
      ],
      leftToUser: [
        "installing the runwasi wasmtime shim on the nodes (the RuntimeClass only names it)",
        ...doc.topology.nodes.flatMap((n) => (httpComponentOf(n) ? [`pushing ${httpComponentSource(n)} as image ${n.config.image ?? "(unset)"}`] : [])),
        "the Secrets themselves (their values), storage classes, image pull secrets, an Ingress controller",
        "restart policies other than always (a Deployment always restarts its pods; use a Job)",
        "backing services for keyvalue and messaging endpoints",
        "WIT wires between separate pods (compose them with the WAC export first)",
      ],
      inProcess: [],
      network,
    },
  };
}
