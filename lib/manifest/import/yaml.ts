// YAML parsing for the importers: multi-document, merge keys, alias limits,
// errors with 1-based line and column.
import { parseAllDocuments } from "yaml";
import { err, ok, type Result } from "../../result";
import type { ImportError } from "../types";

export interface YamlDoc {
  /** 0-based index of the document in the stream. */
  index: number;
  value: unknown;
}

/** Inputs above this size are refused rather than parsed. */
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024;

export function parseYaml(text: string): Result<YamlDoc[], ImportError> {
  let docs;
  try {
    docs = parseAllDocuments(text, { merge: true, prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    return err({ kind: "parse", message: `YAML: ${(e as Error).message}` });
  }
  const list = Array.isArray(docs) ? docs : [docs];
  const out: YamlDoc[] = [];
  for (const [index, doc] of list.entries()) {
    const first = doc.errors[0];
    if (first) {
      const pos = first.linePos?.[0];
      return err({
        kind: "parse",
        message: `YAML: ${first.message.split("\n")[0]}`,
        ...(pos ? { line: pos.line, column: pos.col } : {}),
      });
    }
    try {
      // maxAliasCount guards against alias bombs ("billion laughs").
      const value = doc.toJS({ maxAliasCount: 200 });
      if (value !== null && value !== undefined) out.push({ index, value });
    } catch (e) {
      return err({ kind: "invalid", message: `YAML document ${index + 1}: ${(e as Error).message}` });
    }
  }
  return ok(out);
}

export const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);
