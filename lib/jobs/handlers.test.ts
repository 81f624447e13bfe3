// The compile-image job handler on a native image: a start-up snapshot only
// when the job asks for one (params.snapshot, set by the upload and pull
// routes), reported in the summary and the report, and resumed by a run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultCorePath, runNativeArtifact } from "../compile/native-artifact";
import { makeDockerSave, makeTar, tarLayer } from "../image/test-images";
import { haveHostTools } from "../testing/host-tools";
import handlers, { type CompileJobResult } from "./handlers";

const haveTools = haveHostTools({ files: ["/bin/busybox", defaultCorePath()] }, "the compile job handler suite");
let dir: string;
let image: Buffer;
const translate = process.env.TRELLIS_COMPILE_TRANSLATE;

async function compileJob(id: string, params: Record<string, unknown>) {
  const jobDir = join(dir, "jobs", id);
  mkdirSync(jobDir, { recursive: true });
  writeFileSync(join(jobDir, "upload.tar"), image);
  const logs: string[] = [];
  const ctx = { id, dir: jobDir, params: { upload: "upload.tar", ...params }, attempt: 1, signal: new AbortController().signal, progress: () => {}, log: (l: string) => logs.push(l) };
  const result = (await handlers["compile-image"]!(ctx)) as CompileJobResult;
  const report = JSON.parse(readFileSync(join(jobDir, "report.json"), "utf8")) as { produced: { file: string; native: { details?: { snapshot?: { artifactBytes?: { with: number; without: number }; stopSyscall?: number } } } } };
  return { result, report, logs, artifact: join(jobDir, report.produced.file) };
}

describe.skipIf(!haveTools)("compile-image jobs and start-up snapshots", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "trellis-handlers-"));
    process.env.TRELLIS_COMPILE_TRANSLATE = "0"; // the snapshot is what is tested; translation has its own suites
    const layer = await makeTar([
      { name: "bin/", type: "directory", mode: 0o755 },
      { name: "bin/busybox", content: readFileSync("/bin/busybox"), mode: 0o755 },
    ]);
    image = await makeDockerSave([tarLayer(layer)], { Entrypoint: ["/bin/busybox", "sh", "-c"], Cmd: ["echo from a job; echo $#"], Env: ["PATH=/bin"] });
  });
  afterAll(() => {
    if (translate === undefined) delete process.env.TRELLIS_COMPILE_TRANSLATE;
    else process.env.TRELLIS_COMPILE_TRANSLATE = translate;
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes one when asked: the summary and the report say so, and a run resumes from it", async () => {
    const j = await compileJob("with", { snapshot: true });
    expect(j.result.outcome).toBe("compiled");
    expect(j.result.summary).toMatch(/start-up snapshot taken \(\+\d+ bytes\)/);
    const s = j.report.produced.native.details?.snapshot;
    expect(s?.stopSyscall).toBe(1); // the echo's write
    expect(s!.artifactBytes!.with).toBeGreaterThan(s!.artifactBytes!.without);
    expect(j.logs.some((l) => l.startsWith("start-up snapshot: taken before syscall 1"))).toBe(true);
    const run = await runNativeArtifact(j.artifact, { env: { TRELLIS_TRACE: "1" } });
    expect(run.stdout.toString()).toBe("from a job\n0\n");
    expect(run.stderr.toString()).toContain("resumed from the start-up snapshot");
  }, 120_000);

  it("takes none by default", async () => {
    const j = await compileJob("without", {});
    expect(j.result.outcome).toBe("compiled");
    expect(j.result.summary).not.toMatch(/snapshot/);
    expect(j.report.produced.native.details?.snapshot).toBeUndefined();
    const run = await runNativeArtifact(j.artifact, { env: { TRELLIS_TRACE: "1" } });
    expect(run.stdout.toString()).toBe("from a job\n0\n");
    expect(run.stderr.toString()).not.toContain("resumed from the start-up snapshot");
  }, 120_000);
});
