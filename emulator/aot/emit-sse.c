// Translator back end: SSE/SSE2 instructions inline, with the XMM registers
// left in the Cpu (moves, logic, quadword lanes, unpacks, compares, scalar
// double arithmetic with x86's NaN rules, conversions), and BSF.
#include "emit.h"

// ---- SSE: XMM registers stay in the Cpu ----
#define XMM_OFF(r, half) (CPU_FIELD(xmm) + 16u * (u32)(r) + 8u * (u32)(half))
static void xget(Tx *t, int r, int half) { lget(t, L_P); memop(t, W_I64_LOAD, XMM_OFF(r, half)); }
static void xset(Tx *t, int r, int half, int l) { lget(t, L_P); lget(t, l); memop(t, W_I64_STORE, XMM_OFF(r, half)); }
static int sse_pf(D *d) { return d->rep == 0xf3 ? 3 : d->rep == 0xf2 ? 2 : d->pfx66 ? 1 : 0; }

typedef void (*SseBody)(Tx *t, D *d);
// The source operand (`bytes`: 16, 8 or 4; zero-extended) in L_X0 (low
// quadword) and L_X1 (high), then `body`. A memory source of 16 bytes that
// misses the TLB (or crosses a page) runs the whole instruction through its
// handler instead; 8 or 4 bytes load through the core's slow path.
static void sse_src(Tx *t, D *d, int bytes, SseBody body) {
  if (!d->hasmem) {
    xget(t, d->rm, 0);
    if (bytes == 4) zx32(t);
    lset(t, L_X0);
    if (bytes == 16) xget(t, d->rm, 1);
    else i64c(t, 0);
    lset(t, L_X1);
    body(t, d);
    return;
  }
  e_ea(t, d);
  lset(t, L_A);
  if (bytes < 16) {
    e_load(t, bytes);
    lset(t, L_X0);
    i64c(t, 0);
    lset(t, L_X1);
    body(t, d);
    return;
  }
  tlb_test(t, 0, 16);
  open_(t, W_IF, W_VOID);
  host_addr(t, 0);
  ltee(t, L_H);
  memop(t, W_I64_LOAD, 0);
  lset(t, L_X0);
  lget(t, L_H);
  memop(t, W_I64_LOAD, 8);
  lset(t, L_X1);
  body(t, d);
  else_(t);
  slow_step(t, 0);
  end_(t);
}
// Stores L_X0 (and L_X1 for 16 bytes) to the r/m operand; a 16-byte store
// that misses the TLB runs the whole instruction through its handler.
static void sse_store(Tx *t, D *d, int bytes) {
  if (!d->hasmem) {
    if (bytes == 4) { // the low doubleword only
      xget(t, d->rm, 0);
      i64c(t, (i64)0xffffffff00000000ull);
      op(t, W_I64_AND);
      lget(t, L_X0);
      zx32(t);
      op(t, W_I64_OR);
      lset(t, L_X0);
    }
    xset(t, d->rm, 0, L_X0);
    if (bytes == 16) xset(t, d->rm, 1, L_X1);
    return;
  }
  e_ea(t, d);
  lset(t, L_A);
  if (bytes < 16) {
    lget(t, L_X0);
    lset(t, L_T3);
    e_store(t, bytes, X_NEXT);
    return;
  }
  tlb_test(t, 1, 16);
  open_(t, W_IF, W_VOID);
  host_addr(t, 1);
  ltee(t, L_H);
  lget(t, L_X0);
  memop(t, W_I64_STORE, 0);
  lget(t, L_H);
  lget(t, L_X1);
  memop(t, W_I64_STORE, 8);
  else_(t);
  slow_step(t, 0);
  end_(t);
}
static void body_mov(Tx *t, D *d) { // reg = source (the bytes sse_src read; zero-extended from memory)
  xset(t, d->reg, 0, L_X0);
  xset(t, d->reg, 1, L_X1);
}
static void body_mov_lo(Tx *t, D *d) { // register to register movsd: the low quadword only
  xset(t, d->reg, 0, L_X0);
}
static void body_mov_lo32(Tx *t, D *d) { // register to register movss: the low doubleword only
  xget(t, d->reg, 0);
  i64c(t, (i64)0xffffffff00000000ull);
  op(t, W_I64_AND);
  lget(t, L_X0);
  op(t, W_I64_OR);
  lset(t, L_X0);
  xset(t, d->reg, 0, L_X0);
}
static void body_qlo_zero_hi(Tx *t, D *d) { // movq xmm, xmm/m64: the high quadword cleared
  xset(t, d->reg, 0, L_X0);
  i64c(t, 0);
  lset(t, L_X1);
  xset(t, d->reg, 1, L_X1);
}
// Lane-wise integer/logic operations on quadwords: x = x op source.
static void lanes(Tx *t, D *d, u8 wop, int notx) {
  for (int h = 0; h < 2; h++) {
    xget(t, d->reg, h);
    if (notx) { i64c(t, -1); op(t, W_I64_XOR); }
    lget(t, h ? L_X1 : L_X0);
    op(t, wop);
    lset(t, h ? L_X1 : L_X0);
  }
  body_mov(t, d);
}
static void body_and(Tx *t, D *d) { lanes(t, d, W_I64_AND, 0); }
static void body_andn(Tx *t, D *d) { lanes(t, d, W_I64_AND, 1); }
static void body_or(Tx *t, D *d) { lanes(t, d, W_I64_OR, 0); }
static void body_xor(Tx *t, D *d) { lanes(t, d, W_I64_XOR, 0); }
static void body_addq(Tx *t, D *d) { lanes(t, d, W_I64_ADD, 0); }
static void body_subq(Tx *t, D *d) { // x - source: the operands the other way round
  for (int h = 0; h < 2; h++) {
    xget(t, d->reg, h);
    lget(t, h ? L_X1 : L_X0);
    op(t, W_I64_SUB);
    lset(t, h ? L_X1 : L_X0);
  }
  body_mov(t, d);
}
static void body_unpcklqdq(Tx *t, D *d) { // x.q1 = source.q0
  xset(t, d->reg, 1, L_X0);
}
static void body_unpckhqdq(Tx *t, D *d) { // x.q0 = x.q1, x.q1 = source.q1
  xget(t, d->reg, 1);
  lset(t, L_X0);
  xset(t, d->reg, 0, L_X0);
  xset(t, d->reg, 1, L_X1);
}
// Spreads the 32-bit value on the stack into the even `unit`-byte slots of a
// quadword (unit 2: words 0 and 2; unit 1: bytes 0, 2, 4 and 6).
static void spread(Tx *t, int unit) {
  lset(t, L_X2);
  lget(t, L_X2); i64c(t, 0xffff0000ll); op(t, W_I64_AND); i64c(t, 16); op(t, W_I64_SHL);
  lget(t, L_X2); i64c(t, 0xffff); op(t, W_I64_AND);
  op(t, W_I64_OR);
  if (unit == 1) {
    lset(t, L_X2);
    lget(t, L_X2); i64c(t, 8); op(t, W_I64_SHL);
    lget(t, L_X2); op(t, W_I64_OR);
    i64c(t, 0x00ff00ff00ff00ffll); op(t, W_I64_AND);
  }
}
// PUNPCKLBW/WD/DQ: the low halves of x and the source interleaved, x first.
static void unpackl(Tx *t, D *d, int unit) {
  for (int h = 0; h < 2; h++) {
    xget(t, d->reg, 0);
    if (h) { i64c(t, 32); op(t, W_I64_SHR_U); } else zx32(t);
    if (unit < 4) spread(t, unit);
    lget(t, L_X0);
    if (h) { i64c(t, 32); op(t, W_I64_SHR_U); } else zx32(t);
    if (unit < 4) spread(t, unit);
    i64c(t, 8 * unit);
    op(t, W_I64_SHL);
    op(t, W_I64_OR);
    lset(t, h ? L_TS : L_T3);
  }
  xset(t, d->reg, 0, L_T3);
  xset(t, d->reg, 1, L_TS);
}
static void body_unpcklbw(Tx *t, D *d) { unpackl(t, d, 1); }
static void body_unpcklwd(Tx *t, D *d) { unpackl(t, d, 2); }
static void body_unpckldq(Tx *t, D *d) { unpackl(t, d, 4); }
static void body_pcmpeqb(Tx *t, D *d) { // bytes equal: 0xff, else 0 (SWAR on each quadword)
  for (int h = 0; h < 2; h++) {
    int l = h ? L_X1 : L_X0;
    xget(t, d->reg, h); // t2 = ~(x ^ y): a byte of all ones where equal
    lget(t, l);
    op(t, W_I64_XOR);
    i64c(t, -1);
    op(t, W_I64_XOR);
    lset(t, L_X2);
    lget(t, L_X2); // the top bit of each byte that is all ones
    i64c(t, 0x7f7f7f7f7f7f7f7fll);
    op(t, W_I64_AND);
    i64c(t, 0x0101010101010101ll);
    op(t, W_I64_ADD);
    lget(t, L_X2);
    op(t, W_I64_AND);
    i64c(t, (i64)0x8080808080808080ull);
    op(t, W_I64_AND);
    i64c(t, 7);
    op(t, W_I64_SHR_U);
    i64c(t, 0xff);
    op(t, W_I64_MUL);
    lset(t, l);
  }
  body_mov(t, d);
}
static void body_pshufd(Tx *t, D *d) { // dword i = source dword (imm >> 2i) & 3
  int imm = (u8)d->imm;
  for (int h = 0; h < 2; h++) {
    for (int k = 0; k < 2; k++) {
      int j = (imm >> (2 * (2 * h + k))) & 3;
      lget(t, j >> 1 ? L_X1 : L_X0);
      if (j & 1) { i64c(t, 32); op(t, W_I64_SHR_U); }
      else zx32(t);
      if (k) { i64c(t, 32); op(t, W_I64_SHL); op(t, W_I64_OR); }
    }
    lset(t, h ? L_TS : L_X2);
  }
  lget(t, L_X2);
  lset(t, L_X0);
  lget(t, L_TS);
  lset(t, L_X1);
  body_mov(t, d);
}
// Scalar double arithmetic (F2 0F 58/59/5C/5D/5E/5F) with x86's NaN rules
// (fpu.c darith): the first operand's NaN, quieted, else the second's, else
// the default NaN; min/max return the source unless the comparison holds.
static void body_sd_arith(Tx *t, D *d) {
  int o = d->op & 0xff;
  xget(t, d->reg, 0);
  lset(t, L_X2); // a
  if (o == 0x5d || o == 0x5f) {
    lget(t, L_X2);
    lget(t, L_X0);
    lget(t, L_X2); op(t, W_F64_REINTERPRET_I64);
    lget(t, L_X0); op(t, W_F64_REINTERPRET_I64);
    op(t, o == 0x5d ? W_F64_LT : W_F64_GT);
    op(t, W_SELECT);
    lset(t, L_X0);
    xset(t, d->reg, 0, L_X0);
    return;
  }
  static const u8 fo[16] = {[8] = W_F64_ADD, [9] = W_F64_MUL, [12] = W_F64_SUB, [14] = W_F64_DIV};
  lget(t, L_X2); op(t, W_F64_REINTERPRET_I64);
  lget(t, L_X0); op(t, W_F64_REINTERPRET_I64);
  op(t, fo[o & 15]);
  op(t, W_I64_REINTERPRET_F64);
  lset(t, L_TS);
  // NaN result: x != x
  lget(t, L_TS); op(t, W_F64_REINTERPRET_I64);
  lget(t, L_TS); op(t, W_F64_REINTERPRET_I64);
  op(t, W_F64_NE);
  open_(t, W_IF, W_VOID);
  lget(t, L_X2); i64c(t, 0x0008000000000000ll); op(t, W_I64_OR); // a quieted
  lget(t, L_X0); i64c(t, 0x0008000000000000ll); op(t, W_I64_OR); // b quieted
  i64c(t, (i64)0xfff8000000000000ull);                            // the default NaN
  lget(t, L_X0); op(t, W_F64_REINTERPRET_I64); lget(t, L_X0); op(t, W_F64_REINTERPRET_I64); op(t, W_F64_NE);
  op(t, W_SELECT);
  lget(t, L_X2); op(t, W_F64_REINTERPRET_I64); lget(t, L_X2); op(t, W_F64_REINTERPRET_I64); op(t, W_F64_NE);
  op(t, W_SELECT);
  lset(t, L_TS);
  end_(t);
  xset(t, d->reg, 0, L_TS);
}
// COMISD/UCOMISD, COMISS/UCOMISS: ZF PF CF from the comparison, AF SF OF
// cleared, straight into the Cpu's materialised flags (set_cmp_flags).
static void comi_operand(Tx *t, int l, int dbl) {
  lget(t, l);
  if (dbl) op(t, W_F64_REINTERPRET_I64);
  else { op(t, W_I32_WRAP); op(t, W_F32_REINTERPRET_I32); }
}
static void body_comi(Tx *t, D *d) {
  int dbl = sse_pf(d) == 1;
  xget(t, d->reg, 0);
  lset(t, L_X2);
  // equal ? ZF : less ? CF : greater ? 0 : unordered (ZF PF CF)
  i32c(t, ZF);
  i32c(t, CF);
  i32c(t, 0);
  i32c(t, ZF | PF | CF);
  comi_operand(t, L_X2, dbl); comi_operand(t, L_X0, dbl); op(t, dbl ? W_F64_GT : W_F32_GT);
  op(t, W_SELECT);
  comi_operand(t, L_X2, dbl); comi_operand(t, L_X0, dbl); op(t, dbl ? W_F64_LT : W_F32_LT);
  op(t, W_SELECT);
  comi_operand(t, L_X2, dbl); comi_operand(t, L_X0, dbl); op(t, dbl ? W_F64_EQ : W_F32_EQ);
  op(t, W_SELECT);
  lset(t, L_T32);
  lget(t, L_P); // flags = (flags without the arithmetic ones | bits) & 0x254dd5 | 2, as cpu_set_flags
  lget(t, L_P);
  memop(t, W_I64_LOAD, CPU_FIELD(flags));
  i64c(t, (i64)(~(u64)(CF | PF | AF | ZF | SF | OF) & 0x254dd5ull));
  op(t, W_I64_AND);
  i64c(t, 2);
  op(t, W_I64_OR);
  lget(t, L_T32);
  op(t, W_I64_EXTEND_U);
  op(t, W_I64_OR);
  memop(t, W_I64_STORE, CPU_FIELD(flags));
  lget(t, L_P); i32c(t, F_NONE); memop(t, W_I32_STORE, CPU_FIELD(lf_op));
}
// CMPSD xmm, xmm/m64, pred (F2 0F C2): all ones where the predicate holds (fpu.c dcmp).
static void body_cmpsd(Tx *t, D *d) {
  int pred = (u8)d->imm;
  xget(t, d->reg, 0);
  lset(t, L_X2);
#define A_ lget(t, L_X2); op(t, W_F64_REINTERPRET_I64)
#define B_ lget(t, L_X0); op(t, W_F64_REINTERPRET_I64)
  switch (pred) {
  case 0: A_; B_; op(t, W_F64_EQ); break;
  case 1: A_; B_; op(t, W_F64_LT); break;
  case 2: A_; B_; op(t, W_F64_LE); break;
  case 3: A_; A_; op(t, W_F64_NE); B_; B_; op(t, W_F64_NE); op(t, W_I32_OR); break;
  case 4: A_; B_; op(t, W_F64_NE); break;
  case 5: A_; B_; op(t, W_F64_LT); op(t, W_I32_EQZ); break;
  case 6: A_; B_; op(t, W_F64_LE); op(t, W_I32_EQZ); break;
  default: A_; A_; op(t, W_F64_EQ); B_; B_; op(t, W_F64_EQ); op(t, W_I32_AND); break;
  }
#undef A_
#undef B_
  op(t, W_I64_EXTEND_U);
  lset(t, L_X0);
  i64c(t, 0); // 1 -> all ones
  lget(t, L_X0);
  op(t, W_I64_SUB);
  lset(t, L_X0);
  xset(t, d->reg, 0, L_X0);
}
int emit_sse(Tx *t, D *d) { // the 0F map rows not inlined above: SSE, and BSF
  extern Exec exec_table[0x400];
  int o = d->op, pf = sse_pf(d);
  if (d->fn != exec_table[o]) return 0; // an MMX or SSE3 form the decoder gave its own handler
  switch (o) {
  case 0x110: { // movups/movupd/movss/movsd xmm, xmm/m
    int n = pf == 3 ? 4 : pf == 2 ? 8 : 16;
    sse_src(t, d, n, d->hasmem || n == 16 ? body_mov : n == 8 ? body_mov_lo : body_mov_lo32);
    return 1;
  }
  case 0x111: { // movups/movupd/movss/movsd xmm/m, xmm
    int n = pf == 3 ? 4 : pf == 2 ? 8 : 16;
    xget(t, d->reg, 0);
    lset(t, L_X0);
    if (n == 16) { xget(t, d->reg, 1); lset(t, L_X1); }
    sse_store(t, d, n);
    return 1;
  }
  case 0x128: case 0x16f: // movaps/movapd, movdqa/movdqu xmm, xmm/m128
    if (o == 0x128 ? pf >= 2 : pf != 1 && pf != 3) return 0;
    sse_src(t, d, 16, body_mov);
    return 1;
  case 0x129: case 0x17f: // and the stores
    if (o == 0x129 ? pf >= 2 : pf != 1 && pf != 3) return 0;
    xget(t, d->reg, 0); lset(t, L_X0);
    xget(t, d->reg, 1); lset(t, L_X1);
    sse_store(t, d, 16);
    return 1;
  case 0x154: case 0x155: case 0x156: case 0x157: // andps andnps orps xorps (and the pd forms)
    if (pf >= 2) return 0;
    sse_src(t, d, 16, o == 0x154 ? body_and : o == 0x155 ? body_andn : o == 0x156 ? body_or : body_xor);
    return 1;
  case 0x160: case 0x161: case 0x162: // punpcklbw/wd/dq: only the source's low quadword is read (but 16 bytes from memory, as int_op does)
    if (pf != 1) return 0;
    sse_src(t, d, 16, o == 0x160 ? body_unpcklbw : o == 0x161 ? body_unpcklwd : body_unpckldq);
    return 1;
  case 0x1db: case 0x1df: case 0x1eb: case 0x1ef: case 0x1d4: case 0x1fb: case 0x16c: case 0x16d: case 0x174: case 0x170:
    if (pf != 1) return 0;
    sse_src(t, d, 16, o == 0x1db ? body_and : o == 0x1df ? body_andn : o == 0x1eb ? body_or : o == 0x1ef ? body_xor : o == 0x1d4 ? body_addq
                     : o == 0x1fb ? body_subq : o == 0x16c ? body_unpcklqdq : o == 0x16d ? body_unpckhqdq : o == 0x174 ? body_pcmpeqb : body_pshufd);
    return 1;
  case 0x16e: { // movd/movq xmm, r/m32/64
    if (pf != 1) return 0;
    int isz = (d->rex & 8) ? 8 : 4;
    e_rm_read(t, d, isz);
    lset(t, L_X0);
    i64c(t, 0);
    lset(t, L_X1);
    body_mov(t, d);
    return 1;
  }
  case 0x17e: // movd/movq r/m32/64, xmm; movq xmm, xmm/m64
    if (pf == 1) {
      int isz = (d->rex & 8) ? 8 : 4;
      xget(t, d->reg, 0);
      if (isz == 4) zx32(t);
      e_rm_write(t, d, isz, 0);
      return 1;
    }
    if (pf != 3) return 0;
    sse_src(t, d, 8, body_qlo_zero_hi);
    return 1;
  case 0x1d6: // movq xmm/m64, xmm
    if (pf != 1) return 0;
    xget(t, d->reg, 0);
    lset(t, L_X0);
    if (d->hasmem) { sse_store(t, d, 8); return 1; }
    xset(t, d->rm, 0, L_X0);
    i64c(t, 0);
    lset(t, L_X1);
    xset(t, d->rm, 1, L_X1);
    return 1;
  case 0x1d7: // pmovmskb r32, xmm: the top bit of each byte
    if (pf != 1 || d->hasmem) return 0;
    for (int h = 0; h < 2; h++) {
      xget(t, d->rm, h);
      i64c(t, (i64)0x8080808080808080ull);
      op(t, W_I64_AND);
      i64c(t, 0x0002040810204081ll);
      op(t, W_I64_MUL);
      i64c(t, 56);
      op(t, W_I64_SHR_U);
      if (h) { i64c(t, 8); op(t, W_I64_SHL); op(t, W_I64_OR); }
    }
    rset(t, d->reg);
    return 1;
  case 0x158: case 0x159: case 0x15c: case 0x15d: case 0x15e: case 0x15f: // scalar double arithmetic
    if (pf != 2) return 0;
    sse_src(t, d, 8, body_sd_arith);
    return 1;
  case 0x1c2: // cmpsd with a predicate
    if (pf != 2 || (u8)d->imm > 7) return 0;
    sse_src(t, d, 8, body_cmpsd);
    return 1;
  case 0x1bc: { // bsf (32/64-bit): every arithmetic flag is written, straight into the Cpu (op_bitscan)
    int sz = d->osz;
    if (sz < 4 || d->rep) return 0; // tzcnt: the handler
    e_rm_read(t, d, sz);
    lset(t, L_X0);
    lget(t, L_X0);
    op(t, W_I64_EQZ);
    open_(t, W_IF, W_VOID); // a zero source leaves the destination
    else_(t);
    lget(t, L_X0);
    op(t, W_I64_CTZ);
    e_setreg(t, d, d->reg, sz);
    end_(t);
    t->fop = 0; // the flags before are overwritten: ZF from the source, the others cleared
    i32c(t, 0);
    lset(t, L_FOP);
    if (d->noflags) return 1;
    lget(t, L_P);
    lget(t, L_P);
    memop(t, W_I64_LOAD, CPU_FIELD(flags));
    i64c(t, (i64)(~(u64)(CF | PF | AF | ZF | SF | OF) & 0x254dd5ull));
    op(t, W_I64_AND);
    i64c(t, 2);
    op(t, W_I64_OR);
    lget(t, L_X0); op(t, W_I64_EQZ); op(t, W_I64_EXTEND_U); i64c(t, ZF); op(t, W_I64_MUL); op(t, W_I64_OR);
    memop(t, W_I64_STORE, CPU_FIELD(flags));
    lget(t, L_P); i32c(t, F_NONE); memop(t, W_I32_STORE, CPU_FIELD(lf_op));
    return 1;
  }
  case 0x12e: case 0x12f: // (u)comisd / (u)comiss
    if (pf >= 2) return 0;
    t->fop = 0; // every arithmetic flag is overwritten
    i32c(t, 0);
    lset(t, L_FOP);
    sse_src(t, d, pf ? 8 : 4, body_comi);
    return 1;
  case 0x12a: { // cvtsi2sd / cvtsi2ss xmm, r/m32/64
    if (pf < 2) return 0;
    int isz = (d->rex & 8) ? 8 : 4;
    e_rm_read(t, d, isz);
    if (isz == 4) sxn(t, 4);
    if (pf == 2) {
      op(t, W_F64_CONVERT_I64_S);
      op(t, W_I64_REINTERPRET_F64);
      lset(t, L_X2);
      xset(t, d->reg, 0, L_X2);
    } else {
      op(t, W_F32_CONVERT_I64_S);
      op(t, W_I32_REINTERPRET_F32);
      lset(t, L_T32);
      lget(t, L_P);
      lget(t, L_T32);
      memop(t, W_I32_STORE, XMM_OFF(d->reg, 0));
    }
    return 1;
  }
  case 0x12c: { // cvttsd2si r32/64, xmm/m64: out of range or NaN gives the integer indefinite
    if (pf != 2) return 0;
    int isz = (d->rex & 8) ? 8 : 4;
    if (d->hasmem) { e_ea(t, d); lset(t, L_A); e_load(t, 8); }
    else xget(t, d->rm, 0);
    lset(t, L_X0);
    lget(t, L_X0); op(t, W_F64_REINTERPRET_I64);
    // d2i truncates first: in range when x > -2^31 - 1 (-2^63: no double lies between) and x < 2^31 (2^63)
    i64c(t, (i64)(isz == 8 ? 0xc3e0000000000000ull : 0xc1e0000000200000ull)); op(t, W_F64_REINTERPRET_I64);
    op(t, isz == 8 ? W_F64_GE : W_F64_GT);
    lget(t, L_X0); op(t, W_F64_REINTERPRET_I64);
    i64c(t, (i64)(isz == 8 ? 0x43e0000000000000ull : 0x41e0000000000000ull)); op(t, W_F64_REINTERPRET_I64); // 2^63 / 2^31
    op(t, W_F64_LT);
    op(t, W_I32_AND);
    op(t, W_I32_EQZ);
    open_(t, W_IF, W_T_I64);
    i64c(t, (i64)(isz == 8 ? 0x8000000000000000ull : 0x80000000ull));
    else_(t);
    lget(t, L_X0); op(t, W_F64_REINTERPRET_I64);
    if (isz == 8) op(t, W_I64_TRUNC_F64_S);
    else { op(t, W_I32_TRUNC_F64_S); op(t, W_I64_EXTEND_U); }
    end_(t);
    e_setreg(t, d, d->reg, isz);
    return 1;
  }
  }
  return 0;
}
