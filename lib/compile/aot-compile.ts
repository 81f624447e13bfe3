// Translation in the compile pipeline (issue 13): a smoke run of the plain
// artifact records the blocks the image's command runs (aot-smoke.ts), the
// translator turns the hot ones into Wasm functions (aot-translate.ts), and
// the artifact builder appends them to the core it embeds.
//
// Both steps are cached in `cacheDir` by content hash, so compiling the same
// image again pays for neither:
//   smoke/<key>/  the profile, keyed by the core, the packed rootfs (every ELF
//                 file the run can load), the run config and the smoke options;
//   taot/<key>/   the translator's output, keyed by the core, the translator
//                 and the profile's own bytes (plus the block thresholds).

import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { err, ok, type Result } from "../result";
import { appendTaot, defaultTranslatorPath, runTranslator, type TranslatedCore } from "./aot-translate";
import { smokeRun, type SmokeEnd } from "./aot-smoke";

/** What the compile step translates; `false` in NativeArtifactInput.translate turns it off. */
export interface TranslateRequest {
  /** The smoke run's arguments, replacing the image's CMD; default: the image's own command. */
  smokeArgs?: string[];
  /** Guest instructions the smoke run may execute (default TRELLIS_AOT_SMOKE_BUDGET or 300M). */
  budget?: number;
  /** Its wall-clock limit in ms (default TRELLIS_AOT_SMOKE_MS or 20 s): a guest that only sleeps. */
  timeMs?: number;
  /** Blocks that ran fewer times in the smoke run stay interpreted. */
  minRuns?: number;
  /** At most this many blocks, hottest first. */
  maxBlocks?: number;
  /** Where the translation cache lives; none: no cache. */
  cacheDir?: string;
}

/** The compile report's account of the translation (details.translation). */
export interface TranslationReport {
  blocks: number;
  /** Guest instructions in the translated blocks, and the share of them inlined (the rest call their handler). */
  instructions: number;
  inlinedPercent: number;
  smoke: { args: string[] | "image command"; instructions: number; end: SmokeEnd; exitCode: number; ms: number; budget: number; cached: boolean };
  /** The translator's output came from the cache. */
  cached: boolean;
  minRuns: number;
  coreBytes: { plain: number; translated: number };
  ms: number;
}

export type TranslateError = { kind: "smoke-failed" | "core-malformed" | "io"; message: string };

const num = (v: string | undefined, d: number) => {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n > 0 ? n : d;
};
export const defaultSmokeBudget = () => num(process.env.TRELLIS_AOT_SMOKE_BUDGET, 300_000_000);
export const defaultSmokeMs = () => num(process.env.TRELLIS_AOT_SMOKE_MS, 20_000);
/** Blocks that ran fewer times in the smoke run stay interpreted: V8 compiles (and tiers up) each translated
 *  function the first time it runs, and below about 500 runs that costs more than the block saves. Measured
 *  (user+sys CPU, the same run, translations from each command's own smoke run): python3 -c pass 2.58 s
 *  interpreted, 3.92 s with the blocks run 2+ times, 3.22 at 32, 2.89 at 128, 2.58 at 512, 2.60-2.68 at
 *  1024-2048; sqlite3 inserting, indexing and grouping 20k rows 3.71 s interpreted, 2.41-2.57 s at every
 *  threshold from 2 to 2048 (its hot blocks run far more often). */
export const DEFAULT_MIN_RUNS = 1000;
export const DEFAULT_MAX_BLOCKS = 20_000;

/** Whether compiles translate by default (TRELLIS_COMPILE_TRANSLATE=0 turns it off, e.g. for tests of other parts). */
export function translateByDefault(env: Record<string, string | undefined> = process.env): boolean {
  return env.TRELLIS_COMPILE_TRANSLATE !== "0";
}

/** `$TRELLIS_DATA_DIR/cache/aot`, else `$XDG_CACHE_HOME/trellis/aot` or `~/.cache/trellis/aot`. */
export function defaultAotCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.TRELLIS_DATA_DIR) return join(resolve(env.TRELLIS_DATA_DIR), "cache", "aot");
  return join(env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), ".cache"), "trellis", "aot");
}

/** How the smoke run ended, for people. */
export function endText(s: { end: SmokeEnd; exitCode: number }): string {
  return s.end === "budget" ? "stopped by its budget" : s.end === "waiting" ? "every process left waiting (a server with no clients)" : `exit ${s.exitCode}`;
}

async function fileSha(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest("hex");
}
const sha = (...parts: (string | Uint8Array)[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(typeof p === "string" ? Buffer.from(p + "\0") : p);
  return h.digest("hex");
};

/** Moves a filled temp directory into place; a concurrent writer that won keeps its entry. */
async function commitEntry(tmp: string, dir: string): Promise<void> {
  try {
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if (!["ENOTEMPTY", "EEXIST"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
  }
}

export interface TranslateInput {
  /** The plain core the artifact embeds. */
  core: Uint8Array;
  /** The plain artifact already written (the smoke run runs it). */
  plainArtifact: string;
  rootfsPath: string;
  /** The artifact's encoded run config (encodeRunConfig): part of what the smoke run depends on. */
  config: Uint8Array;
  request: TranslateRequest;
  translator?: string;
  signal?: AbortSignal;
  onLog?: (line: string) => void;
  /** Other cores that run the same guest (the wasi:http component's reactor core): translated from the same
   *  profile. The translator's output names one core's helper functions and block type, so each is translated for itself. */
  alsoCores?: Uint8Array[];
}

/** Profiles the plain artifact (or takes the profile from the cache) and returns the core with the hot blocks translated
 *  (and `alsoCores`, each with the same blocks translated, or undefined where that failed). */
export async function translateForArtifact(i: TranslateInput): Promise<Result<{ core: Uint8Array; report: TranslationReport; alsoCores: (Uint8Array | undefined)[] }, TranslateError>> {
  const t0 = performance.now();
  const r = i.request;
  const budget = r.budget ?? defaultSmokeBudget();
  const timeMs = r.timeMs ?? defaultSmokeMs();
  const minRuns = r.minRuns ?? DEFAULT_MIN_RUNS;
  const maxBlocks = r.maxBlocks ?? DEFAULT_MAX_BLOCKS;
  const translator = i.translator ?? defaultTranslatorPath();
  const coreSha = sha(i.core);
  const cache = r.cacheDir;
  let profile: string, smoke: TranslationReport["smoke"], cleanup = () => {};
  try {
    // 1. the profile
    const smokeKey = sha("smoke v2", coreSha, await fileSha(i.rootfsPath), i.config, JSON.stringify(r.smokeArgs ?? null), String(budget), String(timeMs));
    const smokeDir = cache ? join(cache, "smoke", smokeKey) : undefined;
    const args: string[] | "image command" = r.smokeArgs ?? "image command";
    if (smokeDir && existsSync(join(smokeDir, "meta.json")) && existsSync(join(smokeDir, "blocks.prof"))) {
      profile = join(smokeDir, "blocks.prof");
      smoke = { ...(JSON.parse(await readFile(join(smokeDir, "meta.json"), "utf8")) as Omit<TranslationReport["smoke"], "cached">), cached: true };
    } else {
      const s = await smokeRun(i.plainArtifact, { ...(r.smokeArgs ? { args: r.smokeArgs } : {}), budget, timeMs, ...(i.signal ? { signal: i.signal } : {}) });
      if (!s.ok) return err(s.error);
      cleanup = s.value.cleanup;
      profile = s.value.profile;
      const meta = { args, instructions: s.value.instructions, end: s.value.end, exitCode: s.value.exitCode, ms: Math.round(s.value.ms), budget };
      smoke = { ...meta, cached: false };
      if (smokeDir) {
        const tmp = `${smokeDir}.${process.pid}.${Date.now()}.tmp`;
        await mkdir(tmp, { recursive: true });
        await copyFile(profile, join(tmp, "blocks.prof"));
        await writeFile(join(tmp, "meta.json"), JSON.stringify(meta));
        await commitEntry(tmp, smokeDir);
      }
    }
    i.onLog?.(
      `smoke run (${Array.isArray(args) ? args.join(" ") : args}): ${smoke.instructions} instructions, ${endText(smoke)}` +
        (smoke.cached ? " (profile from the translation cache)" : `, ${smoke.ms} ms`),
    );
    // 2. the translations, for each core
    const profBytes = await readFile(profile);
    const translatorSha = await fileSha(translator);
    const translateCore = async (core: Uint8Array): Promise<Result<{ a: TranslatedCore; cached: boolean }, TranslateError>> => {
      const taotKey = sha("taot v1", sha(core), translatorSha, profBytes, String(minRuns), String(maxBlocks));
      const taotDir = cache ? join(cache, "taot", taotKey) : undefined;
      let taot: Uint8Array, log = "", cached = false;
      if (taotDir && existsSync(join(taotDir, "blocks.taot"))) {
        taot = await readFile(join(taotDir, "blocks.taot"));
        cached = true;
      } else {
        const t = runTranslator(core, [profile], { minRuns, maxBlocks, translator });
        if (!t.ok) return err({ kind: t.error.kind === "io" ? "io" : "core-malformed", message: t.error.message });
        taot = t.value.taot;
        log = t.value.log;
        if (taotDir) {
          const tmp = `${taotDir}.${process.pid}.${Date.now()}.tmp`;
          await mkdir(tmp, { recursive: true });
          await writeFile(join(tmp, "blocks.taot"), taot);
          await commitEntry(tmp, taotDir);
        }
      }
      // no block ran often enough: the core stays as it is
      const empty = taot.length >= 12 && Buffer.from(taot.buffer, taot.byteOffset, taot.length).readUInt32LE(8) === 0;
      const appended = empty ? ok({ module: core, blocks: [], functions: 0, log }) : appendTaot(core, taot, log);
      if (!appended.ok) return err({ kind: "core-malformed", message: appended.error.message });
      return ok({ a: appended.value, cached });
    };
    const main = await translateCore(i.core);
    if (!main.ok) return main;
    const { a, cached } = main.value;
    const alsoCores: (Uint8Array | undefined)[] = []; // undefined: that core could not be translated (it stays plain)
    for (const other of i.alsoCores ?? []) {
      const t = await translateCore(other);
      if (!t.ok) i.onLog?.(`note: another core of the artifact was not translated: ${t.error.message}`);
      alsoCores.push(t.ok ? t.value.a.module : undefined);
    }
    const insns = a.blocks.reduce((n, b) => n + b.insns, 0);
    const inl = a.blocks.reduce((n, b) => n + b.inlined, 0);
    const report: TranslationReport = {
      blocks: a.functions,
      instructions: insns,
      inlinedPercent: insns ? Math.round((inl / insns) * 1000) / 10 : 0,
      smoke,
      cached,
      minRuns,
      coreBytes: { plain: i.core.length, translated: a.module.length },
      ms: Math.round(performance.now() - t0),
    };
    i.onLog?.(`translated ${a.functions} blocks run >= ${minRuns} times${cached ? " (from the translation cache)" : ""}: core ${i.core.length} -> ${a.module.length} B`);
    return ok({ core: a.module, report, alsoCores });
  } catch (e) {
    return err({ kind: "io", message: (e as Error).message });
  } finally {
    cleanup();
  }
}
