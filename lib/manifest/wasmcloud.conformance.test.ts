// wasmCloud 2 against the published CRDs in ../shared/schemas/wasmcloud-v2: the
// vendored schema is what scripts/vendor-wasmcloud-crds.mjs derives from them,
// and every golden wasmcloud.yaml passes the full upstream openAPIV3Schema and
// its x-kubernetes-validations rules.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { haveShared, SHARED_DIR } from "../testing/shared-dir";
import { celErrors } from "./validate-wasmcloud";
import { newAjv, toSchemaErrors } from "./validate";
// @ts-expect-error plain ESM helper shared with the vendoring script
import { deriveWasmcloudSchema } from "./schemas/derive-wasmcloud.mjs";

const shared = haveShared();
const CRDS = join(SHARED_DIR, "schemas/wasmcloud-v2");
const golden = fileURLToPath(new URL("./fixtures/golden/", import.meta.url));
const crdText = (kind: string) => readFileSync(join(CRDS, `${kind}.yaml`), "utf8");

describe.skipIf(!shared)("wasmCloud 2 CRDs", () => {
  it("the vendored schema is up to date with the CRDs", () => {
    const vendored = JSON.parse(readFileSync(fileURLToPath(new URL("./schemas/wasmcloud-v2.schema.json", import.meta.url)), "utf8")) as unknown;
    expect(vendored).toEqual(deriveWasmcloudSchema({ WorkloadDeployment: crdText("WorkloadDeployment"), Workload: crdText("Workload") }));
  });
  const upstream = shared
    ? (() => {
        const crd = parse(crdText("WorkloadDeployment")) as { spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] } };
        const schema = crd.spec.versions.find((v) => v.name === "v1alpha1")!.schema.openAPIV3Schema;
        return { schema, validate: newAjv().compile(schema) };
      })()
    : null;
  const files = shared ? readdirSync(golden).filter((d) => existsSync(join(golden, d, "wasmcloud/wasmcloud.yaml"))) : [];
  it("there are golden wasmcloud.yaml files", () => expect(files.length).toBeGreaterThan(3));
  for (const d of files) {
    it(`${d}/wasmcloud/wasmcloud.yaml passes the upstream CRD schema and rules`, () => {
      const objs = parseAllDocuments(readFileSync(join(golden, d, "wasmcloud/wasmcloud.yaml"), "utf8")).map((x) => x.toJS() as { kind: string });
      for (const o of objs.filter((x) => x.kind === "WorkloadDeployment")) {
        const ok = upstream!.validate(o);
        expect(ok ? [] : toSchemaErrors(upstream!.validate.errors)).toEqual([]);
        expect(celErrors(upstream!.schema as never, o)).toEqual([]);
      }
    });
  }
});
