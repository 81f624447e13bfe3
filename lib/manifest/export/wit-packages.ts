// Splits WIT text into its packages: the file's own package (`package
// ns:name@ver;` at the top) and nested `package ns:name { … }` blocks. The WIT
// is parsed with lib/wit first (broken WIT is refused with its position); the
// text is then cut at the package boundaries so each piece is a file of its own.
import { parseWit } from "../../wit/parser";
export interface WitPackageText {
  /** `ns:name` */
  name: string;
  version?: string;
  /** WIT source of this package only (a self-contained file). */
  text: string;
}

export type SplitResult = { ok: true; packages: WitPackageText[] } | { ok: false; message: string };

const PKG = /^package\s+(%?[a-z][a-z0-9-]*:%?[a-z][a-z0-9-]*)(?:@([0-9A-Za-z.+-]+))?\s*([;{])/;

/** Index after the block that opens at `open` (a `{`), or -1 when unbalanced. */
function blockEnd(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === "/" && src[i + 1] === "/") {
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? src.length : nl;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) return -1;
      i = end + 1;
    } else if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

export function splitWitPackages(src: string): SplitResult {
  const parsed = parseWit(src, "component.wit");
  const first = parsed.errors[0];
  if (first) return { ok: false, message: `${first.span.start.line}:${first.span.start.column}: ${first.message}` };
  const declared = [
    ...(parsed.ast.package ? [parsed.ast.package] : []),
    ...parsed.ast.items.flatMap((i) => (i.kind === "package" ? [i.name] : [])),
  ].map((p) => `${p.namespace.name}:${p.name.name}${p.version ? `@${p.version}` : ""}`);
  const cut = cutPackages(src);
  if (!cut.ok) return cut;
  const found = cut.packages.map((p) => `${p.name}${p.version ? `@${p.version}` : ""}`);
  if (found.join(",") !== declared.join(",")) return { ok: false, message: `could not separate packages ${declared.join(", ")}` };
  return cut;
}

function cutPackages(src: string): SplitResult {
  const packages: WitPackageText[] = [];
  let header: { name: string; version?: string } | null = null;
  let lead = "";
  let rest = "";
  let i = 0;
  let atTop = true;
  while (i < src.length) {
    // Skip whitespace and comments, keeping them in the outer text.
    const ws = /^(\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/)/.exec(src.slice(i));
    if (ws) {
      rest += ws[0];
      i += ws[0].length;
      continue;
    }
    const m = PKG.exec(src.slice(i));
    if (m) {
      const name = m[1]!.replace(/%/g, "");
      const version = m[2];
      if (m[3] === ";") {
        if (!atTop || header) return { ok: false, message: `package ${name} must be the first declaration` };
        header = { name, ...(version ? { version } : {}) };
        // Comments above the package line stay above it.
        lead = rest.trim();
        rest = "";
        i += m[0].length;
        continue;
      }
      const open = i + m[0].length - 1;
      const end = blockEnd(src, open);
      if (end < 0) return { ok: false, message: `package ${name} { … } is not closed` };
      const body = src.slice(open + 1, end - 1);
      packages.push({ name, ...(version ? { version } : {}), text: `package ${name}${version ? `@${version}` : ""};\n${dedent(body)}\n` });
      i = end;
      atTop = false;
      continue;
    }
    // Any other top-level item: copy through to the next top-level item.
    atTop = false;
    const brace = src.indexOf("{", i);
    const semi = src.indexOf(";", i);
    if (brace >= 0 && (semi < 0 || brace < semi)) {
      const end = blockEnd(src, brace);
      if (end < 0) return { ok: false, message: "unbalanced braces" };
      rest += src.slice(i, end);
      i = end;
    } else if (semi >= 0) {
      rest += src.slice(i, semi + 1);
      i = semi + 1;
    } else {
      rest += src.slice(i);
      i = src.length;
    }
  }
  if (header) {
    packages.unshift({ ...header, text: `${lead ? `${lead}\n` : ""}package ${header.name}${header.version ? `@${header.version}` : ""};\n\n${rest.trim()}\n` });
  } else if (rest.trim().length > 0) {
    return { ok: false, message: "WIT has declarations outside any package (no `package ns:name;` header)" };
  }
  return { ok: true, packages };
}

function dedent(body: string): string {
  const lines = body.replace(/^\n+|\s+$/g, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join("\n");
}
