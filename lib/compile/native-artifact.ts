// Builds the Wasm artifact of a native linux/amd64 image: the prebuilt x86-64
// core (emulator/build/trellis-x86.wasm) plus the packed rootfs and the run
// config, as one WASI preview1 command module. No C compiler runs here: the
// rootfs and config are appended as an active data segment placed past the
// core's initial memory (which is raised so the core's heap starts after it),
// and the core's `trellis_embed` descriptor (found by its magic in the data
// section) is patched to point at them. Optionally the rootfs stays a separate
// file that the core opens through a WASI preopen.

import { CLI_COMPONENT_ROLE } from "./http-component-names";
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { finished } from "node:stream/promises";
import { WELL_KNOWN_HTTP_PORTS } from "../graph/ports";
import { err, ok, type Result } from "../result";
import type { BuildNativeArtifact, NativeArtifactInput, NativeArtifactOutput } from "./native-contract";
import { leb, readLeb, readSleb32, section, sections, sleb32 } from "./wasm-binary";
import type { TranslationReport } from "./aot-compile";

export type ArtifactErrorKind = "core-missing" | "core-malformed" | "rootfs-too-large" | "component-failed" | "io";
export interface ArtifactError {
  kind: ArtifactErrorKind;
  message: string;
  path?: string;
}

/** What the guest runs, as in an image config. Run-time arguments replace `cmd`. */
export interface RunConfig {
  entrypoint: string[];
  cmd: string[];
  /** `NAME=value` */
  env: string[];
  workdir?: string;
  /** `uid[:gid]` (numeric; names are not resolved) */
  user?: string;
  /** The guest TCP port the wasi:http component serves (`t:`; http-component.ts). */
  httpPort?: number;
}

/** Where the core reads a separately shipped rootfs: a path inside a preopen. */
export const SEPARATE_ROOTFS_DIR = "/trellis";
const EMBED_MAGIC = Buffer.from("TRELLIS-EMBED-V1", "latin1");
const WASM_PAGE = 65536;
/** wasm32 linear memory ends at 4 GiB; keep 256 MiB for the core's heap. */
const MAX_EMBED = 4 * 1024 * 1024 * 1024 - 256 * 1024 * 1024;

export function defaultCorePath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "emulator", "build", "trellis-x86.wasm");
}

/** Encodes the run config as NUL-terminated `key:value` records (read by emulator/src/main.c). */
export function encodeRunConfig(cfg: RunConfig, separateRootfs?: string): Uint8Array {
  const recs: string[] = [];
  for (const a of cfg.entrypoint) recs.push("p:" + a);
  for (const a of cfg.cmd) recs.push("c:" + a);
  for (const e of cfg.env) recs.push("e:" + e);
  if (cfg.workdir) recs.push("w:" + cfg.workdir);
  if (cfg.user && /^\d+(:\d+)?$/.test(cfg.user)) recs.push("u:" + cfg.user);
  if (separateRootfs) recs.push("r:" + separateRootfs);
  if (cfg.httpPort !== undefined) recs.push("t:" + cfg.httpPort);
  return Buffer.from(recs.map((r) => r.replace(/\0/g, "") + "\0").join(""), "utf8");
}

/** A piece of the output: bytes, or a range of the rootfs file streamed at write time. */
export type Chunk = Uint8Array | { file: string; length: number };

export interface ArtifactPlan {
  chunks: Chunk[];
  bytes: number;
  /** Linear-memory address of the config and rootfs. */
  layout: { cfgAddr: number; cfgLen: number; rootfsAddr: number; rootfsLen: number; initialPages: number };
}

/**
 * Plans the artifact: the core's sections with memory and data rewritten, the
 * appended segment holding config + rootfs. `rootfs` is bytes, a file (streamed
 * later), or null when the rootfs ships separately (`separateRootfs` is then the
 * path the core opens).
 */
export function planArtifact(
  core: Uint8Array,
  rootfs: Uint8Array | { file: string; length: number } | null,
  cfg: RunConfig,
  separateRootfs?: string,
  /** Bytes of heap kept below the embedded data, for what is allocated before the core claims its range (a component's adapter state). */
  heapSlack = 0,
): Result<ArtifactPlan, ArtifactError> {
  try {
    const secs = sections(core);
    const mem = secs.find((s) => s.id === 5);
    const data = secs.find((s) => s.id === 11);
    if (!mem || !data) return err({ kind: "core-malformed", message: "the core defines no memory or no data section" });
    // memory: one memory, flags 0 (min) or 1 (min, max)
    let [count, p] = readLeb(core, mem.body);
    if (count !== 1) return err({ kind: "core-malformed", message: `the core defines ${count} memories` });
    const flags = core[p++]!;
    if (flags & ~1) return err({ kind: "core-malformed", message: `unsupported memory flags ${flags}` });
    let initial: number, max: number | undefined;
    [initial, p] = readLeb(core, p);
    if (flags & 1) [max, p] = readLeb(core, p);
    // data segments
    const segs: { head: Buffer; payload: Buffer; addr?: number }[] = [];
    let q: number;
    [count, q] = readLeb(core, data.body);
    for (let i = 0; i < count; i++) {
      const s0 = q;
      let kind: number;
      [kind, q] = readLeb(core, q);
      let addr: number | undefined;
      if (kind === 0 || kind === 2) {
        if (kind === 2) [, q] = readLeb(core, q);
        if (core[q] !== 0x41) return err({ kind: "core-malformed", message: "data segment offset is not an i32.const" });
        [addr, q] = readSleb32(core, q + 1);
        if (core[q++] !== 0x0b) return err({ kind: "core-malformed", message: "data segment offset expression too long" });
        addr >>>= 0;
      } else if (kind !== 1) return err({ kind: "core-malformed", message: `data segment kind ${kind}` });
      let len: number;
      [len, q] = readLeb(core, q);
      segs.push({ head: Buffer.from(core.subarray(s0, q)), payload: Buffer.from(core.subarray(q, q + len)), ...(addr !== undefined ? { addr } : {}) });
      q += len;
    }
    const cfgBytes = encodeRunConfig(cfg, separateRootfs);
    const rootfsLen = rootfs === null ? 0 : rootfs instanceof Uint8Array ? rootfs.length : rootfs.length;
    const cfgPadded = Math.ceil(cfgBytes.length / 16) * 16;
    const base = initial * WASM_PAGE + Math.ceil(heapSlack / WASM_PAGE) * WASM_PAGE;
    const total = cfgPadded + rootfsLen;
    if (base + total > MAX_EMBED)
      return err({ kind: "rootfs-too-large", message: `a ${rootfsLen}-byte rootfs does not fit in wasm32 memory; keep it as a separate file` });
    const layout = { cfgAddr: base, cfgLen: cfgBytes.length, rootfsAddr: base + cfgPadded, rootfsLen, initialPages: Math.ceil((base + total) / WASM_PAGE) + 1 };
    // the descriptor: its zero fields may be left out of the segments (memory
    // starts zeroed), so a later segment overwrites them at the magic's address
    let descAddr: number | undefined;
    for (const s of segs) {
      const at = s.payload.indexOf(EMBED_MAGIC);
      if (at >= 0 && s.addr !== undefined) {
        descAddr = s.addr + at;
        break;
      }
    }
    if (descAddr === undefined) return err({ kind: "core-malformed", message: "the core has no trellis_embed descriptor (is this the Trellis x86-64 core?)" });
    const fields = Buffer.alloc(20);
    fields.writeUInt32LE(1, 0);
    fields.writeUInt32LE(layout.cfgAddr, 4);
    fields.writeUInt32LE(layout.cfgLen, 8);
    fields.writeUInt32LE(rootfsLen ? layout.rootfsAddr : 0, 12);
    fields.writeUInt32LE(rootfsLen, 16);
    const descSeg = Buffer.concat([leb(0), Buffer.from([0x41]), sleb32((descAddr + 16) | 0), Buffer.from([0x0b]), leb(fields.length), fields]);
    const memBody = [leb(1), Buffer.from([flags]), leb(layout.initialPages), ...(max !== undefined ? [leb(Math.max(max, layout.initialPages))] : [])];
    const newSegHead = Buffer.concat([leb(0), Buffer.from([0x41]), sleb32(layout.cfgAddr | 0), Buffer.from([0x0b]), leb(total)]);
    const cfgBlock = Buffer.alloc(cfgPadded);
    Buffer.from(cfgBytes).copy(cfgBlock);
    const segChunks: Chunk[] = [leb(segs.length + 2)];
    for (const s of segs) segChunks.push(s.head, s.payload);
    segChunks.push(descSeg, newSegHead, cfgBlock);
    if (rootfs) segChunks.push(rootfs);
    const dataLen = segChunks.reduce((n, c) => n + (c instanceof Uint8Array ? c.length : c.length), 0);
    const chunks: Chunk[] = [Buffer.from(core.subarray(0, 8))];
    for (const s of secs) {
      if (s.id === 5) chunks.push(...section(5, memBody));
      else if (s.id === 11) chunks.push(Buffer.from([11]), leb(dataLen), ...segChunks);
      else if (s.id === 12) chunks.push(...section(12, [leb(segs.length + 2)]));
      else chunks.push(Buffer.from(core.subarray(s.start, s.end)));
    }
    const bytes = chunks.reduce((n, c) => n + (c instanceof Uint8Array ? c.length : c.length), 0);
    return ok({ chunks, bytes, layout });
  } catch (e) {
    return err({ kind: "core-malformed", message: (e as Error).message });
  }
}

/** In-memory variant for small rootfs images (tests, bench, previews). */
export function buildArtifactBytes(core: Uint8Array, rootfs: Uint8Array | null, cfg: RunConfig, separateRootfs?: string): Result<Uint8Array, ArtifactError> {
  const plan = planArtifact(core, rootfs, cfg, separateRootfs);
  if (!plan.ok) return plan;
  return ok(Buffer.concat(plan.value.chunks as Uint8Array[]));
}

/** Writes a plan to a file, streaming file-backed chunks. */
export async function writePlan(plan: ArtifactPlan, out: string): Promise<void> {
  const ws = createWriteStream(out);
  const write = (b: Uint8Array) => new Promise<void>((res, rej) => (ws.write(b, (e) => (e ? rej(e) : res()))));
  for (const c of plan.chunks) {
    if (c instanceof Uint8Array) await write(c);
    else {
      let seen = 0;
      for await (const part of createReadStream(c.file, { start: 0, end: c.length - 1 })) {
        const b = part as Buffer;
        seen += b.length;
        await write(b);
      }
      if (seen !== c.length) throw Object.assign(new Error(`${c.file} changed size while being embedded`), { kind: "io" });
    }
  }
  ws.end();
  await finished(ws);
}

/** Wraps a WASI preview1 command module as a component exporting `wasi:cli/run` (jco + the preview1 command adapter). */
export async function wrapAsComponent(module: Uint8Array): Promise<Result<Uint8Array, ArtifactError>> {
  try {
    // the adapter ships in jco's lib/ (not in its exports map): find it from the package entry
    const entry = fileURLToPath(import.meta.resolve("@bytecodealliance/jco"));
    let root = dirname(entry);
    while (!existsSync(join(root, "package.json")) && dirname(root) !== root) root = dirname(root);
    const adapterPath = join(root, "lib", "wasi_snapshot_preview1.command.wasm");
    const adapter = await readFile(adapterPath);
    const { componentNew } = (await import("@bytecodealliance/jco")) as unknown as {
      componentNew: (b: Uint8Array, a?: [string, Uint8Array][]) => Promise<Uint8Array>;
    };
    return ok(await componentNew(module, [["wasi_snapshot_preview1", adapter]]));
  } catch (e) {
    return err({ kind: "component-failed", message: (e as Error).message });
  }
}

/** Rootfs images above this size ship as a separate file (TRELLIS_NATIVE_SEPARATE_ROOTFS_BYTES overrides). */
export function separateThreshold(): number {
  const v = Number(process.env.TRELLIS_NATIVE_SEPARATE_ROOTFS_BYTES);
  return Number.isFinite(v) && v > 0 ? v : 1024 * 1024 * 1024;
}

/**
 * The compile pipeline's entry point (see native-contract.ts). Writes
 * `artifact.wasm` (module with the rootfs embedded, or beside it as
 * `artifact.rootfs.img` when large) and `artifact.component.wasm` when the
 * image is small enough to wrap in memory. Throws an Error with `kind` on failure.
 */
export const buildNativeArtifact: BuildNativeArtifact = async (input: NativeArtifactInput): Promise<NativeArtifactOutput> => {
  const fail = (e: ArtifactError): never => {
    throw Object.assign(new Error(e.message), { kind: e.kind });
  };
  const corePath = defaultCorePath();
  if (!existsSync(corePath)) fail({ kind: "core-missing", message: `the x86-64 core is not built (${corePath}); run npm run build:emulator`, path: corePath });
  let core: Uint8Array = await readFile(corePath);
  let translated: { blocks: number; instructions: number; inlined: number; plainCoreBytes: number } | undefined;
  if (input.aotProfiles?.length) {
    input.onProgress?.(5, "translating profiled blocks");
    const { translateProfiles } = await import("./aot-translate");
    const tr = translateProfiles(core, input.aotProfiles, { minRuns: 2 });
    if (!tr.ok) fail(tr.error);
    const t = (tr as { ok: true; value: { module: Uint8Array; functions: number; blocks: { insns: number; inlined: number }[]; log: string } }).value;
    translated = {
      blocks: t.functions,
      instructions: t.blocks.reduce((n, b) => n + b.insns, 0),
      inlined: t.blocks.reduce((n, b) => n + b.inlined, 0),
      plainCoreBytes: core.length,
    };
    core = t.module;
    input.onLog?.(`translated blocks: ${t.log.replace(/^trellis-aot: /, "")}; core ${translated.plainCoreBytes} -> ${core.length} B`);
  }
  const rootfsSize = (await stat(input.rootfsPath)).size;
  // run arguments replace `cmd`, as `docker run IMAGE ARGS` does
  const entrypoint = input.entrypoint ?? [];
  const cmdPart = input.cmd ?? [];
  const split = entrypoint.length + cmdPart.length > 0;
  const cfg: RunConfig = {
    entrypoint: split ? entrypoint : [],
    cmd: split ? cmdPart : input.argv,
    env: input.env,
    workdir: input.workingDir || "/",
    ...(input.user ? { user: input.user } : {}),
  };
  input.onProgress?.(10, "planning artifact");
  const separate = rootfsSize > separateThreshold();
  const out = join(input.outDir, "artifact.wasm");
  const extraFiles: { file: string; role: string }[] = [];
  let rootfsFile: string | undefined;
  if (separate) {
    rootfsFile = join(input.outDir, "artifact.rootfs.img");
    const { copyFile } = await import("node:fs/promises");
    await copyFile(input.rootfsPath, rootfsFile);
    extraFiles.push({ file: rootfsFile, role: `rootfs (preopen ${SEPARATE_ROOTFS_DIR})` });
  }
  const separatePath = separate ? `${SEPARATE_ROOTFS_DIR}/${basename(rootfsFile!)}` : undefined;
  const writeArtifact = async (withCore: Uint8Array): Promise<ArtifactPlan> => {
    const plan = planArtifact(withCore, separate ? null : { file: input.rootfsPath, length: rootfsSize }, cfg, separatePath);
    if (!plan.ok) fail(plan.error);
    const pl = (plan as { ok: true; value: ArtifactPlan }).value;
    await writePlan(pl, out);
    return pl;
  };
  input.onProgress?.(30, "writing artifact");
  let p = await writeArtifact(core);
  const plainArtifactBytes = p.bytes;
  // translation by a smoke run of the plain artifact (aot-compile.ts), unless profiles were given or it is off
  const aot = await import("./aot-compile");
  const request = input.aotProfiles?.length ? false : (input.translate ?? (aot.translateByDefault() ? {} : false));
  let translation: (TranslationReport & { artifactBytes: { plain: number; translated: number } }) | { skipped: string } | undefined;
  let httpCore: Uint8Array | undefined; // the reactor core with the artifact's translations, when there are any
  if (request === false) {
    if (!input.aotProfiles?.length) translation = { skipped: input.translate === false ? "turned off for this compile" : "turned off (TRELLIS_COMPILE_TRANSLATE=0)" };
  } else {
    input.onProgress?.(40, "smoke run: profiling the image's command");
    // a service's wasi:http component runs the same guest on the reactor core: the same blocks are translated for it
    const reactor = choosePorts(input.exposedPorts ?? []).http !== undefined && !separate ? await readHttpCore() : undefined;
    const tr = await aot.translateForArtifact({
      core,
      plainArtifact: out,
      rootfsPath: input.rootfsPath,
      config: encodeRunConfig(cfg, separatePath),
      request,
      ...(reactor ? { alsoCores: [reactor] } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onLog ? { onLog: input.onLog } : {}),
    });
    if (input.signal?.aborted) fail({ kind: "io", message: "cancelled" });
    if (!tr.ok) {
      // the plain artifact stands; the report says why it is not translated
      translation = { skipped: `${tr.error.kind}: ${tr.error.message}` };
      input.onLog?.(`note: no translated blocks: ${tr.error.message}`);
    } else {
      if (reactor && tr.value.report.blocks > 0) httpCore = tr.value.alsoCores[0];
      if (tr.value.report.blocks > 0) {
        core = tr.value.core;
        input.onProgress?.(60, "writing the translated artifact");
        p = await writeArtifact(core);
      }
      translation = { ...tr.value.report, artifactBytes: { plain: plainArtifactBytes, translated: p.bytes } };
    }
  }
  input.onLog?.(`native artifact: core ${core.length} B + rootfs ${rootfsSize} B${separate ? " (separate file)" : " embedded"} -> ${p.bytes} B`);
  let snapshot: import("./startup-snapshot").SnapshotReport | { skipped: string } | undefined;
  if (input.snapshot) {
    if (separate) snapshot = { skipped: "the rootfs ships as a separate file" };
    else {
      input.onProgress?.(65, "start-up snapshot: running the image's command to its first stop");
      const { snapshotArtifactFile, snapshotLine } = await import("./startup-snapshot");
      const s = await snapshotArtifactFile(out);
      if (s.ok) {
        snapshot = s.value;
        input.onLog?.(snapshotLine(s.value));
      } else {
        snapshot = { skipped: `${s.error.kind}: ${s.error.message}` };
        input.onLog?.(`note: no start-up snapshot: ${s.error.message}`);
      }
    }
  }
  const artifactBytes = snapshot && "artifactBytes" in snapshot ? snapshot.artifactBytes.with : p.bytes;
  let componentBytes: number | undefined;
  if (artifactBytes <= 256 * 1024 * 1024) {
    input.onProgress?.(70, "wrapping as a wasi:cli/run component");
    const mod = await readFile(out);
    const comp = await wrapAsComponent(mod);
    if (comp.ok) {
      const cfile = join(input.outDir, "artifact.component.wasm");
      const { writeFile } = await import("node:fs/promises");
      await writeFile(cfile, comp.value);
      extraFiles.push({ file: cfile, role: CLI_COMPONENT_ROLE });
      componentBytes = comp.value.length;
    } else input.onLog?.(`note: component wrapping failed: ${comp.error.message}`);
  }
  const ports = choosePorts(input.exposedPorts ?? []);
  let httpComponent: { file: string; port: number; bytes: number; export: string; translated: boolean } | undefined;
  if (ports.http !== undefined) {
    // the wasi:http component: the core's reactor variant with the same rootfs and config (http-component.ts)
    const { buildHttpComponent, HTTP_COMPONENT_FILE, HTTP_COMPONENT_ROLE, HTTP_HANDLER_EXPORT } = await import("./http-component");
    if (separate) input.onLog?.(`note: no wasi:http component for port ${ports.http}: the rootfs is too large to embed`);
    else {
      input.onProgress?.(85, `building the wasi:http component (guest port ${ports.http})`);
      const comp = await buildHttpComponent({ rootfs: { file: input.rootfsPath, length: rootfsSize }, cfg, httpPort: ports.http, ...(httpCore ? { core: httpCore } : {}) });
      if (comp.ok) {
        const hfile = join(input.outDir, HTTP_COMPONENT_FILE);
        const { writeFile } = await import("node:fs/promises");
        await writeFile(hfile, comp.value);
        extraFiles.push({ file: hfile, role: HTTP_COMPONENT_ROLE });
        httpComponent = { file: HTTP_COMPONENT_FILE, port: ports.http, bytes: comp.value.length, export: HTTP_HANDLER_EXPORT, translated: httpCore !== undefined };
        input.onLog?.(`wasi:http component: guest port ${ports.http} -> ${HTTP_HANDLER_EXPORT} (${comp.value.length} B${httpCore ? ", with the artifact's translated blocks" : ""})`);
      } else input.onLog?.(`note: no wasi:http component for port ${ports.http}: ${comp.error.message}`);
    }
  }
  input.onProgress?.(100);
  return {
    file: out,
    kind: "module",
    ...(extraFiles.length ? { extraFiles } : {}),
    details: {
      coreBytes: core.length,
      ...(translated ? { translatedBlocks: translated } : {}),
      ...(translation ? { translation } : {}),
      ...(snapshot ? { snapshot } : {}),
      rootfsBytes: rootfsSize,
      artifactBytes,
      rootfsEmbedded: !separate,
      ...(componentBytes !== undefined ? { componentBytes } : {}),
      ...(httpComponent ? { httpComponent } : {}),
      ports: {
        typed: httpComponent ? [{ port: httpComponent.port, protocol: "tcp", interface: httpComponent.export }] : [],
        network: ports.network.filter((x) => !(httpComponent && x.port === httpComponent.port && x.protocol === "tcp")),
        why: httpComponent
          ? `port ${httpComponent.port} is served through ${HTTP_EXPORT} by the wasi:http component; the other ports stay network ports (trellis run -p) and, inside the component, in-guest only`
          : "no exposed HTTP port: every exposed port stays a network port (trellis run -p)",
      },
      run: "WASI preview1 command: run it with `trellis run artifact.wasm -- ARGS`; ARGS replace the image's CMD",
      config: cfg,
    },
  };
};

const HTTP_EXPORT = "wasi:http/incoming-handler";

/**
 * The image's exposed ports, and the one its wasi:http component serves: a
 * well-known HTTP port if one is exposed, else the first exposed TCP port (a
 * port the user marks HTTP in the inspector is usually the only one).
 */
export function choosePorts(exposed: string[]): { http?: number; network: Array<{ port: number; protocol: "tcp" | "udp" }> } {
  const network = exposed.flatMap((e) => {
    const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(e.trim());
    const port = m ? Number(m[1]) : NaN;
    return m && port > 0 && port < 65536 ? [{ port, protocol: (m[2] ?? "tcp") as "tcp" | "udp" }] : [];
  });
  const tcp = network.filter((x) => x.protocol === "tcp").map((x) => x.port);
  const http = tcp.find((x) => WELL_KNOWN_HTTP_PORTS.includes(x)) ?? tcp[0];
  return { ...(http !== undefined ? { http } : {}), network };
}

export interface RunArtifactOptions {
  args?: string[];
  env?: Record<string, string>;
  stdin?: string | Uint8Array;
  /** A separate rootfs file; defaults to `artifact.rootfs.img` beside a module that needs one. */
  rootfsFile?: string;
  timeoutMs?: number;
  /** Output as it comes; with it, nothing is collected (stdout/stderr of the result stay empty). */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /** Most bytes kept or forwarded per stream; past it the guest is stopped and the result says `truncated`. */
  maxOutputBytes?: number;
}

export interface RunArtifactResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | null;
  timedOut: boolean;
  /** The guest wrote more than `maxOutputBytes` on a stream and was stopped. */
  truncated: boolean;
}

/** Node flags for every process that runs the x86-64 core (CLI, job runs,
 *  emulator tests, bench): none. Measured on Node 24.22 (bench/emulator.ts
 *  prints the comparison with BENCH_EMU_FLAGSETS=1): V8's lazy compilation
 *  costs the interpreter loop nothing measurable (busybox echo hi 102 vs 106
 *  ms, sha256sum of 3 MiB 9.7 vs 10.2 s, one run each on the loaded machine),
 *  and a core with translated blocks (lib/compile/aot-module.ts) compiles only
 *  the blocks that run: with 19,785 of them (20 MB) `busybox echo hi` took
 *  0.6 s lazily and 3.7 s with `--no-wasm-lazy-compilation`, which compiled
 *  every function before `_start`. `--no-liftoff` gave no steady-state gain
 *  on the interpreter and added ~0.1 s to every start. Node 20 needed both
 *  flags to avoid a V8 crash; Node 24 does not crash either way. */
export const CORE_NODE_FLAGS: readonly string[] = [];

// Runs in a child Node so a long guest never blocks the caller's event loop.
// The module is compiled synchronously: with lazy compilation off, Node 24
// leaves an awaited WebAssembly.compile() unsettled (exit 13).
const CHILD = `
import { WASI } from "node:wasi";
import { readFileSync } from "node:fs";
const cfg = JSON.parse(process.argv[1]);
const wasi = new WASI({ version: "preview1", args: cfg.args, env: cfg.env, preopens: cfg.preopens, returnOnExit: true });
const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(cfg.file)), wasi.getImportObject());
process.exitCode = wasi.start(inst);
`;

/** The wasi:http component's reactor core, ready to take translated blocks, or undefined when it is not built
 *  (buildHttpComponent then says so). */
async function readHttpCore(): Promise<Uint8Array | undefined> {
  const { httpCorePath, reactorCoreForTranslation } = await import("./http-component");
  if (!existsSync(httpCorePath())) return undefined;
  const c = reactorCoreForTranslation(await readFile(httpCorePath()));
  return c.ok ? c.value : undefined;
}

/** WASI preopens an artifact needs: the directory holding a separately shipped
 *  rootfs (beside the module unless given), seen by the core as /trellis. Only
 *  the core opens it; guests see the packed rootfs, never this directory. */
export function preopensFor(file: string, rootfsFile?: string): Record<string, string> {
  return { [SEPARATE_ROOTFS_DIR]: rootfsFile ? dirname(rootfsFile) : dirname(file) };
}

/** Arguments for `node` running a WASI command module in a child process. */
export function childArgs(cfg: { file: string; args: string[]; env: Record<string, string>; preopens: Record<string, string> }): string[] {
  return ["--no-warnings", ...CORE_NODE_FLAGS, "--input-type=module", "-e", CHILD, JSON.stringify(cfg)];
}

/** Runs a native artifact (module) under node:wasi in a child process and collects its output. */
export function runNativeArtifact(file: string, o: RunArtifactOptions = {}): Promise<RunArtifactResult> {
  const cfg = { file, args: [basename(file), ...(o.args ?? [])], env: o.env ?? {}, preopens: preopensFor(file, o.rootfsFile) };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, childArgs(cfg), { stdio: ["pipe", "pipe", "pipe"] });
    const kept = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const seen = { stdout: 0, stderr: 0 };
    const max = o.maxOutputBytes ?? Infinity;
    let timedOut = false;
    let truncated = false;
    const timer = o.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, o.timeoutMs)
      : undefined;
    const take = (stream: "stdout" | "stderr") => (b: Buffer) => {
      if (truncated) return;
      const room = max - seen[stream];
      const part = b.length > room ? b.subarray(0, room) : b;
      seen[stream] += part.length;
      if (part.length > 0) {
        if (o.onOutput) o.onOutput(stream, part);
        else kept[stream].push(part);
      }
      if (b.length > room) {
        // A guest that floods output is stopped, not buffered.
        truncated = true;
        child.kill("SIGKILL");
      }
    };
    child.stdout.on("data", take("stdout"));
    child.stderr.on("data", take("stderr"));
    child.on("error", reject);
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve({ stdout: Buffer.concat(kept.stdout), stderr: Buffer.concat(kept.stderr), exitCode: code, timedOut, truncated });
    });
    child.stdin.on("error", () => undefined); // the guest may exit before reading its stdin
    child.stdin.end(o.stdin ?? "");
  });
}
