import { describe, expect, it } from "vitest";
import { instantiate } from "./factory";
import { connect } from "./ops";
import { witChecker } from "./wit-checker";
import { analyzeNodeWit } from "./wit-checker";
import type { Topology } from "./types";

const infer = (elem: string) => `package acme:ml@1.0.0;
interface infer {
  /// Runs the model.
  predict: func(input: list<${elem}>) -> list<f32>;
}
`;
function node(id: string, wit: string, world: string) {
  const n = instantiate({ kind: "component", name: id, config: { wit, world } }, id, { x: 0, y: 0 });
  return { ...n, ports: analyzeNodeWit(n)!.ports };
}
const server = (elem: string) => node("server", `${infer(elem)}world server { export infer; }\n`, "server");
const client = node("client", `${infer("u8")}world client { import infer; }\n`, "client");

describe("witChecker", () => {
  it("accepts structurally identical interfaces", () => {
    const t: Topology = { nodes: [server("u8"), client], links: [] };
    const r = connect(t, { node: "server", port: "exp:acme:ml/infer" }, { node: "client", port: "imp:acme:ml/infer" }, { checker: witChecker });
    expect(r.ok).toBe(true);
  });

  it("refuses a parameter type mismatch, naming function, parameter and both types", () => {
    const t: Topology = { nodes: [server("f32"), client], links: [] };
    const r = connect(t, { node: "server", port: "exp:acme:ml/infer" }, { node: "client", port: "imp:acme:ml/infer" }, { checker: witChecker });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("interface-mismatch");
    expect(r.error.message).toContain("acme:ml/infer.predict");
    expect(r.error.message).toContain("list<f32>");
    expect(r.error.message).toContain("list<u8>");
  });
});

describe("portsAfterWitEdit", () => {
  it("keeps a wired port that left the world, and the checker flags its wire", async () => {
    const { portsAfterWitEdit } = await import("./wit-checker");
    const { findProblems } = await import("./problems");
    const t0: Topology = { nodes: [server("u8"), client], links: [] };
    const r = connect(t0, { node: "server", port: "exp:acme:ml/infer" }, { node: "client", port: "imp:acme:ml/infer" }, { checker: witChecker, id: "w" });
    if (!r.ok) throw new Error(r.error.message);
    const edited = { ...client, config: { ...client.config, wit: `package acme:other@1.0.0;\nworld client {}\n` } };
    const { ports } = portsAfterWitEdit(edited, r.value.links);
    expect(ports.map((p) => p.id)).toEqual(["imp:acme:ml/infer"]);
    const t1: Topology = { ...r.value, nodes: [r.value.nodes[0]!, { ...edited, ports }] };
    expect(findProblems(t1, witChecker)).toEqual([
      expect.objectContaining({ kind: "broken-link", linkId: "w", message: "acme:ml/infer@1.0.0 is no longer in client's world" }),
    ]);
    // An unwired port just goes away; a WIT with errors keeps the old ports.
    expect(portsAfterWitEdit(edited, []).ports).toEqual([]);
    expect(portsAfterWitEdit({ ...client, config: { ...client.config, wit: "package broken" } }, []).ports).toBe(client.ports);
  });
});

describe("analyzeNodeWit feature gates", () => {
  it("uses the node's witFeatures (none by default, as wit-parser)", () => {
    const wit = "package a:b;\n@unstable(feature = fancy)\ninterface i {\n  @unstable(feature = fancy)\n  f: func();\n}\nworld w {\n  import i;\n}\n";
    const off = instantiate({ kind: "component", name: "c", config: { wit, world: "w" } }, "c", { x: 0, y: 0 });
    expect(analyzeNodeWit(off)!.errors.map((e) => e.kind)).toEqual(["gated-out"]);
    const on = instantiate({ kind: "component", name: "c", config: { wit, world: "w", witFeatures: ["fancy"] } }, "c", { x: 0, y: 0 });
    const a = analyzeNodeWit(on)!;
    expect(a.errors).toEqual([]);
    expect(a.ports.map((p) => p.id)).toEqual(["imp:a:b/i"]);
  });
});
