import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { haveHostTools } from "../testing/host-tools";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco";
import { openDb } from "../db";
import { EmbeddedJobQueue } from "../jobs/embedded-queue";
import type { Job } from "../jobs/types";
import { makeDockerSave, makeOciLayout, makeTar, tarLayer } from "../image/test-images";
import { compileImage, loadNativeBuilder, type CompileOptions, type CompileReport } from "./compile-image";

let base: string;
let n = 0;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "trellis-compile-"));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function compile(archive: Buffer, opts: Partial<CompileOptions> = {}): Promise<{ report: CompileReport; jobDir: string }> {
  const jobDir = join(base, `job${++n}`);
  mkdirSync(jobDir, { recursive: true });
  writeFileSync(join(jobDir, "upload.tar"), archive);
  const report = await compileImage({ upload: join(jobDir, "upload.tar"), jobDir, fileName: "image.tar", ...opts });
  // The report on disk is the one returned.
  expect(JSON.parse(readFileSync(join(jobDir, "report.json"), "utf8"))).toEqual(report);
  return { report, jobDir };
}

async function greetComponent(): Promise<Uint8Array> {
  const core = await componentEmbed({
    dummy: true,
    witSource: "package trellis:demo@0.1.0;\ninterface greet { hello: func(name: string) -> string; }\nworld w { export greet; }\n",
    world: "w",
  });
  return componentNew(core);
}

describe("compileImage", () => {
  it("outputs a Wasm component with its WIT", async () => {
    const comp = Buffer.from(await greetComponent());
    const { archive } = await makeOciLayout([
      { layers: [{ blob: comp, mediaType: "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm" }], config: { os: "wasip2", architecture: "wasm" } },
    ]);
    const { report, jobDir } = await compile(archive);
    expect(report.outcome).toBe("compiled");
    expect(report.produced).toMatchObject({ kind: "wasm-component", file: "artifact.wasm", bytes: comp.length, witFile: "artifact.wit" });
    expect(report.produced!.wit).toContain("export trellis:demo/greet@0.1.0");
    expect(Buffer.compare(readFileSync(join(jobDir, "artifact.wasm")), comp)).toBe(0);
    expect(readFileSync(join(jobDir, "artifact.wit"), "utf8")).toBe(report.produced!.wit);
    expect(report.layers[0]).toMatchObject({ wasm: true, size: comp.length });
    expect(report.timingsMs.total).toBeGreaterThanOrEqual(0);
    expect(Object.keys(report.timingsMs).sort()).toEqual(["classify", "layers", "manifest", "open", "pack", "produce", "total"]);
  });

  it("outputs a core module from a .wasm entrypoint with its imports and exports", async () => {
    const mod = Buffer.from(await parse('(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))) (memory (export "memory") 1) (func (export "_start")))'));
    const l = tarLayer(await makeTar([{ name: "app/main.wasm", content: mod, mode: 0o755 }]), "gzip");
    const { report } = await compile(await makeDockerSave([l], { Entrypoint: ["/app/main.wasm"], os: "wasip1", architecture: "wasm" }));
    expect(report.outcome).toBe("compiled");
    expect(report.produced).toMatchObject({ kind: "wasm-module", exports: [{ name: "memory", kind: "memory" }, { name: "_start", kind: "function" }], imports: [{ module: "wasi_snapshot_preview1", name: "proc_exit", kind: "function" }] });
    expect(report.rootfs).toMatchObject({ file: "work/rootfs.img" });
    expect(report.files).toBe(1);
  });

  const busyboxImage = async () =>
    makeDockerSave([tarLayer(await makeTar([{ name: "bin/busybox", content: readFileSync("/bin/busybox"), mode: 0o755 }, { name: "bin/sh", type: "symlink", linkname: "busybox" }]), "gzip")], { Entrypoint: ["/bin/sh", "-c"], Cmd: ["echo hi"] });

  it("ends a native image without the x86-64 core at a clear report, with no artifact", async () => {
    const { report, jobDir } = await compile(await busyboxImage(), { loadNativeBuilder: async () => undefined });
    expect(report.outcome).toBe("needs-x86-64-core");
    expect(report.produced).toBeNull();
    expect(report.summary).toMatch(/needs the x86-64 core/);
    expect(report.elf).toMatchObject({ machine: "x86-64", linking: "static", class: 64 });
    expect(report.entrypoint).toEqual(["/bin/sh", "-c", "echo hi"]);
    expect(existsSync(join(jobDir, "artifact.wasm"))).toBe(false);
  });

  it("a builder whose core binary is missing also ends at the 'needs the x86-64 core' report", async () => {
    const { report } = await compile(await busyboxImage(), {
      loadNativeBuilder: async () => async () => {
        throw Object.assign(new Error("the x86-64 core is not built"), { kind: "core-missing" });
      },
    });
    expect(report).toMatchObject({ outcome: "needs-x86-64-core", produced: null });
    expect(report.summary).toMatch(/not built on this server/);
  });

  it("hands native images to buildNativeArtifact when the core provides it", async () => {
    const calls: unknown[] = [];
    const { report, jobDir } = await compile(await busyboxImage(), {
      loadNativeBuilder: async () => async (input) => {
        calls.push(input);
        // Stand-in for the core: the pipeline only needs a file to describe.
        const file = join(input.outDir, "native.wasm");
        copyFileSync(input.rootfsPath, file);
        return { file, kind: "module", details: { rootfsEmbedded: true } };
      },
    });
    expect(calls[0]).toMatchObject({ executable: "/bin/busybox", argv: ["/bin/sh", "-c", "echo hi"], entrypoint: ["/bin/sh", "-c"], cmd: ["echo hi"], elf: { linking: "static" } });
    expect(report.outcome).toBe("compiled");
    expect(report.produced).toMatchObject({ kind: "native-artifact", file: "native.wasm", native: { kind: "module", details: { rootfsEmbedded: true } } });
    expect(existsSync(join(jobDir, "native.wasm"))).toBe(true);
  });

  const core = join(import.meta.dirname, "..", "..", "emulator", "build", "trellis-x86.wasm");
  it.skipIf(!haveHostTools({ files: [core] }, "the real-core compile test (npm run build:emulator)"))("compiles busybox with the real x86-64 core when it is built", async () => {
    const { report, jobDir } = await compile(await busyboxImage());
    expect(report.outcome).toBe("compiled");
    expect(report.produced).toMatchObject({ kind: "native-artifact", native: { kind: "module" } });
    const head = readFileSync(join(jobDir, report.produced!.file)).subarray(0, 8);
    expect([...head]).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    for (const x of report.produced!.native!.extraFiles ?? []) expect(existsSync(join(jobDir, x.file))).toBe(true);
  });

  it("reports unsupported images and unreadable ones", async () => {
    const none = await compile(await makeDockerSave([tarLayer(await makeTar([{ name: "x", content: "x" }]))], {}));
    expect(none.report).toMatchObject({ outcome: "unsupported", produced: null, classification: { kind: "unsupported", code: "no-entrypoint" } });
    const bad = await compile(await makeTar([{ name: "manifest.json", content: "[{}]" }]));
    expect(bad.report).toMatchObject({ outcome: "error", error: { kind: "manifest-invalid" }, produced: null });
  });

  it("loadNativeBuilder returns the core's builder or nothing, never a stand-in", async () => {
    const b = await loadNativeBuilder();
    expect(b === undefined || typeof b === "function").toBe(true);
    expect(b !== undefined).toBe(existsSync(join(import.meta.dirname, "native-artifact.ts")));
  });
});

describe("compile-image jobs through the queue", () => {
  it("runs in a worker process and exposes the result and report", async () => {
    const dataDir = join(base, "data");
    mkdirSync(dataDir, { recursive: true });
    const db = openDb(join(dataDir, "trellis.db"));
    const q = new EmbeddedJobQueue({ db, dataDir, concurrency: 1, workerEntry: join(import.meta.dirname, "..", "jobs", "worker-main.ts") });
    try {
      const comp = Buffer.from(await greetComponent());
      const { archive } = await makeOciLayout([{ layers: [{ blob: comp, mediaType: "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm" }], config: { os: "wasip2", architecture: "wasm" } }]);
      const id = q.newJobId();
      mkdirSync(q.jobDir(id), { recursive: true });
      writeFileSync(join(q.jobDir(id), "upload.tar"), archive);
      q.enqueue({ id, kind: "compile-image", params: { upload: "upload.tar", fileName: "c.tar" } });
      const stages: string[] = [];
      q.subscribe(id, (e) => {
        if (e.type === "progress" && e.stage && !stages.includes(e.stage)) stages.push(e.stage);
      });
      const done = await new Promise<Job>((resolve) => {
        const off = q.subscribe(id, (e) => {
          if (e.type === "state" && ["succeeded", "failed", "cancelled"].includes(e.job.state)) {
            off();
            resolve(e.job);
          }
        });
      });
      expect(done).toMatchObject({ state: "succeeded", result: { outcome: "compiled", produced: { kind: "wasm-component" } } });
      expect(stages).toEqual(expect.arrayContaining(["open", "layers", "produce"]));
      expect(JSON.parse(readFileSync(join(q.jobDir(id), "report.json"), "utf8")).outcome).toBe("compiled");

      // A hostile upload fails the job with the typed error and still leaves a report.
      const id2 = q.newJobId();
      mkdirSync(q.jobDir(id2), { recursive: true });
      writeFileSync(join(q.jobDir(id2), "upload.tar"), await makeDockerSave([tarLayer(await makeTar([{ name: "../evil", content: "x" }]))], { Cmd: ["/x"] }));
      q.enqueue({ id: id2, kind: "compile-image", params: { upload: "upload.tar" } });
      const failed = await new Promise<Job>((resolve) => {
        const off = q.subscribe(id2, (e) => {
          if (e.type === "state" && ["succeeded", "failed", "cancelled"].includes(e.job.state)) {
            off();
            resolve(e.job);
          }
        });
      });
      expect(failed).toMatchObject({ state: "failed", retryable: false, error: { kind: "path-escape" } });
      expect(JSON.parse(readFileSync(join(q.jobDir(id2), "report.json"), "utf8")).error.kind).toBe("path-escape");
    } finally {
      await q.close();
      db.close();
    }
  });
});
