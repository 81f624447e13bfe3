// A world's imports and exports as topology ports (lib/graph/types.ts).
//
// Port id scheme:
// - a named interface (`import wasi:http/outgoing-handler@0.2.0;`):
//   `imp:wasi:http/outgoing-handler` / `exp:…` — no version in the id; the
//   port's `interface` is the versioned name `wasi:http/outgoing-handler@0.2.0`.
// - anything with a plain name — an inline interface (`import host: interface {…}`),
//   a bare function (`export run: func();`), or a named interface under a plain
//   name (`import cache: wasi:keyvalue/store;`): `imp:<plain-name>` / `exp:<plain-name>`.
//   Plain names are kebab-case without `:` so they never collide with interface ids.
//   `interface` is the implemented interface for `cache: wasi:keyvalue/store`
//   (`wasi:keyvalue/store@…`), else the plain name itself.
// Implicit imports (interfaces pulled in because an import/export `use`s their
// types) are real imports of the component and get ports too.
import type { PortDirection, WitPort } from "../graph/types";
import type { ResolvedInterface, ResolvedWorld, WorldEntry } from "./model";

export interface WorldPort {
  port: WitPort;
  /** The interface the port carries (a single-function inline interface for bare functions). */
  interface: ResolvedInterface;
  entry: WorldEntry;
}

function portId(direction: PortDirection, entry: WorldEntry): string {
  const prefix = direction === "export" ? "exp" : "imp";
  if (entry.kind === "interface" && entry.plainName === undefined) return `${prefix}:${entry.interface.id}`;
  return `${prefix}:${entry.plainName}`;
}

/** The interface a world entry carries; bare functions are wrapped in an inline interface named after them. */
export function entryInterface(entry: WorldEntry): ResolvedInterface {
  if (entry.kind === "interface") return entry.interface;
  return {
    name: entry.plainName, id: entry.plainName, qualifiedName: entry.plainName, inline: true,
    types: [], functions: [entry.func], uses: [], docs: entry.func.docs, gates: entry.func.gates, span: entry.span,
  };
}

export function worldPorts(world: ResolvedWorld): WorldPort[] {
  const out: WorldPort[] = [];
  for (const [direction, list] of [["import", world.imports], ["export", world.exports]] as const) {
    for (const entry of list) {
      const iface = entryInterface(entry);
      const label = entry.kind === "interface" && !entry.interface.inline ? entry.interface.qualifiedName : entry.key;
      out.push({ port: { id: portId(direction, entry), kind: "wit", direction, interface: label }, interface: iface, entry });
    }
  }
  return out;
}

/** Topology ports for a world: imports (target handles) first, then exports (source handles). */
export function portsFromWorld(world: ResolvedWorld): WitPort[] {
  return worldPorts(world).map((p) => p.port);
}
