// Integer edge cases: flags of adc/sbb/shifts/rotates, partial registers,
// bit operations, 128-bit arithmetic, string instructions with DF=1. Only
// architecturally defined flags are compared (AF after shifts, OF after
// multi-bit shifts and rotates, SF/ZF/PF after rotates are undefined or
// carried over, and differ between CPU models).
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t h = 1469598103934665603ull;
static void mix(uint64_t v) { h = (h ^ v) * 1099511628211ull; }

static uint64_t flags_after(uint64_t a, uint64_t b, int op) {
  uint64_t r = a, f;
  if (op >= 3 && op <= 7) b = b % 63 + 1; // a zero count leaves the previous flags
  if (op == 11) b = b % 31 + 1;
  switch (op) {
  case 0: __asm__("add %2, %0; pushfq; pop %1" : "+r"(r), "=r"(f) : "r"(b) : "cc"); break;
  case 1: __asm__("stc; adc %2, %0; pushfq; pop %1" : "+r"(r), "=r"(f) : "r"(b) : "cc"); break;
  case 2: __asm__("stc; sbb %2, %0; pushfq; pop %1" : "+r"(r), "=r"(f) : "r"(b) : "cc"); break;
  case 3: __asm__("mov %2, %%rcx; shl %%cl, %0; pushfq; pop %1" : "+r"(r), "=r"(f) : "r"(b) : "rcx", "cc"); break;
  case 4: __asm__("mov %2, %%rcx; sar %%cl, %0; pushfq; pop %1" : "+r"(r), "=r"(f) : "r"(b) : "rcx", "cc"); break;
  case 5: __asm__("mov %2, %%rcx; stc; rcl %%cl, %0; pushfq; pop %1" : "+r"(r), "=r"(f) : "r"(b) : "rcx", "cc"); break;
  case 6: __asm__("mov %2, %%rcx; stc; rcr %%cl, %0; pushfq; pop %1" : "+r"(r), "=r"(f) : "r"(b) : "rcx", "cc"); break;
  case 7: __asm__("mov %2, %%rcx; ror %%cl, %0; pushfq; pop %1" : "+r"(r), "=r"(f) : "r"(b) : "rcx", "cc"); break;
  case 8: __asm__("neg %0; pushfq; pop %1" : "+r"(r), "=r"(f) : : "cc"); break;
  case 9: __asm__("inc %0; pushfq; pop %1" : "+r"(r), "=r"(f) : : "cc"); break;
  case 10: __asm__("sub %2, %0; pushfq; pop %1" : "+r"(r), "=r"(f) : "r"(b) : "cc"); break;
  case 11: { uint32_t x = (uint32_t)a; __asm__("mov %2, %%rcx; shld %%cl, %3, %0; pushfq; pop %1" : "+r"(x), "=r"(f) : "r"(b), "r"((uint32_t)(b * 0x9e3779b9u)) : "rcx", "cc"); r = x; break; }
  case 12: { uint16_t x = (uint16_t)a; __asm__("addw %w2, %w0; pushfq; pop %1" : "+r"(x), "=r"(f) : "r"(b) : "cc"); r = x; break; }
  case 13: { uint8_t x = (uint8_t)a; __asm__("subb %b2, %b0; pushfq; pop %1" : "+q"(x), "=r"(f) : "q"(b) : "cc"); r = x; break; }
  default: { uint64_t c = b & 63; __asm__("btc %2, %0; pushfq; pop %1" : "+r"(r), "=r"(f) : "r"(c) : "cc"); break; }
  }
  mix(r);
  uint64_t defined = 0x8d5; // CF PF AF ZF SF OF
  if (op == 3 || op == 4 || op == 11) defined = b == 1 ? 0x8c5 : 0xc5; // no AF; OF only for 1-bit shifts
  if (op >= 5 && op <= 7) defined = b == 1 ? 0x801 : 0x1;          // rotates: CF, OF for 1-bit
  if (op == 14) defined = 0x1;                                        // btc: CF only
  return f & defined;
}

int main(void) {
  static const uint64_t vals[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
                                  0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull, 0x123456789abcdef0ull, 63, 64, 31, 32};
  int n = sizeof vals / sizeof vals[0];
  uint64_t fsum = 0;
  for (int op = 0; op <= 14; op++)
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) fsum = fsum * 31 + flags_after(vals[i], vals[j], op);
  printf("flags %016llx results %016llx\n", (unsigned long long)fsum, (unsigned long long)h);
  unsigned __int128 big = (unsigned __int128)0xfedcba9876543210ull * 0x123456789abcdefull;
  __int128 sbig = -(__int128)big / 12345;
  printf("u128 %016llx%016llx s128 %lld rem %lld\n", (unsigned long long)(big >> 64), (unsigned long long)big, (long long)(sbig >> 40), (long long)(sbig % 977));
  int ovf = 0, cnt = 0;
  for (int i = 0; i < n; i++) {
    long long r;
    ovf += __builtin_add_overflow((long long)vals[i], (long long)vals[(i + 3) % n], &r);
    ovf += __builtin_mul_overflow((int)vals[i], 3, (int *)&r);
    if (vals[i]) cnt += __builtin_clzll(vals[i]) * 7 + __builtin_ctzll(vals[i]) + __builtin_popcountll(vals[i]);
  }
  printf("ovf %d cnt %d\n", ovf, cnt);
  char buf[64];
  for (int i = 0; i < 64; i++) buf[i] = (char)('a' + i % 26);
  // backwards copy with DF=1 (what memmove does for overlapping forward moves)
  char *src = buf + 44, *dst = buf + 54; // last bytes of [20,45) -> [30,55)
  size_t len = 25;
  __asm__ volatile("std; rep movsb; cld" : "+S"(src), "+D"(dst), "+c"(len) : : "memory");
  printf("std movsb %.64s\n", buf);
  const char *hay = "find the needle in here";
  size_t left = 24;
  const char *p = hay;
  __asm__ volatile("repne scasb" : "+D"(p), "+c"(left) : "a"('n') : "cc");
  printf("scasb %td %zu\n", p - hay, left);
  uint64_t x = 0x1122334455667788ull;
  uint32_t y = 0xdeadbeef;
  uint64_t ah;
  __asm__("bswap %0" : "+r"(x));
  __asm__("bswap %0" : "+r"(y));
  __asm__("xor %%eax, %%eax; cmp $1, %%eax; lahf; movzbl %%ah, %%eax; mov %%rax, %0" : "=r"(ah) : : "rax", "cc");
  uint64_t cx = 5, old = 5, nw = 9;
  __asm__("lock cmpxchg %2, %1" : "+a"(old), "+m"(cx) : "r"(nw) : "cc");
  uint64_t xa = 10, add = 32;
  __asm__("lock xadd %0, %1" : "+r"(add), "+m"(xa) : : "cc");
  printf("bswap %016llx %08x lahf %02llx cmpxchg %llu %llu xadd %llu %llu\n", (unsigned long long)x, y, (unsigned long long)ah, (unsigned long long)cx,
         (unsigned long long)old, (unsigned long long)xa, (unsigned long long)add);
  int8_t s8 = -128;
  int16_t s16 = -32768;
  printf("div %d %d %lld %llu\n", s8 / -1 , s16 / 7, (long long)(-9223372036854775807LL / 13), (unsigned long long)(0xffffffffffffffffull % 1000003));
  return 0;
}
