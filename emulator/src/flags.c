// Lazy arithmetic flags: materialising EFLAGS from the recorded operation,
// and condition codes evaluated straight from it where that is cheap.
#include "cpu-internal.h"

void cpu_reset(Cpu *c) {
  memset(c, 0, sizeof *c);
  c->flags = 0x202;
  c->mxcsr = 0x1f80;
  c->fcw = 0x37f;
  c->ftag = 0xffff;
}

static int parity(u64 v) {
  v &= 0xff;
  v ^= v >> 4;
  v ^= v >> 2;
  v ^= v >> 1;
  return !(v & 1);
}

u64 cpu_get_flags(Cpu *c) {
  if (c->lf_op == F_NONE) return c->flags;
  int sz = c->lf_sz;
  u64 m = MASK(sz), sb = SIGNB(sz), r = c->lf_res & m, a = c->lf_a & m, b = c->lf_b & m;
  int cf = 0, of = 0, af = 0;
  switch (c->lf_op) {
  case F_ADD: cf = r < a; of = ((a ^ r) & (b ^ r) & sb) != 0; af = ((a ^ b ^ r) & 0x10) != 0; break;
  case F_ADC: cf = c->lf_cin ? r <= a : r < a; of = ((a ^ r) & (b ^ r) & sb) != 0; af = ((a ^ b ^ r) & 0x10) != 0; break;
  case F_SUB: cf = a < b; of = ((a ^ b) & (a ^ r) & sb) != 0; af = ((a ^ b ^ r) & 0x10) != 0; break;
  case F_SBB: cf = c->lf_cin ? a <= b : a < b; of = ((a ^ b) & (a ^ r) & sb) != 0; af = ((a ^ b ^ r) & 0x10) != 0; break;
  case F_LOGIC: break;
  case F_INC: cf = (int)c->lf_cin; of = r == sb; af = (r & 0xf) == 0; break;
  case F_DEC: cf = (int)c->lf_cin; of = r == sb - 1; af = (r & 0xf) == 0xf; break;
  case F_RESCO: cf = c->lf_cin & 1; of = (c->lf_cin >> 1) & 1; break;
  }
  u64 f = c->flags & ~(u64)(CF | PF | AF | ZF | SF | OF);
  if (cf) f |= CF;
  if (parity(r)) f |= PF;
  if (af) f |= AF;
  if (r == 0) f |= ZF;
  if (r & sb) f |= SF;
  if (of) f |= OF;
  c->flags = f;
  c->lf_op = F_NONE;
  return f;
}

void cpu_set_flags(Cpu *c, u64 f) {
  c->flags = (f & 0x254dd5ull) | 2;
  c->lf_op = F_NONE;
}

int cpu_cond(Cpu *c, int cc) {
  int r;
  if (c->lf_op == F_SUB || c->lf_op == F_LOGIC) {
    int sz = c->lf_sz;
    u64 m = MASK(sz);
    if (c->lf_op == F_SUB) {
      u64 a = c->lf_a & m, b = c->lf_b & m;
      i64 sa = sx(a, sz), sb = sx(b, sz);
      switch (cc >> 1) {
      case 1: r = a < b; goto done;
      case 2: r = a == b; goto done;
      case 3: r = a <= b; goto done;
      case 6: r = sa < sb; goto done;
      case 7: r = sa <= sb; goto done;
      }
    } else {
      u64 v = c->lf_res & m;
      switch (cc >> 1) {
      case 0: case 1: r = 0; goto done;
      case 2: r = v == 0; goto done;
      case 3: r = v == 0; goto done;
      case 4: case 6: r = (v & SIGNB(sz)) != 0; goto done;
      case 7: r = v == 0 || (v & SIGNB(sz)); goto done;
      }
    }
  }
  {
    u64 f = cpu_get_flags(c);
    switch (cc >> 1) {
    case 0: r = !!(f & OF); break;
    case 1: r = !!(f & CF); break;
    case 2: r = !!(f & ZF); break;
    case 3: r = !!(f & (CF | ZF)); break;
    case 4: r = !!(f & SF); break;
    case 5: r = !!(f & PF); break;
    case 6: r = !!(f & SF) != !!(f & OF); break;
    default: r = (f & ZF) || (!!(f & SF) != !!(f & OF)); break;
    }
  }
done:
  return r ^ (cc & 1);
}

