// Recursive-descent WIT parser with error recovery: a syntax error inside an
// item skips to the end of that item (`;`, the closing `}`, or the next item
// keyword on a new line), so an editor gets every error in a file at once.
import type {
  Case, ExternTarget, Field, FuncType, Gate, Ident, IncludeItem, InterfaceDecl, InterfaceItem,
  NameOnly, NestedPackage, PackageName, Param, PrimitiveName, ResourceFunc, TopItem, ToplevelUse,
  TypeDefItem, TypeExpr, UseItem, UsePath, WitFile, WorldDecl, WorldItem,
} from "./ast";
import type { Span, WitError, WitErrorKind } from "./errors";
import { SourceText, tokenize, type Token } from "./lexer";

export interface ParseResult {
  ast: WitFile;
  errors: WitError[];
}

/** Refuse absurd inputs up front rather than burning CPU on them. */
export const MAX_FILE_CHARS = 8 * 1024 * 1024;
const MAX_DEPTH = 100;

class ParseFail {
  constructor(readonly error: WitError) {}
}

const PRIMITIVES: ReadonlySet<string> = new Set([
  "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "string", "error-context",
]);
const ITEM_KEYWORDS = new Set([
  "type", "record", "variant", "enum", "flags", "resource", "use", "import", "export", "include",
  "interface", "world", "package", "constructor",
]);
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?/;
const LOOSE_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?/;

/** Full semver 2.0: no leading zeros in numeric core parts or numeric pre-release identifiers. */
export function validSemver(v: string): boolean {
  const m = SEMVER.exec(v);
  if (!m || m[0] !== v) return false;
  return !(m[4] ?? "").split(".").some((id) => /^0\d+$/.test(id));
}

export function parseWit(text: string, file = "input.wit"): ParseResult {
  const src = new SourceText(file, text);
  if (text.length > MAX_FILE_CHARS) {
    return {
      ast: { file, items: [] },
      errors: [{ kind: "too-large", message: `file is larger than ${MAX_FILE_CHARS} characters`, span: src.span(0, 0) }],
    };
  }
  const lexed = tokenize(src);
  const p = new Parser(src, lexed.tokens);
  const ast = p.parseFile();
  return { ast, errors: [...lexed.errors, ...p.errors].sort((a, b) => a.span.start.offset - b.span.start.offset) };
}

/** The doc comment attached to a token, as one string. */
export function docsText(t: Token | undefined): string | undefined {
  return t?.docs?.length ? t.docs.join("\n") : undefined;
}

class Parser {
  readonly errors: WitError[] = [];
  private pos = 0;
  constructor(private readonly src: SourceText, private readonly toks: Token[]) {}

  // ---------- token helpers ----------
  private peek(n = 0): Token {
    return this.toks[Math.min(this.pos + n, this.toks.length - 1)];
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }
  private is(t: Token, value: string): boolean {
    return (t.kind === "punct" || t.kind === "keyword") && t.value === value;
  }
  private at(value: string): boolean {
    return this.is(this.peek(), value);
  }
  private eat(value: string): Token | undefined {
    if (this.at(value)) return this.next();
    return undefined;
  }
  private span(start: number, end: number): Span {
    return this.src.span(start, end);
  }
  private spanFrom(startTok: Token): Span {
    const prev = this.toks[Math.max(0, this.pos - 1)];
    return this.span(startTok.start, Math.max(prev.end, startTok.end));
  }
  private describe(t: Token): string {
    switch (t.kind) {
      case "eof": return "end of file";
      case "id": return `identifier '${t.value}'`;
      case "keyword": return `keyword '${t.value}'`;
      case "int": return `integer '${t.value}'`;
      case "string": return "a string";
      case "punct": return `'${t.value}'`;
    }
  }
  private fail(message: string, t: Token = this.peek(), kind: WitErrorKind = "syntax"): never {
    throw new ParseFail({ kind, message, span: this.span(t.start, t.end) });
  }
  /** Reported at the token found (as wit-parser does), end of file included. */
  private expected(what: string): never {
    const t = this.peek();
    this.fail(`expected ${what}, found ${this.describe(t)}`, t);
  }
  private expect(value: string): Token {
    const t = this.eat(value);
    if (!t) this.expected(`'${value}'`);
    return t;
  }
  private ident(): Ident {
    const t = this.peek();
    if (t.kind !== "id") this.expected("an identifier");
    this.next();
    return { name: t.value, span: this.span(t.start, t.end) };
  }
  private report(e: unknown): void {
    if (e instanceof ParseFail) this.errors.push(e.error);
    else throw e;
  }
  private firstOnLine(t: Token): boolean {
    const text = this.src.text;
    for (let i = t.start - 1; i >= 0; i--) {
      const c = text[i];
      if (c === "\n") return true;
      if (c !== " " && c !== "\t" && c !== "\r") return false;
    }
    return true;
  }
  /** Does `t` look like the start of a new item (so recovery may stop before it)? */
  private startsItem(i: number): boolean {
    const t = this.toks[i];
    if (!this.firstOnLine(t)) return false;
    if (t.kind === "keyword" && ITEM_KEYWORDS.has(t.value)) return true;
    if (t.kind === "punct" && t.value === "@") return true;
    return t.kind === "id" && this.is(this.toks[Math.min(i + 1, this.toks.length - 1)], ":");
  }
  /**
   * Skip to the end of a broken item: past the next `;` at this nesting level,
   * or up to (not past) the `}` closing the enclosing block, or up to the next
   * item keyword starting a line. Always makes progress.
   */
  private recover(failedAt: number): void {
    let depth = 0;
    if (this.pos === failedAt && this.peek().kind !== "eof" && !this.at("}")) this.pos++;
    while (this.peek().kind !== "eof") {
      const t = this.peek();
      if (depth === 0) {
        if (this.is(t, ";")) {
          this.pos++;
          return;
        }
        if (this.is(t, "}")) return;
        if (this.pos > failedAt && this.startsItem(this.pos)) return;
      }
      if (this.is(t, "{") || this.is(t, "(")) depth++;
      else if (this.is(t, "}") || this.is(t, ")")) depth = Math.max(0, depth - 1);
      this.pos++;
    }
  }

  // ---------- file ----------
  parseFile(): WitFile {
    const file: WitFile = { file: this.src.file, items: [] };
    if (this.at("package")) {
      const startPos = this.pos;
      const kw = this.peek();
      try {
        this.next();
        const name = this.packageName();
        if (this.eat(";")) {
          const docsSpan = kw.docs?.length && kw.docsStart !== undefined ? this.span(kw.docsStart, kw.docsStart) : undefined;
          file.package = { ...name, docs: docsText(kw), docsSpan };
        } else {
          this.pos = startPos;
        }
      } catch (e) {
        this.report(e);
        this.recover(startPos);
      }
    }
    file.items = this.topItems(false, 0);
    return file;
  }

  private topItems(nested: boolean, depth: number): TopItem[] {
    const items: TopItem[] = [];
    while (this.peek().kind !== "eof") {
      if (nested && this.at("}")) break;
      if (!nested && this.at("}")) {
        this.errors.push({ kind: "syntax", message: "unexpected '}'", span: this.span(this.peek().start, this.peek().end) });
        this.next();
        continue;
      }
      const start = this.pos;
      try {
        items.push(this.topItem(depth));
      } catch (e) {
        this.report(e);
        this.recover(start);
        if (!nested && this.at("}")) this.next();
      }
    }
    return items;
  }

  private topItem(depth: number): TopItem {
    const first = this.peek();
    const gates = this.gates();
    const t = this.peek();
    if (this.is(t, "interface")) return this.interfaceDecl(first, gates);
    if (this.is(t, "world")) return this.worldDecl(first, gates);
    if (this.is(t, "use")) return this.toplevelUse(first, gates);
    if (this.is(t, "package")) return this.nestedPackage(first, gates, depth);
    this.expected("'interface', 'world', 'use' or 'package'");
  }

  private packageName(): PackageName {
    const namespace = this.ident();
    this.expect(":");
    const name = this.ident();
    const version = this.optVersion();
    const end = this.toks[this.pos - 1].end;
    return { namespace, name, version, span: this.span(namespace.span.start.offset, end) };
  }

  private nestedPackage(first: Token, gates: Gate[], depth: number): NestedPackage {
    const kw = this.expect("package");
    if (gates.length) this.fail("attributes are not allowed on nested packages", first, "invalid-gate");
    if (depth >= MAX_DEPTH) this.fail("package nesting too deep", kw, "too-deep");
    const name = this.packageName();
    this.expect("{");
    const items = this.topItems(true, depth + 1);
    this.expect("}");
    return { kind: "package", name, items, gates, docs: docsText(first), span: this.spanFrom(first) };
  }

  private optVersion(): string | undefined {
    if (!this.at("@")) return undefined;
    this.next();
    return this.version();
  }

  /** A semver read from the raw text (the token stream splits it at `.`/`-`). */
  private version(): string {
    const t = this.peek();
    const rest = this.src.text.slice(t.start, t.start + 256);
    const m = LOOSE_VERSION.exec(rest);
    if (!m || t.kind !== "int") this.fail(`expected a semver version like 1.2.3, found ${this.describe(t)}`, t, "invalid-version");
    const endOffset = t.start + m[0].length;
    while (this.peek().kind !== "eof" && this.peek().end <= endOffset) {
      // wit-parser reads versions token by token: a keyword (`1.0.0+u32`) ends it.
      if (this.peek().kind === "keyword") this.fail(`'${this.peek().value}' is a keyword and cannot be part of a version`, this.peek(), "invalid-version");
      this.pos++;
    }
    if (!validSemver(m[0])) {
      throw new ParseFail({ kind: "invalid-version", message: `invalid version '${m[0]}' (leading zeros are not allowed)`, span: this.span(t.start, endOffset) });
    }
    return m[0];
  }

  private usePath(): UsePath {
    const first = this.ident();
    if (!this.eat(":")) return { kind: "local", name: first, span: first.span };
    const pkg = this.ident();
    this.expect("/");
    const name = this.ident();
    const version = this.optVersion();
    const end = this.toks[this.pos - 1].end;
    return { kind: "qualified", namespace: first, package: pkg, name, version, span: this.span(first.span.start.offset, end) };
  }

  private toplevelUse(first: Token, gates: Gate[]): ToplevelUse {
    this.expect("use");
    const path = this.usePath();
    const as = this.eat("as") ? this.ident() : undefined;
    this.expect(";");
    if (gates.length) {
      throw new ParseFail({ kind: "invalid-gate", message: "attributes are not allowed on a top-level use", span: gates[0].span });
    }
    return { kind: "toplevel-use", path, as, gates, docs: docsText(first), span: this.spanFrom(first) };
  }

  // ---------- gates ----------
  private gates(): Gate[] {
    const gates: Gate[] = [];
    while (this.at("@")) {
      const at = this.next();
      const name = this.ident();
      const span = () => this.spanFrom(at);
      switch (name.name) {
        case "since":
        case "deprecated": {
          this.expect("(");
          this.gateField("version");
          this.expect("=");
          const version = this.version();
          this.expect(")");
          gates.push({ kind: name.name, version, span: span() });
          break;
        }
        case "unstable": {
          this.expect("(");
          this.gateField("feature");
          this.expect("=");
          const feature = this.ident().name;
          this.expect(")");
          gates.push({ kind: "unstable", feature, span: span() });
          break;
        }
        case "external-id": {
          this.expect("(");
          const s = this.peek();
          if (s.kind !== "string") this.expected("a string");
          this.next();
          this.expect(")");
          gates.push({ kind: "external-id", id: s.value, span: span() });
          break;
        }
        default:
          throw new ParseFail({ kind: "invalid-gate", message: `unknown attribute '@${name.name}'`, span: name.span });
      }
    }
    return gates;
  }
  private gateField(expected: string): void {
    const id = this.ident();
    if (id.name !== expected) {
      throw new ParseFail({ kind: "invalid-gate", message: `expected '${expected}', found '${id.name}'`, span: id.span });
    }
  }

  // ---------- interfaces ----------
  private interfaceDecl(first: Token, gates: Gate[]): InterfaceDecl {
    this.expect("interface");
    const name = this.ident();
    const items = this.interfaceBody();
    return { kind: "interface", name, items, gates, docs: docsText(first), span: this.spanFrom(first) };
  }

  /** `{ items }`; errors inside are recovered item by item. */
  private interfaceBody(): InterfaceItem[] {
    this.expect("{");
    const items: InterfaceItem[] = [];
    while (!this.at("}") && this.peek().kind !== "eof") {
      const start = this.pos;
      try {
        items.push(this.interfaceItem());
      } catch (e) {
        this.report(e);
        this.recover(start);
      }
    }
    this.expect("}");
    return items;
  }

  private interfaceItem(): InterfaceItem {
    const first = this.peek();
    const gates = this.gates();
    const t = this.peek();
    if (this.is(t, "use")) return this.useItem(first, gates);
    if (t.kind === "keyword" && ["type", "record", "variant", "enum", "flags", "resource"].includes(t.value)) {
      return this.typeDef(first, gates);
    }
    if (t.kind === "id") {
      const name = this.ident();
      this.expect(":");
      const func = this.funcType();
      this.expect(";");
      return { kind: "func", name, func, gates, docs: docsText(first), span: this.spanFrom(first) };
    }
    this.expected("'type', 'record', 'variant', 'enum', 'flags', 'resource', 'use' or a function");
  }

  private useItem(first: Token, gates: Gate[]): UseItem {
    this.expect("use");
    const path = this.usePath();
    this.expect(".");
    this.expect("{");
    const names: UseItem["names"] = [];
    while (!this.at("}")) {
      const name = this.ident();
      const as = this.eat("as") ? this.ident() : undefined;
      names.push({ name, as });
      if (!this.eat(",")) {
        if (!this.at("}")) this.expected("',' or '}'");
        break;
      }
    }
    this.expect("}");
    this.expect(";");
    return { kind: "use", path, names, gates, docs: docsText(first), span: this.spanFrom(first) };
  }

  private funcType(): FuncType {
    const start = this.peek();
    const isAsync = !!this.eat("async");
    this.expect("func");
    const params = this.params();
    const result = this.eat("->") ? this.type(0) : undefined;
    return { async: isAsync, params, result, span: this.spanFrom(start) };
  }

  private params(): Param[] {
    this.expect("(");
    const params: Param[] = [];
    while (!this.at(")")) {
      const name = this.ident();
      this.expect(":");
      params.push({ name, type: this.type(0) });
      if (!this.eat(",")) {
        if (!this.at(")")) this.expected("',' or ')'");
        break;
      }
    }
    this.expect(")");
    return params;
  }

  /** `{ a, b, c }` lists (fields, cases, flags); a trailing comma is allowed. */
  private braceList<T>(item: (docs: string | undefined) => T): T[] {
    this.expect("{");
    const out: T[] = [];
    const start = this.pos;
    try {
      while (!this.at("}")) {
        const docs = docsText(this.peek());
        out.push(item(docs));
        if (!this.eat(",")) {
          if (!this.at("}")) this.expected("',' or '}'");
          break;
        }
      }
      this.expect("}");
    } catch (e) {
      // Keep what parsed; skip to this list's `}` so the enclosing item survives.
      this.report(e);
      this.skipListRest(start);
    }
    return out;
  }

  /** After an error inside `{ … }`: skip past the matching `}`; stop early at a `;` or a new item line. */
  private skipListRest(start: number): void {
    let depth = 0;
    while (this.peek().kind !== "eof") {
      const t = this.peek();
      if (this.is(t, "{")) depth++;
      else if (this.is(t, "}")) {
        if (depth === 0) {
          this.pos++;
          return;
        }
        depth--;
      } else if (depth === 0 && (this.is(t, ";") || (this.pos > start && this.startsItem(this.pos) && !this.is(this.peek(1), ":")))) {
        return;
      }
      this.pos++;
    }
  }

  private typeDef(first: Token, gates: Gate[]): TypeDefItem {
    const kw = this.next();
    const name = this.ident();
    const base = { name, gates, docs: docsText(first) };
    switch (kw.value) {
      case "type": {
        this.expect("=");
        const target = this.type(0);
        this.expect(";");
        return { ...base, kind: "alias", target, span: this.spanFrom(first) };
      }
      case "record": {
        const fields = this.braceList<Field>((docs) => {
          const s = this.peek();
          const fname = this.ident();
          this.expect(":");
          return { name: fname, type: this.type(0), docs, span: this.spanFrom(s) };
        });
        return { ...base, kind: "record", fields, span: this.spanFrom(first) };
      }
      case "variant": {
        const cases = this.braceList<Case>((docs) => {
          const s = this.peek();
          const cname = this.ident();
          let type: TypeExpr | undefined;
          if (this.eat("(")) {
            type = this.type(0);
            this.expect(")");
          }
          return { name: cname, type, docs, span: this.spanFrom(s) };
        });
        return { ...base, kind: "variant", cases, span: this.spanFrom(first) };
      }
      case "enum":
      case "flags": {
        const names = this.braceList<NameOnly>((docs) => {
          const n = this.ident();
          return { name: n, docs, span: n.span };
        });
        return kw.value === "enum"
          ? { ...base, kind: "enum", cases: names, span: this.spanFrom(first) }
          : { ...base, kind: "flags", flags: names, span: this.spanFrom(first) };
      }
      case "resource": {
        if (this.eat(";")) return { ...base, kind: "resource", span: this.spanFrom(first) };
        this.expect("{");
        const funcs: ResourceFunc[] = [];
        while (!this.at("}") && this.peek().kind !== "eof") {
          const start = this.pos;
          try {
            funcs.push(this.resourceFunc());
          } catch (e) {
            this.report(e);
            this.recover(start);
          }
        }
        this.expect("}");
        return { ...base, kind: "resource", funcs, span: this.spanFrom(first) };
      }
    }
    this.fail("expected a type definition", kw);
  }

  private resourceFunc(): ResourceFunc {
    const first = this.peek();
    const gates = this.gates();
    const docs = docsText(first);
    const t = this.peek();
    if (this.is(t, "constructor")) {
      this.next();
      const params = this.params();
      const result = this.eat("->") ? this.type(0) : undefined;
      this.expect(";");
      const span = this.spanFrom(first);
      return {
        kind: "constructor",
        name: { name: "constructor", span: this.span(t.start, t.end) },
        func: { async: false, params, result, span: this.spanFrom(t) },
        gates, docs, span,
      };
    }
    if (t.kind !== "id") this.expected("'constructor' or a method name");
    const name = this.ident();
    this.expect(":");
    const isStatic = !!this.eat("static");
    const func = this.funcType();
    this.expect(";");
    return { kind: isStatic ? "static" : "method", name, func, gates, docs, span: this.spanFrom(first) };
  }

  // ---------- types ----------
  private type(depth: number): TypeExpr {
    const t = this.peek();
    if (depth >= MAX_DEPTH) this.fail("type nesting too deep", t, "too-deep");
    const one = () => this.type(depth + 1);
    if (t.kind === "id") {
      this.next();
      const name = { name: t.value, span: this.span(t.start, t.end) };
      return { kind: "named", name, span: name.span };
    }
    if (t.kind !== "keyword") this.expected("a type");
    if (PRIMITIVES.has(t.value)) {
      this.next();
      return { kind: "primitive", name: t.value as PrimitiveName, span: this.span(t.start, t.end) };
    }
    this.next();
    switch (t.value) {
      case "list": {
        this.expect("<");
        const element = one();
        let length: number | undefined;
        if (this.eat(",")) {
          const n = this.peek();
          if (n.kind !== "int") this.expected("a fixed list length");
          this.next();
          length = Number(n.value);
          if (!Number.isSafeInteger(length) || length > 0xffffffff) this.fail(`invalid list size '${n.value}'`, n, "invalid-type");
        }
        this.expect(">");
        return { kind: "list", element, length, span: this.spanFrom(t) };
      }
      case "map": {
        this.expect("<");
        const key = one();
        this.expect(",");
        const value = one();
        this.expect(">");
        return { kind: "map", key, value, span: this.spanFrom(t) };
      }
      case "option": {
        this.expect("<");
        const inner = one();
        this.expect(">");
        return { kind: "option", inner, span: this.spanFrom(t) };
      }
      case "result": {
        let ok: TypeExpr | undefined;
        let err: TypeExpr | undefined;
        if (this.eat("<")) {
          if (this.eat("_")) {
            this.expect(",");
            err = one();
          } else {
            ok = one();
            if (this.eat(",")) err = one();
          }
          this.expect(">");
        }
        return { kind: "result", ok, err, span: this.spanFrom(t) };
      }
      case "tuple": {
        this.expect("<");
        const elements: TypeExpr[] = [];
        while (!this.at(">")) {
          elements.push(one());
          if (!this.eat(",")) {
            if (!this.at(">")) this.expected("',' or '>'");
            break;
          }
        }
        this.expect(">");
        return { kind: "tuple", elements, span: this.spanFrom(t) };
      }
      case "own":
      case "borrow": {
        this.expect("<");
        const resource = this.ident();
        this.expect(">");
        return { kind: "handle", handle: t.value, resource, span: this.spanFrom(t) };
      }
      case "future":
      case "stream": {
        let inner: TypeExpr | undefined;
        if (this.eat("<")) {
          inner = one();
          this.expect(">");
        }
        return { kind: t.value, inner, span: this.spanFrom(t) };
      }
    }
    this.pos--;
    this.expected("a type");
  }

  // ---------- worlds ----------
  private worldDecl(first: Token, gates: Gate[]): WorldDecl {
    this.expect("world");
    const name = this.ident();
    this.expect("{");
    const items: WorldItem[] = [];
    while (!this.at("}") && this.peek().kind !== "eof") {
      const start = this.pos;
      try {
        items.push(this.worldItem());
      } catch (e) {
        this.report(e);
        this.recover(start);
      }
    }
    this.expect("}");
    return { kind: "world", name, items, gates, docs: docsText(first), span: this.spanFrom(first) };
  }

  private worldItem(): WorldItem {
    const first = this.peek();
    const gates = this.gates();
    const t = this.peek();
    if (this.is(t, "import") || this.is(t, "export")) {
      this.next();
      const target = this.externTarget();
      return { kind: t.value as "import" | "export", target, gates, docs: docsText(first), span: this.spanFrom(first) };
    }
    if (this.is(t, "use")) return this.useItem(first, gates);
    if (this.is(t, "include")) return this.includeItem(first, gates);
    if (t.kind === "keyword" && ["type", "record", "variant", "enum", "flags", "resource"].includes(t.value)) {
      return this.typeDef(first, gates);
    }
    this.expected("'import', 'export', 'include', 'use' or a type definition");
  }

  private externTarget(): ExternTarget {
    // `a:b/c` is an interface path; `a: func`, `a: interface {`, `a: b` and
    // `a: b:c/d` give a plain name `a` to a function, inline interface or interface.
    if (this.peek().kind === "id" && this.is(this.peek(1), ":")) {
      const afterColon = this.peek(2);
      const qualified = afterColon.kind === "id" && this.is(this.peek(3), "/");
      if (!qualified) {
        const name = this.ident();
        this.expect(":");
        if (this.at("func") || this.at("async")) {
          const func = this.funcType();
          this.expect(";");
          return { kind: "func", name, func };
        }
        if (this.eat("interface")) {
          const items = this.interfaceBody();
          return { kind: "interface", name, items };
        }
        const path = this.usePath();
        this.expect(";");
        return { kind: "named-path", name, path };
      }
    }
    const path = this.usePath();
    this.expect(";");
    return { kind: "path", path };
  }

  private includeItem(first: Token, gates: Gate[]): IncludeItem {
    this.expect("include");
    const path = this.usePath();
    const withNames: IncludeItem["with"] = [];
    if (this.eat("with")) {
      this.expect("{");
      while (!this.at("}")) {
        const name = this.ident();
        this.expect("as");
        withNames.push({ name, as: this.ident() });
        if (!this.eat(",")) {
          if (!this.at("}")) this.expected("',' or '}'");
          break;
        }
      }
      this.expect("}");
      this.eat(";");
    } else {
      this.expect(";");
    }
    return { kind: "include", path, with: withNames, gates, docs: docsText(first), span: this.spanFrom(first) };
  }
}
