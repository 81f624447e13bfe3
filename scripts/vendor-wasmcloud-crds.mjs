#!/usr/bin/env node
// Regenerates lib/manifest/schemas/wasmcloud-v2.schema.json from the wasmCloud 2
// CRDs in ../shared/schemas/wasmcloud-v2/ (run by hand when the CRDs change; the
// exporter never reads ../shared at run time). What it keeps: the
// openAPIV3Schema of WorkloadDeployment and Workload without `status` and
// descriptions, with `additionalProperties: false` on every object that lists
// its properties (the API server prunes unknown fields, so Trellis refuses to
// write them) and the x-kubernetes-validations rules kept verbatim for
// lib/manifest/cel.ts. lib/manifest/wasmcloud-schema.conformance.test.ts checks
// the committed file is what this script produces.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { deriveWasmcloudSchema } from "../lib/manifest/schemas/derive-wasmcloud.mjs";

const shared = fileURLToPath(new URL("../../shared/schemas/wasmcloud-v2/", import.meta.url));
const out = fileURLToPath(new URL("../lib/manifest/schemas/wasmcloud-v2.schema.json", import.meta.url));
const read = (kind) => readFileSync(`${shared}${kind}.yaml`, "utf8");
writeFileSync(out, JSON.stringify(deriveWasmcloudSchema({ WorkloadDeployment: read("WorkloadDeployment"), Workload: read("Workload") }), null, 1) + "\n");
console.log(`wrote ${out}`);
