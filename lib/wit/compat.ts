// Does an exported interface satisfy an import? Same package and interface,
// a semver-compatible version, and every function and type the importer
// needs present with identical resolved structure.
import { defToString, typeToString, type ResolvedFunction, type ResolvedInterface, type ResourceDef, type TypeEntry, type WitType } from "./model";

export type CompatErrorKind =
  | "interface-mismatch"
  | "version-mismatch"
  | "missing-function"
  | "function-mismatch"
  | "missing-type"
  | "type-mismatch";

export interface CompatError {
  kind: CompatErrorKind;
  message: string;
  /** What mismatched, e.g. `acme:ml/infer.predict` or `acme:ml/infer.tensor`. */
  path: string;
}

interface SemVer { major: number; minor: number; patch: number; pre: string[] }

export function parseSemver(v: string): SemVer | null {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ? m[4].split(".") : [] };
}

/** Semver precedence: negative if a < b. */
export function compareSemver(a: SemVer, b: SemVer): number {
  for (const k of ["major", "minor", "patch"] as const) if (a[k] !== b[k]) return a[k] - b[k];
  if (!a.pre.length || !b.pre.length) return (a.pre.length ? -1 : 0) - (b.pre.length ? -1 : 0);
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return Number(x) - Number(y);
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Can a provider at `exporter` version serve a consumer built against
 * `importer`? Same major (for 0.x the same minor, for 0.0.x the same patch)
 * and exporter ≥ importer. An unversioned import accepts any version.
 */
export function versionsCompatible(exporter: string | undefined, importer: string | undefined): boolean {
  if (importer === undefined) return true;
  if (exporter === undefined) return false;
  const e = parseSemver(exporter);
  const i = parseSemver(importer);
  if (!e || !i) return exporter === importer;
  if (e.major !== i.major) return false;
  if (e.major === 0 && e.minor !== i.minor) return false;
  if (e.major === 0 && e.minor === 0 && e.patch !== i.patch) return false;
  return compareSemver(e, i) >= 0;
}

function funcLabel(f: ResolvedFunction): string {
  if (f.kind === "constructor") return `${f.resource}.constructor`;
  if (f.kind === "method" || f.kind === "static") return `${f.resource}.${f.name}`;
  return f.name;
}

const stripVersion = (owner: string) => owner.replace(/@[^/#]*$/, "").replace(/@[^/#]*(?=#)/, "");

/** A mismatch inside a type: where (inside named types) and the two spellings. */
interface TypeDiff { where: string[]; got: string; want: string }

class TypeComparer {
  private equal = new Map<object, Set<object>>();

  diff(exp: WitType | ResourceDef, imp: WitType | ResourceDef): TypeDiff | null {
    if (exp === imp) return null;
    const known = this.equal.get(exp);
    if (known?.has(imp)) return null;
    const d = this.diffInner(exp, imp);
    if (!d) {
      if (!known) this.equal.set(exp, new Set([imp]));
      else known.add(imp);
    }
    return d;
  }

  private plain(exp: WitType | ResourceDef, imp: WitType | ResourceDef): TypeDiff {
    return { where: [], got: typeToString(exp), want: typeToString(imp) };
  }

  private diffInner(exp: WitType | ResourceDef, imp: WitType | ResourceDef): TypeDiff | null {
    if (exp.kind !== imp.kind) return this.plain(exp, imp);
    // Anonymous structure: compare children; a mismatch deep in an anonymous
    // type is reported on the whole type, a mismatch inside a named type keeps its path.
    const children = (pairs: [WitType | undefined, WitType | undefined][]): TypeDiff | null => {
      for (const [a, b] of pairs) {
        if (!a && !b) continue;
        if (!a || !b) return this.plain(exp, imp);
        const d = this.diff(a, b);
        if (d) return d.where.length ? d : this.plain(exp, imp);
      }
      return null;
    };
    switch (exp.kind) {
      case "primitive": return exp.name === (imp as typeof exp).name ? null : this.plain(exp, imp);
      case "unknown": return exp.name === (imp as typeof exp).name ? null : this.plain(exp, imp);
      case "list": {
        const i = imp as typeof exp;
        if (exp.length !== i.length) return this.plain(exp, imp);
        return children([[exp.element, i.element]]);
      }
      case "map": { const i = imp as typeof exp; return children([[exp.key, i.key], [exp.value, i.value]]); }
      case "option": return children([[exp.inner, (imp as typeof exp).inner]]);
      case "result": { const i = imp as typeof exp; return children([[exp.ok, i.ok], [exp.err, i.err]]); }
      case "tuple": {
        const i = imp as typeof exp;
        if (exp.elements.length !== i.elements.length) return this.plain(exp, imp);
        return children(exp.elements.map((e, k) => [e, i.elements[k]] as [WitType, WitType]));
      }
      case "future":
      case "stream": return children([[exp.inner, (imp as typeof exp).inner]]);
      case "handle": {
        const i = imp as typeof exp;
        if (exp.handle !== i.handle) return this.plain(exp, imp);
        return this.diff(exp.resource, i.resource) ? this.plain(exp, imp) : null;
      }
      case "resource": {
        const i = imp as typeof exp;
        return exp.name === i.name && stripVersion(exp.owner) === stripVersion(i.owner) ? null : this.plain(exp, imp);
      }
      case "record":
      case "variant":
      case "enum":
      case "flags": {
        const i = imp as typeof exp;
        if (exp.name !== i.name || stripVersion(exp.owner) !== stripVersion(i.owner)) return this.plain(exp, imp);
        const inside = (d: TypeDiff): TypeDiff => ({ ...d, where: [`${exp.kind} '${exp.name}'`, ...d.where] });
        if (exp.kind === "record") {
          const ir = i as typeof exp;
          for (let k = 0; k < Math.max(exp.fields.length, ir.fields.length); k++) {
            const a = exp.fields[k];
            const b = ir.fields[k];
            if (!a || !b || a.name !== b.name) {
              return inside({ where: [], got: defToString(exp), want: defToString(ir) });
            }
            const d = this.diff(a.type, b.type);
            if (d) return inside(d.where.length ? { ...d, where: [`field '${a.name}'`, ...d.where] } : { ...d, where: [`field '${a.name}'`] });
          }
          return null;
        }
        if (exp.kind === "variant") {
          const iv = i as typeof exp;
          for (let k = 0; k < Math.max(exp.cases.length, iv.cases.length); k++) {
            const a = exp.cases[k];
            const b = iv.cases[k];
            if (!a || !b || a.name !== b.name || !a.type !== !b.type) {
              return inside({ where: [], got: defToString(exp), want: defToString(iv) });
            }
            if (a.type && b.type) {
              const d = this.diff(a.type, b.type);
              if (d) return inside({ ...d, where: [`case '${a.name}'`, ...d.where] });
            }
          }
          return null;
        }
        const names = (t: WitType) => (t.kind === "enum" ? t.cases : t.kind === "flags" ? t.flags : []);
        const an = names(exp);
        const bn = names(i);
        if (an.length !== bn.length || an.some((n, k) => n !== bn[k])) {
          return inside({ where: [], got: defToString(exp), want: defToString(i) });
        }
        return null;
      }
    }
  }
}

function describe(prefix: string, what: string, d: TypeDiff): string {
  const where = d.where.length ? `${what ? " (" : ""}${d.where.join(", ")}${what ? ")" : ""}` : "";
  return `${prefix}: ${what}${where} is ${d.got}, import expects ${d.want}`;
}

/**
 * `null` when `exporter` satisfies `importer`, else the first mismatch. When
 * either interface is opaque (see `ResolvedInterface.opaque`) only the name
 * and version are checked.
 */
export function checkInterfaceCompat(exporter: ResolvedInterface, importer: ResolvedInterface): CompatError | null {
  if (exporter.id !== importer.id) {
    return {
      kind: "interface-mismatch",
      message: `export provides ${exporter.qualifiedName}, import needs ${importer.qualifiedName}`,
      path: importer.id,
    };
  }
  if (!versionsCompatible(exporter.version, importer.version)) {
    return {
      kind: "version-mismatch",
      message: `${importer.id}: export version ${exporter.version ?? "(none)"} does not satisfy import version ${importer.version ?? "(none)"}`,
      path: importer.id,
    };
  }
  // An opaque side (its package was not supplied, e.g. WIT printed by
  // componentWit) is known by name and version only: nothing more to compare.
  if (exporter.opaque || importer.opaque) return null;
  const cmp = new TypeComparer();
  const typeIndex = new Map<string, TypeEntry>(exporter.types.map((t) => [t.name, t]));
  for (const t of importer.types) {
    const path = `${importer.id}.${t.name}`;
    const other = typeIndex.get(t.name);
    if (!other) return { kind: "missing-type", message: `${path}: type '${t.name}' is missing from the export`, path };
    const d = cmp.diff(other.type, t.type);
    if (d) {
      return { kind: "type-mismatch", message: describe(path, d.where.length ? "" : `type '${t.name}'`, d), path };
    }
  }
  const funcIndex = new Map<string, ResolvedFunction>(exporter.functions.map((f) => [f.canonicalName, f]));
  for (const f of importer.functions) {
    const path = `${importer.id}.${funcLabel(f)}`;
    const other = funcIndex.get(f.canonicalName);
    if (!other) return { kind: "missing-function", message: `${path}: function is missing from the export`, path };
    if (other.async !== f.async) {
      return { kind: "function-mismatch", message: `${path}: export is ${other.async ? "async" : "sync"}, import expects ${f.async ? "async" : "sync"}`, path };
    }
    if (other.params.length !== f.params.length) {
      return {
        kind: "function-mismatch",
        message: `${path}: export takes ${other.params.length} parameter(s), import expects ${f.params.length}`,
        path,
      };
    }
    for (let k = 0; k < f.params.length; k++) {
      const a = other.params[k];
      const b = f.params[k];
      if (a.name !== b.name) {
        return { kind: "function-mismatch", message: `${path}: parameter ${k + 1} is named '${a.name}', import expects '${b.name}'`, path };
      }
      const d = cmp.diff(a.type, b.type);
      if (d) return { kind: "function-mismatch", message: describe(path, `param '${b.name}'`, d), path };
    }
    if (!other.result !== !f.result) {
      return {
        kind: "function-mismatch",
        message: `${path}: result is ${other.result ? typeToString(other.result) : "nothing"}, import expects ${f.result ? typeToString(f.result) : "nothing"}`,
        path,
      };
    }
    if (other.result && f.result) {
      const d = cmp.diff(other.result, f.result);
      if (d) return { kind: "function-mismatch", message: describe(path, "result", d), path };
    }
  }
  return null;
}
