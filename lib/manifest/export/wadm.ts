// wasmCloud application manifest (wadm, core.oam.dev/v1beta1 Application).
// Link traits sit on the link *source* (the caller: the node that imports the
// interface) and name the *target* (the node that exports it). For the HTTP
// server provider the provider is the caller, so its trait targets the component.
import { stringify } from "yaml";
import type { DesignDocument, TopologyNode } from "../../graph/types";
import {
  HOST_PACKAGES,
  byKey,
  dnsLabel,
  problem,
  resolveLinks,
  uniqueNames,
  untypedMessage,
  unsatisfiedImports,
  wireInterface,
  type ResolvedLink,
  containersOnlyProblem,
} from "../common";
import type { ExportOptions, ExportProblem, ExportResult } from "../types";
import { isBlocking } from "../types";
import { compiledHttpNote, deployEnv, httpBridgeNote, httpComponentOf, httpComponentSource, isHttpBridge } from "./compiled-http";
import { unexpressed } from "./deploy-settings";

/** Published wasmCloud provider images for the endpoint capabilities. */
export const WADM_PROVIDER_IMAGES = {
  "http-ingress": "ghcr.io/wasmcloud/http-server:0.27.0",
  keyvalue: "ghcr.io/wasmcloud/keyvalue-redis:0.29.1",
  messaging: "ghcr.io/wasmcloud/messaging-nats:0.27.0",
} as const;

/** Annotation carrying the WIT versions that wadm link traits cannot hold. */
export const WIT_VERSIONS_ANNOTATION = "trellis.dev/wit-versions";
/** Annotation listing components' WIT ports that no link mentions, so an import restores them. */
export const UNLINKED_PORTS_ANNOTATION = "trellis.dev/unlinked-wit-ports";
export const DEFAULT_HTTP_PORT = 8000;

type ConfigProperty = { name: string; properties?: Record<string, string> };
interface LinkTrait {
  type: "link";
  properties: {
    name?: string;
    namespace: string;
    package: string;
    interfaces: string[];
    target: { name: string; config?: ConfigProperty[] };
    source?: { config: ConfigProperty[] };
  };
}

const envProps = (n: TopologyNode): Record<string, string> => Object.fromEntries(deployEnv(n).map((e) => [e.name, e.value]));

/** Configuration an endpoint contributes to every link it takes part in. */
function endpointLinkConfig(app: string, n: TopologyNode, name: string): ConfigProperty[] | undefined {
  const props: Record<string, string> = {};
  if (n.config.capability === "http-ingress") {
    props.address = `0.0.0.0:${n.config.exposedPorts[0]?.port ?? DEFAULT_HTTP_PORT}`;
  }
  Object.assign(props, envProps(n));
  if (Object.keys(props).length === 0) return undefined;
  return [{ name: `${app}-${name}`, properties: props }];
}

export function exportWadm(doc: DesignDocument, options: ExportOptions = {}): ExportResult {
  const { topology } = doc;
  const problems: ExportProblem[] = [];
  const app = dnsLabel(doc.name, "app");
  const names = uniqueNames(topology.nodes);
  const resolved = resolveLinks(topology);
  problems.push(...resolved.problems);

  const deployable = new Set<string>();
  for (const n of topology.nodes) {
    if (n.kind === "container") {
      problems.push(
        problem("unsupported-node", "warning", `${n.name} is a container; wasmCloud runs only Wasm, so it is left out (deploy it with the Kubernetes export; wires to it stay network hops)`, [n.id]),
      );
      continue;
    }
    if (n.kind === "endpoint" && !n.config.image && !n.config.capability) {
      problems.push(problem("missing-image", "error", `${n.name}: endpoint has neither a capability nor a provider image`, [n.id]));
      continue;
    }
    if (n.kind !== "endpoint" && !n.config.image) {
      problems.push(problem("missing-image", "error", `${n.name}: no image reference (wadm needs an OCI or file:// reference for every component)`, [n.id]));
    }
    deployable.add(n.id);
  }

  // Group typed wires into link traits: one per (source, target, namespace, package),
  // since wasmCloud keys a link by source + namespace + package + link name.
  const traits = new Map<string, { source: string; target: string; ns: string; pkg: string; ifaces: Set<string>; links: ResolvedLink[] }>();
  const versions: Record<string, string> = {};
  const network: ExportResult["report"]["network"] = [];
  for (const r of resolved.links) {
    if (!deployable.has(r.from.id) || !deployable.has(r.to.id)) {
      if (r.from.kind === "container" || r.to.kind === "container") {
        network.push({ linkId: r.link.id, from: r.from.name, to: r.to.name, via: "network (outside wasmCloud)" });
      }
      continue;
    }
    const iface = wireInterface(r);
    if (isHttpBridge(r)) {
      problems.push(problem("unsupported-wire", "warning", httpBridgeNote(r, "wadm"), [r.from.id, r.to.id], [r.link.id]));
      continue;
    }
    if (!iface) {
      const overNetwork = r.fromPort.kind === "network" || r.toPort.kind === "network";
      if (overNetwork && !(r.from.kind === "component" && r.to.kind === "component")) {
        problems.push(problem("unsupported-wire", "warning", `network wire ${r.from.name} → ${r.to.name} stays a network hop; wasmCloud links carry WIT calls only`, [r.from.id, r.to.id], [r.link.id]));
        network.push({ linkId: r.link.id, from: r.from.name, to: r.to.name, via: "network hop" });
        continue;
      }
      const both = r.from.kind !== "endpoint" && r.to.kind !== "endpoint";
      problems.push(
        problem(
          "untyped-wire",
          both ? "error" : "warning",
          `${untypedMessage(r)}; wadm links need a typed interface`,
          [r.from.id, r.to.id],
          [r.link.id],
        ),
      );
      continue;
    }
    if (iface.version) versions[iface.id] = iface.version;
    const key = [r.to.id, r.from.id, iface.namespace, iface.package].join("\u0000");
    const t = traits.get(key) ?? { source: r.to.id, target: r.from.id, ns: iface.namespace, pkg: iface.package, ifaces: new Set(), links: [] };
    t.ifaces.add(iface.name);
    t.links.push(r);
    traits.set(key, t);
    network.push({ linkId: r.link.id, from: r.from.name, to: r.to.name, via: `wasmCloud link ${iface.id} (lattice RPC)` });
  }

  // A source linking one package to several targets needs distinct link names.
  const perSourcePackage = new Map<string, number>();
  for (const t of traits.values()) {
    const k = `${t.source}\u0000${t.ns}:${t.pkg}`;
    perSourcePackage.set(k, (perSourcePackage.get(k) ?? 0) + 1);
  }

  const nodeById = new Map(topology.nodes.map((n) => [n.id, n]));
  const linkTraits = new Map<string, LinkTrait[]>();
  for (const t of [...traits.values()].sort(byKey((x) => `${names.get(x.source)}/${x.ns}:${x.pkg}/${names.get(x.target)}`))) {
    const sourceNode = nodeById.get(t.source)!;
    const targetNode = nodeById.get(t.target)!;
    const targetName = names.get(t.target)!;
    const trait: LinkTrait = {
      type: "link",
      properties: {
        namespace: t.ns,
        package: t.pkg,
        interfaces: [...t.ifaces].sort(),
        target: { name: targetName },
      },
    };
    if ((perSourcePackage.get(`${t.source}\u0000${t.ns}:${t.pkg}`) ?? 0) > 1) {
      trait.properties = { name: targetName, ...trait.properties };
      problems.push(
        problem("unsupported-wire", "warning", `${sourceNode.name} links ${t.ns}:${t.pkg} to several targets; the link to ${targetNode.name} is named '${targetName}' and the component must select that link name at runtime`, [t.source, t.target], t.links.map((l) => l.link.id)),
      );
    }
    if (targetNode.kind === "endpoint") {
      const cfg = endpointLinkConfig(app, targetNode, names.get(t.target)!);
      if (cfg) trait.properties.target.config = cfg;
    }
    if (sourceNode.kind === "endpoint") {
      const cfg = endpointLinkConfig(app, sourceNode, names.get(t.source)!);
      if (cfg) trait.properties.source = { config: cfg };
    }
    const list = linkTraits.get(t.source) ?? [];
    list.push(trait);
    linkTraits.set(t.source, list);
  }

  problems.push(...unsatisfiedImports(topology.nodes.filter((n) => deployable.has(n.id)), resolved.links, HOST_PACKAGES.wadm));
  // One http-server listen address serves one component; several need distinct addresses or path routing.
  for (const n of topology.nodes) {
    if (n.config.capability !== "http-ingress" || !deployable.has(n.id)) continue;
    const targets = [...traits.values()].filter((t) => t.source === n.id);
    if (targets.length > 1) {
      problems.push(problem("unsupported-wire", "warning", `${n.name} serves ${targets.length} components on one address; give each its own HTTP ingress endpoint (port) or configure the http-server provider's path routing`, [n.id, ...targets.map((t) => t.target)], targets.flatMap((t) => t.links.map((l) => l.link.id))));
    }
  }
  const linkedEndpoints = new Set([...traits.values()].flatMap((t) => [t.source, t.target]));

  for (const n of topology.nodes) {
    if (!deployable.has(n.id)) continue;
    if (n.kind === "endpoint" && !linkedEndpoints.has(n.id)) {
      // A provider nothing links to would run idle.
      deployable.delete(n.id);
      problems.push(problem("unsupported-node", "warning", `${n.name} has no WIT wires to Wasm components, so no provider is deployed for it`, [n.id]));
    } else if (httpComponentOf(n)) {
      // deployed as its wasi:http component (the image is where that component is pushed)
    } else if (compiledHttpNote(n, "wasmCloud")) {
      problems.push(problem("unsupported-node", "warning", compiledHttpNote(n, "wasmCloud")!, [n.id]));
    } else if (n.kind === "compiled" && n.ports.some((p) => p.kind === "network" && p.direction === "export")) {
      problems.push(problem("unsupported-node", "warning", `${n.name} listens on network ports; wasmCloud reaches components through WIT links (e.g. wasi:http), not listening sockets`, [n.id]));
    }
  }
  const components = topology.nodes
    .filter((n) => deployable.has(n.id))
    .map((n) => {
      const isProvider = n.kind === "endpoint";
      const image = n.config.image ?? (n.config.capability ? WADM_PROVIDER_IMAGES[n.config.capability] : undefined);
      const properties: Record<string, unknown> = { image: image ?? null };
      // Endpoint settings travel as link config; an endpoint with no links gets them as provider config.
      if ((!isProvider || !linkedEndpoints.has(n.id)) && deployEnv(n).length > 0) properties.config = [{ name: `${app}-${names.get(n.id)}`, properties: envProps(n) }];
      const traitsOut: unknown[] = [{ type: "spreadscaler", properties: { instances: Math.max(0, Math.trunc(n.config.replicas)) } }];
      traitsOut.push(...(linkTraits.get(n.id) ?? []));
      return { name: names.get(n.id)!, type: isProvider ? "capability" : "component", properties, traits: traitsOut };
    });

  if (components.length === 0) problems.push(containersOnlyProblem(topology, "wasmCloud") ?? problem("empty", "error", "the design has no Wasm components or endpoints to put in a wadm manifest; add a component"));

  const annotations: Record<string, string> = { description: doc.description ?? `${doc.name} (exported by Trellis)` };
  if (Object.keys(versions).length > 0) {
    annotations[WIT_VERSIONS_ANNOTATION] = JSON.stringify(Object.fromEntries(Object.entries(versions).sort()));
  }
  const linkedPorts = new Set(resolved.links.flatMap((r) => [`${r.from.id}\u0000${r.fromPort.id}`, `${r.to.id}\u0000${r.toPort.id}`]));
  const unlinked: Record<string, string[]> = {};
  for (const n of topology.nodes) {
    if (!deployable.has(n.id) || n.kind === "endpoint") continue;
    const list = n.ports
      .filter((p) => p.kind === "wit" && !linkedPorts.has(`${n.id}\u0000${p.id}`))
      .map((p) => `${p.direction} ${p.kind === "wit" ? p.interface : ""}`)
      .sort();
    if (list.length > 0) unlinked[names.get(n.id)!] = list;
  }
  if (Object.keys(unlinked).length > 0) annotations[UNLINKED_PORTS_ANNOTATION] = JSON.stringify(unlinked);
  const manifest = {
    apiVersion: "core.oam.dev/v1beta1",
    kind: "Application",
    metadata: { name: app, annotations },
    spec: { components },
  };

  problems.push(...unexpressed(doc.topology.nodes, "wasmCloud 1 (wadm)", ["volumes", "healthcheck", "restartPolicy", "resources", "secrets", "ingress"], "a wadm Application has no fields for them"));
  return {
    files: isBlocking(problems) || options.problemsOnly ? [] : [{ path: "wadm.yaml", content: stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false }) }],
    problems,
    report: {
      target: "wadm",
      filled: [
        "metadata.name (design name), metadata.annotations: description, trellis.dev/wit-versions and trellis.dev/unlinked-wit-ports (what wadm links cannot carry, for a lossless re-import)",
        "components[].name, type (component | capability), properties.image (node image; provider image for endpoints)",
        "properties.config (component environment as a named config)",
        "traits: spreadscaler.instances (replicas); one link per source/target/package with namespace, package, interfaces, target.name",
        "link source/target config: http-server address (endpoint exposed port, default 8000), endpoint environment",
      ],
      leftToUser: [
        "lattice, hosts and spread requirements (spreadscaler.spread)",
        "secrets and secret policies",
        "provider configuration beyond the endpoint's environment (e.g. Redis URL, NATS subscriptions)",
        "pushing component images to a registry the hosts can pull from",
        ...topology.nodes.flatMap((n) => (httpComponentOf(n) && deployable.has(n.id) ? [`pushing ${httpComponentSource(n)} as image ${n.config.image ?? "(unset)"}`] : [])),
        "containers (not deployable by wasmCloud)",
      ],
      inProcess: [],
      network,
    },
  };
}
