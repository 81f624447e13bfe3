import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeValue, encodeValue, previewValue, valueSize } from "./codec";
import { entryCall, inputBytes } from "./entry";
import { keyvalueImport, KvError, MemoryKeyValue } from "./kv-store";
import { effectiveLimits, RunClock } from "./run";
import { latencyStats } from "./stats";

describe("codec", () => {
  it("round-trips what jco passes across boundaries", () => {
    const v = { a: new Uint8Array([0, 255, 7]), n: 12n, list: [1, "x", null, true], nested: { tag: "ok", val: { $weird: 1 } }, f: Float32Array.from([1.5]) };
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(v)))) as typeof v;
    expect(back.a).toEqual(v.a);
    expect(back.n).toBe(12n);
    expect(back.list).toEqual(v.list);
    expect(back.nested).toEqual(v.nested);
    expect(back.f).toEqual(v.f);
  });

  it("previews cut big bytes but keep their size, and add text for UTF-8", () => {
    const p = previewValue(new Uint8Array(10_000).fill(65), 16) as { $size: number; $truncated: boolean; $text: string };
    expect(p.$size).toBe(10_000);
    expect(p.$truncated).toBe(true);
    expect(p.$text).toBe("A".repeat(16));
    expect((previewValue(new Uint8Array([0xff])) as { $text?: string }).$text).toBeUndefined();
    expect(valueSize({ s: "é", b: new Uint8Array(3), l: [new Uint8Array(2)] })).toBe(7);
  });
});

describe("entry calls", () => {
  it("maps inputs to the entry interface's function", () => {
    const stage = entryCall("trellis:pipeline/stage", { text: "hi" });
    expect(stage.ok && stage.value.function).toBe("process");
    const h = entryCall("trellis:pipeline/handler", { json: { a: 1 } });
    expect(h.ok && (h.value.args[0] as { headers: unknown }).headers).toEqual([["content-type", "application/json"]]);
    const t = entryCall("trellis:pipeline/text", { base64: Buffer.from("a b").toString("base64") });
    expect(t.ok && t.value.args).toEqual(["a b"]);
    const notText = entryCall("trellis:pipeline/table", { base64: "/w==" });
    expect(!notText.ok && notText.error.kind).toBe("invalid-request");
    expect(inputBytes({ base64: "!!" }).ok).toBe(false);
    const get = entryCall("wasi:http/incoming-handler", { text: "" }, { method: "GET", path: "/health?x=1", headers: [["accept", "*/*"]] });
    expect(get.ok && get.value.args[0]).toMatchObject({ method: "GET", path: "/health?x=1", headers: [["accept", "*/*"]] });
    for (const bad of [{ method: "get me" }, { path: "no-slash" }, { path: "/a b" }, { headers: [["bad name", "v"]] as Array<[string, string]> }]) {
      const r = entryCall("trellis:pipeline/handler", { text: "" }, bad);
      expect(!r.ok && r.error.kind).toBe("invalid-request");
    }
  });

  it("clamps limits", () => {
    expect(effectiveLimits({ timeMs: 1e12, memoryBytes: 1, outputBytes: Number.NaN })).toEqual({ timeMs: 120_000, memoryBytes: 16 * 2 ** 20, outputBytes: 4 * 2 ** 20 });
  });

  it("computes latency percentiles", () => {
    const xs = Array.from({ length: 100 }, (_v, i) => 100 - i);
    expect(latencyStats(xs)).toEqual({ count: 100, p50: 51, p99: 100 });
    expect(latencyStats([])).toEqual({ count: 0, p50: 0, p99: 0 });
  });
});

describe("run clock", () => {
  afterEach(() => vi.useRealTimers());

  it("stops while components transpile, which has its own budget", () => {
    vi.useFakeTimers();
    const clock = new RunClock(1000, 3000);
    let fired = 0;
    clock.start(() => fired++);
    vi.advanceTimersByTime(500);
    clock.compiling("a", false);
    clock.compiling("b", false);
    vi.advanceTimersByTime(2000); // transpiling: the run's clock stands still
    clock.compiling("a", true);
    vi.advanceTimersByTime(500); // b still transpiling
    clock.compiling("b", true);
    vi.advanceTimersByTime(499);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(2);
    expect([fired, clock.expired, clock.compileExceeded]).toEqual([1, true, false]);
  });

  it("expires when transpiling exceeds its budget", () => {
    vi.useFakeTimers();
    const clock = new RunClock(1000, 3000);
    let fired = 0;
    clock.start(() => fired++);
    clock.compiling("a", false);
    vi.advanceTimersByTime(3001);
    expect([fired, clock.compileExceeded]).toEqual([1, true]);
    clock.stop();
  });
});

describe("transpile cache", () => {
  it("reads jco's debug switch once per module, not on every call", async () => {
    const { tuneGlue } = await import("./transpile");
    const js = "const _debugLog = (...args) => {\n    if (!globalThis?.process?.env?.JCO_DEBUG) { return; }\n    console.debug(...args);\n  };";
    const tuned = tuneGlue(js);
    expect(tuned).not.toContain("if (!globalThis?.process?.env?.JCO_DEBUG)");
    expect(tuned.startsWith("const __jcoDebug = !!globalThis?.process?.env?.JCO_DEBUG;")).toBe(true);
    expect(tuneGlue("export const x = 1;")).toBe("export const x = 1;");
  });


  it("lets a wire tap in the import object see each call through a composed component's enter/exit trampolines", async () => {
    const { tuneGlue, glueInstanceOrder, WIRE_TAP_IMPORT } = await import("./transpile");
    const glue = [
      "const seen = [];",
      "const CURRENT_TASK_META = {};",
      "function _symmetricSyncGuestCallEnter(a, b, c) { seen.push(`enter ${a}>${c}`); return 1; }",
      "function _symmetricSyncGuestCallExit() { seen.push('exit'); }",
      "export function instantiate(imports) {",
      "  const instanceFlags1 = new WebAssembly.Global({ value: 'i32', mutable: true }, 1);",
      "  const instanceFlags4 = new WebAssembly.Global({ value: 'i32', mutable: true }, 1);",
      "  const trampoline1 = _symmetricSyncGuestCallEnter;",
      "  const trampoline3 = _symmetricSyncGuestCallExit;",
      "  return () => { const r = trampoline1(4, 0, 1, false); trampoline3(); return [r, seen]; };",
      "}",
    ].join("\n");
    const tuned = tuneGlue(glue);
    expect(glueInstanceOrder(tuned)).toEqual([1, 4]);
    const mod = (await import(`data:text/javascript,${encodeURIComponent(tuned)}`)) as { instantiate: (i: unknown) => () => [number, string[]] };
    const events: string[] = [];
    const tapOf = (lean: boolean) => ({
      enter: (a: number, c: number) => (events.push(`tap ${a}>${c}`), lean),
      exit: () => (events.push("tap exit"), lean),
    });
    const [r, seen] = mod.instantiate({ [WIRE_TAP_IMPORT]: tapOf(false) })();
    expect(r).toBe(1); // the trampoline's answer is passed through
    expect(events).toEqual(["tap 4>1", "tap exit"]);
    expect(seen).toEqual(["enter 4>1", "exit"]);
    // A tap that enters the callee itself (a member reaching nothing of the host) skips jco's trampolines.
    events.length = 0;
    const [r2, seen2] = mod.instantiate({ [WIRE_TAP_IMPORT]: tapOf(true) })();
    expect([r2, events, seen2.length]).toEqual([1, ["tap 4>1", "tap exit"], 2]);
    // Only where no resource, stream or future crosses a wire (their transfers need jco's tasks).
    const { leanCallsSafe } = await import("./wire-tap");
    expect(leanCallsSafe(tuned)).toBe(true);
    expect(leanCallsSafe(`${tuned}\nfunction resourceTransferBorrow(handle, fromTid, toTid) {}`)).toBe(false);
    // Without a tap the trampolines are jco's own.
    expect(mod.instantiate({})()[0]).toBe(1);
  });

  it("keeps the most recently used entries", async () => {
    const { mkdtempSync, mkdirSync, utimesSync, readdirSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const { pruneCache } = await import("./transpile");
    const dir = mkdtempSync(join(tmpdir(), "trellis-cache-"));
    try {
      for (let i = 0; i < 5; i++) {
        const p = join(dir, String(i).repeat(32));
        mkdirSync(p);
        utimesSync(p, 1000 + i, 1000 + i);
      }
      mkdirSync(join(dir, "commands"));
      expect(pruneCache(dir, 3)).toBe(2);
      expect(readdirSync(dir).sort()).toEqual(["2".repeat(32), "3".repeat(32), "4".repeat(32), "commands"]);
      expect(pruneCache(join(dir, "missing"), 1)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("in-memory wasi:keyvalue", () => {
  it("stores, lists with a cursor, refuses when full, and drops handles", () => {
    const kv = new MemoryKeyValue(10_000);
    const { open, Bucket } = keyvalueImport((op) => ("handle" in op ? (op.function === "drop" ? kv.drop(op.handle) : kv.call(op.handle, op.function, op.args)) : kv.open(op.args[0])));
    const b = open("x") as InstanceType<typeof Bucket & (new (h: number) => { get(k: string): unknown; set(k: string, v: Uint8Array): void; exists(k: string): boolean; listKeys(c?: bigint): { keys: string[]; cursor?: bigint }; delete(k: string): void; handle: number })>;
    for (let i = 0; i < 1001; i++) b.set(`k${String(i).padStart(4, "0")}`, new Uint8Array(0));
    expect(b.exists("k0005")).toBe(true);
    const page = b.listKeys();
    expect(page.keys).toHaveLength(1000);
    expect(page.cursor).toBe(1000n);
    expect(b.listKeys(page.cursor).keys).toEqual(["k1000"]);
    expect(() => b.set("big", new Uint8Array(6000))).toThrow(KvError);
    b.set("v", new Uint8Array([1, 2]));
    expect(b.get("v")).toEqual(new Uint8Array([1, 2]));
    b.delete("v");
    expect(b.get("v")).toBeUndefined();
    const other = open("y") as typeof b;
    expect(other.exists("k0005")).toBe(false);
    kv.drop(b.handle);
    expect(() => kv.call(b.handle, "get", ["k"])).toThrow(/not open/);
  });
});
