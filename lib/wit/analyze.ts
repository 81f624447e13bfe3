// One call for the designer: WIT text (or a set of files) in, worlds, ports
// and per-port interfaces out, with every error.
import type { WitPort } from "../graph/types";
import type { Span, WitError } from "./errors";
import { checkWit, memoryWitFs } from "./loader";
import type { ResolvedInterface, ResolvedPackage, ResolvedWorld, WitModel } from "./model";
import { worldPorts } from "./ports";

export interface AnalyzeOptions {
  /**
   * Interfaces of packages not supplied (e.g. `wasi:*` imported by a
   * component's WIT) are kept as opaque, name-and-version-only interfaces
   * instead of being errors. Default true: a component's world usually
   * names WASI interfaces without carrying their definitions.
   */
  opaqueUnknownPackages?: boolean;
  /** `@unstable` features to include (default none, as in wit-parser); `"all"` for every one. */
  features?: string[] | "all";
}

/**
 * Resolved types share definition objects (a record used twice is one object),
 * so the result is cheap in memory but must not be JSON-serialized wholesale:
 * persist the WIT text and analyze again. `summarizeModel` gives a compact,
 * serializable view.
 */
export interface WitAnalysis {
  ok: boolean;
  errors: WitError[];
  /** Worlds of the root package. */
  worlds: ResolvedWorld[];
  /** The world whose ports are listed (the named one, or the only one). */
  world?: ResolvedWorld;
  /** Ports of that world. */
  ports: WitPort[];
  /** The interface carried by each port, by port id (for `checkInterfaceCompat`). */
  interfaces: Record<string, ResolvedInterface>;
  /** The root package (interfaces and worlds the user wrote). */
  package?: ResolvedPackage;
  model: WitModel;
}

function noSpan(file: string): Span {
  return { file, start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
}

/**
 * Parse and resolve WIT and list the ports of a world.
 * - `source` as a string is one file (`input.wit`): the root package, with any
 *   dependencies as nested `package … { }` blocks (what `componentWit` prints).
 * - `source` as `{ path: text }` is a package folder: `*.wit` at the top are the
 *   root package, `deps/<x>.wit` and `deps/<x>/*.wit` are dependencies.
 * - `world`: a world name in the root package, or `ns:pkg/world`; when absent
 *   the root package's only world is used (none → no ports, several → error).
 */
export function analyzeWit(source: string | Record<string, string>, world?: string, options: AnalyzeOptions = {}): WitAnalysis {
  const files = typeof source === "string" ? { "input.wit": source } : source;
  const fs = memoryWitFs(files);
  const rootPath = typeof source === "string" ? "input.wit" : "";
  const checked = checkWit(fs, rootPath, { opaqueUnknownPackages: options.opaqueUnknownPackages ?? true, features: options.features });
  const errors = [...checked.errors];
  const pkg = checked.model.packages.find((p) => p.name === checked.model.root);
  const worlds = pkg?.worlds ?? [];
  const selected = selectWorld(checked.model, world);
  let chosen: ResolvedWorld | undefined;
  if (selected.ok) chosen = selected.world;
  else if (selected.error) errors.push({ kind: "missing-world", message: selected.error, span: pkg?.span ?? noSpan(rootPath || "input.wit") });
  const ports: WitPort[] = [];
  const interfaces: Record<string, ResolvedInterface> = {};
  if (chosen) {
    for (const p of worldPorts(chosen)) {
      ports.push(p.port);
      interfaces[p.port.id] = p.interface;
    }
  }
  return { ok: errors.length === 0, errors, worlds, world: chosen, ports, interfaces, package: pkg, model: checked.model };
}

/**
 * World selection as the WIT spec describes it: no name → the root package's
 * only world; a plain name → that world of the root package; `ns:pkg/world`
 * (optionally `@version`) → that world in any loaded package.
 * `ok: true` without a world means the root package has no worlds at all.
 */
export function selectWorld(model: WitModel, name?: string): { ok: true; world?: ResolvedWorld } | { ok: false; error: string } {
  const root = model.packages.find((p) => p.name === model.root);
  if (name === undefined) {
    if (!root || root.worlds.length === 0) return { ok: true };
    if (root.worlds.length === 1) return { ok: true, world: root.worlds[0] };
    return { ok: false, error: `package \`${root.name}\` has several worlds (${root.worlds.map((w) => w.name).join(", ")}); choose one` };
  }
  const m = /^([^:/@]+):([^:/@]+)\/([^:/@]+)(?:@(.+))?$/.exec(name);
  if (m) {
    const [, ns, pkg, w, version] = m;
    const found = model.packages
      .filter((p) => p.namespace === ns && p.package === pkg && (version === undefined || p.version === version))
      .flatMap((p) => p.worlds.filter((x) => x.name === w));
    if (found.length === 1) return { ok: true, world: found[0] };
    if (found.length > 1) return { ok: false, error: `world \`${name}\` is ambiguous; add @version` };
    return { ok: false, error: `world \`${name}\` not found` };
  }
  const world = root?.worlds.find((w) => w.name === name);
  if (world) return { ok: true, world };
  return { ok: false, error: `world \`${name}\` not found in package \`${root?.name ?? "(none)"}\`` };
}
