// The in-core peer of the guest's HTTP port (bridge.h). It answers the host
// network interface (hostnet.h) inside the core: HN_LISTEN for the HTTP port
// gives the listener, HN_ACCEPT hands out the connections the bridge opened,
// HN_RECV delivers the request and, once the answer is complete, EOF; HN_SEND
// collects the answer. HN_CONNECT reaches only the design's wired peers
// (TRELLIS_HTTP_PEERS, each at 10.88.1.N): the guest's HTTP/1.1 requests on
// such a connection go out through wasi:http/outgoing-handler (outgoing.c)
// and their responses come back on it. Any other connect is refused, which
// the core reports to the guest as ENETUNREACH.
#include "bridge.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../hostnet.h"
#include "../syscall.h"
#include "outgoing.h"

int core_boot(int argc, char **argv);
i64 sched_pass(void);
u64 sched_next_wake(void);
extern int init_done, init_exit_code;
extern u16 http_bridge_port;

#define MAX_CONN 64
#define LISTENER 1        // the one listener handle; connections are 2 + slot
#define MAX_ANSWER (64u << 20) // TRELLIS_HTTP_MAX_ANSWER may lower it

typedef struct Conn {
  int used, accepted;
  int guest_closed, guest_shut; // HN_CLOSE / HN_SHUT from the core
  int done;                     // the bridge is finished with it: reads see EOF, writes EPIPE
  u8 *req;
  u32 req_len, req_pos;
  u8 *ans;
  u32 ans_len, ans_cap;
  int overflow;
  u32 hold; // with a sink: the most answer bytes held at once; the guest's writes wait (EAGAIN) past it
} Conn;

static Conn conns[MAX_CONN];
static u32 max_answer(void);

// ---------- wired peers: names the guest resolves, reached through the import ----------
#define MAX_PEERS 32
#define PEER_NET 0x0a580100u // 10.88.1.0/24: peer i is 10.88.1.(i+1)
#define MAX_OUT 32
#define OUT_BASE (2 + MAX_CONN) // handles of outgoing connections: OUT_BASE + slot
#define MAX_REQUEST (64u << 20)

typedef struct Peer {
  char name[64];       // as the guest writes it (lower case)
  char authority[192]; // what the outgoing request names: the name unless `name=authority` says otherwise
  int explicit_authority;
} Peer;

static Peer peers[MAX_PEERS];
static int npeers, peers_read;

// TRELLIS_HTTP_PEERS=name[=authority][,name[=authority]...]: set by whoever
// wires the component (the run engine, an exporter's environment).
static void read_peers(void) {
  if (peers_read) return;
  peers_read = 1;
  const char *v = getenv("TRELLIS_HTTP_PEERS");
  while (v && *v && npeers < MAX_PEERS) {
    const char *end = strchr(v, ',');
    size_t n = end ? (size_t)(end - v) : strlen(v);
    const char *eq = memchr(v, '=', n);
    size_t nl = eq ? (size_t)(eq - v) : n;
    Peer *p = &peers[npeers];
    if (nl && nl < sizeof p->name) {
      for (size_t i = 0; i < nl; i++) p->name[i] = v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] + 32) : v[i];
      p->name[nl] = 0;
      size_t al = eq ? n - nl - 1 : nl;
      if (al && al < sizeof p->authority) {
        memcpy(p->authority, eq ? eq + 1 : v, al);
        p->authority[al] = 0;
        p->explicit_authority = eq != NULL;
        npeers++;
      }
    }
    v = end ? end + 1 : NULL;
  }
}

int bridge_peer_addr(const char *name, u8 out[4]) {
  read_peers();
  for (int i = 0; i < npeers; i++)
    if (!strcmp(peers[i].name, name)) {
      u32 a = PEER_NET + (u32)i + 1;
      out[0] = (u8)(a >> 24), out[1] = (u8)(a >> 16), out[2] = (u8)(a >> 8), out[3] = (u8)a;
      return 1;
    }
  return 0;
}

int bridge_peer_hosts(char *buf, size_t n) {
  read_peers();
  size_t at = 0;
  for (int i = 0; i < npeers && at < n; i++) {
    int w = snprintf(buf + at, n - at, "10.88.1.%d\t%s\n", i + 1, peers[i].name);
    if (w < 0 || (size_t)w >= n - at) break;
    at += (size_t)w;
  }
  if (at < n) buf[at] = 0;
  return (int)at;
}

typedef struct OutConn {
  int used, peer;
  u16 port;
  u8 *in;       // what the guest wrote that is not answered yet
  u32 in_len, in_cap;
  u8 *out;      // answers for the guest to read
  u32 out_len, out_pos;
  int last;     // the last answer is queued: after it the guest reads EOF
  int guest_shut;
} OutConn;

static OutConn outs[MAX_OUT];

static OutConn *out_of(i32 h) {
  if (h < OUT_BASE || h >= OUT_BASE + MAX_OUT || !outs[h - OUT_BASE].used) return NULL;
  return &outs[h - OUT_BASE];
}

// Appends to a buffer that grows by doubling (from 16 KiB): what the guest
// sends on a bridge connection, in either direction.
static void bytes_append(u8 **b, u32 *len, u32 *cap, const void *d, u32 n) {
  if (*len + n > *cap) {
    u32 c = *cap ? *cap : 16384;
    while (c < *len + n) c *= 2;
    *b = realloc(*b, c);
    *cap = c;
  }
  memcpy(*b + *len, d, n);
  *len += n;
}

static void out_append(OutConn *c, const void *d, u32 n) {
  u8 *b = realloc(c->out, c->out_len - c->out_pos + n + 1);
  if (c->out_pos) memmove(b, b + c->out_pos, c->out_len - c->out_pos);
  c->out_len -= c->out_pos;
  c->out_pos = 0;
  memcpy(b + c->out_len, d, n);
  c->out_len += n;
  c->out = b;
}

static void out_str(OutConn *c, const char *s) { out_append(c, s, (u32)strlen(s)); }

static const char *reason(int status) {
  switch (status) {
  case 200: return "OK";
  case 201: return "Created";
  case 204: return "No Content";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 304: return "Not Modified";
  case 400: return "Bad Request";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 500: return "Internal Server Error";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  }
  return "Status";
}

// An answer the bridge makes itself: a request it cannot send, or the import's error-code.
static void out_problem(OutConn *c, int status, const char *text) {
  char head[256];
  snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %u\r\nConnection: close\r\n\r\n", status, reason(status), (unsigned)strlen(text) + 1);
  out_str(c, head);
  out_str(c, text);
  out_str(c, "\n");
  c->last = 1;
}

static int hop_field(const u8 *b, const Http1Field *f) {
  static const char *names[] = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host", "content-length"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (http1_name_is(b, f, names[i])) return 1;
  return 0;
}

// Sends one complete request (head h over c->in[0..head+body)) through the import, queues its answer.
static void out_exchange(OutConn *c, const Http1Head *h, const u8 *body, u32 body_len, int keep) {
  const Peer *p = &peers[c->peer];
  char authority[208];
  if (p->explicit_authority || c->port == 80) snprintf(authority, sizeof authority, "%s", p->authority);
  else snprintf(authority, sizeof authority, "%s:%u", p->authority, c->port);
  OutField fields[HTTP1_MAX_FIELDS];
  int nf = 0;
  for (int i = 0; i < h->nfields; i++)
    if (!hop_field(c->in, &h->f[i])) fields[nf++] = (OutField){c->in + h->f[i].name, c->in + h->f[i].value, h->f[i].name_len, h->f[i].value_len};
  const u8 *path = c->in + h->target;
  u32 path_len = h->target_len;
  if (path_len > 7 && !memcmp(path, "http://", 7)) { // absolute form: the path is what follows the authority
    const u8 *slash = memchr(path + 7, '/', path_len - 7);
    path_len = slash ? (u32)(path + path_len - slash) : 1;
    path = slash ? slash : (const u8 *)"/";
  }
  OutRequest req = {c->in + h->method, path, (const u8 *)authority, h->method_len, path_len, (u32)strlen(authority), fields, nf, body, body_len};
  OutResponse res;
  const char *why = NULL;
  int code = outgoing_send(&req, &res, max_answer(), &why);
  if (trace_on) fprintf(stderr, "trellis-x86: http %.*s http://%s%.*s through wasi:http/outgoing-handler -> %s%d\n", (int)h->method_len, c->in + h->method, authority, (int)path_len, path, code ? why : "", code ? 0 : res.status);
  if (code) {
    char text[256];
    snprintf(text, sizeof text, "trellis: the request to %s failed: wasi:http error-code %s", authority, why);
    out_problem(c, 502, text);
    return;
  }
  int head_req = h->method_len == 4 && !memcmp(c->in + h->method, "HEAD", 4);
  char line[64];
  snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\n", res.status, reason(res.status));
  out_str(c, line);
  int have_length = 0;
  for (int i = 0; i < res.nfields; i++) {
    const OutField *f = &res.fields[i];
    Http1Field pf = {0, f->name_len, 0, 0};
    if (http1_name_is(f->name, &pf, "content-length")) { // kept only for HEAD: a GET's length is the body's
      if (!head_req) continue;
      have_length = 1;
    } else if (hop_field(f->name, &pf)) continue;
    out_append(c, f->name, f->name_len);
    out_str(c, ": ");
    out_append(c, f->value, f->value_len);
    out_str(c, "\r\n");
  }
  int no_body = head_req || (res.status >= 100 && res.status < 200) || res.status == 204 || res.status == 304;
  if (!no_body || (head_req && !have_length)) {
    snprintf(line, sizeof line, "Content-Length: %u\r\n", head_req ? 0u : res.body_len);
    if (!head_req || !have_length) out_str(c, line);
  }
  if (!keep) out_str(c, "Connection: close\r\n");
  out_str(c, "\r\n");
  if (!no_body && res.body_len) out_append(c, res.body, res.body_len);
  if (!keep) c->last = 1;
  outgoing_response_free(&res);
}

// Answers every complete request in c->in, in order (pipelined ones too).
static void out_pump(OutConn *c) {
  while (!c->last && c->in_len) {
    Http1Head h;
    const char *bad = NULL;
    int r = http1_parse_request(c->in, c->in_len, &h, &bad);
    if (r == 0) return;
    if (r < 0) {
      char text[200];
      snprintf(text, sizeof text, "trellis: not an HTTP/1.1 request: %s", bad);
      out_problem(c, 400, text);
      return;
    }
    u8 *body = NULL;
    u32 body_len = 0;
    r = http1_body(c->in, c->in_len, &h, 0, 0, &body, &body_len, &bad);
    if (r == 0) return;
    if (r < 0) {
      char text[200];
      snprintf(text, sizeof text, "trellis: bad request body: %s", bad);
      out_problem(c, 400, text);
      return;
    }
    u32 used = http1_framed_len(c->in, c->in_len, &h);
    int keep = !h.conn_close && h.minor == 1;
    out_exchange(c, &h, body, body_len, keep);
    free(body);
    memmove(c->in, c->in + used, c->in_len - used);
    c->in_len -= used;
  }
}

static i32 out_connect(u32 addr, u16 port) {
  read_peers();
  u32 i = addr - PEER_NET - 1;
  if ((addr & 0xffffff00u) != PEER_NET || i >= (u32)npeers) {
    if (trace_on) fprintf(stderr, "trellis-x86: connection to %u.%u.%u.%u port %u refused: not a wired peer of this component -> ENETUNREACH\n", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255, addr & 255, port);
    return -EACCES;
  }
  for (int k = 0; k < MAX_OUT; k++) {
    OutConn *c = &outs[k];
    if (c->used) continue;
    memset(c, 0, sizeof *c);
    c->used = 1;
    c->peer = (int)i;
    c->port = port;
    return OUT_BASE + k;
  }
  return -EAGAIN;
}

static i32 out_call(int op, OutConn *c, void *buf, u32 len, u32 *outlen) {
  switch (op) {
  case HN_SEND:
    if (c->last || c->guest_shut) return -EPIPE;
    if ((u64)c->in_len + len > MAX_REQUEST) {
      out_problem(c, 400, "trellis: the request is larger than 64 MiB");
      return (i32)len;
    }
    bytes_append(&c->in, &c->in_len, &c->in_cap, buf, len);
    out_pump(c);
    return (i32)len;
  case HN_RECV: {
    u32 n = c->out_len - c->out_pos;
    if (!n) return c->last || c->guest_shut ? 0 : -EAGAIN;
    if (n > len) n = len;
    memcpy(buf, c->out + c->out_pos, n);
    c->out_pos += n;
    if (outlen) *outlen = n;
    return (i32)n;
  }
  case HN_SHUT:
    c->guest_shut = 1; // what was sent is answered already; nothing more comes
    return 0;
  case HN_CLOSE:
    free(c->in);
    free(c->out);
    memset(c, 0, sizeof *c);
    return 0;
  }
  return -ENOSYS;
}
static int listening, started, ready;
static u16 client_port = 50000;

u16 bridge_port(void) {
  const char *v = getenv("TRELLIS_HTTP_PORT"); // the run may name another port than the compile did
  if (v && *v) return (u16)strtoul(v, NULL, 10);
  return http_bridge_port ? http_bridge_port : 80;
}

static u64 env_u64(const char *name, u64 dflt) {
  const char *v = getenv(name);
  return v && *v ? strtoull(v, NULL, 10) : dflt;
}

static u32 stream_after(void) {
  u64 v = env_u64("TRELLIS_HTTP_STREAM_AFTER", 256u << 10);
  u32 m = max_answer();
  return v && v < m ? (u32)v : m / 2;
}

static u32 max_answer(void) {
  u64 v = env_u64("TRELLIS_HTTP_MAX_ANSWER", MAX_ANSWER);
  return v && v < MAX_ANSWER ? (u32)v : MAX_ANSWER;
}

static void conn_free(Conn *c) {
  free(c->req);
  free(c->ans);
  memset(c, 0, sizeof *c);
}

static Conn *conn_of(i32 h) {
  if (h < 2 || h >= 2 + MAX_CONN || !conns[h - 2].used) return NULL;
  return &conns[h - 2];
}

i32 bridge_host_call(int op, i32 a0, i32 a1, void *buf, u32 len, u32 *outlen) {
  if (outlen) *outlen = 0;
  if (op != HN_CONNECT && op != HN_LISTEN && out_of(a0)) return out_call(op, out_of(a0), buf, len, outlen);
  switch (op) {
  case HN_HELLO: return 1;
  case HN_LISTEN:
    if (a0 != bridge_port()) return -ENOENT; // not the HTTP port: an in-guest port only
    listening = 1;
    return LISTENER;
  case HN_ACCEPT:
    for (int i = 0; i < MAX_CONN; i++) {
      Conn *c = &conns[i];
      if (!c->used || c->accepted) continue;
      c->accepted = 1;
      if (buf && len >= 6) { // the peer: the host side of the container network, 10.88.0.1
        u8 *p = buf;
        p[0] = 10, p[1] = 88, p[2] = 0, p[3] = 1;
        p[4] = (u8)(client_port >> 8), p[5] = (u8)client_port;
        if (outlen) *outlen = 6;
      }
      client_port = client_port == 60999 ? 50000 : client_port + 1;
      return 2 + i;
    }
    return -EAGAIN;
  case HN_RECV: {
    Conn *c = conn_of(a0);
    if (!c) return -ECONNRESET;
    if (c->done) return 0;
    if (c->req_pos == c->req_len) return -EAGAIN; // the request is all there; the bridge does not half-close
    u32 n = c->req_len - c->req_pos;
    if (n > len) n = len;
    memcpy(buf, c->req + c->req_pos, n);
    c->req_pos += n;
    if (outlen) *outlen = n;
    return (i32)n;
  }
  case HN_SEND: {
    Conn *c = conn_of(a0);
    if (!c) return -EPIPE;
    if (c->done) return (i32)len; // past the answer (the bridge stopped reading): dropped, as a closing client would
    if (c->hold) { // a streamed answer's writer waits for the client, as on a real socket
      if (c->ans_len >= c->hold) return -EAGAIN;
      if (len > c->hold - c->ans_len) len = c->hold - c->ans_len;
    }
    if ((u64)c->ans_len + len > max_answer()) {
      c->overflow = 1;
      return -EPIPE;
    }
    bytes_append(&c->ans, &c->ans_len, &c->ans_cap, buf, len);
    return (i32)len;
  }
  case HN_SHUT: {
    Conn *c = conn_of(a0);
    if (c) c->guest_shut = 1;
    return 0;
  }
  case HN_CLOSE: {
    if (a0 == LISTENER) {
      listening = 0;
      return 0;
    }
    Conn *c = conn_of(a0);
    if (!c) return 0;
    c->guest_closed = 1;
    if (c->done) conn_free(c);
    return 0;
  }
  case HN_CONNECT: return out_connect((u32)a0, (u16)a1);
  case HN_WAIT: return 0;
  }
  return -ENOSYS;
}

// Sleeps until the earliest guest deadline (a waiting guest's sleep or timer).
static void sleep_until(u64 wake) {
  u64 now = mono_ns();
  if (wake <= now) return;
  u64 d = wake - now;
  struct timespec ts = {(time_t)(d / 1000000000ull), (long)(d % 1000000000ull)};
  nanosleep(&ts, NULL);
}

__attribute__((format(printf, 3, 4)))
static void say(char *why, u32 n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, n, fmt, ap);
  va_end(ap);
}

BridgeStatus bridge_start(char *why, u32 why_len) {
  if (!started) {
    started = 1;
    int rc = core_boot(0, NULL);
    if (rc >= 0) {
      init_done = 1;
      init_exit_code = rc;
    }
  }
  if (ready) { // started before: the guest runs on only while a request waits for it
    if (init_done) return say(why, why_len, "the guest exited with status %d", init_exit_code), BR_EXITED;
    if (!listening) return say(why, why_len, "the guest closed its listener on port %u", bridge_port()), BR_NOT_LISTENING;
    return BR_OK;
  }
  u64 deadline = mono_ns() + env_u64("TRELLIS_HTTP_TIMEOUT_MS", 30000) * 1000000ull;
  u64 step_limit = env_u64("TRELLIS_HTTP_STEP_LIMIT", 50000000000ull), steps = 0;
  for (;;) {
    if (init_done) return say(why, why_len, "the guest exited with status %d before listening on port %u", init_exit_code, bridge_port()), BR_EXITED;
    i64 progress = sched_pass();
    if (init_done || progress < 0) continue;
    steps += (u64)progress;
    if (listening && steps > step_limit) break; // listening, but still busy: serve anyway
    if (progress) {
      if (steps > step_limit) return say(why, why_len, "the guest did not listen on port %u within %llu guest instructions (TRELLIS_HTTP_STEP_LIMIT)", bridge_port(), (unsigned long long)step_limit), BR_STEP_LIMIT;
      if (mono_ns() > deadline) break;
      continue;
    }
    if (listening) break; // started: every process waits, and the port is there
    u64 wake = sched_next_wake();
    if (!wake) return say(why, why_len, "every guest process waits and none listens on port %u", bridge_port()), BR_NOT_LISTENING;
    if (wake > deadline) break;
    sleep_until(wake);
  }
  if (listening) return ready = 1, BR_OK;
  return say(why, why_len, "the guest did not listen on port %u within %llu ms", bridge_port(), (unsigned long long)env_u64("TRELLIS_HTTP_TIMEOUT_MS", 30000)), BR_TIME_LIMIT;
}

// Gives the sink what the reader takes of the held answer, and keeps only the
// rest. 1 the body ended, 0 more to come, -1/-2 as http1_reader_step, -3 the
// client stopped taking it.
static int pump(Conn *c, Http1BodyReader *rd, int closed, const BridgeSink *sink, BridgeResponse *out, const char **bad) {
  u32 pos = 0;
  for (;;) {
    const u8 *d;
    u32 dl;
    i64 took = http1_reader_step(rd, c->ans + pos, c->ans_len - pos, closed, &d, &dl, bad);
    if (took < 0) return (int)took;
    if (dl) {
      if (!sink->body(sink->ctx, d, dl)) return *bad = "the client stopped taking the response body", -3;
      out->streamed_bytes += dl;
    }
    pos += (u32)took;
    if (rd->done || !took) break;
  }
  memmove(c->ans, c->ans + pos, c->ans_len - pos);
  c->ans_len -= pos;
  return rd->done;
}

BridgeStatus bridge_exchange(const u8 *req, u32 len, int head_request, const BridgeSink *sink, BridgeResponse *out) {
  memset(out, 0, sizeof *out);
  BridgeStatus st = bridge_start(out->why, sizeof out->why);
  if (st != BR_OK) return st;
  Conn *c = NULL;
  for (int i = 0; i < MAX_CONN && !c; i++)
    if (!conns[i].used) c = &conns[i];
  if (!c) return say(out->why, sizeof out->why, "the guest holds %d bridge connections open", MAX_CONN), BR_NO_ANSWER;
  c->used = 1;
  c->req = malloc(len ? len : 1);
  memcpy(c->req, req, len);
  c->req_len = len;
  c->hold = sink ? stream_after() : 0;
  u64 timeout_ms = env_u64("TRELLIS_HTTP_TIMEOUT_MS", 30000);
  u64 deadline = mono_ns() + timeout_ms * 1000000ull;
  u64 step_limit = env_u64("TRELLIS_HTTP_STEP_LIMIT", 50000000000ull), steps = 0;
  const char *bad = NULL;
  u32 window = stream_after();
  Http1BodyReader reader;
  for (;;) {
    int closed = c->guest_closed || c->guest_shut;
    if (c->overflow) { st = BR_TOO_LARGE; say(out->why, sizeof out->why, "the answer is larger than %u bytes (TRELLIS_HTTP_MAX_ANSWER)", max_answer()); break; }
    if (out->streamed) {
      int r = pump(c, &reader, closed, sink, out, &bad);
      if (r > 0) { st = BR_OK; break; }
      if (r < 0) { st = r == -3 ? BR_CLIENT_GONE : r == -2 ? BR_CLOSED_EARLY : BR_MALFORMED; say(out->why, sizeof out->why, "%s", bad); break; }
    } else if (c->ans_len || closed) {
      int r = http1_parse_head(c->ans, c->ans_len, &out->head, &bad);
      int head_done = r > 0;
      if (r > 0) r = http1_body(c->ans, c->ans_len, &out->head, head_request, closed, &out->body, &out->body_len, &bad);
      if (r > 0) { st = BR_OK; break; }
      if (r < 0) { st = r == -2 ? BR_CLOSED_EARLY : BR_MALFORMED; say(out->why, sizeof out->why, "%s", bad); break; }
      if (closed) { st = BR_CLOSED_EARLY; say(out->why, sizeof out->why, c->ans_len ? "the guest closed the connection inside the response head (%u bytes)" : "the guest closed the connection without answering", c->ans_len); break; }
      if (!head_done && sink && c->ans_len >= window) { st = BR_TOO_LARGE; say(out->why, sizeof out->why, "the response head is larger than the %u bytes the bridge holds (TRELLIS_HTTP_MAX_ANSWER)", window); break; }
      if (head_done && sink && c->ans_len >= window) { // still coming and large: the head goes now, the body as it comes
        out->raw = c->ans;
        out->raw_len = c->ans_len;
        sink->start(sink->ctx, out);
        out->raw = NULL;
        out->raw_len = 0;
        out->streamed = 1;
        http1_reader_init(&reader, &out->head, head_request);
        u32 hl = out->head.head_len;
        memmove(c->ans, c->ans + hl, c->ans_len - hl);
        c->ans_len -= hl;
        continue;
      }
    }
    if (init_done) { st = BR_EXITED; say(out->why, sizeof out->why, "the guest exited with status %d while answering", init_exit_code); break; }
    i64 progress = sched_pass();
    if (progress < 0) continue; // no process left: init_done says the rest
    steps += (u64)progress;
    if (steps > step_limit) { st = BR_STEP_LIMIT; say(out->why, sizeof out->why, "no complete answer after %llu guest instructions (TRELLIS_HTTP_STEP_LIMIT)", (unsigned long long)step_limit); break; }
    if (mono_ns() > deadline) { st = BR_TIME_LIMIT; say(out->why, sizeof out->why, "no complete answer within %llu ms (TRELLIS_HTTP_TIMEOUT_MS)", (unsigned long long)timeout_ms); break; }
    if (progress) continue;
    u64 wake = sched_next_wake();
    if (!wake) {
      st = BR_NO_ANSWER;
      say(out->why, sizeof out->why, "every guest process waits, none for a deadline, and the answer is incomplete (%u bytes): the guest will not answer", c->ans_len);
      break;
    }
    if (wake > deadline) { st = BR_TIME_LIMIT; say(out->why, sizeof out->why, "no complete answer within %llu ms (TRELLIS_HTTP_TIMEOUT_MS)", (unsigned long long)timeout_ms); break; }
    sleep_until(wake);
  }
  // the answer moves to the caller; the guest sees EOF on its next read and closes
  out->raw = c->ans;
  out->raw_len = c->ans_len;
  c->ans = NULL;
  c->ans_len = c->ans_cap = 0;
  c->done = 1;
  if (c->guest_closed) conn_free(c);
  if (st != BR_OK) {
    free(out->body);
    out->body = NULL;
    out->body_len = 0;
  }
  return st;
}

void bridge_response_free(BridgeResponse *r) {
  free(r->raw);
  free(r->body);
  memset(r, 0, sizeof *r);
}
