import { describe, expect, it } from "vitest";
import { completionsAt, definitionAt, hoverAt } from "./editor";
import { witLanguageConfiguration, witMonarchLanguage } from "./monarch";

const src = `package acme:ml@1.0.0;

interface types {
  /// A dense tensor.
  record tensor { shape: list<u32>, data: list<f32> }
  type bytes = list<u8>;
}

/// Inference.
interface infer {
  use types.{tensor, bytes as raw};
  /// Run the model.
  predict: func(input: tensor, blob: raw) -> tensor;
  resource session { run: func(t: tensor); }
}

world runner {
  import infer;
  include other;
}

world other {}
`;

/** Offset of the `n`th occurrence of `needle`, plus `delta`. */
function at(needle: string, n = 0, delta = 1): number {
  let i = -1;
  for (let k = 0; k <= n; k++) i = src.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`no ${needle}`);
  return i + delta;
}

describe("hoverAt", () => {
  it("shows doc comments and the resolved shape of a used type", () => {
    const h = hoverAt(src, at("input: tensor", 0, 8));
    expect(h?.contents).toContain("record tensor { shape: list<u32>, data: list<f32> }");
    expect(h?.contents).toContain("A dense tensor.");
    expect(h?.span.start.line).toBe(13);
  });

  it("follows a renamed use to an alias", () => {
    const h = hoverAt(src, at("blob: raw", 0, 7));
    expect(h?.contents).toContain("type bytes = list<u8>");
  });

  it("documents functions, interfaces and builtins", () => {
    expect(hoverAt(src, at("predict"))?.contents).toContain("Run the model.");
    expect(hoverAt(src, at("predict"))?.contents).toContain("predict: func(input: tensor, blob: raw) -> tensor");
    expect(hoverAt(src, at("import infer", 0, 8))?.contents).toContain("Inference.");
    expect(hoverAt(src, at("list<u32>"))?.contents).toContain("sequence");
    expect(hoverAt(src, 0)).toBeNull();
  });
});

describe("definitionAt", () => {
  it("jumps from a type use to its definition through `use`", () => {
    const d = definitionAt(src, at("-> tensor", 0, 4));
    expect(d?.start).toMatchObject({ line: 5, column: 3 });
    expect(definitionAt(src, at("t: tensor", 0, 4))?.start.line).toBe(5);
    expect(definitionAt(src, at("use types.{tensor", 0, 12))?.start.line).toBe(5);
  });

  it("jumps to interfaces and worlds", () => {
    expect(definitionAt(src, at("use types", 0, 5))?.start.line).toBe(3);
    expect(definitionAt(src, at("import infer", 0, 8))?.start.line).toBe(10);
    expect(definitionAt(src, at("include other", 0, 9))?.start.line).toBe(22);
    expect(definitionAt(src, at("package"))).toBeNull();
  });
});

describe("completionsAt", () => {
  const labels = (s: string, offset: number) => completionsAt(s, offset).map((c) => c.label);

  it("offers builtins and in-scope types in type positions", () => {
    const s = src.replace("resource session", "check: func(x: ) -> u8;\n  resource session");
    const l = labels(s, s.indexOf("x: ) ->") + 3);
    expect(l).toEqual(expect.arrayContaining(["u32", "string", "list", "tensor", "raw"]));
    expect(l).not.toContain("record");
  });

  it("offers the types of the interface in a use list", () => {
    const s = src.replace("use types.{tensor, bytes as raw};", "use types.{};");
    expect(labels(s, s.indexOf("use types.{") + 11)).toEqual(["tensor", "bytes"]);
  });

  it("offers interfaces after import/use and worlds after include", () => {
    const s = src.replace("import infer;", "import ;");
    expect(labels(s, s.indexOf("import ;") + 7)).toEqual(expect.arrayContaining(["types", "infer"]));
    expect(labels(src, at("include other", 0, 8))).toEqual(expect.arrayContaining(["runner", "other"]));
  });

  it("offers keywords that fit the position", () => {
    expect(labels(src, 0)).toEqual(["package", "interface", "world", "use"]);
    const inIface = labels(src, src.indexOf("  /// Run"));
    expect(inIface).toContain("record");
    expect(inIface).not.toContain("import");
    const inWorld = labels(src, src.indexOf("  import infer"));
    expect(inWorld).toContain("import");
    expect(labels(src, src.indexOf("run: func(t") - 1)).toEqual(["constructor"]);
    const e = "package a:b;\ninterface i { enum e { one, } }";
    expect(labels(e, e.indexOf("one,") + 5)).toEqual([]);
  });
});

describe("monarch definition", () => {
  it("is plain data Monaco can take", () => {
    expect(JSON.parse(JSON.stringify(witLanguageConfiguration)).comments.lineComment).toBe("//");
    const tokenizer = witMonarchLanguage.tokenizer as Record<string, unknown[]>;
    expect(Object.keys(tokenizer)).toEqual(["root", "block", "docblock"]);
    for (const rule of tokenizer.root as [RegExp, unknown][]) expect(rule[0]).toBeInstanceOf(RegExp);
  });
});

describe("editor helpers on text being typed", () => {
  it("never throw at any offset of incomplete WIT", () => {
    const broken = `package a:b;\ninterface i {\n  use j.{t, \n  record r { a: list<t\n  f: func(x: r) -> \n}\nworld w { import i; include \n`;
    for (let o = 0; o <= broken.length; o++) {
      expect(() => completionsAt(broken, o)).not.toThrow();
      expect(() => hoverAt(broken, o)).not.toThrow();
      expect(() => definitionAt(broken, o)).not.toThrow();
    }
  });
});

