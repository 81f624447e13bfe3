// Appends ahead-of-time translated blocks to the x86-64 core module
// (issue 13): one function per block (type (i32 Proc*, i32 Block*) -> i32),
// an element segment placing them in the indirect function table past the
// core's own entries, and a data segment with the lookup table the core
// consults when it builds a block (emulator/src/aot-run.c: open addressing by
// the FNV-1a hash of the block's bytes). The core's `trellis_aot` descriptor
// (found by its magic) is patched to point at the table. The result is still
// one portable WASI module; the artifact builder then adds config and rootfs
// past it as usual.

import { err, ok, type Result } from "../result";
import type { ArtifactError } from "./native-artifact";
import { leb, readLeb, readSleb32, section, sections, sleb32, type Section } from "./wasm-binary";

const AOT_MAGIC = Buffer.from("TRELLIS-AOT-V1\0\0", "latin1");
const WASM_PAGE = 65536;
/** How many helpers the core's descriptor lists (trellis_aot.helpers: rd, wr, step, cond, getcf, setlf). */
const HELPERS = 6;
/** The descriptor after its magic: version, table, slots, the helpers, and a non-zero last word. */
const DESCRIPTOR_FIELDS = 12 + 4 * HELPERS + 4;

export interface TranslatedBlock {
  hash: bigint;
  /** bytes | instructions << 16 */
  key: number;
  runs: number;
  inlined: number;
  insns: number;
  /** code-section entry: size, locals, code */
  code: Uint8Array;
}

/** Reads the translator's output (emulator/aot/translate.c: "TAOT", version 1). */
export function parseTranslations(b: Uint8Array): Result<TranslatedBlock[], ArtifactError> {
  const bad = (m: string) => err<ArtifactError>({ kind: "core-malformed", message: `translations: ${m}` });
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (buf.length < 12 || buf.toString("latin1", 0, 4) !== "TAOT" || buf.readUInt32LE(4) !== 1) return bad("not a TAOT v1 file");
  const count = buf.readUInt32LE(8);
  const out: TranslatedBlock[] = [];
  let p = 12;
  for (let i = 0; i < count; i++) {
    if (p + 28 > buf.length) return bad("truncated");
    const hash = buf.readBigUInt64LE(p);
    const key = buf.readUInt32LE(p + 8), runs = buf.readUInt32LE(p + 12), inlined = buf.readUInt32LE(p + 16), insns = buf.readUInt32LE(p + 20), size = buf.readUInt32LE(p + 24);
    p += 28;
    if (p + size > buf.length) return bad("truncated function");
    out.push({ hash, key, runs, inlined, insns, code: buf.subarray(p, p + size) });
    p += size;
  }
  return ok(out);
}

interface DataSeg {
  addr?: number;
  payload: Uint8Array;
}
function dataSegments(core: Uint8Array, data: Section): DataSeg[] {
  let [n, p] = readLeb(core, data.body);
  const out: DataSeg[] = [];
  for (let i = 0; i < n; i++) {
    let kind: number, addr: number | undefined, len: number;
    [kind, p] = readLeb(core, p);
    if (kind === 0 || kind === 2) {
      if (kind === 2) [, p] = readLeb(core, p);
      if (core[p] !== 0x41) throw new Error("data segment offset is not an i32.const");
      [addr, p] = readSleb32(core, p + 1);
      if (core[p++] !== 0x0b) throw new Error("data segment offset expression too long");
      addr >>>= 0;
    } else if (kind !== 1) throw new Error(`data segment kind ${kind}`);
    [len, p] = readLeb(core, p);
    out.push({ ...(addr !== undefined ? { addr } : {}), payload: core.subarray(p, p + len) });
    p += len;
  }
  return out;
}

/** The trellis_aot descriptor: its address and the bytes after the magic that the data segments hold. */
function findDescriptor(core: Uint8Array, data: Section): { addr: number; fields: Buffer } | undefined {
  const segs = dataSegments(core, data);
  for (const s of segs) {
    const at = Buffer.from(s.payload).indexOf(AOT_MAGIC);
    if (at < 0 || s.addr === undefined) continue;
    // The fields are read by address, as memory holds them after instantiation: the linker leaves runs of
    // zeros (the unpatched table and slot count) out of the data segments, so they can span several
    // segments or none; a byte no segment covers is 0.
    const addr = s.addr + at;
    const fields = Buffer.alloc(DESCRIPTOR_FIELDS);
    for (const t of segs) {
      if (t.addr === undefined) continue;
      const from = Math.max(t.addr, addr + 16), to = Math.min(t.addr + t.payload.length, addr + 16 + DESCRIPTOR_FIELDS);
      if (from < to) fields.set(t.payload.subarray(from - t.addr, to - t.addr), from - addr - 16);
    }
    return { addr, fields };
  }
  return undefined;
}

/** Table index -> function index, from the active element segments (i32.const offsets). */
function tableFunctions(core: Uint8Array, elem: Section | undefined): Map<number, number> {
  const map = new Map<number, number>();
  if (!elem) return map;
  let [n, p] = readLeb(core, elem.body);
  for (let i = 0; i < n; i++) {
    let flags: number;
    [flags, p] = readLeb(core, p);
    if (flags !== 0) throw new Error(`element segment flags ${flags} (only active funcref segments of table 0 are read)`);
    if (core[p] !== 0x41) throw new Error("element segment offset is not an i32.const");
    let off: number;
    [off, p] = readSleb32(core, p + 1);
    if (core[p++] !== 0x0b) throw new Error("element segment offset expression too long");
    let count: number;
    [count, p] = readLeb(core, p);
    for (let k = 0; k < count; k++) {
      let f: number;
      [f, p] = readLeb(core, p);
      map.set(off + k, f);
    }
  }
  return map;
}

/** Function indices of the helpers translated code calls directly (the translator's --helpers). */
export function helperFunctions(core: Uint8Array): Result<number[], ArtifactError> {
  try {
    const secs = sections(core);
    const data = secs.find((s) => s.id === 11);
    const desc = data && findDescriptor(core, data);
    if (!desc) return err({ kind: "core-malformed", message: "the core has no trellis_aot descriptor (built before translation support?)" });
    if (desc.fields.readUInt32LE(0) !== 1 || desc.fields.readUInt32LE(12 + 4 * HELPERS) === 0)
      return err({ kind: "core-malformed", message: "the trellis_aot descriptor is not version 1 or is cut short in the data segments" });
    const table = tableFunctions(core, secs.find((s) => s.id === 9));
    const out: number[] = [];
    for (let k = 0; k < HELPERS; k++) {
      const ti = desc.fields.readUInt32LE(12 + 4 * k);
      const f = table.get(ti);
      if (f === undefined) return err({ kind: "core-malformed", message: `helper ${k} (table index ${ti}) is not in the core's table` });
      out.push(f);
    }
    return ok(out);
  } catch (e) {
    return err({ kind: "core-malformed", message: (e as Error).message });
  }
}

/** The type index translated functions get when appended (the core's type count: appendTranslations adds the
 * type last); the translator needs it for the tail calls that chain blocks (emulator/aot/emit.c). */
export function blockTypeIndex(core: Uint8Array): Result<number, ArtifactError> {
  try {
    const types = sections(core).find((s) => s.id === 1);
    if (!types) return err({ kind: "core-malformed", message: "the core has no type section" });
    return ok(readLeb(core, types.body)[0]);
  } catch (e) {
    return err({ kind: "core-malformed", message: (e as Error).message });
  }
}

function countImportedFunctions(core: Uint8Array, imp: Section | undefined): number {
  if (!imp) return 0;
  let [n, p] = readLeb(core, imp.body);
  let funcs = 0;
  const limits = () => {
    const flags = core[p++]!;
    [, p] = readLeb(core, p);
    if (flags & 1) [, p] = readLeb(core, p);
  };
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 2; k++) {
      let len: number;
      [len, p] = readLeb(core, p);
      p += len;
    }
    const kind = core[p++]!;
    if (kind === 0) {
      [, p] = readLeb(core, p);
      funcs++;
    } else if (kind === 1) {
      p++;
      limits();
    } else if (kind === 2) limits();
    else if (kind === 3) p += 2;
    else throw new Error(`import kind ${kind}`);
  }
  return funcs;
}

/** Lookup table: 16-byte slots {u64 hash, u32 key, u32 table index}, a power of two of them, at most half full. */
export function buildLookupTable(blocks: { hash: bigint; key: number }[], firstIndex: number): { bytes: Buffer; slots: number } {
  let slots = 2;
  while (slots < blocks.length * 2) slots *= 2;
  const bytes = Buffer.alloc(slots * 16);
  const mask = BigInt(slots - 1);
  blocks.forEach((b, k) => {
    let i = Number(b.hash & mask);
    while (bytes.readUInt32LE(i * 16 + 12) !== 0) i = (i + 1) & (slots - 1);
    bytes.writeBigUInt64LE(b.hash, i * 16);
    bytes.writeUInt32LE(b.key, i * 16 + 8);
    bytes.writeUInt32LE(firstIndex + k, i * 16 + 12);
  });
  return { bytes, slots };
}

export interface AppendedCore {
  module: Uint8Array;
  functions: number;
  tableBytes: number;
}

/** The core with `blocks` appended (duplicates by hash + key dropped). */
export function appendTranslations(core: Uint8Array, blocks: TranslatedBlock[]): Result<AppendedCore, ArtifactError> {
  const bad = (m: string) => err<ArtifactError>({ kind: "core-malformed", message: m });
  try {
    const seen = new Set<string>();
    const fns = blocks.filter((b) => {
      const id = `${b.hash}:${b.key}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    const secs = sections(core);
    const get = (id: number) => secs.find((s) => s.id === id);
    const [types, funcs, table, mem, code, data] = [get(1), get(3), get(4), get(5), get(10), get(11)];
    if (!types || !funcs || !table || !mem || !code || !data) return bad("the core lacks a type, function, table, memory, code or data section");
    const nImported = countImportedFunctions(core, get(2));
    const [nDefined] = readLeb(core, funcs.body);
    const firstFunc = nImported + nDefined;
    // types: one more, (i32 i32) -> i32
    const [nTypes, typesRest] = readLeb(core, types.body);
    const typeBody = [leb(nTypes + 1), Buffer.from(core.subarray(typesRest, types.end)), Buffer.from([0x60, 2, 0x7f, 0x7f, 1, 0x7f])];
    // functions: all of the new type
    const funcBody = [leb(nDefined + fns.length), Buffer.from(core.subarray(readLeb(core, funcs.body)[1], funcs.end)), ...fns.map(() => leb(nTypes))];
    // table: grown by the new functions, which start at its old size
    let [nTables, tp] = readLeb(core, table.body);
    if (nTables !== 1 || core[tp] !== 0x70) return bad("the core does not have exactly one funcref table");
    tp++;
    const tflags = core[tp++]!;
    let tmin: number, tmax: number | undefined;
    [tmin, tp] = readLeb(core, tp);
    if (tflags & 1) [tmax, tp] = readLeb(core, tp);
    const tableBody = [leb(1), Buffer.from([0x70, tflags]), leb(tmin + fns.length), ...(tmax !== undefined ? [leb(tmax + fns.length)] : [])];
    // elements: one active segment at the old table size
    const elem = get(9);
    const newSeg = Buffer.concat([leb(0), Buffer.from([0x41]), sleb32(tmin), Buffer.from([0x0b]), leb(fns.length), ...fns.map((_, k) => leb(firstFunc + k))]);
    let elemBody: Buffer[];
    if (elem) {
      const [nElem, ep] = readLeb(core, elem.body);
      elemBody = [leb(nElem + 1), Buffer.from(core.subarray(ep, elem.end)), newSeg];
    } else elemBody = [leb(1), newSeg];
    // code
    const [nCode, cp] = readLeb(core, code.body);
    const codeBody = [leb(nCode + fns.length), Buffer.from(core.subarray(cp, code.end)), ...fns.map((f) => Buffer.from(f.code))];
    // memory: the lookup table goes past the core's initial memory, which grows to hold it
    let [nMem, mp] = readLeb(core, mem.body);
    if (nMem !== 1) return bad(`the core defines ${nMem} memories`);
    const mflags = core[mp++]!;
    let initial: number, max: number | undefined;
    [initial, mp] = readLeb(core, mp);
    if (mflags & 1) [max, mp] = readLeb(core, mp);
    const lookup = buildLookupTable(fns, tmin);
    const tableAddr = initial * WASM_PAGE;
    // one page more: wasi-libc's allocator writes its segment footer at the end
    // of the initial memory before main() claims the range (as planArtifact leaves)
    const newInitial = Math.ceil((tableAddr + lookup.bytes.length) / WASM_PAGE) + 1;
    const memBody = [leb(1), Buffer.from([mflags]), leb(newInitial), ...(max !== undefined ? [leb(Math.max(max, newInitial))] : [])];
    // data: the table, and the descriptor's fields over the zeros the core was built with
    const [nData, dataRest] = readLeb(core, data.body);
    const desc = findDescriptor(core, data);
    if (!desc) return bad("the core has no trellis_aot descriptor (built before translation support?)");
    const descAddr = desc.addr;
    const fields = Buffer.alloc(12);
    fields.writeUInt32LE(1, 0);
    fields.writeUInt32LE(tableAddr, 4);
    fields.writeUInt32LE(lookup.slots, 8);
    const seg = (addr: number, bytes: Buffer) => Buffer.concat([leb(0), Buffer.from([0x41]), sleb32(addr | 0), Buffer.from([0x0b]), leb(bytes.length), bytes]);
    const dataBody = [leb(nData + 2), Buffer.from(core.subarray(dataRest, data.end)), seg(descAddr + 16, fields), seg(tableAddr, lookup.bytes)];
    const out: Buffer[] = [Buffer.from(core.subarray(0, 8))];
    let elemWritten = !!elem;
    for (const s of secs) {
      // a new element section goes before the data count / code sections
      if (!elemWritten && (s.id === 12 || s.id === 10)) {
        out.push(...section(9, elemBody));
        elemWritten = true;
      }
      switch (s.id) {
        case 1: out.push(...section(1, typeBody)); break;
        case 3: out.push(...section(3, funcBody)); break;
        case 4: out.push(...section(4, tableBody)); break;
        case 5: out.push(...section(5, memBody)); break;
        case 9: out.push(...section(9, elemBody)); break;
        case 10: out.push(...section(10, codeBody)); break;
        case 11: out.push(...section(11, dataBody)); break;
        case 12: out.push(...section(12, [leb(nData + 2)])); break;
        default: out.push(Buffer.from(core.subarray(s.start, s.end)));
      }
    }
    return ok({ module: Buffer.concat(out), functions: fns.length, tableBytes: lookup.bytes.length });
  } catch (e) {
    return err({ kind: "core-malformed", message: (e as Error).message });
  }
}
