// How a run finds a compiled HTTP service's wasi:http component: from the
// node's compile job (its details.httpComponent and the file in the job
// directory), whichever port it was built for (the run names the node's port
// to it); without one the service stays on the host-side adapter. The job store is replaced by a small fake.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { derivePorts } from "../graph/ops";
import type { TopologyNode } from "../graph/types";

const dir = mkdtempSync(join(tmpdir(), "trellis-resolve-http-"));
const jobs = new Map<string, { state: string; result: unknown }>();
vi.mock("../jobs/index", () => ({ startJobQueue: async () => ({ get: (id: string) => jobs.get(id), jobDir: (id: string) => join(dir, id) }) }));

const { prepareRun, resolveCompiledHttp } = await import("./run");
const { httpIngressNode, wire } = await import("./sample-designs");

function node(jobId: string, port = 80): TopologyNode {
  const config = { env: [], replicas: 1, exposedPorts: [{ port, protocol: "tcp" as const, http: true }], compile: { jobId } };
  return { id: "web", kind: "compiled", name: "nginx", position: { x: 0, y: 0 }, ports: derivePorts("compiled", config, []), config };
}

function job(id: string, httpComponent: unknown, files: string[], write = true): void {
  mkdirSync(join(dir, id), { recursive: true });
  if (write) writeFileSync(join(dir, id, "artifact.http.wasm"), "component bytes");
  jobs.set(id, { state: "succeeded", result: { produced: { kind: "native-artifact", file: "artifact.wasm", native: { extraFiles: files.map((file) => ({ file, role: "component (wasi:http/incoming-handler@0.2.0)" })), details: { httpComponent } } } } });
}

describe("resolveCompiledHttp", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the component the job built for the node's port", async () => {
    job("a", { file: "artifact.http.wasm", port: 80 }, ["artifact.http.wasm"]);
    expect(Buffer.from((await resolveCompiledHttp(node("a"), 80))!).toString()).toBe("component bytes");
  });

  it("reads it for another port too: the run names the node's port to it", async () => {
    job("b", { file: "artifact.http.wasm", port: 8080 }, ["artifact.http.wasm"]);
    expect(Buffer.from((await resolveCompiledHttp(node("b"), 80))!).toString()).toBe("component bytes");
  });

  it("has none for a file the job does not list, a path outside the job, a missing file, or no job", async () => {
    job("c", { file: "artifact.http.wasm", port: 80 }, []);
    expect(await resolveCompiledHttp(node("c"), 80)).toBeUndefined();
    job("d", { file: "../a/artifact.http.wasm", port: 80 }, ["../a/artifact.http.wasm"]);
    expect(await resolveCompiledHttp(node("d"), 80)).toBeUndefined();
    job("e", { file: "artifact.http.wasm", port: 80 }, ["artifact.http.wasm"], false);
    expect(await resolveCompiledHttp(node("e"), 80)).toBeUndefined();
    expect(await resolveCompiledHttp(node("nope"), 80)).toBeUndefined();
  });

  it("prepareRun serves the node from its component when there is one, else from its command artifact", async () => {
    const design = (n: TopologyNode) => ({ nodes: [httpIngressNode("ingress"), n], links: [wire("web", "ingress", "wasi:http/incoming-handler@0.2.0")] });
    // the fake component is no component: jco's refusal shows the run took it
    const a = await prepareRun(design(node("a")), undefined, { cacheDir: join(dir, "cache") });
    expect(a.ok ? "prepared" : a.error).toMatchObject({ kind: "instantiate-failed", message: expect.stringContaining("the wasi:http component of 'nginx'") });
    // no component (its file is not listed): the run asks for the command artifact (which this fake job lacks)
    const c = await prepareRun(design(node("c")), undefined, { cacheDir: join(dir, "cache") });
    expect(c.ok ? "prepared" : c.error).toMatchObject({ kind: "missing-component", message: expect.stringContaining("cannot read the artifact of 'nginx'") });
  });
});
