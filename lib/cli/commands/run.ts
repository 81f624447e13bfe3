import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { preopensFor } from "../../compile/native-artifact";
import type { CliCommand } from "../command";

const USAGE = "trellis run <artifact.wasm> [-e K=V]... [--rootfs file.img] [--dir host-dir=guest-dir]... [-- ARGS...]";

const command: CliCommand = {
  name: "run",
  summary: "run a WASI command module (e.g. a compiled container) under node:wasi; ARGS replace the image's CMD",
  usage: USAGE,
  async run(args) {
    let file: string | undefined, rootfs: string | undefined;
    const env: Record<string, string> = {};
    const dirs: Record<string, string> = {};
    let rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === "--") {
        rest = args.slice(i + 1);
        break;
      }
      if ((a === "-e" || a === "--env") && args[i + 1]?.includes("=")) {
        const kv = args[++i]!;
        env[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
      } else if (a === "--rootfs" && args[i + 1]) rootfs = args[++i];
      else if (a === "--dir" && args[i + 1]?.includes("=")) {
        const [host, guest] = args[++i]!.split("=", 2) as [string, string];
        dirs[guest] = resolve(host);
      } else if (!a.startsWith("-") && !file) file = a;
      else if (file) {
        rest = args.slice(i);
        break;
      } else {
        process.stderr.write(`usage: ${USAGE}\n`);
        return 2;
      }
    }
    if (!file || !existsSync(file)) {
      process.stderr.write(file ? `trellis run: ${file}: no such file\n` : `usage: ${USAGE}\n`);
      return 2;
    }
    // compile with V8's optimizing tier up front: the core's interpreter loop is
    // one large, long-running function that Liftoff + late tier-up slow 2-3x
    (await import("node:v8")).setFlagsFromString("--no-liftoff");
    const bytes = await readFile(file);
    let mod: WebAssembly.Module;
    try {
      mod = await WebAssembly.compile(bytes);
    } catch (e) {
      process.stderr.write(`trellis run: ${file} is not a core Wasm module (${(e as Error).message}); components are run by a component host\n`);
      return 1;
    }
    // node:wasi announces itself as experimental on import; that line is noise in a CLI
    const emit = process.emitWarning;
    process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
      if (!String(typeof w === "string" ? w : w.message).includes("WASI")) (emit as (...a: unknown[]) => void).call(process, w, ...rest);
    }) as typeof process.emitWarning;
    const { WASI } = await import("node:wasi");
    process.emitWarning = emit;
    const wasi = new WASI({
      version: "preview1",
      args: [file, ...rest],
      env,
      preopens: { ...preopensFor(resolve(file), rootfs ? resolve(rootfs) : undefined), ...dirs },
      returnOnExit: true,
    });
    const inst = await WebAssembly.instantiate(mod, wasi.getImportObject() as WebAssembly.Imports);
    return wasi.start(inst);
  },
};

export default command;
