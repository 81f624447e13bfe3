// HTTP/1.1 response framing (http1.h): status line and fields, then the body
// length by RFC 9112 section 6.3: no body for HEAD, 1xx, 204 and 304; chunked
// transfer coding; Content-Length; else everything until the server closes.
#include "http1.h"
#include <stdlib.h>
#include <string.h>

int http1_name_is(const u8 *b, const Http1Field *f, const char *lower) {
  size_t n = strlen(lower);
  if (f->name_len != n) return 0;
  for (size_t i = 0; i < n; i++) {
    u8 c = b[f->name + i];
    if (c >= 'A' && c <= 'Z') c = (u8)(c + 32);
    if (c != (u8)lower[i]) return 0;
  }
  return 1;
}

static int is_tchar(u8 c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

// The end of the line starting at i (index of its LF), or -1 when not in b yet.
static i64 line_end(const u8 *b, u32 n, u32 i) {
  const u8 *lf = memchr(b + i, '\n', n - i);
  return lf ? lf - b : -1;
}

// The field lines from b[i] to the blank line (RFC 9112 section 5), shared by
// responses and requests.
static int parse_fields(const u8 *b, u32 n, u32 i, Http1Head *h, const char **why) {
  for (;;) {
    i64 e = line_end(b, n, i);
    if (e < 0) return n > HTTP1_MAX_HEAD ? (*why = "the message head is larger than 64 KiB", -1) : 0;
    u32 end = (u32)e;
    if (end > i && b[end - 1] == '\r') end--;
    if (end == i) { // the blank line
      h->head_len = (u32)e + 1;
      return 1;
    }
    if (h->nfields == HTTP1_MAX_FIELDS) return *why = "the message has more than 128 header fields", -1;
    u32 c = i;
    while (c < end && is_tchar(b[c])) c++;
    if (c == i || c == end || b[c] != ':') return *why = "a header line is not `name: value`", -1;
    Http1Field *f = &h->f[h->nfields++];
    f->name = i;
    f->name_len = c - i;
    u32 v = c + 1, ve = end;
    while (v < ve && (b[v] == ' ' || b[v] == '\t')) v++;
    while (ve > v && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) ve--;
    f->value = v;
    f->value_len = ve - v;
    if (http1_name_is(b, f, "content-length")) {
      if (!f->value_len) return *why = "Content-Length is empty", -1;
      i64 len = 0;
      for (u32 k = v; k < ve; k++) {
        if (b[k] < '0' || b[k] > '9' || len > (1ll << 40)) return *why = "Content-Length is not a number", -1;
        len = len * 10 + (b[k] - '0');
      }
      if (h->content_length >= 0 && h->content_length != len) return *why = "two different Content-Length values", -1;
      h->content_length = len;
    } else if (http1_name_is(b, f, "transfer-encoding")) {
      // the final coding decides; chunked is the only one a message may end with here
      u32 k = ve;
      while (k > v && b[k - 1] != ',') k--;
      while (k < ve && b[k] == ' ') k++;
      h->chunked = ve - k == 7 && !strncasecmp((const char *)b + k, "chunked", 7);
      if (!h->chunked) return *why = "unsupported transfer coding (only chunked)", -1;
    } else if (http1_name_is(b, f, "connection")) {
      for (u32 k = v; k + 5 <= ve; k++)
        if (!strncasecmp((const char *)b + k, "close", 5)) h->conn_close = 1;
    }
    i = (u32)e + 1;
  }
}

int http1_parse_head(const u8 *b, u32 n, Http1Head *h, const char **why) {
  memset(h, 0, sizeof *h);
  h->content_length = -1;
  i64 e = line_end(b, n, 0);
  if (e < 0) {
    if (n >= 5 && memcmp(b, "HTTP/", 5)) return *why = "the answer does not start with an HTTP status line", -1;
    return n > HTTP1_MAX_HEAD ? (*why = "the response head is larger than 64 KiB", -1) : 0;
  }
  // HTTP/1.x SP 3DIGIT [SP reason] CRLF
  if (e < 12 || memcmp(b, "HTTP/1.", 7) || (b[7] != '0' && b[7] != '1') || b[8] != ' ') return *why = "the answer does not start with an HTTP/1.x status line", -1;
  for (int k = 9; k < 12; k++)
    if (b[k] < '0' || b[k] > '9') return *why = "the status code is not three digits", -1;
  h->status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
  if (h->status < 100) return *why = "the status code is below 100", -1;
  int r = parse_fields(b, n, (u32)e + 1, h, why);
  if (r <= 0) return r;
  if (h->status == 101) return *why = "the server switched protocols (101), which a wasi:http response cannot carry", -1;
  return 1;
}

int http1_parse_request(const u8 *b, u32 n, Http1Head *h, const char **why) {
  memset(h, 0, sizeof *h);
  h->content_length = -1;
  u32 i = 0;
  while (i + 1 < n && b[i] == '\r' && b[i + 1] == '\n') i += 2; // RFC 9112 2.2: empty lines before a request
  i64 e = line_end(b, n, i);
  if (e < 0) return n - i > 8192 ? (*why = "the request line is longer than 8 KiB", -1) : 0;
  // method SP request-target SP HTTP/1.x CRLF
  u32 end = (u32)e;
  if (end > i && b[end - 1] == '\r') end--;
  u32 m = i;
  while (m < end && is_tchar(b[m])) m++;
  if (m == i || m >= end || b[m] != ' ') return *why = "the request line does not start with a method", -1;
  u32 t = m + 1, te = t;
  while (te < end && b[te] != ' ') te++;
  if (te == t || end - te != 9 || memcmp(b + te, " HTTP/1.", 8) || (b[te + 8] != '0' && b[te + 8] != '1'))
    return *why = "the request line is not `METHOD target HTTP/1.x`", -1;
  h->method = i, h->method_len = m - i;
  h->target = t, h->target_len = te - t;
  h->minor = b[te + 8] - '0';
  return parse_fields(b, n, (u32)e + 1, h, why);
}

static int hexval(u8 c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

// Walks the chunks from b[i]; when `out` is set, copies their data there.
static int chunks(const u8 *b, u32 n, u32 i, u8 *out, u32 *out_len, u32 *end, const char **why) {
  u32 total = 0;
  for (;;) {
    i64 e = line_end(b, n, i);
    if (e < 0) return n - i > 1024 ? (*why = "a chunk size line is too long", -1) : 0;
    u64 size = 0;
    u32 k = i, digits = 0;
    for (; k < (u32)e && hexval(b[k]) >= 0; k++, digits++) {
      size = size * 16 + (u64)hexval(b[k]);
      if (size > (1u << 30)) return *why = "a chunk is larger than 1 GiB", -1;
    }
    if (!digits || (k < (u32)e && b[k] != ';' && b[k] != '\r' && b[k] != ' ' && b[k] != '\t')) return *why = "a chunk size is not hexadecimal", -1;
    i = (u32)e + 1;
    if (size == 0) { // trailer fields (dropped), then the blank line
      for (;;) {
        e = line_end(b, n, i);
        if (e < 0) return 0;
        int blank = (u32)e == i || ((u32)e == i + 1 && b[i] == '\r');
        i = (u32)e + 1;
        if (blank) break;
      }
      *out_len = total;
      if (end) *end = i;
      return 1;
    }
    if ((u64)n - i < size + 1) return 0;
    if (out) memcpy(out + total, b + i, size);
    total += (u32)size;
    i += (u32)size;
    if (b[i] == '\r') {
      if (n - i < 2) return 0;
      i++;
    }
    if (b[i] != '\n') return *why = "a chunk does not end with CRLF", -1;
    i++;
  }
}

int http1_body(const u8 *b, u32 n, const Http1Head *h, int no_body, int closed, u8 **body, u32 *body_len, const char **why) {
  const u8 *rest = b + h->head_len;
  u32 avail = n - h->head_len;
  if (h->method_len && h->content_length < 0 && !h->chunked) no_body = 1; // a request without framing has no body (RFC 9112 6.3)
  if (no_body || (h->status >= 100 && h->status < 200) || h->status == 204 || h->status == 304) {
    if (body) *body = NULL, *body_len = 0;
    return 1;
  }
  if (h->chunked) {
    u32 len = 0;
    int r = chunks(b, n, h->head_len, NULL, &len, NULL, why);
    if (r == 0 && closed) return *why = "the server closed the connection inside a chunked body", -2;
    if (r != 1 || !body) return r;
    *body = malloc(len ? len : 1);
    chunks(b, n, h->head_len, *body, body_len, NULL, why);
    return 1;
  }
  u32 len;
  if (h->content_length >= 0) {
    if ((u64)avail < (u64)h->content_length) {
      if (closed) return *why = "the server closed the connection before the end of its Content-Length body", -2;
      return 0;
    }
    len = (u32)h->content_length;
  } else {
    if (!closed) return 0; // the body runs until the server closes
    len = avail;
  }
  if (body) {
    *body = malloc(len ? len : 1);
    memcpy(*body, rest, len);
    *body_len = len;
  }
  return 1;
}

u32 http1_framed_len(const u8 *b, u32 n, const Http1Head *h) {
  if (h->chunked) {
    u32 len, end = n;
    const char *why;
    return chunks(b, n, h->head_len, NULL, &len, &end, &why) == 1 ? end : n;
  }
  return h->head_len + (h->content_length > 0 ? (u32)h->content_length : 0);
}

enum { H1_NONE, H1_LENGTH, H1_CLOSE, H1_CHUNKED };
enum { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER };

void http1_reader_init(Http1BodyReader *r, const Http1Head *h, int no_body) {
  memset(r, 0, sizeof *r);
  if (h->method_len && h->content_length < 0 && !h->chunked) no_body = 1;
  if (no_body || (h->status >= 100 && h->status < 200) || h->status == 204 || h->status == 304) r->framing = H1_NONE;
  else if (h->chunked) r->framing = H1_CHUNKED;
  else if (h->content_length >= 0) r->framing = H1_LENGTH, r->left = (u64)h->content_length;
  else r->framing = H1_CLOSE;
  r->done = r->framing == H1_NONE || (r->framing == H1_LENGTH && r->left == 0);
}

i64 http1_reader_step(Http1BodyReader *r, const u8 *b, u32 n, int closed, const u8 **data, u32 *data_len, const char **why) {
  *data = b;
  *data_len = 0;
  if (r->done) return 0;
  switch (r->framing) {
  case H1_CLOSE:
    *data_len = n;
    if (closed) r->done = 1;
    return n;
  case H1_LENGTH: {
    u32 take = (u64)n < r->left ? n : (u32)r->left;
    r->left -= take;
    *data_len = take;
    if (!r->left) r->done = 1;
    else if (!take && closed) return *why = "the server closed the connection before the end of its Content-Length body", -2;
    return take;
  }
  }
  // chunked, one piece at a time
  if (r->state == CH_DATA) {
    u32 take = (u64)n < r->left ? n : (u32)r->left;
    r->left -= take;
    *data_len = take;
    if (!r->left) r->state = CH_DATA_END;
    if (!take && closed) return *why = "the server closed the connection inside a chunked body", -2;
    return take;
  }
  i64 e = line_end(b, n, 0);
  if (e < 0) {
    if (n > 1024) return *why = r->state == CH_SIZE ? "a chunk size line is too long" : "a trailer line is too long", -1;
    if (closed) return *why = "the server closed the connection inside a chunked body", -2;
    return 0;
  }
  u32 end = (u32)e;
  if (end > 0 && b[end - 1] == '\r') end--;
  if (r->state == CH_DATA_END) {
    if (end != 0) return *why = "a chunk does not end with CRLF", -1;
    r->state = CH_SIZE;
    return e + 1;
  }
  if (r->state == CH_TRAILER) { // trailer fields are dropped; the blank line ends the body
    if (end == 0) r->done = 1;
    return e + 1;
  }
  u64 size = 0;
  u32 k = 0, digits = 0;
  for (; k < end && hexval(b[k]) >= 0; k++, digits++) {
    size = size * 16 + (u64)hexval(b[k]);
    if (size > (1u << 30)) return *why = "a chunk is larger than 1 GiB", -1;
  }
  if (!digits || (k < end && b[k] != ';' && b[k] != ' ' && b[k] != '\t')) return *why = "a chunk size is not hexadecimal", -1;
  if (size == 0) r->state = CH_TRAILER;
  else r->state = CH_DATA, r->left = size;
  return e + 1;
}
