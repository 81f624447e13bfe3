import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IFACE } from "../builtins/catalog";
import { componentImports, composeGroup } from "./compose";
import { prepareComposed } from "./composed-run";
import { findInterface } from "./host";
import { buildRelay, relayPipeline, relayResolver } from "./fixtures/relay";
import { outputText, prepareRun, runDesign } from "./run";
import { resolveBuiltin, type ComponentResolver } from "./resolve";
import { builtinNode, cachedTokenizer, csvPipeline, keyvalueNode, twoStoreCaches, wire } from "./sample-designs";
import { hostImports } from "./component-prologue";
import type { Topology } from "../graph/types";
import { instantiateComponent, transpileCached } from "./transpile";

const cacheDir = mkdtempSync(join(tmpdir(), "trellis-compose-"));
let relay: Uint8Array;
let resolve: ComponentResolver;
beforeAll(async () => {
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
  relay = await buildRelay();
  resolve = relayResolver(relay);
}, 180_000);
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

type Stage = { process: (b: Uint8Array) => Uint8Array };

async function stageOf(bytes: Uint8Array, key: string): Promise<Stage> {
  const t = await transpileCached(bytes, cacheDir);
  return findInterface(await instantiateComponent(t, {}, undefined, key), IFACE.stage) as unknown as Stage;
}

describe("componentImports", () => {
  it("reads a component's top-level import names, versions included", () => {
    expect(componentImports(relay)).toEqual({ ok: true, value: [IFACE.stage] });
    expect(componentImports(new Uint8Array(readFileSync("build/builtins/tokenizer.wasm")))).toEqual({ ok: true, value: [] });
    const logger = componentImports(new Uint8Array(readFileSync("build/builtins/logger.wasm")));
    expect(logger.ok && logger.value.some((n) => n.startsWith("wasi:io/"))).toBe(true);
  });

  it("refuses what is not a component", () => {
    expect(componentImports(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])).ok).toBe(false); // a core module
    expect(componentImports(Uint8Array.from([1, 2, 3])).ok).toBe(false);
    // A section claiming more bytes than there are.
    expect(componentImports(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 10, 0x7f])).ok).toBe(false);
  });
});

describe("composeGroup", () => {
  it("composes a chain into one component that answers as the chain does", async () => {
    const words = await stageOf(new Uint8Array(readFileSync("build/builtins/tokenizer.wasm")), "words");
    const composed = new Map<number, Stage>();
    for (const stages of [1, 2, 4]) {
      const prepared = await prepareRun(relayPipeline(stages), stages > 1 ? "relay-1" : "words", { resolve, cacheDir });
      expect(prepared.ok).toBe(true);
      if (!prepared.ok) return;
      const bytes = new Map<string, Uint8Array>();
      for (const id of prepared.value.plan.order) bytes.set(id, id === "words" ? new Uint8Array(readFileSync("build/builtins/tokenizer.wasm")) : relay);
      const c = composeGroup(prepared.value.plan, bytes);
      expect(c.ok).toBe(true);
      if (!c.ok) return;
      // Identical members are nested once: a longer chain adds instances, not copies of the relay.
      if (stages === 4) expect(c.value.length).toBeLessThan(relay.length + bytes.get("words")!.length + 2000);
      composed.set(stages, await stageOf(c.value, `composed-${stages}`));
    }
    const enc = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const want = Buffer.from(words.process(enc.encode(text))).toString("utf8");
        for (const s of composed.values()) expect(Buffer.from(s.process(enc.encode(text))).toString("utf8")).toBe(want);
      }),
      { numRuns: 20 },
    );
  }, 120_000);

  it("takes what the host serves its members as imports of the composed component, each once, with its type", async () => {
    const composedImports = async (topology: Topology) => {
      const prepared = await prepareRun(topology, undefined, { cacheDir });
      if (!prepared.ok) throw new Error(prepared.error.message);
      const bytes = new Map<string, Uint8Array>();
      for (const id of prepared.value.plan.order) {
        const b = await resolveBuiltin(topology.nodes.find((n) => n.id === id)!);
        if (!b.ok) throw new Error(b.error.message);
        bytes.set(id, b.value);
      }
      const c = composeGroup(prepared.value.plan, bytes);
      if (!c.ok) throw new Error(c.error.message);
      const own = componentImports(c.value);
      if (!own.ok) throw new Error(own.error);
      return own.value;
    };
    const importsOf = (id: string) => {
      const r = componentImports(new Uint8Array(readFileSync(`build/builtins/${id}.wasm`)));
      return r.ok ? r.value : [];
    };
    // Built-ins: the handler's stage and log imports are wired inside; the logger's WASI comes from the host.
    expect((await composedImports(csvPipeline())).sort()).toEqual(importsOf("logger").sort());
    // The sample: the gateway's wasi:http and wasi:io, the cache's key-value store.
    const sample = (await composedImports(wasiHttpCache())).sort();
    expect(sample).toEqual([...importsOf("http-gateway"), ...importsOf("kv-cache")].filter((n) => n.startsWith("wasi:")).sort());
    expect(new Set(sample).size).toBe(sample.length);
  }, 60_000);

  it("shares an interface two members import with the same type and refuses one imported with two types", () => {
    // Minimal components: a one-declaration instance type, imported as wasi:test/x@1.0.0.
    const member = (prim: number) =>
      Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 7, 5, 1, 0x42, 1, 0x01, prim, 10, 22, 1, 0x00, 17, ...new TextEncoder().encode("wasi:test/x@1.0.0"), 0x05, 0]);
    const names = new Set(["wasi:test/x@1.0.0"]);
    const same = hostImports([
      { member: "a", bytes: member(0x7f), names },
      { member: "b", bytes: member(0x7f), names },
    ]);
    expect(same.instanceCount).toBe(1);
    expect([...same.instances]).toEqual([["wasi:test/x@1.0.0", 0]]);
    expect(() =>
      hostImports([
        { member: "a", bytes: member(0x7f), names },
        { member: "b", bytes: member(0x7e), names },
      ]),
    ).toThrow(/'b' and 'a' import wasi:test\/x@1.0.0 with different types/);
  });

  it("runs a composed group once, attributing each member's calls, the host calls out of the unit included", async () => {
    const r = await runDesign({ topology: cachedTokenizer(), input: { text: "b a b" }, mode: "in-process", composed: true }, { cacheDir });
    expect(r.error).toBeUndefined();
    expect(outputText(r)).toContain('"token":"b","count":2');
    // The unit runs under the entry's id; the wire tap counts the members inside it.
    expect(Object.fromEntries(["api", "cache", "words", "log"].map((id) => [id, r.nodes[id]?.calls]))).toEqual({ api: 1, cache: 1, words: 1, log: 1 });
    // The cache's key-value calls leave the unit: their caller is the cache, not the unit.
    const kv = r.events.filter((e) => e.type === "call" && e.to === "kv");
    expect(kv.length).toBeGreaterThan(0);
    expect(new Set(kv.map((e) => (e.type === "call" ? e.from : null)))).toEqual(new Set(["cache"]));
  }, 60_000);

  it("refuses a group whose members import one interface from two key-value stores, naming the node", async () => {
    const topology = twoStoreCaches();
    const prepared = await prepareRun(topology, undefined, { cacheDir });
    if (!prepared.ok) throw new Error(prepared.error.message);
    const r = await prepareComposed(prepared.value, topology, resolveBuiltin);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("unsupported-node");
    expect(r.error.message).toMatch(/cannot compose.*one composed import cannot be two stores/);
    expect(["c1", "c2"]).toContain(r.error.nodeId);
  }, 60_000);

  it("gives a prepared run of one node under the entry's id", async () => {
    const topology = relayPipeline(3);
    const prepared = await prepareRun(topology, "relay-1", { resolve, cacheDir });
    if (!prepared.ok) throw new Error(prepared.error.message);
    const r = await prepareComposed(prepared.value, topology, resolve);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.plan.order).toEqual(["relay-1"]);
    expect(r.value.plan.nodes["relay-1"]!.bindings).toEqual([]);
    expect(r.value.plan.nodes["relay-1"]!.name).toBe("words + relay-2 + relay-1 (composed)"); // providers first
    expect(r.value.transpiled.size + r.value.pendingComponents.size).toBe(1);
    // Its members and wires, for the wire tap.
    expect(r.value.composed).toEqual({
      nodes: ["words", "relay-2", "relay-1"],
      links: [
        { linkId: "words->relay-2:trellis:pipeline/stage", from: "relay-2", to: "words" },
        { linkId: "relay-2->relay-1:trellis:pipeline/stage", from: "relay-1", to: "relay-2" },
      ],
      hostFree: ["words", "relay-2", "relay-1"],
    });
    // In the built-ins pipeline only json-to-csv reaches nothing of the host (the logger writes through WASI, the handler calls it).
    const csv = await prepareRun(csvPipeline(), undefined, { cacheDir });
    if (!csv.ok) throw new Error(csv.error.message);
    const unit = await prepareComposed(csv.value, csvPipeline(), resolveBuiltin);
    if (!unit.ok) throw new Error(unit.error.message);
    expect(unit.value.composed?.hostFree).toEqual(["csv"]);
  }, 60_000);
});

/** The sample's group: gateway (wasi:http) → kv-cache (a key-value store) → json-to-csv. */
function wasiHttpCache(): Topology {
  return {
    nodes: [builtinNode("gateway", "http-gateway"), builtinNode("cache", "kv-cache"), builtinNode("csv", "json-to-csv"), keyvalueNode("kv")],
    links: [wire("cache", "gateway", IFACE.stage), wire("csv", "cache", IFACE.stage), wire("kv", "cache", IFACE.keyvalueStore)],
  };
}

