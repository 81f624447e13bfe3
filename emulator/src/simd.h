// Operand helpers shared by the SSE3/SSSE3/SSE4 families (sse3.c, ssse3.c,
// sse41.c, sse42.c): the XMM/MMX operands of a decoded instruction and the
// saturating and NaN rules they share.
#ifndef TRELLIS_SIMD_H
#define TRELLIS_SIMD_H
#include "cpu-internal.h"

// The second (ModRM.rm) operand: a register, or `bytes` read from memory
// into `tmp` (the rest zero). NULL when the read faulted (m->fault is set).
static inline Xmm *simd_src(Cpu *c, Mem *m, D *d, Xmm *tmp, int bytes) {
  if (!d->hasmem) return &c->xmm[d->rm];
  memset(tmp, 0, sizeof *tmp);
  if (mem_read(m, EA(d), tmp, (u64)bytes)) return NULL;
  return tmp;
}

// MMX forms (no 66 prefix) of SSSE3: MMX registers are 8 bytes, held in an
// Xmm whose upper half is zero while the operation runs.
static inline Xmm *mmx_src(Cpu *c, Mem *m, D *d, Xmm *tmp) {
  memset(tmp, 0, sizeof *tmp);
  if (!d->hasmem) tmp->q[0] = c->mm[d->rm & 7];
  else if (mem_read(m, EA(d), tmp, 8)) return NULL;
  return tmp;
}

static inline i16 simd_sat16(i32 v) { return v > 32767 ? 32767 : v < -32768 ? -32768 : (i16)v; }
static inline u16 simd_usat16(i32 v) { return v > 65535 ? 65535 : v < 0 ? 0 : (u16)v; }

static inline u32 simd_fbits(float x) { u32 v; memcpy(&v, &x, 4); return v; }
static inline float simd_ffrom(u32 v) { float x; memcpy(&x, &v, 4); return x; }
static inline u64 simd_dbits(double x) { u64 v; memcpy(&v, &x, 8); return v; }
static inline double simd_dfrom(u64 v) { double x; memcpy(&x, &v, 8); return x; }

// x86 SSE arithmetic on NaNs: the first operand's NaN (quieted), else the
// second's, else the negative default NaN when the operation makes one.
// op: '+', '-', '*'.
static inline float simd_fop(int op, float a, float b) {
  if (a != a) return simd_ffrom(simd_fbits(a) | 0x00400000u);
  if (b != b) return simd_ffrom(simd_fbits(b) | 0x00400000u);
  float r = op == '+' ? a + b : op == '-' ? a - b : a * b;
  return r != r ? simd_ffrom(0xffc00000u) : r;
}
static inline double simd_dop(int op, double a, double b) {
  if (a != a) return simd_dfrom(simd_dbits(a) | 0x0008000000000000ull);
  if (b != b) return simd_dfrom(simd_dbits(b) | 0x0008000000000000ull);
  double r = op == '+' ? a + b : op == '-' ? a - b : a * b;
  return r != r ? simd_dfrom(0xfff8000000000000ull) : r;
}

// Opcode-table entries of the families (see exec.c).
Exec sse3_refine(D *d);
Exec mmx_refine(D *d);
void ssse3_ops(Exec *t);
void sse41_ops(Exec *t);
void sse42_ops(Exec *t);
#endif
