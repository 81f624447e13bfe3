// SSE/SSE2 and x87 halves of the interpreter. Floating-point results follow
// x86 rules where they differ from C/Wasm: NaN propagation (first operand's
// NaN, else the negative "default NaN"), min/max operand order, and the
// "integer indefinite" value for out-of-range conversions.
#include "cpu-internal.h"
#include <math.h>
#include <fenv.h>
#include <stdlib.h>

// ---------- NaN-aware scalar helpers ----------
static inline u64 dbits(double x) { u64 v; memcpy(&v, &x, 8); return v; }
static inline double dfrom(u64 v) { double x; memcpy(&x, &v, 8); return x; }
static inline u32 fbits(float x) { u32 v; memcpy(&v, &x, 4); return v; }
static inline float ffrom(u32 v) { float x; memcpy(&x, &v, 4); return x; }
static const u64 DNAN = 0xfff8000000000000ull;
static const u32 FNAN = 0xffc00000u;

static double dop(int op, double a, double b) {
  if (a != a) return dfrom(dbits(a) | 0x0008000000000000ull);
  if (op != 8 && b != b) return dfrom(dbits(b) | 0x0008000000000000ull);
  double r;
  switch (op) {
  case 0: r = a + b; break;
  case 1: r = a * b; break;
  case 4: r = a - b; break;
  case 6: r = a / b; break;
  default: r = sqrt(a); break; // 8: sqrt of a
  }
  if (r != r) return dfrom(DNAN);
  return r;
}
static float fop(int op, float a, float b) {
  if (a != a) return ffrom(fbits(a) | 0x00400000u);
  if (op != 8 && b != b) return ffrom(fbits(b) | 0x00400000u);
  float r;
  switch (op) {
  case 0: r = a + b; break;
  case 1: r = a * b; break;
  case 4: r = a - b; break;
  case 6: r = a / b; break;
  default: r = sqrtf(a); break;
  }
  if (r != r) return ffrom(FNAN);
  return r;
}

// op: 0x58 add 0x59 mul 0x5c sub 0x5d min 0x5e div 0x5f max 0x51 sqrt
static double darith(int op, double a, double b) {
  switch (op) {
  case 0x58: return dop(0, a, b);
  case 0x59: return dop(1, a, b);
  case 0x5c: return dop(4, a, b);
  case 0x5e: return dop(6, a, b);
  case 0x5d: return a < b ? a : b;
  case 0x5f: return a > b ? a : b;
  default: // sqrt of b (source)
    if (b != b) return dfrom(dbits(b) | 0x0008000000000000ull);
    if (b < 0) return dfrom(DNAN);
    return sqrt(b);
  }
}
static float farith(int op, float a, float b) {
  switch (op) {
  case 0x58: return fop(0, a, b);
  case 0x59: return fop(1, a, b);
  case 0x5c: return fop(4, a, b);
  case 0x5e: return fop(6, a, b);
  case 0x5d: return a < b ? a : b;
  case 0x5f: return a > b ? a : b;
  case 0x52: return 1.0f / sqrtf(b);
  case 0x53: return 1.0f / b;
  default:
    if (b != b) return ffrom(fbits(b) | 0x00400000u);
    if (b < 0) return ffrom(FNAN);
    return sqrtf(b);
  }
}

static int rc_mode(u32 mxcsr) { return (mxcsr >> 13) & 3; }
static double round_mode(double x, int rc) {
  switch (rc) {
  case 0: return nearbyint(x);
  case 1: return floor(x);
  case 2: return ceil(x);
  default: return trunc(x);
  }
}
static u64 d2i(double x, int sz, int rc) {
  x = round_mode(x, rc);
  if (sz == 8) {
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) return 0x8000000000000000ull;
    return (u64)(i64)x;
  }
  if (!(x >= -2147483648.0 && x < 2147483648.0)) return 0x80000000u;
  return (u32)(i32)x;
}

// CMPPS/PD/SS/SD predicates: 0-7 (SSE), 8-15 and their repeats 16-31 (VEX
// forms; the repeats differ only in which NaNs signal, and exceptions stay masked).
static int dcmp(double a, double b, int pred) {
  int un = a != a || b != b;
  switch (pred & 15) {
  case 0: return !un && a == b;
  case 1: return !un && a < b;
  case 2: return !un && a <= b;
  case 3: return un;
  case 4: return un || a != b;
  case 5: return un || !(a < b);
  case 6: return un || !(a <= b);
  case 7: return !un;
  case 8: return un || a == b;
  case 9: return un || a < b;
  case 10: return un || a <= b;
  case 11: return 0;
  case 12: return !un && a != b;
  case 13: return !un && a >= b;
  case 14: return !un && a > b;
  default: return 1;
  }
}

static void set_cmp_flags(Cpu *c, double a, double b) {
  u64 f = cpu_get_flags(c) & ~(u64)(CF | PF | AF | ZF | SF | OF);
  if (a != a || b != b) f |= ZF | PF | CF;
  else if (a < b) f |= CF;
  else if (a == b) f |= ZF;
  cpu_set_flags(c, f);
}

static Xmm *xsrc(Cpu *c, Mem *m, D *d, Xmm *tmp, int bytes) {
  if (!d->hasmem) return &c->xmm[d->rm];
  memset(tmp, 0, sizeof *tmp);
  mem_read(m, EA(d), tmp, bytes);
  return tmp;
}

static inline i16 sat16(i32 v) { return v > 32767 ? 32767 : v < -32768 ? -32768 : (i16)v; }
static inline i8 sat8(i32 v) { return v > 127 ? 127 : v < -128 ? -128 : (i8)v; }
static inline u8 usat8(i32 v) { return v > 255 ? 255 : v < 0 ? 0 : (u8)v; }
static inline u16 usat16(i32 v) { return v > 65535 ? 65535 : v < 0 ? 0 : (u16)v; }

// 66-prefixed SSE2 integer operations on whole registers: x = x op y.
static int int_op(int op, Xmm *x, const Xmm *y) {
  Xmm r = *x;
  int i;
  switch (op) {
  case 0x160: for (i = 0; i < 8; i++) { r.b[2 * i] = x->b[i]; r.b[2 * i + 1] = y->b[i]; } break;
  case 0x161: for (i = 0; i < 4; i++) { r.w[2 * i] = x->w[i]; r.w[2 * i + 1] = y->w[i]; } break;
  case 0x162: for (i = 0; i < 2; i++) { r.d[2 * i] = x->d[i]; r.d[2 * i + 1] = y->d[i]; } break;
  case 0x163: for (i = 0; i < 8; i++) { r.sb[i] = sat8(x->sw[i]); r.sb[i + 8] = sat8(y->sw[i]); } break;
  case 0x164: for (i = 0; i < 16; i++) r.b[i] = x->sb[i] > y->sb[i] ? 0xff : 0; break;
  case 0x165: for (i = 0; i < 8; i++) r.w[i] = x->sw[i] > y->sw[i] ? 0xffff : 0; break;
  case 0x166: for (i = 0; i < 4; i++) r.d[i] = x->sd[i] > y->sd[i] ? ~0u : 0; break;
  case 0x167: for (i = 0; i < 8; i++) { r.b[i] = usat8(x->sw[i]); r.b[i + 8] = usat8(y->sw[i]); } break;
  case 0x168: for (i = 0; i < 8; i++) { r.b[2 * i] = x->b[i + 8]; r.b[2 * i + 1] = y->b[i + 8]; } break;
  case 0x169: for (i = 0; i < 4; i++) { r.w[2 * i] = x->w[i + 4]; r.w[2 * i + 1] = y->w[i + 4]; } break;
  case 0x16a: for (i = 0; i < 2; i++) { r.d[2 * i] = x->d[i + 2]; r.d[2 * i + 1] = y->d[i + 2]; } break;
  case 0x16b: for (i = 0; i < 4; i++) { r.sw[i] = sat16(x->sd[i]); r.sw[i + 4] = sat16(y->sd[i]); } break;
  case 0x16c: r.q[0] = x->q[0]; r.q[1] = y->q[0]; break;
  case 0x16d: r.q[0] = x->q[1]; r.q[1] = y->q[1]; break;
  case 0x174: for (i = 0; i < 16; i++) r.b[i] = x->b[i] == y->b[i] ? 0xff : 0; break;
  case 0x175: for (i = 0; i < 8; i++) r.w[i] = x->w[i] == y->w[i] ? 0xffff : 0; break;
  case 0x176: for (i = 0; i < 4; i++) r.d[i] = x->d[i] == y->d[i] ? ~0u : 0; break;
  case 0x1d4: r.q[0] = x->q[0] + y->q[0]; r.q[1] = x->q[1] + y->q[1]; break;
  case 0x1d5: for (i = 0; i < 8; i++) r.w[i] = (u16)(x->sw[i] * y->sw[i]); break;
  case 0x1d8: for (i = 0; i < 16; i++) r.b[i] = usat8(x->b[i] - y->b[i]); break;
  case 0x1d9: for (i = 0; i < 8; i++) r.w[i] = usat16(x->w[i] - y->w[i]); break;
  case 0x1da: for (i = 0; i < 16; i++) r.b[i] = x->b[i] < y->b[i] ? x->b[i] : y->b[i]; break;
  case 0x1db: r.q[0] = x->q[0] & y->q[0]; r.q[1] = x->q[1] & y->q[1]; break;
  case 0x1dc: for (i = 0; i < 16; i++) r.b[i] = usat8(x->b[i] + y->b[i]); break;
  case 0x1dd: for (i = 0; i < 8; i++) r.w[i] = usat16(x->w[i] + y->w[i]); break;
  case 0x1de: for (i = 0; i < 16; i++) r.b[i] = x->b[i] > y->b[i] ? x->b[i] : y->b[i]; break;
  case 0x1df: r.q[0] = ~x->q[0] & y->q[0]; r.q[1] = ~x->q[1] & y->q[1]; break;
  case 0x1e0: for (i = 0; i < 16; i++) r.b[i] = (u8)((x->b[i] + y->b[i] + 1) >> 1); break;
  case 0x1e3: for (i = 0; i < 8; i++) r.w[i] = (u16)((x->w[i] + y->w[i] + 1) >> 1); break;
  case 0x1e4: for (i = 0; i < 8; i++) r.w[i] = (u16)(((u32)x->w[i] * y->w[i]) >> 16); break;
  case 0x1e5: for (i = 0; i < 8; i++) r.w[i] = (u16)(((i32)x->sw[i] * y->sw[i]) >> 16); break;
  case 0x1e8: for (i = 0; i < 16; i++) r.sb[i] = sat8(x->sb[i] - y->sb[i]); break;
  case 0x1e9: for (i = 0; i < 8; i++) r.sw[i] = sat16(x->sw[i] - y->sw[i]); break;
  case 0x1ea: for (i = 0; i < 8; i++) r.sw[i] = x->sw[i] < y->sw[i] ? x->sw[i] : y->sw[i]; break;
  case 0x1eb: r.q[0] = x->q[0] | y->q[0]; r.q[1] = x->q[1] | y->q[1]; break;
  case 0x1ec: for (i = 0; i < 16; i++) r.sb[i] = sat8(x->sb[i] + y->sb[i]); break;
  case 0x1ed: for (i = 0; i < 8; i++) r.sw[i] = sat16(x->sw[i] + y->sw[i]); break;
  case 0x1ee: for (i = 0; i < 8; i++) r.sw[i] = x->sw[i] > y->sw[i] ? x->sw[i] : y->sw[i]; break;
  case 0x1ef: r.q[0] = x->q[0] ^ y->q[0]; r.q[1] = x->q[1] ^ y->q[1]; break;
  case 0x1f4: r.q[0] = (u64)x->d[0] * y->d[0]; r.q[1] = (u64)x->d[2] * y->d[2]; break;
  case 0x1f5: for (i = 0; i < 4; i++) r.sd[i] = x->sw[2 * i] * y->sw[2 * i] + x->sw[2 * i + 1] * y->sw[2 * i + 1]; break;
  case 0x1f6: {
    for (int h = 0; h < 2; h++) {
      u32 s = 0;
      for (i = 0; i < 8; i++) s += (u32)abs(x->b[h * 8 + i] - y->b[h * 8 + i]);
      r.q[h] = s;
    }
    break;
  }
  case 0x1f8: for (i = 0; i < 16; i++) r.b[i] = x->b[i] - y->b[i]; break;
  case 0x1f9: for (i = 0; i < 8; i++) r.w[i] = x->w[i] - y->w[i]; break;
  case 0x1fa: for (i = 0; i < 4; i++) r.d[i] = x->d[i] - y->d[i]; break;
  case 0x1fb: r.q[0] = x->q[0] - y->q[0]; r.q[1] = x->q[1] - y->q[1]; break;
  case 0x1fc: for (i = 0; i < 16; i++) r.b[i] = x->b[i] + y->b[i]; break;
  case 0x1fd: for (i = 0; i < 8; i++) r.w[i] = x->w[i] + y->w[i]; break;
  case 0x1fe: for (i = 0; i < 4; i++) r.d[i] = x->d[i] + y->d[i]; break;
  default: return 0;
  }
  *x = r;
  return 1;
}

// Element shifts; kind: 0 srl, 1 sra, 2 sll; width in bits.
static void vshift(Xmm *x, int width, int kind, u64 cnt) {
  int n = 128 / width;
  for (int i = 0; i < n; i++) {
    if (width == 16) {
      if (kind == 1) x->sw[i] = (i16)(x->sw[i] >> (cnt > 15 ? 15 : cnt));
      else x->w[i] = cnt > 15 ? 0 : kind == 0 ? (u16)(x->w[i] >> cnt) : (u16)(x->w[i] << cnt);
    } else if (width == 32) {
      if (kind == 1) x->sd[i] = x->sd[i] >> (cnt > 31 ? 31 : cnt);
      else x->d[i] = cnt > 31 ? 0 : kind == 0 ? x->d[i] >> cnt : x->d[i] << cnt;
    } else {
      x->q[i] = cnt > 63 ? 0 : kind == 0 ? x->q[i] >> cnt : x->q[i] << cnt;
    }
  }
}

int exec_sse(Cpu *c, Mem *m, D *d, int op) {
  int pf = d->rep == 0xf3 ? 3 : d->rep == 0xf2 ? 2 : d->pfx66 ? 1 : 0;
  Xmm tmp, *s, *x;
  switch (op) {
  case 0x110: case 0x111: {

    x = &c->xmm[d->reg];
    int n = pf == 3 ? 4 : pf == 2 ? 8 : 16;
    if (op == 0x110) {
      if (d->hasmem) {
        Xmm v;
        memset(&v, 0, sizeof v);
        mem_read(m, EA(d), &v, n);
        *x = v;
      } else memcpy(x, &c->xmm[d->rm], n);
    } else {
      if (d->hasmem) mem_write(m, EA(d), x, n);
      else memcpy(&c->xmm[d->rm], x, n);
    }
    return 1;
  }
  case 0x112: case 0x113: case 0x116: case 0x117: {
    if (pf >= 2) return 0;

    x = &c->xmm[d->reg];
    int hi = op >= 0x116;
    if (op == 0x112 || op == 0x116) {
      if (!d->hasmem) {
        if (pf) return 0;
        if (op == 0x112) x->q[0] = c->xmm[d->rm].q[1]; // movhlps
        else x->q[1] = c->xmm[d->rm].q[0];             // movlhps
      } else x->q[hi] = rd(m, EA(d), 8);
    } else {
      if (!d->hasmem) return 0;
      wr(m, EA(d), 8, x->q[hi]);
    }
    return 1;
  }
  case 0x114: case 0x115: {
    if (pf >= 2) return 0;

    x = &c->xmm[d->reg];
    s = xsrc(c, m, d, &tmp, 16);
    Xmm r;
    int h = op == 0x115;
    if (pf == 1) { r.q[0] = x->q[h]; r.q[1] = s->q[h]; }
    else { r.d[0] = x->d[2 * h]; r.d[1] = s->d[2 * h]; r.d[2] = x->d[2 * h + 1]; r.d[3] = s->d[2 * h + 1]; }
    *x = r;
    return 1;
  }
  case 0x128: case 0x129: case 0x16f: case 0x17f: {
    if (op >= 0x16f && pf != 1 && pf != 3) return 0;
    if (op < 0x16f && pf >= 2) return 0;

    x = &c->xmm[d->reg];
    if (op == 0x128 || op == 0x16f) { s = xsrc(c, m, d, &tmp, 16); *x = *s; }
    else if (d->hasmem) mem_write(m, EA(d), x, 16);
    else c->xmm[d->rm] = *x;
    return 1;
  }
  case 0x12b: case 0x1e7:

    if (!d->hasmem || pf >= 2 || (op == 0x1e7 && pf != 1)) return 0;
    mem_write(m, EA(d), &c->xmm[d->reg], 16);
    return 1;
  case 0x12a: {
    if (pf < 2) return 0;

    int isz = (d->rex & 8) ? 8 : 4;
    i64 v = sx(rm_read(c, m, d, isz), isz);
    if (pf == 2) c->xmm[d->reg].fd[0] = (double)v;
    else c->xmm[d->reg].f[0] = (float)v;
    return 1;
  }
  case 0x12c: case 0x12d: {
    if (pf < 2) return 0;

    s = xsrc(c, m, d, &tmp, pf == 2 ? 8 : 4);
    double v = pf == 2 ? s->fd[0] : (double)s->f[0];
    int isz = (d->rex & 8) ? 8 : 4;
    setreg(c, d, d->reg, isz, d2i(v, isz, op == 0x12c ? 3 : rc_mode(c->mxcsr)));
    return 1;
  }
  case 0x12e: case 0x12f: {
    if (pf >= 2) return 0;

    s = xsrc(c, m, d, &tmp, pf ? 8 : 4);
    x = &c->xmm[d->reg];
    if (pf) set_cmp_flags(c, x->fd[0], s->fd[0]);
    else set_cmp_flags(c, x->f[0], s->f[0]);
    return 1;
  }
  case 0x150: {
    if (pf >= 2) return 0;

    if (d->hasmem) return 0;
    Xmm *v = &c->xmm[d->rm];
    u32 r = pf ? (u32)((v->q[0] >> 63) | ((v->q[1] >> 63) << 1))
               : (v->d[0] >> 31) | ((v->d[1] >> 31) << 1) | ((v->d[2] >> 31) << 2) | ((v->d[3] >> 31) << 3);
    c->r[d->reg] = r;
    return 1;
  }
  case 0x151: case 0x152: case 0x153: case 0x158: case 0x159: case 0x15c: case 0x15d: case 0x15e: case 0x15f: {
    if ((op == 0x152 || op == 0x153) && (pf == 1 || pf == 2)) return 0;

    x = &c->xmm[d->reg];
    int bytes = pf == 3 ? 4 : pf == 2 ? 8 : 16;
    s = xsrc(c, m, d, &tmp, bytes);
    switch (pf) {
    case 0: { Xmm r; for (int i = 0; i < 4; i++) r.f[i] = farith(op & 0xff, x->f[i], s->f[i]); *x = r; break; }
    case 1: { Xmm r; for (int i = 0; i < 2; i++) r.fd[i] = darith(op & 0xff, x->fd[i], s->fd[i]); *x = r; break; }
    case 2: x->fd[0] = darith(op & 0xff, x->fd[0], s->fd[0]); break;
    case 3: x->f[0] = farith(op & 0xff, x->f[0], s->f[0]); break;
    }
    return 1;
  }
  case 0x154: case 0x155: case 0x156: case 0x157: {
    if (pf >= 2) return 0;

    x = &c->xmm[d->reg];
    s = xsrc(c, m, d, &tmp, 16);
    for (int i = 0; i < 2; i++) {
      u64 a = x->q[i], b = s->q[i];
      x->q[i] = op == 0x154 ? a & b : op == 0x155 ? ~a & b : op == 0x156 ? a | b : a ^ b;
    }
    return 1;
  }
  case 0x15a: {

    x = &c->xmm[d->reg];
    s = xsrc(c, m, d, &tmp, pf == 0 || pf == 2 ? 8 : pf == 3 ? 4 : 16);
    Xmm r = *x;
    switch (pf) {
    case 0: r.fd[0] = s->f[0]; r.fd[1] = s->f[1]; break;
    case 1: r.f[0] = (float)s->fd[0]; r.f[1] = (float)s->fd[1]; r.q[1] = 0; break;
    case 2: r.f[0] = (float)s->fd[0]; break;
    case 3: r.fd[0] = s->f[0]; break;
    }
    // NaN conversions keep the payload's sign and quiet bit as x86 does
    *x = r;
    return 1;
  }
  case 0x15b: {
    if (pf == 2) return 0;

    x = &c->xmm[d->reg];
    s = xsrc(c, m, d, &tmp, 16);
    Xmm r;
    for (int i = 0; i < 4; i++) {
      if (pf == 0) r.f[i] = (float)s->sd[i];
      else r.d[i] = (u32)d2i(s->f[i], 4, pf == 3 ? 3 : rc_mode(c->mxcsr));
    }
    *x = r;
    return 1;
  }
  case 0x1e6: {
    if (pf == 0) return 0;

    x = &c->xmm[d->reg];
    s = xsrc(c, m, d, &tmp, pf == 3 ? 8 : 16);
    Xmm r;
    if (pf == 3) { r.fd[0] = s->sd[0]; r.fd[1] = s->sd[1]; }
    else {
      int rc = pf == 1 ? 3 : rc_mode(c->mxcsr);
      r.d[0] = (u32)d2i(s->fd[0], 4, rc);
      r.d[1] = (u32)d2i(s->fd[1], 4, rc);
      r.q[1] = 0;
    }
    *x = r;
    return 1;
  }
  case 0x1c2: {

    x = &c->xmm[d->reg];
    int pred = (u8)d->imm; // the immediate comes first: a RIP-relative operand is relative to the end
    s = xsrc(c, m, d, &tmp, pf == 3 ? 4 : pf == 2 ? 8 : 16);
    if (pred > (d->vex ? 31 : 7)) return 0;
    switch (pf) {
    case 0: for (int i = 0; i < 4; i++) x->d[i] = dcmp(x->f[i], s->f[i], pred) ? ~0u : 0; break;
    case 1: for (int i = 0; i < 2; i++) x->q[i] = dcmp(x->fd[i], s->fd[i], pred) ? ~0ull : 0; break;
    case 2: x->q[0] = dcmp(x->fd[0], s->fd[0], pred) ? ~0ull : 0; break;
    case 3: x->d[0] = dcmp(x->f[0], s->f[0], pred) ? ~0u : 0; break;
    }
    return 1;
  }
  case 0x1c6: {
    if (pf >= 2) return 0;

    x = &c->xmm[d->reg];
    int imm = (u8)d->imm;
    s = xsrc(c, m, d, &tmp, 16);
    Xmm r;
    if (pf) { r.q[0] = x->q[imm & 1]; r.q[1] = s->q[(imm >> 1) & 1]; }
    else {
      r.d[0] = x->d[imm & 3]; r.d[1] = x->d[(imm >> 2) & 3];
      r.d[2] = s->d[(imm >> 4) & 3]; r.d[3] = s->d[(imm >> 6) & 3];
    }
    *x = r;
    return 1;
  }
  case 0x16e: {
    if (pf != 1) return 0;

    int isz = (d->rex & 8) ? 8 : 4;
    u64 v = rm_read(c, m, d, isz);
    memset(&c->xmm[d->reg], 0, 16);
    c->xmm[d->reg].q[0] = v;
    return 1;
  }
  case 0x17e: {

    if (pf == 1) {
      int isz = (d->rex & 8) ? 8 : 4;
      rm_write(c, m, d, isz, isz == 8 ? c->xmm[d->reg].q[0] : c->xmm[d->reg].d[0]);
    } else if (pf == 3) {
      s = xsrc(c, m, d, &tmp, 8);
      u64 v = s->q[0];
      c->xmm[d->reg].q[0] = v;
      c->xmm[d->reg].q[1] = 0;
    } else return 0;
    return 1;
  }
  case 0x1f7: { // maskmovdqu: the bytes of reg whose byte in rm has its top bit set, to [rDI]
    if (pf != 1 || d->hasmem) return 0;
    u64 a = (d->asz == 4 ? (u32)c->r[RDI] : c->r[RDI]) + (d->seg == 4 ? c->fsbase : d->seg == 5 ? c->gsbase : 0);
    for (int i = 0; i < 16; i++)
      if ((c->xmm[d->rm].b[i] & 0x80) && mem_write(m, a + (u64)i, &c->xmm[d->reg].b[i], 1)) return 1;
    return 1;
  }
  case 0x1d6: {
    if (pf != 1) return 0;

    if (d->hasmem) wr(m, EA(d), 8, c->xmm[d->reg].q[0]);
    else { c->xmm[d->rm].q[0] = c->xmm[d->reg].q[0]; c->xmm[d->rm].q[1] = 0; }
    return 1;
  }
  case 0x170: {
    if (pf == 0) return 0;

    int imm = (u8)d->imm;
    s = xsrc(c, m, d, &tmp, 16);
    Xmm r = *s;
    if (pf == 1) for (int i = 0; i < 4; i++) r.d[i] = s->d[(imm >> (2 * i)) & 3];
    else if (pf == 2) for (int i = 0; i < 4; i++) r.w[i] = s->w[(imm >> (2 * i)) & 3];
    else for (int i = 0; i < 4; i++) r.w[4 + i] = s->w[4 + ((imm >> (2 * i)) & 3)];
    c->xmm[d->reg] = r;
    return 1;
  }
  case 0x171: case 0x172: case 0x173: {
    if (pf != 1) return 0;

    if (d->hasmem) return 0;
    int imm = (u8)d->imm;
    x = &c->xmm[d->rm];
    int o = d->reg & 7;
    int width = op == 0x171 ? 16 : op == 0x172 ? 32 : 64;
    if (op == 0x173 && (o == 3 || o == 7)) {
      int n = imm > 16 ? 16 : imm;
      Xmm r;
      memset(&r, 0, sizeof r);
      if (o == 3) for (int i = 0; i + n < 16; i++) r.b[i] = x->b[i + n];
      else for (int i = n; i < 16; i++) r.b[i] = x->b[i - n];
      *x = r;
    } else if (o == 2) vshift(x, width, 0, imm);
    else if (o == 4 && width != 64) vshift(x, width, 1, imm);
    else if (o == 6) vshift(x, width, 2, imm);
    else return 0;
    return 1;
  }
  case 0x1d1: case 0x1d2: case 0x1d3: case 0x1e1: case 0x1e2: case 0x1f1: case 0x1f2: case 0x1f3: {
    if (pf != 1) return 0;

    s = xsrc(c, m, d, &tmp, 16);
    u64 cnt = s->q[0];
    int lo = op & 0xf, width = lo == 1 ? 16 : lo == 2 ? 32 : 64;
    int kind = (op & 0xf0) == 0xd0 ? 0 : (op & 0xf0) == 0xe0 ? 1 : 2;
    vshift(&c->xmm[d->reg], width, kind, cnt);
    return 1;
  }
  case 0x1d7: {
    if (pf != 1) return 0;

    if (d->hasmem) return 0;
    u32 r = 0;
    for (int i = 0; i < 16; i++) r |= (u32)(c->xmm[d->rm].b[i] >> 7) << i;
    c->r[d->reg] = r;
    return 1;
  }
  case 0x1c4: {
    if (pf != 1) return 0;

    int imm = (u8)d->imm;
    u64 v = rm_read(c, m, d, 2);
    c->xmm[d->reg].w[imm & 7] = (u16)v;
    return 1;
  }
  case 0x1c5: {
    if (pf != 1) return 0;

    if (d->hasmem) return 0;
    int imm = (u8)d->imm;
    c->r[d->reg] = c->xmm[d->rm].w[imm & 7];
    return 1;
  }
  case 0x177: return pf == 0;
  default:
    if (pf == 1 && ((op >= 0x160 && op <= 0x16d) || (op >= 0x174 && op <= 0x176) || (op >= 0x1d4 && op <= 0x1fe))) {

      s = xsrc(c, m, d, &tmp, 16);
      return int_op(op, &c->xmm[d->reg], s);
    }
    return 0;
  }
}

// ---------- x87 ----------
typedef unsigned __int128 u128;
static long double ld_from80(u64 mant, u16 se) {
  int e = se & 0x7fff;
  u128 bits = ((u128)(se & 0x8000) << 112) | ((u128)e << 112);
  if (e == 0x7fff) bits |= ((u128)(mant & 0x7fffffffffffffffull) << 49) | (mant & 0x7fffffffffffffffull ? 0 : 0);
  else bits |= (u128)(mant & 0x7fffffffffffffffull) << 49;
  if (e == 0 && (mant >> 63)) { // pseudo-denormal: treat as exponent 1
    bits = ((u128)(se & 0x8000) << 112) | ((u128)1 << 112) | ((u128)(mant & 0x7fffffffffffffffull) << 49);
  }
  long double r;
  memcpy(&r, &bits, 16);
  return r;
}

static void ld_to80(long double x, u64 *mant, u16 *se) {
  u128 bits;
  memcpy(&bits, &x, 16);
  u16 sign = (u16)((bits >> 127) & 1) << 15;
  int e = (int)((bits >> 112) & 0x7fff);
  u128 frac = bits & (((u128)1 << 112) - 1);
  if (e == 0x7fff) {
    *se = sign | 0x7fff;
    *mant = (1ull << 63) | (u64)(frac >> 49) | (frac ? (1ull << 62) : 0);
    if (!frac) *mant = 1ull << 63;
    return;
  }
  // round 112-bit fraction to 63 bits, nearest-even
  u64 keep = (u64)(frac >> 49);
  u128 rest = frac & (((u128)1 << 49) - 1);
  u128 half = (u128)1 << 48;
  u64 m = keep | (e ? (1ull << 63) : 0);
  if (rest > half || (rest == half && (m & 1))) {
    m++;
    if (e && m == 0) { m = 1ull << 63; e++; }
    else if (!e && (m >> 63)) e = 1; // denormal rounded up to normal
  }
  if (e >= 0x7fff) { *se = sign | 0x7fff; *mant = 1ull << 63; return; }
  *se = sign | (u16)e;
  *mant = m;
}

static long double r80(long double x) {
  u64 mt;
  u16 se;
  ld_to80(x, &mt, &se);
  return ld_from80(mt, se);
}

#define ST(i) c->st[(c->ftop + (i)) & 7]
static void fpush(Cpu *c, long double v) {
  c->ftop = (c->ftop - 1) & 7;
  c->st[c->ftop] = v;
  c->ftag &= ~(3u << (2 * c->ftop));
}
static void fpop(Cpu *c) {
  c->ftag |= 3u << (2 * c->ftop);
  c->ftop = (c->ftop + 1) & 7;
}
static int fempty(Cpu *c, int i) { return ((c->ftag >> (2 * ((c->ftop + i) & 7))) & 3) == 3; }

static const long double LNAN_BITS_DUMMY = 0;
static long double ldnan(void) { return ld_from80(0xc000000000000000ull, 0xffff); }

static long double farith80(int o, long double a, long double b) {
  if (a != a) return a;
  if (b != b) return b;
  long double r;
  switch (o) {
  case 0: r = a + b; break;
  case 1: r = a * b; break;
  case 4: r = a - b; break;
  case 5: r = b - a; break;
  case 6: r = a / b; break;
  default: r = b / a; break;
  }
  if (r != r) return ldnan();
  return r80(r);
}

static void fcom_flags(Cpu *c, long double a, long double b) {
  c->fsw &= ~0x4500;
  if (a != a || b != b) c->fsw |= 0x4500;
  else if (a < b) c->fsw |= 0x100;
  else if (a == b) c->fsw |= 0x4000;
}
static void fcomi_flags(Cpu *c, long double a, long double b) {
  u64 f = cpu_get_flags(c) & ~(u64)(CF | PF | AF | ZF | SF | OF);
  if (a != a || b != b) f |= ZF | PF | CF;
  else if (a < b) f |= CF;
  else if (a == b) f |= ZF;
  cpu_set_flags(c, f);
}

static u64 ld2int(Cpu *c, long double v, int sz, int trunc_) {
  int rc = trunc_ ? 3 : (c->fcw >> 10) & 3;
  long double r;
  switch (rc) {
  case 0: r = rintl(v); break;
  case 1: r = floorl(v); break;
  case 2: r = ceill(v); break;
  default: r = truncl(v); break;
  }
  long double lim = sz == 8 ? 9223372036854775808.0L : sz == 4 ? 2147483648.0L : 32768.0L;
  if (!(r >= -lim && r < lim)) return sz == 8 ? 0x8000000000000000ull : sz == 4 ? 0x80000000ull : 0x8000;
  return (u64)(i64)r & MASK(sz);
}

static u16 fsw_get(Cpu *c) { return (u16)((c->fsw & ~0x3800) | ((c->ftop & 7) << 11)); }

static void fld80(Cpu *c, Mem *m, u64 a) {
  u64 mt = rd(m, a, 8);
  u16 se = (u16)rd(m, a + 8, 2);
  fpush(c, ld_from80(mt, se));
}
static void fst80(Cpu *c, Mem *m, u64 a, long double v) {
  u64 mt;
  u16 se;
  ld_to80(v, &mt, &se);
  wr(m, a, 8, mt);
  wr(m, a + 8, 2, se);
}

static long double ld_of_double(double x) {
  if (x != x) { // keep the NaN's sign and payload top bits
    u64 b = dbits(x);
    return ld_from80((1ull << 63) | ((b & 0x000fffffffffffffull) << 11), (u16)(((b >> 63) << 15) | 0x7fff));
  }
  return x;
}
static double double_of_ld(long double x) {
  if (x != x) {
    u64 mt;
    u16 se;
    ld_to80(x, &mt, &se);
    return dfrom(((u64)(se >> 15) << 63) | 0x7ff0000000000000ull | ((mt & 0x7fffffffffffffffull) >> 11) | 0x0008000000000000ull);
  }
  return (double)x;
}

static void fenv_store(Cpu *c, Mem *m, u64 a) {
  wr(m, a, 4, c->fcw | 0xffff0000u);
  wr(m, a + 4, 4, fsw_get(c) | 0xffff0000u);
  wr(m, a + 8, 4, c->ftag | 0xffff0000u);
  for (int i = 12; i < 28; i += 4) wr(m, a + i, 4, 0);
}
static void fenv_load(Cpu *c, Mem *m, u64 a) {
  c->fcw = (u16)rd(m, a, 2);
  u16 sw = (u16)rd(m, a + 4, 2);
  c->fsw = sw & ~0x3800;
  c->ftop = (sw >> 11) & 7;
  c->ftag = (u16)rd(m, a + 8, 2);
}

void fxsave(Cpu *c, Mem *m, u64 a) {
  u8 buf[512];
  memset(buf, 0, sizeof buf);
  u16 sw = fsw_get(c);
  memcpy(buf, &c->fcw, 2);
  memcpy(buf + 2, &sw, 2);
  u8 abr = 0;
  for (int i = 0; i < 8; i++)
    if (((c->ftag >> (2 * i)) & 3) != 3) abr |= 1 << i;
  buf[4] = abr;
  memcpy(buf + 24, &c->mxcsr, 4);
  u32 mm = 0xffff;
  memcpy(buf + 28, &mm, 4);
  for (int i = 0; i < 8; i++) {
    u64 mt;
    u16 se;
    ld_to80(ST(i), &mt, &se);
    memcpy(buf + 32 + 16 * i, &mt, 8);
    memcpy(buf + 40 + 16 * i, &se, 2);
  }
  memcpy(buf + 160, c->xmm, 256);
  mem_write(m, a, buf, 512);
}

void fxrstor(Cpu *c, Mem *m, u64 a) {
  u8 buf[512];
  if (mem_read(m, a, buf, 512)) return;
  u16 sw;
  memcpy(&c->fcw, buf, 2);
  memcpy(&sw, buf + 2, 2);
  c->fsw = sw & ~0x3800;
  c->ftop = (sw >> 11) & 7;
  c->ftag = 0;
  for (int i = 0; i < 8; i++)
    if (!(buf[4] & (1 << i))) c->ftag |= 3u << (2 * i);
  memcpy(&c->mxcsr, buf + 24, 4);
  for (int i = 0; i < 8; i++) {
    u64 mt;
    u16 se;
    memcpy(&mt, buf + 32 + 16 * i, 8);
    memcpy(&se, buf + 40 + 16 * i, 2);
    ST(i) = ld_from80(mt, se);
  }
  memcpy(c->xmm, buf + 160, 256);
}

static void fxam(Cpu *c) {
  long double v = ST(0);
  u128 bits;
  memcpy(&bits, &v, 16);
  int sign = (int)(bits >> 127);
  int cc; // C3 C2 C0 as bits 2 1 0
  if (fempty(c, 0)) cc = 5;
  else if (v != v) cc = 1;
  else if (isinf(v)) cc = 3;
  else if (v == 0) cc = 4;
  else if (((bits >> 112) & 0x7fff) == 0 || fabsl(v) < 3.36210314311209350626e-4932L) cc = 6;
  else cc = 2;
  c->fsw &= ~0x4700;
  if (cc & 4) c->fsw |= 0x4000;
  if (cc & 2) c->fsw |= 0x400;
  if (cc & 1) c->fsw |= 0x100;
  if (sign) c->fsw |= 0x200;
}

int exec_x87(Cpu *c, Mem *m, D *d, int op) {

  int o = d->reg & 7;
  if (d->hasmem) {
    u64 a = EA(d);
    switch (op) {
    case 0xd8: case 0xdc: case 0xda: case 0xde: {
      long double v;
      if (op == 0xd8) v = ffrom((u32)rd(m, a, 4));
      else if (op == 0xdc) v = ld_of_double(dfrom(rd(m, a, 8)));
      else if (op == 0xda) v = (i32)rd(m, a, 4);
      else v = (i16)rd(m, a, 2);
      if (o == 2 || o == 3) { fcom_flags(c, ST(0), v); if (o == 3) fpop(c); }
      else ST(0) = farith80(o, ST(0), v);
      return 1;
    }
    case 0xd9:
      switch (o) {
      case 0: fpush(c, ffrom((u32)rd(m, a, 4))); return 1;
      case 2: case 3: {
        long double v = ST(0);
        float f;
        if (v != v) { double dd = double_of_ld(v); u64 b = dbits(dd); u32 fb = (u32)((b >> 63) << 31) | 0x7fc00000u | (u32)((b >> 29) & 0x3fffff); f = ffrom(fb); }
        else f = (float)v;
        wr(m, a, 4, fbits(f));
        if (o == 3) fpop(c);
        return 1;
      }
      case 4: fenv_load(c, m, a); return 1;
      case 5: c->fcw = (u16)rd(m, a, 2); return 1;
      case 6: fenv_store(c, m, a); return 1;
      case 7: wr(m, a, 2, c->fcw); return 1;
      }
      return 0;
    case 0xdb:
      switch (o) {
      case 0: fpush(c, (i32)rd(m, a, 4)); return 1;
      case 1: wr(m, a, 4, ld2int(c, ST(0), 4, 1)); fpop(c); return 1;
      case 2: case 3: wr(m, a, 4, ld2int(c, ST(0), 4, 0)); if (o == 3) fpop(c); return 1;
      case 5: fld80(c, m, a); return 1;
      case 7: fst80(c, m, a, ST(0)); fpop(c); return 1;
      }
      return 0;
    case 0xdd:
      switch (o) {
      case 0: fpush(c, ld_of_double(dfrom(rd(m, a, 8)))); return 1;
      case 1: wr(m, a, 8, ld2int(c, ST(0), 8, 1)); fpop(c); return 1;
      case 2: case 3: wr(m, a, 8, dbits(double_of_ld(ST(0)))); if (o == 3) fpop(c); return 1;
      case 7: wr(m, a, 2, fsw_get(c)); return 1;
      }
      return 0;
    case 0xdf:
      switch (o) {
      case 0: fpush(c, (i16)rd(m, a, 2)); return 1;
      case 1: wr(m, a, 2, ld2int(c, ST(0), 2, 1)); fpop(c); return 1;
      case 2: case 3: wr(m, a, 2, ld2int(c, ST(0), 2, 0)); if (o == 3) fpop(c); return 1;
      case 5: fpush(c, (long double)(i64)rd(m, a, 8)); return 1;
      case 7: wr(m, a, 8, ld2int(c, ST(0), 8, 0)); fpop(c); return 1;
      }
      return 0;
    }
    return 0;
  }
  int i = d->rm & 7;
  switch (op) {
  case 0xd8:
    if (o == 2 || o == 3) { fcom_flags(c, ST(0), ST(i)); if (o == 3) fpop(c); }
    else ST(0) = farith80(o, ST(0), ST(i));
    return 1;
  case 0xdc: case 0xde:
    if (o == 2 || o == 3) {
      if (op == 0xde && !(o == 3 && i == 1)) return 0;
      fcom_flags(c, ST(0), ST(i));
      fpop(c);
      if (op == 0xde) fpop(c);
      return 1;
    }
    // register forms swap sub/subr and div/divr: st(i) = st(i) op st(0)
    {
      int oo = o == 4 ? 5 : o == 5 ? 4 : o == 6 ? 7 : o == 7 ? 6 : o;
      ST(i) = farith80(oo, ST(i), ST(0));
      if (op == 0xde) fpop(c);
    }
    return 1;
  case 0xd9:
    if (o == 0) { long double v = ST(i); fpush(c, v); return 1; }
    if (o == 1) { long double t = ST(0); ST(0) = ST(i); ST(i) = t; return 1; }
    switch ((d->rm & 7) | (o << 3)) {
    case 0x10: return 1; // fnop
    case 0x20: ST(0) = -ST(0); return 1;
    case 0x21: ST(0) = fabsl(ST(0)); return 1;
    case 0x24: fcom_flags(c, ST(0), 0.0L); return 1;
    case 0x25: fxam(c); return 1;
    case 0x28: fpush(c, 1.0L); return 1;
    case 0x29: fpush(c, r80(3.321928094887362347870319429489390175864831393L)); return 1;
    case 0x2a: fpush(c, r80(1.442695040888963407359924681001892137426645954L)); return 1;
    case 0x2b: fpush(c, r80(3.141592653589793238462643383279502884197169399L)); return 1;
    case 0x2c: fpush(c, r80(0.301029995663981195213738894724493026768189881L)); return 1;
    case 0x2d: fpush(c, r80(0.693147180559945309417232121458176568075500134L)); return 1;
    case 0x2e: fpush(c, 0.0L); return 1;
    case 0x30: ST(0) = r80(exp2l(ST(0)) - 1.0L); return 1;                  // f2xm1
    case 0x31: ST(1) = r80(ST(1) * log2l(ST(0))); fpop(c); return 1;        // fyl2x
    case 0x33: ST(1) = r80(atan2l(ST(1), ST(0))); fpop(c); return 1;        // fpatan
    case 0x38: case 0x35: {                                                  // fprem / fprem1
      long double a = ST(0), b = ST(1);
      ST(0) = (d->rm & 7) == 0 ? fmodl(a, b) : remainderl(a, b);
      c->fsw &= ~0x4700;
      return 1;
    }
    case 0x3a: ST(0) = ST(0) < 0 ? ldnan() : r80(sqrtl(ST(0))); return 1;
    case 0x3c: {
      int rc = (c->fcw >> 10) & 3;
      long double v = ST(0);
      ST(0) = rc == 0 ? rintl(v) : rc == 1 ? floorl(v) : rc == 2 ? ceill(v) : truncl(v);
      return 1;
    }
    case 0x3d: ST(0) = r80(scalbnl(ST(0), (int)truncl(ST(1)))); return 1;
    }
    return 0;
  case 0xda:
    if (o <= 3) {
      int cc = o == 0 ? 2 : o == 1 ? 4 : o == 2 ? 6 : 10; // B E BE P
      extern int cpu_cond(Cpu *, int);
      if (cpu_cond(c, cc)) ST(0) = ST(i);
      return 1;
    }
    if (o == 5 && i == 1) { fcom_flags(c, ST(0), ST(1)); fpop(c); fpop(c); return 1; }
    return 0;
  case 0xdb:
    if (o <= 3) {
      int cc = o == 0 ? 3 : o == 1 ? 5 : o == 2 ? 7 : 11;
      extern int cpu_cond(Cpu *, int);
      if (cpu_cond(c, cc)) ST(0) = ST(i);
      return 1;
    }
    if (o == 4 && i == 2) { c->fsw &= 0x7f00; return 1; } // fnclex
    if (o == 4 && i == 3) { c->fcw = 0x37f; c->fsw = 0; c->ftop = 0; c->ftag = 0xffff; return 1; }
    if (o == 5 || o == 6) { fcomi_flags(c, ST(0), ST(i)); return 1; }
    return 0;
  case 0xdd:
    if (o == 0) { c->ftag |= 3u << (2 * ((c->ftop + i) & 7)); return 1; } // ffree
    if (o == 2) { ST(i) = ST(0); return 1; }
    if (o == 3) { ST(i) = ST(0); fpop(c); return 1; }
    if (o == 4 || o == 5) { fcom_flags(c, ST(0), ST(i)); if (o == 5) fpop(c); return 1; }
    return 0;
  case 0xdf:
    if (o == 4 && i == 0) { c->r[RAX] = (c->r[RAX] & ~0xffffull) | fsw_get(c); return 1; }
    if (o == 5 || o == 6) { fcomi_flags(c, ST(0), ST(i)); fpop(c); return 1; }
    return 0;
  }
  (void)LNAN_BITS_DUMMY;
  return 0;
}
