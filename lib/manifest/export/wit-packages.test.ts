import { describe, expect, it } from "vitest";
import { wacIdent } from "./wac";
import { splitWitPackages } from "./wit-packages";

describe("splitWitPackages", () => {
  it("separates the file's package from nested ones, keeping comments with braces intact", () => {
    const r = splitWitPackages(`// header comment { not a block
package acme:app@1.0.0;

world app {
  import acme:lib/util@0.2.0; /* } */
}

package acme:lib@0.2.0 {
  interface util {
    // a } in a comment
    hash: func(x: string) -> u64;
  }
}
`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.packages.map((p) => `${p.name}@${p.version}`)).toEqual(["acme:app@1.0.0", "acme:lib@0.2.0"]);
    expect(r.packages[0]!.text).toContain("// header comment { not a block\npackage acme:app@1.0.0;");
    expect(r.packages[0]!.text).not.toContain("interface util");
    expect(r.packages[1]!.text).toBe("package acme:lib@0.2.0;\ninterface util {\n  // a } in a comment\n  hash: func(x: string) -> u64;\n}\n");
    // Each piece is a WIT file of its own.
    for (const p of r.packages) expect(splitWitPackages(p.text).ok).toBe(true);
  });
  it("refuses broken WIT with its position", () => {
    const r = splitWitPackages("package a:b;\ninterface x {\n  f: func(;\n}\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^3:\d+: /);
  });
  it("refuses declarations outside any package", () => {
    const r = splitWitPackages("interface x {\n  f: func();\n}\n");
    expect(r.ok).toBe(false);
  });
});

describe("wacIdent", () => {
  it.each([
    ["frontend", "frontend"],
    ["my-api-2", "my-api2"],
    ["node-9lives", "node9lives"],
    ["9lives", "n9lives"],
    ["a-1-2-b", "a12-b"],
  ])("%s → %s", (label, id) => {
    expect(wacIdent(label)).toBe(id);
    expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*$/);
  });
});
