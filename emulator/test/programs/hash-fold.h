// Shared by the instruction-form programs (simd-v2.c, strings-v2.c): each
// output line is one FNV-1a hash of a group of results, so a difference
// from the native run shows which group; `-v` prints every result too.
// Define HASH_FOLD_NAME_WIDTH before including to align a file's names.
#ifndef HASH_FOLD_H
#define HASH_FOLD_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef HASH_FOLD_NAME_WIDTH
#define HASH_FOLD_NAME_WIDTH 24
#endif

static int verbose;
static uint64_t h;
__attribute__((noinline)) static void fold(const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
  if (verbose) {
    for (size_t i = n; i-- > 0;) printf("%02x", b[i]);
    printf(" ");
  }
}
static void begin(void) { h = 0xcbf29ce484222325ull; }
static void end(const char *name) {
  if (verbose) printf("\n");
  printf("%-*s %016llx\n", HASH_FOLD_NAME_WIDTH, name, (unsigned long long)h);
}
#define F(v) do { __typeof__(v) t_ = (v); fold(&t_, sizeof t_); } while (0)

// xorshift64: operands that are the same on every run and every machine.
static uint64_t xorshift64(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}
#endif
