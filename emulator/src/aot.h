// Ahead-of-time translated blocks (issue 13): what the core (aot-run.c) and
// the translator (emulator/aot/) agree on.
//
// A translation is found by the code bytes of its decode-cache block, not by
// file or address: the same bytes decode to the same instructions wherever
// they sit, and the translated code takes the block's address from the Block
// at run time. A page that is written, remapped or reprotected drops its
// blocks (dcache.c); the rebuilt block is looked up by its new bytes, so
// self-modifying code and guest JITs never run a stale translation.
#ifndef TRELLIS_AOT_H
#define TRELLIS_AOT_H
#include "emu.h"

// One slot of the open-addressed lookup table the artifact carries (a data
// segment found through the trellis_aot descriptor). fn 0: empty slot.
typedef struct AotSlot {
  u64 hash;
  u32 key; // aot_key(block bytes, instructions)
  u32 fn;  // index in the indirect function table
} AotSlot;

// FNV-1a, 64 bits, over the block's bytes.
static inline u64 aot_hash(const u8 *b, u32 len) {
  u64 h = 0xcbf29ce484222325ull;
  for (u32 i = 0; i < len; i++) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}
static inline u32 aot_key(u32 len, u32 n) { return len | n << 16; }

// A translated block is `int f(Proc *p, Block *b)`. It returns where it left
// the block as the executor's loop would: the index of the instruction it
// stopped at and that instruction's handler result (X_*), or n when it ran
// to the end.
#define AOT_RET(i, r) ((i) | (r) << 8)

// Profile record (TRELLIS_AOT_PROFILE): a block the core ran, then its bytes.
typedef struct __attribute__((packed)) AotProfRec {
  u32 runs;
  u16 len;  // bytes of the block
  u16 off;  // its offset in its page
  u8 n;     // instructions
} AotProfRec;

#endif
