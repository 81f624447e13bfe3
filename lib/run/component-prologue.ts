// The imports a composed component takes from the host, with their types.
// A member component declares each import in its prologue (the type, import
// and alias sections before its first core module): an instance type per
// interface, whose resources later types reach through `alias export` and
// `alias outer`. The composition copies the entries its host imports need
// into the outer component, renumbering type and instance indices, and shares
// an interface that several members import when its type is the same.
// Pure: bytes in, bytes out (component binary format, read and written directly).

export const SECTION = { type: 7, alias: 6, import: 10 } as const;
const SORT_TYPE = 0x03;
const EXTERN_INSTANCE = 0x05;

export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

export const encodeName = (s: string): number[] => {
  const b = [...new TextEncoder().encode(s)];
  return [...leb(b.length), ...b];
};

export class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error("unexpected end of the component");
    return this.bytes[this.pos++]!;
  }
  peek(): number {
    if (this.pos >= this.bytes.length) throw new Error("unexpected end of the component");
    return this.bytes[this.pos]!;
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
  slice(from: number): number[] {
    return [...this.bytes.subarray(from, this.pos)];
  }
}

/** One entry of a member's prologue, as read. */
type Entry =
  | { kind: "type"; at: number; end: number }
  | { kind: "import"; name: string; nameBytes: number[]; typeIdx: number }
  | { kind: "alias-type"; instance: number; name: string };

/** The prologue entries of a component, in order; anything a prologue does not hold ends it. */
function readPrologue(bytes: Uint8Array): Entry[] {
  const r = new Reader(bytes);
  r.pos = 8;
  const entries: Entry[] = [];
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) throw new Error("a section runs past the end of the component");
    if (id === SECTION.type) {
      for (let n = r.u32(); n > 0; n--) {
        const at = r.pos;
        skipDefType(r, 0);
        entries.push({ kind: "type", at, end: r.pos });
      }
    } else if (id === SECTION.import) {
      for (let n = r.u32(); n > 0; n--) {
        const from = r.pos;
        const form = r.byte();
        const name = r.string();
        if (form === 0x01) r.string();
        else if (form !== 0x00) throw new Error(`unknown import name form 0x${form.toString(16)}`);
        const nameBytes = r.slice(from);
        const kind = r.byte();
        if (kind !== EXTERN_INSTANCE) throw new Error(`import ${name} is not an instance (kind 0x${kind.toString(16)}); only interface imports can be composed`);
        entries.push({ kind: "import", name, nameBytes, typeIdx: r.u32() });
      }
    } else if (id === SECTION.alias) {
      for (let n = r.u32(); n > 0; n--) {
        const sort = r.byte();
        const target = r.byte();
        if (sort !== SORT_TYPE || target !== 0x00) {
          r.pos = start;
          return entries; // an alias of another kind: the prologue is over
        }
        entries.push({ kind: "alias-type", instance: r.u32(), name: r.string() });
      }
    } else {
      r.pos = start;
      return entries;
    }
    if (r.pos !== end) throw new Error(`section ${id} is ${size} bytes but its entries take ${r.pos - (end - size)}`);
  }
  return entries;
}

/** Skips one type definition; `depth` 0 is the component's own level. Only what interface types use is understood. */
function skipDefType(r: Reader, depth: number): void {
  const b = r.peek();
  if (b === 0x42) {
    r.byte();
    for (let n = r.u32(); n > 0; n--) skipInstanceDecl(r, depth + 1);
  } else if (b === 0x40 || b === 0x43) {
    r.byte();
    for (let n = r.u32(); n > 0; n--) {
      r.string();
      skipValType(r);
    }
    const results = r.byte();
    if (results === 0x00) skipValType(r);
    else if (results === 0x01) {
      if (r.byte() !== 0x00) throw new Error("named function results are not supported");
    } else throw new Error(`unknown function result form 0x${results.toString(16)}`);
  } else if (b === 0x41 || b === 0x3f || b === 0x3e) throw new Error(`type 0x${b.toString(16)} (a component or resource type) in an import is not supported`);
  else skipDefValType(r);
}

function skipInstanceDecl(r: Reader, depth: number): void {
  const tag = r.byte();
  if (tag === 0x01) skipDefType(r, depth);
  else if (tag === 0x02) {
    const sort = r.byte();
    if (sort === 0x00) r.byte();
    const target = r.byte();
    if (target !== 0x02) throw new Error("only outer aliases can appear in an instance type");
    r.u32();
    r.u32();
  } else if (tag === 0x04) {
    const form = r.byte();
    r.string();
    if (form === 0x01) r.string();
    skipExternDesc(r);
  } else throw new Error(`instance type declaration 0x${tag.toString(16)} is not supported`);
}

export function skipExternDesc(r: Reader): void {
  const kind = r.byte();
  if (kind === 0x00) {
    r.byte(); // 0x11: a core module type
    r.u32();
  } else if (kind === 0x02) skipValType(r);
  else if (kind === 0x03) {
    if (r.byte() === 0x00) r.u32(); // eq typeidx, or sub resource
  } else if (kind <= 0x05) r.u32(); // func, component, instance: a type index
  else throw new Error(`unknown import kind 0x${kind.toString(16)}`);
}

function skipValType(r: Reader): void {
  const b = r.peek();
  if (!(b & 0x80) && b & 0x40) r.byte(); // a primitive (a negative s33)
  else r.u32(); // a type index
}

function skipOptValType(r: Reader): void {
  if (r.byte() === 0x01) skipValType(r);
}

function skipDefValType(r: Reader): void {
  const b = r.byte();
  if ((b >= 0x73 && b <= 0x7f) || b === 0x64) return;
  const labels = () => {
    for (let n = r.u32(); n > 0; n--) r.string();
  };
  switch (b) {
    case 0x72: // record
      for (let n = r.u32(); n > 0; n--) {
        r.string();
        skipValType(r);
      }
      return;
    case 0x71: // variant
      for (let n = r.u32(); n > 0; n--) {
        r.string();
        skipOptValType(r);
        if (r.byte() !== 0x00) throw new Error("variant case refinements are not supported");
      }
      return;
    case 0x70: // list
    case 0x6b: // option
      skipValType(r);
      return;
    case 0x67: // fixed-size list
      skipValType(r);
      r.u32();
      return;
    case 0x6f: // tuple
      for (let n = r.u32(); n > 0; n--) skipValType(r);
      return;
    case 0x6e: // flags
    case 0x6d: // enum
      labels();
      return;
    case 0x6a: // result
      skipOptValType(r);
      skipOptValType(r);
      return;
    case 0x69: // own
    case 0x68: // borrow
      r.u32();
      return;
    case 0x66: // stream
    case 0x65: // future
      skipOptValType(r);
      return;
    default:
      throw new Error(`unknown value type 0x${b.toString(16)}`);
  }
}

/** Copies an instance type, pointing its outer aliases (to the member's level) at `map`'s indices; undefined when one has no image. */
function copyInstanceType(bytes: Uint8Array, at: number, end: number, map: (idx: number) => number | undefined): number[] | undefined {
  const r = new Reader(bytes.subarray(0, end));
  r.pos = at;
  if (r.byte() !== 0x42) return undefined; // not an instance type: never needed by an interface import
  const out: number[] = [0x42];
  const n = r.u32();
  out.push(...leb(n));
  for (let i = 0; i < n; i++) {
    const from = r.pos;
    if (r.peek() === 0x02) {
      r.byte();
      const sort = r.byte();
      const core = sort === 0x00 ? r.byte() : undefined;
      r.byte(); // 0x02 outer
      const ct = r.u32();
      const idx = r.u32();
      let to = idx;
      if (ct === 1) {
        if (sort !== SORT_TYPE) return undefined;
        const m = map(idx);
        if (m === undefined) return undefined;
        to = m;
      }
      out.push(0x02, sort, ...(core === undefined ? [] : [core]), 0x02, ...leb(ct), ...leb(to));
    } else {
      skipInstanceDecl(r, 1);
      out.push(...r.slice(from));
    }
  }
  return out;
}

/** A member whose imports (some of them) the composed component takes from the host. */
export interface HostImportsOf {
  member: string;
  bytes: Uint8Array;
  /** Exact import names (with versions) the host serves to this member. */
  names: ReadonlySet<string>;
}

export interface OuterImports {
  /** Type, import and alias sections for the start of the outer component. */
  sections: Uint8Array[];
  typeCount: number;
  instanceCount: number;
  /** Import name → the outer instance holding it (what members are instantiated with). */
  instances: Map<string, number>;
}

const section = (id: number, items: number[][]): Uint8Array => {
  const body = [...leb(items.length), ...items.flat()];
  return Uint8Array.from([id, ...leb(body.length), ...body]);
};

/**
 * The outer component's imports for `members` (in order): each needed import
 * once, with its type and the resource types it depends on. Two members
 * importing one name share it when its type is the same; else an error says so.
 */
export function hostImports(members: HostImportsOf[]): OuterImports {
  const sections: Uint8Array[] = [];
  let types = 0;
  let instances = 0;
  const byName = new Map<string, { instance: number; type: number[]; member: string }>();
  const aliasOf = new Map<string, number>(); // `${outer instance}/${name}` → outer type index
  for (const m of members) {
    const typeMap: Array<number | undefined> = [];
    const instMap: Array<number | undefined> = [];
    const typeBytes = new Map<number, number[]>();
    const pending: Array<{ id: number; items: number[][] }> = [];
    const emit = (id: number, item: number[]) => {
      const last = pending.at(-1);
      if (last && last.id === id) last.items.push(item);
      else pending.push({ id, items: [item] });
    };
    for (const e of readPrologue(m.bytes)) {
      if (e.kind === "type") {
        const copy = copyInstanceType(m.bytes, e.at, e.end, (i) => typeMap[i]);
        if (copy) {
          typeBytes.set(types, copy);
          emit(SECTION.type, copy);
          typeMap.push(types++);
        } else typeMap.push(undefined); // not needed unless an import below uses it (then that import fails)
      } else if (e.kind === "import") {
        if (!m.names.has(e.name)) {
          instMap.push(undefined);
          continue;
        }
        const t = typeMap[e.typeIdx];
        const type = t === undefined ? undefined : typeBytes.get(t);
        if (t === undefined || !type) throw new Error(`'${m.member}' imports ${e.name} with a type that depends on an import wired inside the group`);
        const shared = byName.get(e.name);
        if (shared) {
          if (!sameItems(shared.type, type)) throw new Error(`'${m.member}' and '${shared.member}' import ${e.name} with different types`);
          instMap.push(shared.instance);
          continue;
        }
        emit(SECTION.import, [...e.nameBytes, EXTERN_INSTANCE, ...leb(t)]);
        byName.set(e.name, { instance: instances, type, member: m.member });
        instMap.push(instances++);
      } else {
        const inst = instMap[e.instance];
        if (inst === undefined) {
          typeMap.push(undefined);
          continue;
        }
        const key = `${inst}/${e.name}`;
        let t = aliasOf.get(key);
        if (t === undefined) {
          emit(SECTION.alias, [SORT_TYPE, 0x00, ...leb(inst), ...encodeName(e.name)]);
          aliasOf.set(key, (t = types++));
        }
        typeMap.push(t);
      }
    }
    for (const name of m.names) if (!byName.has(name)) throw new Error(`'${m.member}' has no import ${name} in its prologue`);
    for (const p of pending) sections.push(section(p.id, p.items));
  }
  return { sections, typeCount: types, instanceCount: instances, instances: new Map([...byName].map(([k, v]) => [k, v.instance])) };
}

function sameItems(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
