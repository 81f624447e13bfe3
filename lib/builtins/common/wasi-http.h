// wasi:http/types@0.2.0 and wasi:io/streams@0.2.0 for components written in C:
// the canonical-ABI layouts of the values they pass, the host functions with the
// core signatures wit-component derives from the WIT (it rejects the component
// at build time if one is wrong), and reading a whole request body. Used by the
// built-in http-gateway and by the x86-64 core's wasi:http component.
#ifndef TRELLIS_WASI_HTTP_H
#define TRELLIS_WASI_HTTP_H
#include "cabi.h"

#define WASI_HTTP_TYPES "wasi:http/types@0.2.0"
#define WASI_IO_STREAMS "wasi:io/streams@0.2.0"

// method variant: tag at 0 (get, head, post, put, delete, connect, options,
// trace, patch, other(string)), the string at 4/8.
typedef struct {
  uint8_t tag;
  uint8_t *ptr;
  size_t len;
} method_t;

enum { M_GET = 0, M_HEAD = 1, M_POST = 2, M_PUT = 3, M_OTHER = 9 };

// option<string>
typedef struct {
  uint8_t some;
  uint8_t *ptr;
  size_t len;
} opt_string_t;

// result<own<T>> (error type unit): tag at 0, handle at 4.
typedef struct {
  uint8_t tag;
  uint32_t handle;
} handle_result_t;

// result<list<u8>, stream-error> and result<_, stream-error>: tag at 0; list at
// 4/8; stream-error tag at 4 (0 last-operation-failed(own<error>), 1 closed),
// its error handle at 8.
typedef struct {
  uint8_t tag;
  union {
    struct {
      uint8_t *ptr;
      size_t len;
    } ok;
    struct {
      uint8_t tag;
      uint32_t error;
    } err;
  } u;
} stream_result_t;

// result<_, header-error>: tag at 0, header-error at 1.
typedef struct {
  uint8_t tag, error;
} header_result_t;

// result<_, error-code>: error-code is 8-aligned (it holds option<u64>) and
// 32 bytes, so the result takes 40; only the tag is read.
typedef struct {
  uint8_t tag;
  uint64_t payload[4];
} finish_result_t;

// list<tuple<field-name, field-value>>: each element a string and a list<u8>
typedef struct {
  uint8_t *name;
  size_t name_len;
  uint8_t *value;
  size_t value_len;
} field_t;

typedef struct {
  field_t *ptr;
  size_t len;
} fields_list_t;

_Static_assert(sizeof(method_t) == 12, "canonical layout of method");
_Static_assert(sizeof(handle_result_t) == 8, "canonical layout of result<own<T>>");
_Static_assert(sizeof(stream_result_t) == 12, "canonical layout of result<list<u8>, stream-error>");
_Static_assert(sizeof(header_result_t) == 2, "canonical layout of result<_, header-error>");
_Static_assert(sizeof(finish_result_t) == 40, "canonical layout of result<_, error-code>");
_Static_assert(sizeof(field_t) == 16, "canonical layout of tuple<string, list<u8>>");

// Declared here, imported only by the components that call them.
IMPORT(WASI_HTTP_TYPES, "[method]incoming-request.method") extern void request_method(uint32_t req, method_t *ret);
IMPORT(WASI_HTTP_TYPES, "[method]incoming-request.path-with-query") extern void request_path(uint32_t req, opt_string_t *ret);
IMPORT(WASI_HTTP_TYPES, "[method]incoming-request.authority") extern void request_authority(uint32_t req, opt_string_t *ret);
IMPORT(WASI_HTTP_TYPES, "[method]incoming-request.headers") extern uint32_t request_headers(uint32_t req);
IMPORT(WASI_HTTP_TYPES, "[method]fields.entries") extern void fields_entries(uint32_t fields, fields_list_t *ret);
IMPORT(WASI_HTTP_TYPES, "[resource-drop]fields") extern void drop_fields(uint32_t fields);
IMPORT(WASI_HTTP_TYPES, "[method]incoming-request.consume") extern void request_consume(uint32_t req, handle_result_t *ret);
IMPORT(WASI_HTTP_TYPES, "[method]incoming-body.stream") extern void body_stream(uint32_t body, handle_result_t *ret);
IMPORT(WASI_HTTP_TYPES, "[resource-drop]incoming-body") extern void drop_incoming_body(uint32_t body);
IMPORT(WASI_HTTP_TYPES, "[resource-drop]incoming-request") extern void drop_incoming_request(uint32_t req);
IMPORT(WASI_HTTP_TYPES, "[constructor]fields") extern uint32_t fields_new(void);
IMPORT(WASI_HTTP_TYPES, "[method]fields.append")
extern void fields_append(uint32_t fields, const uint8_t *name, size_t name_len, const uint8_t *value, size_t value_len,
                          header_result_t *ret);
IMPORT(WASI_HTTP_TYPES, "[constructor]outgoing-response") extern uint32_t response_new(uint32_t headers);
IMPORT(WASI_HTTP_TYPES, "[method]outgoing-response.set-status-code") extern uint32_t response_set_status(uint32_t resp, uint32_t status);
IMPORT(WASI_HTTP_TYPES, "[method]outgoing-response.body") extern void response_body(uint32_t resp, handle_result_t *ret);
IMPORT(WASI_HTTP_TYPES, "[method]outgoing-body.write") extern void outgoing_body_write(uint32_t body, handle_result_t *ret);
IMPORT(WASI_HTTP_TYPES, "[resource-drop]outgoing-body") extern void drop_outgoing_body(uint32_t body);
IMPORT(WASI_HTTP_TYPES, "[static]outgoing-body.finish")
extern void outgoing_body_finish(uint32_t body, uint32_t has_trailers, uint32_t trailers, finish_result_t *ret);
// response-outparam.set(param, result<own<outgoing-response>, error-code>), flat:
// tag, then the joined slots of own<..> and error-code (case, i32, i64, i32 x4).
IMPORT(WASI_HTTP_TYPES, "[static]response-outparam.set")
extern void outparam_set(uint32_t param, uint32_t tag, uint32_t p0, uint32_t p1, uint64_t p2, uint32_t p3, uint32_t p4,
                         uint32_t p5, uint32_t p6);
IMPORT(WASI_IO_STREAMS, "[method]input-stream.blocking-read") extern void stream_read(uint32_t s, uint64_t len, stream_result_t *ret);
IMPORT(WASI_IO_STREAMS, "[method]output-stream.blocking-write-and-flush")
extern void stream_write(uint32_t s, const uint8_t *ptr, size_t len, stream_result_t *ret);
IMPORT(WASI_IO_STREAMS, "[resource-drop]input-stream") extern void drop_input_stream(uint32_t s);
IMPORT(WASI_IO_STREAMS, "[resource-drop]output-stream") extern void drop_output_stream(uint32_t s);
IMPORT("wasi:io/error@0.2.0", "[resource-drop]error") extern void drop_error(uint32_t e);

// Reads a whole incoming body (a request's or a response's) into out and
// drops it; -1 when it is larger than max (the rest is not read), else 0.
static inline int wasi_http_read_incoming(uint32_t body, buf_t *out, size_t max) {
  handle_result_t stream;
  body_stream(body, &stream);
  int rc = 0;
  if (!stream.tag) {
    for (;;) {
      stream_result_t r;
      stream_read(stream.handle, 65536, &r);
      if (r.tag) {
        if (r.u.err.tag == 0) drop_error(r.u.err.error);
        break; // closed (or failed): what was read is the body
      }
      if (out->len + r.u.ok.len > max) rc = -1;
      else buf_push(out, r.u.ok.ptr, r.u.ok.len);
      if (r.u.ok.len) free(r.u.ok.ptr);
      if (rc) break;
    }
    drop_input_stream(stream.handle);
  }
  drop_incoming_body(body);
  return rc;
}

// Reads the whole request body into out: as wasi_http_read_incoming, and 0
// when it was already consumed (no body).
static inline int wasi_http_read_body(uint32_t req, buf_t *out, size_t max) {
  handle_result_t body;
  request_consume(req, &body);
  return body.tag ? 0 : wasi_http_read_incoming(body.handle, out, max);
}

// A response on its way: the head is sent (response-outparam.set), the body
// goes out through `stream` in writes, then the finish. A body dropped
// without its finish tells the host the response is incomplete.
typedef struct wasi_http_out {
  uint32_t body, stream;
  int has_body, has_stream;
} wasi_http_out_t;

// Sends status and headers (the fields are handed over) and opens the body.
static inline void wasi_http_respond_head(uint32_t outparam, uint32_t headers, uint32_t status, wasi_http_out_t *o) {
  uint32_t resp = response_new(headers);
  response_set_status(resp, status);
  handle_result_t body_h, stream_h;
  response_body(resp, &body_h);
  outparam_set(outparam, 0, resp, 0, 0, 0, 0, 0, 0); // ok(resp): the host now sends the head
  o->has_body = !body_h.tag;
  o->body = body_h.handle;
  o->has_stream = 0;
  if (!o->has_body) return;
  outgoing_body_write(body_h.handle, &stream_h);
  o->has_stream = !stream_h.tag;
  o->stream = stream_h.handle;
}

// Writes body bytes in writes of at most 4096 (the most one blocking write
// may take). 0 once the host refused the stream (the client went away).
static inline int wasi_http_write(wasi_http_out_t *o, const uint8_t *p, size_t len) {
  if (!o->has_stream) return 0;
  for (size_t off = 0; off < len;) {
    size_t chunk = len - off > 4096 ? 4096 : len - off;
    stream_result_t w;
    stream_write(o->stream, p + off, chunk, &w);
    if (w.tag) {
      if (w.u.err.tag == 0) drop_error(w.u.err.error);
      drop_output_stream(o->stream);
      o->has_stream = 0;
      return 0;
    }
    off += chunk;
  }
  return 1;
}

// Ends the body: finished when `complete`, else dropped unfinished.
static inline void wasi_http_end(wasi_http_out_t *o, int complete) {
  if (o->has_stream) drop_output_stream(o->stream);
  o->has_stream = 0;
  if (!o->has_body) return;
  o->has_body = 0;
  if (!complete) {
    drop_outgoing_body(o->body);
    return;
  }
  finish_result_t fin;
  outgoing_body_finish(o->body, 0, 0, &fin);
}

// A whole response: head, body, finish. A body stream the host refuses ends
// the body where it is.
static inline void wasi_http_respond(uint32_t outparam, uint32_t headers, uint32_t status, const uint8_t *body, size_t len) {
  wasi_http_out_t o;
  wasi_http_respond_head(outparam, headers, status, &o);
  wasi_http_write(&o, body, len);
  wasi_http_end(&o, 1);
}

#endif
