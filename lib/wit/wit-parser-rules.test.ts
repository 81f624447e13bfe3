// Rules found missing when lib/wit was run against wit-parser's own suite
// (wit-parser-ui.conformance.test.ts): one test per rule, small inline WIT, so
// `npm test` covers them without ../shared/. Each checks the error kind and
// the place wit-parser points at.
import { describe, expect, it } from "vitest";
import { analyzeWit } from "./analyze";
import { checkWit, memoryWitFs } from "./loader";
import type { ResolveOptions } from "./resolver";

/** `kind@line:col` of every error for one file (or a folder given as `{ path: text }`). */
function errorsOf(source: string | Record<string, string>, options: ResolveOptions = {}): string[] {
  const files = typeof source === "string" ? { "t.wit": source } : source;
  const { errors } = checkWit(memoryWitFs(files), typeof source === "string" ? "t.wit" : "", options);
  return errors.map((e) => `${e.kind}@${e.span.file}:${e.span.start.line}:${e.span.start.column}`);
}

describe("rules wit-parser enforces", () => {
  it("reports a syntax error at the token found, even on the next line or at end of file", () => {
    expect(errorsOf("package a:b;\ninterface i {\n  type t = u32\n}\n")).toEqual(["syntax@t.wit:4:1"]);
    expect(errorsOf("package a:b;\ninterface i {\n")).toEqual(["syntax@t.wit:3:1"]);
  });

  it("wants `{` after a second `package` header (nested packages need a body)", () => {
    expect(errorsOf("package a:b;\ninterface i {}\npackage c:d;\n")).toEqual(["syntax@t.wit:3:12"]);
  });

  it("reports one error per type cycle, at the first type's reference into the cycle", () => {
    expect(errorsOf("package a:b;\ninterface i {\n  type a = b;\n  record b { x: a }\n  type c = c;\n}\n")).toEqual([
      "type-cycle@t.wit:3:12",
      "type-cycle@t.wit:5:12",
    ]);
  });

  it("reports a `use` or `include` cycle once, at the declaration of the interface or world it leads to", () => {
    expect(errorsOf("package a:b;\ninterface x { use y.{t}; type u = u32; }\ninterface y { use x.{u}; type t = u32; }\n")).toEqual([
      "use-cycle@t.wit:3:11",
    ]);
    expect(errorsOf("package a:b;\nworld v { include w; }\nworld w { include v; }\n")).toEqual(["include-cycle@t.wit:3:7"]);
  });

  it("refuses packages that depend on each other, and a package naming itself by its qualified name", () => {
    expect(errorsOf("package a:b;\ninterface i {}\nworld w { import a:b/i; }\n")).toEqual(["package-cycle@t.wit:3:18"]);
    expect(errorsOf({
      "root.wit": "package r:r;\ninterface i { use x:x/i.{}; }\n",
      "deps/x/x.wit": "package x:x;\ninterface i { use y:y/i.{}; }\n",
      "deps/y/y.wit": "package y:y;\ninterface i { use x:x/i.{}; }\n",
    })).toEqual(["package-cycle@deps/y/y.wit:2:19"]);
  });

  it("refuses a package defined twice, even as identical copies", () => {
    expect(errorsOf("package r:r;\npackage a:b {}\npackage a:b {}\n")).toEqual(["duplicate-package@t.wit:3:9"]);
  });

  it("does not take an alias of a handle (`type t = own<r>`) as a resource", () => {
    const base = "package a:b;\ninterface i {\n  resource r;\n  type t = own<r>;\n  type s = r;\n";
    expect(errorsOf(`${base}  type x = borrow<t>;\n}\n`)).toEqual(["not-a-resource@t.wit:6:19"]);
    expect(errorsOf(`${base}  type x = borrow<s>;\n}\n`)).toEqual([]);
  });

  it("says a function named in a type definition is not a type (and in a signature, that it is a function)", () => {
    const r = analyzeWit("package a:b;\ninterface i {\n  f: func();\n  record r { x: f }\n  g: func() -> f;\n}\n", undefined, { opaqueUnknownPackages: false });
    expect(r.errors.map((e) => `${e.kind}@${e.span.start.line}:${e.span.start.column}`)).toEqual(["unknown-type@4:17", "wrong-item-kind@5:16"]);
  });

  it("refuses a world whose export reaches an exported interface through an implicit import", () => {
    const pkg = "package a:b;\ninterface i1 { type t = u32; }\ninterface i2 { use i1.{t}; }\ninterface i3 { use i2.{t}; }\n";
    expect(errorsOf(`${pkg}world w {\n  export i1;\n  export i3;\n}\n`)).toEqual(["import-export-conflict@t.wit:5:7"]);
    // Exporting the interface in between, or none of them, is fine.
    expect(errorsOf(`${pkg}world w {\n  export i1;\n  export i2;\n  export i3;\n}\n`)).toEqual([]);
    expect(errorsOf(`${pkg}world w {\n  import i1;\n  export i1;\n}\n`)).toEqual([]);
  });

  it("points at the function for a borrow in a result, at `map` for a bad key, at `ok` for a bad constructor result", () => {
    expect(errorsOf("package a:b;\ninterface i {\n  resource r;\n  f: func() -> borrow<r>;\n}\n")).toEqual(["borrow-in-result@t.wit:4:3"]);
    expect(errorsOf("package a:b;\ninterface i {\n  type m = map<f32, u8>;\n}\n")).toEqual(["invalid-type@t.wit:3:12"]);
    expect(errorsOf("package a:b;\ninterface i {\n  resource q;\n  resource r {\n    constructor() -> result<q, string>;\n  }\n}\n")).toEqual([
      "invalid-constructor@t.wit:5:29",
    ]);
  });

  it("refuses `@since` naming a version newer than the package, at the gated item's name", () => {
    const pkg = "package a:b@0.1.0;\n";
    const since = "@since(version = 0.2.0)";
    expect(errorsOf(`${pkg}${since}\ninterface i {}\n`)).toEqual(["invalid-gate@t.wit:3:11"]);
    expect(errorsOf(`${pkg}interface i {\n  ${since}\n  type t = u32;\n}\n`)).toEqual(["invalid-gate@t.wit:4:8"]);
    expect(errorsOf(`${pkg}${since}\nworld w {}\n`)).toEqual(["invalid-gate@t.wit:3:7"]);
    expect(errorsOf(`${pkg}world w {\n  ${since}\n  import x: func();\n}\n`)).toEqual(["invalid-gate@t.wit:4:10"]);
    expect(errorsOf(`${pkg}world v {}\nworld w {\n  ${since}\n  include v;\n}\n`)).toEqual(["invalid-gate@t.wit:5:11"]);
    // Released versions are fine.
    expect(errorsOf(`${pkg}@since(version = 0.1.0)\ninterface i {}\n`)).toEqual([]);
  });

  it("reports a reference to a gated-out type at the item that refers to it", () => {
    const gated = "package a:b;\ninterface i {\n  @unstable(feature = off)\n  type g = u32;\n";
    expect(errorsOf(`${gated}  type t = g;\n}\n`)).toEqual(["gated-out@t.wit:5:8"]);
    expect(errorsOf(`${gated}  record r {\n    a: u32,\n    b: g,\n  }\n}\n`)).toEqual(["gated-out@t.wit:7:5"]);
    expect(errorsOf(`${gated}  f: func(x: list<g>);\n}\n`)).toEqual(["gated-out@t.wit:5:3"]);
    // With the feature on, the same WIT is valid.
    expect(errorsOf(`${gated}  type t = g;\n}\n`, { features: ["off"] })).toEqual([]);
  });

  it("reports a reference to a gated-out world or interface at the path", () => {
    expect(errorsOf("package a:b;\n@unstable(feature = off)\nworld v {}\nworld w {\n  include v;\n}\n")).toEqual(["gated-out@t.wit:5:11"]);
    expect(errorsOf("package a:b;\n@unstable(feature = off)\ninterface i {}\nworld w {\n  import i;\n}\n")).toEqual(["gated-out@t.wit:5:10"]);
  });

  it("refuses ungated parts of a gated-out interface or resource", () => {
    expect(errorsOf("package a:b;\n@unstable(feature = off)\ninterface i {\n  type t = u32;\n  f: func();\n}\n")).toEqual(["gated-out@t.wit:4:8"]);
    expect(errorsOf("package a:b;\ninterface i {\n  @unstable(feature = off)\n  resource r {\n    constructor();\n    @unstable(feature = off)\n    m: func();\n    s: static func();\n  }\n}\n")).toEqual([
      "gated-out@t.wit:5:5",
      "gated-out@t.wit:8:5",
    ]);
    expect(errorsOf("package a:b;\n@unstable(feature = off)\ninterface i {\n  @unstable(feature = off)\n  type t = u32;\n}\n")).toEqual([]);
  });

  it("adds a world's own imports before included ones, so an include that clashes is the error, at its path", () => {
    expect(errorsOf("package a:b;\nworld v {\n  import x: func();\n}\nworld w {\n  include v;\n  import x: func();\n}\n")).toEqual([
      "include-conflict@t.wit:6:11",
    ]);
  });

  it("refuses a `with` name that is not a plain-named item of the included world, at the include path", () => {
    expect(errorsOf("package a:b;\ninterface i {}\nworld v {\n  import i;\n}\nworld w {\n  include v with { i as j }\n}\n")).toEqual([
      "unknown-name@t.wit:7:11",
    ]);
  });

  it("brings an included world's types along, renamable with `with`", () => {
    const wit = "package a:b;\nworld v {\n  resource r;\n  import f: func(x: r);\n}\nworld w {\n  include v with { r as s }\n}\n";
    expect(errorsOf(wit)).toEqual([]);
    const w = analyzeWit(wit, "w").world!;
    expect(w.types.map((t) => t.name)).toEqual(["s"]);
  });

  it("checks a top-level `use` even when nothing refers to it, and does not see another file's", () => {
    expect(errorsOf("package a:b;\nuse nope as n;\n")).toEqual(["unknown-interface@t.wit:2:5"]);
    expect(errorsOf({ "a.wit": "package a:b;\nuse i-alias;\ninterface i {}\n", "b.wit": "use i as i-alias;\n" })).toEqual([
      "unknown-interface@a.wit:2:5",
    ]);
  });

  it("resolves a path into another package against that package's interfaces or worlds only", () => {
    const dep = { "deps/x/x.wit": "package x:y;\ninterface i {\n  f: func();\n}\nworld w {}\n" };
    expect(errorsOf({ "r.wit": "package r:r;\ninterface j {\n  use x:y/w.{};\n}\n", ...dep })).toEqual(["unknown-interface@r.wit:3:11"]);
    expect(errorsOf({ "r.wit": "package r:r;\nworld v {\n  include x:y/i;\n}\n", ...dep })).toEqual(["unknown-world@r.wit:3:15"]);
    expect(errorsOf({ "r.wit": "package r:r;\ninterface j {\n  use x:y/i.{f};\n}\n", ...dep })).toEqual(["unknown-type@r.wit:3:14"]);
    // A top-level `use` takes the name as an interface.
    expect(errorsOf({ "r.wit": "package r:r;\nuse x:y/w;\n", ...dep })).toEqual(["unknown-interface@r.wit:2:9"]);
    expect(errorsOf({ "r.wit": "package r:r;\nuse x:y/i;\nworld v {\n  include x:y/i;\n}\n", ...dep })).toEqual(["wrong-item-kind@r.wit:4:15"]);
  });

  it("refuses doc comments on the `package` header of more than one file", () => {
    expect(errorsOf({ "a.wit": "/// A\npackage a:b;\n", "b.wit": "/// B\npackage a:b;\ninterface i {}\n" })).toEqual(["package-mismatch@b.wit:1:1"]);
    expect(errorsOf({ "a.wit": "/// A\npackage a:b;\n", "b.wit": "package a:b;\ninterface i {}\n" })).toEqual([]);
  });
});
