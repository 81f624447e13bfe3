// A compiled nginx behind the HTTP ingress, served by its wasi:http component
// (lib/compile/http-component.ts) instead of the guest behind a published
// port: the run transpiles the component with jco and calls its
// incoming-handler export like any component's, in both run modes.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildHttpComponent } from "../compile/http-component";
import type { RunConfig } from "../compile/native-artifact";
import { derivePorts } from "../graph/ops";
import type { Topology, TopologyNode } from "../graph/types";
import { err } from "../result";
import { haveHostTools } from "../testing/host-tools";
import { emulatorDir, ensureCore, packStage } from "../../emulator/test/harness";
import { nginx, stageNginx } from "../../emulator/test/nginx-site";
import { compareModes } from "./compare";
import { outputText, runDesign } from "./run";
import { type ComponentResolver } from "./resolve";
import { httpIngressNode, wire } from "./sample-designs";

const work = join(emulatorDir, "build", "test-run-http-component");
const haveTools = haveHostTools({ commands: ["ldd", "clang-14"], files: [nginx, "/etc/nginx/mime.types"] }, "the compiled-container wasi:http component run suite");
const HANDLER = "wasi:http/incoming-handler@0.2.0";

function compiledNode(): TopologyNode {
  const config = { env: [], replicas: 1, exposedPorts: [{ port: 80, protocol: "tcp" as const, http: true }], compile: { jobId: "job-nginx" } };
  return { id: "web", kind: "compiled", name: "nginx", position: { x: 0, y: 0 }, ports: derivePorts("compiled", config, []), config };
}
const design = (): Topology => ({ nodes: [httpIngressNode("ingress"), compiledNode()], links: [wire("web", "ingress", HANDLER)] });

// the command artifact is not needed when the component serves the node: asking for it fails the run
const noCommand: ComponentResolver = (n) => err({ kind: "missing-component", message: `the run asked for ${n.id}'s command artifact` });

interface Response {
  status: number;
  headers: Array<[string, string]>;
}

describe.skipIf(!haveTools)("a compiled nginx served by its wasi:http component in a run", () => {
  let component: Uint8Array;
  let broken: Uint8Array;
  const cfg = (conf: string): RunConfig => ({ entrypoint: [nginx, "-e", "stderr"], cmd: ["-c", conf], env: [] });

  beforeAll(async () => {
    ensureCore();
    rmSync(work, { recursive: true, force: true });
    stageNginx(join(work, "stage"), 80);
    await packStage(join(work, "stage"), join(work, "rootfs.img"));
    const rootfs = readFileSync(join(work, "rootfs.img"));
    const a = await buildHttpComponent({ rootfs, cfg: cfg("/etc/nginx/nginx.conf"), httpPort: 80 });
    const b = await buildHttpComponent({ rootfs, cfg: cfg("/etc/nginx/absent.conf"), httpPort: 80 });
    if (!a.ok || !b.ok) throw new Error("building the components failed");
    component = a.value;
    broken = b.value;
  }, 300_000); // builds nginx's rootfs and two components: minutes on a loaded 2-core machine

  const opts = (bytes: () => Uint8Array) => ({ resolve: noCommand, resolveHttp: async () => bytes(), cacheDir: join(work, "cache") });

  it("answers a GET through the component (in-process)", async () => {
    const r = await runDesign({ topology: design(), input: { text: "" }, mode: "in-process", request: { method: "GET", path: "/data.json" }, limits: { timeMs: 60_000 } }, opts(() => component));
    expect(r.error).toBeUndefined();
    expect(outputText(r)).toBe('{"answer": 42}\n');
    const out = r.output as unknown as Response;
    expect(out.status).toBe(200);
    expect(out.headers).toContainEqual(["content-type", "application/json"]);
    expect(out.headers.find(([k]) => k === "server")?.[1]).toMatch(/^nginx\//);
    expect(r.nodes.web?.calls).toBe(1);
    expect(r.events[0]).toMatchObject({ type: "started", http: [{ nodeId: "web", port: 80, via: "component" }] });
  }, 90_000);

  it("passes a 404 through in network mode (the component in its own process)", async () => {
    const r = await runDesign({ topology: design(), input: { text: "" }, mode: "network", request: { method: "GET", path: "/missing.txt" }, limits: { timeMs: 60_000 } }, opts(() => component));
    expect(r.error).toBeUndefined();
    expect((r.output as unknown as Response).status).toBe(404);
    expect(outputText(r)).toContain("404 Not Found");
  }, 90_000);

  it("serves repeated requests from one guest (compareModes)", async () => {
    const c = await compareModes({ topology: design(), input: { text: "" }, requests: 4, warmup: 1, request: { method: "GET", path: "/index.html" } }, opts(() => component));
    if (!c.ok) throw new Error(c.error.message);
    expect([c.value.inProcess.requests, c.value.network.requests]).toEqual([4, 4]);
  }, 120_000);

  it("reports a guest that exits before listening as a typed http-error, with the reason on the node's stderr", async () => {
    const r = await runDesign({ topology: design(), input: { text: "" }, mode: "in-process", request: { method: "GET", path: "/" }, limits: { timeMs: 60_000 } }, opts(() => broken));
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe("http-error");
    expect(r.error?.message).toContain("destination-unavailable: the guest has exited");
    const stderr = r.events.flatMap((e) => (e.type === "stdio" && e.stream === "stderr" ? [e.text] : [])).join("");
    expect(stderr).toContain("absent.conf");
    expect(stderr).toMatch(/trellis-http: exited: the guest exited with status 1 before listening on port 80/);
  }, 90_000);
});
