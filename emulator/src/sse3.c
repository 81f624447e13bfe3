// SSE3: ADDSUBPS/PD, HADDPS/PD, HSUBPS/PD, MOVDDUP, MOVSLDUP, MOVSHDUP,
// LDDQU. FISTTP is in fpu.c with the other x87 stores; MONITOR/MWAIT are
// not implemented and cpuid does not report them.
#include "simd.h"

// F2 0F 12: movddup xmm, xmm/m64
static int op_movddup(Proc *p, Cpu *c, Mem *m, D *d) {
  Xmm tmp, *s = simd_src(c, m, d, &tmp, 8);
  if (!s) return X_NEXT;
  u64 v = s->q[0];
  c->xmm[d->reg].q[0] = c->xmm[d->reg].q[1] = v;
  return X_NEXT;
}

// F3 0F 12 / F3 0F 16: movsldup / movshdup xmm, xmm/m128
static int op_movsxdup(Proc *p, Cpu *c, Mem *m, D *d) {
  Xmm tmp, *s = simd_src(c, m, d, &tmp, 16), r;
  if (!s) return X_NEXT;
  int h = d->op == 0x116;
  r.d[0] = r.d[1] = s->d[h];
  r.d[2] = r.d[3] = s->d[2 + h];
  c->xmm[d->reg] = r;
  return X_NEXT;
}

// 0F 7C / 0F 7D: haddpd/hsubpd (66), haddps/hsubps (F2): pairs of the
// destination, then pairs of the source.
static int op_hadd(Proc *p, Cpu *c, Mem *m, D *d) {
  Xmm tmp, *s = simd_src(c, m, d, &tmp, 16), *x = &c->xmm[d->reg], r;
  if (!s) return X_NEXT;
  int o = d->op == 0x17c ? '+' : '-';
  if (d->rep == 0xf2) {
    r.f[0] = simd_fop(o, x->f[0], x->f[1]);
    r.f[1] = simd_fop(o, x->f[2], x->f[3]);
    r.f[2] = simd_fop(o, s->f[0], s->f[1]);
    r.f[3] = simd_fop(o, s->f[2], s->f[3]);
  } else {
    r.fd[0] = simd_dop(o, x->fd[0], x->fd[1]);
    r.fd[1] = simd_dop(o, s->fd[0], s->fd[1]);
  }
  *x = r;
  return X_NEXT;
}

// 0F D0: addsubpd (66), addsubps (F2): even elements subtract, odd ones add.
static int op_addsub(Proc *p, Cpu *c, Mem *m, D *d) {
  Xmm tmp, *s = simd_src(c, m, d, &tmp, 16), *x = &c->xmm[d->reg];
  if (!s) return X_NEXT;
  if (d->rep == 0xf2)
    for (int i = 0; i < 4; i++) x->f[i] = simd_fop(i & 1 ? '+' : '-', x->f[i], s->f[i]);
  else
    for (int i = 0; i < 2; i++) x->fd[i] = simd_dop(i & 1 ? '+' : '-', x->fd[i], s->fd[i]);
  return X_NEXT;
}

// F2 0F F0: lddqu xmm, m128
static int op_lddqu(Proc *p, Cpu *c, Mem *m, D *d) {
  Xmm v;
  if (mem_read(m, EA(d), &v, 16)) return X_NEXT;
  c->xmm[d->reg] = v;
  return X_NEXT;
}

// Every SSE3 opcode is shared with an SSE/SSE2 one, so the SSE3 forms are
// picked at decode by their mandatory prefix; NULL leaves the SSE/SSE2
// handler of the opcode (or an undefined-instruction report).
Exec sse3_refine(D *d) {
  int f2 = d->rep == 0xf2, f3 = d->rep == 0xf3, p66 = d->pfx66 && !d->rep;
  switch (d->op) {
  case 0x112: return f2 ? op_movddup : f3 ? op_movsxdup : NULL;
  case 0x116: return f3 ? op_movsxdup : NULL;
  case 0x17c: case 0x17d: return f2 || p66 ? op_hadd : NULL;
  case 0x1d0: return f2 || p66 ? op_addsub : NULL;
  case 0x1f0: return f2 && d->hasmem ? op_lddqu : NULL;
  }
  return NULL;
}
