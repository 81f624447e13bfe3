// The resolved WIT model: names followed to their definitions, types in a
// structural form the compatibility checker and the UI can compare and print.
import type { Gate, PrimitiveName } from "./ast";
import type { Span } from "./errors";

interface DefBase {
  name: string;
  /** Where it is defined: `ns:pkg/iface@version`, or `<world>.<inline-name>` / `<world>` for world-local items. */
  owner: string;
  docs?: string;
  gates: Gate[];
  span: Span;
}

export type RecordDef = DefBase & { kind: "record"; fields: { name: string; type: WitType; docs?: string }[] };
export type VariantDef = DefBase & { kind: "variant"; cases: { name: string; type?: WitType; docs?: string }[] };
export type EnumDef = DefBase & { kind: "enum"; cases: string[] };
export type FlagsDef = DefBase & { kind: "flags"; flags: string[] };
export type ResourceDef = DefBase & { kind: "resource" };
export type NamedTypeDef = RecordDef | VariantDef | EnumDef | FlagsDef | ResourceDef;

/** A type with aliases and `use`s followed. Named kinds are the definitions themselves. */
export type WitType =
  | { kind: "primitive"; name: PrimitiveName }
  | { kind: "list"; element: WitType; length?: number }
  | { kind: "map"; key: WitType; value: WitType }
  | { kind: "option"; inner: WitType }
  | { kind: "result"; ok?: WitType; err?: WitType }
  | { kind: "tuple"; elements: WitType[] }
  | { kind: "future"; inner?: WitType }
  | { kind: "stream"; inner?: WitType }
  | { kind: "handle"; handle: "own" | "borrow"; resource: ResourceDef }
  | RecordDef | VariantDef | EnumDef | FlagsDef
  /** A name that did not resolve (the error is reported separately). */
  | { kind: "unknown"; name: string };

/** A named entry of an interface's (or world's) type namespace. */
export interface TypeEntry {
  name: string;
  /** `defined` here, an `alias` (`type x = ...`), or brought in by `use`. */
  origin: "defined" | "alias" | "use";
  /** Definitions: the def itself (a resource def for resources); aliases and uses: the resolved target. */
  type: WitType | ResourceDef;
  /** For `use`: the interface it came from (`ns:pkg/iface@version`) and the name there. */
  from?: string;
  fromName?: string;
  docs?: string;
  gates: Gate[];
  span: Span;
}

export interface ResolvedFunction {
  /** Declared name (`read`, or `constructor`). */
  name: string;
  kind: "freestanding" | "method" | "static" | "constructor";
  /** For resource functions. */
  resource?: string;
  /** Canonical component-model name: `read`, `[method]file.read`, `[static]file.open`, `[constructor]file`. */
  canonicalName: string;
  async: boolean;
  params: { name: string; type: WitType }[];
  result?: WitType;
  docs?: string;
  gates: Gate[];
  span: Span;
}

export interface ResolvedInterface {
  /** Declared name, or the plain name of an inline world interface. */
  name: string;
  /** `ns:pkg@version` of the package that defines it; absent for inline world interfaces. */
  package?: string;
  /** `ns:pkg/iface` (no version); for inline interfaces the plain name. */
  id: string;
  /** `ns:pkg/iface@version` (version omitted when the package has none); inline: the plain name. */
  qualifiedName: string;
  version?: string;
  inline: boolean;
  /**
   * Named by a world or `use` but its package was not supplied (only with the
   * resolver's `opaqueUnknownPackages` option): its contents are unknown.
   */
  opaque?: boolean;
  types: TypeEntry[];
  functions: ResolvedFunction[];
  /** Interfaces this one depends on through `use` (qualified names, deduplicated). */
  uses: string[];
  docs?: string;
  gates: Gate[];
  span: Span;
}

export type WorldEntry =
  | {
      kind: "interface";
      /** Import/export name: `ns:pkg/iface@version` for named interfaces, else the plain name. */
      key: string;
      /** For `import name: iface;` and inline interfaces. */
      plainName?: string;
      interface: ResolvedInterface;
      /** Added because another import/export `use`s it (not written in the world). */
      implicit?: boolean;
      span: Span;
    }
  | { kind: "function"; key: string; plainName: string; func: ResolvedFunction; span: Span };

export interface ResolvedWorld {
  name: string;
  package: string;
  /** `ns:pkg/world@version`. */
  qualifiedName: string;
  imports: WorldEntry[];
  exports: WorldEntry[];
  /** Types defined in or `use`d into the world. */
  types: TypeEntry[];
  docs?: string;
  gates: Gate[];
  span: Span;
}

export interface ResolvedPackage {
  /** `ns:pkg@version` (or `ns:pkg`). */
  name: string;
  namespace: string;
  package: string;
  version?: string;
  interfaces: ResolvedInterface[];
  worlds: ResolvedWorld[];
  docs?: string;
  span: Span;
}

export interface WitModel {
  /** Name of the root package (the one the user wrote), if any. */
  root?: string;
  packages: ResolvedPackage[];
}


export function packageKey(namespace: string, pkg: string, version?: string): string {
  return `${namespace}:${pkg}${version ? `@${version}` : ""}`;
}

/**
 * Most type nodes typeToString spells out. Aliases are shared structure, so `type t1 = tuple<t0, t0>`
 * repeated 60 times spells out to 2^60 names: past this many nodes the rest is written as `…`.
 */
export const MAX_TYPE_NODES = 400;

/** WIT spelling of a resolved type (named types by name). */
export function typeToString(t: WitType | ResourceDef): string {
  return spell(t, { left: MAX_TYPE_NODES });
}

function spell(t: WitType | ResourceDef, budget: { left: number }): string {
  if (budget.left <= 0) return "…";
  budget.left--;
  const s = (x: WitType) => spell(x, budget);
  let out: string;
  switch (t.kind) {
    case "primitive": out = t.name; break;
    case "list": out = t.length !== undefined ? `list<${s(t.element)}, ${t.length}>` : `list<${s(t.element)}>`; break;
    case "map": out = `map<${s(t.key)}, ${s(t.value)}>`; break;
    case "option": out = `option<${s(t.inner)}>`; break;
    case "result":
      if (!t.ok && !t.err) out = "result";
      else if (!t.err) out = `result<${s(t.ok!)}>`;
      else out = `result<${t.ok ? s(t.ok) : "_"}, ${s(t.err)}>`;
      break;
    case "tuple": out = `tuple<${t.elements.map(s).join(", ")}>`; break;
    case "future":
    case "stream": out = t.inner ? `${t.kind}<${s(t.inner)}>` : t.kind; break;
    case "handle": out = t.handle === "borrow" ? `borrow<${t.resource.name}>` : t.resource.name; break;
    default: out = t.name;
  }
  return out;
}

const braces = (items: string[]) => (items.length ? `{ ${items.join(", ")} }` : "{}");

/** Structure of a named definition, e.g. `record { a: u32, b: string }`. */
export function defToString(d: NamedTypeDef): string {
  switch (d.kind) {
    case "record": return `record ${braces(d.fields.map((f) => `${f.name}: ${typeToString(f.type)}`))}`;
    case "variant": return `variant ${braces(d.cases.map((c) => (c.type ? `${c.name}(${typeToString(c.type)})` : c.name)))}`;
    case "enum": return `enum ${braces(d.cases)}`;
    case "flags": return `flags ${braces(d.flags)}`;
    case "resource": return "resource";
  }
}

export function funcToString(f: ResolvedFunction): string {
  const params = f.params.map((p) => `${p.name}: ${typeToString(p.type)}`).join(", ");
  return `${f.async ? "async " : ""}func(${params})${f.result ? ` -> ${typeToString(f.result)}` : ""}`;
}
