// Debian's nginx (nginx-light) in a compiled container's wasi:http component
// (lib/compile/http-component.ts): each request goes through the component's
// incoming-handler export into a new in-guest connection to nginx's port 80,
// and comes back as a wasi:http response. Compared with the same nginx run
// natively on the same files. Both add the connection's serial number and the
// worker's pid, so the component's answers show one guest kept running.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildHttpComponent } from "../../lib/compile/http-component";
import { freePort } from "../../lib/testing/free-port";
import { haveHostTools } from "../../lib/testing/host-tools";
import { loadHandler, type CallOutcome, type CallRequest } from "../../lib/run/wasi-http-call";
import { emulatorDir, ensureCore, packStage } from "./harness";
import { big, conf, nginx, stageNginx, writeSite } from "./nginx-site";

const work = join(emulatorDir, "build", "test-nginx-http");
const haveTools = haveHostTools({ commands: ["ldd", "clang-14"], files: [nginx, "/etc/nginx/mime.types"] }, "the nginx wasi:http component suite");

/** The server block of nginx-site's config, with the connection serial and worker pid on every 2xx answer. */
const withState = (c: string) => c.replace(/root ([^;]+);/, "root $1; add_header X-Conn $connection; add_header X-Pid $pid;");

interface Answer {
  status: number;
  type: string | undefined;
  length: string | undefined;
  range: string | undefined;
  sha: string;
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

const REQUESTS: CallRequest[] = [
  { path: "/index.html" },
  { path: "/" },
  { path: "/data.json" },
  { path: "/big.bin" },
  { path: "/big.bin", headers: [["range", "bytes=1000-70999"]] },
  { method: "HEAD", path: "/index.html" },
  { path: "/missing.txt" },
  { path: "/empty/" },
  { method: "POST", path: "/data.json", body: "a=1" },
];

describe.skipIf(!haveTools)("Debian nginx in a compiled container's wasi:http component", () => {
  let native: ChildProcess;
  let nativePort: number;
  let nativeErr = "";
  let call: (r: CallRequest) => CallOutcome;

  beforeAll(async () => {
    ensureCore();
    rmSync(work, { recursive: true, force: true });
    const stage = join(work, "stage");
    stageNginx(stage, 80);
    writeFileSync(join(stage, "etc/nginx/nginx.conf"), withState(readFileSync(join(stage, "etc/nginx/nginx.conf"), "utf8")));
    await packStage(stage, join(work, "rootfs.img"));
    const built = await buildHttpComponent({
      rootfs: readFileSync(join(work, "rootfs.img")),
      cfg: { entrypoint: [nginx, "-e", "stderr"], cmd: ["-c", "/etc/nginx/nginx.conf"], env: [] },
      httpPort: 80,
    });
    if (!built.ok) throw new Error(built.error.message);

    const nat = join(work, "native");
    mkdirSync(join(nat, "tmp"), { recursive: true });
    writeSite(join(nat, "www"));
    copyFileSync("/etc/nginx/mime.types", join(nat, "mime.types"));
    nativePort = await freePort();
    writeFileSync(join(nat, "nginx.conf"), withState(conf({ root: join(nat, "www"), tmp: join(nat, "tmp"), port: nativePort, master: false })));
    native = spawn(nginx, ["-e", "stderr", "-p", nat, "-c", join(nat, "nginx.conf")], { stdio: ["ignore", "ignore", "pipe"] });
    native.stderr!.on("data", (b: Buffer) => (nativeErr += b.toString()));
    call = await loadHandler(built.value, join(work, "cache"));
    for (let i = 0; ; i++) {
      if (native.exitCode !== null) throw new Error(`native nginx exited ${native.exitCode}: ${nativeErr}`);
      if (await fetch(`http://127.0.0.1:${nativePort}/index.html`).then(() => true, () => false)) break;
      if (i > 1200) throw new Error(`native nginx never answered: ${nativeErr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 300_000);

  afterAll(() => {
    native?.kill("SIGKILL");
  });

  async function viaNative(r: CallRequest): Promise<Answer> {
    const res = await fetch(`http://127.0.0.1:${nativePort}${r.path}`, { method: r.method ?? "GET", headers: r.headers ?? [], ...(r.body !== undefined ? { body: Buffer.from(r.body) } : {}) });
    const body = Buffer.from(await res.arrayBuffer());
    const h = (k: string) => res.headers.get(k) ?? undefined;
    return { status: res.status, type: h("content-type"), length: h("content-length"), range: h("content-range"), sha: sha(body) };
  }

  function viaComponent(r: CallRequest): Answer & { conn?: number; pid?: string } {
    const o = call(r);
    if ("error" in o) throw new Error(`${r.method ?? "GET"} ${r.path}: the component answered error ${o.error.tag}`);
    const h = (k: string) => o.headers.find(([n]) => n === k)?.[1];
    const conn = h("x-conn");
    return { status: o.status, type: h("content-type"), length: h("content-length"), range: h("content-range"), sha: sha(o.body), ...(conn ? { conn: Number(conn), pid: h("x-pid") } : {}) };
  }

  it("answers static files, a range, HEAD, a 404, a 403 and a POST as native nginx does", async () => {
    for (const r of REQUESTS) {
      const want = await viaNative(r);
      const { conn: _c, pid: _p, ...got } = viaComponent(r);
      expect(got, `${r.method ?? "GET"} ${r.path}`).toEqual(want);
    }
    expect(viaComponent({ path: "/big.bin" }).sha).toBe(sha(big));
  }, 60_000);

  it("keeps one guest between requests: one nginx worker, one new connection per request", () => {
    const seen = Array.from({ length: 4 }, () => viaComponent({ path: "/data.json" }));
    expect(new Set(seen.map((a) => a.pid)).size).toBe(1);
    const conns = seen.map((a) => a.conn!);
    expect(conns.every((c, i) => i === 0 || c === conns[i - 1]! + 1)).toBe(true);
    expect(seen[0]!.pid).toMatch(/^\d+$/);
  });
});
