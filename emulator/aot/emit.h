// What the translator back end's files share (emit.c, emit-state.c,
// emit-alu.c, emit-sse.c): the state of one translation (Tx), the
// function's locals, the Wasm building blocks every instruction family
// uses, and the families' entry points. Each emit_* returns 0 when it does
// not inline the instruction (it then runs through its handler).
#ifndef TRELLIS_AOT_EMIT_H
#define TRELLIS_AOT_EMIT_H
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

static inline void op(Tx *t, u8 c) { b1(t->o, c); }
static inline void lget(Tx *t, int l) { op(t, W_LGET); uleb(t->o, (u64)l); }
static inline void lset(Tx *t, int l) { op(t, W_LSET); uleb(t->o, (u64)l); }
static inline void ltee(Tx *t, int l) { op(t, W_LTEE); uleb(t->o, (u64)l); }
static inline void i32c(Tx *t, i32 v) { op(t, W_I32_CONST); sleb(t->o, v); }
static inline void i64c(Tx *t, i64 v) { op(t, W_I64_CONST); sleb(t->o, v); }
static inline void memop(Tx *t, u8 opc, u32 off) { op(t, opc); uleb(t->o, 0); uleb(t->o, off); } // alignment hint 0: always valid
static inline void call(Tx *t, int h) { op(t, W_CALL); uleb(t->o, t->helper[h]); }
static inline void open_(Tx *t, u8 kind, u8 type) { op(t, kind); op(t, type); t->depth++; }
static inline void end_(Tx *t) { op(t, W_END); t->depth--; }
static inline void else_(Tx *t) { op(t, W_ELSE); }
// Leaves the block through the common exit (registers and flags written back).
static inline void exit_(Tx *t, int code) {
  i32c(t, code);
  lset(t, L_RET);
  op(t, W_BR);
  uleb(t->o, (u64)t->depth);
}

// ---- registers ----
static inline void rget(Tx *t, int r) { t->used |= 1u << r; lget(t, L_R0 + r); }
static inline void rset(Tx *t, int r) { t->used |= 1u << r; t->written |= 1u << r; t->dirty |= 1u << r; lset(t, L_R0 + r); }
static inline void zx32(Tx *t) { op(t, W_I32_WRAP); op(t, W_I64_EXTEND_U); }
static inline void mask(Tx *t, int sz) {
  if (sz == 4) zx32(t);
  else if (sz < 4) { i64c(t, sz == 1 ? 0xff : 0xffff); op(t, W_I64_AND); }
}
// Sign-extends the low `sz` bytes (MVP: no extend8/16 opcodes).
static inline void sxn(Tx *t, int sz) {
  if (sz == 4) { op(t, W_I32_WRAP); op(t, W_I64_EXTEND_S); }
  else if (sz < 4) {
    i64c(t, 64 - 8 * sz);
    op(t, W_I64_SHL);
    i64c(t, 64 - 8 * sz);
    op(t, W_I64_SHR_S);
  }
}
static inline int hibyte(D *d, int r, int sz) { return sz == 1 && !d->rex && r >= 4 && r < 8; }

// emit-state.c: registers, memory through the TLB, lazy flags
void writeback(Tx *t, u32 regs);
void reload(Tx *t);
void e_getreg(Tx *t, D *d, int r, int sz);
void e_setreg(Tx *t, D *d, int r, int sz);
void set_rip(Tx *t, u64 target);
void e_ea(Tx *t, D *d);
void tlb_test(Tx *t, int write, int sz);
void host_addr(Tx *t, int write);
void stop_check(Tx *t, int code);
void e_load(Tx *t, int sz);
void e_store(Tx *t, int sz, int xr);
void e_rm_read(Tx *t, D *d, int sz);
void e_rm_write(Tx *t, D *d, int sz, int have_ea);
void setflags(Tx *t, int fop, int sz);
void store_flags(Tx *t, int fop_known);
void flush_flags_rt(Tx *t);
void flush_flags(Tx *t);
void cpu_ptr(Tx *t);
void emit_cond(Tx *t, int cc);
void emit_getcf(Tx *t);

// emit-alu.c: integer arithmetic, logic, shifts, multiply and divide
void e_alu(Tx *t, int a, int sz, int fl);
u64 imm_sz(D *d, int sz, int imm8);
int emit_alu_row(Tx *t, D *d);
int emit_grp1(Tx *t, D *d);
int emit_test(Tx *t, D *d);
int emit_grp3(Tx *t, D *d);
int emit_incdec(Tx *t, D *d);
int emit_shift(Tx *t, D *d);
int emit_shift_cl(Tx *t, D *d);
int emit_imul(Tx *t, D *d);
int emit_muldiv(Tx *t, D *d);

// emit-sse.c: SSE with the XMM registers in the Cpu, and BSF
int emit_sse(Tx *t, D *d);

// emit.c: the block
void e_push_val(Tx *t, int xr);
void back_edge(Tx *t);
void slow_step(Tx *t, u32 regs);

#endif
