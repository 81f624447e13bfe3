import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveHostTools } from "../../testing/host-tools";
import { startServe } from "../../testing/serve-process";
import { afterAll, describe, expect, it } from "vitest";
import { makeDockerSave, makeTar, tarLayer } from "../../image/test-images";
import { loadHandler } from "../../run/wasi-http-call";

const haveTools = haveHostTools({ files: ["/bin/busybox", "/usr/bin/clang-14"] }, "the CLI compile suite");
const dir = mkdtempSync(join(tmpdir(), "trellis-cli-compile-"));
const cli = (args: string[], input?: string) => {
  // the translation cache goes to the test's own data dir
  const r = spawnSync(process.execPath, ["bin/trellis.mjs", ...args], { input: input ?? "", encoding: "utf8", timeout: 120_000, env: { ...process.env, TRELLIS_DATA_DIR: join(dir, "data") } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe.skipIf(!haveTools)("trellis compile / run (x86-64 core)", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("compiles a docker-save image whose entrypoint is busybox and runs it with args and stdin", async () => {
    const layer = await makeTar([
      { name: "bin/", type: "directory", mode: 0o755 },
      { name: "bin/busybox", content: readFileSync("/bin/busybox"), mode: 0o755 },
      { name: "bin/sh", type: "symlink", linkname: "busybox" },
      { name: "etc/", type: "directory", mode: 0o755 },
      { name: "etc/motd", content: "welcome\n" },
    ]);
    const image = join(dir, "image.tar");
    writeFileSync(image, await makeDockerSave([tarLayer(layer)], { Entrypoint: ["/bin/busybox"], Cmd: ["cat", "/etc/motd"], Env: ["PATH=/bin"], WorkingDir: "/etc" }));
    const out = join(dir, "out.wasm");
    const c = cli(["compile", image, "-o", out]);
    expect(c.code, c.err).toBe(0);
    // translation by default, from a smoke run of the image's command (cat runs no block often enough to pay back)
    expect(c.out).toMatch(/^translation: \d+ blocks \(.*\) from a smoke run of [1-9]\d* instructions \(exit 0\); artifact \d+ bytes, \d+ without translations$/m);
    // a smoke command of its own with a hot loop; a second compile takes it from the cache
    const loop = JSON.stringify(["sh", "-c", "i=0; while [ $i -lt 1500 ]; do i=$((i+1)); done"]);
    const hot = cli(["compile", image, "-o", join(dir, "hot.wasm"), "--smoke", loop]);
    expect(hot.out).toMatch(/^translation: [1-9]\d* blocks \(.*\) from a smoke run of [1-9]\d* instructions \(exit 0\); artifact \d+ bytes, \d+ without translations$/m);
    const again = cli(["compile", image, "-o", join(dir, "again.wasm"), "--smoke", loop]);
    expect(again.out).toContain("(exit 0), profile cached, translations cached;");
    expect(readFileSync(join(dir, "again.wasm")).equals(readFileSync(join(dir, "hot.wasm")))).toBe(true);
    expect(cli(["run", join(dir, "hot.wasm")]).out).toBe("welcome\n");
    const off = cli(["compile", image, "-o", join(dir, "off.wasm"), "--no-translate"]);
    expect(off.out).toContain("translation: none (turned off for this compile)");
    expect(readFileSync(join(dir, "off.wasm")).length).toBeLessThan(readFileSync(join(dir, "hot.wasm")).length);
    expect(cli(["run", join(dir, "off.wasm")]).out).toBe("welcome\n");
    const r1 = cli(["run", out]);
    expect(r1.out).toBe("welcome\n");
    expect(r1.code).toBe(0);
    const r2 = cli(["run", out, "--", "/bin/sh", "-c", "pwd; tr a-z A-Z; exit 3"], "shout\n");
    expect(r2.out).toBe("/etc\nSHOUT\n");
    expect(r2.code).toBe(3);
  }, 180_000);

  it("--http-component writes the wasi:http component of an image that exposes an HTTP port, and it answers", async () => {
    const layer = await makeTar([
      { name: "bin/", type: "directory", mode: 0o755 },
      { name: "bin/busybox", content: readFileSync("/bin/busybox"), mode: 0o755 },
      { name: "www/", type: "directory", mode: 0o755 },
      { name: "www/index.html", content: "<p>served by the component</p>\n" },
    ]);
    const image = join(dir, "httpd.tar");
    writeFileSync(image, await makeDockerSave([tarLayer(layer)], { Entrypoint: ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"], ExposedPorts: { "80/tcp": {} } }));
    const out = join(dir, "httpd.wasm");
    const cliComponent = join(dir, "httpd.component.wasm");
    const httpComponent = join(dir, "httpd.http.wasm");
    const c = cli(["compile", image, "-o", out, "--component", cliComponent, "--http-component", httpComponent]);
    expect(c.code, c.err).toBe(0);
    expect(c.out).toContain(`${httpComponent}: `);
    expect(c.out).toContain("component exporting wasi:http/incoming-handler@0.2.0, guest port 80");
    // the two components are different files: the command wrapper and the HTTP handler
    expect(readFileSync(cliComponent).equals(readFileSync(httpComponent))).toBe(false);
    const call = await loadHandler(new Uint8Array(readFileSync(httpComponent)), join(dir, "cache"));
    const r = call({ path: "/index.html" });
    if ("error" in r) throw new Error(`the component answered error ${r.error.tag}`);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe("<p>served by the component</p>\n");

    // trellis serve: the same component behind a local HTTP server, as a wasi:http host runs it
    const { url, proc: serve } = await startServe(httpComponent);
    try {
      const got = await fetch(`${url}index.html`);
      expect([got.status, await got.text()]).toEqual([200, "<p>served by the component</p>\n"]);
      expect((await fetch(`${url}missing.html`)).status).toBe(404);
    } finally {
      serve.kill("SIGTERM");
    }

    // an image that exposes nothing has no HTTP component: the command says so and fails
    const plain = join(dir, "plain.tar");
    writeFileSync(plain, await makeDockerSave([tarLayer(layer)], { Entrypoint: ["/bin/busybox", "true"] }));
    const p = cli(["compile", plain, "-o", join(dir, "plain.wasm"), "--http-component", join(dir, "plain.http.wasm")]);
    expect(p.code).toBe(1);
    expect(p.err).toContain("no wasi:http component was built (the image exposes no HTTP port");
    expect(existsSync(join(dir, "plain.http.wasm"))).toBe(false);
  }, 120_000);

  it("compiles a rootfs directory with an entrypoint, separate rootfs kept beside the module", () => {
    const root = join(dir, "root");
    mkdirSync(join(root, "bin"), { recursive: true });
    writeFileSync(join(root, "bin", "busybox"), readFileSync("/bin/busybox"), { mode: 0o755 });
    const out = join(dir, "sep.wasm");
    const c = cli(["compile", "--rootfs", root, "--entrypoint", "/bin/busybox echo", "--cmd", "default args", "--separate-rootfs", "-o", out]);
    expect(c.code, c.err).toBe(0);
    expect(existsSync(join(dir, "sep.rootfs.img"))).toBe(true);
    expect(cli(["run", out]).out).toBe("default args\n");
    expect(cli(["run", out, "--", "replaced"]).out).toBe("replaced\n");
  });

  it("--snapshot puts a start-up snapshot in the artifact; runs give the same output, other arguments start normally", () => {
    const root = join(dir, "snaproot");
    mkdirSync(join(root, "bin"), { recursive: true });
    writeFileSync(join(root, "bin", "busybox"), readFileSync("/bin/busybox"), { mode: 0o755 });
    const out = join(dir, "snap.wasm");
    const c = cli(["compile", "--rootfs", root, "--entrypoint", "/bin/busybox seq", "--cmd", "3", "--no-translate", "--snapshot", "-o", out]);
    expect(c.code, c.err).toBe(0);
    expect(c.out).toMatch(/^start-up snapshot: taken before syscall 1 after [1-9]\d* guest instructions; artifact (\d+) bytes, (\d+) without/m);
    const [, withB, withoutB] = /artifact (\d+) bytes, (\d+) without/.exec(c.out)!;
    expect(Number(withB)).toBe(readFileSync(out).length);
    expect(Number(withB)).toBeGreaterThan(Number(withoutB));
    expect(cli(["run", out]).out).toBe("1\n2\n3\n");
    expect(cli(["run", out, "--", "2"]).out).toBe("1\n2\n");
    const sep = cli(["compile", "--rootfs", root, "--entrypoint", "/bin/busybox seq 3", "--separate-rootfs", "--snapshot", "-o", join(dir, "snapsep.wasm")]);
    expect(sep.code).toBe(2);
    expect(sep.err).toContain("--snapshot needs the rootfs embedded");
    expect(existsSync(join(dir, "snapsep.wasm"))).toBe(false); // refused before anything is written
  }, 120_000);

  it("--snapshot on an image: the native builder takes it after translation and reports it", async () => {
    const layer = await makeTar([
      { name: "bin/", type: "directory", mode: 0o755 },
      { name: "bin/busybox", content: readFileSync("/bin/busybox"), mode: 0o755 },
    ]);
    const image = join(dir, "snap-image.tar");
    writeFileSync(image, await makeDockerSave([tarLayer(layer)], { Entrypoint: ["/bin/busybox"], Cmd: ["seq", "2"], Env: ["PATH=/bin"] }));
    const out = join(dir, "snap-image.wasm");
    // a smoke command with a hot loop, so that there are blocks that pay back (seq 2 runs none 1000 times)
    const c = cli(["compile", image, "-o", out, "--snapshot", "--smoke", JSON.stringify(["sh", "-c", "i=0; while [ $i -lt 1500 ]; do i=$((i+1)); done"])]);
    expect(c.code, c.err).toBe(0);
    expect(c.out).toMatch(/^translation: [1-9]\d* blocks/m);
    expect(c.out).toMatch(/^start-up snapshot: taken before syscall 1 after [1-9]\d* guest instructions; artifact \d+ bytes/m);
    expect(cli(["run", out]).out).toBe("1\n2\n");
    expect(cli(["run", out, "--", "seq", "1"]).out).toBe("1\n");
  }, 120_000);

  it("refuses bad usage", () => {
    expect(cli(["compile", "--rootfs", dir]).code).toBe(2);
    expect(cli(["run", join(dir, "missing.wasm")]).code).toBe(2);
  });
});
