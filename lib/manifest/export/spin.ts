// SpinKube: one Spin application per HTTP-triggered group of components. Each
// app gets the spin.toml (manifest v2) that builds it and a SpinApp resource
// that runs the pushed app. Components wired by WIT inside a group become Spin
// component dependencies of their importer (composed when Spin loads the app).
import { stringify as toToml } from "smol-toml";
import { stringify } from "yaml";
import { httpBridged, peerHostName } from "../../graph/ports";
import type { DesignDocument, TopologyNode, WitPort } from "../../graph/types";
import {
  HOST_PACKAGES,
  connectedGroups,
  dnsLabel,
  formatInterface,
  isHostProvided,
  problem,
  resolveLinks,
  topoOrder,
  uniqueNames,
  untypedMessage,
  witPorts,
  wireInterface,
  type ResolvedLink,
  containersOnlyProblem,
  idleOutgoing,
} from "../common";
import type { ExportOptions, ExportProblem, ExportResult } from "../types";
import { isBlocking } from "../types";
import { compiledHttpNote, deployEnv, deploysAsComponent, httpComponentSource } from "./compiled-http";
import { unexpressed } from "./deploy-settings";
import { validateSpinApp } from "../validate";
import { uniqueIdents, wacIdent } from "./wac";

export const SPIN_EXECUTOR = "containerd-shim-spin";
export const DEFAULT_SPIN_REGISTRY = "ttl.sh";
const APP_VERSION = "0.1.0";

/** Where spin.toml points for a component's Wasm file. */
function componentSource(n: TopologyNode, name: string): { source: string; placeholder: boolean } {
  const s = n.config.source;
  // `oci:` references are pulled, not files beside spin.toml.
  if (s && !s.startsWith("builtin:") && !s.startsWith("upload:") && !s.startsWith("oci:") && !/^[a-z]+:\/\//i.test(s) && !s.startsWith("/") && !s.split("/").includes("..")) {
    return { source: s, placeholder: false };
  }
  return { source: `components/${name}.wasm`, placeholder: true };
}

const setting = (n: TopologyNode, ...names: string[]): string | undefined => n.config.env.find((e) => names.includes(e.name.toLowerCase()))?.value;
/** The Redis channel a bus delivers: its subscriptions/channel setting (first subject), else its name. */
const redisChannel = (bus: TopologyNode): string => setting(bus, "channel", "subscriptions")?.split(",")[0]?.trim() || dnsLabel(bus.name, "messages");
const redisAddress = (bus: TopologyNode): string => {
  const a = setting(bus, "address", "url", "redis_url");
  return a && /^rediss?:\/\//.test(a) ? a : "redis://redis:6379";
};

export function exportSpin(doc: DesignDocument, options: ExportOptions = {}): ExportResult {
  const { topology } = doc;
  const problems: ExportProblem[] = [];
  // Spin component ids are kebab-case words that each start with a letter (as WIT names).
  const names = uniqueIdents(uniqueNames(topology.nodes));
  const resolved = resolveLinks(topology);
  problems.push(...resolved.problems);
  const registry = (options.registry ?? DEFAULT_SPIN_REGISTRY).replace(/\/+$/, "");
  const design = dnsLabel(doc.name, "app");

  // a compiled container with its wasi:http component is deployed as that component
  const components = topology.nodes.filter(deploysAsComponent);
  for (const n of topology.nodes) {
    if ((n.kind === "container" || n.kind === "compiled") && !deploysAsComponent(n)) {
      problems.push(problem("unsupported-node", "warning", compiledHttpNote(n, "SpinKube") ?? `${n.name} is a ${n.kind === "container" ? "container" : "compiled container (WASI command)"}; SpinKube runs Spin components only, so it is left out`, [n.id]));
    }
  }

  const inner: ResolvedLink[] = [];
  /** outgoing-handler → incoming-handler wires: Spin's local service chaining (http://<component>.spin.internal). */
  const chained: ResolvedLink[] = [];
  const httpRoots = new Set<string>();
  /** Components a message bus delivers to: Spin's Redis trigger, one channel per bus. */
  const redisRoots = new Map<string, TopologyNode>();
  const kvOf = new Map<string, TopologyNode[]>();
  const network: ExportResult["report"]["network"] = [];
  const inProcess: ExportResult["report"]["inProcess"] = [];
  for (const r of resolved.links) {
    const iface = wireInterface(r);
    if (deploysAsComponent(r.from) && deploysAsComponent(r.to) && r.fromPort.kind === "wit" && r.toPort.kind === "wit" && httpBridged(r.fromPort.interface, r.toPort.interface)) {
      chained.push(r);
    } else if (deploysAsComponent(r.from) && deploysAsComponent(r.to)) {
      if (!iface) problems.push(problem("untyped-wire", "error", untypedMessage(r), [r.from.id, r.to.id], [r.link.id]));
      else inner.push(r);
    } else if (deploysAsComponent(r.from) && r.to.kind === "endpoint" && r.to.config.capability === "http-ingress") {
      httpRoots.add(r.from.id);
      network.push({ linkId: r.link.id, from: r.from.name, to: r.to.name, via: "Spin HTTP trigger (SpinApp Service)" });
    } else if (r.from.kind === "component" && r.to.kind === "endpoint" && r.to.config.capability === "messaging") {
      redisRoots.set(r.from.id, r.to);
      network.push({ linkId: r.link.id, from: r.to.name, to: r.from.name, via: `Spin Redis trigger (channel ${redisChannel(r.to)})` });
      if (iface?.packageId !== "fermyon:spin") {
        problems.push(problem("unsupported-wire", "warning", `${r.from.name} is triggered by ${r.to.name} through Spin's Redis trigger, which calls fermyon:spin/inbound-redis; the component must export that handler (it exports ${iface ? formatInterface(iface) : r.fromPort.id})`, [r.from.id, r.to.id], [r.link.id]));
      }
    } else if (r.from.kind === "endpoint" && r.from.config.capability === "messaging" && r.to.kind === "component") {
      network.push({ linkId: r.link.id, from: r.from.name, to: r.to.name, via: "Spin outbound Redis (publish)" });
      problems.push(problem("unsupported-wire", "warning", `${r.to.name} publishes to ${r.from.name}: on Spin that is outbound Redis (fermyon:spin redis, publish to ${redisAddress(r.from)}); the component must use it and list the address in allowed_outbound_hosts`, [r.from.id, r.to.id], [r.link.id]));
    } else if (r.from.kind === "endpoint" && r.from.config.capability === "keyvalue" && r.to.kind === "component") {
      // store and atomics wires to the same endpoint are one store
      if (!(kvOf.get(r.to.id) ?? []).includes(r.from)) kvOf.set(r.to.id, [...(kvOf.get(r.to.id) ?? []), r.from]);
      network.push({ linkId: r.link.id, from: r.from.name, to: r.to.name, via: "Spin key-value store (host)" });
    }
  }

  const groups = connectedGroups(components.map((c) => c.id), [...inner, ...chained].map((r) => [r.from.id, r.to.id]));
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const files: ExportResult["files"] = [];
  let apps = 0;
  const placeholders: string[] = [];
  const usedApps = new Set<string>();
  for (const group of groups) {
    const roots = group.filter((id) => httpRoots.has(id));
    const redis = group.filter((id) => redisRoots.has(id));
    if (roots.length === 0 && redis.length === 0) {
      problems.push(problem("unsupported-node", "warning", `${group.map((id) => byId.get(id)!.name).join(", ")}: not wired to HTTP ingress or a message bus, so not part of any SpinApp`, group));
      continue;
    }
    const buses = [...new Set(redis.map((id) => redisRoots.get(id)!))];
    if (buses.length > 1) {
      problems.push(problem("unsupported-wire", "warning", `${buses.map((b) => b.name).join(", ")}: a Spin app has one Redis address (${redisAddress(buses[0]!)}); the other buses' channels are read from it`, buses.map((b) => b.id)));
    }
    const groupSet = new Set(group);
    const privateRoots = [...new Set(chained.filter((r) => groupSet.has(r.from.id) && !httpRoots.has(r.from.id)).map((r) => r.from.id))];
    const links = inner.filter((r) => groupSet.has(r.from.id));
    // Dependencies are instantiated before their importers: no cycles.
    const order = topoOrder(group, links.map((r) => [r.from.id, r.to.id]));
    if ("cycle" in order) {
      problems.push(problem("cycle", "error", `components ${order.cycle.map((id) => byId.get(id)!.name).join(", ")} import from each other in a cycle; Spin dependencies must form a tree`, order.cycle, links.filter((r) => order.cycle.includes(r.from.id) && order.cycle.includes(r.to.id)).map((r) => r.link.id)));
      continue;
    }
    let app = dnsLabel(groups.length === 1 ? design : `${design}-${names.get((roots[0] ?? redis[0])!)}`);
    for (let i = 2; usedApps.has(app); i++) app = `${app}-${i}`;
    usedApps.add(app);

    const componentTables: Record<string, Record<string, unknown>> = {};
    const sources = new Map<string, string>();
    for (const id of group) {
      const n = byId.get(id)!;
      const src = componentSource(n, names.get(id)!);
      if (src.placeholder) placeholders.push(`spin/${app}/${src.source} (${httpComponentSource(n) ?? `${n.name}${n.config.image ? `, image ${n.config.image}` : ""}`})`);
      sources.set(id, src.source);
    }
    for (const id of group) {
      const n = byId.get(id)!;
      const table: Record<string, unknown> = { source: sources.get(id)! };
      const env = deployEnv(n);
      if (env.length > 0) table.environment = Object.fromEntries(env.map((e) => [e.name, e.value]));
      const stores = (kvOf.get(id) ?? []).map((ep, i) => (i === 0 ? "default" : wacIdent(dnsLabel(ep.name)).replace(/-/g, "_")));
      if (stores.length > 0) table.key_value_stores = stores;
      if (stores.length > 1) problems.push(problem("unsupported-wire", "warning", `${n.name} uses several key-value stores; define labels ${stores.slice(1).join(", ")} in the Spin runtime config`, [id]));
      const deps: Record<string, { path: string }> = {};
      for (const r of links.filter((l) => l.to.id === id)) {
        const iface = wireInterface(r)!;
        deps[formatInterface(iface)] = { path: sources.get(r.from.id)! };
        inProcess.push({ linkId: r.link.id, from: r.from.name, to: r.to.name, interface: formatInterface(iface), file: `spin/${app}/spin.toml` });
      }
      if (Object.keys(deps).length > 0) table.dependencies = deps;
      // requests to a chained peer: allowed by host, and named to a compiled container's guest (TRELLIS_HTTP_PEERS)
      const peers = chained.filter((r) => r.to.id === id);
      if (peers.length > 0) {
        table.allowed_outbound_hosts = peers.map((r) => `http://${names.get(r.from.id)}.spin.internal`);
        if (n.kind === "compiled" && !n.config.wit) {
          const env = (table.environment ?? {}) as Record<string, string>;
          table.environment = { ...env, TRELLIS_HTTP_PEERS: peers.map((r) => `${peerHostName(r.from)}=${names.get(r.from.id)}.spin.internal`).join(",") };
        }
        for (const r of peers) network.push({ linkId: r.link.id, from: r.to.name, to: r.from.name, via: `Spin local service chaining (http://${names.get(r.from.id)}.spin.internal)` });
      }
      // Imports neither wired in the group, nor to a store, nor given by the Spin host.
      for (const p of witPorts(n, "import")) {
        const wired = resolved.links.some((r) => r.to.id === id && r.toPort.id === p.id);
        if (!wired && !isHostProvided(p.interface, HOST_PACKAGES.spin) && !idleOutgoing(n, p as WitPort)) {
          problems.push(problem("unsatisfied-import", "error", `${n.name}: import ${p.interface} is not wired to anything that provides it`, [id]));
        }
      }
      componentTables[names.get(id)!] = table;
    }
    const manifest = {
      spin_manifest_version: 2,
      application: {
        name: app,
        version: APP_VERSION,
        ...(doc.description ? { description: doc.description } : {}),
        ...(buses.length > 0 ? { trigger: { redis: { address: redisAddress(buses[0]!) } } } : {}),
      },
      trigger: {
        ...(roots.length > 0 || privateRoots.length > 0
          ? {
              http: [
                ...roots.map((id) => ({ route: roots.length === 1 ? "/..." : `/${names.get(id)}/...`, component: names.get(id)! })),
                // reached only by chaining from inside the app
                ...privateRoots.map((id) => ({ route: { private: true }, component: names.get(id)! })),
              ],
            }
          : {}),
        ...(redis.length > 0 ? { redis: redis.map((id) => ({ channel: redisChannel(redisRoots.get(id)!), component: names.get(id)! })) } : {}),
      },
      component: componentTables,
    };
    const replicas = Math.max(...group.map((id) => byId.get(id)!.config.replicas));
    const spinApp = {
      apiVersion: "core.spinkube.dev/v1alpha1",
      kind: "SpinApp",
      metadata: { name: app },
      spec: { image: `${registry}/${app}:${APP_VERSION}`, executor: SPIN_EXECUTOR, replicas: Math.max(0, Math.trunc(replicas)) },
    };
    const v = validateSpinApp(spinApp);
    if (!v.ok) for (const e of v.errors) problems.push(problem("schema", "error", `SpinApp ${app} ${e.path}: ${e.message}`, group));
    apps++;
    if (options.problemsOnly) continue;
    files.push({ path: `spin/${app}/spin.toml`, content: toToml(manifest) + "\n" });
    files.push({ path: `spin/${app}/spinapp.yaml`, content: stringify(spinApp, { lineWidth: 0, aliasDuplicateObjects: false }) });
  }
  if (apps === 0 && !problems.some((p) => p.severity === "error")) {
    problems.push(containersOnlyProblem(topology, "SpinKube") ?? problem("empty", "error", "no component is wired to an HTTP ingress endpoint or a message bus; SpinKube export needs at least one HTTP- or Redis-triggered component: wire one to HTTP ingress or a message bus", components.map((c) => c.id)));
  }
  problems.push(...unexpressed(doc.topology.nodes, "SpinKube", ["volumes", "healthcheck", "restartPolicy", "resources", "secrets", "ingress"], "spin.toml and the SpinApp export carry none of them"));
  return {
    files: isBlocking(problems) ? [] : files,
    problems,
    report: {
      target: "spin",
      filled: [
        "spin.toml: spin_manifest_version 2, application name/version/description, one [[trigger.http]] per component wired to HTTP ingress (route /... or /<component>/...)",
        "one [[trigger.redis]] per component wired to a message bus (channel: the bus's subscriptions/channel setting, else its name) and [application.trigger.redis] address (the bus's address/url setting, else redis://redis:6379)",
        "spin.toml components: source (the node's source path, else components/<name>.wasm), environment, key_value_stores, dependencies for WIT wires inside the group",
        "wasi:http/outgoing-handler wires to a component's incoming-handler: local service chaining — the caller's allowed_outbound_hosts (http://<callee>.spin.internal), a private [[trigger.http]] route for a callee not on the ingress, and for a compiled container TRELLIS_HTTP_PEERS (the name its guest resolves = the callee's chaining host)",
        `SpinApp: metadata.name, spec.image (${registry}/<app>:${APP_VERSION}), executor ${SPIN_EXECUTOR}, replicas (largest in the group)`,
      ],
      leftToUser: [
        ...placeholders.map((p) => `place the built component at ${p}`),
        `build and push each app: spin registry push ${registry}/<app>:${APP_VERSION} (then kubectl apply the spinapp.yaml)`,
        "allowed_outbound_hosts beyond chained components, variables, files, runtime config for extra key-value labels, SpinApp resources/probes",
        "a Redis server at the trigger address; components triggered by Redis must export fermyon:spin/inbound-redis (the export warns when they export another handler)",
      ],
      inProcess,
      network,
    },
  };
}
