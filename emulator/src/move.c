// Data movement family: MOV forms, MOVZX/MOVSX/MOVSXD, CMOVcc, LEA,
// PUSH/POP, XCHG, CBW/CWD, ENTER/LEAVE, BSWAP and the string instructions.
#include "cpu-internal.h"

// String instructions. `op` is the base opcode (a4..af).
static int op_string(Proc *p, Cpu *c, Mem *m, D *d) {
  int op = d->op;
  int sz = (op & 1) ? d->osz : 1;
  i64 step = (c->flags & DF) ? -sz : sz;
  u64 amask = d->asz == 4 ? 0xffffffffull : ~0ull;
  int rep = d->rep;
  u64 segsrc = segbase(c, d);
  if (rep && (c->r[RCX] & amask) == 0) return X_NEXT;
  switch (op & ~1) {
  case 0xa4: // movs
    if (rep && step > 0 && d->asz == 8 && !segsrc) {
      // bulk copy page by page
      u64 n = c->r[RCX] * sz;
      u64 s = c->r[RSI], t = c->r[RDI];
      while (n) {
        u64 k = n;
        u64 a = PAGE - (s & PAGE_MASK), b = PAGE - (t & PAGE_MASK);
        if (k > a) k = a;
        if (k > b) k = b;
        u8 *ps = mem_rptr(m, s);
        if (!ps) break;
        u8 *pt = mem_wptr(m, t);
        if (!pt) break;
        if (t >= s + k || s >= t + k) memcpy(pt, ps, k);
        else for (u64 i = 0; i < k; i++) pt[i] = ps[i];
        s += k; t += k; n -= k;
      }
      c->r[RSI] = s; c->r[RDI] = t; c->r[RCX] = n / sz;
      return X_NEXT;
    }
    do {
      wr(m, c->r[RDI] & amask, sz, rd(m, (c->r[RSI] & amask) + segsrc, sz));
      c->r[RSI] += step; c->r[RDI] += step;
      if (m->fault) return X_NEXT;
      if (rep) c->r[RCX]--;
    } while (rep && (c->r[RCX] & amask));
    return X_NEXT;
  case 0xaa: { // stos
    u64 v = c->r[RAX] & MASK(sz);
    if (rep && step > 0 && d->asz == 8) {
      u64 n = c->r[RCX];
      u64 t = c->r[RDI];
      while (n) {
        u64 room = (PAGE - (t & PAGE_MASK)) / sz;
        if (room == 0) { // element straddles a page
          wr(m, t, sz, v);
          if (m->fault) break;
          t += sz; n--;
          continue;
        }
        u64 k = n < room ? n : room;
        u8 *pt = mem_wptr(m, t);
        if (!pt) break;
        if (sz == 1 || v == 0 || v == MASK(sz)) memset(pt, (int)(v & 0xff), k * sz);
        else if (sz == 8) for (u64 i = 0; i < k; i++) memcpy(pt + i * 8, &v, 8);
        else if (sz == 4) { u32 x = (u32)v; for (u64 i = 0; i < k; i++) memcpy(pt + i * 4, &x, 4); }
        else { u16 x = (u16)v; for (u64 i = 0; i < k; i++) memcpy(pt + i * 2, &x, 2); }
        t += k * sz; n -= k;
      }
      c->r[RDI] = t; c->r[RCX] = n;
      return X_NEXT;
    }
    do {
      wr(m, c->r[RDI] & amask, sz, v);
      c->r[RDI] += step;
      if (m->fault) return X_NEXT;
      if (rep) c->r[RCX]--;
    } while (rep && (c->r[RCX] & amask));
    return X_NEXT;
  }
  case 0xac: // lods
    do {
      setreg(c, d, RAX, sz, rd(m, (c->r[RSI] & amask) + segsrc, sz));
      c->r[RSI] += step;
      if (m->fault) return X_NEXT;
      if (rep) c->r[RCX]--;
    } while (rep && (c->r[RCX] & amask));
    return X_NEXT;
  case 0xa6: // cmps
    do {
      u64 a = rd(m, (c->r[RSI] & amask) + segsrc, sz), b = rd(m, c->r[RDI] & amask, sz);
      if (m->fault) return X_NEXT;
      alu(c, 7, a, b, sz);
      c->r[RSI] += step; c->r[RDI] += step;
      if (!rep) return X_NEXT;
      c->r[RCX]--;
      int z = (a & MASK(sz)) == (b & MASK(sz));
      if ((rep == 0xf3 && !z) || (rep == 0xf2 && z)) return X_NEXT;
    } while (c->r[RCX] & amask);
    return X_NEXT;
  case 0xae: // scas
    do {
      u64 b = rd(m, c->r[RDI] & amask, sz), a = c->r[RAX] & MASK(sz);
      if (m->fault) return X_NEXT;
      alu(c, 7, a, b, sz);
      c->r[RDI] += step;
      if (!rep) return X_NEXT;
      c->r[RCX]--;
      int z = a == (b & MASK(sz));
      if ((rep == 0xf3 && !z) || (rep == 0xf2 && z)) return X_NEXT;
    } while (c->r[RCX] & amask);
    return X_NEXT;
  }
  return X_NEXT;
}

static int op_mov_rm_r(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->op == 0x88 ? 1 : d->osz;
  rm_write(c, m, d, s, getreg(c, d, d->reg, s));
  return X_NEXT;
}
static int op_mov_r_rm(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->op == 0x8a ? 1 : d->osz;
  setreg(c, d, d->reg, s, rm_read(c, m, d, s));
  return X_NEXT;
}
// 32- and 64-bit register/memory moves, the most common instructions.
static int mov64_rm_r(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->hasmem) c->r[d->rm] = c->r[d->reg];
  else wr(m, d->ea, 8, c->r[d->reg]);
  return X_NEXT;
}
static int mov64_r_rm(Proc *p, Cpu *c, Mem *m, D *d) {
  c->r[d->reg] = d->hasmem ? rd(m, d->ea, 8) : c->r[d->rm];
  return X_NEXT;
}
static int mov32_rm_r(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->hasmem) c->r[d->rm] = (u32)c->r[d->reg];
  else wr(m, d->ea, 4, c->r[d->reg]);
  return X_NEXT;
}
static int mov32_r_rm(Proc *p, Cpu *c, Mem *m, D *d) {
  c->r[d->reg] = d->hasmem ? rd(m, d->ea, 4) : (u32)c->r[d->rm];
  return X_NEXT;
}
// 0F 38 F0 / F1 without F2 (which is CRC32, sse42.c): MOVBE r, m / m, r,
// the bytes reversed; 16-bit with 66. Register operands and F3 are #UD.
static int op_movbe(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->hasmem || d->rep) return X_ILL;
  int sz = d->osz;
  if (d->op == 0x2f0) {
    u64 v = rd(m, EA(d), sz);
    if (m->fault) return X_NEXT;
    setreg(c, d, d->reg, sz, sz == 2 ? __builtin_bswap16((u16)v) : sz == 4 ? __builtin_bswap32((u32)v) : __builtin_bswap64(v));
  } else {
    u64 v = c->r[d->reg];
    wr(m, EA(d), sz, sz == 2 ? __builtin_bswap16((u16)v) : sz == 4 ? __builtin_bswap32((u32)v) : __builtin_bswap64(v));
  }
  return X_NEXT;
}

Exec move_refine(D *d) {
  if ((d->op == 0x2f0 || d->op == 0x2f1) && d->rep != 0xf2) return op_movbe;
  if (d->op == 0x89 && (d->osz == 8 || d->osz == 4)) return d->osz == 8 ? mov64_rm_r : mov32_rm_r;
  if (d->op == 0x8b && (d->osz == 8 || d->osz == 4)) return d->osz == 8 ? mov64_r_rm : mov32_r_rm;
  return NULL;
}

static int op_mov_sreg(Proc *p, Cpu *c, Mem *m, D *d) { // segment selectors read as 0
  rm_write(c, m, d, d->hasmem ? 2 : d->osz, 0);
  return X_NEXT;
}
static int op_lea(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->hasmem) return X_ILL;
  setreg(c, d, d->reg, d->osz, ea_noseg(c, d));
  return X_NEXT;
}
static int op_pop_rm(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->osz == 2 ? 2 : 8;
  u64 v = pop(c, m, s);
  rm_write(c, m, d, s, v);
  return X_NEXT;
}
static int op_push_r(Proc *p, Cpu *c, Mem *m, D *d) {
  push(c, m, c->r[(d->op & 7) | ((d->rex & 1) << 3)], d->osz == 2 ? 2 : 8);
  return X_NEXT;
}
static int op_pop_r(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->osz == 2 ? 2 : 8;
  u64 v = pop(c, m, s);
  setreg(c, d, (d->op & 7) | ((d->rex & 1) << 3), s, v);
  return X_NEXT;
}
static int op_push_imm(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->osz == 2 ? 2 : 8;
  u64 v = d->op == 0x6a ? (u64)(i64)(i8)d->imm : s == 2 ? (u16)d->imm : (u64)(i64)(i32)d->imm;
  push(c, m, v, s);
  return X_NEXT;
}
static int op_movsxd(Proc *p, Cpu *c, Mem *m, D *d) {
  setreg(c, d, d->reg, d->osz, (u64)(i64)(i32)rm_read(c, m, d, 4));
  return X_NEXT;
}
static int op_xchg_rm_r(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->op == 0x86 ? 1 : d->osz;
  u64 a = rm_read(c, m, d, s), r = getreg(c, d, d->reg, s);
  rm_write(c, m, d, s, r);
  setreg(c, d, d->reg, s, a);
  return X_NEXT;
}
static int op_xchg_acc(Proc *p, Cpu *c, Mem *m, D *d) { // 90 (nop unless REX.B) .. 97
  int sz = d->osz;
  if (d->op == 0x90 && !(d->rex & 1)) return X_NEXT;
  int r = (d->op & 7) | ((d->rex & 1) << 3);
  u64 t = c->r[r];
  setreg(c, d, r, sz, c->r[RAX]);
  setreg(c, d, RAX, sz, t);
  return X_NEXT;
}
static int op_cbw(Proc *p, Cpu *c, Mem *m, D *d) {
  int sz = d->osz;
  if (sz == 8) c->r[RAX] = (u64)(i64)(i32)c->r[RAX];
  else if (sz == 4) c->r[RAX] = (u32)(i32)(i16)c->r[RAX];
  else setreg(c, d, RAX, 2, (u64)(i64)(i8)c->r[RAX]);
  return X_NEXT;
}
static int op_cwd(Proc *p, Cpu *c, Mem *m, D *d) {
  setreg(c, d, RDX, d->osz, (c->r[RAX] & SIGNB(d->osz)) ? ~0ull : 0);
  return X_NEXT;
}
static int op_mov_moffs(Proc *p, Cpu *c, Mem *m, D *d) { // A0-A3
  u64 a = d->imm + segbase(c, d);
  int s = (d->op & 1) ? d->osz : 1;
  if (d->op < 0xa2) setreg(c, d, RAX, s, rd(m, a, s));
  else wr(m, a, s, getreg(c, d, RAX, s));
  return X_NEXT;
}
static int op_mov_r8_imm(Proc *p, Cpu *c, Mem *m, D *d) {
  setreg(c, d, (d->op & 7) | ((d->rex & 1) << 3), 1, (u8)d->imm);
  return X_NEXT;
}
static int op_mov_r_imm(Proc *p, Cpu *c, Mem *m, D *d) {
  setreg(c, d, (d->op & 7) | ((d->rex & 1) << 3), d->osz, d->imm);
  return X_NEXT;
}
static int op_mov_rm_imm(Proc *p, Cpu *c, Mem *m, D *d) { // C6/C7 /0
  int s = d->op == 0xc6 ? 1 : d->osz;
  if ((d->reg & 7) != 0) return X_ILL;
  rm_write(c, m, d, s, immz(d, s));
  return X_NEXT;
}
static int op_enter(Proc *p, Cpu *c, Mem *m, D *d) {
  if (d->imm2) return X_ILL; // nesting levels are not implemented
  push(c, m, c->r[RBP], 8);
  c->r[RBP] = c->r[RSP];
  c->r[RSP] -= (u16)d->imm;
  return X_NEXT;
}
static int op_leave(Proc *p, Cpu *c, Mem *m, D *d) {
  c->r[RSP] = c->r[RBP];
  c->r[RBP] = pop(c, m, 8);
  return X_NEXT;
}
static int op_cmov(Proc *p, Cpu *c, Mem *m, D *d) {
  int sz = d->osz;
  u64 v = rm_read(c, m, d, sz);
  if (cond(c, d->op & 15)) setreg(c, d, d->reg, sz, v);
  else if (sz == 4) c->r[d->reg] = (u32)c->r[d->reg];
  return X_NEXT;
}
static int op_movzx(Proc *p, Cpu *c, Mem *m, D *d) {
  setreg(c, d, d->reg, d->osz, rm_read(c, m, d, d->op == 0x1b6 ? 1 : 2));
  return X_NEXT;
}
static int op_movsx(Proc *p, Cpu *c, Mem *m, D *d) {
  int s = d->op == 0x1be ? 1 : 2;
  setreg(c, d, d->reg, d->osz, (u64)sx(rm_read(c, m, d, s), s));
  return X_NEXT;
}
static int op_movnti(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!d->hasmem) return X_ILL;
  rm_write(c, m, d, d->osz, getreg(c, d, d->reg, d->osz));
  return X_NEXT;
}
static int op_bswap(Proc *p, Cpu *c, Mem *m, D *d) {
  int r = (d->op & 7) | ((d->rex & 1) << 3);
  if (d->osz == 8) c->r[r] = __builtin_bswap64(c->r[r]);
  else if (d->osz == 4) c->r[r] = __builtin_bswap32((u32)c->r[r]);
  else return X_ILL;
  return X_NEXT;
}

void move_ops(Exec *t) {
  t[0x88] = t[0x89] = op_mov_rm_r;
  t[0x8a] = t[0x8b] = op_mov_r_rm;
  t[0x8c] = op_mov_sreg;
  t[0x8d] = op_lea;
  t[0x8f] = op_pop_rm;
  for (int i = 0; i < 8; i++) {
    t[0x50 + i] = op_push_r;
    t[0x58 + i] = op_pop_r;
    t[0x90 + i] = op_xchg_acc;
    t[0xb0 + i] = op_mov_r8_imm;
    t[0xb8 + i] = op_mov_r_imm;
    t[0x1c8 + i] = op_bswap;
  }
  t[0x68] = t[0x6a] = op_push_imm;
  t[0x63] = op_movsxd;
  t[0x86] = t[0x87] = op_xchg_rm_r;
  t[0x98] = op_cbw;
  t[0x99] = op_cwd;
  for (int i = 0xa0; i <= 0xa3; i++) t[i] = op_mov_moffs;
  for (int i = 0xa4; i <= 0xaf; i++)
    if (i != 0xa8 && i != 0xa9) t[i] = op_string;
  t[0xc6] = t[0xc7] = op_mov_rm_imm;
  t[0xc8] = op_enter;
  t[0xc9] = op_leave;
  for (int i = 0; i < 16; i++) t[0x140 + i] = op_cmov;
  t[0x1b6] = t[0x1b7] = op_movzx;
  t[0x1be] = t[0x1bf] = op_movsx;
  t[0x1c3] = op_movnti;
}
