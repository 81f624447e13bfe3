import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "../../app/api/run/route";
import { acquireRunSlot, parseRunRequest } from "./request";
import { csvPipeline } from "./sample-designs";

const design = { trellisVersion: 1, name: "csv", topology: csvPipeline() };

beforeAll(() => {
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
}, 300_000); // build.sh took 29–83 s on a loaded 2-core machine

describe("parseRunRequest", () => {
  it("accepts a valid body and refuses bad ones with reasons", () => {
    const r = parseRunRequest({ design, input: { text: "x" }, mode: "network", limits: { timeMs: 500 } });
    expect(r.ok && r.value.mode).toBe("network");
    const bad = (b: unknown) => {
      const x = parseRunRequest(b);
      return x.ok ? "accepted" : x.error.message;
    };
    expect(bad(null)).toMatch(/JSON object/);
    expect(bad({ design: { name: 1 }, input: { text: "" } })).toMatch(/^design:/);
    expect(bad({ design, input: { text: "" }, mode: "cloud" })).toMatch(/mode/);
    expect(bad({ design, input: 5 })).toMatch(/input must be/);
    expect(bad({ design, input: { text: "" }, limits: { timeMs: -1 } })).toMatch(/limits.timeMs/);
    expect(bad({ design, input: { text: "" }, composed: "yes" })).toMatch(/composed must be true or false/);
    expect(bad({ design, input: { text: "" }, mode: "network", composed: true })).toMatch(/a composed run is an in-process run/);
    const c = parseRunRequest({ design, input: { text: "" }, composed: true });
    expect(c.ok && [c.value.mode, c.value.composed]).toEqual(["in-process", true]);
  });

  it("caps concurrent runs", () => {
    const a = acquireRunSlot(1);
    expect(a).toBeTypeOf("function");
    expect(acquireRunSlot(1)).toBeUndefined();
    a!();
    a!(); // releasing twice frees one slot only
    const b = acquireRunSlot(1);
    expect(b).toBeTypeOf("function");
    b!();
  });
});

describe("POST /api/run", () => {
  const req = (body: unknown, accept = "application/json") =>
    new Request("http://127.0.0.1/api/run", { method: "POST", headers: { "content-type": "application/json", accept }, body: JSON.stringify(body) });

  it("answers a run as JSON", async () => {
    const res = await POST(req({ design, input: { json: [{ a: 1 }] }, mode: "in-process" }));
    expect(res.status).toBe(200);
    const r = (await res.json()) as { ok: boolean; output: { body: { $text: string } }; nodes: Record<string, { calls: number }> };
    expect(r.ok).toBe(true);
    expect(r.nodes.csv!.calls).toBe(1);
    expect((await POST(req({ design, input: {} }))).status).toBe(400);
    const notJson = await POST(new Request("http://127.0.0.1/api/run", { method: "POST", body: "{nope", headers: { "content-type": "application/json" } }));
    expect([notJson.status, ((await notJson.json()) as { error: { kind: string } }).error.kind]).toEqual([400, "invalid-json"]);
    const form = await POST(new Request("http://127.0.0.1/api/run", { method: "POST", body: "a=b", headers: { "content-type": "application/x-www-form-urlencoded" } }));
    expect(form.status).toBe(415);
  });

  it("runs the design composed into one component when asked (same answer as the JS-linked run)", async () => {
    const body = { design, input: { json: [{ a: 1, b: "x" }] }, mode: "in-process" };
    type Answer = { ok: boolean; output: unknown; error?: unknown; events: { type: string; nodes?: string[] }[] };
    const linked = (await (await POST(req(body))).json()) as Answer;
    const composed = (await (await POST(req({ ...body, composed: true }))).json()) as Answer;
    expect(composed.error).toBeUndefined();
    // JS-linked, each component is a node of the run; composed, the group is one component under the entry's id
    expect(linked.events[0]!.nodes!.length).toBeGreaterThan(1);
    expect(composed.events[0]!.nodes).toHaveLength(1);
    expect(composed.ok).toBe(true);
    expect(composed.output).toEqual(linked.output);
  }, 120_000);

  it("refuses bodies over the size cap without reading them whole", async () => {
    const { MAX_RUN_BODY_BYTES } = await import("./request");
    const big = new Request("http://127.0.0.1/api/run", { method: "POST", body: "x".repeat(MAX_RUN_BODY_BYTES + 1), headers: { "content-type": "application/json" } });
    expect((await POST(big)).status).toBe(413);
    const declared = new Request("http://127.0.0.1/api/run", { method: "POST", body: "{}", headers: { "content-type": "application/json", "content-length": "999999999" } });
    expect((await POST(declared)).status).toBe(413);
  });

  it("streams events as SSE, ending with the result", async () => {
    const res = await POST(req({ design, input: { text: '{"k":"v"}' }, mode: "in-process" }, "text/event-stream"));
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text();
    const names = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(names[0]).toBe("started");
    expect(names).toContain("call");
    expect(names.slice(-2)).toEqual(["finished", "result"]);
    const last = JSON.parse(text.trim().split("\n").at(-1)!.slice("data: ".length)) as { ok: boolean; nodes: object };
    expect(last.ok).toBe(true);
  });
});

describe("POST /api/run/compare", () => {
  it("measures both modes on the same design", async () => {
    const { POST: compare } = await import("../../app/api/run/compare/route");
    const res = await compare(
      new Request("http://127.0.0.1/api/run/compare", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ design, input: { json: [{ a: 1 }] }, requests: 40, limits: { timeMs: 1e12, memoryBytes: 1e15, outputBytes: 1e15 } }) }),
    );
    expect(res.status).toBe(200);
    const c = (await res.json()) as { limits: object; inProcess: { requests: number; processes: number; wire: { count: number } }; network: { processes: number; rssBytes: number }; throughputRatio: number };
    // At least the requests asked for (after its warm-up a mode measures at least a second's worth: measuredRequests).
    expect(c.inProcess.requests).toBeGreaterThanOrEqual(40);
    expect(c.inProcess.processes).toBe(1);
    expect(c.network.processes).toBe(3);
    expect(c.inProcess.wire.count).toBe(2 * c.inProcess.requests); // two wires per request; the warm-up is not counted (compare resets its counters after it)
    expect(c.network.rssBytes).toBeGreaterThan(0);
    expect(c.throughputRatio).toBeGreaterThan(0);
    // User limits are clamped like a run's (they used to reach the sessions as sent).
    expect(c.limits).toEqual({ timeMs: 15 * 60_000, memoryBytes: 2 * 2 ** 30, outputBytes: 64 * 2 ** 20 });
    const bad = await compare(new Request("http://127.0.0.1/", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ design, input: { text: "" }, requests: 0 }) }));
    expect(bad.status).toBe(400);
  });
});
