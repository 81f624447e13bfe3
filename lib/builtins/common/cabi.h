// Hand-written canonical ABI glue shared by the built-in components.
// Lists and strings cross the boundary as (pointer, length) pairs in linear
// memory; the host allocates arguments with `cabi_realloc`, the callee owns
// them. Results too big for one core value go through a return area whose
// layout follows the component model's canonical ABI (see each component).
#ifndef TRELLIS_CABI_H
#define TRELLIS_CABI_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

// One translation unit of a component defines it; others define CABI_REALLOC_ELSEWHERE.
#ifdef CABI_REALLOC_ELSEWHERE
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size);
#else
EXPORT("cabi_realloc")
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (new_size == 0) return (void *)align;
  void *p = realloc(ptr, new_size);
  if (!p) __builtin_trap();
  return p;
}
#endif

typedef struct {
  uint8_t *ptr;
  size_t len;
} bytes_t;

// A growable byte buffer for building outputs.
typedef struct {
  uint8_t *ptr;
  size_t len;
  size_t cap;
} buf_t;

static inline void buf_reserve(buf_t *b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra) cap *= 2;
  b->ptr = (uint8_t *)cabi_realloc(b->ptr, b->cap, 1, cap);
  b->cap = cap;
}

static inline void buf_push(buf_t *b, const void *data, size_t n) {
  buf_reserve(b, n);
  memcpy(b->ptr + b->len, data, n);
  b->len += n;
}

static inline void buf_byte(buf_t *b, uint8_t c) {
  buf_reserve(b, 1);
  b->ptr[b->len++] = c;
}

static inline void buf_str(buf_t *b, const char *s) { buf_push(b, s, strlen(s)); }

static inline void buf_u64(buf_t *b, uint64_t v) {
  char tmp[24];
  int i = 0;
  do {
    tmp[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (i) buf_byte(b, (uint8_t)tmp[--i]);
}

// A heap copy of a C string, for returning error messages.
static inline bytes_t str_dup(const char *s) {
  size_t n = strlen(s);
  bytes_t r = {(uint8_t *)malloc(n ? n : 1), n};
  memcpy(r.ptr, s, n);
  return r;
}

// Checks UTF-8 well-formedness (no overlongs, surrogates or values past U+10FFFF).
static inline int utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t k;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) k = 1, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) k = 2, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) k = 3, cp = c & 0x07, min = 0x10000;
    else return 0;
    if (i + k >= n) return 0; // truncated sequence
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) return 0;
    i += k + 1;
  }
  return 1;
}

// Return area for `result<list<u8>, string>` (and `result<string, string>`):
// discriminant byte at 0, pointer at 4, length at 8.
typedef struct {
  uint8_t tag;
  uint8_t *ptr;
  size_t len;
} result_bytes_t;

_Static_assert(sizeof(result_bytes_t) == 12, "canonical layout of result<list<u8>, string>");

static result_bytes_t RESULT_AREA;

static inline result_bytes_t *return_ok(uint8_t *ptr, size_t len) {
  if (len == 0) { // an empty list needs no storage; keeps post-return simple
    free(ptr);
    ptr = NULL;
  }
  RESULT_AREA.tag = 0;
  RESULT_AREA.ptr = ptr;
  RESULT_AREA.len = len;
  return &RESULT_AREA;
}

static inline result_bytes_t *return_err(const char *message) {
  bytes_t s = str_dup(message);
  RESULT_AREA.tag = 1;
  RESULT_AREA.ptr = s.ptr;
  RESULT_AREA.len = s.len;
  return &RESULT_AREA;
}

// Frees what a `result<list<u8>, string>` return area points to; used as the
// post-return function of exports returning one.
static inline void free_result_bytes(result_bytes_t *r) {
  if (r->len) free(r->ptr);
}

#endif
