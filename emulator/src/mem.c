// Sparse guest address space: a 4-level radix tree of 4 KiB pages (48-bit
// addresses), copy-on-write page buffers shared after fork, and small
// direct-mapped TLBs so the hot path is one compare and an add.
#include "emu.h"
#include <stdlib.h>
#include <string.h>

#define LVL(a, s) (((a) >> (s)) & 511)

Mem *mem_new(void) {
  Mem *m = calloc(1, sizeof(Mem));
  m->l4 = calloc(512, sizeof(void *));
  m->mmap_hint = 0x7ffff7ff0000ull;
  m->refs = 1;
  return m;
}

void tlb_flush(Mem *m) {
  memset(m->rtlb, 0, sizeof m->rtlb);
  memset(m->wtlb, 0, sizeof m->wtlb);
}

static Pte *pte_get(Mem *m, u64 addr, int create) {
  if (addr >> 48) return NULL;
  void **l3 = m->l4[LVL(addr, 39)];
  if (!l3) {
    if (!create) return NULL;
    l3 = m->l4[LVL(addr, 39)] = calloc(512, sizeof(void *));
  }
  void **l2 = l3[LVL(addr, 30)];
  if (!l2) {
    if (!create) return NULL;
    l2 = l3[LVL(addr, 30)] = calloc(512, sizeof(void *));
  }
  Pte *l1 = l2[LVL(addr, 21)];
  if (!l1) {
    if (!create) return NULL;
    l1 = l2[LVL(addr, 21)] = calloc(512, sizeof(Pte));
  }
  return &l1[LVL(addr, 12)];
}

static void buf_release(PageBuf *b) {
  if (b && --b->refs == 0) free(b);
}

// Records pages whose cached code must go; dropped once per operation.
typedef struct CodeRange { u64 lo, hi; } CodeRange;
static void code_note(CodeRange *r, Pte *p, u64 a) {
  if (!p->code) return;
  p->code = 0;
  if (r->lo > a >> 12) r->lo = a >> 12;
  if (r->hi < a >> 12 || r->hi == ~0ull) r->hi = a >> 12;
}
static void code_drop(Mem *m, CodeRange *r) {
  if (r->hi != ~0ull) code_invalidate(m, r->lo, r->hi);
}

void mem_map(Mem *m, u64 addr, u64 len, int prot) {
  u64 end = (addr + len + PAGE_MASK) & ~PAGE_MASK;
  CodeRange cr = {~0ull, ~0ull};
  for (u64 a = addr & ~PAGE_MASK; a < end; a += PAGE) {
    Pte *p = pte_get(m, a, 1);
    if (!p) continue;
    code_note(&cr, p, a);
    buf_release(p->buf);
    p->buf = NULL;
    p->prot = prot;
    p->mapped = 1;
  }
  code_drop(m, &cr);
  tlb_flush(m);
}

void mem_unmap(Mem *m, u64 addr, u64 len) {
  u64 end = (addr + len + PAGE_MASK) & ~PAGE_MASK;
  CodeRange cr = {~0ull, ~0ull};
  for (u64 a = addr & ~PAGE_MASK; a < end; a += PAGE) {
    Pte *p = pte_get(m, a, 0);
    if (!p) {
      // skip the rest of an absent 2 MiB leaf quickly
      a = (a | 0x1fffffull) - PAGE_MASK;
      continue;
    }
    code_note(&cr, p, a);
    buf_release(p->buf);
    memset(p, 0, sizeof *p);
  }
  code_drop(m, &cr);
  tlb_flush(m);
}

int mem_protect(Mem *m, u64 addr, u64 len, int prot) {
  u64 end = (addr + len + PAGE_MASK) & ~PAGE_MASK;
  int rc = 0;
  CodeRange cr = {~0ull, ~0ull};
  for (u64 a = addr & ~PAGE_MASK; a < end; a += PAGE) {
    Pte *p = pte_get(m, a, 0);
    if (!p || !p->mapped) {
      rc = -1;
      continue;
    }
    code_note(&cr, p, a);
    p->prot = prot;
  }
  code_drop(m, &cr);
  tlb_flush(m);
  return rc;
}

int mem_is_mapped(Mem *m, u64 addr) {
  Pte *p = pte_get(m, addr, 0);
  return p && p->mapped;
}

int mem_is_free(Mem *m, u64 addr, u64 len) {
  for (u64 a = addr & ~PAGE_MASK; a < addr + len; a += PAGE) {
    Pte *p = pte_get(m, a, 0);
    if (p && p->mapped) return 0;
  }
  return 1;
}

// Finds a free range below the mmap hint, top-down like Linux.
u64 mem_find_free(Mem *m, u64 len) {
  len = (len + PAGE_MASK) & ~PAGE_MASK;
  u64 a = (m->mmap_hint - len) & ~PAGE_MASK;
  while (a > 0x10000000ull) {
    u64 bad = 0;
    for (u64 x = a + len; x > a; x -= PAGE) {
      Pte *p = pte_get(m, x - PAGE, 0);
      if (p && p->mapped) {
        bad = x - PAGE;
        break;
      }
    }
    if (!bad) {
      m->mmap_hint = a;
      return a;
    }
    a = (bad - len) & ~PAGE_MASK;
  }
  return 0;
}

// Resolves a page for access, materialising zero pages and breaking COW.
u8 *mem_slow_ptr(Mem *m, u64 addr, int write) {
  Pte *p = pte_get(m, addr, 0);
  if (!p || !p->mapped || !(p->prot & (write ? PROT_W : PROT_R))) {
    if (!m->fault) m->fault_addr = addr;
    m->fault = 1;
    return NULL;
  }
  if (write && p->code) { // self-modifying code, or a page reused for new code
    p->code = 0;
    code_invalidate(m, addr >> 12, addr >> 12);
  }
  if (!p->buf) {
    p->buf = calloc(1, sizeof(PageBuf));
    p->buf->refs = 1;
  } else if (write && p->buf->refs > 1) {
    PageBuf *n = malloc(sizeof(PageBuf));
    n->refs = 1;
    memcpy(n->data, p->buf->data, PAGE);
    p->buf->refs--;
    p->buf = n;
  }
  u64 pn = addr >> 12;
  TlbEntry *r = &m->rtlb[pn & (TLB_SIZE - 1)];
  r->tag = pn + 1;
  r->host = p->buf->data;
  if (!p->code && (write || (p->prot & PROT_W && p->buf->refs == 1))) {
    TlbEntry *w = &m->wtlb[pn & (TLB_SIZE - 1)];
    if (p->prot & PROT_W && p->buf->refs == 1) {
      w->tag = pn + 1;
      w->host = p->buf->data;
    }
  }
  return p->buf->data + (addr & PAGE_MASK);
}

int mem_read(Mem *m, u64 addr, void *dst, u64 len) {
  u8 *d = dst;
  while (len) {
    u64 n = PAGE - (addr & PAGE_MASK);
    if (n > len) n = len;
    u8 *s = mem_rptr(m, addr);
    if (!s) return -1;
    memcpy(d, s, n);
    d += n;
    addr += n;
    len -= n;
  }
  return 0;
}

int mem_write(Mem *m, u64 addr, const void *src, u64 len) {
  const u8 *s = src;
  while (len) {
    u64 n = PAGE - (addr & PAGE_MASK);
    if (n > len) n = len;
    u8 *d = mem_wptr(m, addr);
    if (!d) return -1;
    memcpy(d, s, n);
    s += n;
    addr += n;
    len -= n;
  }
  return 0;
}

int mem_write_force(Mem *m, u64 addr, const void *src, u64 len) {
  const u8 *s = src;
  if (snap_armed) snap_note_copy(addr, src, len); // file pages a snapshot need not carry
  while (len) {
    u64 n = PAGE - (addr & PAGE_MASK);
    if (n > len) n = len;
    Pte *p = pte_get(m, addr, 0);
    if (!p || !p->mapped) return -1;
    int old = p->prot;
    p->prot |= PROT_W | PROT_R;
    u8 *d = mem_slow_ptr(m, addr, 1);
    p->prot = old;
    if (!d) return -1;
    memcpy(d, s, n);
    s += n;
    addr += n;
    len -= n;
  }
  tlb_flush(m);
  return 0;
}

u8 *mem_code_page(Mem *m, u64 addr, int mark) {
  Pte *p = pte_get(m, addr, 0);
  if (!p || !p->mapped || !(p->prot & PROT_X)) {
    if (!m->fault) m->fault_addr = addr;
    m->fault = 1;
    return NULL;
  }
  if (!p->buf) {
    p->buf = calloc(1, sizeof(PageBuf));
    p->buf->refs = 1;
  }
  if (mark && !p->code) {
    p->code = 1;
    u64 pn = addr >> 12;
    TlbEntry *w = &m->wtlb[pn & (TLB_SIZE - 1)];
    if (w->tag == pn + 1) w->tag = 0; // writes must see the mark
  }
  return p->buf->data;
}

long mem_strlen(Mem *m, u64 addr, long max) {
  for (long i = 0; i < max; i++) {
    u8 *p = mem_rptr(m, addr + i);
    if (!p) return -1;
    if (!*p) return i;
  }
  return -1;
}

Mem *mem_fork(Mem *m) {
  Mem *n = mem_new();
  n->brk_start = m->brk_start;
  n->brk = m->brk;
  n->mmap_hint = m->mmap_hint;
  for (int i = 0; i < 512; i++) {
    void **l3 = m->l4[i];
    if (!l3) continue;
    void **n3 = n->l4[i] = calloc(512, sizeof(void *));
    for (int j = 0; j < 512; j++) {
      void **l2 = l3[j];
      if (!l2) continue;
      void **n2 = n3[j] = calloc(512, sizeof(void *));
      for (int k = 0; k < 512; k++) {
        Pte *l1 = l2[k];
        if (!l1) continue;
        Pte *n1 = n2[k] = malloc(512 * sizeof(Pte));
        memcpy(n1, l1, 512 * sizeof(Pte));
        for (int x = 0; x < 512; x++) {
          if (l1[x].buf) l1[x].buf->refs++;
          n1[x].code = 0; // the child starts with an empty decode cache
        }
      }
    }
  }
  tlb_flush(m); // parent's write TLB must not bypass COW now
  return n;
}

void mem_free(Mem *m) {
  if (--m->refs > 0) return;
  code_free(m);
  for (int i = 0; i < 512; i++) {
    void **l3 = m->l4[i];
    if (!l3) continue;
    for (int j = 0; j < 512; j++) {
      void **l2 = l3[j];
      if (!l2) continue;
      for (int k = 0; k < 512; k++) {
        Pte *l1 = l2[k];
        if (!l1) continue;
        for (int x = 0; x < 512; x++) buf_release(l1[x].buf);
        free(l1);
      }
      free(l2);
    }
    free(l3);
  }
  free(m->l4);
  free(m);
}

// The buffer behind a guest page, or NULL (absent, or never touched).
PageBuf *mem_page_buf(Mem *m, u64 addr) {
  Pte *p = pte_get(m, addr, 0);
  return p && p->mapped ? p->buf : NULL;
}

int mem_prot_of(Mem *m, u64 addr) {
  Pte *p = pte_get(m, addr, 0);
  return p && p->mapped ? p->prot : -1;
}
