// FMA3 (VEX.66.0F38 96-9F, A6-AF, B6-BF; not reported by cpuid, see README
// "x86-64-v3"): fused multiply-add of packed and scalar floats (W0) and
// doubles (W1), each product-sum rounded once (fmaf/fma). The 132/213/231
// forms name which operands are multiplied: operand 1 is ModRM.reg (the
// destination), 2 is VEX.vvvv, 3 is ModRM.rm.
//   132: 1*3 + 2    213: 2*1 + 3    231: 2*3 + 1
// A NaN operand comes out quieted: the first multiplicand's, else the
// second's, else the addend's (as the Intel host measured does, whatever
// the form); an invalid operation without one gives the default NaN. Rounding is to
// nearest, as in the core's other SSE arithmetic.
#include <math.h>
#include "cpu-internal.h"
#include "simd.h"

enum { K_ADDSUB, K_SUBADD, K_ADD, K_SUB, K_NADD, K_NSUB };

static float fma1f(int k, int i, float x1, float x2, float x3, int form) {
  float a = form == 0 ? x1 : x2, b = form == 1 ? x1 : x3, c = form == 0 ? x2 : form == 1 ? x3 : x1;
  if (a != a) return simd_ffrom(simd_fbits(a) | 0x00400000u);
  if (b != b) return simd_ffrom(simd_fbits(b) | 0x00400000u);
  if (c != c) return simd_ffrom(simd_fbits(c) | 0x00400000u);
  int neg = k == K_NADD || k == K_NSUB;
  int sub = k == K_SUB || k == K_NSUB || (k == K_ADDSUB && !(i & 1)) || (k == K_SUBADD && (i & 1));
  float pa = neg ? -a : a, pc = sub ? -c : c, r = fmaf(pa, b, pc);
  if (r == 0 && pc == 0 && pa != 0 && b != 0) r = ((simd_fbits(pa) ^ simd_fbits(b)) >> 31) ? -0.0f : 0.0f;
  return r != r ? simd_ffrom(0xffc00000u) : r;
}
static double fma1d(int k, int i, double x1, double x2, double x3, int form) {
  double a = form == 0 ? x1 : x2, b = form == 1 ? x1 : x3, c = form == 0 ? x2 : form == 1 ? x3 : x1;
  if (a != a) return simd_dfrom(simd_dbits(a) | 0x0008000000000000ull);
  if (b != b) return simd_dfrom(simd_dbits(b) | 0x0008000000000000ull);
  if (c != c) return simd_dfrom(simd_dbits(c) | 0x0008000000000000ull);
  int neg = k == K_NADD || k == K_NSUB;
  int sub = k == K_SUB || k == K_NSUB || (k == K_ADDSUB && !(i & 1)) || (k == K_SUBADD && (i & 1));
  double pa = neg ? -a : a, pc = sub ? -c : c, r = fma(pa, b, pc);
  // a product too small for any double plus a zero: zero with the product's sign (wasi-libc's fma gives +0)
  if (r == 0 && pc == 0 && pa != 0 && b != 0) r = ((simd_dbits(pa) ^ simd_dbits(b)) >> 63) ? -0.0 : 0.0;
  return r != r ? simd_dfrom(0xfff8000000000000ull) : r;
}

static int op_fma(Proc *p, Cpu *c, Mem *m, D *d) {
  int o = d->op & 0xff, lo = o & 0xf, form = (o >> 4) - 9; // 0: 132, 1: 213, 2: 231
  if (!d->pfx66 || lo < 6) return X_ILL;
  int scalar = lo >= 8 && (lo & 1), dbl = (d->rex & 8) != 0;
  int k = lo == 6 ? K_ADDSUB : lo == 7 ? K_SUBADD : K_ADD + ((lo - 8) >> 1);
  if (scalar && d->vl) return X_ILL;
  int es = dbl ? 8 : 4, n = scalar ? 1 : (d->vl ? 32 : 16) / es;
  u8 x1[32], x2[32], x3[32];
  memcpy(x1, &c->xmm[d->reg], 16);
  memcpy(x1 + 16, &c->yh[d->reg], 16);
  memcpy(x2, &c->xmm[d->vvvv], 16);
  memcpy(x2 + 16, &c->yh[d->vvvv], 16);
  memset(x3, 0, sizeof x3);
  if (d->hasmem) {
    if (mem_read(m, EA(d), x3, (u64)(n * es))) return X_NEXT;
  } else {
    memcpy(x3, &c->xmm[d->rm], 16);
    memcpy(x3 + 16, &c->yh[d->rm], 16);
  }
  u8 r[32];
  memcpy(r, x1, 32); // scalar forms keep operand 1's other elements
  for (int i = 0; i < n; i++) {
    if (dbl) {
      double a, b, cc, v;
      memcpy(&a, x1 + 8 * i, 8); memcpy(&b, x2 + 8 * i, 8); memcpy(&cc, x3 + 8 * i, 8);
      v = fma1d(k, i, a, b, cc, form);
      memcpy(r + 8 * i, &v, 8);
    } else {
      float a, b, cc, v;
      memcpy(&a, x1 + 4 * i, 4); memcpy(&b, x2 + 4 * i, 4); memcpy(&cc, x3 + 4 * i, 4);
      v = fma1f(k, i, a, b, cc, form);
      memcpy(r + 4 * i, &v, 4);
    }
  }
  memcpy(&c->xmm[d->reg], r, 16);
  if (d->vl) memcpy(&c->yh[d->reg], r + 16, 16);
  else memset(&c->yh[d->reg], 0, 16);
  return X_NEXT;
}

void fma_ops(Exec *vex) {
  for (int row = 0x196; row <= 0x1b6; row += 0x10)
    for (int i = 0; i < 10; i++) vex[row + i] = op_fma;
}
