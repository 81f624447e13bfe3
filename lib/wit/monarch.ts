// Monaco language definition for WIT as plain data (no monaco import): pass
// `witMonarchLanguage` to `monaco.languages.setMonarchTokensProvider("wit", …)`
// and `witLanguageConfiguration` to `monaco.languages.setLanguageConfiguration`.

export const WIT_LANGUAGE_ID = "wit";

export const WIT_ITEM_KEYWORDS = [
  "package", "interface", "world", "use", "import", "export", "include", "with", "as", "from",
  "type", "record", "variant", "enum", "flags", "resource", "func", "async", "static", "constructor",
];

export const WIT_TYPE_KEYWORDS = [
  "bool", "s8", "s16", "s32", "s64", "u8", "u16", "u32", "u64", "f32", "f64", "char", "string",
  "list", "map", "option", "result", "tuple", "borrow", "own", "future", "stream", "error-context",
];

// WIT (and WAC) block comments nest, so the comment state pushes on "/*" and
// pops on "*/"; `token` is the colour class of the comment's text.
export function nestedBlockComment(token: string): unknown[] {
  return [
    [/[^/*]+/, token],
    [/\/\*/, token, "@push"],
    [/\*\//, token, "@pop"],
    [/[/*]/, token],
  ];
}

// Loosely typed on purpose: Monaco's IMonarchLanguage shape, without importing monaco.
export const witMonarchLanguage: Record<string, unknown> = {
  defaultToken: "",
  tokenPostfix: ".wit",
  keywords: WIT_ITEM_KEYWORDS,
  typeKeywords: WIT_TYPE_KEYWORDS,
  brackets: [
    { open: "{", close: "}", token: "delimiter.curly" },
    { open: "(", close: ")", token: "delimiter.parenthesis" },
    { open: "<", close: ">", token: "delimiter.angle" },
  ],
  tokenizer: {
    root: [
      [/\/\/\/.*$/, "comment.doc"],
      [/\/\*\*(?!\/)/, "comment.doc", "@docblock"],
      [/\/\/.*$/, "comment"],
      [/\/\*/, "comment", "@block"],
      [/@(since|unstable|deprecated|external-id)\b/, "annotation"],
      [/"([^"\\]|\\.)*"/, "string"],
      [/"/, "string.invalid"],
      // package / interface paths: ns:pkg/iface@1.2.3
      [/[a-zA-Z][a-zA-Z0-9-]*:[a-zA-Z][a-zA-Z0-9-]*(\/[a-zA-Z%][a-zA-Z0-9-]*)?(@\d+\.\d+\.\d+[0-9A-Za-z.+-]*)?/, "type.identifier"],
      [/@\d+\.\d+\.\d+[0-9A-Za-z+-]*(\.[0-9A-Za-z+-]+)*/, "number"],
      [/%[a-zA-Z][a-zA-Z0-9-]*/, "identifier"],
      [/error-context\b/, "type"],
      [/[a-zA-Z_][a-zA-Z0-9_-]*/, { cases: { "@keywords": "keyword", "@typeKeywords": "type", "@default": "identifier" } }],
      [/\d+/, "number"],
      [/->/, "operator"],
      [/[{}()<>]/, "@brackets"],
      [/[=,:;.\/*@]/, "delimiter"],
      [/[ \t\r\n]+/, "white"],
    ],
    block: nestedBlockComment("comment"),
    docblock: nestedBlockComment("comment.doc"),
  },
};

export const witLanguageConfiguration: Record<string, unknown> = {
  comments: { lineComment: "//", blockComment: ["/*", "*/"] },
  brackets: [["{", "}"], ["(", ")"], ["<", ">"]],
  autoClosingPairs: [
    { open: "{", close: "}" },
    { open: "(", close: ")" },
    { open: "<", close: ">" },
    { open: '"', close: '"', notIn: ["string", "comment"] },
    { open: "/**", close: " */", notIn: ["string"] },
  ],
  surroundingPairs: [
    { open: "{", close: "}" },
    { open: "(", close: ")" },
    { open: "<", close: ">" },
    { open: '"', close: '"' },
  ],
  // Kebab-case identifiers (and %escaped ones) are one word for double-click and completion.
  wordPattern: /%?[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*/,
  indentationRules: {
    increaseIndentPattern: /^.*\{[^}"']*$/,
    decreaseIndentPattern: /^\s*\}/,
  },
  folding: { markers: { start: /^\s*\/\/\s*#region\b/, end: /^\s*\/\/\s*#endregion\b/ } },
};
