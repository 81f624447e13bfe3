import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseElf } from "./elf";
import { wasmKindOf } from "./classify";

const parse = (bytes: Uint8Array) => parseElf(async (o, l) => bytes.subarray(o, o + l), bytes.length);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "trellis-elf-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ELF facts of real binaries", () => {
  it("busybox-static is a static x86-64 executable", async () => {
    expect(await parse(readFileSync("/bin/busybox"))).toMatchObject({ class: 64, endian: "little", machine: "x86-64", linking: "static" });
  });
  it("a Debian dynamic binary names its loader", async () => {
    expect(await parse(readFileSync("/bin/ls"))).toMatchObject({ machine: "x86-64", type: "dyn", linking: "dynamic", interpreter: "/lib64/ld-linux-x86-64.so.2" });
  });
  it("gcc -static-pie output is static-pie, gcc -static is static", async () => {
    const src = join(dir, "hello.c");
    writeFileSync(src, "int main(void) { return 0; }\n");
    execFileSync("gcc", ["-static-pie", "-O1", src, "-o", join(dir, "pie")]);
    execFileSync("gcc", ["-static", "-O1", src, "-o", join(dir, "static")]);
    expect(await parse(readFileSync(join(dir, "pie")))).toMatchObject({ type: "dyn", linking: "static-pie" });
    expect(await parse(readFileSync(join(dir, "static")))).toMatchObject({ type: "exec", linking: "static" });
  });
  it("says why malformed files are not ELF programs", async () => {
    const bb = readFileSync("/bin/busybox");
    expect(await parse(bb.subarray(0, 40))).toBe("not an ELF file");
    const broken = Buffer.from(bb.subarray(0, 64));
    expect(await parse(broken)).toBe("program headers out of bounds");
    expect(await parse(Buffer.from("#!/bin/sh\n"))).toBe("not an ELF file");
  });
});

describe("Wasm header", () => {
  it("tells modules from components by the layer field", () => {
    expect(wasmKindOf(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toBe("module");
    expect(wasmKindOf(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]))).toBe("component");
    expect(wasmKindOf(Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]))).toBeUndefined();
    expect(wasmKindOf(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]))).toBeUndefined();
  });
});
