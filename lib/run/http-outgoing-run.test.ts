// A compiled legacy API calling a built-in component by name: HTTP ingress →
// the compiled container (served by its wasi:http component) whose guest
// client (emulator/test/http-guests/client.c) reaches `gateway` through the
// component's wasi:http/outgoing-handler import, wired to the built-in
// http-gateway's incoming-handler (→ json-to-csv). In-process the import is a
// direct call of the gateway's export; in network mode a call to its process.
import { readFileSync, rmSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { IFACE } from "../builtins/catalog";
import { buildHttpComponent } from "../compile/http-component";
import { derivePorts } from "../graph/ops";
import { findProblems } from "../graph/problems";
import type { Link, Topology, TopologyNode } from "../graph/types";
import { err } from "../result";
import { haveHostTools } from "../testing/host-tools";
import { emulatorDir, ensureCore, packStage } from "../../emulator/test/harness";
import { outputText, runDesign } from "./run";
import { type ComponentResolver } from "./resolve";
import { builtinNode, httpIngressNode, wire } from "./sample-designs";

const work = join(emulatorDir, "build", "test-run-http-outgoing");
const haveTools = haveHostTools({ commands: ["gcc", "clang-14"] }, "the compiled-container outgoing wasi:http run suite");
const HANDLER = "wasi:http/incoming-handler@0.2.0";

function legacyApi(): TopologyNode {
  const config = { env: [], replicas: 1, exposedPorts: [{ port: 8080, protocol: "tcp" as const, http: true }], compile: { jobId: "job-api" } };
  return { id: "api", kind: "compiled", name: "Legacy API", position: { x: 0, y: 0 }, ports: derivePorts("compiled", config, []), config };
}
const outgoingWire: Link = { id: "gateway->api:out", from: { node: "gateway", port: "exp:wasi:http/incoming-handler" }, to: { node: "api", port: "imp:wasi:http/outgoing-handler" } };
const design = (): Topology => ({
  nodes: [httpIngressNode("ingress"), legacyApi(), builtinNode("gateway", "http-gateway"), builtinNode("csv", "json-to-csv")],
  links: [wire("api", "ingress", HANDLER), outgoingWire, wire("csv", "gateway", IFACE.stage)],
});

const noCommand: ComponentResolver = (n) => err({ kind: "missing-component", message: `the run asked for ${n.id}'s command artifact` });

describe.skipIf(!haveTools)("a compiled container's guest calling a wired built-in by name", () => {
  let component: Uint8Array;

  beforeAll(async () => {
    ensureCore();
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, "stage", "bin"), { recursive: true });
    execFileSync("gcc", ["-static", "-O2", "-o", join(work, "stage", "bin", "client"), join(emulatorDir, "test", "http-guests", "client.c")], { stdio: "pipe" });
    await packStage(join(work, "stage"), join(work, "rootfs.img"));
    // built for port 80 (as if the image exposed that); the guest listens on 8080, which the node
    // marks HTTP, as a user does in the inspector: the run names that port to the component
    const built = await buildHttpComponent({ rootfs: readFileSync(join(work, "rootfs.img")), cfg: { entrypoint: ["/bin/client"], cmd: [], env: [] }, httpPort: 80 });
    if (!built.ok) throw new Error(built.error.message);
    component = built.value;
  }, 300_000);

  const opts = () => ({ resolveHttp: async () => component, cacheDir: join(work, "cache") });
  const run = (mode: "in-process" | "network", path: string) =>
    runDesign({ topology: design(), input: { text: "" }, mode, request: { method: "GET", path }, limits: { timeMs: 60_000 } }, opts());

  it("is a checked wire: the compiled node's outgoing import takes the gateway's incoming-handler", () => {
    expect(legacyApi().ports.filter((p) => p.kind === "wit").map((p) => p.id)).toEqual(["exp:wasi:http/incoming-handler", "imp:wasi:http/outgoing-handler"]);
    expect(findProblems(design())).toEqual([]);
    // a wire of another interface into it is refused
    const wrong: Link = { id: "csv->api", from: { node: "csv", port: "exp:trellis:pipeline/stage" }, to: { node: "api", port: "imp:wasi:http/outgoing-handler" } };
    const t = design();
    expect(findProblems({ ...t, links: [...t.links.filter((l) => l.id !== outgoingWire.id), wrong] }).map((p) => p.kind)).toEqual(["broken-link"]);
  });

  for (const mode of ["in-process", "network"] as const)
    it(`the guest reaches the gateway by its name (${mode})`, async () => {
      const r = await run(mode, "/fetch?gateway&80&/health");
      expect(r.error).toBeUndefined();
      expect(outputText(r)).toBe(
        "GET /health\n  status 200, content-type text/plain; charset=utf-8, body 'ok\n'\n" +
          "POST /health (same connection)\n  status 200, content-type text/plain; charset=utf-8, body 'a,b\n1,x\n'\n  then EOF\n",
      );
      expect(r.nodes.gateway?.calls).toBe(2);
      expect(r.nodes.csv?.calls).toBe(1);
      const wireCalls = r.events.filter((e) => e.type === "call" && e.linkId === outgoingWire.id);
      // network mode: each process records the call (the caller's side and the callee's)
      expect(wireCalls.map((e) => e.type === "call" && [e.from, e.to, e.interface, e.function])).toEqual(
        Array(mode === "network" ? 4 : 2).fill(["api", "gateway", "wasi:http/incoming-handler", "handle"]),
      );
    }, 90_000);

  it("resolves only wired names: the csv stage is not an HTTP peer", async () => {
    const r = await run("in-process", "/resolve?csv");
    expect(outputText(r)).toBe("csv: Name or service not known\n");
  }, 90_000);

  it("reaches another compiled service: both served by their components, the callee's guest answering each request", async () => {
    // a second node of the same image: its guest's server answers /resolve?NAME
    const svc: TopologyNode = { ...legacyApi(), id: "svc", name: "Name Service" };
    const topology: Topology = {
      nodes: [httpIngressNode("ingress"), legacyApi(), svc],
      links: [wire("api", "ingress", HANDLER), { id: "svc->api", from: { node: "svc", port: "exp:wasi:http/incoming-handler" }, to: { node: "api", port: "imp:wasi:http/outgoing-handler" } }],
    };
    const r = await runDesign({ topology, input: { text: "" }, mode: "in-process", request: { method: "GET", path: "/fetch?name-service&8080&/resolve?localhost" }, limits: { timeMs: 60_000 } }, opts());
    expect(r.error).toBeUndefined();
    expect(r.events[0]).toMatchObject({ type: "started", http: [{ nodeId: "api", via: "component" }, { nodeId: "svc", via: "component" }] });
    expect(outputText(r)).toBe(
      "GET /resolve?localhost\n  status 200, content-type text/plain, body 'localhost: 127.0.0.1\n'\n" +
        "POST /resolve?localhost (same connection)\n  status 200, content-type text/plain, body 'localhost: 127.0.0.1\n'\n  then EOF\n",
    );
    expect(r.nodes.svc?.calls).toBe(2);
  }, 90_000);

  it("refuses the outgoing wire when the node would run behind a published port", async () => {
    const r = await runDesign({ topology: design(), input: { text: "" }, mode: "in-process", request: { method: "GET", path: "/" } }, { resolve: noCommand, resolveHttp: async () => undefined, cacheDir: join(work, "cache") });
    expect(r.error).toMatchObject({ kind: "unsupported-node", nodeId: "api" });
    expect(r.error?.message).toContain("calls 'gateway' through wasi:http/outgoing-handler");
  });
});
