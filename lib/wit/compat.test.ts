import { describe, expect, it } from "vitest";
import { analyzeWit } from "./analyze";
import { checkInterfaceCompat, versionsCompatible } from "./compat";
import type { ResolvedInterface } from "./model";

/** The `acme:ml/infer` interface from a package at `version` with `body`. */
function infer(version: string, body: string): ResolvedInterface {
  const a = analyzeWit(`package acme:ml@${version};\ninterface infer {\n${body}\n}\nworld w { export infer; }`);
  expect(a.errors).toEqual([]);
  return a.interfaces["exp:acme:ml/infer"];
}

const base = `
  record tensor { shape: list<u32>, data: list<f32> }
  enum device { cpu, gpu }
  resource session { constructor(model: string); run: func(input: tensor) -> result<tensor, string>; }
  predict: func(input: list<f32>, device: device) -> list<f32>;
`;

describe("versionsCompatible", () => {
  it("follows semver caret rules (0.x by minor)", () => {
    expect(versionsCompatible("1.4.0", "1.2.0")).toBe(true);
    expect(versionsCompatible("1.2.0", "1.4.0")).toBe(false);
    expect(versionsCompatible("2.0.0", "1.0.0")).toBe(false);
    expect(versionsCompatible("0.2.3", "0.2.0")).toBe(true);
    expect(versionsCompatible("0.3.0", "0.2.0")).toBe(false);
    expect(versionsCompatible("0.0.2", "0.0.1")).toBe(false);
    expect(versionsCompatible("0.2.0", "0.2.0-draft")).toBe(true);
    expect(versionsCompatible("0.2.0-draft", "0.2.0")).toBe(false);
    expect(versionsCompatible("1.0.0", undefined)).toBe(true);
    expect(versionsCompatible(undefined, "1.0.0")).toBe(false);
  });
});

describe("checkInterfaceCompat", () => {
  it("accepts an identical or newer compatible export", () => {
    expect(checkInterfaceCompat(infer("1.0.0", base), infer("1.0.0", base))).toBeNull();
    expect(checkInterfaceCompat(infer("1.3.0", base + "extra: func();"), infer("1.0.0", base))).toBeNull();
  });

  it("names a param type mismatch precisely", () => {
    const imp = infer("1.0.0", "predict: func(input: list<u8>) -> list<f32>;");
    const exp = infer("1.0.0", "predict: func(input: list<f32>) -> list<f32>;");
    expect(checkInterfaceCompat(exp, imp)).toEqual({
      kind: "function-mismatch",
      path: "acme:ml/infer.predict",
      message: "acme:ml/infer.predict: param 'input' is list<f32>, import expects list<u8>",
    });
  });

  it("refuses other interfaces and incompatible versions", () => {
    const other = analyzeWit("package acme:ml@1.0.0;\ninterface train { f: func(); }\nworld w { export train; }").interfaces["exp:acme:ml/train"];
    expect(checkInterfaceCompat(other, infer("1.0.0", base))?.kind).toBe("interface-mismatch");
    const e = checkInterfaceCompat(infer("1.0.0", base), infer("1.2.0", base));
    expect(e?.kind).toBe("version-mismatch");
    expect(e?.message).toBe("acme:ml/infer: export version 1.0.0 does not satisfy import version 1.2.0");
    expect(checkInterfaceCompat(infer("2.0.0", base), infer("1.0.0", base))?.kind).toBe("version-mismatch");
  });

  it("reports missing functions, methods and types", () => {
    const noPredict = base.replace(/predict: .*\n/, "");
    expect(checkInterfaceCompat(infer("1.0.0", noPredict), infer("1.0.0", base))).toMatchObject({
      kind: "missing-function", path: "acme:ml/infer.predict",
    });
    const noRun = base.replace(/ run: func[^;]*;/, "");
    expect(checkInterfaceCompat(infer("1.0.0", noRun), infer("1.0.0", base))).toMatchObject({
      kind: "missing-function", path: "acme:ml/infer.session.run",
    });
    const noEnum = base.replace("enum device { cpu, gpu }", "").replace("device: device", "device: u8");
    expect(checkInterfaceCompat(infer("1.0.0", noEnum), infer("1.0.0", base))).toMatchObject({ kind: "missing-type", path: "acme:ml/infer.device" });
  });

  it("descends into named types to the first differing field", () => {
    const changed = base.replace("data: list<f32>", "data: list<f64>");
    const e = checkInterfaceCompat(infer("1.0.0", changed), infer("1.0.0", base));
    expect(e).toEqual({
      kind: "type-mismatch",
      path: "acme:ml/infer.tensor",
      message: "acme:ml/infer.tensor: record 'tensor', field 'data' is list<f64>, import expects list<f32>",
    });
  });

  it("compares enum cases, results, arity, param names and async", () => {
    const enumChanged = base.replace("enum device { cpu, gpu }", "enum device { cpu, tpu }");
    expect(checkInterfaceCompat(infer("1.0.0", enumChanged), infer("1.0.0", base))?.message).toBe(
      "acme:ml/infer.device: enum 'device' is enum { cpu, tpu }, import expects enum { cpu, gpu }",
    );
    const f = (sig: string) => infer("1.0.0", `f: ${sig};`);
    expect(checkInterfaceCompat(f("func() -> u32"), f("func() -> u64"))?.message).toBe("acme:ml/infer.f: result is u32, import expects u64");
    expect(checkInterfaceCompat(f("func()"), f("func() -> u64"))?.message).toBe("acme:ml/infer.f: result is nothing, import expects u64");
    expect(checkInterfaceCompat(f("func(a: u8)"), f("func(a: u8, b: u8)"))?.message).toBe(
      "acme:ml/infer.f: export takes 1 parameter(s), import expects 2",
    );
    expect(checkInterfaceCompat(f("func(a: u8)"), f("func(b: u8)"))?.message).toBe("acme:ml/infer.f: parameter 1 is named 'a', import expects 'b'");
    expect(checkInterfaceCompat(f("async func()"), f("func()"))?.message).toBe("acme:ml/infer.f: export is async, import expects sync");
    expect(checkInterfaceCompat(f("func(x: option<list<u8>>)"), f("func(x: option<list<s8>>)"))?.message).toBe(
      "acme:ml/infer.f: param 'x' is option<list<u8>>, import expects option<list<s8>>",
    );
  });

  it("treats aliases structurally and resources nominally", () => {
    const aliased = infer("1.0.0", "type bytes = list<u8>; f: func(b: bytes);");
    const plain = infer("1.0.0", "type bytes = list<u8>; f: func(b: list<u8>);");
    expect(checkInterfaceCompat(aliased, plain)).toBeNull();
    const r1 = infer("1.0.0", "resource a; resource b; f: func(x: borrow<a>);");
    const r2 = infer("1.0.0", "resource a; resource b; f: func(x: borrow<b>);");
    expect(checkInterfaceCompat(r1, r2)?.message).toBe("acme:ml/infer.f: param 'x' is borrow<a>, import expects borrow<b>");
  });

  it("compares interfaces from separately parsed documents that share a dependency", () => {
    const dep = "package wasi:io@0.2.0 { interface streams { resource input-stream; } }\n";
    const mk = (v: string, extra: string) =>
      analyzeWit(`package acme:p@${v};\n${dep}interface reader { use wasi:io/streams@0.2.0.{input-stream}; read: func(s: borrow<input-stream>)${extra}; }\nworld w { export reader; }`)
        .interfaces["exp:acme:p/reader"];
    expect(checkInterfaceCompat(mk("0.1.1", ""), mk("0.1.0", ""))).toBeNull();
    expect(checkInterfaceCompat(mk("0.1.0", " -> u8"), mk("0.1.0", ""))?.kind).toBe("function-mismatch");
  });

  it("checks only name and version when a side is opaque", () => {
    const opaque = analyzeWit("package app:x;\nworld c { import acme:ml/infer@1.0.0; }").interfaces["imp:acme:ml/infer"];
    expect(opaque.opaque).toBe(true);
    expect(checkInterfaceCompat(infer("1.1.0", base), opaque)).toBeNull();
    expect(checkInterfaceCompat(opaque, infer("1.0.0", base))).toBeNull();
    expect(checkInterfaceCompat(infer("2.0.0", base), opaque)?.kind).toBe("version-mismatch");
  });
});
