// What the translator's files share.
#ifndef TRELLIS_AOT_INTERNAL_H
#define TRELLIS_AOT_INTERNAL_H
#include "wasm.h"

// The core's helpers translated code calls, in the order of --helpers (trellis_aot.helpers in aot-run.c).
enum { H_RD, H_WR, H_STEP, H_COND, H_GETCF, H_SETLF, H_COUNT };

struct D;
// Appends the code-section entry (size, locals, code) of one block's function.
// `tstart` is the address the instructions were decoded at; `inlined` gets
// how many of them were translated inline rather than run by their handler.
// `block_type`: the type index of translated functions in the final module,
// for chaining to the next block with a tail call (-1: no chaining).
int aot_emit_block(Buf *out, struct D *insn, int n, uint64_t tstart, const uint32_t *helper, int block_type, int *inlined);
extern uint8_t aot_inlined[256]; // per instruction of the last block emitted: inlined or not
#endif
