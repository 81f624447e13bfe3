// SSE4.2: PCMPGTQ, the string compares PCMPESTRI/PCMPESTRM/PCMPISTRI/
// PCMPISTRM (all imm8 modes), and CRC32 (CRC-32C) of 8/16/32/64-bit operands.
#include "simd.h"

// 66 0F 38 37: pcmpgtq
static int op_pcmpgtq(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->pfx66 || d->rep) return X_ILL;
  Xmm tmp, *s = simd_src(c, m, d, &tmp, 16), *x = &c->xmm[d->reg];
  if (!s) return X_NEXT;
  for (int i = 0; i < 2; i++) x->q[i] = x->sq[i] > s->sq[i] ? ~0ull : 0;
  return X_NEXT;
}

// The elements of a string operand as signed or unsigned values.
static void elems(const Xmm *v, int words, int sgn, i32 *e) {
  if (words)
    for (int i = 0; i < 8; i++) e[i] = sgn ? v->sw[i] : v->w[i];
  else
    for (int i = 0; i < 16; i++) e[i] = sgn ? v->sb[i] : v->b[i];
}

// Implicit length: the index of the first zero element (n when none).
static int implicit_len(const i32 *e, int n) {
  for (int i = 0; i < n; i++)
    if (!e[i]) return i;
  return n;
}

// Explicit length: the absolute value of RAX/RDX (EAX/EDX without REX.W),
// saturated to the element count.
static int explicit_len(u64 r, int wide, int n) {
  i64 v = wide ? (i64)r : (i64)(i32)r;
  if (v < 0) v = v == INT64_MIN ? n : -v;
  return v > n ? n : (int)v;
}

// The comparison of PCMPxSTRx: `a` is the ModRM.reg operand (the set, the
// ranges or the needle), `b` the ModRM.rm operand (the text), with their
// valid lengths. Returns IntRes2, one bit per element of `b`. Masks are
// sets of elements of `b`: bit j for b[j].
static u32 pcmpstr(const i32 *a, int la, const i32 *b, int lb, int n, int imm) {
  u32 all = (1u << n) - 1, vb = (1u << lb) - 1, res = 0;
  switch (imm >> 2 & 3) {
  case 0: // equal any: b[j] is one of a[0..la)
    for (int j = 0; j < lb; j++)
      for (int i = 0; i < la; i++)
        if (a[i] == b[j]) { res |= 1u << j; break; }
    break;
  case 1: // ranges: a[i] <= b[j] <= a[i+1] for some even i with both bounds valid
    for (int j = 0; j < lb; j++)
      for (int i = 0; i + 1 < la; i += 2)
        if (a[i] <= b[j] && b[j] <= a[i + 1]) { res |= 1u << j; break; }
    break;
  case 2: // equal each: a[i] == b[i]; both past their ends counts as equal
    for (int i = 0; i < n; i++)
      if (i < la && i < lb ? a[i] == b[i] : i >= la && i >= lb) res |= 1u << i;
    break;
  default: // equal ordered: the needle a matches at b[j]; needle elements past
           // a's end, or past the block's end (j + k >= n), match anything
    res = all;
    for (int k = 0; k < la && res; k++) {
      u32 eq = 0; // the j where b[j + k] is valid and equals a[k]
      for (int j = 0; j + k < lb; j++)
        if (b[j + k] == a[k]) eq |= 1u << j;
      res &= eq | (all & ~((1u << (n - k)) - 1));
    }
    break;
  }
  switch (imm >> 4 & 3) {
  case 1: res ^= all; break; // negative
  case 3: res ^= vb; break;  // masked negative: only the valid elements of b
  }
  return res & all;
}

// 66 0F 3A 60-63: pcmpestrm, pcmpestri, pcmpistrm, pcmpistri
static int op_pcmpstr(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->pfx66 || d->rep) return X_ILL;
  int imm = (u8)d->imm, words = imm & 1, n = words ? 8 : 16, op = d->op & 3;
  Xmm tmp, *s = simd_src(c, m, d, &tmp, 16);
  if (!s) return X_NEXT;
  i32 a[16], b[16];
  elems(&c->xmm[d->reg], words, imm >> 1 & 1, a);
  elems(s, words, imm >> 1 & 1, b);
  int la, lb;
  if (d->op < 0x362) {
    la = explicit_len(c->r[RAX], d->rex & 8, n);
    lb = explicit_len(c->r[RDX], d->rex & 8, n);
  } else {
    la = implicit_len(a, n);
    lb = implicit_len(b, n);
  }
  u32 res = pcmpstr(a, la, b, lb, n, imm);
  if (op & 1) { // index into ECX: the lowest or (imm8 bit 6) highest set bit, n when none
    u32 idx = !res ? (u32)n : imm & 0x40 ? 31 - (u32)__builtin_clz(res) : (u32)__builtin_ctz(res);
    c->r[RCX] = idx;
  } else { // mask into XMM0: the bits, or (imm8 bit 6) one all-ones element per set bit
    Xmm r;
    memset(&r, 0, sizeof r);
    if (!(imm & 0x40)) r.w[0] = (u16)res;
    else
      for (int i = 0; i < n; i++)
        if (res >> i & 1) {
          if (words) r.w[i] = 0xffff;
          else r.b[i] = 0xff;
        }
    c->xmm[0] = r;
  }
  u64 f = cpu_get_flags(c) & ~(u64)FL_ALL;
  if (res) f |= CF;
  if (lb < n) f |= ZF;
  if (la < n) f |= SF;
  if (res & 1) f |= OF;
  cpu_set_flags(c, f);
  return X_NEXT;
}

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), one byte at a time
// through a table built on first use; no initial or final inversion (the
// instruction leaves those to software).
static u32 crc_table[256];
static u32 crc32c(u32 crc, u64 v, int bytes) {
  if (!crc_table[1]) {
    for (u32 i = 0; i < 256; i++) {
      u32 r = i;
      for (int k = 0; k < 8; k++) r = r & 1 ? (r >> 1) ^ 0x82f63b78u : r >> 1;
      crc_table[i] = r;
    }
  }
  for (int i = 0; i < bytes; i++) crc = (crc >> 8) ^ crc_table[(crc ^ (u8)(v >> (8 * i))) & 0xff];
  return crc;
}

// F2 0F 38 F0 / F1: crc32 r32/r64, r/m8 / r/m16/32/64. The other forms
// are MOVBE (move.c, chosen at decode).
static int op_crc32(Proc *p, Cpu *c, Mem *m, D *d) {
  if (d->rep != 0xf2) return X_ILL;
  int sz = d->op == 0x2f0 ? 1 : d->osz;
  u64 v = rm_read(c, m, d, sz);
  if (m->fault) return X_NEXT;
  c->r[d->reg] = crc32c((u32)c->r[d->reg], v, sz); // the 64-bit form zero-extends too
  return X_NEXT;
}

void sse42_ops(Exec *t) {
  t[0x237] = op_pcmpgtq;
  for (int i = 0x360; i <= 0x363; i++) t[i] = op_pcmpstr;
  t[0x2f0] = t[0x2f1] = op_crc32;
}
