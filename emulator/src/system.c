// System family: flag instructions (PUSHF/POPF/SAHF/LAHF/CMC/CLC/STC/
// CLD/STD), CPUID, RDTSC, FWAIT, hint NOPs, fences and the FXSAVE group.
#include <stdlib.h>
#include "cpu-internal.h"

// TRELLIS_X86_V3=1 in the core's environment: cpuid also reports what
// x86-64-v3 adds to what is reported by default (AVX, AVX2, FMA, F16C,
// XSAVE with OSXSAVE and XCR0 = x87|SSE|AVX), and XGETBV and the XSAVE
// family run (without it they raise #UD, as with CR4.OSXSAVE clear). Off by
// default: see README, "x86-64-v3". The start-up snapshot's inputs key holds
// it (snapshot.c): a guest resumed under the other setting would keep what its
// libc chose from the snapshot run's cpuid.
int cpu_reports_v3(void) {
  static int on = -1;
  if (on < 0) {
    const char *e = getenv("TRELLIS_X86_V3");
    on = e && e[0] == '1' && !e[1];
  }
  return on;
}
enum { XCR0 = 7, XSAVE_SIZE = 832 }; // x87, SSE, AVX: the legacy area, the header, YMM_Hi128 at 576

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
    if (cpu_reports_v3()) cx |= (1u << 12) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 29); // FMA XSAVE OSXSAVE AVX F16C
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
    if (sub == 0) b = (1u << 3) | (1u << 8) | (1u << 9) | (cpu_reports_v3() ? 1u << 5 : 0); // AVX2 with TRELLIS_X86_V3
    break;
  case 0xd: // XSAVE state: x87, SSE, AVX (with TRELLIS_X86_V3)
    if (!cpu_reports_v3()) break;
    if (sub == 0) { a = XCR0; b = cx = XSAVE_SIZE; }
    else if (sub == 1) { a = 1u | 2u; b = XSAVE_SIZE; } // XSAVEOPT, XSAVEC
    else if (sub == 2) { a = 256; b = 576; }
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
// XSAVE / XSAVEOPT / XSAVEC of the components in RFBM = EDX:EAX & XCR0:
// the FXSAVE image's x87 part (bit 0), MXCSR (bits 1 or 2), XMM (bit 1), the
// header, YMM bits 255:128 at 576 (bit 2). Every saved component is marked
// in use (XSTATE_BV), which the architecture allows.
static int xsave(Cpu *c, Mem *m, u64 a, int compact) {
  u64 rfbm = ((c->r[RDX] << 32) | (u32)c->r[RAX]) & XCR0;
  u8 old[512], now[512];
  if (mem_read(m, a, old, 512)) return X_NEXT;
  fxsave(c, m, a);
  if (mem_read(m, a, now, 512)) return X_NEXT;
  if (rfbm & 1) { memcpy(old, now, 24); memcpy(old + 32, now + 32, 128); }
  if (rfbm & 6) memcpy(old + 24, now + 24, 8);
  if (rfbm & 2) memcpy(old + 160, now + 160, 256);
  mem_write(m, a, old, 512);
  u64 bv = rd(m, a + 512, 8);
  if (compact) {
    wr(m, a + 512, 8, rfbm);
    wr(m, a + 520, 8, rfbm | 1ull << 63);
  } else wr(m, a + 512, 8, (bv & ~rfbm) | rfbm);
  if (rfbm & 4) mem_write(m, a + 576, c->yh, 256);
  return X_NEXT;
}
// XRSTOR (standard or compacted image): components in RFBM and XSTATE_BV
// are loaded, those in RFBM only get their initial state, the rest stay.
static int xrstor(Cpu *c, Mem *m, u64 a) {
  u64 rfbm = ((c->r[RDX] << 32) | (u32)c->r[RAX]) & XCR0;
  u64 bv = rd(m, a + 512, 8);
  if (m->fault) return X_NEXT;
  if (bv & ~(u64)XCR0) return X_ILL; // #GP on hardware: a state bit this CPU does not have
  Cpu old = *c;
  if (rfbm) fxrstor(c, m, a);
  if (m->fault) { *c = old; return X_NEXT; }
  if (!(rfbm & 1)) {
    memcpy(c->st, old.st, sizeof c->st);
    c->ftop = old.ftop; c->fcw = old.fcw; c->fsw = old.fsw; c->ftag = old.ftag;
  } else if (!(bv & 1)) {
    memset(c->st, 0, sizeof c->st);
    c->ftop = 0; c->fcw = 0x37f; c->fsw = 0; c->ftag = 0xffff;
  }
  if (!(rfbm & 2)) memcpy(c->xmm, old.xmm, 16 * sizeof(Xmm));
  else if (!(bv & 2)) memset(c->xmm, 0, 16 * sizeof(Xmm));
  if (!(rfbm & 6)) c->mxcsr = old.mxcsr;
  if (rfbm & 4) {
    if (!(bv & 4)) memset(c->yh, 0, sizeof c->yh);
    else if (mem_read(m, a + 576, c->yh, 256)) { *c = old; return X_NEXT; }
  }
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
  else if (o == 4 || o == 6) return cpu_reports_v3() ? xsave(c, m, a, 0) : X_ILL; // xsave, xsaveopt
  else if (o == 5) return cpu_reports_v3() ? xrstor(c, m, a) : X_ILL;
  else if (o == 7) {} // clflush
  else return X_ILL;
  return X_NEXT;
}
// 0F C7 /4: XSAVEC (the other 0F C7 forms are CMPXCHG8B/16B, bitops.c).
static int op_xsavec(Proc *p, Cpu *c, Mem *m, D *d) {
  if (!cpu_reports_v3() || !d->hasmem || d->rep || d->pfx66 || (d->rex & 8)) return X_ILL;
  return xsave(c, m, EA(d), 1);
}
Exec system_refine(D *d) { return d->op == 0x1c7 && (d->reg & 7) == 4 ? op_xsavec : NULL; }
// 0F 01 D0: XGETBV: XCR0 for ECX = 0 (other ECX values: #GP on hardware).
static int op_0f01(Proc *p, Cpu *c, Mem *m, D *d) {
  if (d->hasmem || d->reg != 2 || d->rm != 0 || !cpu_reports_v3() || d->rep || d->pfx66 || (u32)c->r[RCX] != 0) return X_ILL;
  c->r[RAX] = XCR0;
  c->r[RDX] = 0;
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
  t[0x101] = op_0f01;
}
