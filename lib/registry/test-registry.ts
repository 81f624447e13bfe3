// A real registry for tests and the bench: Debian's docker-registry
// (distribution 2.8) on a free loopback port, temp storage, htpasswd auth, and
// skopeo to seed it. Stopped (and its directory removed) by stop().

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  user: string;
  password: string;
  dir: string;
  /** skopeo copy <source> docker://host/<dest> (e.g. `docker-archive:/x.tar`, `oci-archive:/x.tar`). */
  seed(source: string, dest: string, opts?: { all?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

import { freePort } from "../testing/free-port";

export { freePort };

export async function startRegistry(o: { user?: string; password?: string } = {}): Promise<TestRegistry> {
  const user = o.user ?? "trellis";
  const password = o.password ?? "s3cret-" + Math.random().toString(36).slice(2);
  const dir = await mkdtemp(join(tmpdir(), "trellis-registry-"));
  await run("htpasswd", ["-Bbc", join(dir, "htpasswd"), user, password]);
  let child: ChildProcess | undefined;
  let host = "";
  // A port taken between freePort() and the registry's bind: try another.
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    await writeFile(
      join(dir, "config.yml"),
      [
        "version: 0.1",
        "log:",
        "  level: error",
        "  accesslog:",
        "    disabled: true",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${join(dir, "data")}`,
        "  delete:",
        "    enabled: true",
        "http:",
        `  addr: ${host}`,
        "  secret: trellis-test",
        "auth:",
        "  htpasswd:",
        "    realm: trellis-test",
        `    path: ${join(dir, "htpasswd")}`,
        "",
      ].join("\n"),
    );
    const c = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    c.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const up = await waitUp(host, c);
    if (up) child = c;
    else {
      c.kill("SIGKILL");
      if (attempt === 2) throw new Error(`docker-registry did not start: ${stderr.slice(0, 500)}`);
    }
  }
  const proc = child!;
  return {
    host,
    user,
    password,
    dir,
    async seed(source, dest, opts = {}) {
      await run("skopeo", ["copy", "--quiet", ...(opts.all ? ["--all"] : []), "--dest-tls-verify=false", "--dest-creds", `${user}:${password}`, source, `docker://${host}/${dest}`], { timeout: 60_000 });
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGTERM");
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUp(host: string, c: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (c.exitCode !== null) return false;
    try {
      const r = await fetch(`http://${host}/v2/`);
      await r.body?.cancel();
      if (r.status === 401 || r.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
