// Logger: keeps the most recent lines in a ring and writes each to stderr
// (through WASI, so the host decides where stderr goes).
#include <unistd.h>

#include "../common/list.h"

#define RING 64

static bytes_t ring[RING];
static size_t next_slot, filled;

static const char *LEVELS[] = {"DEBUG", "INFO", "WARN", "ERROR"};

EXPORT("trellis:pipeline/log@0.1.0#log")
void log_log(uint32_t level, uint8_t *ptr, size_t len) {
  buf_t line = {0};
  buf_byte(&line, '[');
  buf_str(&line, level < 4 ? LEVELS[level] : "?");
  buf_str(&line, "] ");
  buf_push(&line, ptr, len);
  if (len) free(ptr);
  buf_byte(&line, '\n');
  size_t off = 0;
  while (off < line.len) {
    ssize_t w = write(2, line.ptr + off, line.len - off);
    if (w <= 0) break; // stderr closed: the ring still keeps the line
    off += (size_t)w;
  }
  free(ring[next_slot].ptr);
  ring[next_slot].ptr = line.ptr;
  ring[next_slot].len = line.len - 1; // stored without the newline
  next_slot = (next_slot + 1) % RING;
  if (filled < RING) filled++;
}

static string_list_t LIST_AREA;

EXPORT("trellis:pipeline/log@0.1.0#recent")
string_list_t *log_recent(uint32_t max) {
  size_t n = max < filled ? max : filled;
  string_vec_t v = {0};
  for (size_t k = 0; k < n; k++) {
    bytes_t *b = &ring[(next_slot + RING - n + k) % RING];
    svec_push(&v, b->ptr, b->len);
  }
  LIST_AREA.items = v.items;
  LIST_AREA.len = v.len;
  return &LIST_AREA;
}

EXPORT("cabi_post_trellis:pipeline/log@0.1.0#recent")
void log_recent_post(string_list_t *l) { string_list_free(l); }
