// MMX register moves: MOVD/MOVQ between MMX registers, general registers
// and memory, MOVQ2DQ/MOVDQ2Q; with them the MMX forms of SSSE3 (ssse3.c)
// can be used. The MMX registers are kept apart from the x87 stack (which
// they alias on hardware); other MMX arithmetic is not implemented.
#include "simd.h"

// 0F 6E: movd/movq mm, r/m32/64
static int op_movd_to_mm(Proc *p, Cpu *c, Mem *m, D *d) {
  u64 v = rm_read(c, m, d, d->rex & 8 ? 8 : 4);
  if (!m->fault) c->mm[d->reg & 7] = v;
  return X_NEXT;
}

// 0F 7E: movd/movq r/m32/64, mm
static int op_movd_from_mm(Proc *p, Cpu *c, Mem *m, D *d) {
  u64 v = c->mm[d->reg & 7];
  rm_write(c, m, d, d->rex & 8 ? 8 : 4, d->rex & 8 ? v : (u32)v);
  return X_NEXT;
}

// 0F 6F: movq mm, mm/m64
static int op_movq_to_mm(Proc *p, Cpu *c, Mem *m, D *d) {
  u64 v = d->hasmem ? rd(m, EA(d), 8) : c->mm[d->rm & 7];
  if (!m->fault) c->mm[d->reg & 7] = v;
  return X_NEXT;
}

// 0F 7F: movq mm/m64, mm
static int op_movq_from_mm(Proc *p, Cpu *c, Mem *m, D *d) {
  if (d->hasmem) wr(m, EA(d), 8, c->mm[d->reg & 7]);
  else c->mm[d->rm & 7] = c->mm[d->reg & 7];
  return X_NEXT;
}

// F3 0F D6: movq2dq xmm, mm; F2 0F D6: movdq2q mm, xmm
static int op_movq2dq(Proc *p, Cpu *c, Mem *m, D *d) {
  c->xmm[d->reg].q[0] = c->mm[d->rm & 7];
  c->xmm[d->reg].q[1] = 0;
  return X_NEXT;
}
static int op_movdq2q(Proc *p, Cpu *c, Mem *m, D *d) {
  c->mm[d->reg & 7] = c->xmm[d->rm].q[0];
  return X_NEXT;
}

// The unprefixed (MMX) forms of opcodes whose 66/F3 forms are SSE2's.
Exec mmx_refine(D *d) {
  int none = !d->pfx66 && !d->rep;
  switch (d->op) {
  case 0x16e: return none ? op_movd_to_mm : NULL;
  case 0x17e: return none ? op_movd_from_mm : NULL;
  case 0x16f: return none ? op_movq_to_mm : NULL;
  case 0x17f: return none ? op_movq_from_mm : NULL;
  case 0x1d6: return d->hasmem ? NULL : d->rep == 0xf3 ? op_movq2dq : d->rep == 0xf2 ? op_movdq2q : NULL;
  }
  return NULL;
}
