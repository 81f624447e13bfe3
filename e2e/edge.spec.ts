// The HTTP edge as a browser and the network see it, on the production build:
// DNS rebinding (foreign Host), cross-site writes, content types, the 32 MiB
// run body (the proxy used to cut bodies at 10 MB), and the listen rule.
import { expect, test } from "@playwright/test";
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";

const port = Number(process.env.E2E_PORT);

/** A raw request (fetch cannot set Host). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    r.on("error", reject);
    r.end(body);
  });
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

test("a foreign Host header (DNS rebinding) is refused on pages and APIs", async () => {
  for (const path of ["/", "/api/projects", "/api/health"]) {
    const r = await raw("GET", path, { host: `rebind.attacker.example:${port}` });
    expect([path, r.status]).toEqual([path, 403]);
  }
  expect((await raw("GET", "/api/projects", { host: `localhost:${port}` })).status).toBe(200);
});

test("cross-site writes are refused and change nothing; JSON routes need application/json", async ({ request }) => {
  const before = ((await (await request.get("/api/projects")).json()) as unknown[]).length;
  const body = JSON.stringify({ name: "from evil" });
  const host = `127.0.0.1:${port}`;
  const evil = await raw("POST", "/api/projects", { host, origin: "https://evil.example", "content-type": "application/json" }, body);
  expect(evil.status).toBe(403);
  expect(JSON.parse(evil.body).error.kind).toBe("cross-site-request");
  expect((await raw("POST", "/api/projects", { host, "sec-fetch-site": "cross-site", "content-type": "text/plain" }, body)).status).toBe(403);
  // What a cross-site HTML form could send without a preflight: refused by type.
  expect((await raw("POST", "/api/projects", { host, "content-type": "text/plain" }, body)).status).toBe(415);
  expect((await raw("POST", "/api/images", { host, "content-type": "multipart/form-data; boundary=x" }, "--x--")).status).toBe(415);
  expect((await raw("POST", "/api/components", { host, "content-type": "text/plain" }, "\0asm")).status).toBe(415);
  expect(((await (await request.get("/api/projects")).json()) as unknown[]).length).toBe(before);
  // The app itself (same origin) still writes.
  const ok = await raw("POST", "/api/projects", { host, origin: `http://${host}`, "sec-fetch-site": "same-origin", "content-type": "application/json" }, body);
  expect(ok.status).toBe(201);
});

test("the health endpoint reports storage", async ({ request }) => {
  const h = (await (await request.get("/api/health")).json()) as { ok: boolean; storage: { usedBytes: number; quotaBytes: number; retentionDays: number } };
  expect(h.ok).toBe(true);
  expect(h.storage.quotaBytes).toBe(20 * 2 ** 30);
  expect(h.storage.retentionDays).toBe(14);
  expect(h.storage.usedBytes).toBeGreaterThanOrEqual(0);
});

test("a run body over 10 MB reaches the route whole (the documented limit is 32 MiB)", async () => {
  const big = JSON.stringify({ design: { nope: true }, input: { text: "x".repeat(11 * 2 ** 20) } });
  const r = await raw("POST", "/api/run", { host: `127.0.0.1:${port}`, "content-type": "application/json" }, big);
  // Parsed in full: the refusal is about the design, not a cut-off body.
  expect(r.status).toBe(400);
  expect(JSON.parse(r.body).error).toMatchObject({ kind: "invalid-request" });
  expect(JSON.parse(r.body).error.message).toMatch(/^design:/);
  const tooBig = await raw("POST", "/api/run", { host: `127.0.0.1:${port}`, "content-type": "application/json", "content-length": String(33 * 2 ** 20) });
  expect(tooBig.status).toBe(413);
});

test("the server itself refuses to listen on all interfaces without a token (bare next start)", async () => {
  const p = await freePort();
  for (const args of [["-H", "0.0.0.0"], []]) {
    const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", ...args, "-p", String(p)], {
      env: { ...process.env, TRELLIS_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(null);
      }, 60_000);
      child.on("exit", (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    expect([args, code]).toEqual([args, 1]);
    expect(err).toContain("refusing to listen on all interfaces");
  }
});
