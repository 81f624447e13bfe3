// Packaging generated files for download: one zip, and the editor language of
// each file for a read-only viewer.
import { strToU8, zipSync } from "fflate";
import type { ExportFile } from "./types";

/** Zips the files under `folder/` (forward-slash paths, fixed timestamps so the bytes are reproducible). */
export function zipExportFiles(files: ExportFile[], folder: string): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const f of files) {
    if (f.path.startsWith("/") || f.path.split("/").includes("..")) throw new Error(`refusing to zip path outside the export: ${f.path}`);
    entries[`${folder}/${f.path}`] = [strToU8(f.content), { mtime: new Date(2000, 0, 1) }];
  }
  return zipSync(entries, { level: 6 });
}

export type FileLanguage = "yaml" | "toml" | "wit" | "wac" | "json" | "plaintext";

/** Language id for syntax highlighting (Monaco knows yaml; toml/wit/wac need a Monarch grammar or plaintext). */
export function fileLanguage(path: string): FileLanguage {
  if (/\.ya?ml$/.test(path)) return "yaml";
  if (path.endsWith(".toml")) return "toml";
  if (path.endsWith(".wit")) return "wit";
  if (path.endsWith(".wac")) return "wac";
  if (path.endsWith(".json")) return "json";
  return "plaintext";
}
