// Syntax tree of one WIT file, as written (before name resolution). Every node
// carries a span; documented items carry their doc comment for hover text.
import type { Span } from "./errors";

export interface Ident {
  name: string;
  span: Span;
}

export type Gate =
  | { kind: "since"; version: string; span: Span }
  | { kind: "unstable"; feature: string; span: Span }
  | { kind: "deprecated"; version: string; span: Span }
  | { kind: "external-id"; id: string; span: Span };

interface ItemBase {
  span: Span;
  /** Doc comment text (lines joined with `\n`), if any. */
  docs?: string;
  gates: Gate[];
}

export interface PackageName {
  namespace: Ident;
  name: Ident;
  version?: string;
  span: Span;
}

/** `iface` (in this package / file scope) or `ns:pkg/iface@version`. */
export type UsePath =
  | { kind: "local"; name: Ident; span: Span }
  | { kind: "qualified"; namespace: Ident; package: Ident; name: Ident; version?: string; span: Span };

export type PrimitiveName =
  | "bool" | "u8" | "u16" | "u32" | "u64" | "s8" | "s16" | "s32" | "s64"
  | "f32" | "f64" | "char" | "string" | "error-context";

export type TypeExpr =
  | { kind: "primitive"; name: PrimitiveName; span: Span }
  | { kind: "named"; name: Ident; span: Span }
  | { kind: "list"; element: TypeExpr; length?: number; span: Span }
  | { kind: "map"; key: TypeExpr; value: TypeExpr; span: Span }
  | { kind: "option"; inner: TypeExpr; span: Span }
  | { kind: "result"; ok?: TypeExpr; err?: TypeExpr; span: Span }
  | { kind: "tuple"; elements: TypeExpr[]; span: Span }
  | { kind: "handle"; handle: "own" | "borrow"; resource: Ident; span: Span }
  | { kind: "future"; inner?: TypeExpr; span: Span }
  | { kind: "stream"; inner?: TypeExpr; span: Span };

export interface Param {
  name: Ident;
  type: TypeExpr;
}

export interface FuncType {
  async: boolean;
  params: Param[];
  result?: TypeExpr;
  span: Span;
}

export interface FuncItem extends ItemBase {
  kind: "func";
  name: Ident;
  func: FuncType;
}

export interface ResourceFunc extends ItemBase {
  kind: "method" | "static" | "constructor";
  /** For constructors: an ident named `constructor` at the keyword. */
  name: Ident;
  func: FuncType;
}

export interface Field { name: Ident; type: TypeExpr; docs?: string; span: Span }
export interface Case { name: Ident; type?: TypeExpr; docs?: string; span: Span }
export interface NameOnly { name: Ident; docs?: string; span: Span }

export type TypeDefItem = ItemBase & { name: Ident } & (
  | { kind: "alias"; target: TypeExpr }
  | { kind: "record"; fields: Field[] }
  | { kind: "variant"; cases: Case[] }
  | { kind: "enum"; cases: NameOnly[] }
  | { kind: "flags"; flags: NameOnly[] }
  /** `funcs` is absent for `resource r;`. */
  | { kind: "resource"; funcs?: ResourceFunc[] }
);

export interface UseName {
  name: Ident;
  as?: Ident;
}

export interface UseItem extends ItemBase {
  kind: "use";
  path: UsePath;
  names: UseName[];
}

export type InterfaceItem = TypeDefItem | FuncItem | UseItem;

export interface InterfaceDecl extends ItemBase {
  kind: "interface";
  name: Ident;
  items: InterfaceItem[];
}

export type ExternTarget =
  | { kind: "path"; path: UsePath }
  /** `import name: ns:pkg/iface;` — a named interface under a plain name. */
  | { kind: "named-path"; name: Ident; path: UsePath }
  | { kind: "func"; name: Ident; func: FuncType }
  | { kind: "interface"; name: Ident; items: InterfaceItem[] };

export interface ImportExportItem extends ItemBase {
  kind: "import" | "export";
  target: ExternTarget;
}

export interface IncludeItem extends ItemBase {
  kind: "include";
  path: UsePath;
  with: { name: Ident; as: Ident }[];
}

export type WorldItem = ImportExportItem | IncludeItem | UseItem | TypeDefItem;

export interface WorldDecl extends ItemBase {
  kind: "world";
  name: Ident;
  items: WorldItem[];
}

export interface ToplevelUse extends ItemBase {
  kind: "toplevel-use";
  path: UsePath;
  as?: Ident;
}

export interface NestedPackage extends ItemBase {
  kind: "package";
  name: PackageName;
  items: TopItem[];
}

export type TopItem = InterfaceDecl | WorldDecl | ToplevelUse | NestedPackage;

export interface WitFile {
  file: string;
  /** `package ns:name@version;` at the top of the file. */
  package?: PackageName & { docs?: string; docsSpan?: Span };
  items: TopItem[];
}
