// Schema validation of generated manifests, usable in the browser (the UI runs
// it before every download) and in Node. Schemas are Trellis' own subsets kept
// in ./schemas (sources noted inside each file).
import AjvImport, { type ErrorObject, type ValidateFunction } from "ajv";
import k8sSchema from "./schemas/k8s-subset.schema.json";
import spinAppSchema from "./schemas/spinapp.schema.json";
import wadmSchema from "./schemas/wadm-application.schema.json";

export interface SchemaError {
  /** JSON pointer into the document (`/spec/components/0/properties/image`). */
  path: string;
  message: string;
  /** Which object of a multi-object document, e.g. `Deployment/web`. */
  object?: string;
}

export type Validation = { ok: true } | { ok: false; errors: SchemaError[] };

// ajv is CommonJS; depending on the bundler the class is the default export or its `.default`.
type AjvClass = typeof AjvImport;
const Ajv: AjvClass = ((AjvImport as unknown as { default?: AjvClass }).default ?? AjvImport) as AjvClass;

export function newAjv(): InstanceType<AjvClass> {
  // strict off: Kubernetes/CRD schemas carry x-kubernetes-* keywords and formats like int32.
  return new Ajv({ allErrors: true, strict: false, validateFormats: false });
}

let cache: { wadm: ValidateFunction; spin: ValidateFunction; k8s: Map<string, ValidateFunction> } | null = null;
function validators() {
  if (cache) return cache;
  const ajv = newAjv();
  ajv.addSchema(k8sSchema, "k8s");
  const k8s = new Map<string, ValidateFunction>();
  for (const [key, def] of Object.entries(K8S_DEFINITIONS)) k8s.set(key, ajv.getSchema(`k8s#/definitions/${def}`)!);
  cache = { wadm: ajv.compile(wadmSchema), spin: ajv.compile(spinAppSchema), k8s };
  return cache;
}

const K8S_DEFINITIONS: Record<string, string> = {
  "apps/v1/Deployment": "io.k8s.api.apps.v1.Deployment",
  "v1/Service": "io.k8s.api.core.v1.Service",
  "node.k8s.io/v1/RuntimeClass": "io.k8s.api.node.v1.RuntimeClass",
  "v1/PersistentVolumeClaim": "io.k8s.api.core.v1.PersistentVolumeClaim",
  "networking.k8s.io/v1/Ingress": "io.k8s.api.networking.v1.Ingress",
};

export const toSchemaErrors = (errors: ErrorObject[] | null | undefined, object?: string): SchemaError[] =>
  (errors ?? []).map((e) => ({
    path: e.instancePath || "/",
    message: `${e.message ?? "invalid"}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
    ...(object ? { object } : {}),
  }));

const result = (errors: SchemaError[]): Validation => (errors.length === 0 ? { ok: true } : { ok: false, errors });

/** Validates a parsed wadm Application manifest. */
export function validateWadm(doc: unknown): Validation {
  const v = validators().wadm;
  return v(doc) ? { ok: true } : result(toSchemaErrors(v.errors));
}

/** Validates a parsed SpinApp object. */
export function validateSpinApp(doc: unknown): Validation {
  const v = validators().spin;
  return v(doc) ? { ok: true } : result(toSchemaErrors(v.errors, "SpinApp"));
}

/** Validates Kubernetes objects (apps/v1 Deployment, v1 Service and PersistentVolumeClaim, node.k8s.io/v1 RuntimeClass, networking.k8s.io/v1 Ingress). */
export function validateK8sObjects(objects: unknown[]): Validation {
  const errors: SchemaError[] = [];
  objects.forEach((o, i) => {
    const obj = (o ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
    const label = `${String(obj.kind)}/${String(obj.metadata?.name ?? `#${i}`)}`;
    const v = validators().k8s.get(`${String(obj.apiVersion)}/${String(obj.kind)}`);
    if (!v) {
      errors.push({ path: "/", message: `no schema for ${String(obj.apiVersion)} ${String(obj.kind)}`, object: label });
      return;
    }
    if (!v(o)) errors.push(...toSchemaErrors(v.errors, label));
  });
  return result(errors);
}
