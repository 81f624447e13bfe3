// Puts a produced file where it is served from: a hard link when both are on
// one file system (no copy of a big artifact), a copy otherwise.
import { copyFile, link, mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";

export async function placeFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await rm(to, { force: true });
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}
