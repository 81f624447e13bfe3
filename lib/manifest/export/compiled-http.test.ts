// The exporters on a compiled container whose HTTP port is a wasi:http export,
// wired to the HTTP ingress: each says plainly that the artifact cannot serve
// HTTP on that platform, instead of the generic "listens on network ports".
import { describe, expect, it } from "vitest";
import { derivePorts } from "../../graph/ops";
import type { DesignDocument, TopologyNode } from "../../graph/types";
import { httpIngressNode, wire } from "../../run/sample-designs";
import { exportSpin } from "./spin";
import { exportWadm } from "./wadm";
import { exportWasmcloud } from "./wasmcloud";

function doc(http: boolean): DesignDocument {
  const config = { image: "ghcr.io/acme/nginx:1", env: [], replicas: 1, exposedPorts: [{ port: 80, protocol: "tcp" as const, ...(http ? { http: true } : {}) }], compile: { jobId: "j" } };
  const web: TopologyNode = { id: "web", kind: "compiled", name: "nginx", position: { x: 0, y: 0 }, ports: derivePorts("compiled", config, []), config };
  return { trellisVersion: 1, name: "legacy", topology: { nodes: [httpIngressNode("ingress"), web], links: http ? [wire("web", "ingress", "wasi:http/incoming-handler@0.2.0")] : [] } };
}

describe("exporting a compiled HTTP service", () => {
  for (const [name, run, platform] of [
    ["wadm", exportWadm, "wasmCloud"],
    ["wasmCloud 2", exportWasmcloud, "wasmCloud 2"],
    ["Spin", exportSpin, "SpinKube"],
  ] as const) {
    it(`${name}: a warning naming the port and why the artifact cannot serve HTTP there`, () => {
      const marked = run(doc(true)).problems.filter((p) => p.nodeIds?.includes("web")).map((p) => p.message);
      expect(marked).toContainEqual(expect.stringContaining(`exports wasi:http/incoming-handler from its guest's port 80`));
      expect(marked.join("\n")).toContain(`${platform} cannot serve HTTP with it`);
      // the wire to the ingress is still emitted as the platform's wasi:http host interface / provider link
      if (name !== "Spin") expect(run(doc(true)).files.map((f) => String(f.content)).join("\n")).toMatch(/package: http/);
      const plain = run(doc(false)).problems.map((p) => p.message).join("\n");
      expect(plain).not.toContain("wasi:http/incoming-handler from its guest");
    });
  }
});
