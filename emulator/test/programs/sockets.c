// Sockets between processes of one guest: socketpair + fork, AF_UNIX paths
// and abstract names with SO_PEERCRED and SCM_RIGHTS, TCP and UDP on IPv4 and
// IPv6 loopback, nonblocking connect/accept, EAGAIN/ECONNREFUSED/EADDRINUSE/
// EPIPE+SIGPIPE, FIONREAD/FIONBIO, MSG_PEEK/MSG_DONTWAIT/MSG_TRUNC, options.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *err(long r) { return r < 0 ? strerror(errno) : "ok"; }
static volatile int sigpipes;
static void on_pipe(int s) { sigpipes++; (void)s; }

static void pair_fork(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pid_t c = fork();
  if (c == 0) {
    close(sv[0]);
    char b[16] = {0};
    ssize_t n = read(sv[1], b, sizeof b - 1);
    printf("child got %zd '%s'\n", n, b);
    fflush(stdout);
    write(sv[1], "pong", 4);
    _exit(0);
  }
  close(sv[1]);
  write(sv[0], "ping", 4);
  char b[16] = {0};
  ssize_t n = read(sv[0], b, sizeof b - 1);
  int st;
  waitpid(c, &st, 0);
  printf("parent got %zd '%s', child status %d\n", n, b, WEXITSTATUS(st));
  n = read(sv[0], b, sizeof b);
  printf("after the child closed: %zd\n", n);
  struct ucred cr;
  socklen_t cl = sizeof cr;
  getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &cl);
  printf("socketpair peercred is me: %d uid %d\n", cr.pid == getpid(), (int)cr.uid);
  close(sv[0]);

  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  send(sv[0], "one", 3, 0);
  send(sv[0], "three", 5, 0);
  char d[8];
  ssize_t k = recv(sv[1], d, 2, MSG_TRUNC);
  printf("dgram MSG_TRUNC: %zd\n", k);
  k = recv(sv[1], d, sizeof d, MSG_PEEK);
  printf("dgram peek: %zd '%.*s'\n", k, (int)k, d);
  k = recv(sv[1], d, sizeof d, 0);
  printf("dgram recv: %zd '%.*s'\n", k, (int)k, d);
  k = recv(sv[1], d, sizeof d, MSG_DONTWAIT);
  printf("dgram empty: %zd %s\n", k, err(k));
  close(sv[0]);
  close(sv[1]);
}

static int send_fd(int s, int fd, const char *msg) {
  char ctl[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {(void *)msg, strlen(msg)};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof ctl;
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  return (int)sendmsg(s, &m, 0);
}

static int recv_fd(int s, char *buf, size_t n, int *fd) {
  char ctl[CMSG_SPACE(sizeof(int) * 4)];
  struct iovec iov = {buf, n};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof ctl;
  int r = (int)recvmsg(s, &m, MSG_CMSG_CLOEXEC);
  *fd = -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(fd, CMSG_DATA(c), sizeof *fd);
  return r;
}

static void unix_path(void) {
  unlink("/tmp/trellis-test.sock");
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {AF_UNIX, "/tmp/trellis-test.sock"};
  int r = bind(l, (struct sockaddr *)&a, sizeof a);
  printf("bind path: %s\n", err(r));
  struct stat st;
  stat("/tmp/trellis-test.sock", &st);
  printf("socket file: %d\n", S_ISSOCK(st.st_mode));
  r = bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, sizeof a);
  printf("bind again: %s\n", err(r));
  listen(l, 4);
  pid_t c = fork();
  if (c == 0) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a)) { perror("connect"); _exit(1); }
    int f = open("/tmp/trellis-passed.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(f, "content behind a passed fd\n", 27);
    send_fd(s, f, "here");
    close(f);
    char b[8];
    read(s, b, sizeof b); // wait for the server
    _exit(0);
  }
  struct sockaddr_un peer;
  socklen_t pl = sizeof peer;
  int s = accept(l, (struct sockaddr *)&peer, &pl);
  printf("accepted: %d peer family %d len %d\n", s >= 0, peer.sun_family, (int)pl);
  struct ucred cr;
  socklen_t cl = sizeof cr;
  getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl);
  printf("peercred is the child: %d\n", cr.pid == c);
  struct sockaddr_un me;
  socklen_t ml = sizeof me;
  getsockname(s, (struct sockaddr *)&me, &ml);
  printf("accepted socket name: %s len %d\n", me.sun_path, (int)ml);
  char b[64] = {0};
  int fd;
  int n = recv_fd(s, b, sizeof b, &fd);
  printf("recvmsg: %d '%.*s' got fd %d cloexec %d\n", n, n, b, fd >= 0, fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
  lseek(fd, 0, SEEK_SET);
  n = (int)read(fd, b, sizeof b - 1);
  printf("through the passed fd: %.*s", n, b);
  write(s, "done", 4);
  int ws;
  waitpid(c, &ws, 0);
  close(fd);
  close(s);
  close(l);
  unlink("/tmp/trellis-test.sock");
  int x = socket(AF_UNIX, SOCK_STREAM, 0);
  r = connect(x, (struct sockaddr *)&a, sizeof a);
  printf("connect to a removed path: %s\n", err(r));
  close(x);

  // abstract names, a full backlog on a nonblocking connect
  struct sockaddr_un ab = {AF_UNIX, ""};
  memcpy(ab.sun_path, "\0trellis-abstract", 17);
  socklen_t abl = offsetof(struct sockaddr_un, sun_path) + 17;
  l = socket(AF_UNIX, SOCK_STREAM, 0);
  printf("bind abstract: %s\n", err(bind(l, (struct sockaddr *)&ab, abl)));
  listen(l, 2);
  int ok = 0, last = 0;
  for (int i = 0; i < 6; i++) {
    int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (connect(c2, (struct sockaddr *)&ab, abl) == 0) ok++;
    else last = errno;
  }
  printf("nonblocking connects to backlog 2: %d accepted, then %s\n", ok, strerror(last));
  close(l);
}

static int tcp_listener(int family, int *port) {
  int l = socket(family, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_storage ss = {0};
  socklen_t sl;
  if (family == AF_INET) {
    struct sockaddr_in *a = (void *)&ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sl = sizeof *a;
  } else {
    struct sockaddr_in6 *a = (void *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    sl = sizeof *a;
  }
  if (bind(l, (void *)&ss, sl) || listen(l, 16)) { perror("listen"); exit(1); }
  getsockname(l, (void *)&ss, &sl);
  *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port);
  return l;
}

static void tcp(int family) {
  int port;
  int l = tcp_listener(family, &port);
  const char *fam = family == AF_INET ? "tcp4" : "tcp6";
  pid_t c = fork();
  if (c == 0) {
    int s = socket(family, SOCK_STREAM, 0);
    struct sockaddr_storage ss = {0};
    socklen_t sl;
    if (family == AF_INET) {
      struct sockaddr_in *a = (void *)&ss;
      a->sin_family = AF_INET;
      a->sin_port = htons((unsigned short)port);
      inet_pton(AF_INET, "127.0.0.1", &a->sin_addr);
      sl = sizeof *a;
    } else {
      struct sockaddr_in6 *a = (void *)&ss;
      a->sin6_family = AF_INET6;
      a->sin6_port = htons((unsigned short)port);
      a->sin6_addr = in6addr_loopback;
      sl = sizeof *a;
    }
    if (connect(s, (void *)&ss, sl)) { perror("connect"); _exit(1); }
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    static char big[100000];
    for (int i = 0; i < (int)sizeof big; i++) big[i] = (char)('a' + i % 26);
    size_t off = 0;
    while (off < sizeof big) {
      ssize_t w = write(s, big + off, sizeof big - off);
      if (w <= 0) { perror("write"); _exit(1); }
      off += (size_t)w;
    }
    shutdown(s, SHUT_WR);
    char b[64] = {0};
    ssize_t n, t = 0;
    while ((n = read(s, b + t, sizeof b - 1 - (size_t)t)) > 0) t += n;
    printf("%s client got '%s'\n", fam, b);
    fflush(stdout);
    _exit(0);
  }
  struct sockaddr_storage peer;
  socklen_t pl = sizeof peer;
  int s = accept(l, (void *)&peer, &pl);
  char ip[64];
  inet_ntop(family, family == AF_INET ? (void *)&((struct sockaddr_in *)&peer)->sin_addr : (void *)&((struct sockaddr_in6 *)&peer)->sin6_addr, ip, sizeof ip);
  printf("%s accepted from %s (len %d)\n", fam, ip, (int)pl);
  char buf[4096];
  long total = 0, sum = 0;
  ssize_t n;
  while ((n = read(s, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) sum += buf[i];
    total += n;
  }
  char reply[64];
  int rl = snprintf(reply, sizeof reply, "got %ld sum %ld", total, sum);
  write(s, reply, (size_t)rl);
  close(s);
  int st;
  waitpid(c, &st, 0);
  printf("%s child status %d\n", fam, WEXITSTATUS(st));
  int l2 = socket(family, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(l2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  getsockname(l, (void *)&ss, &sl);
  int r = bind(l2, (void *)&ss, sl);
  printf("%s bind to a listening port: %s\n", fam, err(r));
  close(l2);
  close(l);
}

static void errors_and_options(void) {
  signal(SIGPIPE, on_pipe);
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  close(sv[1]);
  ssize_t r = write(sv[0], "x", 1);
  printf("write to a closed peer: %zd %s sigpipes %d\n", r, err(r), sigpipes);
  r = send(sv[0], "x", 1, MSG_NOSIGNAL);
  printf("MSG_NOSIGNAL: %zd %s sigpipes %d\n", r, err(r), sigpipes);
  close(sv[0]);

  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  write(sv[1], "0123456789", 10);
  int avail = -1;
  ioctl(sv[0], FIONREAD, &avail);
  printf("FIONREAD: %d\n", avail);
  char b[16];
  r = recv(sv[0], b, 4, MSG_PEEK);
  printf("peek: %zd '%.4s'\n", r, b);
  r = read(sv[0], b, sizeof b);
  printf("read: %zd\n", r);
  int on = 1;
  ioctl(sv[0], FIONBIO, &on);
  r = read(sv[0], b, sizeof b);
  printf("FIONBIO then read: %zd %s flags nonblock %d\n", r, err(r), (fcntl(sv[0], F_GETFL) & O_NONBLOCK) != 0);
  // a peer that never reads: the writer fills the buffer and gets EAGAIN
  fcntl(sv[1], F_SETFL, O_NONBLOCK);
  static char chunk[65536];
  long filled = 0;
  while ((r = write(sv[1], chunk, sizeof chunk)) > 0) filled += r;
  printf("never-read peer: filled %d then %s\n", filled > 0, err(r));
  close(sv[0]);
  close(sv[1]);

  int port;
  int l = tcp_listener(AF_INET, &port);
  int t;
  socklen_t tl = sizeof t;
  getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &t, &tl);
  printf("SO_ACCEPTCONN: %d\n", t);
  getsockopt(l, SOL_SOCKET, SO_REUSEADDR, &t, &tl);
  printf("SO_REUSEADDR: %d\n", t);
  getsockopt(l, SOL_SOCKET, SO_TYPE, &t, &tl);
  printf("SO_TYPE: %d\n", t);
  getsockopt(l, SOL_SOCKET, SO_DOMAIN, &t, &tl);
  printf("SO_DOMAIN: %d\n", t);
  getsockopt(l, SOL_SOCKET, SO_PROTOCOL, &t, &tl);
  printf("SO_PROTOCOL: %d\n", t);
  t = 65536;
  setsockopt(l, SOL_SOCKET, SO_RCVBUF, &t, sizeof t);
  getsockopt(l, SOL_SOCKET, SO_RCVBUF, &t, &tl);
  printf("SO_RCVBUF after 65536: %d\n", t);
  t = 1;
  setsockopt(l, SOL_SOCKET, SO_KEEPALIVE, &t, sizeof t);
  t = 0;
  getsockopt(l, SOL_SOCKET, SO_KEEPALIVE, &t, &tl);
  printf("SO_KEEPALIVE: %d\n", t);
  t = 7;
  setsockopt(l, IPPROTO_TCP, TCP_NODELAY, &t, sizeof t);
  getsockopt(l, IPPROTO_TCP, TCP_NODELAY, &t, &tl);
  printf("TCP_NODELAY: %d\n", t);
  r = getsockopt(l, SOL_SOCKET, 9999, &t, &tl);
  printf("unknown option: %zd %s\n", r, err(r));
  int dn = open("/dev/null", O_RDONLY);
  r = getsockopt(dn, SOL_SOCKET, SO_TYPE, &t, &tl);
  printf("not a socket: %zd %s\n", r, err(r));

  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in a = {AF_INET, htons((unsigned short)port), {htonl(INADDR_LOOPBACK)}};
  r = connect(s, (void *)&a, sizeof a);
  printf("nonblocking connect: %zd %s\n", r, err(r));
  struct pollfd pf = {s, POLLOUT, 0};
  poll(&pf, 1, 2000);
  int e = -1;
  socklen_t el = sizeof e;
  getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &el);
  printf("connected: revents %#x SO_ERROR %d\n", pf.revents, e);
  int fl = fcntl(l, F_GETFL);
  fcntl(l, F_SETFL, fl | O_NONBLOCK);
  int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
  printf("accept4: %d cloexec %d\n", c >= 0, c >= 0 && (fcntl(c, F_GETFD) & FD_CLOEXEC));
  r = accept(l, NULL, NULL);
  printf("accept with none pending: %zd %s\n", r, err(r));
  close(c);
  close(s);

  // a bound port nobody listens on
  int b2 = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in ba = {AF_INET, 0, {htonl(INADDR_LOOPBACK)}};
  bind(b2, (void *)&ba, sizeof ba);
  socklen_t bl = sizeof ba;
  getsockname(b2, (void *)&ba, &bl);
  int x = socket(AF_INET, SOCK_STREAM, 0);
  r = connect(x, (void *)&ba, sizeof ba);
  printf("connect refused: %zd %s\n", r, err(r));
  close(x);
  x = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  r = connect(x, (void *)&ba, sizeof ba);
  printf("nonblocking connect refused: %zd %s\n", r, err(r));
  pf.fd = x;
  pf.events = POLLOUT;
  poll(&pf, 1, 2000);
  getsockopt(x, SOL_SOCKET, SO_ERROR, &e, &el);
  printf("refused: error bits %d SO_ERROR %s\n", (pf.revents & (POLLERR | POLLHUP)) != 0, strerror(e));
  close(x);
  struct sockaddr_in dup = ba;
  x = socket(AF_INET, SOCK_STREAM, 0);
  r = bind(x, (void *)&dup, sizeof dup);
  printf("bind to a bound port: %zd %s\n", r, err(r));
  close(x);
  close(b2);
  close(l);
  x = socket(AF_INET, SOCK_STREAM, 0);
  r = listen(x, 1);
  getsockname(x, (void *)&ba, &bl);
  printf("listen without bind: %zd port set %d\n", r, ba.sin_port != 0);
  r = read(x, b, 1);
  printf("read on a listener: %zd %s\n", r, err(r));
  close(x);
  r = socket(AF_INET, SOCK_STREAM, 99);
  printf("bad protocol: %zd %s\n", r, err(r));
  r = socket(AF_INET, SOCK_STREAM, 0);
  int g = socket(AF_INET, SOCK_STREAM, 0);
  r = getpeername(g, (void *)&ba, &bl);
  printf("getpeername unconnected: %zd %s\n", r, err(r));
}

static void udp(void) {
  int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in sa = {AF_INET, 0, {htonl(INADDR_LOOPBACK)}}, sb = sa, from;
  bind(a, (void *)&sa, sizeof sa);
  bind(b, (void *)&sb, sizeof sb);
  socklen_t l = sizeof sa;
  getsockname(a, (void *)&sa, &l);
  getsockname(b, (void *)&sb, &l);
  sendto(a, "datagram", 8, 0, (void *)&sb, sizeof sb);
  char buf[32];
  socklen_t fl = sizeof from;
  ssize_t n = recvfrom(b, buf, sizeof buf, 0, (void *)&from, &fl);
  printf("udp: %zd '%.*s' from the sender's port %d\n", n, (int)n, buf, from.sin_port == sa.sin_port);
  connect(b, (void *)&sa, sizeof sa);
  send(b, "reply", 5, 0);
  n = recv(a, buf, sizeof buf, 0);
  printf("udp connected reply: %zd '%.*s'\n", n, (int)n, buf);
  int t;
  socklen_t tl = sizeof t;
  getsockopt(a, SOL_SOCKET, SO_TYPE, &t, &tl);
  printf("udp SO_TYPE %d\n", t);
  close(a);
  close(b);
}

// Bad input, run only emulated (the limits are the core's): a guest that opens
// sockets without end, and one that writes into sockets nobody reads.
static void flood(void) {
  int rel[2], rep[2];
  pipe(rel);
  pipe(rep);
  for (int c = 0; c < 5; c++) {
    if (fork() == 0) {
      close(rel[1]);
      int n = 0;
      while (socket(AF_INET, SOCK_STREAM, 0) >= 0) n++;
      printf("process %d: %d sockets, then %s\n", c, n, strerror(errno));
      write(rep[1], "x", 1);
      char b;
      read(rel[0], &b, 1); // hold them until the parent is done
      _exit(0);
    }
    char b;
    read(rep[0], &b, 1);
  }
  close(rel[1]);
  while (wait(NULL) > 0) {}
  int sv[2];
  long total = 0;
  int pairs = 0;
  static char chunk[65536];
  ssize_t r = 0;
  for (; pairs < 120; pairs++) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv)) break;
    while ((r = write(sv[0], chunk, sizeof chunk)) > 0) total += r;
  }
  printf("%d pairs nobody reads hold %ld MiB, then %s\n", pairs, total >> 20, strerror(errno));
}

// sendfile of a file larger than a socket buffer to a nonblocking socket whose
// reader is slow: partial sends, EAGAIN, and the offset (the caller's, or the
// file's own with a NULL offset) moving by what was sent, so no byte is lost.
static void sendfile_partial(void) {
  enum { SIZE = 1 << 20 };
  static unsigned char data[SIZE];
  unsigned h = 2166136261u;
  for (int i = 0; i < SIZE; i++) data[i] = (unsigned char)(i * 2654435761u >> 13), h = (h ^ data[i]) * 16777619u;
  char path[64];
  snprintf(path, sizeof path, "/tmp/sendfile-%d.bin", (int)getpid());
  int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd < 0 || write(fd, data, SIZE) != SIZE) { printf("sendfile: cannot write %s: %s\n", path, strerror(errno)); return; }
  for (int mode = 0; mode < 2; mode++) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t kid = fork();
    if (kid == 0) {
      close(sv[0]);
      unsigned k = 2166136261u;
      long got = 0;
      unsigned char b[3000];
      ssize_t r;
      while ((r = read(sv[1], b, sizeof b)) > 0) {
        for (ssize_t i = 0; i < r; i++) k = (k ^ b[i]) * 16777619u;
        got += r;
      }
      printf("sendfile %s: reader got %ld bytes, %s\n", mode ? "file offset" : "own offset", got, k == h ? "same bytes" : "DIFFERENT bytes");
      _exit(0);
    }
    close(sv[1]);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    // the first bytes go by write(), as a server sends its headers, so the buffer's free room is no
    // multiple of what one sendfile call moves
    enum { HEAD = 1000 };
    write(sv[0], data, HEAD);
    off_t off = HEAD;
    lseek(fd, HEAD, SEEK_SET);
    long sent = HEAD;
    while (sent < SIZE) {
      ssize_t r = sendfile(sv[0], fd, mode ? NULL : &off, (size_t)(SIZE - sent));
      if (r < 0 && errno == EAGAIN) {
        struct pollfd pf = {sv[0], POLLOUT, 0};
        poll(&pf, 1, -1);
        continue;
      }
      if (r <= 0) { printf("sendfile: %s\n", err(r)); break; }
      sent += r;
    }
    printf("sendfile %s: sent %ld, offset %ld, file position %ld\n", mode ? "file offset" : "own offset", sent, (long)off,
           (long)lseek(fd, 0, SEEK_CUR));
    close(sv[0]);
    waitpid(kid, NULL, 0);
  }
  close(fd);
  unlink(path);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc > 1 && !strcmp(argv[1], "flood")) { flood(); return 0; }
  pair_fork();
  unix_path();
  tcp(AF_INET);
  tcp(AF_INET6);
  errors_and_options();
  udp();
  sendfile_partial();
  return 0;
}
