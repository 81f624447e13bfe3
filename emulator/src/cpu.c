// x86-64 decoder + interpreter, integer half. Decodes and executes one
// instruction at a time; arithmetic flags are recorded lazily (operation,
// operands, result) and only computed when something reads them.
#include "cpu-internal.h"
#include <stdlib.h>
#include <stdint.h>

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

static inline int getcf(Cpu *c) {
  switch (c->lf_op) {
  case F_NONE: return c->flags & CF;
  case F_SUB: return (c->lf_a & MASK(c->lf_sz)) < (c->lf_b & MASK(c->lf_sz));
  case F_ADD: return (c->lf_res & MASK(c->lf_sz)) < (c->lf_a & MASK(c->lf_sz));
  case F_LOGIC: return 0;
  default: return cpu_get_flags(c) & CF;
  }
}

static inline void setlf(Cpu *c, int op, int sz, u64 r, u64 a, u64 b) {
  c->lf_op = op;
  c->lf_sz = sz;
  c->lf_res = r;
  c->lf_a = a;
  c->lf_b = b;
}

// Result with SF/ZF/PF from `r` and explicit CF/OF.
static inline void setresco(Cpu *c, int sz, u64 r, int cf, int of) {
  setlf(c, F_RESCO, sz, r, 0, 0);
  c->lf_cin = (cf ? 1 : 0) | (of ? 2 : 0);
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

static u64 alu(Cpu *c, int op, u64 a, u64 b, int sz) {
  u64 m = MASK(sz), r;
  a &= m;
  b &= m;
  switch (op) {
  case 0: r = (a + b) & m; setlf(c, F_ADD, sz, r, a, b); return r;
  case 1: r = a | b; setlf(c, F_LOGIC, sz, r, 0, 0); return r;
  case 2: {
    int cin = getcf(c);
    r = (a + b + cin) & m;
    setlf(c, F_ADC, sz, r, a, b);
    c->lf_cin = cin;
    return r;
  }
  case 3: {
    int cin = getcf(c);
    r = (a - b - cin) & m;
    setlf(c, F_SBB, sz, r, a, b);
    c->lf_cin = cin;
    return r;
  }
  case 4: r = a & b; setlf(c, F_LOGIC, sz, r, 0, 0); return r;
  case 6: r = a ^ b; setlf(c, F_LOGIC, sz, r, 0, 0); return r;
  default: r = (a - b) & m; setlf(c, F_SUB, sz, r, a, b); return r;
  }
}

// Shifts and rotates (group 2). Count already masked.
static u64 shift(Cpu *c, int op, u64 v, unsigned cnt, int sz) {
  u64 m = MASK(sz);
  int bits = sz * 8;
  v &= m;
  if (op < 4) {
    // rotates: count mod width (rcl/rcr mod width+1)
    if (op == 0 || op == 1) {
      if ((cnt & (sz == 8 ? 63 : 31)) == 0) return v;
      cnt %= bits;
      u64 f = cpu_get_flags(c);
      u64 r = v;
      if (cnt) r = op == 0 ? ((v << cnt) | (v >> (bits - cnt))) & m : ((v >> cnt) | (v << (bits - cnt))) & m;
      int cf, of;
      if (op == 0) { cf = r & 1; of = (int)((r >> (bits - 1)) & 1) ^ cf; }
      else { cf = (r >> (bits - 1)) & 1; of = (int)(((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1); }
      f = (f & ~(u64)(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
      cpu_set_flags(c, f);
      return r;
    }
    cnt &= (sz == 8 ? 63 : 31);
    if (!cnt) return v;
    u64 f = cpu_get_flags(c);
    int cf = f & CF;
    cnt %= bits + 1;
    for (unsigned i = 0; i < cnt; i++) {
      if (op == 2) { // rcl
        int out = (v >> (bits - 1)) & 1;
        v = ((v << 1) | cf) & m;
        cf = out;
      } else { // rcr
        int out = v & 1;
        v = (v >> 1) | ((u64)cf << (bits - 1));
        cf = out;
      }
    }
    int of = op == 2 ? (int)((v >> (bits - 1)) & 1) ^ cf : (int)(((v >> (bits - 1)) ^ (v >> (bits - 2))) & 1);
    f = (f & ~(u64)(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
    cpu_set_flags(c, f);
    return v;
  }
  cnt &= (sz == 8 ? 63 : 31);
  if (!cnt) return v;
  u64 r;
  int cf, of;
  switch (op) {
  case 4: case 6: // shl
    r = cnt >= 64 ? 0 : (v << cnt) & m;
    cf = cnt <= (unsigned)bits ? (int)((v >> (bits - cnt)) & 1) : 0;
    of = (int)((r >> (bits - 1)) & 1) ^ cf;
    break;
  case 5: // shr
    r = cnt >= 64 ? 0 : v >> cnt;
    cf = cnt <= (unsigned)bits ? (int)((v >> (cnt - 1)) & 1) : 0;
    of = (int)((v >> (bits - 1)) & 1);
    break;
  default: { // sar
    i64 s = sx(v, sz);
    unsigned k = cnt >= (unsigned)bits ? (unsigned)bits - 1 : cnt;
    r = (u64)(s >> k) & m;
    cf = (int)((s >> (cnt >= (unsigned)bits ? bits - 1 : cnt - 1)) & 1);
    of = 0;
  }
  }
  setresco(c, sz, r, cf, of);
  return r;
}

static void push(Cpu *c, Mem *m, u64 v, int sz) {
  c->r[RSP] -= sz;
  wr(m, c->r[RSP], sz, v);
}
static u64 pop(Cpu *c, Mem *m, int sz) {
  u64 v = rd(m, c->r[RSP], sz);
  c->r[RSP] += sz;
  return v;
}

static void cpuid(Cpu *c) {
  u32 leaf = (u32)c->r[RAX], sub = (u32)c->r[RCX];
  u32 a = 0, b = 0, cx = 0, dx = 0;
  switch (leaf) {
  case 0:
    a = 0xd;
    memcpy(&b, "Genu", 4);
    memcpy(&dx, "ineI", 4);
    memcpy(&cx, "ntel", 4);
    break;
  case 1:
    a = 0x000306c3; // family 6 model 0x3c, a plain x86-64 core
    b = (8u << 8) | (1u << 16);
    // ecx: CX16(13) POPCNT(23); edx: FPU TSC MSR CX8 CMOV CLFSH MMX FXSR SSE SSE2
    cx = (1u << 13) | (1u << 23);
    dx = 1u | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 15) | (1u << 19) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26);
    break;
  case 2: a = 0x00ff0001; break; // "use leaf 4"
  case 4: {
    // L1d 32K 8-way, L1i 32K, L2 256K, L3 8M; 64-byte lines
    static const u32 t[4][4] = {{1, 1, 8, 64}, {2, 1, 8, 64}, {3, 2, 4, 1024}, {3, 3, 16, 8192}};
    if (sub < 4) {
      a = t[sub][0] | (t[sub][1] << 5) | (1u << 8);
      b = 63 | ((t[sub][2] - 1) << 22);
      cx = t[sub][3] - 1;
    }
    break;
  }
  case 7:
    if (sub == 0) b = (1u << 3) | (1u << 9); // BMI1, ERMS
    break;
  case 0x80000000: a = 0x80000008; break;
  case 0x80000001: cx = 1u | (1u << 5); dx = (1u << 11) | (1u << 20) | (1u << 29); break; // LAHF LZCNT; SYSCALL NX LM
  case 0x80000002: case 0x80000003: case 0x80000004: {
    static const char brand[49] = "Trellis x86-64 user-mode emulator               ";
    const char *s = brand + (leaf - 0x80000002) * 16;
    memcpy(&a, s, 4); memcpy(&b, s + 4, 4); memcpy(&cx, s + 8, 4); memcpy(&dx, s + 12, 4);
    break;
  }
  case 0x80000006: cx = (256u << 16) | (8u << 12) | 64; break;
  case 0x80000008: a = 0x3030; break;
  }
  c->r[RAX] = a;
  c->r[RBX] = b;
  c->r[RCX] = cx;
  c->r[RDX] = dx;
}

static void sigill(Proc *p, D *d) {
  char hex[64] = "";
  // the bytes the decoder consumed; for VEX/EVEX-encoded instructions (which
  // this CPU does not have) the prefix, opcode and ModRM
  int n = (int)(d->ip - d->base);
  const u8 *q = d->base;
  while (q < d->base + 14 && (*q == 0x66 || *q == 0x67 || *q == 0xf2 || *q == 0xf3 || *q == 0xf0 || *q == 0x2e || *q == 0x3e || *q == 0x26 || *q == 0x36 || *q == 0x64 || *q == 0x65 || (*q & 0xf0) == 0x40)) q++;
  if (*q == 0xc5) n = (int)(q - d->base) + 4;
  else if (*q == 0xc4) n = (int)(q - d->base) + 5;
  else if (*q == 0x62) n = (int)(q - d->base) + 6;
  if (n < 1) n = 1;
  if (n > 15) n = 15;
  if (n > d->avail) n = d->avail;
  for (int i = 0; i < n; i++) snprintf(hex + strlen(hex), sizeof hex - strlen(hex), "%s%02x", i ? " " : "", d->base[i]);
  fprintf(stderr, "trellis-x86: SIGILL: unimplemented or undefined instruction [%s] at rip=0x%llx (pid %d)\n", hex,
          (unsigned long long)d->start, p->pid);
  p->cpu.rip = d->start;
  fault_signal(p, 4, 2, d->start); // ILL_ILLOPN
}

static void segv(Proc *p, u64 rip) {
  if (trace_on)
    fprintf(stderr, "trellis-x86: SIGSEGV: bad access at 0x%llx, rip=0x%llx (pid %d)\n",
            (unsigned long long)p->mem->fault_addr, (unsigned long long)rip, p->pid);
  u64 addr = p->mem->fault_addr;
  p->mem->fault = 0;
  p->cpu.rip = rip;
  fault_signal(p, 11, mem_is_mapped(p->mem, addr) ? 2 : 1, addr); // SEGV_ACCERR / SEGV_MAPERR
}

// String instructions. `op` is the base opcode (a4..af).
static void string_op(Proc *p, Cpu *c, Mem *m, D *d, int op) {
  int sz = (op & 1) ? d->osz : 1;
  i64 step = (c->flags & DF) ? -sz : sz;
  u64 amask = d->asz == 4 ? 0xffffffffull : ~0ull;
  int rep = d->rep;
  u64 segsrc = d->seg ? d->segbase : 0;
  if (rep && (c->r[RCX] & amask) == 0) return;
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
      return;
    }
    do {
      wr(m, c->r[RDI] & amask, sz, rd(m, (c->r[RSI] & amask) + segsrc, sz));
      c->r[RSI] += step; c->r[RDI] += step;
      if (m->fault) return;
      if (rep) c->r[RCX]--;
    } while (rep && (c->r[RCX] & amask));
    return;
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
        if (sz == 1) memset(pt, (int)v, k);
        else for (u64 i = 0; i < k; i++) memcpy(pt + i * sz, &v, sz);
        t += k * sz; n -= k;
      }
      c->r[RDI] = t; c->r[RCX] = n;
      return;
    }
    do {
      wr(m, c->r[RDI] & amask, sz, v);
      c->r[RDI] += step;
      if (m->fault) return;
      if (rep) c->r[RCX]--;
    } while (rep && (c->r[RCX] & amask));
    return;
  }
  case 0xac: // lods
    do {
      setreg(c, d, RAX, sz, rd(m, (c->r[RSI] & amask) + segsrc, sz));
      c->r[RSI] += step;
      if (m->fault) return;
      if (rep) c->r[RCX]--;
    } while (rep && (c->r[RCX] & amask));
    return;
  case 0xa6: // cmps
    do {
      u64 a = rd(m, (c->r[RSI] & amask) + segsrc, sz), b = rd(m, c->r[RDI] & amask, sz);
      if (m->fault) return;
      alu(c, 7, a, b, sz);
      c->r[RSI] += step; c->r[RDI] += step;
      if (!rep) return;
      c->r[RCX]--;
      int z = (a & MASK(sz)) == (b & MASK(sz));
      if ((rep == 0xf3 && !z) || (rep == 0xf2 && z)) return;
    } while (c->r[RCX] & amask);
    return;
  case 0xae: // scas
    do {
      u64 b = rd(m, c->r[RDI] & amask, sz), a = c->r[RAX] & MASK(sz);
      if (m->fault) return;
      alu(c, 7, a, b, sz);
      c->r[RDI] += step;
      if (!rep) return;
      c->r[RCX]--;
      int z = a == (b & MASK(sz));
      if ((rep == 0xf3 && !z) || (rep == 0xf2 && z)) return;
    } while (c->r[RCX] & amask);
    return;
  }
}

static int bitscan(Cpu *c, D *d, Mem *m, int op) {
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
  return 1;
}

static void muldiv(Proc *p, Cpu *c, Mem *m, D *d, int sz, int op, int *ok) {
  u64 v = rm_read(c, m, d, sz);
  u64 mk = MASK(sz);
  switch (op) {
  case 4: { // mul
    if (sz == 8) {
      unsigned __int128 r = (unsigned __int128)c->r[RAX] * v;
      c->r[RAX] = (u64)r; c->r[RDX] = (u64)(r >> 64);
      setresco(c, 8, (u64)r, c->r[RDX] != 0, c->r[RDX] != 0);
    } else if (sz == 1) {
      u64 r = (c->r[RAX] & 0xff) * v;
      setreg(c, d, RAX, 2, r);
      setresco(c, 1, r, (r >> 8) != 0, (r >> 8) != 0);
    } else {
      u64 r = (c->r[RAX] & mk) * v;
      setreg(c, d, RAX, sz, r);
      setreg(c, d, RDX, sz, r >> (sz * 8));
      int hi = (r >> (sz * 8)) != 0;
      setresco(c, sz, r, hi, hi);
    }
    return;
  }
  case 5: { // imul
    if (sz == 8) {
      __int128 r = (__int128)(i64)c->r[RAX] * (i64)v;
      c->r[RAX] = (u64)r; c->r[RDX] = (u64)((unsigned __int128)r >> 64);
      int o = r != (i64)r;
      setresco(c, 8, (u64)r, o, o);
    } else {
      i64 r = sx(c->r[RAX], sz) * sx(v, sz);
      if (sz == 1) setreg(c, d, RAX, 2, (u64)r);
      else { setreg(c, d, RAX, sz, (u64)r); setreg(c, d, RDX, sz, (u64)r >> (sz * 8)); }
      int o = r != sx((u64)r, sz);
      setresco(c, sz, (u64)r, o, o);
    }
    return;
  }
  case 6: case 7: {
    if ((v & mk) == 0) { *ok = -1; return; }
    if (op == 6) {
      if (sz == 8) {
        unsigned __int128 n = ((unsigned __int128)c->r[RDX] << 64) | c->r[RAX];
        unsigned __int128 q = n / v;
        if (q >> 64) { *ok = -1; return; }
        c->r[RAX] = (u64)q; c->r[RDX] = (u64)(n % v);
      } else if (sz == 1) {
        u64 n = c->r[RAX] & 0xffff, q = n / v;
        if (q > 0xff) { *ok = -1; return; }
        setreg(c, d, RAX, 2, ((n % v) << 8) | q);
      } else {
        u64 n = ((c->r[RDX] & mk) << (sz * 8)) | (c->r[RAX] & mk), q = n / v;
        if (q > mk) { *ok = -1; return; }
        setreg(c, d, RAX, sz, q); setreg(c, d, RDX, sz, n % v);
      }
    } else {
      i64 dv = sx(v, sz);
      if (sz == 8) {
        __int128 n = (__int128)(((unsigned __int128)c->r[RDX] << 64) | c->r[RAX]);
        __int128 q = n / dv;
        if (q != (i64)q) { *ok = -1; return; }
        c->r[RAX] = (u64)(i64)q; c->r[RDX] = (u64)(i64)(n % dv);
      } else if (sz == 1) {
        i64 n = (i16)(c->r[RAX] & 0xffff), q = n / dv;
        if (q != (i8)q) { *ok = -1; return; }
        setreg(c, d, RAX, 2, (((u64)(n % dv) & 0xff) << 8) | ((u64)q & 0xff));
      } else {
        i64 n = sx(((c->r[RDX] & mk) << (sz * 8)) | (c->r[RAX] & mk), sz * 2);
        if (dv == -1 && n == INT64_MIN) { *ok = -1; return; }
        i64 q = n / dv;
        if (q != sx((u64)q, sz)) { *ok = -1; return; }
        setreg(c, d, RAX, sz, (u64)q); setreg(c, d, RDX, sz, (u64)(n % dv));
      }
    }
    return;
  }
  }
}

void cpu_run(Proc *p, long budget) {
  Cpu *c = &p->cpu;
  Mem *m = p->mem;
  u8 fb[32];
  while (budget-- > 0) {
    D dd, *d = &dd;
    u64 rip = c->rip;
    d->start = rip;
    // fetch: point into the page when 15 bytes fit, else assemble a copy
    u8 *hp = mem_rptr(m, rip);
    if (!hp) { segv(p, rip); return; }
    if ((rip & PAGE_MASK) <= PAGE - 16) {
      d->base = hp;
      d->avail = 16;
    } else {
      int n = (int)(PAGE - (rip & PAGE_MASK));
      memcpy(fb, hp, n);
      u8 *h2 = mem_rptr(m, rip + n);
      if (h2) { memcpy(fb + n, h2, 16); n += 16; }
      else m->fault = 0;
      memset(fb + n, 0, sizeof fb - n);
      d->base = fb;
      d->avail = n;
    }
    d->ip = d->base;
    d->osz = 4; d->asz = 8; d->rep = 0; d->pfx66 = 0; d->rex = 0; d->seg = 0; d->segbase = 0; d->hasmem = 0; d->riprel = 0;
    int b;
    for (;;) {
      b = f8(d);
      switch (b) {
      case 0x66: d->pfx66 = 1; d->osz = 2; d->rex = 0; continue;
      case 0x67: d->asz = 4; d->rex = 0; continue;
      case 0xf2: case 0xf3: d->rep = b; d->rex = 0; continue;
      case 0xf0: case 0x2e: case 0x3e: case 0x26: case 0x36: d->rex = 0; continue;
      case 0x64: d->seg = 4; d->segbase = c->fsbase; d->rex = 0; continue;
      case 0x65: d->seg = 5; d->segbase = c->gsbase; d->rex = 0; continue;
      }
      if ((b & 0xf0) == 0x40) {
        d->rex = b;
        if (b & 8) d->osz = 8;
        continue;
      }
      break;
    }
    if (d->rex && !(d->rex & 8) && d->pfx66) d->osz = 2;
    int op = b;
    if (b == 0x0f) {
      op = 0x100 | f8(d);
      if (op == 0x138) op = 0x200 | f8(d);
      else if (op == 0x13a) op = 0x300 | f8(d);
    }
    int sz = d->osz;
    int ok = 1;
    switch (op) {
    // ---- ALU 00..3f ----
    case 0x00: case 0x08: case 0x10: case 0x18: case 0x20: case 0x28: case 0x30: case 0x38:
    case 0x01: case 0x09: case 0x11: case 0x19: case 0x21: case 0x29: case 0x31: case 0x39: {
      int s = (op & 1) ? sz : 1, o = op >> 3;
      modrm(c, d);
      u64 r = alu(c, o, rm_read(c, m, d, s), getreg(c, d, d->reg, s), s);
      if (o != 7) rm_write(c, m, d, s, r);
      break;
    }
    case 0x02: case 0x0a: case 0x12: case 0x1a: case 0x22: case 0x2a: case 0x32: case 0x3a:
    case 0x03: case 0x0b: case 0x13: case 0x1b: case 0x23: case 0x2b: case 0x33: case 0x3b: {
      int s = (op & 1) ? sz : 1, o = op >> 3;
      modrm(c, d);
      u64 r = alu(c, o, getreg(c, d, d->reg, s), rm_read(c, m, d, s), s);
      if (o != 7) setreg(c, d, d->reg, s, r);
      break;
    }
    case 0x04: case 0x0c: case 0x14: case 0x1c: case 0x24: case 0x2c: case 0x34: case 0x3c:
    case 0x05: case 0x0d: case 0x15: case 0x1d: case 0x25: case 0x2d: case 0x35: case 0x3d: {
      int s = (op & 1) ? sz : 1, o = op >> 3;
      u64 imm = fimm(d, s);
      u64 r = alu(c, o, getreg(c, d, RAX, s), imm, s);
      if (o != 7) setreg(c, d, RAX, s, r);
      break;
    }
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57: {
      int r = (op & 7) | ((d->rex & 1) << 3);
      u64 v = c->r[r];
      push(c, m, v, sz == 2 ? 2 : 8);
      break;
    }
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: {
      int r = (op & 7) | ((d->rex & 1) << 3);
      u64 v = pop(c, m, sz == 2 ? 2 : 8);
      setreg(c, d, r, sz == 2 ? 2 : 8, v);
      break;
    }
    case 0x63: // movsxd
      modrm(c, d);
      setreg(c, d, d->reg, sz, (u64)(i64)(i32)rm_read(c, m, d, 4));
      break;
    case 0x68: push(c, m, sz == 2 ? f16(d) : (u64)(i64)(i32)f32(d), sz == 2 ? 2 : 8); break;
    case 0x6a: push(c, m, (u64)(i64)(i8)f8(d), sz == 2 ? 2 : 8); break;
    case 0x69: case 0x6b: case 0x1af: {
      modrm(c, d);
      i64 imm = 0;
      if (op == 0x69) imm = sx(fimm(d, sz == 8 ? 4 : sz), sz == 8 ? 4 : sz);
      else if (op == 0x6b) imm = (i8)f8(d);
      i64 a = op == 0x1af ? sx(getreg(c, d, d->reg, sz), sz) : imm;
      i64 bv = sx(rm_read(c, m, d, sz), sz);
      int o;
      u64 r;
      if (sz == 8) {
        __int128 x = (__int128)a * bv;
        r = (u64)x;
        o = x != (i64)x;
      } else {
        i64 x = a * bv;
        r = (u64)x;
        o = x != sx((u64)x, sz);
      }
      setreg(c, d, d->reg, sz, r);
      setresco(c, sz, r, o, o);
      break;
    }
    case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
      i64 rel = (i8)f8(d);
      if (cpu_cond(c, op & 15)) { c->rip = next_rip(d) + rel; goto jumped; }
      break;
    }
    case 0x180: case 0x181: case 0x182: case 0x183: case 0x184: case 0x185: case 0x186: case 0x187:
    case 0x188: case 0x189: case 0x18a: case 0x18b: case 0x18c: case 0x18d: case 0x18e: case 0x18f: {
      i64 rel = (i32)f32(d);
      if (cpu_cond(c, op & 15)) { c->rip = next_rip(d) + rel; goto jumped; }
      break;
    }
    case 0x80: case 0x81: case 0x83: {
      int s = op == 0x80 ? 1 : sz;
      modrm(c, d);
      u64 imm = op == 0x83 ? (u64)(i64)(i8)f8(d) : fimm(d, s);
      int o = d->reg & 7;
      u64 r = alu(c, o, rm_read(c, m, d, s), imm, s);
      if (o != 7) rm_write(c, m, d, s, r);
      break;
    }
    case 0x84: case 0x85: {
      int s = op == 0x84 ? 1 : sz;
      modrm(c, d);
      alu(c, 4, rm_read(c, m, d, s), getreg(c, d, d->reg, s), s);
      break;
    }
    case 0x86: case 0x87: {
      int s = op == 0x86 ? 1 : sz;
      modrm(c, d);
      u64 a = rm_read(c, m, d, s), r = getreg(c, d, d->reg, s);
      rm_write(c, m, d, s, r);
      setreg(c, d, d->reg, s, a);
      break;
    }
    case 0x88: modrm(c, d); rm_write(c, m, d, 1, getreg(c, d, d->reg, 1)); break;
    case 0x89: modrm(c, d); rm_write(c, m, d, sz, getreg(c, d, d->reg, sz)); break;
    case 0x8a: modrm(c, d); setreg(c, d, d->reg, 1, rm_read(c, m, d, 1)); break;
    case 0x8b: modrm(c, d); setreg(c, d, d->reg, sz, rm_read(c, m, d, sz)); break;
    case 0x8c: modrm(c, d); rm_write(c, m, d, d->hasmem ? 2 : sz, 0); break; // segment selectors read as 0
    case 0x8d: {
      modrm(c, d);
      if (!d->hasmem) { ok = 0; break; }
      u64 a = d->riprel ? d->ea + next_rip(d) : d->ea - d->segbase;
      if (d->asz == 4) a = (u32)a;
      setreg(c, d, d->reg, sz, a);
      break;
    }
    case 0x8f: {
      modrm(c, d);
      u64 v = pop(c, m, sz == 2 ? 2 : 8);
      rm_write(c, m, d, sz == 2 ? 2 : 8, v);
      break;
    }
    case 0x90:
      if (d->rex & 1) { u64 t = c->r[8]; setreg(c, d, 8, sz, c->r[RAX]); setreg(c, d, RAX, sz, t); }
      break;
    case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97: {
      int r = (op & 7) | ((d->rex & 1) << 3);
      u64 t = c->r[r];
      setreg(c, d, r, sz, c->r[RAX]);
      setreg(c, d, RAX, sz, t);
      break;
    }
    case 0x98:
      if (sz == 8) c->r[RAX] = (u64)(i64)(i32)c->r[RAX];
      else if (sz == 4) c->r[RAX] = (u32)(i32)(i16)c->r[RAX];
      else setreg(c, d, RAX, 2, (u64)(i64)(i8)c->r[RAX]);
      break;
    case 0x99: {
      u64 s = (c->r[RAX] & SIGNB(sz)) ? ~0ull : 0;
      setreg(c, d, RDX, sz, s);
      break;
    }
    case 0x9b: break; // fwait
    case 0x9c: push(c, m, cpu_get_flags(c) & 0xfcffff, sz == 2 ? 2 : 8); break;
    case 0x9d: {
      u64 f = pop(c, m, sz == 2 ? 2 : 8);
      if (sz == 2) f = (cpu_get_flags(c) & ~0xffffull) | f;
      cpu_set_flags(c, (f & 0x254dd5) | 0x202);
      break;
    }
    case 0x9e: { u64 f = cpu_get_flags(c); cpu_set_flags(c, (f & ~0xd5ull) | ((c->r[RAX] >> 8) & 0xd5)); break; }
    case 0x9f: d->rex = 0; setreg(c, d, 4, 1, (cpu_get_flags(c) & 0xd5) | 2); break;
    case 0xa0: case 0xa1: case 0xa2: case 0xa3: {
      u64 a = d->asz == 8 ? f64(d) : f32(d);
      a += d->segbase;
      int s = (op & 1) ? sz : 1;
      if (op < 0xa2) setreg(c, d, RAX, s, rd(m, a, s));
      else wr(m, a, s, getreg(c, d, RAX, s));
      break;
    }
    case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:
      string_op(p, c, m, d, op);
      break;
    case 0xa8: alu(c, 4, c->r[RAX], f8(d), 1); break;
    case 0xa9: { u64 imm = fimm(d, sz); alu(c, 4, c->r[RAX], imm, sz); break; }
    case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
      setreg(c, d, (op & 7) | ((d->rex & 1) << 3), 1, f8(d));
      break;
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf: {
      u64 v = sz == 8 ? f64(d) : sz == 4 ? f32(d) : f16(d);
      setreg(c, d, (op & 7) | ((d->rex & 1) << 3), sz, v);
      break;
    }
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      int s = (op & 1) ? sz : 1;
      modrm(c, d);
      unsigned cnt = op <= 0xc1 ? f8(d) : op <= 0xd1 ? 1 : (unsigned)(c->r[RCX] & 0xff);
      u64 v = rm_read(c, m, d, s);
      u64 r = shift(c, d->reg & 7, v, cnt, s);
      rm_write(c, m, d, s, r);
      break;
    }
    case 0xc2: { u16 n = f16(d); c->rip = pop(c, m, 8); c->r[RSP] += n; goto jumped; }
    case 0xc3: c->rip = pop(c, m, 8); goto jumped;
    case 0xc6: case 0xc7: {
      int s = op == 0xc6 ? 1 : sz;
      modrm(c, d);
      if ((d->reg & 7) != 0) { ok = 0; break; }
      u64 imm = fimm(d, s);
      rm_write(c, m, d, s, imm);
      break;
    }
    case 0xc8: {
      u16 n = f16(d);
      u8 lvl = f8(d);
      if (lvl) { ok = 0; break; }
      push(c, m, c->r[RBP], 8);
      c->r[RBP] = c->r[RSP];
      c->r[RSP] -= n;
      break;
    }
    case 0xc9: c->r[RSP] = c->r[RBP]; c->r[RBP] = pop(c, m, 8); break;
    case 0xcc: c->rip = next_rip(d); fault_signal(p, 5, 128, 0); return;
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: {
      i64 rel = (i8)f8(d);
      u64 amask = d->asz == 4 ? 0xffffffffull : ~0ull;
      int take;
      if (op == 0xe3) take = (c->r[RCX] & amask) == 0;
      else {
        u64 n = (c->r[RCX] - 1) & amask;
        if (d->asz == 4) c->r[RCX] = n; else c->r[RCX] = n;
        take = n != 0;
        if (op == 0xe0) take = take && !cpu_cond(c, 4);
        if (op == 0xe1) take = take && cpu_cond(c, 4);
      }
      if (take) { c->rip = next_rip(d) + rel; goto jumped; }
      break;
    }
    case 0xe8: { i64 rel = (i32)f32(d); u64 n = next_rip(d); push(c, m, n, 8); c->rip = n + rel; goto jumped; }
    case 0xe9: { i64 rel = (i32)f32(d); c->rip = next_rip(d) + rel; goto jumped; }
    case 0xeb: { i64 rel = (i8)f8(d); c->rip = next_rip(d) + rel; goto jumped; }
    case 0xf4: c->rip = rip; fault_signal(p, 11, 128, 0); return; // hlt is privileged
    case 0xf5: cpu_set_flags(c, cpu_get_flags(c) ^ CF); break;
    case 0xf6: case 0xf7: {
      int s = op == 0xf6 ? 1 : sz;
      modrm(c, d);
      int o = d->reg & 7;
      if (o == 0 || o == 1) { u64 imm = fimm(d, s); alu(c, 4, rm_read(c, m, d, s), imm, s); }
      else if (o == 2) rm_write(c, m, d, s, ~rm_read(c, m, d, s));
      else if (o == 3) { u64 v = rm_read(c, m, d, s); u64 r = alu(c, 5, 0, v, s); rm_write(c, m, d, s, r); }
      else {
        muldiv(p, c, m, d, s, o, &ok);
        if (ok < 0) { c->rip = rip; fault_signal(p, 8, 1, rip); return; } // FPE_INTDIV
      }
      break;
    }
    case 0xf8: cpu_set_flags(c, cpu_get_flags(c) & ~(u64)CF); break;
    case 0xf9: cpu_set_flags(c, cpu_get_flags(c) | CF); break;
    case 0xfc: c->flags &= ~(u64)DF; break;
    case 0xfd: c->flags |= DF; break;
    case 0xfe: case 0xff: {
      int s = op == 0xfe ? 1 : sz;
      modrm(c, d);
      int o = d->reg & 7;
      if (o == 0 || o == 1) {
        int cf = getcf(c);
        u64 v = rm_read(c, m, d, s);
        u64 r = (o == 0 ? v + 1 : v - 1) & MASK(s);
        setlf(c, o == 0 ? F_INC : F_DEC, s, r, v, 1);
        c->lf_cin = cf;
        rm_write(c, m, d, s, r);
      } else if (op == 0xff && o == 2) {
        u64 t = rm_read(c, m, d, 8);
        push(c, m, next_rip(d), 8);
        c->rip = t;
        if (m->fault) break;
        goto jumped;
      } else if (op == 0xff && o == 4) {
        c->rip = rm_read(c, m, d, 8);
        if (m->fault) break;
        goto jumped;
      } else if (op == 0xff && o == 6) {
        u64 v = rm_read(c, m, d, sz == 2 ? 2 : 8);
        push(c, m, v, sz == 2 ? 2 : 8);
      } else ok = 0;
      break;
    }
    // ---- two-byte map ----
    case 0x105: // syscall
      c->rip = next_rip(d);
      c->r[RCX] = c->rip;
      c->r[11] = cpu_get_flags(c);
      if (do_syscall(p) == SYS_BLOCK) {
        c->rip = rip;
        return;
      }
      p->insns++;
      extern int resched;
      if (p->state != P_RUN || p != cur || p->vfork_wait || resched) { resched = 0; return; }
      m = p->mem; // execve replaces the address space
      continue;
    case 0x10b: ok = 0; break; // ud2
    case 0x10d: case 0x118: case 0x119: case 0x11a: case 0x11b: case 0x11c: case 0x11d: case 0x11e: case 0x11f:
      modrm(c, d); // prefetch / hint nops / endbr64
      break;
    case 0x131: {
      u64 t = mono_ns() * 3; // a 3 GHz-like counter
      c->r[RAX] = (u32)t;
      c->r[RDX] = t >> 32;
      break;
    }
    case 0x140: case 0x141: case 0x142: case 0x143: case 0x144: case 0x145: case 0x146: case 0x147:
    case 0x148: case 0x149: case 0x14a: case 0x14b: case 0x14c: case 0x14d: case 0x14e: case 0x14f: {
      modrm(c, d);
      u64 v = rm_read(c, m, d, sz);
      if (cpu_cond(c, op & 15)) setreg(c, d, d->reg, sz, v);
      else if (sz == 4) c->r[d->reg] = (u32)c->r[d->reg];
      break;
    }
    case 0x190: case 0x191: case 0x192: case 0x193: case 0x194: case 0x195: case 0x196: case 0x197:
    case 0x198: case 0x199: case 0x19a: case 0x19b: case 0x19c: case 0x19d: case 0x19e: case 0x19f:
      modrm(c, d);
      rm_write(c, m, d, 1, cpu_cond(c, op & 15));
      break;
    case 0x1a2: cpuid(c); break;
    case 0x1a3: case 0x1ab: case 0x1b3: case 0x1bb: case 0x1ba: {
      modrm(c, d);
      int o;
      i64 bit;
      if (op == 0x1ba) {
        o = d->reg & 7;
        if (o < 4) { ok = 0; break; }
        bit = f8(d) & (sz * 8 - 1);
      } else {
        o = op == 0x1a3 ? 4 : op == 0x1ab ? 5 : op == 0x1b3 ? 6 : 7;
        bit = sx(getreg(c, d, d->reg, sz), sz);
      }
      u64 v;
      u64 addr = 0;
      if (d->hasmem) {
        addr = EA(d);
        if (op != 0x1ba) {
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
      break;
    }
    case 0x1a4: case 0x1a5: case 0x1ac: case 0x1ad: {
      modrm(c, d);
      unsigned cnt = (op & 1) ? (unsigned)(c->r[RCX] & 0xff) : f8(d);
      cnt &= sz == 8 ? 63 : 31;
      if (!cnt) break;
      int bits = sz * 8;
      u64 dst = rm_read(c, m, d, sz), src = getreg(c, d, d->reg, sz), r;
      int cf;
      if (sz == 2 && cnt > 16) { ok = 0; break; }
      if (op < 0x1ac) { // shld
        r = ((dst << cnt) | (src >> (bits - cnt))) & MASK(sz);
        cf = (dst >> (bits - cnt)) & 1;
      } else {
        r = ((dst >> cnt) | (src << (bits - cnt))) & MASK(sz);
        cf = (dst >> (cnt - 1)) & 1;
      }
      int of = ((r ^ dst) >> (bits - 1)) & 1;
      rm_write(c, m, d, sz, r);
      setresco(c, sz, r, cf, of);
      break;
    }
    case 0x1ae: {
      modrm(c, d);
      int o = d->reg & 7;
      if (!d->hasmem) { if (o >= 5) break; ok = 0; break; } // lfence/mfence/sfence
      if (d->rep || d->pfx66) { ok = 0; break; }
      u64 a = EA(d);
      if (o == 0) fxsave(c, m, a);
      else if (o == 1) fxrstor(c, m, a);
      else if (o == 2) c->mxcsr = (u32)rd(m, a, 4);
      else if (o == 3) wr(m, a, 4, c->mxcsr);
      else if (o == 7) {} // clflush
      else ok = 0;
      break;
    }
    case 0x1b0: case 0x1b1: {
      int s = op == 0x1b0 ? 1 : sz;
      modrm(c, d);
      u64 v = rm_read(c, m, d, s);
      u64 a = getreg(c, d, RAX, s);
      alu(c, 7, a, v, s);
      if ((a & MASK(s)) == (v & MASK(s))) rm_write(c, m, d, s, getreg(c, d, d->reg, s));
      else {
        setreg(c, d, RAX, s, v);
        if (d->hasmem) wr(m, EA(d), s, v); // the locked write-back
      }
      break;
    }
    case 0x1b6: case 0x1b7: modrm(c, d); setreg(c, d, d->reg, sz, rm_read(c, m, d, op == 0x1b6 ? 1 : 2)); break;
    case 0x1be: case 0x1bf: {
      modrm(c, d);
      int s = op == 0x1be ? 1 : 2;
      setreg(c, d, d->reg, sz, (u64)sx(rm_read(c, m, d, s), s));
      break;
    }
    case 0x1b8:
      if (d->rep != 0xf3) { ok = 0; break; }
      modrm(c, d);
      bitscan(c, d, m, op);
      break;
    case 0x1bc: case 0x1bd: modrm(c, d); bitscan(c, d, m, op); break;
    case 0x1c0: case 0x1c1: {
      int s = op == 0x1c0 ? 1 : sz;
      modrm(c, d);
      u64 v = rm_read(c, m, d, s), r = getreg(c, d, d->reg, s);
      u64 sum = alu(c, 0, v, r, s);
      setreg(c, d, d->reg, s, v);
      rm_write(c, m, d, s, sum);
      break;
    }
    case 0x1c3: modrm(c, d); if (!d->hasmem) { ok = 0; break; } rm_write(c, m, d, sz, getreg(c, d, d->reg, sz)); break;
    case 0x1c7: {
      modrm(c, d);
      int o = d->reg & 7;
      if (o == 1 && d->hasmem) {
        u64 a = EA(d);
        u64 f = cpu_get_flags(c) & ~(u64)ZF;
        if (sz == 8) { // cmpxchg16b
          u64 lo = rd(m, a, 8), hi = rd(m, a + 8, 8);
          if (lo == c->r[RAX] && hi == c->r[RDX]) { wr(m, a, 8, c->r[RBX]); wr(m, a + 8, 8, c->r[RCX]); f |= ZF; }
          else { c->r[RAX] = lo; c->r[RDX] = hi; }
        } else {
          u64 v = rd(m, a, 8);
          if ((u32)v == (u32)c->r[RAX] && (v >> 32) == (u32)c->r[RDX]) { wr(m, a, 8, (c->r[RCX] << 32) | (u32)c->r[RBX]); f |= ZF; }
          else { c->r[RAX] = (u32)v; c->r[RDX] = v >> 32; }
        }
        cpu_set_flags(c, f);
      } else ok = 0;
      break;
    }
    case 0x1c8: case 0x1c9: case 0x1ca: case 0x1cb: case 0x1cc: case 0x1cd: case 0x1ce: case 0x1cf: {
      int r = (op & 7) | ((d->rex & 1) << 3);
      if (sz == 8) c->r[r] = __builtin_bswap64(c->r[r]);
      else if (sz == 4) c->r[r] = __builtin_bswap32((u32)c->r[r]);
      else ok = 0;
      break;
    }
    default:
      if ((op >= 0xd8 && op <= 0xdf)) ok = exec_x87(c, m, d, op);
      else if (op >= 0x100) ok = exec_sse(c, m, d, op);
      else ok = 0;
    }
    if (!ok || (d->ip - d->base) > 15 || (d->ip - d->base) > d->avail) {
      if (ok && (d->ip - d->base) > d->avail) { m->fault = 1; m->fault_addr = rip + d->avail; segv(p, rip); return; }
      sigill(p, d);
      return;
    }
    if (m->fault) { segv(p, rip); return; }
    c->rip = next_rip(d);
    p->insns++;
    continue;
  jumped:
    if (m->fault) { segv(p, rip); return; }
    p->insns++;
  }
}
