// Decoder state and operand helpers shared by the integer (cpu.c) and the
// SSE/x87 (fpu.c) halves of the interpreter.
#ifndef TRELLIS_CPU_INTERNAL_H
#define TRELLIS_CPU_INTERNAL_H
#include "emu.h"
#include <string.h>

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };
enum { F_NONE, F_ADD, F_ADC, F_SUB, F_SBB, F_LOGIC, F_INC, F_DEC, F_RESCO };
enum { CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800 };

// A decoded instruction. decode() fills everything but `ea` from the code
// bytes alone (it reads no guest register); the executor computes `ea` from
// the registers right before the instruction runs, so a cached D can be
// executed again and again.
struct D;
typedef int (*Exec)(Proc *p, Cpu *c, Mem *m, struct D *d);
typedef struct D {
  u64 start;  // guest address of the instruction
  u64 imm;    // first immediate, the raw bytes zero-extended
  u64 ea;     // effective address (with segment base), set at execute time
  i64 disp;   // ModRM displacement; RIP-relative: the address itself (the instruction's address is known);
              // relative jumps and calls: the target
  Exec fn;    // handler from the opcode table
  struct Block *link; // block chaining: the block that followed the last exit at this instruction
  u16 op;     // 0x000-0x0ff one-byte map, 0x1xx 0F, 0x2xx 0F38, 0x3xx 0F3A; VEX: 0x4xx 0F, 0x5xx 0F38, 0x6xx 0F3A
  u8 len;     // bytes, prefixes included
  u8 osz, asz;           // operand / address size in bytes
  u8 rep, pfx66, rex, seg; // seg: 0, 4 (FS) or 5 (GS)
  u8 mod, reg, rm, hasmem, riprel;
  u8 eakind;  // EA_*: how the executor computes `ea`
  u8 base, index, scale; // NOREG (a register that is always 0) when absent
  u8 imm2;    // second immediate (ENTER's nesting level)
  u8 bad;     // BAD_*: what executing this instruction must raise
  u8 avail;   // code bytes that were readable from `start` (at most 16)
  u8 ends;    // END_*: the instruction may transfer control
  u8 noflags; // flag liveness: nothing reads the flags this instruction writes, skip them
  u16 fr, fw; // arithmetic flags read / written (CF..OF bits; FL_ALL when unknown)
  u8 vex;     // VEX-encoded (C4/C5): `rex` holds its W/R/X/B, `pfx66`/`rep` its pp
  u8 vvvv;    // VEX.vvvv: the extra register operand (0-15)
  u8 vl;      // VEX.L: 256-bit
  u8 vsib;    // gathers: 1 + the vector index register of the VSIB address (`index` is NOREG then)
} D;

enum { NOREG = 16 };
// No memory operand; 64-bit address without segment override; anything else.
enum { EA_NONE, EA_PLAIN, EA_FULL };
// A conditional branch leaves its block when taken and lets it go on
// otherwise; anything else that may change RIP (or what the cache assumes) ends it.
enum { END_NO, END_BLOCK, END_COND };
enum { BAD_NONE, BAD_ILL, BAD_FETCH };
// Handler results.
enum { X_NEXT, X_JUMP, X_ILL, X_STOP, X_SYS };
#define FL_ALL (CF | PF | AF | ZF | SF | OF)

#define MASK(sz) ((sz) == 8 ? ~0ull : ((1ull << ((sz) * 8)) - 1))
#define SIGNB(sz) (1ull << ((sz) * 8 - 1))

static inline i64 sx(u64 v, int sz) {
  switch (sz) {
  case 1: return (i8)v;
  case 2: return (i16)v;
  case 4: return (i32)v;
  default: return (i64)v;
  }
}

static inline u64 next_rip(D *d) { return d->start + d->len; }
static inline u64 segbase(Cpu *c, D *d) { return d->seg == 4 ? c->fsbase : d->seg == 5 ? c->gsbase : 0; }
// Immediate of operand size as an operand (imm32 sign-extended for 64-bit operands).
static inline u64 immz(D *d, int sz) { return sz == 8 ? (u64)(i64)(i32)d->imm : d->imm; }

// Address of the memory operand without the segment base (LEA's result).
static inline u64 ea_noseg(Cpu *c, D *d) {
  u64 a = (u64)d->disp + c->r[d->base] + (c->r[d->index] << d->scale);
  return d->asz == 4 ? (u32)a : a;
}
static inline u64 ea_of(Cpu *c, D *d) { return ea_noseg(c, d) + segbase(c, d); }
static inline u64 ea_plain(Cpu *c, D *d) { return (u64)d->disp + c->r[d->base] + (c->r[d->index] << d->scale); }
static inline u64 EA(D *d) { return d->ea; }

static inline u64 rd(Mem *m, u64 a, int sz) {
  if ((a & PAGE_MASK) + sz <= PAGE) {
    u8 *p = mem_rptr(m, a);
    if (!p) return 0;
    switch (sz) {
    case 1: return *p;
    case 2: { u16 v; memcpy(&v, p, 2); return v; }
    case 4: { u32 v; memcpy(&v, p, 4); return v; }
    default: { u64 v; memcpy(&v, p, 8); return v; }
    }
  }
  u64 v = 0;
  mem_read(m, a, &v, sz);
  return v;
}

static inline void wr(Mem *m, u64 a, int sz, u64 v) {
  if (m->fault) return;
  if ((a & PAGE_MASK) + sz <= PAGE) {
    u8 *p = mem_wptr(m, a);
    if (!p) return;
    switch (sz) {
    case 1: *p = (u8)v; return;
    case 2: { u16 x = (u16)v; memcpy(p, &x, 2); return; }
    case 4: { u32 x = (u32)v; memcpy(p, &x, 4); return; }
    default: memcpy(p, &v, 8); return;
    }
  }
  mem_write(m, a, &v, sz);
}

static inline u64 getreg(Cpu *c, D *d, int r, int sz) {
  if (sz == 1) {
    if (!d->rex && r >= 4 && r < 8) return (c->r[r - 4] >> 8) & 0xff;
    return c->r[r] & 0xff;
  }
  return c->r[r] & MASK(sz);
}

static inline void setreg(Cpu *c, D *d, int r, int sz, u64 v) {
  switch (sz) {
  case 1:
    if (!d->rex && r >= 4 && r < 8) c->r[r - 4] = (c->r[r - 4] & ~0xff00ull) | ((v & 0xff) << 8);
    else c->r[r] = (c->r[r] & ~0xffull) | (v & 0xff);
    break;
  case 2: c->r[r] = (c->r[r] & ~0xffffull) | (v & 0xffff); break;
  case 4: c->r[r] = (u32)v; break;
  default: c->r[r] = v;
  }
}

static inline u64 rm_read(Cpu *c, Mem *m, D *d, int sz) {
  if (!d->hasmem) return getreg(c, d, d->rm, sz);
  return rd(m, EA(d), sz);
}
static inline void rm_write(Cpu *c, Mem *m, D *d, int sz, u64 v) {
  if (!d->hasmem) setreg(c, d, d->rm, sz, v);
  else wr(m, EA(d), sz, v);
}

// ---- lazy flags (flags.c): the last flag-setting operation is recorded
// (operation, size, result, operands) and flags are computed when read ----
int cpu_cond(Cpu *c, int cc);

static inline int getcf(Cpu *c) {
  switch (c->lf_op) {
  case F_NONE: return c->flags & CF;
  case F_SUB: return (c->lf_a & MASK(c->lf_sz)) < (c->lf_b & MASK(c->lf_sz));
  case F_ADD: return (c->lf_res & MASK(c->lf_sz)) < (c->lf_a & MASK(c->lf_sz));
  case F_LOGIC: return 0;
  default: return cpu_get_flags(c) & CF;
  }
}

// Condition codes straight from the recorded operation where that is cheap
// (ZF/SF from any result, the CMP/SUB forms from the operands).
static inline int cond(Cpu *c, int cc) {
  int op = c->lf_op, k = cc >> 1;
  if (op != F_NONE) {
    int sz = c->lf_sz;
    u64 m = MASK(sz);
    if (k == 2) return ((c->lf_res & m) == 0) ^ (cc & 1);
    if (k == 4) return ((c->lf_res & SIGNB(sz)) != 0) ^ (cc & 1);
    if (op == F_SUB) {
      u64 a = c->lf_a & m, b = c->lf_b & m;
      switch (k) {
      case 1: return (a < b) ^ (cc & 1);
      case 3: return (a <= b) ^ (cc & 1);
      case 6: return (sx(a, sz) < sx(b, sz)) ^ (cc & 1);
      case 7: return (sx(a, sz) <= sx(b, sz)) ^ (cc & 1);
      }
    }
  }
  return cpu_cond(c, cc);
}

static inline void setlf(Cpu *c, int op, int sz, u64 r, u64 a, u64 b) {
  c->lf_op = op;
  c->lf_sz = sz;
  c->lf_res = r;
  c->lf_a = a;
  c->lf_b = b;
}

// Result with SF/ZF/PF from `r` and explicit CF/OF.
static inline void setresco(Cpu *c, int sz, u64 r, int cf, int of) {
  setlf(c, F_RESCO, sz, r, 0, 0);
  c->lf_cin = (cf ? 1 : 0) | (of ? 2 : 0);
}

// The eight ALU operations of the 00-3F rows and group 1 (add or adc sbb and sub xor cmp).
// `fl` 0: the result only (flag liveness found the flags dead).
static inline __attribute__((always_inline)) u64 alu_f(Cpu *c, int op, u64 a, u64 b, int sz, int fl) {
  u64 m = MASK(sz), r;
  a &= m;
  b &= m;
  if (!fl) {
    switch (op) {
    case 0: return (a + b) & m;
    case 1: return a | b;
    case 2: return (a + b + getcf(c)) & m;
    case 3: return (a - b - getcf(c)) & m;
    case 4: return a & b;
    case 6: return a ^ b;
    default: return (a - b) & m;
    }
  }
  switch (op) {
  case 0: r = (a + b) & m; setlf(c, F_ADD, sz, r, a, b); return r;
  case 1: r = a | b; setlf(c, F_LOGIC, sz, r, 0, 0); return r;
  case 2: {
    int cin = getcf(c);
    r = (a + b + cin) & m;
    setlf(c, F_ADC, sz, r, a, b);
    c->lf_cin = cin;
    return r;
  }
  case 3: {
    int cin = getcf(c);
    r = (a - b - cin) & m;
    setlf(c, F_SBB, sz, r, a, b);
    c->lf_cin = cin;
    return r;
  }
  case 4: r = a & b; setlf(c, F_LOGIC, sz, r, 0, 0); return r;
  case 6: r = a ^ b; setlf(c, F_LOGIC, sz, r, 0, 0); return r;
  default: r = (a - b) & m; setlf(c, F_SUB, sz, r, a, b); return r;
  }
}
static inline u64 alu(Cpu *c, int op, u64 a, u64 b, int sz) { return alu_f(c, op, a, b, sz, 1); }

static inline void push(Cpu *c, Mem *m, u64 v, int sz) {
  c->r[RSP] -= sz;
  wr(m, c->r[RSP], sz, v);
}
static inline u64 pop(Cpu *c, Mem *m, int sz) {
  u64 v = rd(m, c->r[RSP], sz);
  c->r[RSP] += sz;
  return v;
}

// ---- decoder (decode.c), opcode table and block executor (exec.c), decode cache (dcache.c) ----
void decode(D *d, const u8 *bytes, int avail, u64 addr);
extern Exec exec_table[0x400];
extern Exec vex_table[0x300]; // VEX maps 0F, 0F38, 0F3A (D.op - 0x400); NULL: #UD
void exec_init(void); // fills exec_table (the executor's first run; the translator before decoding)
int op_ill(Proc *p, Cpu *c, Mem *m, D *d);
int op_bad(Proc *p, Cpu *c, Mem *m, D *d);

// Instruction families fill their entries of the opcode table.
// Handlers chosen by more than the opcode (ModRM.reg, operand size): NULL = the table's.
Exec alu_refine(D *d);     // alu.c: group 1 by ModRM.reg
Exec move_refine(D *d);    // move.c: 32/64-bit MOV
Exec system_refine(D *d);  // system.c: XSAVEC (0F C7 /4)
Exec exec_refine(D *d);    // exec.c: asks the families
void alu_ops(Exec *t);     // alu.c: arithmetic, logic, shifts, multiply/divide
void move_ops(Exec *t);    // move.c: moves, stack, exchange, string instructions
void control_ops(Exec *t); // control.c: jumps, calls, returns, conditions, syscall
void bit_ops(Exec *t);     // bitops.c: bit tests and scans, double shifts, compare-exchange, xadd
void system_ops(Exec *t);  // system.c: flags instructions, cpuid, rdtsc, fences, FXSAVE group
void bmi_ops(Exec *vex);   // bmi.c: BMI1/BMI2 (VEX-encoded general-register instructions)
void avx_ops(Exec *vex);   // avx.c: AVX/AVX2 (not reported by cpuid)
void fma_ops(Exec *vex);   // fma.c: FMA3 (not reported by cpuid)

// A run of decoded instructions starting at `start`, all on one guest page.
typedef struct Block {
  u64 start;
  struct Block *next;    // hash chain
  struct Block *link_end; // block chaining: the block that followed last when this one ran to its end
  u32 link_gen;           // links (link_end and each D's link) are valid while this equals Mem.code_gen
  int n;
  int uncached;          // the scratch block of a page-straddling instruction: never linked
  u32 aot;               // its ahead-of-time translation (a function table index), 0: none (aot-run.c)
  u32 runs;              // times it ran (the block profile for translation)
  D insn[];
} Block;
Block *block_get(Mem *m, u64 rip); // NULL on fetch fault (m->fault set)
// The decode cache's hash (dcache.c): Mem.code points at DCACHE_BUCKETS chains of Blocks (Block.next), the
// array first. Translated code probes it too, to chain to the next block (emulator/aot/emit.c).
#define DCACHE_BUCKETS 16384
static inline unsigned dcache_bucket(u64 a) { return (unsigned)((a ^ (a >> 14)) & (DCACHE_BUCKETS - 1)); }
void block_flags(D *insn, int n);  // flag liveness over a block's instructions
// aot-run.c
u32 aot_find(const u8 *code, u32 len, int n);
void aot_profile_dump(Mem *m, Block *b);

// fpu.c entry points: return 0 when the opcode is not implemented.
int exec_sse(Cpu *c, Mem *m, D *d, int op);
int exec_x87(Cpu *c, Mem *m, D *d, int op);
void fxsave(Cpu *c, Mem *m, u64 a);
void fxrstor(Cpu *c, Mem *m, u64 a);
#endif
