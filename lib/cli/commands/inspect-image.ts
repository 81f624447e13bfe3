import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unpackImage } from "../../image/unpack";
import type { CliCommand } from "../command";

const USAGE = "trellis inspect-image <image.tar> [--platform os/arch[/variant]] [--name image:tag] [--rootfs out.img] [--json]";

function human(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

const command: CliCommand = {
  name: "inspect-image",
  summary: "unpack a docker-save / OCI layout archive: layers, config, classification; optionally write its packed rootfs",
  usage: USAGE,
  async run(args) {
    let file: string | undefined;
    let platform: string | undefined, name: string | undefined, rootfsOut: string | undefined;
    let json = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === "--platform") platform = args[++i];
      else if (a === "--name") name = args[++i];
      else if (a === "--rootfs") rootfsOut = args[++i];
      else if (a === "--json") json = true;
      else if (!a.startsWith("--") && !file) file = a;
      else {
        process.stderr.write(`usage: ${USAGE}\n`);
        return 2;
      }
    }
    if (!file || (args.includes("--platform") && !platform) || (args.includes("--name") && !name) || (args.includes("--rootfs") && !rootfsOut)) {
      process.stderr.write(`usage: ${USAGE}\n`);
      return 2;
    }
    const workDir = await mkdtemp(join(tmpdir(), "trellis-inspect-"));
    try {
      const r = await unpackImage({
        file,
        workDir,
        ...(platform ? { platform } : {}),
        ...(name ? { name } : {}),
        onLog: json ? undefined : (l) => process.stderr.write(`  ${l}\n`),
      });
      if (!r.ok) {
        if (json) process.stdout.write(JSON.stringify({ error: r.error }, null, 2) + "\n");
        process.stderr.write(`${file}: ${r.error.kind}: ${r.error.message}\n`);
        return 1;
      }
      const v = r.value;
      if (rootfsOut && v.rootfs) {
        await rename(v.rootfs.path, rootfsOut);
        v.rootfs.path = rootfsOut;
      }
      if (json) {
        process.stdout.write(JSON.stringify(v, null, 2) + "\n");
        return 0;
      }
      const c = v.classification;
      const out = [
        `${file}: ${v.format}${v.outerCompression !== "none" ? ` (${v.outerCompression})` : ""}, platform ${v.platform}${v.platforms.length > 1 ? ` (of ${v.platforms.map((p) => p.label).join(", ")})` : ""}${v.names.length ? `, ${v.names.join(", ")}` : ""}`,
        `  entrypoint: ${JSON.stringify(v.config.entrypoint)}  cmd: ${JSON.stringify(v.config.cmd)}${v.config.workingDir ? `  workdir: ${v.config.workingDir}` : ""}${v.config.user ? `  user: ${v.config.user}` : ""}`,
        ...(v.config.exposedPorts.length ? [`  ports: ${v.config.exposedPorts.join(", ")}`] : []),
        `  layers:`,
        ...v.layers.map((l) => `    ${l.index}: ${l.digest ?? `diff_id ${l.diffId}`} ${human(l.size)} ${l.wasm ? "wasm" : l.compression === "none" ? "tar" : `tar+${l.compression}`}${l.entries !== undefined ? `, ${l.entries} entries` : ""}`),
        `  rootfs: ${v.files} files, ${v.dirs} dirs, ${v.symlinks} symlinks, ${human(v.unpackedBytes)}${v.skipped.length ? `, ${v.skipped.length} device/fifo entries skipped` : ""}`,
        ...(rootfsOut && v.rootfs ? [`  packed rootfs written to ${rootfsOut} (${human(v.rootfs.totalSize)})`] : []),
        c.kind === "wasm"
          ? `  Wasm ${c.wasmKind}: ${c.why}`
          : c.kind === "native"
            ? `  native: ${c.why}; ${c.elf.class}-bit ${c.elf.machine}, ${c.elf.linking}${c.elf.interpreter ? ` (${c.elf.interpreter})` : ""}`
            : `  unsupported (${c.code}): ${c.reason}`,
      ];
      process.stdout.write(out.join("\n") + "\n");
      return 0;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  },
};

export default command;
