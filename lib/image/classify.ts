// Decides what an image is: a Wasm image (module or component), a native
// image whose entrypoint resolves (PATH, symlinks, shebangs — all inside the
// rootfs) to an ELF, or unsupported with the reason.

import { open } from "node:fs/promises";
import { parseElf, isElf, EM_X86_64, type ElfInfo } from "./elf";
import type { ImageConfigSummary } from "./image-archive";
import type { FsTree } from "./fs-tree";
import type { PackedRootfs } from "./packed-rootfs";
import { walkPath } from "./walk-path";

export interface ViewStat {
  type: "file" | "dir" | "symlink";
  perm: number;
  size: number;
}

/** Read-only access to a rootfs; paths have no leading `/`. Never touches host paths. */
export interface RootfsView {
  lstat(path: string): ViewStat | undefined;
  readlink(path: string): string | undefined;
  /** Names in the directory at exactly `path`. */
  readdir(path: string): string[] | undefined;
  /** Reads from the regular file at exactly `path` (no link following). */
  read(path: string, offset: number, length: number): Promise<Uint8Array>;
}

export function treeView(tree: FsTree): RootfsView {
  return {
    lstat(path) {
      const n = tree.get(path);
      return n ? { type: n.inode.type, perm: n.inode.perm, size: n.inode.size } : undefined;
    },
    readlink(path) {
      const n = tree.get(path);
      return n?.inode.type === "symlink" ? n.inode.target : undefined;
    },
    readdir(path) {
      const n = tree.get(path);
      return n?.inode.type === "dir" ? [...n.inode.children!.keys()].sort() : undefined;
    },
    async read(path, offset, length) {
      const n = tree.get(path);
      if (!n || n.inode.type !== "file" || !n.inode.content) return new Uint8Array(0);
      const len = Math.max(0, Math.min(length, n.inode.size - offset));
      const c = n.inode.content;
      if (c.kind === "buffer") return c.data.subarray(offset, offset + len);
      const fh = await open(c.path, "r");
      try {
        const b = Buffer.alloc(len);
        const { bytesRead } = await fh.read(b, 0, len, c.offset + offset);
        return b.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
  };
}

export function packedView(fs: PackedRootfs): RootfsView {
  return {
    lstat(path) {
      const s = fs.stat(path);
      return s.ok ? { type: s.value.type, perm: s.value.mode & 0o7777, size: s.value.size } : undefined;
    },
    readlink(path) {
      const r = fs.readlink(path);
      return r.ok ? r.value : undefined;
    },
    readdir(path) {
      const s = fs.stat(path);
      if (!s.ok || s.value.type !== "dir") return undefined;
      const r = fs.readdir(path);
      return r.ok ? r.value : undefined;
    },
    async read(path, offset, length) {
      const s = fs.stat(path);
      if (!s.ok || s.value.type !== "file") return new Uint8Array(0);
      const r = fs.readFile(path);
      return r.ok ? r.value.subarray(offset, offset + length) : new Uint8Array(0);
    },
  };
}

/** Resolves `path` (absolute, or relative to `cwd`) through symlinks inside the
 *  rootfs; `..` stops at the root. Returns the final path or undefined. */
export function resolveInRootfs(view: RootfsView, path: string, cwd = ""): string | undefined {
  const r = walkPath(path.startsWith("/") ? path : `${cwd}/${path}`, (p) => {
    const st = view.lstat(p);
    return st && { type: st.type, target: () => view.readlink(p) ?? "" };
  });
  return r.ok ? r.path : undefined;
}

export type WasmKind = "module" | "component";

/** Tells a core module from a component by the header's version/layer fields. */
export function wasmKindOf(head: Uint8Array): WasmKind | undefined {
  if (head.length < 8 || head[0] !== 0 || head[1] !== 0x61 || head[2] !== 0x73 || head[3] !== 0x6d) return undefined;
  const version = head[4]! | (head[5]! << 8);
  const layer = head[6]! | (head[7]! << 8);
  if (layer === 0 && version === 1) return "module";
  if (layer === 1) return "component";
  return undefined;
}

export type UnsupportedCode =
  | "no-entrypoint"
  | "entrypoint-missing"
  | "not-executable"
  | "other-architecture"
  | "missing-interpreter"
  | "unknown-binary"
  | "bad-wasm"
  | "wasm-platform-without-module"
  | "other-os";

export type Classification =
  | {
      kind: "wasm";
      wasmKind: WasmKind;
      /** Where the bytes came from: a Wasm OCI layer or a file in the rootfs. */
      source: "layer" | "rootfs";
      layerDigest?: string;
      path?: string;
      size: number;
      why: string;
    }
  | {
      kind: "native";
      argv: string[];
      /** The rootfs path of the ELF that runs (after PATH, symlinks, shebang). */
      executable: string;
      elf: ElfInfo;
      script?: { path: string; interpreter: string[] };
      why: string;
    }
  | { kind: "unsupported"; code: UnsupportedCode; reason: string; argv: string[]; elf?: ElfInfo; path?: string };

export interface WasmLayerInput {
  digest: string;
  mediaType: string;
  size: number;
  head: Uint8Array;
}

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function argvOf(config: ImageConfigSummary): string[] {
  const ep = config.entrypoint ?? [];
  return ep.length > 0 ? [...ep, ...(config.cmd ?? [])] : [...(config.cmd ?? [])];
}

function pathVar(config: ImageConfigSummary): string {
  const e = config.env.find((x) => x.startsWith("PATH="));
  return e ? e.slice(5) : DEFAULT_PATH;
}

/** Finds `program` the way execvp would, inside the rootfs. */
export function findProgram(view: RootfsView, program: string, config: ImageConfigSummary): string | undefined {
  const cwd = config.workingDir.replace(/^\/+/, "");
  if (program.includes("/")) {
    const r = resolveInRootfs(view, program, cwd);
    return r !== undefined && view.lstat(r)?.type === "file" ? r : undefined;
  }
  for (const dir of pathVar(config).split(":")) {
    if (!dir) continue;
    const r = resolveInRootfs(view, `${dir}/${program}`, cwd);
    if (r !== undefined && view.lstat(r)?.type === "file") return r;
  }
  return undefined;
}

export async function classifyImage(input: {
  config: ImageConfigSummary;
  wasmLayers: WasmLayerInput[];
  view: RootfsView;
}): Promise<Classification> {
  const { config, view } = input;
  const argv = argvOf(config);
  if (input.wasmLayers.length > 0) {
    const l = input.wasmLayers[0]!;
    const k = wasmKindOf(l.head);
    if (!k) return { kind: "unsupported", code: "bad-wasm", reason: `the Wasm layer ${l.digest} does not start with a Wasm header`, argv };
    const many = input.wasmLayers.length > 1 ? `; the first of ${input.wasmLayers.length} Wasm layers` : "";
    return { kind: "wasm", wasmKind: k, source: "layer", layerDigest: l.digest, size: l.size, why: `layer media type ${l.mediaType}${many}` };
  }
  const wasiOs = /^wasi/.test(config.os) || config.architecture === "wasm";
  if (config.os && config.os !== "linux" && !wasiOs) {
    return { kind: "unsupported", code: "other-os", reason: `the image is built for ${config.os}; only linux (x86-64) and Wasm images are supported`, argv };
  }
  if (argv.length === 0) {
    if (wasiOs) {
      const lone = findLoneWasm(view);
      if (lone) return await wasmFromRootfs(view, lone, `platform ${config.os}/${config.architecture}, the only .wasm file in the rootfs`);
      return { kind: "unsupported", code: "wasm-platform-without-module", reason: `platform ${config.os} but no entrypoint and no single .wasm file in the rootfs`, argv };
    }
    return { kind: "unsupported", code: "no-entrypoint", reason: "the image config has neither Entrypoint nor Cmd", argv };
  }
  return classifyProgram(view, config, argv, argv[0]!, 0, wasiOs);
}

function findLoneWasm(view: RootfsView): string | undefined {
  // Only the top two levels: Wasm artifacts put the module near the root (`/app.wasm`, `/app/x.wasm`).
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const name of view.readdir(dir) ?? []) {
      const p = dir === "" ? name : `${dir}/${name}`;
      const st = view.lstat(p);
      if (st?.type === "file" && name.endsWith(".wasm")) found.push(p);
      else if (st?.type === "dir" && depth < 1) walk(p, depth + 1);
    }
  };
  walk("", 0);
  return found.length === 1 ? found[0] : undefined;
}

async function wasmFromRootfs(view: RootfsView, path: string, why: string): Promise<Classification> {
  const head = await view.read(path, 0, 8);
  const k = wasmKindOf(head);
  if (!k) return { kind: "unsupported", code: "bad-wasm", reason: `/${path} does not start with a Wasm header`, argv: [], path: "/" + path };
  return { kind: "wasm", wasmKind: k, source: "rootfs", path: "/" + path, size: view.lstat(path)!.size, why };
}

async function classifyProgram(
  view: RootfsView,
  config: ImageConfigSummary,
  argv: string[],
  program: string,
  depth: number,
  wasiOs: boolean,
): Promise<Classification> {
  const found = findProgram(view, program, config);
  if (found === undefined) {
    if (depth > 0) return { kind: "unsupported", code: "missing-interpreter", reason: `the script interpreter ${program} is not in the image`, argv };
    return { kind: "unsupported", code: "entrypoint-missing", reason: `the entrypoint ${program} is not found in the image${program.includes("/") ? "" : ` (PATH=${pathVar(config)})`}`, argv };
  }
  const st = view.lstat(found)!;
  const head = await view.read(found, 0, 512);
  const kind = wasmKindOf(head);
  if (kind || found.endsWith(".wasm")) {
    return wasmFromRootfs(view, found, `the entrypoint /${found} is a Wasm ${kind ?? "file"}${wasiOs ? ` (platform ${config.os})` : ""}`);
  }
  if ((st.perm & 0o111) === 0) return { kind: "unsupported", code: "not-executable", reason: `the entrypoint /${found} has no execute permission`, argv, path: "/" + found };
  if (isElf(head)) {
    const elf = await parseElf((o, l) => view.read(found, o, l), st.size);
    if (typeof elf === "string") return { kind: "unsupported", code: "unknown-binary", reason: `/${found}: ${elf}`, argv, path: "/" + found };
    if (elf.machineId !== EM_X86_64 || elf.class !== 64 || elf.endian !== "little") {
      return { kind: "unsupported", code: "other-architecture", reason: `/${found} is a ${elf.class}-bit ${elf.machine} ELF; only x86-64 is supported`, argv, elf, path: "/" + found };
    }
    if (elf.interpreter !== undefined && resolveInRootfs(view, elf.interpreter) === undefined) {
      return { kind: "unsupported", code: "missing-interpreter", reason: `/${found} needs the dynamic loader ${elf.interpreter}, which is not in the image`, argv, elf, path: "/" + found };
    }
    return { kind: "native", argv, executable: "/" + found, elf, why: `the entrypoint resolves to the ${elf.linking} x86-64 ELF /${found}` };
  }
  if (head[0] === 0x23 && head[1] === 0x21) {
    if (depth >= 4) return { kind: "unsupported", code: "missing-interpreter", reason: "shebang interpreters nest too deeply", argv };
    const line = Buffer.from(head).toString("latin1", 2).split("\n")[0]!.trim();
    const parts = line.split(/[ \t]+/).filter(Boolean);
    if (parts.length === 0) return { kind: "unsupported", code: "missing-interpreter", reason: `/${found} has an empty #! line`, argv };
    let interp = parts;
    // `#!/usr/bin/env prog` → resolve prog through PATH.
    if (/(^|\/)env$/.test(parts[0]!) && parts.length > 1) interp = parts.slice(1);
    const inner = await classifyProgram(view, config, argv, interp[0]!, depth + 1, wasiOs);
    if (inner.kind === "native") return { ...inner, script: { path: "/" + found, interpreter: parts }, why: `the entrypoint /${found} is a script run by ${parts.join(" ")}` };
    if (inner.kind === "unsupported" && (inner.code === "entrypoint-missing" || inner.code === "missing-interpreter")) {
      return { kind: "unsupported", code: "missing-interpreter", reason: `the script /${found} needs ${parts.join(" ")}, which is not in the image`, argv, path: "/" + found };
    }
    return inner;
  }
  return { kind: "unsupported", code: "unknown-binary", reason: `/${found} is neither an ELF, a script nor a Wasm file`, argv, path: "/" + found };
}
