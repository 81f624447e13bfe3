// What the exporters say about a compiled container that exports
// wasi:http/incoming-handler. When its compile job built the container's
// wasi:http component (lib/compile/http-component.ts: the x86-64 core with
// the rootfs inside, exporting wasi:http/incoming-handler@0.2.0), the node is
// deployed as that component, like any HTTP component. Without one, in a
// Trellis run the export is served by a host-side adapter (lib/run/http-service.ts);
// the artifact itself is a WASI command (wasi:cli/run), so a platform that
// deploys it gets no HTTP handler and the exporters warn.
import { httpServicePort, interfaceName } from "../../graph/ports";
import type { TopologyNode } from "../../graph/types";

const exportsHandler = (n: TopologyNode) => n.ports.some((p) => p.kind === "wit" && p.direction === "export" && interfaceName(p.interface) === "wasi:http/incoming-handler");

/** The wasi:http component of a compiled HTTP service, when its job built one for the node's HTTP port. */
export function httpComponentOf(n: TopologyNode): { file: string; port: number; jobId: string } | undefined {
  const c = n.config.compile;
  if (n.kind !== "compiled" || !c?.httpComponent || !exportsHandler(n)) return undefined;
  return c.httpComponent.port === httpServicePort(n.config.exposedPorts) ? { ...c.httpComponent, jobId: c.jobId } : undefined;
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
