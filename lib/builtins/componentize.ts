// Second half of build.sh: wraps each core module built from lib/builtins/<id>
// into a component with its WIT, checks the component's world against the
// catalog, and writes build/builtins/<id>.wasm plus index.json (sizes, hashes).
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { componentEmbed, componentNew, componentWit, preview1AdapterReactorPath } from "@bytecodealliance/jco";
import { BUILTINS, type BuiltinComponent } from "./catalog";

export interface BuiltIndexEntry {
  id: string;
  bytes: number;
  sha256: string;
  usesWasi: boolean;
}

/** Imports/exports named in a component's printed WIT (`import ns:pkg/iface@v;`). */
export function worldInterfaces(wit: string): { imports: string[]; exports: string[] } {
  const pick = (dir: string) =>
    [...wit.matchAll(new RegExp(`^\\s*${dir}\\s+([a-z0-9-]+:[a-z0-9-]+/[a-z0-9-]+(?:@[^;\\s]+)?)\\s*;`, "gm"))].map((m) => m[1]!);
  return { imports: pick("import"), exports: pick("export") };
}

export async function componentize(b: BuiltinComponent, core: Uint8Array): Promise<{ bytes: Uint8Array; usesWasi: boolean }> {
  const usesWasi = WebAssembly.Module.imports(new WebAssembly.Module(new Uint8Array(core))).some((i) => i.module === "wasi_snapshot_preview1");
  const embedded = await componentEmbed({ binary: core, witSource: b.wit, world: b.world });
  const adapters: Array<[string, Uint8Array]> = usesWasi
    ? [["wasi_snapshot_preview1", readFileSync(preview1AdapterReactorPath())]]
    : [];
  const bytes = await componentNew(embedded, adapters);
  // The component must say what the catalog says (WASI imports from the adapter aside).
  const world = worldInterfaces(await componentWit(bytes));
  const own = (xs: string[]) => xs.filter((x) => !x.startsWith("wasi:") || x.startsWith("wasi:keyvalue/")).sort();
  const want = { imports: [...b.imports].sort(), exports: [...b.exports].sort() };
  if (JSON.stringify(own(world.imports)) !== JSON.stringify(want.imports) || JSON.stringify(own(world.exports)) !== JSON.stringify(want.exports)) {
    throw new Error(`${b.id}: component world ${JSON.stringify(world)} differs from the catalog ${JSON.stringify(want)}`);
  }
  return { bytes, usesWasi };
}

/** Readers (the app, tests) never see half a file. */
function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

async function main(outDir: string): Promise<void> {
  const index: BuiltIndexEntry[] = [];
  for (const b of BUILTINS) {
    const core = readFileSync(join(outDir, "core", `${b.id}.wasm`));
    const { bytes, usesWasi } = await componentize(b, core);
    writeAtomic(join(outDir, `${b.id}.wasm`), bytes);
    index.push({ id: b.id, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), usesWasi });
  }
  writeAtomic(join(outDir, "index.json"), JSON.stringify(index, null, 2) + "\n");
  console.log(`built ${index.length} components: ${index.map((e) => `${e.id} (${(e.bytes / 1024).toFixed(1)} KiB)`).join(", ")}`);
}

if (process.argv[1]?.endsWith("componentize.ts")) {
  main(process.argv[2] ?? "build/builtins").catch((e: unknown) => {
    console.error(`componentize: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
