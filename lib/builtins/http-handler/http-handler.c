// HTTP handler: `GET /health` answers directly; POST/PUT pass the body to the
// imported next stage (200 with its output, 422 with its refusal); anything
// else is 405. One log line per request goes to the imported logger.
#include "../common/cabi.h"

IMPORT("trellis:pipeline/stage@0.1.0", "process")
extern void next_process(uint8_t *ptr, size_t len, result_bytes_t *ret);

IMPORT("trellis:pipeline/log@0.1.0", "log")
extern void log_line(uint32_t level, uint8_t *ptr, size_t len);

typedef struct {
  bytes_t name, value;
} header_t;

// response record: status u16 at 0, headers at 4/8, body at 12/16.
typedef struct {
  uint16_t status;
  header_t *headers;
  size_t nheaders;
  uint8_t *body;
  size_t body_len;
} response_t;

_Static_assert(sizeof(header_t) == 16, "canonical layout of tuple<string, string>");
_Static_assert(sizeof(response_t) == 20, "canonical layout of response");

static response_t RESPONSE;

static int equals(const uint8_t *s, size_t n, const char *lit) { return n == strlen(lit) && memcmp(s, lit, n) == 0; }

static void add_header(response_t *r, const char *name, const uint8_t *value, size_t n) {
  r->headers = realloc(r->headers, (r->nheaders + 1) * sizeof(header_t));
  header_t *h = &r->headers[r->nheaders++];
  h->name = str_dup(name);
  h->value.ptr = malloc(n ? n : 1);
  memcpy(h->value.ptr, value, n);
  h->value.len = n;
}

static void set_body(response_t *r, uint8_t *ptr, size_t len, const char *type) {
  r->body = ptr;
  r->body_len = len;
  add_header(r, "content-type", (const uint8_t *)type, strlen(type));
  buf_t n = {0};
  buf_u64(&n, len);
  add_header(r, "content-length", n.ptr, n.len);
  free(n.ptr);
}

static void set_text(response_t *r, uint16_t status, const char *text) {
  bytes_t b = str_dup(text);
  r->status = status;
  set_body(r, b.ptr, b.len, "text/plain; charset=utf-8");
}

EXPORT("trellis:pipeline/handler@0.1.0#handle")
response_t *handler_handle(uint8_t *method, size_t method_len, uint8_t *path, size_t path_len, header_t *headers,
                           size_t nheaders, uint8_t *body, size_t body_len) {
  response_t *r = &RESPONSE;
  memset(r, 0, sizeof *r);
  if (equals(method, method_len, "GET") && equals(path, path_len, "/health")) {
    set_text(r, 200, "ok\n");
  } else if (equals(method, method_len, "POST") || equals(method, method_len, "PUT")) {
    result_bytes_t out;
    next_process(body, body_len, &out);
    if (out.tag == 0) {
      r->status = 200;
      set_body(r, out.ptr, out.len,
               utf8_valid(out.ptr, out.len) ? "text/plain; charset=utf-8" : "application/octet-stream");
    } else {
      r->status = 422;
      set_body(r, out.ptr, out.len, "text/plain; charset=utf-8");
    }
  } else {
    set_text(r, 405, "method not allowed\n");
    add_header(r, "allow", (const uint8_t *)"GET, POST, PUT", 14);
  }
  add_header(r, "x-served-by", (const uint8_t *)"trellis:builtins/http-handler", 29);

  buf_t line = {0};
  buf_push(&line, method, method_len);
  buf_byte(&line, ' ');
  buf_push(&line, path, path_len);
  buf_str(&line, " -> ");
  buf_u64(&line, r->status);
  buf_str(&line, " (");
  buf_u64(&line, r->body_len);
  buf_str(&line, " bytes)");
  log_line(r->status >= 400 ? 2 : 1, line.ptr, line.len);
  free(line.ptr);

  if (method_len) free(method);
  if (path_len) free(path);
  for (size_t k = 0; k < nheaders; k++) {
    if (headers[k].name.len) free(headers[k].name.ptr);
    if (headers[k].value.len) free(headers[k].value.ptr);
  }
  if (nheaders) free(headers);
  if (body_len) free(body);
  return r;
}

EXPORT("cabi_post_trellis:pipeline/handler@0.1.0#handle")
void handler_handle_post(response_t *r) {
  for (size_t k = 0; k < r->nheaders; k++) {
    free(r->headers[k].name.ptr);
    free(r->headers[k].value.ptr);
  }
  free(r->headers);
  if (r->body_len) free(r->body);
}
