import { describe, expect, it } from "vitest";
import { checkWit, memoryWitFs, type WitFs } from "./loader";
import { decodeWitPackageBinary, decodeWitPackageText } from "./wasm-package";

const enc = (s: string) => [...new TextEncoder().encode(s)];
const name = (s: string) => [enc(s).length, ...enc(s)];
const section = (id: number, body: number[]) => [id, body.length, ...body];

/** `package x:y; interface i { f: func(a: u32) -> string; }` encoded as wit-component does. */
function interfaceBinary(): Uint8Array {
  const instance = [0x42, 2, 0x01, 0x40, 1, ...name("a"), 0x79, 0x00, 0x73, 0x04, 0x00, ...name("f"), 0x01, 0];
  const componentType = [0x41, 2, 0x01, ...instance, 0x04, 0x01, ...name("x:y/i"), 0x05, 0];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00,
    ...section(0x07, [1, ...componentType]),
    ...section(0x0b, [1, 0x00, ...name("i"), 0x03, 0, 0x00]),
  ]);
}

describe("WIT packages encoded as components (deps/*.wasm, deps/*.wat)", () => {
  it("decodes the binary form to the same package", () => {
    const r = decodeWitPackageBinary(interfaceBinary());
    expect(r.ok && r.pkg.text).toBe("package x:y;\n\ninterface %i {\n  %f: func(%a: u32) -> string;\n}\n");
  });

  it("decodes the text form, worlds included", () => {
    const wat = `(component
  (type $i (component (export "x:y/i" (instance (export "f" (func (param "a" u32) (result (list string))))))))
  (export "i" (type $i))
  (type $w (component (export "x:y/w" (component (import "x:y/i" (instance))))))
  (export "w" (type $w))
)`;
    const r = decodeWitPackageText(wat);
    expect(r.ok && r.pkg.text).toBe("package x:y;\n\ninterface %i {\n  %f: func(%a: u32) -> list<string>;\n}\n\nworld %w {\n  import x:y/i;\n}\n");
  });

  it("loads them from deps/ next to .wit packages", () => {
    const mem = memoryWitFs({
      "a.wit": "package a:a;\nworld w {\n  import x:y/i;\n  import t:t/t;\n}\n",
      "deps/t.wat": '(component (type $t (component (export "t:t/t" (instance)))) (export "t" (type $t)))',
    });
    const bytes = interfaceBinary();
    const fs: WitFs = {
      kind: (p) => (p === "deps/x.wasm" ? "file" : mem.kind(p)),
      readDir: (p) => (p === "deps" ? [...mem.readDir(p), { name: "x.wasm", kind: "file" }] : mem.readDir(p)),
      readFile: (p) => mem.readFile(p),
      readBytes: (p) => {
        if (p !== "deps/x.wasm") throw new Error("no such file");
        return bytes;
      },
    };
    const r = checkWit(fs, "");
    expect(r.errors).toEqual([]);
    expect(r.model.packages.map((p) => p.name).sort()).toEqual(["a:a", "t:t", "x:y"]);
  });

  it("refuses what it does not support, and real components, with a clear error", () => {
    expect(decodeWitPackageBinary(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toEqual({ ok: false, error: "a core module, not a component encoding a WIT package" });
    const rec = decodeWitPackageText('(component (type $i (component (export "x:y/i" (instance (export "t" (type (sub resource))))))) (export "i" (type $i)))');
    expect(rec.ok).toBe(false);
    const r = checkWit(memoryWitFs({ "a.wit": "package a:a;\n", "deps/bad.wat": "(module)" }), "");
    expect(r.errors.map((e) => e.kind)).toEqual(["invalid-package-encoding"]);
    // A text-only file system cannot read a binary package.
    expect(checkWit(memoryWitFs({ "a.wit": "package a:a;\n", "deps/x.wasm": "\0asm" }), "").errors.map((e) => e.kind)).toEqual(["read-failed"]);
  });

  it("never throws on damaged or hostile input: every mutation decodes or is refused", () => {
    const good = interfaceBinary();
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 3000; i++) {
      const b = Uint8Array.from(good);
      for (let k = 0; k < 3; k++) b[8 + Math.floor(rnd() * (b.length - 8))] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.3 ? b.subarray(0, 8 + Math.floor(rnd() * (b.length - 8))) : b;
      expect(() => decodeWitPackageBinary(cut)).not.toThrow();
    }
    // Deep nesting is refused, not a stack overflow.
    const deep: number[] = [];
    for (let i = 0; i < 5000; i++) deep.push(0x42, 1, 0x01);
    const body = [1, 0x41, 1, 0x01, ...deep];
    const bin = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 0x07, 0x80 | (body.length & 0x7f), body.length >> 7, ...body]);
    expect(decodeWitPackageBinary(bin).ok).toBe(false);
    expect(decodeWitPackageText("(".repeat(100000))).toEqual({ ok: false, error: "parentheses nested too deeply" });
    expect(decodeWitPackageText('(component (type $x (component (export "a:b/c" (instance (export "f" (func (param "a"))))))) (export "x" (type $x)))').ok).toBe(false);
  });
});
