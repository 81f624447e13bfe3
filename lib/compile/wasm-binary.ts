// Minimal Wasm binary reading and writing: LEB128 numbers and the section list
// (shared by the artifact builder and the module rewriter for translations).

export function readLeb(b: Uint8Array, pos: number): [number, number] {
  let result = 0,
    shift = 0,
    p = pos;
  for (;;) {
    if (p >= b.length) throw new Error("truncated LEB128");
    const byte = b[p++]!;
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(byte & 0x80)) break;
    if (shift > 35) throw new Error("LEB128 too long");
  }
  return [result, p];
}
export function readSleb32(b: Uint8Array, pos: number): [number, number] {
  let result = 0,
    shift = 0,
    p = pos,
    byte: number;
  do {
    if (p >= b.length) throw new Error("truncated LEB128");
    byte = b[p++]!;
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80 && shift < 35);
  if (shift < 32 && byte & 0x40) result |= -1 << shift;
  return [result, p];
}
export function leb(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}
export function sleb32(n: number): Buffer {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) {
      out.push(byte);
      return Buffer.from(out);
    }
    out.push(byte | 0x80);
  }
}
export function section(id: number, body: Buffer[]): Buffer[] {
  const len = body.reduce((s, x) => s + x.length, 0);
  return [Buffer.from([id]), leb(len), ...body];
}

export interface Section {
  id: number;
  start: number; // first byte of the section id
  body: number; // first byte of the body
  end: number;
}

export function sections(core: Uint8Array): Section[] {
  if (core.length < 8 || Buffer.compare(Buffer.from(core.subarray(0, 8)), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])) !== 0)
    throw new Error("not a Wasm core module (bad magic or version)");
  const out: Section[] = [];
  let p = 8;
  while (p < core.length) {
    const id = core[p]!;
    const [len, body] = readLeb(core, p + 1);
    if (body + len > core.length) throw new Error(`section ${id} runs past the end`);
    out.push({ id, start: p, body, end: body + len });
    p = body + len;
  }
  return out;
}

