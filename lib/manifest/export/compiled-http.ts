// What the exporters say about a compiled container that exports
// wasi:http/incoming-handler. When its compile job built the container's
// wasi:http component (lib/compile/http-component.ts: the x86-64 core with
// the rootfs inside, exporting wasi:http/incoming-handler@0.2.0), the node is
// deployed as that component, like any HTTP component. Without one, in a
// Trellis run the export is served by a host-side adapter (lib/run/http-service.ts);
// the artifact itself is a WASI command (wasi:cli/run), so a platform that
// deploys it gets no HTTP handler and the exporters warn.
import { httpBridged, httpServicePort, interfaceName, peerHostName } from "../../graph/ports";
import type { EnvVar, Port, TopologyNode } from "../../graph/types";

const exportsHandler = (n: TopologyNode) => n.ports.some((p) => p.kind === "wit" && p.direction === "export" && interfaceName(p.interface) === "wasi:http/incoming-handler");

/**
 * The wasi:http component of a compiled HTTP service, when its job built one. `port` is the guest
 * port the node marks HTTP; when the component was built for another (`builtFor`), the deployment
 * names the marked one to it in TRELLIS_HTTP_PORT (deployEnv), as a run does.
 */
export function httpComponentOf(n: TopologyNode): { file: string; port: number; builtFor: number; jobId: string } | undefined {
  const c = n.config.compile;
  const port = httpServicePort(n.config.exposedPorts);
  if (n.kind !== "compiled" || !c?.httpComponent || !exportsHandler(n) || port === undefined) return undefined;
  return { file: c.httpComponent.file, port, builtFor: c.httpComponent.port, jobId: c.jobId };
}

/** A node's environment as deployed: its own, plus TRELLIS_HTTP_PORT when its component was built for another port. */
export function deployEnv(n: TopologyNode): EnvVar[] {
  const c = httpComponentOf(n);
  if (!c || c.builtFor === c.port || n.config.env.some((e) => e.name === "TRELLIS_HTTP_PORT")) return n.config.env;
  return [...n.config.env, { name: "TRELLIS_HTTP_PORT", value: String(c.port) }];
}

/** A node the exporters deploy as a component: a component, or a compiled container with its wasi:http component. */
export const deploysAsComponent = (n: TopologyNode): boolean => n.kind === "component" || httpComponentOf(n) !== undefined;

/** Where the binary of a compiled node's wasi:http component comes from, in words (for the report's left-to-user list). */
export function httpComponentSource(n: TopologyNode): string | undefined {
  const c = httpComponentOf(n);
  return c && `${n.name}: the wasi:http component ${c.file} of compile job ${c.jobId}, serving guest port ${c.port}`;
}

/** The warning for `n` on `platform`, or undefined when `n` is not a compiled HTTP service without its component. */
export function compiledHttpNote(n: TopologyNode, platform: string): string | undefined {
  if (n.kind !== "compiled" || httpComponentOf(n)) return undefined;
  const port = httpServicePort(n.config.exposedPorts);
  if (port === undefined || !exportsHandler(n)) return undefined;
  return `${n.name} exports wasi:http/incoming-handler from its guest's port ${port} in Trellis runs (a host-side adapter), but its compile job built no wasi:http component (its artifact is a WASI command, wasi:cli/run): ${platform} cannot serve HTTP with it; recompile the image with the port exposed (or marked HTTP) to get one`;
}

/** A wire from an incoming-handler export into an outgoing-handler import: the host carries each request (ports.ts httpBridged). */
export function isHttpBridge(r: { fromPort: Port; toPort: Port }): boolean {
  return r.fromPort.kind === "wit" && r.toPort.kind === "wit" && httpBridged(r.fromPort.interface, r.toPort.interface);
}

/** The warning for such a wire on a platform without a component-to-component HTTP route. */
export function httpBridgeNote(r: { from: TopologyNode; to: TopologyNode }, platform: string): string {
  const peer = r.to.kind === "compiled" && !r.to.config.wit ? ` and give ${r.to.name} TRELLIS_HTTP_PEERS=${peerHostName(r.from)}=<that host> (the name its guest resolves)` : "";
  return `${r.to.name} calls ${r.from.name} through wasi:http/outgoing-handler: ${platform} links no outgoing request to a component's incoming handler, so the wire is not expressed; serve ${r.from.name} over HTTP (its own route or host)${peer}`;
}
