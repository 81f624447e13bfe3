import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseDesign } from "../graph/document";
import type { Topology } from "../graph/types";
import { importManifest, parseManifest } from "./index";
import { SHARED_DIR } from "./testing/upstream-schemas";
import type { ImportError, ImportSuccess } from "./types";

const here = dirname(fileURLToPath(import.meta.url));
const UPDATE = process.env.UPDATE === "1";
const REAL = join(SHARED_DIR, "real-world");
const OWN = join(here, "fixtures/import");
const GOLDEN = join(here, "fixtures/import-golden");

/** A readable, order-stable summary of an import, compared against a golden JSON. */
function summarize(r: { ok: true; value: ImportSuccess } | { ok: false; error: ImportError }) {
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
    })),
    wires: t.links.map((l) => `${name.get(l.from.node)}.${l.from.port} -> ${name.get(l.to.node)}.${l.to.port}`),
    skipped: r.value.skipped.map((s) => `${s.kind} ${s.name}: ${s.reason}`),
  };
}

/** Structural checks every successful import must pass. */
function checkTopology(t: Topology) {
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
    if (!o?.kind || ["Deployment", "StatefulSet", "DaemonSet", "Pod", "Service", "SpinApp", "Application"].includes(o.kind)) continue;
    expect(skipped.some((s) => s.kind === o.kind && s.name === o.metadata?.name), `${o.kind}/${o.metadata?.name} listed as skipped`).toBe(true);
  }
}

function goldenCase(dir: string, file: string, golden: string) {
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
  if (/\.ya?ml$/.test(file) && (!r.ok || r.value.format === "k8s")) expectNonWorkloadsListed(text, r);
  return r;
}

describe("every real-world manifest imports or says what it skipped", () => {
  for (const folder of ["wadm", "k8s", "compose", "spinkube"]) {
    for (const file of readdirSync(join(REAL, folder)).sort()) {
      it(`${folder}/${file}`, () => {
        goldenCase(join(REAL, folder), file, `real-world/${folder}/${file}.json`);
      });
    }
  }
});

describe("own fixtures in the style of each platform's examples", () => {
  for (const folder of ["wadm", "k8s", "compose", "spinkube"]) {
    const files = readdirSync(join(OWN, folder)).sort();
    it(`${folder} has at least three`, () => expect(files.length).toBeGreaterThanOrEqual(3));
    for (const file of files) {
      it(`${folder}/${file}`, () => {
        const r = goldenCase(join(OWN, folder), file, `own/${folder}/${file}.json`);
        expect(r.ok).toBe(true);
      });
    }
  }
});

const own = (p: string) => readFileSync(join(OWN, p), "utf8");
const wires = (r: ReturnType<typeof parseManifest>) => {
  if (!r.ok) throw new Error(r.error.message);
  const t = r.value.design.topology;
  const name = new Map(t.nodes.map((n) => [n.id, n.name]));
  return t.links.map((l) => `${name.get(l.from.node)} -> ${name.get(l.to.node)}`).sort();
};

describe("compose specifics", () => {
  it("merge keys, long ports, depends_on map, env naming a service, one wire per pair", () => {
    const r = parseManifest(own("compose/shop.compose.yaml"));
    // cart's own environment map replaces the merged one (merge keys are shallow), so it does not name the collector.
    expect(wires(r)).toEqual([
      "cache -> cart",
      "cart -> storefront",
      "catalog -> storefront",
      "collector -> catalog",
      "collector -> storefront",
      "db -> catalog",
    ]);
    if (!r.ok) return;
    const storefront = r.value.design.topology.nodes.find((n) => n.name === "storefront")!;
    expect(storefront.config.image).toBeUndefined();
    expect(storefront.config.source).toBe("./storefront");
    expect(storefront.config.env).toEqual(expect.arrayContaining([{ name: "LOG_LEVEL", value: "info" }, { name: "API_URL", value: "http://catalog:9000" }]));
    expect(storefront.ports.map((p) => p.id)).toContain("port:3000");
    const catalog = r.value.design.topology.nodes.find((n) => n.name === "catalog")!;
    expect(catalog.config.image).toBe("ghcr.io/acme/catalog:1.8.0");
    expect(r.value.design.topology.nodes.find((n) => n.name === "cart")!.config.replicas).toBe(3);
    expect(r.value.skipped).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: "x-field", name: "x-common-env" }),
      expect.objectContaining({ kind: "profile", name: "debug: debug" }),
      expect.objectContaining({ kind: "build", name: "storefront" }),
      expect.objectContaining({ kind: "volume", name: "db-data" }),
      expect.objectContaining({ kind: "secret", name: "db-password" }),
    ]));
  });
  it("short ports with host ip, udp and ranges; depends_on list and links; env list", () => {
    const r = parseManifest(own("compose/todo.compose.yaml"));
    expect(wires(r)).toEqual(["api -> web", "mongo -> api"]);
    if (!r.ok) return;
    const dns = r.value.design.topology.nodes.find((n) => n.name === "dns")!;
    expect(dns.ports.find((p) => p.id === "port:53")).toMatchObject({ protocol: "udp" });
    const mongo = r.value.design.topology.nodes.find((n) => n.name === "mongo")!;
    expect(mongo.ports.map((p) => p.id)).toContain("port:27017");
  });
  it("a ports entry that is not a port is reported", () => {
    const r = parseManifest("services:\n  a:\n    image: x\n    ports: ['abc:def']\n");
    expect(r.ok && r.value.skipped.find((s) => s.kind === "port")?.reason).toContain("not a valid port");
  });
});

describe("kubernetes specifics", () => {
  it("Services give ports, env naming a Service becomes a wire, named targetPort resolves", () => {
    const r = parseManifest(own("k8s/blog.k8s.yaml"));
    expect(wires(r)).toEqual(["cache -> blog", "postgres -> blog"]);
    if (!r.ok) return;
    const t = r.value.design.topology;
    expect(t.nodes.find((n) => n.name === "blog")!.ports.map((p) => p.id)).toEqual(["net", "port:3000"]);
    expect(t.links.find((l) => t.nodes.find((n) => n.id === l.from.node)!.name === "postgres")!.from.port).toBe("port:5432");
  });
  it("a wasm runtimeClassName makes a compiled node; a FQDN URL without port uses the Service's port", () => {
    const r = parseManifest(own("k8s/wasm-runtime.k8s.yaml"));
    expect(wires(r)).toEqual(["hello-wasm -> gateway"]);
    if (!r.ok) return;
    expect(r.value.design.topology.nodes.find((n) => n.name === "hello-wasm")!.kind).toBe("compiled");
  });
});

describe("errors", () => {
  it("malformed YAML reports line and column, and nothing else", () => {
    const r = parseManifest("services:\n  web:\n    image: nginx\n   ports: [80\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("parse");
    expect(r.error.line).toBeGreaterThan(1);
    expect(r.error.column).toBeGreaterThan(0);
  });
  it("malformed TOML reports line and column", () => {
    const r = parseManifest('spin_manifest_version = 2\n[application]\nname = "x"\n[component.a]\nsource = \n');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe("parse");
      expect(r.error.line).toBe(5);
      expect(r.error.column).toBeGreaterThan(0);
    }
  });
  it("an alias bomb is refused", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const r = parseManifest(lines.join("\n") + "\nservices: { s: { image: x } }\n", "compose");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe("invalid");
  });
  it("oversized input is refused before parsing", () => {
    const r = parseManifest("#".repeat(9 * 1024 * 1024));
    expect(!r.ok && r.error.kind).toBe("invalid");
  });
  it("unknown formats and empty input", () => {
    expect(parseManifest("just: a map\n")).toMatchObject({ ok: false, error: { kind: "unknown-format" } });
    expect(parseManifest("   \n")).toMatchObject({ ok: false, error: { kind: "empty" } });
    expect(parseManifest('title = "not spin"\n')).toMatchObject({ ok: false, error: { kind: "unknown-format" } });
  });
});

describe("importManifest lays nodes out", () => {
  it("places nodes left to right along the wires with no overlaps", async () => {
    const r = await importManifest(own("compose/todo.compose.yaml"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const byName = new Map(r.value.design.topology.nodes.map((n) => [n.name, n.position]));
    expect(byName.get("mongo")!.x).toBeLessThan(byName.get("api")!.x);
    expect(byName.get("api")!.x).toBeLessThan(byName.get("web")!.x);
    const pos = [...byName.values()].map((p) => `${p.x},${p.y}`);
    expect(new Set(pos).size).toBe(pos.length);
  });
});
