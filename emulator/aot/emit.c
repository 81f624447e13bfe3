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
// Every instruction the back end does not inline runs through its interpreter
// handler (trellis_aot_step) with the state written back first, so a
// translation covers its whole block and stops exactly where the executor
// would (AOT_RET). A block that runs to its end or jumps goes on into the
// next translated block (chain()).
//
// This file: the block, its exits and chaining, moves, stack and control
// transfers. The instruction families are in emit-alu.c and emit-sse.c;
// registers, memory and flags in emit-state.c; what they share in emit.h.
#include "emit.h"

void e_push_val(Tx *t, int xr) { // pushes L_T3 (8 bytes): RSP is committed first, as push() does
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
void back_edge(Tx *t) {
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
void slow_step(Tx *t, u32 regs) {
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
