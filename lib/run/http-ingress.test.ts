import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IFACE } from "../builtins/catalog";
import { encodeValue } from "./codec";
import { hostedBuiltin, hostSpec } from "./fixtures/hosted";
import { GraphHost } from "./host";
import type { RunEvent } from "./types";

const cache = mkdtempSync(join(tmpdir(), "trellis-ingress-"));
beforeAll(() => {
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
}, 180_000);
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const request = (method: string, path: string, body: string) => ({
  to: "gateway",
  interface: IFACE.incomingHandler,
  function: "handle",
  args: [encodeValue({ method, path, headers: [["content-type", "application/json"]], body: new TextEncoder().encode(body) })],
  from: null,
  linkId: null,
});

describe("HTTP ingress", () => {
  it("feeds requests to a wasi:http incoming-handler and returns its response, again and again", async () => {
    const events: RunEvent[] = [];
    const spec = hostSpec([
      await hostedBuiltin("csv", "json-to-csv", [], cache),
      await hostedBuiltin("gateway", "http-gateway", [{ portId: "imp:trellis:pipeline/stage", interface: IFACE.stage, provider: { kind: "node", nodeId: "csv", interface: IFACE.stage, linkId: "l" } }], cache),
    ]);
    const host = await GraphHost.create(spec, (e) => events.push(e));
    try {
      for (const n of [1, 2, 3]) {
        const r = await host.invokeHttp(request("POST", "/", `[{"n":${n}}]`));
        expect(r.error).toBeUndefined();
        const res = r.value as { status: number; headers: Array<[string, string]>; body: Uint8Array };
        expect(res.status).toBe(200);
        expect(new TextDecoder().decode(res.body)).toBe(`n\n${n}\n`);
      }
      const health = await host.invokeHttp(request("GET", "/health", ""));
      expect(new TextDecoder().decode((health.value as { body: Uint8Array }).body)).toBe("ok\n");
      const gw = host.summaries.get("gateway")!;
      expect(gw.calls).toBe(4);
      expect(host.summaries.get("csv")!.calls).toBe(3);
      // The gateway's own time excludes the stage it called.
      expect(gw.selfMs).toBeLessThan(gw.totalMs);
      expect(events.filter((e) => e.type === "call" && e.to === "gateway")).toHaveLength(4);
      // Not an incoming-handler: a typed missing link.
      const wrong = await host.invokeHttp({ ...request("POST", "/", ""), to: "csv" });
      expect(wrong.error?.kind).toBe("missing-link");
    } finally {
      await host.close();
    }
  });
});
