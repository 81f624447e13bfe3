// Every golden export checked against the full upstream schemas in ../shared/schemas
// (export.test.ts checks them against Trellis' own vendored subsets without ../shared).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { haveShared } from "../testing/shared-dir";
import { upstreamSpinAppErrors, upstreamWadmErrors } from "./testing/upstream-schemas";

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = join(here, "fixtures/golden");
const yamlObjects = (text: string): unknown[] => parseAllDocuments(text).map((d) => d.toJS() as unknown);

function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

const shared = haveShared();

describe.skipIf(!shared)("golden exports against the upstream schemas", () => {
  const files = listFiles(goldenDir);
  const wadm = files.filter((f) => f.endsWith("/wadm.yaml"));
  const spin = files.filter((f) => f.endsWith("spinapp.yaml"));
  it("there are goldens to check", () => {
    expect(wadm.length).toBeGreaterThan(0);
    expect(spin.length).toBeGreaterThan(0);
  });
  for (const f of wadm) it(f, () => expect(upstreamWadmErrors(yamlObjects(readFileSync(join(goldenDir, f), "utf8"))[0])).toEqual([]));
  for (const f of spin) it(f, () => expect(upstreamSpinAppErrors(yamlObjects(readFileSync(join(goldenDir, f), "utf8"))[0])).toEqual([]));
});

describe.skipIf(!shared)("upstream schemas reject what they should", () => {
  it("wadm: a link trait without interfaces passes upstream (TraitProperty is `anyOf [..., true]`)", () => {
    const doc = yamlObjects(readFileSync(join(goldenDir, "hello/wadm/wadm.yaml"), "utf8"))[0] as { spec: { components: { traits: { type: string; properties: Record<string, unknown> }[] }[] } };
    delete doc.spec.components.flatMap((c) => c.traits).find((t) => t.type === "link")!.properties.interfaces;
    expect(upstreamWadmErrors(doc)).toEqual([]);
  });
  it("wadm: an unknown component type", () => {
    const doc = yamlObjects(readFileSync(join(goldenDir, "hello/wadm/wadm.yaml"), "utf8"))[0] as { spec: { components: { type: string }[] } };
    doc.spec.components[0]!.type = "widget";
    expect(upstreamWadmErrors(doc).length).toBeGreaterThan(0);
  });
  it("SpinApp: missing executor", () => {
    const doc = { apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinApp", metadata: { name: "a" }, spec: { image: "x" } };
    expect(upstreamSpinAppErrors(doc).length).toBeGreaterThan(0);
  });
});
