// A small strict JSON (RFC 8259) reader: enough to walk documents, decode
// strings and copy scalar/nested values as text. Errors carry a byte offset.
#ifndef TRELLIS_JSON_H
#define TRELLIS_JSON_H

#include "cabi.h"

#define JSON_MAX_DEPTH 64

typedef struct {
  const uint8_t *s;
  size_t n;
  size_t i;
  const char *err;
  size_t err_at;
  int depth;
} json_t;

static inline int json_fail(json_t *p, const char *message) {
  if (!p->err) {
    p->err = message;
    p->err_at = p->i;
  }
  return -1;
}

static inline void json_ws(json_t *p) {
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')) p->i++;
}

static inline int json_peek(json_t *p) {
  json_ws(p);
  return p->i < p->n ? p->s[p->i] : -1;
}

static inline int json_expect(json_t *p, uint8_t c, const char *message) {
  if (json_peek(p) != c) return json_fail(p, message);
  p->i++;
  return 0;
}

static inline void utf8_put(buf_t *out, uint32_t cp) {
  if (cp < 0x80) {
    buf_byte(out, (uint8_t)cp);
  } else if (cp < 0x800) {
    buf_byte(out, (uint8_t)(0xC0 | (cp >> 6)));
    buf_byte(out, (uint8_t)(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    buf_byte(out, (uint8_t)(0xE0 | (cp >> 12)));
    buf_byte(out, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
    buf_byte(out, (uint8_t)(0x80 | (cp & 0x3F)));
  } else {
    buf_byte(out, (uint8_t)(0xF0 | (cp >> 18)));
    buf_byte(out, (uint8_t)(0x80 | ((cp >> 12) & 0x3F)));
    buf_byte(out, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
    buf_byte(out, (uint8_t)(0x80 | (cp & 0x3F)));
  }
}

static inline int json_hex4(json_t *p, uint32_t *out) {
  if (p->i + 4 > p->n) return json_fail(p, "truncated \\u escape");
  uint32_t v = 0;
  for (int k = 0; k < 4; k++) {
    uint8_t c = p->s[p->i++];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
    else {
      p->i--;
      return json_fail(p, "bad hex digit in \\u escape");
    }
  }
  *out = v;
  return 0;
}

// Decodes a string (cursor on the opening quote) into `out` (may be NULL to skip).
static inline int json_string(json_t *p, buf_t *out) {
  if (json_expect(p, '"', "expected a string") < 0) return -1;
  buf_t sink = {0};
  buf_t *o = out ? out : &sink;
  for (;;) {
    if (p->i >= p->n) {
      free(sink.ptr);
      return json_fail(p, "unterminated string");
    }
    uint8_t c = p->s[p->i++];
    if (c == '"') break;
    if (c < 0x20) {
      p->i--;
      free(sink.ptr);
      return json_fail(p, "control character in string");
    }
    if (c != '\\') {
      buf_byte(o, c);
      continue;
    }
    if (p->i >= p->n) {
      free(sink.ptr);
      return json_fail(p, "unterminated escape");
    }
    uint8_t e = p->s[p->i++];
    switch (e) {
      case '"': buf_byte(o, '"'); break;
      case '\\': buf_byte(o, '\\'); break;
      case '/': buf_byte(o, '/'); break;
      case 'b': buf_byte(o, '\b'); break;
      case 'f': buf_byte(o, '\f'); break;
      case 'n': buf_byte(o, '\n'); break;
      case 'r': buf_byte(o, '\r'); break;
      case 't': buf_byte(o, '\t'); break;
      case 'u': {
        uint32_t cp;
        if (json_hex4(p, &cp) < 0) {
          free(sink.ptr);
          return -1;
        }
        if (cp >= 0xD800 && cp < 0xDC00) {
          uint32_t lo;
          if (p->i + 2 <= p->n && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u') {
            p->i += 2;
            if (json_hex4(p, &lo) < 0) {
              free(sink.ptr);
              return -1;
            }
            if (lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            else cp = 0xFFFD;
          } else {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp < 0xE000) {
          cp = 0xFFFD;
        }
        utf8_put(o, cp);
        break;
      }
      default:
        p->i--;
        free(sink.ptr);
        return json_fail(p, "unknown escape in string");
    }
  }
  free(sink.ptr);
  return 0;
}

static inline int json_digits(json_t *p) {
  size_t start = p->i;
  while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') p->i++;
  return p->i > start ? 0 : json_fail(p, "expected a digit");
}

static inline int json_number(json_t *p) {
  if (p->i < p->n && p->s[p->i] == '-') p->i++;
  if (p->i < p->n && p->s[p->i] == '0') p->i++;
  else if (json_digits(p) < 0) return -1;
  if (p->i < p->n && p->s[p->i] == '.') {
    p->i++;
    if (json_digits(p) < 0) return -1;
  }
  if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
    p->i++;
    if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-')) p->i++;
    if (json_digits(p) < 0) return -1;
  }
  return 0;
}

static inline int json_literal(json_t *p, const char *word) {
  size_t k = strlen(word);
  if (p->i + k > p->n || memcmp(p->s + p->i, word, k) != 0) return json_fail(p, "unexpected token");
  p->i += k;
  return 0;
}

// Validates and skips one value of any kind.
static inline int json_skip(json_t *p) {
  int c = json_peek(p);
  switch (c) {
    case '"': return json_string(p, NULL);
    case 't': return json_literal(p, "true");
    case 'f': return json_literal(p, "false");
    case 'n': return json_literal(p, "null");
    case '[':
    case '{': {
      if (++p->depth > JSON_MAX_DEPTH) return json_fail(p, "nesting too deep");
      uint8_t close = c == '[' ? ']' : '}';
      p->i++;
      if (json_peek(p) == close) {
        p->i++;
        p->depth--;
        return 0;
      }
      for (;;) {
        if (c == '{') {
          if (json_string(p, NULL) < 0) return -1;
          if (json_expect(p, ':', "expected ':' after key") < 0) return -1;
        }
        if (json_skip(p) < 0) return -1;
        int d = json_peek(p);
        if (d == ',') {
          p->i++;
          continue;
        }
        if (d == close) {
          p->i++;
          p->depth--;
          return 0;
        }
        return json_fail(p, c == '[' ? "expected ',' or ']'" : "expected ',' or '}'");
      }
    }
    default:
      if (c == '-' || (c >= '0' && c <= '9')) return json_number(p);
      return json_fail(p, c < 0 ? "unexpected end of input" : "unexpected character");
  }
}

#endif
