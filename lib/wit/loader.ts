// Loading a WIT package from a folder (or one file) through an injected file
// system, so the CLI (node:fs) and the browser (in-memory text) share the code.
import type { Span, WitError } from "./errors";
import { parseWit } from "./parser";
import { decodeWitPackageBinary, decodeWitPackageText, type DecodeResult } from "./wasm-package";
import { resolveWit, type ParsedFile, type ResolveOptions, type WitSources } from "./resolver";
import type { WitModel } from "./model";

export interface WitDirEntry {
  name: string;
  kind: "file" | "dir";
}

/** The only file-system access lib/wit needs. Paths use `/`. */
export interface WitFs {
  kind(path: string): "file" | "dir" | "missing";
  readDir(path: string): WitDirEntry[];
  readFile(path: string): string;
  /** Bytes of a file (for `deps/*.wasm` packages); file systems without it cannot load those. */
  readBytes?(path: string): Uint8Array;
}

export const MAX_WIT_FILES = 2000;
export const MAX_WIT_TOTAL_CHARS = 32 * 1024 * 1024;

export interface LoadedWit {
  sources: WitSources;
  /** Text of every file read, by path (for editors and error context). */
  texts: Map<string, string>;
  errors: WitError[];
}

export function joinPath(dir: string, name: string): string {
  if (!dir || dir === ".") return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

function pointSpan(file: string): Span {
  return { file, start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
}

/**
 * Read a root package: a single `.wit` file (no dependency discovery, per the
 * WIT spec), or a folder whose `*.wit` files form the package and whose
 * `deps/` entries (`<x>.wit` files or `<x>/` folders of `*.wit`) are dependencies.
 */
export function loadWit(fs: WitFs, path: string): LoadedWit {
  const texts = new Map<string, string>();
  const errors: WitError[] = [];
  let total = 0;
  const parseOne = (file: string): ParsedFile | undefined => {
    let text: string;
    try {
      text = fs.readFile(file);
    } catch (e) {
      errors.push({ kind: "read-failed", message: `cannot read ${file}: ${(e as Error).message}`, span: pointSpan(file) });
      return undefined;
    }
    total += text.length;
    if (texts.size >= MAX_WIT_FILES || total > MAX_WIT_TOTAL_CHARS) {
      errors.push({ kind: "too-large", message: `too much WIT input (limit ${MAX_WIT_FILES} files, ${MAX_WIT_TOTAL_CHARS} characters)`, span: pointSpan(file) });
      return undefined;
    }
    texts.set(file, text);
    const r = parseWit(text, file);
    errors.push(...r.errors);
    return { file, ast: r.ast };
  };
  // A WIT package encoded as a component (binary or text), as wit-parser reads it from deps/.
  const decodeOne = (file: string): ParsedFile | undefined => {
    let decoded: DecodeResult;
    try {
      if (file.endsWith(".wasm")) {
        if (!fs.readBytes) throw new Error("this file system reads text only");
        decoded = decodeWitPackageBinary(fs.readBytes(file));
      } else decoded = decodeWitPackageText(fs.readFile(file));
    } catch (e) {
      errors.push({ kind: "read-failed", message: `cannot read ${file}: ${(e as Error).message}`, span: pointSpan(file) });
      return undefined;
    }
    if (!decoded.ok) {
      errors.push({ kind: "invalid-package-encoding", message: `${file}: ${decoded.error}`, span: pointSpan(file) });
      return undefined;
    }
    // Spans in a decoded package refer to its WIT spelling, kept in `texts`.
    texts.set(file, decoded.pkg.text);
    const r = parseWit(decoded.pkg.text, file);
    errors.push(...r.errors);
    return { file, ast: r.ast };
  };
  const witFilesIn = (dir: string): string[] => {
    try {
      return fs.readDir(dir)
        .filter((e) => e.kind === "file" && e.name.endsWith(".wit"))
        .map((e) => joinPath(dir, e.name))
        .sort();
    } catch (e) {
      errors.push({ kind: "read-failed", message: `cannot read directory ${dir}: ${(e as Error).message}`, span: pointSpan(dir) });
      return [];
    }
  };

  const kind = fs.kind(path);
  if (kind === "missing") {
    errors.push({ kind: "read-failed", message: `no such file or directory: ${path}`, span: pointSpan(path) });
    return { sources: { root: [] }, texts, errors };
  }
  if (kind === "file") {
    const f = path.endsWith(".wasm") || path.endsWith(".wat") ? decodeOne(path) : parseOne(path);
    return { sources: { root: f ? [f] : [] }, texts, errors };
  }
  const root: ParsedFile[] = [];
  for (const file of witFilesIn(path)) {
    const f = parseOne(file);
    if (f) root.push(f);
  }
  if (root.length === 0 && !errors.length) {
    errors.push({ kind: "read-failed", message: `no .wit files in ${path}`, span: pointSpan(path) });
  }
  const deps: ParsedFile[][] = [];
  const depsDir = joinPath(path, "deps");
  if (fs.kind(depsDir) === "dir") {
    let entries: WitDirEntry[] = [];
    try {
      entries = [...fs.readDir(depsDir)].sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch (e) {
      errors.push({ kind: "read-failed", message: `cannot read directory ${depsDir}: ${(e as Error).message}`, span: pointSpan(depsDir) });
    }
    for (const e of entries) {
      const p = joinPath(depsDir, e.name);
      if (e.kind === "file" && e.name.endsWith(".wit")) {
        const f = parseOne(p);
        if (f) deps.push([f]);
      } else if (e.kind === "file" && (e.name.endsWith(".wasm") || e.name.endsWith(".wat"))) {
        const f = decodeOne(p);
        if (f) deps.push([f]);
      } else if (e.kind === "dir") {
        const group = witFilesIn(p).map(parseOne).filter((x): x is ParsedFile => !!x);
        if (group.length) deps.push(group);
      }
    }
  }
  return { sources: { root, deps }, texts, errors };
}

export interface CheckedWit {
  model: WitModel;
  errors: WitError[];
  texts: Map<string, string>;
}

/** Load, parse and resolve; errors from every stage, sorted by file and position. */
export function checkWit(fs: WitFs, path: string, options: ResolveOptions = {}): CheckedWit {
  const loaded = loadWit(fs, path);
  const resolved = resolveWit(loaded.sources, options);
  const errors = [...loaded.errors, ...resolved.errors].sort((a, b) =>
    a.span.file !== b.span.file ? (a.span.file < b.span.file ? -1 : 1) : a.span.start.offset - b.span.start.offset);
  return { model: resolved.model, errors, texts: loaded.texts };
}

/**
 * An in-memory file system from `{ "path/to/file.wit": text }`. Folders are
 * implied by paths; the root folder is `""` (or `.`).
 */
export function memoryWitFs(files: Record<string, string>): WitFs {
  const norm = (p: string) => p.replace(/^\.\/?/, "").replace(/\/+$/, "");
  const map = new Map(Object.entries(files).map(([k, v]) => [norm(k), v]));
  const isDir = (p: string) => {
    const d = norm(p);
    if (d === "") return true;
    for (const k of map.keys()) if (k.startsWith(d + "/")) return true;
    return false;
  };
  return {
    kind(p) {
      if (map.has(norm(p))) return "file";
      return isDir(p) ? "dir" : "missing";
    },
    readDir(p) {
      const d = norm(p);
      const prefix = d === "" ? "" : d + "/";
      const out = new Map<string, WitDirEntry>();
      for (const k of map.keys()) {
        if (!k.startsWith(prefix)) continue;
        const rest = k.slice(prefix.length);
        const slash = rest.indexOf("/");
        const name = slash < 0 ? rest : rest.slice(0, slash);
        if (name) out.set(name, { name, kind: slash < 0 ? "file" : "dir" });
      }
      if (!out.size && !isDir(p)) throw new Error("not a directory");
      return [...out.values()];
    },
    readFile(p) {
      const v = map.get(norm(p));
      if (v === undefined) throw new Error("no such file");
      return v;
    },
  };
}
