// wadm Application manifests → topology. Link traits sit on the caller (the
// importer of the interface) and name the exporter as target: each interface
// becomes a wire from the target's export port to the source's import port.
import type { Capability, TopologyNode } from "../../graph/types";
import { UNLINKED_PORTS_ANNOTATION, WADM_PROVIDER_IMAGES, WIT_VERSIONS_ANNOTATION } from "../export/wadm";
import type { SkippedItem } from "../types";
import { TopologyBuilder } from "./builder";
import { asArray, asRecord, asString, type YamlDoc } from "./yaml";

export interface WadmImport {
  name: string;
  description?: string;
  builder: TopologyBuilder;
}

function capabilityOfImage(image: string | undefined, name: string): Capability | undefined {
  const s = `${image ?? ""} ${name}`.toLowerCase();
  if (/http-?server/.test(s)) return "http-ingress";
  if (/keyvalue|kvredis|kv-redis/.test(s)) return "keyvalue";
  if (/messaging|nats/.test(s)) return "messaging";
  return undefined;
}

const isDefaultProviderImage = (image: string | undefined): boolean =>
  image !== undefined && (Object.values(WADM_PROVIDER_IMAGES) as string[]).includes(image);

export function importWadm(docs: YamlDoc[], skipped: SkippedItem[]): WadmImport {
  const b = new TopologyBuilder();
  let name = "";
  let description: string | undefined;
  const pendingLinks: { source: TopologyNode; props: Record<string, unknown>; where: string }[] = [];
  const byName = new Map<string, TopologyNode>();
  const unmodelled = new Map<string, string>();
  let versions: Record<string, string> = {};
  const unlinked: Record<string, unknown> = {};

  for (const d of docs) {
    const obj = asRecord(d.value);
    if (!obj) continue;
    if (obj.kind !== "Application" || !asString(obj.apiVersion)?.startsWith("core.oam.dev/")) {
      skipped.push({ kind: asString(obj.kind) ?? "document", name: asString(asRecord(obj.metadata)?.name) ?? `document ${d.index + 1}`, reason: "not a wadm Application" });
      continue;
    }
    const meta = asRecord(obj.metadata) ?? {};
    const annotations = asRecord(meta.annotations) ?? {};
    if (!name) name = asString(meta.name) ?? "imported-app";
    description ??= asString(annotations.description)?.trim();
    const v = asString(annotations[WIT_VERSIONS_ANNOTATION]);
    if (v) {
      try {
        const parsed = JSON.parse(v) as unknown;
        if (asRecord(parsed)) versions = { ...versions, ...(parsed as Record<string, string>) };
      } catch {
        skipped.push({ kind: "annotation", name: WIT_VERSIONS_ANNOTATION, reason: "not valid JSON; WIT versions left off the interfaces" });
      }
    }
    const u = asString(annotations[UNLINKED_PORTS_ANNOTATION]);
    if (u) {
      try {
        Object.assign(unlinked, asRecord(JSON.parse(u)) ?? {});
      } catch {
        skipped.push({ kind: "annotation", name: UNLINKED_PORTS_ANNOTATION, reason: "not valid JSON; unlinked WIT ports not restored" });
      }
    }
    const spec = asRecord(obj.spec) ?? {};
    for (const p of asArray(spec.policies)) {
      skipped.push({ kind: "policy", name: asString(asRecord(p)?.name) ?? "?", reason: "wadm policies (secret backends) are not modelled in Trellis" });
    }
    for (const c of asArray(spec.components)) {
      const comp = asRecord(c);
      const cname = asString(comp?.name);
      if (!comp || !cname) {
        skipped.push({ kind: "component", name: "?", reason: "component without a name" });
        continue;
      }
      const type = asString(comp.type);
      const props = asRecord(comp.properties) ?? {};
      const image = asString(props.image);
      const shared = asRecord(props.application);
      let node: TopologyNode;
      if (type === "component") {
        node = b.addNode("component", cname, image ? { image } : {});
      } else if (type === "capability") {
        const capability = capabilityOfImage(image, shared ? `${asString(shared.component) ?? ""}` : cname);
        if (!capability) {
          // The model's endpoints are http-ingress, keyvalue and messaging; other providers have no node kind.
          unmodelled.set(cname, image ?? `shared ${asString(shared?.name) ?? "?"}/${asString(shared?.component) ?? "?"}`);
          skipped.push({ kind: "capability", name: cname, reason: `provider '${unmodelled.get(cname)}' is none of the modelled capabilities (http-ingress, keyvalue, messaging); the interfaces linked to it stay as unwired ports` });
          continue;
        }
        node = b.addNode("endpoint", cname, {
          ...(capability ? { capability } : {}),
          // The published provider image is the export default; keep others explicitly.
          ...(image && !(capability && isDefaultProviderImage(image)) ? { image } : {}),
        });
      } else {
        skipped.push({ kind: "component", name: cname, reason: `component type '${type ?? "(none)"}' is neither component nor capability` });
        continue;
      }
      byName.set(cname, node);
      if (shared) {
        skipped.push({ kind: "shared-component", name: cname, reason: `refers to '${asString(shared.component) ?? "?"}' of shared application '${asString(shared.name) ?? "?"}'; imported without an image` });
      }
      if (asString(props.id)) skipped.push({ kind: "field", name: `${cname}.properties.id`, reason: "explicit wasmCloud id is not modelled; wadm derives one on deploy" });
      addConfig(node, props.config, `${cname}.properties.config`, skipped);
      for (const s of asArray(props.secrets)) skipped.push({ kind: "secret", name: `${cname}/${asString(asRecord(s)?.name) ?? "?"}`, reason: "secrets are not modelled in Trellis" });

      for (const t of asArray(comp.traits)) {
        const trait = asRecord(t);
        const ttype = asString(trait?.type);
        const tprops = asRecord(trait?.properties) ?? {};
        if (ttype === "spreadscaler" || ttype === "daemonscaler") {
          const n = tprops.instances ?? tprops.replicas;
          if (typeof n === "number" && Number.isInteger(n) && n >= 0) node.config.replicas = n;
          if (ttype === "daemonscaler") skipped.push({ kind: "trait", name: `${cname}/daemonscaler`, reason: "daemonscaler (instances per host) imported as replicas; exports as a spreadscaler" });
          if (asArray(tprops.spread).length > 0) skipped.push({ kind: "spread", name: `${cname}/${ttype}`, reason: "spread requirements are not modelled; only the instance count was kept" });
        } else if (ttype === "link") {
          pendingLinks.push({ source: node, props: tprops, where: cname });
        } else {
          skipped.push({ kind: "trait", name: `${cname}/${ttype ?? "?"}`, reason: "trait type not modelled in Trellis" });
        }
      }
    }
  }

  for (const [cname, list] of Object.entries(unlinked)) {
    const node = byName.get(cname);
    for (const entry of asArray(list).map(asString)) {
      const m = entry ? /^(import|export) (\S+)$/.exec(entry) : null;
      if (node && m) b.witPort(node, m[1] as "import" | "export", m[2]!);
      else skipped.push({ kind: "annotation", name: `${UNLINKED_PORTS_ANNOTATION}: ${cname} ${entry ?? "?"}`, reason: node ? "entry is not '<import|export> <interface>'" : `no component named '${cname}'` });
    }
  }
  for (const { source, props, where } of pendingLinks) {
    const targetRaw = props.target;
    const targetRec = asRecord(targetRaw);
    const targetName = typeof targetRaw === "string" ? targetRaw : asString(targetRec?.name);
    const ns = asString(props.namespace);
    const pkg = asString(props.package);
    const ifaces = asArray(props.interfaces).map(asString).filter((x): x is string => !!x);
    const label = `${where} → ${targetName ?? "?"} ${ns ?? "?"}:${pkg ?? "?"}/{${ifaces.join(",")}}`;
    const target = targetName ? byName.get(targetName) : undefined;
    if (targetName && unmodelled.has(targetName) && ns && pkg) {
      // Keep what the caller imports visible; the provider itself was not imported.
      for (const i of ifaces) {
        const id = `${ns}:${pkg}/${i}`;
        b.witPort(source, "import", versions[id] ? `${id}@${versions[id]}` : id);
      }
      skipped.push({ kind: "link", name: label, reason: `target '${targetName}' is an unmodelled provider; ${where}'s import stays unwired` });
      continue;
    }
    if (!target || !ns || !pkg || ifaces.length === 0) {
      skipped.push({ kind: "link", name: label, reason: !target ? `target '${targetName ?? "(none)"}' is not a component of this manifest` : "link lacks namespace, package or interfaces" });
      continue;
    }
    for (const i of ifaces) {
      const id = `${ns}:${pkg}/${i}`;
      const iface = versions[id] ? `${id}@${versions[id]}` : id;
      const fromPort = b.witPort(target, "export", iface);
      const toPort = b.witPort(source, "import", iface);
      b.link(target.id, fromPort, source.id, toPort);
    }
    if (asString(props.name) && props.name !== "default") skipped.push({ kind: "link-name", name: label, reason: `link name '${String(props.name)}' is not modelled (Trellis names links on export)` });
    linkConfig(source, asRecord(props.source)?.config ?? props.source_config, `${label} source config`, skipped);
    linkConfig(target, targetRec?.config ?? props.target_config, `${label} target config`, skipped);
    for (const s of [...asArray(asRecord(props.source)?.secrets), ...asArray(targetRec?.secrets)]) {
      skipped.push({ kind: "secret", name: `${label}/${asString(asRecord(s)?.name) ?? "?"}`, reason: "link secrets are not modelled in Trellis" });
    }
  }
  return { name: name || "imported-app", ...(description ? { description } : {}), builder: b };
}

/** Named configs with properties become environment entries; externally managed ones are reported. */
function addConfig(node: TopologyNode, config: unknown, where: string, skipped: SkippedItem[]): void {
  for (const c of asArray(config)) {
    const rec = asRecord(c);
    const cname = asString(rec?.name) ?? "?";
    const props = asRecord(rec?.properties);
    if (!props) {
      skipped.push({ kind: "config", name: `${where}/${cname}`, reason: "named config without properties is managed outside the manifest" });
      continue;
    }
    for (const [k, v] of Object.entries(props)) {
      const value = v === null || v === undefined ? "" : String(v);
      const existing = node.config.env.find((e) => e.name === k);
      if (existing) existing.value = value;
      else node.config.env.push({ name: k, value });
    }
  }
}

/** Link config lands on endpoints (provider settings); on components it has no home. */
function linkConfig(node: TopologyNode, config: unknown, where: string, skipped: SkippedItem[]): void {
  if (asArray(config).length === 0) return;
  if (node.kind !== "endpoint") {
    for (const c of asArray(config)) skipped.push({ kind: "link-config", name: `${where}/${asString(asRecord(c)?.name) ?? "?"}`, reason: "link configuration on a component is not modelled" });
    return;
  }
  const flat: unknown[] = [];
  for (const c of asArray(config)) {
    const rec = asRecord(c);
    const props = asRecord(rec?.properties);
    if (!props) {
      flat.push(c);
      continue;
    }
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) {
      // The HTTP server's listen address becomes the endpoint's exposed port.
      if (node.config.capability === "http-ingress" && k.toLowerCase() === "address" && typeof v === "string") {
        const port = Number(/:(\d+)$/.exec(v)?.[1]);
        if (Number.isInteger(port) && port > 0 && port < 65536) {
          node.config.exposedPorts = [{ port, protocol: "tcp" }];
          continue;
        }
      }
      rest[k] = v;
    }
    flat.push({ name: rec?.name, properties: rest });
  }
  addConfig(node, flat.filter((c) => { const p = asRecord(asRecord(c)?.properties); return !p || Object.keys(p).length > 0; }), where, skipped);
}
