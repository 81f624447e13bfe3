// SSE2 intrinsics and x87 long double arithmetic, printed as bits so any
// difference from the host CPU shows.
#include <emmintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void p128(const char *n, __m128i v) {
  uint8_t b[16];
  _mm_storeu_si128((__m128i *)b, v);
  printf("%-10s", n);
  for (int i = 15; i >= 0; i--) printf("%02x", b[i]);
  printf("\n");
}
static void pd(const char *n, __m128d v) {
  uint64_t q[2];
  memcpy(q, &v, 16);
  printf("%-10s%016llx %016llx\n", n, (unsigned long long)q[1], (unsigned long long)q[0]);
}
static void ps(const char *n, __m128 v) {
  uint32_t d[4];
  memcpy(d, &v, 16);
  printf("%-10s%08x %08x %08x %08x\n", n, d[3], d[2], d[1], d[0]);
}

int main(void) {
  volatile int seed = 7;
  __m128i a = _mm_set_epi8(-128, 127, -1, 0, 1, 2, 100, -100, 50, -50, 25, -25, 12, -12, 3, -3 + seed - 7);
  __m128i b = _mm_set_epi8(1, 1, 1, 1, -1, -1, 100, 100, -100, -100, 127, -128, 0, 0, 5, -5);
  p128("adds8", _mm_adds_epi8(a, b));
  p128("subs_u8", _mm_subs_epu8(a, b));
  p128("avg_u8", _mm_avg_epu8(a, b));
  p128("min_u8", _mm_min_epu8(a, b));
  p128("max_s16", _mm_max_epi16(a, b));
  p128("mullo16", _mm_mullo_epi16(a, b));
  p128("mulhi16", _mm_mulhi_epi16(a, b));
  p128("mulhi_u16", _mm_mulhi_epu16(a, b));
  p128("madd", _mm_madd_epi16(a, b));
  p128("sad", _mm_sad_epu8(a, b));
  p128("mul_u32", _mm_mul_epu32(a, b));
  p128("packs16", _mm_packs_epi16(a, b));
  p128("packus16", _mm_packus_epi16(a, b));
  p128("packs32", _mm_packs_epi32(a, b));
  p128("unpacklo8", _mm_unpacklo_epi8(a, b));
  p128("unpackhi16", _mm_unpackhi_epi16(a, b));
  p128("unpackhi64", _mm_unpackhi_epi64(a, b));
  p128("shuf32", _mm_shuffle_epi32(a, 0x1b));
  p128("shufhi", _mm_shufflehi_epi16(a, 0x4e));
  p128("shuflo", _mm_shufflelo_epi16(a, 0xb1));
  p128("sll16", _mm_slli_epi16(a, 3));
  p128("sra32", _mm_srai_epi32(a, 5));
  p128("srl64", _mm_srli_epi64(a, 13));
  p128("bsll", _mm_slli_si128(a, 5));
  p128("bsrl", _mm_srli_si128(a, 3));
  p128("sra16v", _mm_sra_epi16(a, _mm_cvtsi32_si128(20)));
  p128("cmpgt8", _mm_cmpgt_epi8(a, b));
  p128("cmpeq32", _mm_cmpeq_epi32(a, a));
  printf("movemask  %04x\n", _mm_movemask_epi8(a));
  printf("extract   %d\n", _mm_extract_epi16(a, 5));
  p128("insert", _mm_insert_epi16(a, 0xbeef, 2));

  double nan = NAN, inf = INFINITY;
  volatile double zero = 0.0;
  __m128d x = _mm_set_pd(1.5, -0.0), y = _mm_set_pd(nan, 3.0);
  pd("addpd", _mm_add_pd(x, y));
  pd("mulpd", _mm_mul_pd(x, y));
  pd("divpd0", _mm_div_pd(x, _mm_set_pd(zero, zero)));
  pd("minpd", _mm_min_pd(x, y));
  pd("maxpd", _mm_max_pd(y, x));
  pd("sqrtpd", _mm_sqrt_pd(_mm_set_pd(-1.0, 2.0)));
  pd("cmplt", _mm_cmplt_pd(x, y));
  pd("cmpunord", _mm_cmpunord_pd(x, y));
  pd("cvtps2pd", _mm_cvtps_pd(_mm_set_ps(0, 0, -2.5f, 1e30f)));
  ps("cvtpd2ps", _mm_cvtpd_ps(_mm_set_pd(1e300, 0.1)));
  p128("cvttpd", _mm_cvttpd_epi32(_mm_set_pd(-2.7, 1e20)));
  p128("cvtpd", _mm_cvtpd_epi32(_mm_set_pd(2.5, 3.5)));
  p128("cvttps", _mm_cvttps_epi32(_mm_set_ps(nan, -1.9f, 2.9f, 3e9f)));
  ps("cvtdq2ps", _mm_cvtepi32_ps(_mm_set_epi32(-1, 16777217, 7, 0)));
  ps("rcp-free", _mm_shuffle_ps(_mm_set_ps(1, 2, 3, 4), _mm_set_ps(5, 6, 7, 8), 0x27));
  ps("unpckhps", _mm_unpackhi_ps(_mm_set_ps(1, 2, 3, 4), _mm_set_ps(5, 6, 7, 8)));
  printf("movmskpd  %d ucomi %d %d comi %d\n", _mm_movemask_pd(x), _mm_ucomieq_sd(y, y), _mm_ucomilt_sd(x, y), _mm_comigt_sd(y, x));
  printf("cvtsd2si  %d %lld %d\n", _mm_cvtsd_si32(_mm_set_sd(-2.5)), (long long)_mm_cvttsd_si64(_mm_set_sd(inf)), _mm_cvttsd_si32(_mm_set_sd(nan)));
  printf("0/0 %f inf-inf %f sqrt(-1) %f\n", zero / zero, inf - inf, sqrt(-1.0 + zero));

  long double l = 1.0L, acc = 0;
  for (int i = 1; i < 60; i++) {
    l = l * 3.0L / 2.0L - (long double)i / 7.0L;
    acc += l / (i + 0.5L);
  }
  long double r = sqrtl(acc * acc + 2.0L), f = floorl(-acc / 3.0L), t = truncl(acc / 9.0L);
  unsigned char raw[10];
  memcpy(raw, &r, 10);
  printf("ld %.21Lg %.21Lg %.21Lg %Lg ", acc, r, f, t);
  for (int i = 9; i >= 0; i--) printf("%02x", raw[i]);
  printf("\nld cmp %d %d %d %lld %lld\n", acc > r, l == l, (long double)nan != (long double)nan, (long long)(acc / 1e10L), (long long)llrintl(2.5L));
  printf("ld conv %.17g %.9g %Lg %Lg\n", (double)(r / 3.0L), (float)(r / 7.0L), (long double)(1.0 / 3.0), (long double)0.1f);
  return 0;
}
