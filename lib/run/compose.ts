// Composes a connected group of components into one component: what a WAC
// composition of the group deploys (the export writes the same graph as a
// .wac file). Each member is nested whole, instantiated once, and its imports
// are the exports of the members wired into it; the group exports the entry's
// interface. Once transpiled, the links inside are the canonical ABI's fused
// adapters (core wasm copying between the members' memories) instead of JS
// glue on both sides of every call.
// Pure: bytes in, bytes out; the component binary format is written directly.
import { err, ok, type Result } from "../result";
import { interfaceName } from "../graph/ports";
import type { RunPlan } from "./plan";
import type { RunError } from "./types";

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const SECTION = { component: 4, instance: 5, alias: 6, import: 10, export: 11 } as const;
const SORT_INSTANCE = 0x05;

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const name = (s: string): number[] => {
  const b = [...new TextEncoder().encode(s)];
  return [...leb(b.length), ...b];
};

const section = (id: number, body: number[]): Uint8Array => Uint8Array.from([id, ...leb(body.length), ...body]);

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error("unexpected end of the component");
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return n;
      shift += 7;
      if (shift > 35) throw new Error("malformed LEB128 number");
    }
  }
  string(): string {
    const len = this.u32();
    if (this.pos + len > this.bytes.length) throw new Error("name runs past the end of the component");
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
}

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

function skipExternDesc(r: Reader): void {
  const kind = r.byte();
  if (kind === 0x00) {
    r.byte(); // 0x11: a core module type
    r.u32();
  } else if (kind === 0x03) {
    if (r.byte() === 0x00) r.u32(); // eq typeidx, or sub resource
  } else if (kind <= 0x05) r.u32(); // func, value, component, instance: an index (or a primitive value type)
  else throw new Error(`unknown import kind 0x${kind.toString(16)}`);
}

/**
 * One component from the plan's component nodes: every import of every member
 * must be wired to another member (a group that still needs the host, e.g.
 * WASI or a key-value store, cannot stand alone and is refused as such).
 */
export function composeGroup(plan: RunPlan, bytes: ReadonlyMap<string, Uint8Array>): Result<Uint8Array, RunError> {
  const refuse = (message: string, nodeId?: string): Result<Uint8Array, RunError> =>
    err({ kind: "unsupported-node", message: `cannot compose the design into one component: ${message}`, ...(nodeId ? { nodeId } : {}) });
  if (plan.keyvalueStores.length > 0 || plan.commands.length > 0) return refuse("it uses key-value stores or compiled containers, which the host serves");
  const out: Uint8Array[] = [Uint8Array.from(PREAMBLE)];
  // Identical members are nested once and instantiated as often as they appear.
  const componentIdx = new Map<string, number>();
  const nested: Uint8Array[] = [];
  for (const id of plan.order) {
    const b = bytes.get(id);
    if (!b) return refuse(`no component bytes for '${id}'`, id);
    let idx = nested.findIndex((x) => sameBytes(x, b));
    if (idx < 0) {
      idx = nested.push(b) - 1;
      out.push(Uint8Array.from([SECTION.component, ...leb(b.length)]), b);
    }
    componentIdx.set(id, idx);
  }
  let instances = 0;
  const instanceOf = new Map<string, number>();
  for (const id of plan.order) {
    const node = plan.nodes[id]!;
    const imports = componentImports(bytes.get(id)!);
    if (!imports.ok) return refuse(`'${node.name}': ${imports.error}`, id);
    const args: number[] = [];
    for (const imp of imports.value) {
      const b = node.bindings.find((x) => interfaceName(x.interface) === interfaceName(imp));
      if (!b) return refuse(`'${node.name}' imports ${imp}, which no component of the design provides (the host would)`, id);
      if (b.provider.kind !== "node") return refuse(`'${node.name}' imports ${imp} from a ${b.provider.kind} node`, id);
      const provider = instanceOf.get(b.provider.nodeId);
      if (provider === undefined) return refuse(`'${node.name}' imports ${imp} from '${b.provider.nodeId}', which is not part of the group`, id);
      // The provider's export, as an instance of its own (an alias), is the argument.
      out.push(section(SECTION.alias, [1, SORT_INSTANCE, 0x00, ...leb(provider), ...name(b.provider.interface)]));
      args.push(...name(imp), SORT_INSTANCE, ...leb(instances++));
    }
    const n = imports.value.length;
    out.push(section(SECTION.instance, [1, 0x00, ...leb(componentIdx.get(id)!), ...leb(n), ...args]));
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
