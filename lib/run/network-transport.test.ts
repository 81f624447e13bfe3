import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { encodeValue } from "./codec";
import { RunStop, type CallRequest } from "./host-types";
import { RemoteCaller } from "./network-transport";

const req = (fn: string, args: unknown[]): CallRequest => ({ to: "b", interface: "trellis:pipeline/stage", function: fn, args: args.map(encodeValue), from: "a", linkId: "a->b" });

describe("network transport", () => {
  it("carries calls, values, refusals and failures over keep-alive HTTP, only with the run's token", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "lib/run/fixtures/call-server.ts", "secret"], { stdio: ["pipe", "pipe", "inherit"] });
    const [first] = (await once(child.stdout!, "data")) as [Buffer];
    const port = Number(first.toString().trim());
    const latencies: number[] = [];
    const caller = new RemoteCaller("secret", 10_000, (ms) => latencies.push(ms));
    const url = `http://127.0.0.1:${port}`;
    try {
      const v = caller.call(url, req("process", [new Uint8Array([1, 2, 3])])) as { echoed: unknown[]; big: bigint };
      expect(v.big).toBe(2n ** 70n);
      // The host receives the wire encoding (it decodes before calling the component).
      expect(v.echoed).toEqual([{ $bytes: "AQID" }]);
      let e: unknown;
      try {
        caller.call(url, req("refuse", []));
      } catch (x) {
        e = x;
      }
      expect(e).toMatchObject({ payload: "no thanks" });
      try {
        caller.call(url, req("fail", []));
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(RunStop);
      expect((e as RunStop).error).toMatchObject({ kind: "trap", nodeId: "b" });
      expect(latencies).toHaveLength(3);
      expect((await fetch(`${url}/call`, { method: "POST", body: "{}" })).status).toBe(403);
      expect((await fetch(`${url}/call`, { method: "POST", body: "{}", headers: { "x-trellis-run": "secreT" } })).status).toBe(403);
      expect((await fetch(`${url}/other`, { method: "POST", body: "{}", headers: { "x-trellis-run": "secret" } })).status).toBe(404);
      const bad = await fetch(`${url}/call`, { method: "POST", body: "not json", headers: { "x-trellis-run": "secret" } });
      expect(((await bad.json()) as { error: { kind: string } }).error.kind).toBe("invalid-request");
    } finally {
      await caller.close();
      child.kill();
      await once(child, "exit");
    }
    // A host that is gone: a typed network failure naming the callee.
    const orphan = new RemoteCaller("secret", 2000, () => {});
    let gone: unknown;
    try {
      orphan.call(url, req("process", []));
    } catch (x) {
      gone = x;
    }
    await orphan.close();
    expect((gone as RunStop).error).toMatchObject({ kind: "network-failure", nodeId: "b" });
  });
});
