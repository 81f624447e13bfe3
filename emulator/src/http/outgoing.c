// wasi:http/outgoing-handler@0.2.0 for the guest's clients (outgoing.h): the
// request becomes an outgoing-request (method, scheme http, the peer's
// authority, path, fields, the body in one write), goes out through the
// import, and the core blocks on the future's pollable until the host has the
// response; its body is read whole. The core is single-threaded, so the guest
// waits as a blocking client would. Layouts per the canonical ABI: results
// holding an error-code (8-aligned, 32 bytes) put their payload at offset 8.
#define CABI_REALLOC_ELSEWHERE // handler.c defines it
#include "../../../lib/builtins/common/wasi-http.h"
#include "outgoing.h"

#define WASI_HTTP_OUT "wasi:http/outgoing-handler@0.2.0"
#define WASI_IO_POLL "wasi:io/poll@0.2.0"

IMPORT(WASI_HTTP_TYPES, "[constructor]outgoing-request") extern uint32_t outgoing_request_new(uint32_t headers);
IMPORT(WASI_HTTP_TYPES, "[method]outgoing-request.set-method")
extern uint32_t outgoing_request_set_method(uint32_t req, uint32_t tag, const uint8_t *ptr, size_t len);
IMPORT(WASI_HTTP_TYPES, "[method]outgoing-request.set-scheme")
extern uint32_t outgoing_request_set_scheme(uint32_t req, uint32_t some, uint32_t tag, const uint8_t *ptr, size_t len);
IMPORT(WASI_HTTP_TYPES, "[method]outgoing-request.set-authority")
extern uint32_t outgoing_request_set_authority(uint32_t req, uint32_t some, const uint8_t *ptr, size_t len);
IMPORT(WASI_HTTP_TYPES, "[method]outgoing-request.set-path-with-query")
extern uint32_t outgoing_request_set_path(uint32_t req, uint32_t some, const uint8_t *ptr, size_t len);
IMPORT(WASI_HTTP_TYPES, "[method]outgoing-request.body") extern void outgoing_request_body(uint32_t req, handle_result_t *ret);
IMPORT(WASI_HTTP_TYPES, "[resource-drop]outgoing-request") extern void drop_outgoing_request(uint32_t req);
IMPORT(WASI_HTTP_TYPES, "[method]future-incoming-response.subscribe") extern uint32_t future_response_subscribe(uint32_t f);
IMPORT(WASI_HTTP_TYPES, "[method]future-incoming-response.get") extern void future_response_get(uint32_t f, uint8_t *ret);
IMPORT(WASI_HTTP_TYPES, "[resource-drop]future-incoming-response") extern void drop_future_response(uint32_t f);
IMPORT(WASI_HTTP_TYPES, "[method]incoming-response.status") extern uint32_t incoming_response_status(uint32_t r);
IMPORT(WASI_HTTP_TYPES, "[method]incoming-response.headers") extern uint32_t incoming_response_headers(uint32_t r);
IMPORT(WASI_HTTP_TYPES, "[method]incoming-response.consume") extern void incoming_response_consume(uint32_t r, handle_result_t *ret);
IMPORT(WASI_HTTP_TYPES, "[resource-drop]incoming-response") extern void drop_incoming_response(uint32_t r);
IMPORT(WASI_IO_POLL, "[method]pollable.block") extern void pollable_block(uint32_t p);
IMPORT(WASI_IO_POLL, "[resource-drop]pollable") extern void drop_pollable(uint32_t p);
IMPORT(WASI_HTTP_OUT, "handle") extern void outgoing_handle(uint32_t req, uint32_t has_options, uint32_t options, uint8_t *ret);

// The error-code cases of wasi:http/types@0.2.0, in order.
static const char *ERROR_CODES[] = {
  "DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable", "destination-IP-prohibited",
  "destination-IP-unroutable", "connection-refused", "connection-terminated", "connection-timeout",
  "connection-read-timeout", "connection-write-timeout", "connection-limit-reached", "TLS-protocol-error",
  "TLS-certificate-error", "TLS-alert-received", "HTTP-request-denied", "HTTP-request-length-required",
  "HTTP-request-body-size", "HTTP-request-method-invalid", "HTTP-request-URI-invalid", "HTTP-request-URI-too-long",
  "HTTP-request-header-section-size", "HTTP-request-header-size", "HTTP-request-trailer-section-size",
  "HTTP-request-trailer-size", "HTTP-response-incomplete", "HTTP-response-header-section-size",
  "HTTP-response-header-size", "HTTP-response-body-size", "HTTP-response-trailer-section-size",
  "HTTP-response-trailer-size", "HTTP-response-transfer-coding", "HTTP-response-content-coding",
  "HTTP-response-timeout", "HTTP-upgrade-failed", "HTTP-protocol-error", "loop-detected", "configuration-error",
  "internal-error",
};
enum { EC_HTTP_REQUEST_DENIED = 15, EC_HTTP_REQUEST_METHOD_INVALID = 18, EC_HTTP_REQUEST_URI_INVALID = 19, EC_HTTP_RESPONSE_BODY_SIZE = 28, EC_INTERNAL = 38 };

static int fail(int code, const char **why) {
  *why = code >= 0 && code < (int)(sizeof ERROR_CODES / sizeof *ERROR_CODES) ? ERROR_CODES[code] : "internal-error";
  return code ? code : -1; // DNS-timeout is case 0; callers test for nonzero
}

static const char *METHODS[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

static int read_response(uint32_t resp, OutResponse *res, u32 max_body) {
  res->status = (int)incoming_response_status(resp);
  uint32_t headers = incoming_response_headers(resp);
  fields_list_t list;
  fields_entries(headers, &list);
  drop_fields(headers);
  res->fields = calloc(list.len ? list.len : 1, sizeof *res->fields);
  for (size_t i = 0; i < list.len; i++) {
    field_t *f = &list.ptr[i];
    res->fields[res->nfields++] = (OutField){f->name, f->value, (u32)f->name_len, (u32)f->value_len};
  }
  if (list.len) free(list.ptr);
  handle_result_t body;
  incoming_response_consume(resp, &body);
  if (body.tag) return 0; // no body
  buf_t b = {0};
  int rc = wasi_http_read_incoming(body.handle, &b, max_body);
  res->body = b.ptr;
  res->body_len = (u32)b.len;
  return rc;
}

int outgoing_send(const OutRequest *r, OutResponse *res, u32 max_body, const char **why) {
  memset(res, 0, sizeof *res);
  uint32_t headers = fields_new();
  for (int i = 0; i < r->nfields; i++) {
    header_result_t hr;
    fields_append(headers, r->fields[i].name, r->fields[i].name_len, r->fields[i].value, r->fields[i].value_len, &hr); // a field the host forbids is left out
  }
  uint32_t req = outgoing_request_new(headers);
  int m = -1;
  for (int i = 0; i < 9; i++)
    if (strlen(METHODS[i]) == r->method_len && !memcmp(METHODS[i], r->method, r->method_len)) m = i;
  if ((m >= 0 ? outgoing_request_set_method(req, (uint32_t)m, NULL, 0) : outgoing_request_set_method(req, 9, r->method, r->method_len)) ||
      outgoing_request_set_scheme(req, 1, 0, NULL, 0) || // http: the wire is inside the design
      outgoing_request_set_authority(req, 1, r->authority, r->authority_len)) {
    drop_outgoing_request(req);
    return fail(EC_HTTP_REQUEST_METHOD_INVALID, why);
  }
  if (outgoing_request_set_path(req, 1, r->path, r->path_len)) {
    drop_outgoing_request(req);
    return fail(EC_HTTP_REQUEST_URI_INVALID, why);
  }
  // the body handle is taken before the request moves into handle(); it is written after
  handle_result_t body;
  outgoing_request_body(req, &body);
  uint8_t ret[48] __attribute__((aligned(8)));
  outgoing_handle(req, 0, 0, ret);
  if (ret[0]) {
    if (!body.tag) {
      finish_result_t fin;
      outgoing_body_finish(body.handle, 0, 0, &fin);
    }
    return fail(ret[8], why);
  }
  uint32_t future;
  memcpy(&future, ret + 8, 4);
  if (body.tag) return drop_future_response(future), fail(EC_INTERNAL, why);
  if (r->body_len) {
    handle_result_t stream;
    outgoing_body_write(body.handle, &stream);
    if (!stream.tag) {
      for (u32 off = 0; off < r->body_len;) {
        u32 chunk = r->body_len - off > 4096 ? 4096 : r->body_len - off; // the most one blocking write may take
        stream_result_t w;
        stream_write(stream.handle, r->body + off, chunk, &w);
        if (w.tag) {
          if (w.u.err.tag == 0) drop_error(w.u.err.error);
          break;
        }
        off += chunk;
      }
      drop_output_stream(stream.handle);
    }
  }
  finish_result_t fin;
  outgoing_body_finish(body.handle, 0, 0, &fin);
  uint32_t ready = future_response_subscribe(future);
  pollable_block(ready);
  drop_pollable(ready);
  // option<result<result<own<incoming-response>, error-code>>>: some at 0,
  // the outer result's tag at 8, the inner one's at 16, its payload at 24
  uint8_t got[56] __attribute__((aligned(8)));
  future_response_get(future, got);
  drop_future_response(future);
  if (!got[0] || got[8]) return fail(EC_INTERNAL, why);
  if (got[16]) return fail(got[24], why);
  uint32_t resp;
  memcpy(&resp, got + 24, 4);
  int rc = read_response(resp, res, max_body);
  drop_incoming_response(resp);
  if (rc) {
    outgoing_response_free(res);
    return fail(EC_HTTP_RESPONSE_BODY_SIZE, why);
  }
  return 0;
}

void outgoing_response_free(OutResponse *res) {
  for (int i = 0; i < res->nfields; i++) {
    if (res->fields[i].name_len) free((void *)res->fields[i].name);
    if (res->fields[i].value_len) free((void *)res->fields[i].value);
  }
  free(res->fields);
  free(res->body);
  memset(res, 0, sizeof *res);
}
