// Kubernetes YAML (multi-document) → topology. Workloads become nodes; a
// Service selecting a workload gives it listening ports; an env value naming
// another workload's Service becomes a wire (one per pair of workloads).
import type { TopologyNode } from "../../graph/types";
import { TRELLIS_KIND_ANNOTATION } from "../export/k8s";
import type { SkippedItem } from "../types";
import { WASMCLOUD_API_VERSION } from "../validate-wasmcloud";
import { TopologyBuilder } from "./builder";
import { importWasmcloudObject } from "./wasmcloud";
import { hostRefs } from "./host-refs";
import { asArray, asRecord, asString, type YamlDoc } from "./yaml";

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Pod"]);
/** runtimeClassName values that mean "runs Wasm" (runwasi shims, Spin, WasmEdge…). */
const WASM_RUNTIME = /wasm|spin|wasmtime|wasmedge|wasmer|wws|slight/i;

function skipReason(kind: string): string {
  switch (kind) {
    case "ConfigMap":
      return "configuration data is not a workload; not modelled";
    case "Secret":
      return "secrets are not modelled in Trellis";
    case "PersistentVolume":
    case "PersistentVolumeClaim":
    case "StorageClass":
      return "storage is not modelled in Trellis";
    case "Ingress":
      return "ingress routing is not modelled (expose ports on the nodes instead)";
    case "ServiceAccount":
    case "Role":
    case "RoleBinding":
    case "ClusterRole":
    case "ClusterRoleBinding":
      return "access control is not modelled in Trellis";
    case "HorizontalPodAutoscaler":
    case "ScaledObject":
      return "autoscaling is not modelled; replicas were kept";
    case "PodDisruptionBudget":
      return "disruption budgets are not modelled";
    case "RuntimeClass":
      return "runtime classes are generated on export, not imported";
    case "SpinAppExecutor":
      return "executors are cluster setup, not part of a design";
    default:
      return `kind ${kind} is not a workload Trellis models`;
  }
}

interface Workload {
  node: TopologyNode;
  labels: Record<string, string>;
  /** Named container ports, for Services whose targetPort is a name. */
  namedPorts: Map<string, number>;
  env: { name: string; value: string }[];
}

interface ServiceInfo {
  name: string;
  targets: Workload[];
  ports: { port: number; targetPort: number }[];
}

const flatten = (docs: YamlDoc[]): Record<string, unknown>[] => {
  const out: Record<string, unknown>[] = [];
  for (const d of docs) {
    const o = asRecord(d.value);
    if (!o) continue;
    if (o.kind === "List" || (typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items))) {
      for (const i of asArray(o.items)) if (asRecord(i)) out.push(i as Record<string, unknown>);
    } else out.push(o);
  }
  return out;
};

export function importK8s(docs: YamlDoc[], skipped: SkippedItem[]): { name: string; builder: TopologyBuilder } {
  const b = new TopologyBuilder();
  const objects = flatten(docs);
  const workloads: Workload[] = [];
  const services: Record<string, unknown>[] = [];
  // Claims first: a workload's volume takes its size and access mode from the claim it mounts.
  const claims = new Map<string, Record<string, unknown>>();
  for (const o of objects) if (o.kind === "PersistentVolumeClaim") claims.set(asString(asRecord(o.metadata)?.name) ?? "", o);
  const workloadServices = new Map<string, string>();

  for (const o of objects) {
    const kind = asString(o.kind) ?? "(no kind)";
    const meta = asRecord(o.metadata) ?? {};
    const name = asString(meta.name) ?? asString(meta.generateName) ?? "unnamed";
    if (kind === "Service") {
      services.push(o);
      continue;
    }
    if (o.apiVersion === WASMCLOUD_API_VERSION && (kind === "WorkloadDeployment" || kind === "Workload")) {
      const r = importWasmcloudObject(b, o, name, skipped);
      if (r.service) workloadServices.set(r.service, name);
      // Components take part in env → Service wiring; no Service selects them (they have no labels).
      for (const node of r.members) workloads.push({ node, labels: {}, namedPorts: new Map(), env: node.config.env });
      continue;
    }
    if (kind === "SpinApp") {
      importSpinApp(b, o, name, skipped);
      continue;
    }
    if (kind === "PersistentVolumeClaim") {
      skipped.push({ kind, name, reason: "read into the volumes of the workloads that mount it (size, access mode)" });
      continue;
    }
    if (!WORKLOAD_KINDS.has(kind)) {
      skipped.push({ kind, name, reason: skipReason(kind) });
      continue;
    }
    const spec = asRecord(o.spec) ?? {};
    const template = kind === "Pod" ? o : asRecord(spec.template) ?? {};
    const podSpec = asRecord(kind === "Pod" ? spec : asRecord(template.spec)) ?? {};
    const labels = Object.fromEntries(
      Object.entries(asRecord(asRecord(template.metadata)?.labels) ?? {}).map(([k, v]) => [k, String(v)]),
    );
    const containers = asArray(podSpec.containers).map(asRecord).filter((c): c is Record<string, unknown> => !!c);
    if (containers.length === 0) {
      skipped.push({ kind, name, reason: "workload has no containers" });
      continue;
    }
    const annotations = asRecord(meta.annotations) ?? {};
    const runtimeClass = asString(podSpec.runtimeClassName);
    const declared = asString(annotations[TRELLIS_KIND_ANNOTATION]);
    const nodeKind =
      declared === "component" || declared === "compiled" || declared === "container"
        ? declared
        : runtimeClass && WASM_RUNTIME.test(runtimeClass)
          ? "compiled"
          : "container";
    const first = containers[0]!;
    const image = asString(first.image);
    const replicas = typeof spec.replicas === "number" && Number.isInteger(spec.replicas) && spec.replicas >= 0 ? spec.replicas : 1;
    const node = b.addNode(nodeKind, name, { ...(image ? { image } : {}), replicas });
    const w: Workload = { node, labels, namedPorts: new Map(), env: [] };
    if (kind === "DaemonSet") skipped.push({ kind, name, reason: "DaemonSet runs one pod per node; imported with replicas 1" });
    if (!image) skipped.push({ kind: "container", name: `${name}/${asString(first.name) ?? "?"}`, reason: "container has no image" });
    for (const [i, c] of containers.entries()) {
      const cname = asString(c.name) ?? `#${i}`;
      if (i > 0) skipped.push({ kind: "container", name: `${name}/${cname}`, reason: "extra container folded into the workload node (its ports and env were kept, its image was not)" });
      for (const p of asArray(c.ports)) {
        const pr = asRecord(p);
        const port = pr?.containerPort;
        if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) continue;
        b.listenPort(node, port, asString(pr?.protocol)?.toUpperCase() === "UDP" ? "udp" : "tcp");
        const pname = asString(pr?.name);
        if (pname) w.namedPorts.set(pname, port);
      }
      for (const e of asArray(c.env)) {
        const er = asRecord(e);
        const ename = asString(er?.name);
        if (!ename) continue;
        if (er && "value" in er && er.value !== null && er.value !== undefined) {
          const value = String(er.value);
          if (!node.config.env.some((x) => x.name === ename)) node.config.env.push({ name: ename, value });
          w.env.push({ name: ename, value });
        } else if (asRecord(asRecord(er?.valueFrom)?.secretKeyRef)) {
          // A secret reference stays a reference.
          const ref = asRecord(asRecord(er!.valueFrom)!.secretKeyRef)!;
          const secret = asString(ref.name);
          const key = asString(ref.key);
          if (secret && key) (node.config.secrets ??= []).push({ secret, key, env: ename });
          else skipped.push({ kind: "env", name: `${name}/${ename}`, reason: "secretKeyRef without name and key" });
        } else if (er?.valueFrom) {
          skipped.push({ kind: "env", name: `${name}/${ename}`, reason: `valueFrom (${Object.keys(asRecord(er.valueFrom) ?? {}).join(", ")}) is resolved by the cluster; not imported` });
        } else {
          node.config.env.push({ name: ename, value: "" });
        }
      }
      for (const ef of asArray(c.envFrom)) {
        const src = asRecord(ef);
        const ref = asString(asRecord(src?.configMapRef)?.name) ?? asString(asRecord(src?.secretRef)?.name) ?? "?";
        skipped.push({ kind: "envFrom", name: `${name}/${ref}`, reason: "environment from a ConfigMap/Secret is resolved by the cluster; not imported" });
      }
    }
    for (const ic of asArray(podSpec.initContainers)) skipped.push({ kind: "initContainer", name: `${name}/${asString(asRecord(ic)?.name) ?? "?"}`, reason: "init containers are not modelled" });
    readPodSettings(name, podSpec, first, node, claims, skipped);
    for (const v of asArray(spec.volumeClaimTemplates)) skipped.push({ kind: "volumeClaimTemplate", name: `${name}/${asString(asRecord(asRecord(v)?.metadata)?.name) ?? "?"}`, reason: "storage is not modelled" });
    workloads.push(w);
  }

  const svcInfos: ServiceInfo[] = [];
  for (const s of services) {
    const name = asString(asRecord(s.metadata)?.name) ?? "unnamed";
    const spec = asRecord(s.spec) ?? {};
    const selector = asRecord(spec.selector);
    if (workloadServices.has(name)) {
      skipped.push({ kind: "Service", name, reason: `HTTP ingress Service of WorkloadDeployment ${workloadServices.get(name)} (the operator routes it; generated again on export)` });
      continue;
    }
    if (!selector || Object.keys(selector).length === 0) {
      skipped.push({ kind: "Service", name, reason: "Service without a selector (external endpoints) has no workload to attach to" });
      continue;
    }
    const targets = workloads.filter((w) => Object.entries(selector).every(([k, v]) => w.labels[k] === String(v)));
    if (targets.length === 0) {
      skipped.push({ kind: "Service", name, reason: `selector ${JSON.stringify(selector)} matches no workload in this input` });
      continue;
    }
    const ports: ServiceInfo["ports"] = [];
    for (const p of asArray(spec.ports)) {
      const pr = asRecord(p);
      const port = pr?.port;
      if (typeof port !== "number") continue;
      const tp = pr?.targetPort;
      for (const w of targets) {
        const target = typeof tp === "number" ? tp : typeof tp === "string" ? (w.namedPorts.get(tp) ?? Number(tp)) : port;
        if (!Number.isInteger(target) || target < 1 || target > 65535) continue;
        b.listenPort(w.node, target, asString(pr?.protocol)?.toUpperCase() === "UDP" ? "udp" : "tcp");
        if (!ports.some((x) => x.port === port)) ports.push({ port, targetPort: target });
      }
    }
    const type = asString(spec.type);
    if (type === "LoadBalancer" || type === "NodePort") {
      skipped.push({ kind: "Service", name, reason: `external exposure (type ${type}) is not modelled; its ports became listening ports of ${targets.map((t) => t.node.name).join(", ")}` });
    }
    svcInfos.push({ name, targets, ports });
  }

  // Wires from env values that name a Service (host, host:port, URL, FQDN).
  const byService = new Map(svcInfos.map((s) => [s.name, s]));
  for (const w of workloads) {
    for (const e of w.env) {
      for (const ref of hostRefs(e.value)) {
        const svc = byService.get(ref.host);
        if (!svc) continue;
        const sp = svc.ports.find((p) => p.port === ref.port) ?? svc.ports[0];
        for (const t of svc.targets) {
          if (t === w || b.hasWireBetween(t.node.id, w.node.id)) continue;
          if (!sp) {
            skipped.push({ kind: "wire", name: `${w.node.name} → ${t.node.name}`, reason: `Service ${svc.name} has no ports to wire to` });
            continue;
          }
          // Components have no outbound port of their own; one appears when a wire needs it.
          if (!w.node.ports.some((p) => p.id === "net")) w.node.ports.push({ id: "net", kind: "network", direction: "import", protocol: "tcp" });
          b.link(t.node.id, `port:${sp.targetPort}`, w.node.id, "net");
        }
      }
    }
  }
  const firstName = objects.map((o) => asString(asRecord(o.metadata)?.name)).find((n) => !!n);
  return { name: firstName ?? "imported", builder: b };
}

/** Quantities the design format accepts (lib/graph/document.ts). */
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** Volumes, probes and resources of a pod's first container, into the design's deployment settings. */
function readPodSettings(name: string, podSpec: Record<string, unknown>, c: Record<string, unknown>, node: TopologyNode, claims: Map<string, Record<string, unknown>>, skipped: SkippedItem[]): void {
  const volumes = new Map(asArray(podSpec.volumes).map(asRecord).filter((v): v is Record<string, unknown> => !!v).map((v) => [asString(v.name) ?? "", v]));
  const used = new Set<string>();
  for (const m of asArray(c.volumeMounts).map(asRecord)) {
    const vname = asString(m?.name) ?? "";
    const target = asString(m?.mountPath);
    const v = volumes.get(vname);
    if (!m || !v || !target?.startsWith("/")) {
      skipped.push({ kind: "volumeMount", name: `${name}/${vname || "?"}`, reason: "mount of a volume the pod does not define" });
      continue;
    }
    used.add(vname);
    const readOnly = m.readOnly === true ? { readOnly: true } : {};
    const pvc = asString(asRecord(v.persistentVolumeClaim)?.claimName);
    const host = asString(asRecord(v.hostPath)?.path);
    const secret = asRecord(v.secret);
    if (pvc) {
      const spec = asRecord(claims.get(pvc)?.spec) ?? {};
      const size = asString(asRecord(asRecord(spec.resources)?.requests)?.storage)?.match(QUANTITY)?.[0];
      const mode = asString(asArray(spec.accessModes)[0]);
      const accessMode = mode === "ReadWriteOnce" || mode === "ReadOnlyMany" || mode === "ReadWriteMany" || mode === "ReadWriteOncePod" ? mode : undefined;
      (node.config.volumes ??= []).push({ type: "volume", source: pvc, target, ...readOnly, ...(size ? { size } : {}), ...(accessMode && accessMode !== "ReadWriteOnce" ? { accessMode } : {}) });
    } else if (host) {
      (node.config.volumes ??= []).push({ type: "bind", source: host, target, ...readOnly });
    } else if (secret && asString(secret.secretName)) {
      const items = asArray(secret.items).map(asRecord);
      const item = items.find((i) => asString(i?.path) === asString(m.subPath)) ?? items[0];
      const key = asString(item?.key) ?? asString(m.subPath);
      if (key) (node.config.secrets ??= []).push({ secret: asString(secret.secretName)!, key, path: target });
      else skipped.push({ kind: "volume", name: `${name}/${vname}`, reason: "Secret volume mounted whole (every key); not modelled" });
    } else {
      skipped.push({ kind: "volume", name: `${name}/${vname}`, reason: `volume type ${Object.keys(v).filter((k) => k !== "name").join(", ") || "?"} is not modelled` });
    }
  }
  for (const vname of volumes.keys()) if (!used.has(vname)) skipped.push({ kind: "volume", name: `${name}/${vname}`, reason: "volume not mounted by the first container; not modelled" });
  const probe = asRecord(c.livenessProbe) ?? asRecord(c.readinessProbe);
  if (probe) {
    const num = (x: unknown) => (typeof x === "number" && Number.isInteger(x) && x >= 0 ? x : undefined);
    const command = asArray(asRecord(probe.exec)?.command).map(String);
    const http = asRecord(probe.httpGet);
    const tcp = asRecord(probe.tcpSocket);
    const base = {
      ...(num(probe.periodSeconds) !== undefined ? { intervalSeconds: num(probe.periodSeconds)! } : {}),
      ...(num(probe.timeoutSeconds) !== undefined ? { timeoutSeconds: num(probe.timeoutSeconds)! } : {}),
      ...(num(probe.failureThreshold) ? { retries: num(probe.failureThreshold)! } : {}),
      ...(num(probe.initialDelaySeconds) !== undefined ? { startPeriodSeconds: num(probe.initialDelaySeconds)! } : {}),
    };
    if (command.length > 0) node.config.healthcheck = { exec: command, ...base };
    else if (http && typeof http.port === "number") node.config.healthcheck = { httpGet: { path: asString(http.path) ?? "/", port: http.port }, ...base };
    else if (tcp && typeof tcp.port === "number") node.config.healthcheck = { tcpPort: tcp.port, ...base };
    else skipped.push({ kind: "probe", name, reason: "probe with a named port or an unknown action; not modelled" });
  }
  const res = asRecord(c.resources);
  if (res) {
    const amounts = (x: unknown) => {
      const r = asRecord(x);
      const q = (v: unknown, what: string) => {
        if (v === undefined) return undefined;
        if (QUANTITY.test(String(v))) return String(v);
        skipped.push({ kind: "resources", name: `${name}: ${what}`, reason: `'${String(v)}' is not a quantity Trellis reads` });
        return undefined;
      };
      const cpu = q(r?.cpu, "cpu");
      const memory = q(r?.memory, "memory");
      return cpu || memory ? { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } : undefined;
    };
    const requests = amounts(res.requests);
    const limits = amounts(res.limits);
    if (requests || limits) node.config.resources = { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
  }
}

const SPINAPP_HANDLED = new Set(["image", "replicas", "variables", "executor"]);

function importSpinApp(b: TopologyBuilder, o: Record<string, unknown>, name: string, skipped: SkippedItem[]): void {
  const spec = asRecord(o.spec) ?? {};
  const image = asString(spec.image);
  const replicas = typeof spec.replicas === "number" && Number.isInteger(spec.replicas) && spec.replicas >= 0 ? spec.replicas : 1;
  const node = b.addNode("component", name, { ...(image ? { image } : {}), replicas });
  for (const v of asArray(spec.variables)) {
    const vr = asRecord(v);
    const vname = asString(vr?.name);
    if (!vname) continue;
    if (vr && vr.value !== undefined && vr.value !== null) node.config.env.push({ name: vname, value: String(vr.value) });
    else skipped.push({ kind: "variable", name: `${name}/${vname}`, reason: "valueFrom (ConfigMap/Secret reference) is resolved by the cluster; not imported" });
  }
  for (const key of Object.keys(spec)) {
    if (SPINAPP_HANDLED.has(key)) continue;
    skipped.push({ kind: "SpinApp field", name: `${name}.spec.${key}`, reason: "not modelled in Trellis (re-add it to the exported SpinApp by hand)" });
  }
}
