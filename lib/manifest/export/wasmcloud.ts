// wasmCloud 2 (runtime.wasmcloud.dev/v1alpha1): one WorkloadDeployment per
// connected group of Wasm nodes. wasmCloud 2 has no link objects: the host
// wires the components of one workload by WIT resolution, so every import of a
// member must be exported by another member or be a host interface the
// workload declares in hostInterfaces. Endpoints become hostInterfaces (HTTP
// ingress: wasi:http with config.host and a Kubernetes Service named in
// spec.kubernetes.service); containers stay containers, as Kubernetes
// Deployments/Services in the same file. Every object is validated against the
// vendored CRD schema (unknown fields refused) and its CEL rules before writing.
import { stringify } from "yaml";
import type { DesignDocument, Link, TopologyNode } from "../../graph/types";
import {
  connectedGroups,
  dnsLabel,
  envName,
  parseInterface,
  problem,
  resolveLinks,
  uniqueNames,
  untypedMessage,
  wireInterface,
  witPorts,
  type InterfaceName,
  type ResolvedLink,
  containersOnlyProblem,
} from "../common";
import type { ExportOptions, ExportProblem, ExportResult } from "../types";
import { isBlocking } from "../types";
import { validateK8sObjects } from "../validate";
import { WASMCLOUD_API_VERSION, validateWasmcloudObject } from "../validate-wasmcloud";
import { compiledHttpNote, deployEnv, httpBridgeNote, httpComponentOf, httpComponentSource, isHttpBridge } from "./compiled-http";
import { unexpressed } from "./deploy-settings";
import { buildK8sObjects } from "./k8s";

/** Built into every wasmCloud 2 host through wasmtime-wasi: no hostInterfaces entry needed. */
export const WASMCLOUD_BUILTIN_PACKAGES = ["wasi:cli", "wasi:clocks", "wasi:io", "wasi:random", "wasi:filesystem", "wasi:sockets"];
/** Served by host plugins a workload must declare in hostInterfaces. */
export const WASMCLOUD_HOST_INTERFACE_PACKAGES = ["wasi:http", "wasi:keyvalue", "wasi:blobstore", "wasmcloud:blobstore", "wasmcloud:messaging", "wasi:logging", "wasi:config", "wasmcloud:secrets"];
/** wasi:http imports (outgoing-handler) are served by the host's HTTP handler; egress is governed by allowedHosts. */
const UNDECLARED_HOST_IMPORTS = ["wasi:http"];
/** The port name the operator writes into the Service's EndpointSlice. */
export const WASMCLOUD_SERVICE_PORT = { name: "http", port: 80, protocol: "TCP" } as const;
export const WASMCLOUD_FILE = "wasmcloud.yaml";
/** Annotation on an exported WorkloadDeployment: each component's WIT ports, which the manifest cannot hold, for a lossless re-import. */
export const WIT_PORTS_ANNOTATION = "trellis.dev/wit-ports";
/** Annotation listing the components that are compiled containers (a WorkloadDeployment cannot tell them apart). */
export const COMPILED_ANNOTATION = "trellis.dev/compiled";

interface HostInterface {
  namespace: string;
  package: string;
  version?: string;
  interfaces: Set<string>;
  config: Record<string, string>;
  /** The endpoint node this entry stands for; undefined for an unwired import the host serves. */
  endpoint?: TopologyNode;
}

interface WorkloadComponent {
  name: string;
  image: string;
  localResources?: Record<string, unknown>;
}

const isWasm = (n: TopologyNode): boolean => n.kind === "component" || n.kind === "compiled";
const envProps = (n: TopologyNode): Record<string, string> => Object.fromEntries(deployEnv(n).map((e) => [e.name, e.value]));

export function exportWasmcloud(doc: DesignDocument, options: ExportOptions = {}): ExportResult {
  const { topology } = doc;
  const app = dnsLabel(doc.name, "app");
  const names = uniqueNames(topology.nodes);
  const resolved = resolveLinks(topology);
  const problems: ExportProblem[] = [...resolved.problems];
  const ns = options.namespace ? dnsLabel(options.namespace) : undefined;
  const network: ExportResult["report"]["network"] = [];
  const inProcess: ExportResult["report"]["inProcess"] = [];

  const wasm = topology.nodes.filter(isWasm);
  const containers = topology.nodes.filter((n) => n.kind === "container");
  for (const n of wasm) {
    if (!n.config.image) problems.push(problem("missing-image", "error", `${n.name}: no image reference (a WorkloadDeployment component is pulled from an OCI registry); set an image or push the component`, [n.id]));
  }

  // Component ↔ component WIT wires join groups; untyped ones block (the host could not resolve them).
  const edges: [string, string][] = [];
  const internal = new Set<string>();
  for (const r of resolved.links) {
    if (!isWasm(r.from) || !isWasm(r.to)) continue;
    if (r.fromPort.kind !== "wit" && r.toPort.kind !== "wit") continue;
    const iface = wireInterface(r);
    if (isHttpBridge(r)) {
      problems.push(problem("unsupported-wire", "warning", httpBridgeNote(r, "wasmCloud 2"), [r.from.id, r.to.id], [r.link.id]));
      continue;
    }
    if (!iface) {
      problems.push(problem("untyped-wire", "error", `${untypedMessage(r)}; wasmCloud 2 resolves a workload's components by WIT interface`, [r.from.id, r.to.id], [r.link.id]));
      continue;
    }
    edges.push([r.from.id, r.to.id]);
    internal.add(r.link.id);
  }
  const groups = connectedGroups(wasm.map((n) => n.id), edges);
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));

  const objects: Record<string, unknown>[] = [];
  // Workload Services share the namespace with the containers' Services.
  const deploymentNames = new Set(containers.map((c) => names.get(c.id)!));
  const hostsLeftDefault: string[] = [];
  for (const group of groups) {
    const members = group.map((id) => byId.get(id)!);
    const memberIds = new Set(group);
    const wdName = uniqueLabel(groups.length === 1 ? app : `${app}-${names.get(group[0]!)}`, deploymentNames);
    const hostIfaces = new Map<string, HostInterface>();
    let ingress = false;
    const addHost = (iface: InterfaceName, endpoint: TopologyNode | undefined, direction: "import" | "export") => {
      const key = `${iface.packageId}@${iface.version ?? ""}#${endpoint?.id ?? ""}`;
      const h = hostIfaces.get(key) ?? { namespace: iface.namespace, package: iface.package, ...(iface.version ? { version: iface.version } : {}), interfaces: new Set(), config: {}, ...(endpoint ? { endpoint } : {}) };
      h.interfaces.add(iface.name);
      if (endpoint) Object.assign(h.config, envProps(endpoint));
      if (endpoint?.config.ingress?.host && iface.packageId === "wasi:http") h.config.host = endpoint.config.ingress.host;
      if (iface.packageId === "wasi:http" && direction === "export") {
        ingress = true;
        if (!h.config.host) {
          h.config.host = `${wdName}.localhost`;
          hostsLeftDefault.push(wdName);
        }
      }
      hostIfaces.set(key, h);
    };

    const wiredImports = new Map<string, ResolvedLink[]>();
    for (const r of resolved.links) if (memberIds.has(r.to.id)) wiredImports.set(`${r.to.id}\u0000${r.toPort.id}`, [...(wiredImports.get(`${r.to.id}\u0000${r.toPort.id}`) ?? []), r]);

    for (const m of members) {
      for (const port of witPorts(m, "import")) {
        const iface = parseInterface(port.interface);
        const wires = wiredImports.get(`${m.id}\u0000${port.id}`) ?? [];
        if (!iface) {
          problems.push(problem("unsatisfied-import", "error", `${m.name}: import '${port.interface}' is not a WIT interface name`, [m.id]));
          continue;
        }
        if (wires.some((r) => internal.has(r.link.id))) {
          for (const r of wires.filter((w) => internal.has(w.link.id))) inProcess.push({ linkId: r.link.id, from: r.from.name, to: r.to.name, interface: wireInterface(r)!.id, file: WASMCLOUD_FILE });
          continue;
        }
        const fromEndpoint = wires.find((r) => r.from.kind === "endpoint");
        if (fromEndpoint) {
          const typed = wireInterface(fromEndpoint) ?? iface;
          if (!WASMCLOUD_HOST_INTERFACE_PACKAGES.includes(typed.packageId)) {
            problems.push(problem("unsatisfied-import", "error", `${m.name}: import ${port.interface} is wired to ${fromEndpoint.from.name}, but no wasmCloud 2 host plugin serves ${typed.packageId}`, [m.id, fromEndpoint.from.id], [fromEndpoint.link.id]));
            continue;
          }
          addHost(typed, fromEndpoint.from, "import");
          network.push({ linkId: fromEndpoint.link.id, from: fromEndpoint.from.name, to: m.name, via: `host interface ${typed.packageId}` });
          continue;
        }
        // An untyped wire from another component is already an error of its own.
        if (wires.some((r) => isWasm(r.from))) continue;
        for (const r of wires) {
          problems.push(problem("unsupported-wire", "warning", `${m.name} imports ${iface.id} from ${r.from.name} (${r.from.kind}); a WIT call cannot leave the workload, so the wire is dropped`, [m.id, r.from.id], [r.link.id]));
        }
        if (WASMCLOUD_BUILTIN_PACKAGES.includes(iface.packageId) || UNDECLARED_HOST_IMPORTS.includes(iface.packageId)) continue;
        if (WASMCLOUD_HOST_INTERFACE_PACKAGES.includes(iface.packageId)) {
          addHost(iface, undefined, "import");
          continue;
        }
        problems.push(problem("unsatisfied-import", "error", `${m.name}: import ${port.interface} is not exported by any component of workload ${wdName} and no wasmCloud 2 host interface provides it; wire it to a component that exports it`, [m.id]));
      }
      // Exports the host calls: wasi:http handlers wired to HTTP ingress, messaging handlers wired to a bus.
      for (const r of resolved.links.filter((l) => l.from.id === m.id && l.to.kind === "endpoint")) {
        const iface = wireInterface(r);
        if (!iface || !WASMCLOUD_HOST_INTERFACE_PACKAGES.includes(iface.packageId)) {
          if (r.fromPort.kind === "wit") problems.push(problem("unsupported-wire", "warning", `${m.name} → ${r.to.name}: no wasmCloud 2 host plugin calls ${r.fromPort.id}; the wire is dropped`, [m.id, r.to.id], [r.link.id]));
          continue;
        }
        addHost(iface, r.to, "export");
        network.push({ linkId: r.link.id, from: m.name, to: r.to.name, via: iface.packageId === "wasi:http" ? `host HTTP server → Service ${wdName}` : `host interface ${iface.packageId}` });
      }
    }

    // Several entries of one namespace:package must be named (the CRD's second CEL rule).
    const entries = [...hostIfaces.values()].sort((a, b) => `${a.namespace}:${a.package}`.localeCompare(`${b.namespace}:${b.package}`) || (a.endpoint?.name ?? "").localeCompare(b.endpoint?.name ?? ""));
    const perPackage = new Map<string, number>();
    for (const h of entries) perPackage.set(`${h.namespace}:${h.package}`, (perPackage.get(`${h.namespace}:${h.package}`) ?? 0) + 1);
    const hostInterfaces = entries.map((h) => {
      const named = (perPackage.get(`${h.namespace}:${h.package}`) ?? 0) > 1;
      const name = named ? (h.endpoint ? names.get(h.endpoint.id)! : dnsLabel(`host-${h.version ?? "default"}`)) : undefined;
      return {
        namespace: h.namespace,
        package: h.package,
        ...(name ? { name } : {}),
        ...(h.version ? { version: h.version } : {}),
        interfaces: [...h.interfaces].sort(),
        ...(Object.keys(h.config).length > 0 ? { config: Object.fromEntries(Object.entries(h.config).sort(([a], [b]) => a.localeCompare(b))) } : {}),
      };
    });
    if (hostInterfaces.some((h) => h.name)) {
      const list = hostInterfaces.filter((h) => h.name).map((h) => `${h.namespace}:${h.package} '${h.name}'`).join(", ");
      problems.push(problem("unsupported-wire", "warning", `workload ${wdName} uses several backends of one package (${list}); each entry is named and the components must select the backend by that name`, members.map((m) => m.id)));
    }

    // Volumes are declared once per workload and mounted per component.
    const volumes = new Map<string, Record<string, unknown>>();
    const components: WorkloadComponent[] = members.map((m) => {
      const env = { ...envProps(m), ...networkEnv(m, resolved.links, names, ns) };
      const allowedHosts = egressHosts(m, resolved.links, names, ns);
      const localResources: Record<string, unknown> = {};
      const secretFrom = [...new Set((m.config.secrets ?? []).map((x) => dnsLabel(x.secret, "secret")))];
      if (Object.keys(env).length > 0 || secretFrom.length > 0) {
        localResources.environment = { ...(Object.keys(env).length > 0 ? { config: env } : {}), ...(secretFrom.length > 0 ? { secretFrom: secretFrom.map((name) => ({ name })) } : {}) };
      }
      if ((m.config.secrets ?? []).some((x) => x.path || (x.env && x.env !== x.key))) {
        problems.push(problem("unsupported-node", "warning", `${m.name}: wasmCloud 2 hands a component every key of a Secret as environment (secretFrom); per-key variable names and secret files cannot be expressed`, [m.id]));
      }
      const mounts: Record<string, unknown>[] = [];
      for (const v of m.config.volumes ?? []) {
        if (v.type === "bind" && !v.source.startsWith("/")) {
          problems.push(problem("unsupported-node", "warning", `${m.name}: bind mount ${v.source} is a path of the compose project, which a host does not have; it is left out`, [m.id]));
          continue;
        }
        const vname = dnsLabel(v.type === "volume" ? v.source : `host-${v.source}`, "volume");
        if (!volumes.has(vname)) {
          volumes.set(vname, v.type === "volume" ? { name: vname, ephemeral: {} } : { name: vname, hostPath: { path: v.source } });
          if (v.type === "volume") problems.push(problem("unsupported-node", "warning", `${m.name}: wasmCloud 2 has no persistent volumes; named volume ${v.source} becomes an ephemeral volume (its data goes with the workload${v.size || v.accessMode ? "; size and access mode cannot be expressed" : ""})`, [m.id]));
        }
        mounts.push({ name: vname, mountPath: v.target, ...(v.readOnly ? { readOnly: true } : {}) });
      }
      if (mounts.length > 0) localResources.volumeMounts = mounts;
      if (allowedHosts.length > 0) localResources.allowedHosts = allowedHosts;
      return { name: names.get(m.id)!, image: m.config.image ?? "", ...(Object.keys(localResources).length > 0 ? { localResources } : {}) };
    });
    const replicas = Math.max(0, ...members.map((m) => Math.trunc(m.config.replicas)));
    const compiled = members.filter((m) => m.kind === "compiled").map((m) => names.get(m.id)!);
    const witPortList = Object.fromEntries(
      members.map((m) => [names.get(m.id)!, m.ports.filter((p) => p.kind === "wit").map((p) => `${p.direction} ${p.kind === "wit" ? p.interface : ""}`).sort()]).filter(([, l]) => l.length > 0),
    );
    const wd = {
      apiVersion: WASMCLOUD_API_VERSION,
      kind: "WorkloadDeployment",
      metadata: {
        name: wdName,
        ...(ns ? { namespace: ns } : {}),
        labels: { "app.kubernetes.io/name": wdName, "app.kubernetes.io/part-of": app },
        ...(Object.keys(witPortList).length > 0 || compiled.length > 0
          ? { annotations: { ...(Object.keys(witPortList).length > 0 ? { [WIT_PORTS_ANNOTATION]: JSON.stringify(witPortList) } : {}), ...(compiled.length > 0 ? { [COMPILED_ANNOTATION]: JSON.stringify(compiled) } : {}) } }
          : {}),
      },
      spec: {
        replicas,
        ...(ingress ? { kubernetes: { service: { name: wdName } } } : {}),
        template: { spec: { ...(hostInterfaces.length > 0 ? { hostInterfaces } : {}), components, ...(volumes.size > 0 ? { volumes: [...volumes.values()] } : {}) } },
      },
    };
    if (ingress) {
      // No selector: the operator keeps the Service's EndpointSlice pointing at the hosts running the workload.
      objects.push({ apiVersion: "v1", kind: "Service", metadata: { name: wdName, ...(ns ? { namespace: ns } : {}), labels: { "app.kubernetes.io/name": wdName, "app.kubernetes.io/part-of": app } }, spec: { type: "ClusterIP", ports: [{ ...WASMCLOUD_SERVICE_PORT }] } });
    }
    objects.push(wd);
  }

  // Containers stay containers: the Kubernetes export of the container part of the design.
  if (containers.length > 0) {
    const keep = new Set(topology.nodes.filter((n) => n.kind === "container" || (n.kind === "endpoint" && linksOf(topology.links, n.id).some((l) => byId.get(l.from.node)?.kind === "container" || byId.get(l.to.node)?.kind === "container"))).map((n) => n.id));
    // Nodes carry the full design's unique names, so the sub-export names them the same way.
    const sub: DesignDocument = { ...doc, topology: { nodes: topology.nodes.filter((n) => keep.has(n.id)).map((n) => ({ ...n, name: names.get(n.id)! })), links: topology.links.filter((l) => keep.has(l.from.node) && keep.has(l.to.node)) } };
    const k8s = buildK8sObjects(sub, options);
    for (const p of k8s.problems) if (p.kind !== "empty") problems.push(p);
    objects.push(...k8s.objects);
    network.push(...k8s.network);
    problems.push(problem("unsupported-node", "warning", `${containers.map((c) => c.name).join(", ")}: containers run as Kubernetes Deployments beside the workloads (wasmCloud 2 runs only Wasm); compile them to Wasm to run them on wasmCloud hosts`, containers.map((c) => c.id)));
  }
  problems.push(...unexpressed(wasm, "wasmCloud 2", ["healthcheck", "restartPolicy", "resources"], "hosts run components; the workload spec has no probes, restart policy or CPU/memory amounts"));
  for (const ep of topology.nodes.filter((x) => x.kind === "endpoint" && x.config.ingress?.path)) {
    problems.push(problem("unsupported-node", "warning", `${ep.name}: wasmCloud 2 routes HTTP by host (config.host); the path ${ep.config.ingress!.path} cannot be expressed`, [ep.id]));
  }
  for (const r of resolved.links) {
    if (isWasm(r.from) && r.to.kind === "container") {
      problems.push(problem("unsupported-wire", "warning", `${r.to.name} (container) cannot reach ${r.from.name} over the network: a workload listens only through its HTTP ingress Service; wire ${r.from.name} to HTTP ingress and point ${r.to.name} at that Service`, [r.from.id, r.to.id], [r.link.id]));
    } else if (r.from.kind === "container" && isWasm(r.to)) {
      network.push({ linkId: r.link.id, from: r.from.name, to: r.to.name, via: `Service ${names.get(r.from.id)} (allowedHosts + env)` });
    }
  }
  for (const n of wasm) {
    const httpNote = compiledHttpNote(n, "wasmCloud 2");
    if (httpNote) problems.push(problem("unsupported-node", "warning", httpNote, [n.id]));
    else if (n.kind === "compiled" && !httpComponentOf(n) && n.ports.some((p) => p.kind === "network" && p.direction === "export")) {
      problems.push(problem("unsupported-node", "warning", `${n.name} listens on network ports; on wasmCloud 2 a component is reached through host interfaces (wasi:http), not listening sockets`, [n.id]));
    }
  }
  for (const n of topology.nodes.filter((x) => x.kind === "endpoint")) {
    if (!resolved.links.some((r) => (r.from.id === n.id || r.to.id === n.id) && (isWasm(r.from) || isWasm(r.to) || r.from.kind === "container" || r.to.kind === "container"))) {
      problems.push(problem("unsupported-node", "warning", `${n.name} is wired to nothing, so no host interface is declared for it`, [n.id]));
    }
  }
  if (wasm.length === 0) {
    problems.push(containersOnlyProblem(topology, "wasmCloud 2") ?? problem("empty", "error", "the design has no Wasm components to put in a WorkloadDeployment; add a component"));
  }

  if (!isBlocking(problems)) {
    for (const o of objects) {
      const v = o.apiVersion === WASMCLOUD_API_VERSION ? validateWasmcloudObject(o) : validateK8sObjects([o]);
      if (!v.ok) for (const e of v.errors) problems.push(problem("schema", "error", `${e.object ?? "object"} ${e.path}: ${e.message}`));
    }
  }
  const files = isBlocking(problems) || options.problemsOnly ? [] : [{ path: WASMCLOUD_FILE, content: objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n") }];
  return {
    files,
    problems,
    report: {
      target: "wasmcloud",
      filled: [
        "WorkloadDeployment (runtime.wasmcloud.dev/v1alpha1) per connected group of components: metadata.name, labels, spec.replicas (largest in the group); annotations trellis.dev/wit-ports and trellis.dev/compiled (each component's WIT ports and which are compiled containers, for a lossless re-import)",
        "template.spec.components: name, image (components and compiled containers), localResources.environment.config (env, plus <TARGET>_URL/_ADDR for network wires to containers), localResources.allowedHosts for those wires",
        "template.spec.hostInterfaces: one entry per host package the group imports or exports to an endpoint (wasi:http with config.host, wasi:keyvalue, wasi:blobstore, wasmcloud:messaging, wasi:logging, wasi:config), version from the WIT, endpoint environment as config; named when one package has several backends",
        `HTTP ingress: spec.kubernetes.service.name and a selector-less v1 Service (port ${WASMCLOUD_SERVICE_PORT.port}, named ${WASMCLOUD_SERVICE_PORT.name}) the operator routes to the hosts`,
        "containers: Kubernetes Deployments and Services beside the workloads (as the Kubernetes export writes them)",
      ],
      leftToUser: [
        "installing the wasmCloud 2 runtime-operator and hosts (hostgroups) in the cluster; hostSelector",
        `config.host of HTTP ingress where the design names no host${hostsLeftDefault.length > 0 ? ` (defaulted to <name>.localhost for ${hostsLeftDefault.join(", ")})` : ""}`,
        "host plugin backends (NATS, Redis, blobstore) and their configFrom/secretFrom references",
        "allowedHosts for egress to anything outside the design; poolSize / maxInvocations",
        "pushing component images to a registry the hosts can pull from; imagePullSecret",
        ...wasm.flatMap((n) => (httpComponentOf(n) ? [`pushing ${httpComponentSource(n)} as image ${n.config.image ?? "(unset)"}`] : [])),
        "what wasmCloud 2 cannot express for components (the export warns): persistent storage, probes, restart policy, CPU/memory, per-key secret names, ingress paths",
      ],
      inProcess,
      network,
    },
  };
}

function linksOf(links: Link[], id: string): Link[] {
  return links.filter((l) => l.from.node === id || l.to.node === id);
}

function uniqueLabel(base: string, used: Set<string>): string {
  let name = dnsLabel(base);
  for (let i = 2; used.has(name); i++) name = `${dnsLabel(base).slice(0, 60)}-${i}`;
  used.add(name);
  return name;
}

/** Network wires from containers to a component: the address as env, like the Kubernetes export. */
function networkEnv(m: TopologyNode, links: ResolvedLink[], names: Map<string, string>, ns: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of links) {
    if (r.to.id !== m.id || r.from.kind !== "container" || r.fromPort.kind !== "network" || r.fromPort.port === undefined) continue;
    const host = ns ? `${names.get(r.from.id)}.${ns}.svc.cluster.local` : names.get(r.from.id)!;
    if (r.fromPort.protocol === "http") out[`${envName(r.from.name)}_URL`] = `http://${host}:${r.fromPort.port}`;
    else out[`${envName(r.from.name)}_ADDR`] = `${host}:${r.fromPort.port}`;
  }
  return out;
}

function egressHosts(m: TopologyNode, links: ResolvedLink[], names: Map<string, string>, ns: string | undefined): string[] {
  const out = new Set<string>();
  for (const r of links) {
    if (r.to.id !== m.id || r.from.kind !== "container" || r.fromPort.kind !== "network" || r.fromPort.port === undefined) continue;
    out.add(`${ns ? `${names.get(r.from.id)}.${ns}.svc.cluster.local` : names.get(r.from.id)}:${r.fromPort.port}`);
  }
  return [...out].sort();
}
