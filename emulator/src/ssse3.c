// SSSE3 (0F 38 00-0B, 1C-1E and 0F 3A 0F), in both forms: 66-prefixed on
// XMM registers (16 bytes) and unprefixed on MMX registers (8 bytes). Each
// operation works on the low `n` bytes of two Xmm values.
#include "simd.h"
#include <stdlib.h>

// x = x op s over n bytes; op is the 0F 38 opcode's low byte.
static void ssse3_op(int op, Xmm *x, const Xmm *s, int n) {
  Xmm r;
  memset(&r, 0, sizeof r);
  int w = n / 2, dw = n / 4, i; // words, dwords
  switch (op) {
  case 0x00: // pshufb: a set high bit zeroes, else the low bits index the destination
    for (i = 0; i < n; i++) r.b[i] = s->b[i] & 0x80 ? 0 : x->b[s->b[i] & (n - 1)];
    break;
  case 0x01: // phaddw
    for (i = 0; i < w / 2; i++) { r.w[i] = x->w[2 * i] + x->w[2 * i + 1]; r.w[i + w / 2] = s->w[2 * i] + s->w[2 * i + 1]; }
    break;
  case 0x02: // phaddd
    for (i = 0; i < dw / 2; i++) { r.d[i] = x->d[2 * i] + x->d[2 * i + 1]; r.d[i + dw / 2] = s->d[2 * i] + s->d[2 * i + 1]; }
    break;
  case 0x03: // phaddsw
    for (i = 0; i < w / 2; i++) {
      r.sw[i] = simd_sat16(x->sw[2 * i] + x->sw[2 * i + 1]);
      r.sw[i + w / 2] = simd_sat16(s->sw[2 * i] + s->sw[2 * i + 1]);
    }
    break;
  case 0x04: // pmaddubsw: unsigned bytes of the destination times signed bytes of the source
    for (i = 0; i < w; i++) r.sw[i] = simd_sat16(x->b[2 * i] * s->sb[2 * i] + x->b[2 * i + 1] * s->sb[2 * i + 1]);
    break;
  case 0x05: // phsubw
    for (i = 0; i < w / 2; i++) { r.w[i] = x->w[2 * i] - x->w[2 * i + 1]; r.w[i + w / 2] = s->w[2 * i] - s->w[2 * i + 1]; }
    break;
  case 0x06: // phsubd
    for (i = 0; i < dw / 2; i++) { r.d[i] = x->d[2 * i] - x->d[2 * i + 1]; r.d[i + dw / 2] = s->d[2 * i] - s->d[2 * i + 1]; }
    break;
  case 0x07: // phsubsw
    for (i = 0; i < w / 2; i++) {
      r.sw[i] = simd_sat16(x->sw[2 * i] - x->sw[2 * i + 1]);
      r.sw[i + w / 2] = simd_sat16(s->sw[2 * i] - s->sw[2 * i + 1]);
    }
    break;
  case 0x08: // psignb
    for (i = 0; i < n; i++) r.b[i] = s->sb[i] < 0 ? (u8)-x->b[i] : s->sb[i] ? x->b[i] : 0;
    break;
  case 0x09: // psignw
    for (i = 0; i < w; i++) r.w[i] = s->sw[i] < 0 ? (u16)-x->w[i] : s->sw[i] ? x->w[i] : 0;
    break;
  case 0x0a: // psignd
    for (i = 0; i < dw; i++) r.d[i] = s->sd[i] < 0 ? -x->d[i] : s->sd[i] ? x->d[i] : 0;
    break;
  case 0x0b: // pmulhrsw: (a * b + 0x4000) >> 15, the product's rounded high half
    for (i = 0; i < w; i++) r.w[i] = (u16)((((i32)x->sw[i] * s->sw[i] >> 14) + 1) >> 1);
    break;
  case 0x1c: for (i = 0; i < n; i++) r.b[i] = (u8)abs(s->sb[i]); break;          // pabsb
  case 0x1d: for (i = 0; i < w; i++) r.w[i] = (u16)abs(s->sw[i]); break;         // pabsw
  case 0x1e: for (i = 0; i < dw; i++) r.d[i] = s->sd[i] < 0 ? -s->d[i] : s->d[i]; break; // pabsd
  }
  *x = r;
}

// 0F 38 00-0B / 1C-1E
static int op_ssse3(Proc *p, Cpu *c, Mem *m, D *d) {
  if (d->rep) return X_ILL;
  Xmm tmp, *s;
  int op = d->op & 0xff;
  if (d->pfx66) {
    if (!(s = simd_src(c, m, d, &tmp, 16))) return X_NEXT;
    ssse3_op(op, &c->xmm[d->reg], s, 16);
    return X_NEXT;
  }
  if (!(s = mmx_src(c, m, d, &tmp))) return X_NEXT;
  Xmm x;
  memset(&x, 0, sizeof x);
  x.q[0] = c->mm[d->reg & 7];
  ssse3_op(op, &x, s, 8);
  c->mm[d->reg & 7] = x.q[0];
  return X_NEXT;
}

// 0F 3A 0F: palignr: the destination:source concatenation shifted right by imm8 bytes.
static int op_palignr(Proc *p, Cpu *c, Mem *m, D *d) {
  if (d->rep) return X_ILL;
  Xmm tmp, *s;
  int n = d->pfx66 ? 16 : 8, sh = (u8)d->imm;
  u8 cat[32], *x = d->pfx66 ? c->xmm[d->reg].b : (u8 *)&c->mm[d->reg & 7];
  if (d->pfx66 ? !(s = simd_src(c, m, d, &tmp, 16)) : !(s = mmx_src(c, m, d, &tmp))) return X_NEXT;
  memcpy(cat, s->b, n);
  memcpy(cat + n, x, n);
  for (int i = 0; i < n; i++) x[i] = i + sh < 2 * n ? cat[i + sh] : 0;
  return X_NEXT;
}

void ssse3_ops(Exec *t) {
  for (int op = 0x200; op <= 0x20b; op++) t[op] = op_ssse3;
  for (int op = 0x21c; op <= 0x21e; op++) t[op] = op_ssse3;
  t[0x30f] = op_palignr;
}
