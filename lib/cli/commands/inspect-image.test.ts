import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPackedRootfs } from "../../image/packed-rootfs";
import { makeDockerSave, makeTar, tarLayer } from "../../image/test-images";

const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/trellis.mjs", ...args], { encoding: "utf8" });
const dir = mkdtempSync(join(tmpdir(), "trellis-cli-image-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("trellis inspect-image", () => {
  it("summarises an image and writes its packed rootfs", async () => {
    const l = tarLayer(await makeTar([{ name: "bin/busybox", content: readFileSync("/bin/busybox"), mode: 0o755 }, { name: "bin/sh", type: "symlink", linkname: "busybox" }]), "gzip");
    const img = join(dir, "bb.tar");
    writeFileSync(img, await makeDockerSave([l], { Entrypoint: ["sh"] }, { repoTags: ["bb:1"] }));
    const out = join(dir, "bb.img");
    const r = cli("inspect-image", img, "--rootfs", out);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("docker-save, platform linux/amd64, bb:1");
    expect(r.stdout).toContain("native: the entrypoint resolves to the static x86-64 ELF /bin/busybox");
    const fs = openPackedRootfs(readFileSync(out));
    expect(fs.ok && fs.value.readlink("/bin/sh")).toEqual({ ok: true, value: "busybox" });
    const j = cli("inspect-image", img, "--json");
    expect(JSON.parse(j.stdout)).toMatchObject({ format: "docker-save", classification: { kind: "native" } });
  });

  it("exits 1 with the typed error for a hostile image, 2 for bad usage", async () => {
    const img = join(dir, "evil.tar");
    writeFileSync(img, await makeDockerSave([tarLayer(await makeTar([{ name: "../x", content: "x" }]))], { Cmd: ["/x"] }));
    const r = cli("inspect-image", img);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("path-escape");
    expect(cli("inspect-image").status).toBe(2);
    expect(cli("inspect-image", img, "--platform").status).toBe(2);
  });
});
