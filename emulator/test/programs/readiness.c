// Readiness: eventfd, timerfd, poll/ppoll/select/pselect timeouts (measured
// with clock_gettime, printed as coarse buckets), ppoll's signal mask, and
// epoll level-/edge-triggered, one-shot and RDHUP.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}
// "at least the timeout, and not absurdly late"
static const char *bucket(long long ms, long long want) { return ms >= want - 1 && ms < want + 2000 ? "in time" : "WRONG"; }

static volatile int alarms;
static void on_alarm(int s) { alarms++; (void)s; }

static void eventfds(void) {
  int e = eventfd(0, EFD_NONBLOCK);
  uint64_t v;
  ssize_t rr = read(e, &v, 8);
  printf("eventfd empty read: %zd %s\n", rr, strerror(errno));
  struct pollfd pf = {e, POLLIN | POLLOUT, 0};
  int pr = poll(&pf, 1, 0);
  printf("poll empty: %d revents %#x\n", pr, pf.revents);
  v = 3; write(e, &v, 8);
  v = 4; write(e, &v, 8);
  pr = poll(&pf, 1, 0);
  printf("poll after writes: %d revents %#x\n", pr, pf.revents);
  read(e, &v, 8);
  printf("eventfd read: %llu\n", (unsigned long long)v);
  rr = read(e, &v, 4);
  printf("short read: %zd %s\n", rr, strerror(errno));
  close(e);
  int s = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  for (int i = 0; i < 3; i++) {
    ssize_t r = read(s, &v, 8);
    printf("semaphore read %d: %zd %llu %s\n", i, r, r == 8 ? (unsigned long long)v : 0ull, r < 0 ? strerror(errno) : "");
  }
  close(s);
}

static void timerfds(void) {
  int t = timerfd_create(CLOCK_MONOTONIC, 0);
  struct itimerspec its = {{0, 0}, {0, 30 * 1000000}}, cur;
  // t0 before arming: the read ends at arm + 30 ms, so a slow step between
  // arming and t0 would otherwise look like an early wake-up
  long long t0 = now_ms();
  timerfd_settime(t, 0, &its, NULL);
  timerfd_gettime(t, &cur);
  printf("timerfd armed: %d\n", cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 30 * 1000000);
  uint64_t n = 0;
  ssize_t r = read(t, &n, 8);
  printf("timerfd one-shot: %zd %llu %s\n", r, (unsigned long long)n, bucket(now_ms() - t0, 30));
  timerfd_gettime(t, &cur);
  printf("disarmed: %ld %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
  struct itimerspec per = {{0, 10 * 1000000}, {0, 10 * 1000000}};
  timerfd_settime(t, 0, &per, NULL);
  struct timespec sl = {0, 55 * 1000000};
  nanosleep(&sl, NULL);
  read(t, &n, 8);
  printf("periodic expirations >= 4: %d\n", n >= 4);
  struct itimerspec off = {{0, 0}, {0, 0}};
  timerfd_settime(t, 0, &off, &cur);
  printf("old interval: %ld ns\n", cur.it_interval.tv_nsec);
  int nb = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  r = read(nb, &n, 8);
  printf("nonblocking unarmed read: %zd %s\n", r, strerror(errno));
  int bc = timerfd_create(12345, 0);
  printf("bad clock: %d %s\n", bc, strerror(errno));
  close(nb);
  close(t);
}

static void timeouts(void) {
  int p[2];
  pipe(p);
  struct pollfd pf = {p[0], POLLIN, 0};
  long long t0 = now_ms();
  int r = poll(&pf, 1, 50);
  printf("poll timeout: %d %s\n", r, bucket(now_ms() - t0, 50));
  struct timespec ts = {0, 40 * 1000000};
  t0 = now_ms();
  r = ppoll(&pf, 1, &ts, NULL);
  printf("ppoll timeout: %d %s\n", r, bucket(now_ms() - t0, 40));
  fd_set rs;
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  struct timeval tv = {0, 30000};
  t0 = now_ms();
  r = select(p[0] + 1, &rs, NULL, NULL, &tv);
  printf("select timeout: %d %s left %ld.%06ld set %d\n", r, bucket(now_ms() - t0, 30), (long)tv.tv_sec, (long)tv.tv_usec, FD_ISSET(p[0], &rs));
  FD_SET(p[0], &rs);
  ts.tv_nsec = 35 * 1000000;
  t0 = now_ms();
  r = pselect(p[0] + 1, &rs, NULL, NULL, &ts, NULL);
  printf("pselect timeout: %d %s\n", r, bucket(now_ms() - t0, 35));
  write(p[1], "x", 1);
  FD_SET(p[0], &rs);
  fd_set ws;
  FD_ZERO(&ws);
  FD_SET(p[1], &ws);
  tv.tv_sec = 5;
  tv.tv_usec = 0;
  r = select(p[1] + 1, &rs, &ws, NULL, &tv);
  printf("select ready: %d r %d w %d left>4s %d\n", r, FD_ISSET(p[0], &rs), FD_ISSET(p[1], &ws), tv.tv_sec >= 4);
  pf.events = POLLIN | POLLOUT;
  r = poll(&pf, 1, -1);
  printf("poll ready: %d %#x\n", r, pf.revents);
  close(p[1]);
  char c;
  read(p[0], &c, 1);
  pf.events = POLLIN;
  r = poll(&pf, 1, 1000);
  printf("poll hangup: %d %#x\n", r, pf.revents);
  close(p[0]);
  struct pollfd bad = {99, POLLIN, 0};
  r = poll(&bad, 1, 0);
  printf("poll closed fd: %d %#x\n", r, bad.revents);
  // select with a closed fd in its set is left out: the CI machine's kernel
  // answered 0 where this one answers EBADF, so native is no oracle there
}

// ppoll and pselect apply their mask only while waiting: SIGALRM is blocked
// outside, delivered (EINTR) inside, and blocked again afterwards.
static void masks(void) {
  signal(SIGALRM, on_alarm);
  sigset_t block, empty, now;
  sigemptyset(&block);
  sigaddset(&block, SIGALRM);
  sigemptyset(&empty);
  sigprocmask(SIG_BLOCK, &block, NULL);
  int p[2];
  pipe(p);
  struct pollfd pf = {p[0], POLLIN, 0};
  struct itimerval it = {{0, 0}, {0, 20000}};
  struct timespec ts = {2, 0};
  long long t0 = now_ms();
  setitimer(ITIMER_REAL, &it, NULL);
  int r = ppoll(&pf, 1, &ts, &empty);
  int e = errno;
  sigprocmask(SIG_BLOCK, NULL, &now);
  printf("ppoll interrupted: %d %s alarms %d %s still blocked %d\n", r, strerror(e), alarms, bucket(now_ms() - t0, 20), sigismember(&now, SIGALRM));
  fd_set rs;
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  t0 = now_ms();
  setitimer(ITIMER_REAL, &it, NULL);
  r = pselect(p[0] + 1, &rs, NULL, NULL, &ts, &empty);
  e = errno;
  sigprocmask(SIG_BLOCK, NULL, &now);
  printf("pselect interrupted: %d %s alarms %d %s still blocked %d\n", r, strerror(e), alarms, bucket(now_ms() - t0, 20), sigismember(&now, SIGALRM));
  // a signal blocked by the wait's own mask stays pending
  setitimer(ITIMER_REAL, &it, NULL);
  ts.tv_sec = 0;
  ts.tv_nsec = 60 * 1000000;
  r = ppoll(&pf, 1, &ts, &block);
  sigset_t pend;
  sigpending(&pend);
  printf("ppoll with SIGALRM masked: %d alarms %d pending %d\n", r, alarms, sigismember(&pend, SIGALRM));
  sigprocmask(SIG_UNBLOCK, &block, NULL);
  printf("after unblock: alarms %d\n", alarms);
  close(p[0]);
  close(p[1]);
}

static void show(const char *what, int n, struct epoll_event *ev) {
  printf("%s: %d", what, n);
  for (int i = 0; i < n; i++) printf(" [%#x %llu]", ev[i].events, (unsigned long long)ev[i].data.u64);
  printf("\n");
}

static void epolls(void) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  printf("epoll cloexec: %d\n", (fcntl(ep, F_GETFD) & FD_CLOEXEC) != 0);
  int a[2], b[2];
  pipe2(a, O_NONBLOCK);
  pipe2(b, O_NONBLOCK);
  struct epoll_event ev = {EPOLLIN | EPOLLET, {.u64 = 1}}, out[8];
  epoll_ctl(ep, EPOLL_CTL_ADD, a[0], &ev);
  ev.events = EPOLLIN;
  ev.data.u64 = 2;
  epoll_ctl(ep, EPOLL_CTL_ADD, b[0], &ev);
  int cr = epoll_ctl(ep, EPOLL_CTL_ADD, b[0], &ev);
  printf("add twice: %d %s\n", cr, strerror(errno));
  show("nothing", epoll_wait(ep, out, 8, 0), out);
  write(a[1], "1", 1);
  show("edge: first byte", epoll_wait(ep, out, 8, 0), out);
  show("edge: no new data", epoll_wait(ep, out, 8, 0), out);
  write(a[1], "2", 1);
  show("edge: second write", epoll_wait(ep, out, 8, 0), out);
  char buf[16];
  int got = 0;
  ssize_t r;
  while ((r = read(a[0], buf, sizeof buf)) > 0) got += (int)r;
  printf("drained %d then %s\n", got, strerror(errno));
  show("edge: drained", epoll_wait(ep, out, 8, 0), out);
  write(b[1], "x", 1);
  show("level: 1", epoll_wait(ep, out, 8, 0), out);
  show("level: 2", epoll_wait(ep, out, 8, 0), out);
  read(b[0], buf, 1);
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.u64 = 3;
  epoll_ctl(ep, EPOLL_CTL_MOD, b[0], &ev);
  write(b[1], "y", 1);
  show("oneshot: 1", epoll_wait(ep, out, 8, 0), out);
  show("oneshot: 2", epoll_wait(ep, out, 8, 0), out);
  epoll_ctl(ep, EPOLL_CTL_MOD, b[0], &ev);
  show("oneshot re-armed", epoll_wait(ep, out, 8, 0), out);
  epoll_ctl(ep, EPOLL_CTL_DEL, b[0], NULL);
  cr = epoll_ctl(ep, EPOLL_CTL_DEL, b[0], NULL);
  printf("del again: %d %s\n", cr, strerror(errno));
  close(a[1]);
  show("edge: writer closed", epoll_wait(ep, out, 8, 0), out);
  close(a[0]);
  show("closed fd leaves the set", epoll_wait(ep, out, 8, 0), out);

  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = 4;
  epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
  for (int i = 0; i < 3; i++) {
    char m[8];
    snprintf(m, sizeof m, "msg%d", i);
    write(sv[1], m, strlen(m));
    struct epoll_event o[2];
    int n = epoll_wait(ep, o, 2, 1000);
    int total = 0;
    while ((r = read(sv[0], buf, 3)) > 0) total += (int)r; // edge-triggered: drain until EAGAIN
    printf("socket edge %d: %d events %#x read %d then %s\n", i, n, n ? o[0].events : 0, total, strerror(errno));
  }
  shutdown(sv[1], SHUT_WR);
  show("rdhup", epoll_wait(ep, out, 8, 1000), out);
  close(sv[1]);
  epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], NULL);
  close(sv[0]);

  int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), e = eventfd(0, EFD_NONBLOCK);
  ev.events = EPOLLIN;
  ev.data.u64 = 5;
  epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev);
  ev.data.u64 = 6;
  epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
  struct itimerspec its = {{0, 0}, {0, 25 * 1000000}};
  long long t0 = now_ms();
  timerfd_settime(t, 0, &its, NULL);
  int n = epoll_wait(ep, out, 8, 2000);
  printf("timerfd via epoll: %d [%#x %llu] %s\n", n, out[0].events, (unsigned long long)out[0].data.u64, bucket(now_ms() - t0, 25));
  uint64_t v = 1;
  write(e, &v, 8);
  read(t, &v, 8);
  show("eventfd via epoll", epoll_wait(ep, out, 8, 2000), out);
  int inner = epoll_create1(0);
  ev.data.u64 = 7;
  epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev);
  read(e, &v, 8);
  show("nested empty", epoll_wait(ep, out, 8, 0), out);
  t0 = now_ms();
  n = epoll_wait(inner, out, 8, 30);
  printf("epoll timeout: %d %s\n", n, bucket(now_ms() - t0, 30));
  cr = epoll_ctl(ep, EPOLL_CTL_ADD, open("/bin/busybox", O_RDONLY), &ev);
  printf("epoll on a regular file: %d %s\n", cr, strerror(errno));
  cr = epoll_wait(ep, out, 0, 0);
  printf("bad maxevents: %d %s\n", cr, strerror(errno));
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  eventfds();
  timerfds();
  timeouts();
  masks();
  epolls();
  return 0;
}
