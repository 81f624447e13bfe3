// Shared declarations of the Trellis x86-64 user-mode emulator core.
#ifndef TRELLIS_EMU_H
#define TRELLIS_EMU_H
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t i8;
typedef int16_t i16;
typedef int32_t i32;
typedef int64_t i64;

#define PAGE 4096ull
#define PAGE_MASK (PAGE - 1)

// ---- guest memory (mem.c) ----
enum { PROT_R = 1, PROT_W = 2, PROT_X = 4 };

// A page buffer shared copy-on-write between forked address spaces.
typedef struct PageBuf {
  i32 refs;
  u8 data[4096];
} PageBuf;

typedef struct Pte {
  PageBuf *buf; // NULL: zero-filled on first touch
  u8 prot;      // 0 means not mapped
  u8 mapped;
  u8 code;      // the decode cache holds blocks of this page: writes must drop them
} Pte;

#define TLB_SIZE 256
typedef struct TlbEntry {
  u64 tag; // page number + 1; 0 = empty
  u8 *host;
} TlbEntry;

typedef struct Mem {
  void **l4; // radix tree: 512 -> 512 -> 512 -> Pte[512]
  TlbEntry rtlb[TLB_SIZE];
  TlbEntry wtlb[TLB_SIZE];
  u64 brk_start, brk;
  u64 mmap_hint;
  u64 fault_addr;
  union {
    struct {
      u8 fault;        // set by accessors on unmapped/forbidden access
      u8 code_changed; // cached code was dropped: the running block may be stale
    };
    u16 stop; // either of them: the executor leaves the block (one test per instruction)
  };
  int refs;  // shared by vfork children
  struct Code *code; // decode cache (dcache.c)
  u32 code_gen;      // bumped whenever cached code is dropped: block links older than it are void
} Mem;

Mem *mem_new(void);
Mem *mem_fork(Mem *m);
void mem_free(Mem *m);
void mem_map(Mem *m, u64 addr, u64 len, int prot);   // anonymous zero pages
void mem_unmap(Mem *m, u64 addr, u64 len);
int mem_protect(Mem *m, u64 addr, u64 len, int prot);
int mem_is_free(Mem *m, u64 addr, u64 len);
u64 mem_find_free(Mem *m, u64 len);
int mem_is_mapped(Mem *m, u64 addr);
int mem_prot_of(Mem *m, u64 addr);
void tlb_flush(Mem *m);
u8 *mem_slow_ptr(Mem *m, u64 addr, int write); // NULL on fault (sets fault)
int mem_read(Mem *m, u64 addr, void *dst, u64 len);
int mem_write(Mem *m, u64 addr, const void *src, u64 len);
int mem_write_force(Mem *m, u64 addr, const void *src, u64 len); // ignores PROT_W (loader)
long mem_strlen(Mem *m, u64 addr, long max);
u8 *mem_code_page(Mem *m, u64 addr, int mark); // host page to fetch code from; NULL (fault set) unless PROT_EXEC
// dcache.c
void code_invalidate(Mem *m, u64 first_page, u64 last_page);
void code_free(Mem *m);
u64 code_blocks_built(Mem *m);
// aot-run.c: translated blocks on or off (TRELLIS_AOT), the block profile (TRELLIS_AOT_PROFILE)
void aot_init(void);
int aot_profiling(void);
void aot_profile_close(void);
void aot_report(void);
extern u64 aot_block_runs, aot_block_entries;
// Where guest instructions ran (reported with aot_report under TRELLIS_TRACE=1): interpreted blocks, translated
// ones, calls of cpu_run, and instructions translated code left to their handlers, by opcode.
extern u64 aot_stat_blocks, aot_stat_insns, aot_stat_aot_insns, aot_stat_runs, aot_stat_step[0x400];

static inline u8 *mem_rptr(Mem *m, u64 addr) {
  TlbEntry *e = &m->rtlb[(addr >> 12) & (TLB_SIZE - 1)];
  if (e->tag == (addr >> 12) + 1) return e->host + (addr & PAGE_MASK);
  return mem_slow_ptr(m, addr, 0);
}
static inline u8 *mem_wptr(Mem *m, u64 addr) {
  TlbEntry *e = &m->wtlb[(addr >> 12) & (TLB_SIZE - 1)];
  if (e->tag == (addr >> 12) + 1) return e->host + (addr & PAGE_MASK);
  return mem_slow_ptr(m, addr, 1);
}

// ---- CPU state ----
typedef union Xmm {
  u8 b[16];
  i8 sb[16];
  u16 w[8];
  i16 sw[8];
  u32 d[4];
  i32 sd[4];
  u64 q[2];
  i64 sq[2];
  float f[4];
  double fd[2];
} Xmm;

typedef struct Cpu {
  u64 r[17]; // r[16] stays 0: decoded operands name it for an absent base or index
  u64 rip;
  u64 fsbase, gsbase;
  u64 flags; // materialised flags (DF etc. always; arithmetic ones when lf_op == 0)
  int lf_op, lf_sz;
  u64 lf_res, lf_a, lf_b, lf_cin;
  Xmm xmm[18]; // 16, 17: scratch operands of the VEX forms run by the SSE handlers (avx.c)
  Xmm yh[16];  // bits 255:128 of YMM0-15 (VEX.128 writes zero them; legacy SSE keeps them)
  u32 mxcsr;
  // x87: stack of 8 values held as host long double (binary128 on wasm32)
  long double st[8];
  int ftop;
  u16 fcw, fsw, ftag;
  u64 mm[8]; // MMX registers (kept apart from the x87 stack they alias on hardware)
} Cpu;

// ---- processes (proc.c) ----
struct File;
typedef struct FdTable {
  int refs;
  struct File *fd[256];
  u8 cloexec[256];
} FdTable;

typedef struct SigAct {
  u64 handler, flags, restorer, mask;
} SigAct;

enum { P_RUN = 1, P_BLOCKED, P_ZOMBIE, P_FREE = 0 };

typedef struct Proc {
  int state;
  int pid, ppid, pgid, sid;
  int tgid;       // thread group (the process id getpid reports); pid is the thread id
  int is_thread;  // a CLONE_THREAD child: no zombie, no SIGCHLD
  u64 futex_addr; // address a blocked FUTEX_WAIT waits on
  int futex_woken;
  Cpu cpu;
  Mem *mem;
  FdTable *fds;
  char cwd[1024];
  char exe[1024];
  u32 umask;
  int exit_status; // wait status word
  u64 clear_tid;
  SigAct sig[65];
  u64 sigmask, sigpending;
  u64 suspend_mask; // mask to restore after a handler interrupted rt_sigsuspend
  int in_suspend;
  u64 sleep_until; // monotonic deadline of a blocked nanosleep, 0 when none
  u64 fault_addr, fault_sig; // siginfo of a synchronous fault being delivered
  u64 alarm_at, alarm_interval; // ITIMER_REAL: next expiry (monotonic ns, 0 = off) and period
  int vfork_parent; // pid of the parent suspended by vfork, or 0
  int vfork_wait;   // this process waits for a vfork child to exec/exit
  u64 start_ns;
  u64 insns;
  // Translated blocks chain into each other without the executor (emulator/aot/emit.c): the block running
  // last, and the instruction count a chain must stay below (the executor's budget).
  struct Block *aot_cur;
  u64 aot_limit;
  u64 aot_chained; // blocks it went on into (the statistics)
  int undumpable; // prctl PR_SET_DUMPABLE 0 (kept, inherited by fork, reported back)
} Proc;

#define MAX_PROC 128
extern Proc procs[MAX_PROC];
extern Proc *cur;
extern int trace_on;

// cpu.c
// Runs the process for up to `budget` instructions. Returns when budget is spent,
// the process blocked, exited, or was stopped by a fault.
void cpu_run(Proc *p, long budget);
void cpu_reset(Cpu *c);
u64 cpu_get_flags(Cpu *c);
void cpu_set_flags(Cpu *c, u64 f);

// syscall.c
#define SYS_BLOCK (-100000) // internal: retry this syscall later
i64 do_syscall(Proc *p);
void kill_proc(Proc *p, int sig);
void fault_signal(Proc *p, int sig, int code, u64 addr);
void exit_proc(Proc *p, int status_word);
void deliver_signals(Proc *p);
void fxsave(Cpu *c, Mem *m, u64 a);
void fxrstor(Cpu *c, Mem *m, u64 a);

// snapshot.c: start-up snapshots (lib/compile/startup-snapshot.ts)
extern int snap_armed;
int snap_stops(Proc *p);
void snap_take(Proc *p);
void snap_make_key(char **args, char **env, const char *workdir);
int snap_restore(void);
void snap_note_copy(u64 addr, const void *src, u64 len);
void snap_rootfs_ready(void);                  // a passive rootfs copied in (before its first use)
void vfs_set_pending(void (*fill)(void));      // vfs.c: calls fill before the next rootfs access
PageBuf *mem_page_buf(Mem *m, u64 addr); // mem.c
size_t code_scrub(Mem *m);                // dcache.c

// elf.c
int exec_load(Proc *p, const char *path, char **argv, char **envp, char *err, size_t errlen);

// rootfs.c / vfs.c
int rootfs_init(const u8 *base, u64 size);
#include "vfs.h"

void fatal(const char *fmt, ...);
void tracef(const char *fmt, ...);
u64 now_ns(void);
u64 mono_ns(void);
int cpu_reports_v3(void); // TRELLIS_X86_V3=1: cpuid reports x86-64-v3 (system.c)

#endif
