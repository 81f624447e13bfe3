// A prepared run whose component nodes are one composed component
// (`compose.ts`), hosted as a single node under the entry's id: the wires
// inside are core-wasm adapter calls, so the run sees one call per request
// and times the members and wires inside through a wire tap (`wire-tap.ts`).
import type { Topology } from "../graph/types";
import { err, ok, type Result } from "../result";
import { interfaceName } from "../graph/ports";
import { componentImports, composeGroup } from "./compose";
import type { Binding } from "./plan";
import type { PreparedRun } from "./host-types";
import { placeComponent } from "./transpile";
import type { ComponentResolver } from "./resolve";
import type { RunError } from "./types";

export async function prepareComposed(prepared: PreparedRun, topology: Topology, resolve: ComponentResolver): Promise<Result<PreparedRun, RunError>> {
  const { plan } = prepared;
  if (plan.services.length > 0 || plan.commands.length > 0)
    return err({ kind: "unsupported-node", message: "cannot compose the design into one component: a compiled container runs as its own guest (a WASI command)", nodeId: [...plan.services.map((s) => s.nodeId), ...plan.commands][0]! });
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const bytes = new Map<string, Uint8Array>();
  for (const id of plan.order) {
    const node = byId.get(id);
    if (!node) return err({ kind: "invalid-request", message: `node '${id}' of the plan is not in the design`, nodeId: id });
    const b = await resolve(node);
    if (!b.ok) return b;
    bytes.set(id, b.value);
  }
  const composed = composeGroup(plan, bytes);
  if (!composed.ok) return composed;
  // A member reaches the host when one of its imports is not wired to another member, or one of its providers does.
  const reachesHost = new Map<string, boolean>();
  for (const id of plan.order) {
    const node = plan.nodes[id]!;
    const names = componentImports(bytes.get(id)!);
    const own = !names.ok || names.value.some((imp) => node.bindings.find((b) => interfaceName(b.interface) === interfaceName(imp))?.provider.kind !== "node");
    reachesHost.set(id, own || node.bindings.some((b) => b.provider.kind === "node" && reachesHost.get(b.provider.nodeId) !== false));
  }
  const entry = plan.nodes[plan.entry.nodeId]!;
  const members = plan.order.map((id) => plan.nodes[id]!.name);
  // The composed component imports what the host serves its members: WASI (from the shim) and the key-value stores.
  const kv = new Map<string, Binding>();
  for (const id of plan.order) for (const b of plan.nodes[id]!.bindings) if (b.provider.kind === "keyvalue") kv.set(interfaceName(b.interface), b);
  const unit = { ...entry, name: `${members.join(" + ")} (composed)`, bindings: [...kv.values()] };
  const placed = placeComponent(composed.value, prepared.cacheDir);
  return ok({
    plan: { ...plan, order: [entry.id], nodes: { [entry.id]: unit } },
    transpiled: "transpiled" in placed ? new Map([[entry.id, placed.transpiled]]) : new Map(),
    pendingComponents: "file" in placed ? new Map([[entry.id, placed.file]]) : new Map(),
    cacheDir: prepared.cacheDir,
    commandFiles: new Map(),
    composed: {
      nodes: [...plan.order],
      hostFree: plan.order.filter((id) => reachesHost.get(id) === false),
      links: plan.order.flatMap((id) => plan.nodes[id]!.bindings.flatMap((b) => (b.provider.kind === "node" ? [{ linkId: b.provider.linkId, from: id, to: b.provider.nodeId }] : []))),
    },
  });
}
