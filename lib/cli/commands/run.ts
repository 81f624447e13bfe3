import { open } from "node:fs/promises";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { childArgs, preopensFor } from "../../compile/native-artifact";
import { checkPublishes, hostNetChildArgs, isHostNetError, parseAllow, parsePublish, type Allow, type Publish } from "../../compile/host-net";
import type { CliCommand } from "../command";

const USAGE =
  "trellis run [-p [ADDR:]HOSTPORT:GUESTPORT]... [--allow HOST:PORT]... <artifact.wasm> [-e K=V]... [--rootfs file.img] [--dir host-dir=guest-dir]... [-- ARGS...]";

const command: CliCommand = {
  name: "run",
  summary: "run a WASI command module (e.g. a compiled container) under node:wasi; ARGS replace the image's CMD",
  usage: USAGE,
  async run(args) {
    let file: string | undefined, rootfs: string | undefined;
    const env: Record<string, string> = {};
    const dirs: Record<string, string> = {};
    let rest: string[] = [];
    const publish: Publish[] = [];
    const allow: Allow[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === "--") {
        rest = args.slice(i + 1);
        break;
      }
      if ((a === "-p" || a === "--publish" || a === "--allow") && args[i + 1]) {
        const v = a === "--allow" ? parseAllow(args[++i]!) : parsePublish(args[++i]!);
        if (isHostNetError(v)) {
          process.stderr.write(`trellis run: ${v.message}\n`);
          return 2;
        }
        if ("guestPort" in v) publish.push(v);
        else allow.push(v);
      } else if ((a === "-e" || a === "--env") && args[i + 1]?.includes("=")) {
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
    // only the header: artifacts embedding a rootfs can be large
    const fh = await open(file, "r");
    const head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    await fh.close();
    if (!head.equals(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))) {
      const comp = head.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d]));
      process.stderr.write(`trellis run: ${file} is ${comp ? "a component; run it with a component host (wasmtime, wasmCloud, Spin)" : "not a Wasm module"}\n`);
      return 1;
    }
    const dup = checkPublishes(publish);
    if (dup) {
      process.stderr.write(`trellis run: ${dup.message}\n`);
      return 2;
    }
    // A child node started with the core's flags (CORE_NODE_FLAGS), stdio passed through;
    // with -p/--allow it also carries the host network interface (lib/image/HOST-NET.md).
    const cfg = { file: resolve(file), args: [file, ...rest], env, preopens: { ...preopensFor(resolve(file), rootfs ? resolve(rootfs) : undefined), ...dirs } };
    const argv = publish.length || allow.length ? hostNetChildArgs({ ...cfg, publish, allow }) : childArgs(cfg);
    return await new Promise<number>((done) => {
      const child = spawn(process.execPath, argv, { stdio: "inherit" });
      child.on("error", (e) => {
        process.stderr.write(`trellis run: ${e.message}\n`);
        done(1);
      });
      child.on("close", (code, signal) => done(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
    });
  },
};

export default command;
