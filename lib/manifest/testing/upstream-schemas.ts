// Test support for conformance tests: validators for the full upstream schemas
// in ../shared/schemas (the wadm JSON schema and the SpinApp CRD). Only
// `*.conformance.test.ts` files may import this (they skip without ../shared).
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { SHARED_DIR } from "../../testing/shared-dir";
import { newAjv, toSchemaErrors, type SchemaError } from "../validate";

export { SHARED_DIR };

let wadm: ((doc: unknown) => SchemaError[]) | null = null;
let spin: ((doc: unknown) => SchemaError[]) | null = null;

export function upstreamWadmErrors(doc: unknown): SchemaError[] {
  if (!wadm) {
    const schema = JSON.parse(readFileSync(`${SHARED_DIR}schemas/wadm-oam.schema.json`, "utf8")) as object;
    const v = newAjv().compile(schema);
    wadm = (d) => (v(d) ? [] : toSchemaErrors(v.errors));
  }
  return wadm(doc);
}

export function upstreamSpinAppErrors(doc: unknown): SchemaError[] {
  if (!spin) {
    const crd = parse(readFileSync(`${SHARED_DIR}schemas/spinapp-crd.yaml`, "utf8")) as {
      spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] };
    };
    const version = crd.spec.versions.find((x) => x.name === "v1alpha1")!;
    const v = newAjv().compile(version.schema.openAPIV3Schema);
    spin = (d) => (v(d) ? [] : toSchemaErrors(v.errors));
  }
  return spin(doc);
}
