// Second half of build.sh: wraps each core module built from lib/builtins/<id>
// into a component with its WIT, checks the component's world against the
// catalog, and writes build/builtins/<id>.wasm plus index.json (sizes, hashes).
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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

// jco ships the WASI 0.2 WIT (as 0.2.12); the built-ins target 0.2.0, which
// every 0.2 host accepts, and these packages have no stable item newer than it.
const WASI_WIT_DIR = join(dirname(fileURLToPath(import.meta.resolve("@bytecodealliance/jco"))), "..", "lib", "wit", "builtin", "0.2.12");
const WASI_PACKAGES = ["wasi-io", "wasi-clocks", "wasi-random", "wasi-filesystem", "wasi-sockets", "wasi-cli", "wasi-http"];

/** The WASI packages as nested `package wasi:x@<version> { … }` blocks. */
export function wasiPackagesWit(version = "0.2.0"): string {
  return WASI_PACKAGES.map((dir) => {
    const text = readFileSync(join(WASI_WIT_DIR, dir, "package.wit"), "utf8").replaceAll("@0.2.12", `@${version}`);
    const header = /^\s*package\s+([a-z0-9-]+:[a-z0-9-]+@[^;\s]+)\s*;/m.exec(text);
    if (!header) throw new Error(`${dir}/package.wit has no package header`);
    return `package ${header[1]} {\n${text.slice(header.index + header[0].length).trim()}\n}\n`;
  }).join("\n");
}

/** The WIT a built-in is built against: its catalog WIT plus the external WASI packages it names. */
export function buildWit(b: BuiltinComponent): string {
  return b.externalPackages.length ? `${b.wit}\n${wasiPackagesWit()}` : b.wit;
}

export async function componentize(b: BuiltinComponent, core: Uint8Array): Promise<{ bytes: Uint8Array; usesWasi: boolean; wit: string }> {
  const usesWasi = WebAssembly.Module.imports(new WebAssembly.Module(new Uint8Array(core))).some((i) => i.module === "wasi_snapshot_preview1");
  const wit = buildWit(b);
  const embedded = await componentEmbed({ binary: core, witSource: wit, world: b.world });
  const adapters: Array<[string, Uint8Array]> = usesWasi
    ? [["wasi_snapshot_preview1", readFileSync(preview1AdapterReactorPath())]]
    : [];
  const bytes = await componentNew(embedded, adapters);
  // The component must say what the catalog says (WASI imports from the adapter aside).
  const world = worldInterfaces(await componentWit(bytes));
  const own = (xs: string[]) => xs.filter((x) => !x.startsWith("wasi:") || x.startsWith("wasi:keyvalue/")).sort();
  const want = { imports: [...b.imports].sort(), exports: [...b.exports].sort() };
  if (JSON.stringify(own(world.imports)) !== JSON.stringify(own(want.imports)) || JSON.stringify([...world.exports].sort()) !== JSON.stringify(want.exports)) {
    throw new Error(`${b.id}: component world ${JSON.stringify(world)} differs from the catalog ${JSON.stringify(want)}`);
  }
  return { bytes, usesWasi, wit };
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
    const { bytes, usesWasi, wit } = await componentize(b, core);
    writeAtomic(join(outDir, `${b.id}.wasm`), bytes);
    writeAtomic(join(outDir, `${b.id}.wit`), wit);
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
