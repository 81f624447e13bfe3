import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { migrateDesign, parseDesign, validateDesign } from "./document";

const sample = () => JSON.parse(readFileSync("examples/thumbnail-service.json", "utf8"));

describe("design documents", () => {
  it("accepts every shipped example", () => {
    for (const f of readdirSync("examples").filter((x) => x.endsWith(".json"))) {
      const r = parseDesign(JSON.parse(readFileSync(`examples/${f}`, "utf8")));
      expect(r.ok, `${f}: ${JSON.stringify(!r.ok && r.error)}`).toBe(true);
    }
  });

  it("refuses a dangling wire, naming its path", () => {
    const d = sample();
    d.topology.links[0].to.node = "ghost";
    const r = validateDesign(d);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toContainEqual({ path: "/topology/links/0/to/node", message: "dangling wire: no node 'ghost'" });
  });

  it("refuses a wire to a missing port", () => {
    const d = sample();
    d.topology.links[0].from.port = "exp:nope/nope";
    const r = validateDesign(d);
    expect(!r.ok && r.error[0]!.path).toBe("/topology/links/0/from/port");
  });

  it("refuses duplicate node ids and duplicate link ids", () => {
    const d = sample();
    d.topology.nodes[1].id = d.topology.nodes[0].id;
    d.topology.links[1].id = d.topology.links[0].id;
    const r = validateDesign(d);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((i) => i.message)).toEqual(expect.arrayContaining([expect.stringContaining("duplicate node id"), expect.stringContaining("duplicate link id")]));
  });

  it("refuses an unknown node kind with the allowed values", () => {
    const d = sample();
    d.topology.nodes[2].kind = "vm";
    const r = validateDesign(d);
    expect(!r.ok && r.error).toContainEqual(expect.objectContaining({ path: "/topology/nodes/2/kind", message: expect.stringContaining('"component"') }));
  });

  it("refuses a wrong, missing or future version", () => {
    expect(parseDesign({ ...sample(), trellisVersion: 7 })).toMatchObject({ ok: false, error: [{ path: "/trellisVersion", message: expect.stringContaining("newer") }] });
    const { trellisVersion: _v, ...noVersion } = sample();
    expect(parseDesign(noVersion)).toMatchObject({ ok: false, error: [{ path: "/trellisVersion" }] });
    expect(parseDesign({ ...sample(), trellisVersion: "1" })).toMatchObject({ ok: false });
    expect(parseDesign([])).toMatchObject({ ok: false, error: [{ path: "/" }] });
  });

  it("refuses unknown fields and missing required ones", () => {
    const d = sample();
    d.extra = 1;
    delete d.topology.nodes[0].config.replicas;
    const r = validateDesign(d);
    expect(!r.ok && r.error).toEqual(expect.arrayContaining([
      { path: "/extra", message: "is not a known field" },
      { path: "/topology/nodes/0/config/replicas", message: "is required" },
    ]));
  });

  it("runs migrations step by step up to the current version", () => {
    const migrations = { 1: (d: Record<string, unknown>) => ({ ...d, renamed: d.name }), 2: (d: Record<string, unknown>) => ({ ...d, three: true }) };
    const r = migrateDesign({ trellisVersion: 1, name: "x" }, migrations, 3);
    expect(r).toEqual({ ok: true, value: { trellisVersion: 3, name: "x", renamed: "x", three: true } });
    expect(migrateDesign({ trellisVersion: 1 }, {}, 2)).toMatchObject({ ok: false, error: [{ message: "no migration from version 1" }] });
  });
});

describe("example designs", () => {
  it("carry valid WIT whose world gives exactly the ports they declare", async () => {
    const { analyzeNodeWit } = await import("./wit-checker");
    for (const f of readdirSync("examples").filter((x) => x.endsWith(".json"))) {
      const d = JSON.parse(readFileSync(`examples/${f}`, "utf8"));
      for (const n of d.topology.nodes) {
        const a = analyzeNodeWit(n);
        if (!a) continue;
        expect(a.errors, `${f} ${n.id}`).toEqual([]);
        expect(a.ports.map((p) => p.id).sort(), `${f} ${n.id}`).toEqual(n.ports.filter((p: { kind: string }) => p.kind === "wit").map((p: { id: string }) => p.id).sort());
      }
    }
  });
});

describe("deployment settings (optional fields of version 1)", () => {
  it("a document without them is valid unchanged; with them they are checked field by field", () => {
    const doc = sample();
    const node = doc.topology.nodes.find((n: { kind: string }) => n.kind === "container");
    node.config.volumes = [{ type: "volume", source: "data", target: "/data", size: "5Gi", accessMode: "ReadWriteOnce" }];
    node.config.healthcheck = { exec: ["pg_isready"], intervalSeconds: 5, retries: 3 };
    node.config.restartPolicy = "on-failure";
    node.config.resources = { requests: { cpu: "250m", memory: "128Mi" }, limits: { memory: "1Gi" } };
    node.config.secrets = [{ secret: "db", key: "password", env: "PGPASSWORD" }];
    expect(parseDesign(doc).ok).toBe(true);
    node.config.volumes[0].target = "data";
    node.config.resources.limits.memory = "lots";
    node.config.secrets[0].value = "hunter2";
    const r = parseDesign(doc);
    expect(r.ok ? [] : r.error.map((e) => e.path).sort()).toEqual(
      [expect.stringMatching(/config\/resources\/limits\/memory$/), expect.stringMatching(/config\/secrets\/0\/value$/), expect.stringMatching(/config\/volumes\/0\/target$/)],
    );
  });
});
