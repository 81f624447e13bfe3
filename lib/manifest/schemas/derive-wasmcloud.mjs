// How lib/manifest/schemas/wasmcloud-v2.schema.json is derived from the
// wasmCloud 2 CRD files (shared by scripts/vendor-wasmcloud-crds.mjs and the
// conformance test that checks the committed file is up to date).
import { parse } from "yaml";

const SOURCE = {
  repository: "https://github.com/wasmCloud/wasmCloud",
  release: "v2.7.0 (commit 9561cb59759fa15b0a64bdb0b318255309aeddcd)",
  licence: "Apache-2.0",
  files: {
    WorkloadDeployment: "charts/runtime-operator/runtime.wasmcloud.dev_workloaddeployments.yaml (blob 2b295cee59620d01f466e3a931e69b7b1f151fd0)",
    Workload: "charts/runtime-operator/runtime.wasmcloud.dev_workloads.yaml (blob 7f0629dfb7bacb6ba374fc0f5e5dfbba5293a1f9)",
  },
};

// ObjectMeta as the API server checks it for what Trellis writes (the CRD says only `type: object`).
const METADATA = {
  type: "object",
  required: ["name"],
  properties: {
    name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", maxLength: 253 },
    namespace: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 },
    labels: { type: "object", additionalProperties: { type: "string" } },
    annotations: { type: "object", additionalProperties: { type: "string" } },
  },
};

function strip(node) {
  if (Array.isArray(node)) return node.map(strip);
  if (!node || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "description") continue;
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strip(s)])) : strip(v);
  }
  if (out.type === "object" && out.properties && !out["x-kubernetes-preserve-unknown-fields"] && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

export function deriveWasmcloudSchema(crdTexts) {
  const definitions = {};
  for (const [kind, text] of Object.entries(crdTexts)) {
    const crd = parse(text);
    const version = crd.spec.versions.find((v) => v.name === "v1alpha1");
    const schema = structuredClone(version.schema.openAPIV3Schema);
    delete schema.properties.status;
    const derived = strip(schema);
    derived.required = ["apiVersion", "kind", "metadata", "spec"];
    derived.properties.apiVersion = { const: `${crd.spec.group}/v1alpha1` };
    derived.properties.kind = { const: crd.spec.names.kind };
    derived.properties.metadata = METADATA;
    definitions[kind] = derived;
  }
  return {
    $comment: `Derived from the wasmCloud 2 runtime-operator CRDs (${SOURCE.repository}, ${SOURCE.release}, licence ${SOURCE.licence}): ${Object.entries(SOURCE.files).map(([k, f]) => `${k}: ${f}`).join("; ")}. openAPIV3Schema of v1alpha1 without status and descriptions; additionalProperties false on objects with listed properties (the API server prunes unknown fields); metadata checked as ObjectMeta; x-kubernetes-validations kept verbatim. Regenerate with scripts/vendor-wasmcloud-crds.mjs.`,
    definitions,
  };
}
