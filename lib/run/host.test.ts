import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IFACE } from "../builtins/catalog";
import { decodeValue, encodeValue } from "./codec";
import { hostedBuiltin, hostSpec } from "./fixtures/hosted";
import { GraphHost } from "./host";
import { RunStop } from "./host-types";
import type { Binding } from "./plan";
import type { RunEvent } from "./types";

const cache = mkdtempSync(join(tmpdir(), "trellis-host-"));
beforeAll(() => {
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
}, 180_000);
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const bind = (iface: string, nodeId: string, kind: Binding["provider"]["kind"] = "node"): Binding => ({
  portId: `imp:${iface}`,
  interface: iface,
  provider: { kind, nodeId, interface: iface, linkId: `${nodeId}->api` },
});

describe("GraphHost", () => {
  it("links local components by direct calls and attributes each call", async () => {
    const events: RunEvent[] = [];
    const spec = hostSpec([
      await hostedBuiltin("csv", "json-to-csv", [], cache),
      await hostedBuiltin("log", "logger", [], cache),
      await hostedBuiltin("api", "http-handler", [bind(IFACE.stage, "csv"), bind(IFACE.log, "log")], cache),
    ]);
    const host = await GraphHost.create(spec, (e) => events.push(e));
    try {
      const body = new TextEncoder().encode('[{"a":1,"b":"x"}]');
      const r = host.invoke({ to: "api", interface: IFACE.handler, function: "handle", args: [encodeValue({ method: "POST", path: "/", headers: [], body })], from: null, linkId: null });
      expect(r.error).toBeUndefined();
      const res = r.value as { status: number; body: Uint8Array };
      expect(res.status).toBe(200);
      expect(new TextDecoder().decode(res.body)).toBe("a,b\n1,x\n");
      expect([host.summaries.get("csv")!.calls, host.summaries.get("log")!.calls, host.summaries.get("api")!.calls]).toEqual([1, 1, 1]);
      const calls = events.flatMap((e) => (e.type === "call" ? [`${e.from}->${e.to} ${e.function}`] : []));
      expect(calls).toEqual(["api->csv process", "api->log log", "null->api handle"]);
      expect(host.wireLatencies).toHaveLength(2);
      expect(events.filter((e) => e.type === "node-ready").map((e) => (e as { nodeId: string }).nodeId)).toEqual(["csv", "log", "api"]);
      // Refusals come back as such; an unknown function is a missing link, not a crash.
      const refused = host.invoke({ to: "csv", interface: IFACE.stage, function: "process", args: [encodeValue(new TextEncoder().encode("[1]"))], from: null, linkId: null });
      expect(refused.refused).toMatch(/array elements must be objects/);
      expect(host.invoke({ to: "csv", interface: IFACE.stage, function: "nope", args: [], from: null, linkId: null }).error?.kind).toBe("missing-link");
      expect(decodeValue(encodeValue(res.body))).toEqual(res.body);
    } finally {
      await host.close();
    }
  });

  it("refuses an import whose provider is not part of the run", async () => {
    const spec = hostSpec([await hostedBuiltin("api", "http-handler", [bind(IFACE.stage, "gone"), bind(IFACE.log, "gone")], cache)]);
    const e = await GraphHost.create(spec, () => {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RunStop);
    expect((e as RunStop).error).toMatchObject({ kind: "missing-link", nodeId: "api" });
  });
});
