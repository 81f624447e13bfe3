// Processes, threads and signals: the process table, fork/clone/exec/exit/wait,
// signal delivery with Linux-layout frames, kill, and futexes.
#include "syscall.h"

// ---------- processes ----------
Proc procs[MAX_PROC];
Proc *cur;

Proc *find_proc(int pid) {
  for (int i = 0; i < MAX_PROC; i++)
    if (procs[i].state != P_FREE && procs[i].pid == pid) return &procs[i];
  return NULL;
}

static void wake_vfork_parent(Proc *p) {
  if (!p->vfork_parent) return;
  Proc *pp = find_proc(p->vfork_parent);
  if (pp) pp->vfork_wait = 0;
  p->vfork_parent = 0;
}

extern int init_exit_code;
extern int init_done;

void exit_proc(Proc *p, int status_word) {
  if (p->state == P_ZOMBIE || p->state == P_FREE) return;
  if (p->clear_tid) {
    u32 z = 0;
    mem_write(p->mem, p->clear_tid, &z, 4);
    p->mem->fault = 0;
    futex_wake(p->mem, p->clear_tid, 1); // pthread_join waits on this
  }
  wake_vfork_parent(p);
  fds_release(p->fds);
  p->fds = NULL;
  mem_free(p->mem);
  p->mem = NULL;
  p->exit_status = status_word;
  if (p->is_thread) { // threads leave no zombie and send no SIGCHLD
    p->state = P_FREE;
    return;
  }
  p->state = P_ZOMBIE;
  for (int i = 0; i < MAX_PROC; i++)
    if (procs[i].state != P_FREE && procs[i].ppid == p->pid) {
      procs[i].ppid = 1;
      if (procs[i].state == P_ZOMBIE && p->pid != 1) procs[i].state = P_FREE; // nobody will reap
    }
  Proc *parent = find_proc(p->ppid);
  if (parent && parent->state != P_ZOMBIE) parent->sigpending |= 1ull << (17 - 1);
  if (p->pid == 1) {
    init_done = 1;
    init_exit_code = (status_word & 0x7f) ? 128 + (status_word & 0x7f) : (status_word >> 8) & 0xff;
  }
  if (!parent || parent->state == P_ZOMBIE) {
    if (p->pid != 1) p->state = P_FREE;
  }
}

void kill_proc(Proc *p, int sig) { exit_proc(p, sig & 0x7f); }

// A fault raised by an instruction: run the guest's handler (which may fix
// things and return to retry the instruction) or terminate as Linux does when
// the signal is blocked, ignored or has no handler.
void fault_signal(Proc *p, int sig, int code, u64 addr) {
  SigAct *sa = &p->sig[sig];
  if (sa->handler <= 1 || (p->sigmask >> (sig - 1)) & 1) {
    kill_proc(p, sig);
    return;
  }
  p->fault_sig = (u64)sig | ((u64)(u32)code << 32);
  p->fault_addr = addr;
  p->sigpending |= 1ull << (sig - 1);
  deliver_signals(p);
}

int sig_default_ignored(int sig) { return sig == 17 || sig == 18 || sig == 23 || sig == 28 || (sig >= 19 && sig <= 22); }

// The extended state after the FXSAVE image, laid out as Linux writes it
// with XSAVE: the software bytes in FXSAVE's reserved 464-511 (magic, sizes,
// features), the XSAVE header at 512, YMM bits 255:128 at 576, and
// FP_XSTATE_MAGIC2 after it. So code that runs VEX instructions keeps its
// YMM registers across a handler that uses them (the core runs AVX
// instructions, though cpuid does not report AVX yet).
enum { XSTATE_SIZE = 576 + 256, FP_XSTATE_MAGIC1 = 0x46505853, FP_XSTATE_MAGIC2 = 0x46505845 };
static int xstate_put(Proc *p, u64 fp) {
  u32 sw[12] = {FP_XSTATE_MAGIC1, XSTATE_SIZE + 4, 7, 0, XSTATE_SIZE}; // magic1, extended_size, xfeatures (x87 SSE AVX), xstate_size
  u64 hdr[8] = {7};                                                    // xstate_bv
  u32 magic2 = FP_XSTATE_MAGIC2;
  return put(p, fp + 464, sw, sizeof sw) || put(p, fp + 512, hdr, sizeof hdr) || put(p, fp + 576, p->cpu.yh, 256) ||
         put(p, fp + XSTATE_SIZE, &magic2, 4);
}
// sigreturn: the YMM upper halves back from a frame that has them (else their initial state, zero).
static void xstate_get(Proc *p, u64 fp) {
  u32 sw[5], magic2 = 0;
  u64 bv = 0;
  memset(p->cpu.yh, 0, sizeof p->cpu.yh);
  if (get(p, fp + 464, sw, sizeof sw) || sw[0] != FP_XSTATE_MAGIC1 || sw[4] != XSTATE_SIZE) return;
  if (get(p, fp + XSTATE_SIZE, &magic2, 4) || magic2 != FP_XSTATE_MAGIC2 || get(p, fp + 512, &bv, 8)) return;
  if (bv & 4) get(p, fp + 576, p->cpu.yh, 256);
}

// Builds a signal frame and enters the handler; returns 1 when a handler was entered.
static int enter_handler(Proc *p, int sig) {
  Cpu *c = &p->cpu;
  SigAct *sa = &p->sig[sig];
  u64 sp = c->r[4] - 128; // skip the red zone
  sp -= XSTATE_SIZE + 4;  // fxsave area, the XSAVE header and the YMM upper halves, FP_XSTATE_MAGIC2
  sp &= ~63ull;
  u64 fpstate = sp;
  fxsave(c, p->mem, fpstate);
  if (xstate_put(p, fpstate)) return -1;
  // ucontext: flags, link, stack(24), gregs[23], fpregs ptr, reserved[8], sigmask
  u64 uc[5 + 23 + 1 + 8 + 1];
  memset(uc, 0, sizeof uc);
  u64 *g = uc + 5;
  static const int order[16] = {8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4};
  for (int i = 0; i < 16; i++) g[i] = c->r[order[i]];
  g[16] = c->rip;
  g[17] = cpu_get_flags(c);
  g[18] = 0x33;
  uc[0] = 1; // UC_FP_XSTATE: fpstate carries the extended state
  uc[28] = fpstate;
  uc[37] = p->in_suspend ? p->suspend_mask : p->sigmask;
  if (p->in_suspend) p->sigmask = p->suspend_mask;
  p->in_suspend = 0;
  u8 info[128];
  memset(info, 0, sizeof info);
  memcpy(info, &sig, 4);
  if ((int)(p->fault_sig & 0xffffffffu) == sig) { // si_code and si_addr of a synchronous fault
    int code = (int)(p->fault_sig >> 32);
    memcpy(info + 8, &code, 4);
    memcpy(info + 16, &p->fault_addr, 8);
    p->fault_sig = 0;
  }
  sp -= sizeof uc;
  sp &= ~15ull;
  u64 ucp = sp;
  sp -= sizeof info;
  u64 infop = sp;
  sp -= 8; // return address slot; keeps (sp+8) % 16 == 0 at entry
  if (put(p, ucp, uc, sizeof uc) || put(p, infop, info, sizeof info) || put(p, sp, &sa->restorer, 8)) return -1;
  c->r[4] = sp;
  c->r[7] = (u64)sig;
  c->r[6] = infop;
  c->r[2] = ucp;
  c->r[0] = 0;
  c->rip = sa->handler;
  p->sigmask |= sa->mask | ((sa->flags & 0x40000000u) ? 0 : 1ull << (sig - 1)); // SA_NODEFER
  if (sa->flags & 0x80000000u) sa->handler = 0; // SA_RESETHAND
  return 1;
}

static i64 do_rt_sigreturn(Proc *p) {
  Cpu *c = &p->cpu;
  u64 ucp = c->r[4] + 128; // after the restorer popped the return address: info(128) precedes uc
  u64 uc[5 + 23 + 1 + 8 + 1];
  if (get(p, ucp, uc, sizeof uc)) { kill_proc(p, 11); return 0; }
  u64 *g = uc + 5;
  static const int order[16] = {8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4};
  for (int i = 0; i < 16; i++) c->r[order[i]] = g[i];
  c->rip = g[16];
  cpu_set_flags(c, (g[17] & 0x254dd5) | 0x202);
  if (uc[28]) {
    fxrstor(c, p->mem, uc[28]);
    xstate_get(p, uc[28]);
  }
  p->sigmask = uc[37] & ~((1ull << 8) | (1ull << 18));
  return c->r[0];
}

void deliver_signals(Proc *p) {
  while (p->state == P_RUN || p->state == P_BLOCKED) {
    u64 ready = p->sigpending & ~p->sigmask;
    ready |= p->sigpending & ((1ull << 8) | (1ull << 18)); // KILL, STOP unblockable
    if (!ready) return;
    int sig = __builtin_ctzll(ready) + 1;
    p->sigpending &= ~(1ull << (sig - 1));
    SigAct *sa = &p->sig[sig];
    if (sig == 9 || (sa->handler == 0 && !sig_default_ignored(sig))) {
      kill_proc(p, sig);
      return;
    }
    if (sa->handler == 1 || sa->handler == 0) continue; // ignored
    if (p->state == P_BLOCKED) {
      // interrupt the blocked syscall
      p->cpu.rip += 2;
      p->cpu.r[0] = (u64)E(EINTR);
      p->sleep_until = 0;
      p->futex_addr = 0;
      p->futex_woken = 0;
      p->state = P_RUN;
    }
    if (enter_handler(p, sig) < 0) { kill_proc(p, 11); return; }
  }
}

static i64 do_fork(Proc *p, u64 flags, u64 newsp, u64 ptid, u64 ctid, u64 tls) {
  int thread = (flags & 0x10000) != 0; // CLONE_THREAD: runs one at a time with the others
  if (thread && !(flags & 0x100)) return E(EINVAL);
  Proc *n = NULL;
  for (int i = 0; i < MAX_PROC; i++)
    if (procs[i].state == P_FREE) { n = &procs[i]; break; }
  if (!n) return E(EAGAIN);
  memset(n, 0, sizeof *n);
  *n = *p;
  n->pid = next_pid++;
  n->ppid = thread ? p->ppid : p->tgid;
  n->tgid = thread ? p->tgid : n->pid;
  n->is_thread = thread;
  n->futex_addr = 0;
  n->futex_woken = 0;
  n->sleep_until = 0;
  n->in_suspend = 0;
  n->alarm_at = n->alarm_interval = 0; // timers are not inherited by fork
  n->insns = 0;
  n->sigpending = 0;
  n->vfork_parent = 0;
  n->vfork_wait = 0;
  n->clear_tid = 0;
  if (flags & 0x100) { // CLONE_VM: share the address space
    n->mem = p->mem;
    p->mem->refs++;
    if (flags & 0x4000) { // CLONE_VFORK: the parent waits for exec or exit
      n->vfork_parent = p->pid;
      p->vfork_wait = n->pid;
    }
  } else {
    n->mem = mem_fork(p->mem);
  }
  if (flags & 0x400) { n->fds = p->fds; p->fds->refs++; } // CLONE_FILES
  else n->fds = fds_copy(p->fds);
  n->cpu.r[0] = 0;
  if (newsp) n->cpu.r[4] = newsp;
  if (flags & 0x80000) n->cpu.fsbase = tls; // CLONE_SETTLS
  u32 tid = (u32)n->pid;
  if (flags & 0x100000) { mem_write(p->mem, ptid, &tid, 4); p->mem->fault = 0; } // PARENT_SETTID
  if (flags & 0x1000000) { mem_write(n->mem, ctid, &tid, 4); n->mem->fault = 0; } // CHILD_SETTID
  if (flags & 0x200000) n->clear_tid = ctid;                                        // CHILD_CLEARTID
  n->state = P_RUN;
  return n->pid;
}

static int read_strv(Proc *p, u64 a, char ***out) {
  int cap = 16, n = 0;
  char **v = malloc(sizeof(char *) * cap);
  for (;;) {
    u64 ptr;
    if (get(p, a + 8ull * n, &ptr, 8)) goto fail;
    if (!ptr) break;
    long l = mem_strlen(p->mem, ptr, 1 << 20);
    if (l < 0) { p->mem->fault = 0; goto fail; }
    char *s = malloc((size_t)l + 1);
    mem_read(p->mem, ptr, s, (u64)l + 1);
    if (n + 1 >= cap) v = realloc(v, sizeof(char *) * (cap *= 2));
    v[n++] = s;
  }
  v[n] = NULL;
  *out = v;
  return n;
fail:
  for (int i = 0; i < n; i++) free(v[i]);
  free(v);
  return -EFAULT;
}
static void free_strv(char **v) {
  if (!v) return;
  for (int i = 0; v[i]; i++) free(v[i]);
  free(v);
}

static i64 do_execve(Proc *p, i64 dirfd, u64 upath, u64 uargv, u64 uenvp) {
  char path[4096];
  int rc = get_str(p, upath, path, sizeof path);
  if (rc) return rc;
  if ((i32)dirfd != AT_FDCWD_ && path[0] != '/') {
    File *f = fd_get(p, (i32)dirfd);
    if (!f || f->kind != FK_DIR) return E(EBADF);
    char t[4096];
    snprintf(t, sizeof t, "%s/%s", f->path, path);
    strcpy(path, t);
  }
  char **argv = NULL, **envp = NULL;
  if (uargv && read_strv(p, uargv, &argv) < 0) return E(EFAULT);
  if (!uargv) { argv = malloc(sizeof(char *)); argv[0] = NULL; }
  if (uenvp && read_strv(p, uenvp, &envp) < 0) { free_strv(argv); return E(EFAULT); }
  if (!uenvp) { envp = malloc(sizeof(char *)); envp[0] = NULL; }
  char err[256] = "";
  Mem *old = p->mem;
  old->refs++; // keep it alive across the swap to test vfork sharing
  rc = exec_load(p, path, argv, envp, err, sizeof err);
  free_strv(argv);
  free_strv(envp);
  if (rc) {
    old->refs--;
    if (err[0] && trace_on) fprintf(stderr, "trellis-x86: execve %s: %s\n", path, err);
    return rc;
  }
  mem_free(old); // drop the extra reference
  wake_vfork_parent(p);
  for (int i = 0; i < MAX_PROC; i++) // other threads of the group end at exec
    if (&procs[i] != p && procs[i].tgid == p->tgid && (procs[i].state == P_RUN || procs[i].state == P_BLOCKED)) {
      procs[i].clear_tid = 0;
      exit_proc(&procs[i], 0);
    }
  for (int i = 0; i < 256; i++)
    if (p->fds->cloexec[i]) fd_close(p, i);
  p->sigpending &= 0;
  p->clear_tid = 0;
  p->undumpable = 0; // exec of a normal binary makes a process dumpable again
  return 0;
}

static i64 do_wait4(Proc *p, i64 pid, u64 ustatus, i64 options, u64 rusage) {
  int have = 0;
  for (int i = 0; i < MAX_PROC; i++) {
    Proc *q = &procs[i];
    if (q->state == P_FREE || q->ppid != p->tgid || q == p || q->is_thread) continue;
    if (pid > 0 && q->pid != pid) continue;
    if (pid == 0 && q->pgid != p->pgid) continue;
    if (pid < -1 && q->pgid != -pid) continue;
    have = 1;
    if (q->state == P_ZOMBIE) {
      int st = q->exit_status;
      if (ustatus && put(p, ustatus, &st, 4)) return E(EFAULT);
      if (rusage) { u8 z[144]; memset(z, 0, sizeof z); put(p, rusage, z, sizeof z); }
      int qp = q->pid;
      q->state = P_FREE;
      return qp;
    }
  }
  if (!have) return E(ECHILD);
  if (options & 1) return 0; // WNOHANG
  return SYS_BLOCK;
}

static i64 do_kill(Proc *p, i64 pid, i64 sig) {
  if (sig < 0 || sig > 64) return E(EINVAL);
  int found = 0;
  for (int i = 0; i < MAX_PROC; i++) {
    Proc *q = &procs[i];
    if (q->state != P_RUN && q->state != P_BLOCKED) continue;
    if (q->is_thread) continue;
    int match = pid > 0 ? q->pid == pid : pid == 0 ? q->pgid == p->pgid : pid == -1 ? q->pid != 1 || q == p : q->pgid == -pid;
    if (!match) continue;
    found = 1;
    if (sig) q->sigpending |= 1ull << (sig - 1);
  }
  return found ? 0 : E(ESRCH);
}

int futex_wake(Mem *m, u64 addr, int n) {
  int woken = 0;
  for (int i = 0; i < MAX_PROC && woken < n; i++) {
    Proc *q = &procs[i];
    if ((q->state == P_RUN || q->state == P_BLOCKED) && q->mem == m && q->futex_addr == addr && !q->futex_woken) {
      q->futex_woken = 1;
      woken++;
    }
  }
  return woken;
}

static i64 do_futex(Proc *p, u64 addr, int op, u32 val, u64 utime) {
  int cmd = op & 0x7f;
  switch (cmd) {
  case 0: case 9: { // WAIT, WAIT_BITSET
    if (p->futex_addr && p->futex_woken) {
      p->futex_addr = 0;
      p->futex_woken = 0;
      p->sleep_until = 0;
      return 0;
    }
    u32 v;
    if (get(p, addr, &v, 4)) return E(EFAULT);
    if (v != val) {
      p->futex_addr = 0;
      p->sleep_until = 0;
      return E(EAGAIN);
    }
    if (!p->futex_addr) {
      p->futex_addr = addr;
      p->futex_woken = 0;
      if (utime) {
        u64 t[2];
        if (get(p, utime, t, 16)) { p->futex_addr = 0; return E(EFAULT); }
        u64 ns = t[0] * 1000000000ull + t[1];
        if (cmd == 9) { // absolute, CLOCK_REALTIME when FUTEX_CLOCK_REALTIME else monotonic
          u64 nowc = (op & 256) ? now_ns() : mono_ns();
          ns = ns > nowc ? ns - nowc : 0;
        }
        p->sleep_until = mono_ns() + ns;
        if (!ns) p->sleep_until = 1;
      }
    } else if (p->sleep_until && mono_ns() >= p->sleep_until) {
      p->futex_addr = 0;
      p->sleep_until = 0;
      return E(ETIMEDOUT);
    }
    return SYS_BLOCK;
  }
  case 1: case 10: resched = 1; return futex_wake(p->mem, addr, (int)val); // WAKE, WAKE_BITSET
  case 3: case 4: { // REQUEUE / CMP_REQUEUE: wake them all instead (waiters re-check)
    if (cmd == 4) {
      u32 v;
      if (get(p, addr, &v, 4)) return E(EFAULT);
      if (v != (u32)p->cpu.r[8]) return E(EAGAIN);
    }
    return futex_wake(p->mem, addr, MAX_PROC);
  }
  default: return E(ENOSYS);
  }
}


static i64 do_tkill(Proc *p, i64 tid, i64 sig) {
  Proc *q = find_proc((int)tid);
  if (!q || (q->state != P_RUN && q->state != P_BLOCKED)) return E(ESRCH);
  if (sig < 0 || sig > 64) return E(EINVAL);
  if (sig) q->sigpending |= 1ull << (sig - 1);
  (void)p;
  return 0;
}

static void exit_group(Proc *p, int status_word) {
  for (int i = 0; i < MAX_PROC; i++) {
    Proc *q = &procs[i];
    if (q != p && q->tgid == p->tgid && (q->state == P_RUN || q->state == P_BLOCKED)) {
      q->clear_tid = 0;
      exit_proc(q, status_word);
    }
  }
  exit_proc(p, status_word);
}


// ---------- handlers ----------
i64 sys_clone(Proc *p) { return do_fork(p, ARG0, ARG1, ARG2, ARG3, ARG4); }
i64 sys_fork(Proc *p) { return do_fork(p, 17, 0, 0, 0, 0); }
i64 sys_vfork(Proc *p) { return do_fork(p, 0x100 | 0x4000 | 17, 0, 0, 0, 0); }
i64 sys_clone3(Proc *p) {
  u64 a[11];
  memset(a, 0, sizeof a);
  if (ARG1 < 64 || get(p, ARG0, a, ARG1 < 88 ? ARG1 : 88)) return E(EINVAL);
  return do_fork(p, a[0] | (a[4] & 0xff), a[5] ? a[5] + a[6] : 0, a[3], a[2], a[7]);
}

i64 sys_execve(Proc *p) {
  i64 r = do_execve(p, AT_FDCWD_, ARG0, ARG1, ARG2);
  return r ? r : SYS_NORETURN;
}
i64 sys_execveat(Proc *p) {
  i64 r = do_execve(p, (i32)ARG0, ARG1, ARG2, ARG3);
  return r ? r : SYS_NORETURN;
}
i64 sys_exit(Proc *p) {
  exit_proc(p, (int)((ARG0 & 0xff) << 8));
  return SYS_NORETURN;
}
i64 sys_exit_group(Proc *p) {
  exit_group(p, (int)((ARG0 & 0xff) << 8));
  return SYS_NORETURN;
}

i64 sys_wait4(Proc *p) { return do_wait4(p, (i32)ARG0, ARG1, (i32)ARG2, ARG3); }
i64 sys_waitid(Proc *p) { // waitid(P_ALL/P_PID/P_PGID, id, infop, options)
  i64 pid = ARG0 == 0 ? -1 : ARG0 == 1 ? (i64)(i32)ARG1 : -(i64)(i32)ARG1;
  int st = 0;
  i64 r = do_wait4(p, pid, 0, (ARG3 & 1) ? 1 : 0, 0);
  if (r <= 0) return r;
  u8 info[128];
  memset(info, 0, sizeof info);
  int signo = 17, code = 1;
  memcpy(info, &signo, 4);
  memcpy(info + 8, &code, 4);
  i32 pid32 = (i32)r;
  memcpy(info + 16, &pid32, 4);
  memcpy(info + 24, &st, 4);
  if (ARG2) put(p, ARG2, info, sizeof info);
  return 0;
}

i64 sys_kill(Proc *p) { return do_kill(p, (i32)ARG0, (i32)ARG1); }
i64 sys_tkill(Proc *p) { return do_tkill(p, (i32)ARG0, (i32)ARG1); }
i64 sys_tgkill(Proc *p) { return do_tkill(p, (i32)ARG1, (i32)ARG2); }
i64 sys_futex(Proc *p) { return do_futex(p, ARG0, (int)ARG1, (u32)ARG2, ARG3); }
i64 sys_set_tid_address(Proc *p) {
  p->clear_tid = ARG0;
  return p->pid;
}

i64 sys_getpid(Proc *p) { return p->tgid; }
i64 sys_getppid(Proc *p) { return p->ppid; }
i64 sys_gettid(Proc *p) { return p->pid; }
i64 sys_setpgid(Proc *p) {
  i32 pid = (i32)ARG0, pg = (i32)ARG1;
  Proc *q = pid ? find_proc(pid) : p;
  if (!q) return E(ESRCH);
  q->pgid = pg ? pg : q->pid;
  return 0;
}
i64 sys_getpgrp(Proc *p) { return p->pgid; }
i64 sys_getpgid(Proc *p) {
  Proc *q = ARG0 ? find_proc((i32)ARG0) : p;
  return q ? q->pgid : E(ESRCH);
}
i64 sys_setsid(Proc *p) {
  p->sid = p->pgid = p->pid;
  return p->pid;
}
i64 sys_getsid(Proc *p) {
  Proc *q = ARG0 ? find_proc((i32)ARG0) : p;
  return q ? q->sid : E(ESRCH);
}

i64 sys_rt_sigaction(Proc *p) {
  int sig = (int)ARG0;
  if (sig < 1 || sig > 64 || sig == 9 || sig == 19) return E(EINVAL);
  if (ARG2) {
    u64 o[4] = {p->sig[sig].handler, p->sig[sig].flags, p->sig[sig].restorer, p->sig[sig].mask};
    if (put(p, ARG2, o, 32)) return E(EFAULT);
  }
  if (ARG1) {
    u64 n[4];
    if (get(p, ARG1, n, 32)) return E(EFAULT);
    p->sig[sig].handler = n[0];
    p->sig[sig].flags = n[1];
    p->sig[sig].restorer = n[2];
    p->sig[sig].mask = n[3];
  }
  return 0;
}

i64 sys_rt_sigprocmask(Proc *p) {
  u64 old = p->sigmask;
  if (ARG1) {
    u64 s;
    if (get(p, ARG1, &s, 8)) return E(EFAULT);
    if (ARG0 == 0) p->sigmask |= s;
    else if (ARG0 == 1) p->sigmask &= ~s;
    else if (ARG0 == 2) p->sigmask = s;
    else return E(EINVAL);
  }
  if (ARG2 && put(p, ARG2, &old, 8)) return E(EFAULT);
  return 0;
}

i64 sys_rt_sigpending(Proc *p) { return put(p, ARG0, &p->sigpending, 8); }

i64 sys_rt_sigsuspend(Proc *p) { // wait with a temporary mask for a signal that does something
  u64 nm;
  if (get(p, ARG0, &nm, 8)) return E(EFAULT);
  u64 ready = p->sigpending & ~nm, acting = 0;
  for (int s = 1; s <= 64; s++)
    if ((ready >> (s - 1)) & 1) {
      if (p->sig[s].handler > 1 || (p->sig[s].handler == 0 && !sig_default_ignored(s))) acting |= 1ull << (s - 1);
      else p->sigpending &= ~(1ull << (s - 1)); // ignored: consumed without waking
    }
  if (!acting) return SYS_BLOCK;
  p->suspend_mask = p->sigmask;
  p->in_suspend = 1;
  p->sigmask = nm;
  return E(EINTR);
}

i64 sys_sigaltstack(Proc *p) { return ARG1 ? put(p, ARG1, (u64[3]){0, 2, 0}, 24) : 0; }
i64 sys_pause(Proc *p) { return SYS_BLOCK; } // until a signal
i64 sys_rt_sigreturn(Proc *p) {
  do_rt_sigreturn(p);
  return SYS_NORETURN;
}
