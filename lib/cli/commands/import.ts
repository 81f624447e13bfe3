import { rename, writeFile } from "node:fs/promises";
import { readTextArg } from "../io";
import { parseDesign } from "../../graph/document";
import { importManifest } from "../../manifest/index";
import type { ImportFormat } from "../../manifest/types";
import type { CliCommand } from "../command";

const FORMATS: ImportFormat[] = ["wasmcloud", "wadm", "k8s", "compose", "spin-toml"];

const command: CliCommand = {
  name: "import",
  summary: "turn a wadm manifest, Kubernetes YAML, SpinApp, docker-compose file or spin.toml into a design",
  usage: `trellis import <file> -o <design.json> [--format ${FORMATS.join("|")}]`,
  async run(args) {
    let file: string | undefined;
    let out: string | undefined;
    let format: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === "-o" || a === "--out") out = args[++i];
      else if (a === "--format") format = args[++i];
      else if (!a.startsWith("-") && !file) file = a;
      else {
        process.stderr.write(`unexpected argument ${a}\nusage: ${this.usage}\n`);
        return 2;
      }
    }
    if (!file || !out) {
      process.stderr.write(`usage: ${this.usage}\n`);
      return 2;
    }
    if (format !== undefined && !FORMATS.includes(format as ImportFormat)) {
      process.stderr.write(`unknown format '${format}' (expected ${FORMATS.join(", ")})\n`);
      return 2;
    }
    const text = await readTextArg(file);
    if (text === null) return 1;
    const r = await importManifest(text, format as ImportFormat | undefined);
    if (!r.ok) {
      const where = r.error.line !== undefined ? `:${r.error.line}${r.error.column !== undefined ? `:${r.error.column}` : ""}` : "";
      process.stderr.write(`${file}${where}: ${r.error.kind}: ${r.error.kind === "empty" && r.error.skipped ? "no workloads found" : r.error.message}\n`);
      for (const s of r.error.skipped ?? []) process.stderr.write(`skipped ${s.kind} ${s.name}: ${s.reason}\n`);
      process.stderr.write("import failed; no file written\n");
      return 1;
    }
    const { design, skipped } = r.value;
    const check = parseDesign(JSON.parse(JSON.stringify(design)));
    if (!check.ok) {
      for (const i of check.error) process.stderr.write(`internal: imported design ${i.path}: ${i.message}\n`);
      process.stderr.write("import failed; no file written\n");
      return 1;
    }
    for (const s of skipped) process.stdout.write(`skipped ${s.kind} ${s.name}: ${s.reason}\n`);
    // Write beside the target and rename, so a failure never leaves half a file.
    const tmp = `${out}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(design, null, 2) + "\n");
    await rename(tmp, out);
    process.stdout.write(`imported ${design.topology.nodes.length} nodes, ${design.topology.links.length} wires, ${skipped.length} skipped\n`);
    return 0;
  },
};

export default command;
