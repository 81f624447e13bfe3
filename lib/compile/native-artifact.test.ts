import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveHostTools } from "../testing/host-tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packDirectory } from "../image/packed-rootfs";
import { loadHandler } from "../run/wasi-http-call";
import { httpCorePath } from "./http-component";
import { buildArtifactBytes, buildNativeArtifact, choosePorts, defaultCorePath, encodeRunConfig, planArtifact, runNativeArtifact, wrapAsComponent } from "./native-artifact";

const haveTools = haveHostTools({ files: ["/bin/busybox", "/usr/bin/clang-14"] }, "the native artifact suite");
const dir = mkdtempSync(join(tmpdir(), "trellis-native-"));
const rootfs = join(dir, "rootfs.img");
let core: Buffer;

describe.skipIf(!haveTools)("native artifact", () => {
  beforeAll(async () => {
    if (!existsSync(defaultCorePath()) || !existsSync(httpCorePath())) execFileSync("bash", ["emulator/build.sh"], { stdio: "pipe" });
    core = readFileSync(defaultCorePath());
    const stage = join(dir, "stage");
    mkdirSync(join(stage, "bin"), { recursive: true });
    mkdirSync(join(stage, "app"), { recursive: true });
    copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
    symlinkSync("busybox", join(stage, "bin", "sh"));
    writeFileSync(join(stage, "app", "hello.txt"), "hello from the rootfs\n");
    const r = await packDirectory(stage, rootfs);
    if (!r.ok) throw new Error(r.error.message);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("encodes the run config as NUL-terminated records", () => {
    const b = Buffer.from(encodeRunConfig({ entrypoint: ["/bin/sh", "-c"], cmd: ["echo hi"], env: ["A=1"], workdir: "/app", user: "1000:1000" }));
    expect(b.toString("utf8").split("\0")).toEqual(["p:/bin/sh", "p:-c", "c:echo hi", "e:A=1", "w:/app", "u:1000:1000", ""]);
  });

  it("refuses a module that is not the core", () => {
    const notCore = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const r = planArtifact(notCore, null, { entrypoint: [], cmd: ["x"], env: [] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe("core-malformed");
    const bad = planArtifact(Buffer.from("nope"), null, { entrypoint: [], cmd: ["x"], env: [] });
    expect(bad.ok ? "" : bad.error.kind).toBe("core-malformed");
  });

  it("embeds rootfs + config and runs the entrypoint; args replace CMD; exit status passes through", async () => {
    const rfs = readFileSync(rootfs);
    const art = buildArtifactBytes(core, rfs, { entrypoint: ["/bin/busybox"], cmd: ["cat", "hello.txt"], env: ["GREETING=hi there"], workdir: "/app" });
    expect(art.ok).toBe(true);
    if (!art.ok) return;
    expect(art.value.length).toBeGreaterThan(rfs.length + core.length - 1024);
    const file = join(dir, "a.wasm");
    writeFileSync(file, art.value);
    const r1 = await runNativeArtifact(file);
    expect(r1.stdout.toString()).toBe("hello from the rootfs\n");
    expect(r1.exitCode).toBe(0);
    const r2 = await runNativeArtifact(file, { args: ["sh", "-c", 'echo "$GREETING $EXTRA"; pwd; read x; echo got $x; exit 7'], env: { EXTRA: "x" }, stdin: "typed\n" });
    expect(r2.stdout.toString()).toBe("hi there x\n/app\ngot typed\n");
    expect(r2.exitCode).toBe(7);
  });

  it("buildNativeArtifact writes the module (and a component) for compile-image", async () => {
    const out = join(dir, "job");
    mkdirSync(out, { recursive: true });
    const built = await buildNativeArtifact({
      rootfsPath: rootfs,
      outDir: out,
      argv: ["/bin/busybox", "echo", "built"],
      entrypoint: ["/bin/busybox"],
      cmd: ["echo", "built"],
      executable: "/bin/busybox",
      elf: {} as never,
      env: ["PATH=/bin"],
      workingDir: "/",
      user: "",
    });
    expect(built.kind).toBe("module");
    const r = await runNativeArtifact(built.file);
    expect(r.stdout.toString()).toBe("built\n");
    expect((await runNativeArtifact(built.file, { args: ["echo", "again"] })).stdout.toString()).toBe("again\n");
    const comp = built.extraFiles?.find((f) => f.role.startsWith("component"));
    expect(comp).toBeDefined();
    const { componentWit } = (await import("@bytecodealliance/jco")) as unknown as { componentWit: (b: Uint8Array) => Promise<string> };
    expect(await componentWit(readFileSync(comp!.file))).toContain("export wasi:cli/run");
    // no exposed port: no wasi:http component
    expect(built.extraFiles?.some((f) => f.role.includes("wasi:http"))).toBe(false);
    expect(built.details?.ports).toMatchObject({ typed: [], network: [] });
  });

  it("also builds a wasi:http component when the image exposes an HTTP port, and says which ports became typed", async () => {
    const out = join(dir, "job-http");
    mkdirSync(out, { recursive: true });
    const built = await buildNativeArtifact({
      rootfsPath: rootfs,
      outDir: out,
      argv: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/app"],
      entrypoint: ["/bin/busybox"],
      cmd: ["httpd", "-f", "-p", "8080", "-h", "/app"],
      executable: "/bin/busybox",
      elf: {} as never,
      env: ["PATH=/bin"],
      workingDir: "/",
      user: "",
      exposedPorts: ["6379/tcp", "8080/tcp", "53/udp"],
    });
    const http = built.extraFiles?.find((f) => f.role === "component (wasi:http/incoming-handler@0.2.0)");
    expect(http?.file).toBe(join(out, "artifact.http.wasm"));
    expect(built.details?.httpComponent).toMatchObject({ file: "artifact.http.wasm", port: 8080, export: "wasi:http/incoming-handler@0.2.0" });
    expect(built.details?.ports).toMatchObject({
      typed: [{ port: 8080, protocol: "tcp", interface: "wasi:http/incoming-handler@0.2.0" }],
      network: [{ port: 6379, protocol: "tcp" }, { port: 53, protocol: "udp" }],
    });
    const call = await loadHandler(readFileSync(http!.file), join(out, "cache"));
    const r = call({ path: "/hello.txt" });
    expect("error" in r ? r : { status: r.status, body: r.body.toString() }).toEqual({ status: 200, body: "hello from the rootfs\n" });
  });

  it("translates the wasi:http component's reactor core from the same profile; it answers as the untranslated one does", async () => {
    // a CGI script whose loop runs the shell blocks the smoke run (the same loop in `sh -c`) ran hot
    const stage = join(dir, "stage-cgi");
    mkdirSync(join(stage, "bin"), { recursive: true });
    mkdirSync(join(stage, "www", "cgi-bin"), { recursive: true });
    copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
    symlinkSync("busybox", join(stage, "bin", "sh"));
    writeFileSync(join(stage, "www", "cgi-bin", "count"), '#!/bin/sh\necho "Content-Type: text/plain"\necho\ni=0; while [ $i -lt 1500 ]; do i=$((i+1)); done; echo "count $i $QUERY_STRING"\n', { mode: 0o755 });
    const cgiRootfs = join(dir, "rootfs-cgi.img");
    const packed = await packDirectory(stage, cgiRootfs);
    if (!packed.ok) throw new Error(packed.error.message);
    const build = async (name: string, translate: false | { smokeArgs: string[] }) => {
      const out = join(dir, name);
      mkdirSync(out, { recursive: true });
      const built = await buildNativeArtifact({
        rootfsPath: cgiRootfs,
        outDir: out,
        argv: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"],
        entrypoint: ["/bin/busybox"],
        cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
        executable: "/bin/busybox",
        elf: {} as never,
        env: ["PATH=/bin"],
        workingDir: "/",
        user: "",
        exposedPorts: ["8080/tcp"],
        translate,
      });
      const file = built.extraFiles!.find((f) => f.role === "component (wasi:http/incoming-handler@0.2.0)")!.file;
      return { built, component: readFileSync(file), call: await loadHandler(readFileSync(file), join(out, "cache")) };
    };
    const tr = await build("job-cgi-translated", { smokeArgs: ["sh", "-c", "i=0; while [ $i -lt 4000 ]; do i=$((i+1)); done"] });
    const plain = await build("job-cgi-plain", false);
    expect((tr.built.details?.translation as { blocks: number }).blocks).toBeGreaterThan(0);
    expect(tr.built.details?.httpComponent).toMatchObject({ translated: true });
    expect(plain.built.details?.httpComponent).toMatchObject({ translated: false });
    expect(tr.component.length).toBeGreaterThan(plain.component.length); // the translated blocks
    const answer = (call: typeof tr.call, path: string) => {
      const r = call({ path });
      return "error" in r ? r : { status: r.status, body: r.body.toString() };
    };
    for (const path of ["/cgi-bin/count?a", "/cgi-bin/count?b"]) {
      const want = answer(plain.call, path);
      expect(want).toEqual({ status: 200, body: `count 1500 ${path.split("?")[1]}\n` });
      expect(answer(tr.call, path)).toEqual(want);
    }
  }, 180_000);

  it("choosePorts prefers a well-known HTTP port, else the first TCP port", () => {
    expect(choosePorts(["6379/tcp", "80/tcp"]).http).toBe(80);
    expect(choosePorts(["3000/tcp", "53/udp"]).http).toBe(3000);
    expect(choosePorts(["53/udp", "junk"])).toEqual({ network: [{ port: 53, protocol: "udp" }] });
  });

  it("keeps the rootfs as a separate file opened through a preopen", async () => {
    const out = join(dir, "job2");
    mkdirSync(out, { recursive: true });
    process.env.TRELLIS_NATIVE_SEPARATE_ROOTFS_BYTES = "1";
    try {
      const built = await buildNativeArtifact({ rootfsPath: rootfs, outDir: out, argv: ["/bin/sh", "-c", "cat /app/hello.txt"], entrypoint: [], cmd: ["/bin/sh", "-c", "cat /app/hello.txt"], executable: "/bin/busybox", elf: {} as never, env: [], workingDir: "", user: "", translate: false });
      expect(built.extraFiles?.some((f) => f.file.endsWith("artifact.rootfs.img"))).toBe(true);
      expect(readFileSync(built.file).length).toBeLessThan(core.length + 4096);
      const r = await runNativeArtifact(built.file);
      expect(r.stdout.toString()).toBe("hello from the rootfs\n");
    } finally {
      delete process.env.TRELLIS_NATIVE_SEPARATE_ROOTFS_BYTES;
    }
  });

  it("wrapAsComponent rejects garbage with a typed error", async () => {
    const r = await wrapAsComponent(Buffer.from([1, 2, 3]));
    expect(r.ok ? "" : r.error.kind).toBe("component-failed");
  });
});
