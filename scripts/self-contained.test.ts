// `npm test` must pass on a fresh clone with nothing beside it: no test it
// runs (vitest or Playwright) may read ../shared/. Tests against the published
// files there are *.conformance.test.ts (npm run test:conformance).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const SKIP_DIRS = new Set(["node_modules", ".next", ".git", ".node", "build", "test-results", "playwright-report"]);

function testFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) testFiles(join(dir, e.name), out);
    } else if (/\.(test|spec)\.ts$/.test(e.name) && !e.name.endsWith(".conformance.test.ts")) {
      out.push(relative(root, join(dir, e.name)));
    }
  }
  return out;
}

describe("self-contained tests", () => {
  it("no vitest or Playwright file outside conformance reads ../shared/", () => {
    // (self-contained tests name the patterns they look for)
    const offenders = testFiles(root)
      .filter((f) => !f.endsWith("self-contained.test.ts"))
      .filter((f) => {
        const text = readFileSync(join(root, f), "utf8").replace(/^\s*\/\/.*$/gm, "");
        // a path in a string literal, or the conformance helpers (comments may mention ../shared/)
        return /(["'`])[^"'`\n]*\.\.\/shared\//.test(text) || /\bSHARED_DIR\b|from\s+["'][^"']*shared-dir["']/.test(text);
      });
    expect(offenders).toEqual([]);
  });
});
