import { describe, expect, it } from "vitest";
import { tokenize, SourceText, identifierProblem } from "./lexer";
import { parseWit, validSemver } from "./parser";
import type { FuncItem, InterfaceDecl, TypeDefItem, WorldDecl } from "./ast";

describe("lexer", () => {
  it("keeps keywords, ids, %ids and punctuation apart", () => {
    const { tokens, errors } = tokenize(new SourceText("t.wit", "use %use foo-bar -> list<u8> @ 1.2.3 error-context"));
    expect(errors).toEqual([]);
    expect(tokens.map((t) => `${t.kind}:${t.value}`)).toEqual([
      "keyword:use", "id:use", "id:foo-bar", "punct:->", "keyword:list", "punct:<", "keyword:u8", "punct:>",
      "punct:@", "int:1", "punct:.", "int:2", "punct:.", "int:3", "keyword:error-context", "eof:",
    ]);
    expect(tokens[1].explicit).toBe(true);
  });

  it("validates kebab-case identifiers", () => {
    expect(identifierProblem("foo-bar")).toBeNull();
    expect(identifierProblem("HTTP-error")).toBeNull();
    expect(identifierProblem("ipv4-1")).toBeNull();
    expect(identifierProblem("fooBar")).toMatch(/mixes upper and lower/);
    expect(identifierProblem("foo_bar")).toMatch(/invalid character '_'/);
    expect(identifierProblem("1abc")).toMatch(/start with a letter/);
    expect(identifierProblem("a--b")).toMatch(/between '-'s/);
  });

  it("attaches doc comments to the next token, not plain comments", () => {
    const { tokens } = tokenize(new SourceText("t.wit", "// plain\n/// one\n/// two\n/** three\n * four */\nfoo"));
    expect(tokens[0].docs).toEqual(["one", "two", "three", "four"]);
  });

  it("reports lexical errors and keeps going", () => {
    const { tokens, errors } = tokenize(new SourceText("t.wit", "a $ b \u202e c /* open"));
    expect(errors.map((e) => e.kind)).toEqual(["invalid-character", "forbidden-codepoint", "unterminated-comment"]);
    expect(tokens.filter((t) => t.kind === "id").map((t) => t.value)).toEqual(["a", "b", "c"]);
  });
});

describe("parser", () => {
  it("gives every node a 1-based line/column span with offsets", () => {
    const src = "package a:b@1.0.0;\n\ninterface i {\n  f: func(x: u32) -> string;\n}\n";
    const { ast, errors } = parseWit(src, "x.wit");
    expect(errors).toEqual([]);
    expect(ast.package?.span.start).toEqual({ offset: 8, line: 1, column: 9 });
    expect(ast.package?.version).toBe("1.0.0");
    const iface = ast.items[0] as InterfaceDecl;
    expect(iface.span.start).toEqual({ offset: 20, line: 3, column: 1 });
    expect(iface.span.end.line).toBe(5);
    const f = iface.items[0] as FuncItem;
    expect(f.name.span).toEqual({ file: "x.wit", start: { offset: 36, line: 4, column: 3 }, end: { offset: 37, line: 4, column: 4 } });
    expect(src.slice(f.span.start.offset, f.span.end.offset)).toBe("f: func(x: u32) -> string;");
    expect(f.func.params[0].type).toMatchObject({ kind: "primitive", name: "u32" });
  });

  it("keeps docs and gates on items", () => {
    const { ast, errors } = parseWit(
      "package a:b@1.0.0;\n/// Iface docs\n@since(version = 1.0.0)\ninterface i {\n  /// A record\n  @unstable(feature = x-y)\n  record r { /** field */ a: u8 }\n}",
    );
    expect(errors).toEqual([]);
    const iface = ast.items[0] as InterfaceDecl;
    expect(iface.docs).toBe("Iface docs");
    expect(iface.gates).toMatchObject([{ kind: "since", version: "1.0.0" }]);
    const r = iface.items[0] as TypeDefItem & { kind: "record" };
    expect(r.docs).toBe("A record");
    expect(r.gates).toMatchObject([{ kind: "unstable", feature: "x-y" }]);
    expect(r.fields[0].docs).toBe("field");
  });

  it("parses every result form and handle type", () => {
    const { ast, errors } = parseWit(
      "package a:b;\ninterface i { resource r; type t = tuple<result, result<u8>, result<_, u8>, result<u8, u8>, borrow<r>, own<r>, future, stream<u8>, list<u8, 3>, map<string, u8>>; }",
    );
    expect(errors).toEqual([]);
    const t = (ast.items[0] as InterfaceDecl).items[1] as TypeDefItem & { kind: "alias" };
    expect(t.target.kind).toBe("tuple");
    const els = (t.target as { elements: { kind: string }[] }).elements.map((e) => e.kind);
    expect(els).toEqual(["result", "result", "result", "result", "handle", "handle", "future", "stream", "list", "map"]);
  });

  it("distinguishes world import forms", () => {
    const { ast, errors } = parseWit(
      "package a:b;\nworld w { import x:y/z@1.0.0; import p: x:y/z; import q: local; import f: async func(); import h: interface { g: func(); } include o with { a as b, c as d } }",
    );
    expect(errors).toEqual([]);
    const w = ast.items[0] as WorldDecl;
    expect(w.items.map((i) => (i.kind === "import" ? i.target.kind : i.kind))).toEqual(["path", "named-path", "named-path", "func", "interface", "include"]);
  });

  it("recovers and reports every syntax error in a file", () => {
    const { ast, errors } = parseWit(
      "package a:b;\ninterface i {\n  f: func(x: ) -> u32;\n  g: func() -> ;\n  ok: func();\n}\nworld w { import ; export i; }\ninterface j { fine: func(); }\n",
    );
    expect(errors.map((e) => `${e.span.start.line}:${e.span.start.column}`)).toEqual(["3:14", "4:16", "7:18"]);
    expect(errors.every((e) => e.kind === "syntax")).toBe(true);
    const names = ast.items.map((i) => ("name" in i ? i.name : undefined)).map((n) => (n && "name" in n ? n.name : n));
    expect(names).toEqual(["i", "w", "j"]);
    expect((ast.items[0] as InterfaceDecl).items.map((i) => (i as FuncItem).name.name)).toEqual(["ok"]);
    expect((ast.items[1] as WorldDecl).items).toHaveLength(1);
  });

  it("never throws on garbage and always ends", () => {
    const samples = ["", "}", "{{{{", "package", "package a:b@", "interface i { record r { a: ", "world w { include x with { a as",
      "@since(", "use a:b/c@1.0.0.{", "interface i { resource r { constructor(", ">>>><<<<", "\u0000\u0001", '@external-id("unterminated'];
    for (const s of samples) expect(() => parseWit(s)).not.toThrow();
    let seed = 7;
    const alphabet = ["interface", "world", "{", "}", "(", ")", "<", ">", ";", ":", ",", "func", "x", "u8", "->", "@", "use", ".", "/", "1", "record", "import", "\n"];
    for (let n = 0; n < 200; n++) {
      let s = "";
      for (let k = 0; k < 60; k++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        s += alphabet[seed % alphabet.length] + " ";
      }
      expect(() => parseWit(s)).not.toThrow();
    }
  });

  it("refuses too deep type nesting and huge files with typed errors", () => {
    const deep = "package a:b;\ninterface i { type t = " + "list<".repeat(150) + "u8" + ">".repeat(150) + "; }";
    expect(parseWit(deep).errors.map((e) => e.kind)).toContain("too-deep");
    const huge = parseWit("x".repeat(8 * 1024 * 1024 + 1));
    expect(huge.errors.map((e) => e.kind)).toEqual(["too-large"]);
  });

  it("checks semver versions", () => {
    expect(validSemver("1.2.3")).toBe(true);
    expect(validSemver("0.2.0-draft")).toBe(true);
    expect(validSemver("1.0.0-rc.1+build.5")).toBe(true);
    expect(validSemver("01.0.0")).toBe(false);
    expect(validSemver("1.0.0-01")).toBe(false);
    expect(parseWit("package a:b@1.0;").errors[0].kind).toBe("invalid-version");
  });
});
