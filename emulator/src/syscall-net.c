// Sockets between the guest's own processes: AF_UNIX (paths in the overlay,
// abstract names, socketpair, SCM_RIGHTS, SO_PEERCRED) and AF_INET/AF_INET6
// on loopback and the container's own address, SOCK_STREAM and SOCK_DGRAM.
// A connection is a pair of Sock objects, each holding what the other wrote;
// a blocking call returns SYS_BLOCK and is retried by the scheduler. Limits
// per guest (sockets, buffered bytes) turn a flood into errors, not host memory.
#include "syscall.h"
#include "hostnet.h"

enum { AF_UNIX_ = 1, AF_INET_ = 2, AF_INET6_ = 10 };
enum { ST_STREAM = 1, ST_DGRAM = 2 };
enum { SS_NEW, SS_LISTEN, SS_CONNECTED, SS_REFUSED };
#define SOCK_NONBLOCK_ 04000
#define SOCK_CLOEXEC_ 02000000
#define MSG_PEEK_ 2
#define MSG_TRUNC_ 0x20
#define MSG_DONTWAIT_ 0x40
#define MSG_WAITALL_ 0x100
#define MSG_NOSIGNAL_ 0x4000
#define MSG_CMSG_CLOEXEC_ 0x40000000
#define MSG_CTRUNC_ 8

#define MAX_SOCKS 1024              // sockets alive in one guest
#define SOCK_BUF (256u << 10)       // bytes one socket holds unread
#define TOTAL_BUF (16ull << 20)     // bytes all sockets of the guest hold
#define MAX_FDS_PER_MSG 253         // SCM_MAX_FD
#define OWN_ADDR 0x0a580002u        // 10.88.0.2: the container's own address

// A normalised internet address: IPv4 as ::ffff:a.b.c.d.
typedef struct Addr {
  u8 a[16];
  u16 port;
} Addr;

// Descriptors passed with SCM_RIGHTS, delivered with the bytes at `pos`.
typedef struct Rights {
  u64 pos;
  int n;
  File **f;
  struct Rights *next;
} Rights;

typedef struct Dgram {
  u8 *data;
  u32 len;
  u8 from[128];
  u32 fromlen;
  Rights *rights;
  struct Dgram *next;
} Dgram;

typedef struct Sock {
  int domain, type, proto, state;
  int nonblock_connect_pending;
  u8 name[128];
  u32 namelen; // 0: unbound
  Addr in;     // AF_INET/6 bound address (port 0 = none)
  OvNode *node; // AF_UNIX bound path's socket file
  struct Sock *peer;
  // stream receive buffer: bytes the peer wrote
  u8 *buf;
  u32 cap, head, len;
  u64 rx_pos; // stream position of buf[head]
  Rights *rights, *rights_tail;
  // datagram receive queue
  Dgram *dq, *dq_tail;
  u32 dq_bytes;
  // listening
  struct Sock **backlog;
  int nbacklog, backlog_max;
  int shut_rd, shut_wr, eof, reset, err;
  int reuseaddr, reuseport, keepalive, nodelay, v6only, broadcast, passcred, cork;
  int rcvbuf, sndbuf, linger_on, linger_s;
  Addr dest; // a connected datagram socket's destination (port 0: none)
  int host, host_listen; // host network handles (hostnet.h): a connection to/from the host, a published listener
  int host_full;         // the host took less than a send offered: the next pump gives EPOLLET waiters a new edge
  Addr hpeer;            // the host-side peer's address
  int keepidle, keepintvl, keepcnt, ttl, tos;
  u64 rcvtimeo[2], sndtimeo[2];
  int cred_pid, cred_uid, cred_gid; // SO_PEERCRED
  int listen_pid;
  u32 gen_in, gen_out;
  struct Sock *link;
} Sock;

static Sock *socks;
static int nsocks;
static u64 total_buffered;
static u16 next_port = 40000;

static u32 put_inaddr(const struct Sock *s, const Addr *x, u8 *b);
static void dns_answer(struct Sock *s, const Addr *server, const u8 *q, u64 n);
#ifdef TRELLIS_REACTOR
int bridge_peer_addr(const char *name, u8 out[4]); // src/http/bridge.c
int bridge_peer_hosts(char *buf, size_t n);
#endif


// ---------- buffers ----------
static u32 buf_room(Sock *s) {
  u64 room = SOCK_BUF - s->len;
  if (TOTAL_BUF - total_buffered < room) room = TOTAL_BUF - total_buffered;
  return (u32)room;
}
static void buf_put(Sock *s, const u8 *d, u32 n) {
  if (s->cap < s->len + n) {
    u32 nc = s->cap ? s->cap : 4096;
    while (nc < s->len + n) nc *= 2;
    u8 *nb = malloc(nc);
    for (u32 i = 0; i < s->len; i++) nb[i] = s->buf[(s->head + i) % s->cap];
    free(s->buf);
    s->buf = nb;
    s->cap = nc;
    s->head = 0;
  }
  for (u32 i = 0; i < n; i++) s->buf[(s->head + s->len + i) % s->cap] = d[i];
  s->len += n;
  total_buffered += n;
  s->gen_in++;
}
static void buf_get(Sock *s, u8 *d, u32 n, int peek) {
  for (u32 i = 0; i < n; i++) d[i] = s->buf[(s->head + i) % s->cap];
  if (peek) return;
  s->head = (s->head + n) % s->cap;
  s->len -= n;
  s->rx_pos += n;
  total_buffered -= n;
  if (s->peer) s->peer->gen_out++;
}

static void rights_free(Rights *r) {
  while (r) {
    Rights *n = r->next;
    for (int i = 0; i < r->n; i++) file_unref(r->f[i]);
    free(r->f);
    free(r);
    r = n;
  }
}

// ---------- the socket objects ----------
static Sock *sock_of(Proc *p, i64 fd, i64 *err) {
  File *f = fd_get(p, (i32)fd);
  if (!f) { *err = E(EBADF); return NULL; }
  if (f->kind != FK_SOCK) { *err = E(ENOTSOCK); return NULL; }
  *err = 0;
  return f->obj;
}

// An AF_UNIX socket: it never leaves the guest (snapshot.c lets a start-up snapshot run through it).
int sock_fd_unix(Proc *p, i64 fd) {
  i64 e;
  Sock *s = sock_of(p, fd, &e);
  return s && s->domain == AF_UNIX_;
}

static Sock *sock_new(int domain, int type, int proto) {
  if (nsocks >= MAX_SOCKS) return NULL;
  Sock *s = calloc(1, sizeof *s);
  s->domain = domain;
  s->type = type;
  s->proto = proto;
  s->rcvbuf = domain == AF_UNIX_ ? 212992 : 131072;
  s->sndbuf = domain == AF_UNIX_ ? 212992 : 16384;
  s->keepidle = 7200;
  s->keepintvl = 75;
  s->keepcnt = 9;
  s->ttl = 64;
  s->host = s->host_listen = -1;
  s->link = socks;
  socks = s;
  nsocks++;
  return s;
}

static int has_peer(const Sock *s) { return s->peer || s->host >= 0; }

static void sock_free(Sock *s) {
  if (s->host >= 0) hostnet_call(HN_CLOSE, s->host, 0, NULL, 0, NULL);
  if (s->host_listen >= 0) hostnet_call(HN_CLOSE, s->host_listen, 0, NULL, 0, NULL);
  if (s->peer) {
    Sock *q = s->peer;
    q->peer = NULL;
    q->eof = 1;
    if (s->len) q->reset = 1; // closed with unread data: the peer sees a reset, as TCP sends RST
    q->gen_in++;
    q->gen_out++;
  }
  for (Sock *o = socks; o; o = o->link)
    if (o->type == ST_DGRAM && o->peer == s) o->peer = NULL;
  for (int i = 0; i < s->nbacklog; i++) sock_free(s->backlog[i]);
  free(s->backlog);
  rights_free(s->rights);
  while (s->dq) {
    Dgram *d = s->dq;
    s->dq = d->next;
    rights_free(d->rights);
    free(d->data);
    free(d);
  }
  total_buffered -= s->len + s->dq_bytes;
  free(s->buf);
  for (Sock **l = &socks; *l; l = &(*l)->link)
    if (*l == s) { *l = s->link; break; }
  nsocks--;
  free(s);
}

void sock_release(File *f) {
  if (f->obj) sock_free(f->obj);
  f->obj = NULL;
}

static i64 sock_install(Proc *p, Sock *s, int flags) {
  File *f = file_new(FK_SOCK);
  f->obj = s;
  f->flags = O_RDWR | ((flags & SOCK_NONBLOCK_) ? O_NONBLOCK : 0);
  return fd_install(p, f, 0, (flags & SOCK_CLOEXEC_) != 0);
}

i64 sys_socket(Proc *p) {
  int domain = (int)ARG0, type = (int)ARG1 & 0xf, flags = (int)ARG1 & ~0xf, proto = (int)ARG2;
  if (domain != AF_UNIX_ && domain != AF_INET_ && domain != AF_INET6_) {
    if (trace_on) fprintf(stderr, "trellis-x86: socket family %d is not supported -> EAFNOSUPPORT\n", domain);
    return E(EAFNOSUPPORT);
  }
  if (flags & ~(SOCK_NONBLOCK_ | SOCK_CLOEXEC_)) return E(EINVAL);
  if (type == 3) return E(EPERM); // SOCK_RAW: not for a container without CAP_NET_RAW
  if (type != ST_STREAM && type != ST_DGRAM) return E(domain == AF_UNIX_ ? ESOCKTNOSUPPORT : EPROTONOSUPPORT);
  if (domain != AF_UNIX_ && proto && proto != (type == ST_STREAM ? 6 : 17)) return E(EPROTONOSUPPORT);
  if (domain == AF_UNIX_ && proto) return E(EPROTONOSUPPORT);
  Sock *s = sock_new(domain, type, domain == AF_UNIX_ ? 0 : type == ST_STREAM ? 6 : 17);
  if (!s) return E(ENFILE);
  i64 fd = sock_install(p, s, flags);
  return fd;
}

static void set_cred(Sock *s, Proc *p) {
  s->cred_pid = p->tgid;
  s->cred_uid = (int)guest_uid;
  s->cred_gid = (int)guest_gid;
}

i64 sys_socketpair(Proc *p) {
  int domain = (int)ARG0, type = (int)ARG1 & 0xf, flags = (int)ARG1 & ~0xf;
  if (domain == AF_INET_ || domain == AF_INET6_) return E(EOPNOTSUPP);
  if (domain != AF_UNIX_) return E(EAFNOSUPPORT);
  if (type != ST_STREAM && type != ST_DGRAM) return E(ESOCKTNOSUPPORT);
  if (ARG2) return E(EPROTONOSUPPORT);
  if (nsocks + 2 > MAX_SOCKS) return E(ENFILE);
  Sock *a = sock_new(domain, type, 0), *b = sock_new(domain, type, 0);
  a->peer = b;
  b->peer = a;
  a->state = b->state = SS_CONNECTED;
  set_cred(a, p);
  set_cred(b, p);
  i64 fa = sock_install(p, a, flags);
  if (fa < 0) { sock_free(b); return fa; }
  i64 fb = sock_install(p, b, flags);
  if (fb < 0) { fd_close(p, (int)fa); return fb; }
  int v[2] = {(int)fa, (int)fb};
  return put(p, ARG3, v, 8);
}

// ---------- addresses ----------
static int is_v4mapped(const u8 *a) {
  static const u8 pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return !memcmp(a, pre, 12);
}
static int addr_any(const Addr *x) {
  static const u8 z[16];
  return !memcmp(x->a, z, 16) || (is_v4mapped(x->a) && !memcmp(x->a + 12, z, 4));
}
static u32 addr_v4(const Addr *x) { return (u32)x->a[12] << 24 | (u32)x->a[13] << 16 | (u32)x->a[14] << 8 | x->a[15]; }
static int addr_local(const Addr *x) {
  static const u8 one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (addr_any(x) || !memcmp(x->a, one, 16)) return 1;
  return is_v4mapped(x->a) && ((addr_v4(x) >> 24) == 127 || addr_v4(x) == OWN_ADDR);
}

// Reads a sockaddr of the socket's family.
static i64 get_inaddr(Proc *p, Sock *s, u64 ua, u64 len, Addr *out) {
  u8 b[28] = {0};
  if (len < 2) return E(EINVAL);
  if (get(p, ua, b, len < 28 ? len : 28)) return E(EFAULT);
  u16 fam;
  memcpy(&fam, b, 2);
  memset(out, 0, sizeof *out);
  out->port = (u16)(b[2] << 8 | b[3]);
  if (fam == AF_INET_ && len >= 16 && s->domain == AF_INET_) {
    out->a[10] = out->a[11] = 0xff;
    memcpy(out->a + 12, b + 4, 4);
    return 0;
  }
  if (fam == AF_INET6_ && s->domain == AF_INET6_ && len >= 24) {
    memcpy(out->a, b + 8, 16);
    return 0;
  }
  if (fam == 0 && s->type == ST_DGRAM) return 1; // AF_UNSPEC: dissolve the association
  return s->domain == AF_INET_ && len < 16 ? E(EINVAL) : E(EAFNOSUPPORT);
}

static u32 put_inaddr(const struct Sock *s, const Addr *x, u8 *b) {
  memset(b, 0, 28);
  if (s->domain == AF_INET_) {
    u16 fam = AF_INET_;
    memcpy(b, &fam, 2);
    b[2] = (u8)(x->port >> 8);
    b[3] = (u8)x->port;
    memcpy(b + 4, x->a + 12, 4);
    return 16;
  }
  u16 fam = AF_INET6_;
  memcpy(b, &fam, 2);
  b[2] = (u8)(x->port >> 8);
  b[3] = (u8)x->port;
  memcpy(b + 8, x->a, 16);
  return 28;
}

// Reads an AF_UNIX sockaddr; returns the name length (2 = unnamed) and the
// resolved overlay path for path names (abs[0] = 0 for abstract ones).
static i64 get_unaddr(Proc *p, u64 ua, u64 len, u8 *name, char *abs) {
  if (len < 2 || len > 110) return E(EINVAL);
  memset(name, 0, 128);
  if (get(p, ua, name, len)) return E(EFAULT);
  u16 fam;
  memcpy(&fam, name, 2);
  if (fam != AF_UNIX_) return E(EINVAL);
  abs[0] = 0;
  if (len == 2) return 2;
  if (name[2] == 0) return (i64)len; // abstract
  char path[110];
  memcpy(path, name + 2, len - 2);
  path[len - 2] = 0;
  if (!path[0]) return E(EINVAL);
  int rc = vfs_resolve(p->cwd, path, 1, abs, 1024);
  if (rc) return rc;
  return 2 + (i64)strlen(path) + 1;
}

static int port_conflict(Sock *s, const Addr *a) {
  for (Sock *o = socks; o; o = o->link) {
    if (o == s || o->domain == AF_UNIX_ || o->type != s->type || !o->in.port || o->in.port != a->port) continue;
    if (o->state == SS_CONNECTED && o->type == ST_STREAM && o->listen_pid == -1) continue; // accepted sockets share the port
    int v4o = o->domain == AF_INET_, v4s = s->domain == AF_INET_;
    int overlap;
    if (addr_any(&o->in) || addr_any(a)) {
      // "::" with v6only is IPv6 only; 0.0.0.0 only IPv4
      int o_v6only = o->domain == AF_INET6_ && o->v6only && addr_any(&o->in) && !is_v4mapped(o->in.a);
      int s_v6only = s->domain == AF_INET6_ && s->v6only;
      overlap = !((o_v6only && v4s) || (s_v6only && v4o));
    } else overlap = !memcmp(o->in.a, a->a, 16);
    if (!overlap) continue;
    if (s->reuseport && o->reuseport) continue;
    if (s->type == ST_STREAM && s->reuseaddr && o->reuseaddr && o->state != SS_LISTEN) continue;
    return 1;
  }
  return 0;
}

static int ephemeral(Sock *s, Addr *a) {
  for (int tries = 0; tries < 20000; tries++) {
    a->port = next_port++;
    if (next_port > 60999) next_port = 32768;
    if (!port_conflict(s, a)) return 0;
  }
  return -1;
}

static i64 bind_unix(Proc *p, Sock *s, u64 ua, u64 len) {
  u8 name[128];
  char abs[1024];
  i64 l = get_unaddr(p, ua, len, name, abs);
  if (l < 0) return l;
  if (s->namelen) return E(EINVAL);
  if (l == 2) { // autobind: an abstract name of five hex digits
    static int autoseq;
    name[2] = 0;
    l = 2 + 1 + (i64)snprintf((char *)name + 3, 8, "%05x", autoseq++ & 0xfffff);
  } else if (abs[0]) {
    VNode n;
    if (!vfs_lookup(abs, &n)) return E(EADDRINUSE);
    char parent[1024];
    strcpy(parent, abs);
    char *sl = strrchr(parent, '/');
    if (sl == parent) strcpy(parent, "/");
    else if (sl) *sl = 0;
    if (vfs_lookup(parent, &n)) return E(ENOENT);
    if (!vfs_is_dir(&n)) return E(ENOTDIR);
    s->node = ov_create(abs, 0140000 | (0777 & ~p->umask));
    s->node->uid = guest_uid;
    s->node->gid = guest_gid;
  } else {
    for (Sock *o = socks; o; o = o->link)
      if (o != s && o->domain == AF_UNIX_ && o->namelen == (u32)l && !memcmp(o->name, name, (size_t)l)) return E(EADDRINUSE);
  }
  memcpy(s->name, name, (size_t)l);
  s->namelen = (u32)l;
  return 0;
}

i64 sys_bind(Proc *p) {
  i64 err;
  Sock *s = sock_of(p, (i32)ARG0, &err);
  if (!s) return err;
  if (s->domain == AF_UNIX_) return bind_unix(p, s, ARG1, ARG2);
  Addr a;
  i64 r = get_inaddr(p, s, ARG1, ARG2, &a);
  if (r) return r < 0 ? r : E(EAFNOSUPPORT);
  if (s->in.port || s->state != SS_NEW) return E(EINVAL);
  if (!addr_local(&a)) return E(EADDRNOTAVAIL);
  if (a.port) {
    if (port_conflict(s, &a)) return E(EADDRINUSE);
  } else if (ephemeral(s, &a)) return E(EADDRINUSE);
  s->in = a;
  return 0;
}

i64 sys_listen(Proc *p) {
  i64 err;
  Sock *s = sock_of(p, (i32)ARG0, &err);
  if (!s) return err;
  if (s->type != ST_STREAM) return E(EOPNOTSUPP);
  if (s->state == SS_CONNECTED) return E(EINVAL);
  if (s->domain == AF_UNIX_ && !s->namelen) return E(EINVAL);
  if (s->domain != AF_UNIX_ && !s->in.port) {
    Addr a;
    memset(&a, 0, sizeof a);
    if (s->domain == AF_INET_) a.a[10] = a.a[11] = 0xff;
    if (ephemeral(s, &a)) return E(EADDRINUSE);
    s->in = a;
  }
  if (s->domain != AF_UNIX_ && s->state != SS_LISTEN) {
    Addr a = s->in;
    s->state = SS_LISTEN; // a second listener on the port is refused unless SO_REUSEPORT
    if (port_conflict(s, &a)) { s->state = SS_NEW; return E(EADDRINUSE); }
  }
  int bl = (i32)ARG1;
  if (bl < 0 || bl > 4096) bl = 4096;
  s->backlog_max = bl + 1; // Linux accepts backlog + 1 connections before refusing
  int published = 0; // one host listener per guest port (redis listens on 0.0.0.0 and :: alike)
  for (Sock *o = socks; o; o = o->link)
    if (o->host_listen >= 0 && o->in.port == s->in.port) published = 1;
  if (hostnet_on && s->domain != AF_UNIX_ && s->host_listen < 0 && !published) {
    i32 h = hostnet_call(HN_LISTEN, s->in.port, 0, NULL, 0, NULL);
    if (h == -EADDRINUSE) {
      fprintf(stderr, "trellis-x86: guest port %u is published on a host port that is already in use -> EADDRINUSE\n", s->in.port);
      s->state = SS_NEW;
      return E(EADDRINUSE);
    }
    if (h >= 0) s->host_listen = h;
  }
  s->state = SS_LISTEN;
  s->listen_pid = p->tgid;
  set_cred(s, p);
  return 0;
}

static Sock *find_listener(Sock *c, const Addr *a, const u8 *name, u32 namelen, OvNode *node) {
  for (Sock *o = socks; o; o = o->link) {
    if (o->state != SS_LISTEN || o->type != c->type) continue;
    if (c->domain == AF_UNIX_) {
      if (o->domain != AF_UNIX_) continue;
      if (node ? o->node == node : (o->namelen == namelen && !memcmp(o->name, name, namelen))) return o;
      continue;
    }
    if (o->domain == AF_UNIX_ || o->in.port != a->port) continue;
    int v4 = is_v4mapped(a->a);
    if (o->domain == AF_INET_ && !v4) continue;
    if (o->domain == AF_INET6_ && v4 && o->v6only) continue;
    if (addr_any(&o->in) || !memcmp(o->in.a, a->a, 16)) return o;
    if (addr_any(a) && is_v4mapped(o->in.a) == v4) return o; // connect to 0.0.0.0 reaches a local listener
  }
  return NULL;
}

static Sock *find_dgram(Sock *c, const Addr *a, const u8 *name, u32 namelen, OvNode *node) {
  for (Sock *o = socks; o; o = o->link) {
    if (o->type != ST_DGRAM || o == c) continue;
    if (c->domain == AF_UNIX_) {
      if (o->domain == AF_UNIX_ && (node ? o->node == node : (o->namelen == namelen && !memcmp(o->name, name, namelen)))) return o;
      continue;
    }
    if (o->domain == AF_UNIX_ || !o->in.port || o->in.port != a->port) continue;
    if (addr_any(&o->in) || !memcmp(o->in.a, a->a, 16) || addr_any(a)) return o;
  }
  return NULL;
}

// Resolves a connect/sendto destination: 0 and the target or a listener, or an error.
static i64 resolve_dest(Proc *p, Sock *s, u64 ua, u64 len, Addr *a, u8 *name, u32 *namelen, OvNode **node) {
  *node = NULL;
  *namelen = 0;
  if (s->domain == AF_UNIX_) {
    char abs[1024];
    i64 l = get_unaddr(p, ua, len, name, abs);
    if (l < 0) return l;
    if (l == 2) return E(EINVAL);
    *namelen = (u32)l;
    if (abs[0]) {
      VNode n;
      i64 rc = vfs_lookup(abs, &n);
      if (rc) return rc;
      if (n.kind != 2 || (n.ov->mode & S_IFMT_) != 0140000) return E(ECONNREFUSED);
      *node = n.ov;
    }
    return 0;
  }
  i64 r = get_inaddr(p, s, ua, len, a);
  if (r) return r;
  if (!addr_local(a) && !(s->type == ST_DGRAM && a->port == 53) && !(s->type == ST_STREAM && hostnet_on && is_v4mapped(a->a))) {
    if (trace_on) {
      char t[64];
      if (is_v4mapped(a->a)) snprintf(t, sizeof t, "%u.%u.%u.%u", a->a[12], a->a[13], a->a[14], a->a[15]);
      else snprintf(t, sizeof t, "an IPv6 address");
      fprintf(stderr, "trellis-x86: connection to %s port %u refused: outside the guest (not allowed) -> ENETUNREACH\n", t, a->port);
    }
    return E(ENETUNREACH);
  }
  return 0;
}

static void autobind_in(Sock *s, const Addr *dest) {
  if (s->in.port) return;
  Addr a;
  memset(&a, 0, sizeof a);
  if (dest && !addr_any(dest)) memcpy(a.a, dest->a, 16);
  else if (s->domain == AF_INET_ || (dest && is_v4mapped(dest->a))) { a.a[10] = a.a[11] = 0xff; a.a[12] = 127; a.a[15] = 1; }
  else a.a[15] = 1;
  if (!ephemeral(s, &a)) s->in = a;
}

i64 sys_connect(Proc *p) {
  i64 err;
  File *f = fd_get(p, (i32)ARG0);
  Sock *s = sock_of(p, (i32)ARG0, &err);
  if (!s) return err;
  Addr a;
  u8 name[128];
  u32 namelen;
  OvNode *node;
  if (s->type == ST_DGRAM) {
    i64 r = resolve_dest(p, s, ARG1, ARG2, &a, name, &namelen, &node);
    if (r == 1) { s->peer = NULL; s->state = SS_NEW; memset(&s->dest, 0, sizeof s->dest); return 0; }
    if (r) return r;
    Sock *t = find_dgram(s, &a, name, namelen, node);
    if (s->domain == AF_UNIX_ && !t) return E(ECONNREFUSED);
    if (s->domain != AF_UNIX_) autobind_in(s, &a);
    s->peer = t; // UDP: an unbound destination just loses what is sent
    s->state = SS_CONNECTED;
    if (s->domain != AF_UNIX_) s->dest = a;
    return 0;
  }
  if (s->state == SS_CONNECTED) {
    if (s->nonblock_connect_pending) { s->nonblock_connect_pending = 0; return E(EISCONN); }
    return E(EISCONN);
  }
  if (s->state == SS_REFUSED) { s->state = SS_NEW; s->err = 0; return E(ECONNREFUSED); }
  if (s->state == SS_LISTEN) return E(EINVAL);
  i64 r = resolve_dest(p, s, ARG1, ARG2, &a, name, &namelen, &node);
  if (r) return r == 1 ? E(EAFNOSUPPORT) : r;
  int nonblock = (f->flags & O_NONBLOCK) != 0;
  if (s->domain != AF_UNIX_ && !addr_local(&a)) { // through the host, when the run allows that peer
    i32 h = hostnet_call(HN_CONNECT, (i32)addr_v4(&a), a.port, NULL, 0, NULL);
    if (h == -EACCES || h == -ENOSYS) {
      if (trace_on) fprintf(stderr, "trellis-x86: connection to %u.%u.%u.%u port %u refused: not allowed for this run (--allow HOST:PORT) -> ENETUNREACH\n", a.a[12], a.a[13], a.a[14], a.a[15], a.port);
      return E(ENETUNREACH);
    }
    if (h < 0) return h;
    Addr me;
    memset(&me, 0, sizeof me);
    me.a[10] = me.a[11] = 0xff;
    me.a[12] = 10; me.a[13] = 88; me.a[15] = 2;
    if (!s->in.port && !ephemeral(s, &me)) s->in = me;
    s->host = h;
    s->hpeer = a;
    s->state = SS_CONNECTED;
    return 0;
  }
  Sock *l = find_listener(s, &a, name, namelen, node);
  if (!l) {
    if (s->domain != AF_UNIX_ && nonblock) { // the refusal arrives later, as SO_ERROR
      autobind_in(s, &a);
      s->state = SS_REFUSED;
      s->err = ECONNREFUSED;
      s->gen_in++;
      s->gen_out++;
      return E(EINPROGRESS);
    }
    return E(ECONNREFUSED);
  }
  if (l->nbacklog >= l->backlog_max) {
    if (nonblock) return E(s->domain == AF_UNIX_ ? EAGAIN : EINPROGRESS);
    return SYS_BLOCK;
  }
  if (nsocks >= MAX_SOCKS) return E(EAGAIN);
  Sock *srv = sock_new(l->domain, l->type, l->proto);
  srv->state = s->state = SS_CONNECTED;
  srv->peer = s;
  s->peer = srv;
  srv->listen_pid = -1;
  srv->nodelay = l->nodelay;
  srv->keepalive = l->keepalive;
  set_cred(srv, p);              // the server learns the connecting process
  s->cred_pid = l->cred_pid;     // the client learns the listener's
  s->cred_uid = l->cred_uid;
  s->cred_gid = l->cred_gid;
  if (s->domain == AF_UNIX_) {
    memcpy(srv->name, l->name, l->namelen);
    srv->namelen = l->namelen;
  } else {
    autobind_in(s, &a);
    srv->in = l->in;
    if (addr_any(&srv->in)) memcpy(srv->in.a, s->in.a, 16); // the accepted side has the address the client reached
    if (srv->domain == AF_INET6_ && s->domain == AF_INET_) {
      // an IPv4 client on a dual-stack listener: the server sees ::ffff:a.b.c.d
    }
  }
  if (!l->backlog || l->nbacklog % 16 == 0) l->backlog = realloc(l->backlog, sizeof *l->backlog * (size_t)(l->nbacklog + 16));
  l->backlog[l->nbacklog++] = srv;
  l->gen_in++;
  resched = 1;
  if (nonblock && s->domain != AF_UNIX_) {
    s->nonblock_connect_pending = 1;
    return E(EINPROGRESS);
  }
  return 0;
}

static i64 do_accept(Proc *p, u64 uaddr, u64 ulen, int flags) {
  i64 err;
  File *f = fd_get(p, (i32)ARG0);
  Sock *l = sock_of(p, (i32)ARG0, &err);
  if (!l) return err;
  if (flags & ~(SOCK_NONBLOCK_ | SOCK_CLOEXEC_)) return E(EINVAL);
  if (l->type != ST_STREAM) return E(EOPNOTSUPP);
  if (l->state != SS_LISTEN) return E(EINVAL);
  if (!l->nbacklog) return (f->flags & O_NONBLOCK) ? E(EAGAIN) : SYS_BLOCK;
  Sock *s = l->backlog[0];
  memmove(l->backlog, l->backlog + 1, sizeof *l->backlog * (size_t)(l->nbacklog - 1));
  l->nbacklog--;
  i64 fd = sock_install(p, s, flags);
  if (fd < 0) return fd;
  if (uaddr) {
    u8 b[128];
    u32 n = 0;
    i32 have;
    if (get(p, ulen, &have, 4)) return E(EFAULT);
    if (s->domain == AF_UNIX_) {
      Sock *c = s->peer;
      u16 fam = AF_UNIX_;
      memset(b, 0, sizeof b);
      memcpy(b, &fam, 2);
      n = 2;
      if (c && c->namelen) { memcpy(b, c->name, c->namelen); n = c->namelen; }
    } else if (s->host >= 0) n = put_inaddr(s, &s->hpeer, b);
    else if (s->peer) n = put_inaddr(s, &s->peer->in, b);
    else n = put_inaddr(s, &s->in, b);
    if (have < 0) return E(EINVAL);
    if (put(p, uaddr, b, (u32)have < n ? (u32)have : n) || put(p, ulen, &n, 4)) return E(EFAULT);
  }
  return fd;
}
i64 sys_accept(Proc *p) { return do_accept(p, ARG1, ARG2, 0); }
i64 sys_accept4(Proc *p) { return do_accept(p, ARG1, ARG2, (int)ARG3); }

static i64 put_name(Proc *p, u64 uaddr, u64 ulen, const u8 *b, u32 n) {
  i32 have;
  if (get(p, ulen, &have, 4)) return E(EFAULT);
  if (have < 0) return E(EINVAL);
  if (put(p, uaddr, b, (u32)have < n ? (u32)have : n) || put(p, ulen, &n, 4)) return E(EFAULT);
  return 0;
}

static u32 sock_name(Sock *s, int peer, u8 *b) {
  memset(b, 0, 128);
  if (s->domain == AF_UNIX_) {
    Sock *o = peer ? s->peer : s;
    u16 fam = AF_UNIX_;
    memcpy(b, &fam, 2);
    if (o && o->namelen) { memcpy(b, o->name, o->namelen); return o->namelen; }
    return 2;
  }
  if (peer) return put_inaddr(s, s->host >= 0 ? &s->hpeer : &s->peer->in, b);
  Addr a = s->in;
  if (!a.port && s->domain == AF_INET_) a.a[10] = a.a[11] = 0xff;
  return put_inaddr(s, &a, b);
}

i64 sys_getsockname(Proc *p) {
  i64 err;
  Sock *s = sock_of(p, (i32)ARG0, &err);
  if (!s) return err;
  u8 b[128];
  u32 n = sock_name(s, 0, b);
  return put_name(p, ARG1, ARG2, b, n);
}

i64 sys_getpeername(Proc *p) {
  i64 err;
  Sock *s = sock_of(p, (i32)ARG0, &err);
  if (!s) return err;
  if (s->state != SS_CONNECTED || !has_peer(s)) return E(ENOTCONN);
  u8 b[128];
  u32 n = sock_name(s, 1, b);
  return put_name(p, ARG1, ARG2, b, n);
}

i64 sys_shutdown(Proc *p) {
  i64 err;
  Sock *s = sock_of(p, (i32)ARG0, &err);
  if (!s) return err;
  int how = (int)ARG1;
  if (how < 0 || how > 2) return E(EINVAL);
  if (s->state != SS_CONNECTED) return E(ENOTCONN);
  if (how != 1) { s->shut_rd = 1; s->gen_in++; }
  if (how != 0) {
    s->shut_wr = 1;
    s->gen_out++;
    if (s->peer) { s->peer->eof = 1; s->peer->gen_in++; }
    if (s->host >= 0) hostnet_call(HN_SHUT, s->host, 0, NULL, 0, NULL);
  }
  return 0;
}

// ---------- data ----------
// Sends n bytes (and passed descriptors) on a socket; 0-length allowed.
static i64 sock_send(Proc *p, File *f, const u8 *d, u64 n, int flags, Sock *to, const u8 *from, u32 fromlen, Rights *rights, int *rights_taken) {
  Sock *s = f->obj;
  int nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT_);
  if (s->err && s->state != SS_REFUSED) { int e = s->err; s->err = 0; return E(e); }
  if (s->type == ST_DGRAM) {
    Sock *t = to ? to : s->peer;
    if (!t) {
      if (s->state == SS_CONNECTED && s->domain != AF_UNIX_) {
        if (s->dest.port == 53) dns_answer(s, &s->dest, d, n);
        return (i64)n; // UDP to a port nobody holds: lost
      }
      return s->state == SS_CONNECTED ? E(ECONNREFUSED) : E(s->domain == AF_UNIX_ ? ENOTCONN : EDESTADDRREQ);
    }
    if (n > SOCK_BUF / 2 || n > 65507) return E(EMSGSIZE);
    if (t->dq_bytes + n > SOCK_BUF || total_buffered + n > TOTAL_BUF) {
      if (s->domain != AF_UNIX_) return (i64)n; // UDP drops what does not fit
      return nonblock ? E(EAGAIN) : SYS_BLOCK;
    }
    Dgram *g = calloc(1, sizeof *g);
    g->data = malloc(n ? n : 1);
    memcpy(g->data, d, n);
    g->len = (u32)n;
    memcpy(g->from, from, fromlen);
    g->fromlen = fromlen;
    if (rights) { g->rights = rights; *rights_taken = 1; }
    if (t->dq_tail) t->dq_tail->next = g;
    else t->dq = g;
    t->dq_tail = g;
    t->dq_bytes += (u32)n;
    total_buffered += n;
    t->gen_in++;
    return (i64)n;
  }
  if (s->state == SS_REFUSED) { s->state = SS_NEW; s->err = 0; return E(ECONNREFUSED); }
  if (s->state != SS_CONNECTED) return E(s->domain == AF_UNIX_ ? ENOTCONN : EPIPE);
  if (s->shut_wr || !has_peer(s)) {
    if (!s->peer && s->reset) { s->reset = 0; return E(ECONNRESET); }
    if (!(flags & MSG_NOSIGNAL_)) p->sigpending |= 1ull << (13 - 1);
    return E(EPIPE);
  }
  if (s->host >= 0) {
    if (!n) return 0;
    u32 offer = (u32)(n > (1u << 20) ? (1u << 20) : n);
    i32 r = hostnet_call(HN_SEND, s->host, 0, (void *)d, offer, NULL);
    if (r == -EAGAIN || (r >= 0 && (u32)r < offer)) s->host_full = 1;
    if (r == -EAGAIN) return nonblock ? E(EAGAIN) : SYS_BLOCK;
    if (r == -EPIPE || r == -ECONNRESET) {
      if (r == -EPIPE && !(flags & MSG_NOSIGNAL_)) p->sigpending |= 1ull << (13 - 1);
      return r;
    }
    return r;
  }
  Sock *t = s->peer;
  if (!n) return 0;
  u32 room = buf_room(t);
  if (!room || (room < n && room < 4096)) return nonblock ? E(EAGAIN) : SYS_BLOCK;
  if (n > room) n = room;
  if (rights) {
    rights->pos = t->rx_pos + t->len;
    if (t->rights_tail) t->rights_tail->next = rights;
    else t->rights = rights;
    t->rights_tail = rights;
    *rights_taken = 1;
  }
  buf_put(t, d, (u32)n);
  return (i64)n;
}

// Receives into d; *got_rights gets descriptors that arrived with these bytes.
static i64 sock_recv(Proc *p, File *f, u8 *d, u64 n, int flags, u8 *from, u32 *fromlen, Rights **got_rights, int *trunc) {
  Sock *s = f->obj;
  int nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT_);
  int peek = (flags & MSG_PEEK_) != 0;
  *got_rights = NULL;
  *trunc = 0;
  if (fromlen) *fromlen = 0;
  if (s->type == ST_DGRAM) {
    Dgram *g = s->dq;
    if (!g) {
      if (s->shut_rd) return 0;
      return nonblock ? E(EAGAIN) : SYS_BLOCK;
    }
    u64 k = n < g->len ? n : g->len;
    memcpy(d, g->data, k);
    if (from) { memcpy(from, g->from, g->fromlen); *fromlen = g->fromlen; }
    if (g->len > n) *trunc = 1;
    i64 r = (flags & MSG_TRUNC_) ? (i64)g->len : (i64)k;
    if (!peek) {
      s->dq = g->next;
      if (!s->dq) s->dq_tail = NULL;
      s->dq_bytes -= g->len;
      total_buffered -= g->len;
      *got_rights = g->rights;
      free(g->data);
      free(g);
      for (Sock *o = socks; o; o = o->link)
        if (o->peer == s) o->gen_out++;
    }
    return r;
  }
  if (s->state == SS_LISTEN || s->state == SS_NEW) return E(ENOTCONN);
  if (s->state == SS_REFUSED) { s->state = SS_NEW; s->err = 0; return E(ECONNREFUSED); }
  if (s->shut_rd) return 0;
  if (!s->len) {
    if (s->reset && !s->peer) { s->reset = 0; return E(ECONNRESET); }
    if (s->eof || !has_peer(s)) return 0;
    return nonblock ? E(EAGAIN) : SYS_BLOCK;
  }
  if ((flags & MSG_WAITALL_) && s->len < n && !s->eof && has_peer(s) && !nonblock) return SYS_BLOCK;
  u64 k = n < s->len ? n : s->len;
  // stop before bytes that carry other descriptors; deliver those that start here
  Rights *r = s->rights;
  if (r && r->pos == s->rx_pos) {
    if (r->next && r->next->pos - s->rx_pos < k) k = r->next->pos - s->rx_pos;
    if (!peek) {
      s->rights = r->next;
      if (!s->rights) s->rights_tail = NULL;
      r->next = NULL;
      *got_rights = r;
    }
  } else if (r && r->pos - s->rx_pos < k) k = r->pos - s->rx_pos;
  buf_get(s, d, (u32)k, peek);
  if (from && s->domain == AF_UNIX_ && s->peer && s->peer->namelen) {
    memcpy(from, s->peer->name, s->peer->namelen);
    *fromlen = s->peer->namelen;
  }
  return (i64)k;
}

i64 sock_read(Proc *p, File *f, u8 *buf, u64 n) {
  Rights *r;
  int t;
  i64 k = sock_recv(p, f, buf, n, 0, NULL, NULL, &r, &t);
  rights_free(r); // read(2) drops passed descriptors, as Linux does
  return k;
}
i64 sock_write(Proc *p, File *f, const u8 *buf, u64 n) {
  Sock *s = f->obj;
  u8 from[128];
  u32 fl = sock_name(s, 0, from);
  int taken;
  return sock_send(p, f, buf, n, 0, NULL, from, fl, NULL, &taken);
}

int sock_pending(File *f) {
  Sock *s = f->obj;
  if (s->type == ST_DGRAM) return s->dq ? (int)s->dq->len : 0;
  return (int)s->len;
}

u32 sock_poll(File *f) {
  Sock *s = f->obj;
  u32 m = 0;
  if (s->err) m |= POLLERR_;
  if (s->state == SS_LISTEN) return s->nbacklog ? POLLIN_ | POLLRDNORM_ : 0;
  if (s->type == ST_DGRAM) {
    if (s->dq) m |= POLLIN_ | POLLRDNORM_;
    if (s->shut_rd) m |= POLLIN_ | POLLRDNORM_ | POLLRDHUP_;
    m |= POLLOUT_ | POLLWRNORM_;
    return m;
  }
  if (s->state == SS_REFUSED) return m | POLLOUT_ | POLLWRNORM_ | POLLHUP_;
  if (s->state == SS_NEW) return m | POLLOUT_ | POLLHUP_;
  if (s->len) m |= POLLIN_ | POLLRDNORM_;
  if (s->eof || s->shut_rd || !has_peer(s)) m |= POLLIN_ | POLLRDNORM_ | POLLRDHUP_;
  if ((s->shut_rd && s->shut_wr) || ((s->eof || !has_peer(s)) && s->shut_wr) || (!has_peer(s) && s->eof)) m |= POLLHUP_;
  if (!s->peer || s->shut_wr || buf_room(s->peer) >= 4096 || buf_room(s->peer) == SOCK_BUF) m |= POLLOUT_ | POLLWRNORM_;
  return m;
}

void sock_gens(File *f, u32 *in, u32 *out) {
  Sock *s = f->obj;
  *in = s->gen_in;
  *out = s->gen_out;
}

// ---------- send/recv family ----------
static i64 collect_iov(Proc *p, u64 iov, u64 cnt, u8 **out, u64 *total) {
  if (cnt > 1024) return E(EMSGSIZE);
  u64 t = 0;
  for (u64 i = 0; i < cnt; i++) {
    u64 v[2];
    if (get(p, iov + 16 * i, v, 16)) return E(EFAULT);
    t += v[1];
    if (t > (8u << 20)) { t = 8u << 20; break; }
  }
  u8 *b = malloc(t ? t : 1);
  u64 at = 0;
  for (u64 i = 0; i < cnt && at < t; i++) {
    u64 v[2];
    get(p, iov + 16 * i, v, 16);
    u64 k = v[1] < t - at ? v[1] : t - at;
    if (k && get(p, v[0], b + at, k)) { free(b); return E(EFAULT); }
    at += k;
  }
  *out = b;
  *total = t;
  return 0;
}

static i64 scatter_iov(Proc *p, u64 iov, u64 cnt, const u8 *b, u64 n) {
  u64 at = 0;
  for (u64 i = 0; i < cnt && at < n; i++) {
    u64 v[2];
    if (get(p, iov + 16 * i, v, 16)) return E(EFAULT);
    u64 k = v[1] < n - at ? v[1] : n - at;
    if (k && put(p, v[0], b + at, k)) return E(EFAULT);
    at += k;
  }
  return 0;
}

static u64 iov_len(Proc *p, u64 iov, u64 cnt) {
  u64 t = 0;
  for (u64 i = 0; i < cnt && i < 1024; i++) {
    u64 v[2];
    if (get(p, iov + 16 * i, v, 16)) break;
    t += v[1];
  }
  return t > (8u << 20) ? (8u << 20) : t;
}

// Sends `n` bytes to an optional address: the common part of send/sendto/sendmsg.
static i64 send_common(Proc *p, i64 fd, const u8 *d, u64 n, int flags, u64 uaddr, u64 alen, Rights *rights, int *taken) {
  i64 err;
  File *f = fd_get(p, (i32)fd);
  Sock *s = sock_of(p, fd, &err);
  if (!s) return err;
  Sock *to = NULL;
  if (uaddr && s->type == ST_DGRAM) {
    Addr a;
    u8 name[128];
    u32 namelen;
    OvNode *node;
    i64 r = resolve_dest(p, s, uaddr, alen, &a, name, &namelen, &node);
    if (r) return r == 1 ? E(EAFNOSUPPORT) : r;
    to = find_dgram(s, &a, name, namelen, node);
    if (!to) {
      if (s->domain == AF_UNIX_) return E(ECONNREFUSED);
      autobind_in(s, &a);
      if (a.port == 53) dns_answer(s, &a, d, n);
      return (i64)n; // UDP: nobody holds that port, the datagram is lost
    }
    if (s->domain != AF_UNIX_) autobind_in(s, &a);
  } else if (uaddr && s->type == ST_STREAM && s->state != SS_CONNECTED) {
    return E(s->domain == AF_UNIX_ ? EOPNOTSUPP : EPIPE);
  }
  u8 from[128];
  u32 fl = sock_name(s, 0, from);
  return sock_send(p, f, d, n, flags, to, from, fl, rights, taken);
}

i64 sys_sendto(Proc *p) {
  u64 n = ARG2 > (8u << 20) ? (8u << 20) : ARG2;
  u8 *b = malloc(n ? n : 1);
  if (n && get(p, ARG1, b, n)) { free(b); return E(EFAULT); }
  int taken = 0;
  i64 r = send_common(p, (i32)ARG0, b, n, (int)ARG3, ARG4, ARG5, NULL, &taken);
  free(b);
  return r;
}

i64 sys_recvfrom(Proc *p) {
  i64 err;
  File *f = fd_get(p, (i32)ARG0);
  if (!sock_of(p, (i32)ARG0, &err)) return err;
  u64 n = ARG2 > (8u << 20) ? (8u << 20) : ARG2;
  u8 *b = malloc(n ? n : 1);
  u8 from[128];
  u32 fl = 0;
  Rights *r;
  int trunc;
  i64 k = sock_recv(p, f, b, n, (int)ARG3, from, &fl, &r, &trunc);
  rights_free(r);
  if (k >= 0) {
    if (put(p, ARG1, b, (u64)k < n ? (u64)k : n)) k = E(EFAULT);
    else if (ARG4 && ARG5) {
      i64 e = fl ? put_name(p, ARG4, ARG5, from, fl) : put(p, ARG5, &fl, 4);
      if (e) k = e;
    }
  }
  free(b);
  return k;
}

static i64 do_sendmsg(Proc *p, i64 fd, u64 umsg, int flags) {
  u64 h[7];
  if (get(p, umsg, h, 56)) return E(EFAULT);
  u64 uname = h[0], namelen = (u32)h[1], iov = h[2], iovlen = h[3], ctl = h[4], ctllen = h[5];
  Rights *rights = NULL;
  for (u64 off = 0; ctl && off + 16 <= ctllen;) {
    u64 cl;
    i32 lv[2];
    if (get(p, ctl + off, &cl, 8) || get(p, ctl + off + 8, lv, 8)) { rights_free(rights); return E(EFAULT); }
    if (cl < 16 || off + cl > ctllen) { rights_free(rights); return E(EINVAL); }
    if (lv[0] == 1 && lv[1] == 1) { // SOL_SOCKET, SCM_RIGHTS
      int n = (int)((cl - 16) / 4);
      if (n > MAX_FDS_PER_MSG || rights) { rights_free(rights); return E(EINVAL); }
      rights = calloc(1, sizeof *rights);
      rights->f = calloc((size_t)n + 1, sizeof(File *));
      for (int i = 0; i < n; i++) {
        i32 fd;
        get(p, ctl + off + 16 + 4 * (u64)i, &fd, 4);
        File *x = fd_get(p, fd);
        if (!x) { rights_free(rights); return E(EBADF); }
        file_ref(x);
        rights->f[rights->n++] = x;
      }
    } else if (lv[0] == 1 && lv[1] == 2) { // SCM_CREDENTIALS: accepted; the receiver gets the real ones with SO_PASSCRED
    } else { rights_free(rights); return E(EINVAL); }
    off += (cl + 7) & ~7ull;
  }
  i64 err;
  Sock *s = sock_of(p, fd, &err);
  if (!s) { rights_free(rights); return err; }
  if (rights && s->domain != AF_UNIX_) { rights_free(rights); return E(EINVAL); }
  u8 *b;
  u64 n;
  i64 r = collect_iov(p, iov, iovlen, &b, &n);
  if (r) { rights_free(rights); return r; }
  int taken = 0;
  r = send_common(p, fd, b, n, flags, uname, namelen, rights, &taken);
  if (!taken) rights_free(rights);
  free(b);
  return r;
}

static i64 do_recvmsg(Proc *p, i64 fd, u64 umsg, int flags) {
  u64 h[7];
  if (get(p, umsg, h, 56)) return E(EFAULT);
  i64 err;
  File *f = fd_get(p, (i32)fd);
  if (!sock_of(p, fd, &err)) return err;
  u64 uname = h[0], iov = h[2], iovlen = h[3], ctl = h[4], ctllen = h[5];
  u32 namecap = (u32)h[1];
  u64 n = iov_len(p, iov, iovlen);
  u8 *b = malloc(n ? n : 1);
  u8 from[128];
  u32 fl = 0;
  Rights *r;
  int trunc;
  i64 k = sock_recv(p, f, b, n, flags, from, &fl, &r, &trunc);
  if (k < 0 || k == SYS_BLOCK) { free(b); return k; }
  i64 e = scatter_iov(p, iov, iovlen, b, (u64)k < n ? (u64)k : n);
  free(b);
  if (e) { rights_free(r); return e; }
  u32 oflags = trunc ? MSG_TRUNC_ : 0;
  u64 used = 0;
  if (r) {
    u64 need = 16 + 4 * (u64)r->n, fit = ctllen >= 16 ? (ctllen - 16) / 4 : 0;
    int give = (u64)r->n < fit ? r->n : (int)fit;
    if ((u64)give < (u64)r->n) oflags |= MSG_CTRUNC_;
    if (give > 0) {
      u64 cl = 16 + 4 * (u64)give;
      i32 lv[2] = {1, 1};
      put(p, ctl, &cl, 8);
      put(p, ctl + 8, lv, 8);
      for (int i = 0; i < give; i++) {
        file_ref(r->f[i]);
        i32 fd = fd_install(p, r->f[i], 0, (flags & MSG_CMSG_CLOEXEC_) != 0);
        put(p, ctl + 16 + 4 * (u64)i, &fd, 4);
      }
      used = (cl + 7) & ~7ull;
    }
    (void)need;
    rights_free(r);
  }
  u64 nl = 0;
  if (uname && fl) {
    put(p, uname, from, fl < namecap ? fl : namecap);
    nl = fl;
  }
  put(p, umsg + 8, &nl, 4);
  put(p, umsg + 40, &used, 8);
  put(p, umsg + 48, &oflags, 4);
  return k;
}

i64 sys_sendmsg(Proc *p) { return do_sendmsg(p, (i32)ARG0, ARG1, (int)ARG2); }
i64 sys_recvmsg(Proc *p) { return do_recvmsg(p, (i32)ARG0, ARG1, (int)ARG2); }

// sendmmsg/recvmmsg: one message after the other; a later one that would block
// ends the batch (glibc's resolver sends its A and AAAA queries this way).
static i64 do_mmsg(Proc *p, int send) {
  u64 vec = ARG1, n = (u32)ARG2 > 1024 ? 1024 : (u32)ARG2;
  i64 fd = (i32)ARG0;
  int flags = send ? (int)ARG3 : (int)ARG3 & ~0x10000; // MSG_WAITFORONE: only the first may wait
  u64 i = 0;
  for (; i < n; i++) {
    int f = i ? flags | MSG_DONTWAIT_ : flags;
    i64 r = send ? do_sendmsg(p, fd, vec + 64 * i, f) : do_recvmsg(p, fd, vec + 64 * i, f);
    if (r < 0 || r == SYS_BLOCK) {
      if (!i) return r;
      break;
    }
    u32 len = (u32)r; // struct mmsghdr's msg_len
    put(p, vec + 64 * i + 56, &len, 4);
  }
  return (i64)i;
}
i64 sys_sendmmsg(Proc *p) { return do_mmsg(p, 1); }
i64 sys_recvmmsg(Proc *p) { return do_mmsg(p, 0); }

// ---------- options ----------
#define SOL_SOCKET_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_IP_ 0
#define IPPROTO_IPV6_ 41

static int *int_opt(Sock *s, int level, int name) {
  if (level == SOL_SOCKET_) switch (name) {
    case 2: return &s->reuseaddr;
    case 6: return &s->broadcast;
    case 7: return &s->sndbuf;
    case 8: return &s->rcvbuf;
    case 9: return &s->keepalive;
    case 15: return &s->reuseport;
    case 16: return &s->passcred;
    }
  if (level == IPPROTO_TCP_ && s->domain != AF_UNIX_ && s->type == ST_STREAM) switch (name) {
    case 1: return &s->nodelay;
    case 3: return &s->cork;
    case 4: return &s->keepidle;
    case 5: return &s->keepintvl;
    case 6: return &s->keepcnt;
    }
  if (level == IPPROTO_IP_ && s->domain != AF_UNIX_) switch (name) {
    case 1: return &s->tos;
    case 2: return &s->ttl;
    }
  if (level == IPPROTO_IPV6_ && s->domain == AF_INET6_ && name == 26) return &s->v6only;
  return NULL;
}

i64 sys_setsockopt(Proc *p) {
  i64 err;
  Sock *s = sock_of(p, (i32)ARG0, &err);
  if (!s) return err;
  int level = (int)ARG1, name = (int)ARG2;
  u64 len = (u32)ARG4;
  if (level == SOL_SOCKET_ && (name == 20 || name == 21)) { // SO_RCVTIMEO / SO_SNDTIMEO: kept, reported back
    if (len < 16) return E(EINVAL);
    u64 tv[2];
    if (get(p, ARG3, tv, 16)) return E(EFAULT);
    memcpy(name == 20 ? s->rcvtimeo : s->sndtimeo, tv, 16);
    return 0;
  }
  if (level == SOL_SOCKET_ && name == 13) { // SO_LINGER
    if (len < 8) return E(EINVAL);
    i32 l[2];
    if (get(p, ARG3, l, 8)) return E(EFAULT);
    s->linger_on = l[0] != 0;
    s->linger_s = l[1];
    return 0;
  }
  int *o = int_opt(s, level, name);
  int quiet = (level == IPPROTO_TCP_ && s->domain != AF_UNIX_ && (name == 12 || name == 9 || name == 18 || name == 23 || name == 2)) || // QUICKACK DEFER_ACCEPT USER_TIMEOUT FASTOPEN MAXSEG
              (level == SOL_SOCKET_ && (name == 18 || name == 1 || name == 5)) || // RCVLOWAT DEBUG DONTROUTE
              (level == IPPROTO_IP_ && s->domain != AF_UNIX_ && (name == 8 || name == 10 || name == 11)) || // PKTINFO MTU_DISCOVER RECVERR
              (level == IPPROTO_IPV6_ && s->domain == AF_INET6_ && (name == 23 || name == 25 || name == 49)); // MTU_DISCOVER RECVERR RECVPKTINFO
  if (!o && !quiet) return E(ENOPROTOOPT);
  if (len < 4) return E(EINVAL);
  i32 v;
  if (get(p, ARG3, &v, 4)) return E(EFAULT);
  if (!o) return 0;
  if (level == IPPROTO_IPV6_ && s->in.port) return E(EINVAL); // v6only is fixed once bound
  if (level == SOL_SOCKET_ && (name == 7 || name == 8)) { // Linux doubles the size for its bookkeeping
    i64 d = (i64)v * 2;
    if (d < (name == 7 ? 4608 : 2304)) d = name == 7 ? 4608 : 2304;
    if (d > 425984) d = 425984;
    *o = (int)d;
    return 0;
  }
  if ((level == SOL_SOCKET_ && name != 7 && name != 8) || (level == IPPROTO_TCP_ && (name == 1 || name == 3)) || level == IPPROTO_IPV6_) v = v != 0;
  if (level == IPPROTO_TCP_ && (name >= 4 && name <= 6) && (v < 1 || v > 32767)) return E(EINVAL);
  *o = v;
  return 0;
}

i64 sys_getsockopt(Proc *p) {
  i64 err;
  Sock *s = sock_of(p, (i32)ARG0, &err);
  if (!s) return err;
  int level = (int)ARG1, name = (int)ARG2;
  i32 have;
  if (get(p, ARG4, &have, 4)) return E(EFAULT);
  if (have < 0) return E(EINVAL);
  u8 out[16] = {0};
  u32 n = 4;
  i32 v = 0;
  int *o = int_opt(s, level, name);
  if (o) v = *o;
  else if (level == SOL_SOCKET_) switch (name) {
    case 3: v = s->type; break;                           // SO_TYPE
    case 4: v = s->err; s->err = 0; break;                // SO_ERROR
    case 30: v = s->state == SS_LISTEN; break;             // SO_ACCEPTCONN
    case 38: v = s->proto; break;                          // SO_PROTOCOL
    case 39: v = s->domain; break;                         // SO_DOMAIN
    case 18: case 19: v = 1; break;                        // SO_RCVLOWAT / SO_SNDLOWAT
    case 17: {                                             // SO_PEERCRED
      if (s->domain != AF_UNIX_) return E(ENOPROTOOPT);
      i32 c[3] = {s->cred_pid, s->cred_uid, s->cred_gid};
      if (s->state != SS_CONNECTED && s->state != SS_LISTEN) { c[0] = 0; c[1] = c[2] = -1; }
      memcpy(out, c, 12);
      n = 12;
      break;
    }
    case 13: { i32 l[2] = {s->linger_on, s->linger_s}; memcpy(out, l, 8); n = 8; break; }
    case 20: case 21: memcpy(out, name == 20 ? s->rcvtimeo : s->sndtimeo, 16); n = 16; break;
    default: return E(ENOPROTOOPT);
    }
  else if (level == IPPROTO_TCP_ && s->domain != AF_UNIX_ && s->type == ST_STREAM) switch (name) {
    case 2: v = s->state == SS_CONNECTED ? 65483 : 536; break; // TCP_MAXSEG: loopback MTU 65536
    case 9: case 12: case 18: case 23: v = name == 12; break;
    default: return E(ENOPROTOOPT);
    }
  else return E(ENOPROTOOPT);
  if (n == 4) memcpy(out, &v, 4);
  u32 k = (u32)have < n ? (u32)have : n;
  if (put(p, ARG3, out, k) || put(p, ARG4, &k, 4)) return E(EFAULT);
  return 0;
}

// ---------- names ----------
char guest_hostname[65] = "trellis";

static void write_file(const char *path, const char *text) {
  VNode n;
  if (!vfs_lookup(path, &n)) return; // the image's own file wins
  OvNode *o = ov_create(path, S_IFREG_ | 0644);
  o->size = strlen(text);
  vfs_ensure_writable_data(o, o->size);
  memcpy(o->data, text, o->size);
}

// What a container runtime puts in /etc when the image lacks it.
void net_init_names(void) {
  VNode n;
  if (vfs_lookup("/etc", &n)) ov_create("/etc", S_IFDIR_ | 0755);
  char t[512];
  snprintf(t, sizeof t, "%s\n", guest_hostname);
  write_file("/etc/hostname", t);
  char hosts[2560];
  int hn = snprintf(hosts, sizeof hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.88.0.2\t%s\n10.88.0.1\thost.trellis.internal\n", guest_hostname);
#ifdef TRELLIS_REACTOR // the wasi:http component's wired peers
  if (hn > 0 && (size_t)hn < sizeof hosts) bridge_peer_hosts(hosts + hn, sizeof hosts - (size_t)hn);
#endif
  (void)hn;
  write_file("/etc/hosts", hosts);
  write_file("/etc/resolv.conf", "nameserver 127.0.0.11\noptions ndots:0\n");
}

// The core's DNS server: every UDP query to port 53 that no guest socket
// takes is answered here, at once: localhost, the guest's own name and (in
// the wasi:http component) its wired peers, else NXDOMAIN (never a timeout).
static void dns_answer(Sock *s, const Addr *server, const u8 *q, u64 n) {
  if (n < 17 || n > 512 || (q[2] & 0x80)) return; // not a query
  u16 qd = (u16)(q[4] << 8 | q[5]);
  if (qd != 1) return;
  char name[256];
  u64 at = 12, nl = 0;
  while (at < n && q[at]) {
    u64 l = q[at++];
    if (l > 63 || at + l > n || nl + l + 2 > sizeof name) return;
    if (nl) name[nl++] = '.';
    for (u64 i = 0; i < l; i++) {
      char c = (char)q[at + i];
      name[nl++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    at += l;
  }
  name[nl] = 0;
  if (at + 5 > n) return;
  u64 qend = at + 5; // zero label, qtype, qclass
  u16 qtype = (u16)(q[at + 1] << 8 | q[at + 2]);
  u8 addr[16];
  int alen = 0, known = 0;
  char host[80];
  snprintf(host, sizeof host, "%s", guest_hostname);
  for (char *c = host; *c; c++) if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
  if (!strcmp(name, "localhost") || !strcmp(name, "ip6-localhost") || !strcmp(name, "ip6-loopback")) {
    known = 1;
    if (qtype == 1) { u8 a[4] = {127, 0, 0, 1}; memcpy(addr, a, 4); alen = 4; }
    if (qtype == 28) { memset(addr, 0, 16); addr[15] = 1; alen = 16; }
  } else if (!strcmp(name, "host.trellis.internal")) { // the host, reached through --allow
    known = 1;
    if (qtype == 1) { u8 a[4] = {10, 88, 0, 1}; memcpy(addr, a, 4); alen = 4; }
  } else if (!strcmp(name, host)) {
    known = 1;
    if (qtype == 1) { u8 a[4] = {10, 88, 0, 2}; memcpy(addr, a, 4); alen = 4; }
  }
#ifdef TRELLIS_REACTOR
  else if (bridge_peer_addr(name, addr)) { // a peer wired to the component: reached through its outgoing import
    known = 1;
    alen = qtype == 1 ? 4 : 0;
  }
#endif
  u8 r[600];
  memcpy(r, q, qend);
  r[2] = 0x80 | (q[2] & 0x01); // QR, RD copied
  r[3] = 0x80 | (known ? 0 : 3); // RA, NOERROR or NXDOMAIN
  r[6] = 0;
  r[7] = alen ? 1 : 0;
  memset(r + 8, 0, 4);
  u64 m = qend;
  if (alen) {
    u8 rr[12] = {0xc0, 0x0c, 0, (u8)qtype, 0, 1, 0, 0, 0, 60, 0, (u8)alen};
    memcpy(r + m, rr, 12);
    memcpy(r + m + 12, addr, (size_t)alen);
    m += 12 + (u64)alen;
  }
  if (s->dq_bytes + m > SOCK_BUF) return;
  Dgram *g = calloc(1, sizeof *g);
  g->data = malloc(m);
  memcpy(g->data, r, m);
  g->len = (u32)m;
  g->fromlen = put_inaddr(s, server, g->from);
  if (s->dq_tail) s->dq_tail->next = g;
  else s->dq = g;
  s->dq_tail = g;
  s->dq_bytes += (u32)m;
  total_buffered += m;
  s->gen_in++;
  if (trace_on) fprintf(stderr, "trellis-x86: dns %s type %u -> %s\n", name, qtype, known ? (alen ? "answer" : "no record") : "NXDOMAIN");
}

// ---------- the host side ----------
// Moves what the host has for the guest into the sockets: new connections on
// published ports into their listeners' backlogs, bytes and EOFs into the
// receive buffers. Returns how many things happened (the scheduler's progress).
int net_pump(void) {
  if (!hostnet_on) return 0;
  int events = 0;
  static u8 chunk[65536];
  for (Sock *s = socks; s; s = s->link) {
    if (s->host_listen >= 0 && s->state == SS_LISTEN) {
      while (s->nbacklog < s->backlog_max && nsocks < MAX_SOCKS) {
        u8 pa[6];
        u32 ol = 0;
        i32 h = hostnet_call(HN_ACCEPT, s->host_listen, 0, pa, sizeof pa, &ol);
        if (h < 0) break;
        Sock *c = sock_new(s->domain, s->type, s->proto);
        c->state = SS_CONNECTED;
        c->host = h;
        c->listen_pid = -1;
        c->in = s->in;
        if (addr_any(&c->in)) { memset(c->in.a, 0, 16); c->in.a[10] = c->in.a[11] = 0xff; c->in.a[12] = 10; c->in.a[13] = 88; c->in.a[15] = 2; }
        memset(&c->hpeer, 0, sizeof c->hpeer);
        c->hpeer.a[10] = c->hpeer.a[11] = 0xff;
        if (ol >= 6) { memcpy(c->hpeer.a + 12, pa, 4); c->hpeer.port = (u16)(pa[4] << 8 | pa[5]); }
        if (!s->backlog || s->nbacklog % 16 == 0) s->backlog = realloc(s->backlog, sizeof *s->backlog * (size_t)(s->nbacklog + 16));
        s->backlog[s->nbacklog++] = c;
        s->gen_in++;
        events++;
      }
    }
    if (s->host >= 0 && s->host_full) { // a full host buffer may have drained: a new edge for EPOLLET writers (nginx)
      s->host_full = 0;
      s->gen_out++;
      events++;
    }
    if (s->host >= 0 && !s->eof && !s->reset) {
      for (;;) {
        u32 room = buf_room(s);
        if (room < 1024) break;
        u32 ol = 0;
        i32 r = hostnet_call(HN_RECV, s->host, 0, chunk, room < sizeof chunk ? room : (u32)sizeof chunk, &ol);
        if (r == -EAGAIN) break;
        events++;
        if (r <= 0) {
          if (r < 0) s->reset = 1;
          s->eof = 1;
          s->gen_in++;
          break;
        }
        buf_put(s, chunk, (u32)r);
      }
    }
  }
  return events;
}

// Whether the host may still bring something (so all guests waiting is no deadlock).
int net_host_active(void) {
  if (!hostnet_on) return 0;
  for (Sock *s = socks; s; s = s->link)
    if (s->host_listen >= 0 || (s->host >= 0 && !s->eof)) return 1;
  return 0;
}
