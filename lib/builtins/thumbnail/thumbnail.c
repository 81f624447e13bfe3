// Thumbnail: box-filter downscaling. The stage reads binary PGM (P5) or PPM
// (P6) with 8-bit samples and writes the same format at most 64 px a side.
#include "../common/cabi.h"

#define STAGE_MAX_SIDE 64
#define MAX_PIXELS (64u * 1024u * 1024u)

typedef struct {
  uint32_t width, height, channels;
  uint8_t *pixels;
  size_t len;
} bitmap_t;

// Downscales `src` so that neither side exceeds max_side (never upscales).
static const char *shrink(const bitmap_t *src, uint32_t max_side, bitmap_t *dst) {
  if (src->channels != 1 && src->channels != 3 && src->channels != 4) return "channels must be 1, 3 or 4";
  if (src->width == 0 || src->height == 0) return "image is empty";
  if ((uint64_t)src->width * src->height > MAX_PIXELS) return "image has more than 64 Mpx";
  if ((uint64_t)src->width * src->height * src->channels != src->len) return "pixel data length does not match width * height * channels";
  if (max_side == 0) return "max-side must be at least 1";
  uint32_t tw = src->width, th = src->height;
  if (tw > max_side || th > max_side) {
    if (tw >= th) {
      th = (uint32_t)(((uint64_t)th * max_side + tw / 2) / tw);
      tw = max_side;
    } else {
      tw = (uint32_t)(((uint64_t)tw * max_side + th / 2) / th);
      th = max_side;
    }
    if (tw == 0) tw = 1;
    if (th == 0) th = 1;
  }
  uint32_t c = src->channels;
  dst->width = tw;
  dst->height = th;
  dst->channels = c;
  dst->len = (size_t)tw * th * c;
  dst->pixels = malloc(dst->len ? dst->len : 1);
  for (uint32_t oy = 0; oy < th; oy++) {
    uint32_t y0 = (uint32_t)((uint64_t)oy * src->height / th), y1 = (uint32_t)((uint64_t)(oy + 1) * src->height / th);
    if (y1 <= y0) y1 = y0 + 1;
    for (uint32_t ox = 0; ox < tw; ox++) {
      uint32_t x0 = (uint32_t)((uint64_t)ox * src->width / tw), x1 = (uint32_t)((uint64_t)(ox + 1) * src->width / tw);
      if (x1 <= x0) x1 = x0 + 1;
      for (uint32_t ch = 0; ch < c; ch++) {
        uint64_t sum = 0;
        for (uint32_t y = y0; y < y1; y++)
          for (uint32_t x = x0; x < x1; x++) sum += src->pixels[((size_t)y * src->width + x) * c + ch];
        uint64_t area = (uint64_t)(y1 - y0) * (x1 - x0);
        dst->pixels[((size_t)oy * tw + ox) * c + ch] = (uint8_t)((sum + area / 2) / area);
      }
    }
  }
  return NULL;
}

// Reads a PNM header field: whitespace and # comments, then a decimal number.
static int pnm_number(const uint8_t *s, size_t n, size_t *i, uint32_t *out) {
  for (;;) {
    while (*i < n && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r')) (*i)++;
    if (*i < n && s[*i] == '#') {
      while (*i < n && s[*i] != '\n') (*i)++;
      continue;
    }
    break;
  }
  uint64_t v = 0;
  size_t start = *i;
  while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
    v = v * 10 + (s[*i] - '0');
    if (v > 0xFFFFFFFFu) return -1;
    (*i)++;
  }
  if (*i == start) return -1;
  *out = (uint32_t)v;
  return 0;
}

EXPORT("trellis:pipeline/stage@0.1.0#process")
result_bytes_t *stage_process(uint8_t *ptr, size_t len) {
  const char *problem = NULL;
  bitmap_t src = {0}, dst = {0};
  size_t i = 2;
  uint32_t maxval = 0;
  if (len < 2 || ptr[0] != 'P' || (ptr[1] != '5' && ptr[1] != '6')) problem = "not a binary PGM (P5) or PPM (P6) image";
  else if (pnm_number(ptr, len, &i, &src.width) || pnm_number(ptr, len, &i, &src.height) ||
           pnm_number(ptr, len, &i, &maxval))
    problem = "malformed PNM header";
  else if (maxval == 0 || maxval > 255) problem = "only 8-bit PNM (maxval 1..255) is supported";
  else if (i >= len || !(ptr[i] == ' ' || ptr[i] == '\t' || ptr[i] == '\n' || ptr[i] == '\r')) problem = "malformed PNM header";
  if (!problem) {
    i++;
    src.channels = ptr[1] == '5' ? 1 : 3;
    uint64_t need = (uint64_t)src.width * src.height * src.channels;
    if ((uint64_t)src.width * src.height > MAX_PIXELS) problem = "image has more than 64 Mpx";
    else if (len - i < need) problem = "PNM pixel data is truncated";
    else {
      src.pixels = ptr + i;
      src.len = (size_t)need;
      if (maxval != 255) // rescale to the full 8-bit range
        for (size_t k = 0; k < src.len; k++) src.pixels[k] = (uint8_t)((src.pixels[k] * 255u + maxval / 2) / maxval);
      problem = shrink(&src, STAGE_MAX_SIDE, &dst);
    }
  }
  if (len) free(ptr);
  if (problem) return return_err(problem);
  buf_t out = {0};
  buf_str(&out, dst.channels == 1 ? "P5\n" : "P6\n");
  buf_u64(&out, dst.width);
  buf_byte(&out, ' ');
  buf_u64(&out, dst.height);
  buf_str(&out, "\n255\n");
  buf_push(&out, dst.pixels, dst.len);
  free(dst.pixels);
  return return_ok(out.ptr, out.len);
}

EXPORT("cabi_post_trellis:pipeline/stage@0.1.0#process")
void stage_process_post(result_bytes_t *r) { free_result_bytes(r); }

// result<bitmap, string>: tag at 0; bitmap width 4, height 8, channels 12,
// pixels 16/20; error string at 4/8.
typedef struct {
  uint8_t tag;
  union {
    struct {
      uint32_t width, height;
      uint8_t channels;
      uint8_t *pixels;
      size_t len;
    } ok;
    bytes_t error;
  } u;
} bitmap_result_t;

_Static_assert(sizeof(bitmap_result_t) == 24, "canonical layout of result<bitmap, string>");

static bitmap_result_t BITMAP_AREA;

EXPORT("trellis:pipeline/image@0.1.0#thumbnail")
bitmap_result_t *image_thumbnail(uint32_t width, uint32_t height, uint32_t channels, uint8_t *pixels, size_t len,
                                 uint32_t max_side) {
  bitmap_t src = {width, height, channels & 0xFF, pixels, len}, dst = {0};
  const char *problem = shrink(&src, max_side, &dst);
  if (len) free(pixels);
  memset(&BITMAP_AREA, 0, sizeof BITMAP_AREA);
  if (problem) {
    BITMAP_AREA.tag = 1;
    BITMAP_AREA.u.error = str_dup(problem);
  } else {
    BITMAP_AREA.u.ok.width = dst.width;
    BITMAP_AREA.u.ok.height = dst.height;
    BITMAP_AREA.u.ok.channels = (uint8_t)dst.channels;
    BITMAP_AREA.u.ok.pixels = dst.pixels;
    BITMAP_AREA.u.ok.len = dst.len;
  }
  return &BITMAP_AREA;
}

EXPORT("cabi_post_trellis:pipeline/image@0.1.0#thumbnail")
void image_thumbnail_post(bitmap_result_t *r) {
  if (r->tag) free(r->u.error.ptr);
  else free(r->u.ok.pixels);
}
