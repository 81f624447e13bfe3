// Arithmetic and logic family: the ALU rows 00-3F, group 1 (80/81/83),
// TEST, INC/DEC (FE), shifts and rotates (group 2), group 3 (F6/F7: TEST,
// NOT, NEG, MUL, IMUL, DIV, IDIV) and two/three-operand IMUL.
#include "cpu-internal.h"

// Shifts and rotates (group 2). Count already masked.
static u64 shift(Cpu *c, int op, u64 v, unsigned cnt, int sz) {
  u64 m = MASK(sz);
  int bits = sz * 8;
  v &= m;
  if (op < 4) {
    // rotates: count mod width (rcl/rcr mod width+1)
    if (op == 0 || op == 1) {
      if ((cnt & (sz == 8 ? 63 : 31)) == 0) return v;
      cnt &= (unsigned)bits - 1; // widths are powers of two
      u64 f = cpu_get_flags(c);
      u64 r = v;
      if (cnt) r = op == 0 ? ((v << cnt) | (v >> (bits - cnt))) & m : ((v >> cnt) | (v << (bits - cnt))) & m;
      int cf, of;
      if (op == 0) { cf = r & 1; of = (int)((r >> (bits - 1)) & 1) ^ cf; }
      else { cf = (r >> (bits - 1)) & 1; of = (int)(((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1); }
      f = (f & ~(u64)(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
      cpu_set_flags(c, f);
      return r;
    }
    cnt &= (sz == 8 ? 63 : 31);
    if (!cnt) return v;
    u64 f = cpu_get_flags(c);
    int cf = f & CF;
    cnt %= bits + 1;
    for (unsigned i = 0; i < cnt; i++) {
      if (op == 2) { // rcl
        int out = (v >> (bits - 1)) & 1;
        v = ((v << 1) | cf) & m;
        cf = out;
      } else { // rcr
        int out = v & 1;
        v = (v >> 1) | ((u64)cf << (bits - 1));
        cf = out;
      }
    }
    int of = op == 2 ? (int)((v >> (bits - 1)) & 1) ^ cf : (int)(((v >> (bits - 1)) ^ (v >> (bits - 2))) & 1);
    f = (f & ~(u64)(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
    cpu_set_flags(c, f);
    return v;
  }
  cnt &= (sz == 8 ? 63 : 31);
  if (!cnt) return v;
  u64 r;
  int cf, of;
  switch (op) {
  case 4: case 6: // shl
    r = cnt >= 64 ? 0 : (v << cnt) & m;
    cf = cnt <= (unsigned)bits ? (int)((v >> (bits - cnt)) & 1) : 0;
    of = (int)((r >> (bits - 1)) & 1) ^ cf;
    break;
  case 5: // shr
    r = cnt >= 64 ? 0 : v >> cnt;
    cf = cnt <= (unsigned)bits ? (int)((v >> (cnt - 1)) & 1) : 0;
    of = (int)((v >> (bits - 1)) & 1);
    break;
  default: { // sar
    i64 s = sx(v, sz);
    unsigned k = cnt >= (unsigned)bits ? (unsigned)bits - 1 : cnt;
    r = (u64)(s >> k) & m;
    cf = (int)((s >> (cnt >= (unsigned)bits ? bits - 1 : cnt - 1)) & 1);
    of = 0;
  }
  }
  setresco(c, sz, r, cf, of);
  return r;
}

static void muldiv(Cpu *c, Mem *m, D *d, int sz, int op, int *ok) {
  u64 v = rm_read(c, m, d, sz);
  u64 mk = MASK(sz);
  switch (op) {
  case 4: { // mul
    if (sz == 8) {
      unsigned __int128 r = (unsigned __int128)c->r[RAX] * v;
      c->r[RAX] = (u64)r; c->r[RDX] = (u64)(r >> 64);
      setresco(c, 8, (u64)r, c->r[RDX] != 0, c->r[RDX] != 0);
    } else if (sz == 1) {
      u64 r = (c->r[RAX] & 0xff) * v;
      setreg(c, d, RAX, 2, r);
      setresco(c, 1, r, (r >> 8) != 0, (r >> 8) != 0);
    } else {
      u64 r = (c->r[RAX] & mk) * v;
      setreg(c, d, RAX, sz, r);
      setreg(c, d, RDX, sz, r >> (sz * 8));
      int hi = (r >> (sz * 8)) != 0;
      setresco(c, sz, r, hi, hi);
    }
    return;
  }
  case 5: { // imul
    if (sz == 8) {
      __int128 r = (__int128)(i64)c->r[RAX] * (i64)v;
      c->r[RAX] = (u64)r; c->r[RDX] = (u64)((unsigned __int128)r >> 64);
      int o = r != (i64)r;
      setresco(c, 8, (u64)r, o, o);
    } else {
      i64 r = sx(c->r[RAX], sz) * sx(v, sz);
      if (sz == 1) setreg(c, d, RAX, 2, (u64)r);
      else { setreg(c, d, RAX, sz, (u64)r); setreg(c, d, RDX, sz, (u64)r >> (sz * 8)); }
      int o = r != sx((u64)r, sz);
      setresco(c, sz, (u64)r, o, o);
    }
    return;
  }
  case 6: case 7: {
    if ((v & mk) == 0) { *ok = -1; return; }
    if (op == 6) {
      if (sz == 8) {
        unsigned __int128 n = ((unsigned __int128)c->r[RDX] << 64) | c->r[RAX];
        unsigned __int128 q = n / v;
        if (q >> 64) { *ok = -1; return; }
        c->r[RAX] = (u64)q; c->r[RDX] = (u64)(n % v);
      } else if (sz == 1) {
        u64 n = c->r[RAX] & 0xffff, q = n / v;
        if (q > 0xff) { *ok = -1; return; }
        setreg(c, d, RAX, 2, ((n % v) << 8) | q);
      } else {
        u64 n = ((c->r[RDX] & mk) << (sz * 8)) | (c->r[RAX] & mk), q = n / v;
        if (q > mk) { *ok = -1; return; }
        setreg(c, d, RAX, sz, q); setreg(c, d, RDX, sz, n % v);
      }
    } else {
      i64 dv = sx(v, sz);
      if (sz == 8) {
        __int128 n = (__int128)(((unsigned __int128)c->r[RDX] << 64) | c->r[RAX]);
        __int128 q = n / dv;
        if (q != (i64)q) { *ok = -1; return; }
        c->r[RAX] = (u64)(i64)q; c->r[RDX] = (u64)(i64)(n % dv);
      } else if (sz == 1) {
        i64 n = (i16)(c->r[RAX] & 0xffff), q = n / dv;
        if (q != (i8)q) { *ok = -1; return; }
        setreg(c, d, RAX, 2, (((u64)(n % dv) & 0xff) << 8) | ((u64)q & 0xff));
      } else {
        i64 n = sx(((c->r[RDX] & mk) << (sz * 8)) | (c->r[RAX] & mk), sz * 2);
        if (dv == -1 && n == INT64_MIN) { *ok = -1; return; }
        i64 q = n / dv;
        if (q != sx((u64)q, sz)) { *ok = -1; return; }
        setreg(c, d, RAX, sz, (u64)q); setreg(c, d, RDX, sz, (u64)(n % dv));
      }
    }
    return;
  }
  }
}

// 00-3F: op r/m, r (even rows) and op r, r/m; op AL/eAX, imm. One handler
// per operation so the ALU switch folds away.
#define ALU_HANDLERS(O)                                                           \
  static int alu##O##_rm_r(Proc *p, Cpu *c, Mem *m, D *d) {                       \
    int s = (d->op & 1) ? d->osz : 1;                                             \
    u64 r = alu_f(c, O, rm_read(c, m, d, s), getreg(c, d, d->reg, s), s, !d->noflags); \
    if (O != 7) rm_write(c, m, d, s, r);                                          \
    return X_NEXT;                                                                \
  }                                                                               \
  static int alu##O##_r_rm(Proc *p, Cpu *c, Mem *m, D *d) {                       \
    int s = (d->op & 1) ? d->osz : 1;                                             \
    u64 r = alu_f(c, O, getreg(c, d, d->reg, s), rm_read(c, m, d, s), s, !d->noflags); \
    if (O != 7) setreg(c, d, d->reg, s, r);                                       \
    return X_NEXT;                                                                \
  }                                                                               \
  static int alu##O##_acc(Proc *p, Cpu *c, Mem *m, D *d) {                        \
    int s = (d->op & 1) ? d->osz : 1;                                             \
    u64 r = alu_f(c, O, getreg(c, d, RAX, s), immz(d, s), s, !d->noflags);        \
    if (O != 7) setreg(c, d, RAX, s, r);                                          \
    return X_NEXT;                                                                \
  }                                                                               \
  static int alu##O##_grp1(Proc *p, Cpu *c, Mem *m, D *d) {                       \
    int s = d->op == 0x80 ? 1 : d->osz;                                           \
    u64 imm = d->op == 0x83 ? (u64)(i64)(i8)d->imm : immz(d, s);                  \
    u64 r = alu_f(c, O, rm_read(c, m, d, s), imm, s, !d->noflags);                \
    if (O != 7) rm_write(c, m, d, s, r);                                          \
    return X_NEXT;                                                                \
  }
ALU_HANDLERS(0)
ALU_HANDLERS(1)
ALU_HANDLERS(2)
ALU_HANDLERS(3)
ALU_HANDLERS(4)
ALU_HANDLERS(5)
ALU_HANDLERS(6)
ALU_HANDLERS(7)
// The same for 32- and 64-bit operands, chosen at decode: with the size a
// constant, masks, register access and the memory access width fold away.
#define ALU_SIZED(O, S)                                                               \
  static int alu##O##_rm_r_##S(Proc *p, Cpu *c, Mem *m, D *d) {                       \
    u64 r = alu_f(c, O, rm_read(c, m, d, S), c->r[d->reg] & MASK(S), S, !d->noflags); \
    if (O != 7) rm_write(c, m, d, S, r);                                              \
    return X_NEXT;                                                                    \
  }                                                                                   \
  static int alu##O##_r_rm_##S(Proc *p, Cpu *c, Mem *m, D *d) {                       \
    u64 r = alu_f(c, O, c->r[d->reg] & MASK(S), rm_read(c, m, d, S), S, !d->noflags); \
    if (O != 7) c->r[d->reg] = r;                                                     \
    return X_NEXT;                                                                    \
  }                                                                                   \
  static int alu##O##_acc_##S(Proc *p, Cpu *c, Mem *m, D *d) {                        \
    u64 r = alu_f(c, O, c->r[RAX] & MASK(S), immz(d, S), S, !d->noflags);             \
    if (O != 7) c->r[RAX] = r;                                                        \
    return X_NEXT;                                                                    \
  }                                                                                   \
  static int alu##O##_grp1_##S(Proc *p, Cpu *c, Mem *m, D *d) {                       \
    u64 imm = d->op == 0x83 ? (u64)(i64)(i8)d->imm : immz(d, S);                      \
    u64 r = alu_f(c, O, rm_read(c, m, d, S), imm, S, !d->noflags);                    \
    if (O != 7) rm_write(c, m, d, S, r);                                              \
    return X_NEXT;                                                                    \
  }
#define ALU_SIZES(O) ALU_SIZED(O, 4) ALU_SIZED(O, 8)
ALU_SIZES(0)
ALU_SIZES(1)
ALU_SIZES(2)
ALU_SIZES(3)
ALU_SIZES(4)
ALU_SIZES(5)
ALU_SIZES(6)
ALU_SIZES(7)
#define ALU_ROW(F, S) {alu0_##F##_##S, alu1_##F##_##S, alu2_##F##_##S, alu3_##F##_##S, alu4_##F##_##S, alu5_##F##_##S, alu6_##F##_##S, alu7_##F##_##S}
static const Exec alu_sized[4][2][8] = { // form (rm_r, r_rm, acc, grp1), size (4, 8), operation
    {ALU_ROW(rm_r, 4), ALU_ROW(rm_r, 8)},
    {ALU_ROW(r_rm, 4), ALU_ROW(r_rm, 8)},
    {ALU_ROW(acc, 4), ALU_ROW(acc, 8)},
    {ALU_ROW(grp1, 4), ALU_ROW(grp1, 8)},
};
static const Exec alu_rm_r[8] = {alu0_rm_r, alu1_rm_r, alu2_rm_r, alu3_rm_r, alu4_rm_r, alu5_rm_r, alu6_rm_r, alu7_rm_r};
static const Exec alu_r_rm[8] = {alu0_r_rm, alu1_r_rm, alu2_r_rm, alu3_r_rm, alu4_r_rm, alu5_r_rm, alu6_r_rm, alu7_r_rm};
static const Exec alu_acc[8] = {alu0_acc, alu1_acc, alu2_acc, alu3_acc, alu4_acc, alu5_acc, alu6_acc, alu7_acc};
static const Exec alu_grp1[8] = {alu0_grp1, alu1_grp1, alu2_grp1, alu3_grp1, alu4_grp1, alu5_grp1, alu6_grp1, alu7_grp1};

// Group 1 is dispatched on ModRM.reg: the decoder asks for the handler.
Exec alu_refine(D *d) {
  int op = d->op, wide = d->osz == 4 || d->osz == 8, z = d->osz == 8;
  if (wide && (op == 0x81 || op == 0x83)) return alu_sized[3][z][d->reg & 7];
  if (op == 0x80 || op == 0x81 || op == 0x83) return alu_grp1[d->reg & 7];
  if (wide && op < 0x40 && ((op & 7) == 1 || (op & 7) == 3 || (op & 7) == 5)) return alu_sized[(op & 7) >> 1][z][op >> 3];
  return NULL;
}

static int op_test_rm_r(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->op == 0x84 ? 1 : d->osz;
  if (d->noflags) return X_NEXT;
  alu(c, 4, rm_read(c, m, d, s), getreg(c, d, d->reg, s), s);
  return X_NEXT;
}
static int op_test_acc_imm(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->op == 0xa8 ? 1 : d->osz;
  if (d->noflags) return X_NEXT;
  alu(c, 4, c->r[RAX], immz(d, s), s);
  return X_NEXT;
}
// 69/6B/0F AF: imul r, r/m, imm and imul r, r/m
static int op_imul(Proc *p, Cpu *c, Mem *m, D *d) {
  int sz = d->osz, op = d->op;
  i64 imm = 0;
  if (op == 0x69) imm = sx(immz(d, sz == 8 ? 4 : sz), sz == 8 ? 4 : sz);
  else if (op == 0x6b) imm = (i8)d->imm;
  i64 a = op == 0x1af ? sx(getreg(c, d, d->reg, sz), sz) : imm;
  i64 bv = sx(rm_read(c, m, d, sz), sz);
  if (d->noflags) { // no overflow check (a 128-bit multiply in wasm32)
    setreg(c, d, d->reg, sz, (u64)a * (u64)bv);
    return X_NEXT;
  }
  int o;
  u64 r;
  if (sz == 8) {
    __int128 x = (__int128)a * bv;
    r = (u64)x;
    o = x != (i64)x;
  } else {
    i64 x = a * bv;
    r = (u64)x;
    o = x != sx((u64)x, sz);
  }
  setreg(c, d, d->reg, sz, r);
  setresco(c, sz, r, o, o);
  return X_NEXT;
}
// C0/C1/D0-D3: group 2 by imm8, 1 or CL
static int op_grp2(Proc *p, Cpu *c, Mem *m, D *d) {
  int op = d->op, s = (op & 1) ? d->osz : 1;
  unsigned cnt = op <= 0xc1 ? (u8)d->imm : op <= 0xd1 ? 1 : (unsigned)(c->r[RCX] & 0xff);
  if (d->noflags) { // count known non-zero, not RCL/RCR, flags dead: the result only
    u64 mk = MASK(s), v = rm_read(c, m, d, s) & mk, r;
    unsigned bits = (unsigned)s * 8, k;
    cnt &= s == 8 ? 63 : 31;
    switch (d->reg & 7) {
    case 0: k = cnt & (bits - 1); r = k ? ((v << k) | (v >> (bits - k))) & mk : v; break;
    case 1: k = cnt & (bits - 1); r = k ? ((v >> k) | (v << (bits - k))) & mk : v; break;
    case 5: r = v >> cnt; break;
    case 7: k = cnt >= bits ? bits - 1 : cnt; r = (u64)(sx(v, s) >> k) & mk; break;
    default: r = (v << cnt) & mk; break; // shl/sal
    }
    rm_write(c, m, d, s, r);
    return X_NEXT;
  }
  u64 v = rm_read(c, m, d, s);
  u64 r = shift(c, d->reg & 7, v, cnt, s);
  rm_write(c, m, d, s, r);
  return X_NEXT;
}
// F6/F7: group 3
static int op_grp3(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->op == 0xf6 ? 1 : d->osz;
  int o = d->reg & 7;
  if (o == 0 || o == 1) alu(c, 4, rm_read(c, m, d, s), immz(d, s), s);
  else if (o == 2) rm_write(c, m, d, s, ~rm_read(c, m, d, s));
  else if (o == 3) { u64 v = rm_read(c, m, d, s); u64 r = alu(c, 5, 0, v, s); rm_write(c, m, d, s, r); }
  else {
    int ok = 1;
    muldiv(c, m, d, s, o, &ok);
    if (ok < 0) { c->rip = d->start; fault_signal(p, 8, 1, d->start); return X_STOP; } // FPE_INTDIV
  }
  return X_NEXT;
}
// FE /0 /1 and FF /0 /1: inc, dec (CF kept)
int op_incdec(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->op == 0xfe ? 1 : d->osz;
  int o = d->reg & 7;
  if (o > 1) return X_ILL;
  u64 v = rm_read(c, m, d, s);
  u64 r = (o == 0 ? v + 1 : v - 1) & MASK(s);
  if (d->noflags) { rm_write(c, m, d, s, r); return X_NEXT; }
  int cf = getcf(c);
  setlf(c, o == 0 ? F_INC : F_DEC, s, r, v, 1);
  c->lf_cin = cf;
  rm_write(c, m, d, s, r);
  return X_NEXT;
}

void alu_ops(Exec *t) {
  for (int row = 0; row < 0x40; row += 8) {
    t[row] = t[row + 1] = alu_rm_r[row >> 3];
    t[row + 2] = t[row + 3] = alu_r_rm[row >> 3];
    t[row + 4] = t[row + 5] = alu_acc[row >> 3];
  }
  t[0x80] = t[0x81] = t[0x83] = alu0_grp1; // refined by ModRM.reg (alu_refine)
  t[0x84] = t[0x85] = op_test_rm_r;
  t[0xa8] = t[0xa9] = op_test_acc_imm;
  t[0x69] = t[0x6b] = t[0x1af] = op_imul;
  t[0xc0] = t[0xc1] = t[0xd0] = t[0xd1] = t[0xd2] = t[0xd3] = op_grp2;
  t[0xf6] = t[0xf7] = op_grp3;
  t[0xfe] = op_incdec;
}
