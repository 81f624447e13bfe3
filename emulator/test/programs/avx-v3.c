// The VEX-encoded vector instructions the core has (AVX/AVX2, not reported
// by its cpuid): the VEX.128 and VEX.256 forms of the SSE..SSE4.2
// instructions, and the ones without an SSE form. Each line is one
// instruction on one input set: the whole 256-bit destination in hex (so a
// VEX.128 form must show its upper half zeroed), or a general register and
// the flags.
//
// Built plainly this runs the VEX instructions (inline asm). Built with
// -DREFERENCE it computes every line without AVX: the VEX form of an SSE
// instruction by that SSE instruction (once per 128-bit lane, upper half
// zero for VEX.128), the others in C. So the expected output needs only an
// x86-64-v2 host; the host runs the VEX build too when it has AVX2.
#include <fenv.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;

typedef void (*Fn)(const u8 *a, const u8 *b, const u8 *c, u8 *r);
typedef struct {
  const char *name;
  Fn fn;
} Test;

// ymm1 = a, ymm2 = b, ymm0 = c (the destination's old value), ymm3 = c too; the result is ymm0.
#define RUNV(body)                                                                                              \
  __asm__ volatile("vmovdqu %[a], %%ymm1\n\tvmovdqu %[b], %%ymm2\n\tvmovdqu %[c], %%ymm0\n\tvmovdqu %[c], %%ymm3\n\t" body \
                   "\n\tvmovdqu %%ymm0, %[r]\n\tvzeroupper"                                                     \
                   : [r] "=m"(*(u8(*)[32])r)                                                                    \
                   : [a] "m"(*(const u8(*)[32])a), [b] "m"(*(const u8(*)[32])b), [c] "m"(*(const u8(*)[32])c)   \
                   : "xmm0", "xmm1", "xmm2", "xmm3", "memory")
// One 128-bit lane with SSE: xmm1 = a, xmm2 = b, xmm0 = c; the result is xmm0.
#define RUNS(body, A, B, C, R)                                                                                  \
  __asm__ volatile("movdqu %[a], %%xmm1\n\tmovdqu %[b], %%xmm2\n\tmovdqu %[c], %%xmm0\n\t" body                 \
                   "\n\tmovdqu %%xmm0, %[r]"                                                                    \
                   : [r] "=m"(*(u8(*)[16])(R))                                                                  \
                   : [a] "m"(*(const u8(*)[16])(A)), [b] "m"(*(const u8(*)[16])(B)), [c] "m"(*(const u8(*)[16])(C)) \
                   : "xmm0", "xmm1", "xmm2", "memory")

#ifdef REFERENCE
#define T128(fn, vex, sse) \
  static void fn(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNS(sse, a, b, c, r); memset(r + 16, 0, 16); }
// lane 1 runs `sse1` with its source b taken `boff` bytes in
#define T256(fn, vex, sse, sse1, boff) \
  static void fn(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNS(sse, a, b, c, r); RUNS(sse1, a + 16, b + (boff), c + 16, r + 16); }
// the 256-bit source narrows to 128 bits: each lane's low 8 bytes
#define TNAR(fn, vex, sse)                                        \
  static void fn(const u8 *a, const u8 *b, const u8 *c, u8 *r) { \
    u8 lo[16], hi[16];                                            \
    RUNS(sse, a, b, c, lo);                                       \
    RUNS(sse, a + 16, b + 16, c + 16, hi);                        \
    memcpy(r, lo, 8);                                             \
    memcpy(r + 8, hi, 8);                                         \
    memset(r + 16, 0, 16);                                        \
  }
#else
#define T128(fn, vex, sse) static void fn(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNV(vex); }
#define T256(fn, vex, sse, sse1, boff) static void fn(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNV(vex); }
#define TNAR(fn, vex, sse) static void fn(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNV(vex); }
#endif

#define MV1 "movdqa %%xmm1, %%xmm0\n\t"
#define MV2 "movdqa %%xmm2, %%xmm0\n\t"
// reg = f(vvvv, rm): 128 and 256 bits, the register and the memory source
#define NDS(m)                                                                                         \
  T128(m##_x, "v" #m " %%xmm2, %%xmm1, %%xmm0", MV1 #m " %%xmm2, %%xmm0")                              \
  T256(m##_y, "v" #m " %%ymm2, %%ymm1, %%ymm0", MV1 #m " %%xmm2, %%xmm0", MV1 #m " %%xmm2, %%xmm0", 16) \
  T256(m##_ym, "v" #m " %[b], %%ymm1, %%ymm0", MV1 #m " %%xmm2, %%xmm0", MV1 #m " %%xmm2, %%xmm0", 16)
#define NDS_T(m) {#m " xmm", m##_x}, {#m " ymm", m##_y}, {#m " ymm, m256", m##_ym},
// scalar (or no 256-bit form): VEX.128 only; the upper elements come from vvvv
#define NDSX(m)                                                            \
  T128(m##_x, "v" #m " %%xmm2, %%xmm1, %%xmm0", MV1 #m " %%xmm2, %%xmm0") \
  T128(m##_xm, "v" #m " %[b], %%xmm1, %%xmm0", MV1 #m " %[b], %%xmm0")
#define NDSX_T(m) {#m " xmm", m##_x}, {#m " xmm, mem", m##_xm},
// with imm8: the same for both lanes (`i1` the upper lane's, for the blends that hold a bit per element)
#define NDSI(m, n, i, i1)                                                                                                    \
  T128(m##_x##n, "v" #m " $" #i ", %%xmm2, %%xmm1, %%xmm0", MV1 #m " $" #i ", %%xmm2, %%xmm0")                              \
  T256(m##_y##n, "v" #m " $" #i ", %%ymm2, %%ymm1, %%ymm0", MV1 #m " $" #i ", %%xmm2, %%xmm0", MV1 #m " $" #i1 ", %%xmm2, %%xmm0", 16)
#define NDSI_T(m, n) {#m " xmm, imm " #n, m##_x##n}, {#m " ymm, imm " #n, m##_y##n},
// reg = f(rm)
#define LD(m)                                                                                  \
  T128(m##_x, "v" #m " %%xmm2, %%xmm0", #m " %%xmm2, %%xmm0")                                  \
  T256(m##_y, "v" #m " %%ymm2, %%ymm0", #m " %%xmm2, %%xmm0", #m " %%xmm2, %%xmm0", 16)        \
  T256(m##_ym, "v" #m " %[b], %%ymm0", #m " %%xmm2, %%xmm0", #m " %%xmm2, %%xmm0", 16)
#define LD_T(m) {#m " xmm", m##_x}, {#m " ymm", m##_y}, {#m " ymm, m256", m##_ym},
#define LDI(m, i)                                                                                           \
  T128(m##_x, "v" #m " $" #i ", %%xmm2, %%xmm0", #m " $" #i ", %%xmm2, %%xmm0")                             \
  T256(m##_y, "v" #m " $" #i ", %%ymm2, %%ymm0", #m " $" #i ", %%xmm2, %%xmm0", #m " $" #i ", %%xmm2, %%xmm0", 16)
#define LDI_T(m) {#m " xmm", m##_x}, {#m " ymm", m##_y},
// widening: the 256-bit form's upper lane from the source's bytes `off` on
#define WIDE(m, off)                                                                      \
  T128(m##_x, "v" #m " %%xmm2, %%xmm0", #m " %%xmm2, %%xmm0")                             \
  T256(m##_y, "v" #m " %%xmm2, %%ymm0", #m " %%xmm2, %%xmm0", #m " %%xmm2, %%xmm0", off)
#define WIDE_T(m) {#m " xmm", m##_x}, {#m " ymm", m##_y},
// vvvv = rm shifted by imm8
#define NDD(m, i)                                                                                                 \
  T128(m##_x##i, "v" #m " $" #i ", %%xmm2, %%xmm0", MV2 #m " $" #i ", %%xmm0")                                    \
  T256(m##_y##i, "v" #m " $" #i ", %%ymm2, %%ymm0", MV2 #m " $" #i ", %%xmm0", MV2 #m " $" #i ", %%xmm0", 16)
#define NDD_T(m, i) {#m " xmm, " #i, m##_x##i}, {#m " ymm, " #i, m##_y##i},
// shifted by the low quadword of an XMM count, both lanes
#define SHC(m)                                                                              \
  T128(m##_x, "v" #m " %%xmm2, %%xmm1, %%xmm0", MV1 #m " %%xmm2, %%xmm0")                   \
  T256(m##_y, "v" #m " %%xmm2, %%ymm1, %%ymm0", MV1 #m " %%xmm2, %%xmm0", MV1 #m " %%xmm2, %%xmm0", 0)
#define SHC_T(m) {#m " xmm", m##_x}, {#m " ymm", m##_y},

#define FLOAT_NDS(X) X(addps) X(addpd) X(subps) X(subpd) X(mulps) X(mulpd) X(divps) X(divpd) X(minps) X(minpd) X(maxps) \
  X(maxpd) X(andps) X(andpd) X(andnps) X(andnpd) X(orps) X(orpd) X(xorps) X(xorpd) X(unpcklps) X(unpckhps) X(unpcklpd)  \
  X(unpckhpd) X(addsubps) X(addsubpd) X(haddps) X(haddpd) X(hsubps) X(hsubpd)
#define INT_NDS(X) X(paddb) X(paddw) X(paddd) X(paddq) X(paddsb) X(paddsw) X(paddusb) X(paddusw) X(psubb) X(psubw)     \
  X(psubd) X(psubq) X(psubsb) X(psubsw) X(psubusb) X(psubusw) X(pmullw) X(pmulhw) X(pmulhuw) X(pmuludq) X(pmaddwd)     \
  X(pavgb) X(pavgw) X(pminub) X(pmaxub) X(pminsw) X(pmaxsw) X(pand) X(pandn) X(por) X(pxor) X(pcmpeqb) X(pcmpeqw)      \
  X(pcmpeqd) X(pcmpgtb) X(pcmpgtw) X(pcmpgtd) X(punpcklbw) X(punpcklwd) X(punpckldq) X(punpcklqdq) X(punpckhbw)        \
  X(punpckhwd) X(punpckhdq) X(punpckhqdq) X(packsswb) X(packssdw) X(packuswb) X(psadbw) X(pshufb) X(phaddw) X(phaddd)   \
  X(phaddsw) X(pmaddubsw) X(phsubw) X(phsubd) X(phsubsw) X(psignb) X(psignw) X(psignd) X(pmulhrsw) X(pmuldq)           \
  X(pcmpeqq) X(packusdw) X(pminsb) X(pminsd) X(pminuw) X(pminud) X(pmaxsb) X(pmaxsd) X(pmaxuw) X(pmaxud) X(pmulld)      \
  X(pcmpgtq)
#define SCALAR(X) X(addss) X(addsd) X(subss) X(subsd) X(mulss) X(mulsd) X(divss) X(divsd) X(minss) X(minsd) X(maxss)    \
  X(maxsd) X(sqrtss) X(sqrtsd) X(cvtss2sd) X(cvtsd2ss)
#define LOADS(X) X(sqrtps) X(sqrtpd) X(cvtdq2ps) X(cvtps2dq) X(cvttps2dq) X(movups) X(movupd) X(movdqu) X(movsldup) \
  X(movshdup) X(movddup) X(pabsb) X(pabsw) X(pabsd)
#define WIDENS(X) X(pmovsxbw, 8) X(pmovsxbd, 4) X(pmovsxbq, 2) X(pmovsxwd, 8) X(pmovsxwq, 4) X(pmovsxdq, 8)            \
  X(pmovzxbw, 8) X(pmovzxbd, 4) X(pmovzxbq, 2) X(pmovzxwd, 8) X(pmovzxwq, 4) X(pmovzxdq, 8) X(cvtps2pd, 8) X(cvtdq2pd, 8)
#define SHIFTS_I(X) X(psllw, 3) X(psrlw, 9) X(psraw, 15) X(pslld, 7) X(psrld, 31) X(psrad, 4) X(psllq, 33) X(psrlq, 1) \
  X(pslldq, 3) X(psrldq, 11) X(psllw, 16) X(psrad, 40)
#define SHIFTS_C(X) X(psllw) X(psrlw) X(psraw) X(pslld) X(psrld) X(psrad) X(psllq) X(psrlq)
#define IMMS(X) X(shufps, 1, 0x4e, 0x4e) X(shufps, 2, 0xb1, 0xb1) X(shufpd, 1, 0x9, 0x2) X(palignr, 1, 5, 5)            \
  X(palignr, 2, 20, 20) X(pblendw, 1, 0x5a, 0x5a) X(blendps, 1, 0xa5, 0xa) X(blendpd, 1, 0x6, 0x1) X(mpsadbw, 1, 0x2d, 0x5) \
  X(cmpps, 0, 0, 0) X(cmpps, 1, 1, 1) X(cmpps, 2, 2, 2) X(cmpps, 3, 3, 3) X(cmpps, 4, 4, 4) X(cmpps, 5, 5, 5)              \
  X(cmpps, 6, 6, 6) X(cmpps, 7, 7, 7) X(cmppd, 1, 1, 1) X(cmppd, 3, 3, 3) X(cmppd, 6, 6, 6)

FLOAT_NDS(NDS)
INT_NDS(NDS)
SCALAR(NDSX)
LOADS(LD)
WIDENS(WIDE)
SHIFTS_I(NDD)
SHIFTS_C(SHC)
IMMS(NDSI)
LDI(pshufd, 0x1b)
LDI(pshufhw, 0x4e)
LDI(pshuflw, 0xb1)
LDI(roundps, 1)
LDI(roundpd, 2)
T128(movhlps_x, "vmovhlps %%xmm2, %%xmm1, %%xmm0", MV1 "movhlps %%xmm2, %%xmm0")
T128(movlhps_x, "vmovlhps %%xmm2, %%xmm1, %%xmm0", MV1 "movlhps %%xmm2, %%xmm0")
T128(cmpss_x2, "vcmpss $2, %%xmm2, %%xmm1, %%xmm0", MV1 "cmpss $2, %%xmm2, %%xmm0")
T128(cmpsd_x4, "vcmpsd $4, %%xmm2, %%xmm1, %%xmm0", MV1 "cmpsd $4, %%xmm2, %%xmm0")
T128(roundss_x, "vroundss $3, %%xmm2, %%xmm1, %%xmm0", MV1 "roundss $3, %%xmm2, %%xmm0")
T128(insertps_x, "vinsertps $0x9c, %%xmm2, %%xmm1, %%xmm0", MV1 "insertps $0x9c, %%xmm2, %%xmm0")
T128(movss_rr, "vmovss %%xmm2, %%xmm1, %%xmm0", MV1 "movss %%xmm2, %%xmm0")
T128(movsd_rr, "vmovsd %%xmm2, %%xmm1, %%xmm0", MV1 "movsd %%xmm2, %%xmm0")
T128(movss_m, "vmovss %[b], %%xmm0", "movss %[b], %%xmm0")
T128(movq_x, "vmovq %%xmm2, %%xmm0", "movq %%xmm2, %%xmm0")
T128(phminposuw_x, "vphminposuw %%xmm2, %%xmm0", "phminposuw %%xmm2, %%xmm0")
T128(movlps_m, "vmovlps %[b], %%xmm1, %%xmm0", MV1 "movlps %[b], %%xmm0")
T128(movhpd_m, "vmovhpd %[b], %%xmm1, %%xmm0", MV1 "movhpd %[b], %%xmm0")
TNAR(cvtpd2ps_y, "vcvtpd2psy %%ymm2, %%xmm0", "cvtpd2ps %%xmm2, %%xmm0")
TNAR(cvttpd2dq_y, "vcvttpd2dqy %%ymm2, %%xmm0", "cvttpd2dq %%xmm2, %%xmm0")
TNAR(cvtpd2dq_y, "vcvtpd2dqy %%ymm2, %%xmm0", "cvtpd2dq %%xmm2, %%xmm0")
T128(cvtpd2ps_x, "vcvtpd2psx %%xmm2, %%xmm0", "cvtpd2ps %%xmm2, %%xmm0")
// a VEX.128 write to a register that a store form names in ModRM.rm (vmovaps xmm0, xmm2 encoded 0F 29)
T128(movaps_st, "vmovaps %%xmm2, %%xmm0", "movaps %%xmm2, %%xmm0")
T256(movaps_sty, ".byte 0xc5,0xfc,0x29,0xd0", "movaps %%xmm2, %%xmm0", "movaps %%xmm2, %%xmm0", 16) // vmovaps ymm0, ymm2 (store form)
// the old destination stays for legacy SSE writes: bits 255:128 of ymm0 are c's
T256(legacy_keeps, "paddb %%xmm2, %%xmm0", "paddb %%xmm2, %%xmm0", "", 16)

#define X_NDS(m) NDS_T(m)
#define X_NDSX(m) NDSX_T(m)
#define X_LD(m) LD_T(m)
#define X_WIDE(m, off) WIDE_T(m)
#define X_NDD(m, i) NDD_T(m, i)
#define X_SHC(m) SHC_T(m)
#define X_IMM(m, n, i, i1) NDSI_T(m, n)
static const Test sse_forms[] = {FLOAT_NDS(X_NDS) INT_NDS(X_NDS) SCALAR(X_NDSX) LOADS(X_LD) WIDENS(X_WIDE) SHIFTS_I(X_NDD)
                                     SHIFTS_C(X_SHC) IMMS(X_IMM) LDI_T(pshufd) LDI_T(pshufhw) LDI_T(pshuflw) LDI_T(roundps)
                                         LDI_T(roundpd){"movhlps", movhlps_x},
                                 {"movlhps", movlhps_x},
                                 {"cmpss $2", cmpss_x2},
                                 {"cmpsd $4", cmpsd_x4},
                                 {"roundss $3", roundss_x},
                                 {"insertps $0x9c", insertps_x},
                                 {"movss reg", movss_rr},
                                 {"movsd reg", movsd_rr},
                                 {"movss mem", movss_m},
                                 {"movq xmm", movq_x},
                                 {"phminposuw", phminposuw_x},
                                 {"movlps mem", movlps_m},
                                 {"movhpd mem", movhpd_m},
                                 {"cvtpd2ps ymm", cvtpd2ps_y},
                                 {"cvttpd2dq ymm", cvttpd2dq_y},
                                 {"cvtpd2dq ymm", cvtpd2dq_y},
                                 {"cvtpd2ps xmm", cvtpd2ps_x},
                                 {"movaps store form xmm", movaps_st},
                                 {"movaps store form ymm", movaps_sty},
                                 {"legacy SSE keeps 255:128", legacy_keeps}};

// ---- the instructions without an SSE form: C computes the reference ----
#ifdef REFERENCE
static void cp(u8 *r, const void *s, int n) { memcpy(r, s, (size_t)n); }
static void vzeroupper_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { cp(r, c, 16); memset(r + 16, 0, 16); }
static void bcastss_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { for (int i = 0; i < 32; i += 4) cp(r + i, b, 4); }
static void bcastsd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { for (int i = 0; i < 32; i += 8) cp(r + i, b, 8); }
static void bcastf128_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { cp(r, b, 16); cp(r + 16, b, 16); }
static void pbcastb_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { memset(r, b[0], 32); }
static void pbcastw_x(const u8 *a, const u8 *b, const u8 *c, u8 *r) { for (int i = 0; i < 16; i += 2) cp(r + i, b, 2); memset(r + 16, 0, 16); }
static void insertf128_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { cp(r, a, 16); cp(r + 16, b, 16); }
static void extractf128_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { cp(r, b + 16, 16); memset(r + 16, 0, 16); }
static void perm2f128_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { cp(r, a + 16, 16); cp(r + 16, b + 16, 16); } // imm 0x31
static void perm2i128_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { memset(r, 0, 16); cp(r + 16, b, 16); } // imm 0x28
static void permilps_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { // imm 0x1b: reversed in each lane
  for (int i = 0; i < 8; i++) cp(r + 4 * i, b + 16 * (i / 4) + 4 * (3 - (i & 3)), 4);
}
static void permilpd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { // imm 0x6
  static const int sel[4] = {0, 1, 1, 0};
  for (int i = 0; i < 4; i++) cp(r + 8 * i, b + 16 * (i / 2) + 8 * sel[i], 8);
}
static void permilpsv_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  for (int i = 0; i < 8; i++) cp(r + 4 * i, a + 16 * (i / 4) + 4 * (b[4 * i] & 3), 4);
}
static void blendvps_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { // mask ymm3 = c
  for (int i = 0; i < 32; i += 4) cp(r + i, (c[i + 3] & 0x80) ? b + i : a + i, 4);
}
static void pblendvb_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  for (int i = 0; i < 32; i++) r[i] = (c[i] & 0x80) ? b[i] : a[i];
}
static void pblendd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { // imm 0x96
  for (int i = 0; i < 8; i++) cp(r + 4 * i, ((0x96 >> i) & 1) ? b + 4 * i : a + 4 * i, 4);
}
static void permq_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { // imm 0x4e: 2 3 0 1
  static const int sel[4] = {2, 3, 0, 1};
  for (int i = 0; i < 4; i++) cp(r + 8 * i, b + 8 * sel[i], 8);
}
static void permd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { // indexes a, table b
  for (int i = 0; i < 8; i++) cp(r + 4 * i, b + 4 * (a[4 * i] & 7), 4);
}
static void shiftv(const u8 *a, const u8 *b, u8 *r, int es, int kind) { // 0 sllv, 1 srlv, 2 srav
  for (int i = 0; i < 32; i += es) {
    u64 v = 0, n = 0, x;
    memcpy(&v, a + i, (size_t)es);
    memcpy(&n, b + i, (size_t)es);
    if (kind == 2) x = (u32)(n >= 32 ? (u32)((int32_t)(u32)v >> 31) : (u32)((int32_t)(u32)v >> n));
    else if (n >= (u64)es * 8) x = 0;
    else x = kind ? v >> n : v << n;
    memcpy(r + i, &x, (size_t)es);
  }
}
static void psllvd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { shiftv(a, b, r, 4, 0); }
static void psrlvq_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { shiftv(a, b, r, 8, 1); }
static void psravd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { shiftv(a, b, r, 4, 2); }
static void maskload_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { // mask a, memory b
  for (int i = 0; i < 32; i += 4) if (a[i + 3] & 0x80) cp(r + i, b + i, 4); else memset(r + i, 0, 4);
}
static void maskstore_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { // memory c, mask a, value b
  cp(r, c, 32);
  for (int i = 0; i < 32; i += 8) if (a[i + 7] & 0x80) cp(r + i, b + i, 8);
}
static void cmpps_hi_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { // predicates 8-15 and 16-31: 13 (GE_OS) and 24 (EQ_UQ)
  for (int i = 0; i < 8; i++) {
    float x, y;
    memcpy(&x, a + 4 * i, 4);
    memcpy(&y, b + 4 * i, 4);
    int un = x != x || y != y;
    u32 v = (i < 4 ? (!un && x >= y) : (un || x == y)) ? ~0u : 0;
    memcpy(r + 4 * i, &v, 4);
  }
}
#else
#define RUNX(body) RUNV(body)
static void vzeroupper_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  __asm__ volatile("vmovdqu %[c], %%ymm0\n\tvzeroupper\n\tvmovdqu %%ymm0, %[r]" : [r] "=m"(*(u8(*)[32])r) : [c] "m"(*(const u8(*)[32])c) : "xmm0");
}
static void bcastss_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vbroadcastss %[b], %%ymm0"); }
static void bcastsd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vbroadcastsd %%xmm2, %%ymm0"); }
static void bcastf128_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vbroadcastf128 %[b], %%ymm0"); }
static void pbcastb_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpbroadcastb %%xmm2, %%ymm0"); }
static void pbcastw_x(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpbroadcastw %[b], %%xmm0"); }
static void insertf128_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vinsertf128 $1, %%xmm2, %%ymm1, %%ymm0"); }
static void extractf128_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vextracti128 $1, %%ymm2, %%xmm0"); }
static void perm2f128_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vperm2f128 $0x31, %%ymm2, %%ymm1, %%ymm0"); }
static void perm2i128_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vperm2i128 $0x28, %[b], %%ymm1, %%ymm0"); }
static void permilps_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpermilps $0x1b, %%ymm2, %%ymm0"); }
static void permilpd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpermilpd $0x6, %[b], %%ymm0"); }
static void permilpsv_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpermilps %%ymm2, %%ymm1, %%ymm0"); }
static void blendvps_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vblendvps %%ymm3, %%ymm2, %%ymm1, %%ymm0"); }
static void pblendvb_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpblendvb %%ymm3, %[b], %%ymm1, %%ymm0"); }
static void pblendd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpblendd $0x96, %%ymm2, %%ymm1, %%ymm0"); }
static void permq_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpermq $0x4e, %%ymm2, %%ymm0"); }
static void permd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpermd %%ymm2, %%ymm1, %%ymm0"); }
static void psllvd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpsllvd %%ymm2, %%ymm1, %%ymm0"); }
static void psrlvq_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpsrlvq %[b], %%ymm1, %%ymm0"); }
static void psravd_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vpsravd %%ymm2, %%ymm1, %%ymm0"); }
static void maskload_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vmaskmovps %[b], %%ymm1, %%ymm0"); }
static void maskstore_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  memcpy(r, c, 32);
  __asm__ volatile("vmovdqu %[a], %%ymm1\n\tvmovdqu %[b], %%ymm2\n\tvpmaskmovq %%ymm2, %%ymm1, %[r]\n\tvzeroupper"
                   : [r] "+m"(*(u8(*)[32])r)
                   : [a] "m"(*(const u8(*)[32])a), [b] "m"(*(const u8(*)[32])b)
                   : "xmm1", "xmm2");
}
static void cmpps_hi_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  RUNX("vcmpps $13, %%xmm2, %%xmm1, %%xmm0\n\tvcmpps $24, %%ymm2, %%ymm1, %%ymm3\n\tvperm2f128 $0x30, %%ymm3, %%ymm0, %%ymm0");
}
#endif
// vldmxcsr / vstmxcsr: round down (MXCSR.RC = 01), vroundps by MXCSR (imm 0xc: no precision flag, which
// the core does not keep), the register read back
static const u32 mx_down = 0x1f80 | (1u << 13), mx_default = 0x1f80;
static void mxcsr_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  u32 out = 0;
#ifdef REFERENCE
  __asm__ volatile("movdqu %[b], %%xmm2\n\tldmxcsr %[dn]\n\troundps $0xc, %%xmm2, %%xmm0\n\tstmxcsr %[o]\n\tldmxcsr %[df]\n\tmovdqu %%xmm0, %[r]"
                   : [r] "=m"(*(u8(*)[16])r), [o] "=m"(out)
                   : [b] "m"(*(const u8(*)[16])b), [dn] "m"(mx_down), [df] "m"(mx_default)
                   : "xmm0", "xmm2");
  memset(r + 16, 0, 16);
#else
  __asm__ volatile("vmovdqu %[b], %%ymm2\n\tvmovdqu %[b], %%ymm0\n\tvldmxcsr %[dn]\n\tvroundps $0xc, %%xmm2, %%xmm0\n\tvstmxcsr %[o]\n\t"
                   "vldmxcsr %[df]\n\tvmovdqu %%ymm0, %[r]\n\tvzeroupper"
                   : [r] "=m"(*(u8(*)[32])r), [o] "=m"(out)
                   : [b] "m"(*(const u8(*)[32])b), [dn] "m"(mx_down), [df] "m"(mx_default)
                   : "xmm0", "xmm2");
#endif
  memcpy(r + 28, &out, 4); // the upper half is zero: MXCSR goes in its top dword
}
// FMA3: operand 1 is the destination (c going in), 2 is VEX.vvvv (a), 3 is ModRM.rm (b).
// kind: 0 fmaddsub, 1 fmsubadd, 2 fmadd, 3 fmsub, 4 fnmadd, 5 fnmsub; form 0/1/2: 132/213/231.
#ifdef REFERENCE
static void fma_ref(int kind, int form, int dbl, int n, const u8 *a, const u8 *b, const u8 *c, u8 *r, int wide) {
  memcpy(r, c, 16);
  memset(r + 16, 0, 16);
  if (wide) memcpy(r + 16, c + 16, 16);
  for (int i = 0; i < n; i++) {
    int neg = kind == 4 || kind == 5, sub = kind == 3 || kind == 5 || (kind == 0 && !(i & 1)) || (kind == 1 && (i & 1));
    if (dbl) {
      double x1, x2, x3, v;
      memcpy(&x1, c + 8 * i, 8); memcpy(&x2, a + 8 * i, 8); memcpy(&x3, b + 8 * i, 8);
      double p = form == 0 ? x1 : x2, q = form == 1 ? x1 : x3, s = form == 0 ? x2 : form == 1 ? x3 : x1;
      u64 bits;
      if (p != p || q != q || s != s) { // the first multiplicand's NaN, the second's, the addend's
        memcpy(&bits, p != p ? &p : q != q ? &q : &s, 8);
        bits |= 1ull << 51;
      } else {
        v = fma(neg ? -p : p, q, sub ? -s : s);
        memcpy(&bits, &v, 8);
        if (v != v) bits = 0xfff8000000000000ull;
      }
      memcpy(r + 8 * i, &bits, 8);
    } else {
      float x1, x2, x3, v;
      memcpy(&x1, c + 4 * i, 4); memcpy(&x2, a + 4 * i, 4); memcpy(&x3, b + 4 * i, 4);
      float p = form == 0 ? x1 : x2, q = form == 1 ? x1 : x3, s = form == 0 ? x2 : form == 1 ? x3 : x1;
      u32 bits;
      if (p != p || q != q || s != s) {
        memcpy(&bits, p != p ? &p : q != q ? &q : &s, 4);
        bits |= 1u << 22;
      } else {
        v = fmaf(neg ? -p : p, q, sub ? -s : s);
        memcpy(&bits, &v, 4);
        if (v != v) bits = 0xffc00000u;
      }
      memcpy(r + 4 * i, &bits, 4);
    }
  }
}
#define FMA(fn, ins, kind, form, dbl, n, wide) \
  static void fn(const u8 *a, const u8 *b, const u8 *c, u8 *r) { fma_ref(kind, form, dbl, n, a, b, c, r, wide); }
#else
#define FMA(fn, ins, kind, form, dbl, n, wide) static void fn(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNV(ins); }
#endif
#define FMA3(name, kind)                                                                    \
  FMA(name##132ps, "v" #name "132ps %%ymm2, %%ymm1, %%ymm0", kind, 0, 0, 8, 1)              \
  FMA(name##213ps, "v" #name "213ps %%ymm2, %%ymm1, %%ymm0", kind, 1, 0, 8, 1)              \
  FMA(name##231ps, "v" #name "231ps %%ymm2, %%ymm1, %%ymm0", kind, 2, 0, 8, 1)              \
  FMA(name##132pd, "v" #name "132pd %%xmm2, %%xmm1, %%xmm0", kind, 0, 1, 2, 0)              \
  FMA(name##213pd, "v" #name "213pd %[b], %%ymm1, %%ymm0", kind, 1, 1, 4, 1)                \
  FMA(name##231pd, "v" #name "231pd %%ymm2, %%ymm1, %%ymm0", kind, 2, 1, 4, 1)
#define FMA3_T(name) {#name "132ps ymm", name##132ps}, {#name "213ps ymm", name##213ps}, {#name "231ps ymm", name##231ps}, \
  {#name "132pd xmm", name##132pd}, {#name "213pd ymm, m256", name##213pd}, {#name "231pd ymm", name##231pd},
#define FMAS(name, kind)                                                        \
  FMA(name##132ss, "v" #name "132ss %%xmm2, %%xmm1, %%xmm0", kind, 0, 0, 1, 0) \
  FMA(name##213sd, "v" #name "213sd %[b], %%xmm1, %%xmm0", kind, 1, 1, 1, 0)   \
  FMA(name##231sd, "v" #name "231sd %%xmm2, %%xmm1, %%xmm0", kind, 2, 1, 1, 0)
#define FMAS_T(name) {#name "132ss", name##132ss}, {#name "213sd m64", name##213sd}, {#name "231sd", name##231sd},
FMA3(fmaddsub, 0)
FMA3(fmsubadd, 1)
FMA3(fmadd, 2)
FMA3(fmsub, 3)
FMA3(fnmadd, 4)
FMA3(fnmsub, 5)
FMAS(fmadd, 2)
FMAS(fmsub, 3)
FMAS(fnmadd, 4)
FMAS(fnmsub, 5)
static const Test fma_forms[] = {FMA3_T(fmaddsub) FMA3_T(fmsubadd) FMA3_T(fmadd) FMA3_T(fmsub) FMA3_T(fnmadd) FMA3_T(fnmsub)
                                     FMAS_T(fmadd) FMAS_T(fmsub) FMAS_T(fnmadd) FMAS_T(fnmsub)};

// F16C: a, b and c as 16 floats (or halves); vcvtps2ph by each rounding control, vcvtph2ps.
#ifdef REFERENCE
static uint16_t ref_f2h(float x, int rc) {
  u32 bits;
  memcpy(&bits, &x, 4);
  int neg = bits >> 31;
  uint16_t s = (uint16_t)(neg << 15);
  if (x != x) return (uint16_t)(s | 0x7e00 | ((bits & 0x7fffff) >> 13));
  if (isinf(x)) return (uint16_t)(s | 0x7c00);
  double v = fabs((double)x);
  if (v == 0) return s;
  int e;
  frexp(v, &e);
  int top = e - 1, qe = (top < -14 ? -14 : top) - 10;
  double t = ldexp(v, -qe); // exact: the value in units of the half's quantum
  fesetround(rc == 0 ? FE_TONEAREST : rc == 3 ? FE_TOWARDZERO : (rc == 1) != neg ? FE_DOWNWARD : FE_UPWARD);
  double n = nearbyint(t);
  fesetround(FE_TONEAREST);
  if (n >= 2048) { n /= 2; qe++; }
  if (qe + 10 > 15) return (uint16_t)(s | ((rc == 0 || (rc == 1 && neg) || (rc == 2 && !neg)) ? 0x7c00 : 0x7bff));
  if (n < 1024) return (uint16_t)(s | (uint16_t)n);
  return (uint16_t)(s | ((qe + 25) << 10) | ((uint16_t)n - 1024));
}
static void ps2ph(const u8 *a, u8 *r, int rc) {
  memset(r, 0, 32);
  for (int i = 0; i < 8; i++) {
    float f;
    memcpy(&f, a + 4 * i, 4);
    uint16_t h = ref_f2h(f, rc);
    memcpy(r + 2 * i, &h, 2);
  }
}
static void ps2ph0_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { ps2ph(a, r, 0); }
static void ps2ph1_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { ps2ph(b, r, 1); }
static void ps2ph2_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { ps2ph(a, r, 2); memset(r + 8, 0, 8); }
static void ps2ph3_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { ps2ph(c, r, 3); }
static void ps2ph4_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { ps2ph(b, r, 2); } // MXCSR.RC = up
static void ph2ps_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  for (int i = 0; i < 8; i++) {
    uint16_t h;
    memcpy(&h, b + 2 * i, 2);
    int e = (h >> 10) & 31, f = h & 0x3ff;
    u32 bits;
    if (e == 31) bits = ((u32)(h >> 15) << 31) | 0x7f800000u | ((u32)f << 13) | (f ? 0x400000u : 0);
    else {
      float v = e ? ldexpf(1.0f + f / 1024.0f, e - 15) : ldexpf((float)f, -24);
      if (h >> 15) v = -v;
      memcpy(&bits, &v, 4);
    }
    memcpy(r + 4 * i, &bits, 4);
  }
}
#else
static void ps2ph0_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vcvtps2ph $0, %%ymm1, %%xmm0"); }
static void ps2ph1_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vcvtps2ph $1, %%ymm2, %%xmm0"); }
static void ps2ph2_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vcvtps2ph $2, %%xmm1, %%xmm0"); }
static void ps2ph3_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  memset(r, 0, 32);
  __asm__ volatile("vmovdqu %[c], %%ymm3\n\tvcvtps2ph $3, %%ymm3, %[r]\n\tvzeroupper" : [r] "=m"(*(u8(*)[16])r) : [c] "m"(*(const u8(*)[32])c) : "xmm3");
}
static const u32 mx_up = 0x1f80 | (2u << 13);
static void ps2ph4_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  __asm__ volatile("vmovdqu %[b], %%ymm2\n\tvldmxcsr %[up]\n\tvcvtps2ph $4, %%ymm2, %%xmm0\n\tvldmxcsr %[df]\n\tvmovdqu %%ymm0, %[r]\n\tvzeroupper"
                   : [r] "=m"(*(u8(*)[32])r)
                   : [b] "m"(*(const u8(*)[32])b), [up] "m"(mx_up), [df] "m"(mx_default)
                   : "xmm0", "xmm2");
}
static void ph2ps_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) { RUNX("vcvtph2ps %[b], %%ymm0"); }
#endif

static void hex(const u8 *r, int n);
// Gathers: a table of 64 dwords/qwords, indexes below and above the base, masks with gaps.
static u32 gtab[64];
static u64 gtabq[64];
static void gathers(void) {
  for (int i = 0; i < 64; i++) { gtab[i] = 0x1000u * (u32)i + 0xab; gtabq[i] = 0x100000000ull * (u64)i + 0xcd00 + (u64)i; }
  static const int32_t idxd[8] = {3, -2, 7, 0, 15, -8, 1, 9};
  static const int64_t idxq[4] = {5, -3, 1, 12};
  static const u32 maskd[8] = {0x80000000u, 0, 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x80000000u, 0x80000001u, 0};
  static const u64 maskq[4] = {1ull << 63, ~0ull, 0, 1ull << 63};
  u8 dinit[32], r[64];
  memset(dinit, 0xee, 32);
  const char *names[5] = {"vpgatherdd ymm", "vpgatherqq xmm", "vgatherdps xmm", "vpgatherqd ymm index", "vgatherdpd ymm"};
  for (int t = 0; t < 5; t++) {
    memset(r, 0, 64);
#ifdef REFERENCE
    int es = t == 1 || t == 4 ? 8 : 4, is = t == 1 || t == 3 ? 8 : 4, wide = t == 0 || t == 3 || t == 4;
    int n = (wide ? 32 : 16) / (es > is ? es : is);
    const u8 *mk = es == 8 ? (const u8 *)maskq : (const u8 *)maskd;
    memcpy(r, dinit, 32);
    for (int i = 0; i < n; i++) {
      int64_t k = is == 8 ? idxq[i] : idxd[i];
      if (!(mk[es * i + es - 1] & 0x80)) continue;
      if (es == 8) memcpy(r + 8 * i, &gtabq[8 + k], 8);
      else memcpy(r + 4 * i, &gtab[16 + k], 4);
    }
    memset(r + n * es, 0, (size_t)(32 - n * es));
    memset(r + 32, 0, 32); // the mask register ends zero
#else
    const u8 *mk = t == 1 || t == 4 ? (const u8 *)maskq : (const u8 *)maskd;
    const u8 *ix = t == 1 || t == 3 ? (const u8 *)idxq : (const u8 *)idxd;
#define GATHER(ins)                                                                                             \
  __asm__ volatile("vmovdqu %[d], %%ymm0\n\tvmovdqu %[i], %%ymm1\n\tvmovdqu %[k], %%ymm3\n\t" ins             \
                   "\n\tvmovdqu %%ymm0, %[r0]\n\tvmovdqu %%ymm3, %[r1]\n\tvzeroupper"                            \
                   : [r0] "=m"(*(u8(*)[32])r), [r1] "=m"(*(u8(*)[32])(r + 32))                                   \
                   : [d] "m"(*(const u8(*)[32])dinit), [i] "m"(*(const u8(*)[32])ix), [k] "m"(*(const u8(*)[32])mk), \
                     [t] "r"(gtab + 16), [q] "r"(gtabq + 8)                                                       \
                   : "xmm0", "xmm1", "xmm3", "memory")
    switch (t) {
    case 0: GATHER("vpgatherdd %%ymm3, (%[t],%%ymm1,4), %%ymm0"); break;
    case 1: GATHER("vpgatherqq %%xmm3, (%[q],%%xmm1,8), %%xmm0"); break;
    case 2: GATHER("vgatherdps %%xmm3, (%[t],%%xmm1,4), %%xmm0"); break;
    case 3: GATHER("vpgatherqd %%xmm3, (%[t],%%ymm1,4), %%xmm0"); break;
    case 4: GATHER("vgatherdpd %%ymm3, (%[q],%%xmm1,8), %%ymm0"); break;
    }
#endif
    printf("%s: ", names[t]);
    hex(r, 32);
    printf(" mask ");
    hex(r + 32, 32);
    putchar('\n');
  }
}

// vmaskmovdqu / maskmovdqu: the bytes of a whose byte in b has its top bit set, to [rdi] (r, holding c)
#ifdef REFERENCE
static void maskmovdqu_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  memcpy(r, c, 32);
  for (int i = 0; i < 16; i++) if (b[i] & 0x80) r[i] = a[i];
}
#define vmaskmovdqu_t maskmovdqu_t
#else
static void vmaskmovdqu_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  memcpy(r, c, 32);
  __asm__ volatile("vmovdqu %[a], %%xmm1\n\tvmovdqu %[b], %%xmm2\n\tvmaskmovdqu %%xmm2, %%xmm1"
                   :: "D"(r), [a] "m"(*(const u8(*)[16])a), [b] "m"(*(const u8(*)[16])b) : "xmm1", "xmm2", "memory");
}
static void maskmovdqu_t(const u8 *a, const u8 *b, const u8 *c, u8 *r) {
  memcpy(r, c, 32);
  __asm__ volatile("movdqu %[a], %%xmm1\n\tmovdqu %[b], %%xmm2\n\tmaskmovdqu %%xmm2, %%xmm1"
                   :: "D"(r), [a] "m"(*(const u8(*)[16])a), [b] "m"(*(const u8(*)[16])b) : "xmm1", "xmm2", "memory");
}
#endif

static const Test other_forms[] = {
    {"vmaskmovdqu", vmaskmovdqu_t}, {"maskmovdqu (SSE2)", maskmovdqu_t},
    {"vcvtps2ph ymm 0", ps2ph0_t}, {"vcvtps2ph ymm 1", ps2ph1_t}, {"vcvtps2ph xmm 2", ps2ph2_t},
    {"vcvtps2ph ymm 3 m128", ps2ph3_t}, {"vcvtps2ph ymm by MXCSR", ps2ph4_t}, {"vcvtph2ps ymm m128", ph2ps_t},
    {"vldmxcsr/vstmxcsr, vroundps by MXCSR", mxcsr_t},
    {"vzeroupper", vzeroupper_t},         {"vbroadcastss m32", bcastss_t},   {"vbroadcastsd xmm", bcastsd_t},
    {"vbroadcastf128", bcastf128_t},      {"vpbroadcastb ymm", pbcastb_t},   {"vpbroadcastw xmm, m16", pbcastw_x},
    {"vinsertf128 1", insertf128_t},      {"vextracti128 1", extractf128_t}, {"vperm2f128 0x31", perm2f128_t},
    {"vperm2i128 0x28 m256", perm2i128_t}, {"vpermilps 0x1b", permilps_t},   {"vpermilpd 0x6 m256", permilpd_t},
    {"vpermilps variable", permilpsv_t},  {"vblendvps ymm", blendvps_t},     {"vpblendvb ymm", pblendvb_t},
    {"vpblendd 0x96", pblendd_t},         {"vpermq 0x4e", permq_t},          {"vpermd", permd_t},
    {"vpsllvd", psllvd_t},                {"vpsrlvq m256", psrlvq_t},        {"vpsravd", psravd_t},
    {"vmaskmovps load", maskload_t},      {"vpmaskmovq store", maskstore_t}, {"vcmpps 13 / 24", cmpps_hi_t},
};

// ---- a general register and the flags ----
typedef void (*GFn)(const u8 *a, const u8 *b, u64 *g, u64 *f);
typedef struct {
  const char *name;
  GFn fn;
} GTest;
// xmm1 = a, xmm2 = b (ymm with VEX); rax = the result, then the flags (ZF and PF set going in, for the
// instructions that leave them). Built with -mno-red-zone (pushfq).
#define GV(fn, body, SETUP)                                                                                          \
  static void fn(const u8 *a, const u8 *b, u64 *g, u64 *f) {                                                       \
    __asm__ volatile(SETUP "mov $0x5a5a5a5a5a5a5a5a, %%rax\n\tcmp %%rax, %%rax\n\t" body "\n\tpushfq\n\tpop %[f]\n\tmov %%rax, %[g]" \
                     : [g] "=m"(*g), [f] "=r"(*f)                                                                   \
                     : [a] "m"(*(const u8(*)[32])a), [b] "m"(*(const u8(*)[32])b)                                   \
                     : "rax", "rcx", "rdx", "xmm0", "xmm1", "xmm2", "cc", "memory");                                \
  }
#define SETV "vmovdqu %[a], %%ymm1\n\tvmovdqu %[b], %%ymm2\n\t"
#define SETS "movdqu %[a], %%xmm1\n\tmovdqu %[b], %%xmm2\n\t"
#ifdef REFERENCE
#define G(fn, vex, sse) GV(fn, sse, SETS)
#else
#define G(fn, vex, sse) GV(fn, vex "\n\tvzeroupper", SETV)
#endif
G(ptest_g, "vptest %%xmm2, %%xmm1", "ptest %%xmm2, %%xmm1")
G(comiss_g, "vcomiss %%xmm2, %%xmm1", "comiss %%xmm2, %%xmm1")
G(ucomisd_g, "vucomisd %[b], %%xmm1", "ucomisd %%xmm2, %%xmm1")
G(pmovmskb_g, "vpmovmskb %%xmm2, %%eax", "pmovmskb %%xmm2, %%eax")
G(movmskpd_g, "vmovmskpd %%xmm2, %%eax", "movmskpd %%xmm2, %%eax")
G(pextrb_g, "vpextrb $13, %%xmm2, %%eax", "pextrb $13, %%xmm2, %%eax")
G(pextrw_g, "vpextrw $5, %%xmm2, %%eax", "pextrw $5, %%xmm2, %%eax")
G(pextrq_g, "vpextrq $1, %%xmm2, %%rax", "pextrq $1, %%xmm2, %%rax")
G(movq_g, "vmovq %%xmm2, %%rax", "movq %%xmm2, %%rax")
G(movd_g, "vmovd %%xmm2, %%eax", "movd %%xmm2, %%eax")
G(cvttss2si_g, "vcvttss2si %%xmm2, %%rax", "cvttss2si %%xmm2, %%rax")
G(cvtsd2si_g, "vcvtsd2si %[b], %%eax", "cvtsd2si %%xmm2, %%eax")
G(pcmpistri_g, "vpcmpistri $0x0c, %%xmm2, %%xmm1\n\tmov %%rcx, %%rax", "pcmpistri $0x0c, %%xmm2, %%xmm1\n\tmov %%rcx, %%rax")
G(pcmpestri_g, "mov $7, %%eax\n\tmov $11, %%edx\n\tvpcmpestri $0x18, %%xmm2, %%xmm1\n\tmov %%rcx, %%rax",
  "mov $7, %%eax\n\tmov $11, %%edx\n\tpcmpestri $0x18, %%xmm2, %%xmm1\n\tmov %%rcx, %%rax")
// reg <- general register, then the whole register back out through memory
G(pinsrd_g, "mov %[a], %%rax\n\tvpinsrd $2, %%eax, %%xmm2, %%xmm0\n\tvpextrq $1, %%xmm0, %%rax",
  "mov %[a], %%rax\n\tmovdqa %%xmm2, %%xmm0\n\tpinsrd $2, %%eax, %%xmm0\n\tpextrq $1, %%xmm0, %%rax")
G(cvtsi2sd_g, "mov %[a], %%rax\n\tvcvtsi2sd %%rax, %%xmm2, %%xmm0\n\tvmovq %%xmm0, %%rax",
  "mov %[a], %%rax\n\tmovdqa %%xmm2, %%xmm0\n\tcvtsi2sd %%rax, %%xmm0\n\tmovq %%xmm0, %%rax")
G(movd_in_g, "mov %[a], %%rax\n\tvmovd %%eax, %%xmm0\n\tvpextrq $1, %%xmm0, %%rax", "mov %[a], %%rax\n\tmovd %%eax, %%xmm0\n\tpextrq $1, %%xmm0, %%rax")
#ifdef REFERENCE
static u64 sgnbits(const u8 *x, int es, int n) {
  u64 r = 0;
  for (int i = 0; i < n / es; i++) r |= (u64)(x[es * i + es - 1] >> 7) << i;
  return r;
}
static u64 testflags(const u8 *x, const u8 *y, int n, int es) { // es 0: every bit
  int zf = 1, cf = 1;
  for (int i = 0; i < n; i++) {
    u8 bits = !es ? 0xff : (i % es) == es - 1 ? 0x80 : 0;
    if (x[i] & y[i] & bits) zf = 0;
    if (~x[i] & y[i] & bits) cf = 0;
  }
  return (zf ? 0x40 : 0) | (cf ? 1 : 0);
}
static void ptest_y(const u8 *a, const u8 *b, u64 *g, u64 *f) { *g = 0x5a5a5a5a5a5a5a5aull; *f = testflags(a, b, 32, 0); }
static void testps_y(const u8 *a, const u8 *b, u64 *g, u64 *f) { *g = 0x5a5a5a5a5a5a5a5aull; *f = testflags(a, b, 32, 4); }
static void testpd_x(const u8 *a, const u8 *b, u64 *g, u64 *f) { *g = 0x5a5a5a5a5a5a5a5aull; *f = testflags(a, b, 16, 8); }
static void pmovmskb_y(const u8 *a, const u8 *b, u64 *g, u64 *f) { *g = sgnbits(b, 1, 32); *f = 0x44; }
static void movmskps_y(const u8 *a, const u8 *b, u64 *g, u64 *f) { *g = sgnbits(b, 4, 32); *f = 0x44; }
#else
G(ptest_y, "vptest %%ymm2, %%ymm1", "")
G(testps_y, "vtestps %%ymm2, %%ymm1", "")
G(testpd_x, "vtestpd %[b], %%xmm1", "")
G(pmovmskb_y, "vpmovmskb %%ymm2, %%eax", "")
G(movmskps_y, "vmovmskps %%ymm2, %%eax", "")
#endif
static const GTest gpr_forms[] = {
    {"vptest xmm", ptest_g},         {"vcomiss", comiss_g},           {"vucomisd m64", ucomisd_g},     {"vpmovmskb xmm", pmovmskb_g},
    {"vmovmskpd xmm", movmskpd_g},   {"vpextrb 13", pextrb_g},        {"vpextrw 5", pextrw_g},         {"vpextrq 1", pextrq_g},
    {"vmovq rax", movq_g},           {"vmovd eax", movd_g},           {"vcvttss2si", cvttss2si_g},     {"vcvtsd2si m64", cvtsd2si_g},
    {"vpcmpistri 0x0c", pcmpistri_g}, {"vpcmpestri 0x18", pcmpestri_g}, {"vpinsrd 2", pinsrd_g},       {"vcvtsi2sd rax", cvtsi2sd_g},
    {"vmovd from eax", movd_in_g},   {"vptest ymm", ptest_y},         {"vtestps ymm", testps_y},       {"vtestpd xmm m128", testpd_x},
    {"vpmovmskb ymm", pmovmskb_y},   {"vmovmskps ymm", movmskps_y},
};

// Input sets: integers of every kind, then floats and doubles with NaNs,
// infinities, zeros of both signs, denormals and ordinary values.
static u8 in[6][3][32] __attribute__((aligned(32)));
static u8 unaligned[40];
static void fill(void) {
  u64 s = 0x9e3779b97f4a7c15ull;
  for (int k = 0; k < 6; k++)
    for (int j = 0; j < 3; j++)
      for (int i = 0; i < 32; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        in[k][j][i] = (u8)(s >> 56);
      }
  // set 1: small values (shift counts, indexes, NUL-free strings with a NUL in b)
  for (int i = 0; i < 32; i++) { in[1][0][i] = (u8)('a' + i % 7); in[1][1][i] = (u8)(i % 5 == 4 ? 0 : 'a' + i % 3); }
  u64 cnt[4] = {3, 70, 5, 1};
  memcpy(in[1][1], cnt, 8);
  u32 dcnt[8] = {0, 1, 31, 32, 5, 100, 7, 16};
  memcpy(in[2][1], dcnt, 32);
  // sets 3-4: floats, set 5: doubles
  const float fv[16] = {1.5f, -2.25f, 0.0f, -0.0f, __builtin_inff(), -__builtin_inff(), __builtin_nanf(""), 1e-40f,
                        3.0f, 3.0f, -7.75f, 1e30f, 0.1f, -__builtin_nanf(""), 2.5f, -1e-3f};
  const float fw[16] = {0.5f, 4.0f, -0.0f, 0.0f, 1.0f, __builtin_inff(), 2.0f, -1e-40f,
                        3.0f, -3.0f, __builtin_nanf("1"), 1e-30f, 0.3f, 5.0f, 2.5f, 1e3f};
  memcpy(in[3][0], fv, 32);
  memcpy(in[3][1], fw, 32);
  memcpy(in[4][0], fw + 8, 32);
  memcpy(in[4][1], fv + 8, 32);
  const double dv[8] = {1.5, -0.0, __builtin_inf(), __builtin_nan(""), 1e-310, 2.0, -3.5, 1e300};
  const double dw[8] = {-2.0, 0.0, 1.0, 4.0, -1e-310, 2.0, __builtin_nan("2"), -1e300};
  memcpy(in[5][0], dv, 32);
  memcpy(in[5][1], dw, 32);
  // FMA's third operand (the destination going in): floats, doubles
  const float fx[8] = {2.0f, -0.0f, __builtin_inff(), 1e-40f, -5.5f, 0.25f, 3.0f, -1e30f};
  memcpy(in[3][2], fx, 32); // NaN-free: no element has two NaNs (which one an FMA returns then differs between CPUs)
  memcpy(in[4][2], fv + 2, 32);
  const double dx[4] = {-1e-310, -__builtin_inf(), 3.25, 0.0};
  memcpy(in[5][2], dx, 32);
}

static void hex(const u8 *r, int n) {
  for (int i = n - 1; i >= 0; i--) printf("%02x%s", r[i], i && i % 8 == 0 ? "_" : "");
}

// A signal handler that uses YMM5 fully, run between two instructions that
// keep a value in YMM5: the signal frame must save and restore the upper half.
static volatile int handled;
static void on_usr1(int sig) {
#ifndef REFERENCE
  __asm__ volatile("vpcmpeqb %%ymm5, %%ymm5, %%ymm5\n\tvzeroupper" ::: "xmm5");
#endif
  handled++;
}
static void signal_keeps_ymm(void) {
  signal(SIGUSR1, on_usr1);
  u8 r[32];
#ifdef REFERENCE
  memcpy(r, in[0][0], 32);
  handled = 1;
#else
  long pid = getpid();
  __asm__ volatile("vmovdqu %[a], %%ymm5\n\tmov $62, %%eax\n\tmov %[pid], %%rdi\n\tmov $10, %%esi\n\tsyscall\n\t"
                   "vmovdqu %%ymm5, %[r]\n\tvzeroupper"
                   : [r] "=m"(r)
                   : [a] "m"(*(const u8(*)[32])in[0][0]), [pid] "r"(pid)
                   : "rax", "rdi", "rsi", "rcx", "r11", "xmm5", "memory");
#endif
  printf("ymm5 across a signal handler (%d): ", handled);
  hex(r, 32);
  putchar('\n');
}

// With "xsave" (run where cpuid reports OSXSAVE and AVX: the core with
// TRELLIS_X86_V3=1, or a host that has them): XGETBV, cpuid's AVX bits, and
// YMM0-15 through XSAVE/XRSTOR/XSAVEC images. The reference prints what
// they must give.
static u8 area[2][4096] __attribute__((aligned(64)));
static u8 ypat[16][32], yout[16][32];
static void ymm_all(int store) { // yout <- YMM0-15, or YMM0-15 <- ypat
#define YR(n) store ? ({ __asm__ volatile("vmovdqu %%ymm" #n ", %0" : "=m"(yout[n])); 0; }) : ({ __asm__ volatile("vmovdqu %0, %%ymm" #n :: "m"(ypat[n]) : "xmm" #n); 0; });
  YR(0) YR(1) YR(2) YR(3) YR(4) YR(5) YR(6) YR(7) YR(8) YR(9) YR(10) YR(11) YR(12) YR(13) YR(14) YR(15)
}
static void xsave_part(void) {
  for (int r = 0; r < 16; r++)
    for (int i = 0; i < 32; i++) ypat[r][i] = (u8)(r * 37 + i * 11 + 1);
  u32 xcr0 = 7, ecx1 = 1u << 27 | 1u << 28, ebx7 = 1u << 5;
#ifndef REFERENCE
  u32 lo, hi, a, b, c, d;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  xcr0 = lo & 7;
  __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
  ecx1 = c & (1u << 27 | 1u << 28);
  __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
  ebx7 = b & (1u << 5);
#endif
  printf("xgetbv: x87 sse avx %x, cpuid osxsave+avx %x avx2 %x\n", xcr0, ecx1, ebx7);
  // 1: xsave all, clobber, xrstor all; 2: xrstor with AVX's XSTATE_BV bit clear (its initial state);
  // 3: xrstor without AVX in RFBM (the upper halves stay); 4: xsavec + xrstor
  for (int t = 1; t <= 4; t++) {
#ifdef REFERENCE
    for (int r = 0; r < 16; r++) {
      memcpy(yout[r], ypat[r], 32);
      if (t == 2) memset(yout[r] + 16, 0, 16);
      if (t == 3) memset(yout[r] + 16, 0xff, 16);
    }
#else
    memset(area, 0, sizeof area);
    ymm_all(0);
    if (t == 4) __asm__ volatile("xsavec %0" : "=m"(area[0]) : "a"(7), "d"(0) : "memory");
    else __asm__ volatile("xsave %0" : "=m"(area[0]) : "a"(7), "d"(0) : "memory");
    if (t == 2) area[0][512] &= ~4;
    // every register's upper half all ones, the lower half zero
    __asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\tvpxor %%xmm0, %%xmm0, %%xmm0\n\tvinserti128 $1, %%xmm0, %%ymm0, %%ymm1\n\t"
                     "vperm2i128 $0x08, %%ymm1, %%ymm1, %%ymm0\n\tvpcmpeqd %%ymm2, %%ymm2, %%ymm2\n\tvperm2i128 $0x08, %%ymm2, %%ymm2, %%ymm0\n\t"
                     "vmovdqa %%ymm0, %%ymm1\n\tvmovdqa %%ymm0, %%ymm2\n\tvmovdqa %%ymm0, %%ymm3\n\tvmovdqa %%ymm0, %%ymm4\n\t"
                     "vmovdqa %%ymm0, %%ymm5\n\tvmovdqa %%ymm0, %%ymm6\n\tvmovdqa %%ymm0, %%ymm7\n\tvmovdqa %%ymm0, %%ymm8\n\t"
                     "vmovdqa %%ymm0, %%ymm9\n\tvmovdqa %%ymm0, %%ymm10\n\tvmovdqa %%ymm0, %%ymm11\n\tvmovdqa %%ymm0, %%ymm12\n\t"
                     "vmovdqa %%ymm0, %%ymm13\n\tvmovdqa %%ymm0, %%ymm14\n\tvmovdqa %%ymm0, %%ymm15"
                     ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
                       "xmm13", "xmm14", "xmm15");
    __asm__ volatile("xrstor %0" :: "m"(area[0]), "a"(t == 3 ? 3 : 7), "d"(0) : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                     "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory");
    ymm_all(1);
    __asm__ volatile("vzeroupper");
#endif
    u64 h = 1469598103934665603ull;
    for (int r = 0; r < 16; r++)
      for (int i = 0; i < 32; i++) h = (h ^ yout[r][i]) * 1099511628211ull;
    printf("xsave test %d: ymm15 ", t);
    hex(yout[15], 32);
    printf(", all 16 hash %016llx\n", (unsigned long long)h);
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "xsave")) {
    xsave_part();
    return 0;
  }
  fill();
  signal_keeps_ymm();
  gathers();
  u8 r[32] __attribute__((aligned(32)));
  for (unsigned t = 0; t < sizeof sse_forms / sizeof sse_forms[0]; t++)
    for (int k = 0; k < 6; k++) {
      memset(r, 0xee, 32);
      sse_forms[t].fn(in[k][0], in[k][1], in[k][2], r);
      printf("%s [%d] ", sse_forms[t].name, k);
      hex(r, 32);
      putchar('\n');
    }
  for (unsigned t = 0; t < sizeof other_forms / sizeof other_forms[0]; t++)
    for (int k = 0; k < 6; k++) {
      memset(r, 0xee, 32);
      other_forms[t].fn(in[k][0], in[k][1], in[k][2], r);
      printf("%s [%d] ", other_forms[t].name, k);
      hex(r, 32);
      putchar('\n');
    }
  for (unsigned t = 0; t < sizeof fma_forms / sizeof fma_forms[0]; t++)
    for (int k = 0; k < 6; k++) {
      memset(r, 0xee, 32);
      fma_forms[t].fn(in[k][0], in[k][1], in[k][2], r);
      printf("%s [%d] ", fma_forms[t].name, k);
      hex(r, 32);
      putchar('\n');
    }
  // an unaligned memory operand (VEX forms do not need 16-byte alignment)
  memcpy(unaligned + 3, in[0][1], 32);
  memset(r, 0xee, 32);
  paddw_ym(in[0][0], unaligned + 3, in[0][2], r);
  printf("vpaddw ymm, unaligned m256 ");
  hex(r, 32);
  putchar('\n');
  for (unsigned t = 0; t < sizeof gpr_forms / sizeof gpr_forms[0]; t++)
    for (int k = 0; k < 6; k++) {
      u64 g, f;
      gpr_forms[t].fn(in[k][0], in[k][1], &g, &f);
      printf("%s [%d] %016llx flags %03llx\n", gpr_forms[t].name, k, (unsigned long long)g, (unsigned long long)(f & 0x8d5));
    }
  return 0;
}
