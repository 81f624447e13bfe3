import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { DesignDocument } from "../graph/types";
import { exportDesign, validateExportFiles, validateK8sObjects, validateSpinApp, validateWadm, validateWasmcloudObject } from "./index";
import { splitWitPackages } from "./export/wit-packages";
import { checkWacSyntax } from "./wac-syntax";
import type { ExportTarget } from "./types";

const here = dirname(fileURLToPath(import.meta.url));
const designsDir = join(here, "fixtures/designs");
const goldenDir = join(here, "fixtures/golden");
const UPDATE = process.env.UPDATE === "1";
const TARGETS: ExportTarget[] = ["wasmcloud", "wadm", "spin", "k8s", "wac"];
const designs = readdirSync(designsDir).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, "")).sort();
const loadDesign = (name: string): DesignDocument => JSON.parse(readFileSync(join(designsDir, `${name}.json`), "utf8")) as DesignDocument;

function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

const yamlObjects = (text: string): unknown[] => parseAllDocuments(text).map((d) => d.toJS() as unknown);

describe("golden exports", () => {
  for (const design of designs) {
    for (const target of TARGETS) {
      it(`${design} → ${target}`, () => {
        const result = exportDesign(loadDesign(design), target);
        const dir = join(goldenDir, design, target);
        const summary = JSON.stringify({ problems: result.problems, report: result.report }, null, 2) + "\n";
        if (UPDATE) {
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(dir, { recursive: true });
          for (const f of result.files) {
            mkdirSync(dirname(join(dir, f.path)), { recursive: true });
            writeFileSync(join(dir, f.path), f.content);
          }
          writeFileSync(join(dir, "_result.json"), summary);
        }
        expect(readFileSync(join(dir, "_result.json"), "utf8")).toBe(summary);
        const golden = listFiles(dir).filter((f) => f !== "_result.json").sort();
        expect(result.files.map((f) => f.path).sort()).toEqual(golden);
        for (const f of result.files) expect(f.content, f.path).toBe(readFileSync(join(dir, f.path), "utf8"));
      });
    }
  }
});

describe("every golden output validates", () => {
  const all = designs.flatMap((d) => TARGETS.flatMap((t) => listFiles(join(goldenDir, d, t)).filter((f) => f !== "_result.json").map((f) => ({ d, t, f }))));
  it("has golden files for every target", () => {
    for (const t of TARGETS) expect(all.some((x) => x.t === t), t).toBe(true);
  });
  for (const { d, t, f } of all) {
    it(`${d}/${t}/${f}`, () => {
      const text = readFileSync(join(goldenDir, d, t, f), "utf8");
      expect(validateExportFiles([{ path: f, content: text }])[0]!.errors).toEqual([]);
      if (f === "wadm.yaml") {
        expect(validateWadm(yamlObjects(text)[0])).toEqual({ ok: true });
      } else if (f.endsWith("spinapp.yaml")) {
        expect(validateSpinApp(yamlObjects(text)[0])).toEqual({ ok: true });
      } else if (f === "wasmcloud.yaml") {
        const objects = yamlObjects(text) as { apiVersion: string }[];
        expect(objects.some((o) => o.apiVersion === "runtime.wasmcloud.dev/v1alpha1")).toBe(true);
        for (const o of objects) expect(o.apiVersion === "runtime.wasmcloud.dev/v1alpha1" ? validateWasmcloudObject(o) : validateK8sObjects([o])).toEqual({ ok: true });
      } else if (f === "kubernetes.yaml") {
        expect(validateK8sObjects(yamlObjects(text))).toEqual({ ok: true });
      } else if (f.endsWith("spin.toml")) {
        const toml = parseToml(text) as { spin_manifest_version: number; trigger: { http?: unknown[]; redis?: unknown[] } };
        expect(toml.spin_manifest_version).toBe(2);
        expect((toml.trigger.http?.length ?? 0) + (toml.trigger.redis?.length ?? 0)).toBeGreaterThan(0);
      } else if (f.endsWith(".wac")) {
        expect(checkWacSyntax(text)).toBeNull();
      } else {
        const m = /^deps\/([a-z0-9-]+)\/([a-z0-9-]+)\/\2\.wit$/.exec(f);
        expect(m, f).not.toBeNull();
        const split = splitWitPackages(text);
        expect(split.ok && split.packages.map((p) => p.name)).toEqual([`${m![1]}:${m![2]}`]);
      }
    });
  }
});

describe("validators reject what they should", () => {
  it("the WAC checker rejects what the grammar rejects", () => {
    expect(checkWacSyntax("package a:b;\nlet x = new a:c { ... };\nexport x[\"i\"];\n")).toBeNull();
    expect(checkWacSyntax("package a:b;\nlet api-2 = new a:c {};\n")).toMatch(/not a WAC identifier/);
    expect(checkWacSyntax("package a:b;\nlet x = new a:c { ..., y };\n")).toMatch(/expected/);
    expect(checkWacSyntax("let x = new a:c {};\n")).toMatch(/expected 'package'/);
    expect(checkWacSyntax("package a:b;\nlet x = new a:c {};\nlet x = new a:d {};\n")).toMatch(/bound twice/);
  });
  it("wadm: a link trait without interfaces", () => {
    const doc = yamlObjects(readFileSync(join(goldenDir, "hello/wadm/wadm.yaml"), "utf8"))[0] as { spec: { components: { traits: { type: string; properties: Record<string, unknown> }[] }[] } };
    const link = doc.spec.components.flatMap((c) => c.traits).find((t) => t.type === "link")!;
    delete link.properties.interfaces;
    // Upstream's TraitProperty is `anyOf [..., true]`, so only Trellis' stricter subset catches this (export.conformance.test.ts).
    expect(validateWadm(doc).ok).toBe(false);
  });
  it("wadm: an unknown component type fails both schemas", () => {
    const doc = yamlObjects(readFileSync(join(goldenDir, "hello/wadm/wadm.yaml"), "utf8"))[0] as { spec: { components: { type: string }[] } };
    doc.spec.components[0]!.type = "widget";
    expect(validateWadm(doc).ok).toBe(false);
  });
  it("k8s: a Deployment without a selector and a Service port out of range", () => {
    const v = validateK8sObjects([
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { template: { spec: { containers: [{ name: "x", image: "i" }] } } } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "x" }, spec: { ports: [{ port: 70000 }] } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } },
    ]);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.errors.map((e) => e.object)).toEqual(expect.arrayContaining(["Deployment/x", "Service/x", "ConfigMap/x"]));
    }
  });
  it("SpinApp: missing executor", () => {
    const doc = { apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinApp", metadata: { name: "a" }, spec: { image: "x" } };
    expect(validateSpinApp(doc).ok).toBe(false);
  });
});

describe("validateExportFiles (the check before a download)", () => {
  it("flags each kind of broken file and passes good ones", () => {
    const results = validateExportFiles([
      { path: "a.wac", content: "package a:b;\nlet 2x = new a:c {};\n" },
      { path: "spin/x/spin.toml", content: "spin_manifest_version = 1\n" },
      { path: "kubernetes.yaml", content: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: Bad_Name\nspec: {}\n" },
      { path: "wadm.yaml", content: "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: { name: x, annotations: {} }\nspec: { components: [] }\n" },
      { path: "deps/a/b/b.wit", content: "package a:b;\ninterface i { f: func(; }\n" },
    ]);
    expect(results.map((r) => [r.path, r.ok])).toEqual([
      ["a.wac", false],
      ["spin/x/spin.toml", false],
      ["kubernetes.yaml", false],
      ["wadm.yaml", true],
      ["deps/a/b/b.wit", false],
    ]);
  });
});

describe("problems instead of invalid files", () => {
  it("broken design: missing image, untyped component wire, unsatisfied import block every target", () => {
    const doc = loadDesign("broken");
    for (const t of TARGETS) {
      const r = exportDesign(doc, t);
      expect(r.files, t).toEqual([]);
      expect(r.problems.some((p) => p.severity === "error"), t).toBe(true);
    }
    const wadm = exportDesign(doc, "wadm").problems;
    expect(wadm.find((p) => p.kind === "missing-image")?.nodeIds).toEqual(["a"]);
    expect(wadm.find((p) => p.kind === "untyped-wire" && p.linkIds[0] === "w1")?.nodeIds).toEqual(["b", "a"]);
    expect(wadm.find((p) => p.kind === "unsatisfied-import")?.message).toContain("example:c/missing@1.0.0");
  });
  it("cycle: WAC and Spin refuse it, wadm and Kubernetes accept it", () => {
    const doc = loadDesign("cycle");
    expect(exportDesign(doc, "wac").problems.find((p) => p.kind === "cycle")?.nodeIds.sort()).toEqual(["ping", "pong"]);
    expect(exportDesign(doc, "spin").problems.some((p) => p.kind === "cycle")).toBe(true);
    expect(exportDesign(doc, "wadm").files.length).toBe(1);
    expect(exportDesign(doc, "k8s").files.length).toBe(1);
  });
  it("a wire to a port that does not exist is reported, not dropped", () => {
    const doc = loadDesign("hello");
    doc.topology.links.push({ id: "ghost", from: { node: "hello", port: "exp:nope/x" }, to: { node: "srv", port: "net" } });
    const r = exportDesign(doc, "wadm");
    expect(r.problems.find((p) => p.kind === "dangling-wire")?.linkIds).toEqual(["ghost"]);
    expect(r.files).toEqual([]);
  });
});

describe("target semantics", () => {
  it("wadm: link traits sit on the importer and target the exporter; http-server links to the component", () => {
    const r = exportDesign(loadDesign("kvcounter"), "wadm");
    const doc = yamlObjects(r.files[0]!.content)[0] as { spec: { components: { name: string; traits: { type: string; properties: { target?: { name: string; config?: unknown }; interfaces?: string[]; source?: unknown } }[] }[] } };
    const links = doc.spec.components.flatMap((c) => c.traits.filter((t) => t.type === "link").map((t) => ({ on: c.name, ...t.properties })));
    expect(links).toHaveLength(2);
    const kv = links.find((l) => l.on === "counter")!;
    expect(kv.target!.name).toBe("kvredis");
    expect(kv.interfaces).toEqual(["atomics", "store"]);
    expect(kv.target!.config).toEqual([{ name: "kvcounter-kvredis", properties: { url: "redis://127.0.0.1:6379" } }]);
    const http = links.find((l) => l.on === "httpserver")!;
    expect(http.target!.name).toBe("counter");
    expect(http.source).toEqual({ config: [{ name: "kvcounter-httpserver", properties: { address: "0.0.0.0:8000" } }] });
  });
  it("wac: the pipeline's component wires become in-process calls, the rest stay outside", () => {
    const r = exportDesign(loadDesign("pipeline"), "wac");
    expect(r.report.inProcess.map((x) => x.linkId).sort()).toEqual(["w2", "w3"]);
    expect(r.report.network.map((x) => x.linkId).sort()).toEqual(["w1", "w4", "w5"]);
    expect(r.report.network.find((x) => x.linkId === "w5")!.via).toBe("network hop");
  });
  it("k8s: container wires become Service DNS names in env vars, Wasm workloads use the RuntimeClass", () => {
    const r = exportDesign(loadDesign("shop"), "k8s", { namespace: "prod" });
    const objs = yamlObjects(r.files[0]!.content) as { kind: string; metadata: { name: string }; spec: { template?: { spec: { runtimeClassName?: string; containers: { env?: { name: string; value: string }[] }[] } } }; handler?: string }[];
    const api = objs.find((o) => o.kind === "Deployment" && o.metadata.name === "api")!;
    expect(api.spec.template!.spec.containers[0]!.env).toEqual(
      expect.arrayContaining([
        { name: "DB_ADDR", value: "db.prod.svc.cluster.local:5432" },
        { name: "IMAGE_RESIZER_URL", value: "http://image-resizer.prod.svc.cluster.local:9000" },
      ]),
    );
    expect(objs.find((o) => o.metadata.name === "image-resizer" && o.kind === "Deployment")!.spec.template!.spec.runtimeClassName).toBe("wasmtime");
    expect(objs.find((o) => o.kind === "RuntimeClass")!.handler).toBe("wasmtime");
    expect(validateK8sObjects(objs)).toEqual({ ok: true });
  });
  it("spin: component wires become dependencies of the importer", () => {
    const r = exportDesign(loadDesign("pipeline"), "spin");
    const toml = parseToml(r.files.find((f) => f.path.endsWith("spin.toml"))!.content) as { component: Record<string, { dependencies?: Record<string, { path: string }> }> };
    expect(toml.component.frontend!.dependencies).toEqual({ "example:pipeline/transform@0.1.0": { path: "components/transform.wasm" } });
  });
  it("spin: store and atomics wires to one key-value endpoint are one store", () => {
    const r = exportDesign(loadDesign("kvcounter"), "spin");
    const toml = parseToml(r.files.find((f) => f.path.endsWith("spin.toml"))!.content) as { component: Record<string, { key_value_stores?: string[] }> };
    expect(toml.component.counter!.key_value_stores).toEqual(["default"]);
  });
});

describe("names and edge cases", () => {
  const comp = (id: string, name: string): DesignDocument["topology"]["nodes"][number] => ({
    id, kind: "component", name, position: { x: 0, y: 0 }, ports: [], config: { env: [], replicas: 1, exposedPorts: [], image: `ghcr.io/x/${id}:1` },
  });
  it("duplicate and non-DNS node names become distinct DNS labels in every target", () => {
    const doc: DesignDocument = { trellisVersion: 1, name: "Edge Cases!", topology: { nodes: [comp("a", "My API"), comp("b", "my api"), comp("c", "9lives")], links: [] } };
    const wadm = yamlObjects(exportDesign(doc, "wadm").files[0]!.content)[0] as { metadata: { name: string }; spec: { components: { name: string }[] } };
    expect(wadm.metadata.name).toBe("edge-cases");
    expect(wadm.spec.components.map((c) => c.name)).toEqual(["my-api", "my-api-2", "node-9lives"]);
    const k8s = yamlObjects(exportDesign(doc, "k8s").files[0]!.content) as { kind: string; metadata: { name: string } }[];
    expect(k8s.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name)).toEqual(["my-api", "my-api-2", "node-9lives"]);
    expect(validateK8sObjects(k8s)).toEqual({ ok: true });
  });
  it("an empty design is refused by every target", () => {
    const doc: DesignDocument = { trellisVersion: 1, name: "empty", topology: { nodes: [], links: [] } };
    for (const t of TARGETS) expect(exportDesign(doc, t).problems.map((p) => p.kind), t).toContain("empty");
  });
  it("a design of containers only: wadm refuses (nothing to run), Kubernetes exports", () => {
    const shop = loadDesign("shop");
    shop.topology.nodes = shop.topology.nodes.filter((n) => n.kind === "container");
    shop.topology.links = shop.topology.links.filter((l) => shop.topology.nodes.some((n) => n.id === l.from.node) && shop.topology.nodes.some((n) => n.id === l.to.node));
    expect(exportDesign(shop, "wadm").problems.find((p) => p.severity === "error")?.kind).toBe("empty");
    expect(exportDesign(shop, "k8s").files).toHaveLength(1);
  });
});

describe("typed wires", () => {
  it("incompatible versions on the two ends block the wire; a missing version does not", () => {
    const doc = loadDesign("composition");
    const hello = doc.topology.nodes.find((n) => n.id === "hello")!;
    const port = hello.ports.find((p) => p.id === "imp:example:pong/pingpong")!;
    if (port.kind !== "wit") throw new Error("fixture");
    port.interface = "example:pong/pingpong@0.2.0";
    const wac = exportDesign(doc, "wac");
    expect(wac.problems.find((p) => p.kind === "untyped-wire")?.message).toContain("export version 0.1.0 does not satisfy import version 0.2.0");
    port.interface = "example:pong/pingpong";
    expect(exportDesign(doc, "wac").problems.filter((p) => p.severity === "error")).toEqual([]);
  });
});
