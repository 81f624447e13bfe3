// Validation and migration of saved design documents. Every document crossing
// a boundary (HTTP, file import, CLI) goes through `parseDesign`.
import Ajv, { type ValidateFunction } from "ajv";
import { err, ok, type Result } from "../result";
import { deploymentConfigSchema, describeSchemaError as describe, type SchemaIssue } from "./deployment-settings";
import { CURRENT_DESIGN_VERSION, type DesignDocument } from "./types";

/** A problem in a design document; `path` is the JSON path of the offending value, e.g. `/topology/nodes/2/kind`. */
export type DesignIssue = SchemaIssue;

const port = {
  type: "object",
  required: ["id", "kind", "direction"],
  properties: {
    id: { type: "string", minLength: 1 },
    kind: { enum: ["wit", "network"] },
    direction: { enum: ["export", "import"] },
    interface: { type: "string", minLength: 1 },
    port: { type: "integer", minimum: 1, maximum: 65535 },
    protocol: { enum: ["tcp", "udp", "http"] },
  },
  allOf: [
    { if: { properties: { kind: { const: "wit" } } }, then: { required: ["interface"] } },
    { if: { properties: { kind: { const: "network" } } }, then: { required: ["protocol"] } },
  ],
};

const end = {
  type: "object",
  required: ["node", "port"],
  additionalProperties: false,
  properties: { node: { type: "string", minLength: 1 }, port: { type: "string", minLength: 1 } },
};

export const designSchema = {
  $id: "https://trellis.dev/schemas/design-v1.json",
  type: "object",
  required: ["trellisVersion", "name", "topology"],
  additionalProperties: false,
  properties: {
    trellisVersion: { const: 1 },
    name: { type: "string", minLength: 1, maxLength: 200 },
    description: { type: "string" },
    viewport: {
      type: "object",
      required: ["x", "y", "zoom"],
      properties: { x: { type: "number" }, y: { type: "number" }, zoom: { type: "number", exclusiveMinimum: 0 } },
    },
    topology: {
      type: "object",
      required: ["nodes", "links"],
      additionalProperties: false,
      properties: {
        nodes: {
          type: "array",
          items: {
            type: "object",
            required: ["id", "kind", "name", "position", "ports", "config"],
            additionalProperties: false,
            properties: {
              id: { type: "string", minLength: 1, maxLength: 200 },
              kind: { enum: ["component", "container", "compiled", "endpoint"] },
              name: { type: "string", minLength: 1, maxLength: 200 },
              position: {
                type: "object",
                required: ["x", "y"],
                properties: { x: { type: "number" }, y: { type: "number" } },
              },
              ports: { type: "array", items: port },
              config: {
                type: "object",
                required: ["env", "replicas", "exposedPorts"],
                properties: {
                  image: { type: "string" },
                  source: { type: "string" },
                  wit: { type: "string" },
                  world: { type: "string" },
                  witFeatures: { type: "array", maxItems: 100, items: { type: "string", minLength: 1, maxLength: 200 } },
                  env: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["name", "value"],
                      properties: { name: { type: "string", minLength: 1 }, value: { type: "string" } },
                    },
                  },
                  replicas: { type: "integer", minimum: 0, maximum: 10000 },
                  exposedPorts: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["port", "protocol"],
                      properties: { port: { type: "integer", minimum: 1, maximum: 65535 }, protocol: { enum: ["tcp", "udp"] }, http: { type: "boolean" } },
                    },
                  },
                  capability: { enum: ["http-ingress", "keyvalue", "messaging"] },
                  ...deploymentConfigSchema,
                  compile: {
                    type: "object",
                    required: ["jobId"],
                    properties: {
                      jobId: { type: "string" },
                      artifactId: { type: "string" },
                      originalImage: { type: "string" },
                      keepContainer: { type: "boolean" },
                      httpComponent: { type: "object", required: ["file", "port"], properties: { file: { type: "string" }, port: { type: "integer", minimum: 1, maximum: 65535 } } },
                    },
                  },
                },
              },
            },
          },
        },
        links: {
          type: "array",
          items: {
            type: "object",
            required: ["id", "from", "to"],
            additionalProperties: false,
            properties: { id: { type: "string", minLength: 1 }, from: end, to: end },
          },
        },
      },
    },
  },
} as const;

// Compiled on first use: compiling costs a noticeable part of a second.
let validateShape: ValidateFunction | undefined;

/** Structural + referential checks on an already-migrated document. */
export function validateDesign(doc: unknown): Result<DesignDocument, DesignIssue[]> {
  validateShape ??= new Ajv({ allErrors: true, strict: false }).compile(designSchema);
  if (!validateShape(doc)) {
    // `if/then` wrappers only repeat what the inner error says.
    const issues = (validateShape.errors ?? []).filter((e) => e.keyword !== "if").map(describe);
    return err(dedupe(issues));
  }
  const d = doc as unknown as DesignDocument;
  const issues: DesignIssue[] = [];
  const nodeIds = new Map<string, number>();
  d.topology.nodes.forEach((n, i) => {
    if (nodeIds.has(n.id)) issues.push({ path: `/topology/nodes/${i}/id`, message: `duplicate node id '${n.id}'` });
    else nodeIds.set(n.id, i);
    const portIds = new Set<string>();
    n.ports.forEach((p, j) => {
      if (portIds.has(p.id)) issues.push({ path: `/topology/nodes/${i}/ports/${j}/id`, message: `duplicate port id '${p.id}' on node '${n.id}'` });
      portIds.add(p.id);
    });
    if (n.kind === "endpoint" && !n.config.capability) {
      issues.push({ path: `/topology/nodes/${i}/config/capability`, message: "an endpoint needs a capability" });
    }
  });
  const linkIds = new Set<string>();
  d.topology.links.forEach((l, i) => {
    if (linkIds.has(l.id)) issues.push({ path: `/topology/links/${i}/id`, message: `duplicate link id '${l.id}'` });
    linkIds.add(l.id);
    for (const side of ["from", "to"] as const) {
      const e = l[side];
      const ni = nodeIds.get(e.node);
      if (ni === undefined) {
        issues.push({ path: `/topology/links/${i}/${side}/node`, message: `dangling wire: no node '${e.node}'` });
        continue;
      }
      const p = d.topology.nodes[ni]!.ports.find((x) => x.id === e.port);
      if (!p) issues.push({ path: `/topology/links/${i}/${side}/port`, message: `dangling wire: node '${e.node}' has no port '${e.port}'` });
      else if (p.direction !== (side === "from" ? "export" : "import")) {
        issues.push({ path: `/topology/links/${i}/${side}/port`, message: `port '${e.port}' of node '${e.node}' is an ${p.direction}, a wire ${side === "from" ? "starts at an export" : "ends at an import"}` });
      }
    }
  });
  return issues.length ? err(issues) : ok(d);
}

function dedupe(issues: DesignIssue[]): DesignIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path} ${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Upgrades a document one version at a time. Key n upgrades version n to n+1. */
export type Migrations = Record<number, (doc: Record<string, unknown>) => Record<string, unknown>>;

// No released format predates version 1 yet; add `1: (doc) => …` when version 2 ships. The deployment
// settings (volumes, healthcheck, restartPolicy, resources, secrets, ingress) were added as optional
// fields of version 1: every earlier document is valid unchanged, so they needed no migration step.
export const MIGRATIONS: Migrations = {};

export function migrateDesign(
  doc: unknown,
  migrations: Migrations = MIGRATIONS,
  current: number = CURRENT_DESIGN_VERSION,
): Result<unknown, DesignIssue[]> {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return err([{ path: "/", message: "a design document must be a JSON object" }]);
  }
  let d = doc as Record<string, unknown>;
  const v = d.trellisVersion;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    return err([{ path: "/trellisVersion", message: "is required and must be a positive whole number" }]);
  }
  if (v > current) {
    return err([{ path: "/trellisVersion", message: `version ${v} is newer than this Trellis understands (${current})` }]);
  }
  for (let from = v; from < current; from++) {
    const step = migrations[from];
    if (!step) return err([{ path: "/trellisVersion", message: `no migration from version ${from}` }]);
    d = { ...step(d), trellisVersion: from + 1 };
  }
  return ok(d);
}

/** Migrate then validate: the one entry point for documents from outside. */
export function parseDesign(doc: unknown): Result<DesignDocument, DesignIssue[]> {
  const migrated = migrateDesign(doc);
  return migrated.ok ? validateDesign(migrated.value) : migrated;
}
