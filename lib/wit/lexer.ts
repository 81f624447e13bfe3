// WIT tokenizer. It never throws: bad characters become errors and are
// skipped so the parser still sees the rest of the file.
import type { Position, Span, WitError } from "./errors";

export const KEYWORDS = [
  "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64",
  "char", "resource", "own", "borrow", "record", "flags", "variant", "enum", "bool", "string",
  "option", "result", "future", "stream", "error-context", "list", "map", "_", "as", "from",
  "static", "interface", "tuple", "world", "import", "export", "package", "constructor",
  "include", "with", "async",
] as const;
export type Keyword = (typeof KEYWORDS)[number];
const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);

export type TokenKind = "id" | "keyword" | "int" | "string" | "punct" | "eof";

export interface Token {
  kind: TokenKind;
  /** Identifier name (without `%`), keyword, punctuation, digits, or decoded string. */
  value: string;
  start: number;
  end: number;
  /** `%name` form. */
  explicit?: boolean;
  /** Doc comments (`///`, `/** *\/`) directly before this token, already stripped. */
  docs?: string[];
  docsStart?: number;
}

/** Line/column lookup for one file's text. */
export class SourceText {
  private readonly lineStarts: number[] = [0];
  constructor(readonly file: string, readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { offset: o, line: lo + 1, column: o - this.lineStarts[lo] + 1 };
  }
  span(start: number, end: number): Span {
    return { file: this.file, start: this.position(start), end: this.position(Math.max(start, end)) };
  }
}

const XID_START = /[\p{XID_Start}_]/u;
const XID_CONTINUE = /[\p{XID_Continue}-]/u;
const FORBIDDEN = new Set([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
const DEPRECATED = new Set([0x149, 0x673, 0xf77, 0xf79, 0x17a3, 0x17a4, 0x17b4, 0x17b5]);

/**
 * Kebab-case check from the component model: words separated by single `-`,
 * each all-lowercase or all-uppercase (digits allowed); the first word starts
 * with a letter. Returns an error message or null.
 */
export function identifierProblem(id: string): string | null {
  if (id.length === 0) return "empty identifier";
  const parts = id.split("-");
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if (part.length === 0) return `identifier '${id}' must have characters between '-'s`;
    if (p === 0 && !/[A-Za-z]/.test(part[0])) return `identifier '${id}' must start with a letter`;
    let upper: boolean | undefined;
    for (const ch of part) {
      if (ch >= "0" && ch <= "9") continue;
      const isUpper = ch >= "A" && ch <= "Z";
      const isLower = ch >= "a" && ch <= "z";
      if (!isUpper && !isLower) return `invalid character '${ch}' in identifier '${id}'`;
      if (upper === undefined) upper = isUpper;
      else if (upper !== isUpper) return `identifier '${id}' mixes upper and lower case in one word ('${part}')`;
    }
  }
  return null;
}

function stripDoc(comment: string): string[] | null {
  if (comment.startsWith("///")) return [comment.slice(3).replace(/^ /, "").replace(/\s+$/, "")];
  if (comment.startsWith("/**") && comment !== "/**/" && !comment.startsWith("/***")) {
    const body = comment.slice(3, -2);
    return body
      .split("\n")
      .map((l) => l.replace(/^\s*\*?\s?/, "").replace(/\s+$/, ""))
      .filter((l, i, all) => !((i === 0 || i === all.length - 1) && l === ""));
  }
  return null;
}

const PUNCT = new Set(["=", ",", ":", ";", "(", ")", "{", "}", "<", ">", "*", "/", ".", "@", "+"]);

export interface LexResult {
  tokens: Token[];
  errors: WitError[];
}

export function tokenize(src: SourceText): LexResult {
  const text = src.text;
  const tokens: Token[] = [];
  const errors: WitError[] = [];
  let pendingDocs: string[] = [];
  let pendingDocsStart = -1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const err = (kind: WitError["kind"], message: string, start: number, end: number) =>
    errors.push({ kind, message, span: src.span(start, end) });
  const push = (t: Token) => {
    if (pendingDocs.length) {
      t.docs = pendingDocs;
      t.docsStart = pendingDocsStart;
      pendingDocs = [];
    }
    tokens.push(t);
  };

  while (i < text.length) {
    const c = text[i];
    const start = i;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "/") {
      let j = text.indexOf("\n", i);
      if (j < 0) j = text.length;
      const doc = stripDoc(text.slice(i, j));
      if (doc) {
        if (!pendingDocs.length) pendingDocsStart = i;
        pendingDocs.push(...doc);
      }
      i = j;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      // Block comments nest and must balance.
      let depth = 1;
      let j = i + 2;
      while (j < text.length && depth > 0) {
        if (text[j] === "/" && text[j + 1] === "*") {
          depth++;
          j += 2;
        } else if (text[j] === "*" && text[j + 1] === "/") {
          depth--;
          j += 2;
        } else j++;
      }
      if (depth > 0) {
        err("unterminated-comment", "unterminated block comment", i, i + 2);
        i = text.length;
        continue;
      }
      const doc = stripDoc(text.slice(i, j));
      if (doc) {
        if (!pendingDocs.length) pendingDocsStart = i;
        pendingDocs.push(...doc);
      }
      i = j;
      continue;
    }
    if (c === "-") {
      if (text[i + 1] === ">") {
        push({ kind: "punct", value: "->", start, end: i + 2 });
        i += 2;
      } else {
        push({ kind: "punct", value: "-", start, end: i + 1 });
        i++;
      }
      continue;
    }
    if (PUNCT.has(c)) {
      push({ kind: "punct", value: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (c === '"') {
      i = lexString(src, i, push, err);
      continue;
    }
    if (c >= "0" && c <= "9") {
      let j = i + 1;
      while (j < text.length && text[j] >= "0" && text[j] <= "9") j++;
      push({ kind: "int", value: text.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (c === "%" || XID_START.test(ch)) {
      const explicit = c === "%";
      let j = explicit ? i + 1 : i + ch.length;
      if (explicit && !(j < text.length && XID_START.test(String.fromCodePoint(text.codePointAt(j)!)))) {
        err("invalid-identifier", "expected an identifier after '%'", i, i + 1);
        i++;
        continue;
      }
      while (j < text.length) {
        const ncp = text.codePointAt(j)!;
        const nch = String.fromCodePoint(ncp);
        if (!XID_CONTINUE.test(nch)) break;
        j += nch.length;
      }
      const word = text.slice(explicit ? i + 1 : i, j);
      if (!explicit && KEYWORD_SET.has(word)) {
        push({ kind: "keyword", value: word, start, end: j });
      } else {
        const problem = identifierProblem(word);
        if (problem) err("invalid-identifier", problem, start, j);
        push({ kind: "id", value: word, start, end: j, explicit: explicit || undefined });
      }
      i = j;
      continue;
    }
    if (FORBIDDEN.has(cp) || DEPRECATED.has(cp) || /\p{Cc}/u.test(ch)) {
      err("forbidden-codepoint", `forbidden code point U+${cp.toString(16).toUpperCase().padStart(4, "0")}`, i, i + ch.length);
    } else {
      err("invalid-character", `unexpected character '${ch}'`, i, i + ch.length);
    }
    i += ch.length;
  }
  push({ kind: "eof", value: "", start: text.length, end: text.length });
  return { tokens, errors };
}

function lexString(
  src: SourceText,
  start: number,
  push: (t: Token) => void,
  err: (kind: WitError["kind"], m: string, s: number, e: number) => void,
): number {
  const text = src.text;
  let i = start + 1;
  let out = "";
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      push({ kind: "string", value: out, start, end: i + 1 });
      return i + 1;
    }
    if (c === "\n") break;
    if (c === "\\") {
      const e = text[i + 1];
      const simple: Record<string, string> = { '"': '"', "'": "'", t: "\t", n: "\n", r: "\r", "\\": "\\" };
      if (e !== undefined && e in simple) {
        out += simple[e];
        i += 2;
        continue;
      }
      if (e === "u") {
        const m = /^\{([0-9a-fA-F_]+)\}/.exec(text.slice(i + 2, i + 14));
        const n = m ? parseInt(m[1].replace(/_/g, ""), 16) : NaN;
        if (!m || !(n <= 0x10ffff) || (n >= 0xd800 && n <= 0xdfff)) {
          err("invalid-string", "invalid unicode escape in string", i, i + 2);
          i += 2;
          continue;
        }
        out += String.fromCodePoint(n);
        i += 2 + m[0].length;
        continue;
      }
      if (e && /[0-9a-fA-F]/.test(e) && text[i + 2] && /[0-9a-fA-F]/.test(text[i + 2])) {
        out += String.fromCharCode(parseInt(e + text[i + 2], 16));
        i += 3;
        continue;
      }
      err("invalid-string", `invalid escape '\\${e ?? ""}' in string`, i, i + 2);
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  err("invalid-string", "unterminated string literal", start, i);
  push({ kind: "string", value: out, start, end: i });
  return i;
}
