// Time system calls: clocks, sleeps that block only the sleeping guest (the
// scheduler in main.c sleeps the host when every guest waits), alarm and
// ITIMER_REAL, times.
#include "syscall.h"

void put_timespec(Proc *p, u64 a, u64 ns) {
  u64 t[2] = {ns / 1000000000ull, ns % 1000000000ull};
  put(p, a, t, 16);
}

// Sleeping blocks only this guest process: the scheduler runs the others and
// sleeps the host when every process waits (see main.c).
static i64 do_nanosleep(Proc *p, u64 ureq, int abs_realtime) {
  u64 t[2];
  if (get(p, ureq, t, 16)) return E(EFAULT);
  if (t[1] >= 1000000000ull) return E(EINVAL);
  u64 now = mono_ns();
  if (!p->sleep_until) {
    u64 d = t[0] * 1000000000ull + t[1];
    if (abs_realtime) {
      u64 rt = now_ns();
      d = d > rt ? d - rt : 0;
    }
    p->sleep_until = now + d;
  }
  if (now >= p->sleep_until) {
    p->sleep_until = 0;
    return 0;
  }
  return SYS_BLOCK;
}


// ---------- handlers ----------
i64 sys_nanosleep(Proc *p) { return do_nanosleep(p, ARG0, 0); }

i64 sys_clock_nanosleep(Proc *p) {
  // TIMER_ABSTIME on CLOCK_MONOTONIC is turned into a relative sleep here
  if ((ARG1 & 1) && ARG0 != 0 && !p->sleep_until) {
    u64 t[2];
    if (get(p, ARG2, t, 16)) return E(EFAULT);
    u64 when = t[0] * 1000000000ull + t[1], now = mono_ns();
    p->sleep_until = when > now ? when : now;
  }
  return do_nanosleep(p, ARG2, (ARG1 & 1) && ARG0 == 0);
}

i64 sys_alarm(Proc *p) { // alarm(seconds): returns the seconds left on the previous one
  u64 now = mono_ns();
  i64 r = p->alarm_at > now ? (i64)((p->alarm_at - now + 999999999ull) / 1000000000ull) : 0;
  p->alarm_at = ARG0 ? now + ARG0 * 1000000000ull : 0;
  p->alarm_interval = 0;
  return r;
}

// getitimer / setitimer (ITIMER_REAL only)
static i64 itimer(Proc *p, int set) {
  if ((int)ARG0 != 0) return E(EINVAL);
  u64 now = mono_ns(), left = p->alarm_at > now ? p->alarm_at - now : 0;
  u64 old[4] = {p->alarm_interval / 1000000000ull, (p->alarm_interval % 1000000000ull) / 1000, left / 1000000000ull, (left % 1000000000ull) / 1000};
  u64 outp = set ? ARG2 : ARG1;
  if (set && ARG1) {
    u64 nv[4];
    if (get(p, ARG1, nv, 32)) return E(EFAULT);
    u64 val = nv[2] * 1000000000ull + nv[3] * 1000ull;
    p->alarm_interval = nv[0] * 1000000000ull + nv[1] * 1000ull;
    p->alarm_at = val ? now + val : 0;
  }
  return outp ? put(p, outp, old, 32) : 0;
}
i64 sys_getitimer(Proc *p) { return itimer(p, 0); }
i64 sys_setitimer(Proc *p) { return itimer(p, 1); }

i64 sys_gettimeofday(Proc *p) {
  if (!ARG0) return 0;
  u64 ns = now_ns();
  u64 t[2] = {ns / 1000000000ull, (ns % 1000000000ull) / 1000};
  return put(p, ARG0, t, 16);
}

i64 sys_time(Proc *p) {
  u64 t = now_ns() / 1000000000ull;
  if (ARG0) put(p, ARG0, &t, 8);
  return (i64)t;
}

i64 sys_clock_gettime(Proc *p) {
  u64 ns;
  int clk = (int)ARG0;
  if (clk == 0 || clk == 5 || clk == 8 || clk == 11) ns = now_ns(); // REALTIME(_COARSE), BOOTTIME, TAI
  else if (clk == 2 || clk == 3) ns = mono_ns() - p->start_ns;    // process / thread CPU time
  else ns = mono_ns();
  put_timespec(p, ARG1, ns);
  return 0;
}

i64 sys_clock_getres(Proc *p) {
  if (ARG1) put_timespec(p, ARG1, 1);
  return 0;
}

i64 sys_times(Proc *p) {
  u64 t = mono_ns() / 10000000ull;
  if (ARG0) { u64 v[4] = {t, 0, 0, 0}; put(p, ARG0, v, 32); }
  return (i64)t;
}
