// Transpiles components with jco (instantiation: "async", so the caller
// supplies every import) and caches the output by content hash, because a
// transpile costs ~100 ms and runs repeat the same built-ins.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { leanHostImports } from "./lean-host-glue";

export interface TranspiledComponent {
  hash: string;
  dir: string;
  /** The ES module exporting `instantiate(getCoreModule, imports, instantiateCore)`. */
  jsFile: string;
  /** Imported interfaces as jco names them in the import object (no version). */
  imports: string[];
  /** Exported names: an interface (`ns:pkg/iface@v` and its short alias) or a function. */
  exports: Array<[string, "function" | "instance"]>;
}

/** `$TRELLIS_DATA_DIR/run-cache`, else `build/run-cache` under the working directory. */
export function defaultCacheDir(): string {
  const data = process.env.TRELLIS_DATA_DIR;
  return data ? join(resolve(/*turbopackIgnore: true*/ data), "run-cache") : join(/*turbopackIgnore: true*/ process.cwd(), "build", "run-cache");
}

export function contentHash(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Version of what the cache holds for a component (jco's output after `tuneGlue`);
 * part of the entry's name, so a change here never reuses an older entry.
 */
const GLUE_VERSION = "glue-8";

/** Cache directory of a component: 32 hex digits from its content hash and the glue version. */
const entryName = (hash: string) => createHash("sha256").update(`${hash}:${GLUE_VERSION}`).digest("hex").slice(0, 32);

/** Import key under which a composed component's glue finds the run's wire tap (`wire-tap.ts`). */
export const WIRE_TAP_IMPORT = "trellis:wire-tap";

/**
 * Two edits to jco's glue:
 * - it asks `process.env.JCO_DEBUG` in every debug-log call, dozens of times
 *   per call across a wire (each a slow property lookup into the process
 *   environment); it is read once when the module loads instead;
 * - in a composed component each wire inside is a fused adapter that calls
 *   jco's enter/exit-sync-call trampolines around the callee; when the import
 *   object holds a wire tap, it is told (caller and callee instance) first,
 *   so a run can time each member and wire, and for a call into a member that
 *   reaches nothing of the host the tap can answer "entered" itself: jco's
 *   task bookkeeping for it (a subtask and a task object, a lock, stacks) is
 *   skipped, since a sync call between sync-only members never suspends and
 *   nothing in the callee's subtree looks its task up (otherwise nothing changes);
 * - sync host imports take a lean path (`lean-host-glue.ts`): the call costs
 *   the trampoline's own lifting and lowering, not two task objects and a subtask.
 */
export function tuneGlue(js: string): string {
  const check = "if (!globalThis?.process?.env?.JCO_DEBUG) { return; }";
  let out = js;
  const prelude: string[] = [];
  if (out.includes(check)) {
    prelude.push("const __jcoDebug = !!globalThis?.process?.env?.JCO_DEBUG;");
    out = out.split(check).join("if (!__jcoDebug) { return; }");
  }
  const enter = /const (trampoline\d+) = _symmetricSyncGuestCallEnter;/;
  const exit = /const (trampoline\d+) = _symmetricSyncGuestCallExit;/;
  // The caller's task register is put back after a callee the tap entered (a host call inside it ends its own task and clears it).
  if (enter.test(out) && exit.test(out) && out.includes("const CURRENT_TASK_META = {};")) {
    const tap = `imports?.[${JSON.stringify(WIRE_TAP_IMPORT)}]`;
    out = out
      .replace(enter, (_m, t: string) => `const ${t} = ${tap} ? ((tap, f) => (a, b, c, d) => (tap.enter(a, c, CURRENT_TASK_META.current) ? 1 : f(a, b, c, d)))(${tap}, _symmetricSyncGuestCallEnter) : _symmetricSyncGuestCallEnter;`)
      .replace(exit, (_m, t: string) => `const ${t} = ${tap} ? ((tap, f) => () => { if (!tap.exit()) f(); else CURRENT_TASK_META.current = tap.callerTask; })(${tap}, _symmetricSyncGuestCallExit) : _symmetricSyncGuestCallExit;`)
      // The adapters' context.get/set (saving the caller's context around a call): a callee the tap entered has its own slots.
      .replace(/context(Get|Set)\.bind\(null, \{ slot: (\d+) \}\)/g, (m, op: string, slot: string) => `(${tap}?.context${op}(${slot}, ${m}) ?? ${m})`);
  }
  // jco's handle tables add every resource rep they ever hand out to a Set nothing reads: it grew by
  // each request's resources (wasi:http fields, bodies, streams) for as long as a run lasted.
  out = out.split("    table._createdReps.add(rep);\n").join("");
  out = leanHostImports(out).js;
  return prelude.length ? `${prelude.join("\n")}\n${out}` : out;
}

/** The component instances of a transpiled (composed) glue module, in instantiation order: jco's runtime indices. */
export function glueInstanceOrder(js: string): number[] {
  return [...js.matchAll(/const instanceFlags(\d+) = new WebAssembly\.Global/g)].map((m) => Number(m[1]));
}

/** The cached transpile of the component with this content hash, if there is one. */
export function lookupTranspiled(hash: string, cacheDir = defaultCacheDir()): TranspiledComponent | undefined {
  const dir = join(cacheDir, entryName(hash));
  try {
    const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as Omit<TranspiledComponent, "dir" | "jsFile">;
    const now = new Date();
    utimesSync(dir, now, now); // recently used: pruning keeps it
    return { ...meta, dir, jsFile: join(dir, "component.js") };
  } catch {
    return undefined; // not cached (or pruned a moment ago)
  }
}

export async function transpileCached(bytes: Uint8Array, cacheDir = defaultCacheDir()): Promise<TranspiledComponent> {
  const hash = contentHash(bytes);
  const dir = join(cacheDir, entryName(hash));
  const hit = lookupTranspiled(hash, cacheDir);
  if (hit) return hit;
  // Loaded on a cache miss only: jco is large, and run processes never need it.
  // Resolved by Node at run time, not bundled into the app's server chunks.
  const jco = "@bytecodealliance/jco";
  const { transpile } = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ jco)) as typeof import("@bytecodealliance/jco");
  // multiMemory: a component with several core instances (a WASI adapter, or a composed group's fused
  // adapters) copies between their memories in wasm; without it jco routes each byte through a JS function.
  const out = await transpile(bytes, { name: "component", instantiation: "async", multiMemory: true, noTypescript: true, quiet: true });
  // Write to a private directory, then rename: concurrent runs never see half a cache entry.
  const tmp = `${dir}.tmp-${randomBytes(6).toString("hex")}`;
  for (const [name, data] of Object.entries(out.files)) {
    const file = join(tmp, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, name.endsWith(".js") ? tuneGlue(Buffer.from(data).toString("utf8")) : data);
  }
  const meta = { hash, imports: out.imports, exports: out.exports };
  writeFileSync(join(tmp, "meta.json"), JSON.stringify(meta));
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another run won the race; its copy is identical
  }
  pruneCache(cacheDir);
  return { ...meta, dir, jsFile: join(dir, "component.js") };
}

/** A component's transpile from the cache, else its bytes on disk for the run process to transpile. */
export function placeComponent(bytes: Uint8Array, cacheDir: string): { transpiled: TranspiledComponent } | { file: string } {
  const hash = contentHash(bytes);
  const hit = lookupTranspiled(hash, cacheDir);
  if (hit) return { transpiled: hit };
  const dir = join(cacheDir, "incoming");
  const file = join(dir, `${hash.slice(0, 32)}.wasm`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${file}.${process.pid}`, bytes);
    renameSync(`${file}.${process.pid}`, file);
    pruneCache(dir);
  }
  return { file };
}

/** Keeps the cache to its `keep` most recently used entries (uploads would otherwise pile up). */
export function pruneCache(cacheDir: string, keep = Number(process.env.TRELLIS_RUN_CACHE_ENTRIES ?? 200)): number {
  let entries: Array<{ path: string; used: number }>;
  try {
    entries = readdirSync(cacheDir)
      .filter((n) => /^[0-9a-f]{32}(\.wasm)?$/.test(n))
      .map((n) => ({ path: join(cacheDir, n), used: statSync(join(cacheDir, n)).mtimeMs }));
  } catch {
    return 0;
  }
  if (entries.length <= keep) return 0;
  entries.sort((a, b) => b.used - a.used);
  const old = entries.slice(keep);
  for (const e of old) rmSync(e.path, { recursive: true, force: true });
  return old.length;
}

/** What jco's instantiate() returns: export name → interface object or function. */
export type ComponentExports = Record<string, unknown>;
export type ImportObject = Record<string, unknown>;

export interface CoreInstanceHook {
  (instance: WebAssembly.Instance): void;
}

/**
 * Instantiates a transpiled component. `onCoreInstance` sees every core
 * instance (the run engine watches their memories to enforce limits).
 */
export async function instantiateComponent(
  c: Pick<TranspiledComponent, "dir" | "jsFile">,
  imports: ImportObject,
  onCoreInstance?: CoreInstanceHook,
  /**
   * Each node gets its own copy of the glue module. jco's `instantiation: "async"`
   * output keeps a component's state inside `instantiate()`, so sharing would be
   * correct, but each call defines its own classes: code shared by several nodes
   * sees several shapes at every property access (measured on a 3-relay chain:
   * about twice the CPU time per request when the relays shared their module).
   */
  instanceKey?: string,
): Promise<ComponentExports> {
  const url = pathToFileURL(c.jsFile).href + (instanceKey === undefined ? "" : `?instance=${encodeURIComponent(instanceKey)}`);
  const mod = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ url)) as {
    instantiate: (
      getCoreModule: (path: string) => Promise<WebAssembly.Module>,
      imports: ImportObject,
      instantiateCore: (m: WebAssembly.Module, i?: WebAssembly.Imports) => Promise<WebAssembly.Instance>,
    ) => Promise<ComponentExports>;
  };
  const modules = new Map<string, Promise<WebAssembly.Module>>();
  const getCoreModule = (path: string) => {
    let m = modules.get(path);
    if (!m) {
      m = WebAssembly.compile(readFileSync(join(c.dir, path)));
      modules.set(path, m);
    }
    return m;
  };
  const instantiateCore = async (m: WebAssembly.Module, i?: WebAssembly.Imports) => {
    const instance = await WebAssembly.instantiate(m, i ?? {});
    onCoreInstance?.(instance);
    return instance;
  };
  return mod.instantiate(getCoreModule, imports, instantiateCore);
}
