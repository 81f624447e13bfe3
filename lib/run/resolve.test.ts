// How a run finds a compiled container's bytes in its compile job: the command
// artifact (refused with a typed reason when the job has none a run can take),
// and a compiled HTTP service's wasi:http component (details.httpComponent and
// the file in the job directory), whichever port it was built for (the run
// names the node's port to it); without one the service stays on the host-side
// adapter. The job store is replaced by a small fake.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { derivePorts } from "../graph/ops";
import type { TopologyNode } from "../graph/types";

const dir = mkdtempSync(join(tmpdir(), "trellis-resolve-http-"));
const jobs = new Map<string, { state: string; result: unknown }>();
vi.mock("../jobs/index", () => ({ startJobQueue: async () => ({ get: (id: string) => jobs.get(id), jobDir: (id: string) => join(dir, id) }) }));

const { prepareRun } = await import("./run");
const { resolveCompiled, resolveCompiledHttp } = await import("./resolve");
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

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("resolveCompiled", () => {
  const artifact = (id: string, state: string, produced: unknown, content?: string) => {
    mkdirSync(join(dir, id), { recursive: true });
    if (content !== undefined) writeFileSync(join(dir, id, "artifact.wasm"), content);
    jobs.set(id, { state, result: { produced } });
  };
  const refusal = async (n: TopologyNode) => {
    const r = await resolveCompiled(n);
    return r.ok ? "resolved" : r.error;
  };

  it("reads the job's command artifact", async () => {
    artifact("m1", "succeeded", { kind: "native-artifact", file: "artifact.wasm", native: { extraFiles: [] } }, "module bytes");
    const r = await resolveCompiled(node("m1"));
    expect(r.ok && Buffer.from(r.value).toString()).toBe("module bytes");
  });

  it("refuses, with a kind and the reason, a node without a job, an unknown or unfinished job, another artifact kind, a separate rootfs, a path outside the job, a missing file", async () => {
    const noJob = { ...node("x"), config: { ...node("x").config, compile: undefined } };
    expect(await refusal(noJob)).toMatchObject({ kind: "missing-component", message: "'nginx' has no compile job", nodeId: "web" });
    expect(await refusal(node("m-none"))).toMatchObject({ kind: "missing-component", message: "compile job m-none of 'nginx' has no artifact (no such job)" });
    artifact("m2", "running", { kind: "native-artifact", file: "artifact.wasm" }, "module bytes");
    expect(await refusal(node("m2"))).toMatchObject({ kind: "missing-component", message: "compile job m2 of 'nginx' has no artifact (running)" });
    artifact("m3", "succeeded", { kind: "oci-image", file: "artifact.wasm" }, "x");
    expect(await refusal(node("m3"))).toMatchObject({ kind: "unsupported-node", message: expect.stringContaining("compiled to a oci-image") });
    artifact("m4", "succeeded", { kind: "native-artifact", file: "artifact.wasm", native: { extraFiles: [{ file: "rootfs.bin", role: "rootfs (packed)" }] } }, "x");
    expect(await refusal(node("m4"))).toMatchObject({ kind: "unsupported-node", message: expect.stringContaining("rootfs in a separate file") });
    artifact("m5", "succeeded", { kind: "native-artifact", file: "../m1/artifact.wasm" });
    expect(await refusal(node("m5"))).toMatchObject({ kind: "missing-component", message: "the artifact of job m5 lies outside its directory" });
    artifact("m6", "succeeded", { kind: "native-artifact", file: "artifact.wasm" });
    expect(await refusal(node("m6"))).toMatchObject({ kind: "missing-component", message: expect.stringContaining("cannot read the artifact of 'nginx'") });
  });
});

describe("resolveCompiledHttp", () => {
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
