// System calls about the system and the caller's identity: uname, sysinfo,
// user and group ids, resource limits and usage, scheduling hints, prctl,
// arch_prctl, getrandom, and the calls that succeed without effect.
#include "syscall.h"

i64 sys_ok(Proc *p) { return 0; }       // advice, syncs, set*id, set_robust_list: nothing to do
i64 sys_rseq(Proc *p) { return E(ENOSYS); } // glibc probes it and copes; not worth a trace line

i64 sys_uname(Proc *p) {
  u8 u[390];
  memset(u, 0, sizeof u);
  strcpy((char *)u, "Linux");
  strcpy((char *)u + 65, guest_hostname);
  strcpy((char *)u + 130, "6.1.0-trellis");
  strcpy((char *)u + 195, "#1 SMP PREEMPT_DYNAMIC");
  strcpy((char *)u + 260, "x86_64");
  strcpy((char *)u + 325, "(none)");
  return put(p, ARG0, u, sizeof u);
}

i64 sys_sethostname(Proc *p) {
  if (guest_uid != 0) return E(EPERM);
  if (ARG1 > 64) return E(EINVAL);
  char b[65] = {0};
  if (get(p, ARG0, b, ARG1)) return E(EFAULT);
  memcpy(guest_hostname, b, sizeof b);
  return 0;
}

i64 sys_sysinfo(Proc *p) {
  u8 s[112];
  memset(s, 0, sizeof s);
  u64 up = (mono_ns() / 1000000000ull) + 1, tot = 2ull << 30, fr = 1ull << 30;
  u16 np = 0;
  for (int i = 0; i < MAX_PROC; i++) if (procs[i].state != P_FREE) np++;
  u32 unit = 1;
  memcpy(s, &up, 8);
  memcpy(s + 32, &tot, 8);
  memcpy(s + 40, &fr, 8);
  memcpy(s + 80, &np, 2);
  memcpy(s + 104, &unit, 4);
  return put(p, ARG0, s, sizeof s);
}

i64 sys_getuid(Proc *p) { return guest_uid; }
i64 sys_geteuid(Proc *p) { return guest_uid; }
i64 sys_getgid(Proc *p) { return guest_gid; }
i64 sys_getegid(Proc *p) { return guest_gid; }
static i64 getres(Proc *p, u32 v) {
  i64 r = 0;
  u64 ptrs[3] = {ARG0, ARG1, ARG2};
  for (int i = 0; i < 3 && !r; i++) r = put(p, ptrs[i], &v, 4);
  return r;
}
i64 sys_getresuid(Proc *p) { return getres(p, guest_uid); }
i64 sys_getresgid(Proc *p) { return getres(p, guest_gid); }
i64 sys_getgroups(Proc *p) { return 0; } // no supplementary groups

static i64 rlimit_out(Proc *p, int res, u64 out) {
  u64 lim[2] = {~0ull, ~0ull};
  if (res == 3) { lim[0] = 8ull << 20; }           // stack
  if (res == 7) { lim[0] = 1024; lim[1] = 4096; }  // nofile
  if (res == 6) { lim[0] = lim[1] = MAX_PROC; }     // nproc
  return out ? put(p, out, lim, 16) : 0;
}
i64 sys_getrlimit(Proc *p) { return rlimit_out(p, (int)ARG0, ARG1); }
i64 sys_prlimit64(Proc *p) { return rlimit_out(p, (int)ARG1, ARG3); }
i64 sys_setrlimit(Proc *p) { return 0; }

i64 sys_getrusage(Proc *p) {
  u8 z[144];
  memset(z, 0, sizeof z);
  return put(p, ARG1, z, sizeof z);
}

i64 sys_sched_yield(Proc *p) {
  resched = 1;
  return 0;
}
i64 sys_sched_getaffinity(Proc *p) {
  u64 mask = 1;
  return ARG1 >= 8 ? (put(p, ARG2, &mask, 8) ? E(EFAULT) : 8) : E(EINVAL);
}

i64 sys_prctl(Proc *p) {
  switch (ARG0) {
  case 15: case 16: return 0;             // PR_SET_NAME / PR_GET_NAME
  case 3: return !p->undumpable;          // PR_GET_DUMPABLE
  case 4:                                 // PR_SET_DUMPABLE (nginx's workers set it)
    if (ARG1 > 1) return E(EINVAL);
    p->undumpable = !ARG1;
    return 0;
  default: return E(EINVAL);
  }
}

i64 sys_arch_prctl(Proc *p) {
  Cpu *c = &p->cpu;
  switch (ARG0) {
  case 0x1002: c->fsbase = ARG1; return 0;
  case 0x1001: c->gsbase = ARG1; return 0;
  case 0x1003: return put(p, ARG1, &c->fsbase, 8);
  case 0x1004: return put(p, ARG1, &c->gsbase, 8);
  default: return E(EINVAL);
  }
}

i64 sys_getrandom(Proc *p) {
  u64 n = ARG1 > (1 << 20) ? (1 << 20) : ARG1;
  u8 *b = malloc(n ? n : 1);
  host_random(b, n);
  i64 r = put(p, ARG0, b, n) ? E(EFAULT) : (i64)n;
  free(b);
  return r;
}
