// Runs the block translator (emulator/build/trellis-aot.wasm: the core's own
// decoder plus emulator/aot/) under node:wasi on block profiles the core
// wrote (TRELLIS_AOT_PROFILE), and appends the translated functions to the
// core module (aot-module.ts).

import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { WASI } from "node:wasi";
import { err, ok, type Result } from "../result";
import { appendTranslations, blockTypeIndex, helperFunctions, parseTranslations, type TranslatedBlock } from "./aot-module";
import type { ArtifactError } from "./native-artifact";

export function defaultTranslatorPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "emulator", "build", "trellis-aot.wasm");
}

export interface TranslateOptions {
  /** Blocks that ran fewer times in the profiles are left to the interpreter (default 1). */
  minRuns?: number;
  /** At most this many blocks, hottest first. */
  maxBlocks?: number;
  translator?: string;
}

export interface TranslatedCore {
  module: Uint8Array;
  blocks: TranslatedBlock[];
  functions: number;
  /** the translator's summary line */
  log: string;
}

/** Translates the blocks of `profiles` and appends them to `core`. */
export function translateProfiles(core: Uint8Array, profiles: string[], opts: TranslateOptions = {}): Result<TranslatedCore, ArtifactError> {
  const t = runTranslator(core, profiles, opts);
  if (!t.ok) return t;
  return appendTaot(core, t.value.taot, t.value.log);
}

/** Appends the translator's output (a TAOT file, e.g. from the translation cache) to `core`. */
export function appendTaot(core: Uint8Array, taot: Uint8Array, log = ""): Result<TranslatedCore, ArtifactError> {
  const blocks = parseTranslations(taot);
  if (!blocks.ok) return blocks;
  const appended = appendTranslations(core, blocks.value);
  if (!appended.ok) return appended;
  return ok({ module: appended.value.module, blocks: blocks.value, functions: appended.value.functions, log });
}

/** Runs the translator on `profiles`: its TAOT output (parseTranslations) and summary line. */
export function runTranslator(core: Uint8Array, profiles: string[], opts: TranslateOptions = {}): Result<{ taot: Uint8Array; log: string }, ArtifactError> {
  const helpers = helperFunctions(core);
  if (!helpers.ok) return helpers;
  const blockType = blockTypeIndex(core);
  if (!blockType.ok) return blockType;
  const work = mkdtempSync(join(tmpdir(), "trellis-aot-"));
  try {
    const preopens: Record<string, string> = { "/out": work };
    const guestProfiles = profiles.map((p, i) => {
      preopens[`/p${i}`] = dirname(resolve(p));
      return `/p${i}/${basename(p)}`;
    });
    const args = ["trellis-aot", "--translate", "--helpers", helpers.value.join(","), "--block-type", String(blockType.value)];
    if (opts.minRuns !== undefined) args.push("--min-runs", String(opts.minRuns));
    if (opts.maxBlocks !== undefined) args.push("--max-blocks", String(opts.maxBlocks));
    args.push("/out/blocks.taot", ...guestProfiles);
    const errFile = join(work, "stderr");
    const errFd = openSync(errFile, "w");
    let code: number;
    try {
      const wasi = new WASI({ version: "preview1", args, env: {}, preopens, stderr: errFd, returnOnExit: true });
      const mod = new WebAssembly.Module(readFileSync(opts.translator ?? defaultTranslatorPath()));
      const inst = new WebAssembly.Instance(mod, wasi.getImportObject() as WebAssembly.Imports);
      code = wasi.start(inst);
    } finally {
      closeSync(errFd);
    }
    const log = readFileSync(errFile, "utf8").trim();
    if (code !== 0) return err({ kind: "core-malformed", message: `the translator failed (exit ${code}): ${log}` });
    return ok({ taot: readFileSync(join(work, "blocks.taot")), log });
  } catch (e) {
    return err({ kind: "io", message: (e as Error).message });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
