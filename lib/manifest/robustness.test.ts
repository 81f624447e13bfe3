// Bad input never crashes an importer or exporter: truncated files and values
// of the wrong type give a typed error or a partial import with skipped items.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { DesignDocument } from "../graph/types";
import { exportDesign } from "./index";
import { expectTyped } from "./testing/expect-typed";
import type { ExportTarget } from "./types";

const here = dirname(fileURLToPath(import.meta.url));

const own = ["wasmcloud", "wadm", "k8s", "compose", "spinkube"].flatMap((d) => readdirSync(join(here, "fixtures/import", d)).map((f) => join(here, "fixtures/import", d, f)));

describe("truncated own fixtures", () => {
  for (const file of own) {
    it(file.split("/").slice(-2).join("/"), () => {
      const text = readFileSync(file, "utf8");
      for (let i = 1; i <= 12; i++) expectTyped(text.slice(0, Math.floor((text.length * i) / 13)));
    });
  }
});

/** Every scalar, list and map in the document replaced, one at a time, by values of other types. */
function* mutations(value: unknown, path: (string | number)[] = []): Generator<(string | number)[]> {
  yield path;
  if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* mutations(v, [...path, i]);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) yield* mutations(v, [...path, k]);
}
function setAt(root: unknown, path: (string | number)[], v: unknown): unknown {
  if (path.length === 0) return v;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = v;
  return copy;
}

describe("values of the wrong type", () => {
  const samples: [string, unknown][] = [
    ["wadm", { apiVersion: "core.oam.dev/v1beta1", kind: "Application", metadata: { name: "a", annotations: { description: "d" } }, spec: { components: [{ name: "c", type: "component", properties: { image: "i", config: [{ name: "x", properties: { k: "v" } }] }, traits: [{ type: "spreadscaler", properties: { instances: 2 } }, { type: "link", properties: { namespace: "wasi", package: "keyvalue", interfaces: ["store"], target: { name: "kv", config: [{ name: "u", properties: { url: "x" } }] } } }] }, { name: "kv", type: "capability", properties: { image: "ghcr.io/wasmcloud/keyvalue-redis:0.29.1" } }] } }],
    ["k8s", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { replicas: 2, template: { metadata: { labels: { app: "d" } }, spec: { containers: [{ name: "c", image: "i", ports: [{ containerPort: 80 }], env: [{ name: "A", value: "b:80" }] }] } } } }],
    ["compose", { services: { a: { image: "i", ports: ["80:80", { target: 81 }], environment: { B: "b:90" }, depends_on: { b: { condition: "x" } } }, b: { build: ".", expose: [90] } }, volumes: { v: {} } }],
  ];
  const wrong: unknown[] = [null, 7, "text", [], {}, [1, "x"], true];
  for (const [name, doc] of samples) {
    it(name, () => {
      let cases = 0;
      for (const path of mutations(doc)) {
        for (const w of wrong) {
          expectTyped(stringify(setAt(doc, path, w)));
          cases++;
        }
      }
      expect(cases).toBeGreaterThan(50);
    });
  }
});

describe("exporters on odd designs", () => {
  it("never throw, whatever the ports and wires", () => {
    const base: DesignDocument = JSON.parse(readFileSync(join(here, "fixtures/designs/pipeline.json"), "utf8")) as DesignDocument;
    const variants: DesignDocument[] = [];
    // Wires between every pair of ports, both directions, including nonsense ones.
    const all = base.topology.nodes.flatMap((n) => n.ports.map((p) => ({ node: n.id, port: p.id })));
    for (const a of all) for (const b of all) {
      const d = structuredClone(base);
      d.topology.links = [{ id: "x", from: a, to: b }];
      variants.push(d);
    }
    const weird = structuredClone(base);
    weird.topology.nodes[0]!.name = "";
    weird.topology.nodes[1]!.name = "ÄÖÜ!!";
    weird.topology.nodes[2]!.config.replicas = -3;
    variants.push(weird);
    for (const d of variants) for (const t of ["wasmcloud", "wadm", "spin", "k8s", "wac"] as ExportTarget[]) {
      const r = exportDesign(d, t);
      expect(Array.isArray(r.problems)).toBe(true);
      if (r.problems.some((p) => p.severity === "error")) expect(r.files).toEqual([]);
    }
  });
});
