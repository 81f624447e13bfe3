// Property: the WIT parser answers any text (random, or WIT-like token soup) with an AST
// and typed errors, never a throw.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseWit } from "./parser";

const runs = Number(process.env.FUZZ_RUNS ?? 300);
const tokens = ["package", "a:b@1.0.0;", "interface", "world", "i", "{", "}", "(", ")", "<", ">", ":", ";", ",", "func", "record", "variant", "enum", "flags", "resource", "use", "import", "export", "include", "type", "list", "option", "result", "u32", "string", "->", "=", "/", "@", "%id", "///doc\n", "/*", "*/", "\n", " ", "constructor", "static", "borrow", "own", "tuple", "1.0.0"];

describe("parseWit (fuzz)", () => {
  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (t) => {
        const r = parseWit(t);
        expect(Array.isArray(r.errors)).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it("never throws on WIT-like token sequences; every error has a kind and a span", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 80 }), (ts) => {
        const r = parseWit(ts.join(" "));
        for (const e of r.errors) expect(typeof e.kind === "string" && e.span !== undefined).toBe(true);
      }),
      { numRuns: runs },
    );
  });
});
