// Where the built components live and how to read them (server side only).
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { err, ok, type Result } from "../result";
import { builtinById } from "./catalog";

export type BuiltinArtifactError =
  | { kind: "unknown-builtin"; id: string; message: string }
  | { kind: "not-built"; id: string; path: string; message: string };

/** `$TRELLIS_BUILTINS_DIR`, else `build/builtins` under the working directory (the app runs from the repo root). */
export function builtinsDir(): string {
  return process.env.TRELLIS_BUILTINS_DIR ?? join(/*turbopackIgnore: true*/ process.cwd(), "build", "builtins");
}

export function builtinWasmPath(id: string): string {
  return join(builtinsDir(), `${id}.wasm`);
}

export function readBuiltinWasm(id: string): Result<Uint8Array, BuiltinArtifactError> {
  if (!builtinById(id)) return err({ kind: "unknown-builtin", id, message: `no built-in component '${id}'` });
  const path = builtinWasmPath(id);
  try {
    if (!statSync(path).isFile()) throw new Error("not a file");
    return ok(new Uint8Array(readFileSync(path)));
  } catch {
    return err({ kind: "not-built", id, path, message: `built-in '${id}' is not built: run \`bash lib/builtins/build.sh\` (expected ${path})` });
  }
}

/**
 * The full WIT of a built-in: the build's copy (with the WASI packages it uses
 * nested in) when built, else the catalog's.
 */
export function builtinWit(id: string): string | undefined {
  const b = builtinById(id);
  if (!b) return undefined;
  if (b.externalPackages.length === 0) return b.wit;
  try {
    return readFileSync(join(builtinsDir(), `${id}.wit`), "utf8");
  } catch {
    return b.wit;
  }
}
