// Memory system calls on the guest address space (mem.c): mmap, brk, mremap,
// mprotect, munmap, mincore and the advice-only calls.
#include "syscall.h"

// ---------- memory ----------
static i64 do_mmap(Proc *p, u64 addr, u64 len, i64 prot, i64 flags, i64 fd, u64 off) {
  if (!len) return E(EINVAL);
  if (off & PAGE_MASK) return E(EINVAL);
  u64 alen = (len + PAGE_MASK) & ~PAGE_MASK;
  Mem *m = p->mem;
  File *f = NULL;
  if (!(flags & 0x20)) {
    f = fd_get(p, (i32)fd);
    if (!f) return E(EBADF);
    if (f->kind != FK_REG && !(f->kind == FK_DEV && f->dev == 2)) return E(ENODEV);
  }
  u64 at;
  if (flags & 0x10) { // MAP_FIXED
    if (addr & PAGE_MASK) return E(EINVAL);
    at = addr;
  } else if (flags & 0x100000) { // MAP_FIXED_NOREPLACE
    if (!mem_is_free(m, addr, alen)) return E(EEXIST);
    at = addr;
  } else if (addr && !(addr & PAGE_MASK) && addr + alen < (1ull << 47) && mem_is_free(m, addr, alen)) {
    at = addr;
  } else {
    at = mem_find_free(m, alen);
    if (!at) return E(ENOMEM);
  }
  mem_map(m, at, alen, (int)(prot & 7));
  if (f && f->kind == FK_REG) {
    u64 flen;
    const u8 *d = vfs_data(&f->node, &flen);
    if (off < flen) {
      u64 n = flen - off < len ? flen - off : len;
      mem_write_force(m, at, d + off, n);
    }
  }
  return (i64)at;
}

static i64 do_brk(Proc *p, u64 addr) {
  Mem *m = p->mem;
  if (addr < m->brk_start) return (i64)m->brk;
  u64 oldend = (m->brk + PAGE_MASK) & ~PAGE_MASK, newend = (addr + PAGE_MASK) & ~PAGE_MASK;
  if (newend > oldend) {
    if (!mem_is_free(m, oldend, newend - oldend)) return (i64)m->brk;
    mem_map(m, oldend, newend - oldend, PROT_R | PROT_W);
  } else if (newend < oldend) {
    mem_unmap(m, newend, oldend - newend);
  }
  m->brk = addr;
  return (i64)addr;
}

static i64 do_mremap(Proc *p, u64 old, u64 olen, u64 nlen, i64 flags, u64 naddr) {
  Mem *m = p->mem;
  if (old & PAGE_MASK) return E(EINVAL);
  olen = (olen + PAGE_MASK) & ~PAGE_MASK;
  nlen = (nlen + PAGE_MASK) & ~PAGE_MASK;
  if (!nlen) return E(EINVAL);
  int prot = mem_prot_of(m, old);
  if (prot < 0) return E(EFAULT);
  if (!(flags & 2)) {
    if (nlen <= olen) {
      if (nlen < olen) mem_unmap(m, old + nlen, olen - nlen);
      return (i64)old;
    }
    if (mem_is_free(m, old + olen, nlen - olen)) {
      mem_map(m, old + olen, nlen - olen, prot);
      return (i64)old;
    }
    if (!(flags & 1)) return E(ENOMEM);
  }
  u64 at = (flags & 2) ? naddr : mem_find_free(m, nlen);
  if (!at) return E(ENOMEM);
  if (flags & 2) mem_unmap(m, at, nlen);
  mem_map(m, at, nlen, prot | PROT_R);
  u64 n = olen < nlen ? olen : nlen;
  u8 *tmp = malloc(PAGE);
  for (u64 o = 0; o < n; o += PAGE) {
    if (!mem_read(m, old + o, tmp, PAGE)) mem_write_force(m, at + o, tmp, PAGE);
    m->fault = 0;
  }
  free(tmp);
  mem_protect(m, at, nlen, prot);
  mem_unmap(m, old, olen);
  return (i64)at;
}


// ---------- handlers ----------
i64 sys_mmap(Proc *p) { return do_mmap(p, ARG0, ARG1, (i32)ARG2, (i32)ARG3, (i32)ARG4, ARG5); }
i64 sys_mprotect(Proc *p) { return mem_protect(p->mem, ARG0 & ~PAGE_MASK, ARG1 + (ARG0 & PAGE_MASK), (int)(ARG2 & 7)) ? E(ENOMEM) : 0; }
i64 sys_munmap(Proc *p) {
  if (ARG0 & PAGE_MASK) return E(EINVAL);
  mem_unmap(p->mem, ARG0, ARG1);
  return 0;
}
i64 sys_brk(Proc *p) { return do_brk(p, ARG0); }
i64 sys_mremap(Proc *p) { return do_mremap(p, ARG0, ARG1, ARG2, (i32)ARG3, ARG4); }

i64 sys_mincore(Proc *p) { // ENOMEM for unmapped pages (stack probes rely on it)
  if (ARG0 & PAGE_MASK) return E(EINVAL);
  u64 n = (ARG1 + PAGE_MASK) / PAGE;
  u8 one = 1;
  i64 r = 0;
  for (u64 i = 0; i < n && !r; i++)
    if (!mem_is_mapped(p->mem, ARG0 + i * PAGE)) r = E(ENOMEM);
  for (u64 i = 0; i < n && !r; i++) r = put(p, ARG2 + i, &one, 1);
  return r;
}

// MADV_DONTNEED/MADV_FREE drop the pages: the next touch sees zeros, as for
// private anonymous memory on Linux (jemalloc checks this). Other advice is a hint.
i64 sys_madvise(Proc *p) {
  if (ARG0 & PAGE_MASK) return E(EINVAL);
  int advice = (int)ARG2;
  if (advice != 4 && advice != 8) return 0;
  u64 end = (ARG0 + ARG1 + PAGE_MASK) & ~PAGE_MASK;
  for (u64 a = ARG0; a < end; a += PAGE) {
    int prot = mem_prot_of(p->mem, a);
    if (prot < 0) return a == ARG0 ? E(ENOMEM) : 0;
    mem_map(p->mem, a, PAGE, prot);
  }
  return 0;
}
