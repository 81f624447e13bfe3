// Debian's nginx serving a small static file: native on loopback, inside the
// x86-64 core reached through `-p` (lib/image/HOST-NET.md), and as a compiled
// container's wasi:http/incoming-handler, two ways: the run's host-side
// adapter forwarding each request to the guest's published port
// (lib/run/http-service.ts), and the container's wasi:http component
// (lib/compile/http-component.ts: the core inside the component, one new
// in-guest connection per request), called through jco as the run engine
// calls it. ab from Debian's apache2-utils drives native and -p with the same
// parameters; the wasi:http paths are driven one request at a time, as the
// run engine calls a handler, and compared with native ab at one connection
// (keep-alive, and a new connection per request as the component makes).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { conf, nginx, stageNginx, writeSite } from "../emulator/test/nginx-site";
import { buildHttpComponent } from "../lib/compile/http-component";
import { buildArtifactBytes } from "../lib/compile/native-artifact";
import { rootfsGuestArgs } from "../emulator/test/harness";
import { packDirectory } from "../lib/image/packed-rootfs";
import { HttpService } from "../lib/run/http-service";
import { effectiveLimits } from "../lib/run/run";
import { freePort } from "../lib/testing/free-port";
import { loadHandler } from "../lib/run/wasi-http-call";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = join(root, "emulator", "build", "bench-nginx");
const core = join(root, "emulator", "build", "trellis-x86.wasm");
const REQUESTS = Number(process.env.BENCH_NGINX_REQUESTS ?? 1000);
const CLIENTS = Number(process.env.BENCH_NGINX_CLIENTS ?? 10);
/** Requests before the one-at-a-time paths are timed: V8 tiers the core's hot functions up meanwhile (20 left the component's core half-optimized). */
const WARMUP = Number(process.env.BENCH_NGINX_WARMUP ?? 300);

async function ready(port: number): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/index.html`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx on port ${port} did not answer`);
}

function ab(port: number, clients: number, keepAlive = true): number {
  const out = execFileSync("ab", ["-q", ...(keepAlive ? ["-k"] : []), "-n", String(REQUESTS), "-c", String(clients), `http://127.0.0.1:${port}/index.html`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const failed = Number(/Failed requests:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  if (failed !== 0 || non2xx !== 0) throw new Error(`ab saw ${failed} failed and ${non2xx} non-2xx requests on port ${port}`);
  return Number(/Requests per second:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
}

export async function runNginxBench(): Promise<string[]> {
  execFileSync("sh", ["-c", "command -v ab"]);
  rmSync(work, { recursive: true, force: true });
  const stage = join(work, "stage");
  stageNginx(stage, 80);
  const packed = await packDirectory(stage, join(work, "rootfs.img"));
  if (!packed.ok) throw new Error(packed.error.message);
  const nat = join(work, "native");
  mkdirSync(join(nat, "tmp"), { recursive: true });
  writeSite(join(nat, "www"));
  copyFileSync("/etc/nginx/mime.types", join(nat, "mime.types"));

  const [nativePort, hostPort] = [await freePort(), await freePort()];
  writeFileSync(join(nat, "nginx.conf"), conf({ root: join(nat, "www"), tmp: join(nat, "tmp"), port: nativePort, master: false }));
  const procs: ChildProcess[] = [];
  let service: HttpService | undefined;
  try {
    procs.push(spawn(nginx, ["-e", "stderr", "-p", nat, "-c", join(nat, "nginx.conf")], { stdio: "ignore" }));
    const started = Date.now();
    const guestArgs = rootfsGuestArgs({ core, rootfsDir: work, command: [nginx, "-e", "stderr", "-c", "/etc/nginx/nginx.conf"], publish: [{ hostAddr: "127.0.0.1", hostPort, guestPort: 80 }] });
    procs.push(spawn(process.execPath, guestArgs, { stdio: "ignore" }));
    await ready(nativePort);
    await ready(hostPort);
    const startup = (Date.now() - started) / 1000;
    const native = ab(nativePort, CLIENTS);
    const published = ab(hostPort, CLIENTS);
    const native1 = ab(nativePort, 1);
    const native1Close = ab(nativePort, 1, false);

    // the wasi:http path: the compiled artifact (core + embedded rootfs) behind the run's adapter
    const art = buildArtifactBytes(new Uint8Array(readFileSync(core)), new Uint8Array(readFileSync(join(work, "rootfs.img"))), { entrypoint: [nginx, "-e", "stderr"], cmd: ["-c", "/etc/nginx/nginx.conf"], env: [] });
    if (!art.ok) throw new Error(art.error.message);
    writeFileSync(join(work, "artifact.wasm"), art.value);
    const limits = effectiveLimits({ timeMs: 60_000 });
    service = await HttpService.start({ id: "web", name: "nginx", file: join(work, "artifact.wasm"), guestPort: 80 }, limits, Date.now() + 60_000);
    const req = { method: "GET", path: "/index.html", authority: "localhost", headers: [] as Array<[string, string]>, body: new Uint8Array(0) };
    for (let i = 0; i < WARMUP; i++) service.send(req);
    const t0 = performance.now();
    for (let i = 0; i < REQUESTS; i++) if (service.send(req).status !== 200) throw new Error("the wasi:http path answered non-200");
    const handler = REQUESTS / ((performance.now() - t0) / 1000);
    await service.close();
    service = undefined;

    // the wasi:http component: built as the compile job builds it, called through jco
    const c0 = performance.now();
    const comp = await buildHttpComponent({ rootfs: readFileSync(join(work, "rootfs.img")), cfg: { entrypoint: [nginx, "-e", "stderr"], cmd: ["-c", "/etc/nginx/nginx.conf"], env: [] }, httpPort: 80 });
    if (!comp.ok) throw new Error(comp.error.message);
    const buildS = (performance.now() - c0) / 1000;
    const l0 = performance.now();
    const call = await loadHandler(comp.value, join(work, "cache"));
    const first = call({ path: "/index.html" });
    const firstS = (performance.now() - l0) / 1000;
    if ("error" in first || first.status !== 200) throw new Error(`the component answered ${"error" in first ? first.error.tag : first.status}`);
    for (let i = 0; i < WARMUP; i++) call({ path: "/index.html" });
    const t1 = performance.now();
    for (let i = 0; i < REQUESTS; i++) {
      const r = call({ path: "/index.html" });
      if ("error" in r || r.status !== 200) throw new Error("the wasi:http component answered non-200");
    }
    const component = REQUESTS / ((performance.now() - t1) / 1000);
    return [
      `  ab -k -n ${REQUESTS} -c ${CLIENTS} GET /index.html (26 bytes; ${CLIENTS} keep-alive connections held at once); guest nginx = master + 1 worker; the wasi:http paths timed after ${WARMUP} warm-up requests`,
      `  guest nginx answering through -p after ${startup.toFixed(1)} s`,
      `  through -p: native ${native.toFixed(0)} req/s, emulated ${published.toFixed(0)} req/s, ratio ${(native / published).toFixed(1)}x`,
      `  as wasi:http/incoming-handler through the run's adapter (one request at a time, keep-alive to the published port): ${handler.toFixed(0)} req/s vs native ab -k -c 1 ${native1.toFixed(0)} req/s, ratio ${(native1 / handler).toFixed(1)}x`,
      `  as the wasi:http component (one request at a time, a new in-guest connection each): ${component.toFixed(0)} req/s vs native ab -k -c 1 ${native1.toFixed(0)} req/s (ratio ${(native1 / component).toFixed(1)}x) and native ab -c 1 without keep-alive ${native1Close.toFixed(0)} req/s (ratio ${(native1Close / component).toFixed(1)}x); component ${(comp.value.length / 2 ** 20).toFixed(1)} MiB built in ${buildS.toFixed(1)} s, first answer (transpile + instantiate + nginx start) after ${firstS.toFixed(1)} s`,
    ];
  } finally {
    await service?.close();
    for (const p of procs) p.kill("SIGKILL");
  }
}
