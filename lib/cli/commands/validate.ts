import { readTextArg } from "../io";
import { parseDesign } from "../../graph/document";
import type { CliCommand } from "../command";

const command: CliCommand = {
  name: "validate",
  summary: "check a design JSON document (exit 0 valid, 1 with every problem)",
  usage: "trellis validate <design.json>",
  async run(args) {
    const file = args[0];
    if (!file || args.length > 1) {
      process.stderr.write(`usage: ${this.usage}\n`);
      return 2;
    }
    const text = await readTextArg(file);
    if (text === null) return 1;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      process.stderr.write(`${file}: not JSON: ${(e as Error).message}\n`);
      return 1;
    }
    const r = parseDesign(json);
    if (!r.ok) {
      for (const i of r.error) process.stderr.write(`${file}: ${i.path}: ${i.message}\n`);
      process.stderr.write(`${file}: invalid (${r.error.length} problem${r.error.length === 1 ? "" : "s"})\n`);
      return 1;
    }
    const t = r.value.topology;
    const kinds = new Map<string, number>();
    for (const n of t.nodes) kinds.set(n.kind, (kinds.get(n.kind) ?? 0) + 1);
    const breakdown = [...kinds].map(([k, c]) => `${c} ${k}`).join(", ");
    process.stdout.write(
      `${file}: valid trellis design v${r.value.trellisVersion} "${r.value.name}": ${t.nodes.length} nodes${breakdown ? ` (${breakdown})` : ""}, ${t.links.length} wires\n`,
    );
    return 0;
  },
};

export default command;
