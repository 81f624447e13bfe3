// SSE3, SSSE3 (XMM and MMX forms) and SSE4.1, built with -march=x86-64-v2
// (see differential.test.ts). Each line is one instruction form run over a
// fixed set of edge-case and pseudo-random operands, folded into an FNV-1a
// hash; `-v` prints every result instead (to find a difference).
#include <math.h>
#include <smmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tmmintrin.h>
#define HASH_FOLD_NAME_WIDTH 22
#include "hash-fold.h"


// ---------- operands ----------
enum { NV = 48 };
static __m128i iv[NV];  // integer patterns
static __m128 fv[NV];   // floats with the special values
static __m128d dv[NV];  // doubles with the special values
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) { return xorshift64(&rng); }

static void init(void) {
  static const uint8_t fills[] = {0x00, 0xff, 0x80, 0x7f, 0x01, 0xfe, 0x55, 0xaa};
  int k = 0;
  for (unsigned i = 0; i < sizeof fills; i++) iv[k++] = _mm_set1_epi8((char)fills[i]);
  iv[k++] = _mm_set1_epi16((short)0x8000);
  iv[k++] = _mm_set1_epi16(0x7fff);
  iv[k++] = _mm_set1_epi32((int)0x80000000);
  iv[k++] = _mm_set1_epi32(0x7fffffff);
  iv[k++] = _mm_set_epi64x((long long)0x8000000000000000ull, 0x7fffffffffffffffll);
  iv[k++] = _mm_set_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  iv[k++] = _mm_set_epi8(-1, -128, 127, 0x8f, 0x10, 0x0f, 0x93, 3, 0x81, 0x70, 1, 0x8c, 9, -9, 0, 0x85); // PSHUFB: high-bit indexes
  iv[k++] = _mm_set_epi16(-32768, 32767, -1, 1, 0, 300, -300, 16384);
  while (k < NV) {
    uint64_t a = next(), b = next();
    if (k % 3 == 0) { a &= 0x8f8f8f8f8f8f8f8full; b &= 0x0f0f0f0f8f8f8f8full; } // small values, mixed signs
    iv[k++] = _mm_set_epi64x((long long)a, (long long)b);
  }
  static const uint32_t fbits[] = {0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x40200000,
                                   0xc0200000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0x7fa00005,
                                   0x00000001, 0x807fffff, 0x7f7fffff, 0x4b000000, 0x4afffffe, 0x4affffff, 0x3effffff,
                                   0xbf000000, 0x3f400000, 0x4b7fffff};
  static const uint64_t dbits[] = {0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
                                   0x3fe0000000000000ull, 0x3ff8000000000000ull, 0x4004000000000000ull,
                                   0xc004000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
                                   0x7ff8000000000000ull, 0xfff8000000000001ull, 0x7ff0000000000001ull,
                                   0x7ff4000000000005ull, 1, 0x800fffffffffffffull, 0x7fefffffffffffffull,
                                   0x4330000000000000ull, 0x432fffffffffffffull, 0x3fdfffffffffffffull,
                                   0xbfe0000000000000ull, 0x3fe8000000000000ull};
  int nf = sizeof fbits / 4, nd = sizeof dbits / 8;
  for (int i = 0; i < NV; i++) {
    uint32_t f[4];
    uint64_t d[2];
    for (int j = 0; j < 4; j++) {
      int r = (int)(next() % (unsigned)(nf + 4));
      f[j] = r < nf ? fbits[r] : (uint32_t)((next() % 0x30000000u) + 0x30000000u) ^ (next() & 0x80000000u);
    }
    for (int j = 0; j < 2; j++) {
      int r = (int)(next() % (unsigned)(nd + 3));
      d[j] = r < nd ? dbits[r] : ((next() % 0x0800000000000000ull) + 0x3c00000000000000ull) ^ (next() & 0x8000000000000000ull);
    }
    memcpy(&fv[i], f, 16);
    memcpy(&dv[i], d, 16);
  }
}

// Binary operation over pairs of operands (every i with a few j).
#define PAIRS(name, T, arr, expr) do { \
    begin(); \
    for (int i = 0; i < NV; i++) for (int s = 0; s < 6; s++) { \
      T a = arr[i], b = arr[(i * 7 + s * 13 + 1) % NV]; \
      F(expr); \
    } \
    end(name); \
  } while (0)
#define UNARY(name, T, arr, expr) do { begin(); for (int i = 0; i < NV; i++) { T a = arr[i]; F(expr); } end(name); } while (0)

// MMX forms, written as assembly: for __m64 intrinsics gcc uses SSE
// registers when SSE2 is there. Register and memory second operands.
#define MMX_PAIRS(name, insn) do { \
    begin(); \
    for (int i = 0; i < NV; i++) for (int s = 0; s < 4; s++) { \
      uint64_t a = (uint64_t)_mm_cvtsi128_si64(iv[i]), b = (uint64_t)_mm_extract_epi64(iv[(i * 5 + s * 11 + 3) % NV], 1), r, r2; \
      __asm__("movq %2, %%mm0\n\tmovq %3, %%mm1\n\t" insn " %%mm1, %%mm0\n\tmovq %%mm0, %0\n\t" \
              "movq %2, %%mm2\n\t" insn " %3, %%mm2\n\tmovq %%mm2, %1" \
              : "=m"(r), "=m"(r2) : "m"(a), "m"(b) : "mm0", "mm1", "mm2"); \
      F(r); F(r2); \
    } \
    __asm__ volatile("emms"); \
    end(name); \
  } while (0)

#define R4(M, b) M(b) M(b + 1) M(b + 2) M(b + 3)
#define R16(M, b) R4(M, b) R4(M, b + 4) R4(M, b + 8) R4(M, b + 12)

static void sse3(void) {
  PAIRS("addsubps", __m128, fv, _mm_addsub_ps(a, b));
  PAIRS("addsubpd", __m128d, dv, _mm_addsub_pd(a, b));
  PAIRS("haddps", __m128, fv, _mm_hadd_ps(a, b));
  PAIRS("haddpd", __m128d, dv, _mm_hadd_pd(a, b));
  PAIRS("hsubps", __m128, fv, _mm_hsub_ps(a, b));
  PAIRS("hsubpd", __m128d, dv, _mm_hsub_pd(a, b));
  UNARY("movddup", __m128d, dv, _mm_movedup_pd(a));
  UNARY("movsldup", __m128, fv, _mm_moveldup_ps(a));
  UNARY("movshdup", __m128, fv, _mm_movehdup_ps(a));
  begin();
  for (int i = 0; i < NV; i++) {
    double d = dv[i][0];
    F(_mm_loaddup_pd(&d));
    F(_mm_lddqu_si128((const __m128i *)((const char *)iv + i * 5))); // unaligned
  }
  end("movddup m64, lddqu");
  begin(); // fisttp: truncation whatever the x87 rounding mode, integer indefinite when out of range
  static const double fx[] = {0.0, -0.9, 1.9, -2.5, 32767.9, 32768.0, -32768.9, -32769.0, 2147483647.9, 2147483648.0,
                              -2147483649.0, 9.2e18, -9.3e18, 1e300, -INFINITY, NAN};
  for (unsigned i = 0; i < sizeof fx / sizeof fx[0]; i++) {
    short s16;
    int s32;
    long long s64;
    __asm__ volatile("fldl %3\n\tfisttps %0\n\tfldl %3\n\tfisttpl %1\n\tfldl %3\n\tfisttpll %2"
                     : "=m"(s16), "=m"(s32), "=m"(s64) : "m"(fx[i]));
    F(s16);
    F(s32);
    F(s64);
  }
  end("fisttp m16/m32/m64");
}

#define SHUFB_MEM(s) F(_mm_shuffle_epi8(a, _mm_loadu_si128((const __m128i *)((const char *)iv + s))))
#define ALIGNR(n) F(_mm_alignr_epi8(a, b, n));

static void ssse3(void) {
  PAIRS("pshufb", __m128i, iv, _mm_shuffle_epi8(a, b));
  PAIRS("phaddw", __m128i, iv, _mm_hadd_epi16(a, b));
  PAIRS("phaddd", __m128i, iv, _mm_hadd_epi32(a, b));
  PAIRS("phaddsw", __m128i, iv, _mm_hadds_epi16(a, b));
  PAIRS("pmaddubsw", __m128i, iv, _mm_maddubs_epi16(a, b));
  PAIRS("phsubw", __m128i, iv, _mm_hsub_epi16(a, b));
  PAIRS("phsubd", __m128i, iv, _mm_hsub_epi32(a, b));
  PAIRS("phsubsw", __m128i, iv, _mm_hsubs_epi16(a, b));
  PAIRS("psignb", __m128i, iv, _mm_sign_epi8(a, b));
  PAIRS("psignw", __m128i, iv, _mm_sign_epi16(a, b));
  PAIRS("psignd", __m128i, iv, _mm_sign_epi32(a, b));
  PAIRS("pmulhrsw", __m128i, iv, _mm_mulhrs_epi16(a, b));
  UNARY("pabsb", __m128i, iv, _mm_abs_epi8(a));
  UNARY("pabsw", __m128i, iv, _mm_abs_epi16(a));
  UNARY("pabsd", __m128i, iv, _mm_abs_epi32(a));
  begin();
  for (int i = 0; i < NV; i++) {
    __m128i a = iv[i];
    SHUFB_MEM(i * 3);
  }
  end("pshufb m128");
  begin();
  for (int i = 0; i < NV; i += 3) {
    __m128i a = iv[i], b = iv[(i + 5) % NV];
    R16(ALIGNR, 0) ALIGNR(16) ALIGNR(17) ALIGNR(31) ALIGNR(32) ALIGNR(200)
  }
  end("palignr imm 0-32,200");
  MMX_PAIRS("pshufb mm", "pshufb");
  MMX_PAIRS("phaddw mm", "phaddw");
  MMX_PAIRS("phaddd mm", "phaddd");
  MMX_PAIRS("phaddsw mm", "phaddsw");
  MMX_PAIRS("pmaddubsw mm", "pmaddubsw");
  MMX_PAIRS("phsubw mm", "phsubw");
  MMX_PAIRS("phsubd mm", "phsubd");
  MMX_PAIRS("phsubsw mm", "phsubsw");
  MMX_PAIRS("psignb mm", "psignb");
  MMX_PAIRS("psignw mm", "psignw");
  MMX_PAIRS("psignd mm", "psignd");
  MMX_PAIRS("pmulhrsw mm", "pmulhrsw");
  MMX_PAIRS("pabsb mm", "pabsb");
  MMX_PAIRS("pabsw mm", "pabsw");
  MMX_PAIRS("pabsd mm", "pabsd");
  MMX_PAIRS("palignr mm $3", "palignr $3,");
  MMX_PAIRS("palignr mm $8", "palignr $8,");
  MMX_PAIRS("palignr mm $13", "palignr $13,");
  MMX_PAIRS("palignr mm $16", "palignr $16,");
  begin(); // moves between MMX, general and XMM registers
  for (int i = 0; i < NV; i++) {
    uint64_t a = (uint64_t)_mm_cvtsi128_si64(iv[i]), q, d32;
    uint32_t m32 = 0;
    __m128i x = iv[(i + 1) % NV], y;
    __asm__("movq %3, %%mm3\n\tmovq %%mm3, %0\n\tmovd %%mm3, %k1\n\tmovd %%mm3, %2\n\t"
            "movd %k0, %%mm4\n\tmovq %%mm4, %0\n\tmovq2dq %%mm3, %4\n\tmovdq2q %4, %%mm5\n\tmovq %%mm5, %%mm6\n\tmovq %%mm6, %1"
            : "=&r"(q), "=&r"(d32), "=m"(m32), "+r"(a), "+x"(x) : : "mm3", "mm4", "mm5", "mm6");
    __asm__("movq %1, %%mm7\n\tmovq2dq %%mm7, %0" : "=x"(y) : "m"(a) : "mm7");
    __asm__ volatile("emms");
    F(q); F(d32); F(m32); F(x); F(y);
  }
  end("movd/movq mm, movq2dq, movdq2q");
}

#define BLENDPS(n) F(_mm_blend_ps(a, b, n));
#define BLENDPD(n) F(_mm_blend_pd(a, b, n));
#define PBLENDW(n) F(_mm_blend_epi16(ia, ib, (n) * 17)); F(_mm_blend_epi16(ia, ib, (n) * 16 + 15 - (n)));
#define ROUNDPS(n) F(_mm_round_ps(a, n)); F(_mm_round_ss(b, a, n));
#define ROUNDPD(n) F(_mm_round_pd(a, n)); F(_mm_round_sd(b, a, n));
#define DPPS(n) F(_mm_dp_ps(a, b, (n) * 16 + 15)); F(_mm_dp_ps(a, b, (n) * 16 + ((n) ^ 5))); // every product mask, several result masks
#define DPPD(n) F(_mm_dp_pd(a, b, ((n) & 3) << 4 | (n) >> 2)); F(_mm_dp_pd(a, b, ((n) & 3) << 4 | (n) >> 2 | 0xcc)); // the ignored bits set
#define MPSAD(n) F(_mm_mpsadbw_epu8(a, b, n));
#define INSPS(n) F(_mm_insert_ps(a, b, (n) * 16)); F(_mm_insert_ps(a, b, (n) * 16 + 5)); F(_mm_insert_ps(a, b, (n) * 16 + 10)); // every source/destination pair
#define INSPS_M(n) F(_mm_insert_ps(a, _mm_load_ss(&fm), n));
#define EXTR(n) F(_mm_extract_epi8(a, n)); F(_mm_extract_epi16(a, n & 7)); F(_mm_extract_epi32(a, n & 3)); \
                F(_mm_extract_epi64(a, n & 1)); F(_mm_extract_ps(_mm_castsi128_ps(a), n & 3));
#define INS(n) F(_mm_insert_epi8(a, v32, n)); F(_mm_insert_epi32(a, v32, n & 3)); F(_mm_insert_epi64(a, v64, n & 1));

static volatile unsigned char sink8[16];
static void sse41(void) {
  begin(); // blendv with mixed masks (the mask register's high bits only)
  for (int i = 0; i < NV; i++) for (int s = 0; s < 6; s++) {
    __m128i a = iv[i], b = iv[(i + 1 + s) % NV], mk = iv[(i * 3 + s * 7) % NV];
    F(_mm_blendv_epi8(a, b, mk));
    F(_mm_blendv_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b), _mm_castsi128_ps(mk)));
    F(_mm_blendv_pd(_mm_castsi128_pd(a), _mm_castsi128_pd(b), _mm_castsi128_pd(mk)));
  }
  end("pblendvb/blendvps/pd");
  begin();
  for (int i = 0; i < NV; i += 2) {
    __m128 a = fv[i], b = fv[i + 1];
    __m128d da = dv[i], db = dv[i + 1];
    __m128i ia = iv[i], ib = iv[(i + 9) % NV];
    R16(BLENDPS, 0)
    { __m128d a = da, b = db; R4(BLENDPD, 0) }
    R16(PBLENDW, 0)
  }
  end("blendps/pd, pblendw");
  begin(); // ptest: ZF, CF and the flags it clears
  for (int i = 0; i < NV; i++) for (int s = 0; s < NV; s += 3) {
    __m128i a = iv[i], b = iv[s];
    unsigned long fl;
    __asm__("cmp %3, %3\n\tptest %2, %1\n\tpushfq\n\tpopq %0" : "=r"(fl) : "x"(a), "x"(b), "r"(fl = (unsigned long)i) : "cc");
    fl &= 0x8d5;
    F(fl);
    F(_mm_testz_si128(a, b) + 2 * _mm_testc_si128(a, b) + 4 * _mm_testnzc_si128(a, b));
  }
  end("ptest flags");
  PAIRS("pminsb", __m128i, iv, _mm_min_epi8(a, b));
  PAIRS("pminsd", __m128i, iv, _mm_min_epi32(a, b));
  PAIRS("pminuw", __m128i, iv, _mm_min_epu16(a, b));
  PAIRS("pminud", __m128i, iv, _mm_min_epu32(a, b));
  PAIRS("pmaxsb", __m128i, iv, _mm_max_epi8(a, b));
  PAIRS("pmaxsd", __m128i, iv, _mm_max_epi32(a, b));
  PAIRS("pmaxuw", __m128i, iv, _mm_max_epu16(a, b));
  PAIRS("pmaxud", __m128i, iv, _mm_max_epu32(a, b));
  PAIRS("pmuldq", __m128i, iv, _mm_mul_epi32(a, b));
  PAIRS("pmulld", __m128i, iv, _mm_mullo_epi32(a, b));
  PAIRS("pcmpeqq", __m128i, iv, _mm_cmpeq_epi64(a, b));
  PAIRS("pcmpeqq same", __m128i, iv, _mm_cmpeq_epi64(a, _mm_unpacklo_epi64(a, b)));
  PAIRS("packusdw", __m128i, iv, _mm_packus_epi32(a, b));
  UNARY("phminposuw", __m128i, iv, _mm_minpos_epu16(a));
  UNARY("phminposuw ties", __m128i, iv, _mm_minpos_epu16(_mm_shuffle_epi32(_mm_and_si128(a, _mm_set1_epi16(0x0003)), 0x1b)));
  UNARY("pmovsxbw", __m128i, iv, _mm_cvtepi8_epi16(a));
  UNARY("pmovsxbd", __m128i, iv, _mm_cvtepi8_epi32(a));
  UNARY("pmovsxbq", __m128i, iv, _mm_cvtepi8_epi64(a));
  UNARY("pmovsxwd", __m128i, iv, _mm_cvtepi16_epi32(a));
  UNARY("pmovsxwq", __m128i, iv, _mm_cvtepi16_epi64(a));
  UNARY("pmovsxdq", __m128i, iv, _mm_cvtepi32_epi64(a));
  UNARY("pmovzxbw", __m128i, iv, _mm_cvtepu8_epi16(a));
  UNARY("pmovzxbd", __m128i, iv, _mm_cvtepu8_epi32(a));
  UNARY("pmovzxbq", __m128i, iv, _mm_cvtepu8_epi64(a));
  UNARY("pmovzxwd", __m128i, iv, _mm_cvtepu16_epi32(a));
  UNARY("pmovzxwq", __m128i, iv, _mm_cvtepu16_epi64(a));
  UNARY("pmovzxdq", __m128i, iv, _mm_cvtepu32_epi64(a));
  begin(); // memory forms, loading only as many bytes as the elements need
  for (int i = 0; i < 40; i++) {
    const char *p = (const char *)iv + i * 3;
    __m128i r;
    __asm__("pmovsxbw (%1), %0" : "=x"(r) : "r"(p), "m"(*(const char(*)[8])p)); F(r);
    __asm__("pmovzxbd (%1), %0" : "=x"(r) : "r"(p), "m"(*(const char(*)[4])p)); F(r);
    __asm__("pmovsxbq (%1), %0" : "=x"(r) : "r"(p), "m"(*(const char(*)[2])p)); F(r);
    __asm__("pmovzxwq (%1), %0" : "=x"(r) : "r"(p), "m"(*(const char(*)[4])p)); F(r);
    __asm__("pmovsxdq (%1), %0" : "=x"(r) : "r"(p), "m"(*(const char(*)[8])p)); F(r);
    F(_mm_stream_load_si128((__m128i *)&iv[i % NV]));
  }
  end("pmovsx/zx m, movntdqa");
  begin();
  for (int i = 0; i < NV; i++) {
    __m128i a = iv[i];
    long long v64 = (long long)next();
    int v32 = (int)next();
    R16(EXTR, 0)
    R16(INS, 0)
    unsigned char b8;
    unsigned short w16;
    int d32;
    long long q64;
    float f32;
    __asm__("pextrb $5, %4, %0\n\tpextrw $3, %4, %1\n\tpextrd $2, %4, %2\n\tpextrq $1, %4, %3"
            : "=m"(b8), "=m"(w16), "=m"(d32), "=m"(q64) : "x"(a));
    __asm__("extractps $3, %1, %0" : "=m"(f32) : "x"(a));
    F(b8); F(w16); F(d32); F(q64); F(f32);
    __m128i r = a;
    __asm__("pinsrb $9, %1, %0\n\tpinsrd $1, %2, %0\n\tpinsrq $1, %3, %0" : "+x"(r) : "m"(sink8[3]), "m"(d32), "m"(v64));
    F(r);
    unsigned long long wide;
    __asm__("pextrb $15, %1, %k0" : "=r"(wide) : "x"(a)); F(wide); // zero-extends to 64 bits
    __asm__("movq $-1, %0\n\tmovdqa %1, %%xmm7\n\t.byte 0x66, 0x0f, 0x3a, 0x15, 0xf8, 6" // pextrw $6, %xmm7, %eax (the 0F 3A form)
            : "=&a"(wide) : "x"(a) : "xmm7"); F(wide);
    __asm__("movq $-1, %0\n\textractps $1, %1, %k0" : "=&r"(wide) : "x"(a)); F(wide);
  }
  end("pextr*/pinsr*/extractps");
  begin();
  for (int i = 0; i < NV; i += 2) {
    __m128 a = fv[i], b = fv[(i + 7) % NV];
    float fm = fv[(i + 3) % NV][1];
    R16(INSPS, 0)
    R16(INSPS_M, 0x30) R16(INSPS_M, 0xc0)
  }
  end("insertps");
  begin(); // round: the four modes, MXCSR's mode (bit 2) and precision suppression (bit 3)
  for (int i = 0; i < NV; i++) {
    __m128 a = fv[i], b = fv[(i + 1) % NV];
    R16(ROUNDPS, 0)
    { __m128d a = dv[i], b = dv[(i + 1) % NV]; R16(ROUNDPD, 0) }
  }
  end("roundps/ss/pd/sd imm");
  begin();
  unsigned csr = _mm_getcsr();
  for (int rc = 0; rc < 4; rc++) {
    for (int i = 0; i < NV; i++) {
      __m128 r = fv[i];
      __m128d rd = dv[i];
      __asm__ volatile("ldmxcsr %2\n\troundps $4, %0, %0\n\troundpd $12, %1, %1\n\tldmxcsr %3"
                       : "+x"(r), "+x"(rd) : "m"((unsigned){(csr & ~0x6000u) | (unsigned)rc << 13}), "m"(csr));
      F(r);
      F(rd);
    }
  }
  end("round with MXCSR.RC");
  begin(); // memory operands: roundss/roundsd read only their scalar
  for (int i = 0; i < NV; i++) {
    __m128 r = fv[(i + 1) % NV];
    __m128d rd = dv[(i + 1) % NV];
    __asm__("roundss $1, %2, %0\n\troundsd $2, %3, %1" : "+x"(r), "+x"(rd) : "m"(fv[i][2]), "m"(dv[i][1]));
    F(r);
    F(rd);
    __m128 p = fv[(i + 2) % NV];
    __asm__("roundps $3, %1, %0" : "=x"(p) : "m"(fv[i]));
    F(p);
  }
  end("round m32/m64/m128");
  UNARY("floor/ceil/trunc/rint", __m128d, dv, _mm_set_pd(floor(a[0]) + ceil(a[1]), trunc(a[0]) - rint(a[1])));
  UNARY("floorf/ceilf/roundevenf", __m128, fv, _mm_set_ps(floorf(a[0]), ceilf(a[1]), truncf(a[2]), nearbyintf(a[3])));
  // dpps/dppd: finite operands with one special value (NaN, infinity, zero...) in
  // one element: which of two NaNs comes out of a dot product differs between CPUs.
  begin();
  for (int i = 0; i < NV; i++) {
    __m128 a = _mm_set_ps((float)(i % 5) - 2.0f, 0.5f, 3.25f, -1.0f), b = _mm_set_ps(1e-3f, 7.0f, -0.75f, 1e20f);
    b[i & 3] = fv[i][(i >> 2) & 3];
    R16(DPPS, 0)
  }
  end("dpps");
  begin();
  for (int i = 0; i < NV; i++) {
    __m128d a = _mm_set_pd((double)(i % 7) - 3.0, 0.1), b = _mm_set_pd(-1e300, 2.5);
    b[i & 1] = dv[i][(i >> 1) & 1];
    R16(DPPD, 0)
  }
  end("dppd");
  begin();
  for (int i = 0; i < NV; i += 2) {
    __m128i a = iv[i], b = iv[(i + 3) % NV];
    R16(MPSAD, 0)
  }
  end("mpsadbw");
}

int main(int argc, char **argv) {
  verbose = argc > 1 && !strcmp(argv[1], "-v");
  init();
  sse3();
  ssse3();
  sse41();
  return 0;
}
