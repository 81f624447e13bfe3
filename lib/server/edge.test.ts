import { describe, expect, it } from "vitest";
import { readJson, checkUploadType } from "./body";
import { route } from "./edge";
import { HttpError, apiError } from "./errors";
import { listenRefusal, hostFromArgv, addressesToCheck } from "./listen";
import { crossSiteReason, hostAllowed, hostnameOf } from "./origin";
import { clampInt } from "./limits";
import { sseResponse } from "./sse";

const post = (body: BodyInit | null, headers: Record<string, string> = {}) => new Request("http://127.0.0.1:3000/api/x", { method: "POST", body, headers });

describe("Host allowlist", () => {
  it("answers loopback names and configured hosts only", () => {
    for (const h of ["localhost:3000", "127.0.0.1", "127.1.2.3:80", "[::1]:3000", "app.localhost"]) expect(hostAllowed(h, []), h).toBe(true);
    for (const h of ["evil.example", "10.0.0.5:3000", "localhost.evil.example", "", null]) expect(hostAllowed(h, []), String(h)).toBe(false);
    expect(hostAllowed("trellis.lan:3000", ["trellis.lan"])).toBe(true);
    expect(hostAllowed("anything", ["*"])).toBe(true);
    expect(hostnameOf("[::1]:3000")).toBe("::1");
  });
});

describe("cross-site check", () => {
  const h = (o: Record<string, string>) => new Headers({ host: "127.0.0.1:3000", ...o });
  it("allows same-origin and non-browser requests, refuses others", () => {
    expect(crossSiteReason(h({}))).toBeNull();
    expect(crossSiteReason(h({ "sec-fetch-site": "same-origin", origin: "http://127.0.0.1:3000" }))).toBeNull();
    expect(crossSiteReason(h({ "sec-fetch-site": "none" }))).toBeNull();
    expect(crossSiteReason(h({ "sec-fetch-site": "cross-site" }))).toMatch(/cross-site/);
    expect(crossSiteReason(h({ origin: "http://localhost:3000" }))).toMatch(/not this server/);
    expect(crossSiteReason(h({ origin: "garbage" }))).toMatch(/not a URL/);
  });
});

describe("JSON bodies", () => {
  it("require application/json, a size limit, and valid JSON; empty is undefined", async () => {
    expect(await readJson(post('{"a":1}', { "content-type": "application/json; charset=utf-8" }))).toEqual({ ok: true, value: { a: 1 } });
    expect(await readJson(post(null))).toEqual({ ok: true, value: undefined });
    const kind = async (r: Promise<{ ok: boolean; error?: { kind: string } }>) => ((await r).ok ? "ok" : (await r).error!.kind);
    expect(await kind(readJson(post('{"a":1}', { "content-type": "text/plain" })))).toBe("unsupported-content-type");
    expect(await kind(readJson(post("a=1", { "content-type": "application/x-www-form-urlencoded" })))).toBe("unsupported-content-type");
    expect(await kind(readJson(post('{"a":1}')))).toBe("unsupported-content-type");
    expect(await kind(readJson(post("{nope", { "content-type": "application/json" })))).toBe("invalid-json");
    expect(await kind(readJson(post("[" + "1,".repeat(100) + "1]", { "content-type": "application/json" }), 50))).toBe("too-large");
  });
  it("uploads take their own raw types, never a form", () => {
    expect(checkUploadType(new Headers({ "content-type": "application/wasm" }), ["application/wasm"], "x")).toBeNull();
    expect(checkUploadType(new Headers({ "content-type": "multipart/form-data; boundary=x" }), ["application/wasm"], "x")?.kind).toBe("unsupported-content-type");
    expect(checkUploadType(new Headers(), ["application/wasm"], "x")?.kind).toBe("unsupported-content-type");
  });
});

describe("route()", () => {
  it("maps thrown errors: HttpError to its status, anything else to a 500 without details", async () => {
    const typed = route({}, () => {
      throw new HttpError(apiError("revision-conflict", "stale"));
    });
    const r = await typed(new Request("http://localhost/"));
    expect([r.status, await r.json()]).toEqual([409, { error: { kind: "revision-conflict", message: "stale" } }]);
    const boom = route({}, () => {
      throw new Error("secret path /etc/x");
    });
    const orig = console.error;
    console.error = () => undefined;
    try {
      const b = await boom(new Request("http://localhost/"));
      expect(b.status).toBe(500);
      expect(JSON.stringify(await b.json())).not.toContain("/etc/x");
    } finally {
      console.error = orig;
    }
  });
  it("reads a JSON body for the handler and refuses the wrong type before it runs", async () => {
    let ran = 0;
    const h = route({ body: { json: {} } }, ({ body }) => {
      ran++;
      return Response.json(body);
    });
    expect(await (await h(post('{"x":2}', { "content-type": "application/json" }))).json()).toEqual({ x: 2 });
    expect((await h(post('{"x":2}', { "content-type": "text/plain" }))).status).toBe(415);
    expect(ran).toBe(1);
  });
});

describe("listen rule", () => {
  it("needs a token for anything but loopback, including next start without -H", () => {
    expect(listenRefusal(["127.0.0.1"], undefined)).toBeNull();
    expect(listenRefusal(["::1"], undefined)).toBeNull();
    expect(listenRefusal(["0.0.0.0"], undefined)).toMatch(/refusing to listen on all interfaces/);
    expect(listenRefusal(["192.168.1.4"], undefined)).toMatch(/192\.168\.1\.4/);
    expect(listenRefusal([null], undefined)).toMatch(/no -H given/);
    expect(listenRefusal(["0.0.0.0"], "tok")).toBeNull();
    expect(hostFromArgv(["node", "next", "start", "-H", "0.0.0.0"])).toBe("0.0.0.0");
    expect(hostFromArgv(["node", "next", "start", "--hostname=::"])).toBe("::");
    expect(addressesToCheck(["node", "node_modules/next/dist/bin/next", "start", "-p", "3000"])).toEqual([null]);
  });
});

describe("clampInt", () => {
  it("keeps numbers in range and falls back on garbage", () => {
    expect(clampInt("5", { min: 1, max: 10, fallback: 3 })).toBe(5);
    expect(clampInt("50", { min: 1, max: 10, fallback: 3 })).toBe(10);
    expect(clampInt(-4, { min: 1, max: 10, fallback: 3 })).toBe(1);
    expect(clampInt("x", { min: 1, max: 10, fallback: 3 })).toBe(3);
    expect(clampInt(null, { min: 1, max: 10, fallback: 3 })).toBe(3);
  });
});

describe("SSE writer", () => {
  it("frames events, runs the clean-up once when the caller closes", async () => {
    let cleaned = 0;
    const res = sseResponse(
      new Request("http://localhost/"),
      (ch) => {
        ch.send("a", { n: 1 }, 7);
        queueMicrotask(() => {
          ch.send("b", [2]);
          ch.close();
          ch.send("late", 1);
        });
        return () => cleaned++;
      },
      { heartbeatMs: 0, retryMs: 1000 },
    );
    expect(await res.text()).toBe('retry: 1000\n\nid: 7\nevent: a\ndata: {"n":1}\n\nevent: b\ndata: [2]\n\n');
    expect(cleaned).toBe(1);
  });
  it("cleans up when the client goes away", async () => {
    let cleaned = 0;
    const ac = new AbortController();
    const res = sseResponse(new Request("http://localhost/", { signal: ac.signal }), () => () => cleaned++, { heartbeatMs: 0 });
    ac.abort();
    await res.text();
    expect(cleaned).toBe(1);
  });
});

describe("routes with their own credential (auth)", () => {
  it("replace the access-token check, and still refuse a foreign Host", async () => {
    const h = route<{ id: string }>({ auth: (req, p) => req.headers.get("x-job-token") === `t-${p.id}` }, ({ params }) => Response.json({ id: params.id }));
    const get = (headers: Record<string, string>) => h(new Request("http://127.0.0.1:3000/api/internal/x", { headers: { host: "127.0.0.1:3000", ...headers } }), { params: Promise.resolve({ id: "7" }) });
    process.env.TRELLIS_TOKEN = "server-secret";
    try {
      expect((await get({ "x-job-token": "t-7" })).status).toBe(200);
      expect((await get({ "x-job-token": "t-8" })).status).toBe(401);
      // The server's own token opens nothing here.
      expect((await get({ authorization: "Bearer server-secret" })).status).toBe(401);
      expect((await get({ "x-job-token": "t-7", host: "rebind.example" })).status).toBe(403);
    } finally {
      delete process.env.TRELLIS_TOKEN;
    }
  });
});
