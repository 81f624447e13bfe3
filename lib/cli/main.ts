import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CliCommand } from "./command";

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), "commands");

export async function loadCommands(): Promise<CliCommand[]> {
  const files = readdirSync(commandsDir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .sort();
  const commands: CliCommand[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(commandsDir, f)).href)) as { default: CliCommand };
    commands.push(mod.default);
  }
  return commands;
}

export function helpText(commands: CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = [
    "trellis — design, compile and export WebAssembly cloud pipelines",
    "",
    "usage: trellis <command> [args]",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `trellis <command> --help` for a command's usage.",
  ];
  return lines.join("\n") + "\n";
}

export async function main(argv: string[]): Promise<number> {
  const commands = await loadCommands();
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(helpText(commands));
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`trellis: unknown command '${name}'\n\n` + helpText(commands));
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`usage: ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  return command.run(rest);
}
