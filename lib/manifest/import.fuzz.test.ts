// Property: every importer (wasmCloud 2, wadm, Kubernetes incl. SpinApp, compose, spin.toml) answers any
// YAML/TOML shape with a typed error or a design the design validator accepts (it is what gets saved), and
// every exporter takes that design back without throwing. Shapes are random trees over each format's own
// keys, and our fixtures with several random edits applied at once.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { stringify as toToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { fuzzParams } from "../testing/fuzz";
import { parseAllDocuments, stringify as toYaml } from "yaml";
import { parseDesign } from "../graph/document";
import { exportDesign, parseManifest } from "./index";
import type { ExportTarget } from "./types";

const params = fuzzParams(100);
const runs = params.numRuns;
const here = dirname(fileURLToPath(import.meta.url));
const IMPORT_KINDS = new Set(["parse", "unknown-format", "invalid", "empty"]);
const TARGETS: ExportTarget[] = ["wasmcloud", "wadm", "spin", "k8s", "wac"];

// Keys the importers read, and values of the kinds they expect (and do not).
const KEYS = [
  "apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec", "template", "replicas", "components", "hostInterfaces",
  "package", "interfaces", "interface", "version", "config", "image", "localResources", "environment", "volumeMounts", "volumes", "traits", "type",
  "properties", "target", "source", "instances", "containers", "ports", "containerPort", "targetPort", "port", "protocol", "env", "value", "valueFrom",
  "secretKeyRef", "selector", "services", "depends_on", "condition", "build", "expose", "healthcheck", "test", "deploy", "resources", "limits",
  "memory", "cpus", "command", "networks", "restart", "executor", "variables", "kubernetes", "service", "links", "description", "poolSize", "key",
  "component", "trigger", "http", "route", "source", "allowed_outbound_hosts", "key_value_stores", "spin_manifest_version", "application",
];
const scalar = fc.oneof(
  fc.constantFrom("80", "8080:80", "127.0.0.1:80:80/udp", "ghcr.io/acme/x:1.0", "wasi", "http", "incoming-handler", "keyvalue", "store", "0.2.0",
    "x", "", "a:b/c@1.0.0", "Deployment", "Service", "WorkloadDeployment", "core.oam.dev/v1beta1", "runtime.wasmcloud.dev/v1alpha1", "apps/v1",
    "v1", "service_healthy", "512Mi", "0.5", "/...", "${VAR}", "{{ x }}", "-", " ", "x".repeat(250), "99999999999999999999999g", "1e30"),
  fc.integer({ min: -5, max: 70000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
);
const tree: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", maxDepth: 5 },
    scalar,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie("v"), { maxKeys: 5 }),
  ),
})).v;

const skeleton = fc.oneof(
  fc.record({ apiVersion: fc.constant("runtime.wasmcloud.dev/v1alpha1"), kind: fc.constantFrom("WorkloadDeployment", "Workload", "WorkloadReplicaSet"), metadata: tree, spec: tree }),
  fc.record({ apiVersion: fc.constant("core.oam.dev/v1beta1"), kind: fc.constant("Application"), metadata: tree, spec: fc.record({ components: fc.array(tree, { maxLength: 4 }) }) }),
  fc.record({ apiVersion: fc.constantFrom("apps/v1", "v1", "core.spinkube.dev/v1alpha1", "batch/v1"), kind: fc.constantFrom("Deployment", "StatefulSet", "DaemonSet", "Service", "Pod", "SpinApp", "ConfigMap", "Job"), metadata: tree, spec: tree }),
  fc.record({ services: fc.dictionary(fc.constantFrom("a", "b", "db", "web"), tree, { maxKeys: 4 }), volumes: tree }, { requiredKeys: ["services"] }),
);

function fixtureDocs(): { file: string; docs: unknown[]; toml: boolean }[] {
  return ["wasmcloud", "wadm", "k8s", "compose", "spinkube"].flatMap((d) =>
    readdirSync(join(here, "fixtures/import", d)).map((f) => {
      const text = readFileSync(join(here, "fixtures/import", d, f), "utf8");
      const toml = f.endsWith(".toml");
      return { file: `${d}/${f}`, toml, docs: toml ? [] : parseAllDocuments(text).map((x) => x.toJS() as unknown) };
    }),
  );
}

/** Every path to a value in `v` (including the root). */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}
type Edit = { pick: number; op: "set" | "delete" | "add" | "dup"; value: unknown; key: string };
function edit(doc: unknown, e: Edit): unknown {
  const all = paths(doc);
  const path = all[e.pick % all.length]!;
  if (path.length === 0) return e.op === "set" ? e.value : doc;
  const root = structuredClone(doc) as Record<string | number, unknown>;
  let parent = root;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const target = parent[last];
  if (e.op === "set") parent[last] = e.value;
  else if (e.op === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (e.op === "add" && target && typeof target === "object") {
    if (Array.isArray(target)) target.push(e.value);
    else (target as Record<string, unknown>)[e.key] = e.value;
  } else if (e.op === "dup" && Array.isArray(parent)) parent.push(structuredClone(target));
  return root;
}
const editArb: fc.Arbitrary<Edit> = fc.record({ pick: fc.nat(), op: fc.constantFrom("set", "delete", "add", "dup"), value: tree, key: fc.constantFrom(...KEYS) });

function check(text: string): void {
  const r = parseManifest(text);
  if (!r.ok) {
    expect(IMPORT_KINDS.has(r.error.kind), r.error.kind).toBe(true);
    expect(typeof r.error.message).toBe("string");
    return;
  }
  for (const s of r.value.skipped) expect(typeof s.reason).toBe("string");
  // What an import gives is saved as a design: the store's validator must accept it as it is.
  const valid = parseDesign(JSON.parse(JSON.stringify(r.value.design)));
  expect(valid.ok ? [] : valid.error, text).toEqual([]);
  for (const t of TARGETS) {
    const x = exportDesign(r.value.design, t);
    expect(Array.isArray(x.problems)).toBe(true);
  }
}

describe("manifest importers (fuzz)", () => {
  it("random documents over each format's keys give typed errors or valid designs", () => {
    fc.assert(
      fc.property(fc.array(skeleton, { minLength: 1, maxLength: 3 }), (docs) => {
        check(docs.map((d) => toYaml(d)).join("---\n"));
      }),
      { ...params, numRuns: runs },
    );
  });

  it("our fixtures with several random edits at once give typed errors or valid designs", () => {
    const fixtures = fixtureDocs().filter((f) => !f.toml);
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), fc.array(editArb, { minLength: 1, maxLength: 5 }), (f, edits) => {
        const docs = f.docs.map((d, i) => edits.filter((_, j) => j % f.docs.length === i).reduce(edit, d));
        check(docs.map((d) => toYaml(d)).join("---\n"));
      }),
      { ...params, numRuns: runs * 2 },
    );
  });

  it("spin.toml shapes give typed errors or valid designs", () => {
    const spin = fc.record({
      spin_manifest_version: fc.constantFrom(2, 1, "2"),
      application: fc.dictionary(fc.constantFrom("name", "version", "description"), scalar.filter((x) => x !== null), { maxKeys: 3 }),
      component: fc.dictionary(fc.constantFrom("api", "web", "kv"), fc.dictionary(fc.constantFrom("source", "allowed_outbound_hosts", "key_value_stores", "variables", "environment", "build"), fc.oneof(fc.string(), fc.array(fc.constantFrom("https://x.example", "redis://db:6379", "default"), { maxLength: 3 })), { maxKeys: 4 }), { maxKeys: 3 }),
      trigger: fc.record({ http: fc.array(fc.record({ route: fc.constantFrom("/...", "/a", ""), component: fc.constantFrom("api", "web", "nope") }), { maxLength: 3 }) }),
    }, { requiredKeys: ["component"] });
    fc.assert(
      fc.property(spin, (doc) => check(toToml(doc))),
      { ...params, numRuns: runs },
    );
  });

  // Cases these properties found; each imported as a design the store then refused (400 on save).
  describe("found by fuzzing", () => {
    const design = (text: string) => {
      const r = parseManifest(text);
      if (!r.ok) throw new Error(r.error.message);
      expect(parseDesign(JSON.parse(JSON.stringify(r.value.design)))).toMatchObject({ ok: true });
      return r.value;
    };
    it("a compose CPU amount that JavaScript spells with an exponent is skipped, not imported as '1e+21'", () => {
      const r = design("services:\n  app:\n    image: x\n    deploy:\n      resources:\n        reservations:\n          cpus: 1e21\n        limits:\n          memory: 99999999999999999999999g\n");
      expect(r.design.topology.nodes[0]!.config.resources).toBeUndefined();
      expect(r.skipped.map((x) => x.name)).toEqual(expect.arrayContaining(["app: reservations.cpus", "app: limits.memory"]));
    });
    it("a wadm scaler asking for more instances than the design format allows is capped", () => {
      const r = design("apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata:\n  name: a\nspec:\n  components:\n    - name: c\n      type: component\n      properties:\n        image: x\n      traits:\n        - type: spreadscaler\n          properties:\n            instances: 10001\n");
      expect(r.design.topology.nodes[0]!.config.replicas).toBe(10000);
    });
    it("health checks past the design format's bounds are clamped, or dropped when on an impossible port", () => {
      const r = design(
        "services:\n  app:\n    image: x\n    healthcheck:\n      test: [CMD, ok]\n      retries: 1001\n      interval: 100h\n" +
          "  web:\n    image: y\n",
      );
      expect(r.design.topology.nodes[0]!.config.healthcheck).toMatchObject({ retries: 1000, intervalSeconds: 86400 });
      const k = design("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: i\n          livenessProbe:\n            httpGet:\n              path: /\n              port: 70000\n");
      expect(k.design.topology.nodes[0]!.config.healthcheck).toBeUndefined();
    });
    it("a spin.toml whose application name is empty gets a name", () => {
      expect(design('spin_manifest_version = 2\n[application]\nname = ""\n[component.api]\nsource = "api.wasm"\n').design.name).toBe("imported-app");
    });
    it("services named '' or longer than the design format allows are imported with names it accepts", () => {
      const r = design(`services:\n  "":\n    image: a\n  ${"x".repeat(250)}:\n    image: b\n`);
      expect(r.design.topology.nodes.map((n) => n.name.length)).toEqual([expect.any(Number), 200]);
    });
  });
});
