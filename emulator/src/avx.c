// AVX/AVX2 (not reported by cpuid: see README, "x86-64-v3"). Two parts:
//  - the VEX forms of the SSE..SSE4.2 instructions, run by their SSE
//    handlers: `vex_spec` says, per opcode, which register plays the SSE
//    form's destination (ModRM.reg) and source (ModRM.rm) operand, what the
//    result goes to, and how a 256-bit form splits into two 128-bit lanes.
//    The operands are copied into the scratch registers xmm[16] / xmm[17],
//    the SSE handler runs once per lane, and the results are written back;
//    a VEX.128 write zeroes bits 255:128 of its destination.
//  - the instructions that have no SSE form (VZEROUPPER, broadcasts,
//    128-bit inserts/extracts/permutes, VPERMIL*, VTEST*, masks, blends
//    with a register selector, variable shifts, VPERMD/Q), below.
#include "cpu-internal.h"
#include "simd.h"

enum { S_NONE, S_REG, S_VVVV, S_RM };     // what a scratch operand holds going in
enum { O_REG = 1, O_RM = 2, O_VVVV = 4 }; // where results go (O_RM / O_VVVV: from the rm scratch)
enum { NO256 = 0xff };

typedef struct {
  u8 t0;   // the SSE form's ModRM.reg operand (S_NONE: it is a general register, or the group's /digit)
  u8 t1;   // its ModRM.rm register operand (S_NONE: a general register; memory either way stays memory)
  u8 out;  // O_*
  u8 vz;   // VEX.vvvv unused: must be 1111b
  u8 off1; // the 256-bit form's upper lane takes its source this many bytes in; NO256: no 256-bit form
  u8 ish;  // the upper lane's imm8 is shifted right by this much (blends that hold one bit per element)
  u8 nar;  // the 256-bit form narrows: each lane's low 8 bytes make the 128-bit result
} Spec;

static Spec mk(int t0, int t1, int out, int vz, int off1) {
  Spec s = {(u8)t0, (u8)t1, (u8)out, (u8)vz, (u8)off1, 0, 0};
  return s;
}
#define NDS(off1) mk(S_VVVV, S_RM, O_REG, 0, off1)    // reg = f(vvvv, rm)
#define LOAD(off1) mk(S_REG, S_RM, O_REG, 1, off1)    // reg = f(rm)
#define STORE(off1) mk(S_REG, S_RM, O_RM, 1, off1)    // rm = reg (register or memory)
#define READ mk(S_REG, S_RM, 0, 1, NO256)             // flags or a general register from reg and rm
#define TOGPR mk(S_NONE, S_RM, 0, 1, NO256)           // general register = f(rm)
#define FROMX mk(S_REG, S_NONE, 0, 1, NO256)          // general register or memory = f(reg)
#define NDSG mk(S_VVVV, S_NONE, O_REG, 0, NO256)      // reg = f(vvvv, general register or memory)
#define LOADG mk(S_REG, S_NONE, O_REG, 1, NO256)      // reg = f(general register or memory)
#define NDD(off1) mk(S_NONE, S_RM, O_VVVV, 0, off1)   // vvvv = f(rm), ModRM.reg the group's /digit

// The VEX opcodes whose SSE form does the work. 0: none (#UD or a handler of its own).
static int vex_spec(D *d, Spec *s) {
  int op = d->op, o = op & 0xff, mem = d->hasmem;
  int p0 = !d->pfx66 && !d->rep, p66 = d->pfx66, f3 = d->rep == 0xf3, f2 = d->rep == 0xf2, ps = p0 || p66;
  if (op < 0x500) { // 0F
    switch (o) {
    case 0x10: *s = ps ? LOAD(16) : mem ? LOAD(NO256) : NDS(NO256); return 1; // movups/pd; movss/sd (reg: merge)
    case 0x11:
      if (ps) *s = STORE(16);
      else *s = mem ? STORE(NO256) : mk(S_REG, S_VVVV, O_RM, 0, NO256);
      return 1;
    case 0x12: case 0x16:
      if (ps) *s = NDS(NO256);               // movlps/pd, movhlps, movhps/pd, movlhps
      else if (f3 || (f2 && o == 0x12)) *s = LOAD(16); // movsldup, movshdup, movddup
      else return 0;
      return 1;
    case 0x13: case 0x17: if (!ps || !mem) return 0; *s = FROMX; return 1;
    case 0x14: case 0x15: if (!ps) return 0; *s = NDS(16); return 1;
    case 0x28: if (!ps) return 0; *s = LOAD(16); return 1;
    case 0x29: if (!ps) return 0; *s = STORE(16); return 1;
    case 0x2a: if (!f3 && !f2) return 0; *s = NDSG; return 1; // cvtsi2ss/sd
    case 0x2b: if (!ps || !mem) return 0; *s = STORE(16); return 1;
    case 0x2c: case 0x2d: if (!f3 && !f2) return 0; *s = TOGPR; return 1;
    case 0x2e: case 0x2f: if (!ps) return 0; *s = READ; return 1;
    case 0x51: *s = ps ? LOAD(16) : NDS(NO256); return 1;
    case 0x52: case 0x53: if (p66 || f2) return 0; *s = p0 ? LOAD(16) : NDS(NO256); return 1;
    case 0x54: case 0x55: case 0x56: case 0x57: if (!ps) return 0; *s = NDS(16); return 1;
    case 0x58: case 0x59: case 0x5c: case 0x5d: case 0x5e: case 0x5f: *s = ps ? NDS(16) : NDS(NO256); return 1;
    case 0x5a:
      if (p0) *s = LOAD(8); // cvtps2pd: the upper lane from the source's upper 8 bytes
      else if (p66) { *s = LOAD(16); s->nar = 1; } // cvtpd2ps
      else *s = NDS(NO256);
      return 1;
    case 0x5b: if (f2) return 0; *s = LOAD(16); return 1;
    case 0x60: case 0x61: case 0x62: case 0x63: case 0x64: case 0x65: case 0x66: case 0x67: case 0x68: case 0x69:
    case 0x6a: case 0x6b: case 0x6c: case 0x6d: case 0x74: case 0x75: case 0x76:
      if (!p66) return 0;
      *s = NDS(16);
      return 1;
    case 0x6e: if (!p66) return 0; *s = LOADG; return 1;
    case 0x6f: if (!p66 && !f3) return 0; *s = LOAD(16); return 1;
    case 0x70: if (p0) return 0; *s = LOAD(16); return 1;
    case 0x71: case 0x72: case 0x73: if (!p66 || mem) return 0; *s = NDD(16); return 1;
    case 0x7c: case 0x7d: case 0xd0: if (!p66 && !f2) return 0; *s = NDS(16); return 1;
    case 0x7e:
      if (p66) *s = FROMX;           // movd/movq r/m, xmm
      else if (f3) *s = LOAD(NO256); // movq xmm, xmm/m64
      else return 0;
      return 1;
    case 0x7f: if (!p66 && !f3) return 0; *s = STORE(16); return 1;
    case 0xc2: *s = ps ? NDS(16) : NDS(NO256); return 1;
    case 0xc4: if (!p66) return 0; *s = NDSG; return 1;
    case 0xc5: if (!p66 || mem) return 0; *s = TOGPR; return 1;
    case 0xc6:
      if (!ps) return 0;
      *s = NDS(16);
      if (p66) s->ish = 2; // shufpd: two bits a lane
      return 1;
    case 0xd1: case 0xd2: case 0xd3: case 0xe1: case 0xe2: case 0xf1: case 0xf2: case 0xf3:
      if (!p66) return 0;
      *s = NDS(0); // shifts by a count: both lanes by the source's low quadword
      return 1;
    case 0xd4: case 0xd5: case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf:
    case 0xe0: case 0xe3: case 0xe4: case 0xe5: case 0xe8: case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed:
    case 0xee: case 0xef: case 0xf4: case 0xf5: case 0xf6: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc:
    case 0xfd: case 0xfe:
      if (!p66) return 0;
      *s = NDS(16);
      return 1;
    case 0xd6: if (!p66) return 0; *s = STORE(NO256); return 1; // movq xmm/m64, xmm
    case 0xe6:
      if (f3) *s = LOAD(8); // cvtdq2pd
      else if (p66 || f2) { *s = LOAD(16); s->nar = 1; } // cvttpd2dq, cvtpd2dq
      else return 0;
      return 1;
    case 0xe7: if (!p66 || !mem) return 0; *s = STORE(16); return 1;
    case 0xf7: if (!p66 || mem) return 0; *s = READ; return 1; // maskmovdqu
    case 0xf0: if (!f2 || !mem) return 0; *s = LOAD(16); return 1;
    }
    return 0;
  }
  if (!p66) return 0; // every 0F38 and 0F3A form below is 66
  if (op < 0x600) { // 0F38
    if (o <= 0x0b) { *s = NDS(16); return 1; } // pshufb, phadd*, pmaddubsw, phsub*, psign*, pmulhrsw
    if (o >= 0x1c && o <= 0x1e) { *s = LOAD(16); return 1; } // pabs*
    if ((o >= 0x20 && o <= 0x25) || (o >= 0x30 && o <= 0x35)) { // pmovsx / pmovzx
      static const u8 half[6] = {8, 4, 2, 8, 4, 8}; // source bytes each lane takes
      *s = LOAD(half[o & 7]);
      return 1;
    }
    switch (o) {
    case 0x28: case 0x29: case 0x2b: case 0x37: case 0x38: case 0x39: case 0x3a: case 0x3b: case 0x3c: case 0x3d:
    case 0x3e: case 0x3f: case 0x40:
      *s = NDS(16);
      return 1;
    case 0x2a: if (!mem) return 0; *s = LOAD(16); return 1; // movntdqa
    case 0x41: *s = LOAD(NO256); return 1;                 // phminposuw
    }
    return 0;
  }
  switch (o) { // 0F3A
  case 0x08: case 0x09: *s = LOAD(16); return 1; // roundps/pd
  case 0x0a: case 0x0b: *s = NDS(NO256); return 1;
  case 0x0c: *s = NDS(16); s->ish = 4; return 1; // blendps: four bits a lane
  case 0x0d: *s = NDS(16); s->ish = 2; return 1; // blendpd
  case 0x0e: case 0x0f: case 0x40: *s = NDS(16); return 1; // pblendw, palignr, dpps: one imm8 for both lanes
  case 0x42: *s = NDS(16); s->ish = 3; return 1; // mpsadbw: bits 5:3 for the upper lane
  case 0x14: case 0x15: case 0x16: case 0x17: *s = FROMX; return 1; // pextrb/w/d/q, extractps
  case 0x20: case 0x22: *s = NDSG; return 1; // pinsrb, pinsrd/q
  case 0x21: case 0x41: *s = NDS(NO256); return 1; // insertps, dppd
  case 0x60: case 0x61: case 0x62: case 0x63: *s = READ; return 1; // pcmpestrm/estri/istrm/istri
  }
  return 0;
}

static Xmm *half_of(Cpu *c, int r, int hi) { return hi ? &c->yh[r] : &c->xmm[r]; }
// 16 bytes of YMM register r from byte `off` (0..16) on.
static Xmm ymm_at(Cpu *c, int r, int off) {
  u8 b[32];
  memcpy(b, &c->xmm[r], 16);
  memcpy(b + 16, &c->yh[r], 16);
  Xmm x;
  memcpy(&x, b + off, 16);
  return x;
}

static int op_vex_sse(Proc *p, Cpu *c, Mem *m, D *d) {
  Spec s;
  if (!vex_spec(d, &s) || (s.vz && d->vvvv) || (d->vl && s.off1 == NO256)) return X_ILL;
  D e = *d; // the SSE form: its opcode and operand size, the operands moved to the scratch registers
  e.op = (u16)(d->op - 0x300);
  e.osz = (d->rex & 8) ? 8 : d->pfx66 ? 2 : 4;
  Exec h = exec_table[e.op];
  if (h) {
    Exec r = exec_refine(&e);
    if (r) h = r;
  }
  if (!h) return X_ILL;
  int lanes = d->vl ? 2 : 1;
  Xmm r0[2], r1[2];
  for (int l = 0; l < lanes; l++) {
    if (s.t0 != S_NONE) {
      c->xmm[16] = *half_of(c, s.t0 == S_REG ? d->reg : d->vvvv, l);
      e.reg = 16;
    }
    int off = l ? s.off1 : 0;
    if (s.t1 == S_RM) {
      if (d->hasmem) e.ea = d->ea + (u64)off;
      else {
        c->xmm[17] = ymm_at(c, d->rm, off);
        e.rm = 17;
      }
    } else if (s.t1 == S_VVVV) {
      c->xmm[17] = *half_of(c, d->vvvv, l);
      e.rm = 17;
    }
    if (l && s.ish) e.imm = (u8)d->imm >> s.ish;
    int r = h(p, c, m, &e);
    if (r != X_NEXT || m->fault) return r; // nothing written back: the instruction did not happen
    r0[l] = c->xmm[16];
    r1[l] = c->xmm[17];
  }
  if (s.nar && lanes == 2) { // the two lanes' results side by side in 128 bits
    r0[0].q[1] = r0[1].q[0];
    lanes = 1;
  }
  for (int l = 0; l < lanes; l++) {
    if (s.out & O_REG) *half_of(c, d->reg, l) = r0[l];
    if ((s.out & O_RM) && !d->hasmem) *half_of(c, d->rm, l) = r1[l];
    if (s.out & O_VVVV) *half_of(c, d->vvvv, l) = r1[l];
  }
  if (lanes == 1) { // VEX.128: the destination's upper half is zeroed
    if (s.out & O_REG) memset(&c->yh[d->reg], 0, 16);
    if ((s.out & O_RM) && !d->hasmem) memset(&c->yh[d->rm], 0, 16);
    if (s.out & O_VVVV) memset(&c->yh[d->vvvv], 0, 16);
  }
  if (e.op == 0x360 || e.op == 0x362) memset(&c->yh[0], 0, 16); // pcmpestrm/istrm wrote XMM0
  return X_NEXT;
}

// ---- instructions without an SSE form ----

// The rm operand as 32 bytes (a register, or `n` bytes of memory; the rest zero). 0 on a fault.
static int src32(Cpu *c, Mem *m, D *d, u8 *b, int n) {
  memset(b, 0, 32);
  if (!d->hasmem) {
    memcpy(b, &c->xmm[d->rm], 16);
    memcpy(b + 16, &c->yh[d->rm], 16);
    return 1;
  }
  return !mem_read(m, EA(d), b, (u64)n);
}
static void reg32(Cpu *c, int r, u8 *b) {
  memcpy(b, &c->xmm[r], 16);
  memcpy(b + 16, &c->yh[r], 16);
}
// Writes 32 bytes to register r; a 128-bit result zeroes the upper half.
static void put32(Cpu *c, int r, const u8 *b, int wide) {
  memcpy(&c->xmm[r], b, 16);
  if (wide) memcpy(&c->yh[r], b + 16, 16);
  else memset(&c->yh[r], 0, 16);
}

static int op_vzero(Proc *p, Cpu *c, Mem *m, D *d) { // 0F 77: VZEROUPPER (L=0), VZEROALL (L=1)
  if (d->pfx66 || d->rep || d->vvvv) return X_ILL;
  if (d->vl) memset(c->xmm, 0, 16 * sizeof(Xmm));
  memset(c->yh, 0, sizeof c->yh);
  return X_NEXT;
}

// 0F38 18/19/1A (vbroadcastss/sd/f128), 58/59/5A (vpbroadcastd/q, vbroadcasti128), 78/79 (vpbroadcastb/w).
static int op_broadcast(Proc *p, Cpu *c, Mem *m, D *d) {
  int o = d->op & 0xff, es;
  if (!d->pfx66 || d->vvvv || (d->rex & 8)) return X_ILL;
  switch (o) {
  case 0x18: case 0x58: es = 4; break;
  case 0x19: case 0x59: es = 8; break;
  case 0x1a: case 0x5a: es = 16; break;
  case 0x78: es = 1; break;
  default: es = 2; break;
  }
  if ((o == 0x19 || es == 16) && !d->vl) return X_ILL;
  if (es == 16 && !d->hasmem) return X_ILL;
  u8 b[32], r[32];
  if (!src32(c, m, d, b, es)) return X_NEXT;
  for (int i = 0; i < 32; i += es) memcpy(r + i, b, (size_t)es);
  put32(c, d->reg, r, d->vl);
  return X_NEXT;
}

// 0F3A 18/38: vinsertf128/vinserti128 ymm, ymm(vvvv), xmm/m128, imm8.
static int op_insert128(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->pfx66 || !d->vl || (d->rex & 8)) return X_ILL;
  u8 a[32], b[32];
  reg32(c, d->vvvv, a);
  if (!src32(c, m, d, b, 16)) return X_NEXT;
  memcpy(a + 16 * (d->imm & 1), b, 16);
  put32(c, d->reg, a, 1);
  return X_NEXT;
}
// 0F3A 19/39: vextractf128/vextracti128 xmm/m128, ymm, imm8.
static int op_extract128(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->pfx66 || !d->vl || (d->rex & 8) || d->vvvv) return X_ILL;
  u8 a[32];
  reg32(c, d->reg, a);
  if (d->hasmem) mem_write(m, EA(d), a + 16 * (d->imm & 1), 16);
  else put32(c, d->rm, a + 16 * (d->imm & 1), 0);
  return X_NEXT;
}
// 0F3A 06/46: vperm2f128/vperm2i128: each lane is one of the four source lanes, or zero.
static int op_perm2x128(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->pfx66 || !d->vl || (d->rex & 8)) return X_ILL;
  u8 a[64], r[32];
  reg32(c, d->vvvv, a);
  if (!src32(c, m, d, a + 32, 32)) return X_NEXT;
  for (int l = 0; l < 2; l++) {
    int ctl = (int)(d->imm >> (4 * l)) & 15;
    if (ctl & 8) memset(r + 16 * l, 0, 16);
    else memcpy(r + 16 * l, a + 16 * (ctl & 3), 16);
  }
  put32(c, d->reg, r, 1);
  return X_NEXT;
}

// 0F3A 04/05: vpermilps/pd by imm8; 0F38 0C/0D: by the elements of rm, selecting from vvvv.
static int op_permil(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->pfx66 || (d->rex & 8)) return X_ILL;
  int o = d->op, pd = o == 0x605 || o == 0x50d, imm = o >= 0x600;
  if (imm && d->vvvv) return X_ILL;
  u8 a[32], ctl[32], r[32];
  int n = d->vl ? 32 : 16;
  if (imm) {
    if (!src32(c, m, d, a, n)) return X_NEXT;
  } else {
    reg32(c, d->vvvv, a);
    if (!src32(c, m, d, ctl, n)) return X_NEXT;
  }
  for (int i = 0; i < n / (pd ? 8 : 4); i++) {
    int lane = pd ? i / 2 : i / 4, sel;
    if (pd) {
      u64 cv;
      memcpy(&cv, ctl + 8 * i, 8);
      sel = imm ? (int)(d->imm >> i) & 1 : (int)(cv >> 1) & 1;
      memcpy(r + 8 * i, a + 16 * lane + 8 * sel, 8);
    } else {
      u32 cv;
      memcpy(&cv, ctl + 4 * i, 4);
      sel = imm ? (int)(d->imm >> (2 * (i & 3))) & 3 : (int)(cv & 3);
      memcpy(r + 4 * i, a + 16 * lane + 4 * sel, 4);
    }
  }
  put32(c, d->reg, r, d->vl);
  return X_NEXT;
}

// 0F38 0E/0F vtestps/pd (sign bits), 17 vptest (all bits): ZF when reg AND rm
// is zero, CF when (NOT reg) AND rm is; the other arithmetic flags cleared.
static int op_vtest(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->pfx66 || d->vvvv || ((d->rex & 8) && d->op != 0x517)) return X_ILL;
  int n = d->vl ? 32 : 16, o = d->op & 0xff;
  u8 a[32], b[32];
  reg32(c, d->reg, a);
  if (!src32(c, m, d, b, n)) return X_NEXT;
  int zf = 1, cf = 1;
  for (int i = 0; i < n; i++) {
    u8 bits = o == 0x17 ? 0xff : ((i + 1) % (o == 0x0e ? 4 : 8)) == 0 ? 0x80 : 0;
    if (a[i] & b[i] & bits) zf = 0;
    if (~a[i] & b[i] & bits) cf = 0;
  }
  cpu_set_flags(c, (cpu_get_flags(c) & ~(u64)FL_ALL) | (zf ? ZF : 0) | (cf ? CF : 0));
  return X_NEXT;
}

// 0F 50 vmovmskps/pd, 0F D7 vpmovmskb: the sign bits of rm's elements into a general register.
static int op_vmovmsk(Proc *p, Cpu *c, Mem *m, D *d) {
  int o = d->op & 0xff, es = o == 0xd7 ? 1 : d->pfx66 ? 8 : 4;
  if (d->rep || d->vvvv || d->hasmem || (o == 0xd7 && !d->pfx66)) return X_ILL;
  u8 a[32];
  reg32(c, d->rm, a);
  u64 r = 0;
  int n = d->vl ? 32 : 16;
  for (int i = 0; i < n / es; i++) r |= (u64)(a[es * i + es - 1] >> 7) << i;
  c->r[d->reg] = r;
  return X_NEXT;
}

// 0F3A 4A/4B/4C vblendvps/pd, vpblendvb: the element of rm where the mask
// register (imm8[7:4]) has its sign bit set, else vvvv's.
static int op_blendv(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->pfx66 || (d->rex & 8)) return X_ILL;
  int es = d->op == 0x64a ? 4 : d->op == 0x64b ? 8 : 1, n = d->vl ? 32 : 16;
  u8 a[32], b[32], k[32], r[32];
  reg32(c, d->vvvv, a);
  reg32(c, (int)(d->imm >> 4) & 15, k);
  if (!src32(c, m, d, b, n)) return X_NEXT;
  for (int i = 0; i < n; i += es) memcpy(r + i, (k[i + es - 1] & 0x80) ? b + i : a + i, (size_t)es);
  put32(c, d->reg, r, d->vl);
  return X_NEXT;
}

// 0F3A 02 vpblendd: dword i from rm when imm8 bit i is set, else from vvvv.
static int op_pblendd(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->pfx66 || (d->rex & 8)) return X_ILL;
  int n = d->vl ? 32 : 16;
  u8 a[32], b[32], r[32];
  reg32(c, d->vvvv, a);
  if (!src32(c, m, d, b, n)) return X_NEXT;
  for (int i = 0; i < n / 4; i++) memcpy(r + 4 * i, ((d->imm >> i) & 1) ? b + 4 * i : a + 4 * i, 4);
  put32(c, d->reg, r, d->vl);
  return X_NEXT;
}

// 0F3A 00/01 vpermq/vpermpd (imm8, W1); 0F38 36/16 vpermd/vpermps (indexes in vvvv, W0). 256-bit only.
static int op_perm(Proc *p, Cpu *c, Mem *m, D *d) {
  int o = d->op, q = o >= 0x600;
  if (!d->pfx66 || !d->vl || !!(d->rex & 8) != q || (q && d->vvvv)) return X_ILL;
  u8 a[32], ix[32], r[32];
  if (!src32(c, m, d, a, 32)) return X_NEXT;
  if (q)
    for (int i = 0; i < 4; i++) memcpy(r + 8 * i, a + 8 * ((d->imm >> (2 * i)) & 3), 8);
  else {
    reg32(c, d->vvvv, ix);
    for (int i = 0; i < 8; i++) memcpy(r + 4 * i, a + 4 * (ix[4 * i] & 7), 4);
  }
  put32(c, d->reg, r, 1);
  return X_NEXT;
}

// 0F38 45/46/47: vpsrlv, vpsrav (dwords only), vpsllv: each element of vvvv
// shifted by the matching element of rm; counts past the width give 0 (sign for vpsrav).
static int op_shiftv(Proc *p, Cpu *c, Mem *m, D *d) {
  int o = d->op & 0xff, q = (d->rex & 8) != 0, es = q ? 8 : 4, bits = es * 8, n = d->vl ? 32 : 16;
  if (!d->pfx66 || (o == 0x46 && q)) return X_ILL;
  u8 a[32], b[32], r[32];
  reg32(c, d->vvvv, a);
  if (!src32(c, m, d, b, n)) return X_NEXT;
  for (int i = 0; i < n; i += es) {
    u64 v = 0, cnt = 0, x;
    memcpy(&v, a + i, (size_t)es);
    memcpy(&cnt, b + i, (size_t)es);
    if (o == 0x46) {
      i32 sv = (i32)(u32)v;
      x = (u32)(cnt >= 32 ? sv >> 31 : sv >> cnt);
    } else if (cnt >= (u64)bits) x = 0;
    else x = o == 0x45 ? v >> cnt : v << cnt;
    memcpy(r + i, &x, (size_t)es);
  }
  put32(c, d->reg, r, d->vl);
  return X_NEXT;
}

// 0F38 2C/2D vmaskmovps/pd and 8C vpmaskmovd/q (W) loads, 2E/2F and 8E stores:
// only the elements whose mask (vvvv) sign bit is set are read or written, so
// the others cannot fault.
static int op_maskmov(Proc *p, Cpu *c, Mem *m, D *d) {
  int o = d->op & 0xff, store = o == 0x2e || o == 0x2f || o == 0x8e;
  int es = o == 0x2c || o == 0x2e ? 4 : o == 0x2d || o == 0x2f ? 8 : (d->rex & 8) ? 8 : 4, n = d->vl ? 32 : 16;
  if (!d->pfx66 || !d->hasmem || (o < 0x80 && (d->rex & 8))) return X_ILL;
  u8 k[32], v[32], r[32];
  reg32(c, d->vvvv, k);
  memset(r, 0, sizeof r);
  if (store) reg32(c, d->reg, v);
  for (int i = 0; i < n; i += es) {
    if (!(k[i + es - 1] & 0x80)) continue;
    if (store) {
      if (mem_write(m, EA(d) + (u64)i, v + i, (u64)es)) return X_NEXT;
    } else if (mem_read(m, EA(d) + (u64)i, r + i, (u64)es)) return X_NEXT;
  }
  if (!store) put32(c, d->reg, r, d->vl);
  return X_NEXT;
}

// 0F38 90-93: vpgatherdd/dq, vpgatherqd/qq, vgatherdps/dpd, vgatherqps/qpd.
// Element i (its mask in vvvv has the sign bit set) is loaded from base +
// disp + index[i] * scale, the VSIB index being a vector register. Each
// element done clears its mask element, so a fault leaves the instruction
// restartable; at the end the whole mask register is zero.
static int op_gather(Proc *p, Cpu *c, Mem *m, D *d) {
  int o = d->op & 0xff, w = (d->rex & 8) != 0;
  if (!d->pfx66 || !d->hasmem || !d->vsib) return X_ILL;
  int ix = d->vsib - 1, qi = o & 1, es = w ? 8 : 4, is = qi ? 8 : 4;
  if (d->reg == d->vvvv || d->reg == ix || d->vvvv == ix) return X_ILL;
  int n = (d->vl ? 32 : 16) / (es > is ? es : is);
  u8 dst[32], mask[32], idx[32];
  reg32(c, d->reg, dst);
  reg32(c, d->vvvv, mask);
  reg32(c, ix, idx);
  for (int i = 0; i < n; i++) {
    if (!(mask[es * i + es - 1] & 0x80)) continue;
    i64 k;
    if (qi) memcpy(&k, idx + 8 * i, 8);
    else { i32 k32; memcpy(&k32, idx + 4 * i, 4); k = k32; }
    u64 a = EA(d) + (u64)k * (1ull << d->scale);
    if (d->asz == 4) a = (u32)a;
    if (mem_read(m, a, dst + es * i, (u64)es)) break;
    memset(mask + es * i, 0, (size_t)es);
  }
  if (m->fault) { // elements done so far stay done
    memcpy(&c->xmm[d->reg], dst, 16);
    memcpy(&c->yh[d->reg], dst + 16, 16);
    memcpy(&c->xmm[d->vvvv], mask, 16);
    memcpy(&c->yh[d->vvvv], mask + 16, 16);
    return X_NEXT;
  }
  memset(dst + n * es, 0, (size_t)(32 - n * es));
  put32(c, d->reg, dst, 1);
  memset(&c->xmm[d->vvvv], 0, 16);
  memset(&c->yh[d->vvvv], 0, 16);
  return X_NEXT;
}

// F16C. Half-precision float <-> single: exact one way; the other rounds
// by `rc` (0 nearest-even, 1 down, 2 up, 3 toward zero). NaNs keep their
// sign and the top of their payload, quieted.
static float half_to_float(u16 h) {
  u32 sgn = (u32)(h >> 15) << 31, e = (h >> 10) & 31, f = h & 0x3ff;
  if (e == 31) return simd_ffrom(sgn | 0x7f800000u | (f << 13) | (f ? 0x00400000u : 0));
  if (e == 0) { // zero or denormal: f * 2^-24, exact in a float
    float v = (float)f * 5.9604644775390625e-8f;
    return sgn ? -v : v;
  }
  return simd_ffrom(sgn | ((e + 112) << 23) | (f << 13));
}
static u16 float_to_half(float x, int rc) {
  u32 b = simd_fbits(x), sgn = b >> 31, e = (b >> 23) & 0xff, f = b & 0x7fffff;
  u16 s16 = (u16)(sgn << 15);
  if (e == 0xff) return (u16)(s16 | 0x7c00 | (f ? 0x200 | (f >> 13) : 0));
  if (e == 0 && f == 0) return s16;
  // x = mant * 2^ex exactly
  u64 mant = e ? (f | 0x800000u) : f;
  int ex = e ? (int)e - 150 : -149;
  int top = 63 - __builtin_clzll(mant) + ex; // floor(log2 |x|)
  int qe = (top < -14 ? -14 : top) - 10;     // the half's quantum 2^qe (denormals: 2^-24)
  u64 n, rem = 0, halfway = 0;
  int sh = qe - ex;
  if (sh <= 0) n = mant << -sh;
  else if (sh >= 64) { n = 0; rem = mant; halfway = ~0ull; } // far below the smallest denormal: only a direction
  else { n = mant >> sh; rem = mant & ((1ull << sh) - 1); halfway = 1ull << (sh - 1); }
  int up;
  if (!rem) up = 0;
  else if (rc == 0) up = sh >= 64 ? 0 : rem > halfway || (rem == halfway && (n & 1));
  else if (rc == 3) up = 0;
  else up = (rc == 2) != sgn; // up: away from zero when rounding toward the value's side
  n += (u64)up;
  if (n == 2048) { n = 1024; qe++; }
  if (qe + 10 > 15) // past the largest half: infinity, or the largest finite value when rounding toward zero's side
    return (u16)(s16 | (rc == 0 || (rc == 1 && sgn) || (rc == 2 && !sgn) ? 0x7c00 : 0x7bff));
  if (n < 1024) return (u16)(s16 | n);
  return (u16)(s16 | ((u32)(qe + 25) << 10) | (n - 1024));
}
static int op_cvtph2ps(Proc *p, Cpu *c, Mem *m, D *d) { // 0F38 13
  if (!d->pfx66 || (d->rex & 8) || d->vvvv) return X_ILL;
  int n = d->vl ? 8 : 4;
  u8 b[32], r[32];
  if (!src32(c, m, d, b, 2 * n)) return X_NEXT;
  for (int i = 0; i < n; i++) {
    u16 h;
    memcpy(&h, b + 2 * i, 2);
    float v = half_to_float(h);
    memcpy(r + 4 * i, &v, 4);
  }
  put32(c, d->reg, r, d->vl);
  return X_NEXT;
}
static int op_cvtps2ph(Proc *p, Cpu *c, Mem *m, D *d) { // 0F3A 1D: xmm/m64 (m128 for 256) <- xmm/ymm (ModRM.reg)
  if (!d->pfx66 || (d->rex & 8) || d->vvvv) return X_ILL;
  int n = d->vl ? 8 : 4, rc = (d->imm & 4) ? (int)((c->mxcsr >> 13) & 3) : (int)(d->imm & 3);
  u8 a[32], r[32];
  reg32(c, d->reg, a);
  memset(r, 0, sizeof r);
  for (int i = 0; i < n; i++) {
    float v;
    memcpy(&v, a + 4 * i, 4);
    u16 h = float_to_half(v, rc);
    memcpy(r + 2 * i, &h, 2);
  }
  if (d->hasmem) mem_write(m, EA(d), r, (u64)(2 * n));
  else put32(c, d->rm, r, 0);
  return X_NEXT;
}

// 0F AE /2 vldmxcsr m32, /3 vstmxcsr m32.
static int op_vmxcsr(Proc *p, Cpu *c, Mem *m, D *d) {
  int o = d->reg & 7;
  if (d->pfx66 || d->rep || d->vvvv || d->vl || !d->hasmem || (o != 2 && o != 3)) return X_ILL;
  if (o == 2) {
    u32 v = (u32)rd(m, EA(d), 4);
    if (!m->fault) c->mxcsr = v;
  } else wr(m, EA(d), 4, c->mxcsr);
  return X_NEXT;
}

void avx_ops(Exec *vex) {
  static const u16 sse[] = {
      // 0F
      0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x51, 0x52,
      0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64,
      0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76,
      0x7c, 0x7d, 0x7e, 0x7f, 0xc2, 0xc4, 0xc5, 0xc6, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd8, 0xd9, 0xda,
      0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec,
      0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
      // 0F38
      0x100, 0x101, 0x102, 0x103, 0x104, 0x105, 0x106, 0x107, 0x108, 0x109, 0x10a, 0x10b, 0x11c, 0x11d, 0x11e,
      0x120, 0x121, 0x122, 0x123, 0x124, 0x125, 0x128, 0x129, 0x12a, 0x12b, 0x130, 0x131, 0x132, 0x133, 0x134,
      0x135, 0x137, 0x138, 0x139, 0x13a, 0x13b, 0x13c, 0x13d, 0x13e, 0x13f, 0x140, 0x141,
      // 0F3A
      0x208, 0x209, 0x20a, 0x20b, 0x20c, 0x20d, 0x20e, 0x20f, 0x214, 0x215, 0x216, 0x217, 0x220, 0x221, 0x222,
      0x240, 0x241, 0x242, 0x260, 0x261, 0x262, 0x263};
  for (unsigned i = 0; i < sizeof sse / sizeof sse[0]; i++) vex[sse[i]] = op_vex_sse;
  vex[0x50] = vex[0xd7] = op_vmovmsk;
  vex[0x77] = op_vzero;
  vex[0xae] = op_vmxcsr;
  vex[0x118] = vex[0x119] = vex[0x11a] = vex[0x158] = vex[0x159] = vex[0x15a] = vex[0x178] = vex[0x179] = op_broadcast;
  vex[0x10c] = vex[0x10d] = vex[0x204] = vex[0x205] = op_permil;
  vex[0x10e] = vex[0x10f] = vex[0x117] = op_vtest;
  vex[0x116] = vex[0x136] = vex[0x200] = vex[0x201] = op_perm;
  vex[0x145] = vex[0x146] = vex[0x147] = op_shiftv;
  vex[0x12c] = vex[0x12d] = vex[0x12e] = vex[0x12f] = vex[0x18c] = vex[0x18e] = op_maskmov;
  vex[0x202] = op_pblendd;
  vex[0x206] = vex[0x246] = op_perm2x128;
  vex[0x218] = vex[0x238] = op_insert128;
  vex[0x219] = vex[0x239] = op_extract128;
  vex[0x24a] = vex[0x24b] = vex[0x24c] = op_blendv;
  vex[0x190] = vex[0x191] = vex[0x192] = vex[0x193] = op_gather;
  vex[0x113] = op_cvtph2ps;
  vex[0x21d] = op_cvtps2ph;
}
