// The compile pipeline: upload → unpacked, packed, classified image → artifact
// (the Wasm module/component itself, or the x86-64 core's artifact for a
// native image) plus a JSON report that is always written, even on failure.

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { ImageError } from "../image/errors";
import type { Classification } from "../image/classify";
import type { ElfInfo } from "../image/elf";
import type { ImageConfigSummary } from "../image/image-archive";
import type { Limits, SkippedEntry } from "../image/layer";
import { unpackImage, type LayerReport, type UnpackProgress } from "../image/unpack";
import type { TranslateRequest } from "./aot-compile";
import type { BuildNativeArtifact, NativeArtifactOutput } from "./native-contract";

export type CompileStage = UnpackProgress["stage"] | "produce";

/** Share of the whole job each stage takes, for one overall percent. */
const STAGE_SPAN: Record<CompileStage, [number, number]> = {
  open: [0, 5],
  manifest: [5, 8],
  layers: [8, 80],
  pack: [80, 90],
  classify: [90, 92],
  produce: [92, 100],
};

export type CompileOutcome = "compiled" | "unsupported" | "needs-x86-64-core" | "error";

export interface ProducedArtifact {
  kind: "wasm-module" | "wasm-component" | "native-artifact";
  /** Relative to the job directory. */
  file: string;
  bytes: number;
  sha256: string;
  /** Components: their WIT (from jco componentWit), also written as `artifact.wit`. */
  wit?: string;
  witFile?: string;
  /** Core modules: their imports and exports. */
  imports?: { module: string; name: string; kind: string }[];
  exports?: { name: string; kind: string }[];
  native?: Omit<NativeArtifactOutput, "file"> & { file: string };
}

export interface CompileReport {
  reportVersion: 1;
  outcome: CompileOutcome;
  /** One sentence for people. */
  summary: string;
  input: { fileName?: string; uploadBytes: number; requestedPlatform?: string; requestedName?: string; source?: PulledSource };
  image?: {
    format: "docker-save" | "oci-layout";
    outerCompression: string;
    platform: string;
    platforms: string[];
    names: string[];
    manifestDigest?: string;
    configDigest?: string;
    config: ImageConfigSummary;
  };
  layers: LayerReport[];
  files?: number;
  dirs?: number;
  symlinks?: number;
  entries?: number;
  unpackedBytes?: number;
  skipped: SkippedEntry[];
  rootfs?: { file: string; bytes: number; entries: number; inodes: number };
  entrypoint: string[];
  elf?: ElfInfo;
  classification?: Classification;
  produced: ProducedArtifact | null;
  error?: ImageError | { kind: string; message: string };
  timingsMs: Partial<Record<CompileStage, number>> & { total: number };
  /** Reused from the artifact cache (same image digest, same core). */
  cached?: boolean;
}

/** Where a pulled image came from (the job pulled it from a registry). */
export interface PulledSource {
  reference: string;
  /** `registry/repo:tag@sha256:…`: what the tag pointed at when pulled. */
  pinned: string;
  digest: string;
  manifestDigest: string;
  platform?: string;
  pullMs: number;
  blobBytes: number;
}

export interface CompileOptions {
  upload: string;
  source?: PulledSource;
  jobDir: string;
  fileName?: string;
  platform?: string;
  name?: string;
  limits?: Partial<Limits>;
  signal?: AbortSignal;
  onProgress?: (stage: CompileStage, overallPercent: number, message?: string) => void;
  onLog?: (line: string) => void;
  /** Native images: translation by a compile-time smoke run (aot-compile.ts; default on), or `false`. */
  translate?: TranslateRequest | false;
  /** Native images: a start-up snapshot of the image's command (startup-snapshot.ts; default off). */
  snapshot?: boolean;
  /** Override how the native builder is found (tests); default: dynamic import of ./native-artifact. */
  loadNativeBuilder?: () => Promise<BuildNativeArtifact | undefined>;
}

/** Loads `buildNativeArtifact` from ./native-artifact if that module exists and exports it. */
export async function loadNativeBuilder(): Promise<BuildNativeArtifact | undefined> {
  try {
    const mod = (await import("./native-artifact" as string)) as { buildNativeArtifact?: unknown };
    return typeof mod.buildNativeArtifact === "function" ? (mod.buildNativeArtifact as BuildNativeArtifact) : undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return undefined;
    throw e;
  }
}

/** Streams the file through sha256 (native artifacts embed whole rootfs images). */
async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return "sha256:" + h.digest("hex");
}

/** The report of a job that failed before the pipeline ran (e.g. the pull): same shape, written the same way. */
export async function writeFailedReport(jobDir: string, input: CompileReport["input"], error: { kind: string; message: string }, summary: string, totalMs: number): Promise<CompileReport> {
  const report: CompileReport = { reportVersion: 1, outcome: "error", summary, error, input, layers: [], skipped: [], entrypoint: [], produced: null, timingsMs: { total: Math.round(totalMs) } };
  await writeFile(join(jobDir, "report.json"), JSON.stringify(report, null, 2));
  return report;
}

/** Runs the pipeline; always writes `<jobDir>/report.json` and returns the report. */
export async function compileImage(o: CompileOptions): Promise<CompileReport> {
  const t0 = performance.now();
  const workDir = join(o.jobDir, "work");
  await rm(workDir, { recursive: true, force: true });
  for (const f of ["artifact.wasm", "artifact.wit", "report.json"]) await rm(join(o.jobDir, f), { force: true });
  const uploadBytes = (await stat(o.upload)).size;
  const report: CompileReport = {
    reportVersion: 1,
    outcome: "error",
    summary: "",
    input: { ...(o.fileName ? { fileName: o.fileName } : {}), uploadBytes, ...(o.platform ? { requestedPlatform: o.platform } : {}), ...(o.name ? { requestedName: o.name } : {}), ...(o.source ? { source: o.source } : {}) },
    layers: [],
    skipped: [],
    entrypoint: [],
    produced: null,
    timingsMs: { total: 0 },
  };
  const progress = (stage: CompileStage, pct: number, message?: string) => {
    const [a, b] = STAGE_SPAN[stage];
    o.onProgress?.(stage, a + ((b - a) * pct) / 100, message);
  };
  const finish = async (): Promise<CompileReport> => {
    report.timingsMs.total = Math.round(performance.now() - t0);
    // A fixed key order, most telling first, for people reading the downloaded file.
    const order: (keyof CompileReport)[] = ["reportVersion", "outcome", "summary", "error", "input", "image", "entrypoint", "classification", "elf", "produced", "layers", "files", "dirs", "symlinks", "entries", "unpackedBytes", "skipped", "rootfs", "timingsMs"];
    const ordered = Object.fromEntries(order.filter((k) => report[k] !== undefined).map((k) => [k, report[k]])) as unknown as CompileReport;
    await writeFile(join(o.jobDir, "report.json"), JSON.stringify(ordered, null, 2));
    return ordered;
  };

  const u = await unpackImage({
    file: o.upload,
    workDir,
    ...(o.platform ? { platform: o.platform } : {}),
    ...(o.name ? { name: o.name } : {}),
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (p) => progress(p.stage, p.percent, p.message),
    ...(o.onLog ? { onLog: o.onLog } : {}),
  });
  if (!u.ok) {
    report.error = u.error;
    report.summary = `The image could not be read: ${u.error.message}`;
    return finish();
  }
  const r = u.value;
  for (const [k, v] of Object.entries(r.timingsMs)) report.timingsMs[k as CompileStage] = Math.round(v);
  report.image = {
    format: r.format,
    outerCompression: r.outerCompression,
    platform: r.platform,
    platforms: r.platforms.map((p) => p.label),
    names: r.names,
    ...(r.manifestDigest ? { manifestDigest: r.manifestDigest } : {}),
    ...(r.configDigest ? { configDigest: r.configDigest } : {}),
    config: r.config,
  };
  Object.assign(report, { layers: r.layers, files: r.files, dirs: r.dirs, symlinks: r.symlinks, entries: r.entries, unpackedBytes: r.unpackedBytes, skipped: r.skipped });
  if (r.rootfs) report.rootfs = { file: relative(o.jobDir, r.rootfs.path), bytes: r.rootfs.totalSize, entries: r.rootfs.entries, inodes: r.rootfs.inodes };
  const c = r.classification;
  report.classification = c;
  report.entrypoint = c.kind === "native" ? c.argv : c.kind === "unsupported" ? c.argv : [...(r.config.entrypoint ?? []), ...(r.config.cmd ?? [])];
  if (c.kind === "native") report.elf = c.elf;
  if (c.kind === "unsupported" && c.elf) report.elf = c.elf;

  const tp = performance.now();
  progress("produce", 0);
  try {
    if (c.kind === "wasm") {
      const out = join(o.jobDir, "artifact.wasm");
      await copyFile(r.wasmFile!, out);
      const bytes = await readFile(out);
      const produced: ProducedArtifact = {
        kind: c.wasmKind === "component" ? "wasm-component" : "wasm-module",
        file: "artifact.wasm",
        bytes: bytes.length,
        sha256: "sha256:" + createHash("sha256").update(bytes).digest("hex"),
      };
      if (c.wasmKind === "component") {
        try {
          // jco is heavy to load: only components pay for it.
          const { componentWit } = await import("@bytecodealliance/jco");
          produced.wit = await componentWit(bytes);
          await writeFile(join(o.jobDir, "artifact.wit"), produced.wit);
          produced.witFile = "artifact.wit";
        } catch (e) {
          report.error = { kind: "wit-extraction-failed", message: `the component's WIT could not be read: ${(e as Error).message}` };
          report.summary = `The image holds a Wasm component, but its WIT could not be read: ${(e as Error).message}`;
          return finish();
        }
      } else {
        try {
          const m = await WebAssembly.compile(bytes);
          produced.imports = WebAssembly.Module.imports(m).map((i) => ({ module: i.module, name: i.name, kind: i.kind }));
          produced.exports = WebAssembly.Module.exports(m).map((x) => ({ name: x.name, kind: x.kind }));
        } catch (e) {
          o.onLog?.(`note: the module did not compile in Node (${(e as Error).message}); imports/exports not listed`);
        }
      }
      report.produced = produced;
      report.outcome = "compiled";
      report.summary = `Wasm ${c.wasmKind} (${c.why}), ${bytes.length} bytes.`;
    } else if (c.kind === "native") {
      const build = await (o.loadNativeBuilder ?? loadNativeBuilder)();
      if (!build) {
        report.outcome = "needs-x86-64-core";
        report.summary = `Native x86-64 image (${c.why}); compiling it needs the x86-64 core, which is not built into this server yet. No artifact was produced.`;
      } else {
        const built = await build({
          rootfsPath: r.rootfs!.path,
          outDir: o.jobDir,
          argv: c.argv,
          entrypoint: r.config.entrypoint ?? [],
          cmd: r.config.cmd ?? [],
          executable: c.executable,
          ...(c.script ? { script: c.script } : {}),
          elf: c.elf,
          env: r.config.env,
          workingDir: r.config.workingDir,
          user: r.config.user,
          exposedPorts: r.config.exposedPorts,
          ...(o.translate !== undefined ? { translate: o.translate } : {}),
          ...(o.snapshot ? { snapshot: true } : {}),
          ...(o.signal ? { signal: o.signal } : {}),
          onProgress: (p, m) => progress("produce", p, m),
          ...(o.onLog ? { onLog: o.onLog } : {}),
        });
        const st = await stat(built.file);
        report.produced = {
          kind: "native-artifact",
          file: relative(o.jobDir, built.file),
          bytes: st.size,
          sha256: await sha256File(built.file),
          native: {
            ...built,
            file: relative(o.jobDir, built.file),
            ...(built.extraFiles ? { extraFiles: built.extraFiles.map((x) => ({ ...x, file: relative(o.jobDir, x.file) })) } : {}),
          },
        };
        report.outcome = "compiled";
        const http = built.details?.httpComponent as { port: number; export: string } | undefined;
        const tr = built.details?.translation as { blocks?: number; smoke?: { instructions: number }; skipped?: string } | undefined;
        const trText = !tr ? "" : tr.skipped ? `; no blocks translated (${tr.skipped})` : `; ${tr.blocks} blocks translated to Wasm from a ${tr.smoke?.instructions}-instruction smoke run`;
        const sn = built.details?.snapshot as { artifactBytes?: { without: number; with: number }; skipped?: string } | undefined;
        const snText = !sn ? "" : sn.artifactBytes ? `; start-up snapshot taken (+${sn.artifactBytes.with - sn.artifactBytes.without} bytes)` : `; no start-up snapshot (${sn.skipped})`;
        report.summary = `Native x86-64 image compiled with the x86-64 core into a Wasm ${built.kind} (${st.size} bytes${trText}${snText})${http ? `, plus a component exporting ${http.export} for guest port ${http.port}` : ""}.`;
      }
    } else {
      report.outcome = "unsupported";
      report.summary = `Unsupported image: ${c.reason}.`;
    }
  } catch (e) {
    const kind = (e as { kind?: string }).kind ?? "produce-failed";
    const message = (e as Error).message ?? String(e);
    if (kind === "core-missing") {
      // The builder exists but the core binary is not built on this server.
      report.outcome = "needs-x86-64-core";
      report.summary = `Native x86-64 image (${c.kind === "native" ? c.why : "native"}); compiling it needs the x86-64 core, which is not built on this server (${message}). No artifact was produced.`;
    } else {
      report.outcome = "error";
      report.error = { kind, message };
      report.summary = `Producing the artifact failed: ${message}`;
    }
  }
  report.timingsMs.produce = Math.round(performance.now() - tp);
  progress("produce", 100);
  return finish();
}
