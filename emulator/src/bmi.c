// BMI1 and BMI2: the VEX-encoded general-register instructions (ANDN, BEXTR,
// BLSI/BLSMSK/BLSR, BZHI, MULX, PDEP, PEXT, RORX, SARX/SHLX/SHRX). TZCNT
// (BMI1) and LZCNT are legacy-encoded and live in bitops.c. All are
// VEX.LZ: VEX.L=1 raises #UD. Operand size is 64 with VEX.W, else 32.
// Flags that Intel leaves undefined (AF and PF, SF for BEXTR) are set from
// the result, so they are at least the same on every run.
#include "cpu-internal.h"

static int pp_none(D *d) { return !d->pfx66 && !d->rep; }

// SF/ZF/PF from the result, explicit CF/OF (both cleared unless given).
static void bmi_flags(Cpu *c, int sz, u64 r, int cf) { setresco(c, sz, r, cf, 0); }

static int op_andn(Proc *p, Cpu *c, Mem *m, D *d) { // VEX.0F38 F2: reg = ~vvvv & r/m
  if (d->vl || !pp_none(d)) return X_ILL;
  int sz = d->osz;
  u64 src = rm_read(c, m, d, sz);
  if (m->fault) return X_NEXT;
  u64 r = ~c->r[d->vvvv] & src & MASK(sz);
  setreg(c, d, d->reg, sz, r);
  bmi_flags(c, sz, r, 0);
  return X_NEXT;
}

static int op_grp17(Proc *p, Cpu *c, Mem *m, D *d) { // VEX.0F38 F3 /1 BLSR, /2 BLSMSK, /3 BLSI: vvvv = f(r/m)
  int o = d->reg & 7;
  if (d->vl || !pp_none(d) || o < 1 || o > 3) return X_ILL;
  int sz = d->osz;
  u64 s = rm_read(c, m, d, sz);
  if (m->fault) return X_NEXT;
  u64 mk = MASK(sz), r;
  int cf;
  if (o == 1) { r = (s - 1) & s & mk; cf = s == 0; }        // blsr: lowest set bit cleared
  else if (o == 2) { r = ((s - 1) ^ s) & mk; cf = s == 0; } // blsmsk: up to the lowest set bit
  else { r = (0 - s) & s & mk; cf = s != 0; }               // blsi: the lowest set bit
  setreg(c, d, d->vvvv, sz, r);
  bmi_flags(c, sz, r, cf);
  return X_NEXT;
}

// VEX.0F38 F5: BZHI (pp none), PEXT (F3), PDEP (F2).
static int op_f5(Proc *p, Cpu *c, Mem *m, D *d) {
  if (d->vl || d->pfx66) return X_ILL;
  int sz = d->osz, bits = sz * 8;
  u64 src = rm_read(c, m, d, sz);
  if (m->fault) return X_NEXT;
  u64 v = c->r[d->vvvv] & MASK(sz), r = 0;
  if (!d->rep) { // bzhi: bits from index v[7:0] up cleared; CF when the index is past the operand
    unsigned n = (unsigned)(v & 0xff);
    r = n < (unsigned)bits ? src & ((1ull << n) - 1) : src;
    setreg(c, d, d->reg, sz, r);
    bmi_flags(c, sz, r, n >= (unsigned)bits);
    return X_NEXT;
  }
  // pdep: the low bits of vvvv deposited at the set bits of r/m; pext: the
  // bits of vvvv at the set bits of r/m gathered into the low bits
  u64 mask = src;
  int k = 0;
  for (u64 mm = mask; mm; mm &= mm - 1, k++) {
    u64 bit = mm & (0 - mm);
    if (d->rep == 0xf2) { if ((v >> k) & 1) r |= bit; }
    else if (v & bit) r |= 1ull << k;
  }
  setreg(c, d, d->reg, sz, r);
  return X_NEXT;
}

static int op_mulx(Proc *p, Cpu *c, Mem *m, D *d) { // VEX.F2.0F38 F6: reg:vvvv = rDX * r/m, no flags
  if (d->vl || d->rep != 0xf2) return X_ILL;
  int sz = d->osz;
  u64 src = rm_read(c, m, d, sz);
  if (m->fault) return X_NEXT;
  u64 lo, hi;
  if (sz == 8) {
    unsigned __int128 x = (unsigned __int128)c->r[RDX] * src;
    lo = (u64)x;
    hi = (u64)(x >> 64);
  } else {
    u64 x = (u64)(u32)c->r[RDX] * (u32)src;
    lo = (u32)x;
    hi = x >> 32;
  }
  setreg(c, d, d->vvvv, sz, lo);
  setreg(c, d, d->reg, sz, hi); // the same register twice: the high half wins
  return X_NEXT;
}

// VEX.0F38 F7: BEXTR (pp none), SHLX (66), SARX (F3), SHRX (F2).
static int op_f7(Proc *p, Cpu *c, Mem *m, D *d) {
  if (d->vl) return X_ILL;
  int sz = d->osz, bits = sz * 8;
  u64 src = rm_read(c, m, d, sz);
  if (m->fault) return X_NEXT;
  u64 v = c->r[d->vvvv] & MASK(sz), r;
  if (pp_none(d)) { // bextr: start v[7:0], length v[15:8], of the operand zero-extended
    unsigned start = (unsigned)(v & 0xff), len = (unsigned)((v >> 8) & 0xff);
    r = start < (unsigned)bits ? src >> start : 0;
    if (len < 64) r &= (1ull << len) - 1;
    setreg(c, d, d->reg, sz, r);
    bmi_flags(c, sz, r, 0);
    return X_NEXT;
  }
  unsigned n = (unsigned)(v & (u64)(bits - 1));
  if (d->pfx66) r = src << n;
  else if (d->rep == 0xf3) r = (u64)(sx(src, sz) >> n);
  else r = src >> n;
  setreg(c, d, d->reg, sz, r & MASK(sz));
  return X_NEXT;
}

static int op_rorx(Proc *p, Cpu *c, Mem *m, D *d) { // VEX.F2.0F3A F0 ib: reg = r/m rotated right, no flags
  if (d->vl || d->rep != 0xf2 || d->vvvv) return X_ILL;
  int sz = d->osz, bits = sz * 8;
  u64 src = rm_read(c, m, d, sz);
  if (m->fault) return X_NEXT;
  unsigned n = (unsigned)(d->imm & (u64)(bits - 1));
  u64 r = n ? (src >> n) | (src << (bits - n)) : src;
  setreg(c, d, d->reg, sz, r & MASK(sz));
  return X_NEXT;
}

void bmi_ops(Exec *vex) {
  vex[0x1f2] = op_andn;
  vex[0x1f3] = op_grp17;
  vex[0x1f5] = op_f5;
  vex[0x1f6] = op_mulx;
  vex[0x1f7] = op_f7;
  vex[0x2f0] = op_rorx;
}
