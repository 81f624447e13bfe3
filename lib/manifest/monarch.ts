// Monaco language definitions, as plain data (no monaco import), for the file
// types an export produces that Monaco lacks: TOML (spin.toml) and WAC. YAML is
// built into Monaco; WIT comes from lib/wit/monarch.ts. Register with
// `monaco.languages.register({ id })` + `setMonarchTokensProvider(id, …)`.

import { nestedBlockComment } from "../wit/monarch";

export const TOML_LANGUAGE_ID = "toml";
export const WAC_LANGUAGE_ID = "wac";

export const tomlMonarchLanguage: Record<string, unknown> = {
  defaultToken: "",
  tokenPostfix: ".toml",
  tokenizer: {
    root: [
      [/#.*$/, "comment"],
      // [table] and [[array.of.tables]] headers, quoted segments included
      [/^\s*\[\[[^\]]*\]\]/, "type.identifier"],
      [/^\s*\[[^\]]*\]/, "type.identifier"],
      // keys (bare, dotted, quoted) before `=`
      [/([A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')(?=(\s*\.\s*([A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*\s*=)/, "key"],
      [/"""/, "string", "@mlstring"],
      [/'''/, "string", "@mlliteral"],
      [/"([^"\\]|\\.)*"/, "string"],
      [/'[^']*'/, "string"],
      [/\b(true|false)\b/, "keyword"],
      [/\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?/, "number"],
      [/[+-]?(0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|inf|nan|\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?)/, "number"],
      [/[{}[\]]/, "@brackets"],
      [/[=,.]/, "delimiter"],
      [/[ \t\r\n]+/, "white"],
    ],
    mlstring: [
      [/"""/, "string", "@pop"],
      [/[^"]+/, "string"],
      [/"/, "string"],
    ],
    mlliteral: [
      [/'''/, "string", "@pop"],
      [/[^']+/, "string"],
      [/'/, "string"],
    ],
  },
};

export const tomlLanguageConfiguration: Record<string, unknown> = {
  comments: { lineComment: "#" },
  brackets: [["{", "}"], ["[", "]"]],
  autoClosingPairs: [
    { open: "{", close: "}" },
    { open: "[", close: "]" },
    { open: '"', close: '"', notIn: ["string", "comment"] },
    { open: "'", close: "'", notIn: ["string", "comment"] },
  ],
};

export const wacMonarchLanguage: Record<string, unknown> = {
  defaultToken: "",
  tokenPostfix: ".wac",
  keywords: ["package", "targets", "let", "new", "export", "import", "as", "interface", "world", "use", "include", "with", "type", "record", "variant", "enum", "flags", "resource", "func", "static", "constructor"],
  tokenizer: {
    root: [
      [/\/\/.*$/, "comment"],
      [/\/\*/, "comment", "@block"],
      [/"[^"]*"/, "string"],
      [/\.\.\./, "operator"],
      // package names and paths: ns:pkg, ns:pkg/iface@1.2.3
      [/[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)+(\/[a-z%][a-z0-9-]*)*(@\d+\.\d+\.\d+[0-9A-Za-z.+-]*)?/, "type.identifier"],
      [/%?[a-z][a-z0-9-]*/, { cases: { "@keywords": "keyword", "@default": "identifier" } }],
      [/->/, "operator"],
      [/[{}()[\]<>]/, "@brackets"],
      [/[=,:;.]/, "delimiter"],
      [/[ \t\r\n]+/, "white"],
    ],
    block: nestedBlockComment("comment"),
  },
};

export const wacLanguageConfiguration: Record<string, unknown> = {
  comments: { lineComment: "//", blockComment: ["/*", "*/"] },
  brackets: [["{", "}"], ["(", ")"], ["[", "]"]],
  autoClosingPairs: [
    { open: "{", close: "}" },
    { open: "(", close: ")" },
    { open: "[", close: "]" },
    { open: '"', close: '"', notIn: ["string", "comment"] },
  ],
};
