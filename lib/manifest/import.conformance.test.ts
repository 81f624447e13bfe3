// Every published manifest in ../shared/real-world imports onto the canvas or
// says what it skipped; summaries are golden files in fixtures/import-golden/real-world.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { haveShared, SHARED_DIR } from "../testing/shared-dir";
import { exportWasmcloud, parseManifest, validateWasmcloudObject } from "./index";
import { goldenCase } from "./testing/import-golden";

const REAL = join(SHARED_DIR, "real-world");

// describe.skipIf still runs the body to collect tests, so list nothing without ../shared.
const shared = haveShared();

describe.skipIf(!shared)("every real-world manifest imports or says what it skipped", () => {
  for (const folder of ["wasmcloud-v2", "wadm", "k8s", "compose", "spinkube"]) {
    // SOURCES.md beside the manifests says where they come from; it is not one.
    for (const file of (shared ? readdirSync(join(REAL, folder)) : []).filter((f) => f !== "SOURCES.md").sort()) {
      it(`${folder}/${file}`, () => {
        goldenCase(join(REAL, folder), file, `real-world/${folder}/${file}.json`);
      });
    }
  }
});

describe.skipIf(!shared)("every published wasmCloud 2 example exports again to wasmCloud 2 and validates", () => {
  const dir = join(REAL, "wasmcloud-v2");
  for (const file of (shared ? readdirSync(dir) : []).filter((f) => f.endsWith(".yaml")).sort()) {
    it(file, () => {
      const r = parseManifest(readFileSync(join(dir, file), "utf8"));
      if (!r.ok) {
        // Only a file without workloads (the HPA sample) may fail, and it says what it skipped.
        expect(r.error.kind).toBe("empty");
        return;
      }
      const out = exportWasmcloud(r.value.design);
      expect(out.problems.filter((p) => p.severity === "error")).toEqual([]);
      const objects = parseAllDocuments(out.files[0]!.content).map((d) => d.toJS() as { kind: string });
      for (const o of objects.filter((x) => x.kind === "WorkloadDeployment")) expect(validateWasmcloudObject(o)).toEqual({ ok: true });
    });
  }
});
