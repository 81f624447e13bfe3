// SSE4.2 (PCMPESTRI/ESTRM/ISTRI/ISTRM in all 128 imm8 modes, PCMPGTQ,
// CRC32 of every width) and glibc's string functions, built with
// -march=x86-64-v2 (see differential.test.ts). On a CPU that reports
// SSE4.2/SSSE3, glibc's ifuncs pick their SSE4.2/SSSE3 versions, so the
// second half checks those too. One hash per line; `-v` prints every result.
#define _GNU_SOURCE
#include <nmmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#define HASH_FOLD_NAME_WIDTH 26
#include "hash-fold.h"


static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next(void) { return xorshift64(&rng); }

// Operand pairs: a small alphabet (so sets, ranges and needles match),
// zeros at varying places (implicit lengths 0..16), signed-looking bytes
// and words, and lengths for the explicit forms around and past 16.
enum { NP = 40 };
static __m128i A[NP], B[NP];
static int LA[NP], LB[NP];
static void init(void) {
  static const char alpha[] = "abcAB\x80\xff\x7f\x01-z";
  for (int k = 0; k < NP; k++) {
    uint8_t a[16], b[16];
    for (int i = 0; i < 16; i++) {
      a[i] = (uint8_t)alpha[next() % (sizeof alpha - 1)];
      b[i] = (uint8_t)alpha[next() % (sizeof alpha - 1)];
    }
    if (k % 4 == 0) memcpy(b + (k / 4) % 12, a, 4); // a needle that occurs
    if (k % 4 == 1) memcpy(b + 13, a, 3);          // one cut off at the end
    if (k % 4 == 2) { a[0] = 'a'; a[1] = 'c'; a[2] = 0x80; a[3] = 0xff; a[4] = '-'; a[5] = '-'; } // ranges, signed and not
    if (k % 5 == 3) a[k % 16] = 0;
    if (k % 3 == 1) b[(k * 7) % 16] = 0;
    if (k % 7 == 5) { a[0] = 0; }
    if (k == 6) memcpy(b, a, 16);
    memcpy(&A[k], a, 16);
    memcpy(&B[k], b, 16);
    static const int lens[] = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 100, -1, -3, -8, -9, -16, -17, -1000, 0x7fffffff,
                               (int)0x80000000};
    LA[k] = lens[next() % (sizeof lens / sizeof lens[0])];
    LB[k] = lens[next() % (sizeof lens / sizeof lens[0])];
  }
}

#define R4(M, b) M(b) M(b + 1) M(b + 2) M(b + 3)
#define R16(M, b) R4(M, b) R4(M, b + 4) R4(M, b + 8) R4(M, b + 12)

// Every PCMPxSTRx form in all 128 imm8 modes, register and memory second
// operand: tables of stubs (one per mode, 16 bytes apart) written by the
// assembler, so that 1024 instruction forms cost no compile time. A stub
// compares xmm0 with xmm1 or (%rdi), with lengths in eax/edx (rax/rdx), and
// returns the flags in r8, the index in ecx, the mask in xmm0.
#define STUBS(name, insn, src) \
  __asm__(".pushsection .text\n\t.balign 16\n" name ":\n\t.set .Li_" name ", 0\n\t.rept 128\n\t" insn \
          " $.Li_" name ", " src ", %xmm0\n\tpushfq\n\tpopq %r8\n\tret\n\t.balign 16\n\t.set .Li_" name ", .Li_" name \
          " + 1\n\t.endr\n\t.popsection");
STUBS("istri_r", "pcmpistri", "%xmm1")
STUBS("istri_m", "pcmpistri", "(%rdi)")
STUBS("estri_r", "pcmpestri", "%xmm1")
STUBS("estri_m", "pcmpestri", "(%rdi)")
STUBS("istrm_r", "pcmpistrm", "%xmm1")
STUBS("istrm_m", "pcmpistrm", "(%rdi)")
STUBS("estrm_r", "pcmpestrm", "%xmm1")
STUBS("estrm_m", "pcmpestrm", "(%rdi)")
extern const char istri_r[], istri_m[], estri_r[], estri_m[], istrm_r[], istrm_m[], estrm_r[], estrm_m[];

static void run_stub(const char *stub, __m128i a, __m128i b, long long la, long long lb) {
  register __m128i x0 __asm__("xmm0") = a;
  register __m128i x1 __asm__("xmm1") = b;
  register unsigned long fl __asm__("r8");
  unsigned long rcx = 0x5555555555555555ul; // the index forms must clear its upper half
  __m128i mem = b;
  __asm__ volatile("sub $128, %%rsp\n\tcall *%[f]\n\tadd $128, %%rsp" // past the red zone
                   : "+x"(x0), "=r"(fl), "+c"(rcx)
                   : [f] "r"(stub), "x"(x1), "D"(&mem), "a"(la), "d"(lb), "m"(mem)
                   : "memory", "cc");
  fl &= 0x8d5;
  F(fl);
  F(rcx);
  F(x0);
}

#define INTRIN(imm) F(_mm_cmpistri(a, b, imm)); F(_mm_cmpistrz(a, b, imm)); F(_mm_cmpestrs(a, la, b, lb, imm)); \
    F(_mm_cmpestra(a, la, b, lb, imm)); F(_mm_cmpistro(a, b, imm)); F(_mm_cmpestrm(a, la, b, lb, imm));

static void pcmpstr(void) {
  static const struct { const char *name, *tab; } forms[] = {
      {"pcmpistri", istri_r}, {"pcmpistri m128", istri_m}, {"pcmpestri", estri_r}, {"pcmpestri m128", estri_m},
      {"pcmpistrm", istrm_r}, {"pcmpistrm m128", istrm_m}, {"pcmpestrm", estrm_r}, {"pcmpestrm m128", estrm_m}};
  for (unsigned f = 0; f < sizeof forms / sizeof forms[0]; f++) {
    begin();
    for (int k = 0; k < NP; k++)
      for (int imm = 0; imm < 128; imm++) {
        // explicit lengths: EAX/EDX only, whatever is above them (no REX.W)
        long long la = LA[k], lb = k & 1 ? (long long)(unsigned)LB[k] | 0x700000000ll : LB[k];
        run_stub(forms[f].tab + 16 * imm, A[k], B[k], la, lb);
      }
    end(forms[f].name);
  }
  begin();
  for (int k = 0; k < NP; k += 3) { __m128i a = A[k], b = B[k]; int la = LA[k], lb = LB[k]; R4(INTRIN, 0x00) R4(INTRIN, 0x08) R4(INTRIN, 0x10) R4(INTRIN, 0x3a) INTRIN(0x44) INTRIN(0x4c) }
  end("pcmp*str* intrinsics");
  begin(); // 64-bit explicit lengths (REX.W): RAX/RDX whole, not their low halves
  static const long long wl[] = {5, 0x100000005ll, -0x100000000ll, -3, (long long)0x8000000000000000ull, 0x7fffffffffffffffll};
  for (int k = 0; k < NP; k++)
    for (int i = 0; i < 6; i++) {
      register __m128i a __asm__("xmm0") = A[k], b __asm__("xmm1") = B[k];
      long long la = wl[i], lb = wl[(i + k) % 6];
      unsigned ecx;
      unsigned long fl;
      __asm__(".byte 0x66, 0x48, 0x0f, 0x3a, 0x61, 0xc1, 0x0c\n\tpushfq\n\tpopq %0" // pcmpestri $12, %xmm1, %xmm0 with REX.W
              : "=r"(fl), "=c"(ecx) : "x"(a), "x"(b), "a"(la), "d"(lb) : "cc");
      F(ecx); fl &= 0x8d5; F(fl);
    }
  end("pcmpestri rex.w");
}

static void gtq_crc(void) {
  begin();
  static const long long q[] = {0, 1, -1, 0x7fffffffffffffffll, (long long)0x8000000000000000ull, 42, -42};
  for (int i = 0; i < 7; i++) for (int j = 0; j < 7; j++)
    F(_mm_cmpgt_epi64(_mm_set_epi64x(q[i], q[j]), _mm_set_epi64x(q[j], q[(i + j) % 7])));
  end("pcmpgtq");
  begin();
  uint32_t c32 = 0xffffffffu;
  uint64_t c64 = 0;
  for (int i = 0; i < 64; i++) {
    uint64_t v = next();
    c32 = _mm_crc32_u8(c32, (uint8_t)v);
    F(c32);
    c32 = _mm_crc32_u16(c32, (uint16_t)(v >> 8));
    F(c32);
    c32 = _mm_crc32_u32(c32, (uint32_t)(v >> 16));
    F(c32);
    c64 = _mm_crc32_u64(c64 | (v & 0xffffffff00000000ull), v); // high bits of the accumulator are ignored
    F(c64);
    uint64_t r = 0xdeadbeef00000000ull | c32, m = v;
    __asm__("crc32b %1, %0" : "+r"(r) : "m"(*(uint8_t *)&m)); F(r);   // zero-extends the 64-bit register
    __asm__("crc32w %1, %k0" : "+r"(r) : "m"(*(uint16_t *)&m)); F(r);
    __asm__("crc32q %1, %0" : "+r"(r) : "m"(m)); F(r);
    __asm__("movq %1, %%rax\n\tcrc32b %%ah, %%ebx" : "+b"(r) : "r"(v) : "rax"); F(r); // a high-byte register
  }
  end("crc32 b/w/l/q");
}

// glibc's string functions over texts that cross 16-byte and page-sized
// boundaries at every alignment.
static void libc_strings(void) {
  enum { N = 9000 };
  char *buf = malloc(N + 64), *buf2 = malloc(N + 64);
  for (int i = 0; i < N + 63; i++) buf[i] = "abcdefghij ,.;ABCxyz"[next() % 20];
  buf[N + 63] = 0;
  memcpy(buf2, buf, N + 64);
  begin();
  for (int off = 0; off < 48; off++) {
    for (int len = 0; len < 70; len += 3) {
      char *s = buf + off + (size_t)len * 97 % 4000;
      char save = s[len];
      s[len] = 0;
      F((long)strlen(s));
      F((long)strcspn(s, ",.;"));
      F((long)strspn(s, "abcdefghij"));
      F((long)strspn(s, "abcdefghijklmnopqrstuvwxyz ,.;"));
      char *p = strpbrk(s, "xyz");
      F((long)(p ? p - s : -1));
      p = strchr(s, 'A');
      F((long)(p ? p - s : -1));
      p = strrchr(s, 'j');
      F((long)(p ? p - s : -1));
      p = strstr(s, "ab");
      F((long)(p ? p - s : -1));
      p = strcasestr(s, "Cx");
      F((long)(p ? p - s : -1));
      F(strcasecmp(s, s + 1) > 0);
      F(strncasecmp(s, buf2 + (s - buf), (size_t)len) == 0);
      s[len] = save;
      int c = memcmp(buf + off, buf2 + off, (size_t)len * 50);
      F(c);
      buf2[off + len * 50 / 2 + 1] ^= 1;
      c = memcmp(buf + off, buf2 + off, (size_t)len * 50);
      F(c > 0 ? 1 : c < 0 ? -1 : 0);
      F(strncmp(buf + off, buf2 + off, (size_t)len * 50) != 0);
      buf2[off + len * 50 / 2 + 1] ^= 1;
      p = memchr(buf + off, 'z', (size_t)len * 40);
      F((long)(p ? p - buf : -1));
      p = memrchr(buf + off, 'z', (size_t)len * 40);
      F((long)(p ? p - buf : -1));
      memmove(buf2 + off + 3, buf2 + off, (size_t)len * 30);
      F(memcmp(buf2 + off + 3, buf + off, (size_t)len * 30) == 0);
      memcpy(buf2, buf, N + 64);
    }
  }
  end("glibc string functions");
  free(buf);
  free(buf2);
}

int main(int argc, char **argv) {
  verbose = argc > 1 && !strcmp(argv[1], "-v");
  init();
  pcmpstr();
  gtq_crc();
  libc_strings();
  return 0;
}
