// The instructions the block translator inlines beyond plain integer code
// (emulator/aot/emit.c): SSE moves in every width, logic and quadword lanes,
// punpckl*, pcmpeqb/pmovmskb/pshufd, scalar double arithmetic with NaN payloads,
// (u)comisd/comiss, cvtsi2sd/ss, cvttsd2si at the range edges, MUL/IMUL with
// CF/OF, DIV/IDIV, 8/16-bit rotates, CMPSD, BSF. Each runs in a loop over varied inputs,
// so its block is hot enough to be translated, and every result goes into
// one hash that is compared with the host's.
#include <emmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t h = 1469598103934665603ull;
static void mix(uint64_t v) { h = (h ^ v) * 1099511628211ull; }
static uint64_t bits(double d) { uint64_t v; memcpy(&v, &d, 8); return v; }
static double dbl(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static const uint64_t specials[] = {
    0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff4000000000123ull, 0xfff0000000000001ull, // NaNs, quiet and signalling
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0, 0x8000000000000000ull,                     // infinities, zeros
    0x3ff0000000000000ull, 0xc1e0000000000000ull, 0xc1e0000000100000ull, 0x41dfffffffc00000ull, // 1, -2^31, -2^31-0.5, 2^31-1
    0x41e0000000000000ull, 0xc3e0000000000000ull, 0x43e0000000000000ull, 0x0000000000000001ull, // 2^31, -2^63, 2^63, denormal
};
#define NSPEC (sizeof specials / sizeof specials[0])

static double pick(int i) { return (i & 3) == 0 ? dbl(specials[(i >> 2) % NSPEC]) : (double)(int64_t)(next() % 2000001) / 7.0 - 140000.0; }

int main(void) {
  static uint8_t buf[64] __attribute__((aligned(16)));
  for (int i = 0; i < 3000; i++) {
    double a = pick(i), b = pick(i * 7 + 1);
    double r;
    __asm__("movsd %1, %%xmm0; addsd %2, %%xmm0; movsd %%xmm0, %0" : "=m"(r) : "m"(a), "m"(b) : "xmm0"); mix(bits(r));
    __asm__("movsd %1, %%xmm0; subsd %2, %%xmm0; movsd %%xmm0, %0" : "=m"(r) : "m"(a), "m"(b) : "xmm0"); mix(bits(r));
    __asm__("movsd %1, %%xmm0; mulsd %2, %%xmm0; movsd %%xmm0, %0" : "=m"(r) : "m"(a), "m"(b) : "xmm0"); mix(bits(r));
    __asm__("movsd %1, %%xmm0; divsd %2, %%xmm0; movsd %%xmm0, %0" : "=m"(r) : "m"(a), "m"(b) : "xmm0"); mix(bits(r));
    __asm__("movsd %1, %%xmm0; movsd %2, %%xmm1; minsd %%xmm1, %%xmm0; movsd %%xmm0, %0" : "=m"(r) : "m"(a), "m"(b) : "xmm0", "xmm1"); mix(bits(r));
    __asm__("movsd %1, %%xmm0; maxsd %2, %%xmm0; movsd %%xmm0, %0" : "=m"(r) : "m"(a), "m"(b) : "xmm0"); mix(bits(r));
    uint64_t f;
    __asm__("movsd %1, %%xmm0; comisd %2, %%xmm0; pushfq; pop %0" : "=r"(f) : "m"(a), "m"(b) : "xmm0", "cc"); mix(f & 0x8d5);
    __asm__("movsd %1, %%xmm0; movsd %2, %%xmm1; ucomisd %%xmm1, %%xmm0; pushfq; pop %0" : "=r"(f) : "m"(a), "m"(b) : "xmm0", "xmm1", "cc"); mix(f & 0x8d5);
    uint64_t m8[8];
    __asm__("movsd %8, %%xmm0; cmpsd $0, %9, %%xmm0; movq %%xmm0, %0;"
            "movsd %8, %%xmm0; cmpsd $1, %9, %%xmm0; movq %%xmm0, %1;"
            "movsd %8, %%xmm0; cmpsd $2, %9, %%xmm0; movq %%xmm0, %2;"
            "movsd %8, %%xmm0; cmpsd $3, %9, %%xmm0; movq %%xmm0, %3;"
            "movsd %8, %%xmm0; cmpsd $4, %9, %%xmm0; movq %%xmm0, %4;"
            "movsd %8, %%xmm0; cmpsd $5, %9, %%xmm0; movq %%xmm0, %5;"
            "movsd %8, %%xmm0; cmpsd $6, %9, %%xmm0; movq %%xmm0, %6;"
            "movsd %8, %%xmm0; cmpsd $7, %9, %%xmm0; movq %%xmm0, %7"
            : "=m"(m8[0]), "=m"(m8[1]), "=m"(m8[2]), "=m"(m8[3]), "=m"(m8[4]), "=m"(m8[5]), "=m"(m8[6]), "=m"(m8[7]) : "m"(a), "m"(b) : "xmm0");
    for (int k = 0; k < 8; k++) mix(m8[k]);
    uint64_t bs = i & 3 ? next() >> (next() % 64) : 0, bd = 77;
    __asm__("bsfq %2, %0; pushfq; pop %1" : "+r"(bd), "=r"(f) : "r"(bs) : "cc"); mix(bd); mix(f & 0x40);
    uint32_t bd32 = 5;
    __asm__("bsfl %2, %0" : "+r"(bd32) : "r"((uint32_t)bs) : "cc"); mix(bd32);
    float fa = (float)a, fb = (float)b;
    __asm__("movss %1, %%xmm0; comiss %2, %%xmm0; pushfq; pop %0" : "=r"(f) : "m"(fa), "m"(fb) : "xmm0", "cc"); mix(f & 0x8d5);
    int64_t q; int32_t dw;
    __asm__("cvttsd2si %1, %0" : "=r"(q) : "m"(a)); mix((uint64_t)q);
    __asm__("movsd %1, %%xmm2; cvttsd2si %%xmm2, %0" : "=r"(dw) : "m"(b) : "xmm2"); mix((uint32_t)dw);
    int64_t n = (int64_t)next();
    int32_t n32 = (int32_t)next();
    __asm__("cvtsi2sdq %1, %%xmm3; movsd %%xmm3, %0" : "=m"(r) : "r"(n) : "xmm3"); mix(bits(r));
    __asm__("cvtsi2sdl %1, %%xmm3; movsd %%xmm3, %0" : "=m"(r) : "m"(n32) : "xmm3"); mix(bits(r));
    float fr;
    __asm__("cvtsi2ssq %1, %%xmm4; movss %%xmm4, %0" : "=m"(fr) : "r"(n) : "xmm4"); { uint32_t v; memcpy(&v, &fr, 4); mix(v); }
  }
  for (int i = 0; i < 3000; i++) {
    for (int k = 0; k < 64; k++) buf[k] = (uint8_t)(next() % 5);
    __m128i x = _mm_loadu_si128((const __m128i *)(buf + (i & 15))), y = _mm_load_si128((const __m128i *)(buf + 32));
    mix((uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)));
    __m128i z = _mm_xor_si128(_mm_and_si128(x, y), _mm_or_si128(_mm_andnot_si128(x, y), _mm_add_epi64(x, y)));
    z = _mm_sub_epi64(z, _mm_unpacklo_epi64(x, y));
    z = _mm_xor_si128(z, _mm_unpacklo_epi8(z, y));
    z = _mm_add_epi64(z, _mm_unpacklo_epi16(x, z));
    z = _mm_xor_si128(z, _mm_unpacklo_epi32(z, x));
    z = _mm_xor_si128(z, _mm_unpackhi_epi64(y, x));
    z = _mm_add_epi64(z, _mm_shuffle_epi32(x, 0x1b));
    z = _mm_add_epi64(z, _mm_shuffle_epi32(y, 0xe4 ^ (0x3 << 2)));
    z = _mm_xor_si128(z, _mm_shuffle_epi32(z, 0x4e));
    _mm_storeu_si128((__m128i *)(buf + 1 + (i & 7)), z);
    uint64_t lo = (uint64_t)_mm_cvtsi128_si64(z);
    mix(lo);
    mix((uint64_t)(uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(z, 4)));
    __m128i w = _mm_cvtsi64_si128((int64_t)lo * 3);
    _mm_storel_epi64((__m128i *)(buf + 40), _mm_add_epi64(w, _mm_loadl_epi64((const __m128i *)(buf + 3))));
    float s4[4];
    __asm__("movups %1, %%xmm5; xorps %%xmm5, %%xmm5; movups %2, %%xmm6; orps %%xmm6, %%xmm5; andps %2, %%xmm5; movaps %%xmm5, %%xmm7; movups %%xmm7, %0"
            : "=m"(s4) : "m"(*(const float(*)[4])(buf + 8)), "m"(*(const float(*)[4])(buf + 16)) : "xmm5", "xmm6", "xmm7");
    for (int k = 0; k < 4; k++) { uint32_t v; memcpy(&v, &s4[k], 4); mix(v); }
    float f1, f2;
    memcpy(&f1, buf + 4, 4);
    memcpy(&f2, buf + 12, 4);
    __asm__("movups %1, %%xmm6; movss %2, %%xmm7; movss %%xmm7, %%xmm6; movups %%xmm6, %0" : "=m"(s4) : "m"(*(const float(*)[4])(buf + 20)), "m"(f2) : "xmm6", "xmm7");
    mix((uint64_t)(f1 > f2));
    for (int k = 0; k < 4; k++) { uint32_t v; memcpy(&v, &s4[k], 4); mix(v); }
    for (int k = 0; k < 64; k++) mix(buf[k]);
  }
  for (int i = 0; i < 3000; i++) {
    uint64_t a = next(), b = i & 1 ? next() : next() >> (next() % 64), lo, hi, f;
    __asm__("mulq %3; pushfq; pop %2" : "=a"(lo), "=d"(hi), "=r"(f) : "r"(b), "a"(a) : "cc"); mix(lo); mix(hi); mix(f & 0x801);
    __asm__("imulq %3; pushfq; pop %2" : "=a"(lo), "=d"(hi), "=r"(f) : "r"(b), "a"(a) : "cc"); mix(lo); mix(hi); mix(f & 0x801);
    __asm__("imulq %2, %0; pushfq; pop %1" : "=r"(lo), "=r"(f) : "r"(b), "0"(a) : "cc"); mix(lo); mix(f & 0x801);
    __asm__("imulq $-77, %2, %0; pushfq; pop %1" : "=r"(lo), "=r"(f) : "r"(b) : "cc"); mix(lo); mix(f & 0x801);
    uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b, l32, h32;
    __asm__("mull %3; pushfq; pop %q2" : "=a"(l32), "=d"(h32), "=r"(f) : "r"(b32), "a"(a32) : "cc"); mix(l32); mix(h32); mix(f & 0x801);
    __asm__("imull %3; pushfq; pop %q2" : "=a"(l32), "=d"(h32), "=r"(f) : "r"(b32), "a"(a32) : "cc"); mix(l32); mix(h32); mix(f & 0x801);
    uint64_t dv = b | 1, qq, rr;
    __asm__("divq %4" : "=a"(qq), "=d"(rr) : "a"(a), "d"(a % dv < dv ? (uint64_t)(i % 3 == 0) * (dv >> 1) : 0), "r"(dv)); mix(qq); mix(rr);
    int64_t sa = (int64_t)a >> (i % 40), sd = ((int64_t)b >> (i % 50)) | 1, sq, sr;
    if (i % 5 == 0) sd = -sd;
    __asm__("idivq %4" : "=a"(sq), "=d"(sr) : "a"(sa), "d"(sa >> 63), "r"(sd)); mix((uint64_t)sq); mix((uint64_t)sr);
    uint32_t d32 = b32 | 1, q32, r32;
    __asm__("divl %4" : "=a"(q32), "=d"(r32) : "a"(a32), "d"(i % 4 == 0 ? d32 - 1 : 0), "r"(d32)); mix(q32); mix(r32);
    int32_t s32 = (int32_t)a32, t32 = (int32_t)(d32 >> (i % 20)) | 1, iq, ir;
    if (i % 3 == 0) t32 = -t32;
    __asm__("idivl %4" : "=a"(iq), "=d"(ir) : "a"(s32), "d"(s32 >> 31), "r"(t32)); mix((uint32_t)iq); mix((uint32_t)ir);
  }
  for (int i = 0; i < 3000; i++) { // 8/16-bit rotates whose flags nothing reads
    uint16_t w = (uint16_t)next();
    uint8_t c = (uint8_t)next();
    __asm__("rolw $8, %0; rorw $3, %0; rolw $17, %0; rorb $5, %b1; rolb $1, %b1; rolb $8, %b1" : "+r"(w), "+q"(c) : : "cc");
    mix(w);
    mix(c);
  }
  printf("sse-mix %016llx\n", (unsigned long long)h);
  return 0;
}
