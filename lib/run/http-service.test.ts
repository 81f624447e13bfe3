// A compiled container behind the HTTP ingress: the design's compiled node
// exports wasi:http/incoming-handler (its port 80 is marked HTTP), the run
// starts the guest once and forwards each request to Debian's nginx listening
// inside it. The artifact is built here as the compile pipeline builds one: the
// x86-64 core, a rootfs packed from the host's nginx, and the image's run config.
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildArtifactBytes, type RunConfig } from "../compile/native-artifact";
import { derivePorts } from "../graph/ops";
import type { Topology, TopologyNode } from "../graph/types";
import { ok } from "../result";
import { hostNetChildArgs } from "../compile/host-net";
import { freePort } from "../testing/free-port";
import { haveHostTools } from "../testing/host-tools";
import { corePath, emulatorDir, ensureCore, packStage } from "../../emulator/test/harness";
import { nginx, stageNginx } from "../../emulator/test/nginx-site";
import { compareModes } from "./compare";
import { planRun } from "./plan";
import { outputText, runDesign } from "./run";
import { type ComponentResolver } from "./resolve";
import { httpIngressNode, wire } from "./sample-designs";

const work = join(emulatorDir, "build", "test-run-http-service");
const haveTools = haveHostTools({ commands: ["ldd", "clang-14"], files: [nginx, "/etc/nginx/mime.types"] }, "the compiled-container HTTP service suite");
const HANDLER = "wasi:http/incoming-handler@0.2.0";

function compiledNode(http: boolean): TopologyNode {
  const config = { env: [], replicas: 1, exposedPorts: [{ port: 80, protocol: "tcp" as const, ...(http ? { http: true } : {}) }], compile: { jobId: "job-nginx" } };
  return { id: "web", kind: "compiled", name: "nginx", position: { x: 0, y: 0 }, ports: derivePorts("compiled", config, []), config };
}

const design = (): Topology => ({ nodes: [httpIngressNode("ingress"), compiledNode(true)], links: [wire("web", "ingress", HANDLER)] });

interface Response {
  status: number;
  headers: Array<[string, string]>;
}

describe("a compiled container's HTTP port as a wasi:http/incoming-handler export", () => {
  it("is an export port only when the port is marked HTTP, and the plan serves it from the guest", () => {
    expect(compiledNode(false).ports.some((p) => p.kind === "wit" && p.interface === HANDLER)).toBe(false);
    expect(compiledNode(true).ports).toContainEqual({ id: "exp:wasi:http/incoming-handler", kind: "wit", direction: "export", interface: HANDLER });
    const plan = planRun(design());
    expect(plan.ok && plan.value.entry).toEqual({ nodeId: "web", interface: HANDLER, entryInterface: "wasi:http/incoming-handler" });
    expect(plan.ok && plan.value.services).toEqual([{ nodeId: "web", guestPort: 80 }]);
    // unmarked, the same container is a stdin → stdout stage as before
    const stage = planRun({ nodes: [compiledNode(false)], links: [] });
    expect(stage.ok && { commands: stage.value.commands, services: stage.value.services }).toEqual({ commands: ["web"], services: [] });
  });
});

describe.skipIf(!haveTools)("Debian nginx in a compiled container behind the HTTP ingress", () => {
  let artifact: Uint8Array;
  const resolve =
    (bytes: () => Uint8Array): ComponentResolver =>
    () =>
      ok(bytes());

  beforeAll(async () => {
    ensureCore();
    rmSync(work, { recursive: true, force: true });
    stageNginx(join(work, "stage"), 80);
    await packStage(join(work, "stage"), join(work, "rootfs.img"));
    const cfg: RunConfig = { entrypoint: [nginx, "-e", "stderr"], cmd: ["-c", "/etc/nginx/nginx.conf"], env: ["PATH=/usr/sbin:/usr/bin:/bin"] };
    const built = buildArtifactBytes(new Uint8Array(readFileSync(corePath)), new Uint8Array(readFileSync(join(work, "rootfs.img"))), cfg);
    if (!built.ok) throw new Error(built.error.message);
    artifact = built.value;
  }, 300_000); // stages nginx and builds its artifact: minutes on a loaded 2-core machine

  it("answers a GET from the guest's nginx (in-process)", async () => {
    const r = await runDesign({ topology: design(), input: { text: "" }, mode: "in-process", request: { method: "GET", path: "/data.json", headers: [["accept", "*/*"]] }, limits: { timeMs: 60_000 } }, { resolve: resolve(() => artifact), cacheDir: join(work, "cache") });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(outputText(r)).toBe('{"answer": 42}\n');
    const out = r.output as unknown as Response;
    expect(out.status).toBe(200);
    expect(out.headers).toContainEqual(["content-type", "application/json"]);
    expect(out.headers.find(([k]) => k === "server")?.[1]).toMatch(/^nginx\//);
    expect(r.nodes.web?.calls).toBe(1);
    expect(r.events.some((e) => e.type === "node-ready" && e.nodeId === "web")).toBe(true);
    // this run resolves artifacts itself, so the service answers through its published port, and the run says so
    expect(r.events[0]).toMatchObject({ type: "started", http: [{ nodeId: "web", port: 80, via: "published-port" }] });
  }, 90_000);

  it("passes the guest's 404 through as the response, not a run failure (network mode: the service in its own process)", async () => {
    const r = await runDesign({ topology: design(), input: { text: "" }, mode: "network", request: { method: "GET", path: "/missing.txt" }, limits: { timeMs: 60_000 } }, { resolve: resolve(() => artifact), cacheDir: join(work, "cache") });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect((r.output as unknown as Response).status).toBe(404);
    expect(outputText(r)).toContain("404 Not Found");
    expect(r.nodes.web?.calls).toBe(1);
  }, 90_000);

  it("serves many requests from one guest start (compareModes drives the same entry repeatedly)", async () => {
    const c = await compareModes({ topology: design(), input: { text: "" }, requests: 4, warmup: 1, request: { method: "GET", path: "/index.html" } }, { resolve: resolve(() => artifact), cacheDir: join(work, "cache") });
    if (!c.ok) throw new Error(c.error.message);
    expect(c.value.inProcess.requests).toBe(4);
    expect(c.value.network.requests).toBe(4);
  }, 120_000);

  it("a guest started for a run ends when the run's process goes (its stdin is the lifeline)", async () => {
    const file = join(work, "artifact.wasm");
    writeFileSync(file, artifact);
    const hostPort = await freePort();
    const cfg = { file, args: ["artifact.wasm"], env: {}, preopens: {}, publish: [{ hostAddr: "127.0.0.1", hostPort, guestPort: 80 }], allow: [], exitWithStdin: true };
    const child = spawn(process.execPath, hostNetChildArgs(cfg), { stdio: ["pipe", "ignore", "ignore"] });
    const exited = new Promise<number | null>((done) => child.on("exit", done));
    try {
      let up = false;
      for (let i = 0; i < 1200 && !up; i++) {
        up = await fetch(`http://127.0.0.1:${hostPort}/index.html`).then((r) => r.ok, () => false);
        if (!up) await new Promise((r) => setTimeout(r, 50));
      }
      expect(up).toBe(true);
      child.stdin!.end();
      expect(await exited).toBe(137);
    } finally {
      child.kill("SIGKILL");
    }
  }, 90_000);

  it("reports a guest that exits without listening as a crash with its stderr", async () => {
    const cfg: RunConfig = { entrypoint: [nginx, "-e", "stderr"], cmd: ["-c", "/etc/nginx/absent.conf"], env: [] };
    const built = buildArtifactBytes(new Uint8Array(readFileSync(corePath)), new Uint8Array(readFileSync(join(work, "rootfs.img"))), cfg);
    if (!built.ok) throw new Error(built.error.message);
    const r = await runDesign({ topology: design(), input: { text: "" }, mode: "in-process", request: { method: "GET", path: "/" }, limits: { timeMs: 60_000 } }, { resolve: resolve(() => built.value), cacheDir: join(work, "cache") });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe("crashed");
    expect(r.error?.message).toMatch(/exited \(code 1\) before listening on port 80/);
    expect(r.error?.message).toContain("absent.conf");
  }, 90_000);
});
