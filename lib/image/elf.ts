// Just enough ELF to say what an entrypoint is: class, byte order, machine,
// type, and whether it is static, static-pie or dynamic (with interpreter).

export interface ElfInfo {
  class: 32 | 64;
  endian: "little" | "big";
  machineId: number;
  machine: string;
  type: "exec" | "dyn" | "rel" | "core" | "other";
  linking: "static" | "static-pie" | "dynamic";
  interpreter?: string;
  entry: string;
}

const MACHINES: Record<number, string> = {
  3: "x86",
  8: "mips",
  20: "ppc",
  21: "ppc64",
  22: "s390",
  40: "arm",
  62: "x86-64",
  183: "aarch64",
  243: "riscv",
  258: "loongarch",
};

export const EM_X86_64 = 62;

export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

export function isElf(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/** Parses the ELF header and program headers. Returns a reason string for malformed files. */
export async function parseElf(read: ReadAt, fileSize: number): Promise<ElfInfo | string> {
  const h = Buffer.from(await read(0, Math.min(64, fileSize)));
  if (!isElf(h) || h.length < 52) return "not an ELF file";
  const cls = h[4] === 2 ? 64 : h[4] === 1 ? 32 : 0;
  if (!cls) return "bad ELF class";
  const le = h[5] === 1;
  if (!le && h[5] !== 2) return "bad ELF byte order";
  if (cls === 64 && h.length < 64) return "truncated ELF header";
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const etype = u16(h, 16);
  const machineId = u16(h, 18);
  const entry = cls === 64 ? (le ? h.readBigUInt64LE(24) : h.readBigUInt64BE(24)) : BigInt(u32(h, 24));
  const phoff = cls === 64 ? u64(h, 32) : u32(h, 28);
  const phentsize = u16(h, cls === 64 ? 54 : 42);
  const phnum = u16(h, cls === 64 ? 56 : 44);
  const type = etype === 2 ? "exec" : etype === 3 ? "dyn" : etype === 1 ? "rel" : etype === 4 ? "core" : "other";
  let interpreter: string | undefined;
  let hasDynamic = false;
  if (phnum > 0) {
    if (phentsize < (cls === 64 ? 56 : 32) || phoff + phnum * phentsize > fileSize) return "program headers out of bounds";
    const ph = Buffer.from(await read(phoff, phnum * phentsize));
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      const ptype = u32(ph, o);
      if (ptype === 2) hasDynamic = true;
      if (ptype === 3) {
        const off = cls === 64 ? u64(ph, o + 8) : u32(ph, o + 4);
        const sz = cls === 64 ? u64(ph, o + 32) : u32(ph, o + 16);
        if (off + sz > fileSize || sz > 4096) return "PT_INTERP out of bounds";
        interpreter = Buffer.from(await read(off, sz)).toString("latin1").replace(/\0.*$/s, "");
      }
    }
  }
  const linking = interpreter !== undefined ? "dynamic" : type === "dyn" && hasDynamic ? "static-pie" : "static";
  return {
    class: cls,
    endian: le ? "little" : "big",
    machineId,
    machine: MACHINES[machineId] ?? `unknown (${machineId})`,
    type,
    linking,
    ...(interpreter !== undefined ? { interpreter } : {}),
    entry: "0x" + entry.toString(16),
  };
}
