// Typed WIT diagnostics. `kind` is stable (UI and tests match on it); the span
// points at the offending text so editors can place a marker.

export interface Position {
  /** 0-based UTF-16 offset into the file text (what Monaco and JS strings use). */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

export interface Span {
  file: string;
  start: Position;
  end: Position;
}

/** Every error kind, as a runtime list (tests and callers check a kind against it). */
export const WIT_ERROR_KINDS = [
  // lexical
  "invalid-character",
  "forbidden-codepoint",
  "unterminated-comment",
  "invalid-string",
  "invalid-identifier",
  // syntax
  "syntax",
  "invalid-version",
  "invalid-gate",
  "too-deep",
  "too-large",
  // packages
  "missing-package",
  "package-mismatch",
  "duplicate-package",
  "unknown-package",
  // names
  "unknown-interface",
  "unknown-world",
  "unknown-type",
  "unknown-name",
  "duplicate-name",
  "wrong-item-kind",
  // cycles
  "use-cycle",
  "type-cycle",
  "include-cycle",
  /** Packages that depend on each other (through `use`, imports or includes). */
  "package-cycle",
  // types and functions
  "not-a-resource",
  "invalid-type",
  "invalid-constructor",
  "empty-type",
  "borrow-in-result",
  // worlds
  "include-conflict",
  "missing-world",
  /** A world imports and exports interfaces such that one would have to be both. */
  "import-export-conflict",
  // feature gates
  /** A reference to an item left out because its `@unstable` feature is not enabled. */
  "gated-out",
  // loading
  "read-failed",
  /** A `deps/*.wasm`/`*.wat` file that is not a (supported) WIT package encoding. */
  "invalid-package-encoding",
] as const;

export type WitErrorKind = (typeof WIT_ERROR_KINDS)[number];

export interface WitError {
  kind: WitErrorKind;
  message: string;
  span: Span;
}

/** `file:line:col: message`, the form compilers and CI logs use. */
export function formatWitError(e: WitError): string {
  return `${e.span.file}:${e.span.start.line}:${e.span.start.column}: ${e.message}`;
}

export function compareErrors(a: WitError, b: WitError): number {
  if (a.span.file !== b.span.file) return a.span.file < b.span.file ? -1 : 1;
  return a.span.start.offset - b.span.start.offset;
}
