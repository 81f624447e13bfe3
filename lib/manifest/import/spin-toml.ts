// spin.toml (manifest v2, and the legacy v1 layout) → topology. Components are
// Wasm component nodes; HTTP triggers wire them to one http-ingress endpoint,
// key-value stores to keyvalue endpoints.
import type { TopologyNode } from "../../graph/types";
import type { SkippedItem } from "../types";
import { TopologyBuilder } from "./builder";
import { asArray, asRecord, asString } from "./yaml";

const HANDLED_COMPONENT_KEYS = new Set(["source", "environment", "variables", "key_value_stores", "description", "id", "trigger"]);
const HTTP_IFACE = "wasi:http/incoming-handler@0.2.0";
const KV_IFACE = "wasi:keyvalue/store@0.2.0-draft";

export function importSpinToml(root: Record<string, unknown>, skipped: SkippedItem[]): { name: string; description?: string; builder: TopologyBuilder } {
  const b = new TopologyBuilder();
  const legacy = asString(root.spin_version) === "1" || Array.isArray(root.component);
  const app = legacy ? root : (asRecord(root.application) ?? {});
  const name = asString(app.name) ?? "spin-app";
  const description = asString(app.description);

  // Collect components as [id, table] and triggers as [type, componentId, table].
  const components: [string, Record<string, unknown>][] = [];
  const triggers: { type: string; component: string; table: Record<string, unknown> }[] = [];
  if (legacy) {
    const appTrigger = asString(asRecord(root.trigger)?.type) ?? "http";
    for (const c of asArray(root.component)) {
      const rec = asRecord(c);
      const id = asString(rec?.id);
      if (!rec || !id) continue;
      components.push([id, rec]);
      triggers.push({ type: appTrigger, component: id, table: asRecord(rec.trigger) ?? {} });
    }
  } else {
    for (const [id, c] of Object.entries(asRecord(root.component) ?? {})) if (asRecord(c)) components.push([id, c as Record<string, unknown>]);
    for (const [type, list] of Object.entries(asRecord(root.trigger) ?? {})) {
      for (const t of asArray(list)) {
        const rec = asRecord(t) ?? {};
        const comp = rec.component;
        if (typeof comp === "string") triggers.push({ type, component: comp, table: rec });
        else if (asRecord(comp)) {
          const id = `${type}-trigger-${triggers.length + 1}`;
          components.push([id, comp as Record<string, unknown>]);
          triggers.push({ type, component: id, table: rec });
        } else skipped.push({ kind: "trigger", name: `${type} #${triggers.length + 1}`, reason: "trigger names no component" });
      }
    }
    for (const [k, v] of Object.entries(asRecord(root.variables) ?? {})) {
      skipped.push({ kind: "variable", name: k, reason: `application variable (${JSON.stringify(v)}) is not modelled; component references to it were kept verbatim` });
    }
    const appTriggerSettings = asRecord(asRecord(app.trigger));
    for (const k of Object.keys(appTriggerSettings ?? {})) skipped.push({ kind: "trigger settings", name: `application.trigger.${k}`, reason: "trigger-wide settings are not modelled" });
  }

  const nodes = new Map<string, TopologyNode>();
  const stores = new Map<string, TopologyNode>();
  for (const [id, c] of components) {
    const src = c.source;
    const source = asString(src) ?? asString(asRecord(src)?.url);
    const node = b.addNode("component", id, source ? { source } : {});
    nodes.set(id, node);
    if (!source) skipped.push({ kind: "source", name: id, reason: "component source is neither a path nor a URL" });
    for (const [k, v] of Object.entries(asRecord(c.environment) ?? {})) node.config.env.push({ name: k, value: String(v) });
    for (const [k, v] of Object.entries(asRecord(c.variables) ?? {})) {
      if (!node.config.env.some((e) => e.name === k)) node.config.env.push({ name: k, value: String(v) });
    }
    for (const [i, label] of asArray(c.key_value_stores).map(String).entries()) {
      if (i > 0) {
        // One WIT import takes one provider; Spin tells further stores apart by label at run time.
        skipped.push({ kind: "key_value_store", name: `${id}: ${label}`, reason: "only the first key-value store of a component is wired (one provider per import); further labels are not modelled" });
        continue;
      }
      let store = stores.get(label);
      if (!store) {
        store = b.addNode("endpoint", label === "default" ? "keyvalue" : `keyvalue-${label}`, { capability: "keyvalue" });
        stores.set(label, store);
      }
      b.link(store.id, "exp:wasi:keyvalue/store", node.id, b.witPort(node, "import", KV_IFACE));
    }
    const other = Object.keys(c).filter((k) => !HANDLED_COMPONENT_KEYS.has(k));
    if (other.length > 0) skipped.push({ kind: "component fields", name: id, reason: `not modelled: ${other.join(", ")}` });
  }

  let http: TopologyNode | undefined;
  for (const t of triggers) {
    const node = nodes.get(t.component);
    if (!node) {
      skipped.push({ kind: "trigger", name: `${t.type} → ${t.component}`, reason: `no component named '${t.component}'` });
      continue;
    }
    if (t.type !== "http") {
      skipped.push({ kind: "trigger", name: `${t.type} → ${t.component}`, reason: `${t.type} triggers are not modelled; the component was imported without its trigger` });
      continue;
    }
    http ??= b.addNode("endpoint", "http", { capability: "http-ingress" });
    b.link(node.id, b.witPort(node, "export", HTTP_IFACE), http.id, "imp:wasi:http/incoming-handler");
    const route = asString(t.table.route) ?? asString(asRecord(t.table.route)?.private) ?? "";
    const executor = asString(asRecord(t.table.executor)?.type);
    skipped.push({
      kind: "route",
      name: `${t.component}: ${route}`,
      reason: `HTTP routes${executor && executor !== "http" ? ` and the ${executor} executor` : ""} are not modelled; export derives routes from component names`,
    });
  }
  return { name, ...(description ? { description } : {}), builder: b };
}
