// lib/wit's file-system port over node:fs (the CLI and the conformance suite).
import { readdirSync, readFileSync, statSync } from "node:fs";
import type { WitFs } from "../wit";

export const nodeWitFs: WitFs = {
  kind(p) {
    try {
      return statSync(p).isDirectory() ? "dir" : "file";
    } catch {
      return "missing";
    }
  },
  readDir: (p) =>
    readdirSync(p, { withFileTypes: true }).map((d) => ({
      name: d.name,
      kind: d.isDirectory() || (d.isSymbolicLink() && statSync(`${p}/${d.name}`).isDirectory()) ? "dir" : "file",
    })),
  readFile: (p) => readFileSync(p, "utf8"),
  readBytes: (p) => new Uint8Array(readFileSync(p)),
};
