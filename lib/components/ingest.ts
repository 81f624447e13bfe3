// Turns uploaded bytes into something the designer can place: a component's
// WIT and ports, a WASI preview1 module converted to a component, or a plain
// core module's raw imports/exports. Server side (jco, WebAssembly).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { WitPort } from "../graph/types";
import { err, ok, type Result } from "../result";
import { analyzeWit, formatWitError } from "../wit";

export type UploadKind = "component" | "converted" | "core-module";

export interface CoreImport {
  module: string;
  name: string;
  kind: string;
}

export interface CoreExport {
  name: string;
  kind: string;
}

/** What the designer knows of an upload, before and after it is stored. */
export interface WasmFacts {
  kind: UploadKind;
  /** The component's WIT as jco prints it (absent for a core module). */
  wit?: string;
  world?: string;
  ports: WitPort[];
  /** WIT problems found while deriving ports (the component is kept; its ports may be partial). */
  witErrors: string[];
  /** Raw imports/exports of the uploaded core module (also kept for converted modules). */
  core?: { imports: CoreImport[]; exports: CoreExport[] };
  /** A sentence for the user about what happened. */
  note: string;
}

/** What an upload became, before it is stored. */
export interface IngestedWasm extends WasmFacts {
  /** The bytes to keep: the component (converted when `kind` is `converted`), or the core module. */
  bytes: Uint8Array;
}

export type UploadErrorKind =
  | "empty-upload"
  | "too-large"
  | "upload-interrupted"
  | "not-wasm"
  | "unsupported-wasm-version"
  | "malformed-wasm"
  | "conversion-failed"
  | "wit-extraction-failed";

export interface UploadError {
  kind: UploadErrorKind;
  message: string;
}

export type WasmHeader = { kind: "module" } | { kind: "component"; version: number };

/** The 8-byte preamble: `\0asm`, then version (u16) and layer (u16), little-endian. */
export function readWasmHeader(bytes: Uint8Array, fileName = "the file"): Result<WasmHeader, UploadError> {
  if (bytes.length === 0) return err({ kind: "empty-upload", message: `${fileName} is empty` });
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    return err({ kind: "not-wasm", message: `${fileName} is not a WebAssembly file (it does not start with the \\0asm magic number)` });
  }
  const version = bytes[4]! | (bytes[5]! << 8);
  const layer = bytes[6]! | (bytes[7]! << 8);
  if (layer === 0 && version === 1) return ok({ kind: "module" });
  // 0x0d is the component-model binary version every current toolchain writes.
  if (layer === 1 && version === 0x0d) return ok({ kind: "component", version });
  return err({
    kind: "unsupported-wasm-version",
    message: `${fileName}: unsupported WebAssembly binary (version ${version}, layer ${layer}); expected a core module (version 1) or a component (version 0x0d, layer 1)`,
  });
}

// jco is large: loaded on first use, resolved by Node at run time rather than bundled.
type Jco = typeof import("@bytecodealliance/jco");
let jcoPromise: Promise<Jco> | undefined;
function loadJco(): Promise<Jco> {
  const name = "@bytecodealliance/jco";
  jcoPromise ??= import(/* webpackIgnore: true */ /* turbopackIgnore: true */ name) as Promise<Jco>;
  return jcoPromise;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 500);

function portsOf(wit: string): { world?: string; ports: WitPort[]; witErrors: string[] } {
  const a = analyzeWit(wit);
  return { world: a.world?.name, ports: a.ports, witErrors: a.errors.map(formatWitError) };
}

const isWasiPreview1 = (imports: CoreImport[]) => imports.length > 0 && imports.some((i) => i.module === "wasi_snapshot_preview1");

/**
 * Classifies and prepares an upload. A WASI preview1 module (it imports
 * `wasi_snapshot_preview1`) is wrapped with jco's preview1 adapter: the command
 * adapter when it exports `_start`, else the reactor adapter.
 */
export async function ingestWasm(bytes: Uint8Array, fileName = "the file"): Promise<Result<IngestedWasm, UploadError>> {
  const header = readWasmHeader(bytes, fileName);
  if (!header.ok) return header;
  const jco = await loadJco();

  if (header.value.kind === "component") {
    let wit: string;
    try {
      wit = await jco.componentWit(bytes);
    } catch (e) {
      return err({ kind: "malformed-wasm", message: `${fileName} is not a valid component: ${message(e)}` });
    }
    return ok({ kind: "component", bytes, wit, ...portsOf(wit), note: "A component: its ports come from its WIT world." });
  }

  let mod: WebAssembly.Module;
  try {
    mod = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    return err({ kind: "malformed-wasm", message: `${fileName} is not a valid WebAssembly module: ${message(e)}` });
  }
  const core = {
    imports: WebAssembly.Module.imports(mod).map((i) => ({ module: i.module, name: i.name, kind: i.kind })),
    exports: WebAssembly.Module.exports(mod).map((x) => ({ name: x.name, kind: x.kind })),
  };
  if (!isWasiPreview1(core.imports)) {
    return ok({
      kind: "core-module",
      bytes,
      ports: [],
      witErrors: [],
      core,
      note: "A core WebAssembly module without WASI: it has no WIT interfaces, so it cannot be wired by interface until it is wrapped as a component.",
    });
  }
  const command = core.exports.some((x) => x.name === "_start" && x.kind === "function");
  let component: Uint8Array;
  try {
    const adapterUrl = command ? jco.preview1AdapterCommandPath() : jco.preview1AdapterReactorPath();
    const adapter = await readFile(fileURLToPath(adapterUrl));
    component = await jco.componentNew(bytes, [["wasi_snapshot_preview1", new Uint8Array(adapter)]]);
  } catch (e) {
    return err({ kind: "conversion-failed", message: `${fileName} imports WASI preview1 but could not be converted to a component: ${message(e)}` });
  }
  let wit: string;
  try {
    wit = await jco.componentWit(component);
  } catch (e) {
    return err({ kind: "wit-extraction-failed", message: `${fileName} was converted, but the component's WIT could not be read: ${message(e)}` });
  }
  return ok({
    kind: "converted",
    bytes: component,
    wit,
    ...portsOf(wit),
    core,
    note: `A WASI preview1 ${command ? "command" : "reactor"} module: converted to a component with jco's preview1 ${command ? "command" : "reactor"} adapter.`,
  });
}
