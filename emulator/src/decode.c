// x86-64 instruction decoder: code bytes -> D (prefixes, opcode, ModRM/SIB
// operands, displacement, immediates, length, flags read and written). It
// reads no guest register, so what it yields can be cached and executed
// many times (dcache.c); effective addresses are computed at execute time.
#include "cpu-internal.h"

// Operand forms per opcode: a ModRM byte, and the kind of immediate.
enum { MODRM = 0x80 };
enum {
  I_NONE,
  I_B,   // imm8
  I_W,   // imm16
  I_Z,   // imm16 or imm32 by operand size
  I_V,   // imm16/32/64 by operand size (MOV r, imm)
  I_D,   // imm32 whatever the operand size (rel32)
  I_O,   // moffs: address-size offset
  I_WB,  // imm16 then imm8 (ENTER)
  I_G3,  // F6/F7: an immediate (imm8 / imm-z) only for /0 and /1
};

static u8 form[0x400];

static void set(int lo, int hi, u8 f) {
  for (int i = lo; i <= hi; i++) form[i] = f;
}

static void init_forms(void) {
  // one-byte map
  for (int row = 0; row < 0x40; row += 8) {
    set(row, row + 3, MODRM);
    form[row + 4] = I_B;
    form[row + 5] = I_Z;
  }
  form[0x63] = MODRM;
  form[0x68] = I_Z;
  form[0x69] = MODRM | I_Z;
  form[0x6a] = I_B;
  form[0x6b] = MODRM | I_B;
  set(0x70, 0x7f, I_B);
  form[0x80] = MODRM | I_B;
  form[0x81] = MODRM | I_Z;
  form[0x83] = MODRM | I_B;
  set(0x84, 0x8f, MODRM);
  set(0xa0, 0xa3, I_O);
  form[0xa8] = I_B;
  form[0xa9] = I_Z;
  set(0xb0, 0xb7, I_B);
  set(0xb8, 0xbf, I_V);
  form[0xc0] = form[0xc1] = MODRM | I_B;
  form[0xc2] = I_W;
  form[0xc6] = MODRM | I_B;
  form[0xc7] = MODRM | I_Z;
  form[0xc8] = I_WB;
  form[0xca] = I_W;
  form[0xcd] = I_B;
  set(0xd0, 0xd3, MODRM);
  set(0xd8, 0xdf, MODRM);
  set(0xe0, 0xe7, I_B);
  form[0xe8] = form[0xe9] = I_D;
  form[0xeb] = I_B;
  form[0xf6] = form[0xf7] = MODRM | I_G3;
  form[0xfe] = form[0xff] = MODRM;
  // 0F map: everything with operands takes ModRM except the rows below
  set(0x100, 0x1ff, MODRM);
  set(0x104, 0x10c, I_NONE); // syscall, clts, sysret, invd, wbinvd, ud2 ...
  form[0x10e] = form[0x10f] = I_NONE;
  set(0x130, 0x137, I_NONE); // wrmsr, rdtsc, rdmsr, rdpmc, sysenter, sysexit, getsec
  form[0x177] = I_NONE;      // emms
  set(0x170, 0x173, MODRM | I_B);
  set(0x180, 0x18f, I_D);
  set(0x1a0, 0x1a2, I_NONE); // push/pop fs, cpuid
  set(0x1a8, 0x1aa, I_NONE); // push/pop gs, rsm
  form[0x1a4] = form[0x1ac] = MODRM | I_B;
  form[0x1ba] = MODRM | I_B;
  set(0x1c2, 0x1c6, MODRM | I_B);
  form[0x1c3] = MODRM; // movnti
  set(0x1c8, 0x1cf, I_NONE); // bswap
  set(0x200, 0x2ff, MODRM);
  set(0x300, 0x3ff, MODRM | I_B);
}

// C4/C5 and the VEX payload after them: R/X/B/W go into `rex` (so ModRM
// and SIB decode as with REX), pp into `pfx66`/`rep`, mmmmm picks the map.
// Returns nonzero when the instruction must raise #UD: a 66/F2/F3/REX/LOCK
// prefix before VEX, or a reserved map.
static int vex_prefix(D *d, const u8 **ipp, int c, int legacy) {
  const u8 *ip = *ipp;
  u8 v1 = *ip++, v2 = v1;
  int w = 0, x = 0, bb = 0, map = 1;
  int r = !(v1 & 0x80);
  if (c == 0xc4) {
    x = !(v1 & 0x40);
    bb = !(v1 & 0x20);
    map = v1 & 0x1f;
    v2 = *ip++;
    w = v2 >> 7;
  }
  int pp = v2 & 3, bad = legacy;
  d->vex = 1;
  d->vvvv = (u8)((~v2 >> 3) & 15);
  d->vl = (u8)((v2 >> 2) & 1);
  d->pfx66 = pp == 1;
  d->rep = pp == 2 ? 0xf3 : pp == 3 ? 0xf2 : 0;
  d->rex = (u8)(0x40 | (w << 3) | (r << 2) | (x << 1) | bb);
  d->osz = w ? 8 : 4; // general-register operands: VEX.W, never 16-bit
  if (map < 1 || map > 3) {
    bad = 1;
    map = 1;
  }
  d->op = (u16)(0x400 + ((map - 1) << 8) + *ip++);
  *ipp = ip;
  return bad;
}

// Operand form of a VEX opcode: ModRM for all but VZEROUPPER/VZEROALL;
// imm8 for the whole 0F3A map and the 0F rows that take one.
static u8 vex_form(int op) {
  if (op == 0x477) return I_NONE;
  if (op >= 0x600) return MODRM | I_B;
  switch (op) {
  case 0x470: case 0x471: case 0x472: case 0x473: case 0x4c2: case 0x4c4: case 0x4c5: case 0x4c6:
    return MODRM | I_B;
  }
  return MODRM;
}

// Flags a condition code reads.
static u16 cc_flags(int cc) {
  static const u16 t[8] = {OF, CF, ZF, CF | ZF, SF, PF, SF | OF, ZF | SF | OF};
  return t[(cc >> 1) & 7];
}

// Architectural flags read and written, for flag liveness. Writes that may
// not happen (a shift by CL, REP string compares) count as no write.
static void flags_of(D *d) {
  int op = d->op, o = d->reg & 7;
  u16 fr = FL_ALL, fw = 0;
  if (d->vex) { // none reads the flags; BMI's ANDN/BLS*/BZHI/BEXTR (pp none), the compares, tests and string compares write all
    int none = !d->pfx66 && !d->rep;
    d->fr = 0;
    d->fw = ((op == 0x5f2 || op == 0x5f3 || op == 0x5f5 || op == 0x5f7) && none) || op == 0x42e || op == 0x42f ||
                    op == 0x50e || op == 0x50f || op == 0x517 || (op >= 0x660 && op <= 0x663)
                ? FL_ALL
                : 0;
    return;
  }
  if (op < 0x40 && (op & 7) < 6) {
    int a = op >> 3;
    fr = (a == 2 || a == 3) ? CF : 0;
    fw = FL_ALL;
  } else if (op == 0x80 || op == 0x81 || op == 0x83) {
    fr = (o == 2 || o == 3) ? CF : 0;
    fw = FL_ALL;
  } else if (op == 0x84 || op == 0x85 || op == 0xa8 || op == 0xa9 || op == 0x69 || op == 0x6b || op == 0x1af ||
             op == 0x1bc || op == 0x1bd || op == 0x1b8 || op == 0x1b0 || op == 0x1b1 || op == 0x1c0 || op == 0x1c1 ||
             op == 0x12e || op == 0x12f || op == 0x217 || (op >= 0x360 && op <= 0x363)) {
    fr = 0;
    fw = FL_ALL;
  } else if ((op >= 0x70 && op <= 0x7f) || (op >= 0x180 && op <= 0x18f) || (op >= 0x140 && op <= 0x14f) ||
             (op >= 0x190 && op <= 0x19f)) {
    fr = cc_flags(op & 15);
  } else if (op == 0xf6 || op == 0xf7) {
    fr = 0;
    fw = (o == 2 || o >= 6) ? 0 : FL_ALL;
  } else if (op == 0xfe || op == 0xff) {
    fr = 0;
    fw = o < 2 ? FL_ALL & ~CF : 0;
  } else if (op == 0xc0 || op == 0xc1 || op == 0xd0 || op == 0xd1) {
    unsigned cnt = op >= 0xd0 ? 1 : (unsigned)(d->imm & (d->osz == 8 && (op & 1) ? 63 : 31));
    fr = (o == 2 || o == 3) ? CF : 0;
    fw = cnt == 0 || (o == 2 || o == 3) ? 0 : o < 2 ? (CF | OF) : FL_ALL;
  } else if (op == 0xd2 || op == 0xd3) {
    fr = (o == 2 || o == 3) ? CF : 0;
  } else if (op == 0x1a3 || op == 0x1ab || op == 0x1b3 || op == 0x1bb || op == 0x1ba || op == 0xf8 || op == 0xf9) {
    fr = 0;
    fw = CF;
  } else if (op == 0xf5) {
    fr = fw = CF;
  } else if (op == 0x9e) {
    fr = 0;
    fw = SF | ZF | AF | PF | CF;
  } else if (op == 0x9f) {
    fr = SF | ZF | AF | PF | CF;
  } else if (op == 0x9d) {
    fr = 0;
    fw = FL_ALL;
  } else if (op == 0xa6 || op == 0xa7 || op == 0xae || op == 0xaf) {
    fr = 0;
    fw = d->rep ? 0 : FL_ALL;
  } else if (op == 0xe0 || op == 0xe1) {
    fr = ZF;
  } else if ((op >= 0x88 && op <= 0x8d) || (op >= 0x50 && op <= 0x5f) || (op >= 0xb0 && op <= 0xbf) ||
             op == 0xc6 || op == 0xc7 || op == 0x63 || op == 0x1b6 || op == 0x1b7 || op == 0x1be || op == 0x1bf ||
             op == 0xe8 || op == 0xe9 || op == 0xeb || op == 0xc3 || op == 0x90 || op == 0x98 || op == 0x99 ||
             (op >= 0x110 && op <= 0x117) || op == 0x128 || op == 0x129 || op == 0x16f || op == 0x17f ||
             op == 0x16e || op == 0x17e || op == 0x1d6 || op == 0x11f || op >= 0x200) {
    fr = 0; // moves, pushes/pops of registers, direct jumps and calls, nops, the other 0F 38 / 0F 3A rows
  }
  d->fr = fr;
  d->fw = fw;
}

extern Exec exec_table[0x400];
int op_ill(Proc *p, Cpu *c, Mem *m, D *d);

// Does executing `op` (with ModRM reg `o`) possibly change RIP other than to
// the next instruction, or change what the block cache may assume (syscall)?
static int ends_block(int op, int o) {
  if ((op >= 0x70 && op <= 0x7f) || (op >= 0x180 && op <= 0x18f) || (op >= 0xe0 && op <= 0xe3)) return END_COND;
  switch (op) {
  case 0xc2: case 0xc3: case 0xca: case 0xcb: case 0xcc: case 0xcd: case 0xcf: case 0xe8: case 0xe9: case 0xea:
  case 0xeb: case 0xf4: case 0x105: case 0x10b: case 0x9a:
    return END_BLOCK;
  case 0xff: return o >= 2 && o <= 5 ? END_BLOCK : END_NO;
  }
  return END_NO;
}

// Decodes the instruction at guest address `addr` whose bytes are `b`
// (`avail` of them readable, at most 16). Never fails: an instruction that
// cannot run gets `bad` set and ends its block.
void decode(D *d, const u8 *b, int avail, u64 addr) {
  static int ready;
  if (!ready) {
    init_forms();
    ready = 1;
  }
  u8 buf[48]; // zero-padded copy: the decoder may look past what is readable
  memset(buf, 0, sizeof buf);
  memcpy(buf, b, avail > 16 ? 16 : avail);
  b = buf;
  const u8 *ip = b;
  memset(d, 0, sizeof *d);
  d->start = addr;
  d->avail = (u8)avail;
  d->osz = 4;
  d->asz = 8;
  d->base = d->index = NOREG;
  int c, lock = 0, sawrex = 0;
  for (;;) {
    c = *ip++;
    if (ip - b > 15) break; // only prefixes: too long (BAD_ILL below)
    switch (c) {
    case 0x66: d->pfx66 = 1; d->osz = 2; d->rex = 0; continue;
    case 0x67: d->asz = 4; d->rex = 0; continue;
    case 0xf2: case 0xf3: d->rep = (u8)c; d->rex = 0; continue;
    case 0xf0: lock = 1; d->rex = 0; continue;
    case 0x2e: case 0x3e: case 0x26: case 0x36: d->rex = 0; continue;
    case 0x64: d->seg = 4; d->rex = 0; continue;
    case 0x65: d->seg = 5; d->rex = 0; continue;
    }
    if ((c & 0xf0) == 0x40) {
      d->rex = (u8)c;
      sawrex = 1;
      if (c & 8) d->osz = 8;
      continue;
    }
    break;
  }
  if (d->rex && !(d->rex & 8) && d->pfx66) d->osz = 2;
  int op = c, vbad = 0;
  u8 f;
  if (c == 0xc4 || c == 0xc5) { // VEX (in 64-bit mode never LES/LDS)
    vbad = vex_prefix(d, &ip, c, d->pfx66 || d->rep || sawrex || lock);
    op = d->op;
    f = vex_form(op);
  } else {
    if (c == 0x0f) {
      op = 0x100 | *ip++;
      if (op == 0x138) op = 0x200 | *ip++;
      else if (op == 0x13a) op = 0x300 | *ip++;
    }
    d->op = (u16)op;
    f = form[op];
  }
  if (f & MODRM) {
    u8 mb = *ip++;
    d->mod = mb >> 6;
    d->reg = ((mb >> 3) & 7) | ((d->rex & 4) << 1);
    int rm = mb & 7;
    if (d->mod == 3) {
      d->rm = rm | ((d->rex & 1) << 3);
    } else {
      d->hasmem = 1;
      d->rm = (u8)rm;
      if (rm == 4) {
        u8 sib = *ip++;
        int idx = ((sib >> 3) & 7) | ((d->rex & 2) << 2), base = (sib & 7) | ((d->rex & 1) << 3);
        d->scale = sib >> 6;
        if (d->vex && d->op >= 0x590 && d->op <= 0x593) d->vsib = (u8)(idx + 1); // VSIB: a vector register, 4 too
        else if (idx != 4) d->index = (u8)idx;
        if ((base & 7) == 5 && d->mod == 0) {
          i32 v; memcpy(&v, ip, 4); ip += 4;
          d->disp = v;
        } else d->base = (u8)base;
      } else if (rm == 5 && d->mod == 0) {
        d->riprel = 1;
        i32 v; memcpy(&v, ip, 4); ip += 4;
        d->disp = v;
      } else d->base = (u8)(rm | ((d->rex & 1) << 3));
      if (d->mod == 1) d->disp += (i8)*ip++;
      else if (d->mod == 2) { i32 v; memcpy(&v, ip, 4); ip += 4; d->disp += v; }
    }
  }
  int isz = 0;
  switch (f & 0x7f) {
  case I_B: isz = 1; break;
  case I_W: isz = 2; break;
  case I_Z: isz = d->osz == 2 ? 2 : 4; break;
  case I_V: isz = d->osz; break;
  case I_D: isz = 4; break;
  case I_O: isz = d->asz; break;
  case I_WB: isz = 2; d->imm2 = ip[2]; break;
  case I_G3:
    if ((d->reg & 7) < 2) isz = op == 0xf6 ? 1 : d->osz == 2 ? 2 : 4;
    break;
  }
  if (isz) {
    u64 v = 0;
    memcpy(&v, ip, isz);
    d->imm = v;
    ip += isz;
  }
  if ((f & 0x7f) == I_WB) ip++;
  int len = (int)(ip - b);
  d->len = (u8)len;
  if (d->riprel) d->disp += (i64)(addr + (u64)len);
  if (d->hasmem) d->eakind = d->asz == 8 && !d->seg ? EA_PLAIN : EA_FULL;
  // relative branch targets are known now
  if ((op >= 0x70 && op <= 0x7f) || (op >= 0xe0 && op <= 0xe3) || op == 0xeb) d->disp = (i64)(addr + (u64)len) + (i8)d->imm;
  else if ((op >= 0x180 && op <= 0x18f) || op == 0xe8 || op == 0xe9) d->disp = (i64)(addr + (u64)len) + (i32)d->imm;
  Exec fn;
  if (d->vex) fn = vbad ? NULL : vex_table[op - 0x400];
  else {
    fn = exec_table[op];
    if (fn) {
      Exec r = exec_refine(d);
      if (r) fn = r;
    }
  }
  d->fn = fn ? fn : op_ill;
  d->ends = (u8)ends_block(op, d->reg & 7);
  // bytes past `avail` were zero padding: what they decoded to says nothing
  // (a VEX instruction cut at a page end reads as another opcode)
  if (len > avail && avail < 16) d->bad = BAD_FETCH;
  else if (!fn || len > 15) d->bad = BAD_ILL;
  if (d->bad) d->ends = END_BLOCK;
  flags_of(d);
}
