import { describe, expect, it } from "vitest";
import { splitArgs } from "./args";

describe("splitArgs", () => {
  it("splits words and keeps quoted text whole", () => {
    expect(splitArgs(`sh -c 'echo a | tr a b'`)).toEqual({ ok: true, args: ["sh", "-c", "echo a | tr a b"] });
    expect(splitArgs(`printf "%s\\n" "say \\"hi\\"" x\\ y`)).toEqual({ ok: true, args: ["printf", "%s\\n", 'say "hi"', "x y"] });
    expect(splitArgs("  ")).toEqual({ ok: true, args: [] });
    expect(splitArgs(`a '' b`)).toEqual({ ok: true, args: ["a", "", "b"] });
  });
  it("refuses unclosed quotes, naming the column", () => {
    expect(splitArgs(`echo 'oops`)).toEqual({ ok: false, error: "unclosed ' at column 6" });
    expect(splitArgs(`echo "oops`)).toEqual({ ok: false, error: 'unclosed " at column 6' });
  });
});
