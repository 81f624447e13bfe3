// Compiled containers as pipeline stages: a WASI preview1 command run once per
// call, the input on stdin, stdout returned. A non-zero exit is a refusal
// carrying the exit code and the end of stderr. No preopened directories: the
// command sees no files, no environment and only its name as argument.
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";
import { errorMessage, RunStop, type HostCommand } from "./host-types";
import type { RunLimits } from "./types";

export interface LoadedCommand {
  id: string;
  name: string;
  module: WebAssembly.Module;
}

export function loadCommand(c: HostCommand): LoadedCommand {
  try {
    return { id: c.id, name: c.name, module: new WebAssembly.Module(readFileSync(c.file)) };
  } catch (e) {
    throw new RunStop({ kind: "instantiate-failed", message: `'${c.name}' is not a loadable WASI command: ${errorMessage(e)}`, nodeId: c.id });
  }
}

/** One run of the command; throws a RunStop (trap, limits) or a refusal `{ payload }` (non-zero exit). */
export function runCommand(cmd: LoadedCommand, input: unknown, limits: RunLimits): Uint8Array {
  const id = cmd.id;
  if (!(input instanceof Uint8Array)) throw new RunStop({ kind: "invalid-request", message: `'${cmd.name}' takes bytes on stdin`, nodeId: id });
  // stdio through files in the run's scratch directory: node:wasi takes file descriptors only.
  const dir = mkdtempSync(join(process.env.TRELLIS_SCRATCH || tmpdir(), "cmd-"));
  const fds: number[] = [];
  try {
    try {
      writeFileSync(join(dir, "stdin"), input);
    } catch (e) {
      throw new RunStop({ kind: "output-limit", message: `the input of '${cmd.name}' (${input.byteLength} bytes) is too large: ${errorMessage(e)}`, nodeId: id });
    }
    const [stdin, stdout, stderr] = [openSync(join(dir, "stdin"), "r"), openSync(join(dir, "stdout"), "w+"), openSync(join(dir, "stderr"), "w+")];
    fds.push(stdin, stdout, stderr);
    const wasi = new WASI({ version: "preview1", args: [cmd.name], env: {}, stdin, stdout, stderr, returnOnExit: true });
    let code: number;
    let memory: WebAssembly.Memory | undefined;
    try {
      const instance = new WebAssembly.Instance(cmd.module, wasi.getImportObject() as WebAssembly.Imports);
      memory = instance.exports.memory instanceof WebAssembly.Memory ? instance.exports.memory : undefined;
      code = wasi.start(instance);
    } catch (e) {
      throw new RunStop({ kind: "trap", message: `'${cmd.name}' trapped: ${errorMessage(e)}`, nodeId: id });
    }
    if (memory && memory.buffer.byteLength > limits.memoryBytes)
      throw new RunStop({ kind: "memory-limit", message: `'${cmd.name}' used ${(memory.buffer.byteLength / 2 ** 20).toFixed(1)} MiB of memory`, nodeId: id });
    const outSize = fstatSync(stdout).size;
    if (outSize > limits.outputBytes)
      throw new RunStop({ kind: "output-limit", message: `'${cmd.name}' wrote ${outSize} bytes to stdout, over the limit of ${limits.outputBytes}`, nodeId: id });
    const out = new Uint8Array(readFileSync(join(dir, "stdout")));
    if (code !== 0) {
      const err = readFileSync(join(dir, "stderr"), "utf8").trim().split("\n").slice(-5).join("\n");
      throw Object.assign(new Error(`exit ${code}`), { payload: `exit code ${code}${err ? `: ${err}` : ""}` });
    }
    return out;
  } finally {
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}
