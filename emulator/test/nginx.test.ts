// Debian's nginx (nginx-light) inside a compiled image, reached from the host
// through a published port (`-p`), compared with the same nginx run natively on
// the same files. The guest runs nginx as in a container: a master process
// that forks a worker (socketpair channel, FIOASYNC, setuid, epoll, accept4,
// sendfile/writev); the native one answers from a single process, which does
// not change what a client reads. The rootfs is built here from the host's
// installed files, as the other services tests do.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../lib/testing/free-port";
import { haveHostTools } from "../../lib/testing/host-tools";
import { corePath, emulatorDir, ensureCore, packStage, rootfsGuestArgs } from "./harness";
import { big, conf, nginx, stageNginx, writeSite } from "./nginx-site";

const work = join(emulatorDir, "build", "test-nginx");
const stage = join(work, "stage");
const haveTools = haveHostTools({ commands: ["ldd", "clang-14"], files: [nginx, "/etc/nginx/mime.types"] }, "the nginx service suite");

interface Server {
  child: ChildProcess;
  port: number;
  stderr: () => string;
}

function start(argv: string[], port: number): Server {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  return { child, port, stderr: () => err };
}

/** Polls until the server answers (its start time varies with the machine's load). */
async function ready(s: Server): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (s.child.exitCode !== null) throw new Error(`nginx exited ${s.child.exitCode}: ${s.stderr()}`);
    try {
      await fetch(`http://127.0.0.1:${s.port}/index.html`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nginx on ${s.port} never answered: ${s.stderr()}`);
}

interface Answer {
  status: number;
  type: string | null;
  length: string | null;
  range: string | null;
  sha: string;
}

async function get(port: number, path: string, init?: RequestInit): Promise<Answer> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, init);
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, type: r.headers.get("content-type"), length: r.headers.get("content-length"), range: r.headers.get("content-range"), sha: createHash("sha256").update(body).digest("hex") };
}

const REQUESTS: [string, RequestInit?][] = [
  ["/index.html"],
  ["/"],
  ["/data.json"],
  ["/big.bin"],
  ["/big.bin", { headers: { range: "bytes=1000-70999" } }],
  ["/index.html", { method: "HEAD" }],
  ["/missing.txt"],
  ["/empty/"],
];

describe.skipIf(!haveTools)("Debian nginx in a compiled image, reached through a published port", () => {
  let guest: Server;
  let native: Server;

  beforeAll(async () => {
    ensureCore();
    rmSync(work, { recursive: true, force: true });
    stageNginx(stage, 80);
    await packStage(stage, join(work, "rootfs.img"));

    const nat = join(work, "native");
    mkdirSync(join(nat, "tmp"), { recursive: true });
    writeSite(join(nat, "www"));
    copyFileSync("/etc/nginx/mime.types", join(nat, "mime.types"));
    const natPort = await freePort();
    writeFileSync(join(nat, "nginx.conf"), conf({ root: join(nat, "www"), tmp: join(nat, "tmp"), port: natPort, master: false }));
    native = start([nginx, "-e", "stderr", "-p", nat, "-c", join(nat, "nginx.conf")], natPort);

    const hostPort = await freePort();
    const guestArgs = rootfsGuestArgs({ core: corePath, rootfsDir: work, command: [nginx, "-e", "stderr", "-c", "/etc/nginx/nginx.conf"], publish: [{ hostAddr: "127.0.0.1", hostPort, guestPort: 80 }] });
    guest = start([process.execPath, ...guestArgs], hostPort);
    await Promise.all([ready(native), ready(guest)]);
  }, 90_000);

  afterAll(() => {
    guest?.child.kill("SIGKILL");
    native?.child.kill("SIGKILL");
  });

  it("answers static files, a range, HEAD, a 404 and a 403 as native nginx does", async () => {
    for (const [path, init] of REQUESTS) {
      const want = await get(native.port, path, init);
      expect(await get(guest.port, path, init), `${init?.method ?? "GET"} ${path}`).toEqual(want);
    }
    expect((await get(guest.port, "/big.bin")).sha).toBe(createHash("sha256").update(big).digest("hex"));
    expect((await get(guest.port, "/empty/")).status).toBe(403);
  }, 60_000);

  it("serves many parallel clients, each on its own connection, without losing a byte", async () => {
    const sha = createHash("sha256").update(big).digest("hex");
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => get(guest.port, i % 2 ? "/big.bin" : "/data.json", { headers: { connection: "close" } })),
    );
    for (const [i, a] of answers.entries()) {
      expect(a.status).toBe(200);
      if (i % 2) expect(a.sha).toBe(sha);
      else expect(a.length).toBe("15");
    }
    // the master and its worker are still up and the worker logged no error
    expect(guest.child.exitCode).toBe(null);
    expect(guest.stderr()).not.toMatch(/\[(alert|emerg|crit)\]/);
  }, 60_000);
});
