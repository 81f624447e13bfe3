// Deployment settings of a node config: their schema (part of the design document schema in
// ./document.ts) and the check that ops.updateNode runs on every edit. The check walks the same
// schema with the JSON Schema keywords it uses, in Ajv's order, so it reports the first error Ajv
// would (deployment-settings.test.ts compares the two on random configs). It exists so the
// designer's first load does not carry Ajv (~120 KB) for this one check: Ajv stays with
// parseDesign, which loads on the first import of a file.

const quantity = { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$" };
const resourceAmounts = { type: "object", additionalProperties: false, properties: { cpu: quantity, memory: quantity } };
const seconds = { type: "integer", minimum: 0, maximum: 86400 };

// Deployment settings (added within version 1: optional, so every earlier document is still valid as it is).
export const deploymentConfigSchema = {
  volumes: {
    type: "array",
    items: {
      type: "object",
      required: ["type", "source", "target"],
      additionalProperties: false,
      properties: {
        type: { enum: ["volume", "bind"] },
        source: { type: "string", minLength: 1 },
        target: { type: "string", pattern: "^/" },
        readOnly: { type: "boolean" },
        size: quantity,
        accessMode: { enum: ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"] },
      },
    },
  },
  healthcheck: {
    type: "object",
    additionalProperties: false,
    properties: {
      exec: { type: "array", minItems: 1, items: { type: "string" } },
      httpGet: { type: "object", required: ["path", "port"], additionalProperties: false, properties: { path: { type: "string", pattern: "^/" }, port: { type: "integer", minimum: 1, maximum: 65535 } } },
      tcpPort: { type: "integer", minimum: 1, maximum: 65535 },
      intervalSeconds: seconds,
      timeoutSeconds: seconds,
      retries: { type: "integer", minimum: 1, maximum: 1000 },
      startPeriodSeconds: seconds,
    },
  },
  restartPolicy: { enum: ["always", "on-failure", "unless-stopped", "never"] },
  resources: { type: "object", additionalProperties: false, properties: { requests: resourceAmounts, limits: resourceAmounts } },
  secrets: {
    type: "array",
    items: {
      type: "object",
      required: ["secret", "key"],
      additionalProperties: false,
      properties: { secret: { type: "string", minLength: 1 }, key: { type: "string", minLength: 1 }, env: { type: "string", minLength: 1 }, path: { type: "string", pattern: "^/" } },
    },
  },
  ingress: { type: "object", additionalProperties: false, properties: { host: { type: "string" }, path: { type: "string", pattern: "^/" } } },
} as const;

/** The fields of an Ajv ErrorObject that messages are made from (Ajv's own errors fit it too). */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

export interface SchemaIssue {
  /** JSON path of the offending value, e.g. `/volumes/0/target`. */
  path: string;
  message: string;
}

/** A schema error as Trellis words it (the same words for the document check and the settings check). */
export function describeSchemaError(e: SchemaError): SchemaIssue {
  const path = e.instancePath || "/";
  switch (e.keyword) {
    case "required":
      return { path: `${e.instancePath}/${e.params.missingProperty as string}`, message: "is required" };
    case "additionalProperties":
      return { path: `${e.instancePath}/${e.params.additionalProperty as string}`, message: "is not a known field" };
    case "enum":
      return { path, message: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
    case "const":
      return { path, message: `must be ${JSON.stringify(e.params.allowedValue)}` };
    default:
      return { path, message: e.message ?? "is invalid" };
  }
}

/** The first problem with a node config's deployment settings (the same rules as the document schema), or null. */
export function deploymentSettingsIssue(config: unknown): { field: string; message: string } | null {
  const e = firstDeploymentError(config);
  if (!e) return null;
  const issue = describeSchemaError(e);
  return { field: issue.path.split("/")[1] ?? "config", message: `${issue.path.slice(1).replace(/\//g, ".")} ${issue.message}` };
}

/** The first error Ajv (allErrors, strict: false) reports for `{ type: "object", properties: deploymentConfigSchema }`. */
export function firstDeploymentError(config: unknown): SchemaError | null {
  return firstError({ type: "object", properties: deploymentConfigSchema }, config, "");
}

type Schema = { readonly [keyword: string]: unknown };
const KNOWN = new Set(["type", "enum", "required", "additionalProperties", "properties", "items", "minItems", "minLength", "pattern", "minimum", "maximum"]);
// Ajv's keyword groups, in its order: keywords for any type, then number, string, array, object keywords
// (each group runs only on data of its type; within a group, its vocabularies' order).
const GROUPS = [
  { type: "number", keywords: ["maximum", "minimum"], is: (d: unknown) => typeof d === "number" },
  { type: "string", keywords: ["minLength", "pattern"], is: (d: unknown) => typeof d === "string" },
  { type: "array", keywords: ["minItems", "items"], is: (d: unknown) => Array.isArray(d) },
  { type: "object", keywords: ["required", "additionalProperties", "properties"], is: (d: unknown) => typeof d === "object" && d !== null && !Array.isArray(d) },
] as const;
const patterns = new Map<string, RegExp>();
const pointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

function isType(type: string, d: unknown): boolean {
  switch (type) {
    // Ajv without strictNumbers (strict: false): any number, NaN too; an integer has no fraction.
    case "integer":
      return typeof d === "number" && !(d % 1) && !Number.isNaN(d);
    case "number":
    case "string":
    case "boolean":
      return typeof d === type;
    default:
      return GROUPS.find((g) => g.type === type)!.is(d);
  }
}

function firstError(schema: Schema, data: unknown, path: string): SchemaError | null {
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`deployment-settings: the check does not know the schema keyword '${k}'`);
  const type = schema.type as string | undefined;
  const group = type && GROUPS.find((g) => g.type === (type === "integer" ? "" : type));
  const typeError: SchemaError = { keyword: "type", instancePath: path, params: { type }, message: `must be ${type}` };
  // A type whose group has none of the schema's keywords is checked first; otherwise where its group runs.
  const typeInGroup = !!group && group.keywords.some((k) => k in schema);
  if (type && !typeInGroup && !isType(type, data)) return typeError;
  if (schema.enum) {
    const values = schema.enum as readonly unknown[];
    if (!values.includes(data)) return { keyword: "enum", instancePath: path, params: { allowedValues: values }, message: "must be equal to one of the allowed values" };
  }
  for (const g of GROUPS) {
    if (!g.is(data)) {
      if (typeInGroup && g === group) return typeError;
      continue;
    }
    for (const k of g.keywords) {
      if (!(k in schema)) continue;
      const e = keyword(k, schema, data, path);
      if (e) return e;
    }
  }
  return null;
}

function keyword(k: string, schema: Schema, data: unknown, path: string): SchemaError | null {
  const v = schema[k];
  switch (k) {
    case "maximum":
      return (data as number) <= (v as number) ? null : { keyword: k, instancePath: path, params: { comparison: "<=", limit: v }, message: `must be <= ${v as number}` };
    case "minimum":
      return (data as number) >= (v as number) ? null : { keyword: k, instancePath: path, params: { comparison: ">=", limit: v }, message: `must be >= ${v as number}` };
    case "minLength":
      // Ajv counts code points.
      return [...(data as string)].length >= (v as number) ? null : { keyword: k, instancePath: path, params: { limit: v }, message: `must NOT have fewer than ${v as number} characters` };
    case "pattern": {
      const p = v as string;
      if (!patterns.has(p)) patterns.set(p, new RegExp(p, "u"));
      return patterns.get(p)!.test(data as string) ? null : { keyword: k, instancePath: path, params: { pattern: p }, message: `must match pattern "${p}"` };
    }
    case "minItems":
      return (data as unknown[]).length >= (v as number) ? null : { keyword: k, instancePath: path, params: { limit: v }, message: `must NOT have fewer than ${v as number} items` };
    case "items": {
      const items = data as unknown[];
      for (let i = 0; i < items.length; i++) {
        const e = firstError(v as Schema, items[i], `${path}/${i}`);
        if (e) return e;
      }
      return null;
    }
    case "required": {
      const o = data as Record<string, unknown>;
      const missing = (v as readonly string[]).find((p) => o[p] === undefined);
      return missing === undefined ? null : { keyword: k, instancePath: path, params: { missingProperty: missing }, message: `must have required property '${missing}'` };
    }
    case "additionalProperties": {
      if (v !== false) throw new Error("deployment-settings: only additionalProperties: false is checked");
      const known = (schema.properties ?? {}) as Schema;
      for (const p in data as object) {
        if (!Object.prototype.hasOwnProperty.call(known, p)) return { keyword: k, instancePath: path, params: { additionalProperty: p }, message: "must NOT have additional properties" };
      }
      return null;
    }
    case "properties": {
      const o = data as Record<string, unknown>;
      for (const [p, s] of Object.entries(v as Record<string, Schema>)) {
        if (o[p] === undefined) continue;
        const e = firstError(s, o[p], `${path}/${pointer(p)}`);
        if (e) return e;
      }
      return null;
    }
  }
  return null;
}
