// Golden fixtures: lib/wit/fixtures/<case>/input*.wit (+ deps/) → expected.json
// (the resolved model summary and every error). `UPDATE=1` rewrites them.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatWitError } from "./errors";
import { checkWit, memoryWitFs } from "./loader";
import { summarizeModel } from "./summary";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

function readTree(dir: string, root = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) readTree(p, root, out);
    else if (name.endsWith(".wit")) out[relative(root, p).split("\\").join("/")] = readFileSync(p, "utf8");
  }
  return out;
}

describe("WIT golden fixtures", () => {
  const cases = readdirSync(fixtures).filter((c) => statSync(join(fixtures, c)).isDirectory()).sort();
  it("has fixtures", () => expect(cases.length).toBeGreaterThanOrEqual(20));
  for (const c of cases) {
    it(c, () => {
      const files = readTree(join(fixtures, c));
      const { model, errors } = checkWit(memoryWitFs(files), "");
      const actual = {
        errors: errors.map((e) => `${formatWitError(e)} [${e.kind}]`),
        model: summarizeModel(model),
      };
      const expectedPath = join(fixtures, c, "expected.json");
      if (process.env.UPDATE) writeFileSync(expectedPath, JSON.stringify(actual, null, 2) + "\n");
      const expected = JSON.parse(readFileSync(expectedPath, "utf8"));
      expect(actual).toEqual(expected);
      // Invalid cases are named err-*; everything else must be clean.
      if (c.startsWith("err-")) expect(errors.length).toBeGreaterThan(0);
      else expect(actual.errors).toEqual([]);
    });
  }
});
