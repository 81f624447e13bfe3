// A compiled container's guest as an HTTP client of a wired peer: N GETs on
// one keep-alive connection (emulator/test/http-guests/client.c `loop`),
// inside the wasi:http component, each going out through its
// wasi:http/outgoing-handler import to a handler in memory (as a run's
// in-process wire serves it), against the same client run natively to a
// loopback Node server answering the same bytes. The guest times its own loop
// (clock_gettime in the guest), so the component's start is not counted.
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as shim from "@bytecodealliance/preview2-shim";
import { packStage } from "../emulator/test/harness";
import { buildHttpComponent } from "../lib/compile/http-component";
import { loadHandler } from "../lib/run/wasi-http-call";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = join(root, "emulator", "build", "bench-outgoing");
const REQUESTS = Number(process.env.BENCH_OUTGOING_REQUESTS ?? 2000);
const BODY = Buffer.from("hello from the peer\n");

const perSecond = (line: string): number => {
  const m = /^loop (\d+)\/(\d+) ok in (\d+) us/.exec(line);
  if (!m || m[1] !== m[2]) throw new Error(`the client said: ${line.trim()}`);
  return Number(m[2]) / (Number(m[3]) / 1e6);
};

export async function runOutgoingBench(): Promise<string[]> {
  rmSync(work, { recursive: true, force: true });
  const stage = join(work, "stage");
  mkdirSync(join(stage, "bin"), { recursive: true });
  const client = join(stage, "bin", "client");
  execFileSync("gcc", ["-static", "-O2", "-o", client, join(root, "emulator", "test", "http-guests", "client.c")], { stdio: "pipe" });
  copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
  await packStage(stage, join(work, "rootfs.img"));
  const built = await buildHttpComponent({ rootfs: readFileSync(join(work, "rootfs.img")), cfg: { entrypoint: ["/bin/client"], cmd: [], env: [] }, httpPort: 8080 });
  if (!built.ok) throw new Error(built.error.message);
  (shim.cli as unknown as { _setEnv(e: Record<string, string>): void })._setEnv({ TRELLIS_HTTP_PEERS: "api" });
  let calls = 0;
  const call = await loadHandler(built.value, join(work, "cache"), () => {
    calls++;
    return { status: 200, headers: [["content-type", "text/plain"]], body: BODY };
  });
  const text = (path: string) => {
    const r = call({ path });
    if ("error" in r) throw new Error(`the component set ${r.error.tag}`);
    return r.body.toString();
  };
  text(`/loop?api&80&${REQUESTS}`); // warm-up: V8 tiers the core up
  calls = 0;
  const guest = perSecond(text(`/loop?api&80&${REQUESTS}`));
  if (calls !== REQUESTS) throw new Error(`${calls} requests reached the import, not ${REQUESTS}`);

  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "content-length": BODY.length });
    res.end(BODY);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const port = String((server.address() as AddressInfo).port);
    await promisify(execFile)(client, ["loop", "127.0.0.1", port, String(REQUESTS)]);
    const native = perSecond((await promisify(execFile)(client, ["loop", "127.0.0.1", port, String(REQUESTS)])).stdout);
    return [
      `  ${REQUESTS} GETs on one keep-alive connection (glibc client, ${BODY.length}-byte answers), timed inside the client, after one warm-up loop`,
      `  guest client through wasi:http/outgoing-handler (served in memory): ${guest.toFixed(0)} req/s; native client to a loopback Node server: ${native.toFixed(0)} req/s; ratio ${(native / guest).toFixed(1)}x`,
    ];
  } finally {
    server.close();
    (shim.cli as unknown as { _setEnv(e: Record<string, string>): void })._setEnv({});
  }
}
