// The built-in component library: pure data for the palette, the routes and
// the run engine. Each component is built by lib/builtins/build.sh from
// lib/builtins/<id>/<id>.c against its world in lib/builtins/<id>/world.wit.
import type { NodeTemplate } from "../graph/factory";
import { witPort } from "../graph/ports";
import type { WitPort } from "../graph/types";
import { WIT_FILES } from "./wit-sources.generated";

export const PIPELINE_PACKAGE = "trellis:pipeline@0.1.0";

export const IFACE = {
  stage: "trellis:pipeline/stage@0.1.0",
  log: "trellis:pipeline/log@0.1.0",
  handler: "trellis:pipeline/handler@0.1.0",
  table: "trellis:pipeline/table@0.1.0",
  text: "trellis:pipeline/text@0.1.0",
  image: "trellis:pipeline/image@0.1.0",
  keyvalueStore: "wasi:keyvalue/store@0.2.0-draft",
  incomingHandler: "wasi:http/incoming-handler@0.2.0",
} as const;

interface BuiltinSpec {
  id: string;
  name: string;
  description: string;
  /** World in `wit` (same as the id). */
  world: string;
  imports: string[];
  exports: string[];
  /** A text input that shows what the component does, for the run panel. */
  sampleInput?: string;
  /** A binary sample (base64) when text does not fit, e.g. an image. */
  sampleInputBase64?: string;
}

/** A 96×64 grey gradient as binary PGM (P5), base64: the thumbnail's sample input. */
function samplePgmBase64(): string {
  const w = 96;
  const h = 64;
  let s = `P5\n${w} ${h}\n255\n`;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) s += String.fromCharCode(Math.round(((x + y) / (w + h - 2)) * 255));
  return btoa(s);
}

export interface BuiltinComponent extends BuiltinSpec {
  /**
   * The trellis:pipeline package, the world, and nested dependency packages we
   * define (wasi:keyvalue). WASI packages from the WASI project (wasi:http…)
   * are listed in `externalPackages`; the build adds them (from jco's copy) to
   * build/builtins/<id>.wit, which `/api/builtins` serves when present.
   */
  wit: string;
  externalPackages: string[];
  ports: WitPort[];
  /** `config.source` of nodes made from it. */
  source: `builtin:${string}`;
}

const SPECS: BuiltinSpec[] = [
  {
    id: "http-handler",
    name: "HTTP handler",
    description:
      "Typed HTTP entry point (trellis:pipeline/handler): GET /health answers directly; POST/PUT bodies go to the next stage (200 with its output, 422 with its refusal); logs one line per request.",
    world: "http-handler",
    imports: [IFACE.stage, IFACE.log],
    exports: [IFACE.handler],
    sampleInput: '[{"city":"Lisbon","temp":21.5},{"city":"Oslo","temp":4,"note":"snow, light"}]',
  },
  {
    id: "http-gateway",
    name: "HTTP gateway (wasi:http)",
    description:
      "Exports wasi:http/incoming-handler@0.2.0, so an HTTP ingress (wasmCloud HTTP server, Spin trigger) can call it: GET /health answers directly; POST/PUT bodies go to the next stage (200 with its output, 422 with its refusal).",
    world: "http-gateway",
    imports: [IFACE.stage],
    exports: [IFACE.incomingHandler],
    sampleInput: '[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1,"gift":true}]',
  },
  {
    id: "json-to-csv",
    name: "JSON → CSV",
    description: "Converts a JSON array of flat objects to CSV with a header row (union of keys, first-seen order, RFC 4180 quoting).",
    world: "json-to-csv",
    imports: [],
    exports: [IFACE.stage, IFACE.table],
    sampleInput: '[{"id":1,"name":"Ada","langs":["en","fr"]},{"id":2,"name":"Grace, R.","active":true}]',
  },
  {
    id: "tokenizer",
    name: "Tokenizer",
    description: "Splits text into lower-cased words; as a stage it returns word counts as JSON, most frequent first.",
    world: "tokenizer",
    imports: [],
    exports: [IFACE.stage, IFACE.text],
    sampleInput: "The quick brown fox jumps over the lazy dog. The dog doesn't mind.",
  },
  {
    id: "kv-cache",
    name: "KV cache",
    description: "Memoizes the next stage in a wasi:keyvalue bucket keyed by a hash of the input; a hit skips the next stage.",
    world: "kv-cache",
    imports: [IFACE.keyvalueStore, IFACE.stage],
    exports: [IFACE.stage],
    sampleInput: "cache me",
  },
  {
    id: "thumbnail",
    name: "Thumbnail",
    description: "Box-filter image downscaling; as a stage it turns a binary PGM/PPM (P5/P6) into one at most 64 px a side.",
    world: "thumbnail",
    imports: [],
    exports: [IFACE.stage, IFACE.image],
    sampleInputBase64: samplePgmBase64(),
  },
  {
    id: "logger",
    name: "Logger",
    description: "Keeps the last 64 log lines (trellis:pipeline/log) and writes each to stderr through WASI.",
    world: "logger",
    imports: [],
    exports: [IFACE.log],
  },
];

function witFile(path: string): string {
  const text = WIT_FILES[path];
  if (text === undefined) throw new Error(`builtins: missing WIT file ${path} (run lib/builtins/gen-wit.ts)`);
  return text;
}

/** The WIT of one built-in: shared package text, then its world, then nested dependency packages. */
function composeWit(spec: BuiltinSpec): string {
  const parts = [witFile("wit/pipeline.wit"), witFile(`${spec.id}/world.wit`)];
  if ([...spec.imports, ...spec.exports].some((i) => i.startsWith("wasi:keyvalue/"))) parts.push(witFile("wit/keyvalue.wit"));
  return parts.map((p) => p.trimEnd()).join("\n\n") + "\n";
}

/** `wasi:http/incoming-handler@0.2.0` → `wasi:http@0.2.0`, for WASI packages we do not define. */
function externalPackages(spec: BuiltinSpec): string[] {
  const pkgs = [...spec.imports, ...spec.exports]
    .filter((i) => i.startsWith("wasi:") && !i.startsWith("wasi:keyvalue/"))
    .map((i) => i.replace(/\/[^@]+/, ""));
  return [...new Set(pkgs)];
}

export const BUILTINS: readonly BuiltinComponent[] = SPECS.map((spec) => ({
  ...spec,
  wit: composeWit(spec),
  externalPackages: externalPackages(spec),
  ports: [...spec.imports.map((i) => witPort("import", i)), ...spec.exports.map((e) => witPort("export", e))],
  source: `builtin:${spec.id}` as const,
}));

export function builtinById(id: string): BuiltinComponent | undefined {
  return BUILTINS.find((b) => b.id === id);
}

/** `builtin:<id>` → the component, or undefined for any other source. */
export function builtinBySource(source: string | undefined): BuiltinComponent | undefined {
  return source?.startsWith("builtin:") ? builtinById(source.slice("builtin:".length)) : undefined;
}

/** The palette entry that drops a node made from this built-in. */
export function builtinTemplate(b: BuiltinComponent): NodeTemplate {
  return {
    kind: "component",
    name: b.id,
    config: { source: b.source, wit: b.wit, world: b.world },
    ports: b.ports.map((p) => ({ ...p })),
  };
}
