import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IFACE } from "../builtins/catalog";
import type { Topology } from "../graph/types";
import { encodeValue } from "./codec";
import { prepareComposed } from "./composed-run";
import { GraphHost } from "./host";
import type { HostSpec, PreparedRun } from "./host-types";
import { leanHostImports, leanHostSummary, type GlueStats } from "./lean-host-glue";
import { effectiveLimits, prepareRun } from "./run";
import { resolveBuiltin } from "./resolve";
import { transpileCached } from "./transpile";
import { WireTap } from "./wire-tap";
import { CallRecorder } from "./call-recorder";

const cacheDir = mkdtempSync(join(tmpdir(), "trellis-lean-host-"));
const sample = (JSON.parse(readFileSync("examples/sample-csv-over-http.json", "utf8")) as { topology: Topology }).topology;
let linked: PreparedRun;
let composed: PreparedRun;

beforeAll(async () => {
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
  const p = await prepareRun(sample, undefined, { cacheDir });
  if (!p.ok) throw new Error(p.error.message);
  linked = p.value;
  const c = await prepareComposed(linked, sample, resolveBuiltin);
  if (!c.ok) throw new Error(c.error.message);
  composed = c.value;
}, 180_000);
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

/** The prepared run hosted in this process (as its in-process run process hosts it), with each component's task counts. */
async function host(p: PreparedRun, leanHostCalls: boolean): Promise<{ host: GraphHost; stats: Map<string, GlueStats>; entry: string }> {
  const components: HostSpec["components"] = [];
  for (const id of p.plan.order) {
    const n = p.plan.nodes[id]!;
    const t = p.transpiled.get(id) ?? (await transpileCached(new Uint8Array(readFileSync(p.pendingComponents.get(id)!)), cacheDir));
    components.push({ id, name: n.name, dir: t.dir, jsFile: t.jsFile, imports: t.imports, bindings: n.bindings, ...(p.composed && id === p.plan.entry.nodeId ? { members: p.composed } : {}) });
  }
  const stats = new Map<string, GlueStats>();
  const spec: HostSpec = {
    runStart: Date.now(),
    components,
    keyvalueStores: p.plan.keyvalueStores,
    commands: [],
    services: [],
    remote: {},
    limits: effectiveLimits(),
    record: false,
    callToken: "t",
    glue: { leanHostCalls, stats },
  };
  return { host: await GraphHost.create(spec, () => {}), stats, entry: p.plan.entry.nodeId };
}

const request = (to: string, i: number) => {
  // Seven distinct orders (the cache misses, then hits), a health check, and a body that is not JSON.
  const [method, path, body] = i % 11 === 5 ? ["GET", "/health", ""] : i % 13 === 7 ? ["POST", "/", "not json {"] : ["POST", "/", JSON.stringify([{ order: i % 7, item: `tea ${i % 7}` }])];
  return {
    to,
    interface: IFACE.incomingHandler,
    function: "handle",
    args: [encodeValue({ method, path, headers: [["content-type", "application/json"]], body: new TextEncoder().encode(body) })],
    from: null,
    linkId: null,
  };
};

function answer(h: GraphHost, to: string, i: number): string {
  const r = h.invokeHttp(request(to, i));
  if (r.error) return `error ${r.error.kind}: ${r.error.message}`;
  const v = r.value as { status: number; headers: Array<[string, string]>; body: Uint8Array };
  return JSON.stringify([v.status, v.headers, new TextDecoder().decode(v.body)]);
}

const total = (stats: Map<string, GlueStats>, f: (s: GlueStats) => number) => [...stats.values()].reduce((n, s) => n + f(s), 0);

describe("lean sync host calls", () => {
  it("rewrites every sync host import of the built-ins the sample runs, composed and JS-linked", async () => {
    for (const p of [composed, linked])
      for (const id of p.plan.order) {
        const t = p.transpiled.get(id) ?? (await transpileCached(new Uint8Array(readFileSync(p.pendingComponents.get(id)!)), cacheDir));
        const glue = readFileSync(t.jsFile, "utf8");
        const hostImports = (glue.match(/ = _trampoline\d+\.manuallyAsync \? /g) ?? []).length;
        const summary = leanHostSummary(glue);
        expect(summary).toEqual({ lean: hostImports, kept: [] }); // json-to-csv imports nothing of the host: 0
        expect(glue).not.toContain("table._createdReps.add(rep)");
      }
  });

  for (const mode of ["composed", "JS-linked"] as const)
    it(`answers as jco's lowering does, with one task per request per component and nothing left behind (${mode})`, async () => {
      const p = mode === "composed" ? composed : linked;
      const lean = await host(p, true);
      const jco = await host(p, false);
      try {
        for (let i = 0; i < 40; i++) expect(answer(lean.host, lean.entry, i)).toBe(answer(jco.host, jco.entry, i));
        expect(answer(lean.host, lean.entry, 1)).toContain("order,item");
        // Counted, not timed: the work per request stays the same however many requests came before.
        const counts = () => new Map([...lean.stats.entries()].map(([id, st]) => [id, { tasks: st.tasksCreated, calls: lean.host.summaries.get(id)?.calls ?? 0 }]));
        const slots = total(lean.stats, (s) => s.handleSlots?.() ?? 0);
        const before = counts();
        const jcoBefore = total(jco.stats, (s) => s.tasksCreated);
        const n = 300;
        for (let i = 40; i < 40 + n; i++) answer(lean.host, lean.entry, i);
        for (let i = 40; i < 40 + n; i++) answer(jco.host, jco.entry, i);
        const after = counts();
        expect([...after.keys()].sort()).toEqual(mode === "composed" ? ["gateway"] : ["cache", "csv", "gateway"]);
        for (const [id, was] of before) {
          // Each call into a component's export is a task; its host calls make none, and so do the
          // calls a composed unit's entry makes to its members.
          const now = after.get(id)!;
          expect([id, now.tasks - was.tasks]).toEqual([id, mode === "composed" ? n : now.calls - was.calls]);
          expect(now.calls - was.calls).toBeGreaterThan(id === "csv" ? 0 : n / 2);
        }
        expect(total(lean.stats, (s) => s.liveTasks?.() ?? 0)).toBe(0);
        expect(total(lean.stats, (s) => s.liveHandles?.() ?? 0)).toBe(0);
        expect(total(lean.stats, (s) => s.handleSlots?.() ?? 0)).toBe(slots);
        // jco's own lowering makes a task and a subtask for each host call (the gateway makes about 18).
        expect((total(jco.stats, (s) => s.tasksCreated) - jcoBefore) / n).toBeGreaterThan(10);
        expect(total(jco.stats, (s) => s.liveTasks?.() ?? 0)).toBe(0);
      } finally {
        await lean.host.close();
        await jco.host.close();
      }
    }, 60_000);

  it("keeps jco's path, saying why, for a host import the lean path was not written for", async () => {
    const { transpile } = await import("@bytecodealliance/jco");
    const bytes = new Uint8Array(readFileSync("build/builtins/kv-cache.wasm"));
    const out = await transpile(bytes, { name: "component", instantiation: "async", multiMemory: true, noTypescript: true, quiet: true });
    const raw = Buffer.from(out.files["component.js"]!).toString("utf8");
    expect(leanHostImports(raw).kept).toEqual([]);
    const names = leanHostImports(raw).lean;
    expect(names.length).toBeGreaterThanOrEqual(3);
    // One trampoline asking its task something the stand-in does not answer, one binding lowered async.
    const [first, second] = names as [string, string];
    const odd = raw
      .replace(new RegExp(`(const ${first} = function\\([^)]*\\) \\{\\n)`), "$1    if (false) task.mayBlock();\n")
      .replace(new RegExp(`(trampolineIdx: ${second.slice("_trampoline".length)},\\n\\s*componentIdx: \\d+,\\n\\s*)isAsync: false,((?:(?!importFn)[\\s\\S])*importFn: ${second},\\n  \\},\\n  \\);)`), "$1isAsync: true,$2");
    const r = leanHostImports(odd);
    expect(r.kept.map((k) => [k.trampoline, k.reason])).toEqual([
      [first, "calls task.mayBlock()"],
      [second, "async-lowered import"],
    ]);
    expect(r.lean).toEqual(names.filter((n) => n !== first && n !== second));
    // Their bindings are jco's, untouched; the others choose at instantiation.
    for (const n of [first, second]) expect(r.js).not.toMatch(new RegExp(`let trampoline\\d+ = ${n}\\.manuallyAsync \\? [^;]*__leanHost \\?`));
    expect(leanHostSummary(r.js)?.kept).toHaveLength(2);
    // A composed unit with a host import on jco's path enters only host-free members itself.
    const rec = new CallRecorder({ runStart: Date.now(), limits: effectiveLimits(), record: false }, () => {});
    const unit = (js: string) => `${js.split("\n")[0]}\nconst instanceFlags0 = new WebAssembly.Global\nconst instanceFlags1 = new WebAssembly.Global`;
    const members = { nodes: ["a", "b"], links: [{ linkId: "l", from: "a", to: "b" }], hostFree: [] };
    const tap = WireTap.create(rec, "a", members, unit(r.js))!;
    expect([tap.hostCallsLean, tap.enter(0, 1)]).toEqual([false, false]);
    tap.exit();
    const leanTap = WireTap.create(rec, "a", members, unit(leanHostImports(raw).js))!;
    expect([leanTap.hostCallsLean, leanTap.enter(0, 1)]).toEqual([true, true]);
    leanTap.exit();
    // jco's path chosen at instantiation: not lean.
    expect(WireTap.create(rec, "a", members, unit(leanHostImports(raw).js), false)!.hostCallsLean).toBe(false);
  }, 60_000);
});
