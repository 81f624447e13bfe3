// Published ports and allowed peers through the host network interface
// (lib/image/HOST-NET.md): a guest service built here (gcc -static) runs in the
// core under lib/compile/host-net-runner.mjs; the test is its host-side client.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPublishes, parseAllow, parsePublish, type Allow, type Publish } from "../../lib/compile/host-net";
import { haveHostTools } from "../../lib/testing/host-tools";
import { corePath, emulatorDir, ensureCore, packStage, rootfsGuestArgs } from "./harness";
import { freePort } from "../../lib/testing/free-port";

const work = join(emulatorDir, "build", "test-hostnet");
const rootfs = join(work, "rootfs.img");
const haveTools = haveHostTools({ commands: ["gcc", "clang-14"] }, "the published-ports suite");


interface Guest {
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startGuest(args: string[], publish: Publish[], allow: Allow[], trace = "0"): Guest {
  const child = spawn(process.execPath, rootfsGuestArgs({ core: corePath, rootfsDir: work, command: ["/server", ...args], publish, allow, env: { TRELLIS_TRACE: trace } }), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return {
    stdout: () => out,
    stderr: () => err,
    exited: new Promise((done) => child.on("close", (code) => (clearTimeout(timer), done(code)))),
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

function request(port: number, line: string): Promise<string> {
  return new Promise((done, fail) => {
    const s = net.connect({ host: "127.0.0.1", port });
    let got = "";
    s.on("connect", () => s.write(`${line}\n`));
    s.on("data", (b) => (got += b.toString()));
    s.on("end", () => done(got));
    s.on("error", fail);
  });
}

describe("host network options", () => {
  it("parses -p like docker run and --allow HOST:PORT, with typed errors", () => {
    expect(parsePublish("8080:80")).toEqual({ hostAddr: "127.0.0.1", hostPort: 8080, guestPort: 80 });
    expect(parsePublish("0.0.0.0:5000:5000/tcp")).toEqual({ hostAddr: "0.0.0.0", hostPort: 5000, guestPort: 5000 });
    expect(parsePublish("80")).toMatchObject({ kind: "bad-publish" });
    expect(parsePublish("8080:99999")).toMatchObject({ kind: "bad-publish" });
    expect(parsePublish("host:1:2")).toMatchObject({ kind: "bad-publish" });
    expect(parseAllow("127.0.0.1:6379")).toEqual({ host: "127.0.0.1", port: 6379 });
    expect(parseAllow("example.com:80")).toMatchObject({ kind: "bad-allow" });
    expect(checkPublishes([parsePublish("8080:80") as Publish, parsePublish("8080:81") as Publish])).toMatchObject({ kind: "duplicate-publish" });
    expect(checkPublishes([parsePublish("8080:80") as Publish, parsePublish("8081:81") as Publish])).toBeNull();
  });
});

describe.skipIf(!haveTools)("published ports (trellis run -p) and allowed peers", () => {
  let hostSvc: net.Server;
  let hostSvcPort = 0;
  beforeAll(async () => {
    ensureCore();
    rmSync(work, { recursive: true, force: true });
    const stage = join(work, "stage");
    mkdirSync(join(stage, "tmp"), { recursive: true });
    execFileSync("gcc", ["-static", "-O2", "-o", join(stage, "server"), join(emulatorDir, "test", "hostnet", "server.c")]);
    await packStage(stage, rootfs);
    hostSvc = net.createServer((s) => s.end("hi from the host\n"));
    await new Promise<void>((r) => hostSvc.listen(0, "127.0.0.1", () => r()));
    hostSvcPort = (hostSvc.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => hostSvc.close(() => r())));

  it("serves parallel host clients on a published port; reaches an allowed host peer; refuses others with a trace line", async () => {
    const port = await freePort();
    const g = startGuest(["6", String(hostSvcPort)], [{ hostAddr: "127.0.0.1", hostPort: port, guestPort: 80 }], [{ host: "127.0.0.1", port: hostSvcPort }], "1");
    await until(() => g.stdout().includes("listening"), "the guest to listen");
    const replies = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => request(port, `request ${i}`)));
    expect(replies.sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `echo request ${i} (hi from the host) from 127.0.0.1\n`));
    expect(await g.exited).toBe(0);
    expect(g.stdout()).toBe("host peer says: hi from the host\nnot allowed peer: -1 Network is unreachable\nlistening\nserved 6\n");
    expect(g.stderr()).toMatch(/connection to 192\.0\.2\.1 port 80 refused: not allowed for this run/);
  }, 90_000);

  it("trellis run: -p after the file (and -p repeated) publishes, ARGS after -- reach the module", async () => {
    const [port, other] = [await freePort(), await freePort()];
    const bin = join(emulatorDir, "..", "bin", "trellis.mjs");
    const child = spawn(process.execPath, [bin, "run", corePath, "--dir", `${work}=/rootfs`, "-p", `${port}:80`, "-p", `${other}:8080`, "--", "--rootfs", "/rootfs/rootfs.img", "--", "/server", "2"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((done) => child.on("close", done));
    await until(() => out.includes("listening"), "the guest to listen");
    expect(await request(port, "a")).toBe("echo a (no host) from 127.0.0.1\n");
    expect(await request(port, "b")).toBe("echo b (no host) from 127.0.0.1\n");
    expect(await exited).toBe(0);
    expect(out).toBe("listening\nserved 2\n");
  }, 90_000);

  it("many host clients at once, and one that reads only late: back-pressure, nothing lost, no host crash", async () => {
    const port = await freePort();
    const g = startGuest(["25"], [{ hostAddr: "127.0.0.1", hostPort: port, guestPort: 80 }], []);
    await until(() => g.stdout().includes("listening"), "the guest to listen");
    const late = new Promise<number>((done, fail) => {
      const s = net.connect({ host: "127.0.0.1", port });
      let n = 0, ok = true;
      s.on("connect", () => {
        s.write("big\n");
        s.pause(); // read nothing for a while: the guest's writes must wait
        setTimeout(() => s.resume(), 1500);
      });
      s.on("data", (b: Buffer) => {
        for (let i = 0; i < b.length; i++) if (b[i] !== 97 + (Math.floor((n + i) / 65536) % 26)) ok = false;
        n += b.length;
      });
      s.on("end", () => done(ok ? n : -1));
      s.on("error", fail);
    });
    const replies = await Promise.all(Array.from({ length: 24 }, (_, i) => request(port, `flood ${i}`)));
    expect(replies.filter((r, i) => r === `echo flood ${i} (no host) from 127.0.0.1\n`)).toHaveLength(24);
    expect(await late).toBe(4 << 20);
    expect(await g.exited).toBe(0);
    expect(g.stdout()).toBe("listening\nserved 25\n");
  }, 120_000);

  it("a host port already in use: the run says so and the guest's listen gets EADDRINUSE", async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const g = startGuest(["1"], [{ hostAddr: "127.0.0.1", hostPort: port, guestPort: 80 }], []);
      expect(await g.exited).toBe(1);
      expect(g.stdout()).toBe("listen: Address already in use\n");
      expect(g.stderr()).toContain(`cannot publish guest port 80 on 127.0.0.1:${port}: the host port is already in use`);
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  }, 60_000);

  it("a guest port that is not published stays in the guest: nothing can reach it, and the core reports the deadlock", async () => {
    const port = await freePort();
    const g = startGuest(["1"], [{ hostAddr: "127.0.0.1", hostPort: port, guestPort: 81 }], []);
    expect(await g.exited).toBe(125);
    expect(g.stdout()).toBe("listening\n");
    expect(g.stderr()).toContain("all guest processes are blocked (deadlock)");
    await expect(request(port, "x")).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);
});
