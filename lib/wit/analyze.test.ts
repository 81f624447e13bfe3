import { componentEmbed, componentNew, componentWit } from "@bytecodealliance/jco";
import { describe, expect, it } from "vitest";
import { analyzeWit, selectWorld } from "./analyze";
import { checkInterfaceCompat } from "./compat";

const component = `
package acme:thumbs@0.1.0;

interface resize {
  record image { width: u32, height: u32, pixels: list<u8> }
  thumbnail: func(img: image, max: u32) -> image;
}

world thumbnailer {
  import wasi:logging/logging@0.1.0-draft;
  import cache: wasi:keyvalue/store@0.2.0-draft;
  import now: func() -> u64;
  import host: interface { log: func(msg: string); }
  export resize;
  export wasi:http/incoming-handler@0.2.0;
}
`;

describe("analyzeWit", () => {
  it("turns a world into ports following the topology id scheme", () => {
    const a = analyzeWit(component);
    expect(a.errors).toEqual([]);
    expect(a.ok).toBe(true);
    expect(a.world?.qualifiedName).toBe("acme:thumbs/thumbnailer@0.1.0");
    expect(a.ports).toEqual([
      { id: "imp:wasi:logging/logging", kind: "wit", direction: "import", interface: "wasi:logging/logging@0.1.0-draft" },
      { id: "imp:cache", kind: "wit", direction: "import", interface: "wasi:keyvalue/store@0.2.0-draft" },
      { id: "imp:now", kind: "wit", direction: "import", interface: "now" },
      { id: "imp:host", kind: "wit", direction: "import", interface: "host" },
      { id: "exp:acme:thumbs/resize", kind: "wit", direction: "export", interface: "acme:thumbs/resize@0.1.0" },
      { id: "exp:wasi:http/incoming-handler", kind: "wit", direction: "export", interface: "wasi:http/incoming-handler@0.2.0" },
    ]);
    expect(Object.keys(a.interfaces)).toEqual(a.ports.map((p) => p.id));
    expect(a.interfaces["exp:acme:thumbs/resize"].functions.map((f) => f.name)).toEqual(["thumbnail"]);
    expect(a.interfaces["imp:now"].functions.map((f) => f.name)).toEqual(["now"]);
    expect(a.interfaces["imp:wasi:logging/logging"].opaque).toBe(true);
  });

  it("reports unknown packages when opaque packages are turned off", () => {
    const a = analyzeWit(component, undefined, { opaqueUnknownPackages: false });
    expect(a.ok).toBe(false);
    expect(a.errors.map((e) => e.kind)).toEqual(["unknown-package", "unknown-package", "unknown-package"]);
    expect(a.errors[0].span.start.line).toBe(10);
  });

  it("lets a provider's export be checked against a consumer's import", () => {
    const provider = analyzeWit("package acme:ml@1.2.0;\ninterface infer { predict: func(input: list<f32>) -> list<f32>; }\nworld p { export infer; }");
    const consumer = analyzeWit("package app:x;\nworld c { import acme:ml/infer@1.0.0; }\npackage acme:ml@1.0.0 { interface infer { predict: func(input: list<u8>) -> list<f32>; } }");
    expect(consumer.errors).toEqual([]);
    expect(consumer.ports.map((p) => p.id)).toEqual(["imp:acme:ml/infer"]);
    const err = checkInterfaceCompat(provider.interfaces["exp:acme:ml/infer"], consumer.interfaces["imp:acme:ml/infer"]);
    expect(err?.message).toBe("acme:ml/infer.predict: param 'input' is list<f32>, import expects list<u8>");
  });

  it("takes a package folder as files with deps/", () => {
    const a = analyzeWit({
      "world.wit": "package acme:app;\nworld app { import acme:dep/api@1.0.0; }",
      "deps/dep/api.wit": "package acme:dep@1.0.0;\ninterface api { f: func(); }",
    }, "app", { opaqueUnknownPackages: false });
    expect(a.errors).toEqual([]);
    expect(a.ports).toEqual([{ id: "imp:acme:dep/api", kind: "wit", direction: "import", interface: "acme:dep/api@1.0.0" }]);
    expect(a.interfaces["imp:acme:dep/api"].opaque).toBeUndefined();
  });

  it("selects worlds as the spec says", () => {
    const two = "package a:b;\nworld one {}\nworld two { export f: func(); }\npackage c:d { world three {} }";
    expect(analyzeWit(two).errors.map((e) => e.kind)).toEqual(["missing-world"]);
    expect(analyzeWit(two, "two").ports.map((p) => p.id)).toEqual(["exp:f"]);
    const model = analyzeWit(two, "one").model;
    expect(selectWorld(model, "c:d/three")).toMatchObject({ ok: true, world: { name: "three" } });
    expect(selectWorld(model, "nope")).toMatchObject({ ok: false });
    const none = analyzeWit("package a:b;\ninterface i {}");
    expect(none).toMatchObject({ ok: true, ports: [] });
  });

  it("returns errors with spans for broken WIT while keeping what resolved", () => {
    const a = analyzeWit("package a:b;\ninterface i { f: func(x: nope); g: func(; }\nworld w { export i; import h: func(); }");
    expect(a.ok).toBe(false);
    expect(a.errors.map((e) => [e.kind, e.span.start.line, e.span.start.column])).toEqual([
      ["unknown-type", 2, 26],
      ["syntax", 2, 41],
    ]);
    expect(a.ports.map((p) => p.id)).toEqual(["imp:h", "exp:a:b/i"]);
  });

  it("gives ports for the WIT jco prints from a component (the upload path)", async () => {
    const src = `package acme:up@0.1.0;
interface api { record item { id: u64 } get: func(id: u64) -> option<item>; }
world svc { import wasi:logging/logging@0.1.0-draft; import clock: func() -> u64; export api; }
package wasi:logging@0.1.0-draft { interface logging { log: func(msg: string); } }`;
    const component = await componentNew(await componentEmbed({ witSource: src, dummy: true, world: "svc" }), []);
    const printed = await componentWit(component);
    const a = analyzeWit(printed);
    expect(a.errors).toEqual([]);
    expect(a.ports.map((p) => `${p.id} ${p.interface}`)).toEqual([
      "imp:wasi:logging/logging wasi:logging/logging@0.1.0-draft",
      "imp:clock clock",
      "exp:acme:up/api acme:up/api@0.1.0",
    ]);
    // componentWit prints the world without its packages' definitions: those interfaces are opaque.
    expect(a.interfaces["exp:acme:up/api"].opaque).toBe(true);
    expect(a.interfaces["imp:clock"].functions[0].result).toEqual({ kind: "primitive", name: "u64" });
  });
});
