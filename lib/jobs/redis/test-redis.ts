// Tests and the bench: Debian's redis-server on a free loopback port, in a
// temp dir, with a password (no persistence; stopped and removed after).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../testing/free-port";
import { Redis } from "ioredis";

export interface TestRedis {
  port: number;
  password: string;
  /** `redis://:<password>@127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

export const REDIS_SERVER = "/usr/bin/redis-server";

export async function startRedis(): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), "trellis-redis-"));
  const password = randomBytes(12).toString("hex");
  const port = await freePort();
  const child: ChildProcess = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--requirepass", password], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Ready when it answers an authenticated PING (polled: it may start slowly on a loaded machine).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`redis-server exited (${child.exitCode}): ${stderr}`);
    }
    const c = new Redis({ port, password, lazyConnect: true, connectTimeout: 2000, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    c.on("error", () => undefined); // not up yet: the loop tries again
    try {
      await c.connect();
      if ((await c.ping()) === "PONG") break;
    } catch {
      // not up yet
    } finally {
      c.disconnect();
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("redis-server did not answer within 60 s");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, password, url: `redis://:${password}@127.0.0.1:${port}`, stop };
}
