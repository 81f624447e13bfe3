/**
 * Splits a command line the way a POSIX shell splits plain words: whitespace
 * separates, single quotes keep everything, double quotes keep all but `\"`
 * and `\\`, a backslash escapes the next character. No expansion of any kind.
 */
export function splitArgs(line: string): { ok: true; args: string[] } | { ok: false; error: string } {
  const args: string[] = [];
  let cur = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, error: `unclosed ' at column ${i + 1}` };
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && (line[j + 1] === '"' || line[j + 1] === "\\")) j++;
        cur += line[j];
      }
      if (j >= line.length) return { ok: false, error: `unclosed " at column ${i + 1}` };
      i = j;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) args.push(cur);
  return { ok: true, args };
}
