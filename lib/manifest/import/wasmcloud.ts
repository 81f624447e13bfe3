// wasmCloud 2 WorkloadDeployment / Workload (runtime.wasmcloud.dev/v1alpha1)
// → topology. Each component becomes a component node; each hostInterfaces
// entry with a Trellis capability (wasi:http, wasi:keyvalue,
// wasmcloud:messaging) becomes an endpoint node. A manifest does not say which
// component uses which interface: Trellis' own exports carry that in the
// trellis.dev/wit-ports annotation, a single-component workload gets them all,
// and otherwise the endpoints stay unwired and the import says so. Wires
// inside the workload follow wasmCloud 2's rule: an import is wired to the
// member that exports the same interface. Fields the CRD schema does not allow
// are flagged with their path; fields Trellis does not model are listed.
import type { Capability, TopologyNode } from "../../graph/types";
import { parseInterface } from "../common";
import { COMPILED_ANNOTATION, WIT_PORTS_ANNOTATION } from "../export/wasmcloud";
import type { SkippedItem } from "../types";
import { validateWasmcloudObject } from "../validate-wasmcloud";
import type { TopologyBuilder } from "./builder";
import { asArray, asRecord, asString } from "./yaml";


const CAPABILITY_OF: Record<string, Capability> = { "wasi:http": "http-ingress", "wasi:keyvalue": "keyvalue", "wasmcloud:messaging": "messaging" };
/** Interfaces of a host package the component exports (the host calls them); the rest it imports. */
const EXPORTED_BY_COMPONENT: Record<string, string[]> = { "wasi:http": ["incoming-handler", "handler"], "wasmcloud:messaging": ["handler"] };

const MODELLED_SPEC = new Set(["hostInterfaces", "components", "kubernetes"]);
const MODELLED_WD_SPEC = new Set(["replicas", "template", "kubernetes"]);
const MODELLED_COMPONENT = new Set(["name", "image", "localResources"]);
// allowedHosts is written from wires on export; what the manifest lists is reported, not kept.
const MODELLED_LOCAL = new Set(["environment"]);
const MODELLED_HOST_IFACE = new Set(["namespace", "package", "version", "interfaces", "config", "name"]);

/** Adds the workload's nodes; returns its components and the name of the Service it routes HTTP through, if any. */
export function importWasmcloudObject(b: TopologyBuilder, o: Record<string, unknown>, name: string, skipped: SkippedItem[]): { service?: string; members: TopologyNode[] } {
  const kind = asString(o.kind) ?? "?";
  const v = validateWasmcloudObject(o);
  // Unknown fields are named by their own path (ajv reports them on the parent object).
  const unknown = new Set<string>();
  if (!v.ok) {
    for (const e of v.errors) {
      const field = /additional properties \((.+)\)$/.exec(e.message)?.[1];
      const path = field ? `${e.path === "/" ? "" : e.path}/${field}` : e.path;
      if (field) unknown.add(path);
      skipped.push({ kind: "schema", name: `${kind}/${name} ${path}`, reason: field ? `field not allowed by the ${kind} CRD schema (the API server would prune it)` : `not allowed by the ${kind} CRD schema: ${e.message}` });
    }
  }

  const top = asRecord(o.spec) ?? {};
  const spec = kind === "WorkloadDeployment" ? (asRecord(asRecord(top.template)?.spec) ?? {}) : top;
  const notModelled = (keys: string[], keep: Set<string>, where: string, pointer: string) => {
    for (const k of keys) if (!keep.has(k) && !unknown.has(`${pointer}/${k}`)) skipped.push({ kind: "field", name: `${kind}/${name} ${where}.${k}`, reason: "not modelled in Trellis (re-add it to the export by hand)" });
  };
  if (kind === "WorkloadDeployment") {
    notModelled(Object.keys(top), MODELLED_WD_SPEC, "spec", "/spec");
    notModelled(Object.keys(asRecord(top.template) ?? {}).filter((k) => k !== "spec"), new Set(), "spec.template", "/spec/template");
  }
  const specPointer = kind === "WorkloadDeployment" ? "/spec/template/spec" : "/spec";
  notModelled(Object.keys(spec), MODELLED_SPEC, specPointer.slice(1).replace(/\//g, "."), specPointer);
  const replicas = kind === "WorkloadDeployment" && typeof top.replicas === "number" && Number.isInteger(top.replicas) && top.replicas >= 0 ? top.replicas : 1;

  const annotations = asRecord(asRecord(o.metadata)?.annotations) ?? {};
  let witPorts: Record<string, unknown> | null = null;
  const raw = asString(annotations[WIT_PORTS_ANNOTATION]);
  if (raw) {
    try {
      witPorts = asRecord(JSON.parse(raw)) ?? null;
    } catch {
      skipped.push({ kind: "annotation", name: `${name} ${WIT_PORTS_ANNOTATION}`, reason: "not valid JSON; components imported without WIT ports" });
    }
  }

  let compiled: unknown[] = [];
  const rawCompiled = asString(annotations[COMPILED_ANNOTATION]);
  if (rawCompiled) {
    try {
      compiled = asArray(JSON.parse(rawCompiled));
    } catch {
      skipped.push({ kind: "annotation", name: `${name} ${COMPILED_ANNOTATION}`, reason: "not valid JSON; compiled containers imported as components" });
    }
  }

  const members: TopologyNode[] = [];
  for (const [i, c] of asArray(spec.components).entries()) {
    const comp = asRecord(c);
    const cname = asString(comp?.name);
    if (!comp || !cname) {
      skipped.push({ kind: "component", name: `${name} #${i}`, reason: "component without a name" });
      continue;
    }
    const image = asString(comp.image);
    const node = b.addNode(compiled.includes(cname) ? "compiled" : "component", cname, { ...(image ? { image } : {}), replicas });
    const local = asRecord(comp.localResources) ?? {};
    for (const [k, val] of Object.entries(asRecord(asRecord(local.environment)?.config) ?? {})) node.config.env.push({ name: k, value: String(val) });
    const at = `${specPointer}/components/${i}`;
    notModelled(Object.keys(comp), MODELLED_COMPONENT, `components[${cname}]`, at);
    notModelled(Object.keys(local), MODELLED_LOCAL, `components[${cname}].localResources`, `${at}/localResources`);
    const env = asRecord(local.environment) ?? {};
    notModelled(Object.keys(env), new Set(["config"]), `components[${cname}].localResources.environment`, `${at}/localResources/environment`);
    for (const p of asArray(witPorts?.[cname])) {
      const m = /^(import|export) (\S+)$/.exec(asString(p) ?? "");
      if (m && parseInterface(m[2]!)) b.witPort(node, m[1] as "import" | "export", m[2]!);
    }
    members.push(node);
  }

  // WIT resolution inside the workload: each import wired to a member exporting it.
  for (const m of members) {
    for (const p of m.ports) {
      if (p.kind !== "wit" || p.direction !== "import") continue;
      const id = parseInterface(p.interface)?.id;
      const provider = members.find((x) => x !== m && x.ports.some((q) => q.kind === "wit" && q.direction === "export" && parseInterface(q.interface)?.id === id));
      if (provider) b.link(provider.id, `exp:${id}`, m.id, p.id);
    }
  }

  let service: string | undefined;
  for (const [i, h] of asArray(spec.hostInterfaces).entries()) {
    const hi = asRecord(h);
    const ns = asString(hi?.namespace);
    const pkg = asString(hi?.package);
    if (!hi || !ns || !pkg) {
      skipped.push({ kind: "hostInterface", name: `${name} #${i}`, reason: "entry without namespace and package" });
      continue;
    }
    const version = asString(hi.version);
    const label = `${name} ${ns}:${pkg}${asString(hi.name) ? ` '${asString(hi.name)}'` : ""}`;
    notModelled(Object.keys(hi), MODELLED_HOST_IFACE, `hostInterfaces[${ns}:${pkg}]`, `${specPointer}/hostInterfaces/${i}`);
    const ifaces = asArray(hi.interfaces).map(asString).filter((x): x is string => !!x).map((x) => `${ns}:${pkg}/${x}${version ? `@${version}` : ""}`).filter((x) => parseInterface(x));
    const users = witPorts ? members : members.length === 1 ? members : [];
    if (!witPorts) {
      // Without Trellis' annotation the only member (if there is one) is the one that uses the interface.
      for (const m of users) for (const x of ifaces) b.witPort(m, EXPORTED_BY_COMPONENT[`${ns}:${pkg}`]?.includes(parseInterface(x)!.name) ? "export" : "import", x);
      if (members.length > 1) skipped.push({ kind: "hostInterface", name: label, reason: "the manifest does not say which component uses it; wire the components to it yourself" });
    }
    const capability = CAPABILITY_OF[`${ns}:${pkg}`];
    if (!capability) continue; // Host-only packages (logging, config, blobstore, secrets): the import ports say it all.
    const ep = b.addNode("endpoint", asString(hi.name) ?? (capability === "http-ingress" ? "http-ingress" : pkg), { capability });
    for (const [k, val] of Object.entries(asRecord(hi.config) ?? {})) ep.config.env.push({ name: k, value: String(val) });
    for (const x of ifaces) {
      const iface = parseInterface(x)!;
      const componentExports = EXPORTED_BY_COMPONENT[`${ns}:${pkg}`]?.includes(iface.name) ?? false;
      const portId = b.witPort(ep, componentExports ? "import" : "export", x);
      const port = ep.ports.find((q) => q.id === portId);
      if (port?.kind === "wit" && version) port.interface = x;
      for (const m of users) {
        const mp = m.ports.find((q) => q.kind === "wit" && q.direction === (componentExports ? "export" : "import") && parseInterface(q.interface)?.id === iface.id);
        if (!mp) continue;
        if (componentExports) b.link(m.id, mp.id, ep.id, portId);
        else b.link(ep.id, portId, m.id, mp.id);
      }
    }
    if (capability === "http-ingress") service = asString(asRecord(asRecord(top.kubernetes)?.service)?.name) ?? asString(asRecord(asRecord(spec.kubernetes)?.service)?.name) ?? service;
  }
  return { ...(service ? { service } : {}), members };
}
