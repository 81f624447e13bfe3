import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveHostTools } from "../../testing/host-tools";
import { afterAll, describe, expect, it } from "vitest";
import { makeDockerSave, makeTar, tarLayer } from "../../image/test-images";

const haveTools = haveHostTools({ files: ["/bin/busybox", "/usr/bin/clang-14"] }, "the CLI compile suite");
const dir = mkdtempSync(join(tmpdir(), "trellis-cli-compile-"));
const cli = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, ["bin/trellis.mjs", ...args], { input: input ?? "", encoding: "utf8", timeout: 120_000 });
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
    const r1 = cli(["run", out]);
    expect(r1.out).toBe("welcome\n");
    expect(r1.code).toBe(0);
    const r2 = cli(["run", out, "--", "/bin/sh", "-c", "pwd; tr a-z A-Z; exit 3"], "shout\n");
    expect(r2.out).toBe("/etc\nSHOUT\n");
    expect(r2.code).toBe(3);
  });

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

  it("refuses bad usage", () => {
    expect(cli(["compile", "--rootfs", dir]).code).toBe(2);
    expect(cli(["run", join(dir, "missing.wasm")]).code).toBe(2);
  });
});
