import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { DesignDocument, TopologyNode } from "../../graph/types";
import { CelError, evaluateRule, parseCel } from "../cel";
import { validateWasmcloudObject, wasmcloudSchema } from "../validate-wasmcloud";
import { exportWasmcloud } from "./wasmcloud";

const fixtures = fileURLToPath(new URL("../fixtures/designs/", import.meta.url));
const design = (name: string): DesignDocument => JSON.parse(readFileSync(join(fixtures, `${name}.json`), "utf8")) as DesignDocument;
const objects = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);

/** The CRD's own rules on hostInterfaces, read from the vendored schema (not restated here). */
const hostInterfacesSchema = (wasmcloudSchema("WorkloadDeployment") as any).properties.spec.properties.template.properties.spec.properties.hostInterfaces;
const RULES: { rule: string; message: string }[] = hostInterfacesSchema["x-kubernetes-validations"];

const wd = (hostInterfaces: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: "runtime.wasmcloud.dev/v1alpha1",
  kind: "WorkloadDeployment",
  metadata: { name: "x" },
  spec: { replicas: 1, template: { spec: { hostInterfaces, components: [{ name: "c", image: "ghcr.io/x/c:1" }], ...extra } } },
});
const http = { namespace: "wasi", package: "http", interfaces: ["incoming-handler"], config: { host: "x.localhost" } };
const kv = (name?: string, version?: string) => ({ namespace: "wasi", package: "keyvalue", ...(name ? { name } : {}), ...(version ? { version } : {}), interfaces: ["store"] });

describe("CEL subset", () => {
  it("the vendored schema carries the two hostInterfaces rules", () => {
    expect(RULES.map((r) => r.message)).toEqual([expect.stringContaining("duplicate entries"), expect.stringContaining("at most one unnamed")]);
  });
  it("evaluates operators, macros, has() and escaped keyword fields", () => {
    expect(evaluateRule("self.size() == 2 && self.all(x, x > 0)", [1, 2])).toBe(true);
    expect(evaluateRule("self.exists_one(x, x == 'a')", ["a", "a"])).toBe(false);
    expect(evaluateRule("self.filter(x, x != 'a').size() == 1", ["a", "b"])).toBe(true);
    expect(evaluateRule("(has(self.name) ? self.name : 'none') == 'n'", { name: "n" })).toBe(true);
    expect(evaluateRule("(has(self.name) ? self.name : 'none') == 'none'", {})).toBe(true);
    expect(evaluateRule("self.__namespace__ == 'wasi' && !(self.__package__ != 'http')", { namespace: "wasi", package: "http" })).toBe(true);
  });
  it("errors instead of guessing", () => {
    expect(() => evaluateRule("self.frobnicate(x, x)", [])).toThrow(CelError);
    expect(() => parseCel("self.all(x, x ==")).toThrow(CelError);
    expect(() => evaluateRule("self.__namespace__", {})).toThrow(/no such key: namespace/);
    expect(() => evaluateRule("'a'", null)).toThrow(/bool/);
  });
});

describe("WorkloadDeployment validation: one broken object per rule", () => {
  it("a valid object passes", () => expect(validateWasmcloudObject(wd([http, kv()]))).toEqual({ ok: true }));
  it("rule 1: duplicate namespace/package/name/version", () => {
    const v = validateWasmcloudObject(wd([kv("a"), kv("a")]));
    expect(v.ok ? [] : v.errors.map((e) => [e.path, e.message])).toEqual([["/spec/template/spec/hostInterfaces", RULES[0]!.message]]);
  });
  it("rule 1 compares missing name/version as empty strings", () => {
    const v = validateWasmcloudObject(wd([kv("a"), { ...kv("a"), version: "" }]));
    expect(v.ok ? [] : v.errors.map((e) => e.message)).toContain(RULES[0]!.message);
  });
  it("rule 2: two unnamed entries of one package, even with different versions", () => {
    const v = validateWasmcloudObject(wd([kv(undefined, "0.2.0-draft"), kv(undefined, "0.2.0")]));
    expect(v.ok ? [] : v.errors.map((e) => e.message)).toEqual([RULES[1]!.message]);
    expect(validateWasmcloudObject(wd([kv("a", "0.2.0-draft"), kv(undefined, "0.2.0")]))).toEqual({ ok: true });
  });
  it("unknown fields are refused with their path (the API server would prune them)", () => {
    const v = validateWasmcloudObject(wd([{ ...http, target: "x" }], { replicas: 2 }));
    expect(v.ok ? [] : v.errors.map((e) => `${e.path} ${e.message}`)).toEqual(expect.arrayContaining(["/spec/template/spec/hostInterfaces/0 must NOT have additional properties (target)", "/spec/template/spec must NOT have additional properties (replicas)"]));
  });
  it("required fields, patterns and limits", () => {
    const bad = wd([{ namespace: "wasi", package: "http", name: "Bad_Name", interfaces: [] }]);
    (bad.spec.template.spec.components[0] as { image?: string }).image = undefined;
    delete (bad.spec.template.spec.components[0] as { image?: string }).image;
    const v = validateWasmcloudObject(bad);
    const msgs = v.ok ? [] : v.errors.map((e) => `${e.path} ${e.message}`);
    expect(msgs).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\/spec\/template\/spec\/hostInterfaces\/0\/name must match pattern/),
      "/spec/template/spec/hostInterfaces/0/interfaces must NOT have fewer than 1 items",
      "/spec/template/spec/components/0 must have required property 'image'",
    ]));
    expect(validateWasmcloudObject(wd(Array.from({ length: 65 }, (_, i) => kv(`k${i}`)))).ok).toBe(false);
    expect(validateWasmcloudObject({ ...wd([]), apiVersion: "core.oam.dev/v1beta1" }).ok).toBe(false);
  });
});

describe("wasmCloud 2 export", () => {
  it("kvcounter: one workload, host interfaces with WIT versions, endpoint env as config, Service for ingress", () => {
    const r = exportWasmcloud(design("kvcounter"));
    expect(r.problems).toEqual([]);
    const [svc, w] = objects(r.files[0]!.content);
    expect(svc).toMatchObject({ kind: "Service", metadata: { name: "kvcounter" }, spec: { ports: [{ name: "http", port: 80 }] } });
    expect(svc!.spec.selector).toBeUndefined();
    expect(w!.spec.kubernetes).toEqual({ service: { name: "kvcounter" } });
    expect(w!.spec.replicas).toBe(3);
    expect(w!.spec.template.spec.hostInterfaces).toEqual([
      { namespace: "wasi", package: "http", version: "0.2.0", interfaces: ["incoming-handler"], config: { host: "kvcounter.localhost" } },
      { namespace: "wasi", package: "keyvalue", version: "0.2.0-draft", interfaces: ["atomics", "store"], config: { url: "redis://127.0.0.1:6379" } },
    ]);
  });
  it("an import no member exports and no host serves blocks, naming the import and the node", () => {
    const doc = design("composition");
    const pong = doc.topology.nodes.find((n) => n.ports.some((p) => p.id.startsWith("exp:example:pong")))!;
    doc.topology.links = doc.topology.links.filter((l) => l.from.node !== pong.id);
    const r = exportWasmcloud(doc);
    expect(r.files).toEqual([]);
    const p = r.problems.find((x) => x.kind === "unsatisfied-import")!;
    expect(p.message).toContain("example:pong/pingpong");
    expect(p.nodeIds).toHaveLength(1);
    expect(p.nodeIds[0]).not.toBe(pong.id);
  });
  it("separate groups become separate WorkloadDeployments; two stores of one package are named entries", () => {
    const doc = design("kvcounter");
    const counter = doc.topology.nodes.find((n) => n.id === "counter")!;
    const kv = doc.topology.nodes.find((n) => n.id === "kv")!;
    const other: TopologyNode = { ...structuredClone(counter), id: "c2", name: "other counter" };
    const kv2: TopologyNode = { ...structuredClone(kv), id: "kv2", name: "sessions" };
    doc.topology.nodes.push(other, kv2);
    doc.topology.links.push({ id: "x1", from: { node: "kv2", port: "exp:wasi:keyvalue/store" }, to: { node: "c2", port: "imp:wasi:keyvalue/store" } });
    doc.topology.links.push({ id: "x2", from: { node: "kv", port: "exp:wasi:keyvalue/atomics" }, to: { node: "c2", port: "imp:wasi:keyvalue/atomics" } });
    const r = exportWasmcloud(doc);
    expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
    const wds = objects(r.files[0]!.content).filter((o) => o.kind === "WorkloadDeployment");
    expect(wds.map((o) => o.metadata.name)).toEqual(["kvcounter-counter", "kvcounter-other-counter"]);
    expect(wds[1]!.spec.template.spec.hostInterfaces.map((h: { name?: string; interfaces: string[] }) => [h.name, h.interfaces])).toEqual([
      ["kvredis", ["atomics"]],
      ["sessions", ["store"]],
    ]);
    expect(r.problems.some((p) => p.kind === "unsupported-wire" && p.message.includes("select the backend by that name"))).toBe(true);
  });
  it("containers stay Deployments beside the workload; network wires become env and allowedHosts", () => {
    const doc = design("shop");
    doc.topology.links.push({ id: "x", from: { node: "db", port: "port:5432" }, to: { node: "resize", port: "net" } });
    const r = exportWasmcloud(doc, { namespace: "prod" });
    const objs = objects(r.files[0]!.content);
    const resize = objs.find((o) => o.kind === "WorkloadDeployment")!.spec.template.spec.components[0];
    expect(resize.localResources).toEqual({ environment: { config: { DB_ADDR: "db.prod.svc.cluster.local:5432" } }, allowedHosts: ["db.prod.svc.cluster.local:5432"] });
    expect(r.problems.find((p) => p.linkIds.includes("w3"))?.message).toContain("cannot reach image-resizer");
    expect(objs.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name).sort()).toEqual(["api", "db", "web"]);
    expect(objs.filter((o) => o.kind === "WorkloadDeployment")).toHaveLength(1);
    for (const o of objs.filter((x) => x.kind === "WorkloadDeployment")) expect(validateWasmcloudObject(o)).toEqual({ ok: true });
  });
  it("a containers-only design is refused with the containers named", () => {
    const shop = design("shop");
    shop.topology.nodes = shop.topology.nodes.filter((n) => n.kind !== "component" && n.kind !== "compiled");
    const r = exportWasmcloud(shop);
    const p = r.problems.find((x) => x.kind === "empty")!;
    expect(p.message).toContain("compile the containers to Wasm");
    expect(p.nodeIds.length).toBeGreaterThan(0);
  });
});

describe("wasmCloud 2: deployment settings", () => {
  it("volumes and volumeMounts, secrets as secretFrom; what it cannot express is a warning", () => {
    const doc = design("kvcounter");
    const counter = doc.topology.nodes.find((n) => n.id === "counter")!;
    counter.config.volumes = [
      { type: "volume", source: "cache", target: "/cache", size: "2Gi" },
      { type: "bind", source: "/etc/acme", target: "/config", readOnly: true },
      { type: "bind", source: "./local", target: "/local" },
    ];
    counter.config.secrets = [{ secret: "counter-creds", key: "token", env: "TOKEN" }];
    counter.config.healthcheck = { httpGet: { path: "/health", port: 8080 } };
    counter.config.resources = { limits: { memory: "128Mi" } };
    const r = exportWasmcloud(doc);
    const w = objects(r.files[0]!.content).find((o) => o.kind === "WorkloadDeployment")!;
    expect(validateWasmcloudObject(w)).toEqual({ ok: true });
    expect(w.spec.template.spec.volumes).toEqual([{ name: "cache", ephemeral: {} }, { name: "host-etc-acme", hostPath: { path: "/etc/acme" } }]);
    expect(w.spec.template.spec.components[0].localResources).toEqual({
      environment: { secretFrom: [{ name: "counter-creds" }] },
      volumeMounts: [{ name: "cache", mountPath: "/cache" }, { name: "host-etc-acme", mountPath: "/config", readOnly: true }],
    });
    const warnings = r.problems.filter((p) => p.severity === "warning").map((p) => p.message).join("\n");
    expect(warnings).toContain("no persistent volumes; named volume cache becomes an ephemeral volume");
    expect(warnings).toContain("bind mount ./local");
    expect(warnings).toContain("per-key variable names");
    expect(warnings).toContain("cannot express healthcheck, resource requests/limits");
  });
});
