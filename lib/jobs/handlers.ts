// The job kinds the worker process can run.
import { basename, join } from "node:path";
import { compileImage, type CompileReport } from "../compile/compile-image";
import type { Limits } from "../image/layer";
import type { JobHandler } from "./protocol";

/** What a compile job stores as its result (the full report is report.json in the job dir). */
export interface CompileJobResult {
  outcome: CompileReport["outcome"];
  summary: string;
  platform?: string;
  classification?: string;
  produced: CompileReport["produced"];
}

/** Unpack limits from the environment (defaults in lib/image/layer.ts DEFAULT_LIMITS). */
export function limitsFromEnv(env: Record<string, string | undefined> = process.env): Partial<Limits> {
  const num = (name: string): number | undefined => {
    const v = Number(env[name]);
    return Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const out: Partial<Limits> = {};
  const bytes = num("TRELLIS_IMAGE_MAX_BYTES");
  const entries = num("TRELLIS_IMAGE_MAX_ENTRIES");
  const ratio = num("TRELLIS_IMAGE_MAX_RATIO");
  if (bytes) out.maxUnpackedBytes = bytes;
  if (entries) out.maxEntries = entries;
  if (ratio) out.maxCompressionRatio = ratio;
  return out;
}

const compile: JobHandler = async (ctx) => {
  const p = ctx.params as { upload?: unknown; fileName?: unknown; platform?: unknown; name?: unknown };
  if (typeof p.upload !== "string" || basename(p.upload) !== p.upload) throw { kind: "invalid-params", message: "params.upload must be a file name inside the job directory" };
  const report = await compileImage({
    upload: join(ctx.dir, p.upload),
    jobDir: ctx.dir,
    ...(typeof p.fileName === "string" ? { fileName: p.fileName } : {}),
    ...(typeof p.platform === "string" && p.platform ? { platform: p.platform } : {}),
    ...(typeof p.name === "string" && p.name ? { name: p.name } : {}),
    limits: limitsFromEnv(),
    signal: ctx.signal,
    onProgress: (stage, pct) => ctx.progress(stage, pct),
    onLog: (line) => ctx.log(line),
  });
  ctx.log(report.summary);
  if (report.outcome === "compiled") {
    const result: CompileJobResult = {
      outcome: report.outcome,
      summary: report.summary,
      ...(report.image ? { platform: report.image.platform } : {}),
      ...(report.classification ? { classification: report.classification.kind } : {}),
      produced: report.produced,
    };
    return result;
  }
  // Not compiled: the job fails with the reason; report.json says everything else.
  const kind = report.outcome === "error" ? (report.error?.kind ?? "error") : report.outcome;
  throw {
    kind,
    message: report.summary,
    ...(report.error && "digest" in report.error && report.error.digest ? { digest: report.error.digest } : {}),
    ...(report.error && "path" in report.error && report.error.path ? { path: report.error.path } : {}),
    ...(report.error && "platforms" in report.error && report.error.platforms ? { platforms: report.error.platforms } : {}),
    // Once the x86-64 core is built in, a retry can succeed; a bad image stays bad.
    // platform-not-found: retry with `{ platform }` picks one the image offers.
    retryable: report.outcome === "needs-x86-64-core" || kind === "io" || kind === "platform-not-found",
  };
};

const handlers: Record<string, JobHandler> = { "compile-image": compile };
export default handlers;
