// Tokenizer: lower-cased words. A word is a run of letters and digits (ASCII,
// and any code point outside the punctuation/symbol blocks below), with
// apostrophes allowed between word characters ("don't").
#include "../common/list.h"

// Decodes one code point at s[i] (input is valid UTF-8); returns its length.
static size_t decode(const uint8_t *s, size_t n, size_t i, uint32_t *cp) {
  uint8_t c = s[i];
  if (c < 0x80) return *cp = c, 1;
  size_t k = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
  uint32_t v = c & (0x3F >> k);
  for (size_t j = 1; j <= k && i + j < n; j++) v = (v << 6) | (s[i + j] & 0x3F);
  *cp = v;
  return k + 1;
}

static int is_word(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7) return 0;             // Latin-1 punctuation and signs
  if (cp >= 0x2000 && cp <= 0x2BFF) return 0;                        // general punctuation, symbols, arrows
  if ((cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F)) return 0; // CJK punctuation
  return 1;
}

static void put_lower(buf_t *w, const uint8_t *s, size_t len, uint32_t cp) {
  if (cp < 0x80) {
    buf_byte(w, (uint8_t)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
  } else if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) { // Latin-1 capitals
    cp += 0x20;
    buf_byte(w, (uint8_t)(0xC0 | (cp >> 6)));
    buf_byte(w, (uint8_t)(0x80 | (cp & 0x3F)));
  } else {
    buf_push(w, s, len);
  }
}

static void tokenize(const uint8_t *s, size_t n, string_vec_t *out) {
  buf_t word = {0};
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t len = decode(s, n, i, &cp);
    if (is_word(cp)) {
      put_lower(&word, s + i, len, cp);
    } else if (cp == '\'' && word.len > 0 && i + 1 < n) {
      uint32_t next;
      decode(s, n, i + 1, &next);
      if (is_word(next)) buf_byte(&word, '\'');
      else if (word.len) {
        svec_push(out, word.ptr, word.len);
        word.len = 0;
      }
    } else if (word.len) {
      svec_push(out, word.ptr, word.len);
      word.len = 0;
    }
    i += len;
  }
  if (word.len) svec_push(out, word.ptr, word.len);
  free(word.ptr);
}

static string_list_t LIST_AREA;

EXPORT("trellis:pipeline/text@0.1.0#tokenize")
string_list_t *tokenizer_tokenize(uint8_t *ptr, size_t len) {
  string_vec_t v = {0};
  tokenize(ptr, len, &v);
  if (len) free(ptr);
  LIST_AREA.items = v.items;
  LIST_AREA.len = v.len;
  return &LIST_AREA;
}

EXPORT("cabi_post_trellis:pipeline/text@0.1.0#tokenize")
void tokenizer_tokenize_post(string_list_t *l) { string_list_free(l); }

// Word counts through an open-addressing hash table, kept in first-seen order.
typedef struct {
  size_t word; // index into the token vector + 1; 0 = empty slot
  uint32_t count;
} slot_t;

typedef struct {
  size_t word;
  uint32_t count;
} tally_t;

static uint64_t fnv1a(const uint8_t *s, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t k = 0; k < n; k++) h = (h ^ s[k]) * 1099511628211ULL;
  return h;
}

static int by_count(const void *a, const void *b) {
  const tally_t *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return x->word < y->word ? -1 : x->word > y->word; // stable: first seen first
}

EXPORT("trellis:pipeline/stage@0.1.0#process")
result_bytes_t *stage_process(uint8_t *ptr, size_t len) {
  if (!utf8_valid(ptr, len)) {
    if (len) free(ptr);
    return return_err("input is not valid UTF-8 text");
  }
  string_vec_t v = {0};
  tokenize(ptr, len, &v);
  if (len) free(ptr);
  size_t cap = 16;
  while (cap < v.len * 2) cap *= 2;
  slot_t *slots = calloc(cap, sizeof(slot_t));
  tally_t *tallies = malloc((v.len ? v.len : 1) * sizeof(tally_t));
  size_t distinct = 0;
  for (size_t k = 0; k < v.len; k++) {
    size_t h = (size_t)fnv1a(v.items[k].ptr, v.items[k].len) & (cap - 1);
    for (;;) {
      slot_t *sl = &slots[h];
      if (!sl->word) {
        sl->word = distinct + 1;
        tallies[distinct].word = k;
        tallies[distinct].count = 1;
        distinct++;
        break;
      }
      bytes_t *w = &v.items[tallies[sl->word - 1].word];
      if (w->len == v.items[k].len && memcmp(w->ptr, v.items[k].ptr, w->len) == 0) {
        tallies[sl->word - 1].count++;
        break;
      }
      h = (h + 1) & (cap - 1);
    }
  }
  qsort(tallies, distinct, sizeof(tally_t), by_count);
  buf_t out = {0};
  buf_byte(&out, '[');
  for (size_t k = 0; k < distinct; k++) {
    if (k) buf_byte(&out, ',');
    buf_str(&out, "{\"token\":\"");
    // Tokens hold no quotes, backslashes or control characters: no escaping needed.
    buf_push(&out, v.items[tallies[k].word].ptr, v.items[tallies[k].word].len);
    buf_str(&out, "\",\"count\":");
    buf_u64(&out, tallies[k].count);
    buf_byte(&out, '}');
  }
  buf_byte(&out, ']');
  free(slots);
  free(tallies);
  string_list_t l = {v.items, v.len};
  string_list_free(&l);
  return return_ok(out.ptr, out.len);
}

EXPORT("cabi_post_trellis:pipeline/stage@0.1.0#process")
void stage_process_post(result_bytes_t *r) { free_result_bytes(r); }
