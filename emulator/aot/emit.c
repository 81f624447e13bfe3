// Translator back end: one decode-cache block -> the body of one Wasm
// function `(param $p i32 Proc*) (param $b i32 Block*) (result i32)`.
//
// Guest registers live in locals for the length of the block (loaded at
// entry, stored at every exit); memory goes through the core's TLB inline,
// with the core's slow path (trellis_aot_rd/wr) as a call; flags stay lazy
// as in the interpreter (flags.c): a setter leaves its operation, size,
// result and operands in locals, a condition right after it is computed
// from them directly, and whatever is pending is written to the Cpu's lazy
// fields at an exit. Flag liveness (block_flags) drops dead flag work.
// Every instruction this file does not inline runs through its interpreter
// handler (trellis_aot_step) with the state written back first, so a
// translation covers its whole block and stops exactly where the executor
// would (AOT_RET).
#include "../src/cpu-internal.h"
#include "../src/aot.h"
#include "aot-internal.h"
#include <stddef.h>

// Locals: the two parameters, the i32s, then the i64s.
enum {
  L_P, L_B,
  L_M, L_E, L_RET, L_FOP, L_T32, L_IT, L_H,
  L_R0, // 16 guest registers
  L_PC = L_R0 + 16, L_A, L_PG, L_T1, L_T2, L_T3, L_TS, L_FRES, L_FA, L_FB, L_FCIN, L_X0, L_X1, L_X2,
  L_END
};
#define N_I32 (L_R0 - L_M)
#define N_I64 (L_END - L_R0)

_Static_assert(sizeof(TlbEntry) == 16, "the inline TLB index is scaled by 16");

typedef struct Tx {
  Buf *o;
  D *insn;
  int n, i;
  u64 tstart;          // the address the block was decoded at; the run-time one is Block.start
  int depth;           // constructs open inside the exit block
  u32 used, written;   // registers the inlined code reads or writes / writes
  u32 dirty;           // registers written since the Cpu last had them all
  int fop, fsz;        // flags pending in locals (F_* of the last inlined setter); 0: the Cpu has them
  const u32 *helper;   // function indices of the core's helpers
  int block_type;      // type index of translated functions (-1: no chaining)
  int loops;           // a branch back to the block's start stays in the function (a Wasm loop)
} Tx;

// Iterations a looping block runs before it returns to the executor (which
// then checks signals, timers and the scheduler's budget as after any block).
#define LOOP_MAX 4096

#define CPU_OFF ((u32)offsetof(Proc, cpu))
#define REG_OFF(r) (CPU_OFF + (u32)offsetof(Cpu, r) + 8u * (u32)(r))
#define CPU_FIELD(f) (CPU_OFF + (u32)offsetof(Cpu, f))

static void op(Tx *t, u8 c) { b1(t->o, c); }
static void lget(Tx *t, int l) { op(t, W_LGET); uleb(t->o, (u64)l); }
static void lset(Tx *t, int l) { op(t, W_LSET); uleb(t->o, (u64)l); }
static void ltee(Tx *t, int l) { op(t, W_LTEE); uleb(t->o, (u64)l); }
static void i32c(Tx *t, i32 v) { op(t, W_I32_CONST); sleb(t->o, v); }
static void i64c(Tx *t, i64 v) { op(t, W_I64_CONST); sleb(t->o, v); }
static void memop(Tx *t, u8 opc, u32 off) { op(t, opc); uleb(t->o, 0); uleb(t->o, off); } // alignment hint 0: always valid
static void call(Tx *t, int h) { op(t, W_CALL); uleb(t->o, t->helper[h]); }
static void open_(Tx *t, u8 kind, u8 type) { op(t, kind); op(t, type); t->depth++; }
static void end_(Tx *t) { op(t, W_END); t->depth--; }
static void else_(Tx *t) { op(t, W_ELSE); }
// Leaves the block through the common exit (registers and flags written back).
static void exit_(Tx *t, int code) {
  i32c(t, code);
  lset(t, L_RET);
  op(t, W_BR);
  uleb(t->o, (u64)t->depth);
}

// ---- registers ----
static void rget(Tx *t, int r) { t->used |= 1u << r; lget(t, L_R0 + r); }
static void rset(Tx *t, int r) { t->used |= 1u << r; t->written |= 1u << r; t->dirty |= 1u << r; lset(t, L_R0 + r); }
static void writeback(Tx *t, u32 regs) {
  for (int r = 0; r < 16; r++)
    if (regs & (1u << r)) {
      lget(t, L_P);
      lget(t, L_R0 + r);
      memop(t, W_I64_STORE, REG_OFF(r));
    }
}
static void reload(Tx *t) {
  for (int r = 0; r < 16; r++)
    if (t->used & (1u << r)) {
      lget(t, L_P);
      memop(t, W_I64_LOAD, REG_OFF(r));
      lset(t, L_R0 + r);
    }
}

static void zx32(Tx *t) { op(t, W_I32_WRAP); op(t, W_I64_EXTEND_U); }
static void mask(Tx *t, int sz) {
  if (sz == 4) zx32(t);
  else if (sz < 4) { i64c(t, sz == 1 ? 0xff : 0xffff); op(t, W_I64_AND); }
}
// Sign-extends the low `sz` bytes (MVP: no extend8/16 opcodes).
static void sxn(Tx *t, int sz) {
  if (sz == 4) { op(t, W_I32_WRAP); op(t, W_I64_EXTEND_S); }
  else if (sz < 4) {
    i64c(t, 64 - 8 * sz);
    op(t, W_I64_SHL);
    i64c(t, 64 - 8 * sz);
    op(t, W_I64_SHR_S);
  }
}
static int hibyte(D *d, int r, int sz) { return sz == 1 && !d->rex && r >= 4 && r < 8; }
// Register value of `sz` bytes, zero-extended (AH..BH without REX).
static void e_getreg(Tx *t, D *d, int r, int sz) {
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
static void e_setreg(Tx *t, D *d, int r, int sz) {
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
static void set_rip(Tx *t, u64 target) { // target: an address as decoded
  lget(t, L_P);
  lget(t, L_PC);
  i64c(t, (i64)(target - t->tstart));
  op(t, W_I64_ADD);
  memop(t, W_I64_STORE, CPU_FIELD(rip));
}

// ---- memory ----
// Effective address (segment base included) on the stack.
static void e_ea(Tx *t, D *d) {
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
static void tlb_test(Tx *t, int write, int sz) {
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
static void host_addr(Tx *t, int write) {
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
static void stop_check(Tx *t, int code) {
  lget(t, L_M);
  memop(t, W_I32_LOAD16_U, (u32)offsetof(Mem, stop));
  open_(t, W_IF, W_VOID);
  exit_(t, code);
  end_(t);
}
// Loads `sz` bytes at L_A, zero-extended. A fault leaves before the
// instruction changed anything (loads come first in every instruction).
static void e_load(Tx *t, int sz) {
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
static void e_store(Tx *t, int sz, int xr) {
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
static void e_rm_read(Tx *t, D *d, int sz) {
  if (!d->hasmem) { e_getreg(t, d, d->rm, sz); return; }
  e_ea(t, d);
  lset(t, L_A);
  e_load(t, sz);
}
// Writes the value on the stack to the r/m operand; `have_ea`: L_A holds the address.
static void e_rm_write(Tx *t, D *d, int sz, int have_ea) {
  if (!d->hasmem) { e_setreg(t, d, d->rm, sz); return; }
  lset(t, L_T3);
  if (!have_ea) { e_ea(t, d); lset(t, L_A); }
  e_store(t, sz, X_NEXT);
}

// ---- lazy flags ----
// Records the setter whose result and operands are in L_FRES/L_FA/L_FB/L_FCIN.
static void setflags(Tx *t, int fop, int sz) {
  i32c(t, fop | sz << 8);
  lset(t, L_FOP);
  t->fop = fop;
  t->fsz = sz;
}
static void cpu_ptr(Tx *t);
// Writes pending flags to the Cpu's lazy fields (what the interpreter's setlf
// does). At the common exit which setter is pending is only known at run
// time (L_FOP); elsewhere it is known here.
// Stores, not a call of the core's setlf: this runs at most block exits.
static void store_flags(Tx *t, int fop_known) {
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
static void flush_flags_rt(Tx *t) {
  lget(t, L_FOP);
  open_(t, W_IF, W_VOID);
  store_flags(t, 0);
  end_(t);
}
static void flush_flags(Tx *t) {
  if (!t->fop) return;
  store_flags(t, 1);
  t->fop = 0;
}
static void cpu_ptr(Tx *t) {
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
static void emit_cond(Tx *t, int cc) { // i32 on the stack
  if (t->fop && cond_inline(t, cc)) return;
  flush_flags(t);
  cpu_ptr(t);
  i32c(t, cc);
  call(t, H_COND);
}
static void emit_getcf(Tx *t) { // CF as an i64 0/1 on the stack
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

// ---- instructions ----
// ALU operation `a` (0 add, 1 or, 4 and, 5 sub, 6 xor, 7 cmp) on L_T1, L_T2
// (masked to `sz`): the result in L_T1, flags recorded when `fl`.
static void emit_getcf(Tx *t);
static void e_alu(Tx *t, int a, int sz, int fl) {
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
static int alu_ok(int a) { return 1; }

static u64 imm_sz(D *d, int sz, int imm8) { // the immediate as an operand of `sz` bytes
  u64 v = imm8 ? (u64)(i64)(i8)d->imm : sz == 8 ? (u64)(i64)(i32)d->imm : d->imm;
  return v & MASK(sz);
}

static int emit_alu_row(Tx *t, D *d) { // 00-3F
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
static int emit_grp1(Tx *t, D *d) { // 80, 81, 83
  int a = d->reg & 7, sz = d->op == 0x80 ? 1 : d->osz;
  e_rm_read(t, d, sz); lset(t, L_T1);
  i64c(t, (i64)imm_sz(d, sz, d->op == 0x83)); lset(t, L_T2);
  e_alu(t, a, sz, !d->noflags);
  if (a != 7) { lget(t, L_T1); e_rm_write(t, d, sz, 1); }
  return 1;
}
static int emit_test(Tx *t, D *d) { // 84, 85, A8, A9 (the handlers skip all of it when the flags are dead)
  int sz = (d->op & 1) ? d->osz : 1;
  if (d->noflags) return 1;
  if (d->op >= 0xa8) { e_getreg(t, d, RAX, sz); lset(t, L_T1); i64c(t, (i64)imm_sz(d, sz, 0)); lset(t, L_T2); }
  else { e_rm_read(t, d, sz); lset(t, L_T1); e_getreg(t, d, d->reg, sz); lset(t, L_T2); }
  e_alu(t, 4, sz, 1);
  return 1;
}
static int emit_grp3(Tx *t, D *d) { // F6/F7 /0 /1 test, /2 not, /3 neg
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
static int emit_incdec(Tx *t, D *d) { // FE/FF /0 /1
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
static int emit_shift(Tx *t, D *d) { // C0/C1 imm8, D0/D1 by 1: SHL/SHR/SAL/SAR, ROL/ROR
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
    if (o == 7) i64c(t, 0);
    else {
      lget(t, o == 5 ? L_T1 : L_T2);
      i64c(t, bits - 1);
      op(t, W_I64_SHR_U);
      i64c(t, 1);
      op(t, W_I64_AND);
      if (o != 5) { lget(t, L_T3); op(t, W_I64_XOR); }
    }
    i64c(t, 1);
    op(t, W_I64_SHL);
    lget(t, L_T3);
    op(t, W_I64_OR);
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
static int emit_shift_cl(Tx *t, D *d) {
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
  lset(t, L_FCIN);
  if (o == 7) i64c(t, 0);
  else {
    lget(t, o == 5 ? L_T1 : L_FRES);
    i64c(t, bits - 1);
    op(t, W_I64_SHR_U);
    i64c(t, 1);
    op(t, W_I64_AND);
    if (o != 5) { lget(t, L_FCIN); op(t, W_I64_XOR); }
  }
  i64c(t, 1);
  op(t, W_I64_SHL);
  lget(t, L_FCIN);
  op(t, W_I64_OR);
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
static int emit_imul(Tx *t, D *d) { // 0F AF, 69, 6B
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
static void e_push_val(Tx *t, int xr) { // pushes L_T3 (8 bytes): RSP is committed first, as push() does
  rget(t, RSP);
  i64c(t, 8);
  op(t, W_I64_SUB);
  ltee(t, L_A);
  rset(t, RSP);
  e_store(t, 8, xr);
}
// A taken branch to the block's own start: count the iteration's
// instructions (the executor counts only the last one) and go round again in
// the function, registers staying in locals. The loop head expects the flags
// in the Cpu and every written register possibly dirty.
static void back_edge(Tx *t) {
  if (t->fop) {
    store_flags(t, 1);
    t->fop = 0;
  }
  lget(t, L_IT);
  i32c(t, 1);
  op(t, W_I32_ADD);
  ltee(t, L_IT);
  i32c(t, LOOP_MAX);
  op(t, W_I32_LT_U);
  open_(t, W_IF, W_VOID);
  lget(t, L_P);
  lget(t, L_P);
  memop(t, W_I64_LOAD, (u32)offsetof(Proc, insns));
  i64c(t, t->i + 1);
  op(t, W_I64_ADD);
  memop(t, W_I64_STORE, (u32)offsetof(Proc, insns));
  op(t, W_BR);
  uleb(t->o, (u64)(t->depth - 1)); // the loop sits right inside the exit block
  end_(t);
}

// Reverses the bytes of the i32 on the stack (MVP Wasm has no byte swap).
static void bswap32(Tx *t) {
  lset(t, L_T32);
  lget(t, L_T32); i32c(t, 24); op(t, W_I32_SHL);
  lget(t, L_T32); i32c(t, 0xff00); op(t, W_I32_AND); i32c(t, 8); op(t, W_I32_SHL); op(t, W_I32_OR);
  lget(t, L_T32); i32c(t, 8); op(t, W_I32_SHR_U); i32c(t, 0xff00); op(t, W_I32_AND); op(t, W_I32_OR);
  lget(t, L_T32); i32c(t, 24); op(t, W_I32_SHR_U); op(t, W_I32_OR);
}

// ---- instructions run by their handler on a slow path ----
// Runs instruction t->i through its handler inside one arm of a branch whose
// other arm inlines it: the state is written back, but the translator's view
// (dirty registers, flags pending in locals) stays as the inline arm leaves
// it, which is why only instructions that write no flags come here. `regs`:
// guest registers the handler writes, reloaded into their locals.
static void slow_step(Tx *t, u32 regs) {
  writeback(t, t->dirty);
  if (t->fop) store_flags(t, 1);
  lget(t, L_P);
  lget(t, L_B);
  i32c(t, (i32)(offsetof(Block, insn) + (size_t)t->i * sizeof(D)));
  op(t, W_I32_ADD);
  call(t, H_STEP);
  ltee(t, L_T32);
  i32c(t, -1);
  op(t, W_I32_NE);
  open_(t, W_IF, W_VOID);
  lget(t, L_T32);
  i32c(t, 8);
  op(t, W_I32_SHL);
  i32c(t, t->i);
  op(t, W_I32_OR);
  op(t, W_RETURN);
  end_(t);
  for (int r = 0; r < 16; r++)
    if (regs & (1u << r)) {
      lget(t, L_P);
      memop(t, W_I64_LOAD, REG_OFF(r));
      rset(t, r);
    }
}

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
static int emit_sse(Tx *t, D *d) { // the 0F map rows not inlined above: SSE, and BSF
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
static int emit_muldiv(Tx *t, D *d) { // F7 /4 mul, /5 imul, /6 div, /7 idiv with 32/64-bit operands
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

static int emit_insn(Tx *t, D *d) {
  int op_ = d->op, sz = d->osz;
  if (d->bad) return 0;
  if (op_ < 0x40 && (op_ & 7) < 6) return emit_alu_row(t, d);
  switch (op_) {
  case 0x80: case 0x81: case 0x83: return emit_grp1(t, d);
  case 0x84: case 0x85: case 0xa8: case 0xa9: return emit_test(t, d);
  case 0xf6: return emit_grp3(t, d);
  case 0xf7: return (d->reg & 7) >= 4 ? emit_muldiv(t, d) : emit_grp3(t, d);
  case 0xfe: return (d->reg & 7) < 2 ? emit_incdec(t, d) : 0;
  case 0xc0: case 0xc1: case 0xd0: case 0xd1: return emit_shift(t, d);
  case 0xd3: return emit_shift_cl(t, d);
  case 0x1af: case 0x69: case 0x6b: return emit_imul(t, d);
  case 0x88: case 0x89: { // mov r/m, r
    int s = op_ == 0x88 ? 1 : sz;
    e_getreg(t, d, d->reg, s);
    e_rm_write(t, d, s, 0);
    return 1;
  }
  case 0x8a: case 0x8b: { // mov r, r/m
    int s = op_ == 0x8a ? 1 : sz;
    e_rm_read(t, d, s);
    e_setreg(t, d, d->reg, s);
    return 1;
  }
  case 0xc6: case 0xc7: { // mov r/m, imm
    int s = op_ == 0xc6 ? 1 : sz;
    if (d->reg & 7) return 0;
    i64c(t, (i64)imm_sz(d, s, 0));
    e_rm_write(t, d, s, 0);
    return 1;
  }
  case 0x8d: // lea: the address without segment
    if (!d->hasmem || sz == 2 || d->seg) return 0;
    e_ea(t, d);
    e_setreg(t, d, d->reg, sz);
    return 1;
  case 0x63: // movsxd
    if (sz == 2) return 0;
    e_rm_read(t, d, 4);
    sxn(t, 4);
    e_setreg(t, d, d->reg, sz);
    return 1;
  case 0x1b6: case 0x1b7: case 0x1be: case 0x1bf: { // movzx, movsx
    int s = (op_ & 1) ? 2 : 1;
    if (sz == 2) return 0;
    e_rm_read(t, d, s);
    if (op_ >= 0x1be) { sxn(t, s); mask(t, sz); }
    e_setreg(t, d, d->reg, sz);
    return 1;
  }
  case 0x98: // cdqe / cwde
    if (sz == 2) return 0;
    rget(t, RAX);
    sxn(t, sz / 2);
    e_setreg(t, d, RAX, sz);
    return 1;
  case 0x99: // cqo / cdq
    if (sz == 2) return 0;
    rget(t, RAX);
    sxn(t, sz);
    i64c(t, 63);
    op(t, W_I64_SHR_S);
    e_setreg(t, d, RDX, sz);
    return 1;
  case 0x90: return !(d->rex & 1); // nop, pause
  case 0x118: case 0x119: case 0x11a: case 0x11b: case 0x11c: case 0x11d: case 0x11e: case 0x11f:
    return 1; // prefetch, hint NOPs, endbr64
  case 0x6a: case 0x68: // push imm
    if (sz == 2) return 0;
    i64c(t, op_ == 0x6a ? (i64)(i8)d->imm : (i64)(i32)d->imm);
    lset(t, L_T3);
    e_push_val(t, X_NEXT);
    return 1;
  case 0xc9: // leave
    rget(t, RBP);
    lset(t, L_A);
    e_load(t, 8);
    lset(t, L_T1);
    lget(t, L_A); i64c(t, 8); op(t, W_I64_ADD); rset(t, RSP);
    lget(t, L_T1); rset(t, RBP);
    return 1;
  case 0xe8: // call rel32
    set_rip(t, (u64)d->disp);
    lget(t, L_PC);
    i64c(t, (i64)(d->start + d->len - t->tstart));
    op(t, W_I64_ADD);
    lset(t, L_T3);
    e_push_val(t, X_JUMP);
    exit_(t, AOT_RET(t->i, X_JUMP));
    return 1;
  case 0xe9: case 0xeb:
    if ((u64)d->disp == t->tstart && t->loops) back_edge(t);
    set_rip(t, (u64)d->disp);
    exit_(t, AOT_RET(t->i, X_JUMP));
    return 1;
  case 0xc3: case 0xc2: // ret, ret imm16
    rget(t, RSP);
    lset(t, L_A);
    e_load(t, 8);
    lset(t, L_T1);
    lget(t, L_A);
    i64c(t, 8 + (op_ == 0xc2 ? (i64)(u16)d->imm : 0));
    op(t, W_I64_ADD);
    rset(t, RSP);
    lget(t, L_P); lget(t, L_T1); memop(t, W_I64_STORE, CPU_FIELD(rip));
    exit_(t, AOT_RET(t->i, X_JUMP));
    return 1;
  case 0xff: {
    int o = d->reg & 7;
    if (o < 2) return emit_incdec(t, d);
    if (o == 2 || o == 4) { // call / jmp r/m64
      e_rm_read(t, d, 8);
      lset(t, L_T1);
      if (o == 2) {
        lget(t, L_PC);
        i64c(t, (i64)(d->start + d->len - t->tstart));
        op(t, W_I64_ADD);
        lset(t, L_T3);
        lget(t, L_P); lget(t, L_T1); memop(t, W_I64_STORE, CPU_FIELD(rip));
        e_push_val(t, X_JUMP);
      } else {
        lget(t, L_P); lget(t, L_T1); memop(t, W_I64_STORE, CPU_FIELD(rip));
      }
      exit_(t, AOT_RET(t->i, X_JUMP));
      return 1;
    }
    return 0;
  }
  }
  if (op_ >= 0x50 && op_ <= 0x57) { // push r
    if (sz == 2) return 0;
    rget(t, (op_ & 7) | ((d->rex & 1) << 3));
    lset(t, L_T3);
    e_push_val(t, X_NEXT);
    return 1;
  }
  if (op_ >= 0x58 && op_ <= 0x5f) { // pop r: RSP moves before the register is set (pop rsp)
    if (sz == 2) return 0;
    rget(t, RSP);
    lset(t, L_A);
    e_load(t, 8);
    lset(t, L_T1);
    lget(t, L_A); i64c(t, 8); op(t, W_I64_ADD); rset(t, RSP);
    lget(t, L_T1);
    rset(t, (op_ & 7) | ((d->rex & 1) << 3));
    return 1;
  }
  if (op_ >= 0x1c8 && op_ <= 0x1cf) { // bswap
    if (sz == 2) return 0; // undefined: the handler decides
    int r = (op_ & 7) | ((d->rex & 1) << 3);
    if (sz == 4) {
      rget(t, r);
      op(t, W_I32_WRAP);
      bswap32(t);
      op(t, W_I64_EXTEND_U);
    } else {
      rget(t, r);
      op(t, W_I32_WRAP);
      bswap32(t);
      op(t, W_I64_EXTEND_U);
      i64c(t, 32);
      op(t, W_I64_SHL);
      rget(t, r);
      i64c(t, 32);
      op(t, W_I64_SHR_U);
      op(t, W_I32_WRAP);
      bswap32(t);
      op(t, W_I64_EXTEND_U);
      op(t, W_I64_OR);
    }
    e_setreg(t, d, r, sz);
    return 1;
  }
  if (op_ >= 0xb0 && op_ <= 0xbf) { // mov r, imm
    int s = op_ < 0xb8 ? 1 : sz;
    i64c(t, (i64)(s == 8 ? d->imm : d->imm & MASK(s)));
    e_setreg(t, d, (op_ & 7) | ((d->rex & 1) << 3), s);
    return 1;
  }
  if ((op_ >= 0x70 && op_ <= 0x7f) || (op_ >= 0x180 && op_ <= 0x18f)) { // jcc: a taken one leaves the block
    emit_cond(t, op_ & 15);
    open_(t, W_IF, W_VOID);
    int fop = t->fop, fsz = t->fsz;
    if ((u64)d->disp == t->tstart && t->loops) back_edge(t);
    set_rip(t, (u64)d->disp);
    exit_(t, AOT_RET(t->i, X_JUMP));
    end_(t);
    t->fop = fop; // not taken: the setter is still pending
    t->fsz = fsz;
    return 1;
  }
  if (op_ >= 0x140 && op_ <= 0x14f) { // cmovcc: the source is read either way
    if (sz == 2) return 0;
    e_rm_read(t, d, sz);
    lset(t, L_T1);
    emit_cond(t, op_ & 15);
    open_(t, W_IF, W_VOID);
    lget(t, L_T1);
    e_setreg(t, d, d->reg, sz);
    else_(t);
    if (sz == 4) { e_getreg(t, d, d->reg, 4); e_setreg(t, d, d->reg, 4); }
    end_(t);
    return 1;
  }
  if (op_ >= 0x190 && op_ <= 0x19f) { // setcc
    emit_cond(t, op_ & 15);
    op(t, W_I64_EXTEND_U);
    e_rm_write(t, d, 1, 0);
    return 1;
  }
  if (op_ >= 0x100 && op_ < 0x200) return emit_sse(t, d);
  return 0;
}

// Runs instruction i through its interpreter handler.
static void emit_helper(Tx *t, int i) {
  writeback(t, t->dirty);
  t->dirty = 0;
  flush_flags(t);
  lget(t, L_P);
  lget(t, L_B);
  i32c(t, (i32)(offsetof(Block, insn) + (size_t)i * sizeof(D)));
  op(t, W_I32_ADD);
  call(t, H_STEP);
  ltee(t, L_T32);
  i32c(t, -1);
  op(t, W_I32_NE);
  open_(t, W_IF, W_VOID); // the handler left the block: the Cpu holds everything already
  lget(t, L_T32);
  i32c(t, 8);
  op(t, W_I32_SHL);
  i32c(t, i);
  op(t, W_I32_OR);
  op(t, W_RETURN);
  end_(t);
  reload(t);
}

u8 aot_inlined[256]; // per instruction of the last block: inlined (1) or run by its handler (0)

static int body(Tx *t) {
  int inlined = 0;
  t->fop = 0;
  t->depth = 0;
  t->dirty = 0;
  if (t->loops) {
    open_(t, W_LOOP, W_VOID);
    t->dirty = t->written; // from the first pass: what the previous iteration may have left unstored
  }
  for (int i = 0; i < t->n; i++) {
    t->i = i;
    size_t mark = t->o->n;
    int depth = t->depth, fop = t->fop, fsz = t->fsz;
    u32 used = t->used, written = t->written, dirty = t->dirty;
    aot_inlined[i] = 1;
    if (emit_insn(t, &t->insn[i])) { inlined++; continue; }
    aot_inlined[i] = 0;
    // not inlined: drop whatever it emitted before giving up
    t->o->n = mark;
    t->depth = depth;
    t->fop = fop;
    t->fsz = fsz;
    t->used = used;
    t->written = written;
    t->dirty = dirty;
    emit_helper(t, i);
  }
  if (t->loops) end_(t);
  return inlined;
}

// ---- chaining ----
// After the common exit has written everything back: a block that ran to its
// end or left by a jump goes on into the block at the new rip when that one
// is in the decode cache and translated, by a tail call (the Wasm stack does
// not grow), without a round trip through the executor. It counts the
// instructions the executor would have counted, and stops chaining at the
// executor's budget (Proc.aot_limit), so time slices, signals, timers and
// TRELLIS_STOP_AFTER are checked as often as before. Proc.aot_cur tells the
// executor which block the result is about. The probe walks the same hash
// chain as block_get: dropped blocks are never in it.
static void ret_if(Tx *t) { // returns L_RET when the i32 on the stack is not 0
  open_(t, W_IF, W_VOID);
  lget(t, L_RET);
  op(t, W_RETURN);
  end_(t);
}
static void chain(Tx *t) {
  D *last = &t->insn[t->n - 1];
  lget(t, L_RET);
  i32c(t, t->n);
  op(t, W_I32_EQ);
  open_(t, W_IF, W_T_I32); // instructions to count
  set_rip(t, last->start + last->len);
  i32c(t, t->n);
  else_(t);
  lget(t, L_RET); i32c(t, 8); op(t, W_I32_SHR_U); i32c(t, X_JUMP); op(t, W_I32_NE);
  ret_if(t);
  lget(t, L_RET); i32c(t, 255); op(t, W_I32_AND); i32c(t, 1); op(t, W_I32_ADD);
  end_(t);
  op(t, W_I64_EXTEND_U);
  lget(t, L_P); memop(t, W_I64_LOAD, (u32)offsetof(Proc, insns));
  op(t, W_I64_ADD);
  ltee(t, L_T1);
  lget(t, L_P); memop(t, W_I64_LOAD, (u32)offsetof(Proc, aot_limit));
  op(t, W_I64_GE_U);
  lget(t, L_M); memop(t, W_I32_LOAD16_U, (u32)offsetof(Mem, stop));
  op(t, W_I32_OR);
  ret_if(t);
  // the block at rip: m->code->hash[dcache_bucket(rip)], then along Block.next
  lget(t, L_P); memop(t, W_I64_LOAD, CPU_FIELD(rip)); lset(t, L_T2);
  lget(t, L_M); memop(t, W_I32_LOAD, (u32)offsetof(Mem, code));
  lget(t, L_T2); lget(t, L_T2); i64c(t, 14); op(t, W_I64_SHR_U); op(t, W_I64_XOR);
  op(t, W_I32_WRAP); i32c(t, DCACHE_BUCKETS - 1); op(t, W_I32_AND); i32c(t, 2); op(t, W_I32_SHL);
  op(t, W_I32_ADD);
  memop(t, W_I32_LOAD, 0);
  lset(t, L_H);
  open_(t, W_LOOP, W_VOID);
  lget(t, L_H); op(t, W_I32_EQZ);
  ret_if(t);
  lget(t, L_H); memop(t, W_I64_LOAD, (u32)offsetof(Block, start)); lget(t, L_T2); op(t, W_I64_NE);
  open_(t, W_IF, W_VOID);
  lget(t, L_H); memop(t, W_I32_LOAD, (u32)offsetof(Block, next)); lset(t, L_H);
  op(t, W_BR); uleb(t->o, 1);
  end_(t);
  end_(t);
  lget(t, L_H); memop(t, W_I32_LOAD, (u32)offsetof(Block, aot)); ltee(t, L_T32);
  op(t, W_I32_EQZ);
  ret_if(t);
  lget(t, L_P); lget(t, L_T1); memop(t, W_I64_STORE, (u32)offsetof(Proc, insns));
  lget(t, L_P); lget(t, L_H); memop(t, W_I32_STORE, (u32)offsetof(Proc, aot_cur));
  lget(t, L_H); lget(t, L_H); memop(t, W_I32_LOAD, (u32)offsetof(Block, runs)); i32c(t, 1); op(t, W_I32_ADD);
  memop(t, W_I32_STORE, (u32)offsetof(Block, runs));
  lget(t, L_P); lget(t, L_P); memop(t, W_I64_LOAD, (u32)offsetof(Proc, aot_chained)); i64c(t, 1); op(t, W_I64_ADD);
  memop(t, W_I64_STORE, (u32)offsetof(Proc, aot_chained));
  lget(t, L_P);
  lget(t, L_H);
  lget(t, L_T32);
  op(t, W_RETURN_CALL_INDIRECT);
  uleb(t->o, (u64)t->block_type);
  uleb(t->o, 0);
}

int aot_emit_block(Buf *out, D *insn, int n, u64 tstart, const u32 *helper, int block_type, int *inlined) {
  Tx t = {0};
  t.block_type = block_type;
  t.insn = insn;
  t.n = n;
  t.tstart = tstart;
  t.helper = helper;
  for (int i = 0; i < n; i++) { // branches back to the start (jcc, jmp rel)
    int o = insn[i].op;
    if (((o >= 0x70 && o <= 0x7f) || (o >= 0x180 && o <= 0x18f) || o == 0xe9 || o == 0xeb) && (u64)insn[i].disp == tstart && !insn[i].bad) t.loops = 1;
  }
  // first pass: which registers the inlined code touches
  Buf scratch = {0};
  t.o = &scratch;
  body(&t);
  free(scratch.p);
  // second pass: the function body
  Buf code = {0};
  t.o = &code;
  uleb(t.o, 2);
  uleb(t.o, N_I32);
  b1(t.o, W_T_I32);
  uleb(t.o, N_I64);
  b1(t.o, W_T_I64);
  lget(&t, L_P);
  memop(&t, W_I32_LOAD, (u32)offsetof(Proc, mem));
  lset(&t, L_M);
  lget(&t, L_B);
  memop(&t, W_I64_LOAD, (u32)offsetof(Block, start));
  lset(&t, L_PC);
  reload(&t);
  op(&t, W_BLOCK);
  op(&t, W_VOID);
  *inlined = body(&t);
  i32c(&t, n); // ran to the end
  lset(&t, L_RET);
  op(&t, W_END);
  writeback(&t, t.written);
  flush_flags_rt(&t);
  if (block_type >= 0) chain(&t);
  else lget(&t, L_RET);
  op(&t, W_END);
  uleb(out, code.n);
  bmem(out, code.p, code.n);
  free(code.p);
  return 0;
}
