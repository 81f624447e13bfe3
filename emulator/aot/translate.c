// The translator's command line: block profiles in, translated functions out.
//
//   trellis-aot.wasm --translate --helpers RD,WR,STEP,COND,GETCF,SETLF [--block-type T] [--min-runs N] [--max-blocks N] OUT PROFILE...
//
// --block-type: the type index translated functions get in the final module
// (the core's type count: lib/compile/aot-module.ts appends it); with it a
// translated block chains into the next one by a tail call (emit.c).
//
// A profile (TRELLIS_AOT_PROFILE, aot-run.c) lists blocks the core ran with
// their code bytes. Each distinct block (by bytes and length) is decoded with
// the core's own decoder and liveness pass, hottest first, and written to
// OUT for lib/compile/aot-module.ts to append to the core:
//   "TAOT" u32 version=1 u32 count, then per function:
//   u64 hash, u32 key, u32 runs, u32 inlined, u32 insns, u32 size, code-section entry[size]
#include "../src/cpu-internal.h"
#include "../src/aot.h"
#include "aot-internal.h"
#include <errno.h>
#include <stdlib.h>

typedef struct Rec {
  u64 hash;
  u32 key, runs;
  u16 len, off;
  u8 n;
  u8 *bytes;
} Rec;

static int by_runs(const void *a, const void *b) {
  const Rec *x = a, *y = b;
  if (x->runs != y->runs) return x->runs < y->runs ? 1 : -1;
  return x->hash < y->hash ? -1 : x->hash > y->hash; // stable output for equal counts
}

static Rec *recs;
static size_t nrecs, caprecs;
// Open-addressed index over recs while reading (dedupe by hash + key).
static size_t *idx;
static size_t idxcap;

static void index_put(size_t r) {
  for (size_t i = (size_t)recs[r].hash & (idxcap - 1);; i = (i + 1) & (idxcap - 1))
    if (idx[i] == (size_t)-1) { idx[i] = r; return; }
}
static void add_rec(AotProfRec *h, u8 *bytes) {
  u64 hash = aot_hash(bytes, h->len);
  u32 key = aot_key(h->len, h->n);
  if (nrecs * 2 >= idxcap) {
    free(idx);
    idxcap = idxcap ? idxcap * 2 : 4096;
    idx = malloc(idxcap * sizeof *idx);
    memset(idx, 0xff, idxcap * sizeof *idx);
    for (size_t r = 0; r < nrecs; r++) index_put(r);
  }
  for (size_t i = (size_t)hash & (idxcap - 1); idx[i] != (size_t)-1; i = (i + 1) & (idxcap - 1)) {
    Rec *r = &recs[idx[i]];
    if (r->hash == hash && r->key == key && !memcmp(r->bytes, bytes, h->len)) {
      r->runs = r->runs + h->runs < r->runs ? ~0u : r->runs + h->runs;
      free(bytes);
      return;
    }
  }
  if (nrecs == caprecs) {
    caprecs = caprecs ? caprecs * 2 : 1024;
    recs = realloc(recs, caprecs * sizeof *recs);
  }
  recs[nrecs] = (Rec){hash, key, h->runs, h->len, h->off, h->n, bytes};
  index_put(nrecs++);
}

static int read_profile(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "trellis-aot: %s: %s\n", path, strerror(errno)); return -1; }
  AotProfRec h;
  while (fread(&h, sizeof h, 1, f) == 1) {
    if (!h.len || !h.n || (u32)h.off + h.len > PAGE) { fprintf(stderr, "trellis-aot: %s: malformed record\n", path); fclose(f); return -1; }
    u8 *b = malloc(h.len);
    if (fread(b, 1, h.len, f) != h.len) { fprintf(stderr, "trellis-aot: %s: truncated\n", path); free(b); fclose(f); return -1; }
    add_rec(&h, b);
  }
  fclose(f);
  return 0;
}

static void put32(FILE *f, u32 v) { fwrite(&v, 4, 1, f); }

// --stats: the instructions left to their handlers, weighted by how often
// their blocks ran (what to inline next).
static u64 missed[0x700][8][4]; // every D.op, the VEX maps (0x400-0x6ff) too
static void note_missed(D *insn, int n, u32 runs) {
  for (int k = 0; k < n; k++)
    if (!aot_inlined[k]) {
      D *d = &insn[k];
      int sz = d->osz == 8 ? 3 : d->osz == 4 ? 2 : d->osz == 2 ? 1 : 0;
      missed[d->op][d->reg & 7][sz] += runs;
    }
}
static void print_missed(void) {
  for (int top = 0; top < 30; top++) {
    u64 best = 0;
    int bo = 0, br = 0, bs = 0;
    for (int o = 0; o < 0x700; o++)
      for (int r = 0; r < 8; r++)
        for (int z = 0; z < 4; z++)
          if (missed[o][r][z] > best) { best = missed[o][r][z]; bo = o; br = r; bs = z; }
    if (!best) break;
    fprintf(stderr, "  not inlined: op %03x /%d osz %d: %llu runs\n", bo, br, 1 << bs, (unsigned long long)best);
    missed[bo][br][bs] = 0;
  }
}

int aot_translate_main(int argc, char **argv) {
  u32 helper[H_COUNT];
  int have_helpers = 0;
  u32 min_runs = 1;
  int stats = 0, block_type = -1;
  long max_blocks = 1L << 30;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "--helpers") && i + 1 < argc) {
      char *s = argv[++i];
      for (int k = 0; k < H_COUNT; k++) {
        char *e;
        helper[k] = (u32)strtoul(s, &e, 10);
        if (e == s || (k < H_COUNT - 1 && *e != ',')) { fprintf(stderr, "trellis-aot: --helpers wants %d indices\n", H_COUNT); return 2; }
        s = e + 1;
      }
      have_helpers = 1;
    } else if (!strcmp(argv[i], "--min-runs") && i + 1 < argc) min_runs = (u32)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--max-blocks") && i + 1 < argc) max_blocks = strtol(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--stats")) stats = 1;
    else if (!strcmp(argv[i], "--block-type") && i + 1 < argc) block_type = (int)strtol(argv[++i], NULL, 10);
    else { fprintf(stderr, "trellis-aot: unknown option %s\n", argv[i]); return 2; }
  }
  if (!have_helpers || argc - i < 1) {
    fprintf(stderr, "usage: trellis-aot --translate --helpers RD,WR,STEP,COND,GETCF,SETLF [--block-type T] [--min-runs N] [--max-blocks N] OUT PROFILE...\n");
    return 2;
  }
  const char *out = argv[i++];
  for (; i < argc; i++)
    if (read_profile(argv[i])) return 1;
  qsort(recs, nrecs, sizeof *recs, by_runs);
  exec_init(); // decode() picks handlers from the table: an empty one would make every instruction bad
  FILE *o = fopen(out, "wb");
  if (!o) { fprintf(stderr, "trellis-aot: %s: %s\n", out, strerror(errno)); return 1; }
  fwrite("TAOT", 1, 4, o);
  put32(o, 1);
  long count = 0;
  for (size_t r = 0; r < nrecs && count < max_blocks; r++)
    if (recs[r].runs >= min_runs) count++;
  put32(o, (u32)count);
  static u8 page[PAGE + 16];
  static D insn[256];
  Buf fn = {0};
  u64 total_insns = 0, total_inlined = 0;
  long written = 0;
  for (size_t r = 0; r < nrecs && written < count; r++) {
    Rec *x = &recs[r];
    if (x->runs < min_runs) continue;
    // the block as the decode cache built it: the same decoder, the same page offset
    memset(page, 0, sizeof page);
    memcpy(page + x->off, x->bytes, x->len);
    u64 base = 0x10000ull, a = base + x->off;
    u32 pos = 0;
    int ok = 1;
    for (int k = 0; ok && k < x->n; k++) {
      u32 at = x->off + pos;
      int avail = PAGE - at < 16 ? (int)(PAGE - at) : 16;
      decode(&insn[k], page + at, avail, a + pos);
      pos += insn[k].len;
      if (pos > x->len) ok = 0;
    }
    if (!ok || pos != x->len) { fprintf(stderr, "trellis-aot: a profiled block does not decode to its length\n"); fclose(o); return 1; }
    block_flags(insn, x->n);
    fn.n = 0;
    int inlined = 0;
    aot_emit_block(&fn, insn, x->n, a, helper, block_type, &inlined);
    fwrite(&x->hash, 8, 1, o);
    put32(o, x->key);
    put32(o, x->runs);
    put32(o, (u32)inlined);
    put32(o, x->n);
    put32(o, (u32)fn.n);
    fwrite(fn.p, 1, fn.n, o);
    if (stats) note_missed(insn, x->n, x->runs);
    total_insns += x->n;
    total_inlined += (u64)inlined;
    written++;
  }
  if (fclose(o)) { fprintf(stderr, "trellis-aot: writing %s failed\n", out); return 1; }
  if (stats) print_missed();
  fprintf(stderr, "trellis-aot: %ld blocks, %llu instructions, %llu inlined\n", written, (unsigned long long)total_insns, (unsigned long long)total_inlined);
  return 0;
}
