// The in-core peer of the guest's HTTP port (bridge.h). It answers the host
// network interface (hostnet.h) inside the core: HN_LISTEN for the HTTP port
// gives the listener, HN_ACCEPT hands out the connections the bridge opened,
// HN_RECV delivers the request and, once the answer is complete, EOF; HN_SEND
// collects the answer. HN_CONNECT is refused (a component has no ad-hoc
// network), which the core reports to the guest as ENETUNREACH.
#include "bridge.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../hostnet.h"
#include "../syscall.h"

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
} Conn;

static Conn conns[MAX_CONN];
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
    if ((u64)c->ans_len + len > max_answer()) {
      c->overflow = 1;
      return -EPIPE;
    }
    if (c->ans_len + len > c->ans_cap) {
      u32 cap = c->ans_cap ? c->ans_cap : 16384;
      while (cap < c->ans_len + len) cap *= 2;
      c->ans = realloc(c->ans, cap);
      c->ans_cap = cap;
    }
    memcpy(c->ans + c->ans_len, buf, len);
    c->ans_len += len;
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
  case HN_CONNECT:
    if (trace_on) fprintf(stderr, "trellis-x86: the wasi:http component has no outbound network -> ENETUNREACH\n");
    return -EACCES;
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

BridgeStatus bridge_exchange(const u8 *req, u32 len, int head_request, BridgeResponse *out) {
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
  u64 timeout_ms = env_u64("TRELLIS_HTTP_TIMEOUT_MS", 30000);
  u64 deadline = mono_ns() + timeout_ms * 1000000ull;
  u64 step_limit = env_u64("TRELLIS_HTTP_STEP_LIMIT", 50000000000ull), steps = 0;
  const char *bad = NULL;
  for (;;) {
    int closed = c->guest_closed || c->guest_shut;
    if (c->overflow) { st = BR_TOO_LARGE; say(out->why, sizeof out->why, "the answer is larger than %u bytes (TRELLIS_HTTP_MAX_ANSWER)", max_answer()); break; }
    if (c->ans_len || closed) {
      int r = http1_parse_head(c->ans, c->ans_len, &out->head, &bad);
      if (r > 0) r = http1_body(c->ans, c->ans_len, &out->head, head_request, closed, &out->body, &out->body_len, &bad);
      if (r > 0) { st = BR_OK; break; }
      if (r < 0) { st = r == -2 ? BR_CLOSED_EARLY : BR_MALFORMED; say(out->why, sizeof out->why, "%s", bad); break; }
      if (closed) { st = BR_CLOSED_EARLY; say(out->why, sizeof out->why, c->ans_len ? "the guest closed the connection inside the response head (%u bytes)" : "the guest closed the connection without answering", c->ans_len); break; }
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
