// Translator back end: integer instructions inline (ALU rows and group 1,
// TEST/NOT/NEG, INC/DEC, shifts and rotates, IMUL, MUL/IMUL/DIV/IDIV).
#include "emit.h"

// ALU operation `a` (0 add, 1 or, 4 and, 5 sub, 6 xor, 7 cmp) on L_T1, L_T2
// (masked to `sz`): the result in L_T1, flags recorded when `fl`.
void e_alu(Tx *t, int a, int sz, int fl) {
  static const u8 wop[8] = {W_I64_ADD, W_I64_OR, W_I64_ADD, W_I64_SUB, W_I64_AND, W_I64_SUB, W_I64_XOR, W_I64_SUB};
  int carry = a == 2 || a == 3, arith = carry || a == 0 || a == 5 || a == 7;
  if (carry) { // ADC/SBB: the carry in, as alu_f reads it before recording
    emit_getcf(t);
    lset(t, L_T3);
  }
  lget(t, L_T1);
  lget(t, L_T2);
  op(t, wop[a]);
  if (carry) { lget(t, L_T3); op(t, wop[a]); }
  if (arith) mask(t, sz);
  if (fl) {
    ltee(t, L_FRES);
    if (arith) {
      lget(t, L_T1); lset(t, L_FA);
      lget(t, L_T2); lset(t, L_FB);
    }
    if (carry) { lget(t, L_T3); lset(t, L_FCIN); }
    static const int fop[8] = {F_ADD, F_LOGIC, F_ADC, F_SBB, F_LOGIC, F_SUB, F_LOGIC, F_SUB};
    setflags(t, fop[a], sz);
  }
  lset(t, L_T1);
}

u64 imm_sz(D *d, int sz, int imm8) { // the immediate as an operand of `sz` bytes
  u64 v = imm8 ? (u64)(i64)(i8)d->imm : sz == 8 ? (u64)(i64)(i32)d->imm : d->imm;
  return v & MASK(sz);
}

int emit_alu_row(Tx *t, D *d) { // 00-3F
  int a = d->op >> 3, form = d->op & 7;
  int sz = (form & 1) ? d->osz : 1, fl = !d->noflags;
  if (form < 2) {
    e_rm_read(t, d, sz); lset(t, L_T1);
    e_getreg(t, d, d->reg, sz); lset(t, L_T2);
    e_alu(t, a, sz, fl);
    if (a != 7) { lget(t, L_T1); e_rm_write(t, d, sz, 1); }
  } else if (form < 4) {
    e_getreg(t, d, d->reg, sz); lset(t, L_T1);
    e_rm_read(t, d, sz); lset(t, L_T2);
    e_alu(t, a, sz, fl);
    if (a != 7) { lget(t, L_T1); e_setreg(t, d, d->reg, sz); }
  } else {
    e_getreg(t, d, RAX, sz); lset(t, L_T1);
    i64c(t, (i64)imm_sz(d, sz, 0)); lset(t, L_T2);
    e_alu(t, a, sz, fl);
    if (a != 7) { lget(t, L_T1); e_setreg(t, d, RAX, sz); }
  }
  return 1;
}
int emit_grp1(Tx *t, D *d) { // 80, 81, 83
  int a = d->reg & 7, sz = d->op == 0x80 ? 1 : d->osz;
  e_rm_read(t, d, sz); lset(t, L_T1);
  i64c(t, (i64)imm_sz(d, sz, d->op == 0x83)); lset(t, L_T2);
  e_alu(t, a, sz, !d->noflags);
  if (a != 7) { lget(t, L_T1); e_rm_write(t, d, sz, 1); }
  return 1;
}
int emit_test(Tx *t, D *d) { // 84, 85, A8, A9 (the handlers skip all of it when the flags are dead)
  int sz = (d->op & 1) ? d->osz : 1;
  if (d->noflags) return 1;
  if (d->op >= 0xa8) { e_getreg(t, d, RAX, sz); lset(t, L_T1); i64c(t, (i64)imm_sz(d, sz, 0)); lset(t, L_T2); }
  else { e_rm_read(t, d, sz); lset(t, L_T1); e_getreg(t, d, d->reg, sz); lset(t, L_T2); }
  e_alu(t, 4, sz, 1);
  return 1;
}
int emit_grp3(Tx *t, D *d) { // F6/F7 /0 /1 test, /2 not, /3 neg
  int o = d->reg & 7, sz = d->op == 0xf6 ? 1 : d->osz;
  if (o > 3) return 0;
  e_rm_read(t, d, sz);
  lset(t, L_T1);
  if (o < 2) { i64c(t, (i64)imm_sz(d, sz, 0)); lset(t, L_T2); e_alu(t, 4, sz, 1); return 1; }
  if (o == 2) { lget(t, L_T1); i64c(t, -1); op(t, W_I64_XOR); mask(t, sz); e_rm_write(t, d, sz, 1); return 1; }
  lget(t, L_T1); lset(t, L_T2);
  i64c(t, 0); lset(t, L_T1);
  e_alu(t, 5, sz, 1);
  lget(t, L_T1);
  e_rm_write(t, d, sz, 1);
  return 1;
}
int emit_incdec(Tx *t, D *d) { // FE/FF /0 /1
  int o = d->reg & 7, sz = d->op == 0xfe ? 1 : d->osz;
  e_rm_read(t, d, sz);
  lset(t, L_T1);
  lget(t, L_T1);
  i64c(t, o == 0 ? 1 : -1);
  op(t, W_I64_ADD);
  mask(t, sz);
  lset(t, L_T2);
  if (!d->noflags) {
    emit_getcf(t); // CF is kept
    lset(t, L_FCIN);
    lget(t, L_T2); lset(t, L_FRES);
    lget(t, L_T1); lset(t, L_FA);
    i64c(t, 1); lset(t, L_FB);
    setflags(t, o == 0 ? F_INC : F_DEC, sz);
  }
  lget(t, L_T2);
  e_rm_write(t, d, sz, 1);
  return 1;
}
static int emit_rotate(Tx *t, D *d, unsigned cnt, int sz) { // ROL/ROR whose flags nothing reads
  if (!d->noflags) return 0; // flags: cpu_get_flags + cpu_set_flags in the handler
  if (sz < 4) { // 8/16-bit (rol $8, %ax swaps bytes): by the count modulo the width
    unsigned bits = (unsigned)sz * 8, k = cnt & (bits - 1);
    e_rm_read(t, d, sz);
    if (k) {
      lset(t, L_T1);
      unsigned l = (d->reg & 7) ? bits - k : k; // ROR by k = ROL by bits - k
      lget(t, L_T1); i64c(t, l); op(t, W_I64_SHL);
      lget(t, L_T1); i64c(t, bits - l); op(t, W_I64_SHR_U);
      op(t, W_I64_OR);
      mask(t, sz);
    }
    e_rm_write(t, d, sz, 1);
    return 1;
  }
  e_rm_read(t, d, sz);
  if (sz == 4) op(t, W_I32_WRAP);
  if (sz == 4) i32c(t, (i32)(cnt & 31));
  else i64c(t, cnt & 63);
  op(t, sz == 4 ? ((d->reg & 7) ? W_I32_ROTR : W_I32_ROTL) : ((d->reg & 7) ? W_I64_ROTR : W_I64_ROTL));
  if (sz == 4) op(t, W_I64_EXTEND_U);
  e_rm_write(t, d, sz, 1);
  return 1;
}
// The lazy flags' carry word of a SHL/SHR/SAR (F_RESCO), left on the stack:
// CF (in local `cf`) in bit 0 and OF in bit 1, as shift() computes it: SAR 0,
// SHR the source's top bit, SHL the result's top bit xor CF.
static void shift_cin(Tx *t, int o, int bits, int src, int res, int cf) {
  if (o == 7) i64c(t, 0);
  else {
    lget(t, o == 5 ? src : res);
    i64c(t, bits - 1);
    op(t, W_I64_SHR_U);
    i64c(t, 1);
    op(t, W_I64_AND);
    if (o != 5) { lget(t, cf); op(t, W_I64_XOR); }
  }
  i64c(t, 1);
  op(t, W_I64_SHL);
  lget(t, cf);
  op(t, W_I64_OR);
}
int emit_shift(Tx *t, D *d) { // C0/C1 imm8, D0/D1 by 1: SHL/SHR/SAL/SAR, ROL/ROR
  int o = d->reg & 7, sz = (d->op & 1) ? d->osz : 1, bits = sz * 8;
  unsigned cnt = (d->op <= 0xc1 ? (unsigned)(u8)d->imm : 1u) & (sz == 8 ? 63u : 31u);
  if (o < 2) return emit_rotate(t, d, cnt, sz);
  if (o < 4) return 0;
  e_rm_read(t, d, sz);
  lset(t, L_T1);
  if (cnt == 0) { lget(t, L_T1); e_rm_write(t, d, sz, 1); return 1; } // no flags written
  lget(t, L_T1);
  if (o == 7) sxn(t, sz);
  i64c(t, cnt);
  op(t, o == 5 ? W_I64_SHR_U : o == 7 ? W_I64_SHR_S : W_I64_SHL);
  mask(t, sz);
  lset(t, L_T2);
  if (!d->noflags && cnt < (unsigned)bits) {
    // CF: the last bit shifted out; OF as shift() computes it
    lget(t, L_T1);
    if (o == 7) sxn(t, sz);
    i64c(t, o == 5 || o == 7 ? (i64)cnt - 1 : (i64)(bits - (int)cnt));
    op(t, o == 7 ? W_I64_SHR_S : W_I64_SHR_U);
    i64c(t, 1);
    op(t, W_I64_AND);
    lset(t, L_T3); // cf
    shift_cin(t, o, bits, L_T1, L_T2, L_T3);
    lset(t, L_FCIN);
    lget(t, L_T2); lset(t, L_FRES);
    setflags(t, F_RESCO, sz);
  } else if (!d->noflags) return 0; // (cannot happen: counts are masked below the width)
  lget(t, L_T2);
  e_rm_write(t, d, sz, 1);
  return 1;
}
// D2/D3 /4-/7 with a 32/64-bit operand: SHL/SHR/SAR by CL. Flags change only
// when the masked count is not 0, so they go straight to the Cpu then.
int emit_shift_cl(Tx *t, D *d) {
  int o = d->reg & 7, sz = d->osz, bits = sz * 8;
  if (d->op != 0xd3 || o < 4 || sz < 4) return 0;
  flush_flags(t);
  e_rm_read(t, d, sz);
  lset(t, L_T1);
  rget(t, RCX);
  i64c(t, sz == 8 ? 63 : 31);
  op(t, W_I64_AND);
  lset(t, L_T2);
  lget(t, L_T1);
  if (o == 7) sxn(t, sz);
  lget(t, L_T2);
  op(t, o == 5 ? W_I64_SHR_U : o == 7 ? W_I64_SHR_S : W_I64_SHL);
  mask(t, sz);
  lset(t, L_FRES);
  lget(t, L_T2);
  op(t, W_I64_EQZ);
  op(t, W_I32_EQZ);
  open_(t, W_IF, W_VOID);
  lget(t, L_T1); // CF: the last bit out
  if (o == 7) sxn(t, sz);
  if (o == 5 || o == 7) { lget(t, L_T2); i64c(t, 1); op(t, W_I64_SUB); }
  else { i64c(t, bits); lget(t, L_T2); op(t, W_I64_SUB); }
  op(t, o == 7 ? W_I64_SHR_S : W_I64_SHR_U);
  i64c(t, 1);
  op(t, W_I64_AND);
  lset(t, L_FCIN); // cf
  shift_cin(t, o, bits, L_T1, L_FRES, L_FCIN);
  lset(t, L_FCIN);
  lget(t, L_P); i32c(t, F_RESCO); memop(t, W_I32_STORE, CPU_FIELD(lf_op));
  lget(t, L_P); i32c(t, sz); memop(t, W_I32_STORE, CPU_FIELD(lf_sz));
  lget(t, L_P); lget(t, L_FRES); memop(t, W_I64_STORE, CPU_FIELD(lf_res));
  lget(t, L_P); lget(t, L_FCIN); memop(t, W_I64_STORE, CPU_FIELD(lf_cin));
  end_(t);
  lget(t, L_FRES);
  e_rm_write(t, d, sz, 1);
  return 1;
}

static void mulhs(Tx *t);
static void mul_flags(Tx *t, int sz);
int emit_imul(Tx *t, D *d) { // 0F AF, 69, 6B
  int sz = d->osz, fl = !d->noflags;
  if (sz == 2) return 0;
  if (sz == 8 && fl) { // overflow: the high quadword of the 128-bit product is not the low one's sign
    e_rm_read(t, d, 8);
    lset(t, L_X0);
    if (d->op == 0x1af) rget(t, d->reg);
    else i64c(t, d->op == 0x6b ? (i64)(i8)d->imm : (i64)(i32)d->imm);
    lset(t, L_X1);
    mulhs(t);
    lset(t, L_T2);
    lget(t, L_X0); lget(t, L_X1); op(t, W_I64_MUL); lset(t, L_T1);
    lget(t, L_T1); lset(t, L_FRES);
    lget(t, L_T2); lget(t, L_T1); i64c(t, 63); op(t, W_I64_SHR_S); op(t, W_I64_NE);
    mul_flags(t, 8);
    lget(t, L_T1);
    rset(t, d->reg);
    return 1;
  }
  e_rm_read(t, d, sz);
  sxn(t, sz);
  if (d->op == 0x1af) { e_getreg(t, d, d->reg, sz); sxn(t, sz); }
  else i64c(t, d->op == 0x6b ? (i64)(i8)d->imm : (i64)(i32)d->imm);
  op(t, W_I64_MUL);
  lset(t, L_T1);
  if (fl) { // sz 4: overflow when the 64-bit product is not a sign-extended 32-bit one
    lget(t, L_T1); zx32(t); lset(t, L_FRES);
    lget(t, L_T1); lget(t, L_T1); sxn(t, 4); op(t, W_I64_NE);
    op(t, W_I64_EXTEND_U);
    lset(t, L_FCIN);
    lget(t, L_FCIN); lget(t, L_FCIN); i64c(t, 1); op(t, W_I64_SHL); op(t, W_I64_OR); lset(t, L_FCIN);
    setflags(t, F_RESCO, sz);
  }
  lget(t, L_T1);
  e_setreg(t, d, d->reg, sz);
  return 1;
}
// ---- MUL/IMUL/DIV/IDIV (F7 /4-/7) and 64-bit IMUL with live flags ----
// High quadword of the unsigned 128-bit product of L_X0 and L_X1, on the
// stack (no wide multiply in MVP Wasm: 32-bit halves).
static void mulhu(Tx *t) {
  // mid = (a0*b0 >> 32) + lo32(a0*b1) + lo32(a1*b0); hi = a1*b1 + (a0*b1 >> 32) + (a1*b0 >> 32) + (mid >> 32)
  lget(t, L_X0); zx32(t); lget(t, L_X1); i64c(t, 32); op(t, W_I64_SHR_U); op(t, W_I64_MUL); lset(t, L_X2); // a0*b1
  lget(t, L_X0); i64c(t, 32); op(t, W_I64_SHR_U); lget(t, L_X1); zx32(t); op(t, W_I64_MUL); lset(t, L_TS); // a1*b0
  lget(t, L_X0); zx32(t); lget(t, L_X1); zx32(t); op(t, W_I64_MUL); i64c(t, 32); op(t, W_I64_SHR_U);
  lget(t, L_X2); zx32(t); op(t, W_I64_ADD);
  lget(t, L_TS); zx32(t); op(t, W_I64_ADD);
  i64c(t, 32); op(t, W_I64_SHR_U); // mid >> 32
  lget(t, L_X0); i64c(t, 32); op(t, W_I64_SHR_U); lget(t, L_X1); i64c(t, 32); op(t, W_I64_SHR_U); op(t, W_I64_MUL);
  op(t, W_I64_ADD);
  lget(t, L_X2); i64c(t, 32); op(t, W_I64_SHR_U); op(t, W_I64_ADD);
  lget(t, L_TS); i64c(t, 32); op(t, W_I64_SHR_U); op(t, W_I64_ADD);
}
// ... and of the signed product: hu - (a < 0 ? b : 0) - (b < 0 ? a : 0).
static void mulhs(Tx *t) {
  mulhu(t);
  lget(t, L_X1); i64c(t, 0); lget(t, L_X0); i64c(t, 0); op(t, W_I64_LT_S); op(t, W_SELECT); op(t, W_I64_SUB);
  lget(t, L_X0); i64c(t, 0); lget(t, L_X1); i64c(t, 0); op(t, W_I64_LT_S); op(t, W_SELECT); op(t, W_I64_SUB);
}
// F_RESCO flags of a multiply: result L_FRES, CF = OF = the i32 on the stack.
static void mul_flags(Tx *t, int sz) {
  op(t, W_I64_EXTEND_U);
  i64c(t, 3);
  op(t, W_I64_MUL);
  lset(t, L_FCIN);
  setflags(t, F_RESCO, sz);
}
int emit_muldiv(Tx *t, D *d) { // F7 /4 mul, /5 imul, /6 div, /7 idiv with 32/64-bit operands
  int o = d->reg & 7, sz = d->osz;
  if (sz < 4) return 0;
  e_rm_read(t, d, sz);
  lset(t, L_X1);
  if (o == 4 || o == 5) {
    if (sz == 8) {
      rget(t, RAX); lset(t, L_X0);
      if (o == 4) mulhu(t); else mulhs(t);
      lset(t, L_T2); // high
      lget(t, L_X0); lget(t, L_X1); op(t, W_I64_MUL); lset(t, L_T1); // low
    } else {
      rget(t, RAX);
      if (o == 4) { zx32(t); lget(t, L_X1); }
      else { sxn(t, 4); lget(t, L_X1); sxn(t, 4); }
      op(t, W_I64_MUL);
      lset(t, L_T1);
      lget(t, L_T1); i64c(t, 32); op(t, o == 4 ? W_I64_SHR_U : W_I64_SHR_S); lset(t, L_T2);
    }
    if (!d->noflags) { // CF = OF: the product does not fit the low half (muldiv in alu.c)
      lget(t, L_T1); if (sz == 4) zx32(t); lset(t, L_FRES);
      if (o == 4) { lget(t, L_T2); op(t, W_I64_EQZ); op(t, W_I32_EQZ); }
      else if (sz == 8) { lget(t, L_T2); lget(t, L_T1); i64c(t, 63); op(t, W_I64_SHR_S); op(t, W_I64_NE); }
      else { lget(t, L_T1); lget(t, L_T1); sxn(t, 4); op(t, W_I64_NE); }
      mul_flags(t, sz);
    }
    lget(t, L_T1); e_setreg(t, d, RAX, sz);
    lget(t, L_T2); e_setreg(t, d, RDX, sz);
    return 1;
  }
  // div/idiv: the common cases inline; a zero divisor, a quotient that does
  // not fit (#DE) or a 128-bit dividend run through the handler
  if (sz == 8) {
    rget(t, RAX); lset(t, L_X0);
    if (o == 6) { // RDX == 0 && v != 0
      rget(t, RDX); op(t, W_I64_EQZ);
      lget(t, L_X1); op(t, W_I64_EQZ); op(t, W_I32_EQZ);
      op(t, W_I32_AND);
    } else { // RDX == RAX >> 63, v != 0, not INT64_MIN / -1
      rget(t, RDX); lget(t, L_X0); i64c(t, 63); op(t, W_I64_SHR_S); op(t, W_I64_EQ);
      lget(t, L_X1); op(t, W_I64_EQZ); op(t, W_I32_EQZ);
      op(t, W_I32_AND);
      lget(t, L_X1); i64c(t, -1); op(t, W_I64_EQ);
      lget(t, L_X0); i64c(t, INT64_MIN); op(t, W_I64_EQ);
      op(t, W_I32_AND); op(t, W_I32_EQZ);
      op(t, W_I32_AND);
    }
  } else { // the 64-bit dividend EDX:EAX
    rget(t, RDX); i64c(t, 32); op(t, W_I64_SHL); rget(t, RAX); zx32(t); op(t, W_I64_OR); lset(t, L_X0);
    if (o == 7) { lget(t, L_X1); sxn(t, 4); lset(t, L_X1); }
    lget(t, L_X1); op(t, W_I64_EQZ); op(t, W_I32_EQZ);
    if (o == 7) {
      lget(t, L_X1); i64c(t, -1); op(t, W_I64_EQ);
      lget(t, L_X0); i64c(t, INT64_MIN); op(t, W_I64_EQ);
      op(t, W_I32_AND); op(t, W_I32_EQZ);
      op(t, W_I32_AND);
    }
  }
  open_(t, W_IF, W_VOID);
  lget(t, L_X0); lget(t, L_X1); op(t, o == 6 ? W_I64_DIV_U : W_I64_DIV_S); lset(t, L_T1);
  lget(t, L_X0); lget(t, L_X1); op(t, o == 6 ? W_I64_REM_U : W_I64_REM_S); lset(t, L_T2);
  if (sz == 4) { // the quotient must fit
    lget(t, L_T1);
    if (o == 6) { i64c(t, 0xffffffffll); op(t, W_I64_GT_U); }
    else { lget(t, L_T1); sxn(t, 4); op(t, W_I64_NE); }
    open_(t, W_IF, W_VOID);
    slow_step(t, 1u << RAX | 1u << RDX);
    else_(t);
  }
  lget(t, L_T1); e_setreg(t, d, RAX, sz);
  lget(t, L_T2); e_setreg(t, d, RDX, sz);
  if (sz == 4) end_(t);
  else_(t);
  slow_step(t, 1u << RAX | 1u << RDX);
  end_(t);
  return 1;
}
