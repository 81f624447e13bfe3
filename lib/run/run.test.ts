import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { componentEmbed, componentNew, preview1AdapterReactorPath } from "@bytecodealliance/jco";
import { IFACE } from "../builtins/catalog";
import { witPort } from "../graph/ports";
import type { Topology, TopologyNode } from "../graph/types";
import { ok } from "../result";
import { decodeValue } from "./codec";
import { planRun } from "./plan";
import { effectiveLimits, outputText, prepareRun, runDesign } from "./run";
import { resolveBuiltin, type ComponentResolver } from "./resolve";
import { RunSession } from "./session";
import { builtinNode, cachedTokenizer, csvPipeline, keyvalueNode, wasiHttpPipeline, wire } from "./sample-designs";
import type { RunResult } from "./types";

const work = mkdtempSync(join(tmpdir(), "trellis-run-"));
let misbehave: Uint8Array;
let shout: Uint8Array;
let hangInit: Uint8Array;

/** A compiled container whose WASI command is the `shout` fixture, offering stdin → stdout as a stage. */
const compiledNode = (id: string, jobId = "shout"): TopologyNode => ({
  id,
  kind: "compiled",
  name: id,
  position: { x: 0, y: 0 },
  ports: [witPort("export", IFACE.stage), { id: "net", kind: "network", direction: "import", protocol: "tcp" }],
  config: { compile: { jobId }, env: [], replicas: 1, exposedPorts: [] },
});

const misbehaveNode = (id: string): TopologyNode => ({
  ...builtinNode(id, "json-to-csv"),
  ports: [witPort("export", IFACE.stage)],
  config: { source: "test:misbehave", env: [], replicas: 1, exposedPorts: [] },
});

const resolve: ComponentResolver = (node) => {
  if (node.kind === "compiled") return node.config.compile?.jobId === "shout" ? ok(shout) : resolveBuiltin({ ...node, config: { ...node.config, source: "builtin:tokenizer" } });
  if (node.config.source === "test:hang-init") return ok(hangInit);
  return node.config.source === "test:misbehave" ? ok(misbehave) : resolveBuiltin(node);
};

const opts = { resolve, cacheDir: join(work, "cache") };

beforeAll(async () => {
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
  const core = join(work, "misbehave.core.wasm");
  execFileSync("clang-14", ["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-mexec-model=reactor", "lib/run/fixtures/misbehave.c", "-o", core]);
  const wit = readFileSync("lib/builtins/wit/pipeline.wit", "utf8") + "\n" + readFileSync("lib/run/fixtures/misbehave.wit", "utf8");
  const adapter: Array<[string, Uint8Array]> = [["wasi_snapshot_preview1", readFileSync(preview1AdapterReactorPath())]];
  misbehave = await componentNew(await componentEmbed({ binary: readFileSync(core), witSource: wit, world: "misbehave" }), adapter);
  const hang = join(work, "hang.core.wasm");
  execFileSync("clang-14", ["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-mexec-model=reactor", "lib/run/fixtures/hang-init.c", "-o", hang]);
  hangInit = await componentNew(await componentEmbed({ binary: readFileSync(hang), witSource: wit, world: "misbehave" }), []);
  const cmd = join(work, "shout.wasm");
  execFileSync("clang-14", ["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "lib/run/fixtures/shout.c", "-o", cmd]);
  shout = new Uint8Array(readFileSync(cmd));
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** HTTP `date` headers differ between two runs a second apart; nothing else may. */
const withoutDates = <T>(v: T): T => JSON.parse(JSON.stringify(v).replace(/\["date","[^"]*"\]/g, '["date","-"]')) as T;

/** What must agree between modes: outcome, output, and each node's last values and call counts. */
const essence = (r: RunResult) => withoutDates({
  ok: r.ok,
  error: r.error,
  output: r.output,
  refused: r.refused,
  nodes: Object.fromEntries(Object.values(r.nodes).map((n) => [n.nodeId, { calls: n.calls, in: n.lastInput, out: n.lastOutput, refusal: n.lastRefusal }])),
  calls: r.events.flatMap((e) => (e.type === "call" ? [`${e.from}->${e.to} ${e.interface}.${e.function}`] : [])).sort(),
});

describe("planRun", () => {
  it("finds the entry, binds each import and orders providers first", () => {
    const p = planRun(cachedTokenizer());
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.entry).toEqual({ nodeId: "api", interface: IFACE.handler, entryInterface: "trellis:pipeline/handler" });
    expect(p.value.order.indexOf("words")).toBeLessThan(p.value.order.indexOf("cache"));
    expect(p.value.order.at(-1)).toBe("api");
    expect(p.value.keyvalueStores).toEqual(["kv"]);
    expect(p.value.nodes.cache!.bindings.map((b) => [b.interface, b.provider.kind, b.provider.nodeId])).toEqual([
      [IFACE.keyvalueStore, "keyvalue", "kv"],
      [IFACE.stage, "node", "words"],
    ]);
  });

  it("refuses a cycle with the nodes on it", () => {
    const t: Topology = {
      nodes: [builtinNode("api", "http-handler"), builtinNode("a", "kv-cache"), builtinNode("b", "kv-cache"), builtinNode("log", "logger"), keyvalueNode("kv")],
      links: [wire("a", "api", IFACE.stage), wire("log", "api", IFACE.log), wire("b", "a", IFACE.stage), wire("a", "b", IFACE.stage), wire("kv", "a", IFACE.keyvalueStore), wire("kv", "b", IFACE.keyvalueStore)],
    };
    const p = planRun(t, { entryNodeId: "api" });
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.error.kind).toBe("cycle");
    expect(p.error.nodeIds).toEqual(["a", "b"]);
  });

  it("refuses a missing link, naming the port", () => {
    const t = csvPipeline();
    t.links = t.links.filter((l) => !l.to.port.endsWith("/log"));
    const p = planRun(t, { entryNodeId: "api" });
    expect(!p.ok && p.error).toMatchObject({ kind: "missing-link", nodeId: "api", portId: "imp:trellis:pipeline/log", interface: IFACE.log });
  });

  it("asks which entry when several could take the input, and refuses non-components", () => {
    const t: Topology = { nodes: [builtinNode("a", "tokenizer"), builtinNode("b", "json-to-csv")], links: [] };
    const p = planRun(t);
    expect(!p.ok && p.error).toMatchObject({ kind: "ambiguous-entry", nodeIds: ["a", "b"] });
    expect(planRun(t, { entryNodeId: "b" }).ok).toBe(true);
    expect(!planRun(t, { entryNodeId: "zz" }).ok).toBe(true);
    const withKvOnly: Topology = { nodes: [keyvalueNode("kv")], links: [] };
    const q = planRun(withKvOnly);
    expect(!q.ok && q.error.kind).toBe("no-entry");
  });
});

describe("runDesign", () => {
  it("runs the csv pipeline in-process and over loopback HTTP with the same results", async () => {
    const input = { json: [{ city: "Lisbon", temp: 21.5 }, { city: "Oslo", temp: 4, note: "snow, light" }] };
    const a = await runDesign({ topology: csvPipeline(), input, mode: "in-process" }, opts);
    const b = await runDesign({ topology: csvPipeline(), input, mode: "network" }, opts);
    expect(a.error).toBeUndefined();
    expect(outputText(a)).toBe('city,temp,note\nLisbon,21.5,\nOslo,4,"snow, light"\n');
    expect((decodeValue(a.output!) as { status: number }).status).toBe(200);
    expect(essence(b)).toEqual(essence(a));
    expect(a.nodes.csv!.calls).toBe(1);
    expect(a.nodes.api!.totalMs).toBeGreaterThanOrEqual(a.nodes.csv!.totalMs);
    expect(a.events[0]).toMatchObject({ type: "started", nodes: ["csv", "log", "api"], skipped: [] });
    expect(b.rssBytes).toBeGreaterThan(0);
    // The logger's stderr line is attributed to the logger, in both modes.
    for (const r of [a, b]) expect(r.events.some((e) => e.type === "stdio" && e.nodeId === "log" && e.text === "[INFO] POST / -> 200 (49 bytes)\n")).toBe(true);
  });

  it("runs a cache backed by a key-value endpoint in both modes", async () => {
    const input = { text: "to be or not to be" };
    const a = await runDesign({ topology: cachedTokenizer(), input, mode: "in-process", limits: { timeMs: 30_000 } }, opts);
    const b = await runDesign({ topology: cachedTokenizer(), input, mode: "network", limits: { timeMs: 30_000 } }, opts);
    expect(outputText(a)).toBe('[{"token":"to","count":2},{"token":"be","count":2},{"token":"or","count":1},{"token":"not","count":1}]');
    expect(essence(b)).toEqual(essence(a));
    expect(a.nodes.kv!.calls).toBeGreaterThanOrEqual(3); // open, get (miss), set
  });

  it("serves a wasi:http gateway behind an HTTP ingress with a real request, in both modes", async () => {
    const input = { json: [{ sku: "A-1", qty: 2 }] };
    // A roomy time limit: on a loaded 2-core machine network mode's processes start slowly.
    const a = await runDesign({ topology: wasiHttpPipeline(), input, mode: "in-process", limits: { timeMs: 30_000 } }, opts);
    const b = await runDesign({ topology: wasiHttpPipeline(), input, mode: "network", limits: { timeMs: 30_000 } }, opts);
    expect(a.error).toBeUndefined();
    expect(a.entry).toMatchObject({ nodeId: "gateway", interface: IFACE.incomingHandler });
    const res = decodeValue(a.output!) as { status: number; headers: Array<[string, string]> };
    expect(res.status).toBe(200);
    expect(res.headers).toContainEqual(["x-served-by", "trellis:builtins/http-gateway"]);
    expect(outputText(a)).toBe("sku,qty\nA-1,2\n");
    expect(outputText(b)).toBe(outputText(a));
    expect(a.nodes.csv!.calls).toBe(1);
    expect(b.nodes.csv!.lastOutput).toEqual(a.nodes.csv!.lastOutput);
    const health = await runDesign({ topology: wasiHttpPipeline(), input: { text: "" }, mode: "in-process", request: { method: "GET", path: "/health" } }, opts);
    expect([(decodeValue(health.output!) as { status: number }).status, outputText(health)]).toEqual([200, "ok\n"]);
    expect(health.nodes.csv!.calls).toBe(0);
    // A trap behind the gateway ends the request at once, blamed on the node that trapped.
    const trapping = wasiHttpPipeline();
    trapping.nodes = trapping.nodes.map((n) => (n.id === "csv" ? { ...misbehaveNode("csv") } : n));
    for (const mode of ["in-process", "network"] as const) {
      const t = await runDesign({ topology: trapping, input: { text: "trap" }, mode, limits: { timeMs: 20_000 } }, opts);
      expect(t.error).toMatchObject({ kind: "trap", nodeId: "csv" }); // a time-limit error would mean the request hung
    }
  });

  it("network endpoints listen on loopback and answer only their own run", async () => {
    const prepared = await prepareRun(csvPipeline(), undefined, opts);
    if (!prepared.ok) throw new Error(prepared.error.message);
    const started = await RunSession.start(prepared.value, { mode: "network", limits: effectiveLimits(), record: false, runStart: Date.now(), onEvent: () => {} });
    if (!started.ok) throw new Error(started.error.message);
    const session = started.value;
    try {
      const url = session.endpoint("csv")!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const body = JSON.stringify({ to: "csv", interface: IFACE.stage, function: "process", args: [], from: null, linkId: null });
      expect((await fetch(`${url}/call`, { method: "POST", body })).status).toBe(403);
      expect((await fetch(`${url}/call`, { method: "POST", body, headers: { "x-trellis-run": "guess" } })).status).toBe(403);
      const viaRun = await session.call({ to: "csv", interface: IFACE.stage, function: "process", args: [{ $bytes: Buffer.from('{"a":1}').toString("base64") }], from: null, linkId: null });
      expect(new TextDecoder().decode(decodeValue(viaRun.value as never) as Uint8Array)).toBe("a\n1\n");
    } finally {
      await session.close();
    }
  });

  it("runs the shipped sample project (ingress → gateway → kv cache → JSON→CSV) in both modes", async () => {
    const doc = JSON.parse(readFileSync("examples/sample-csv-over-http.json", "utf8")) as { topology: Topology };
    const input = { json: [{ order: 1, item: "tea" }] };
    // Roomy time limits, as for the other wasi:http and key-value designs (four processes start slowly on a loaded machine).
    const a = await runDesign({ topology: doc.topology, input, mode: "in-process", limits: { timeMs: 30_000 } }, opts);
    const b = await runDesign({ topology: doc.topology, input, mode: "network", limits: { timeMs: 30_000 } }, opts);
    expect(a.error).toBeUndefined();
    expect(outputText(a)).toBe("order,item\n1,tea\n");
    expect(essence(b)).toEqual(essence(a));
    // The legacy containers are not part of a component run: listed as skipped, not failed.
    expect(a.events[0]).toMatchObject({ type: "started" });
    expect((a.events[0] as { skipped: string[] }).skipped.length).toBeGreaterThan(0);
  });

  it("reports a refusal of the entry without failing the run", async () => {
    const r = await runDesign({ topology: { nodes: [builtinNode("csv", "json-to-csv")], links: [] }, input: { text: "[1]" }, mode: "in-process" }, opts);
    expect(r.ok).toBe(true);
    expect(r.refused).toBe("invalid JSON at byte 1: array elements must be objects");
    expect(r.nodes.csv!.lastRefusal).toBe(r.refused);
  });

  it("gives typed errors for a cycle, a missing link and a missing component", async () => {
    const cyc: Topology = {
      nodes: [builtinNode("a", "kv-cache"), builtinNode("b", "kv-cache"), keyvalueNode("kv"), builtinNode("api", "http-handler"), builtinNode("log", "logger")],
      links: [wire("b", "a", IFACE.stage), wire("a", "b", IFACE.stage), wire("kv", "a", IFACE.keyvalueStore), wire("kv", "b", IFACE.keyvalueStore), wire("a", "api", IFACE.stage), wire("log", "api", IFACE.log)],
    };
    expect((await runDesign({ topology: cyc, input: { text: "x" }, mode: "in-process" }, opts)).error?.kind).toBe("cycle");
    const missing = cachedTokenizer();
    missing.links = missing.links.filter((l) => l.from.node !== "kv");
    const m = await runDesign({ topology: missing, input: { text: "x" }, mode: "network" }, opts);
    expect(m.error).toMatchObject({ kind: "missing-link", nodeId: "cache", interface: IFACE.keyvalueStore });
    const unknown = { nodes: [{ ...builtinNode("x", "tokenizer"), config: { source: "upload:gone", env: [], replicas: 1, exposedPorts: [] } }], links: [] };
    expect((await runDesign({ topology: unknown, input: { text: "x" }, mode: "in-process" }, opts)).error?.kind).toBe("missing-component");
    expect((await runDesign({ topology: csvPipeline(), input: { base64: "***" }, mode: "in-process" }, opts)).error?.kind).toBe("invalid-request");
    // Bytes that are not a component (random, or a core module) are refused before anything runs.
    const junk: ComponentResolver = (node) => ok(node.id === "csv" ? new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) : new Uint8Array(64).fill(7));
    for (const bytes of ["csv", "x"]) {
      const r = await runDesign({ topology: { nodes: [builtinNode(bytes, "json-to-csv")], links: [] }, input: { text: "[]" }, mode: "in-process" }, { ...opts, resolve: junk });
      expect(r.error).toMatchObject({ kind: "instantiate-failed", nodeId: bytes });
    }
  });

  it("runs a compiled container as a WASI command stage (stdin → stdout), alone and wired, in both modes", async () => {
    const alone = await runDesign({ topology: { nodes: [compiledNode("sh")], links: [] }, input: { text: "quiet please" }, mode: "in-process" }, opts);
    expect(alone.entry).toMatchObject({ nodeId: "sh", function: "process" });
    expect(outputText(alone)).toBe("QUIET PLEASE");
    const wired: Topology = {
      nodes: [builtinNode("api", "http-handler"), compiledNode("sh"), builtinNode("log", "logger")],
      links: [wire("sh", "api", IFACE.stage), wire("log", "api", IFACE.log)],
    };
    const a = await runDesign({ topology: wired, input: { text: "hello" }, mode: "in-process" }, opts);
    const b = await runDesign({ topology: wired, input: { text: "hello" }, mode: "network" }, opts);
    expect(outputText(a)).toBe("HELLO");
    expect(essence(b)).toEqual(essence(a));
    const refused = await runDesign({ topology: wired, input: { text: "fail" }, mode: "in-process" }, opts);
    expect((decodeValue(refused.output!) as { status: number }).status).toBe(422);
    expect(outputText(refused)).toBe("exit code 3: shout: refusing to shout 'fail'");
    // A command printing forever is stopped by the output limit (its files cannot outgrow it), not the clock.
    const flood = await runDesign({ topology: { nodes: [compiledNode("sh")], links: [] }, input: { text: "flood" }, mode: "in-process", limits: { outputBytes: 64 * 1024, timeMs: 30_000 } }, opts);
    expect(flood.error).toMatchObject({ kind: "output-limit", nodeId: "sh" });
    const notCommand = await runDesign({ topology: { nodes: [compiledNode("x", "component")], links: [] }, input: { text: "x" }, mode: "in-process" }, opts);
    expect(notCommand.error?.kind).toBe("unsupported-node");
  });

  const one = (id = "bad") => ({ nodes: [misbehaveNode(id)], links: [] });

  it("stops a runaway component at the time limit, and the host process lives on", async () => {
    const events: string[] = [];
    const r = await runDesign({ topology: one(), input: { text: "spin" }, mode: "in-process", limits: { timeMs: 2500 } }, { ...opts, onEvent: (e) => events.push(e.type) });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe("time-limit");
    expect(events.at(-1)).toBe("finished");
    const again = await runDesign({ topology: one(), input: { text: "fine" }, mode: "in-process" }, opts);
    expect(outputText(again)).toBe("fine");
    // Stuck while instantiating (a constructor that never returns): stopped the same way, in both modes.
    const stuck = { nodes: [{ ...misbehaveNode("init"), config: { source: "test:hang-init", env: [], replicas: 1, exposedPorts: [] } }], links: [] };
    for (const mode of ["in-process", "network"] as const) {
      const r2 = await runDesign({ topology: stuck, input: { text: "x" }, mode, limits: { timeMs: 1500 } }, opts);
      expect(r2.error?.kind).toBe("time-limit");
    }
  });

  it("stops on the memory and output limits and reports traps with the node", async () => {
    const mem = await runDesign({ topology: one(), input: { text: "grow" }, mode: "in-process", limits: { memoryBytes: 32 * 2 ** 20 } }, opts);
    expect(mem.error).toMatchObject({ kind: "memory-limit", nodeId: "bad" });
    // Past 4× the limit V8 refuses to grow the memory inside the call; still reported as the memory limit.
    const capped = await runDesign({ topology: one(), input: { text: "grow" }, mode: "in-process", limits: { memoryBytes: 16 * 2 ** 20 } }, opts);
    expect(capped.error).toMatchObject({ kind: "memory-limit", nodeId: "bad" });
    const big = await runDesign({ topology: one(), input: { text: "big" }, mode: "in-process", limits: { outputBytes: 2 ** 20 } }, opts);
    expect(big.error).toMatchObject({ kind: "output-limit", nodeId: "bad" });
    const trap = await runDesign({ topology: one(), input: { text: "trap" }, mode: "network" }, opts);
    expect(trap.error).toMatchObject({ kind: "trap", nodeId: "bad" });
    expect(trap.nodes.bad!.error).toMatch(/unreachable/);
    // 1 MiB of stderr: reported up to the output limit, then one notice.
    const chatty = await runDesign({ topology: one(), input: { text: "chatty" }, mode: "in-process", limits: { outputBytes: 64 * 1024 } }, opts);
    expect(outputText(chatty)).toBe("chatty");
    const shown = chatty.events.flatMap((e) => (e.type === "stdio" && e.nodeId === "bad" ? [e.text] : [])).join("");
    expect(shown.startsWith("zzzz")).toBe(true);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThanOrEqual(64 * 1024);
    expect(chatty.events.filter((e) => e.type === "stdio" && e.text.includes("is not shown"))).toHaveLength(1);
  });
});
