// System family: flag instructions (PUSHF/POPF/SAHF/LAHF/CMC/CLC/STC/
// CLD/STD), CPUID, RDTSC, FWAIT, hint NOPs, fences and the FXSAVE group.
#include "cpu-internal.h"

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
    // family 6 model 0x1a (Nehalem): an x86-64-v2 core without AVX. glibc then
    // assumes fast unaligned copies and takes its SSE2 memmove (bulk REP MOVSB
    // here) over the SSSE3 one; with Haswell's 0x3c and no AVX it did not
    // (python3 string work: +1.3% host instructions, README)
    a = 0x000106a5;
    b = (8u << 8) | (1u << 16);
    // ecx: SSE3(0) SSSE3(9) CX16(13) SSE4.1(19) SSE4.2(20) MOVBE(22) POPCNT(23) (x86-64-v2 and MOVBE; no
    // MONITOR, AES, XSAVE/OSXSAVE or AVX); edx: FPU TSC MSR CX8 CMOV CLFSH MMX FXSR SSE SSE2
    cx = 1u | (1u << 9) | (1u << 13) | (1u << 19) | (1u << 20) | (1u << 22) | (1u << 23);
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
    // BMI1(3) BMI2(8) ERMS(9). No AVX2(5): glibc 2.36 takes its *_avx2 string
    // functions (which also need BMI2) only with AVX2 usable, so BMI2 alone picks nothing new there
    if (sub == 0) b = (1u << 3) | (1u << 8) | (1u << 9);
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

static int op_cpuid(Proc *p, Cpu *c, Mem *m, D *d) { cpuid(c); return X_NEXT; }
static int op_pushf(Proc *p, Cpu *c, Mem *m, D *d) {
  push(c, m, cpu_get_flags(c) & 0xfcffff, d->osz == 2 ? 2 : 8);
  return X_NEXT;
}
static int op_popf(Proc *p, Cpu *c, Mem *m, D *d) {
  u64 f = pop(c, m, d->osz == 2 ? 2 : 8);
  if (d->osz == 2) f = (cpu_get_flags(c) & ~0xffffull) | f;
  cpu_set_flags(c, (f & 0x254dd5) | 0x202);
  return X_NEXT;
}
static int op_sahf(Proc *p, Cpu *c, Mem *m, D *d) {
  u64 f = cpu_get_flags(c);
  cpu_set_flags(c, (f & ~0xd5ull) | ((c->r[RAX] >> 8) & 0xd5));
  return X_NEXT;
}
static int op_lahf(Proc *p, Cpu *c, Mem *m, D *d) { // AH even with REX
  c->r[RAX] = (c->r[RAX] & ~0xff00ull) | (((cpu_get_flags(c) & 0xd5) | 2) << 8);
  return X_NEXT;
}
static int op_cmc(Proc *p, Cpu *c, Mem *m, D *d) { cpu_set_flags(c, cpu_get_flags(c) ^ CF); return X_NEXT; }
static int op_clc(Proc *p, Cpu *c, Mem *m, D *d) { cpu_set_flags(c, cpu_get_flags(c) & ~(u64)CF); return X_NEXT; }
static int op_stc(Proc *p, Cpu *c, Mem *m, D *d) { cpu_set_flags(c, cpu_get_flags(c) | CF); return X_NEXT; }
static int op_cld(Proc *p, Cpu *c, Mem *m, D *d) { c->flags &= ~(u64)DF; return X_NEXT; }
static int op_std(Proc *p, Cpu *c, Mem *m, D *d) { c->flags |= DF; return X_NEXT; }
static int op_nop(Proc *p, Cpu *c, Mem *m, D *d) { return X_NEXT; } // fwait, prefetch, hint NOPs, endbr64
static int op_rdtsc(Proc *p, Cpu *c, Mem *m, D *d) {
  u64 t = mono_ns() * 3; // a 3 GHz-like counter
  c->r[RAX] = (u32)t;
  c->r[RDX] = t >> 32;
  return X_NEXT;
}
static int op_grp15(Proc *p, Cpu *c, Mem *m, D *d) { // 0F AE
  int o = d->reg & 7;
  if (!d->hasmem) return o >= 5 ? X_NEXT : X_ILL; // lfence/mfence/sfence
  if (d->rep || d->pfx66) return X_ILL;
  u64 a = EA(d);
  if (o == 0) fxsave(c, m, a);
  else if (o == 1) fxrstor(c, m, a);
  else if (o == 2) c->mxcsr = (u32)rd(m, a, 4);
  else if (o == 3) wr(m, a, 4, c->mxcsr);
  else if (o == 7) {} // clflush
  else return X_ILL;
  return X_NEXT;
}

void system_ops(Exec *t) {
  t[0x1a2] = op_cpuid;
  t[0x9c] = op_pushf;
  t[0x9d] = op_popf;
  t[0x9e] = op_sahf;
  t[0x9f] = op_lahf;
  t[0xf5] = op_cmc;
  t[0xf8] = op_clc;
  t[0xf9] = op_stc;
  t[0xfc] = op_cld;
  t[0xfd] = op_std;
  t[0x9b] = op_nop;
  t[0x10d] = op_nop;
  for (int i = 0x118; i <= 0x11f; i++) t[i] = op_nop;
  t[0x131] = op_rdtsc;
  t[0x1ae] = op_grp15;
}
