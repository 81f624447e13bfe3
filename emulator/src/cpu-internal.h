// Decoder state and operand helpers shared by the integer (cpu.c) and the
// SSE/x87 (fpu.c) halves of the interpreter.
#ifndef TRELLIS_CPU_INTERNAL_H
#define TRELLIS_CPU_INTERNAL_H
#include "emu.h"
#include <string.h>

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };
enum { F_NONE, F_ADD, F_ADC, F_SUB, F_SBB, F_LOGIC, F_INC, F_DEC, F_RESCO };
enum { CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800 };

typedef struct D {
  const u8 *ip;   // decode cursor
  const u8 *base; // first byte of the instruction
  int avail;      // bytes readable from base
  u64 start;      // guest address of the instruction
  int osz, asz;   // operand / address size in bytes
  int rep, pfx66, rex, seg;
  u64 segbase;
  int mod, reg, rm, hasmem, riprel;
  u64 ea;
  int undef; // set when the decoder meets something it cannot execute
} D;

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

static inline u8 f8(D *d) { return *d->ip++; }
static inline u16 f16(D *d) { u16 v; memcpy(&v, d->ip, 2); d->ip += 2; return v; }
static inline u32 f32(D *d) { u32 v; memcpy(&v, d->ip, 4); d->ip += 4; return v; }
static inline u64 f64(D *d) { u64 v; memcpy(&v, d->ip, 8); d->ip += 8; return v; }
// Immediate of operand size (imm32 sign-extended for 64-bit operands).
static inline u64 fimm(D *d, int sz) {
  if (sz == 1) return f8(d);
  if (sz == 2) return f16(d);
  if (sz == 4) return f32(d);
  return (u64)(i64)(i32)f32(d);
}

static inline u64 next_rip(D *d) { return d->start + (u64)(d->ip - d->base); }

static inline u64 EA(D *d) {
  if (d->riprel) {
    u64 a = d->ea + next_rip(d);
    if (d->asz == 4) a = (u32)a;
    return a + d->segbase;
  }
  return d->ea;
}

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

static inline void modrm(Cpu *c, D *d) {
  u8 b = f8(d);
  d->mod = b >> 6;
  d->reg = ((b >> 3) & 7) | ((d->rex & 4) << 1);
  int rm = b & 7;
  d->riprel = 0;
  if (d->mod == 3) {
    d->rm = rm | ((d->rex & 1) << 3);
    d->hasmem = 0;
    return;
  }
  d->hasmem = 1;
  u64 ea = 0;
  if (rm == 4) {
    u8 sib = f8(d);
    int sc = sib >> 6, idx = ((sib >> 3) & 7) | ((d->rex & 2) << 2), base = (sib & 7) | ((d->rex & 1) << 3);
    if (idx != 4) ea = c->r[idx] << sc;
    if ((base & 7) == 5 && d->mod == 0) ea += (u64)(i64)(i32)f32(d);
    else ea += c->r[base];
  } else if (rm == 5 && d->mod == 0) {
    d->riprel = 1;
    ea = (u64)(i64)(i32)f32(d);
  } else {
    ea = c->r[rm | ((d->rex & 1) << 3)];
  }
  if (d->mod == 1) ea += (u64)(i64)(i8)f8(d);
  else if (d->mod == 2) ea += (u64)(i64)(i32)f32(d);
  if (d->riprel) {
    d->ea = ea;
    return;
  }
  if (d->asz == 4) ea = (u32)ea;
  d->ea = ea + d->segbase;
}

int cpu_cond(Cpu *c, int cc);
// fpu.c entry points: return 0 when the opcode is not implemented.
int exec_sse(Cpu *c, Mem *m, D *d, int op);
int exec_x87(Cpu *c, Mem *m, D *d, int op);
void fxsave(Cpu *c, Mem *m, u64 a);
void fxrstor(Cpu *c, Mem *m, u64 a);
#endif
