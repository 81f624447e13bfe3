// What the exporters say about a compiled container that exports
// wasi:http/incoming-handler. In a Trellis run that export is served by a
// host-side adapter (lib/run/http-service.ts) forwarding each request to the
// guest's listening port; the artifact itself is a WASI command (the x86-64
// core, wasi:cli/run), so a platform that deploys it gets no HTTP handler.
import { httpServicePort, interfaceName } from "../../graph/ports";
import type { TopologyNode } from "../../graph/types";

/** The warning for `n` on `platform`, or undefined when `n` is not a compiled HTTP service. */
export function compiledHttpNote(n: TopologyNode, platform: string): string | undefined {
  if (n.kind !== "compiled") return undefined;
  const port = httpServicePort(n.config.exposedPorts);
  const handler = n.ports.some((p) => p.kind === "wit" && p.direction === "export" && interfaceName(p.interface) === "wasi:http/incoming-handler");
  if (port === undefined || !handler) return undefined;
  return `${n.name} exports wasi:http/incoming-handler from its guest's port ${port} in Trellis runs (a host-side adapter), but its artifact is a WASI command (wasi:cli/run), not a wasi:http component: ${platform} cannot serve HTTP with it until a wasi:http bridge component is built`;
}
