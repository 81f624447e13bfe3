// wasi:http/incoming-handler@0.2.0 in C with hand-written canonical ABI glue
// (common/wasi-http.h: resources are i32 handles, the host's functions imported
// with their core signatures).
#include "../common/wasi-http.h"

#define MAX_BODY (16u << 20)

IMPORT("trellis:pipeline/stage@0.1.0", "process")
extern void next_process(uint8_t *ptr, size_t len, result_bytes_t *ret);

static void respond(uint32_t outparam, uint16_t status, const char *type, const uint8_t *body, size_t len) {
  uint32_t headers = fields_new();
  header_result_t hr;
  fields_append(headers, (const uint8_t *)"content-type", 12, (const uint8_t *)type, strlen(type), &hr);
  buf_t n = {0};
  buf_u64(&n, len);
  fields_append(headers, (const uint8_t *)"content-length", 14, n.ptr, n.len, &hr);
  free(n.ptr);
  fields_append(headers, (const uint8_t *)"x-served-by", 11, (const uint8_t *)"trellis:builtins/http-gateway", 29, &hr);
  wasi_http_respond(outparam, headers, status, body, len);
}

static void respond_text(uint32_t outparam, uint16_t status, const char *text) {
  respond(outparam, status, "text/plain; charset=utf-8", (const uint8_t *)text, strlen(text));
}

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(uint32_t req, uint32_t outparam) {
  method_t m;
  opt_string_t path;
  request_method(req, &m);
  request_path(req, &path);
  int is_health = path.some && path.len == 7 && memcmp(path.ptr, "/health", 7) == 0;
  if (m.tag == M_GET && is_health) {
    respond_text(outparam, 200, "ok\n");
  } else if (m.tag == M_POST || m.tag == M_PUT) {
    buf_t body = {0};
    if (wasi_http_read_body(req, &body, MAX_BODY) < 0) {
      respond_text(outparam, 413, "request body is larger than 16 MiB\n");
    } else {
      result_bytes_t out;
      next_process(body.ptr, body.len, &out);
      if (out.tag == 0)
        respond(outparam, 200, utf8_valid(out.ptr, out.len) ? "text/plain; charset=utf-8" : "application/octet-stream", out.ptr, out.len);
      else
        respond(outparam, 422, "text/plain; charset=utf-8", out.ptr, out.len);
      if (out.len) free(out.ptr);
    }
    free(body.ptr);
  } else {
    respond_text(outparam, 405, "method not allowed: use GET /health, POST or PUT\n");
  }
  if (m.tag == M_OTHER && m.len) free(m.ptr);
  if (path.some && path.len) free(path.ptr);
  drop_incoming_request(req);
}
