// The settings check answers as Ajv does on the same schema: same first error (keyword, path, params,
// message), so ops.updateNode's messages did not change when the designer stopped loading Ajv.
import Ajv from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deploymentConfigSchema, deploymentSettingsIssue, describeSchemaError, firstDeploymentError } from "./deployment-settings";

const validate = new Ajv({ allErrors: true, strict: false }).compile({ type: "object", properties: deploymentConfigSchema });
function ajvFirst(config: unknown) {
  if (validate(config)) return null;
  const e = validate.errors!.find((x) => x.keyword !== "if")!;
  return { keyword: e.keyword, instancePath: e.instancePath, params: e.params, message: e.message };
}

type S = { [k: string]: unknown };
const junk = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.double(), fc.string({ maxLength: 3 }), fc.constant([]), fc.constant({}), fc.constant([1]));
const samples: Record<string, string[]> = {
  "^/": ["/", "/data", "data", "", "//x"],
  "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$": ["1", "100m", "1.5Gi", "512Mi", "1.", "Gi", "-1", "1e3", "", "2Ti", "3Kb"],
};
/** Values shaped by the schema (most valid, many a little wrong), and now and then anything. */
function arb(s: S): fc.Arbitrary<unknown> {
  let own: fc.Arbitrary<unknown>;
  if (s.enum) own = fc.constantFrom(...(s.enum as string[]), "other", "");
  else if (s.type === "string") own = s.pattern ? fc.constantFrom(...samples[s.pattern as string]!) : fc.string({ maxLength: 3 });
  else if (s.type === "integer") {
    const lo = (s.minimum as number) ?? 0, hi = (s.maximum as number) ?? 100;
    own = fc.oneof(fc.integer({ min: lo - 2, max: hi + 2 }), fc.constantFrom(lo, hi, lo - 1, hi + 1, 0.5, -0.5, lo + 0.5, Infinity, -Infinity, NaN));
  } else if (s.type === "boolean") own = fc.boolean();
  else if (s.type === "array") own = fc.array(arb(s.items as S), { maxLength: 3 });
  else if (s.type === "object") {
    const props = Object.fromEntries(Object.entries(s.properties as Record<string, S>).map(([k, v]) => [k, arb(v)]));
    const required = (s.required as string[] | undefined) ?? [];
    const record = fc.oneof(fc.record(props, { requiredKeys: required as never[] }), fc.record(props, { requiredKeys: [] }));
    own = fc.tuple(record, fc.option(fc.constantFrom("extra", "0", "Type"), { nil: undefined }), junk).map(([o, extra, v]) => (extra === undefined ? o : { ...(o as object), [extra]: v }));
  } else throw new Error(`no generator for ${JSON.stringify(s)}`);
  return fc.oneof({ arbitrary: own, weight: 8 }, { arbitrary: junk, weight: 1 });
}
const config = arb({ type: "object", properties: deploymentConfigSchema }).filter((c) => typeof c === "object" && c !== null && !Array.isArray(c));

describe("deployment settings check", () => {
  it("reports Ajv's first error on random configs", () => {
    let invalid = 0;
    fc.assert(
      fc.property(config, (c) => {
        const want = ajvFirst(c);
        if (want) invalid++;
        expect(firstDeploymentError(c)).toEqual(want);
        expect(deploymentSettingsIssue(c)).toEqual(want && ((i) => ({ field: i.path.split("/")[1] ?? "config", message: `${i.path.slice(1).replace(/\//g, ".")} ${i.message}` }))(describeSchemaError(want)));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3000) },
    );
    // Both verdicts were exercised.
    expect(invalid).toBeGreaterThan(100);
  });

  it("words the errors as the designer shows them", () => {
    expect(deploymentSettingsIssue({ env: [], volumes: [{ type: "volume", source: "d", target: "/d" }] })).toBeNull();
    expect(deploymentSettingsIssue({ volumes: [{ type: "volume", source: "d", target: "data" }] })).toEqual({ field: "volumes", message: 'volumes.0.target must match pattern "^/"' });
    expect(deploymentSettingsIssue({ volumes: [{ type: "disk", source: "d" }] })).toEqual({ field: "volumes", message: "volumes.0.target is required" });
    expect(deploymentSettingsIssue({ healthcheck: { retries: 0, exec: [] } })).toEqual({ field: "healthcheck", message: "healthcheck.exec must NOT have fewer than 1 items" });
    expect(deploymentSettingsIssue({ healthcheck: { tcpPort: 1.5 } })).toEqual({ field: "healthcheck", message: "healthcheck.tcpPort must be integer" });
    expect(deploymentSettingsIssue({ restartPolicy: "sometimes" })).toEqual({ field: "restartPolicy", message: 'restartPolicy must be one of "always", "on-failure", "unless-stopped", "never"' });
    expect(deploymentSettingsIssue({ resources: { limits: { memory: "lots", gpu: "1" } } })).toEqual({ field: "resources", message: "resources.limits.gpu is not a known field" });
    expect(deploymentSettingsIssue({ secrets: [{ secret: "", key: "k" }] })).toEqual({ field: "secrets", message: "secrets.0.secret must NOT have fewer than 1 characters" });
  });

  it("refuses a schema keyword it does not check, rather than passing it silently", () => {
    expect(() => firstDeploymentError({ volumes: [{ type: "volume", source: "d", target: "/d" }], ingress: { host: "x" } })).not.toThrow();
    const schema = deploymentConfigSchema as unknown as { ingress: { properties: { host: Record<string, unknown> } } };
    const host = schema.ingress.properties.host;
    host.maxLength = 3;
    try {
      expect(() => firstDeploymentError({ ingress: { host: "x" } })).toThrow(/maxLength/);
    } finally {
      delete host.maxLength;
    }
  });
});
