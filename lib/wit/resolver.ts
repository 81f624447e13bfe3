// Name resolution across the files of a package and its dependencies. Pure:
// it takes parsed files and returns a model plus every error it found.
import type {
  FuncType, Gate, Ident, InterfaceDecl, InterfaceItem, TopItem, TypeDefItem, TypeExpr, UseItem, UsePath,
  WitFile, WorldDecl,
} from "./ast";
import type { Span, WitError, WitErrorKind } from "./errors";
import {
  packageKey, typeToString, type ResolvedFunction, type ResolvedInterface,
  type ResolvedPackage, type ResolvedWorld, type ResourceDef, type TypeEntry, type WitModel,
  type WitType, type WorldEntry,
} from "./model";
import { compareSemver, parseSemver } from "./compat";
import { cycleEdges, type DepEdge } from "./toposort";

export interface ParsedFile {
  file: string;
  ast: WitFile;
}

/** The root package's files plus dependency groups (each a `deps/<x>` folder or file). */
export interface WitSources {
  root: ParsedFile[];
  deps?: ParsedFile[][];
}

export interface ResolveOptions {
  /**
   * Treat interfaces of packages that were not supplied as opaque (known by
   * name and version only) instead of reporting `unknown-package`. For
   * editors and the designer, where a component's WIT imports e.g. `wasi:*`
   * without shipping those packages.
   */
  opaqueUnknownPackages?: boolean;
  /**
   * Features whose `@unstable(feature = …)` items are included. As in
   * wit-parser, unstable items are left out by default; `"all"` keeps every one.
   */
  features?: string[] | "all";
}

export interface ResolveResult {
  model: WitModel;
  errors: WitError[];
}

interface FileScope {
  /** Top-level `use` names of one file (or nested package block). */
  uses: Map<string, { path: UsePath; span: Span }>;
}

interface Unit {
  key: string;
  namespace: string;
  pkg: string;
  version?: string;
  interfaces: Map<string, { decl: InterfaceDecl; scope: FileScope }>;
  worlds: Map<string, { decl: WorldDecl; scope: FileScope }>;
  items: TopItem[];
  /** Items per file (or nested package block) with that file's top-level `use` scope. */
  files: { items: TopItem[]; scope: FileScope }[];
  docs?: string;
  span: Span;
}

type Slot =
  | { kind: "type"; name: string; item?: TypeDefItem; entry?: TypeEntry; state: "pending" | "visiting" | "done"; span: Span }
  | { kind: "func"; name: string; span: Span }
  /** Left out by an inactive `@unstable` feature: references to it are `gated-out` errors. */
  | { kind: "excluded"; name: string; feature: string; span: Span };

const MAP_KEYS = new Set(["bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "char", "string"]);

/**
 * How deep resolution may nest (a `use` of an interface that `use`s another, an `include` of a world that
 * includes another, a type defined by a type defined later, and so on). Real packages stay in the tens; the
 * cap turns a hostile chain into a `too-deep` error instead of a stack overflow, the same on every engine.
 */
export const MAX_RESOLVE_DEPTH = 200;

/** Thrown at the depth cap and caught by resolveWit (the model of such input would be partial anyway). */
class TooDeep {
  constructor(readonly span: Span) {}
}

export function resolveWit(sources: WitSources, options: ResolveOptions = {}): ResolveResult {
  const resolver = new Resolver(options);
  try {
    return resolver.run(sources);
  } catch (e) {
    if (!(e instanceof TooDeep)) throw e;
    return resolver.tooDeep(e.span);
  }
}

class Resolver {
  private errors: WitError[] = [];
  private units = new Map<string, Unit>();
  private unitOrder: Unit[] = [];
  private ifaceState = new Map<InterfaceDecl, ResolvedInterface | "visiting">();
  private worldState = new Map<WorldDecl, ResolvedWorld | "visiting">();
  /** Direct `use` dependencies, for world elaboration. */
  private deps = new WeakMap<object, ResolvedInterface[]>();
  private rootKey?: string;
  private opaque = new Map<string, ResolvedInterface>();
  constructor(private readonly options: ResolveOptions) {}

  private error(kind: WitErrorKind, message: string, span: Span): void {
    this.errors.push({ kind, message, span });
  }

  private depth = 0;
  /** Runs one nested resolution step under the depth cap. */
  private nested<T>(span: Span, step: () => T): T {
    if (this.depth >= MAX_RESOLVE_DEPTH) throw new TooDeep(span);
    this.depth++;
    try {
      return step();
    } finally {
      this.depth--;
    }
  }

  /** The answer once the depth cap was hit: the errors found so far, then the cap, and no model. */
  tooDeep(span: Span): ResolveResult {
    this.error("too-deep",
      `definitions nest more than ${MAX_RESOLVE_DEPTH} levels deep (a chain of \`use\`s, \`include\`s, packages or type references); resolution stops here`,
      span);
    return { model: { root: this.rootKey, packages: [] }, errors: this.dedupedErrors() };
  }

  private dedupedErrors(): WitError[] {
    // Eager checks and lazy lookups can trip over the same mistake; report it once.
    const seen = new Set<string>();
    return this.errors.filter((e) => {
      const k = `${e.kind}\0${e.span.file}\0${e.span.start.offset}\0${e.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  run(sources: WitSources): ResolveResult {
    const prune = (f: ParsedFile): ParsedFile => ({ file: f.file, ast: { ...f.ast, items: this.pruneTop(f.ast.items) } });
    const rootFiles = [...sources.root].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)).map(prune);
    this.rootKey = this.addGroup(rootFiles, true);
    for (const group of sources.deps ?? []) {
      this.addGroup([...group].sort((a, b) => (a.file < b.file ? -1 : 1)).map(prune), false);
    }
    this.checkPackageCycles();
    for (const unit of this.unitOrder) this.checkItemCycles(unit);
    const packages: ResolvedPackage[] = [];
    for (const unit of this.unitOrder) {
      const pkg: ResolvedPackage = {
        name: unit.key, namespace: unit.namespace, package: unit.pkg, version: unit.version,
        interfaces: [], worlds: [], docs: unit.docs, span: unit.span,
      };
      for (const { decl, scope } of unit.interfaces.values()) {
        const r = this.resolveInterface(decl, unit, scope, decl.name.span);
        if (r) pkg.interfaces.push(r);
      }
      for (const { decl, scope } of unit.worlds.values()) {
        const w = this.resolveWorld(decl, unit, scope, decl.name.span);
        if (w) pkg.worlds.push(w);
      }
      this.checkPackageGates(unit);
      packages.push(pkg);
    }
    return { model: { root: this.rootKey, packages }, errors: this.dedupedErrors() };
  }

  // ---------- feature gates ----------
  /** Names left out because of an inactive `@unstable` feature, for better "unknown name" messages. */
  private excluded = new Map<string, string>();

  /** Validates an item's gates (every item passes here once) and says whether it is included. */
  private active(gates: Gate[], name?: string): boolean {
    this.checkGates(gates);
    const g = gates.find((x): x is Extract<Gate, { kind: "unstable" }> => x.kind === "unstable");
    if (!g) return true;
    const f = this.options.features;
    const on = f === "all" || (Array.isArray(f) && f.includes(g.feature));
    if (!on && name) this.excluded.set(name, g.feature);
    return on;
  }

  private gateHint(name: string): string {
    const f = this.excluded.get(name);
    return f ? ` (it is gated by \`@unstable(feature = ${f})\`, which is not enabled)` : "";
  }

  /** Type names left out of a (pruned) interface or world body, with their feature. */
  private excludedOf = new WeakMap<object, Map<string, string>>();
  /** The same for resolved interfaces, for `use` from them. */
  private excludedTypes = new WeakMap<ResolvedInterface, Map<string, string>>();

  private feature(gates: Gate[]): string | undefined {
    return gates.find((x): x is Extract<Gate, { kind: "unstable" }> => x.kind === "unstable")?.feature;
  }

  /**
   * An item left out takes its parts with it, but parts that are not gated
   * themselves still refer to it: wit-parser refuses them (functions of a gated
   * resource, types of a gated interface or world).
   */
  private orphans(what: string, owner: string, feature: string, parts: { gates: Gate[]; span: Span; name: string }[]): void {
    for (const p of parts) {
      if (!this.active(p.gates)) continue;
      this.error("gated-out",
        `${what} \`${p.name}\` is not gated, but ${owner} is left out (\`@unstable(feature = ${feature})\` is not enabled); gate it too`,
        p.span);
    }
  }

  private typeParts(items: (InterfaceItem | WorldDecl["items"][number])[]): { gates: Gate[]; span: Span; name: string }[] {
    const out: { gates: Gate[]; span: Span; name: string }[] = [];
    for (const i of items) {
      if (i.kind === "use") for (const n of i.names) out.push({ gates: i.gates, span: (n.as ?? n.name).span, name: (n.as ?? n.name).name });
      else if (i.kind !== "func" && i.kind !== "import" && i.kind !== "export" && i.kind !== "include") {
        const t = i as TypeDefItem;
        out.push({ gates: t.gates, span: t.name.span, name: t.name.name });
      }
    }
    return out;
  }

  private pruneResource(r: Extract<TypeDefItem, { kind: "resource" }>): TypeDefItem {
    return r.funcs ? { ...r, funcs: r.funcs.filter((f) => this.active(f.gates, f.name.name)) } : r;
  }

  private pruneIface(items: InterfaceItem[]): InterfaceItem[] {
    const out: InterfaceItem[] = [];
    const excluded = new Map<string, string>();
    for (const i of items) {
      if (!this.active(i.gates, i.kind === "use" ? undefined : i.name.name)) {
        const feature = this.feature(i.gates)!;
        if (i.kind === "use") for (const n of i.names) excluded.set((n.as ?? n.name).name, feature);
        else if (i.kind !== "func") excluded.set(i.name.name, feature);
        if (i.kind === "resource") {
          this.orphans("function", `its resource \`${i.name.name}\``, feature,
            (i.funcs ?? []).map((f) => ({ gates: f.gates, span: f.name.span, name: f.name.name })));
        }
        continue;
      }
      out.push(i.kind === "resource" ? this.pruneResource(i) : i);
    }
    this.excludedOf.set(out, excluded);
    return out;
  }

  private pruneTop(items: TopItem[]): TopItem[] {
    const out: TopItem[] = [];
    for (const i of items) {
      if (i.kind === "package") {
        out.push({ ...i, items: this.pruneTop(i.items) });
      } else if (i.kind === "interface") {
        if (this.active(i.gates, i.name.name)) out.push({ ...i, items: this.pruneIface(i.items) });
        else this.orphans("type", `its interface \`${i.name.name}\``, this.feature(i.gates)!, this.typeParts(i.items));
      } else if (i.kind === "world") {
        if (!this.active(i.gates, i.name.name)) {
          this.orphans("type", `its world \`${i.name.name}\``, this.feature(i.gates)!, this.typeParts(i.items));
          continue;
        }
        const witems: WorldDecl["items"] = [];
        const excluded = new Map<string, string>();
        for (const w of i.items) {
          const name = w.kind === "import" || w.kind === "export"
            ? (w.target.kind === "path" ? w.target.path.name.name : w.target.name.name)
            : w.kind === "include" || w.kind === "use" ? undefined : (w as TypeDefItem).name.name;
          if (!this.active(w.gates, name)) {
            const feature = this.feature(w.gates)!;
            if (w.kind === "use") for (const n of w.names) excluded.set((n.as ?? n.name).name, feature);
            else if (w.kind !== "import" && w.kind !== "export" && w.kind !== "include") {
              const t = w as TypeDefItem;
              excluded.set(t.name.name, feature);
              if (t.kind === "resource") {
                this.orphans("function", `its resource \`${t.name.name}\``, feature,
                  (t.funcs ?? []).map((f) => ({ gates: f.gates, span: f.name.span, name: f.name.name })));
              }
            }
            continue;
          }
          if ((w.kind === "import" || w.kind === "export") && w.target.kind === "interface") {
            witems.push({ ...w, target: { ...w.target, items: this.pruneIface(w.target.items) } });
          } else if (w.kind === "resource") {
            witems.push(this.pruneResource(w));
          } else witems.push(w);
        }
        this.excludedOf.set(witems, excluded);
        out.push({ ...i, items: witems });
      } else out.push(i);
    }
    return out;
  }

  // ---------- cycles ----------
  /** Set once a cycle is reported, so resolution does not report it again where it trips over it. */
  private cycleReported = false;

  /** Packages depending on each other through qualified paths (wit-parser's package toposort). */
  private checkPackageCycles(): void {
    const done = new Set<string>();
    const visiting = new Set<string>();
    const visit = (u: Unit): DepEdge | null => this.nested(u.span, () => visitIn(u));
    const visitIn = (u: Unit): DepEdge | null => {
      if (done.has(u.key)) return null;
      for (const dep of foreignDeps(u)) {
        if (visiting.has(dep.name)) return dep;
        visiting.add(dep.name);
        const du = this.units.get(dep.name);
        const found = du ? visit(du) : null;
        if (found) return found;
        visiting.delete(dep.name);
      }
      done.add(u.key);
      return null;
    };
    for (const u of [...this.unitOrder].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      const edge = visit(u);
      if (edge) {
        this.error("package-cycle",
          edge.name === u.key && foreignDeps(u).some((d) => d.name === u.key)
            ? `package \`${edge.name}\` depends on itself (inside a package, name its items without the package prefix)`
            : `package \`${edge.name}\` is part of a dependency cycle between packages`,
          edge.span);
        this.cycleReported = true;
        return;
      }
    }
  }

  /** Interfaces `use`-ing and worlds `include`-ing each other within one package. */
  private checkItemCycles(unit: Unit): void {
    const nodes = new Map<string, DepEdge[]>();
    for (const f of unit.files) {
      for (const item of f.items) {
        if ((item.kind === "interface" && unit.interfaces.get(item.name.name)?.decl === item) ||
            (item.kind === "world" && unit.worlds.get(item.name.name)?.decl === item)) nodes.set(item.name.name, []);
      }
    }
    this.checkToplevelUses(unit);
    for (const f of unit.files) {
      // What a local name means in this file: a declaration here, or a top-level `use` (foreign ones are not edges).
      const ns = new Map<string, Ident | null>();
      for (const item of f.items) {
        if (item.kind === "toplevel-use") ns.set((item.as ?? item.path.name).name, item.path.kind === "local" ? item.path.name : null);
        else if (item.kind === "interface" || item.kind === "world") ns.set(item.name.name, item.name);
      }
      const edge = (from: Ident, path: UsePath) => {
        if (path.kind !== "local" || !nodes.has(from.name)) return;
        const local = ns.get(path.name.name);
        if (local === null) return;
        const target = local ?? path.name;
        nodes.get(from.name)!.push({ name: target.name, span: target.span });
      };
      for (const item of f.items) {
        if (item.kind === "interface") for (const i of item.items) if (i.kind === "use") edge(item.name, i.path);
        if (item.kind === "world") for (const i of item.items) if (i.kind === "include") edge(item.name, i.path);
      }
    }
    for (const cycle of cycleEdges(nodes)) {
      const isWorld = unit.worlds.has(cycle.name);
      this.error(isWorld ? "include-cycle" : "use-cycle", `interface or world \`${cycle.name}\` depends on itself`, cycle.span);
      this.cycleReported = true;
    }
  }

  /** A top-level `use` must name something that exists, even if nothing refers to it (wit-parser checks eagerly). */
  private checkToplevelUses(unit: Unit): void {
    for (const f of unit.files) {
      for (const item of f.items) {
        if (item.kind !== "toplevel-use") continue;
        const p = item.path;
        if (p.kind === "local") {
          if (!unit.interfaces.has(p.name.name) && !unit.worlds.has(p.name.name)) {
            this.error("unknown-interface",
              `interface or world \`${p.name.name}\` does not exist in package \`${unit.key}\` (a top-level \`use\` of another file is not visible here)`,
              p.name.span);
          }
          continue;
        }
        // Foreign: a top-level `use` always names an interface.
        const key = packageKey(p.namespace.name, p.package.name, p.version);
        const target = this.units.get(key);
        if (!target) {
          if (!this.options.opaqueUnknownPackages) this.findUnit(p);
          continue;
        }
        this.foreignUseNames.add(`${key}/${p.name.name}`);
        if (!target.interfaces.has(p.name.name)) {
          this.error("unknown-interface",
            `interface \`${p.name.name}\` not found in package \`${key}\`${target.worlds.has(p.name.name) ? " (it is a world; a top-level `use` names an interface)" : ""}`,
            p.name.span);
        }
      }
    }
  }

  /** `ns:pkg/name@v` brought in by top-level `use`s: taken as interfaces, so they cannot be included as worlds. */
  private foreignUseNames = new Set<string>();

  // ---------- packages ----------
  private addGroup(files: ParsedFile[], isRoot: boolean): string | undefined {
    let header: { namespace: string; pkg: string; version?: string; span: Span; docs?: string } | undefined;
    for (const f of files) {
      const h = f.ast.package;
      if (!h) continue;
      const cur = { namespace: h.namespace.name, pkg: h.name.name, version: h.version, span: h.span, docs: h.docs };
      if (cur.docs && header?.docs && h.docsSpan) {
        this.error("package-mismatch", "doc comments on more than one `package` header of this package (document it in one file)", h.docsSpan);
      }
      if (!header) header = cur;
      else if (packageKey(cur.namespace, cur.pkg, cur.version) !== packageKey(header.namespace, header.pkg, header.version)) {
        this.error("package-mismatch",
          `package identifier \`${packageKey(cur.namespace, cur.pkg, cur.version)}\` does not match previous package name of \`${packageKey(header.namespace, header.pkg, header.version)}\``,
          cur.span);
      } else if (cur.docs && !header.docs) header.docs = cur.docs;
    }
    let mainUnit: Unit | undefined;
    const hasTopItems = files.some((f) => f.ast.items.some((i) => i.kind !== "package"));
    if (header) {
      mainUnit = this.newUnit(header.namespace, header.pkg, header.version, header.span, header.docs);
    } else if (hasTopItems || (isRoot && files.length && !files.some((f) => f.ast.items.length))) {
      const f = files.find((x) => x.ast.items.some((i) => i.kind !== "package")) ?? files[0];
      const first = f.ast.items.find((i) => i.kind !== "package");
      this.error("missing-package", "no `package` header was found in any WIT file for this package",
        first?.span ?? { file: f.file, start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } });
    }
    const nested: { items: TopItem[]; name: { namespace: string; pkg: string; version?: string; span: Span; docs?: string } }[] = [];
    for (const f of files) {
      const scope: FileScope = { uses: new Map() };
      this.collectItems(mainUnit, f.ast.items, scope, (np) => nested.push(np), true);
    }
    if (mainUnit) this.registerUnit(mainUnit);
    for (const n of nested) {
      const unit = this.newUnit(n.name.namespace, n.name.pkg, n.name.version, n.name.span, n.name.docs);
      this.collectItems(unit, n.items, { uses: new Map() }, () => undefined, false);
      this.registerUnit(unit);
    }
    return mainUnit?.key;
  }

  private newUnit(namespace: string, pkg: string, version: string | undefined, span: Span, docs?: string): Unit {
    return { key: packageKey(namespace, pkg, version), namespace, pkg, version, interfaces: new Map(), worlds: new Map(), items: [], files: [], docs, span };
  }

  private registerUnit(unit: Unit): void {
    const prev = this.units.get(unit.key);
    if (prev) {
      // Even identical copies: wit-parser refuses a package defined in two places.
      const at = `${prev.span.file}:${prev.span.start.line}:${prev.span.start.column}`;
      this.error("duplicate-package", `package \`${unit.key}\` is defined in two places (first at ${at})`, unit.span);
      return;
    }
    this.units.set(unit.key, unit);
    this.unitOrder.push(unit);
  }

  private collectItems(
    unit: Unit | undefined,
    items: TopItem[],
    scope: FileScope,
    onNested: (n: { items: TopItem[]; name: { namespace: string; pkg: string; version?: string; span: Span; docs?: string } }) => void,
    nestedAllowed: boolean,
  ): void {
    const fileNames = new Map<string, Span>();
    const fileItems: TopItem[] = [];
    if (unit) unit.files.push({ items: fileItems, scope });
    for (const item of items) {
      if (item.kind === "package") {
        if (!nestedAllowed) {
          this.error("syntax", "nested packages must be placed at the top-level", item.name.span);
          continue;
        }
        onNested({ items: item.items, name: { namespace: item.name.namespace.name, pkg: item.name.name.name, version: item.name.version, span: item.name.span, docs: item.docs } });
        continue;
      }
      if (!unit) continue;
      unit.items.push(item);
      fileItems.push(item);
      if (item.kind === "toplevel-use") {
        const local = item.as ?? item.path.name;
        if (fileNames.has(local.name)) {
          this.error("duplicate-name", `duplicate name \`${local.name}\` in this file`, local.span);
          continue;
        }
        fileNames.set(local.name, local.span);
        scope.uses.set(local.name, { path: item.path, span: local.span });
        continue;
      }
      const name = item.name.name;
      if (unit.interfaces.has(name) || unit.worlds.has(name)) {
        this.error("duplicate-name", `duplicate item named \`${name}\``, item.name.span);
        continue;
      }
      if (fileNames.has(name)) {
        this.error("duplicate-name", `duplicate name \`${name}\` in this file`, item.name.span);
        continue;
      }
      fileNames.set(name, item.name.span);
      if (item.kind === "interface") unit.interfaces.set(name, { decl: item, scope });
      else unit.worlds.set(name, { decl: item, scope });
    }
  }

  private findUnit(path: Extract<UsePath, { kind: "qualified" }>): Unit | undefined {
    const ns = path.namespace.name;
    const pkg = path.package.name;
    // Versions must match exactly (as wit-parser does): `a:b/c` names the unversioned `a:b` only.
    const u = this.units.get(packageKey(ns, pkg, path.version));
    if (u) return u;
    const others = this.unitOrder.filter((x) => x.namespace === ns && x.pkg === pkg).map((x) => x.key);
    this.error("unknown-package",
      `package \`${packageKey(ns, pkg, path.version)}\` not found${others.length ? ` (available: ${others.join(", ")})` : ""}`,
      path.span);
    return undefined;
  }

  /** Resolve a path naming an interface (`want: interface`) or a world. */
  private lookup(path: UsePath, unit: Unit, scope: FileScope | undefined, want: "interface" | "world"):
    | { unit: Unit; iface?: { decl: InterfaceDecl; scope: FileScope }; world?: { decl: WorldDecl; scope: FileScope } }
    | undefined {
    let target = unit;
    let name = path.name.name;
    if (path.kind === "local") {
      const viaUse = scope?.uses.get(name);
      if (viaUse) {
        if (viaUse.path.kind === "qualified") {
          const u = this.findUnit(viaUse.path);
          if (!u) return undefined;
          target = u;
        }
        name = viaUse.path.name.name;
      }
    } else {
      const u = this.findUnit(path);
      if (!u) return undefined;
      target = u;
    }
    const iface = target.interfaces.get(name);
    const world = target.worlds.get(name);
    // wit-parser resolves a foreign path against the other package's interfaces (or worlds) only.
    const foreign = target !== unit;
    if (want === "interface") {
      if (iface) return { unit: target, iface };
      if (world && !foreign) {
        this.error("wrong-item-kind", `name \`${name}\` is defined as a world, not an interface`, path.name.span);
        return undefined;
      }
      if (this.excluded.has(name)) this.error("gated-out", `interface \`${name}\` is left out${this.gateHint(name)}`, path.name.span);
      else this.error("unknown-interface", `interface \`${name}\` does not exist in package \`${target.key}\`${world ? " (it is a world)" : ""}`, path.name.span);
      return undefined;
    }
    const viaForeignUse = foreign && this.foreignUseNames.has(`${target.key}/${name}`);
    if (world && !viaForeignUse) return { unit: target, world };
    if ((iface && !foreign) || viaForeignUse) {
      this.error("wrong-item-kind", `name \`${name}\` is defined as an interface, not a world${viaForeignUse ? " (a top-level `use` names an interface)" : ""}`, path.name.span);
      return undefined;
    }
    if (this.excluded.has(name)) this.error("gated-out", `world \`${name}\` is left out${this.gateHint(name)}`, path.name.span);
    else this.error("unknown-world", `world \`${name}\` does not exist in package \`${target.key}\`${iface ? " (it is an interface)" : ""}`, path.name.span);
    return undefined;
  }

  private interfaceAt(path: UsePath, unit: Unit, scope: FileScope | undefined): ResolvedInterface | undefined {
    const opaque = this.opaqueInterface(path, scope);
    if (opaque) return opaque;
    const found = this.lookup(path, unit, scope, "interface");
    if (!found?.iface) return undefined;
    return this.resolveInterface(found.iface.decl, found.unit, found.iface.scope, path.span);
  }

  /** With `opaqueUnknownPackages`, a stand-in for an interface of a package nobody supplied. */
  private opaqueInterface(path: UsePath, scope: FileScope | undefined): ResolvedInterface | undefined {
    if (!this.options.opaqueUnknownPackages) return undefined;
    let p = path;
    if (p.kind === "local") {
      const viaUse = scope?.uses.get(p.name.name);
      if (!viaUse) return undefined;
      p = viaUse.path;
    }
    if (p.kind !== "qualified") return undefined;
    const ns = p.namespace.name;
    const pkg = p.package.name;
    if (this.units.has(packageKey(ns, pkg, p.version))) return undefined;
    const id = `${ns}:${pkg}/${p.name.name}`;
    const qualifiedName = p.version ? `${id}@${p.version}` : id;
    let r = this.opaque.get(qualifiedName);
    if (!r) {
      r = {
        name: p.name.name, package: packageKey(ns, pkg, p.version), id, qualifiedName, version: p.version,
        inline: false, opaque: true, types: [], functions: [], uses: [], gates: [], span: p.span,
      };
      this.opaque.set(qualifiedName, r);
    }
    return r;
  }

  // ---------- interfaces ----------
  private resolveInterface(decl: InterfaceDecl, unit: Unit, scope: FileScope, refSpan: Span): ResolvedInterface | undefined {
    return this.nested(refSpan, () => this.resolveInterfaceIn(decl, unit, scope, refSpan));
  }

  private resolveInterfaceIn(decl: InterfaceDecl, unit: Unit, scope: FileScope, refSpan: Span): ResolvedInterface | undefined {
    const state = this.ifaceState.get(decl);
    if (state === "visiting") {
      if (!this.cycleReported) this.error("use-cycle", `interface \`${decl.name.name}\` depends on itself through \`use\``, refSpan);
      return undefined;
    }
    if (state) return state;
    this.ifaceState.set(decl, "visiting");
    const id = `${unit.namespace}:${unit.pkg}/${decl.name.name}`;
    const qualifiedName = unit.version ? `${id}@${unit.version}` : id;
    const body = this.resolveBody(decl.items, unit, scope, qualifiedName);
    const r: ResolvedInterface = {
      name: decl.name.name, package: unit.key, id, qualifiedName, version: unit.version, inline: false,
      types: body.types, functions: body.functions, uses: body.deps.map((d) => d.qualifiedName),
      docs: decl.docs, gates: decl.gates, span: decl.span,
    };
    this.deps.set(r, body.deps);
    const excluded = this.excludedOf.get(decl.items);
    if (excluded?.size) this.excludedTypes.set(r, excluded);
    this.ifaceState.set(decl, r);
    return r;
  }

  /** Resolve `use`s, type definitions and functions of an interface body (or world scope). */
  private resolveBody(items: InterfaceItem[], unit: Unit, fileScope: FileScope, owner: string, excluded = this.excludedOf.get(items)) {
    const slots = new Map<string, Slot>();
    const deps: ResolvedInterface[] = [];
    const addSlot = (slot: Slot) => {
      const k = slot.name.toLowerCase();
      if (slots.has(k)) {
        this.error("duplicate-name", `name \`${slot.name}\` is defined more than once`, slot.span);
        return false;
      }
      slots.set(k, slot);
      return true;
    };
    for (const item of items) {
      if (item.kind !== "use") continue;
      const target = this.interfaceAt(item.path, unit, fileScope);
      // `use x.{}` names nothing, so it creates no dependency.
      if (target && item.names.length && !deps.includes(target)) deps.push(target);
      for (const n of item.names) {
        const local = n.as ?? n.name;
        let entry: TypeEntry | undefined;
        if (target) {
          const src = target.types.find((t) => t.name === n.name.name);
          if (!src && target.opaque) {
            entry = { name: local.name, origin: "use", type: { kind: "unknown", name: n.name.name }, from: target.qualifiedName, fromName: n.name.name, gates: item.gates, span: local.span };
          } else if (!src) {
            const feature = this.excludedTypes.get(target)?.get(n.name.name);
            const isFunc = target.functions.some((f) => f.name === n.name.name && f.kind === "freestanding");
            if (feature) {
              this.error("gated-out", `type \`${n.name.name}\` of interface \`${target.qualifiedName}\` is left out (\`@unstable(feature = ${feature})\` is not enabled)`, n.name.span);
            } else if (isFunc && target.package === unit.key) {
              this.error("wrong-item-kind", `cannot import function \`${n.name.name}\``, n.name.span);
            } else if (isFunc) {
              // wit-parser only sees a foreign interface's types, so a function there "is not defined".
              this.error("unknown-type", `type \`${n.name.name}\` not defined in interface \`${target.qualifiedName}\` (it is a function)`, n.name.span);
            } else {
              this.error("unknown-type", `type \`${n.name.name}\` not defined in interface \`${target.qualifiedName}\`${this.gateHint(n.name.name)}`, n.name.span);
            }
          } else {
            entry = { name: local.name, origin: "use", type: src.type, from: target.qualifiedName, fromName: n.name.name, docs: src.docs, gates: item.gates, span: local.span };
          }
        }
        entry ??= { name: local.name, origin: "use", type: { kind: "unknown", name: local.name }, gates: item.gates, span: local.span };
        addSlot({ kind: "type", name: local.name, entry, state: "done", span: local.span });
      }
    }
    for (const item of items) {
      if (item.kind === "use") continue;
      if (item.kind === "func") addSlot({ kind: "func", name: item.name.name, span: item.name.span });
      else addSlot({ kind: "type", name: item.name.name, item, state: "pending", span: item.name.span });
    }
    for (const [name, feature] of excluded ?? []) {
      if (!slots.has(name.toLowerCase())) slots.set(name.toLowerCase(), { kind: "excluded", name, feature, span: unit.span });
    }

    // One error per cycle, at the edge wit-parser names (the first on the cycle in declaration order).
    const typeDeps = new Map<string, DepEdge[]>();
    for (const slot of slots.values()) if (slot.kind === "type") typeDeps.set(slot.name, slot.item ? typeDefRefs(slot.item) : []);
    for (const cycle of cycleEdges(typeDeps)) this.error("type-cycle", `type \`${cycle.name}\` depends on itself`, cycle.span);

    const scope: TypeScope = { slots, owner, resolveSlot: (s) => this.resolveSlot(s, scope) };
    const types: TypeEntry[] = [];
    for (const slot of slots.values()) {
      if (slot.kind !== "type") continue;
      this.resolveSlot(slot, scope);
      if (slot.entry) types.push(slot.entry);
    }
    // Keep declaration order (slots are in insertion order: uses first, then items).
    const functions: ResolvedFunction[] = [];
    for (const item of items) {
      if (item.kind === "func") {
        functions.push(this.resolveFunc(item.name.name, item.func, scope, { kind: "freestanding", docs: item.docs, gates: item.gates, span: item.span, nameSpan: item.name.span }));
      } else if (item.kind === "resource" && item.funcs) {
        functions.push(...this.resourceFuncs(item, scope));
      }
    }
    return { types, functions, deps, scope };
  }

  private resolveSlot(slot: Slot, scope: TypeScope): TypeEntry | undefined {
    if (slot.kind !== "type") return undefined;
    if (slot.state === "done") return slot.entry;
    if (slot.state === "visiting") return undefined;
    const item = slot.item!;
    slot.state = "visiting";
    const outerSite = this.site;
    this.site = item.name.span;
    try {
      return this.nested(item.name.span, () => this.resolveSlotIn(slot, item, scope));
    } finally {
      this.site = outerSite;
    }
  }

  /** The item (type, field, function) being resolved: where a reference to a gated-out type is reported. */
  private site?: Span;

  private resolveSlotIn(slot: Extract<Slot, { kind: "type" }>, item: TypeDefItem, scope: TypeScope): TypeEntry | undefined {
    const base = { name: item.name.name, owner: scope.owner, docs: item.docs, gates: item.gates, span: item.span };
    let type: WitType | ResourceDef;
    switch (item.kind) {
      case "alias":
        type = this.typeOf(item.target, scope);
        break;
      case "record": {
        const seen = new Set<string>();
        type = {
          ...base, kind: "record",
          fields: item.fields.map((f) => {
            this.uniqueMember(seen, f.name.name, "field", f.name.span);
            this.site = f.name.span;
            return { name: f.name.name, type: this.typeOf(f.type, scope), docs: f.docs };
          }),
        };
        break;
      }
      case "variant": {
        if (item.cases.length === 0) this.error("empty-type", "empty variant", item.name.span);
        const seen = new Set<string>();
        type = {
          ...base, kind: "variant",
          cases: item.cases.map((c) => {
            this.uniqueMember(seen, c.name.name, "case", c.name.span);
            this.site = c.name.span;
            return { name: c.name.name, type: c.type ? this.typeOf(c.type, scope) : undefined, docs: c.docs };
          }),
        };
        break;
      }
      case "enum": {
        if (item.cases.length === 0) this.error("empty-type", "empty enum", item.name.span);
        const seen = new Set<string>();
        for (const c of item.cases) this.uniqueMember(seen, c.name.name, "case", c.name.span);
        type = { ...base, kind: "enum", cases: item.cases.map((c) => c.name.name) };
        break;
      }
      case "flags": {
        const seen = new Set<string>();
        for (const c of item.flags) this.uniqueMember(seen, c.name.name, "flag", c.name.span);
        type = { ...base, kind: "flags", flags: item.flags.map((c) => c.name.name) };
        break;
      }
      case "resource":
        type = { ...base, kind: "resource" };
        break;
    }
    slot.entry = {
      name: item.name.name, origin: item.kind === "alias" ? "alias" : "defined", type,
      docs: item.docs, gates: item.gates, span: item.span,
    };
    slot.state = "done";
    return slot.entry;
  }

  private uniqueMember(seen: Set<string>, name: string, what: string, span: Span): void {
    const k = name.toLowerCase();
    if (seen.has(k)) this.error("duplicate-name", `${what} \`${name}\` is defined more than once`, span);
    seen.add(k);
  }

  /** Look a type name up; resources become owned handles. */
  private named(name: string, span: Span, scope: TypeScope): WitType | ResourceDef {
    const slot = scope.slots.get(name.toLowerCase());
    if (!slot || slot.name !== name) {
      this.error("unknown-type", `name \`${name}\` is not defined${this.gateHint(name)}`, span);
      return { kind: "unknown", name };
    }
    if (slot.kind === "excluded") {
      this.error("gated-out",
        `type \`${name}\` is left out (\`@unstable(feature = ${slot.feature})\` is not enabled), so it cannot be used here; gate this item too`,
        this.site ?? span);
      return { kind: "unknown", name };
    }
    if (slot.kind === "func") {
      // wit-parser: inside a type definition only types are in scope; in a signature it names the mix-up.
      if (this.inSignature) this.error("wrong-item-kind", `cannot use function \`${name}\` as a type`, span);
      else this.error("unknown-type", `type \`${name}\` does not exist (\`${name}\` is a function)`, span);
      return { kind: "unknown", name };
    }
    // A cycle; reported once per scope by resolveBody.
    if (slot.state === "visiting") return { kind: "unknown", name };
    const entry = scope.resolveSlot(slot);
    return entry ? entry.type : { kind: "unknown", name };
  }

  private typeOf(t: TypeExpr, scope: TypeScope): WitType {
    switch (t.kind) {
      case "primitive": return { kind: "primitive", name: t.name };
      case "named": {
        const r = this.named(t.name.name, t.name.span, scope);
        return r.kind === "resource" ? { kind: "handle", handle: "own", resource: r } : r;
      }
      case "handle": {
        const r = this.named(t.resource.name, t.resource.span, scope);
        const handle = (resource: ResourceDef): WitType => {
          const h: WitType = { kind: "handle", handle: t.handle, resource };
          explicitHandles.add(h);
          return h;
        };
        if (r.kind === "resource") return handle(r);
        // `type t = r;` names the resource itself; `type t = own<r>;` is a handle, not a resource.
        if (r.kind === "handle" && !explicitHandles.has(r)) return handle(r.resource);
        if (r.kind !== "unknown") this.error("not-a-resource", `type \`${t.resource.name}\` used in a handle must be a resource`, t.resource.span);
        return { kind: "unknown", name: t.resource.name };
      }
      case "list": return { kind: "list", element: this.typeOf(t.element, scope), length: t.length };
      case "map": {
        const key = this.typeOf(t.key, scope);
        if (!(key.kind === "primitive" && MAP_KEYS.has(key.name)) && key.kind !== "unknown") {
          this.error("invalid-type", `invalid map key type \`${typeToString(key)}\`: map keys must be bool, integers, char or string`, t.span);
        }
        return { kind: "map", key, value: this.typeOf(t.value, scope) };
      }
      case "option": return { kind: "option", inner: this.typeOf(t.inner, scope) };
      case "result": return { kind: "result", ok: t.ok && this.typeOf(t.ok, scope), err: t.err && this.typeOf(t.err, scope) };
      case "tuple": return { kind: "tuple", elements: t.elements.map((e) => this.typeOf(e, scope)) };
      case "future":
      case "stream": return { kind: t.kind, inner: t.inner && this.typeOf(t.inner, scope) };
    }
  }

  private resolveFunc(
    name: string, f: FuncType, scope: TypeScope,
    meta: { kind: ResolvedFunction["kind"]; resource?: ResourceDef; docs?: string; gates: Gate[]; span: Span; nameSpan: Span },
  ): ResolvedFunction {
    // Type names in a signature that turn out to be functions get their own message (`typeContext`).
    const outer = this.inSignature;
    const outerSite = this.site;
    this.inSignature = true;
    this.site = meta.nameSpan;
    try {
      return this.resolveFuncIn(name, f, scope, meta);
    } finally {
      this.inSignature = outer;
      this.site = outerSite;
    }
  }

  private inSignature = false;

  private resolveFuncIn(
    name: string, f: FuncType, scope: TypeScope,
    meta: { kind: ResolvedFunction["kind"]; resource?: ResourceDef; docs?: string; gates: Gate[]; span: Span; nameSpan: Span },
  ): ResolvedFunction {
    const params: ResolvedFunction["params"] = [];
    const seen = new Set<string>();
    if (meta.kind === "method" && meta.resource) {
      params.push({ name: "self", type: { kind: "handle", handle: "borrow", resource: meta.resource } });
      seen.add("self");
    }
    for (const p of f.params) {
      const k = p.name.name.toLowerCase();
      if (seen.has(k)) this.error("duplicate-name", `param \`${p.name.name}\` is defined more than once`, p.name.span);
      seen.add(k);
      params.push({ name: p.name.name, type: this.typeOf(p.type, scope) });
    }
    let result = f.result && this.typeOf(f.result, scope);
    if (meta.kind === "constructor" && meta.resource) {
      const own: WitType = { kind: "handle", handle: "own", resource: meta.resource };
      if (!result) result = own;
      else if (result.kind !== "result") {
        this.error("invalid-constructor", "if a constructor return type is declared it must be a `result`", f.result!.span);
      } else if (!(result.ok?.kind === "handle" && result.ok.handle === "own" && result.ok.resource === meta.resource)) {
        const okExpr = f.result!.kind === "result" ? f.result!.ok : undefined;
        this.error("invalid-constructor", "the `ok` type must be the resource being constructed", (okExpr ?? f.result!).span);
      }
    }
    if (result && meta.kind !== "constructor" && containsBorrow(result)) {
      this.error("borrow-in-result", `function \`${name}\` returns a type which contains a \`borrow<T>\` which is not supported`, meta.nameSpan);
    }
    const r = meta.resource?.name;
    const canonicalName =
      meta.kind === "method" ? `[method]${r}.${name}` :
      meta.kind === "static" ? `[static]${r}.${name}` :
      meta.kind === "constructor" ? `[constructor]${r}` : name;
    return {
      name, kind: meta.kind, resource: r, canonicalName, async: f.async, params, result,
      docs: meta.docs, gates: meta.gates, span: meta.span,
    };
  }

  private resourceFuncs(item: Extract<TypeDefItem, { kind: "resource" }>, scope: TypeScope): ResolvedFunction[] {
    const slot = scope.slots.get(item.name.name.toLowerCase());
    const def = slot?.kind === "type" ? slot.entry?.type : undefined;
    if (!def || def.kind !== "resource" || slot?.kind !== "type" || slot.item !== item) return [];
    const out: ResolvedFunction[] = [];
    const seen = new Set<string>();
    let ctor = false;
    for (const f of item.funcs ?? []) {
      if (f.kind === "constructor") {
        if (ctor) this.error("duplicate-name", "duplicate constructors", f.name.span);
        ctor = true;
      } else {
        const k = f.name.name.toLowerCase();
        if (seen.has(k)) this.error("duplicate-name", `duplicate function name \`${f.name.name}\``, f.name.span);
        seen.add(k);
      }
      out.push(this.resolveFunc(f.name.name, f.func, scope, { kind: f.kind, resource: def, docs: f.docs, gates: f.gates, span: f.span, nameSpan: f.name.span }));
    }
    return out;
  }

  // ---------- gates ----------
  private checkGates(gates: Gate[]): void {
    const count = (k: Gate["kind"]) => gates.filter((g) => g.kind === k);
    for (const k of ["since", "unstable", "deprecated", "external-id"] as const) {
      const gs = count(k);
      if (gs.length > 1) this.error("invalid-gate", `cannot specify @${k} twice`, gs[1].span);
    }
    if (count("since").length && count("unstable").length) {
      this.error("invalid-gate", "cannot specify both @since and @unstable", count("unstable")[0].span);
    }
    if (count("deprecated").length && !count("since").length && !count("unstable").length) {
      this.error("invalid-gate", "cannot specify @deprecated without @since or @unstable", count("deprecated")[0].span);
    }
  }

  /**
   * `@since(version = v)` needs a versioned package, and `v` must not be newer
   * than the package (a gate cannot name an unreleased version). Reported at
   * the item's name, as wit-parser does.
   */
  private checkPackageGates(unit: Unit): void {
    let unversioned = false;
    for (const { gates, span } of gatedItems(unit.items)) {
      const since = gates.find((g): g is Extract<Gate, { kind: "since" }> => g.kind === "since");
      const versioned = since ?? gates.find((g) => g.kind === "deprecated");
      if (!versioned) continue;
      if (!unit.version) {
        if (!unversioned) {
          this.error("invalid-gate", `package \`${unit.key}\` contains a feature gate with a version specifier, so it must have a version`, span);
        }
        unversioned = true;
        continue;
      }
      const v = since && parseSemver(since.version);
      const pkg = parseSemver(unit.version);
      if (v && pkg && compareSemver(v, pkg) > 0) {
        this.error("invalid-gate",
          `\`@since(version = ${since.version})\` names a version newer than package \`${unit.key}\` (a gate cannot reference an unreleased version)`, span);
      }
    }
  }

  // ---------- worlds ----------
  private worldAt(path: UsePath, unit: Unit, scope: FileScope): ResolvedWorld | undefined {
    const found = this.lookup(path, unit, scope, "world");
    if (!found?.world) return undefined;
    return this.resolveWorld(found.world.decl, found.unit, found.world.scope, path.span);
  }

  private resolveWorld(decl: WorldDecl, unit: Unit, fileScope: FileScope, refSpan: Span): ResolvedWorld | undefined {
    return this.nested(refSpan, () => this.resolveWorldIn(decl, unit, fileScope, refSpan));
  }

  private resolveWorldIn(decl: WorldDecl, unit: Unit, fileScope: FileScope, refSpan: Span): ResolvedWorld | undefined {
    const state = this.worldState.get(decl);
    if (state === "visiting") {
      if (!this.cycleReported) this.error("include-cycle", `world \`${decl.name.name}\` includes itself`, refSpan);
      return undefined;
    }
    if (state) return state;
    this.worldState.set(decl, "visiting");
    const qualifiedName = `${unit.namespace}:${unit.pkg}/${decl.name.name}${unit.version ? `@${unit.version}` : ""}`;

    // World-level `use`s and type definitions form one type scope for world functions.
    const typeItems = decl.items.filter((i): i is UseItem | TypeDefItem => i.kind !== "import" && i.kind !== "export" && i.kind !== "include");
    const body = this.resolveBody(typeItems, unit, fileScope, qualifiedName, this.excludedOf.get(decl.items));
    const importNames = new Map<string, Span>();
    for (const t of body.types) importNames.set(t.name.toLowerCase(), t.span);

    const imports: WorldEntry[] = [];
    const exports: WorldEntry[] = [];
    const exportNames = new Map<string, Span>();
    const worldDeps: ResolvedInterface[] = [...body.deps];

    const add = (dir: "import" | "export", entry: WorldEntry, explicitSpan: Span): boolean => {
      const list = dir === "import" ? imports : exports;
      const names = dir === "import" ? importNames : exportNames;
      const k = entry.key.toLowerCase();
      if (names.has(k)) {
        const named = entry.kind === "interface" && !entry.plainName;
        this.error("duplicate-name",
          named ? `interface \`${entry.key}\` cannot be ${dir}ed more than once` : `${dir} \`${entry.key}\` conflicts with a prior ${dir} of the same name`,
          explicitSpan);
        return false;
      }
      names.set(k, explicitSpan);
      list.push(entry);
      return true;
    };

    // As wit-parser: the world's own imports and exports first, then what includes bring in.
    const includedTypes: TypeEntry[] = [];
    const ordered = [...decl.items.filter((i) => i.kind !== "include"), ...decl.items.filter((i) => i.kind === "include")];
    for (const item of ordered) {
      if (item.kind === "import" || item.kind === "export") {
        const t = item.target;
        let entry: WorldEntry | undefined;
        if (t.kind === "path" || t.kind === "named-path") {
          const iface = this.interfaceAt(t.path, unit, fileScope);
          if (iface) {
            entry = t.kind === "path"
              ? { kind: "interface", key: iface.qualifiedName, interface: iface, span: item.span }
              : { kind: "interface", key: t.name.name, plainName: t.name.name, interface: iface, span: item.span };
          }
        } else if (t.kind === "func") {
          const func = this.resolveFunc(t.name.name, t.func, body.scope, { kind: "freestanding", docs: item.docs, gates: item.gates, span: item.span, nameSpan: t.name.span });
          entry = { kind: "function", key: t.name.name, plainName: t.name.name, func, span: item.span };
        } else {
          const inlineOwner = `${qualifiedName}#${t.name.name}`;
          const b = this.resolveBody(t.items, unit, fileScope, inlineOwner);
          const iface: ResolvedInterface = {
            name: t.name.name, id: t.name.name, qualifiedName: t.name.name, inline: true,
            types: b.types, functions: b.functions, uses: b.deps.map((d) => d.qualifiedName),
            docs: item.docs, gates: item.gates, span: item.span,
          };
          this.deps.set(iface, b.deps);
          entry = { kind: "interface", key: t.name.name, plainName: t.name.name, interface: iface, span: item.span };
        }
        if (entry) add(item.kind, entry, t.kind === "path" ? t.path.span : t.name.span);
      } else if (item.kind === "include") {
        const inc = this.worldAt(item.path, unit, fileScope);
        if (!inc) continue;
        const renames = new Map(item.with.map((w) => [w.name.name, w]));
        const used = new Set<string>();
        const shadows = (dir: string, name: string) => this.error("include-conflict",
          `${dir} of \`${name}\` from world \`${inc.qualifiedName}\` conflicts with an existing ${dir}; rename it with \`include ... with { ${name} as <new-name> }\``,
          item.path.span);
        // World types (resources too) are named imports and can be renamed like them.
        for (const t of inc.types) {
          const rename = renames.get(t.name);
          if (rename) used.add(t.name);
          const newName = rename ? rename.as.name : t.name;
          const same = [...body.types, ...includedTypes].find((x) => x.name.toLowerCase() === newName.toLowerCase());
          if (same && same.type === t.type) continue;
          if (importNames.has(newName.toLowerCase())) {
            shadows("import", newName);
            continue;
          }
          importNames.set(newName.toLowerCase(), item.path.span);
          includedTypes.push({ ...t, name: newName });
        }
        for (const [dir, list] of [["import", inc.imports], ["export", inc.exports]] as const) {
          for (const e of list) {
            const names = dir === "import" ? importNames : exportNames;
            if (e.plainName === undefined) {
              // Named interfaces are de-duplicated across includes.
              if (!names.has(e.key.toLowerCase())) add(dir, { ...e }, item.span);
              continue;
            }
            const rename = renames.get(e.plainName);
            if (rename) used.add(e.plainName);
            const newName = rename ? rename.as.name : e.plainName;
            if (names.has(newName.toLowerCase())) {
              shadows(dir, newName);
              continue;
            }
            const copy: WorldEntry = e.kind === "function"
              ? { ...e, key: newName, plainName: newName }
              : { ...e, key: newName, plainName: newName };
            add(dir, copy, item.span);
          }
        }
        for (const w of item.with) {
          if (!used.has(w.name.name)) {
            this.error("unknown-name",
              `\`with\` name \`${w.name.name}\` is not a plain-named import, export or type of world \`${inc.qualifiedName}\` (interfaces named by id cannot be renamed)`,
              item.path.span);
          }
        }
      }
    }

    this.checkExportDeps(decl, exports);
    const world: ResolvedWorld = {
      name: decl.name.name, package: unit.key, qualifiedName,
      imports: this.elaborate(imports, exports, worldDeps), exports,
      types: [...body.types, ...includedTypes], docs: decl.docs, gates: decl.gates, span: decl.span,
    };
    this.worldState.set(decl, world);
    return world;
  }

  /**
   * An exported interface's dependencies are satisfied by exports where they
   * are exported, else by (implicit) imports — but never by both: an export
   * that needs an interface through an import, which is itself exported,
   * would see two copies of it (component-model#208; wit-parser refuses it).
   */
  private checkExportDeps(decl: WorldDecl, exports: WorldEntry[]): void {
    const exportedNamed = new Set<ResolvedInterface>();
    for (const e of exports) if (e.kind === "interface" && !e.plainName) exportedNamed.add(e.interface);
    const added = new Set<ResolvedInterface | string>();
    const required = new Set<ResolvedInterface>();
    const add = (key: ResolvedInterface | string, iface: ResolvedInterface, asExport: boolean): boolean => {
      if (added.has(key)) return asExport;
      if (!asExport && required.has(iface)) return true;
      for (const dep of this.deps.get(iface) ?? []) {
        if (!add(dep, dep, asExport && exportedNamed.has(dep))) return false;
      }
      if (asExport) {
        if (required.has(iface)) return false;
        added.add(key);
      } else required.add(iface);
      return true;
    };
    for (const e of exports) {
      if (e.kind !== "interface") continue;
      if (!add(e.plainName !== undefined ? `name:${e.plainName}` : e.interface, e.interface, true)) {
        this.error("import-export-conflict",
          `interface \`${e.key}\` depends (through \`use\`) on an interface that world \`${decl.name.name}\` both exports and must import; export the interfaces in between too, or none of them`,
          decl.name.span);
        return;
      }
    }
  }

  /** Add interfaces that imports/exports `use` (transitively) as implicit imports, before their users. */
  private elaborate(imports: WorldEntry[], exports: WorldEntry[], worldDeps: ResolvedInterface[]): WorldEntry[] {
    const out: WorldEntry[] = [];
    const have = new Set<string>();
    for (const e of imports) if (e.kind === "interface" && !e.plainName) have.add(e.key);
    const exported = new Set<string>();
    for (const e of exports) if (e.kind === "interface" && !e.plainName) exported.add(e.key);
    const pull = (iface: ResolvedInterface, seen: Set<ResolvedInterface>) => {
      if (seen.has(iface)) return;
      seen.add(iface);
      for (const dep of this.deps.get(iface) ?? []) {
        pull(dep, seen);
        if (!have.has(dep.qualifiedName) && !exported.has(dep.qualifiedName)) {
          have.add(dep.qualifiedName);
          out.push({ kind: "interface", key: dep.qualifiedName, interface: dep, implicit: true, span: dep.span });
        }
      }
    };
    const seen = new Set<ResolvedInterface>();
    for (const d of worldDeps) {
      pull(d, seen);
      if (!have.has(d.qualifiedName) && !exported.has(d.qualifiedName)) {
        have.add(d.qualifiedName);
        out.push({ kind: "interface", key: d.qualifiedName, interface: d, implicit: true, span: d.span });
      }
    }
    for (const e of imports) {
      if (e.kind === "interface") pull(e.interface, seen);
      out.push(e);
    }
    for (const e of exports) if (e.kind === "interface") pull(e.interface, seen);
    return out;
  }
}

interface TypeScope {
  slots: Map<string, Slot>;
  owner: string;
  resolveSlot(slot: Slot): TypeEntry | undefined;
}

/** Handles written as `own<r>`/`borrow<r>` (an alias of one is not a resource). */
const explicitHandles = new WeakSet<object>();

/** Named types are shared, so memoize per definition (a chain of records would otherwise be exponential). */
const borrowCache = new WeakMap<object, boolean>();
function containsBorrow(t: WitType): boolean {
  switch (t.kind) {
    case "handle": return t.handle === "borrow";
    case "list": return containsBorrow(t.element);
    case "map": return containsBorrow(t.key) || containsBorrow(t.value);
    case "option": return containsBorrow(t.inner);
    case "result": return (!!t.ok && containsBorrow(t.ok)) || (!!t.err && containsBorrow(t.err));
    case "tuple": return t.elements.some((e) => containsBorrow(e));
    case "future":
    case "stream": return !!t.inner && containsBorrow(t.inner);
    case "record":
    case "variant": {
      const known = borrowCache.get(t);
      if (known !== undefined) return known;
      borrowCache.set(t, false);
      const r = t.kind === "record" ? t.fields.some((f) => containsBorrow(f.type)) : t.cases.some((c) => !!c.type && containsBorrow(c.type));
      borrowCache.set(t, r);
      return r;
    }
    default: return false;
  }
}

/** Every gated item of a package with the span wit-parser reports it at (its name, or the path it names). */
function gatedItems(items: TopItem[]): { gates: Gate[]; span: Span }[] {
  const out: { gates: Gate[]; span: Span }[] = [];
  const add = (gates: Gate[], span: Span) => { if (gates.length) out.push({ gates, span }); };
  const typeDef = (t: TypeDefItem) => {
    add(t.gates, t.name.span);
    if (t.kind === "resource") for (const f of t.funcs ?? []) add(f.gates, f.name.span);
  };
  const ifaceItems = (list: InterfaceItem[]) => {
    for (const i of list) {
      if (i.kind === "use") add(i.gates, (i.names[0]?.as ?? i.names[0]?.name ?? i.path.name).span);
      else if (i.kind === "func") add(i.gates, i.name.span);
      else typeDef(i);
    }
  };
  for (const item of items) {
    if (item.kind === "interface") {
      add(item.gates, item.name.span);
      ifaceItems(item.items);
    } else if (item.kind === "world") {
      add(item.gates, item.name.span);
      for (const w of item.items) {
        if (w.kind === "import" || w.kind === "export") {
          add(w.gates, w.target.kind === "path" ? w.target.path.span : w.target.name.span);
          if (w.target.kind === "interface") ifaceItems(w.target.items);
        } else if (w.kind === "include") add(w.gates, w.path.span);
        else if (w.kind === "use") add(w.gates, (w.names[0]?.as ?? w.names[0]?.name ?? w.path.name).span);
        else typeDef(w as TypeDefItem);
      }
    }
  }
  return out;
}



/** Names a type definition refers to, in order (the edges of the type toposort). */
function typeDefRefs(item: TypeDefItem): DepEdge[] {
  const out: DepEdge[] = [];
  const walk = (t: TypeExpr): void => {
    switch (t.kind) {
      case "named": out.push({ name: t.name.name, span: t.name.span }); break;
      case "handle": out.push({ name: t.resource.name, span: t.resource.span }); break;
      case "list": case "option": walk(t.kind === "list" ? t.element : t.inner); break;
      case "future": case "stream": if (t.inner) walk(t.inner); break;
      case "map": walk(t.key); walk(t.value); break;
      case "result": if (t.ok) walk(t.ok); if (t.err) walk(t.err); break;
      case "tuple": t.elements.forEach(walk); break;
      case "primitive": break;
    }
  };
  switch (item.kind) {
    case "alias": walk(item.target); break;
    case "record": for (const f of item.fields) walk(f.type); break;
    case "variant": for (const c of item.cases) if (c.type) walk(c.type); break;
    default: break;
  }
  return out;
}

/** Every path in a package's items, in wit-parser's order (a world's uses and includes, then imports, then exports). */
function forEachPath(items: TopItem[], f: (p: UsePath) => void): void {
  const ifaceUses = (list: InterfaceItem[]) => { for (const i of list) if (i.kind === "use") f(i.path); };
  for (const item of items) {
    if (item.kind === "interface") ifaceUses(item.items);
    else if (item.kind === "toplevel-use") f(item.path);
    else if (item.kind === "world") {
      for (const i of item.items) if (i.kind === "use" || i.kind === "include") f(i.path);
      for (const dir of ["import", "export"] as const) {
        for (const i of item.items) {
          if (i.kind !== dir) continue;
          if (i.target.kind === "path" || i.target.kind === "named-path") f(i.target.path);
          else if (i.target.kind === "interface") ifaceUses(i.target.items);
        }
      }
    }
  }
}

/** Packages a unit names through qualified paths, first mention first. */
function foreignDeps(u: Unit): DepEdge[] {
  const seen = new Map<string, DepEdge>();
  for (const file of u.files) {
    forEachPath(file.items, (p) => {
      if (p.kind !== "qualified") return;
      const key = packageKey(p.namespace.name, p.package.name, p.version);
      if (!seen.has(key)) seen.set(key, { name: key, span: p.span });
    });
  }
  return [...seen.values()];
}
