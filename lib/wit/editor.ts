// Pure editor helpers for the WIT editor (Monaco wiring lives in the UI):
// completions, hover text from doc comments, and go-to-definition within the
// open package. Offsets are 0-based UTF-16 offsets into `source`.
import type { Ident, InterfaceDecl, InterfaceItem, TopItem, TypeExpr, UsePath, WitFile, WorldDecl } from "./ast";
import type { Span } from "./errors";
import { KEYWORDS, SourceText, tokenize } from "./lexer";
import { loadWit, memoryWitFs } from "./loader";
import { WIT_TYPE_KEYWORDS } from "./monarch";
import {
  defToString, packageKey, typeToString, type ResolvedInterface,
  type ResolvedPackage, type ResolvedWorld, type TypeEntry, type WitModel,
} from "./model";
import { resolveWit } from "./resolver";

export interface EditorOptions {
  /** Name of the open file (default `input.wit`). */
  file?: string;
  /**
   * Other files of the package folder (`{ "types.wit": …, "deps/x/y.wit": … }`).
   * When given, the open file is resolved as part of that folder.
   */
  files?: Record<string, string>;
}

export type WitCompletionKind = "keyword" | "type" | "interface" | "world" | "snippet";

export interface WitCompletion {
  label: string;
  kind: WitCompletionKind;
  detail?: string;
  documentation?: string;
  /** Text to insert when it differs from `label` (snippets use `${1:…}` placeholders). */
  insertText?: string;
}

export interface WitHover {
  /** Markdown. */
  contents: string;
  span: Span;
}

const BUILTIN_DOCS: Record<string, string> = {
  bool: "Boolean: `true` or `false`.",
  s8: "Signed 8-bit integer.", s16: "Signed 16-bit integer.", s32: "Signed 32-bit integer.", s64: "Signed 64-bit integer.",
  u8: "Unsigned 8-bit integer.", u16: "Unsigned 16-bit integer.", u32: "Unsigned 32-bit integer.", u64: "Unsigned 64-bit integer.",
  f32: "32-bit IEEE 754 float.", f64: "64-bit IEEE 754 float.", char: "A Unicode scalar value.", string: "A Unicode string.",
  list: "`list<T>`: a sequence of `T`; `list<T, N>`: exactly `N` elements.",
  map: "`map<K, V>`: key/value pairs (keys: integers, bool, char or string).",
  option: "`option<T>`: a `T` or nothing.",
  result: "`result<T, E>`: success `T` or error `E`; either side may be omitted (`result`, `result<T>`, `result<_, E>`).",
  tuple: "`tuple<A, B, …>`: a fixed sequence of values.",
  borrow: "`borrow<R>`: a borrowed handle to resource `R`, valid for the call only.",
  own: "`own<R>`: an owned handle to resource `R` (the same as writing `R`).",
  future: "`future<T>`: a value of type `T` delivered later.",
  stream: "`stream<T>`: a sequence of `T` delivered over time.",
  "error-context": "Opaque error context that can carry debugging information across components.",
};

// ---------- analysis ----------

interface Ctx {
  pkg?: string;
  iface?: InterfaceDecl;
  world?: WorldDecl;
  /** Plain name of an inline interface inside `world`. */
  inline?: string;
  /** Top-level `use` aliases of the file or nested package block. */
  uses: Map<string, UsePath>;
}

type Sym =
  | { role: "def"; span: Span; name: string; ctx: Ctx; what: string; docs?: string; defSpan: Span; typeText?: string }
  | { role: "type"; span: Span; name: string; ctx: Ctx }
  | { role: "iface"; span: Span; path: UsePath; ctx: Ctx }
  | { role: "world"; span: Span; path: UsePath; ctx: Ctx }
  | { role: "use-name"; span: Span; name: string; path: UsePath; ctx: Ctx };

interface Analysis {
  source: string;
  file: string;
  ast: WitFile;
  model: WitModel;
  syms: Sym[];
}

function analyze(source: string, options: EditorOptions): Analysis {
  const file = options.file ?? "input.wit";
  const fs = memoryWitFs({ ...(options.files ?? {}), [file]: source });
  const loaded = loadWit(fs, options.files ? "" : file);
  const { model } = resolveWit(loaded.sources, { opaqueUnknownPackages: true });
  const parsed = [...loaded.sources.root, ...(loaded.sources.deps ?? []).flat()].find((f) => f.file === file);
  const ast: WitFile = parsed?.ast ?? { file, items: [] };
  const rootPkg = ast.package ? packageKey(ast.package.namespace.name, ast.package.name.name, ast.package.version) : model.root;
  const syms: Sym[] = [];
  collect(ast.items, { pkg: rootPkg, uses: new Map() }, syms, source);
  return { source, file, ast, model, syms };
}

function textOf(source: string, span: Span): string {
  return source.slice(span.start.offset, span.end.offset);
}

function collect(items: TopItem[], base: Ctx, syms: Sym[], source: string): void {
  const ctx: Ctx = { ...base, uses: new Map() };
  for (const item of items) if (item.kind === "toplevel-use") ctx.uses.set((item.as ?? item.path.name).name, item.path);
  for (const item of items) {
    switch (item.kind) {
      case "package":
        collect(item.items, { pkg: packageKey(item.name.namespace.name, item.name.name.name, item.name.version), uses: new Map() }, syms, source);
        break;
      case "toplevel-use":
        syms.push({ role: "iface", span: item.path.name.span, path: item.path, ctx });
        if (item.as) syms.push({ role: "def", span: item.as.span, name: item.as.name, ctx, what: "use", defSpan: item.span });
        break;
      case "interface": {
        const c = { ...ctx, iface: item };
        syms.push({ role: "def", span: item.name.span, name: item.name.name, ctx: c, what: "interface", docs: item.docs, defSpan: item.span });
        interfaceItems(item.items, c, syms, source);
        break;
      }
      case "world": {
        const c: Ctx = { ...ctx, world: item };
        syms.push({ role: "def", span: item.name.span, name: item.name.name, ctx: c, what: "world", docs: item.docs, defSpan: item.span });
        for (const w of item.items) {
          if (w.kind === "include") {
            syms.push({ role: "world", span: w.path.name.span, path: w.path, ctx: c });
          } else if (w.kind === "import" || w.kind === "export") {
            const t = w.target;
            if (t.kind === "path") syms.push({ role: "iface", span: t.path.name.span, path: t.path, ctx: c });
            else if (t.kind === "named-path") syms.push({ role: "iface", span: t.path.name.span, path: t.path, ctx: c });
            else if (t.kind === "func") {
              syms.push({ role: "def", span: t.name.span, name: t.name.name, ctx: c, what: `${w.kind} function`, docs: w.docs, defSpan: w.span, typeText: textOf(source, t.func.span) });
              funcTypes(t.func.params.map((p) => p.type).concat(t.func.result ? [t.func.result] : []), c, syms);
              params(t.func.params, c, syms, source);
            } else {
              const ic: Ctx = { ...c, inline: t.name.name };
              syms.push({ role: "def", span: t.name.span, name: t.name.name, ctx: c, what: `${w.kind} interface`, docs: w.docs, defSpan: w.span });
              interfaceItems(t.items, ic, syms, source);
            }
          } else {
            interfaceItems([w as InterfaceItem], c, syms, source);
          }
        }
        break;
      }
    }
  }
}

function params(ps: { name: Ident; type: TypeExpr }[], ctx: Ctx, syms: Sym[], source: string): void {
  for (const p of ps) syms.push({ role: "def", span: p.name.span, name: p.name.name, ctx, what: "param", defSpan: p.name.span, typeText: textOf(source, p.type.span) });
}

function funcTypes(types: TypeExpr[], ctx: Ctx, syms: Sym[]): void {
  const walk = (t: TypeExpr) => {
    switch (t.kind) {
      case "named": syms.push({ role: "type", span: t.name.span, name: t.name.name, ctx }); break;
      case "handle": syms.push({ role: "type", span: t.resource.span, name: t.resource.name, ctx }); break;
      case "list": walk(t.element); break;
      case "map": walk(t.key); walk(t.value); break;
      case "option": walk(t.inner); break;
      case "result": if (t.ok) walk(t.ok); if (t.err) walk(t.err); break;
      case "tuple": t.elements.forEach(walk); break;
      case "future": case "stream": if (t.inner) walk(t.inner); break;
      default: break;
    }
  };
  types.forEach(walk);
}

function interfaceItems(items: InterfaceItem[], ctx: Ctx, syms: Sym[], source: string): void {
  for (const item of items) {
    if (item.kind === "use") {
      syms.push({ role: "iface", span: item.path.name.span, path: item.path, ctx });
      for (const n of item.names) {
        syms.push({ role: "use-name", span: n.name.span, name: n.name.name, path: item.path, ctx });
        if (n.as) syms.push({ role: "type", span: n.as.span, name: n.as.name, ctx });
      }
    } else if (item.kind === "func") {
      syms.push({ role: "def", span: item.name.span, name: item.name.name, ctx, what: "function", docs: item.docs, defSpan: item.span, typeText: textOf(source, item.func.span) });
      funcTypes(item.func.params.map((p) => p.type).concat(item.func.result ? [item.func.result] : []), ctx, syms);
      params(item.func.params, ctx, syms, source);
    } else {
      syms.push({ role: "type", span: item.name.span, name: item.name.name, ctx });
      if (item.kind === "alias") funcTypes([item.target], ctx, syms);
      if (item.kind === "record") {
        for (const f of item.fields) {
          syms.push({ role: "def", span: f.name.span, name: f.name.name, ctx, what: "field", docs: f.docs, defSpan: f.span, typeText: textOf(source, f.type.span) });
          funcTypes([f.type], ctx, syms);
        }
      }
      if (item.kind === "variant") {
        for (const c of item.cases) {
          syms.push({ role: "def", span: c.name.span, name: c.name.name, ctx, what: "case", docs: c.docs, defSpan: c.span, typeText: c.type && textOf(source, c.type.span) });
          if (c.type) funcTypes([c.type], ctx, syms);
        }
      }
      if (item.kind === "enum" || item.kind === "flags") {
        for (const c of item.kind === "enum" ? item.cases : item.flags) {
          syms.push({ role: "def", span: c.name.span, name: c.name.name, ctx, what: item.kind === "enum" ? "enum case" : "flag", docs: c.docs, defSpan: c.span });
        }
      }
      if (item.kind === "resource") {
        for (const f of item.funcs ?? []) {
          syms.push({ role: "def", span: f.name.span, name: f.name.name, ctx, what: f.kind === "constructor" ? "constructor" : `${f.kind} of ${item.name.name}`, docs: f.docs, defSpan: f.span, typeText: textOf(source, f.func.span) });
          funcTypes(f.func.params.map((p) => p.type).concat(f.func.result ? [f.func.result] : []), ctx, syms);
          params(f.func.params, ctx, syms, source);
        }
      }
    }
  }
}

// ---------- lookups in the resolved model ----------

function pkgOf(a: Analysis, ctx: Ctx): ResolvedPackage | undefined {
  return a.model.packages.find((p) => p.name === ctx.pkg) ?? a.model.packages.find((p) => p.name === a.model.root);
}

function worldOf(a: Analysis, ctx: Ctx): ResolvedWorld | undefined {
  return ctx.world && pkgOf(a, ctx)?.worlds.find((w) => w.name === ctx.world!.name.name);
}

function interfaceOf(a: Analysis, ctx: Ctx): ResolvedInterface | undefined {
  if (ctx.inline) {
    const w = worldOf(a, ctx);
    const e = [...(w?.imports ?? []), ...(w?.exports ?? [])].find((x) => x.kind === "interface" && x.interface.inline && x.plainName === ctx.inline);
    return e?.kind === "interface" ? e.interface : undefined;
  }
  return ctx.iface && pkgOf(a, ctx)?.interfaces.find((i) => i.name === ctx.iface!.name.name);
}

function scopeTypes(a: Analysis, ctx: Ctx): TypeEntry[] {
  if (ctx.iface || ctx.inline) return interfaceOf(a, ctx)?.types ?? [];
  return worldOf(a, ctx)?.types ?? [];
}

function interfaceByPath(a: Analysis, path: UsePath, ctx: Ctx): ResolvedInterface | undefined {
  let p = path;
  if (p.kind === "local") {
    const alias = ctx.uses.get(p.name.name);
    if (alias) p = alias;
  }
  if (p.kind === "local") return pkgOf(a, ctx)?.interfaces.find((i) => i.name === p.name.name);
  const key = packageKey(p.namespace.name, p.package.name, p.version);
  const name = p.name.name;
  return a.model.packages.find((x) => x.name === key)?.interfaces.find((i) => i.name === name);
}

function worldByPath(a: Analysis, path: UsePath, ctx: Ctx): ResolvedWorld | undefined {
  if (path.kind === "local") return pkgOf(a, ctx)?.worlds.find((w) => w.name === path.name.name);
  const key = packageKey(path.namespace.name, path.package.name, path.version);
  return a.model.packages.find((x) => x.name === key)?.worlds.find((w) => w.name === path.name.name);
}

/** Follow `use` entries back to where the type is defined. */
function origin(a: Analysis, entry: TypeEntry): TypeEntry {
  let e = entry;
  for (let n = 0; n < 64 && e.origin === "use" && e.from; n++) {
    const from = e.from;
    const iface = a.model.packages.flatMap((p) => p.interfaces).find((i) => i.qualifiedName === from);
    const next = iface?.types.find((t) => t.name === (e.fromName ?? e.name));
    if (!next) break;
    e = next;
  }
  return e;
}

function entryMarkdown(a: Analysis, entry: TypeEntry): string {
  const def = origin(a, entry);
  const ty = def.type;
  const shape = "owner" in ty ? `${ty.kind} ${def.name}${ty.kind === "resource" ? "" : " " + defToString(ty).replace(/^\w+ /, "")}` : `type ${def.name} = ${typeToString(ty)}`;
  const from = def !== entry || entry.origin === "use" ? `\n\nfrom \`${entry.from ?? ""}\`` : "";
  return "```wit\n" + shape + "\n```" + (def.docs ? `\n\n${def.docs}` : "") + from;
}

function symAt(a: Analysis, offset: number): Sym | undefined {
  let best: Sym | undefined;
  for (const s of a.syms) {
    if (s.span.file !== a.file) continue;
    if (offset >= s.span.start.offset && offset <= s.span.end.offset) {
      if (!best || s.span.end.offset - s.span.start.offset < best.span.end.offset - best.span.start.offset) best = s;
    }
  }
  return best;
}

// ---------- public helpers ----------

/** Hover text (doc comments and resolved shape) for the identifier or builtin type at `offset`. */
export function hoverAt(source: string, offset: number, options: EditorOptions = {}): WitHover | null {
  const a = analyze(source, options);
  const sym = symAt(a, offset);
  if (!sym) {
    const src = new SourceText(a.file, source);
    const tok = tokenize(src).tokens.find((t) => t.kind === "keyword" && offset >= t.start && offset <= t.end);
    if (tok && BUILTIN_DOCS[tok.value]) return { contents: `\`${tok.value}\` — ${BUILTIN_DOCS[tok.value]}`, span: src.span(tok.start, tok.end) };
    return null;
  }
  switch (sym.role) {
    case "type":
    case "use-name": {
      let entry: TypeEntry | undefined;
      if (sym.role === "use-name") entry = interfaceByPath(a, sym.path, sym.ctx)?.types.find((t) => t.name === sym.name);
      else entry = scopeTypes(a, sym.ctx).find((t) => t.name === sym.name);
      return entry ? { contents: entryMarkdown(a, entry), span: sym.span } : null;
    }
    case "iface": {
      const i = interfaceByPath(a, sym.path, sym.ctx);
      if (!i) return { contents: `interface \`${textOf(source, sym.path.span)}\` (not loaded)`, span: sym.span };
      return { contents: `interface \`${i.qualifiedName}\`${i.docs ? `\n\n${i.docs}` : ""}`, span: sym.span };
    }
    case "world": {
      const w = worldByPath(a, sym.path, sym.ctx);
      return w ? { contents: `world \`${w.qualifiedName}\`${w.docs ? `\n\n${w.docs}` : ""}`, span: sym.span } : null;
    }
    case "def": {
      if (sym.what === "interface") {
        const i = interfaceOf(a, sym.ctx);
        return { contents: `interface \`${i?.qualifiedName ?? sym.name}\`${sym.docs ? `\n\n${sym.docs}` : ""}`, span: sym.span };
      }
      if (sym.what === "world") {
        const w = worldOf(a, sym.ctx);
        return { contents: `world \`${w?.qualifiedName ?? sym.name}\`${sym.docs ? `\n\n${sym.docs}` : ""}`, span: sym.span };
      }
      if (sym.what === "function" && sym.typeText) {
        // The signature as written (aliases kept), then the docs.
        return { contents: "```wit\n" + `${sym.name}: ${sym.typeText}` + "\n```" + (sym.docs ? `\n\n${sym.docs}` : ""), span: sym.span };
      }
      const sig = sym.typeText ? `: ${sym.typeText}` : "";
      return { contents: "```wit\n" + `${sym.name}${sig}` + "\n```\n\n" + sym.what + (sym.docs ? `\n\n${sym.docs}` : ""), span: sym.span };
    }
  }
}

/** Where the type, interface or world named at `offset` is defined (within the loaded package and deps). */
export function definitionAt(source: string, offset: number, options: EditorOptions = {}): Span | null {
  const a = analyze(source, options);
  const sym = symAt(a, offset);
  if (!sym) return null;
  switch (sym.role) {
    case "type": {
      const e = scopeTypes(a, sym.ctx).find((t) => t.name === sym.name);
      return e ? origin(a, e).span : null;
    }
    case "use-name": {
      const e = interfaceByPath(a, sym.path, sym.ctx)?.types.find((t) => t.name === sym.name);
      return e ? origin(a, e).span : null;
    }
    case "iface": {
      const i = interfaceByPath(a, sym.path, sym.ctx);
      return i && !i.opaque ? i.span : null;
    }
    case "world":
      return worldByPath(a, sym.path, sym.ctx)?.span ?? null;
    case "def":
      return sym.defSpan;
  }
}

const TOP_KEYWORDS = ["package", "interface", "world", "use"];
const INTERFACE_KEYWORDS = ["use", "type", "record", "variant", "enum", "flags", "resource"];
const WORLD_KEYWORDS = ["import", "export", "include", "use", "type", "record", "variant", "enum", "flags", "resource"];
const RESOURCE_KEYWORDS = ["constructor"];

function kw(list: string[]): WitCompletion[] {
  return list.map((label) => ({ label, kind: "keyword" as const }));
}

/** Completions at `offset`: keywords for the position, types in scope, interface and world names. */
export function completionsAt(source: string, offset: number, options: EditorOptions = {}): WitCompletion[] {
  const a = analyze(source, options);
  const before = source.slice(0, offset).replace(/%?[A-Za-z0-9-]*$/, "");
  const ctx = contextAt(a, offset);
  const pkg = pkgOf(a, ctx);

  const typeItems = (): WitCompletion[] => [
    ...WIT_TYPE_KEYWORDS.map((t) => ({ label: t, kind: "keyword" as const, documentation: BUILTIN_DOCS[t] })),
    ...scopeTypes(a, ctx).map((t) => {
      const d = origin(a, t);
      return { label: t.name, kind: "type" as const, detail: "owner" in d.type ? defToString(d.type) : typeToString(d.type), documentation: d.docs };
    }),
  ];
  const interfaceItems = (): WitCompletion[] => {
    const out: WitCompletion[] = [];
    for (const i of pkg?.interfaces ?? []) out.push({ label: i.name, kind: "interface", detail: i.qualifiedName, documentation: i.docs });
    for (const alias of ctx.uses.keys()) out.push({ label: alias, kind: "interface", detail: "top-level use" });
    for (const p of a.model.packages) {
      if (p === pkg) continue;
      for (const i of p.interfaces) out.push({ label: i.qualifiedName, kind: "interface", documentation: i.docs });
    }
    return out;
  };
  const worldItems = (): WitCompletion[] =>
    a.model.packages.flatMap((p) => p.worlds.map((w) => ({ label: p === pkg ? w.name : w.qualifiedName, kind: "world" as const, documentation: w.docs })));

  const useList = /use\s+(%?[A-Za-z0-9:/@.-]+?)\.\{[^}]*$/.exec(before);
  if (useList) {
    const path = useList[1];
    const m = /^([^:]+):([^/]+)\/([^@]+)(?:@(.+))?$/.exec(path);
    const iface = m
      ? a.model.packages.find((p) => p.name === packageKey(m[1], m[2], m[4]))?.interfaces.find((i) => i.name === m[3])
      : (() => {
          const alias = ctx.uses.get(path.replace(/^%/, ""));
          if (alias) return interfaceByPath(a, alias, ctx);
          return pkg?.interfaces.find((i) => i.name === path.replace(/^%/, ""));
        })();
    return (iface?.types ?? []).map((t) => {
      const d = origin(a, t);
      return { label: t.name, kind: "type" as const, detail: "owner" in d.type ? defToString(d.type) : typeToString(d.type), documentation: d.docs };
    });
  }
  if (/\binclude\s+$/.test(before)) return worldItems();
  if (/\b(use|import|export)\s+$/.test(before) || /\b(import|export)\s+%?[a-zA-Z][a-zA-Z0-9-]*\s*:\s*$/.test(before)) {
    const items = interfaceItems();
    if (/\b(import|export)\s+%?[a-zA-Z][a-zA-Z0-9-]*\s*:\s*$/.test(before)) {
      items.push({ label: "func", kind: "snippet", insertText: "func(${1}) -> ${2:u32};" }, { label: "async func", kind: "snippet", insertText: "async func(${1});" }, { label: "interface", kind: "snippet", insertText: "interface {\n\t$0\n}" });
    }
    return items;
  }
  const last = before.trimEnd();
  const stmt = last.slice(Math.max(last.lastIndexOf(";"), last.lastIndexOf("{"), last.lastIndexOf("}")) + 1);
  const count = (re: RegExp) => stmt.match(re)?.length ?? 0;
  const arrows = count(/->/g);
  const inParens = count(/\(/g) > count(/\)/g) || count(/</g) > count(/>/g) - arrows;
  const insideRecordOrVariant = /\b(record|variant)\s+%?[a-zA-Z][a-zA-Z0-9-]*\s*\{[^{}]*$/.test(source.slice(0, offset));
  if (/(->|<|=)$/.test(last) || (/[:,(]$/.test(last) && (inParens || insideRecordOrVariant))) return typeItems();
  // Case and flag names are new names: nothing to complete.
  if (/\b(enum|flags)\s+%?[a-zA-Z][a-zA-Z0-9-]*\s*\{[^{}]*$/.test(source.slice(0, offset))) return [];
  if (/:$/.test(last)) {
    // `name:` at item level: a function (or, in a resource, a static function).
    return [
      { label: "func", kind: "snippet", insertText: "func(${1}) -> ${2:u32};" },
      { label: "async func", kind: "snippet", insertText: "async func(${1});" },
      ...(/\bresource\s+[^{}]*\{[^{}]*$/.test(source.slice(0, offset)) ? [{ label: "static func", kind: "snippet" as const, insertText: "static func(${1});" }] : []),
    ];
  }
  if (/\bresource\s+%?[a-zA-Z][a-zA-Z0-9-]*\s*\{[^{}]*$/.test(source.slice(0, offset))) return kw(RESOURCE_KEYWORDS);
  if (ctx.world && !ctx.inline) return kw(WORLD_KEYWORDS);
  if (ctx.iface || ctx.inline) return kw(INTERFACE_KEYWORDS);
  return kw(TOP_KEYWORDS);
}

/** The innermost interface / world / inline interface around `offset`. */
function contextAt(a: Analysis, offset: number): Ctx {
  const inside = (s: Span) => offset > s.start.offset && offset < s.end.offset;
  let ctx: Ctx = { pkg: a.model.root, uses: new Map() };
  const visit = (items: TopItem[], base: Ctx) => {
    const c: Ctx = { ...base, uses: new Map() };
    for (const item of items) if (item.kind === "toplevel-use") c.uses.set((item.as ?? item.path.name).name, item.path);
    ctx = c;
    for (const item of items) {
      if (item.kind === "package" && inside(item.span)) {
        visit(item.items, { pkg: packageKey(item.name.namespace.name, item.name.name.name, item.name.version), uses: new Map() });
        return;
      }
      if (item.kind === "interface" && inside(item.span)) {
        ctx = { ...c, iface: item };
        return;
      }
      if (item.kind === "world" && inside(item.span)) {
        ctx = { ...c, world: item };
        for (const w of item.items) {
          if ((w.kind === "import" || w.kind === "export") && w.target.kind === "interface" && inside(w.span)) {
            ctx = { ...c, world: item, inline: w.target.name.name };
          }
        }
        return;
      }
    }
  };
  const pkg = a.ast.package ? packageKey(a.ast.package.namespace.name, a.ast.package.name.name, a.ast.package.version) : a.model.root;
  visit(a.ast.items, { pkg, uses: new Map() });
  return ctx;
}

/** Every WIT keyword, for clients that want a flat list. */
export const WIT_KEYWORDS: readonly string[] = KEYWORDS.filter((k) => k !== "_");
