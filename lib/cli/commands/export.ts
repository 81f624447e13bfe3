import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { parseDesign } from "../../graph/document";
import { EXPORT_TARGETS, exportDesign, validateExportFiles } from "../../manifest/index";
import type { ExportOptions, ExportTarget } from "../../manifest/types";
import type { CliCommand } from "../command";

const TARGETS = EXPORT_TARGETS.map((t) => t.id);

function parseArgs(args: string[]): { file?: string; target?: string; out?: string; options: ExportOptions; error?: string } {
  const r: ReturnType<typeof parseArgs> = { options: {} };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => args[++i];
    if (a === "--target" || a === "-t") r.target = value();
    else if (a.startsWith("--target=")) r.target = a.slice(9);
    else if (a === "-o" || a === "--out") r.out = value();
    else if (a === "--registry") r.options.registry = value();
    else if (a === "--namespace") r.options.namespace = value();
    else if (a.startsWith("-")) r.error = `unknown option ${a}`;
    else if (r.file) r.error = `unexpected argument ${a}`;
    else r.file = a;
  }
  return r;
}

const command: CliCommand = {
  name: "export",
  summary: "export a design as wadm, SpinKube, Kubernetes or WAC files (exit 1 on blocking problems)",
  usage: `trellis export <design.json> --target ${TARGETS.join("|")} -o <dir> [--registry <prefix>] [--namespace <ns>]`,
  async run(args) {
    const a = parseArgs(args);
    if (a.error || !a.file || !a.out || !a.target) {
      process.stderr.write(`${a.error ? `${a.error}\n` : ""}usage: ${this.usage}\n`);
      return 2;
    }
    if (!TARGETS.includes(a.target as ExportTarget)) {
      process.stderr.write(`unknown target '${a.target}' (expected ${TARGETS.join(", ")})\n`);
      return 2;
    }
    let json: unknown;
    try {
      json = JSON.parse(await readFile(a.file, "utf8"));
    } catch (e) {
      process.stderr.write(`${a.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 1;
    }
    const design = parseDesign(json);
    if (!design.ok) {
      for (const i of design.error) process.stderr.write(`${a.file}: ${i.path}: ${i.message}\n`);
      return 1;
    }
    const result = exportDesign(design.value, a.target as ExportTarget, a.options);
    for (const p of result.problems) {
      const ids = [...(p.nodeIds.length ? [`nodes ${p.nodeIds.join(",")}`] : []), ...(p.linkIds.length ? [`wires ${p.linkIds.join(",")}`] : [])];
      process.stderr.write(`${p.severity} [${p.kind}] ${p.message}${ids.length ? ` (${ids.join("; ")})` : ""}\n`);
    }
    if (result.problems.some((p) => p.severity === "error")) {
      process.stderr.write(`export to ${a.target} refused: ${result.problems.filter((p) => p.severity === "error").length} blocking problem(s); no files written\n`);
      return 1;
    }
    const invalid = validateExportFiles(result.files).filter((v) => !v.ok);
    if (invalid.length > 0) {
      for (const v of invalid) for (const e of v.errors) process.stderr.write(`${v.path}: ${e.object ? `${e.object} ` : ""}${e.path}: ${e.message}\n`);
      return 1;
    }
    const root = resolve(a.out);
    for (const f of result.files) {
      const path = resolve(root, f.path);
      if (relative(root, path).startsWith("..")) {
        process.stderr.write(`refusing to write outside ${root}: ${f.path}\n`);
        return 1;
      }
    }
    for (const f of result.files) {
      const path = resolve(root, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content);
      process.stdout.write(`wrote ${relative(process.cwd(), path) || path}\n`);
    }
    const r = result.report;
    if (r.inProcess.length > 0) process.stdout.write(`in-process calls: ${r.inProcess.map((x) => `${x.from} → ${x.to} (${x.interface})`).join("; ")}\n`);
    if (r.network.length > 0) process.stdout.write(`outside calls: ${r.network.map((x) => `${x.from} → ${x.to} via ${x.via}`).join("; ")}\n`);
    for (const l of r.leftToUser) process.stdout.write(`todo: ${l}\n`);
    process.stdout.write(`exported ${result.files.length} file(s) for ${a.target}\n`);
    return 0;
  },
};

export default command;
