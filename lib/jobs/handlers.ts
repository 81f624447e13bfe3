// The job kinds the worker process can run.
import { join } from "node:path";
import { basename, dirname } from "node:path";
import { compileImage, writeFailedReport, type CompileReport, type PulledSource } from "../compile/compile-image";
import { translateByDefault } from "../compile/aot-compile";
import { defaultCorePath } from "../compile/native-artifact";
import type { Limits } from "../image/layer";
import { authFileCredentials, firstOf, insecureFromEnv, pullImage, type PullProgress } from "../registry";
import { credentialStorePath, storedCredentials } from "../registry/credential-store";
import { cacheKey, coreId, restoreCached, storeCached } from "./artifact-cache";
import { maxUpload } from "./http";
import type { JobHandler } from "./protocol";

/** What a compile job stores as its result (the full report is report.json in the job dir). */
export interface CompileJobResult {
  outcome: CompileReport["outcome"];
  summary: string;
  platform?: string;
  classification?: string;
  produced: CompileReport["produced"];
  /** A pulled image: where from, pinned to the digest. */
  source?: PulledSource;
  /** Reused from the artifact cache (same image digest, same core): the job that compiled it did the work. */
  cached?: boolean;
}

/** The per-layer progress a pull sends as the job's progress `detail`. */
export interface PullDetail {
  kind: "pull";
  reference: string;
  doneBytes: number;
  totalBytes: number;
  blobs: { digest: string; mediaType: string; size: number; done: number }[];
  current: number;
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

/** Share of the job's percent the pull takes (the compile gets the rest). */
const PULL_SHARE = 40;

const compile: JobHandler = async (ctx) => {
  const p = ctx.params as { upload?: unknown; reference?: unknown; fileName?: unknown; platform?: unknown; name?: unknown; snapshot?: unknown };
  const platform = typeof p.platform === "string" && p.platform ? p.platform : undefined;
  // opt-in only (lib/jobs/http.ts, registry-http.ts): runs resumed from a snapshot share its random seeds
  const snapshot = p.snapshot === true;
  // Jobs live in <dataDir>/jobs/<id>/.
  const dataDir = dirname(dirname(ctx.dir));
  let upload: string;
  let source: PulledSource | undefined;
  let cache: string | undefined;
  const t0 = performance.now();
  if (typeof p.reference === "string") {
    const reference = p.reference;
    ctx.progress("pull", 0);
    const core = await coreId(defaultCorePath());
    const onProgress = (pp: PullProgress) => {
      const detail: PullDetail = { kind: "pull", reference, doneBytes: pp.doneBytes, totalBytes: pp.totalBytes, blobs: pp.blobs, current: pp.current };
      ctx.progress("pull", (pp.doneBytes / (pp.totalBytes || 1)) * PULL_SHARE, detail);
    };
    let hit: Awaited<ReturnType<typeof restoreCached<CompileJobResult>>> = null;
    const pulled = await pullImage({
      reference,
      outFile: join(ctx.dir, "pulled.oci.tar"),
      ...(platform ? { platform } : {}),
      maxBytes: maxUpload(),
      credentials: firstOf(storedCredentials(credentialStorePath(dataDir)), authFileCredentials()),
      insecureRegistries: insecureFromEnv(),
      signal: ctx.signal,
      onProgress,
      onLog: (l) => ctx.log(l),
      stopBeforeBlobs: async (r) => {
        cache = cacheKey(r.manifestDigest, r.platform ?? platform ?? "", core, { snapshot });
        hit = await restoreCached<CompileJobResult>(dataDir, cache, ctx.dir);
        return hit !== null;
      },
    });
    if (!pulled.ok) {
      const e = pulled.error;
      const summary = `The image could not be pulled: ${e.message}`;
      await writeFailedReport(ctx.dir, { uploadBytes: 0, ...(platform ? { requestedPlatform: platform } : {}) }, { kind: e.kind, message: e.message }, summary, performance.now() - t0);
      throw {
        kind: e.kind,
        message: summary,
        ...(e.digest ? { digest: e.digest } : {}),
        ...(e.platforms ? { platforms: e.platforms } : {}),
        retryable: ["network", "interrupted", "registry-error", "platform-not-found", "auth-failed", "cancelled"].includes(e.kind),
      };
    }
    const r = pulled.value;
    source = { reference: r.reference, pinned: r.pinned, digest: r.digest, manifestDigest: r.manifestDigest, ...(r.platform ? { platform: r.platform } : {}), pullMs: r.ms, blobBytes: r.blobBytes };
    if (hit) {
      const { result, report } = hit as { result: CompileJobResult; report: Record<string, unknown> };
      const summary = `Reused the artifact compiled earlier from ${r.manifestDigest} (same image digest, same core): nothing was unpacked or compiled again.`;
      await import("node:fs/promises").then((fs) => fs.writeFile(join(ctx.dir, "report.json"), JSON.stringify({ ...report, summary, cached: true, input: { ...(report.input as object), source } }, null, 2)));
      ctx.log(summary);
      ctx.progress("produce", 100);
      return { ...result, summary, source, cached: true } satisfies CompileJobResult;
    }
    upload = r.file;
  } else {
    if (typeof p.upload !== "string" || basename(p.upload) !== p.upload) throw { kind: "invalid-params", message: "params.upload must be a file name (or params.reference an image reference)" };
    upload = join(ctx.dir, p.upload);
  }
  const share = source ? PULL_SHARE : 0;
  const report = await compileImage({
    upload,
    jobDir: ctx.dir,
    ...(typeof p.fileName === "string" ? { fileName: p.fileName } : {}),
    ...(platform ? { platform } : {}),
    ...(typeof p.name === "string" && p.name ? { name: p.name } : {}),
    ...(source ? { source } : {}),
    limits: limitsFromEnv(),
    ...(snapshot ? { snapshot: true } : {}),
    // translation by a smoke run (on unless TRELLIS_COMPILE_TRANSLATE=0), cached across jobs in the data dir
    ...(translateByDefault() ? { translate: { cacheDir: join(dataDir, "cache", "aot") } } : {}),
    signal: ctx.signal,
    onProgress: (stage, pct) => ctx.progress(stage, share + (pct * (100 - share)) / 100),
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
      ...(source ? { source } : {}),
    };
    if (cache) {
      try {
        await storeCached(dataDir, cache, ctx.dir, result);
      } catch (e) {
        ctx.log(`note: the artifact was not cached (${(e as Error).message})`);
      }
    }
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
