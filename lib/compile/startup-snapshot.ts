// Start-up snapshots of native artifacts (issue 13, step 4). The artifact is
// run once here with TRELLIS_SNAPSHOT=1: the core runs the guest with the
// artifact's own command until the guest's first system call that reaches or
// depends on the world outside it (output, input, waiting, the network, exit;
// emulator/src/snapshot.c lists them) and writes its linear memory to stdout
// there. The dump leaves out the core's decoded blocks (zeroed first; a
// resumed run decodes again) and the guest pages that still equal the rootfs
// bytes they were copied from at an exec or mmap: "links", which the core
// copies from the embedded rootfs at a resume (python3 -c pass: 2,266 pages,
// 9.3 MB, and 14.9 MB of decoded blocks, which took the dump from 27.7 MB to
// 3.3 MB). Its ranges above the embedded rootfs become data segments at their
// own addresses (a fresh start never allocates there); the static data and
// the heap below the rootfs, which a fresh start uses before it can compare
// inputs, go into a blob past everything else with the links and the small
// ranges, which the core copies at a resume, and the core's `trellis_snap`
// descriptor points at it. The rootfs itself becomes a passive data segment
// with a loader (memory.init) appended in a table slot, so instantiation no
// longer copies it: a resumed run copies the linked pages straight from it
// and the whole rootfs at its first file access, a normal start all of it
// before it begins. A run whose inputs (guest
// argv, environment, workdir, user, hostname, which of fds 0-2 are terminals)
// equal the snapshot run's resumes from it; any other run starts normally.
//
// What every run resumed from one snapshot shares: the random bytes and clock
// readings the guest took before the stop (AT_RANDOM, so the stack canary and
// pointer guard; getrandom, so e.g. Python's hash secret), and the artifact
// carries them.

import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { err, ok, type Result } from "../result";
import { childArgs } from "./native-artifact";
import { leb, readLeb, readSleb32, section, sections, sleb32 } from "./wasm-binary";

export type SnapshotErrorKind = "core-malformed" | "snapshot-failed";
export interface SnapshotError {
  kind: SnapshotErrorKind;
  message: string;
}

export interface StartupSnapshot {
  /** The artifact with the snapshot inside. */
  module: Uint8Array;
  /** The system call the guest stopped before (x86-64 number). */
  stopSyscall: number;
  /** Guest instructions PID 1 ran before the stop: what a resumed run skips. */
  instructions: number;
  /** Bytes of the dump (header, key and memory ranges) now in the module: its ranges above the
   *  embedded rootfs as data segments at their own addresses, the rest in the blob the core copies. */
  dumpBytes: number;
  /** The core's linear memory size when the snapshot was taken. */
  memoryBytes: number;
  /** The core's own line about it (stderr of the snapshot run). */
  log: string;
}

const SNAP_MAGIC = Buffer.from("TRELLIS-SNAP-V1\0", "latin1");
const DUMP_MAGIC = Buffer.from("TRELLIS-SNAPDUMP", "latin1");
const HEADER = 72;
const LINK = 12;
/** Runs shorter than this go into the blob the core copies rather than a data segment each. */
const SMALL_RUN = 512;
const MAX_SEGMENTS = 50_000;
const PAGE = 65536;

/** Runs `artifact` (a module with its rootfs embedded) to its first stop point and returns it with the snapshot inside. */
export async function takeStartupSnapshot(artifact: Uint8Array, o: { timeoutMs?: number } = {}): Promise<Result<StartupSnapshot, SnapshotError>> {
  const dir = await mkdtemp(join(tmpdir(), "trellis-snap-"));
  try {
    const file = join(dir, "artifact.wasm");
    await writeFile(file, artifact);
    const run = await runForDump(file, o.timeoutMs ?? 120_000);
    if (!run.ok) return run;
    return addSnapshot(artifact, run.value.dump, run.value.log);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export type SnapshotReport = Omit<StartupSnapshot, "module" | "log"> & { artifactBytes: { without: number; with: number } };

/** Takes the start-up snapshot of the artifact in `file` and writes the artifact with it back to `file`. */
export async function snapshotArtifactFile(file: string, o: { timeoutMs?: number } = {}): Promise<Result<SnapshotReport, SnapshotError>> {
  const { readFile } = await import("node:fs/promises");
  const plain = await readFile(file);
  const s = await takeStartupSnapshot(plain, o);
  if (!s.ok) return s;
  await writeFile(file, s.value.module);
  const { module, log, ...rest } = s.value;
  return ok({ ...rest, artifactBytes: { without: plain.length, with: module.length } });
}

/** One line for people about a snapshot report. */
export function snapshotLine(r: SnapshotReport): string {
  return (
    `start-up snapshot: taken before syscall ${r.stopSyscall} after ${r.instructions} guest instructions; ` +
    `artifact ${r.artifactBytes.with} bytes, ${r.artifactBytes.without} without (runs with the artifact's own arguments and environment resume from it; they share its random bytes)`
  );
}

function runForDump(file: string, timeoutMs: number): Promise<Result<{ dump: Buffer; log: string }, SnapshotError>> {
  // no preopens and no arguments: the artifact's own command, as a run without arguments starts it
  const cfg = { file, args: ["artifact.wasm"], env: { TRELLIS_SNAPSHOT: "1" }, preopens: {} };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, childArgs(cfg), { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => errs.push(b));
    child.on("error", (e) => resolve(err({ kind: "snapshot-failed", message: e.message })));
    child.on("close", (code) => {
      clearTimeout(timer);
      const dump = Buffer.concat(out);
      const log = Buffer.concat(errs).toString("utf8").trim();
      if (timedOut) resolve(err({ kind: "snapshot-failed", message: `the guest reached no stop point within ${timeoutMs} ms` }));
      else if (code !== 0 || dump.length < HEADER || !dump.subarray(0, 16).equals(DUMP_MAGIC))
        resolve(err({ kind: "snapshot-failed", message: `the snapshot run exited ${code} without a dump${log ? `: ${log}` : ""}` }));
      else resolve(ok({ dump, log }));
    });
  });
}

/** Puts a dump into the artifact it was taken from: a data segment past the dump's memory, and the descriptor pointing at it. */
export function addSnapshot(artifact: Uint8Array, dump: Buffer, log = ""): Result<StartupSnapshot, SnapshotError> {
  const bad = (message: string) => err({ kind: "core-malformed" as const, message });
  if (dump.length < HEADER || !dump.subarray(0, 16).equals(DUMP_MAGIC) || dump.readUInt32LE(16) !== 4) return bad("not a start-up snapshot dump (or one of another version)");
  const memEnd = dump.readUInt32LE(20);
  const keyLen = dump.readUInt32LE(24);
  const nruns = dump.readUInt32LE(28);
  const instructions = Number(dump.readBigUInt64LE(40));
  const stopSyscall = dump.readUInt32LE(48);
  const ncopy = dump.readUInt32LE(52);
  const nlinks = dump.readUInt32LE(56);
  const rootfsAddr = dump.readUInt32LE(60), rootfsLen = dump.readUInt32LE(64);
  // The blob the core reads at a resume: the header, the key, the links (pages it copies from the
  // rootfs), the first ncopy runs (static data, low heap) and the small runs. The other runs become
  // data segments at their own addresses (snapshot.c).
  const placed: { addr: number; bytes: Buffer }[] = [];
  const linksEnd = HEADER + keyLen + LINK * nlinks;
  if (linksEnd > dump.length) return bad("the dump is cut short");
  const blobParts: Buffer[] = [Buffer.from(dump.subarray(0, linksEnd))];
  let blobRuns = 0;
  {
    let at = linksEnd;
    for (let i = 0; i < nruns; i++) {
      if (at + 8 > dump.length) return bad("the dump is cut short");
      const addr = dump.readUInt32LE(at), len = dump.readUInt32LE(at + 4);
      if (at + 8 + len > dump.length || addr + len > memEnd) return bad("a dump range runs past its end");
      if (i < ncopy || len < SMALL_RUN) {
        blobParts.push(dump.subarray(at, at + 8 + len));
        blobRuns++;
      } else placed.push({ addr, bytes: dump.subarray(at + 8, at + 8 + len) });
      at += 8 + len;
    }
    if (at !== dump.length) return bad("the dump has bytes past its last range");
  }
  // V8 takes at most 100,000 data segments: past MAX_SEGMENTS the shortest runs go into the blob too.
  if (placed.length > MAX_SEGMENTS) {
    const keep = new Set([...placed].sort((x, y) => y.bytes.length - x.bytes.length).slice(0, MAX_SEGMENTS));
    for (const r of placed.filter((r) => !keep.has(r))) {
      const head = Buffer.alloc(8);
      head.writeUInt32LE(r.addr, 0);
      head.writeUInt32LE(r.bytes.length, 4);
      blobParts.push(head, r.bytes);
      blobRuns++;
    }
    placed.splice(0, placed.length, ...placed.filter((r) => keep.has(r)));
  }
  const blob = Buffer.concat(blobParts);
  blob.writeUInt32LE(blobRuns, 28);
  try {
    const secs = sections(artifact);
    const get = (id: number) => secs.find((x) => x.id === id);
    const mem = get(5);
    const data = get(11);
    if (!mem || !data) return bad("the module defines no memory or no data section");
    let [count, p] = readLeb(artifact, mem.body);
    if (count !== 1) return bad(`the module defines ${count} memories`);
    const flags = artifact[p++]!;
    if (flags & ~1) return bad(`unsupported memory flags ${flags}`);
    let initial: number, max: number | undefined;
    [initial, p] = readLeb(artifact, p);
    if (flags & 1) [max, p] = readLeb(artifact, p);
    // the data segments; the descriptor is in one of them, the embedded rootfs in another
    let descAddr: number | undefined;
    let q: number;
    [count, q] = readLeb(artifact, data.body);
    const segs: { start: number; end: number; addr?: number; bytesAt: number; len: number }[] = [];
    for (let i = 0; i < count; i++) {
      const start = q;
      let kind: number;
      [kind, q] = readLeb(artifact, q);
      let addr: number | undefined;
      if (kind === 0 || kind === 2) {
        if (kind === 2) [, q] = readLeb(artifact, q);
        if (artifact[q] !== 0x41) return bad("data segment offset is not an i32.const");
        [addr, q] = readSleb32(artifact, q + 1);
        if (artifact[q++] !== 0x0b) return bad("data segment offset expression too long");
        addr >>>= 0;
      } else if (kind !== 1) return bad(`data segment kind ${kind}`);
      let len: number;
      [len, q] = readLeb(artifact, q);
      if (descAddr === undefined && addr !== undefined) {
        const at = Buffer.from(artifact.buffer, artifact.byteOffset + q, len).indexOf(SNAP_MAGIC);
        if (at >= 0) descAddr = addr + at;
      }
      segs.push({ start, end: q + len, ...(addr !== undefined ? { addr } : {}), bytesAt: q, len });
      q += len;
    }
    if (descAddr === undefined) return bad("the core has no trellis_snap descriptor (built before start-up snapshots?)");
    const blobAddr = Math.ceil(memEnd / PAGE) * PAGE;
    const pages = Math.ceil((blobAddr + blob.length) / PAGE) + 1;
    if (pages > 65536) return bad("the snapshot does not fit in wasm32 memory");
    const seg = (addr: number, bytes: Uint8Array) => [leb(0), Buffer.from([0x41]), sleb32(addr | 0), Buffer.from([0x0b]), leb(bytes.length), Buffer.from(bytes)];
    // The rootfs becomes a passive segment (instantiation does not copy it): a resumed run copies only the
    // linked pages from it, and the whole of it on its first file access; a normal start copies it at once
    // (snapshot.c). `loader` is appended below: memory.init of that segment, reached through the table.
    const rfsSeg = rootfsLen ? segs.findIndex((x) => x.addr !== undefined && x.addr <= rootfsAddr && rootfsAddr + rootfsLen <= x.addr + x.len) : -1;
    const dataParts: Buffer[] = [];
    let extra: Buffer[] = [];
    let nSegs = count;
    segs.forEach((x, i) => {
      if (i !== rfsSeg) return dataParts.push(Buffer.from(artifact.subarray(x.start, x.end)));
      const off = rootfsAddr - x.addr!;
      dataParts.push(...seg(x.addr!, artifact.subarray(x.bytesAt, x.bytesAt + off))); // what precedes the rootfs (the config), same index
      const rest = x.len - off - rootfsLen;
      if (rest > 0) {
        extra.push(...seg(rootfsAddr + rootfsLen, artifact.subarray(x.bytesAt + off + rootfsLen, x.end)));
        nSegs++;
      }
    });
    const fields = Buffer.alloc(12);
    fields.writeUInt32LE(blobAddr, 0);
    fields.writeUInt32LE(blob.length, 4);
    extra = [...extra, ...placed.flatMap((r) => seg(r.addr, r.bytes)), ...seg(blobAddr, blob)];
    nSegs += placed.length + 1;
    const rewritten = new Map<number, Buffer[]>();
    if (rfsSeg >= 0) {
      const x = segs[rfsSeg]!;
      const off = rootfsAddr - x.addr!;
      const passiveIndex = nSegs + 1; // after the descriptor's fields
      const loader = appendLoader(artifact, secs, passiveIndex);
      if (!loader.ok) return loader;
      for (const [id, body] of loader.value.sections) rewritten.set(id, body);
      fields.writeUInt32LE(loader.value.tableIndex, 8);
      extra.push(...seg(descAddr + 20, fields), leb(1), leb(rootfsLen), Buffer.from(artifact.subarray(x.bytesAt + off, x.bytesAt + off + rootfsLen)));
      nSegs += 2;
    } else {
      extra.push(...seg(descAddr + 20, fields));
      nSegs += 1;
    }
    const dataBody = [leb(nSegs), ...dataParts, ...extra];
    const memBody = [leb(1), Buffer.from([flags]), leb(Math.max(initial, pages)), ...(max !== undefined ? [leb(Math.max(max, pages))] : [])];
    const parts: Buffer[] = [Buffer.from(artifact.subarray(0, 8))];
    let sawCount = false;
    for (const x of secs) {
      if (x.id === 10 && !sawCount && rfsSeg >= 0) parts.push(...section(12, [leb(nSegs)])); // memory.init needs a data count
      if (x.id === 12) sawCount = true;
      if (rewritten.has(x.id)) parts.push(...section(x.id, rewritten.get(x.id)!));
      else if (x.id === 5) parts.push(...section(5, memBody));
      else if (x.id === 11) parts.push(...section(11, dataBody));
      else if (x.id === 12) parts.push(...section(12, [leb(nSegs)]));
      else parts.push(Buffer.from(artifact.subarray(x.start, x.end)));
    }
    return ok({ module: Buffer.concat(parts), stopSyscall, instructions, dumpBytes: dump.length, memoryBytes: memEnd, log });
  } catch (e) {
    return bad((e as Error).message);
  }
}

type Sections = ReturnType<typeof sections>;

/** Appends `loader(dst, offset, len)`: memory.init of data segment `segment`, in one more table slot. Returns the
 *  rewritten type, function, table, element and code sections and the slot (snapshot.c calls it through the table). */
function appendLoader(m: Uint8Array, secs: Sections, segment: number): Result<{ sections: [number, Buffer[]][]; tableIndex: number }, SnapshotError> {
  const bad = (message: string) => err({ kind: "core-malformed" as const, message });
  const get = (id: number) => secs.find((x) => x.id === id);
  const types = get(1), funcs = get(3), table = get(4), code = get(10), imports = get(2);
  if (!types || !funcs || !table || !code) return bad("the core lacks a type, function, table or code section");
  // imported functions come first in the function index space
  let nImported = 0;
  if (imports) {
    let [n, p] = readLeb(m, imports.body);
    for (let i = 0; i < n; i++) {
      let l: number;
      [l, p] = readLeb(m, p);
      p += l;
      [l, p] = readLeb(m, p);
      p += l;
      const kind = m[p++]!;
      if (kind === 0) {
        [, p] = readLeb(m, p);
        nImported++;
      } else if (kind === 1) {
        p++;
        const f = m[p++]!;
        [, p] = readLeb(m, p);
        if (f & 1) [, p] = readLeb(m, p);
      } else if (kind === 2) {
        const f = m[p++]!;
        [, p] = readLeb(m, p);
        if (f & 1) [, p] = readLeb(m, p);
      } else if (kind === 3) p += 2;
      else return bad(`import kind ${kind}`);
    }
  }
  const [nTypes, typesRest] = readLeb(m, types.body);
  const typeBody = [leb(nTypes + 1), Buffer.from(m.subarray(typesRest, types.end)), Buffer.from([0x60, 3, 0x7f, 0x7f, 0x7f, 0])];
  const [nDefined, funcsRest] = readLeb(m, funcs.body);
  const funcBody = [leb(nDefined + 1), Buffer.from(m.subarray(funcsRest, funcs.end)), leb(nTypes)];
  let [nTables, tp] = readLeb(m, table.body);
  if (nTables !== 1 || m[tp] !== 0x70) return bad("the core does not have exactly one funcref table");
  tp++;
  const tflags = m[tp++]!;
  let tmin: number, tmax: number | undefined;
  [tmin, tp] = readLeb(m, tp);
  if (tflags & 1) [tmax, tp] = readLeb(m, tp);
  const tableBody = [leb(1), Buffer.from([0x70, tflags]), leb(tmin + 1), ...(tmax !== undefined ? [leb(Math.max(tmax, tmin + 1))] : [])];
  const elem = get(9);
  const newElem = Buffer.concat([leb(0), Buffer.from([0x41]), sleb32(tmin), Buffer.from([0x0b]), leb(1), leb(nImported + nDefined)]);
  const elemBody = elem ? [leb(readLeb(m, elem.body)[0] + 1), Buffer.from(m.subarray(readLeb(m, elem.body)[1], elem.end)), newElem] : [leb(1), newElem];
  // local.get 0 1 2; memory.init segment 0; end
  const fn = Buffer.concat([Buffer.from([0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 0x08]), leb(segment), Buffer.from([0, 0x0b])]);
  const [nCode, cp] = readLeb(m, code.body);
  const codeBody = [leb(nCode + 1), Buffer.from(m.subarray(cp, code.end)), leb(fn.length), fn];
  const out: [number, Buffer[]][] = [[1, typeBody], [3, funcBody], [4, tableBody], [10, codeBody]];
  if (elem) out.push([9, elemBody]);
  else return bad("the core has no element section"); // a new one would have to go between the table and the code sections
  return ok({ sections: out, tableIndex: tmin });
}
