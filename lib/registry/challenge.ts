// Parses `WWW-Authenticate` headers (RFC 7235): one or more challenges, each a
// scheme and comma-separated `name=value` params (value a token or a quoted
// string with backslash escapes). Registries send `Basic realm="…"` or
// `Bearer realm="…",service="…",scope="…"`.

export interface Challenge {
  /** Lowercased: `basic`, `bearer`, … */
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const ws = () => {
    while (i < n && (header[i] === " " || header[i] === "\t")) i++;
  };
  const token = (): string => {
    const s = i;
    while (i < n && TOKEN.test(header[i]!)) i++;
    return header.slice(s, i);
  };
  const quoted = (): string | null => {
    if (header[i] !== '"') return null;
    i++;
    let v = "";
    while (i < n && header[i] !== '"') {
      if (header[i] === "\\" && i + 1 < n) i++;
      v += header[i++];
    }
    if (header[i] !== '"') return null; // unterminated
    i++;
    return v;
  };
  let current: Challenge | null = null;
  while (i < n) {
    ws();
    if (header[i] === ",") {
      i++;
      continue;
    }
    const start = i;
    const t = token();
    if (t === "") {
      // junk: skip to the next comma
      while (i < n && header[i] !== ",") i++;
      continue;
    }
    ws();
    if (header[i] === "=" && current) {
      // a param of the current challenge (token68 values like `abc==` are rare in registries and not needed)
      i++;
      ws();
      const v = header[i] === '"' ? quoted() : token();
      if (v === null) break;
      current.params[t.toLowerCase()] = v;
      continue;
    }
    // a new challenge: `Scheme` possibly followed directly by its first param
    current = { scheme: t.toLowerCase(), params: {} };
    out.push(current);
    if (i === start) i++;
  }
  return out;
}
