// Test support for suites that need host tools (clang-14, gcc, musl-gcc,
// busybox, glibc's loader…). Without them a suite skips on a developer's
// machine, but under CI=true a missing tool is an error: CI installs every
// tool (scripts/setup.sh), so a skip there would hide tests silently.
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface HostTools {
  /** Commands looked up on PATH (executable files). */
  commands?: readonly string[];
  /** Absolute paths that must exist (loaders, shared objects, static binaries). */
  files?: readonly string[];
}

function onPath(cmd: string, path: string): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** The tools of `need` that this machine lacks, in the order given. */
export function missingHostTools(need: HostTools, env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const path = env.PATH ?? "";
  return [...(need.commands ?? []).filter((c) => !onPath(c, path)), ...(need.files ?? []).filter((f) => !existsSync(f))];
}

/**
 * True when every tool is there. When some are missing: false (the caller
 * skips), or under CI=true an Error naming them, so the test file fails.
 */
export function haveHostTools(need: HostTools, purpose: string, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const missing = missingHostTools(need, env);
  if (missing.length === 0) return true;
  if (env.CI === "true") {
    throw new Error(`${purpose} needs host tools missing under CI=true: ${missing.join(", ")} (scripts/setup.sh installs them)`);
  }
  return false;
}
