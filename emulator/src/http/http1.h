// HTTP/1.1 message framing for the wasi:http component (RFC 9112): the
// response head a guest server writes, the request head a guest client
// writes, and where their bodies end.
#ifndef TRELLIS_HTTP1_H
#define TRELLIS_HTTP1_H
#include "../emu.h"

#define HTTP1_MAX_FIELDS 128
#define HTTP1_MAX_HEAD (64u << 10) // a head without its blank line past this is malformed

// Offsets into the message bytes.
typedef struct Http1Field {
  u32 name, name_len, value, value_len;
} Http1Field;

typedef struct Http1Head {
  int status;              // responses
  u32 method, method_len;  // requests: offsets of the method and the request-target
  u32 target, target_len;
  int minor;               // requests: HTTP/1.<minor>
  int conn_close;          // a Connection field names close
  u32 head_len; // bytes up to and including the blank line
  int nfields;
  Http1Field f[HTTP1_MAX_FIELDS];
  i64 content_length; // -1: none
  int chunked;
} Http1Head;

// 1: a complete head in b[0..n), 0: more bytes needed, -1: malformed (*why says how).
int http1_parse_head(const u8 *b, u32 n, Http1Head *h, const char **why);

// The same for a request head (request line, fields); a request's body without
// Content-Length or chunked coding is empty.
int http1_parse_request(const u8 *b, u32 n, Http1Head *h, const char **why);

// Whether the body after the head is complete. `no_body`: the request was HEAD
// (or the status has no body); `closed`: the server closed or half-closed.
// 1 complete (*body/*body_len: the decoded body, malloc'd, when body is not
// NULL), 0 more needed, -1 malformed, -2 cut short by the close (*why says how).
int http1_body(const u8 *b, u32 n, const Http1Head *h, int no_body, int closed, u8 **body, u32 *body_len, const char **why);

// A body read as it arrives, for answers streamed on before they are whole:
// the framing of http1_body, one step at a time.
typedef struct Http1BodyReader {
  int framing;  // H1_NONE, H1_LENGTH, H1_CLOSE, H1_CHUNKED
  int state;    // chunked: size line, data, data's CRLF, trailer lines
  u64 left;     // bytes left of the Content-Length body or the current chunk
  int done;     // the body ended (bytes after it are not part of it)
} Http1BodyReader;

void http1_reader_init(Http1BodyReader *r, const Http1Head *h, int no_body);

// Takes what it can of b[0..n) (the bytes after what it took before) and
// returns how many it took; *data/*data_len are a run of body bytes inside
// b (possibly none). `closed`: nothing more will come. -1 malformed, -2 cut
// short by the close (*why says how). Call again while it takes bytes.
i64 http1_reader_step(Http1BodyReader *r, const u8 *b, u32 n, int closed, const u8 **data, u32 *data_len, const char **why);

// Where a complete request (head and body, as framed) ends in b[0..n).
u32 http1_framed_len(const u8 *b, u32 n, const Http1Head *h);

// Case-insensitive name comparison against a lower-case literal.
int http1_name_is(const u8 *b, const Http1Field *f, const char *lower);
#endif
