// Run-time side of ahead-of-time translation: the lookup table of translated
// blocks the artifact carries, the helpers translated code calls, the
// TRELLIS_AOT switch and the block profile the compile step translates from.
#include "cpu-internal.h"
#include "aot.h"
#include <stdlib.h>

u64 aot_rd(Mem *m, u64 a, u32 sz);
void aot_wr(Mem *m, u64 a, u32 sz, u64 v);
int aot_step(Proc *p, D *d);
int aot_cond(Cpu *c, int cc);
int aot_getcf(Cpu *c);
void aot_setlf(Cpu *c, u32 fop, u64 res, u64 a, u64 b, u64 cin);

// Patched by lib/compile/aot-module.ts when it appends translations to the
// core: where the lookup table lies and how many slots it has (a power of
// two). `helpers` holds the table indices of the functions translated code
// calls (in AOT_HELPERS order); the rewriter maps them to function indices
// for direct calls. (Exports would not do: in a WASI command every export
// but _start is wrapped to run the constructors on each call.)
struct AotDesc {
  char magic[16];
  u32 version;
  u32 table, slots;
  uintptr_t helpers[6];
  u32 reserved;
};
__attribute__((used)) volatile struct AotDesc trellis_aot = {
    {'T', 'R', 'E', 'L', 'L', 'I', 'S', '-', 'A', 'O', 'T', '-', 'V', '1', 0, 0}, 1, 0, 0,
    {(uintptr_t)aot_rd, (uintptr_t)aot_wr, (uintptr_t)aot_step, (uintptr_t)aot_cond, (uintptr_t)aot_getcf, (uintptr_t)aot_setlf},
    0x21544f41u}; // last word non-zero: kept whole in the data segment

static int aot_enabled;
u64 aot_block_runs;    // runs of translated blocks (reported under TRELLIS_TRACE)
u64 aot_block_entries; // of them, calls from the executor (the others were chained, emulator/aot/emit.c)
u64 aot_stat_blocks, aot_stat_insns, aot_stat_aot_insns, aot_stat_runs, aot_stat_step[0x400];
static FILE *profile;
static u32 profile_min = 1;

void aot_init(void) {
  const char *v = getenv("TRELLIS_AOT");
  aot_enabled = trellis_aot.slots && !(v && !strcmp(v, "0"));
  const char *pf = getenv("TRELLIS_AOT_PROFILE");
  if (pf && *pf) {
    profile = fopen(pf, "ab");
    if (!profile) fprintf(stderr, "trellis-x86: cannot open the block profile %s\n", pf);
    const char *mn = getenv("TRELLIS_AOT_PROFILE_MIN");
    if (mn) profile_min = (u32)strtoul(mn, NULL, 10);
  }
}

void aot_table_range(uintptr_t *lo, uintptr_t *hi) {
  *lo = trellis_aot.table;
  *hi = trellis_aot.slots ? (uintptr_t)trellis_aot.table + (uintptr_t)trellis_aot.slots * sizeof(AotSlot) : 0;
}

u32 aot_find(const u8 *code, u32 len, int n) {
  if (!aot_enabled) return 0;
  u64 h = aot_hash(code, len);
  u32 key = aot_key(len, (u32)n), mask = trellis_aot.slots - 1;
  const AotSlot *t = (const AotSlot *)(uintptr_t)trellis_aot.table;
  for (u32 i = (u32)h & mask;; i = (i + 1) & mask) {
    if (!t[i].fn) return 0;
    if (t[i].hash == h && t[i].key == key) return t[i].fn;
  }
}

// Blocks that ran at least TRELLIS_AOT_PROFILE_MIN times, with their bytes;
// called before an address space's decode cache goes away.
void aot_profile_dump(Mem *m, Block *b) {
  if (!profile || b->uncached || b->runs < profile_min) return;
  u8 *page = mem_code_page(m, b->start, 0);
  if (!page) { m->fault = 0; return; }
  D *last = &b->insn[b->n - 1];
  AotProfRec r = {b->runs, (u16)(last->start + last->len - b->start), (u16)(b->start & PAGE_MASK), (u8)b->n};
  if ((u32)r.off + r.len > PAGE) return;
  fwrite(&r, sizeof r, 1, profile);
  fwrite(page + r.off, 1, r.len, profile);
}
void aot_profile_close(void) {
  if (profile) fclose(profile);
  profile = NULL;
}
int aot_profiling(void) { return profile != NULL; }
void aot_report(void) {
  if (trellis_aot.slots)
    fprintf(stderr, "trellis-x86: translated blocks %s, %llu runs of them, %llu entered from the executor\n", aot_enabled ? "on" : "off (TRELLIS_AOT=0)",
            (unsigned long long)aot_block_runs, (unsigned long long)aot_block_entries);
  fprintf(stderr, "trellis-x86: %llu instructions in executor calls: %llu in translated blocks, %llu interpreted blocks; %llu executor calls\n",
          (unsigned long long)aot_stat_insns, (unsigned long long)aot_stat_aot_insns, (unsigned long long)aot_stat_blocks, (unsigned long long)aot_stat_runs);
  u64 steps = 0;
  for (int i = 0; i < 0x400; i++) steps += aot_stat_step[i];
  if (!steps) return;
  fprintf(stderr, "trellis-x86: %llu instructions of translated blocks ran by their handlers; the most:", (unsigned long long)steps);
  for (int k = 0; k < 12; k++) {
    int best = -1;
    for (int i = 0; i < 0x400; i++)
      if (aot_stat_step[i] && (best < 0 || aot_stat_step[i] > aot_stat_step[best])) best = i;
    if (best < 0) break;
    fprintf(stderr, " %03x:%llu", best, (unsigned long long)aot_stat_step[best]);
    aot_stat_step[best] = 0;
  }
  fprintf(stderr, "\n");
}

// ---- helpers called by translated code (see trellis_aot.helpers) ----

// Loads and stores that missed the inline TLB test (or straddle a page).
u64 aot_rd(Mem *m, u64 a, u32 sz) { return rd(m, a, (int)sz); }
void aot_wr(Mem *m, u64 a, u32 sz, u64 v) { wr(m, a, (int)sz, v); }

// An instruction the translator does not inline runs through its handler,
// exactly as the executor would run it. -1: go on with the next instruction.
int aot_step(Proc *p, D *d) {
  Cpu *c = &p->cpu;
  Mem *m = p->mem;
  aot_stat_step[d->op & 0x3ff]++;
  if (d->eakind) d->ea = d->eakind == EA_PLAIN ? ea_plain(c, d) : ea_of(c, d);
  int r = d->fn(p, c, m, d);
  return r == X_NEXT && !m->stop ? -1 : r;
}

// Conditions and CF from the lazy flags in Cpu (flags set before the block).
int aot_cond(Cpu *c, int cc) { return cond(c, cc); }
int aot_getcf(Cpu *c) { return getcf(c) ? 1 : 0; }
// The flags a translated block left pending: what setlf() records.
void aot_setlf(Cpu *c, u32 fop, u64 res, u64 a, u64 b, u64 cin) {
  setlf(c, (int)(fop & 255), (int)(fop >> 8), res, a, b);
  c->lf_cin = cin;
}
