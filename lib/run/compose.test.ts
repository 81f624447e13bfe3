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
import { prepareRun, type ComponentResolver } from "./run";
import { csvPipeline } from "./sample-designs";
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

  it("refuses a group that needs the host, naming the node and the import", async () => {
    const prepared = await prepareRun(csvPipeline(), undefined, { cacheDir });
    expect(prepared.ok).toBe(true);
    if (!prepared.ok) return;
    const r = await prepareComposed(prepared.value, csvPipeline(), { cacheDir });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("unsupported-node");
    expect(r.error.nodeId).toBe("log");
    expect(r.error.message).toMatch(/imports wasi:/);
  }, 60_000);

  it("gives a prepared run of one node under the entry's id", async () => {
    const topology = relayPipeline(3);
    const prepared = await prepareRun(topology, "relay-1", { resolve, cacheDir });
    if (!prepared.ok) throw new Error(prepared.error.message);
    const r = await prepareComposed(prepared.value, topology, { resolve, cacheDir });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.plan.order).toEqual(["relay-1"]);
    expect(r.value.plan.nodes["relay-1"]!.bindings).toEqual([]);
    expect(r.value.plan.nodes["relay-1"]!.name).toBe("words + relay-2 + relay-1 (composed)"); // providers first
    expect(r.value.transpiled.size + r.value.pendingComponents.size).toBe(1);
  }, 60_000);
});
