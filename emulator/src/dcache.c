// Decode cache: blocks of decoded instructions, per address space, found by
// guest address. A block ends at an unconditional control transfer, after
// BLOCK_MAX instructions or at the end of its page, so it depends on one page
// only; a conditional branch leaves it when taken and lets it go on otherwise.
// A page that holds cached code is marked in its Pte and kept out of the
// write TLB: the first write to it (a store, a syscall filling a buffer, the
// loader) takes mem_slow_ptr, which drops the page's blocks; mmap, munmap
// and mprotect over it do the same (mem.c). Only PROT_EXEC pages run.
#include "cpu-internal.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS DCACHE_BUCKETS
#define BLOCK_MAX 64
#define CODE_LIMIT (96u << 20) // bytes of decoded code kept before starting over

typedef struct Code {
  Block *hash[BUCKETS];
  Block *dead; // dropped blocks; freed at the next miss, as one may still be running
  size_t bytes;
  u64 blocks_built, invalidations;
} Code;
_Static_assert(offsetof(Code, hash) == 0, "translated code finds the buckets at Mem.code");

static inline unsigned bucket(u64 a) { return dcache_bucket(a); }
static size_t block_bytes(int n) { return sizeof(Block) + (size_t)n * sizeof(D); }

static void reap(Code *k) {
  while (k->dead) {
    Block *n = k->dead->next;
    free(k->dead);
    k->dead = n;
  }
}

void code_free(Mem *m) {
  Code *k = m->code;
  if (!k) return;
  int prof = aot_profiling();
  for (int i = 0; i < BUCKETS; i++)
    for (Block *b = k->hash[i], *n; b; b = n) {
      n = b->next;
      if (prof) aot_profile_dump(m, b);
      free(b);
    }
  reap(k);
  free(k);
  m->code = NULL;
}

// Drops the whole decode cache and zeroes what it held, so a start-up
// snapshot (snapshot.c) carries none of it: a resumed run decodes again.
size_t code_scrub(Mem *m) {
  static void *(*volatile wipe)(void *, int, size_t) = memset; // a plain memset before free() is optimised away
  Code *k = m->code;
  if (!k) return 0;
  size_t bytes = k->bytes;
  for (int i = 0; i < BUCKETS; i++)
    for (Block *b = k->hash[i], *n; b; b = n) {
      n = b->next;
      wipe(b, 0, block_bytes(b->n));
      free(b);
    }
  for (Block *b = k->dead, *n; b; b = n) {
    n = b->next;
    wipe(b, 0, block_bytes(b->n));
    free(b);
  }
  wipe(k, 0, sizeof *k);
  free(k);
  m->code = NULL;
  m->code_gen++;
  return bytes;
}

// Drops the blocks of pages [lo, hi] (page numbers).
void code_invalidate(Mem *m, u64 lo, u64 hi) {
  Code *k = m->code;
  if (!k) return;
  k->invalidations++;
  for (int i = 0; i < BUCKETS; i++) {
    Block **pp = &k->hash[i];
    while (*pp) {
      Block *b = *pp;
      u64 pn = b->start >> 12;
      if (pn >= lo && pn <= hi) {
        *pp = b->next;
        k->bytes -= block_bytes(b->n);
        b->next = k->dead;
        k->dead = b;
      } else pp = &b->next;
    }
  }
  m->code_changed = 1; // the running block may be one of them: the executor leaves it
  m->code_gen++;
}

// Flag liveness, backwards over a block (everything is live at its end and
// where a conditional branch may leave it): an instruction whose written
// flags are all overwritten before any read skips computing them. The
// translator (emulator/aot/) runs the same pass over the blocks it translates.
void block_flags(D *insn, int n) {
  u16 live = FL_ALL;
  for (int i = n - 1; i >= 0; i--) {
    D *d = &insn[i];
    if (d->ends == END_COND) live = FL_ALL;
    d->noflags = d->fw && !(live & d->fw);
    live = (u16)((live & ~d->fw) | d->fr);
  }
}

u64 code_blocks_built(Mem *m) { return m->code ? m->code->blocks_built : 0; }

Block *block_get(Mem *m, u64 rip) {
  Code *k = m->code;
  if (k)
    for (Block *b = k->hash[bucket(rip)]; b; b = b->next)
      if (b->start == rip) return b;
  if (!k) k = m->code = calloc(1, sizeof(Code));
  reap(k);
  if (k->bytes > CODE_LIMIT) { // a guest that keeps generating code: start over
    for (int i = 0; i < BUCKETS; i++)
      for (Block *b = k->hash[i], *n; b; b = n) {
        n = b->next;
        if (aot_profiling()) aot_profile_dump(m, b);
        free(b);
      }
    memset(k->hash, 0, sizeof k->hash);
    k->bytes = 0;
    m->code_gen++;
  }
  u8 *page = mem_code_page(m, rip, 1);
  if (!page) return NULL;
  static D tmp[BLOCK_MAX];
  int n = 0;
  u64 a = rip;
  for (;;) {
    unsigned off = (unsigned)(a & PAGE_MASK);
    int avail = PAGE - off < 16 ? (int)(PAGE - off) : 16;
    D *d = &tmp[n];
    decode(d, page + off, avail, a);
    if (d->bad == BAD_FETCH && avail < 16) { // runs into the next page
      if (n > 0) break; // the next block starts with it
      // decoded from both pages each time it runs, never cached
      static union { Block b; char room[sizeof(Block) + sizeof(D)]; } one;
      u8 buf[32];
      memcpy(buf, page + off, avail);
      int got = avail;
      u8 *p2 = mem_code_page(m, a + avail, 0);
      if (p2) { memcpy(buf + avail, p2, 16); got = 16; }
      else m->fault = 0;
      decode(&one.b.insn[0], buf, got, a);
      one.b.start = a;
      one.b.n = 1;
      one.b.uncached = 1;
      return &one.b;
    }
    n++;
    a += d->len;
    if (d->ends == END_BLOCK || n == BLOCK_MAX || (a & PAGE_MASK) == 0) break;
  }
  block_flags(tmp, n);
  Block *b = malloc(block_bytes(n));
  b->start = rip;
  b->n = n;
  b->link_end = NULL;
  b->link_gen = m->code_gen;
  b->uncached = 0;
  b->runs = 0;
  b->aot = aot_find(page + (rip & PAGE_MASK), (u32)(a - rip), n);
  memcpy(b->insn, tmp, (size_t)n * sizeof(D));
  unsigned h = bucket(rip);
  b->next = k->hash[h];
  k->hash[h] = b;
  k->bytes += block_bytes(n);
  k->blocks_built++;
  return b;
}
