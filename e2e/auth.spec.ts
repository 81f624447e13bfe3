import { expect, test } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { snap } from "./helpers";

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

let server: ChildProcess;
let base: string;
let dir: string;

test.beforeAll(async () => {
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), "trellis-auth-"));
  base = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, ["scripts/start.mjs"], {
    env: { ...process.env, PORT: String(port), TRELLIS_DATA_DIR: dir, TRELLIS_TOKEN: "e2e-token" },
    stdio: "ignore",
  });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${base}/api/health`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error("token server did not start");
});

test.afterAll(() => {
  server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

test("with TRELLIS_TOKEN set, pages and APIs need the token", async ({ page }) => {
  expect((await fetch(`${base}/api/projects`)).status).toBe(401);
  expect((await fetch(`${base}/`)).status).toBe(401);
  expect((await fetch(`${base}/api/projects`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  expect((await fetch(`${base}/api/projects`, { headers: { authorization: "Bearer e2e-token" } })).status).toBe(200);
  // Upload routes skip the proxy (it would buffer their bodies) and check the token themselves.
  expect((await fetch(`${base}/api/components`)).status).toBe(401);
  expect((await fetch(`${base}/api/components`, { method: "POST", body: new Uint8Array([0, 97, 115, 109]) })).status).toBe(401);
  expect((await fetch(`${base}/api/images`, { method: "POST", body: new Uint8Array(16) })).status).toBe(401);
  expect((await fetch(`${base}/api/components`, { headers: { authorization: "Bearer e2e-token" } })).status).toBe(200);
  // A browser opens the link with the token once and keeps it as a cookie.
  await page.goto(`${base}/?token=e2e-token`);
  await expect(page.getByTestId("project-list")).toBeVisible();
  await page.goto(`${base}/`);
  await expect(page.getByTestId("project-row").first()).toBeVisible();
  await snap(page, "auth-token-cookie");
});

test("?token= is swapped for an HttpOnly SameSite=Strict cookie on a page load, then redirected away; never accepted on API calls", async () => {
  const link = await fetch(`${base}/projects?token=e2e-token&x=1`, { redirect: "manual" });
  expect(link.status).toBe(303);
  expect(new URL(link.headers.get("location") ?? "", base).href).toBe(`${base}/projects?x=1`);
  const cookie = link.headers.get("set-cookie") ?? "";
  expect(cookie).toMatch(/^trellis_token=e2e-token;/);
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Strict/i);
  expect(cookie).not.toMatch(/Secure/i); // plain http here; Secure behind https
  expect((await fetch(`${base}/?token=wrong`, { redirect: "manual" })).status).toBe(401);
  expect((await fetch(`${base}/api/projects?token=e2e-token`)).status).toBe(401);
  expect((await fetch(`${base}/api/projects`, { headers: { cookie: "trellis_token=e2e-token" } })).status).toBe(200);
});

test("a malformed token cookie is a 401, not a server error", async () => {
  for (const path of ["/", "/api/projects", "/api/components"]) {
    const r = await fetch(`${base}${path}`, { headers: { cookie: "trellis_token=%E0%A4%A" } });
    expect([path, r.status]).toEqual([path, 401]);
  }
});
