// WIT packages encoded as WebAssembly components (`deps/x.wasm`, or the text
// form `deps/x.wat`), as wit-parser accepts them in a deps folder. Both forms
// are read into one small model and printed back as WIT text, which the
// ordinary parser and resolver then handle like any dependency.
//
// Supported: the package encoding of interfaces and worlds whose functions use
// primitive types and list/option/result/tuple of them, and worlds importing
// or exporting interfaces by name. Anything else (type definitions, resources,
// `use` between interfaces) is refused with a clear message, never guessed.

export interface DecodedPackage {
  /** WIT text equivalent to the encoded package. */
  text: string;
}

export type DecodeResult = { ok: true; pkg: DecodedPackage } | { ok: false; error: string };

type ValType =
  | { kind: "prim"; name: string }
  | { kind: "list"; of: ValType }
  | { kind: "option"; of: ValType }
  | { kind: "result"; ok?: ValType; err?: ValType }
  | { kind: "tuple"; of: ValType[] };

interface Func {
  name: string;
  params: { name: string; type: ValType }[];
  result?: ValType;
}

/** One interface or world of the package: `qualified` is `ns:pkg/name@version`. */
interface Item {
  kind: "interface" | "world";
  qualified: string;
  funcs: Func[];
  imports: string[];
  exports: string[];
}

class Unsupported extends Error {}

const PRIMS: Record<number, string> = {
  0x7f: "bool", 0x7e: "s8", 0x7d: "u8", 0x7c: "s16", 0x7b: "u16", 0x7a: "s32", 0x79: "u32",
  0x78: "s64", 0x77: "u64", 0x76: "f32", 0x75: "f64", 0x74: "char", 0x73: "string", 0x64: "error-context",
};
const PRIM_NAMES = new Set(Object.values(PRIMS));

function typeText(t: ValType): string {
  switch (t.kind) {
    case "prim": return t.name;
    case "list": return `list<${typeText(t.of)}>`;
    case "option": return `option<${typeText(t.of)}>`;
    case "tuple": return `tuple<${t.of.map(typeText).join(", ")}>`;
    case "result":
      if (!t.ok && !t.err) return "result";
      if (!t.err) return `result<${typeText(t.ok!)}>`;
      return `result<${t.ok ? typeText(t.ok) : "_"}, ${typeText(t.err)}>`;
  }
}

const QUALIFIED = /^([a-z][a-z0-9-]*):([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)(?:@([0-9A-Za-z.+-]+))?$/;

/** The package's items as WIT text (every item must belong to one package). */
function toWit(items: Item[]): DecodeResult {
  if (!items.length) return { ok: false, error: "the component encodes no WIT interface or world" };
  let pkg: string | undefined;
  const body: string[] = [];
  for (const it of items) {
    const m = QUALIFIED.exec(it.qualified);
    if (!m) return { ok: false, error: `\`${it.qualified}\` is not a qualified WIT name (ns:pkg/name)` };
    const p = `${m[1]}:${m[2]}${m[4] ? `@${m[4]}` : ""}`;
    if (pkg && p !== pkg) return { ok: false, error: `items of two packages (\`${pkg}\`, \`${p}\`) in one encoded package` };
    pkg = p;
    const name = `%${m[3]}`;
    const funcs = it.funcs.map((f) => {
      const params = f.params.map((x) => `%${x.name}: ${typeText(x.type)}`).join(", ");
      return `%${f.name}: func(${params})${f.result ? ` -> ${typeText(f.result)}` : ""};`;
    });
    if (it.kind === "interface") body.push(`interface ${name} {\n${funcs.map((f) => `  ${f}\n`).join("")}}`);
    else {
      const lines = [
        ...it.imports.map((i) => `  import ${i};`),
        ...it.exports.map((e) => `  export ${e};`),
        ...funcs.map((f) => `  import ${f}`),
      ];
      body.push(`world ${name} {\n${lines.map((l) => `${l}\n`).join("")}}`);
    }
  }
  return { ok: true, pkg: { text: `package ${pkg};\n\n${body.join("\n\n")}\n` } };
}

// ---------------------------------------------------------------- binary

/** Nesting deeper than this is refused (a crafted file must not exhaust the stack). */
const MAX_NESTING = 100;

class Reader {
  pos = 0;
  depth = 0;
  constructor(readonly b: Uint8Array, readonly end = b.length) {}
  byte(): number {
    if (this.pos >= this.end) throw new Unsupported("unexpected end of the component binary");
    return this.b[this.pos++];
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
      if (shift > 35) throw new Unsupported("malformed LEB128 integer");
    }
  }
  name(): string {
    const n = this.u32();
    if (this.pos + n > this.end) throw new Unsupported("name runs past the end of its section");
    const s = new TextDecoder("utf-8", { fatal: true }).decode(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  /** Export/import names: a plain or versioned kebab name (0x00, or 0x01 with an empty version suffix field). */
  externName(): string {
    const tag = this.byte();
    if (tag !== 0x00 && tag !== 0x01) throw new Unsupported(`unknown extern-name form 0x${tag.toString(16)}`);
    return this.name();
  }
}

/** Declarations of a component or instance type; `types` is its local type index space. */
interface Scope {
  types: ({ kind: "func"; func: Omit<Func, "name"> } | { kind: "val"; type: ValType } | { kind: "instance"; decls: Decl[] } | { kind: "component"; decls: Decl[] })[];
}
type Decl =
  | { kind: "export" | "import"; name: string; desc: { sort: "func" | "instance" | "component" | "type"; type: number } };

function valType(r: Reader, scope: Scope): ValType {
  const b = r.byte();
  if (PRIMS[b]) return { kind: "prim", name: PRIMS[b] };
  // A type index (s33, here non-negative and small): only to defined value types.
  r.pos--;
  const i = r.u32();
  const t = scope.types[i];
  if (!t || t.kind !== "val") throw new Unsupported(`type index ${i} is not a supported value type`);
  return t.type;
}

function definedType(r: Reader, scope: Scope): Scope["types"][number] {
  const b = r.byte();
  switch (b) {
    case 0x70: return { kind: "val", type: { kind: "list", of: valType(r, scope) } };
    case 0x6b: return { kind: "val", type: { kind: "option", of: valType(r, scope) } };
    case 0x6f: {
      const n = r.u32();
      const of: ValType[] = [];
      for (let i = 0; i < n; i++) of.push(valType(r, scope));
      return { kind: "val", type: { kind: "tuple", of } };
    }
    case 0x6a: {
      const ok = r.byte() === 0x01 ? valType(r, scope) : undefined;
      const err = r.byte() === 0x01 ? valType(r, scope) : undefined;
      return { kind: "val", type: { kind: "result", ok, err } };
    }
    case 0x40: {
      const n = r.u32();
      const params: Func["params"] = [];
      for (let i = 0; i < n; i++) params.push({ name: r.name(), type: valType(r, scope) });
      const tag = r.byte();
      let result: ValType | undefined;
      if (tag === 0x00) result = valType(r, scope);
      else if (tag === 0x01) {
        if (r.u32() !== 0) throw new Unsupported("named function results are not supported");
      } else throw new Unsupported("malformed function result");
      return { kind: "func", func: { params, result } };
    }
    case 0x42:
    case 0x41: {
      if (++r.depth > MAX_NESTING) throw new Unsupported("types nested too deeply");
      const inner: Scope = { types: [] };
      const decls = declarations(r, inner, b === 0x41);
      r.depth--;
      return b === 0x42 ? { kind: "instance", decls: withFuncs(decls, inner) } : { kind: "component", decls };
    }
    default:
      if (PRIMS[b]) return { kind: "val", type: { kind: "prim", name: PRIMS[b] } };
      throw new Unsupported(`type form 0x${b.toString(16)} (records, variants, resources, …) is not supported yet`);
  }
}

/** Functions exported by an instance type, resolved to their signatures. */
const instanceFuncs = new WeakMap<Decl[], Func[]>();
function withFuncs(decls: Decl[], scope: Scope): Decl[] {
  const funcs: Func[] = [];
  for (const d of decls) {
    if (d.kind !== "export") continue;
    if (d.desc.sort !== "func") throw new Unsupported(`instance exports of kind ${d.desc.sort} are not supported yet`);
    const t = scope.types[d.desc.type];
    if (t?.kind !== "func") throw new Unsupported(`export \`${d.name}\` does not name a function type`);
    funcs.push({ name: d.name, ...t.func });
  }
  instanceFuncs.set(decls, funcs);
  return decls;
}

function externDesc(r: Reader): Decl["desc"] {
  const sort = r.byte();
  if (sort === 0x01) return { sort: "func", type: r.u32() };
  if (sort === 0x04) return { sort: "component", type: r.u32() };
  if (sort === 0x05) return { sort: "instance", type: r.u32() };
  throw new Unsupported(`extern kind 0x${sort.toString(16)} is not supported`);
}

function declarations(r: Reader, scope: Scope, component: boolean): Decl[] {
  const n = r.u32();
  const decls: Decl[] = [];
  for (let i = 0; i < n; i++) {
    const tag = r.byte();
    if (tag === 0x01) scope.types.push(definedType(r, scope));
    else if (tag === 0x04) decls.push({ kind: "export", name: r.externName(), desc: externDesc(r) });
    else if (tag === 0x03 && component) decls.push({ kind: "import", name: r.externName(), desc: externDesc(r) });
    else throw new Unsupported(`declaration 0x${tag.toString(16)} (aliases, core types) is not supported yet`);
  }
  return decls;
}

/** An exported package item: the component type whose last export is `ns:pkg/name` (an instance → interface, a component → world). */
function itemOf(t: Scope["types"][number] | undefined): Item {
  if (t?.kind !== "component") throw new Unsupported("a package item must be a component type");
  const last = t.decls.filter((d) => d.kind === "export").at(-1);
  if (!last) throw new Unsupported("a package item must export its interface or world");
  const scopeTypes = componentScopes.get(t.decls)!;
  const target = scopeTypes.types[last.desc.type];
  if (last.desc.sort === "instance" && target?.kind === "instance") {
    return { kind: "interface", qualified: last.name, funcs: instanceFuncs.get(target.decls) ?? [], imports: [], exports: [] };
  }
  if (last.desc.sort === "component" && target?.kind === "component") {
    const world: Item = { kind: "world", qualified: last.name, funcs: [], imports: [], exports: [] };
    for (const d of target.decls) {
      if (d.desc.sort !== "instance" || !QUALIFIED.test(d.name)) throw new Unsupported(`world item \`${d.name}\` is not an interface named by id`);
      (d.kind === "import" ? world.imports : world.exports).push(d.name);
    }
    return world;
  }
  throw new Unsupported(`\`${last.name}\` is neither an instance nor a component type`);
}
const componentScopes = new WeakMap<Decl[], Scope>();

/** Decode the binary form (`\0asm`, component layer). */
export function decodeWitPackageBinary(bytes: Uint8Array): DecodeResult {
  try {
    if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
      return { ok: false, error: "not a WebAssembly binary" };
    }
    if (bytes[6] !== 0x01 || bytes[7] !== 0x00) return { ok: false, error: "a core module, not a component encoding a WIT package" };
    const r = new Reader(bytes);
    r.pos = 8;
    const top: Scope = { types: [] };
    const items: Item[] = [];
    while (r.pos < bytes.length) {
      const id = r.byte();
      const size = r.u32();
      const end = r.pos + size;
      if (end > bytes.length) throw new Unsupported("section runs past the end of the file");
      const s = new Reader(bytes, end);
      s.pos = r.pos;
      if (id === 0x07) {
        const n = s.u32();
        for (let i = 0; i < n; i++) top.types.push(topType(s));
      } else if (id === 0x0b) {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          s.externName();
          const sort = s.byte();
          if (sort !== 0x03) throw new Unsupported("a WIT package exports only types");
          const idx = s.u32();
          if (s.byte() === 0x01) externDesc(s);
          items.push(itemOf(top.types[idx]));
        }
      } else if (id !== 0x00) {
        throw new Unsupported(`section ${id} does not belong in an encoded WIT package (is this a real component?)`);
      }
      r.pos = end;
    }
    return toWit(items);
  } catch (e) {
    if (e instanceof Unsupported || e instanceof TypeError) return { ok: false, error: e.message };
    throw e;
  }
}

function topType(r: Reader): Scope["types"][number] {
  const b = r.byte();
  if (b !== 0x41) throw new Unsupported("a WIT package's types are component types");
  const inner: Scope = { types: [] };
  const decls = declarations(r, inner, true);
  componentScopes.set(decls, inner);
  return { kind: "component", decls };
}

// ---------------------------------------------------------------- text

type Sexp = string | { str: string } | Sexp[];

function readSexps(text: string): Sexp[] {
  let i = 0;
  const skip = () => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i])) i++;
      if (text.startsWith(";;", i)) {
        while (i < text.length && text[i] !== "\n") i++;
      } else if (text.startsWith("(;", i)) {
        let depth = 0;
        do {
          if (text.startsWith("(;", i)) { depth++; i += 2; }
          else if (text.startsWith(";)", i)) { depth--; i += 2; }
          else if (i >= text.length) throw new Unsupported("unterminated block comment");
          else i++;
        } while (depth > 0);
      } else return;
    }
  };
  const one = (depth: number): Sexp => {
    skip();
    if (text[i] === "(") {
      if (depth > MAX_NESTING) throw new Unsupported("parentheses nested too deeply");
      i++;
      const list: Sexp[] = [];
      for (;;) {
        skip();
        if (i >= text.length) throw new Unsupported("unbalanced parentheses");
        if (text[i] === ")") { i++; return list; }
        list.push(one(depth + 1));
      }
    }
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new Unsupported("unterminated string");
      const s = text.slice(i + 1, end);
      if (s.includes("\\")) throw new Unsupported("string escapes are not supported");
      i = end + 1;
      return { str: s };
    }
    const m = /^[^\s()";]+/.exec(text.slice(i));
    if (!m) throw new Unsupported(`unexpected character '${text[i]}'`);
    i += m[0].length;
    return m[0];
  };
  const out: Sexp[] = [];
  skip();
  while (i < text.length) {
    out.push(one(0));
    skip();
  }
  return out;
}

const head = (s: Sexp): string | undefined => (Array.isArray(s) && typeof s[0] === "string" ? s[0] : undefined);
const str = (s: Sexp | undefined): string => {
  if (s && typeof s === "object" && !Array.isArray(s)) return s.str;
  throw new Unsupported("expected a string");
};

function textValType(s: Sexp | undefined): ValType {
  if (s === undefined) throw new Unsupported("a type is missing");
  if (typeof s === "string") {
    if (PRIM_NAMES.has(s)) return { kind: "prim", name: s };
    throw new Unsupported(`type \`${s}\` is not supported yet`);
  }
  const h = head(s);
  const args = (s as Sexp[]).slice(1);
  if (h === "list") return { kind: "list", of: textValType(args[0]) };
  if (h === "option") return { kind: "option", of: textValType(args[0]) };
  if (h === "tuple") return { kind: "tuple", of: args.map(textValType) };
  if (h === "result") {
    const t: ValType = { kind: "result" };
    for (const a of args) {
      if (head(a) === "error") t.err = textValType((a as Sexp[])[1]);
      else t.ok = textValType(a);
    }
    return t;
  }
  throw new Unsupported(`type form \`${h ?? "?"}\` is not supported yet`);
}

function textFunc(name: string, f: Sexp[]): Func {
  const func: Func = { name, params: [] };
  for (const part of f.slice(1)) {
    if (head(part) === "param") func.params.push({ name: str((part as Sexp[])[1]), type: textValType((part as Sexp[])[2]) });
    else if (head(part) === "result") func.result = textValType((part as Sexp[])[1]);
    else throw new Unsupported(`function part \`${head(part) ?? "?"}\` is not supported yet`);
  }
  return func;
}

/** `(export "ns:pkg/x" (instance …))` or `(component …)` inside a package item's component type. */
function textItem(decls: Sexp[]): Item {
  const exp = decls.filter((d) => head(d) === "export").at(-1) as Sexp[] | undefined;
  if (!exp) throw new Unsupported("a package item must export its interface or world");
  const qualified = str(exp[1]);
  const desc = exp[2] as Sexp[];
  const body = desc.slice(typeof desc[1] === "string" && desc[1].startsWith("$") ? 2 : 1);
  if (head(desc) === "instance") {
    const funcs: Func[] = [];
    for (const d of body) {
      if (head(d) !== "export" || head((d as Sexp[])[2]) !== "func") throw new Unsupported("only exported functions are supported in an interface yet");
      funcs.push(textFunc(str((d as Sexp[])[1]), (d as Sexp[])[2] as Sexp[]));
    }
    return { kind: "interface", qualified, funcs, imports: [], exports: [] };
  }
  if (head(desc) === "component") {
    const world: Item = { kind: "world", qualified, funcs: [], imports: [], exports: [] };
    for (const d of body) {
      const h = head(d);
      const name = str((d as Sexp[])[1]);
      if ((h !== "import" && h !== "export") || head((d as Sexp[])[2]) !== "instance" || !QUALIFIED.test(name)) {
        throw new Unsupported(`world item \`${name}\` is not an interface named by id`);
      }
      (h === "import" ? world.imports : world.exports).push(name);
    }
    return world;
  }
  throw new Unsupported(`\`${qualified}\` is neither an instance nor a component type`);
}

/** Decode the text form (`(component …)`). */
export function decodeWitPackageText(text: string): DecodeResult {
  try {
    const top = readSexps(text);
    if (top.length !== 1 || head(top[0]) !== "component") return { ok: false, error: "expected one `(component …)`" };
    const types = new Map<string, Sexp[]>();
    const order: Sexp[][] = [];
    const items: Item[] = [];
    for (const f of (top[0] as Sexp[]).slice(1)) {
      const h = head(f);
      const list = f as Sexp[];
      if (h === "type") {
        const id = typeof list[1] === "string" && list[1].startsWith("$") ? list[1] : undefined;
        const def = list[id ? 2 : 1] as Sexp[];
        if (head(def) !== "component") throw new Unsupported("a WIT package's types are component types");
        if (id) types.set(id, def);
        order.push(def);
      } else if (h === "export") {
        const ref = list[2] as Sexp[];
        if (head(ref) !== "type") throw new Unsupported("a WIT package exports only types");
        const r = ref[1] as string;
        const def = r.startsWith("$") ? types.get(r) : order[Number(r)];
        if (!def) throw new Unsupported(`unknown type \`${r}\``);
        items.push(textItem(def.slice(1)));
      } else if (h !== "@custom") {
        throw new Unsupported(`\`(${h ?? "?"} …)\` does not belong in an encoded WIT package`);
      }
    }
    return toWit(items);
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, error: e.message };
    // A form of the wrong shape (a missing part read as undefined): malformed input, not a crash.
    if (e instanceof TypeError) return { ok: false, error: "malformed component text" };
    throw e;
  }
}
