import { describe, expect, it } from "vitest";
import { CallRecorder, MAX_CALL_EVENTS } from "./call-recorder";
import { RunStop } from "./host-types";
import { DEFAULT_LIMITS, type CallEvent, type RunEvent } from "./types";

const busy = (ms: number) => {
  const t = performance.now();
  while (performance.now() - t < ms) {
    // spin: time spent in this node
  }
};

function recorder(record = true, limits = DEFAULT_LIMITS) {
  const events: RunEvent[] = [];
  const rec = new CallRecorder({ runStart: Date.now(), limits, record }, (e) => events.push(e));
  return { rec, events, calls: () => events.filter((e): e is CallEvent => e.type === "call") };
}

describe("CallRecorder", () => {
  it("splits a node's time into its own work and the calls it made", () => {
    const { rec, calls } = recorder();
    const out = rec.record({ from: null, to: "a", linkId: null, iface: "i", fn: "f", args: [1] }, () => {
      busy(2);
      return rec.record({ from: "a", to: "b", linkId: "a->b", iface: "i", fn: "g", args: [new Uint8Array([104, 105])] }, () => {
        busy(3);
        return "done";
      });
    });
    expect(out).toBe("done");
    const a = rec.summaries.get("a")!;
    const b = rec.summaries.get("b")!;
    expect(a.calls).toBe(1);
    expect(b.selfMs).toBeCloseTo(b.totalMs, 6);
    expect(a.totalMs).toBeGreaterThanOrEqual(b.totalMs + 2);
    // The recorder's bookkeeping around the inner call is its own, not a's work.
    const t = rec.timing();
    expect(a.selfMs).toBeCloseTo(a.totalMs - b.totalMs - (t.recordingMs - t.recordingTopMs), 6);
    expect(t.links).toEqual([{ linkId: "a->b", from: "a", to: "b", calls: 1, callerMs: b.totalMs, calleeMs: b.totalMs }]);
    // Only the call across a wire (from a node) counts as a wire latency.
    expect(rec.wireLatencies).toHaveLength(1);
    expect(calls().map((c) => [c.from, c.to, c.linkId])).toEqual([
      ["a", "b", "a->b"],
      [null, "a", null],
    ]);
    expect(calls()[0]!.args).toEqual([{ $bytes: "aGk=", $size: 2, $text: "hi" }]);
  });

  it("accounts the ingress around the run's input and remote round trips per wire, and starts afresh on reset", () => {
    const { rec } = recorder(false);
    const t0 = performance.now();
    rec.ingress(() => {
      busy(1); // decoding, building the request…
      rec.record({ from: null, to: "a", linkId: null, iface: "i", fn: "f", args: [] }, () => {
        busy(1);
        rec.remoteCallTook(2, { linkId: "a->r", from: "a", to: "r" });
        return 0;
      });
    });
    const outer = performance.now() - t0;
    const t = rec.timing();
    const a = rec.summaries.get("a")!;
    expect(t.ingressMs).toBeGreaterThanOrEqual(1);
    // The call itself (and its bookkeeping) is not the ingress's: together they make the whole.
    // (Only the bound is checked: how close the sum comes to the outer time
    // depends on the machine's scheduling, and tests hold no timed assertions.)
    expect(t.ingressMs + a.totalMs + t.recordingTopMs).toBeLessThanOrEqual(outer);
    expect(a.selfMs).toBeCloseTo(a.totalMs - 2, 6); // the round trip is not a's own work
    expect(t.links).toEqual([{ linkId: "a->r", from: "a", to: "r", calls: 1, callerMs: 2, calleeMs: 0 }]);
    rec.resetCounters();
    expect([rec.timing().links, rec.timing().ingressMs, rec.summaries.get("a")!.calls, rec.wireLatencies]).toEqual([[], 0, 0, []]);
  });

  it("rethrows refusals (recorded as such) and turns other throws into a trap stop", () => {
    const { rec, calls } = recorder();
    const refusal = Object.assign(new Error("no"), { payload: "bad input" });
    expect(() => rec.record({ from: null, to: "a", linkId: null, iface: "i", fn: "f", args: [] }, () => { throw refusal; })).toThrow(refusal);
    expect(rec.summaries.get("a")!.lastRefusal).toBe("bad input");
    let stop: unknown;
    try {
      rec.record({ from: null, to: "b", linkId: null, iface: "i", fn: "f", args: [] }, () => { throw new WebAssembly.RuntimeError("unreachable"); });
    } catch (e) {
      stop = e;
    }
    expect(stop).toBeInstanceOf(RunStop);
    expect((stop as RunStop).error).toMatchObject({ kind: "trap", nodeId: "b" });
    expect(calls()[1]!.error).toMatch(/unreachable/);
  });

  it("stops a call whose value is over the output limit, and one over the memory limit", () => {
    const { rec } = recorder(false, { ...DEFAULT_LIMITS, outputBytes: 4, memoryBytes: 65536 });
    expect(() => rec.record({ from: null, to: "a", linkId: null, iface: "i", fn: "f", args: [] }, () => "12345")).toThrow(/over the limit of 4/);
    rec.watchMemory("m", new WebAssembly.Memory({ initial: 2 }));
    expect(rec.checkMemory("x")?.error).toMatchObject({ kind: "memory-limit", nodeId: "m" });
  });

  it("caps call events per host and says so once; summaries keep counting", () => {
    const { rec, events, calls } = recorder();
    for (let i = 0; i < MAX_CALL_EVENTS + 5; i++) rec.record({ from: null, to: "a", linkId: null, iface: "i", fn: "f", args: [] }, () => i);
    expect(calls()).toHaveLength(MAX_CALL_EVENTS);
    expect(events.filter((e) => e.type === "stdio")).toHaveLength(1);
    expect(rec.summaries.get("a")!.calls).toBe(MAX_CALL_EVENTS + 5);
  });

  it("attributes output to the running node and cuts it at the output limit", () => {
    const { rec, events } = recorder(true, { ...DEFAULT_LIMITS, outputBytes: 8 });
    rec.record({ from: null, to: "a", linkId: null, iface: "i", fn: "f", args: [] }, () => rec.noteOutput("stderr", "hello world"));
    const stdio = events.filter((e) => e.type === "stdio");
    expect(stdio[0]).toMatchObject({ nodeId: "a", text: "hello wo" });
    expect(stdio[1]).toMatchObject({ nodeId: null, text: expect.stringContaining("not shown") });
  });
});
