// Real Debian services inside one guest, compared with the same commands run
// natively: redis-server with redis-cli, Python's http.server with urllib. The
// rootfs is built here from the host's installed files (binaries, their
// libraries, Python's standard library), as the Debian userland corpus does.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { haveHostTools } from "../../lib/testing/host-tools";
import { corePath, emulatorDir, ensureCore, packStage, runEmulated, runNative, rootfsGuestArgs } from "./harness";
import { freePort } from "../../lib/testing/free-port";

const work = join(emulatorDir, "build", "test-services");
const stage = join(work, "stage");
const rootfs = join(work, "rootfs.img");
const hostWork = join(stage, "work");
const haveRedis = haveHostTools({ files: ["/usr/bin/redis-server", "/usr/bin/redis-cli", "/usr/bin/redis-benchmark"] }, "the redis service cases");
const python = "/usr/bin/python3.11";
const havePython = haveHostTools({ files: [python, "/usr/lib/python3.11/http/server.py"] }, "the python service cases");
const haveTools = haveHostTools({ commands: ["ldd", "clang-14"], files: ["/bin/busybox"] }, "the Debian services suite") && (haveRedis || havePython);
const ENV = { PATH: "/usr/bin:/bin", HOME: "/tmp", LC_ALL: "C" };

function copyWithLibs(bin: string): void {
  mkdirSync(join(stage, dirname(bin)), { recursive: true });
  copyFileSync(realpathSync(bin), join(stage, bin));
  const out = execFileSync("ldd", [bin], { encoding: "utf8" });
  for (const m of out.matchAll(/(\/[^ ]+\.so[^ ]*) \(0x/g)) {
    const lib = m[1]!;
    mkdirSync(join(stage, dirname(lib)), { recursive: true });
    if (!existsSync(join(stage, lib))) copyFileSync(realpathSync(lib), join(stage, lib));
  }
}


const PY_SERVE = [
  "import http.server, os, threading, urllib.request, urllib.error",
  "os.chdir('srv')",
  "class Quiet(http.server.SimpleHTTPRequestHandler):",
  "    def log_message(self, *a): pass",
  "srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Quiet)",
  "threading.Thread(target=srv.serve_forever, daemon=True).start()",
  "port = srv.server_address[1]",
  "for name in ['hello.txt', 'data.json', 'missing']:",
  "    try:",
  "        r = urllib.request.urlopen(f'http://127.0.0.1:{port}/{name}')",
  "        print(r.status, r.headers['Content-Type'], r.headers['Content-Length'], r.read().decode().strip())",
  "    except urllib.error.HTTPError as e:",
  "        print('error', e.code)",
  "srv.shutdown()",
  "print('shut down')",
].join("\n");

describe.skipIf(!haveTools)("Debian services in one guest: native vs emulated", () => {
  beforeAll(async () => {
    ensureCore();
    rmSync(work, { recursive: true, force: true });
    for (const d of ["bin", "tmp", "etc", "dev", "proc", "work/srv"]) mkdirSync(join(stage, d), { recursive: true });
    copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
    for (const a of ["sh", "sleep", "seq", "cut"]) symlinkSync("busybox", join(stage, "bin", a));
    for (const f of ["passwd", "group"]) copyFileSync(`/etc/${f}`, join(stage, "etc", f));
    if (haveRedis) for (const b of ["/usr/bin/redis-server", "/usr/bin/redis-cli", "/usr/bin/redis-benchmark"]) copyWithLibs(b);
    writeFileSync(join(hostWork, "srv", "hello.txt"), "hello from http.server\n");
    writeFileSync(join(hostWork, "srv", "data.json"), '{"answer": 42}\n');
    if (havePython) {
      copyWithLibs(python);
      symlinkSync("python3.11", join(stage, "usr", "bin", "python3"));
      // only the modules the program loads (found by running it natively), with their compiled .pyc
      const list = execFileSync(python, ["-S", "-c", `${PY_SERVE}\nimport sys\nprint("\\n".join(sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)})))`], {
        cwd: hostWork,
        encoding: "utf8",
      });
      for (const f of list.split("\n").filter((l) => l.startsWith("/usr/lib/python3.11/"))) {
        mkdirSync(join(stage, dirname(f)), { recursive: true });
        copyFileSync(f, join(stage, f));
        const st = statSync(f);
        utimesSync(join(stage, f), st.atime, st.mtime); // a .pyc is used only while its source keeps the recorded mtime
        const pyc = join(dirname(f), "__pycache__", f.split("/").pop()!.replace(/\.py$/, ".cpython-311.pyc"));
        if (f.endsWith(".py") && existsSync(pyc)) {
          mkdirSync(join(stage, dirname(pyc)), { recursive: true });
          copyFileSync(pyc, join(stage, pyc));
        }
      }
      mkdirSync(join(stage, "usr", "lib", "python3.11", "lib-dynload"), { recursive: true });
      copyFileSync("/usr/lib/python3.11/os.py", join(stage, "usr", "lib", "python3.11", "os.py")); // the landmark Python looks for
    }
    await packStage(stage, rootfs);
  }, 120_000);

  it.skipIf(!haveRedis)("redis-server + redis-cli: set, get, incr, append, keys in one guest", async () => {
    const port = String(await freePort());
    const script = [
      `redis-server --port ${port} --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null 2>&1 &`,
      `i=0; until redis-cli -p ${port} ping >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 300 ] && exit 9; sleep 0.1; done`,
      `c() { redis-cli -p ${port} "$@"; }`,
      "c set greeting hello; c get greeting; c incr counter; c incr counter; c incrby counter 40; c append greeting ' world'; c get greeting; c exists nothing; c dbsize",
      "c shutdown nosave; wait; echo stopped",
    ].join("\n");
    const spec = { argv: ["/bin/sh", "-c", script], env: ENV };
    const native = runNative(spec, hostWork);
    const emu = runEmulated(spec, rootfs, "/work", join(work, "tmp"));
    expect(native.stdout).toBe("OK\nhello\n1\n2\n42\n(integer) 11\nhello world\n0\n2\nstopped\n".replace("(integer) 11", "11"));
    expect(emu.stderr).toBe(native.stderr);
    expect(emu.stdout).toBe(native.stdout);
    expect(emu.status).toBe(native.status);
  }, 120_000);

  it.skipIf(!haveRedis)("redis-benchmark -q -n 2000 against redis-server in one guest (50 clients at once)", async () => {
    const port = String(await freePort());
    // Requests/s differ from run to run, so the comparison is of what the benchmark did: the tests it ran
    // (first CSV column) and what it left in the store (one key per test, 2,000 increments and list entries).
    const script = [
      `redis-server --port ${port} --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null 2>&1 &`,
      `i=0; until redis-cli -p ${port} ping >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 300 ] && exit 9; sleep 0.1; done`,
      `redis-benchmark -p ${port} -q -n 2000 -t set,get,incr,lpush --csv 2>/dev/null | cut -d, -f1`,
      `c() { redis-cli -p ${port} "$@"; }`,
      "c dbsize; c get counter:__rand_int__; c llen mylist; c strlen key:__rand_int__",
      "c shutdown nosave; wait; echo stopped",
    ].join("\n");
    const spec = { argv: ["/bin/sh", "-c", script], env: ENV };
    const native = runNative(spec, hostWork);
    const emu = runEmulated(spec, rootfs, "/work", join(work, "tmp"));
    expect(native.stdout).toBe('"test"\n"SET"\n"GET"\n"INCR"\n"LPUSH"\n3\n2000\n2000\n3\nstopped\n');
    expect(emu.stderr).toBe(native.stderr);
    expect(emu.stdout).toBe(native.stdout);
    expect(emu.status).toBe(native.status);
  }, 180_000);

  it.skipIf(!haveRedis)("the guest's redis-server reached from a host redis-cli through a published port (-p)", async () => {
    const hostPort = await freePort();
    const command = ["/usr/bin/redis-server", "--port", "6379", "--save", "", "--appendonly", "no"];
    const guest = spawn(process.execPath, rootfsGuestArgs({ core: corePath, rootfsDir: work, command, publish: [{ hostAddr: "127.0.0.1", hostPort, guestPort: 6379 }] }), { stdio: "ignore" });
    const exited = new Promise<number | null>((done) => guest.on("close", done));
    const cli = (...a: string[]): string => execFileSync("redis-cli", ["-p", String(hostPort), ...a], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    try {
      let up = false;
      for (let i = 0; i < 600 && !up; i++) {
        try {
          up = cli("ping") === "PONG";
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect(up).toBe(true);
      expect([cli("set", "k", "from the host"), cli("get", "k"), cli("incr", "n"), cli("incr", "n")]).toEqual(["OK", "from the host", "1", "2"]);
      cli("shutdown", "nosave");
      expect(await exited).toBe(0);
    } finally {
      guest.kill("SIGKILL");
    }
  }, 120_000);

  it.skipIf(!havePython)("python3 http.server + urllib.request in one guest (a server thread, GETs, a 404)", () => {
    const spec = { argv: ["/usr/bin/python3", "-S", "-c", PY_SERVE], env: ENV };
    const native = runNative(spec, hostWork);
    const emu = runEmulated(spec, rootfs, "/work", join(work, "tmp"));
    expect(native.stdout).toContain("200 text/plain 23 hello from http.server");
    expect(emu.stderr).toBe(native.stderr);
    expect(emu.stdout).toBe(native.stdout);
    expect(emu.status).toBe(native.status);
  }, 180_000);
});
