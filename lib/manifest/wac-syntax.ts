// A checker for the part of the WAC grammar (bytecodealliance/wac,
// LANGUAGE.md) that Trellis emits — package directive, `let` with `new`
// expressions and access postfixes, `export` statements. Returns the first
// syntax error with its line, or null.
type Tok = { t: "id" | "str" | "punct" | "kw"; v: string; line: number };

const ID = /^%?[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*$/;
const KEYWORDS = new Set(["package", "let", "new", "export", "import", "as", "targets"]);

function lex(src: string): Tok[] | string {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\n") { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith("//", i)) { while (i < src.length && src[i] !== "\n") i++; continue; }
    if (src.startsWith("/*", i)) {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) return `line ${line}: unterminated comment`;
      line += src.slice(i, end).split("\n").length - 1;
      i = end + 2;
      continue;
    }
    if (src.startsWith("...", i)) { toks.push({ t: "punct", v: "...", line }); i += 3; continue; }
    if (c === '"') {
      const end = src.indexOf('"', i + 1);
      if (end < 0) return `line ${line}: unterminated string`;
      toks.push({ t: "str", v: src.slice(i + 1, end), line });
      i = end + 1;
      continue;
    }
    if ("{}[]();:,=./@".includes(c)) { toks.push({ t: "punct", v: c, line }); i++; continue; }
    const m = /^%?[A-Za-z0-9-]+/.exec(src.slice(i));
    if (!m) return `line ${line}: unexpected character '${c}'`;
    const w = m[0];
    if (!ID.test(w)) return `line ${line}: '${w}' is not a WAC identifier`;
    toks.push({ t: KEYWORDS.has(w) ? "kw" : "id", v: w, line });
    i += w.length;
  }
  return toks;
}

export function checkWacSyntax(src: string): string | null {
  const lexed = lex(src);
  if (typeof lexed === "string") return lexed;
  const toks = lexed;
  let p = 0;
  const fail = (what: string) => `line ${toks[p]?.line ?? "end"}: expected ${what}, found '${toks[p]?.v ?? "end of file"}'`;
  const eat = (v: string) => (toks[p]?.v === v ? (p++, true) : false);
  const id = () => (toks[p]?.t === "id" ? (p++, true) : false);
  const packageName = (): string | null => {
    if (!id()) return fail("an identifier");
    if (!eat(":")) return fail("':'");
    if (!id()) return fail("an identifier");
    while (eat(":")) if (!id()) return fail("an identifier");
    return null;
  };
  const expr = (): string | null => {
    if (eat("new")) {
      const e = packageName();
      if (e) return e;
      if (!eat("{")) return fail("'{'");
      while (!eat("}")) {
        if (eat("...")) {
          // `...x` spreads an instance; `...` alone imports the rest and must come last.
          if (!id()) {
            eat(",");
            if (!eat("}")) return fail("'}' after '...'");
            break;
          }
        } else if (toks[p]?.t === "str" || toks[p]?.t === "id") {
          p++;
          if (eat(":")) {
            const e2 = expr();
            if (e2) return e2;
          }
        } else return fail("an instantiation argument");
        if (!eat(",")) {
          if (!eat("}")) return fail("',' or '}'");
          break;
        }
      }
    } else if (eat("(")) {
      const e = expr();
      if (e) return e;
      if (!eat(")")) return fail("')'");
    } else if (!id()) return fail("an expression");
    for (;;) {
      if (eat(".")) {
        if (!id()) return fail("an identifier");
      } else if (eat("[")) {
        if (toks[p]?.t !== "str") return fail("a string");
        p++;
        if (!eat("]")) return fail("']'");
      } else return null;
    }
  };
  if (!eat("package")) return fail("'package'");
  const e = packageName();
  if (e) return e;
  if (!eat(";")) return fail("';'");
  const bound = new Set<string>();
  while (p < toks.length) {
    if (eat("let")) {
      const name = toks[p]?.v;
      if (!id()) return fail("an identifier");
      if (bound.has(name!)) return `line ${toks[p - 1]!.line}: '${name}' is bound twice`;
      bound.add(name!);
      if (!eat("=")) return fail("'='");
      const e2 = expr();
      if (e2) return e2;
      if (!eat(";")) return fail("';'");
    } else if (eat("export")) {
      const e2 = expr();
      if (e2) return e2;
      if (eat("as")) { if (toks[p]?.t === "str" || toks[p]?.t === "id") p++; else return fail("a name"); }
      if (!eat(";")) return fail("';'");
    } else return fail("'let' or 'export'");
  }
  return null;
}
