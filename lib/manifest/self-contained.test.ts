// `npm test` must pass on a clone without ../shared: only *.conformance.test.ts
// files (and the helpers only they import) may reach for the published files.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const CONFORMANCE_ONLY = ["testing/upstream-schemas.ts"];

function tsFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === "fixtures" ? [] : tsFiles(join(dir, e.name), `${prefix}${e.name}/`)) : e.name.endsWith(".ts") ? [`${prefix}${e.name}`] : [],
  );
}

describe("lib/manifest tests are self-contained", () => {
  const files = tsFiles(here).filter((f) => !f.endsWith(".conformance.test.ts") && !CONFORMANCE_ONLY.includes(f) && f !== "self-contained.test.ts");
  it("finds the test files", () => expect(files.filter((f) => f.endsWith(".test.ts")).length).toBeGreaterThan(5));
  for (const f of files) {
    it(f, () => {
      const text = readFileSync(join(here, f), "utf8");
      expect(text).not.toMatch(/SHARED_DIR|shared-dir|upstream-schemas|\.\.\/shared\//);
    });
  }
});
