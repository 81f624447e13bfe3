// `trellis wit check [--json] [--features a,b | --all-features] <file.wit | package-folder>`:
// parse and resolve WIT (a folder's `deps/` included), print each world's
// imports and exports, or every error as `file:line:col: message`. Exit 0
// when valid, 1 when not. `--json` prints the same as one JSON object (for CI
// tooling). `@unstable` feature gates are off unless named, as in wit-parser.
import { isAbsolute, relative, resolve } from "node:path";
import type { CliCommand } from "../command";
import { checkWit, DEFAULT_WIT_FEATURES, formatWitError, funcToString, parseWitFeatures, summarizeWorld, type WorldEntry } from "../../wit";
import { nodeWitFs } from "../node-wit-fs";

function entryLine(e: WorldEntry): string {
  if (e.kind === "function") return `${e.key}: ${funcToString(e.func)}`;
  if (e.interface.inline) return `${e.key}: interface { ${e.interface.functions.length} function(s) }`;
  if (e.plainName !== undefined) return `${e.key}: ${e.interface.qualifiedName}`;
  return `${e.key}${e.implicit ? "  (implied by use)" : ""}`;
}

const command: CliCommand = {
  name: "wit",
  summary: "Check WIT: parse and resolve a file or package folder and list its worlds",
  usage: "trellis wit check [--json] [--features a,b | --all-features] <file.wit | package-folder>",
  async run(args) {
    const positional: string[] = [];
    let json = false;
    let features: string[] | "all" = [...DEFAULT_WIT_FEATURES];
    let featuresGiven = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === "--json") json = true;
      else if (a === "--all-features" || a === "--features" || a.startsWith("--features=")) {
        if (featuresGiven) {
          process.stderr.write("trellis wit check: give --features or --all-features once\n");
          return 2;
        }
        featuresGiven = true;
        if (a === "--all-features") {
          features = "all";
          continue;
        }
        const list = a === "--features" ? args[++i] : a.slice("--features=".length);
        if (list === undefined) {
          process.stderr.write("trellis wit check: --features needs a comma-separated list\n");
          return 2;
        }
        const parsed = parseWitFeatures(list);
        if (!parsed.ok) {
          process.stderr.write(`trellis wit check: ${parsed.error}\n`);
          return 2;
        }
        features = parsed.features;
      } else positional.push(a);
    }
    const [sub, target, ...rest] = positional;
    if (sub !== "check" || !target || rest.length) {
      process.stderr.write(`usage: ${this.usage}\n`);
      return 2;
    }
    // `npm run trellis -- …` runs in the package root; resolve relative paths
    // against the directory the user ran npm from (INIT_CWD).
    const base = process.env.INIT_CWD;
    const located = base && !isAbsolute(target) && resolve(base) !== process.cwd() ? relative(process.cwd(), resolve(base, target)) || "." : target;
    const path = located.length > 1 ? located.replace(/\/+$/, "") : located;
    const { model, errors } = checkWit(nodeWitFs, path, { features });
    if (json) {
      const root = model.packages.find((p) => p.name === model.root);
      const out = {
        ok: errors.length === 0,
        errors: errors.map((e) => ({ kind: e.kind, message: e.message, file: e.span.file, line: e.span.start.line, column: e.span.start.column })),
        package: root?.name ?? null,
        worlds: (root?.worlds ?? []).map(summarizeWorld),
      };
      process.stdout.write(JSON.stringify(out, null, 2) + "\n");
      return errors.length ? 1 : 0;
    }
    if (errors.length) {
      for (const e of errors) process.stderr.write(formatWitError(e) + "\n");
      process.stderr.write(`${errors.length} error${errors.length === 1 ? "" : "s"}\n`);
      return 1;
    }
    const root = model.packages.find((p) => p.name === model.root);
    const lines: string[] = [];
    lines.push(`package ${root?.name ?? "(none)"}: ${root?.interfaces.length ?? 0} interface(s), ${root?.worlds.length ?? 0} world(s)`);
    for (const w of root?.worlds ?? []) {
      lines.push(`world ${w.qualifiedName}`);
      for (const e of w.imports) lines.push(`  import ${entryLine(e)}`);
      for (const e of w.exports) lines.push(`  export ${entryLine(e)}`);
    }
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};

export default command;
