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
  L_M, L_E, L_RET, L_FOP, L_T32, L_IT,
  L_R0, // 16 guest registers
  L_PC = L_R0 + 16, L_A, L_PG, L_T1, L_T2, L_T3, L_TS, L_FRES, L_FA, L_FB, L_FCIN,
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
static void setlf_call(Tx *t, int fop_known) {
  cpu_ptr(t);
  if (fop_known) i32c(t, t->fop | t->fsz << 8);
  else lget(t, L_FOP);
  lget(t, L_FRES);
  lget(t, L_FA);
  lget(t, L_FB);
  lget(t, L_FCIN);
  call(t, H_SETLF);
  i32c(t, 0);
  lset(t, L_FOP);
}
static void flush_flags_rt(Tx *t) {
  lget(t, L_FOP);
  open_(t, W_IF, W_VOID);
  setlf_call(t, 0);
  end_(t);
}
static void flush_flags(Tx *t) {
  if (!t->fop) return;
  setlf_call(t, 1);
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
  if (sz < 4 || !d->noflags) return 0; // flags: cpu_get_flags + cpu_set_flags in the handler
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

static int emit_imul(Tx *t, D *d) { // 0F AF, 69, 6B
  int sz = d->osz, fl = !d->noflags;
  if (sz == 2 || (sz == 8 && fl)) return 0; // the 128-bit overflow test stays in the handler
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
    lget(t, L_P); i32c(t, t->fop); memop(t, W_I32_STORE, CPU_FIELD(lf_op));
    lget(t, L_P); i32c(t, t->fsz); memop(t, W_I32_STORE, CPU_FIELD(lf_sz));
    static const int lf[4] = {L_FRES, L_FA, L_FB, L_FCIN};
    const u32 off[4] = {CPU_FIELD(lf_res), CPU_FIELD(lf_a), CPU_FIELD(lf_b), CPU_FIELD(lf_cin)};
    for (int k = 0; k < 4; k++) { lget(t, L_P); lget(t, lf[k]); memop(t, W_I64_STORE, off[k]); }
    i32c(t, 0);
    lset(t, L_FOP);
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

static int emit_insn(Tx *t, D *d) {
  int op_ = d->op, sz = d->osz;
  if (d->bad) return 0;
  if (op_ < 0x40 && (op_ & 7) < 6) return emit_alu_row(t, d);
  switch (op_) {
  case 0x80: case 0x81: case 0x83: return emit_grp1(t, d);
  case 0x84: case 0x85: case 0xa8: case 0xa9: return emit_test(t, d);
  case 0xf6: case 0xf7: return emit_grp3(t, d);
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

int aot_emit_block(Buf *out, D *insn, int n, u64 tstart, const u32 *helper, int *inlined) {
  Tx t = {0};
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
  lget(&t, L_RET);
  op(&t, W_END);
  uleb(out, code.n);
  bmem(out, code.p, code.n);
  free(code.p);
  return 0;
}
