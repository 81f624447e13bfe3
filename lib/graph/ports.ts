import type { Capability, ExposedPort, NetworkPort, NodeKind, Port, WitPort } from "./types";

/** Interface without its `@version`: `wasi:http/incoming-handler@0.2.0` → `wasi:http/incoming-handler`. */
export function interfaceName(iface: string): string {
  const at = iface.lastIndexOf("@");
  return at > 0 ? iface.slice(0, at) : iface;
}

export function interfaceVersion(iface: string): string | undefined {
  const at = iface.lastIndexOf("@");
  return at > 0 ? iface.slice(at + 1) : undefined;
}

export function witPort(direction: "export" | "import", iface: string): WitPort {
  return {
    id: `${direction === "export" ? "exp" : "imp"}:${interfaceName(iface)}`,
    kind: "wit",
    direction,
    interface: iface,
  };
}

export const NET_IMPORT_ID = "net";

export function networkPorts(exposed: ExposedPort[]): NetworkPort[] {
  const ports: NetworkPort[] = exposed.map((p) => ({
    id: `port:${p.port}`,
    kind: "network",
    direction: "export",
    port: p.port,
    protocol: p.protocol,
  }));
  ports.push({ id: NET_IMPORT_ID, kind: "network", direction: "import", protocol: "tcp" });
  return ports;
}

/** What a compiled container serving HTTP exports: each request becomes a connection to the guest's port. */
export const HTTP_HANDLER_INTERFACE = "wasi:http/incoming-handler@0.2.0";

/** The exposed port a compiled container serves `wasi:http/incoming-handler` on (the first marked HTTP). */
export function httpServicePort(exposed: ExposedPort[]): number | undefined {
  return exposed.find((p) => p.http && p.protocol === "tcp")?.port;
}

/** What a compiled container serving HTTP imports for its guest's HTTP clients: each request to a wired peer goes out through it. */
export const HTTP_OUTGOING_INTERFACE = "wasi:http/outgoing-handler@0.2.0";

/**
 * WIT ports a compiled container gets from its exposed ports: when one is marked HTTP, the HTTP
 * handler it serves and the outgoing handler its guest's clients call wired peers through.
 */
export function servicePorts(exposed: ExposedPort[]): WitPort[] {
  return httpServicePort(exposed) === undefined ? [] : [witPort("export", HTTP_HANDLER_INTERFACE), witPort("import", HTTP_OUTGOING_INTERFACE)];
}

/**
 * Whether an import is served by an export of another interface through the host: a
 * `wasi:http/outgoing-handler` import by a `wasi:http/incoming-handler` export, each outgoing
 * request delivered to the callee's handler (Spin's local service chaining, a wasmCloud link).
 */
export function httpBridged(provided: string, wanted: string): boolean {
  return interfaceName(provided) === "wasi:http/incoming-handler" && interfaceName(wanted) === "wasi:http/outgoing-handler";
}

/** The name a compiled container's guest reaches a wired node by (`http://<name>/`): the node's name as a DNS label. */
export function peerHostName(node: { id: string; name: string }): string {
  const label = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 63)
      .replace(/-+$/, "");
  return label(node.name) || label(node.id) || "peer";
}

/** Ports images commonly serve HTTP on: an image exposing one is taken as an HTTP service until the user says otherwise. */
export const WELL_KNOWN_HTTP_PORTS: readonly number[] = [80, 8000, 8008, 8080];

/** The ports a platform capability offers; these are what wasmCloud providers and Spin hosts supply. */
export function capabilityPorts(capability: Capability): Port[] {
  switch (capability) {
    case "http-ingress":
      return [
        witPort("import", "wasi:http/incoming-handler@0.2.0"),
        { id: NET_IMPORT_ID, kind: "network", direction: "import", protocol: "http" },
      ];
    case "keyvalue":
      return [witPort("export", "wasi:keyvalue/store@0.2.0-draft"), witPort("export", "wasi:keyvalue/atomics@0.2.0-draft")];
    case "messaging":
      return [witPort("export", "wasmcloud:messaging/consumer@0.2.0"), witPort("import", "wasmcloud:messaging/handler@0.2.0")];
  }
}

export const CAPABILITY_LABELS: Record<Capability, string> = {
  "http-ingress": "HTTP ingress",
  keyvalue: "Key-value store",
  messaging: "Message bus",
};

export const KIND_LABELS: Record<NodeKind, string> = {
  component: "Wasm component",
  container: "Container image",
  compiled: "Compiled container",
  endpoint: "External endpoint",
};

export function portLabel(port: Port): string {
  if (port.kind === "wit") return port.interface;
  if (port.direction === "import") return "network out";
  return `${port.port}/${port.protocol}`;
}
