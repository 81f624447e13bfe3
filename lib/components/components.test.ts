import { mkdtempSync, rmSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDb } from "../db";
import { handleComponentUpload, listResponse, wasmResponse } from "./http";
import { ingestWasm, readWasmHeader } from "./ingest";
import { ComponentStore, componentName } from "./store";
import { componentFromWit, plainModule, preview1Module } from "./test-wasm";

const dirs: string[] = [];
function freshStore(): { store: ComponentStore; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "trellis-components-"));
  dirs.push(dir);
  return { store: new ComponentStore(openDb(join(dir, "t.db")), join(dir, "components")), dir };
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const upload = (bytes: Uint8Array | string, name = "x.wasm", headers: Record<string, string> = {}) =>
  new Request(`http://local/api/components?filename=${encodeURIComponent(name)}`, { method: "POST", body: bytes as BodyInit, headers });

describe("readWasmHeader", () => {
  it("tells modules, components and everything else apart", () => {
    expect(readWasmHeader(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toEqual({ ok: true, value: { kind: "module" } });
    expect(readWasmHeader(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]))).toEqual({ ok: true, value: { kind: "component", version: 13 } });
    expect(readWasmHeader(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0c, 0, 1, 0]), "old.wasm")).toMatchObject({ ok: false, error: { kind: "unsupported-wasm-version" } });
    expect(readWasmHeader(new TextEncoder().encode("#!/bin/sh\necho"), "a.sh")).toMatchObject({ ok: false, error: { kind: "not-wasm", message: expect.stringContaining("a.sh") } });
    expect(readWasmHeader(new Uint8Array(), "e.wasm")).toMatchObject({ ok: false, error: { kind: "empty-upload" } });
  });
});

describe("ingestWasm", () => {
  it("a component: WIT from jco and ports from its world", async () => {
    const r = await ingestWasm(await componentFromWit(), "greeter.wasm");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.kind).toBe("component");
    expect(r.value.wit).toContain("export acme:demo/greet@0.1.0;");
    expect(r.value.witErrors).toEqual([]);
    expect(r.value.ports).toEqual([
      { id: "imp:acme:demo/clock", kind: "wit", direction: "import", interface: "acme:demo/clock@0.1.0" },
      { id: "exp:acme:demo/greet", kind: "wit", direction: "export", interface: "acme:demo/greet@0.1.0" },
    ]);
  });

  it("a WASI preview1 command module is converted with the adapter", async () => {
    const r = await ingestWasm(await preview1Module(), "hello.wasm");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.kind).toBe("converted");
    expect(r.value.note).toMatch(/converted/);
    expect(readWasmHeader(r.value.bytes)).toMatchObject({ ok: true, value: { kind: "component" } });
    expect(r.value.ports.map((p) => p.id)).toContain("exp:wasi:cli/run");
    expect(r.value.core?.imports).toEqual([{ module: "wasi_snapshot_preview1", name: "fd_write", kind: "function" }]);
  });

  it("another core module keeps its raw imports/exports and gets no ports", async () => {
    const r = await ingestWasm(await plainModule(), "add.wasm");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.kind).toBe("core-module");
    expect(r.value.ports).toEqual([]);
    expect(r.value.core).toEqual({
      imports: [{ module: "env", name: "log", kind: "function" }],
      exports: [{ name: "memory", kind: "memory" }, { name: "add", kind: "function" }],
    });
    expect(r.value.note).toMatch(/cannot be wired by interface/);
  });

  it("malformed bytes behind a valid header are refused with a reason", async () => {
    const good = await plainModule();
    const cut = good.slice(0, good.length - 5);
    expect(await ingestWasm(cut, "cut.wasm")).toMatchObject({ ok: false, error: { kind: "malformed-wasm", message: expect.stringContaining("cut.wasm") } });
    const comp = await componentFromWit();
    expect(await ingestWasm(comp.slice(0, 40), "cut-component.wasm")).toMatchObject({ ok: false, error: { kind: "malformed-wasm" } });
  });
});

describe("component store and routes", () => {
  it("upload, list, download; files live under the data dir", async () => {
    const { store, dir } = freshStore();
    const bytes = await componentFromWit();
    const res = await handleComponentUpload(upload(bytes, "My Greeter.wasm"), store);
    expect(res.status).toBe(201);
    const { component } = (await res.json()) as { component: { id: string; name: string; source: string; ports: unknown[] } };
    expect(component.name).toBe("my-greeter");
    expect(component.source).toBe(`upload:${component.id}`);
    expect(component.ports).toHaveLength(2);
    expect(readdirSync(join(dir, "components"))).toEqual([`${component.id}.wasm`]);

    const list = (await listResponse(store).json()) as { id: string }[];
    expect(list.map((c) => c.id)).toEqual([component.id]);
    const dl = wasmResponse(store, component.id);
    expect(dl.headers.get("content-type")).toBe("application/wasm");
    expect(new Uint8Array(await dl.arrayBuffer())).toEqual(bytes);
    expect(wasmResponse(store, "../../etc/passwd").status).toBe(404);
    expect(wasmResponse(store, "c-0000000000000000").status).toBe(404);

    expect(store.remove(component.id)).toBe(true);
    expect(existsSync(join(dir, "components", `${component.id}.wasm`))).toBe(false);
    expect(store.list()).toEqual([]);
  });

  it("non-wasm, empty, oversized and multipart uploads get clear errors and store nothing", async () => {
    const { store } = freshStore();
    const bad = await handleComponentUpload(upload("hello, I am text", "notes.txt"), store);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { kind: "not-wasm", message: expect.stringContaining("notes.txt") } });
    const empty = await handleComponentUpload(upload(new Uint8Array(), "e.wasm"), store);
    expect((await empty.json()) as unknown).toMatchObject({ error: { kind: "empty-upload" } });
    const big = await handleComponentUpload(upload(new Uint8Array(2000), "big.wasm"), store, 1000);
    expect(big.status).toBe(413);
    const form = await handleComponentUpload(upload("x", "f.wasm", { "content-type": "multipart/form-data; boundary=x" }), store);
    expect(form.status).toBe(415);
    expect(store.list()).toEqual([]);
  });

  it("names nodes safely from any file name", () => {
    expect(componentName("C:\\x\\My Filter v2.WASM")).toBe("my-filter-v2");
    expect(componentName("42.wasm")).toBe("component-42");
    expect(componentName(".wasm")).toBe("component");
  });
});

describe("preview1 reactors", () => {
  it("a WASI module without _start is converted with the reactor adapter", async () => {
    const { parse } = await import("@bytecodealliance/jco");
    const reactor = await parse(`(module
      (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_initialize")))`);
    const r = await ingestWasm(reactor, "lib.wasm");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.kind).toBe("converted");
    expect(r.value.note).toMatch(/reactor adapter/);
    expect(r.value.ports.some((p) => p.id === "exp:wasi:cli/run")).toBe(false);
  });
});

describe("access token", () => {
  it("routes refuse a request without the configured token", async () => {
    const { GET } = await import("../../app/api/components/route");
    const prev = process.env.TRELLIS_TOKEN;
    process.env.TRELLIS_TOKEN = "s3cret";
    try {
      expect((await GET(new Request("http://localhost/api/components"))).status).toBe(401);
      expect((await GET(new Request("http://localhost/api/components", { headers: { authorization: "Bearer s3cret" } }))).status).toBe(200);
    } finally {
      if (prev === undefined) delete process.env.TRELLIS_TOKEN;
      else process.env.TRELLIS_TOKEN = prev;
    }
  });
});
