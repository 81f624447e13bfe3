import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importManifest, parseManifest } from "./index";
import { goldenCase } from "./testing/import-golden";

const here = dirname(fileURLToPath(import.meta.url));
const OWN = join(here, "fixtures/import");

describe("own fixtures in the style of each platform's examples", () => {
  for (const folder of ["wasmcloud", "wadm", "k8s", "compose", "spinkube"]) {
    const files = readdirSync(join(OWN, folder)).sort();
    it(`${folder} has at least three`, () => expect(files.length).toBeGreaterThanOrEqual(3));
    for (const file of files) {
      it(`${folder}/${file}`, () => {
        const r = goldenCase(join(OWN, folder), file, `own/${folder}/${file}.json`);
        expect(r.ok).toBe(true);
      });
    }
  }
});

const own = (p: string) => readFileSync(join(OWN, p), "utf8");
const wires = (r: ReturnType<typeof parseManifest>) => {
  if (!r.ok) throw new Error(r.error.message);
  const t = r.value.design.topology;
  const name = new Map(t.nodes.map((n) => [n.id, n.name]));
  return t.links.map((l) => `${name.get(l.from.node)} -> ${name.get(l.to.node)}`).sort();
};

describe("compose specifics", () => {
  it("merge keys, long ports, depends_on map, env naming a service, one wire per pair", () => {
    const r = parseManifest(own("compose/shop.compose.yaml"));
    // cart's own environment map replaces the merged one (merge keys are shallow), so it does not name the collector.
    expect(wires(r)).toEqual([
      "cache -> cart",
      "cart -> storefront",
      "catalog -> storefront",
      "collector -> catalog",
      "collector -> storefront",
      "db -> catalog",
    ]);
    if (!r.ok) return;
    const storefront = r.value.design.topology.nodes.find((n) => n.name === "storefront")!;
    expect(storefront.config.image).toBeUndefined();
    expect(storefront.config.source).toBe("./storefront");
    expect(storefront.config.env).toEqual(expect.arrayContaining([{ name: "LOG_LEVEL", value: "info" }, { name: "API_URL", value: "http://catalog:9000" }]));
    expect(storefront.ports.map((p) => p.id)).toContain("port:3000");
    const catalog = r.value.design.topology.nodes.find((n) => n.name === "catalog")!;
    expect(catalog.config.image).toBe("ghcr.io/acme/catalog:1.8.0");
    expect(r.value.skipped.some((x) => x.kind === "volume" && x.name === "db-data")).toBe(false);
    expect(r.value.design.topology.nodes.find((n) => n.name === "cart")!.config.replicas).toBe(3);
    expect(r.value.skipped).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: "x-field", name: "x-common-env" }),
      expect.objectContaining({ kind: "profile", name: "debug: debug" }),
      expect.objectContaining({ kind: "build", name: "storefront" }),
      expect.objectContaining({ kind: "secret", name: "db-password" }),
    ]));
    // Deployment settings are kept on the services, secrets as references only.
    const db = r.value.design.topology.nodes.find((n) => n.name === "db")!;
    expect(db.config.volumes).toEqual([{ type: "volume", source: "db-data", target: "/var/lib/postgresql/data" }]);
    expect(db.config.secrets).toEqual([{ secret: "db-password", key: "db-password", path: "/run/secrets/db-password" }]);
    expect(JSON.stringify(r.value.design)).not.toContain("db-password.txt");
    expect(catalog.config.healthcheck).toEqual({ exec: ["wget", "-qO-", "http://localhost:9000/health"] });
    expect(catalog.config.restartPolicy).toBe("unless-stopped");
  });
  it("short ports with host ip, udp and ranges; depends_on list and links; env list", () => {
    const r = parseManifest(own("compose/todo.compose.yaml"));
    expect(wires(r)).toEqual(["api -> web", "mongo -> api"]);
    if (!r.ok) return;
    const dns = r.value.design.topology.nodes.find((n) => n.name === "dns")!;
    expect(dns.ports.find((p) => p.id === "port:53")).toMatchObject({ protocol: "udp" });
    const mongo = r.value.design.topology.nodes.find((n) => n.name === "mongo")!;
    expect(mongo.ports.map((p) => p.id)).toContain("port:27017");
  });
  it("a ports entry that is not a port is reported", () => {
    const r = parseManifest("services:\n  a:\n    image: x\n    ports: ['abc:def']\n");
    expect(r.ok && r.value.skipped.find((s) => s.kind === "port")?.reason).toContain("not a valid port");
  });
});

describe("kubernetes specifics", () => {
  it("Services give ports, env naming a Service becomes a wire, named targetPort resolves", () => {
    const r = parseManifest(own("k8s/blog.k8s.yaml"));
    expect(wires(r)).toEqual(["cache -> blog", "postgres -> blog"]);
    if (!r.ok) return;
    const t = r.value.design.topology;
    expect(t.nodes.find((n) => n.name === "blog")!.ports.map((p) => p.id)).toEqual(["net", "port:3000"]);
    expect(t.links.find((l) => t.nodes.find((n) => n.id === l.from.node)!.name === "postgres")!.from.port).toBe("port:5432");
  });
  it("a wasm runtimeClassName makes a compiled node; a FQDN URL without port uses the Service's port", () => {
    const r = parseManifest(own("k8s/wasm-runtime.k8s.yaml"));
    expect(wires(r)).toEqual(["hello-wasm -> gateway"]);
    if (!r.ok) return;
    expect(r.value.design.topology.nodes.find((n) => n.name === "hello-wasm")!.kind).toBe("compiled");
  });
});

describe("errors", () => {
  it("malformed YAML reports line and column, and nothing else", () => {
    const r = parseManifest("services:\n  web:\n    image: nginx\n   ports: [80\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("parse");
    expect(r.error.line).toBeGreaterThan(1);
    expect(r.error.column).toBeGreaterThan(0);
  });
  it("malformed TOML reports line and column", () => {
    const r = parseManifest('spin_manifest_version = 2\n[application]\nname = "x"\n[component.a]\nsource = \n');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe("parse");
      expect(r.error.line).toBe(5);
      expect(r.error.column).toBeGreaterThan(0);
    }
  });
  it("an alias bomb is refused", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const r = parseManifest(lines.join("\n") + "\nservices: { s: { image: x } }\n", "compose");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe("invalid");
  });
  it("oversized input is refused before parsing", () => {
    const r = parseManifest("#".repeat(9 * 1024 * 1024));
    expect(!r.ok && r.error.kind).toBe("invalid");
  });
  it("unknown formats and empty input", () => {
    expect(parseManifest("just: a map\n")).toMatchObject({ ok: false, error: { kind: "unknown-format" } });
    expect(parseManifest("   \n")).toMatchObject({ ok: false, error: { kind: "empty" } });
    expect(parseManifest('title = "not spin"\n')).toMatchObject({ ok: false, error: { kind: "unknown-format" } });
  });
});

describe("importManifest lays nodes out", () => {
  it("places nodes left to right along the wires with no overlaps", async () => {
    const r = await importManifest(own("compose/todo.compose.yaml"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const byName = new Map(r.value.design.topology.nodes.map((n) => [n.name, n.position]));
    expect(byName.get("mongo")!.x).toBeLessThan(byName.get("api")!.x);
    expect(byName.get("api")!.x).toBeLessThan(byName.get("web")!.x);
    const pos = [...byName.values()].map((p) => `${p.x},${p.y}`);
    expect(new Set(pos).size).toBe(pos.length);
  });
});

describe("wasmCloud 2 specifics", () => {
  it("fields the CRD schema does not allow are flagged with their path; unmodelled ones are listed", () => {
    const r = parseManifest(own("wasmcloud/greeter.wd.yaml"));
    if (!r.ok) throw new Error(r.error.message);
    const schema = r.value.skipped.filter((s) => s.kind === "schema").map((s) => `${s.name}: ${s.reason}`);
    expect(schema.sort()).toEqual([
      "WorkloadDeployment/greeter /spec/template/spec/components/0/imagePullPolcy: field not allowed by the WorkloadDeployment CRD schema (the API server would prune it)",
      "WorkloadDeployment/greeter /spec/template/spec/hostInterfaces/0/port: field not allowed by the WorkloadDeployment CRD schema (the API server would prune it)",
    ]);
    expect(r.value.skipped.filter((s) => /imagePullPolcy|port$/.test(s.name))).toHaveLength(2);
    expect(r.value.skipped.map((s) => s.name)).toContain("WorkloadDeployment/greeter spec.template.spec.hostSelector");
    const greeter = r.value.design.topology.nodes.find((n) => n.name === "greeter")!;
    expect(greeter.config).toMatchObject({ image: "ghcr.io/acme/greeter:1.2.0", replicas: 2, env: [{ name: "GREETING", value: "hello" }] });
    expect(wires(r)).toEqual(["greeter -> http-ingress"]);
  });
  it("named backends of one package become separate endpoints", () => {
    const r = parseManifest(own("wasmcloud/sessions.workload.yaml"));
    expect(wires(r)).toEqual(["team-a -> sessions", "team-b -> sessions", "team-b -> sessions"]);
  });
  it("Trellis' annotation restores the WIT ports; wires follow WIT resolution inside the workload", () => {
    const r = parseManifest(own("wasmcloud/shop.wasmcloud.yaml"));
    expect(r.ok && r.value.format).toBe("wasmcloud");
    expect(wires(r)).toEqual(["cart -> storefront", "db -> storefront", "keyvalue -> cart", "storefront -> http-ingress"]);
    expect(r.ok && r.value.design.topology.nodes.find((n) => n.name === "db")?.kind).toBe("container");
  });
});
