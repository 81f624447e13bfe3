// Every handler exported from app/api goes through the HTTP edge: a foreign
// Host, a cross-site write, and a missing token are refused before any handler
// code runs, on every route and method.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EDGE } from "./edge";

const root = join(import.meta.dirname, "..", "..");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) routeFiles(join(dir, e.name), out);
    else if (e.name === "route.ts") out.push(join(dir, e.name));
  }
  return out;
}

type Handler = ((req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>) & { [EDGE]?: boolean };
const handlers: { name: string; method: string; path: string; fn: Handler }[] = [];
let dataDir: string;
const saved = { TRELLIS_DATA_DIR: process.env.TRELLIS_DATA_DIR, TRELLIS_TOKEN: process.env.TRELLIS_TOKEN };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "trellis-routes-"));
  process.env.TRELLIS_DATA_DIR = dataDir;
  for (const file of routeFiles(join(root, "app", "api"))) {
    const mod = (await import(file)) as Record<string, unknown>;
    const path = "/" + relative(join(root, "app"), file).replace(/\/route\.ts$/, "").replace(/\[(\w+)\]/g, "x1");
    for (const m of METHODS) if (typeof mod[m] === "function") handlers.push({ name: `${m} ${path}`, method: m, path, fn: mod[m] as Handler });
  }
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (h: (typeof handlers)[number], headers: Record<string, string>) =>
  h.fn(new Request(`http://127.0.0.1:3000${h.path}`, { method: h.method, headers: { host: "127.0.0.1:3000", ...headers } }), { params: Promise.resolve({ id: "x1" }) });

const kindOf = async (r: Response) => ((await r.json()) as { error: { kind: string } }).error.kind;

describe("the HTTP edge on every app/api route", () => {
  it("finds the routes, and every exported handler is made by route()", () => {
    expect(handlers.length).toBeGreaterThan(20);
    expect(handlers.filter((h) => h.fn[EDGE] !== true).map((h) => h.name)).toEqual([]);
  });

  it("refuses a foreign Host (DNS rebinding) on every route", async () => {
    for (const h of handlers) {
      const r = await call(h, { host: "rebind.attacker.example:3000" });
      expect([h.name, r.status, await kindOf(r)]).toEqual([h.name, 403, "host-not-allowed"]);
    }
  });

  it("refuses cross-site writes by Sec-Fetch-Site or Origin on every state-changing route", async () => {
    const writes = handlers.filter((h) => h.method !== "GET");
    expect(writes.length).toBeGreaterThan(8);
    for (const h of writes) {
      for (const headers of [{ "sec-fetch-site": "cross-site" } as Record<string, string>, { "sec-fetch-site": "same-site" }, { origin: "https://evil.example" }, { origin: "null" }, { origin: "http://127.0.0.1:8080" }]) {
        const r = await call(h, headers);
        expect([h.name, headers, r.status, await kindOf(r)]).toEqual([h.name, headers, 403, "cross-site-request"]);
      }
    }
  });

  it("needs the token on every route when TRELLIS_TOKEN is set (query tokens are not accepted on API calls)", async () => {
    process.env.TRELLIS_TOKEN = "s3cret";
    try {
      for (const h of handlers) {
        const r = await h.fn(new Request(`http://127.0.0.1:3000${h.path}?token=s3cret`, { method: h.method, headers: { cookie: "trellis_token=%E0%A4%A" } }), {
          params: Promise.resolve({ id: "x1" }),
        });
        expect([h.name, r.status]).toEqual([h.name, 401]);
      }
    } finally {
      delete process.env.TRELLIS_TOKEN;
    }
  });
});
