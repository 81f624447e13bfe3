// A small evaluator for the subset of CEL (the Common Expression Language)
// that Kubernetes CRDs use in x-kubernetes-validations rules, enough for the
// rules the wasmCloud 2 CRDs carry on hostInterfaces: the list macros
// all / exists / exists_one / filter / map, size(), has(), the conditional
// operator, == != < <= > >= && || !, string and integer literals. Field names
// that are CEL keywords come escaped as `__name__` (Kubernetes' rule), e.g.
// `x.__namespace__` reads the `namespace` field. Anything outside the subset is
// a typed error, never a silent pass.

export type CelValue = null | boolean | number | string | CelValue[] | { [k: string]: CelValue };

export class CelError extends Error {
  readonly kind = "cel" as const;
}

type Node =
  | { t: "lit"; v: CelValue }
  | { t: "id"; name: string }
  | { t: "field"; of: Node; name: string }
  | { t: "call"; of: Node | null; name: string; args: Node[] }
  | { t: "un"; op: "!" | "-"; a: Node }
  | { t: "bin"; op: string; a: Node; b: Node }
  | { t: "cond"; c: Node; a: Node; b: Node };

interface Tok {
  k: "id" | "str" | "int" | "op";
  v: string;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      out.push({ k: "id", v: src.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[0-9]/.test(src[j]!)) j++;
      out.push({ k: "int", v: src.slice(i, j) });
      i = j;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\") {
          const e = src[j + 1];
          s += e === "n" ? "\n" : e === "t" ? "\t" : (e ?? "");
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new CelError(`unterminated string at ${i}`);
      out.push({ k: "str", v: s });
      i = j + 1;
    } else {
      const two = src.slice(i, i + 2);
      if (["==", "!=", "&&", "||", "<=", ">="].includes(two)) {
        out.push({ k: "op", v: two });
        i += 2;
      } else if ("()[],.?:!<>-".includes(c)) {
        out.push({ k: "op", v: c });
        i++;
      } else throw new CelError(`unexpected character '${c}' at ${i}`);
    }
  }
  return out;
}

/** Parses a CEL expression of the supported subset. */
export function parseCel(src: string): Node {
  const toks = tokenize(src);
  let pos = 0;
  const peek = (v?: string) => (v === undefined ? toks[pos] : toks[pos]?.k === "op" && toks[pos]?.v === v ? toks[pos] : undefined);
  const expect = (v: string) => {
    if (!peek(v)) throw new CelError(`expected '${v}' at token ${pos} of: ${src}`);
    pos++;
  };
  const args = (): Node[] => {
    const list: Node[] = [];
    expect("(");
    if (!peek(")")) {
      list.push(expr());
      while (peek(",")) {
        pos++;
        list.push(expr());
      }
    }
    expect(")");
    return list;
  };
  const primary = (): Node => {
    const t = toks[pos++];
    if (!t) throw new CelError(`unexpected end of: ${src}`);
    if (t.k === "str") return { t: "lit", v: t.v };
    if (t.k === "int") return { t: "lit", v: Number(t.v) };
    if (t.k === "op" && t.v === "(") {
      const e = expr();
      expect(")");
      return e;
    }
    if (t.k === "id") {
      if (t.v === "true" || t.v === "false") return { t: "lit", v: t.v === "true" };
      if (t.v === "null") return { t: "lit", v: null };
      if (peek("(")) return { t: "call", of: null, name: t.v, args: args() };
      return { t: "id", name: t.v };
    }
    throw new CelError(`unexpected '${t.v}' in: ${src}`);
  };
  const member = (): Node => {
    let n = primary();
    while (peek(".")) {
      pos++;
      const t = toks[pos++];
      if (t?.k !== "id") throw new CelError(`expected a field name after '.' in: ${src}`);
      n = peek("(") ? { t: "call", of: n, name: t.v, args: args() } : { t: "field", of: n, name: t.v };
    }
    return n;
  };
  const unary = (): Node => {
    if (peek("!") || peek("-")) {
      const op = toks[pos++]!.v as "!" | "-";
      return { t: "un", op, a: unary() };
    }
    return member();
  };
  const binary = (next: () => Node, ops: string[]) => (): Node => {
    let a = next();
    while (toks[pos]?.k === "op" && ops.includes(toks[pos]!.v)) {
      const op = toks[pos++]!.v;
      a = { t: "bin", op, a, b: next() };
    }
    return a;
  };
  const rel = binary(unary, ["==", "!=", "<", "<=", ">", ">="]);
  const and = binary(rel, ["&&"]);
  const or = binary(and, ["||"]);
  function expr(): Node {
    const c = or();
    if (!peek("?")) return c;
    pos++;
    const a = expr();
    expect(":");
    return { t: "cond", c, a, b: expr() };
  }
  const e = expr();
  if (pos !== toks.length) throw new CelError(`unexpected '${toks[pos]!.v}' in: ${src}`);
  return e;
}

const unescape = (name: string): string => (/^__[a-z]+__$/.test(name) ? name.slice(2, -2) : name);
const isMap = (v: CelValue): v is { [k: string]: CelValue } => v !== null && typeof v === "object" && !Array.isArray(v);

function equal(a: CelValue, b: CelValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]!));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a).sort();
    return equal(ka, Object.keys(b).sort()) && ka.every((k) => equal(a[k]!, b[k]!));
  }
  return a === b;
}

function evaluate(n: Node, env: Map<string, CelValue>): CelValue {
  switch (n.t) {
    case "lit":
      return n.v;
    case "id": {
      if (!env.has(n.name)) throw new CelError(`undeclared reference '${n.name}'`);
      return env.get(n.name)!;
    }
    case "field": {
      const of = evaluate(n.of, env);
      const name = unescape(n.name);
      if (!isMap(of) || !(name in of)) throw new CelError(`no such key: ${name}`);
      return of[name]!;
    }
    case "un": {
      const a = evaluate(n.a, env);
      if (n.op === "!") {
        if (typeof a !== "boolean") throw new CelError("'!' needs a bool");
        return !a;
      }
      if (typeof a !== "number") throw new CelError("'-' needs an int");
      return -a;
    }
    case "cond": {
      const c = evaluate(n.c, env);
      if (typeof c !== "boolean") throw new CelError("condition is not a bool");
      return evaluate(c ? n.a : n.b, env);
    }
    case "bin": {
      if (n.op === "&&" || n.op === "||") {
        // CEL's logical operators are commutative over errors; the rules here never
        // rely on that, so left-to-right short-circuit gives the same answers.
        const a = evaluate(n.a, env);
        if (typeof a !== "boolean") throw new CelError(`'${n.op}' needs bools`);
        if (n.op === "&&" ? !a : a) return a;
        const b = evaluate(n.b, env);
        if (typeof b !== "boolean") throw new CelError(`'${n.op}' needs bools`);
        return b;
      }
      const a = evaluate(n.a, env);
      const b = evaluate(n.b, env);
      if (n.op === "==") return equal(a, b);
      if (n.op === "!=") return !equal(a, b);
      if (!((typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string"))) throw new CelError(`'${n.op}' needs two ints or two strings`);
      return n.op === "<" ? a < b : n.op === "<=" ? a <= b : n.op === ">" ? a > b : a >= b;
    }
    case "call":
      return call(n, env);
  }
}

function call(n: Extract<Node, { t: "call" }>, env: Map<string, CelValue>): CelValue {
  if (n.of === null) {
    if (n.name === "has") {
      const f = n.args[0];
      if (n.args.length !== 1 || f?.t !== "field") throw new CelError("has() takes one field selection");
      const of = evaluate(f.of, env);
      return isMap(of) && unescape(f.name) in of;
    }
    if (n.name === "size" && n.args.length === 1) return size(evaluate(n.args[0]!, env));
    throw new CelError(`unsupported function ${n.name}()`);
  }
  if (n.name === "size" && n.args.length === 0) return size(evaluate(n.of, env));
  const macros = ["all", "exists", "exists_one", "filter", "map"];
  if (!macros.includes(n.name)) throw new CelError(`unsupported method .${n.name}()`);
  const v = n.args[0];
  if (n.args.length !== 2 || v?.t !== "id") throw new CelError(`.${n.name}() takes a variable and an expression`);
  const list = evaluate(n.of, env);
  const items: CelValue[] = Array.isArray(list) ? list : isMap(list) ? Object.keys(list) : [];
  if (!Array.isArray(list) && !isMap(list)) throw new CelError(`.${n.name}() needs a list or map`);
  const test = (x: CelValue) => {
    const scope = new Map(env);
    scope.set(v.name, x);
    return evaluate(n.args[1]!, scope);
  };
  const bool = (x: CelValue) => {
    const r = test(x);
    if (typeof r !== "boolean") throw new CelError(`.${n.name}() predicate is not a bool`);
    return r;
  };
  switch (n.name) {
    case "all":
      return items.every(bool);
    case "exists":
      return items.some(bool);
    case "exists_one":
      return items.filter(bool).length === 1;
    case "filter":
      return items.filter(bool);
    default:
      return items.map(test);
  }
}

function size(v: CelValue): number {
  if (typeof v === "string") return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw new CelError("size() needs a string, list or map");
}

/** Evaluates `rule` with `self` bound to `value`; a rule must yield a bool. */
export function evaluateRule(rule: string, value: unknown): boolean {
  const r = evaluate(parseCel(rule), new Map([["self", value as CelValue]]));
  if (typeof r !== "boolean") throw new CelError(`rule does not yield a bool: ${rule}`);
  return r;
}
