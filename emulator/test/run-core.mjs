// Runs the x86-64 core under node:wasi in its own process (so a test can put a
// time limit on it). Usage: node run-core.mjs <core.wasm> <json>, where json is
// { args: string[], env: Record<string,string>, preopens: Record<string,string>, stdinFile?: string }.
import { WASI } from "node:wasi";
import { readFileSync, openSync } from "node:fs";

// Start it with `node --no-liftoff --no-wasm-lazy-compilation`: the interpreter
// loop is one large function that runs for long stretches, and V8's baseline
// tier plus a late tier-up cost 2-3x; and Node 20's V8 intermittently crashes
// (SIGSEGV in JS after the run) when wasm functions are compiled lazily.
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
const mod = await WebAssembly.compile(readFileSync(core));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
process.exitCode = wasi.start(inst);
