// list<string> results: an array of (pointer, length) pairs.
#ifndef TRELLIS_LIST_H
#define TRELLIS_LIST_H

#include "cabi.h"

typedef struct {
  bytes_t *items;
  size_t len;
} string_list_t;

_Static_assert(sizeof(bytes_t) == 8, "canonical layout of string");
_Static_assert(sizeof(string_list_t) == 8, "canonical layout of list<string>");

typedef struct {
  bytes_t *items;
  size_t len, cap;
} string_vec_t;

static inline void svec_push(string_vec_t *v, const uint8_t *s, size_t n) {
  if (v->len == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 16;
    v->items = (bytes_t *)realloc(v->items, v->cap * sizeof(bytes_t));
  }
  uint8_t *copy = (uint8_t *)malloc(n ? n : 1);
  memcpy(copy, s, n);
  v->items[v->len].ptr = copy;
  v->items[v->len].len = n;
  v->len++;
}

static inline void string_list_free(string_list_t *l) {
  for (size_t k = 0; k < l->len; k++) free(l->items[k].ptr);
  free(l->items);
}

#endif
