// The generated bench design (components, containers, compiled containers,
// endpoints, wires among them), shared by the export and canvas benches, the
// problems test and the large-canvas e2e test. Types only: no exporter is loaded.
import type { DesignDocument, Link, Port, TopologyNode } from "../lib/graph/types";

/** Deterministic PRNG (mulberry32) so every run exports the same design. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateDesign(nodeCount = 1000, wireCount = 1500, seed = 7): DesignDocument {
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const nodes: TopologyNode[] = [];
  const links: Link[] = [];
  const wit = (direction: "import" | "export", iface: string): Port => ({ id: `${direction === "export" ? "exp" : "imp"}:${iface.split("@")[0]}`, kind: "wit", direction, interface: iface });
  const counts = { component: Math.round(nodeCount * 0.45), container: Math.round(nodeCount * 0.3), compiled: Math.round(nodeCount * 0.15) };
  const endpoints = nodeCount - counts.component - counts.container - counts.compiled;
  const base = (id: string, kind: TopologyNode["kind"], ports: Port[], extra: Partial<TopologyNode["config"]> = {}): TopologyNode => ({
    id, kind, name: id, position: { x: 0, y: 0 }, ports, config: { env: [{ name: "MODE", value: "bench" }], replicas: 1 + Math.floor(rand() * 3), exposedPorts: [], ...extra },
  });
  for (let i = 0; i < counts.component; i++) {
    // Each component exports its own interface, imports up to two from earlier components, and serves HTTP.
    nodes.push(base(`comp-${i}`, "component", [wit("export", `bench:svc${i}/api@1.0.0`), wit("export", "wasi:http/incoming-handler@0.2.0"), wit("import", "wasi:keyvalue/store@0.2.0-draft")], { image: `ghcr.io/bench/comp-${i}:1.0.0` }));
  }
  for (let i = 0; i < counts.container; i++) {
    nodes.push(base(`ctr-${i}`, "container", [{ id: "net", kind: "network", direction: "import", protocol: "tcp" }, { id: `port:${8000 + (i % 100)}`, kind: "network", direction: "export", port: 8000 + (i % 100), protocol: i % 2 ? "http" : "tcp" }], { image: `ghcr.io/bench/ctr-${i}:2.0.0`, exposedPorts: [{ port: 8000 + (i % 100), protocol: "tcp" }] }));
  }
  for (let i = 0; i < counts.compiled; i++) {
    nodes.push(base(`wasm-${i}`, "compiled", [{ id: "net", kind: "network", direction: "import", protocol: "tcp" }, { id: "port:9000", kind: "network", direction: "export", port: 9000, protocol: "http" }], { image: `ghcr.io/bench/wasm-${i}:1.0.0`, compile: { jobId: `job-${i}` } }));
  }
  const caps = ["http-ingress", "keyvalue", "messaging"] as const;
  for (let i = 0; i < endpoints; i++) {
    const capability = caps[i % 3]!;
    const ports: Port[] =
      capability === "http-ingress"
        ? [wit("import", "wasi:http/incoming-handler@0.2.0"), { id: "net", kind: "network", direction: "import", protocol: "tcp" }]
        : capability === "keyvalue"
          ? [wit("export", "wasi:keyvalue/store@0.2.0-draft"), wit("export", "wasi:keyvalue/atomics@0.2.0-draft")]
          : [wit("export", "wasmcloud:messaging/consumer@0.2.0"), wit("import", "wasmcloud:messaging/handler@0.2.0")];
    nodes.push(base(`ep-${i}`, "endpoint", ports, { capability }));
  }
  const comps = nodes.filter((n) => n.kind === "component");
  const nets = nodes.filter((n) => n.kind === "container" || n.kind === "compiled");
  const https = nodes.filter((n) => n.config.capability === "http-ingress");
  const kvs = nodes.filter((n) => n.config.capability === "keyvalue");
  const seen = new Set<string>();
  const add = (from: TopologyNode, fromPort: string, to: TopologyNode, toPort: string) => {
    const key = `${from.id}.${fromPort}>${to.id}.${toPort}`;
    if (seen.has(key) || from === to) return;
    seen.add(key);
    links.push({ id: `w${links.length + 1}`, from: { node: from.id, port: fromPort }, to: { node: to.id, port: toPort } });
  };
  // Every component gets its key-value import satisfied, then the rest is a random mix.
  for (const c of comps) add(pick(kvs), "exp:wasi:keyvalue/store", c, "imp:wasi:keyvalue/store");
  while (links.length < wireCount) {
    const r = rand();
    if (r < 0.35) {
      // component i imports the API of an earlier component j < i
      const i = 1 + Math.floor(rand() * (comps.length - 1));
      const j = Math.floor(rand() * i);
      const to = comps[i]!;
      const iface = `bench:svc${j}/api@1.0.0`;
      if (!to.ports.some((p) => p.id === `imp:bench:svc${j}/api`)) to.ports.push(wit("import", iface));
      add(comps[j]!, `exp:bench:svc${j}/api`, to, `imp:bench:svc${j}/api`);
    } else if (r < 0.8) {
      const from = pick(nets);
      add(from, from.ports.find((p) => p.direction === "export")!.id, pick(nets), "net");
    } else {
      add(pick(comps), "exp:wasi:http/incoming-handler", pick(https), "imp:wasi:http/incoming-handler");
    }
  }
  return { trellisVersion: 1, name: "bench-1000", topology: { nodes, links } };
}
