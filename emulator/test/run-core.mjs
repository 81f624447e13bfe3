// Runs the x86-64 core under node:wasi in its own process (so a test can put a
// time limit on it). Usage: node run-core.mjs <core.wasm> <json>, where json is
// { args: string[], env: Record<string,string>, preopens: Record<string,string>, stdinFile?: string }.
import { WASI } from "node:wasi";
import v8 from "node:v8";
import { readFileSync, openSync } from "node:fs";

// The interpreter loop is one large function that runs for long stretches:
// V8's baseline tier (Liftoff) and a late tier-up cost 2-3x; compile it with
// the optimizing tier up front.
v8.setFlagsFromString("--no-liftoff");
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
