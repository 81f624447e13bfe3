// Readiness: what every kind of fd reports to poll, select and epoll; the
// waits themselves (timeouts, temporary signal masks); eventfd and timerfd.
// A wait that cannot finish returns SYS_BLOCK and is retried by the scheduler
// (main.c), which sleeps the host only when every guest waits, until the
// earliest deadline (sleep_until of a waiter, an alarm, an armed timerfd).
#include "syscall.h"

#define EPOLLET_ (1u << 31)
#define EPOLLONESHOT_ (1u << 30)
#define IN_SIDE (POLLIN_ | POLLPRI_ | POLLRDNORM_ | POLLHUP_ | POLLRDHUP_)
#define OUT_SIDE (POLLOUT_ | POLLWRNORM_ | POLLERR_)

typedef struct EventFd {
  u64 count;
  int semaphore;
  u32 gen_in, gen_out;
} EventFd;

typedef struct TimerFd {
  int clock;
  u64 next;     // monotonic ns of the next expiry, 0 = disarmed
  u64 interval; // ns, 0 = one shot
  u64 expired;  // expirations not yet read
  u32 gen;
  struct TimerFd *link; // all timerfds (the scheduler asks for the earliest deadline)
} TimerFd;

typedef struct EpEntry {
  int fd;
  File *f; // not referenced: file_release_obj drops the entry when the file goes
  u32 events;
  u64 data;
  int armed; // 0 after a one-shot report, until EPOLL_CTL_MOD
  int seen;  // edge-triggered: the change counters seen at the last report
  u32 gin, gout;
} EpEntry;

typedef struct Epoll {
  EpEntry *e;
  int n, cap;
  struct Epoll *link;
} Epoll;

static TimerFd *timers;
static Epoll *epolls;

// ---------- readiness of each kind ----------
static void timer_update(TimerFd *t) {
  if (!t->next) return;
  u64 now = mono_ns();
  if (now < t->next) return;
  if (t->interval) {
    u64 k = (now - t->next) / t->interval + 1;
    t->expired += k;
    t->next += k * t->interval;
  } else {
    t->expired++;
    t->next = 0;
  }
  t->gen++;
}

static u32 epoll_ready_count(Epoll *ep, int depth);

u32 file_poll(File *f) {
  switch (f->kind) {
  case FK_PIPE_R: {
    u32 m = f->pipe->len ? POLLIN_ | POLLRDNORM_ : 0;
    if (!f->pipe->writers) m |= POLLHUP_;
    return m;
  }
  case FK_PIPE_W: {
    u32 m = f->pipe->len < f->pipe->cap ? POLLOUT_ | POLLWRNORM_ : 0;
    if (!f->pipe->readers) m |= POLLERR_;
    return m;
  }
  case FK_EVENTFD: {
    EventFd *e = f->obj;
    u32 m = 0;
    if (e->count) m |= POLLIN_ | POLLRDNORM_;
    if (e->count < 0xfffffffffffffffeull) m |= POLLOUT_ | POLLWRNORM_;
    return m;
  }
  case FK_TIMERFD: {
    TimerFd *t = f->obj;
    timer_update(t);
    return t->expired ? POLLIN_ | POLLRDNORM_ : 0;
  }
  case FK_EPOLL: return epoll_ready_count(f->obj, 1) ? POLLIN_ | POLLRDNORM_ : 0;
  case FK_SOCK: return sock_poll(f);
  default: return POLLIN_ | POLLOUT_ | POLLRDNORM_ | POLLWRNORM_; // files, devices, the host's stdio
  }
}

void file_gens(File *f, u32 *in, u32 *out) {
  *in = *out = 0;
  switch (f->kind) {
  case FK_PIPE_R: case FK_PIPE_W: *in = f->pipe->gen_in; *out = f->pipe->gen_out; break;
  case FK_EVENTFD: { EventFd *e = f->obj; *in = e->gen_in; *out = e->gen_out; break; }
  case FK_TIMERFD: { TimerFd *t = f->obj; timer_update(t); *in = t->gen; break; }
  case FK_SOCK: sock_gens(f, in, out); break;
  default: break;
  }
}

void file_release_obj(File *f) {
  for (Epoll *ep = epolls; ep; ep = ep->link)
    for (int i = 0; i < ep->n; i++)
      if (ep->e[i].f == f) { memmove(&ep->e[i], &ep->e[i + 1], sizeof *ep->e * (size_t)(ep->n - i - 1)); ep->n--; i--; }
  if (!f->obj) return;
  if (f->kind == FK_TIMERFD) {
    for (TimerFd **t = &timers; *t; t = &(*t)->link)
      if (*t == f->obj) { *t = (*t)->link; break; }
  } else if (f->kind == FK_EPOLL) {
    for (Epoll **e = &epolls; *e; e = &(*e)->link)
      if (*e == f->obj) { *e = (*e)->link; break; }
    free(((Epoll *)f->obj)->e);
  } else if (f->kind == FK_SOCK) {
    sock_release(f);
    return;
  }
  free(f->obj);
  f->obj = NULL;
}

u64 timers_next_deadline(void) {
  u64 w = 0;
  for (TimerFd *t = timers; t; t = t->link)
    if (t->next && (!w || t->next < w)) w = t->next;
  return w;
}

// ---------- waiting ----------
// Starts or checks the deadline of a wait; timeout_ns < 0 waits forever.
// Returns 1 when it has passed (the caller returns its "nothing ready" answer).
static int wait_expired(Proc *p, i64 timeout_ns) {
  if (timeout_ns < 0) return 0;
  if (timeout_ns == 0) return 1;
  u64 now = mono_ns();
  if (!p->sleep_until) {
    p->sleep_until = now + (u64)timeout_ns;
    return 0;
  }
  return now >= p->sleep_until;
}

// A wait with a temporary signal mask (ppoll, pselect6, epoll_pwait): the mask
// applies while blocked, as in rt_sigsuspend; a handler interrupting the wait
// returns to the original mask.
static void wait_mask(Proc *p, const u64 *mask) {
  if (!mask || p->in_suspend) return;
  p->suspend_mask = p->sigmask;
  p->in_suspend = 1;
  p->sigmask = *mask & ~((1ull << 8) | (1ull << 18));
}
static i64 wait_done(Proc *p, const u64 *mask, i64 r) {
  p->sleep_until = 0;
  if (mask && p->in_suspend) {
    p->sigmask = p->suspend_mask;
    p->in_suspend = 0;
  }
  return r;
}

static i64 ts_ns(Proc *p, u64 uts, i64 *ns) {
  if (!uts) { *ns = -1; return 0; }
  i64 t[2];
  if (get(p, uts, t, 16)) return E(EFAULT);
  if (t[0] < 0 || t[1] < 0 || t[1] >= 1000000000) return E(EINVAL);
  *ns = t[0] * 1000000000 + t[1];
  return 0;
}

static i64 get_sigmask(Proc *p, u64 umask, u64 size, u64 *mask, const u64 **pm) {
  *pm = NULL;
  if (!umask) return 0;
  if (size != 8) return E(EINVAL);
  if (get(p, umask, mask, 8)) return E(EFAULT);
  *pm = mask;
  return 0;
}

// select, pselect6 and ppoll write back the time left (0 after a timeout), as Linux does.
static void put_left(Proc *p, u64 uts, u64 deadline, i64 ns, i64 r, int timeval) {
  if (!uts || r < 0 || ns < 0) return;
  u64 now = mono_ns(), left = r == 0 ? 0 : !deadline ? (u64)ns : deadline > now ? deadline - now : 0;
  i64 t[2] = {(i64)(left / 1000000000ull), (i64)(left % 1000000000ull)};
  if (timeval) t[1] /= 1000;
  put(p, uts, t, 16);
}

// ---------- poll / select ----------
static i64 do_poll(Proc *p, u64 ufds, u64 n, i64 timeout_ns, const u64 *mask) {
  if (n > 1024) return wait_done(p, mask, E(EINVAL));
  int ready = 0;
  for (u64 i = 0; i < n; i++) {
    u8 e[8];
    if (get(p, ufds + 8 * i, e, 8)) return wait_done(p, mask, E(EFAULT));
    i32 fd;
    u16 ev, rev = 0;
    memcpy(&fd, e, 4);
    memcpy(&ev, e + 4, 2);
    if (fd >= 0) {
      File *f = fd_get(p, fd);
      rev = !f ? POLLNVAL_ : (u16)(file_poll(f) & (ev | POLLERR_ | POLLHUP_));
    }
    if (rev) ready++;
    memcpy(e + 6, &rev, 2);
    if (put(p, ufds + 8 * i, e, 8)) return wait_done(p, mask, E(EFAULT));
  }
  if (ready || wait_expired(p, timeout_ns)) return wait_done(p, mask, ready);
  wait_mask(p, mask);
  return SYS_BLOCK;
}

i64 sys_poll(Proc *p) {
  i32 ms = (i32)ARG2;
  return do_poll(p, ARG0, ARG1, ms < 0 ? -1 : (i64)ms * 1000000, NULL);
}

i64 sys_ppoll(Proc *p) {
  i64 ns, r;
  u64 m;
  const u64 *pm;
  if ((r = ts_ns(p, ARG2, &ns)) || (r = get_sigmask(p, ARG3, ARG4, &m, &pm))) return r;
  u64 deadline = p->sleep_until;
  r = do_poll(p, ARG0, ARG1, ns, pm);
  if (r != SYS_BLOCK) put_left(p, ARG2, deadline, ns, r, 0);
  return r;
}

#define SEL_IN (POLLIN_ | POLLRDNORM_ | POLLHUP_ | POLLERR_)
#define SEL_OUT (POLLOUT_ | POLLWRNORM_ | POLLERR_)

static i64 do_select(Proc *p, i64 nfds, u64 rset, u64 wset, u64 eset, i64 timeout_ns, const u64 *mask) {
  if (nfds < 0 || nfds > 1024) return wait_done(p, mask, E(EINVAL));
  u64 bytes = (u64)(nfds + 7) / 8;
  u64 r[16] = {0}, w[16] = {0}, x[16] = {0}, ro[16] = {0}, wo[16] = {0};
  if ((rset && get(p, rset, r, bytes)) || (wset && get(p, wset, w, bytes)) || (eset && get(p, eset, x, bytes)))
    return wait_done(p, mask, E(EFAULT));
  int ready = 0;
  for (int i = 0; i < nfds; i++) {
    u64 bit = 1ull << (i % 64);
    int rr = (r[i / 64] & bit) != 0, ww = (w[i / 64] & bit) != 0, xx = (x[i / 64] & bit) != 0;
    if (!rr && !ww && !xx) continue;
    File *f = fd_get(p, i);
    if (!f) return wait_done(p, mask, E(EBADF));
    u32 m = file_poll(f);
    if (rr && (m & SEL_IN)) { ro[i / 64] |= bit; ready++; }
    if (ww && (m & SEL_OUT)) { wo[i / 64] |= bit; ready++; }
  }
  if (!ready && !wait_expired(p, timeout_ns)) {
    wait_mask(p, mask);
    return SYS_BLOCK;
  }
  u64 z[16] = {0};
  if (rset) put(p, rset, ro, bytes);
  if (wset) put(p, wset, wo, bytes);
  if (eset) put(p, eset, z, bytes);
  return wait_done(p, mask, ready);
}

i64 sys_select(Proc *p) {
  i64 ns = -1;
  if (ARG4) {
    i64 tv[2];
    if (get(p, ARG4, tv, 16)) return E(EFAULT);
    if (tv[0] < 0 || tv[1] < 0) return E(EINVAL);
    ns = tv[0] * 1000000000 + tv[1] * 1000;
  }
  u64 deadline = p->sleep_until; // set by an earlier attempt of this call
  i64 r = do_select(p, (i32)ARG0, ARG1, ARG2, ARG3, ns, NULL);
  if (r != SYS_BLOCK) put_left(p, ARG4, deadline, ns, r, 1);
  return r;
}

i64 sys_pselect6(Proc *p) {
  i64 ns, r;
  if ((r = ts_ns(p, ARG4, &ns))) return r;
  u64 m = 0, sm[2] = {0, 0};
  const u64 *pm = NULL;
  if (ARG5) {
    if (get(p, ARG5, sm, 16)) return E(EFAULT);
    if ((r = get_sigmask(p, sm[0], sm[1], &m, &pm))) return r;
  }
  u64 deadline = p->sleep_until;
  r = do_select(p, (i32)ARG0, ARG1, ARG2, ARG3, ns, pm);
  if (r != SYS_BLOCK) put_left(p, ARG4, deadline, ns, r, 0);
  return r;
}

// ---------- eventfd ----------
static i64 eventfd_new(Proc *p, u64 initval, i64 flags) {
  if (flags & ~(i64)(1 | O_NONBLOCK | O_CLOEXEC)) return E(EINVAL);
  File *f = file_new(FK_EVENTFD);
  EventFd *e = calloc(1, sizeof *e);
  e->count = (u32)initval;
  e->semaphore = flags & 1;
  f->obj = e;
  f->flags = O_RDWR | ((int)flags & O_NONBLOCK);
  return fd_install(p, f, 0, (flags & O_CLOEXEC) != 0);
}
i64 sys_eventfd(Proc *p) { return eventfd_new(p, ARG0, 0); }
i64 sys_eventfd2(Proc *p) { return eventfd_new(p, ARG0, (i32)ARG1); }

i64 event_read(Proc *p, File *f, u8 *buf, u64 n) {
  if (n < 8) return E(EINVAL);
  u64 v;
  if (f->kind == FK_EVENTFD) {
    EventFd *e = f->obj;
    if (!e->count) return (f->flags & O_NONBLOCK) ? E(EAGAIN) : SYS_BLOCK;
    v = e->semaphore ? 1 : e->count;
    e->count -= v;
    e->gen_out++;
  } else {
    TimerFd *t = f->obj;
    timer_update(t);
    if (!t->expired) return (f->flags & O_NONBLOCK) ? E(EAGAIN) : SYS_BLOCK;
    v = t->expired;
    t->expired = 0;
  }
  memcpy(buf, &v, 8);
  resched = 1;
  return 8;
}

i64 event_write(Proc *p, File *f, const u8 *buf, u64 n) {
  EventFd *e = f->obj;
  if (n < 8) return E(EINVAL);
  u64 v;
  memcpy(&v, buf, 8);
  if (v == ~0ull) return E(EINVAL);
  if (v > 0xfffffffffffffffeull - e->count) return (f->flags & O_NONBLOCK) ? E(EAGAIN) : SYS_BLOCK;
  e->count += v;
  if (v) e->gen_in++;
  resched = 1;
  return 8;
}

// ---------- timerfd ----------
i64 sys_timerfd_create(Proc *p) {
  i32 clk = (i32)ARG0, flags = (i32)ARG1;
  if (clk != 0 && clk != 1 && clk != 7 && clk != 8 && clk != 9) return E(EINVAL); // REALTIME MONOTONIC BOOTTIME (+ALARM)
  if (flags & ~(O_NONBLOCK | O_CLOEXEC)) return E(EINVAL);
  File *f = file_new(FK_TIMERFD);
  TimerFd *t = calloc(1, sizeof *t);
  t->clock = clk;
  t->link = timers;
  timers = t;
  f->obj = t;
  f->flags = O_RDWR | (flags & O_NONBLOCK);
  return fd_install(p, f, 0, (flags & O_CLOEXEC) != 0);
}

static File *timerfd_get(Proc *p, i64 fd, i64 *err) {
  File *f = fd_get(p, (i32)fd);
  *err = !f ? E(EBADF) : f->kind != FK_TIMERFD ? E(EINVAL) : 0;
  return *err ? NULL : f;
}

static void timer_value(TimerFd *t, u64 v[4]) {
  timer_update(t);
  u64 now = mono_ns(), left = t->next > now ? t->next - now : 0;
  if (t->next && !left) left = 1;
  v[0] = t->interval / 1000000000ull;
  v[1] = t->interval % 1000000000ull;
  v[2] = left / 1000000000ull;
  v[3] = left % 1000000000ull;
}

i64 sys_timerfd_settime(Proc *p) {
  i64 err;
  File *f = timerfd_get(p, ARG0, &err);
  if (!f) return err;
  TimerFd *t = f->obj;
  i64 nv[4];
  if (get(p, ARG2, nv, 32)) return E(EFAULT);
  for (int i = 0; i < 4; i++)
    if (nv[i] < 0 || ((i & 1) && nv[i] >= 1000000000)) return E(EINVAL);
  if (ARG3) {
    u64 old[4];
    timer_value(t, old);
    if (put(p, ARG3, old, 32)) return E(EFAULT);
  }
  u64 val = (u64)nv[2] * 1000000000ull + (u64)nv[3];
  t->interval = (u64)nv[0] * 1000000000ull + (u64)nv[1];
  t->expired = 0;
  if (!val) t->next = 0;
  else if (ARG1 & 1) { // TFD_TIMER_ABSTIME on the timer's clock
    u64 nowc = t->clock == 1 ? mono_ns() : now_ns(), now = mono_ns();
    t->next = val > nowc ? now + (val - nowc) : now;
  } else t->next = mono_ns() + val;
  return 0;
}

i64 sys_timerfd_gettime(Proc *p) {
  i64 err;
  File *f = timerfd_get(p, ARG0, &err);
  if (!f) return err;
  u64 v[4];
  timer_value(f->obj, v);
  return put(p, ARG1, v, 32);
}

// ---------- epoll ----------
static i64 epoll_new(Proc *p, int cloexec) {
  File *f = file_new(FK_EPOLL);
  Epoll *ep = calloc(1, sizeof *ep);
  ep->link = epolls;
  epolls = ep;
  f->obj = ep;
  f->flags = O_RDWR;
  return fd_install(p, f, 0, cloexec);
}
i64 sys_epoll_create(Proc *p) { return (i32)ARG0 <= 0 ? E(EINVAL) : epoll_new(p, 0); }
i64 sys_epoll_create1(Proc *p) {
  if (ARG0 & ~(u64)O_CLOEXEC) return E(EINVAL);
  return epoll_new(p, (ARG0 & O_CLOEXEC) != 0);
}

static EpEntry *ep_find(Epoll *ep, int fd, File *f) {
  for (int i = 0; i < ep->n; i++)
    if (ep->e[i].fd == fd && ep->e[i].f == f) return &ep->e[i];
  return NULL;
}

i64 sys_epoll_ctl(Proc *p) {
  File *epf = fd_get(p, (i32)ARG0), *f = fd_get(p, (i32)ARG2);
  int op = (int)ARG1, fd = (i32)ARG2;
  if (!epf || !f) return E(EBADF);
  if (epf->kind != FK_EPOLL || f == epf) return E(EINVAL);
  if (f->kind == FK_REG || f->kind == FK_DIR) return E(EPERM); // as Linux: regular files cannot be watched
  Epoll *ep = epf->obj;
  u8 ev[12] = {0};
  if (op != 2 && get(p, ARG3, ev, 12)) return E(EFAULT);
  u32 events;
  u64 data;
  memcpy(&events, ev, 4);
  memcpy(&data, ev + 4, 8);
  EpEntry *e = ep_find(ep, fd, f);
  switch (op) {
  case 1: // ADD
    if (e) return E(EEXIST);
    if (ep->n >= 4096) return E(ENOSPC);
    if (ep->n == ep->cap) ep->e = realloc(ep->e, sizeof *ep->e * (size_t)(ep->cap = ep->cap ? ep->cap * 2 : 8));
    e = &ep->e[ep->n++];
    memset(e, 0, sizeof *e);
    e->fd = fd;
    e->f = f;
    break;
  case 2: // DEL
    if (!e) return E(ENOENT);
    memmove(e, e + 1, sizeof *e * (size_t)(ep->n - (e - ep->e) - 1));
    ep->n--;
    return 0;
  case 3: // MOD
    if (!e) return E(ENOENT);
    break;
  default: return E(EINVAL);
  }
  e->events = events;
  e->data = data;
  e->armed = 1;
  e->seen = 0;
  return 0;
}

// The events an entry reports now (0 = none), updating its edge state when `take`.
static u32 ep_check(EpEntry *e, int take) {
  if (!e->armed) return 0;
  u32 m = file_poll(e->f) & (e->events | POLLERR_ | POLLHUP_);
  if (!m) return 0;
  if (e->events & EPOLLET_) {
    u32 gin, gout;
    file_gens(e->f, &gin, &gout);
    if (e->seen) {
      u32 changed = (gin != e->gin ? IN_SIDE : 0) | (gout != e->gout ? OUT_SIDE : 0);
      m &= changed;
    }
    if (take) {
      e->seen = 1;
      e->gin = gin;
      e->gout = gout;
    }
    if (!m) return 0;
  }
  if (take && (e->events & EPOLLONESHOT_)) e->armed = 0;
  return m;
}

static u32 epoll_ready_count(Epoll *ep, int depth) {
  u32 n = 0;
  for (int i = 0; i < ep->n; i++) {
    if (ep->e[i].f->kind == FK_EPOLL && depth > 4) continue;
    if (ep_check(&ep->e[i], 0)) n++;
  }
  return n;
}

static i64 do_epoll_wait(Proc *p, i64 epfd, u64 uev, i64 max, i64 timeout_ns, const u64 *mask) {
  File *epf = fd_get(p, (i32)epfd);
  if (!epf) return wait_done(p, mask, E(EBADF));
  if (epf->kind != FK_EPOLL || max <= 0 || max > 65536) return wait_done(p, mask, E(EINVAL));
  Epoll *ep = epf->obj;
  i64 got = 0;
  for (int i = 0; i < ep->n && got < max; i++) {
    u32 m = ep_check(&ep->e[i], 1);
    if (!m) continue;
    u8 ev[12];
    memcpy(ev, &m, 4);
    memcpy(ev + 4, &ep->e[i].data, 8);
    if (put(p, uev + 12 * (u64)got, ev, 12)) return wait_done(p, mask, got ? got : E(EFAULT));
    got++;
  }
  if (got || wait_expired(p, timeout_ns)) return wait_done(p, mask, got);
  wait_mask(p, mask);
  return SYS_BLOCK;
}

static i64 ms_ns(i32 ms) { return ms < 0 ? -1 : (i64)ms * 1000000; }
i64 sys_epoll_wait(Proc *p) { return do_epoll_wait(p, (i32)ARG0, ARG1, (i32)ARG2, ms_ns((i32)ARG3), NULL); }
i64 sys_epoll_pwait(Proc *p) {
  u64 m;
  const u64 *pm;
  i64 r = get_sigmask(p, ARG4, ARG5, &m, &pm);
  return r ? r : do_epoll_wait(p, (i32)ARG0, ARG1, (i32)ARG2, ms_ns((i32)ARG3), pm);
}
i64 sys_epoll_pwait2(Proc *p) {
  i64 ns, r;
  u64 m;
  const u64 *pm;
  if ((r = ts_ns(p, ARG3, &ns)) || (r = get_sigmask(p, ARG4, ARG5, &m, &pm))) return r;
  return do_epoll_wait(p, (i32)ARG0, ARG1, (i32)ARG2, ns, pm);
}
