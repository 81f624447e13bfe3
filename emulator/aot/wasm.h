// A growable byte buffer and the Wasm (MVP) encodings the translator emits.
#ifndef TRELLIS_AOT_WASM_H
#define TRELLIS_AOT_WASM_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct Buf {
  uint8_t *p;
  size_t n, cap;
} Buf;

static inline void b1(Buf *b, uint8_t v) {
  if (b->n == b->cap) {
    b->cap = b->cap ? b->cap * 2 : 1024;
    b->p = realloc(b->p, b->cap);
  }
  b->p[b->n++] = v;
}
static inline void bmem(Buf *b, const void *s, size_t n) {
  for (size_t i = 0; i < n; i++) b1(b, ((const uint8_t *)s)[i]);
}
static inline void uleb(Buf *b, uint64_t v) {
  do {
    uint8_t c = v & 0x7f;
    v >>= 7;
    b1(b, v ? c | 0x80 : c);
  } while (v);
}
static inline void sleb(Buf *b, int64_t v) {
  for (;;) {
    uint8_t c = v & 0x7f;
    v >>= 7; // arithmetic on every compiler we build with
    if ((v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40))) {
      b1(b, c);
      return;
    }
    b1(b, c | 0x80);
  }
}

enum {
  W_BLOCK = 0x02, W_LOOP = 0x03, W_IF = 0x04, W_ELSE = 0x05, W_END = 0x0b, W_BR = 0x0c, W_BR_IF = 0x0d, W_RETURN = 0x0f,
  W_CALL = 0x10, W_RETURN_CALL_INDIRECT = 0x13, W_DROP = 0x1a, W_SELECT = 0x1b,
  W_LGET = 0x20, W_LSET = 0x21, W_LTEE = 0x22,
  W_I32_LOAD = 0x28, W_I64_LOAD = 0x29, W_I32_LOAD8_U = 0x2d, W_I32_LOAD16_U = 0x2f,
  W_I64_LOAD8_U = 0x31, W_I64_LOAD16_U = 0x33, W_I64_LOAD32_U = 0x35,
  W_I32_STORE = 0x36, W_I64_STORE = 0x37, W_I64_STORE8 = 0x3c, W_I64_STORE16 = 0x3d, W_I64_STORE32 = 0x3e,
  W_I32_CONST = 0x41, W_I64_CONST = 0x42,
  W_I32_EQZ = 0x45, W_I32_EQ = 0x46, W_I32_NE = 0x47, W_I32_LT_S = 0x48, W_I32_LT_U = 0x49, W_I32_LE_S = 0x4c, W_I32_LE_U = 0x4d,
  W_I64_EQZ = 0x50, W_I64_EQ = 0x51, W_I64_NE = 0x52, W_I64_LT_S = 0x53, W_I64_LT_U = 0x54, W_I64_LE_S = 0x57,
  W_I64_LE_U = 0x58,
  W_I32_ADD = 0x6a, W_I32_AND = 0x71, W_I32_OR = 0x72, W_I32_XOR = 0x73, W_I32_SHL = 0x74, W_I32_SHR_U = 0x76,
  W_I64_ADD = 0x7c, W_I64_SUB = 0x7d, W_I64_MUL = 0x7e, W_I64_AND = 0x83, W_I64_OR = 0x84, W_I64_XOR = 0x85,
  W_I64_SHL = 0x86, W_I64_SHR_S = 0x87, W_I64_SHR_U = 0x88, W_I64_ROTL = 0x89, W_I64_ROTR = 0x8a,
  W_I32_ROTL = 0x77, W_I32_ROTR = 0x78,
  W_I32_WRAP = 0xa7, W_I64_EXTEND_S = 0xac, W_I64_EXTEND_U = 0xad,
  W_F32_LOAD = 0x2a, W_F64_LOAD = 0x2b, W_F32_STORE = 0x38, W_F64_STORE = 0x39,
  W_I32_SUB = 0x6b, W_I32_GE_U = 0x4f, W_I64_GT_U = 0x56, W_I64_GE_U = 0x5a,
  W_I64_DIV_S = 0x7f, W_I64_DIV_U = 0x80, W_I64_REM_S = 0x81, W_I64_REM_U = 0x82,
  W_F32_EQ = 0x5b, W_F32_NE = 0x5c, W_F32_LT = 0x5d, W_F32_GT = 0x5e,
  W_F64_EQ = 0x61, W_F64_NE = 0x62, W_F64_LT = 0x63, W_F64_GT = 0x64, W_F64_GE = 0x66,
  W_F32_ADD = 0x92, W_F32_SUB = 0x93, W_F32_MUL = 0x94, W_F32_DIV = 0x95,
  W_F64_ADD = 0xa0, W_F64_SUB = 0xa1, W_F64_MUL = 0xa2, W_F64_DIV = 0xa3,
  W_I32_TRUNC_F64_S = 0xaa, W_I64_TRUNC_F64_S = 0xb0, W_F32_CONVERT_I64_S = 0xb4, W_F64_CONVERT_I64_S = 0xb9,
  W_I32_REINTERPRET_F32 = 0xbc, W_I64_REINTERPRET_F64 = 0xbd, W_F32_REINTERPRET_I32 = 0xbe, W_F64_REINTERPRET_I64 = 0xbf,
  W_I64_CTZ = 0x7a, W_F64_LE = 0x65,
  W_VOID = 0x40, W_T_I32 = 0x7f, W_T_I64 = 0x7e, W_T_F64 = 0x7c,
};
#endif
