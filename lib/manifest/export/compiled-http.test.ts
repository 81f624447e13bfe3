// The exporters on a compiled container whose HTTP port is a wasi:http export,
// wired to the HTTP ingress: each says plainly that the artifact cannot serve
// HTTP on that platform, instead of the generic "listens on network ports".
import { describe, expect, it } from "vitest";
import { derivePorts } from "../../graph/ops";
import type { DesignDocument, TopologyNode } from "../../graph/types";
import { httpIngressNode, wire } from "../../run/sample-designs";
import { exportK8s } from "./k8s";
import { exportSpin } from "./spin";
import { exportWac } from "./wac";
import { exportWadm } from "./wadm";
import { exportWasmcloud } from "./wasmcloud";

function doc(http: boolean, component?: { file: string; port: number }): DesignDocument {
  const config = { image: "ghcr.io/acme/nginx:1", env: [], replicas: 1, exposedPorts: [{ port: 80, protocol: "tcp" as const, ...(http ? { http: true } : {}) }], compile: { jobId: "j", ...(component ? { httpComponent: component } : {}) } };
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

describe("exporting a compiled HTTP service whose compile job built its wasi:http component", () => {
  const component = { file: "artifact.http.wasm", port: 80 };
  for (const [name, run] of [
    ["wadm", exportWadm],
    ["wasmCloud 2", exportWasmcloud],
    ["Spin", exportSpin],
    ["Kubernetes", exportK8s],
    ["WAC", exportWac],
  ] as const) {
    it(`${name}: no warning about the node, and the report names the component to deploy`, () => {
      const r = run(doc(true, component));
      expect(r.problems.filter((p) => p.nodeIds?.includes("web") && p.severity !== "error").map((p) => p.message)).toEqual([]);
      if (name !== "WAC") expect(r.report.leftToUser.join("\n")).toContain("the wasi:http component artifact.http.wasm of compile job j, serving guest port 80");
    });
  }

  it("Spin deploys it as an HTTP-triggered component; Kubernetes runs it on the wasi:http port with the component named", () => {
    const toml = String(exportSpin(doc(true, component)).files.find((f) => f.path.endsWith("spin.toml"))?.content);
    expect(toml).toContain('component = "nginx"');
    expect(toml).toContain("[component.nginx]");
    const yaml = String(exportK8s(doc(true, component)).files[0]?.content);
    expect(yaml).toContain("trellis.dev/wasi-http-component: artifact.http.wasm (compile job j, guest port 80)");
    expect(yaml).toContain("containerPort: 8080");
    expect(yaml).not.toContain("containerPort: 80\n");
  });

  it("a component built for another port than the one marked HTTP is deployed with that port named to it (TRELLIS_HTTP_PORT)", () => {
    const other = { file: "artifact.http.wasm", port: 8080 };
    const spin = exportSpin(doc(true, other));
    expect(spin.problems.filter((p) => p.nodeIds?.includes("web") && p.severity !== "error")).toEqual([]);
    expect(String(spin.files.find((f) => f.path.endsWith("spin.toml"))?.content)).toContain('TRELLIS_HTTP_PORT = "80"');
    expect(String(exportK8s(doc(true, other)).files[0]?.content)).toMatch(/- name: TRELLIS_HTTP_PORT\n\s+value: "80"/);
    // built for the marked port: nothing added
    expect(String(exportSpin(doc(true, component)).files.find((f) => f.path.endsWith("spin.toml"))?.content)).not.toContain("TRELLIS_HTTP_PORT");
  });
});
