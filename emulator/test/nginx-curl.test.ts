// Debian's nginx and curl in one guest: a shell starts nginx (master + worker)
// in the background, curl fetches files from it over the guest's own loopback,
// and the shell stops nginx. The same script runs natively against a native
// nginx on the same files; what curl prints must be the same. Nothing here
// touches the host's network: the guest's port 80 exists only inside the core.
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../lib/testing/free-port";
import { haveHostTools } from "../../lib/testing/host-tools";
import { copyWithLibs, conf, nginx, stageNginx, writeSite } from "./nginx-site";
import { emulatorDir, ensureCore, packStage, runEmulated, runNative } from "./harness";

const work = join(emulatorDir, "build", "test-nginx-curl");
const stage = join(work, "stage");
const rootfs = join(work, "rootfs.img");
const native = join(work, "native");
const curl = "/usr/bin/curl";
const haveTools = haveHostTools({ commands: ["ldd", "clang-14"], files: [nginx, curl, "/bin/busybox", "/etc/nginx/mime.types"] }, "nginx + curl in one guest");
const ENV = { PATH: "/usr/sbin:/usr/bin:/bin", HOME: "/tmp", LC_ALL: "C" };

/** The shell script both runs execute; only how nginx starts and its port differ. */
function script(startNginx: string, port: number, pidFile: string): string {
  const url = `http://127.0.0.1:${port}`;
  return [
    `${startNginx} 2>/tmp/nginx-curl.err &`,
    `i=0; until curl -s -o /dev/null ${url}/index.html; do i=$((i+1)); [ $i -gt 600 ] && exit 9; sleep 0.1; done`,
    `curl -s ${url}/index.html`,
    `curl -s ${url}/data.json`,
    `curl -s ${url}/big.bin | sha256sum | cut -d' ' -f1`,
    `curl -s -r 1000-1999 ${url}/big.bin | sha256sum | cut -d' ' -f1`,
    `curl -s -o /dev/null -w '%{http_code} %{size_download} %{content_type}\\n' ${url}/missing.txt`,
    `curl -s -o /dev/null -w '%{http_code}\\n' ${url}/empty/`,
    `curl -s -I ${url}/data.json | grep -i -e '^HTTP/' -e '^content-length' -e '^content-type' | tr -d '\\r'`,
    // two requests on one connection: keep-alive works between the guest's processes too
    `curl -s -w '%{num_connects}\\n' ${url}/data.json ${url}/index.html`,
    `kill $(cat ${pidFile}); wait; echo stopped`,
  ].join("\n");
}

describe.skipIf(!haveTools)("nginx and curl in one guest, compared with the same script run natively", () => {
  beforeAll(async () => {
    ensureCore();
    rmSync(work, { recursive: true, force: true });
    stageNginx(stage, 80);
    copyWithLibs(stage, curl);
    copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
    for (const a of ["sh", "sleep", "sha256sum", "cut", "grep", "tr", "cat", "kill"]) symlinkSync("busybox", join(stage, "bin", a));
    await packStage(stage, rootfs);
    mkdirSync(join(native, "tmp"), { recursive: true });
    writeSite(join(native, "www"));
    copyFileSync("/etc/nginx/mime.types", join(native, "mime.types"));
  }, 120_000);

  it("curl reads static files, a range, a 404, a 403, HEAD and keep-alive from nginx in the same guest", async () => {
    const port = await freePort();
    const nat = join(native, "nginx.conf");
    writeFileSync(nat, conf({ root: join(native, "www"), tmp: join(native, "tmp"), port, master: true }));
    const want = runNative({ argv: ["/bin/busybox", "sh", "-c", script(`${nginx} -p ${native} -c ${nat}`, port, join(native, "tmp", "nginx.pid"))], env: ENV }, native);
    const got = runEmulated({ argv: ["/bin/sh", "-c", script(`${nginx} -c /etc/nginx/nginx.conf`, 80, "/tmp/nginx.pid")], env: ENV }, rootfs, "/", join(work, "tmp"));
    expect(want.stdout).toContain("<h1>hello from nginx</h1>");
    expect(want.stdout).toContain("404 ");
    expect(want.stdout.trimEnd().endsWith("stopped")).toBe(true);
    expect(got.stdout).toBe(want.stdout);
    expect(got.status).toBe(want.status);
  }, 180_000);
});
