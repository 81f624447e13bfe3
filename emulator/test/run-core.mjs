// Runs the x86-64 core under node:wasi in its own process (so a test can put a
// time limit on it). Usage: node run-core.mjs <core.wasm> <json>, where json is
// { args: string[], env: Record<string,string>, preopens: Record<string,string>, stdinFile?: string }.
import { WASI } from "node:wasi";
import { readFileSync, openSync } from "node:fs";

// Start it with the core's flags (CORE_NODE_FLAGS in lib/compile/native-artifact.ts,
// where the measurement behind them is written down). The module is compiled
// synchronously: with lazy compilation off, Node 24 leaves an awaited
// WebAssembly.compile() unsettled (exit 13).
const [core, json] = process.argv.slice(2);
const cfg = JSON.parse(json);
const wasi = new WASI({
  version: "preview1",
  args: cfg.args,
  env: cfg.env ?? {},
  preopens: cfg.preopens ?? {},
  stdin: cfg.stdinFile ? openSync(cfg.stdinFile, "r") : 0,
  returnOnExit: true,
});
const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(core)), wasi.getImportObject());
process.exitCode = wasi.start(inst);
