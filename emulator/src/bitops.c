// Bit family: BT/BTS/BTR/BTC, BSF/BSR/TZCNT/LZCNT/POPCNT, SHLD/SHRD,
// CMPXCHG, CMPXCHG8B/16B and XADD.
#include "cpu-internal.h"

static int op_bitscan(Proc *p, Cpu *c, Mem *m, D *d) {
  int op = d->op;
  if (op == 0x1b8 && d->rep != 0xf3) return X_ILL;
  int sz = d->osz;
  u64 v = rm_read(c, m, d, sz);
  int bits = sz * 8;
  u64 f = cpu_get_flags(c) & ~(u64)(CF | ZF | SF | OF | PF | AF);
  if (d->rep == 0xf3 && op == 0x1bc) { // tzcnt
    int n = v ? __builtin_ctzll(v) : bits;
    setreg(c, d, d->reg, sz, (u64)n);
    if (!v) f |= CF;
    if (n == 0) f |= ZF;
  } else if (d->rep == 0xf3 && op == 0x1bd) { // lzcnt
    int n = v ? __builtin_clzll(v) - (64 - bits) : bits;
    setreg(c, d, d->reg, sz, (u64)n);
    if (!v) f |= CF;
    if (n == 0) f |= ZF;
  } else if (d->rep == 0xf3 && op == 0x1b8) { // popcnt
    setreg(c, d, d->reg, sz, (u64)__builtin_popcountll(v));
    if (!v) f |= ZF;
  } else {
    if (!v) f |= ZF;
    else setreg(c, d, d->reg, sz, (u64)(op == 0x1bc ? __builtin_ctzll(v) : 63 - __builtin_clzll(v)));
  }
  cpu_set_flags(c, f);
  return X_NEXT;
}

static int op_bt(Proc *p, Cpu *c, Mem *m, D *d) { // 0F A3/AB/B3/BB r, 0F BA /4-7 imm8
  int op = d->op, sz = d->osz;
  int o;
  i64 bit;
  if (op == 0x1ba) {
    o = d->reg & 7;
    if (o < 4) return X_ILL;
    bit = (u8)d->imm & (sz * 8 - 1);
  } else {
    o = op == 0x1a3 ? 4 : op == 0x1ab ? 5 : op == 0x1b3 ? 6 : 7;
    bit = sx(getreg(c, d, d->reg, sz), sz);
  }
  u64 v;
  u64 addr = 0;
  if (d->hasmem) {
    addr = EA(d);
    if (op != 0x1ba) { // a register bit offset may reach outside the operand
      addr += (bit >> 3) & ~(i64)(sz - 1);
      bit &= sz * 8 - 1;
    }
    v = rd(m, addr, sz);
  } else {
    bit &= sz * 8 - 1;
    v = getreg(c, d, d->rm, sz);
  }
  int cf = (v >> bit) & 1;
  u64 nv = o == 5 ? v | (1ull << bit) : o == 6 ? v & ~(1ull << bit) : o == 7 ? v ^ (1ull << bit) : v;
  if (o != 4) {
    if (d->hasmem) wr(m, addr, sz, nv);
    else setreg(c, d, d->rm, sz, nv);
  }
  cpu_set_flags(c, (cpu_get_flags(c) & ~(u64)CF) | (cf ? CF : 0));
  return X_NEXT;
}
static int op_shxd(Proc *p, Cpu *c, Mem *m, D *d) { // 0F A4/A5 shld, 0F AC/AD shrd
  int op = d->op, sz = d->osz;
  unsigned cnt = (op & 1) ? (unsigned)(c->r[RCX] & 0xff) : (u8)d->imm;
  cnt &= sz == 8 ? 63 : 31;
  if (!cnt) return X_NEXT;
  int bits = sz * 8;
  u64 dst = rm_read(c, m, d, sz), src = getreg(c, d, d->reg, sz), r;
  int cf;
  if (sz == 2 && cnt > 16) return X_ILL;
  if (op < 0x1ac) {
    r = ((dst << cnt) | (src >> (bits - cnt))) & MASK(sz);
    cf = (dst >> (bits - cnt)) & 1;
  } else {
    r = ((dst >> cnt) | (src << (bits - cnt))) & MASK(sz);
    cf = (dst >> (cnt - 1)) & 1;
  }
  int of = ((r ^ dst) >> (bits - 1)) & 1;
  rm_write(c, m, d, sz, r);
  setresco(c, sz, r, cf, of);
  return X_NEXT;
}
static int op_cmpxchg(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->op == 0x1b0 ? 1 : d->osz;
  u64 v = rm_read(c, m, d, s);
  u64 a = getreg(c, d, RAX, s);
  alu(c, 7, a, v, s);
  if ((a & MASK(s)) == (v & MASK(s))) rm_write(c, m, d, s, getreg(c, d, d->reg, s));
  else {
    setreg(c, d, RAX, s, v);
    if (d->hasmem) wr(m, EA(d), s, v); // the locked write-back
  }
  return X_NEXT;
}
static int op_xadd(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->op == 0x1c0 ? 1 : d->osz;
  u64 v = rm_read(c, m, d, s), r = getreg(c, d, d->reg, s);
  u64 sum = alu(c, 0, v, r, s);
  setreg(c, d, d->reg, s, v);
  rm_write(c, m, d, s, sum);
  return X_NEXT;
}
static int op_cmpxchg8b(Proc *p, Cpu *c, Mem *m, D *d) { // 0F C7 /1 (16B with REX.W)
  if ((d->reg & 7) != 1 || !d->hasmem) return X_ILL;
  u64 a = EA(d);
  u64 f = cpu_get_flags(c) & ~(u64)ZF;
  if (d->osz == 8) {
    u64 lo = rd(m, a, 8), hi = rd(m, a + 8, 8);
    if (lo == c->r[RAX] && hi == c->r[RDX]) { wr(m, a, 8, c->r[RBX]); wr(m, a + 8, 8, c->r[RCX]); f |= ZF; }
    else { c->r[RAX] = lo; c->r[RDX] = hi; }
  } else {
    u64 v = rd(m, a, 8);
    if ((u32)v == (u32)c->r[RAX] && (v >> 32) == (u32)c->r[RDX]) { wr(m, a, 8, (c->r[RCX] << 32) | (u32)c->r[RBX]); f |= ZF; }
    else { c->r[RAX] = (u32)v; c->r[RDX] = v >> 32; }
  }
  cpu_set_flags(c, f);
  return X_NEXT;
}

void bit_ops(Exec *t) {
  t[0x1a3] = t[0x1ab] = t[0x1b3] = t[0x1bb] = t[0x1ba] = op_bt;
  t[0x1bc] = t[0x1bd] = t[0x1b8] = op_bitscan;
  t[0x1a4] = t[0x1a5] = t[0x1ac] = t[0x1ad] = op_shxd;
  t[0x1b0] = t[0x1b1] = op_cmpxchg;
  t[0x1c0] = t[0x1c1] = op_xadd;
  t[0x1c7] = op_cmpxchg8b;
}
