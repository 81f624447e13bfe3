// Test support: an import summarised and compared against a golden JSON in
// fixtures/import-golden/, with the structural checks every import must pass.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseDesign } from "../../graph/document";
import type { Topology } from "../../graph/types";
import { parseManifest } from "../index";
import type { ImportError, ImportSuccess } from "../types";

const UPDATE = process.env.UPDATE === "1";
const GOLDEN = fileURLToPath(new URL("../fixtures/import-golden/", import.meta.url));

/** A readable, order-stable summary of an import, compared against a golden JSON. */
export function summarize(r: { ok: true; value: ImportSuccess } | { ok: false; error: ImportError }) {
  if (!r.ok) return { error: r.error };
  const t = r.value.design.topology;
  const name = new Map(t.nodes.map((n) => [n.id, n.name]));
  return {
    format: r.value.format,
    name: r.value.design.name,
    nodes: t.nodes.map((n) => ({
      kind: n.kind,
      name: n.name,
      ...(n.config.image ? { image: n.config.image } : {}),
      ...(n.config.source ? { source: n.config.source } : {}),
      ...(n.config.capability ? { capability: n.config.capability } : {}),
      replicas: n.config.replicas,
      ports: n.ports.map((p) => (p.kind === "wit" ? `${p.direction} ${p.interface}` : `${p.direction} ${p.id}/${p.protocol}`)),
      env: n.config.env.map((e) => `${e.name}=${e.value}`),
      ...(n.config.volumes ? { volumes: n.config.volumes } : {}),
      ...(n.config.healthcheck ? { healthcheck: n.config.healthcheck } : {}),
      ...(n.config.restartPolicy ? { restartPolicy: n.config.restartPolicy } : {}),
      ...(n.config.resources ? { resources: n.config.resources } : {}),
      ...(n.config.secrets ? { secrets: n.config.secrets } : {}),
      ...(n.config.ingress ? { ingress: n.config.ingress } : {}),
    })),
    wires: t.links.map((l) => `${name.get(l.from.node)}.${l.from.port} -> ${name.get(l.to.node)}.${l.to.port}`),
    skipped: r.value.skipped.map((s) => `${s.kind} ${s.name}: ${s.reason}`),
  };
}

/** Structural checks every successful import must pass. */
export function checkTopology(t: Topology) {
  const ids = new Set<string>();
  for (const n of t.nodes) {
    expect(ids.has(n.id), `duplicate node id ${n.id}`).toBe(false);
    ids.add(n.id);
    expect(new Set(n.ports.map((p) => p.id)).size, `${n.name} has duplicate port ids`).toBe(n.ports.length);
    if (n.kind === "container" || n.kind === "compiled") expect(n.ports.some((p) => p.id === "net" && p.direction === "import")).toBe(true);
    for (const p of n.ports) {
      if (p.kind === "network" && p.direction === "export") expect(p.id).toBe(`port:${p.port}`);
      if (p.kind === "wit") expect(p.id).toBe(`${p.direction === "export" ? "exp" : "imp"}:${p.interface.split("@")[0]}`);
    }
  }
  const pairs = new Set<string>();
  for (const l of t.links) {
    const from = t.nodes.find((n) => n.id === l.from.node)?.ports.find((p) => p.id === l.from.port);
    const to = t.nodes.find((n) => n.id === l.to.node)?.ports.find((p) => p.id === l.to.port);
    expect(from?.direction, `${l.id} from`).toBe("export");
    expect(to?.direction, `${l.id} to`).toBe("import");
    const key = `${l.from.node}.${l.from.port}>${l.to.node}.${l.to.port}`;
    expect(pairs.has(key), `duplicate wire ${key}`).toBe(false);
    pairs.add(key);
  }
}

/** Kubernetes objects that are neither workloads nor Services must be listed as skipped by kind and name. */
function expectNonWorkloadsListed(text: string, r: ReturnType<typeof parseManifest>) {
  const skipped = r.ok ? r.value.skipped : (r.error.skipped ?? []);
  const objects = parseAllDocuments(text).flatMap((d) => {
    const o = d.toJS() as { kind?: string; metadata?: { name?: string }; items?: unknown[] } | null;
    return o?.kind === "List" ? ((o.items ?? []) as typeof o[]) : [o];
  });
  for (const o of objects) {
    if (!o?.kind || ["Deployment", "StatefulSet", "DaemonSet", "Pod", "Service", "SpinApp", "Application", "WorkloadDeployment", "Workload"].includes(o.kind)) continue;
    expect(skipped.some((s) => s.kind === o.kind && s.name === o.metadata?.name), `${o.kind}/${o.metadata?.name} listed as skipped`).toBe(true);
  }
}

export function goldenCase(dir: string, file: string, golden: string) {
  const text = readFileSync(join(dir, file), "utf8");
  const r = parseManifest(text);
  const summary = summarize(r);
  const path = join(GOLDEN, golden);
  if (UPDATE) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(summary, null, 2) + "\n");
  }
  expect(summary).toEqual(JSON.parse(readFileSync(path, "utf8")));
  for (const s of r.ok ? r.value.skipped : (r.error.skipped ?? [])) {
    expect(s.kind && s.name && s.reason, JSON.stringify(s)).toBeTruthy();
  }
  if (r.ok) {
    // What the importer produces must be a valid design document for the rest of Trellis.
    const valid = parseDesign(JSON.parse(JSON.stringify(r.value.design)));
    expect(valid.ok ? [] : valid.error).toEqual([]);
    checkTopology(r.value.design.topology);
    expect(r.value.design.topology.nodes.length).toBeGreaterThan(0);
  } else {
    // The only acceptable failure for a published manifest: nothing in it is a workload, and every object says why.
    expect(r.error.kind).toBe("empty");
    expect(r.error.skipped?.length).toBeGreaterThan(0);
  }
  if (/\.ya?ml$/.test(file) && (!r.ok || r.value.format === "k8s" || r.value.format === "wasmcloud")) expectNonWorkloadsListed(text, r);
  return r;
}

