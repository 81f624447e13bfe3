// JSON → CSV. Input: an array of objects (or one object) whose values are
// scalars; nested arrays/objects are kept as compact JSON text in their cell.
// Columns are the union of keys in order of first appearance.
#include "../common/json.h"

typedef struct {
  bytes_t *items;
  size_t len, cap;
} strvec_t;

typedef struct {
  size_t col;
  bytes_t text;
} cell_t;

typedef struct {
  cell_t *cells;
  size_t len, cap;
} row_t;

typedef struct {
  strvec_t cols;
  row_t *rows;
  size_t nrows, caprows;
} table_t;

static size_t column_index(strvec_t *cols, buf_t *key) {
  for (size_t k = 0; k < cols->len; k++)
    if (cols->items[k].len == key->len && memcmp(cols->items[k].ptr, key->ptr, key->len) == 0) return k;
  if (cols->len == cols->cap) {
    cols->cap = cols->cap ? cols->cap * 2 : 8;
    cols->items = realloc(cols->items, cols->cap * sizeof(bytes_t));
  }
  cols->items[cols->len].ptr = key->ptr;
  cols->items[cols->len].len = key->len;
  key->ptr = NULL; // ownership moves to the column list
  key->len = key->cap = 0;
  return cols->len++;
}

static void row_put(row_t *row, size_t col, buf_t *text) {
  for (size_t k = 0; k < row->len; k++)
    if (row->cells[k].col == col) { // a repeated key: the last one wins, as in JSON.parse
      free(row->cells[k].text.ptr);
      row->cells[k].text.ptr = text->ptr;
      row->cells[k].text.len = text->len;
      return;
    }
  if (row->len == row->cap) {
    row->cap = row->cap ? row->cap * 2 : 8;
    row->cells = realloc(row->cells, row->cap * sizeof(cell_t));
  }
  row->cells[row->len].col = col;
  row->cells[row->len].text.ptr = text->ptr;
  row->cells[row->len].text.len = text->len;
  row->len++;
}

static void table_free(table_t *t) {
  for (size_t k = 0; k < t->cols.len; k++) free(t->cols.items[k].ptr);
  free(t->cols.items);
  for (size_t r = 0; r < t->nrows; r++) {
    for (size_t k = 0; k < t->rows[r].len; k++) free(t->rows[r].cells[k].text.ptr);
    free(t->rows[r].cells);
  }
  free(t->rows);
}

// Reads one value as cell text: strings decoded, null empty, others verbatim.
static int read_cell(json_t *p, buf_t *out) {
  int c = json_peek(p);
  if (c == '"') return json_string(p, out);
  size_t start = p->i;
  if (json_skip(p) < 0) return -1;
  if (c == 'n') return 0;
  buf_push(out, p->s + start, p->i - start);
  return 0;
}

static int read_object(json_t *p, table_t *t) {
  if (t->nrows == t->caprows) {
    t->caprows = t->caprows ? t->caprows * 2 : 16;
    t->rows = realloc(t->rows, t->caprows * sizeof(row_t));
  }
  row_t *row = &t->rows[t->nrows++];
  memset(row, 0, sizeof *row);
  if (json_expect(p, '{', "expected an object") < 0) return -1;
  if (json_peek(p) == '}') {
    p->i++;
    return 0;
  }
  for (;;) {
    buf_t key = {0}, text = {0};
    if (json_string(p, &key) < 0 || json_expect(p, ':', "expected ':' after key") < 0 || read_cell(p, &text) < 0) {
      free(key.ptr);
      free(text.ptr);
      return -1;
    }
    size_t col = column_index(&t->cols, &key);
    free(key.ptr);
    row_put(row, col, &text);
    int d = json_peek(p);
    if (d == ',') {
      p->i++;
      continue;
    }
    if (d == '}') {
      p->i++;
      return 0;
    }
    return json_fail(p, "expected ',' or '}'");
  }
}

static void csv_field(buf_t *out, const uint8_t *s, size_t n) {
  int quote = 0;
  for (size_t k = 0; k < n; k++)
    if (s[k] == ',' || s[k] == '"' || s[k] == '\n' || s[k] == '\r') quote = 1;
  if (!quote) {
    buf_push(out, s, n);
    return;
  }
  buf_byte(out, '"');
  for (size_t k = 0; k < n; k++) {
    if (s[k] == '"') buf_byte(out, '"');
    buf_byte(out, s[k]);
  }
  buf_byte(out, '"');
}

// Converts; on failure returns -1 with p->err / p->err_at set.
static int convert(json_t *p, buf_t *out) {
  table_t t = {0};
  int rc = 0;
  int c = json_peek(p);
  if (c == '[') {
    p->i++;
    if (json_peek(p) == ']') p->i++;
    else
      for (;;) {
        int e = json_peek(p);
        if (e != '{') {
          rc = json_fail(p, e < 0 ? "unexpected end of input" : "array elements must be objects");
          break;
        }
        if ((rc = read_object(p, &t)) < 0) break;
        int d = json_peek(p);
        if (d == ',') {
          p->i++;
          continue;
        }
        if (d == ']') {
          p->i++;
          break;
        }
        rc = json_fail(p, "expected ',' or ']'");
        break;
      }
  } else if (c == '{') {
    rc = read_object(p, &t);
  } else {
    rc = json_fail(p, c < 0 ? "empty input" : "expected an array of objects or an object");
  }
  if (rc == 0 && json_peek(p) != -1) rc = json_fail(p, "trailing characters after the document");
  if (rc == 0 && t.cols.len > 0) {
    for (size_t k = 0; k < t.cols.len; k++) {
      if (k) buf_byte(out, ',');
      csv_field(out, t.cols.items[k].ptr, t.cols.items[k].len);
    }
    buf_byte(out, '\n');
    for (size_t r = 0; r < t.nrows; r++) {
      for (size_t k = 0; k < t.cols.len; k++) {
        if (k) buf_byte(out, ',');
        for (size_t j = 0; j < t.rows[r].len; j++)
          if (t.rows[r].cells[j].col == k) {
            csv_field(out, t.rows[r].cells[j].text.ptr, t.rows[r].cells[j].text.len);
            break;
          }
      }
      buf_byte(out, '\n');
    }
  }
  table_free(&t);
  return rc;
}

EXPORT("trellis:pipeline/stage@0.1.0#process")
result_bytes_t *stage_process(uint8_t *ptr, size_t len) {
  json_t p = {ptr, len, 0, NULL, 0, 0};
  buf_t out = {0};
  int rc = convert(&p, &out);
  if (len) free(ptr);
  if (rc < 0) {
    free(out.ptr);
    buf_t msg = {0};
    buf_str(&msg, "invalid JSON at byte ");
    buf_u64(&msg, p.err_at);
    buf_str(&msg, ": ");
    buf_str(&msg, p.err);
    RESULT_AREA.tag = 1;
    RESULT_AREA.ptr = msg.ptr;
    RESULT_AREA.len = msg.len;
    return &RESULT_AREA;
  }
  return return_ok(out.ptr, out.len);
}

EXPORT("cabi_post_trellis:pipeline/stage@0.1.0#process")
void stage_process_post(result_bytes_t *r) { free_result_bytes(r); }

// result<string, parse-error>: tag at 0; ok string at 4/8; err message at 4/8, offset at 12.
typedef struct {
  uint8_t tag;
  uint8_t *ptr;
  size_t len;
  uint32_t offset;
} table_result_t;

_Static_assert(sizeof(table_result_t) == 16, "canonical layout of result<string, parse-error>");

static table_result_t TABLE_AREA;

EXPORT("trellis:pipeline/table@0.1.0#json-to-csv")
table_result_t *table_json_to_csv(uint8_t *ptr, size_t len) {
  json_t p = {ptr, len, 0, NULL, 0, 0};
  buf_t out = {0};
  int rc = convert(&p, &out);
  if (len) free(ptr);
  if (rc < 0) {
    free(out.ptr);
    bytes_t m = str_dup(p.err);
    TABLE_AREA = (table_result_t){1, m.ptr, m.len, (uint32_t)p.err_at};
  } else {
    TABLE_AREA = (table_result_t){0, out.ptr, out.len, 0};
  }
  return &TABLE_AREA;
}

EXPORT("cabi_post_trellis:pipeline/table@0.1.0#json-to-csv")
void table_json_to_csv_post(table_result_t *r) {
  if (r->len) free(r->ptr);
}
