import { describe, expect, it } from "vitest";
import { instantiate } from "./factory";
import { addNode, checkLink, connect, copySelection, moveNodes, paste, removeElements, updateNode } from "./ops";
import { witPort } from "./ports";
import type { Topology, TopologyNode } from "./types";

const comp = (id: string, imports: string[], exports: string[]): TopologyNode =>
  instantiate({ kind: "component", name: id, config: {}, ports: [...imports.map((i) => witPort("import", i)), ...exports.map((e) => witPort("export", e))] }, id, { x: 0, y: 0 });
const container = (id: string, port: number): TopologyNode =>
  instantiate({ kind: "container", name: id, config: { image: "x", exposedPorts: [{ port, protocol: "tcp" }] } }, id, { x: 0, y: 0 });

function base(): Topology {
  return {
    nodes: [
      comp("a", ["acme:ml/infer@1.2.0"], []),
      comp("b", [], ["acme:ml/infer@1.3.1"]),
      comp("c", [], ["acme:ml/infer@2.0.0"]),
      comp("d", [], ["acme:ml/other@1.0.0"]),
      container("db", 5432),
      container("web", 80),
    ],
    links: [],
  };
}

describe("connect", () => {
  it("wires a compatible export to an import and leaves the input untouched", () => {
    const t = base();
    const r = connect(t, { node: "b", port: "exp:acme:ml/infer" }, { node: "a", port: "imp:acme:ml/infer" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.links).toHaveLength(1);
    expect(r.value.links[0]).toMatchObject({ from: { node: "b" }, to: { node: "a" } });
    expect(t.links).toHaveLength(0);
  });

  it("refuses an incompatible major version with a reason naming both versions", () => {
    const r = connect(base(), { node: "c", port: "exp:acme:ml/infer" }, { node: "a", port: "imp:acme:ml/infer" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("interface-mismatch");
    expect(r.error.message).toContain("2.0.0");
    expect(r.error.message).toContain("1.2.0");
  });

  it("refuses a different interface", () => {
    const r = connect(base(), { node: "d", port: "exp:acme:ml/other" }, { node: "a", port: "imp:acme:ml/infer" });
    expect(!r.ok && r.error.kind).toBe("interface-mismatch");
  });

  it("refuses import→export direction, self links, unknown nodes and ports", () => {
    const t = base();
    expect(checkLink(t, { node: "a", port: "imp:acme:ml/infer" }, { node: "b", port: "exp:acme:ml/infer" })?.kind).toBe("wrong-direction");
    expect(checkLink(t, { node: "db", port: "port:5432" }, { node: "db", port: "net" })?.kind).toBe("self-link");
    expect(checkLink(t, { node: "zz", port: "x" }, { node: "a", port: "imp:acme:ml/infer" })?.kind).toBe("unknown-node");
    expect(checkLink(t, { node: "b", port: "nope" }, { node: "a", port: "imp:acme:ml/infer" })?.kind).toBe("unknown-port");
  });

  it("refuses mixing a network port with a WIT import", () => {
    expect(checkLink(base(), { node: "db", port: "port:5432" }, { node: "a", port: "imp:acme:ml/infer" })?.kind).toBe("port-kind-mismatch");
  });

  it("binds a WIT import once, but lets a network import take many wires", () => {
    let r = connect(base(), { node: "b", port: "exp:acme:ml/infer" }, { node: "a", port: "imp:acme:ml/infer" });
    if (!r.ok) throw new Error("setup");
    const again = connect(r.value, { node: "b", port: "exp:acme:ml/infer" }, { node: "a", port: "imp:acme:ml/infer" });
    expect(!again.ok && again.error.kind).toBe("duplicate-link");
    const t2: Topology = { ...r.value, nodes: [...r.value.nodes, comp("b2", [], ["acme:ml/infer@1.2.5"])] };
    const second = connect(t2, { node: "b2", port: "exp:acme:ml/infer" }, { node: "a", port: "imp:acme:ml/infer" });
    expect(!second.ok && second.error.kind).toBe("import-already-linked");
    r = connect(base(), { node: "db", port: "port:5432" }, { node: "web", port: "net" });
    if (!r.ok) throw new Error("setup");
    const t3: Topology = { ...r.value, nodes: [...r.value.nodes, container("cache", 6379)] };
    expect(connect(t3, { node: "cache", port: "port:6379" }, { node: "web", port: "net" }).ok).toBe(true);
  });

  it("uses an injected checker for structural WIT checks", () => {
    const r = connect(base(), { node: "b", port: "exp:acme:ml/infer" }, { node: "a", port: "imp:acme:ml/infer" }, {
      checker: () => "acme:ml/infer.predict: param 'input' is list<f32>, import expects list<u8>",
    });
    expect(!r.ok && r.error.message).toContain("list<f32>");
  });
});

describe("node ops", () => {
  it("refuses a duplicate node id", () => {
    const r = addNode(base(), comp("a", [], []));
    expect(!r.ok && r.error.kind).toBe("duplicate-node");
  });

  it("removing a node removes its wires", () => {
    const r = connect(base(), { node: "db", port: "port:5432" }, { node: "web", port: "net" });
    if (!r.ok) throw new Error("setup");
    const t = removeElements(r.value, ["db"]);
    expect(t.nodes.find((n) => n.id === "db")).toBeUndefined();
    expect(t.links).toHaveLength(0);
  });

  it("moves return the same object when nothing moved", () => {
    const t = base();
    expect(moveNodes(t, { a: { x: 0, y: 0 } })).toBe(t);
    expect(moveNodes(t, { a: { x: 5, y: 6 } }).nodes[0]!.position).toEqual({ x: 5, y: 6 });
  });

  it("changing exposed ports re-derives network ports and drops wires to a vanished port", () => {
    const r = connect(base(), { node: "db", port: "port:5432" }, { node: "web", port: "net" });
    if (!r.ok) throw new Error("setup");
    const u = updateNode(r.value, "db", { config: { exposedPorts: [{ port: 5433, protocol: "tcp" }] } });
    expect(u.ok).toBe(true);
    if (!u.ok) return;
    expect(u.value.topology.nodes.find((n) => n.id === "db")!.ports.map((p) => p.id)).toEqual(["port:5433", "net"]);
    expect(u.value.removedLinks).toHaveLength(1);
    expect(u.value.topology.links).toHaveLength(0);
  });

  it("refuses invalid fields", () => {
    const t = base();
    expect(updateNode(t, "db", { name: " " }).ok).toBe(false);
    expect(updateNode(t, "db", { config: { replicas: -1 } }).ok).toBe(false);
    expect(updateNode(t, "db", { config: { exposedPorts: [{ port: 70000, protocol: "tcp" }] } }).ok).toBe(false);
    expect(updateNode(t, "db", { config: { env: [{ name: "1BAD", value: "" }] } }).ok).toBe(false);
    expect(updateNode(t, "db", { config: { env: [{ name: "A", value: "1" }, { name: "A", value: "2" }] } }).ok).toBe(false);
    const unknown = updateNode(t, "nope", { name: "x" });
    expect(!unknown.ok && unknown.error.kind).toBe("unknown-node");
  });

  it("copy/paste makes fresh ids, unique names, keeps inner wires only", () => {
    const r = connect(base(), { node: "db", port: "port:5432" }, { node: "web", port: "net" });
    if (!r.ok) throw new Error("setup");
    const clip = copySelection(r.value, ["db", "web"]);
    const p = paste(r.value, clip, { x: 40, y: 40 });
    expect(p.nodeIds).toHaveLength(2);
    expect(p.topology.nodes).toHaveLength(8);
    expect(p.topology.links).toHaveLength(2);
    const names = p.topology.nodes.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
    const pasted = p.topology.links[1]!;
    expect(p.nodeIds).toContain(pasted.from.node);
    expect(p.nodeIds).toContain(pasted.to.node);
  });
});

describe("compiled containers", () => {
  it("convert keeps id, settings and network wires, and adds the artifact's WIT ports; keep-as-container reverts", async () => {
    const { convertToCompiled, keepAsContainer } = await import("./ops");
    const r = connect(base(), { node: "db", port: "port:5432" }, { node: "web", port: "net" });
    if (!r.ok) throw new Error("setup");
    const c = convertToCompiled(r.value, "db", { jobId: "job-1", witPorts: [witPort("export", "wasi:cli/run@0.2.0")], originalImage: "postgres:16" });
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    const db = c.value.nodes.find((n) => n.id === "db")!;
    expect(db.kind).toBe("compiled");
    expect(db.ports.map((p) => p.id)).toEqual(["exp:wasi:cli/run", "port:5432", "net"]);
    expect(db.config.compile).toEqual({ jobId: "job-1", artifactId: "job-1", originalImage: "postgres:16" });
    expect(c.value.links).toHaveLength(1);
    const k = keepAsContainer(c.value, "db");
    expect(k.ok && k.value.nodes.find((n) => n.id === "db")).toMatchObject({ kind: "container", config: { compile: { keepContainer: true } } });
    expect(k.ok && k.value.links).toHaveLength(1);
    expect(convertToCompiled(base(), "a", { jobId: "j", witPorts: [] })).toMatchObject({ ok: false, error: { kind: "invalid-field" } });
  });
});

describe("compiled containers serving HTTP", () => {
  const HTTP = "exp:wasi:http/incoming-handler";
  it("a native artifact's port marked HTTP adds the wasi:http export; unmarking removes it and its wire", async () => {
    const { convertToCompiled } = await import("./ops");
    const t = { nodes: [{ id: "web", kind: "container" as const, name: "web", position: { x: 0, y: 0 }, ports: [], config: { env: [], replicas: 1, exposedPorts: [{ port: 80, protocol: "tcp" as const, http: true }] } }, instantiate({ kind: "endpoint", name: "in", config: { capability: "http-ingress" } }, "in", { x: 0, y: 0 })], links: [] };
    const c = convertToCompiled(t, "web", { jobId: "j", witPorts: [witPort("export", "wasi:cli/run@0.2.0")] });
    if (!c.ok) throw new Error(c.error.message);
    expect(c.value.nodes[0]!.ports.map((p) => p.id)).toEqual(["exp:wasi:cli/run", HTTP, "imp:wasi:http/outgoing-handler", "port:80", "net"]);
    const wired = connect(c.value, { node: "web", port: HTTP }, { node: "in", port: "imp:wasi:http/incoming-handler" });
    if (!wired.ok) throw new Error(wired.error.message);
    const off = updateNode(wired.value, "web", { config: { exposedPorts: [{ port: 80, protocol: "tcp" }] } });
    if (!off.ok) throw new Error(off.error.message);
    expect(off.value.topology.nodes[0]!.ports.map((p) => p.id)).toEqual(["exp:wasi:cli/run", "port:80", "net"]);
    expect(off.value.removedLinks).toHaveLength(1);
  });

  it("a compiled component keeps its world's ports: an HTTP mark neither adds nor removes the export", async () => {
    const { convertToCompiled } = await import("./ops");
    const t = { nodes: [{ id: "c", kind: "container" as const, name: "c", position: { x: 0, y: 0 }, ports: [], config: { env: [], replicas: 1, exposedPorts: [{ port: 8080, protocol: "tcp" as const }] } }], links: [] };
    const c = convertToCompiled(t, "c", { jobId: "j", witPorts: [witPort("export", "wasi:http/incoming-handler@0.2.0")], wit: "package a:b; world w { export wasi:http/incoming-handler@0.2.0; }", world: "w" });
    if (!c.ok) throw new Error(c.error.message);
    expect(c.value.nodes[0]!.ports.map((p) => p.id)).toEqual([HTTP, "port:8080", "net"]);
    const marked = updateNode(c.value, "c", { config: { exposedPorts: [{ port: 8080, protocol: "tcp", http: true }] } });
    expect(marked.ok && marked.value.topology.nodes[0]!.ports.map((p) => p.id)).toEqual([HTTP, "port:8080", "net"]);
  });
});

describe("updateNode: deployment settings", () => {
  it("accepts valid settings and refuses bad ones with the field named", () => {
    const t = { nodes: [{ id: "a", kind: "container" as const, name: "a", position: { x: 0, y: 0 }, ports: [], config: { env: [], replicas: 1, exposedPorts: [], image: "x" } }], links: [] };
    expect(updateNode(t, "a", { config: { resources: { limits: { memory: "512Mi" } }, volumes: [{ type: "volume", source: "d", target: "/d" }] } }).ok).toBe(true);
    const bad = updateNode(t, "a", { config: { resources: { limits: { memory: "lots" } } } });
    expect(bad.ok ? null : bad.error).toMatchObject({ kind: "invalid-field", field: "resources", message: expect.stringContaining("resources.limits.memory") });
    const rel = updateNode(t, "a", { config: { volumes: [{ type: "volume", source: "d", target: "data" }] } });
    expect(rel.ok ? null : rel.error).toMatchObject({ field: "volumes" });
  });
});
