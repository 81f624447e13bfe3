// Translator back end: guest registers in locals (written back to the Cpu
// and reloaded around handler calls), effective addresses, loads and stores
// through the core's TLB inline with its slow path as a call, and the lazy
// flags kept in locals as the interpreter keeps them in the Cpu (flags.c).
#include "emit.h"

void writeback(Tx *t, u32 regs) {
  for (int r = 0; r < 16; r++)
    if (regs & (1u << r)) {
      lget(t, L_P);
      lget(t, L_R0 + r);
      memop(t, W_I64_STORE, REG_OFF(r));
    }
}
void reload(Tx *t) {
  for (int r = 0; r < 16; r++)
    if (t->used & (1u << r)) {
      lget(t, L_P);
      memop(t, W_I64_LOAD, REG_OFF(r));
      lset(t, L_R0 + r);
    }
}

// Register value of `sz` bytes, zero-extended (AH..BH without REX).
void e_getreg(Tx *t, D *d, int r, int sz) {
  if (hibyte(d, r, sz)) {
    rget(t, r - 4);
    i64c(t, 8);
    op(t, W_I64_SHR_U);
    i64c(t, 0xff);
    op(t, W_I64_AND);
    return;
  }
  rget(t, r);
  mask(t, sz);
}
// Writes the value on the stack as the interpreter's setreg does.
void e_setreg(Tx *t, D *d, int r, int sz) {
  if (sz == 8) { rset(t, r); return; }
  if (sz == 4) { zx32(t); rset(t, r); return; }
  lset(t, L_TS);
  int hb = hibyte(d, r, sz), to = hb ? r - 4 : r;
  u64 m = sz == 1 ? 0xff : 0xffff;
  rget(t, to);
  i64c(t, (i64)~(hb ? m << 8 : m));
  op(t, W_I64_AND);
  lget(t, L_TS);
  i64c(t, (i64)m);
  op(t, W_I64_AND);
  if (hb) { i64c(t, 8); op(t, W_I64_SHL); }
  op(t, W_I64_OR);
  rset(t, to);
}
void set_rip(Tx *t, u64 target) { // target: an address as decoded
  lget(t, L_P);
  lget(t, L_PC);
  i64c(t, (i64)(target - t->tstart));
  op(t, W_I64_ADD);
  memop(t, W_I64_STORE, CPU_FIELD(rip));
}

// ---- memory ----
// Effective address (segment base included) on the stack.
void e_ea(Tx *t, D *d) {
  int have = 0;
  if (d->riprel) {
    lget(t, L_PC);
    i64c(t, (i64)((u64)d->disp - t->tstart));
    op(t, W_I64_ADD);
    have = 1;
  } else if (d->disp || (d->base == NOREG && d->index == NOREG)) {
    i64c(t, d->disp);
    have = 1;
  }
  if (d->base != NOREG) {
    rget(t, d->base);
    if (have) op(t, W_I64_ADD);
    have = 1;
  }
  if (d->index != NOREG) {
    rget(t, d->index);
    if (d->scale) { i64c(t, d->scale); op(t, W_I64_SHL); }
    if (have) op(t, W_I64_ADD);
  }
  if (d->asz == 4) zx32(t);
  if (d->seg) {
    lget(t, L_P);
    memop(t, W_I64_LOAD, d->seg == 4 ? CPU_FIELD(fsbase) : CPU_FIELD(gsbase));
    op(t, W_I64_ADD);
  }
}
// TLB hit test for the address in L_A (the access must not leave the page):
// an i32 on the stack, the entry's address in L_E.
void tlb_test(Tx *t, int write, int sz) {
  u32 tlb = write ? (u32)offsetof(Mem, wtlb) : (u32)offsetof(Mem, rtlb);
  lget(t, L_M);
  lget(t, L_A);
  i64c(t, 12);
  op(t, W_I64_SHR_U);
  ltee(t, L_PG);
  op(t, W_I32_WRAP);
  i32c(t, TLB_SIZE - 1);
  op(t, W_I32_AND);
  i32c(t, 4);
  op(t, W_I32_SHL);
  op(t, W_I32_ADD);
  ltee(t, L_E);
  memop(t, W_I64_LOAD, tlb + (u32)offsetof(TlbEntry, tag));
  lget(t, L_PG);
  i64c(t, 1);
  op(t, W_I64_ADD);
  op(t, W_I64_EQ);
  if (sz > 1) {
    lget(t, L_A);
    op(t, W_I32_WRAP);
    i32c(t, PAGE_MASK);
    op(t, W_I32_AND);
    i32c(t, (i32)(PAGE - (u64)sz));
    op(t, W_I32_LE_U);
    op(t, W_I32_AND);
  }
}
void host_addr(Tx *t, int write) {
  u32 tlb = write ? (u32)offsetof(Mem, wtlb) : (u32)offsetof(Mem, rtlb);
  lget(t, L_E);
  memop(t, W_I32_LOAD, tlb + (u32)offsetof(TlbEntry, host));
  lget(t, L_A);
  op(t, W_I32_WRAP);
  i32c(t, PAGE_MASK);
  op(t, W_I32_AND);
  op(t, W_I32_ADD);
}
// Leaves when the slow path faulted (or dropped code): `code` says where.
void stop_check(Tx *t, int code) {
  lget(t, L_M);
  memop(t, W_I32_LOAD16_U, (u32)offsetof(Mem, stop));
  open_(t, W_IF, W_VOID);
  exit_(t, code);
  end_(t);
}
// Loads `sz` bytes at L_A, zero-extended. A fault leaves before the
// instruction changed anything (loads come first in every instruction).
void e_load(Tx *t, int sz) {
  static const u8 ld[9] = {0, W_I64_LOAD8_U, W_I64_LOAD16_U, 0, W_I64_LOAD32_U, 0, 0, 0, W_I64_LOAD};
  tlb_test(t, 0, sz);
  open_(t, W_IF, W_T_I64);
  host_addr(t, 0);
  memop(t, ld[sz], 0);
  else_(t);
  lget(t, L_M);
  lget(t, L_A);
  i32c(t, sz);
  call(t, H_RD);
  stop_check(t, AOT_RET(t->i, X_NEXT));
  end_(t);
}
// Stores L_T3 at L_A. Everything else the instruction does is committed
// before (as in the handlers): a fault or a write to cached code leaves
// after it with `xr` as the handler's result.
void e_store(Tx *t, int sz, int xr) {
  static const u8 st[9] = {0, W_I64_STORE8, W_I64_STORE16, 0, W_I64_STORE32, 0, 0, 0, W_I64_STORE};
  tlb_test(t, 1, sz);
  open_(t, W_IF, W_VOID);
  host_addr(t, 1);
  lget(t, L_T3);
  memop(t, st[sz], 0);
  else_(t);
  lget(t, L_M);
  lget(t, L_A);
  i32c(t, sz);
  lget(t, L_T3);
  call(t, H_WR);
  stop_check(t, AOT_RET(t->i, xr));
  end_(t);
}
// The r/m operand (`sz` bytes, zero-extended); a memory address stays in L_A.
void e_rm_read(Tx *t, D *d, int sz) {
  if (!d->hasmem) { e_getreg(t, d, d->rm, sz); return; }
  e_ea(t, d);
  lset(t, L_A);
  e_load(t, sz);
}
// Writes the value on the stack to the r/m operand; `have_ea`: L_A holds the address.
void e_rm_write(Tx *t, D *d, int sz, int have_ea) {
  if (!d->hasmem) { e_setreg(t, d, d->rm, sz); return; }
  lset(t, L_T3);
  if (!have_ea) { e_ea(t, d); lset(t, L_A); }
  e_store(t, sz, X_NEXT);
}

// ---- lazy flags ----
// Records the setter whose result and operands are in L_FRES/L_FA/L_FB/L_FCIN.
void setflags(Tx *t, int fop, int sz) {
  i32c(t, fop | sz << 8);
  lset(t, L_FOP);
  t->fop = fop;
  t->fsz = sz;
}
// Writes pending flags to the Cpu's lazy fields (what the interpreter's setlf
// does). At the common exit which setter is pending is only known at run
// time (L_FOP); elsewhere it is known here.
// Stores, not a call of the core's setlf: this runs at most block exits.
void store_flags(Tx *t, int fop_known) {
  lget(t, L_P);
  if (fop_known) i32c(t, t->fop);
  else { lget(t, L_FOP); i32c(t, 255); op(t, W_I32_AND); }
  memop(t, W_I32_STORE, CPU_FIELD(lf_op));
  lget(t, L_P);
  if (fop_known) i32c(t, t->fsz);
  else { lget(t, L_FOP); i32c(t, 8); op(t, W_I32_SHR_U); }
  memop(t, W_I32_STORE, CPU_FIELD(lf_sz));
  static const int lf[4] = {L_FRES, L_FA, L_FB, L_FCIN};
  const u32 off[4] = {CPU_FIELD(lf_res), CPU_FIELD(lf_a), CPU_FIELD(lf_b), CPU_FIELD(lf_cin)};
  for (int k = 0; k < 4; k++) { lget(t, L_P); lget(t, lf[k]); memop(t, W_I64_STORE, off[k]); }
  i32c(t, 0);
  lset(t, L_FOP);
}
void flush_flags_rt(Tx *t) {
  lget(t, L_FOP);
  open_(t, W_IF, W_VOID);
  store_flags(t, 0);
  end_(t);
}
void flush_flags(Tx *t) {
  if (!t->fop) return;
  store_flags(t, 1);
  t->fop = 0;
}
void cpu_ptr(Tx *t) {
  lget(t, L_P);
  i32c(t, (i32)CPU_OFF);
  op(t, W_I32_ADD);
}
static void sign_of(Tx *t, int l, int sz) { // i32: the sign bit of local `l`
  lget(t, l);
  i64c(t, (i64)SIGNB(sz));
  op(t, W_I64_AND);
  op(t, W_I64_EQZ);
  op(t, W_I32_EQZ);
}
static void signed_cmp(Tx *t, u8 cmp64, int sz) { // L_FA <cmp> L_FB as signed `sz`-byte values
  lget(t, L_FA);
  sxn(t, sz);
  lget(t, L_FB);
  sxn(t, sz);
  op(t, cmp64);
}
// A condition from the setter pending in locals, where that is cheap (as cond() in cpu-internal.h).
static int cond_inline(Tx *t, int cc) {
  int k = cc >> 1, sz = t->fsz, fop = t->fop;
  if (k == 5) return 0; // parity: cpu_cond
  if (k == 2) { lget(t, L_FRES); op(t, W_I64_EQZ); goto done; }
  if (k == 4) { sign_of(t, L_FRES, sz); goto done; }
  switch (fop) {
  case F_SUB:
    switch (k) {
    case 0: // OF: the operands' signs differ and the result's differs from a
      lget(t, L_FA); lget(t, L_FB); op(t, W_I64_XOR);
      lget(t, L_FA); lget(t, L_FRES); op(t, W_I64_XOR);
      op(t, W_I64_AND);
      i64c(t, (i64)SIGNB(sz)); op(t, W_I64_AND); op(t, W_I64_EQZ); op(t, W_I32_EQZ);
      goto done;
    case 1: lget(t, L_FA); lget(t, L_FB); op(t, W_I64_LT_U); goto done;
    case 3: lget(t, L_FA); lget(t, L_FB); op(t, W_I64_LE_U); goto done;
    case 6: signed_cmp(t, W_I64_LT_S, sz); goto done;
    case 7: signed_cmp(t, W_I64_LE_S, sz); goto done;
    }
    return 0;
  case F_LOGIC:
    switch (k) {
    case 0: case 1: i32c(t, 0); goto done;
    case 3: lget(t, L_FRES); op(t, W_I64_EQZ); goto done;
    case 6: sign_of(t, L_FRES, sz); goto done;
    case 7: lget(t, L_FRES); op(t, W_I64_EQZ); sign_of(t, L_FRES, sz); op(t, W_I32_OR); goto done;
    }
    return 0;
  case F_ADD:
    if (k == 1) { lget(t, L_FRES); lget(t, L_FA); op(t, W_I64_LT_U); goto done; }
    return 0;
  case F_INC: case F_DEC:
    if (k == 1) { lget(t, L_FCIN); op(t, W_I64_EQZ); op(t, W_I32_EQZ); goto done; }
    return 0;
  case F_RESCO:
    if (k == 0 || k == 1) {
      lget(t, L_FCIN);
      op(t, W_I32_WRAP);
      i32c(t, k == 0 ? 2 : 1);
      op(t, W_I32_AND);
      op(t, W_I32_EQZ);
      op(t, W_I32_EQZ);
      goto done;
    }
    return 0;
  }
  return 0;
done:
  if (cc & 1) op(t, W_I32_EQZ);
  return 1;
}
void emit_cond(Tx *t, int cc) { // i32 on the stack
  if (t->fop && cond_inline(t, cc)) return;
  flush_flags(t);
  cpu_ptr(t);
  i32c(t, cc);
  call(t, H_COND);
}
void emit_getcf(Tx *t) { // CF as an i64 0/1 on the stack
  switch (t->fop) {
  case F_SUB: lget(t, L_FA); lget(t, L_FB); op(t, W_I64_LT_U); op(t, W_I64_EXTEND_U); return;
  case F_ADD: lget(t, L_FRES); lget(t, L_FA); op(t, W_I64_LT_U); op(t, W_I64_EXTEND_U); return;
  case F_LOGIC: i64c(t, 0); return;
  case F_INC: case F_DEC: lget(t, L_FCIN); return;
  case F_RESCO: lget(t, L_FCIN); i64c(t, 1); op(t, W_I64_AND); return;
  case F_ADC: case F_SBB: // with a carry in, equality carries too (flags.c)
    lget(t, t->fop == F_ADC ? L_FRES : L_FA); lget(t, t->fop == F_ADC ? L_FA : L_FB); op(t, W_I64_LE_U);
    lget(t, t->fop == F_ADC ? L_FRES : L_FA); lget(t, t->fop == F_ADC ? L_FA : L_FB); op(t, W_I64_LT_U);
    lget(t, L_FCIN); op(t, W_I64_EQZ); op(t, W_I32_EQZ);
    op(t, W_SELECT);
    op(t, W_I64_EXTEND_U);
    return;
  }
  flush_flags(t);
  cpu_ptr(t);
  call(t, H_GETCF);
  op(t, W_I64_EXTEND_U);
}
