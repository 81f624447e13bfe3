#!/usr/bin/env node
// The server Playwright tests run against: the production build, a fresh data
// directory per run, loopback only.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const port = process.argv[2] ?? "3123";
const dataDir = mkdtempSync(join(tmpdir(), "trellis-e2e-"));
const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", port], {
  stdio: "inherit",
  env: { ...process.env, TRELLIS_DATA_DIR: dataDir, TRELLIS_TOKEN: "" },
});
const stop = (sig) => child.kill(sig);
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
child.on("exit", (code) => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
