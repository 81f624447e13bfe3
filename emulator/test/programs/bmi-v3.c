// x86-64-v3's scalar integer instructions: BMI1 (ANDN, BEXTR, BLSI, BLSMSK,
// BLSR, TZCNT), BMI2 (BZHI, MULX, PDEP, PEXT, RORX, SARX, SHLX, SHRX),
// LZCNT and MOVBE, in 32- and 64-bit forms (16-bit where they have one), with
// register and memory operands, and the VEX encodings that must raise #UD.
// Each line gives the result and the defined flags, once after flags all
// set and once after all clear (so a flag left alone shows).
//
// Built plainly this runs the instructions (inline asm). Built with
// -DREFERENCE it computes the same lines in portable C, so the expected
// output does not need a host CPU that has BMI2 (the test compares the
// emulated instructions with the reference, and with the host only when the
// host has the features).
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;

enum { CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800, ALL = CF | PF | AF | ZF | SF | OF };
static const u64 INIT[2] = {0x202 | ALL, 0x202};

static const u64 vals[] = {0,
                           1,
                           2,
                           0x80,
                           0xff,
                           0x7fffffff,
                           0x80000000,
                           0xffffffff,
                           0x100000000ull,
                           0x123456789abcdef0ull,
                           0x8000000000000000ull,
                           0xfedcba9876543210ull,
                           0xffffffffffffffffull,
                           0x00f0f0f0f00ff00full};
#define NV (sizeof vals / sizeof vals[0])
// Counts, indexes and BEXTR controls: below, at and past both widths, and with high bits set.
static const u64 counts[] = {0, 1, 7, 31, 32, 33, 63, 64, 65, 255, 256, 0x1ff, 0x2010, 0x0820, 0x4000, 0x3f01, 0x1f20, 0xff00, 0xffffffffffffff05ull};
#define NC (sizeof counts / sizeof counts[0])

static u64 mask(int w) { return w == 64 ? ~0ull : (1ull << w) - 1; }
static int sgn(u64 r, int w) { return (r >> (w - 1)) & 1; }
// SF, ZF and the given CF; OF clear (AF, PF undefined: masked out).
static u64 szc(u64 r, int w, int cf) { return (sgn(r, w) ? SF : 0) | ((r & mask(w)) == 0 ? ZF : 0) | (cf ? CF : 0); }

#ifdef REFERENCE
static u64 ref_andn(u64 a, u64 b, int w, u64 *f) { u64 r = ~a & b & mask(w); *f = szc(r, w, 0); return r; }
static u64 ref_blsr(u64 s, int w, u64 *f) { s &= mask(w); u64 r = (s - 1) & s & mask(w); *f = szc(r, w, s == 0); return r; }
static u64 ref_blsmsk(u64 s, int w, u64 *f) { s &= mask(w); u64 r = ((s - 1) ^ s) & mask(w); *f = szc(r, w, s == 0); return r; }
static u64 ref_blsi(u64 s, int w, u64 *f) { s &= mask(w); u64 r = (0 - s) & s & mask(w); *f = szc(r, w, s != 0); return r; }
static u64 ref_bzhi(u64 s, u64 idx, int w, u64 *f) {
  s &= mask(w);
  unsigned n = idx & 0xff;
  u64 r = s;
  for (unsigned i = n; i < (unsigned)w; i++) r &= ~(1ull << i);
  *f = szc(r, w, n > (unsigned)w - 1);
  return r;
}
static u64 ref_bextr(u64 s, u64 ctl, int w, u64 *f) {
  s &= mask(w);
  unsigned start = ctl & 0xff, len = (ctl >> 8) & 0xff;
  u64 r = 0;
  for (unsigned i = 0; i < len; i++)
    if (start + i < (unsigned)w && ((s >> (start + i)) & 1)) r |= 1ull << i;
  *f = (r == 0 ? ZF : 0);
  return r;
}
static u64 ref_pdep(u64 src, u64 m, int w) {
  u64 r = 0;
  int k = 0;
  for (int i = 0; i < w; i++)
    if ((m >> i) & 1) { if ((src >> k) & 1) r |= 1ull << i; k++; }
  return r;
}
static u64 ref_pext(u64 src, u64 m, int w) {
  u64 r = 0;
  int k = 0;
  for (int i = 0; i < w; i++)
    if ((m >> i) & 1) { if ((src >> i) & 1) r |= 1ull << k; k++; }
  return r;
}
static void ref_mulx(u64 a, u64 b, int w, u64 *hi, u64 *lo) {
  a &= mask(w);
  b &= mask(w);
  if (w == 32) { u64 p = a * b; *hi = p >> 32; *lo = (u32)p; return; }
  // 64x64 by 32-bit halves, no __int128 needed
  u64 al = (u32)a, ah = a >> 32, bl = (u32)b, bh = b >> 32;
  u64 ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  u64 mid = (ll >> 32) + (u32)lh + (u32)hl;
  *lo = (mid << 32) | (u32)ll;
  *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}
static u64 ref_shift(int kind, u64 s, u64 n, int w) { // 0 shlx, 1 sarx, 2 shrx
  s &= mask(w);
  n &= w - 1;
  u64 r;
  if (kind == 0) r = s << n;
  else if (kind == 2) r = s >> n;
  else {
    r = s >> n;
    if (sgn(s, w)) r |= ~(mask(w) >> n);
  }
  return r & mask(w);
}
static u64 ref_rorx(u64 s, int n, int w) {
  s &= mask(w);
  n &= w - 1;
  return n ? ((s >> n) | (s << (w - n))) & mask(w) : s;
}
static u64 ref_cnt(int lz, u64 s, int w, u64 *f) {
  s &= mask(w);
  u64 n = 0;
  if (lz) while (n < (u64)w && !((s >> (w - 1 - n)) & 1)) n++;
  else while (n < (u64)w && !((s >> n) & 1)) n++;
  *f = (s == 0 ? CF : 0) | (n == 0 ? ZF : 0);
  return n;
}
static u64 bswapn(u64 v, int w) {
  u64 r = 0;
  for (int i = 0; i < w / 8; i++) r |= ((v >> (8 * i)) & 0xff) << (w - 8 - 8 * i);
  return r;
}
#endif

#define FL(f) ((f) & ALL)

// One instruction under both initial flag states: `init` goes in through
// popfq, the flags come back through pushfq (built with -mno-red-zone, so
// the push below rsp clobbers nothing; rsp is back in place when the
// instruction's memory operand is used). DST is a "+r" operand preset
// to a pattern, so a 32-bit form must show its zero-extension.
#define RUN2(body, ...)                                                                                              \
  for (int fi = 0; fi < 2; fi++) {                                                                                   \
    u64 in = INIT[fi], fo;                                                                                           \
    __asm__ volatile("push %[in]\n\tpopfq\n\t" body "\n\tpushfq\n\tpop %[fo]" : [fo] "=&r"(fo), __VA_ARGS__ : "cc"); \
    fl[fi] = fo;                                                                                                     \
  }

static void line(const char *name, u64 a, u64 b, u64 r, u64 f0, u64 f1, u64 defined) {
  printf("%s %llx %llx -> %llx flags %03llx %03llx\n", name, (unsigned long long)a, (unsigned long long)b, (unsigned long long)r,
         (unsigned long long)(f0 & defined), (unsigned long long)(f1 & defined));
}

static const u64 PAT = 0x5a5a5a5a5a5a5a5aull;

static void two_source(void) {
  for (unsigned i = 0; i < NV; i++)
    for (unsigned j = 0; j < NV; j++) {
      u64 a = vals[i], b = vals[j], fl[2], r;
#ifdef REFERENCE
      u64 f;
      r = ref_andn(a, b, 64, &f); line("andn64", a, b, r, f, f, SF | ZF | CF | OF);
      r = ref_andn(a, b, 32, &f); line("andn32", a, b, r, f, f, SF | ZF | CF | OF);
      r = ref_andn(a, b, 64, &f); line("andn64m", a, b, r, f, f, SF | ZF | CF | OF);
      line("pdep64", a, b, ref_pdep(a, b, 64), 0, 0, 0);
      line("pdep32", a, b, ref_pdep(a & 0xffffffff, b & 0xffffffff, 32), 0, 0, 0);
      line("pext64", a, b, ref_pext(a, b, 64), 0, 0, 0);
      line("pext32m", a, b, ref_pext(a & 0xffffffff, b & 0xffffffff, 32), 0, 0, 0);
      u64 hi, lo;
      ref_mulx(a, b, 64, &hi, &lo);
      line("mulx64", a, b, hi, lo, lo, ~0ull);
      ref_mulx(a, b, 32, &hi, &lo);
      line("mulx32", a, b, hi, lo, lo, ~0ull);
      ref_mulx(a, b, 64, &hi, &lo);
      line("mulx64m", a, b, hi, lo, lo, ~0ull);
#else
      r = PAT; RUN2("andn %[b], %[a], %[r]", [r] "+r"(r) : [a] "r"(a), [b] "r"(b), [in] "r"(in)); line("andn64", a, b, r, fl[0], fl[1], SF | ZF | CF | OF);
      r = PAT; RUN2("andn %k[b], %k[a], %k[r]", [r] "+r"(r) : [a] "r"(a), [b] "r"(b), [in] "r"(in)); line("andn32", a, b, r, fl[0], fl[1], SF | ZF | CF | OF);
      r = PAT; RUN2("andn %[b], %[a], %[r]", [r] "+r"(r) : [a] "r"(a), [b] "m"(b), [in] "r"(in)); line("andn64m", a, b, r, fl[0], fl[1], SF | ZF | CF | OF);
      r = PAT; __asm__("pdep %2, %1, %0" : "+r"(r) : "r"(a), "r"(b)); line("pdep64", a, b, r, 0, 0, 0);
      r = PAT; __asm__("pdep %k2, %k1, %k0" : "+r"(r) : "r"(a), "r"(b)); line("pdep32", a, b, r, 0, 0, 0);
      r = PAT; __asm__("pext %2, %1, %0" : "+r"(r) : "r"(a), "r"(b)); line("pext64", a, b, r, 0, 0, 0);
      u32 bm = (u32)b;
      r = PAT; __asm__("pext %2, %k1, %k0" : "+r"(r) : "r"(a), "m"(bm)); line("pext32m", a, b, r, 0, 0, 0);
      u64 hi = PAT, lo = PAT;
      __asm__("mulx %3, %1, %0" : "+r"(hi), "+r"(lo) : "d"(a), "r"(b));
      line("mulx64", a, b, hi, lo, lo, ~0ull);
      hi = PAT; lo = PAT;
      __asm__("mulx %k3, %k1, %k0" : "+r"(hi), "+r"(lo) : "d"(a), "r"(b));
      line("mulx32", a, b, hi, lo, lo, ~0ull);
      hi = PAT; lo = PAT;
      __asm__("mulx %3, %1, %0" : "+r"(hi), "+r"(lo) : "d"(a), "m"(b));
      line("mulx64m", a, b, hi, lo, lo, ~0ull);
#endif
    }
}

static void one_source(void) {
  for (unsigned i = 0; i < NV; i++) {
    u64 s = vals[i], fl[2], r;
#ifdef REFERENCE
    u64 f;
    static const int widths[2] = {64, 32};
    for (int k = 0; k < 2; k++) {
      int w = widths[k];
      const char *n[3] = {w == 64 ? "blsr64" : "blsr32", w == 64 ? "blsmsk64" : "blsmsk32", w == 64 ? "blsi64" : "blsi32"};
      r = ref_blsr(s, w, &f); line(n[0], s, 0, r, f, f, SF | ZF | CF | OF);
      r = ref_blsmsk(s, w, &f); line(n[1], s, 0, r, f, f, SF | ZF | CF | OF);
      r = ref_blsi(s, w, &f); line(n[2], s, 0, r, f, f, SF | ZF | CF | OF);
    }
    r = ref_blsi(s, 64, &f); line("blsi64m", s, 0, r, f, f, SF | ZF | CF | OF);
    static const char *cn[] = {"tzcnt64", "tzcnt32", "tzcnt16", "lzcnt64", "lzcnt32", "lzcnt16"};
    for (int k = 0; k < 6; k++) {
      int w = k % 3 == 0 ? 64 : k % 3 == 1 ? 32 : 16;
      r = ref_cnt(k >= 3, s, w, &f);
      if (w == 16) r |= PAT & ~0xffffull;
      line(cn[k], s, 0, r, f, f, CF | ZF);
    }
    static const int rot[] = {0, 1, 13, 31, 32, 63};
    for (int k = 0; k < 6; k++) {
      char nm[32];
      snprintf(nm, sizeof nm, "rorx64 %d", rot[k]); line(nm, s, 0, ref_rorx(s, rot[k], 64), 0, 0, 0);
      snprintf(nm, sizeof nm, "rorx32 %d", rot[k]); line(nm, s, 0, ref_rorx(s, rot[k], 32), 0, 0, 0);
    }
    line("movbe64 load", s, 0, bswapn(s, 64), 0, 0, 0);
    line("movbe32 load", s, 0, bswapn(s & 0xffffffff, 32), 0, 0, 0);
    line("movbe16 load", s, 0, (PAT & ~0xffffull) | bswapn(s & 0xffff, 16), 0, 0, 0);
    line("movbe64 store", s, 0, bswapn(s, 64), 0, 0, 0);
    line("movbe32 store", s, 0, (PAT & ~0xffffffffull) | bswapn(s & 0xffffffff, 32), 0, 0, 0);
    line("movbe16 store", s, 0, (PAT & ~0xffffull) | bswapn(s & 0xffff, 16), 0, 0, 0);
#else
    r = PAT; RUN2("blsr %[s], %[r]", [r] "+r"(r) : [s] "r"(s), [in] "r"(in)); line("blsr64", s, 0, r, fl[0], fl[1], SF | ZF | CF | OF);
    r = PAT; RUN2("blsmsk %[s], %[r]", [r] "+r"(r) : [s] "r"(s), [in] "r"(in)); line("blsmsk64", s, 0, r, fl[0], fl[1], SF | ZF | CF | OF);
    r = PAT; RUN2("blsi %[s], %[r]", [r] "+r"(r) : [s] "r"(s), [in] "r"(in)); line("blsi64", s, 0, r, fl[0], fl[1], SF | ZF | CF | OF);
    r = PAT; RUN2("blsr %k[s], %k[r]", [r] "+r"(r) : [s] "r"(s), [in] "r"(in)); line("blsr32", s, 0, r, fl[0], fl[1], SF | ZF | CF | OF);
    r = PAT; RUN2("blsmsk %k[s], %k[r]", [r] "+r"(r) : [s] "r"(s), [in] "r"(in)); line("blsmsk32", s, 0, r, fl[0], fl[1], SF | ZF | CF | OF);
    r = PAT; RUN2("blsi %k[s], %k[r]", [r] "+r"(r) : [s] "r"(s), [in] "r"(in)); line("blsi32", s, 0, r, fl[0], fl[1], SF | ZF | CF | OF);
    r = PAT; RUN2("blsi %[s], %[r]", [r] "+r"(r) : [s] "m"(s), [in] "r"(in)); line("blsi64m", s, 0, r, fl[0], fl[1], SF | ZF | CF | OF);
    r = PAT; RUN2("tzcnt %[s], %[r]", [r] "+r"(r) : [s] "r"(s), [in] "r"(in)); line("tzcnt64", s, 0, r, fl[0], fl[1], CF | ZF);
    r = PAT; RUN2("tzcnt %k[s], %k[r]", [r] "+r"(r) : [s] "r"(s), [in] "r"(in)); line("tzcnt32", s, 0, r, fl[0], fl[1], CF | ZF);
    r = PAT; RUN2("tzcnt %w[s], %w[r]", [r] "+r"(r) : [s] "r"(s), [in] "r"(in)); line("tzcnt16", s, 0, r, fl[0], fl[1], CF | ZF);
    r = PAT; RUN2("lzcnt %[s], %[r]", [r] "+r"(r) : [s] "m"(s), [in] "r"(in)); line("lzcnt64", s, 0, r, fl[0], fl[1], CF | ZF);
    r = PAT; RUN2("lzcnt %k[s], %k[r]", [r] "+r"(r) : [s] "r"(s), [in] "r"(in)); line("lzcnt32", s, 0, r, fl[0], fl[1], CF | ZF);
    r = PAT; RUN2("lzcnt %w[s], %w[r]", [r] "+r"(r) : [s] "r"(s), [in] "r"(in)); line("lzcnt16", s, 0, r, fl[0], fl[1], CF | ZF);
#define RORX(n)                                                                                 \
    r = PAT; __asm__("rorx $" #n ", %1, %0" : "+r"(r) : "r"(s)); line("rorx64 " #n, s, 0, r, 0, 0, 0); \
    r = PAT; __asm__("rorx $" #n ", %k1, %k0" : "+r"(r) : "m"(s)); line("rorx32 " #n, s, 0, r, 0, 0, 0);
    RORX(0) RORX(1) RORX(13) RORX(31) RORX(32) RORX(63)
    r = PAT; __asm__("movbe %1, %0" : "+r"(r) : "m"(s)); line("movbe64 load", s, 0, r, 0, 0, 0);
    r = PAT; __asm__("movbe %1, %k0" : "+r"(r) : "m"(s)); line("movbe32 load", s, 0, r, 0, 0, 0);
    r = PAT; __asm__("movbe %1, %w0" : "+r"(r) : "m"(s)); line("movbe16 load", s, 0, r, 0, 0, 0);
    union { u64 q; u32 d; u16 w; } buf;
    buf.q = PAT; __asm__("movbe %1, %0" : "+m"(buf.q) : "r"(s)); line("movbe64 store", s, 0, buf.q, 0, 0, 0);
    buf.q = PAT; __asm__("movbe %k1, %0" : "+m"(buf.d) : "r"(s)); line("movbe32 store", s, 0, buf.q, 0, 0, 0);
    buf.q = PAT; __asm__("movbe %w1, %0" : "+m"(buf.w) : "r"(s)); line("movbe16 store", s, 0, buf.q, 0, 0, 0);
#endif
  }
}

static void with_count(void) {
  for (unsigned i = 0; i < NV; i++)
    for (unsigned j = 0; j < NC; j++) {
      u64 s = vals[i], n = counts[j], fl[2], r;
#ifdef REFERENCE
      u64 f;
      r = ref_bzhi(s, n, 64, &f); line("bzhi64", s, n, r, f, f, SF | ZF | CF | OF);
      r = ref_bzhi(s, n, 32, &f); line("bzhi32", s, n, r, f, f, SF | ZF | CF | OF);
      r = ref_bextr(s, n, 64, &f); line("bextr64", s, n, r, f, f, ZF | CF | OF);
      r = ref_bextr(s, n, 32, &f); line("bextr32", s, n, r, f, f, ZF | CF | OF);
      r = ref_bextr(s, n, 64, &f); line("bextr64m", s, n, r, f, f, ZF | CF | OF);
      line("shlx64", s, n, ref_shift(0, s, n, 64), 0, 0, 0);
      line("sarx64", s, n, ref_shift(1, s, n, 64), 0, 0, 0);
      line("shrx64", s, n, ref_shift(2, s, n, 64), 0, 0, 0);
      line("shlx32", s, n, ref_shift(0, s, n, 32), 0, 0, 0);
      line("sarx32", s, n, ref_shift(1, s, n, 32), 0, 0, 0);
      line("shrx32m", s, n, ref_shift(2, s, n, 32), 0, 0, 0);
#else
      r = PAT; RUN2("bzhi %[n], %[s], %[r]", [r] "+r"(r) : [s] "r"(s), [n] "r"(n), [in] "r"(in)); line("bzhi64", s, n, r, fl[0], fl[1], SF | ZF | CF | OF);
      r = PAT; RUN2("bzhi %k[n], %k[s], %k[r]", [r] "+r"(r) : [s] "r"(s), [n] "r"(n), [in] "r"(in)); line("bzhi32", s, n, r, fl[0], fl[1], SF | ZF | CF | OF);
      r = PAT; RUN2("bextr %[n], %[s], %[r]", [r] "+r"(r) : [s] "r"(s), [n] "r"(n), [in] "r"(in)); line("bextr64", s, n, r, fl[0], fl[1], ZF | CF | OF);
      r = PAT; RUN2("bextr %k[n], %k[s], %k[r]", [r] "+r"(r) : [s] "r"(s), [n] "r"(n), [in] "r"(in)); line("bextr32", s, n, r, fl[0], fl[1], ZF | CF | OF);
      r = PAT; RUN2("bextr %[n], %[s], %[r]", [r] "+r"(r) : [s] "m"(s), [n] "r"(n), [in] "r"(in)); line("bextr64m", s, n, r, fl[0], fl[1], ZF | CF | OF);
      r = PAT; __asm__("shlx %2, %1, %0" : "+r"(r) : "r"(s), "r"(n)); line("shlx64", s, n, r, 0, 0, 0);
      r = PAT; __asm__("sarx %2, %1, %0" : "+r"(r) : "r"(s), "r"(n)); line("sarx64", s, n, r, 0, 0, 0);
      r = PAT; __asm__("shrx %2, %1, %0" : "+r"(r) : "r"(s), "r"(n)); line("shrx64", s, n, r, 0, 0, 0);
      r = PAT; __asm__("shlx %k2, %k1, %k0" : "+r"(r) : "r"(s), "r"(n)); line("shlx32", s, n, r, 0, 0, 0);
      r = PAT; __asm__("sarx %k2, %k1, %k0" : "+r"(r) : "r"(s), "r"(n)); line("sarx32", s, n, r, 0, 0, 0);
      u32 s32 = (u32)s;
      r = PAT; __asm__("shrx %k2, %1, %k0" : "+r"(r) : "m"(s32), "r"(n)); line("shrx32m", s, n, r, 0, 0, 0);
#endif
    }
}

// MULX with both destinations the same register keeps the high half.
static void mulx_same(void) {
  u64 a = 0xfedcba9876543210ull, b = 0x0123456789abcdefull;
#ifdef REFERENCE
  u64 hi, lo;
  ref_mulx(a, b, 64, &hi, &lo);
  printf("mulx same register: %llx\n", (unsigned long long)hi);
  ref_mulx(a, b, 32, &hi, &lo);
  printf("mulx32 same register: %llx\n", (unsigned long long)hi);
#else
  u64 r = PAT;
  __asm__("mulx %2, %0, %0" : "+r"(r) : "d"(a), "r"(b));
  printf("mulx same register: %llx\n", (unsigned long long)r);
  r = PAT;
  __asm__("mulx %k2, %k0, %k0" : "+r"(r) : "d"(a), "r"(b));
  printf("mulx32 same register: %llx\n", (unsigned long long)r);
#endif
}

// Encodings that are #UD on every CPU with these features: VEX.L=1 on the
// scalar ones, a 66/REX prefix before VEX, a group-17 /0, RORX with a
// vvvv operand, MOVBE with a register operand. Each must raise SIGILL.
static sigjmp_buf jb;
static void on_ill(int sig) { siglongjmp(jb, 1); }
static void ud_cases(void) {
  static const char *names[] = {"andn L=1", "bzhi L=1", "shlx L=1", "rorx L=1", "66 before VEX", "REX before VEX", "F3 before VEX",
                                "blsr group /0", "rorx vvvv!=1111", "movbe register", "VEX map 4"};
  for (unsigned k = 0; k < sizeof names / sizeof names[0]; k++) {
#ifdef REFERENCE
    printf("%s: SIGILL\n", names[k]);
#else
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_ill;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGILL, &sa, NULL);
    if (sigsetjmp(jb, 1)) {
      printf("%s: SIGILL\n", names[k]);
      continue;
    }
    switch (k) {
    case 0: __asm__ volatile(".byte 0xc4,0xe2,0x7c,0xf2,0xc1" ::: "rax"); break;      // andn eax, eax, ecx with L=1
    case 1: __asm__ volatile(".byte 0xc4,0xe2,0x74,0xf5,0xc0" ::: "rax"); break;      // bzhi L=1
    case 2: __asm__ volatile(".byte 0xc4,0xe2,0x75,0xf7,0xc0" ::: "rax"); break;      // shlx L=1
    case 3: __asm__ volatile(".byte 0xc4,0xe3,0x7f,0xf0,0xc0,0x01" ::: "rax"); break; // rorx L=1
    case 4: __asm__ volatile(".byte 0x66,0xc4,0xe2,0x78,0xf2,0xc1" ::: "rax"); break;
    case 5: __asm__ volatile(".byte 0x40,0xc4,0xe2,0x78,0xf2,0xc1" ::: "rax"); break;
    case 6: __asm__ volatile(".byte 0xf3,0xc4,0xe2,0x78,0xf2,0xc1" ::: "rax"); break;
    case 7: __asm__ volatile(".byte 0xc4,0xe2,0x78,0xf3,0xc1" ::: "rax"); break;      // F3 /0
    case 8: __asm__ volatile(".byte 0xc4,0xe3,0x73,0xf0,0xc0,0x01" ::: "rax"); break; // rorx, vvvv=0001
    case 9: __asm__ volatile(".byte 0x0f,0x38,0xf0,0xc1" ::: "rax"); break;           // movbe eax, ecx
    case 10: __asm__ volatile(".byte 0xc4,0xe4,0x78,0xf2,0xc1" ::: "rax"); break;     // mmmmm=00100
    }
    printf("%s: ran\n", names[k]);
#endif
  }
  signal(SIGILL, SIG_DFL);
}

// A VEX instruction cut by a page end (C4 and its first bytes on one page,
// the rest on the next), written to executable pages and called: the
// decoder must fetch the rest rather than decode the padding.
static void page_straddle(void) {
  static const unsigned char fn[] = {0xc4, 0xe2, 0xc9, 0xf7, 0xc7, 0xc3}; // shlx rax, rdi, rsi; ret
  for (int cut = 1; cut < 6; cut++) {
    u64 x = 0x0123456789abcdefull, n = 4 + cut;
#ifdef REFERENCE
    printf("shlx cut after %d bytes: %llx\n", cut, (unsigned long long)(x << n));
#else
    unsigned char *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pg == MAP_FAILED) { puts("mmap failed"); return; }
    memcpy(pg + 4096 - cut, fn, sizeof fn);
    u64 (*f)(u64, u64) = (u64 (*)(u64, u64))(void *)(pg + 4096 - cut);
    printf("shlx cut after %d bytes: %llx\n", cut, (unsigned long long)f(x, n));
    munmap(pg, 8192);
#endif
  }
}

int main(void) {
  two_source();
  one_source();
  with_count();
  mulx_same();
  ud_cases();
  page_straddle();
  return 0;
}
