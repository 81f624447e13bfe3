import { describe, expect, it } from "vitest";
import { checkInterfaceCompat } from "./compat";
import { formatWitError } from "./errors";
import { checkWit, memoryWitFs } from "./loader";
import { typeToString } from "./model";
import { parseWit } from "./parser";
import { resolveWit, type ParsedFile } from "./resolver";

const file = (name: string, text: string): ParsedFile => ({ file: name, ast: parseWit(text, name).ast });
const errs = (r: { errors: { kind: string; message: string }[] }) => r.errors.map((e) => `${e.kind}: ${e.message}`);

describe("resolveWit", () => {
  const gated = `package a:b@1.0.0;
interface i {
  @unstable(feature = fancy)
  fancy: func();
  @unstable(feature = fancy)
  type t = u32;
  plain: func();
}
world w { import i; }`;

  it("leaves @unstable items out unless their feature is enabled", () => {
    const names = (features?: string[] | "all") =>
      resolveWit({ root: [file("a.wit", gated)] }, { features }).model.packages[0].interfaces[0].functions.map((f) => f.name);
    expect(names()).toEqual(["plain"]);
    expect(names(["fancy"])).toEqual(["fancy", "plain"]);
    expect(names("all")).toEqual(["fancy", "plain"]);
    expect(names(["other"])).toEqual(["plain"]);
  });

  it("explains references to items left out by a feature gate", () => {
    const r = resolveWit({ root: [file("a.wit", gated.replace("plain: func();", "plain: func(x: t);"))] });
    expect(errs(r)).toEqual(["gated-out: type `t` is left out (`@unstable(feature = fancy)` is not enabled), so it cannot be used here; gate this item too"]);
  });

  it("follows aliases and uses to structural types", () => {
    const r = resolveWit({
      root: [file("a.wit", "package a:b;\ninterface x { record p { v: u8 } type ps = list<p>; }\ninterface y { use x.{ps as many}; type m2 = many; f: func(a: m2) -> option<many>; }")],
    });
    expect(r.errors).toEqual([]);
    const y = r.model.packages[0].interfaces[1];
    const f = y.functions[0];
    expect(typeToString(f.params[0].type)).toBe("list<p>");
    expect(f.params[0].type).toMatchObject({ kind: "list", element: { kind: "record", name: "p", owner: "a:b/x", fields: [{ name: "v" }] } });
    // The same definition object is shared, not copied.
    const x = r.model.packages[0].interfaces[0];
    expect((f.params[0].type as { element: unknown }).element).toBe(x.types[0].type);
    expect(y.types.map((t) => `${t.name}:${t.origin}`)).toEqual(["many:use", "m2:alias"]);
  });

  it("merges a package split over files and rejects conflicting headers", () => {
    const ok = resolveWit({ root: [file("b.wit", "interface i { f: func(); }"), file("a.wit", "package a:b;\nworld w { import i; }")] });
    expect(ok.errors).toEqual([]);
    expect(ok.model.packages[0].worlds[0].imports.map((e) => e.key)).toEqual(["a:b/i"]);
    const bad = resolveWit({ root: [file("a.wit", "package a:b;"), file("b.wit", "package a:c;")] });
    expect(errs(bad)).toEqual(["package-mismatch: package identifier `a:c` does not match previous package name of `a:b`"]);
  });

  it("refuses a package defined twice, even as identical copies (as wit-parser does)", () => {
    const dep = (body: string) => [file("dep.wit", `package x:y;\ninterface i { ${body} }`)];
    const root = [file("a.wit", "package a:b;\nworld w { import x:y/i; }")];
    for (const second of ["f: func();", "g: func();"]) {
      expect(errs(resolveWit({ root, deps: [dep("f: func();"), dep(second)] }))).toEqual([
        "duplicate-package: package `x:y` is defined in two places (first at dep.wit:1:9)",
      ]);
    }
  });

  it("is deterministic regardless of file order", () => {
    const files = [file("b.wit", "interface b { use a.{t}; }"), file("a.wit", "package p:q;\ninterface a { type t = u8; }"), file("c.wit", "world w { export b; }")];
    const one = JSON.stringify(resolveWit({ root: files }).model, (k, v) => (k === "span" ? undefined : v));
    const two = JSON.stringify(resolveWit({ root: [...files].reverse() }).model, (k, v) => (k === "span" ? undefined : v));
    expect(one).toBe(two);
  });

  it("reports errors in dependency files with their own file names", () => {
    const r = checkWit(memoryWitFs({ "w.wit": "package a:b;\nworld w { import x:y/i; }", "deps/x/i.wit": "package x:y;\ninterface i { f: func() -> nope; }" }), "");
    expect(r.errors.map(formatWitError)).toEqual(["deps/x/i.wit:2:28: name `nope` is not defined"]);
  });

  it("handles large inputs without blowing up", () => {
    const n = 400;
    let body = "package big:one;\ninterface i {\n  type t0 = u8;\n";
    for (let k = 1; k < n; k++) body += `  record t${k} { a: t${k - 1}, b: option<t${k - 1}> }\n`;
    // Each record uses the previous one twice: anything that walks types without sharing would take 2^400 steps.
    body += `  f: func(x: t${n - 1}) -> t${n - 1};\n  resource r;\n  g: func() -> tuple<t${n - 1}, borrow<r>>;\n}\nworld w { export i; }\n`;
    const r = resolveWit({ root: [file("big.wit", body)] });
    expect(errs(r)).toEqual(["borrow-in-result: function `g` returns a type which contains a `borrow<T>` which is not supported"]);
    expect(r.model.packages[0].interfaces[0].types).toHaveLength(n + 1);
    const i = r.model.packages[0].interfaces[0];
    expect(checkInterfaceCompat(i, i)).toBeNull();
    const copy = resolveWit({ root: [file("big.wit", body)] }).model.packages[0].interfaces[0];
    expect(checkInterfaceCompat(copy, i)).toBeNull();
  });
});
