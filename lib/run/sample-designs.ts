// Small designs made of built-ins, for tests, the benchmark and demos.
import { builtinById, IFACE } from "../builtins/catalog";
import { capabilityPorts, interfaceName } from "../graph/ports";
import type { Link, Topology, TopologyNode } from "../graph/types";

export function builtinNode(id: string, builtin: string, x = 0, y = 0): TopologyNode {
  const b = builtinById(builtin);
  if (!b) throw new Error(`no built-in '${builtin}'`);
  return {
    id,
    kind: "component",
    name: id,
    position: { x, y },
    ports: b.ports.map((p) => ({ ...p })),
    config: { source: b.source, wit: b.wit, world: b.world, env: [], replicas: 1, exposedPorts: [] },
  };
}

export function keyvalueNode(id: string): TopologyNode {
  return { id, kind: "endpoint", name: id, position: { x: 0, y: 0 }, ports: capabilityPorts("keyvalue"), config: { capability: "keyvalue", env: [], replicas: 1, exposedPorts: [] } };
}

/** A wire carrying `iface` from `provider`'s export to `consumer`'s import. */
export function wire(provider: string, consumer: string, iface: string): Link {
  const name = interfaceName(iface);
  return { id: `${provider}->${consumer}:${name}`, from: { node: provider, port: `exp:${name}` }, to: { node: consumer, port: `imp:${name}` } };
}

/** http-handler → json-to-csv (stage) and → logger (log): the three-stage pipeline of the benchmark. */
export function csvPipeline(): Topology {
  return {
    nodes: [builtinNode("api", "http-handler"), builtinNode("csv", "json-to-csv", 300, 0), builtinNode("log", "logger", 300, 150)],
    links: [wire("csv", "api", IFACE.stage), wire("log", "api", IFACE.log)],
  };
}

export function httpIngressNode(id: string): TopologyNode {
  return { id, kind: "endpoint", name: id, position: { x: 0, y: 0 }, ports: capabilityPorts("http-ingress"), config: { capability: "http-ingress", env: [], replicas: 1, exposedPorts: [] } };
}

/** HTTP ingress → http-gateway (wasi:http) → json-to-csv. */
export function wasiHttpPipeline(): Topology {
  return {
    nodes: [httpIngressNode("ingress"), builtinNode("gateway", "http-gateway"), builtinNode("csv", "json-to-csv")],
    links: [wire("gateway", "ingress", IFACE.incomingHandler), wire("csv", "gateway", IFACE.stage)],
  };
}

/** http-handler → kv-cache → tokenizer, the cache backed by a key-value endpoint. */
export function cachedTokenizer(): Topology {
  return {
    nodes: [builtinNode("api", "http-handler"), builtinNode("cache", "kv-cache"), builtinNode("words", "tokenizer"), builtinNode("log", "logger"), keyvalueNode("kv")],
    links: [wire("cache", "api", IFACE.stage), wire("log", "api", IFACE.log), wire("words", "cache", IFACE.stage), wire("kv", "cache", IFACE.keyvalueStore)],
  };
}

/** Two caches in a row, each with its own store (cannot be composed: one composed import cannot be two stores). */
export function twoStoreCaches(): Topology {
  return {
    nodes: [builtinNode("c1", "kv-cache"), builtinNode("c2", "kv-cache"), builtinNode("words", "tokenizer"), keyvalueNode("kv1"), keyvalueNode("kv2")],
    links: [wire("c2", "c1", IFACE.stage), wire("words", "c2", IFACE.stage), wire("kv1", "c1", IFACE.keyvalueStore), wire("kv2", "c2", IFACE.keyvalueStore)],
  };
}
