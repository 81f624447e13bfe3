// Composes a connected group of components into one component: what a WAC
// composition of the group deploys (the export writes the same graph as a
// .wac file). Each member is nested whole, instantiated once, and its imports
// are the exports of the members wired into it, or the composed component's
// own imports where the host serves them (WASI, key-value: copied with their
// types by `component-prologue.ts`); the group exports the entry's interface. Once transpiled, the links inside are the canonical ABI's fused
// adapters (core wasm copying between the members' memories) instead of JS
// glue on both sides of every call.
// Pure: bytes in, bytes out; the component binary format is written directly.
import { err, ok, type Result } from "../result";
import { interfaceName } from "../graph/ports";
import type { RunPlan } from "./plan";
import type { RunError } from "./types";
import { encodeName as name, hostImports, leb, Reader, skipExternDesc, type HostImportsOf } from "./component-prologue";

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const SECTION = { component: 4, instance: 5, alias: 6, import: 10, export: 11 } as const;
const SORT_INSTANCE = 0x05;

const section = (id: number, body: number[]): Uint8Array => Uint8Array.from([id, ...leb(body.length), ...body]);

/** The names a component imports at its top level (exact, with versions); a core module or a malformed binary is an error. */
export function componentImports(bytes: Uint8Array): Result<string[], string> {
  const r = new Reader(bytes);
  try {
    const head = [...bytes.subarray(0, 8)];
    if (head.length < 8 || head.some((b, i) => b !== PREAMBLE[i])) return err("not a component (wrong preamble or layer)");
    r.pos = 8;
    const names: string[] = [];
    while (r.pos < bytes.length) {
      const id = r.byte();
      const size = r.u32();
      const end = r.pos + size;
      if (end > bytes.length) return err("a section runs past the end of the component");
      if (id === SECTION.import) {
        for (let n = r.u32(); n > 0; n--) {
          const form = r.byte(); // 0x00 name, 0x01 name with a version suffix
          names.push(r.string());
          if (form === 0x01) r.string();
          else if (form !== 0x00) return err(`unknown import name form 0x${form.toString(16)}`);
          skipExternDesc(r);
        }
      }
      r.pos = end;
    }
    return ok(names);
  } catch (e) {
    return err((e as Error).message);
  }
}

/**
 * One component from the plan's component nodes. An import wired to another
 * member is given that member's export; one the host serves (WASI, a
 * key-value store) becomes an import of the composed component, with its type,
 * shared by all members that import it. Compiled containers cannot be members
 * (they run as guests of their own), and neither can an import nothing serves.
 */
export function composeGroup(plan: RunPlan, bytes: ReadonlyMap<string, Uint8Array>): Result<Uint8Array, RunError> {
  const refuse = (message: string, nodeId?: string): Result<Uint8Array, RunError> =>
    err({ kind: "unsupported-node", message: `cannot compose the design into one component: ${message}`, ...(nodeId ? { nodeId } : {}) });
  if (plan.commands.length > 0 || plan.services.length > 0) return refuse("it uses compiled containers, which run as guests of their own", plan.commands[0] ?? plan.services[0]?.nodeId);
  // Identical members are nested once and instantiated as often as they appear.
  const componentIdx = new Map<string, number>();
  const nested: Uint8Array[] = [];
  const importsOf = new Map<string, string[]>();
  const hostNames = new Map<number, Set<string>>(); // nested member → imports the host serves it
  const kvProvider = new Map<string, string>(); // key-value import → the store node serving it
  for (const id of plan.order) {
    const node = plan.nodes[id]!;
    const b = bytes.get(id);
    if (!b) return refuse(`no component bytes for '${id}'`, id);
    let idx = nested.findIndex((x) => sameBytes(x, b));
    if (idx < 0) idx = nested.push(b) - 1;
    componentIdx.set(id, idx);
    const imports = componentImports(b);
    if (!imports.ok) return refuse(`'${node.name}': ${imports.error}`, id);
    importsOf.set(id, imports.value);
    for (const imp of imports.value) {
      const binding = node.bindings.find((x) => interfaceName(x.interface) === interfaceName(imp));
      if (binding?.provider.kind === "node") continue;
      if (binding?.provider.kind === "keyvalue") {
        const other = kvProvider.get(imp);
        if (other !== undefined && other !== binding.provider.nodeId)
          return refuse(`'${node.name}' imports ${imp} from '${binding.provider.nodeId}' and another member from '${other}'; one composed import cannot be two stores`, id);
        kvProvider.set(imp, binding.provider.nodeId);
      } else if (binding) return refuse(`'${node.name}' imports ${imp} from a ${binding.provider.kind} node`, id);
      else if (!imp.startsWith("wasi:") || imp.startsWith("wasi:keyvalue/")) return refuse(`'${node.name}' imports ${imp}, which nothing provides`, id);
      let names = hostNames.get(idx);
      if (!names) hostNames.set(idx, (names = new Set()));
      names.add(imp);
    }
  }
  let outer: ReturnType<typeof hostImports>;
  try {
    const members: HostImportsOf[] = [...hostNames].map(([idx, names]) => ({ member: plan.nodes[plan.order.find((id) => componentIdx.get(id) === idx)!]!.name, bytes: nested[idx]!, names }));
    outer = hostImports(members);
  } catch (e) {
    return refuse((e as Error).message);
  }
  const out: Uint8Array[] = [Uint8Array.from(PREAMBLE), ...outer.sections];
  for (const b of nested) out.push(Uint8Array.from([SECTION.component, ...leb(b.length)]), b);
  let instances = outer.instanceCount;
  const instanceOf = new Map<string, number>();
  for (const id of plan.order) {
    const node = plan.nodes[id]!;
    const args: number[] = [];
    const imports = importsOf.get(id)!;
    for (const imp of imports) {
      const host = outer.instances.get(imp);
      const b = node.bindings.find((x) => interfaceName(x.interface) === interfaceName(imp));
      if (b?.provider.kind !== "node") {
        args.push(...name(imp), SORT_INSTANCE, ...leb(host!));
        continue;
      }
      const provider = instanceOf.get(b.provider.nodeId);
      if (provider === undefined) return refuse(`'${node.name}' imports ${imp} from '${b.provider.nodeId}', which is not part of the group`, id);
      // The provider's export, as an instance of its own (an alias), is the argument.
      out.push(section(SECTION.alias, [1, SORT_INSTANCE, 0x00, ...leb(provider), ...name(b.provider.interface)]));
      args.push(...name(imp), SORT_INSTANCE, ...leb(instances++));
    }
    out.push(section(SECTION.instance, [1, 0x00, ...leb(componentIdx.get(id)!), ...leb(imports.length), ...args]));
    instanceOf.set(id, instances++);
  }
  const entry = instanceOf.get(plan.entry.nodeId);
  if (entry === undefined) return refuse(`the entry '${plan.entry.nodeId}' is not a component of the group`, plan.entry.nodeId);
  out.push(section(SECTION.alias, [1, SORT_INSTANCE, 0x00, ...leb(entry), ...name(plan.entry.interface)]));
  out.push(section(SECTION.export, [1, 0x00, ...name(plan.entry.interface), SORT_INSTANCE, ...leb(instances++), 0x00]));
  const total = out.reduce((a, b) => a + b.length, 0);
  const bin = new Uint8Array(total);
  let at = 0;
  for (const part of out) {
    bin.set(part, at);
    at += part.length;
  }
  return ok(bin);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
