// Validation of wasmCloud 2 objects (runtime.wasmcloud.dev/v1alpha1
// WorkloadDeployment and Workload) against the CRDs' openAPIV3Schema, vendored
// in ./schemas/wasmcloud-v2.schema.json (unknown fields refused), plus every
// x-kubernetes-validations rule in that schema, evaluated by ./cel.ts. Used by
// the exporter before it writes, by validateExportFiles and by the importer.
import type { ValidateFunction } from "ajv";
import { CelError, evaluateRule } from "./cel";
import schema from "./schemas/wasmcloud-v2.schema.json";
import { newAjv, toSchemaErrors, type SchemaError, type Validation } from "./validate";

export const WASMCLOUD_API_VERSION = "runtime.wasmcloud.dev/v1alpha1";
export type WasmcloudKind = "WorkloadDeployment" | "Workload";
export const WASMCLOUD_KINDS: WasmcloudKind[] = ["WorkloadDeployment", "Workload"];

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  "x-kubernetes-validations"?: { rule: string; message?: string }[];
}

let compiled: Map<WasmcloudKind, ValidateFunction> | null = null;
function validator(kind: WasmcloudKind): ValidateFunction {
  if (!compiled) {
    const ajv = newAjv();
    compiled = new Map(WASMCLOUD_KINDS.map((k) => [k, ajv.compile(schema.definitions[k] as object)]));
  }
  return compiled.get(kind)!;
}

/** The schema of a kind, for the CEL walk and for tests. */
export const wasmcloudSchema = (kind: WasmcloudKind): SchemaNode => schema.definitions[kind] as SchemaNode;

/** Evaluates every x-kubernetes-validations rule on the value it applies to. */
export function celErrors(node: SchemaNode, value: unknown, path = ""): SchemaError[] {
  if (value === undefined || value === null) return [];
  const errors: SchemaError[] = [];
  for (const v of node["x-kubernetes-validations"] ?? []) {
    try {
      if (!evaluateRule(v.rule, value)) errors.push({ path: path || "/", message: v.message ?? `failed rule: ${v.rule}` });
    } catch (e) {
      if (!(e instanceof CelError)) throw e;
      errors.push({ path: path || "/", message: `rule could not be evaluated (${e.message}): ${v.rule}` });
    }
  }
  if (Array.isArray(value) && node.items) value.forEach((x, i) => errors.push(...celErrors(node.items!, x, `${path}/${i}`)));
  else if (typeof value === "object" && !Array.isArray(value)) {
    for (const [k, x] of Object.entries(value as Record<string, unknown>)) {
      const child = node.properties?.[k] ?? (typeof node.additionalProperties === "object" ? node.additionalProperties : undefined);
      if (child) errors.push(...celErrors(child, x, `${path}/${k}`));
    }
  }
  return errors;
}

/** Validates one parsed WorkloadDeployment or Workload. */
export function validateWasmcloudObject(doc: unknown): Validation {
  const o = (doc ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const label = `${String(o.kind)}/${String(o.metadata?.name ?? "?")}`;
  if (o.apiVersion !== WASMCLOUD_API_VERSION || !WASMCLOUD_KINDS.includes(o.kind as WasmcloudKind)) {
    return { ok: false, errors: [{ path: "/", message: `not a ${WASMCLOUD_API_VERSION} ${WASMCLOUD_KINDS.join(" or ")}`, object: label }] };
  }
  const v = validator(o.kind as WasmcloudKind);
  // As the API server does, CEL rules run on objects that pass the structural schema.
  const errors = v(doc) ? celErrors(wasmcloudSchema(o.kind as WasmcloudKind), doc).map((e) => ({ ...e, object: label })) : toSchemaErrors(v.errors, label);
  return errors.length === 0 ? { ok: true } : { ok: false, errors };
}
