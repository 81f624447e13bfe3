// A CLI command. Each file in lib/cli/commands/ default-exports one; the
// dispatcher discovers them so features add commands without touching it.
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. Writes to process.stdout / process.stderr. */
  run(args: string[]): Promise<number>;
}
