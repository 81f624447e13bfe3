import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { DesignDocument, Topology } from "../graph/types";
import { exportK8s, exportSpin, exportWadm, exportWasmcloud, parseManifest, validateK8sObjects } from "./index";
import { composeToK8s } from "./testing/compose-to-k8s";

const here = dirname(fileURLToPath(import.meta.url));
const design = (name: string): DesignDocument =>
  JSON.parse(readFileSync(join(here, "fixtures/designs", `${name}.json`), "utf8")) as DesignDocument;

/** Nodes by name with what a manifest can carry, WIT interfaces, and wires by node name + interface. */
function shape(t: Topology, keep: (kind: string) => boolean) {
  const nodes = t.nodes.filter((n) => keep(n.kind));
  const names = new Map(nodes.map((n) => [n.id, n.name]));
  const portText = (nodeId: string, portId: string) => {
    const p = t.nodes.find((n) => n.id === nodeId)!.ports.find((x) => x.id === portId)!;
    return p.kind === "wit" ? p.interface : `${p.id}`;
  };
  return {
    nodes: nodes
      .map((n) => ({
        name: n.name,
        kind: n.kind,
        capability: n.config.capability,
        replicas: n.config.replicas,
        image: n.kind === "endpoint" ? undefined : n.config.image,
        env: n.kind === "endpoint" ? undefined : n.config.env,
        wit: n.ports.filter((p) => p.kind === "wit").map((p) => `${p.direction} ${p.kind === "wit" ? p.interface : ""}`).sort(),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    wires: t.links
      .filter((l) => names.has(l.from.node) && names.has(l.to.node))
      .map((l) => `${names.get(l.from.node)} ${portText(l.from.node, l.from.port)} -> ${names.get(l.to.node)} ${portText(l.to.node, l.to.port)}`)
      .sort(),
  };
}

describe("design → wadm → import gives the same nodes, wires and interfaces", () => {
  for (const name of ["hello", "kvcounter", "composition", "messaging", "pipeline", "cycle"]) {
    it(name, () => {
      const doc = design(name);
      const out = exportWadm(doc);
      expect(out.files).toHaveLength(1);
      const back = parseManifest(out.files[0]!.content);
      expect(back.ok).toBe(true);
      if (!back.ok) return;
      expect(back.value.format).toBe("wadm");
      expect(back.value.skipped).toEqual([]);
      // Containers are not deployable by wasmCloud (the export warns); everything else must survive.
      const keep = (k: string) => k !== "container";
      expect(shape(back.value.design.topology, keep)).toEqual(shape(doc.topology, keep));
      expect(back.value.design.description).toBe(doc.description ?? `${doc.name} (exported by Trellis)`);
    });
  }
  it("endpoint settings survive too: HTTP listen port and provider config", () => {
    const back = parseManifest(exportWadm(design("kvcounter")).files[0]!.content);
    if (!back.ok) throw new Error(back.error.message);
    const t = back.value.design.topology;
    expect(t.nodes.find((n) => n.name === "kvredis")!.config.env).toEqual([{ name: "url", value: "redis://127.0.0.1:6379" }]);
    expect(t.nodes.find((n) => n.name === "httpserver")!.config.exposedPorts).toEqual([{ port: 8000, protocol: "tcp" }]);
  });
});

describe("design → Kubernetes → import keeps workloads and wires", () => {
  it("shop", () => {
    const doc = design("shop");
    const out = exportK8s(doc);
    const back = parseManifest(out.files[0]!.content);
    if (!back.ok) throw new Error(back.error.message);
    const t = back.value.design.topology;
    const pairs = (x: Topology) => {
      const n = new Map(x.nodes.map((y) => [y.id, y.name]));
      return x.links.map((l) => `${n.get(l.from.node)}:${l.from.port} -> ${n.get(l.to.node)}`).filter((s) => !s.includes("undefined")).sort();
    };
    const workloads = doc.topology.nodes.filter((n) => n.kind !== "endpoint");
    expect(t.nodes.map((n) => [n.name, n.kind, n.config.image, n.config.replicas]).sort()).toEqual(
      workloads.map((n) => [n.name, n.kind, n.config.image, n.config.replicas]).sort(),
    );
    const designPairs = pairs({ nodes: workloads, links: doc.topology.links.filter((l) => workloads.some((w) => w.id === l.to.node)) });
    expect(pairs(t)).toEqual(designPairs);
  });
});

describe("design → spin.toml → import keeps components and HTTP triggers", () => {
  it("composition", () => {
    const doc = design("composition");
    // Spin's host has no wasi:logging (the golden shows that refusal); drop the import for this round trip.
    for (const n of doc.topology.nodes) n.ports = n.ports.filter((p) => !p.id.startsWith("imp:wasi:logging"));
    const out = exportSpin(doc);
    const back = parseManifest(out.files.find((f) => f.path.endsWith("spin.toml"))!.content);
    if (!back.ok) throw new Error(back.error.message);
    const t = back.value.design.topology;
    expect(t.nodes.map((n) => `${n.kind} ${n.name}`).sort()).toEqual(["component http-component", "component pong-component", "endpoint http"]);
    expect(t.links).toHaveLength(1);
    expect(back.value.skipped.map((s) => s.kind)).toEqual(expect.arrayContaining(["component fields", "route"]));
  });
});

describe("compose → import → Kubernetes export passes validation", () => {
  const files = readdirSync(join(here, "fixtures/import/compose")).map((f) => join(here, "fixtures/import/compose", f)).sort();
  for (const file of files) it(file.split("/").slice(-2).join("/"), () => composeToK8s(file));
});

describe("design → wasmCloud 2 → import gives the same components, interfaces and wires", () => {
  // Endpoints come back one per host interface entry, named by capability: compare them by capability.
  function v2shape(t: Topology) {
    const label = (id: string) => {
      const n = t.nodes.find((x) => x.id === id)!;
      return n.kind === "endpoint" ? `(${n.config.capability})` : n.name;
    };
    const iface = (nodeId: string, portId: string) => {
      const p = t.nodes.find((n) => n.id === nodeId)!.ports.find((x) => x.id === portId)!;
      return p.kind === "wit" ? p.interface.split("@")[0] : p.id;
    };
    return {
      wasm: t.nodes
        .filter((n) => n.kind === "component" || n.kind === "compiled")
        .map((n) => ({ name: n.name, kind: n.kind, image: n.config.image, env: n.config.env, wit: n.ports.filter((p) => p.kind === "wit").map((p) => `${p.direction} ${p.kind === "wit" ? p.interface : ""}`).sort() }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      wires: t.links
        .filter((l) => [l.from.node, l.to.node].some((id) => t.nodes.find((n) => n.id === id)?.kind !== "container"))
        .filter((l) => t.nodes.find((n) => n.id === l.from.node)?.kind !== "container" && t.nodes.find((n) => n.id === l.to.node)?.kind !== "container")
        .map((l) => `${label(l.from.node)} ${iface(l.from.node, l.from.port)} -> ${label(l.to.node)} ${iface(l.to.node, l.to.port)}`)
        .sort(),
    };
  }
  for (const name of ["hello", "kvcounter", "composition", "messaging", "pipeline", "cycle"]) {
    it(name, () => {
      const doc = design(name);
      const out = exportWasmcloud(doc);
      expect(out.files).toHaveLength(1);
      const back = parseManifest(out.files[0]!.content);
      if (!back.ok) throw new Error(back.error.message);
      expect(back.value.format).toBe("wasmcloud");
      expect(back.value.skipped.filter((s) => s.kind !== "Service")).toEqual([]);
      // Wires to endpoints nothing in the design connects to a component are not expressible (the export warns).
      const wired = (t: Topology) => ({ ...t, links: t.links.filter((l) => !doc.topology.nodes.some((n) => n.kind === "container" && (n.id === l.from.node || n.id === l.to.node))) });
      expect(v2shape(back.value.design.topology)).toEqual(v2shape(wired(doc.topology)));
      // And exporting the import again gives the same file (containers aside: the Kubernetes importer does not
      // turn a LoadBalancer Service back into an HTTP ingress wire).
      if (!doc.topology.nodes.some((n) => n.kind === "container")) expect(exportWasmcloud(back.value.design).files[0]!.content).toBe(out.files[0]!.content);
    });
  }
});

describe("compose → design → Kubernetes keeps volumes, probes, resources and secret references", () => {
  it("postgres.compose.yaml", () => {
    const r = parseManifest(readFileSync(join(here, "fixtures/import/compose/postgres.compose.yaml"), "utf8"), "compose");
    if (!r.ok) throw new Error(r.error.message);
    // The design holds references, never the secret's file or value.
    expect(JSON.stringify(r.value.design)).not.toContain("db-password.txt");
    const out = exportK8s(r.value.design);
    expect(out.problems.filter((p) => p.severity === "error")).toEqual([]);
    const objs = parseAllDocuments(out.files[0]!.content).map((d) => d.toJS() as Record<string, any>);
    expect(validateK8sObjects(objs)).toEqual({ ok: true });
    expect(objs.find((o) => o.kind === "PersistentVolumeClaim")).toMatchObject({ metadata: { name: "pgdata" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
    const pod = (name: string) => objs.find((o) => o.kind === "Deployment" && o.metadata.name === name)!.spec.template.spec;
    const db = pod("db");
    expect(db.volumes).toEqual(expect.arrayContaining([{ name: "pgdata", persistentVolumeClaim: { claimName: "pgdata" } }, { name: "secret-db-password-postgres-password", secret: { secretName: "db-password", items: [{ key: "db-password", path: "postgres-password" }] } }]));
    expect(db.containers[0].volumeMounts).toEqual([
      { name: "pgdata", mountPath: "/var/lib/postgresql/data" },
      { name: "secret-db-password-postgres-password", mountPath: "/run/secrets/postgres-password", subPath: "postgres-password", readOnly: true },
    ]);
    expect(db.containers[0].livenessProbe).toEqual({ exec: { command: ["sh", "-c", "pg_isready -U postgres"] }, initialDelaySeconds: 20, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 5 });
    expect(db.containers[0].readinessProbe).toEqual(db.containers[0].livenessProbe);
    expect(db.containers[0].resources).toEqual({ limits: { memory: "1Gi" } });
    const app = pod("app");
    expect(app.containers[0].resources).toEqual({ requests: { cpu: "250m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } });
    expect(app.containers[0].livenessProbe.exec.command).toEqual(["sh", "-c", "curl -fsS http://localhost:8080/healthz"]);
    // What Kubernetes cannot take as designed is said, not dropped quietly.
    const warnings = out.problems.map((p) => p.message).join("\n");
    expect(warnings).toContain("bind mount ./init.sql");
    expect(warnings).toContain("restart policy 'on-failure'");
  });
  it("a secret reference as an environment variable becomes secretKeyRef, never a value", () => {
    const doc = design("shop");
    const api = doc.topology.nodes.find((n) => n.id === "api")!;
    api.config.secrets = [{ secret: "shop-db", key: "password", env: "DB_PASSWORD" }];
    const objs = parseAllDocuments(exportK8s(doc).files[0]!.content).map((d) => d.toJS() as Record<string, any>);
    const env = objs.find((o) => o.kind === "Deployment" && o.metadata.name === "api")!.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "shop-db", key: "password" } } });
    expect(validateK8sObjects(objs)).toEqual({ ok: true });
  });
  it("an HTTP ingress with host and path becomes an Ingress to the workload's Service", () => {
    const doc = design("shop");
    doc.topology.nodes.find((n) => n.id === "http")!.config.ingress = { host: "shop.example.com", path: "/store" };
    const objs = parseAllDocuments(exportK8s(doc).files[0]!.content).map((d) => d.toJS() as Record<string, any>);
    expect(objs.find((o) => o.kind === "Ingress")).toMatchObject({ metadata: { name: "web" }, spec: { rules: [{ host: "shop.example.com", http: { paths: [{ path: "/store", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] } });
    expect(objs.find((o) => o.kind === "Service" && o.metadata.name === "web")!.spec.type).toBeUndefined();
    expect(validateK8sObjects(objs)).toEqual({ ok: true });
  });
});

describe("compose → design → Kubernetes → design keeps the deployment settings", () => {
  it("postgres.compose.yaml", () => {
    const first = parseManifest(readFileSync(join(here, "fixtures/import/compose/postgres.compose.yaml"), "utf8"), "compose");
    if (!first.ok) throw new Error(first.error.message);
    const back = parseManifest(exportK8s(first.value.design).files[0]!.content);
    if (!back.ok) throw new Error(back.error.message);
    const settings = (d: DesignDocument, name: string) => {
      const c = d.topology.nodes.find((n) => n.name === name)!.config;
      return { volumes: c.volumes, healthcheck: c.healthcheck, resources: c.resources, secrets: c.secrets };
    };
    const db = settings(first.value.design, "db");
    // The relative bind mount (a compose project file) cannot go to a cluster; the export warned about it.
    db.volumes = db.volumes!.filter((v) => v.type === "volume").map((v) => ({ ...v, size: "1Gi" }));
    expect(settings(back.value.design, "db")).toEqual(db);
    expect(settings(back.value.design, "app")).toEqual(settings(first.value.design, "app"));
  });
});
