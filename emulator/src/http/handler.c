// The component's export, wasi:http/incoming-handler@0.2.0, in C with the
// canonical-ABI glue of lib/builtins (common/cabi.h). Each request becomes one
// HTTP/1.1 message (Connection: close) on a new connection to the guest's
// HTTP port (bridge.c); the guest's answer goes back as an outgoing-response,
// or as a wasi:http error-code saying why there is none (the reason in words
// on stderr, prefixed `trellis-http:`).
#include "../../../lib/builtins/common/wasi-http.h"
#include <stdio.h>
#include "bridge.h"

#define MAX_REQUEST_BODY (64u << 20)

// error-code cases (wasi:http/types@0.2.0)
enum {
  EC_DESTINATION_UNAVAILABLE = 3,
  EC_CONNECTION_REFUSED = 6,
  EC_HTTP_REQUEST_BODY_SIZE = 17,
  EC_HTTP_RESPONSE_INCOMPLETE = 25,
  EC_HTTP_RESPONSE_BODY_SIZE = 28,
  EC_HTTP_RESPONSE_TIMEOUT = 33,
  EC_HTTP_PROTOCOL_ERROR = 35,
};

static const char *METHODS[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

// Connection-level fields (RFC 9110 7.6.1): the bridge frames each message itself.
static int hop_by_hop(const uint8_t *name, size_t n) {
  static const char *names[] = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strlen(names[i]) == n && !strncasecmp((const char *)name, names[i], n)) return 1;
  return 0;
}

// The request as the guest reads it: request line, the caller's fields (less
// hop-by-hop ones and its own framing), Host, Content-Length, Connection: close.
static int build_request(uint32_t req, buf_t *msg, int *is_head) {
  method_t m;
  opt_string_t path, authority;
  request_method(req, &m);
  request_path(req, &path);
  request_authority(req, &authority);
  *is_head = m.tag == 1;
  if (m.tag < 9) buf_str(msg, METHODS[m.tag]);
  else buf_push(msg, m.ptr, m.len);
  buf_byte(msg, ' ');
  if (path.some && path.len) buf_push(msg, path.ptr, path.len);
  else buf_byte(msg, '/');
  buf_str(msg, " HTTP/1.1\r\n");
  uint32_t headers = request_headers(req);
  fields_list_t list;
  fields_entries(headers, &list);
  int have_host = 0;
  for (size_t i = 0; i < list.len; i++) {
    field_t *f = &list.ptr[i];
    int skip = hop_by_hop(f->name, f->name_len) || (f->name_len == 14 && !strncasecmp((const char *)f->name, "content-length", 14));
    if (f->name_len == 4 && !strncasecmp((const char *)f->name, "host", 4)) have_host = 1;
    if (!skip) {
      buf_push(msg, f->name, f->name_len);
      buf_str(msg, ": ");
      buf_push(msg, f->value, f->value_len);
      buf_str(msg, "\r\n");
    }
    if (f->name_len) free(f->name);
    if (f->value_len) free(f->value);
  }
  if (list.len) free(list.ptr);
  drop_fields(headers);
  if (!have_host) {
    buf_str(msg, "Host: ");
    if (authority.some && authority.len) buf_push(msg, authority.ptr, authority.len);
    else buf_str(msg, "localhost");
    buf_str(msg, "\r\n");
  }
  buf_t body = {0};
  int rc = wasi_http_read_body(req, &body, MAX_REQUEST_BODY);
  if (body.len || m.tag == 2 || m.tag == 3 || m.tag == 8) {
    buf_str(msg, "Content-Length: ");
    buf_u64(msg, body.len);
    buf_str(msg, "\r\n");
  }
  buf_str(msg, "Connection: close\r\n\r\n");
  if (body.len) buf_push(msg, body.ptr, body.len);
  free(body.ptr);
  if (m.tag == 9 && m.len) free(m.ptr);
  if (path.some && path.len) free(path.ptr);
  if (authority.some && authority.len) free(authority.ptr);
  return rc;
}

static void fail(uint32_t outparam, uint32_t code, const char *kind, const char *why) {
  fprintf(stderr, "trellis-http: %s: %s\n", kind, why);
  outparam_set(outparam, 1, code, 0, 0, 0, 0, 0, 0);
}

// The answer's fields as wasi:http fields: hop-by-hop ones left out (the host
// frames the body itself), names in lower case as wasi:http hosts keep them.
static uint32_t response_fields(const BridgeResponse *r) {
  uint32_t headers = fields_new();
  for (int i = 0; i < r->head.nfields; i++) {
    const Http1Field *f = &r->head.f[i];
    if (hop_by_hop(r->raw + f->name, f->name_len)) continue;
    uint8_t name[256];
    if (f->name_len > sizeof name) continue;
    for (u32 k = 0; k < f->name_len; k++) {
      uint8_t c = r->raw[f->name + k];
      name[k] = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
    }
    header_result_t hr;
    fields_append(headers, name, f->name_len, r->raw + f->value, f->value_len, &hr); // a field the host refuses is left out
  }
  return headers;
}

// A large answer goes out as the guest writes it (BridgeSink).
typedef struct Streaming {
  uint32_t outparam;
  wasi_http_out_t out;
} Streaming;

static void stream_start(void *ctx, const BridgeResponse *r) {
  Streaming *s = ctx;
  wasi_http_respond_head(s->outparam, response_fields(r), (uint32_t)r->head.status, &s->out);
}

static int stream_body(void *ctx, const u8 *p, u32 n) {
  return wasi_http_write(&((Streaming *)ctx)->out, p, n);
}

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(uint32_t req, uint32_t outparam) {
  buf_t msg = {0};
  int is_head = 0;
  int too_big = build_request(req, &msg, &is_head);
  drop_incoming_request(req);
  if (too_big) {
    free(msg.ptr);
    fail(outparam, EC_HTTP_REQUEST_BODY_SIZE, "request-too-large", "the request body is larger than 64 MiB");
    return;
  }
  Streaming streaming = {.outparam = outparam};
  BridgeSink sink = {&streaming, stream_start, stream_body};
  BridgeResponse r;
  BridgeStatus st = bridge_exchange(msg.ptr, (u32)msg.len, is_head, &sink, &r);
  free(msg.ptr);
  if (r.streamed) {
    // The head is gone: a failure now can only cut the body, which the host
    // then reports as incomplete (an unfinished outgoing-body).
    if (st != BR_OK) fprintf(stderr, "trellis-http: streamed body cut after %llu bytes: %s\n", (unsigned long long)r.streamed_bytes, r.why);
    wasi_http_end(&streaming.out, st == BR_OK);
    bridge_response_free(&r);
    return;
  }
  switch (st) {
  case BR_OK: {
    wasi_http_out_t o;
    wasi_http_respond_head(outparam, response_fields(&r), (uint32_t)r.head.status, &o);
    wasi_http_write(&o, r.body, r.body_len);
    wasi_http_end(&o, 1);
    break;
  }
  case BR_NOT_LISTENING: fail(outparam, EC_CONNECTION_REFUSED, "not-listening", r.why); break;
  case BR_EXITED: fail(outparam, EC_DESTINATION_UNAVAILABLE, "exited", r.why); break;
  case BR_NO_ANSWER: fail(outparam, EC_HTTP_RESPONSE_TIMEOUT, "no-answer", r.why); break;
  case BR_TIME_LIMIT: fail(outparam, EC_HTTP_RESPONSE_TIMEOUT, "time-limit", r.why); break;
  case BR_STEP_LIMIT: fail(outparam, EC_HTTP_RESPONSE_TIMEOUT, "step-limit", r.why); break;
  case BR_CLOSED_EARLY: fail(outparam, EC_HTTP_RESPONSE_INCOMPLETE, "closed-early", r.why); break;
  case BR_MALFORMED: fail(outparam, EC_HTTP_PROTOCOL_ERROR, "malformed", r.why); break;
  case BR_TOO_LARGE: fail(outparam, EC_HTTP_RESPONSE_BODY_SIZE, "too-large", r.why); break;
  case BR_CLIENT_GONE: fail(outparam, EC_HTTP_RESPONSE_INCOMPLETE, "client-gone", r.why); break;
  }
  bridge_response_free(&r);
}
