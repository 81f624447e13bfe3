// WIT samples judged by both lib/wit and jco (`componentEmbed`, dummy mode);
// the agreement test checks the two validators agree on every one.
export interface JcoSample {
  name: string;
  valid: boolean;
  world: string;
  wit: string;
}

const P = "package test:sample@1.0.0;\n";

const v = (name: string, wit: string, world = "w"): JcoSample => ({ name, valid: true, world, wit });
const x = (name: string, wit: string, world = "w"): JcoSample => ({ name, valid: false, world, wit });

export const JCO_SAMPLES: JcoSample[] = [
  // ---------- valid ----------
  v("basic", `${P}interface i { f: func(x: u32) -> string; } world w { export i; }`),
  v("named-types", `${P}interface i {
    record r { a: u32, b: string, }
    variant v { a, b(u8), c(list<r>) }
    enum e { one, two }
    flags f { x, y, z }
    g: func(r: r, v: v, e: e, f: f);
  } world w { import i; }`),
  v("primitives", `${P}interface i {
    type t = tuple<bool, s8, s16, s32, s64, u8, u16, u32, u64, f32, f64, char, string>;
    f: func(t: t) -> t;
  } world w { export i; }`),
  v("result-forms", `${P}interface i {
    type a = result; type b = result<u32>; type c = result<_, string>; type d = result<u8, u16>;
    f: func() -> tuple<a, b, c, d>;
  } world w { export i; }`),
  v("resource", `${P}interface i {
    resource file {
      constructor(path: string);
      read: func(n: u32) -> list<u8>;
      open: static func(p: string) -> file;
    }
  } world w { import i; }`),
  v("fallible-ctor", `${P}interface i { resource r { constructor() -> result<r, string>; } } world w { export i; }`),
  v("borrow-and-own", `${P}interface i { resource r; f: func(a: borrow<r>, b: own<r>) -> r; } world w { export i; }`),
  v("async-streams", `${P}interface i { f: async func(s: stream<u8>) -> future<string>; g: func() -> stream; h: func() -> future; } world w { export i; }`),
  v("error-context", `${P}interface i { f: func() -> result<u32, error-context>; } world w { export i; }`),
  v("fixed-list", `${P}interface i { f: func() -> list<u8, 4>; } world w { export i; }`),
  v("map", `${P}interface i { f: func() -> map<string, list<u32>>; } world w { export i; }`),
  v("nested-package", `${P}package dep:lib@0.1.0 { interface t { type id = u64; } }
    interface i { use dep:lib/t@0.1.0.{id}; f: func() -> id; } world w { export i; }`),
  v("toplevel-use-as", `${P}use dep:lib/t@0.1.0 as lib-t;
    interface i { use lib-t.{id}; f: func(x: id); } world w { import lib-t; export i; }
    package dep:lib@0.1.0 { interface t { type id = u64; } }`),
  v("include-with", `${P}world a { import log: func(); } world b { import log: func(x: u32); }
    world w { include a; include b with { log as log2 } }`),
  v("inline-interface", `${P}world w { import host: interface { log: func(msg: string); } export run: func(); }`),
  v("named-path-import", `${P}interface store { get: func(k: string) -> option<string>; }
    world w { import primary: store; import secondary: store; }`),
  v("world-types", `${P}world w { type id = u32; record info { id: id } import get: func() -> info; }`),
  v("escaped-keywords", `${P}interface %interface { %record: func(%type: u32) -> u32; } world w { export %interface; }`),
  v("gates", `${P}@since(version = 1.0.0) interface i {
    @since(version = 1.0.0) f: func();
    @since(version = 0.9.0) @deprecated(version = 1.0.0) g: func();
  } world w { export i; }`),
  v("docs-and-comments", `${P}/// docs\n/* outer /* nested */ still comment */\ninterface i {\n  /** block docs */\n  f: func(); // trailing\n}\nworld w { export i; }`),
  v("use-rename", `${P}interface a { type t = u8; } interface b { use a.{t as u}; f: func(x: u) -> u; } world w { export b; }`),
  v("forward-reference", `${P}interface i { f: func(x: later) -> later; record later { a: u8 } } world w { export i; }`),
  v("import-and-export", `${P}interface h { handle: func(); } world w { import h; export h; }`),
  v("empty-record-and-tuple", `${P}interface i { record r {} flags f {} type t = tuple<>; g: func(r: r, f: f, t: t); } world w { export i; }`),
  v("ids-with-digits", `${P}interface i { HTTP-error: func(); foo-1: func(); ipv4-addr: func(); } world w { export i; }`),
  v("include-dedupes-interfaces", `${P}interface a { f: func(); } world x { import a; } world y { import a; } world w { include x; include y; }`),
  v("interface-in-other-order", `${P}world w { import later; } interface later { f: func(); }`),
  v("world-use", `${P}interface i { type t = u32; } world w { use i.{t}; import f: func(x: t); }`),

  v("import-kebab-colon-name", `${P}interface b {} world w { import a:b; }`),
  v("fixed-list-zero", `${P}interface i { f: func() -> list<u8, 0>; } world w { export i; }`),
  v("borrow-in-record-param", `${P}interface i { resource res; record r { h: borrow<res> } f: func(x: r); } world w { export i; }`),
  v("trailing-comma-param", `${P}interface i { f: func(a: u32,); } world w { export i; }`),
  v("export-dep-also-exported", `${P}interface a { resource r; } interface b { use a.{r}; f: func() -> r; } world w { export a; export b; }`),
  v("world-resource", `${P}world w { resource r; import f: func(x: r); }`),
  v("world-use-borrow", `${P}interface i { resource r; } world w { use i.{r}; import f: func(x: borrow<r>); }`),
  v("empty-use", `${P}interface a { type t = u8; } interface i { use a.{}; } world w { export i; }`),
  v("include-renames-implements", `${P}interface store { get: func(); } world base { import cache: store; } world w { import cache: func(); include base with { cache as my-cache } }`),
  v("export-type-name-as-func", `${P}world w { type t = u32; export t: func(); }`),
  v("percent-non-keyword", `${P}interface i { %foo: func(); } world w { export i; }`),
  v("byte-order-mark", `\ufeff${P}world w {}`),
  v("crlf", `${P}world w {\r\n import f: func();\r\n}`),
  v("prerelease-build-version", `package test:sample@1.0.0-rc.1+build.5;\nworld w {}`),
  v("ctor-result-without-error", `${P}interface i { resource r { constructor() -> result<r>; } } world w { export i; }`),
  v("async-methods", `${P}interface i { resource r { constructor(); m: async func(); s: static async func(); } } world w { export i; }`),
  v("inline-interface-uses", `${P}interface i { type t = u8; } world w { import x: interface { use i.{t}; f: func(a: t); } }`),

  // ---------- invalid ----------
  x("result-two-underscores", `${P}interface i { f: func() -> result<_, _>; } world w { export i; }`),
  x("method-static-same-name", `${P}interface i { resource r { m: func(); m: static func(); } } world w { export i; }`),
  x("unversioned-reference-to-versioned", `${P}package dep:lib@0.1.0 { interface t { type id = u64; } }\ninterface i { use dep:lib/t.{id}; f: func() -> id; } world w { export i; }`),
  x("wrong-version-reference", `${P}package dep:lib@0.1.0 { interface t { type id = u64; } }\ninterface i { use dep:lib/t@0.2.0.{id}; f: func() -> id; } world w { export i; }`),
  x("second-package-header", `${P}package test:other;\nworld w {}`),
  x("world-unknown-type", `${P}world w { import f: func(x: nope); }`),
  x("with-renames-interface", `${P}interface a { foo: func(); } world x { import a; } world w { include x with { a as b } }`),
  x("param-named-self-in-method", `${P}interface i { resource r { m: func(self: u32); } } world w { export i; }`),
  x("func-and-type-same-name", `${P}interface i { type f = u32; f: func(); } world w { export i; }`),
  x("import-type-conflict", `${P}world w { type t = u32; import t: func(); }`),
  x("deprecated-without-since", `${P}interface i { @deprecated(version = 1.0.0) f: func(); } world w { export i; }`),
  x("since-twice", `${P}interface i { @since(version = 1.0.0) @since(version = 1.0.0) f: func(); } world w { export i; }`),
  x("no-worlds", `${P}interface i {}`),
  x("use-name-twice", `${P}interface a { type t = u8; } interface i { use a.{t}; type t = u16; } world w { export i; }`),
  x("non-ascii-identifier", `${P}interface i { caf\u00e9: func(); } world w { export i; }`),
  x("control-character", `${P}world w {\u0007}`),
  x("huge-list-length", `${P}interface i { f: func() -> list<u8, 99999999999>; } world w { export i; }`),
  x("keyword-in-version", `package test:sample@1.0.0-rc.1+u32.5;\nworld w {}`),
  x("prerelease-leading-zero", `package test:sample@1.0.0-01;\nworld w {}`),
  x("use-from-world", `${P}world x {} interface i { use x.{t}; } world w { export i; }`),
  x("import-a-world", `${P}world x {} world w { import x; }`),
  x("include-an-interface", `${P}interface x {} world w { include x; }`),
  x("named-path-unknown", `${P}world w { import x: nope; }`),
  x("nested-in-nested", `${P}package a:b { package c:d { interface x {} } } world w {}`),
  x("unknown-type", `${P}interface i { f: func() -> nope; } world w { export i; }`),
  x("use-cycle", `${P}interface i { use j.{t}; type u = u32; } interface j { use i.{u}; type t = u32; } world w { export i; }`),
  x("alias-cycle", `${P}interface i { type t = t; } world w { export i; }`),
  x("record-cycle", `${P}interface i { record a { b: b } record b { a: a } } world w { export i; }`),
  x("borrow-in-result", `${P}interface i { resource r; f: func() -> borrow<r>; } world w { export i; }`),
  x("duplicate-param", `${P}interface i { f: func(a: u32, a: u32); } world w { export i; }`),
  x("underscore-id", `${P}interface i { foo_bar: func(); } world w { export i; }`),
  x("mixed-case-id", `${P}interface i { fooBar: func(); } world w { export i; }`),
  x("double-dash-id", `${P}interface i { foo--bar: func(); } world w { export i; }`),
  x("empty-variant", `${P}interface i { variant v {} } world w { export i; }`),
  x("empty-enum", `${P}interface i { enum e {} } world w { export i; }`),
  x("missing-package", `interface i { f: func(); } world w { export i; }`),
  x("gate-needs-version", `package test:sample;\n@since(version = 1.0.0) interface i { f: func(); } world w { export i; }`),
  x("duplicate-import-name", `${P}world w { import f: func(); import f: func(); }`),
  x("include-conflict", `${P}world base { import f: func(); } world w { import f: func(); include base; }`),
  x("two-constructors", `${P}interface i { resource r { constructor(); constructor(x: u32); } } world w { export i; }`),
  x("use-a-function", `${P}interface i { f: func(); } interface j { use i.{f}; } world w { export j; }`),
  x("handle-of-non-resource", `${P}interface i { type t = u32; f: func(x: borrow<t>); } world w { export i; }`),
  x("unknown-interface-in-world", `${P}world w { import nowhere; }`),
  x("missing-semicolon", `${P}interface i { f: func() } world w { export i; }`),
  x("unterminated-comment", `${P}interface i { f: func(); } world w { export i; } /* never closed`),
  x("world-not-found", `${P}interface i { f: func(); } world w { export i; }`, "zzz"),
  x("constructor-not-result", `${P}interface i { resource r { constructor() -> r; } } world w { export i; }`),
  x("unknown-package", `${P}world w { import wasi:nowhere/thing@1.0.0; }`),
  x("keyword-as-name", `${P}interface i { type: func(); } world w { export i; }`),
  x("duplicate-type", `${P}interface i { type t = u32; type t = u64; } world w { export i; }`),
  x("duplicate-interface", `${P}interface i {} interface i {} world w { export i; }`),
  x("map-float-key", `${P}interface i { f: func() -> map<f32, u32>; } world w { export i; }`),
  x("include-cycle", `${P}world a { include w; } world w { include a; }`),
  x("unknown-attribute", `${P}@frobnicate(version = 1.0.0) interface i {} world w { export i; }`),
  x("bad-version", `package test:sample@1.0;\nworld w {}`),
  x("stray-token", `${P}interface i { f: func(); } $ world w { export i; }`),
];

/**
 * Where lib/wit is deliberately stricter than jco 1.35's wit-parser: the WIT
 * spec requires names to be unique case-insensitively and the component model
 * rejects duplicate record fields and enum/flags labels, but wit-parser only
 * catches these when a component is validated, not when WIT is embedded.
 */
export const JCO_DIVERGENCES: JcoSample[] = [
  x("case-insensitive-duplicate-type", `${P}interface i { type FOO = u32; type foo = u32; } world w { export i; }`),
  x("case-insensitive-duplicate-field", `${P}interface i { record r { A: u32, a: u32 } } world w { export i; }`),
  x("duplicate-enum-case", `${P}interface i { enum e { a, a } } world w { export i; }`),
  x("duplicate-flag", `${P}interface i { flags e { a, a } } world w { export i; }`),
];
