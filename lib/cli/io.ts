import { readFile } from "node:fs/promises";

/** Reads a text file named on the command line; prints why it can't and gives null. */
export async function readTextArg(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    process.stderr.write(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return null;
  }
}
