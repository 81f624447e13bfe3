import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { componentEmbed, componentWit } from "@bytecodealliance/jco";
import { instantiateComponent, transpileCached, type ComponentExports, type ImportObject } from "../run/transpile";
import { wasiImports } from "../run/wasi";
import { analyzeWit, checkInterfaceCompat } from "../wit";
import { BUILTINS, IFACE, builtinById, builtinTemplate } from "./catalog";
import { buildWit, worldInterfaces } from "./componentize";
import { renderGenerated, witFiles } from "./gen-wit";
import { WIT_FILES } from "./wit-sources.generated";

const enc = new TextEncoder();
const dec = new TextDecoder();
const cacheDir = mkdtempSync(join(tmpdir(), "trellis-builtins-"));
const wasm = (id: string) => readFileSync(join("build", "builtins", `${id}.wasm`));

/** `wasi` replaces a host WASI interface by its unversioned name (e.g. the shim's own wasi:http/types). */
async function load(id: string, imports: ImportObject = {}, wasi: Record<string, unknown> = {}): Promise<ComponentExports> {
  const t = await transpileCached(wasm(id), cacheDir);
  const host = wasiImports(t.imports);
  for (const name of Object.keys(host)) {
    const own = wasi[name.replace(/@.*$/, "")];
    if (own) host[name] = own as ImportObject[string];
  }
  const all = { ...host, ...imports };
  return instantiateComponent(t, all);
}

function iface<T>(exports: ComponentExports, name: string): T {
  const v = exports[name];
  if (!v) throw new Error(`component does not export ${name}; has ${Object.keys(exports).join(", ")}`);
  return v as T;
}

type Stage = { process(input: Uint8Array): Uint8Array };
const payloadOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return (e as { payload?: unknown }).payload;
  }
  throw new Error("expected the call to fail");
};

beforeAll(() => {
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
}, 300_000);
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe("catalog", () => {
  it("has at least six components with ports following the graph conventions", () => {
    expect(BUILTINS.length).toBeGreaterThanOrEqual(7);
    for (const b of BUILTINS) {
      expect(b.source).toBe(`builtin:${b.id}`);
      for (const p of b.ports) {
        expect(p.id).toBe(`${p.direction === "export" ? "exp" : "imp"}:${p.interface.replace(/@.*$/, "")}`);
      }
      expect(builtinTemplate(b).config.wit).toBe(b.wit);
    }
    expect(builtinById("json-to-csv")?.ports.map((p) => p.id)).toEqual(["exp:trellis:pipeline/stage", "exp:trellis:pipeline/table"]);
    expect(builtinById("nope")).toBeUndefined();
  });

  it("agrees with lib/wit: each catalog WIT parses cleanly and yields exactly the catalog's ports", () => {
    for (const b of BUILTINS) {
      const a = analyzeWit(b.wit, b.world);
      expect(a.errors).toEqual([]);
      expect(a.ports).toEqual(b.ports);
    }
  });

  it("type-checks with lib/wit: every built-in export satisfies every built-in import of the same interface", () => {
    const analyses = new Map(BUILTINS.map((b) => [b.id, analyzeWit(b.wit, b.world)]));
    let pairs = 0;
    for (const exporter of BUILTINS)
      for (const importer of BUILTINS)
        for (const ex of exporter.ports.filter((p) => p.direction === "export"))
          for (const im of importer.ports.filter((p) => p.direction === "import" && p.id === `imp:${ex.id.slice(4)}`)) {
            const e = analyses.get(exporter.id)!.interfaces[ex.id]!;
            const i = analyses.get(importer.id)!.interfaces[im.id]!;
            expect(checkInterfaceCompat(e, i)).toBeNull();
            pairs++;
          }
    expect(pairs).toBeGreaterThanOrEqual(8); // stage ×(4 exporters × 2 importers) + log
  });

  it("the generated WIT module matches the .wit files", () => {
    expect(renderGenerated(witFiles())).toBe(readFileSync("lib/builtins/wit-sources.generated.ts", "utf8"));
    expect(Object.keys(WIT_FILES)).toContain("wit/pipeline.wit");
  });

  it("every world's WIT is valid for jco on its own (with the WASI packages it names)", async () => {
    for (const b of BUILTINS) {
      await expect(componentEmbed({ dummy: true, witSource: buildWit(b), world: b.world })).resolves.toBeInstanceOf(Uint8Array);
      if (b.externalPackages.length === 0) expect(buildWit(b)).toBe(b.wit);
    }
    expect(builtinById("http-gateway")?.externalPackages).toEqual(["wasi:http@0.2.0"]);
  });
});

describe("built components", () => {
  it.each(BUILTINS.map((b) => b.id))("%s is a component whose world matches the catalog", async (id) => {
    const b = builtinById(id)!;
    const world = worldInterfaces(await componentWit(wasm(id)));
    for (const i of b.imports) expect(world.imports).toContain(i);
    for (const e of b.exports) expect(world.exports).toContain(e);
    expect(world.imports.filter((i) => !i.startsWith("wasi:") || i.startsWith("wasi:keyvalue/"))).toHaveLength(b.imports.length);
  });

  it("json-to-csv converts a JSON array to CSV, quoting and keeping nested values", async () => {
    const c = await load("json-to-csv");
    const stage = iface<Stage>(c, IFACE.stage);
    const json = '[{"id":1,"name":"Ada","langs":["en","fr"]},{"id":2,"name":"Grace, \\"R\\"","active":true,"note":null},{"name":"\\u00e9t\\u00e9 \\ud83d\\ude00"}]';
    expect(dec.decode(stage.process(enc.encode(json)))).toBe(
      'id,name,langs,active,note\n1,Ada,"[""en"",""fr""]",,\n2,"Grace, ""R""",,true,\n,été 😀,,,\n',
    );
    const table = iface<{ jsonToCsv(s: string): string }>(c, IFACE.table);
    expect(table.jsonToCsv('{"a":"x\\ny","b":-1.5e3}')).toBe('a,b\n"x\ny",-1.5e3\n');
  });

  it("json-to-csv refuses malformed JSON with a reason and an offset", async () => {
    const c = await load("json-to-csv");
    const stage = iface<Stage>(c, IFACE.stage);
    expect(payloadOf(() => stage.process(enc.encode('[{"a":1},')))).toBe("invalid JSON at byte 9: unexpected end of input");
    expect(payloadOf(() => stage.process(enc.encode("[1,2]")))).toBe("invalid JSON at byte 1: array elements must be objects");
    expect(payloadOf(() => stage.process(enc.encode('{"a":01}')))).toMatch(/^invalid JSON at byte 6:/);
    expect(payloadOf(() => stage.process(enc.encode("[".repeat(100) + "]".repeat(100))))).toMatch(/array elements must be objects/);
    const deep = '[{"a":' + "[".repeat(100) + "]".repeat(100) + "}]";
    expect(payloadOf(() => stage.process(enc.encode(deep)))).toMatch(/nesting too deep/);
    const table = iface<{ jsonToCsv(s: string): string }>(c, IFACE.table);
    expect(payloadOf(() => table.jsonToCsv('{"a" 1}'))).toEqual({ message: "expected ':' after key", offset: 5 });
  });

  it("tokenizer splits a sentence and counts words", async () => {
    const c = await load("tokenizer");
    const text = iface<{ tokenize(s: string): string[] }>(c, IFACE.text);
    expect(text.tokenize("The quick brown fox — doesn't JUMP; “Ça” 42!")).toEqual(["the", "quick", "brown", "fox", "doesn't", "jump", "ça", "42"]);
    expect(text.tokenize("")).toEqual([]);
    const stage = iface<Stage>(c, IFACE.stage);
    const counts = JSON.parse(dec.decode(stage.process(enc.encode("the cat and the hat and the bat")))) as unknown;
    expect(counts).toEqual([
      { token: "the", count: 3 },
      { token: "and", count: 2 },
      { token: "cat", count: 1 },
      { token: "hat", count: 1 },
      { token: "bat", count: 1 },
    ]);
    expect(payloadOf(() => stage.process(new Uint8Array([0x61, 0xff, 0x62])))).toBe("input is not valid UTF-8 text");
  });

  it("thumbnail downscales a PGM with a box filter and refuses bad images", async () => {
    const c = await load("thumbnail");
    const stage = iface<Stage>(c, IFACE.stage);
    // 128x64 grey image: left half 0, right half 200 → 64x32 with the same halves.
    const w = 128, h = 64;
    const header = enc.encode(`P5\n# test\n${w} ${h}\n255\n`);
    const pixels = new Uint8Array(w * h).map((_v, i) => (i % w < w / 2 ? 0 : 200));
    const out = stage.process(new Uint8Array([...header, ...pixels]));
    const expectedHeader = "P5\n64 32\n255\n";
    expect(dec.decode(out.subarray(0, expectedHeader.length))).toBe(expectedHeader);
    const body = out.subarray(expectedHeader.length);
    expect(body.length).toBe(64 * 32);
    expect(body[0]).toBe(0);
    expect(body[63]).toBe(200);
    expect(payloadOf(() => stage.process(enc.encode("P5\n10 10\n255\n" + "x".repeat(5))))).toBe("PNM pixel data is truncated");
    // The catalog's sample (96×64) comes out 64×43.
    const sample = stage.process(new Uint8Array(Buffer.from(builtinById("thumbnail")!.sampleInputBase64!, "base64")));
    expect(dec.decode(sample.subarray(0, 13))).toBe("P5\n64 43\n255\n");
    expect(sample.length).toBe(13 + 64 * 43);
    // P6 (RGB) with a smaller maxval is rescaled to 255.
    const p6 = stage.process(new Uint8Array([...enc.encode("P6 2 1 15\n"), 15, 0, 0, 0, 15, 0]));
    expect([...p6]).toEqual([...enc.encode("P6\n2 1\n255\n"), 255, 0, 0, 0, 255, 0]);
    expect(payloadOf(() => stage.process(enc.encode("GIF89a")))).toBe("not a binary PGM (P5) or PPM (P6) image");
    const image = iface<{ thumbnail(b: object, max: number): { width: number; height: number; channels: number; pixels: Uint8Array } }>(c, IFACE.image);
    const rgb = image.thumbnail({ width: 4, height: 2, channels: 3, pixels: new Uint8Array(24).fill(90) }, 2);
    expect({ ...rgb, pixels: [...rgb.pixels] }).toEqual({ width: 2, height: 1, channels: 3, pixels: [90, 90, 90, 90, 90, 90] });
    expect(payloadOf(() => image.thumbnail({ width: 4, height: 2, channels: 3, pixels: new Uint8Array(5) }, 2))).toMatch(/does not match/);
  });

  it("logger keeps recent lines and writes each to stderr through WASI", async () => {
    const c = await load("logger");
    const log = iface<{ log(level: string, m: string): void; recent(max: number): string[] }>(c, IFACE.log);
    // The preview2 shim writes the component's stderr to process.stderr: capture it.
    const written: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => (written.push(typeof chunk === "string" ? chunk : dec.decode(chunk)), true)) as typeof process.stderr.write;
    try {
      for (let i = 0; i < 66; i++) log.log(i % 2 ? "warn" : "info", `line ${i}`);
    } finally {
      process.stderr.write = original;
    }
    expect(written.join("")).toBe(Array.from({ length: 66 }, (_v, i) => `[${i % 2 ? "WARN" : "INFO"}] line ${i}\n`).join(""));
    expect(log.recent(3)).toEqual(["[WARN] line 63", "[INFO] line 64", "[WARN] line 65"]);
    expect(log.recent(1000)).toHaveLength(64);
  });

  it("http-handler routes to the next stage and logs", async () => {
    const lines: string[] = [];
    const next = {
      process(b: Uint8Array) {
        if (b.length === 0) throw Object.assign(new Error("empty"), { payload: "empty body" });
        return enc.encode(dec.decode(b).toUpperCase());
      },
    };
    const c = await load("http-handler", {
      "trellis:pipeline/stage": next,
      "trellis:pipeline/log": { log: (level: string, m: string) => lines.push(`${level} ${m}`), recent: () => [] },
    });
    type Res = { status: number; headers: Array<[string, string]>; body: Uint8Array };
    const handler = iface<{ handle(r: object): Res }>(c, IFACE.handler);
    const req = (method: string, path: string, body: string) => ({ method, path, headers: [["content-type", "text/plain"]], body: enc.encode(body) });
    const ok = handler.handle(req("POST", "/x", "hello"));
    expect(ok.status).toBe(200);
    expect(dec.decode(ok.body)).toBe("HELLO");
    expect(ok.headers).toContainEqual(["content-length", "5"]);
    const refused = handler.handle(req("PUT", "/x", ""));
    expect([refused.status, dec.decode(refused.body)]).toEqual([422, "empty body"]);
    expect(handler.handle(req("GET", "/health", "")).status).toBe(200);
    expect(handler.handle(req("DELETE", "/x", "")).status).toBe(405);
    expect(lines).toEqual(["info POST /x -> 200 (5 bytes)", "warn PUT /x -> 422 (10 bytes)", "info GET /health -> 200 (3 bytes)", "warn DELETE /x -> 405 (19 bytes)"]);
  });

  it("http-gateway serves real HTTP through wasi:http (jco's preview2 shim server)", async () => {
    // The package's type map points at the browser build; the Node build has the server.
    const { HTTPServer } = (await import("@bytecodealliance/preview2-shim/http")) as unknown as {
      HTTPServer: new (h: unknown) => { listen(port: number, host: string): void; address(): unknown; stop(): void };
    };
    // The shim's real server needs the shim's own response classes (the run
    // host's memory-backed ones answer requests built in memory).
    const shimHttp = (await import("@bytecodealliance/preview2-shim")) as unknown as { http: { types: unknown } };
    const c = await load(
      "http-gateway",
      {
        "trellis:pipeline/stage": {
          process(b: Uint8Array) {
            if (b.length === 0) throw Object.assign(new Error("empty"), { payload: "empty body" });
            return enc.encode(dec.decode(b).toUpperCase());
          },
        },
      },
      { "wasi:http/types": shimHttp.http.types },
    );
    const server = new HTTPServer(iface(c, IFACE.incomingHandler));
    server.listen(0, "127.0.0.1");
    const { port } = server.address() as { port: number };
    try {
      const call = async (method: string, path: string, body?: string) => {
        const r = await fetch(`http://127.0.0.1:${port}${path}`, { method, ...(body !== undefined ? { body } : {}) });
        return [r.status, r.headers.get("content-type"), await r.text()];
      };
      expect(await call("POST", "/x", "hello")).toEqual([200, "text/plain; charset=utf-8", "HELLO"]);
      expect(await call("GET", "/health")).toEqual([200, "text/plain; charset=utf-8", "ok\n"]);
      expect(await call("PUT", "/", "")).toEqual([422, "text/plain; charset=utf-8", "empty body"]);
      expect((await call("DELETE", "/"))[0]).toBe(405);
      const big = "abc".repeat(50_000); // many reads and 4 KiB writes
      expect(await call("POST", "/", big)).toEqual([200, "text/plain; charset=utf-8", big.toUpperCase()]);
    } finally {
      server.stop();
    }
  });

  it("kv-cache memoizes the next stage through wasi:keyvalue", async () => {
    const store = new Map<string, Uint8Array>();
    class Bucket {
      get(k: string) {
        return store.get(k);
      }
      set(k: string, v: Uint8Array) {
        store.set(k, v.slice());
      }
    }
    let calls = 0;
    const c = await load("kv-cache", {
      "wasi:keyvalue/store": { Bucket, open: (id: string) => (id === "default" ? new Bucket() : undefined) },
      "trellis:pipeline/stage": { process: (b: Uint8Array) => (calls++, enc.encode(`<${dec.decode(b)}>`)) },
    });
    const stage = iface<Stage>(c, IFACE.stage);
    expect(dec.decode(stage.process(enc.encode("a")))).toBe("<a>");
    expect(dec.decode(stage.process(enc.encode("a")))).toBe("<a>");
    expect(dec.decode(stage.process(enc.encode("b")))).toBe("<b>");
    expect(calls).toBe(2);
    expect([...store.keys()].every((k) => /^stage-cache\/[0-9a-f]{16}$/.test(k))).toBe(true);
  });
});

describe("artifacts", () => {
  it("reads built bytes and types the failures", async () => {
    const { readBuiltinWasm } = await import("./artifacts");
    const r = readBuiltinWasm("tokenizer");
    expect(r.ok && r.value.length > 1000).toBe(true);
    const unknown = readBuiltinWasm("../../etc/passwd");
    expect(!unknown.ok && unknown.error.kind).toBe("unknown-builtin");
    const prev = process.env.TRELLIS_BUILTINS_DIR;
    process.env.TRELLIS_BUILTINS_DIR = cacheDir;
    try {
      const missing = readBuiltinWasm("logger");
      expect(!missing.ok && missing.error.kind).toBe("not-built");
    } finally {
      if (prev === undefined) delete process.env.TRELLIS_BUILTINS_DIR;
      else process.env.TRELLIS_BUILTINS_DIR = prev;
    }
  });

  it("the routes serve the catalog and the bytes", async () => {
    const list = (await (await (await import("../../app/api/builtins/route")).GET(new Request("http://127.0.0.1/api/builtins"))).json()) as Array<{ id: string; wit: string }>;
    expect(list.map((b) => b.id)).toEqual(BUILTINS.map((b) => b.id));
    // The gateway's served WIT carries the WASI packages it uses, so it stands alone.
    const gw = list.find((b) => b.id === "http-gateway")! as unknown as { wit: string; witComplete: string };
    expect(gw.witComplete).toContain("package wasi:http@0.2.0 {");
    await expect(componentEmbed({ dummy: true, witSource: gw.witComplete, world: "http-gateway" })).resolves.toBeInstanceOf(Uint8Array);
    expect(gw.wit).toBe(builtinById("http-gateway")!.wit);
    const { GET } = await import("../../app/api/builtins/[id]/wasm/route");
    const res = await GET(new Request("http://127.0.0.1/"), { params: Promise.resolve({ id: "json-to-csv" }) });
    expect(res.headers.get("content-type")).toBe("application/wasm");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array(wasm("json-to-csv")));
    expect((await GET(new Request("http://127.0.0.1/"), { params: Promise.resolve({ id: "nope" }) })).status).toBe(404);
  });
});
