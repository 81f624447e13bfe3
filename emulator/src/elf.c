// ELF64 loader: static, static-pie and dynamic (PT_INTERP) executables and
// shebang scripts, plus the initial process stack (argv, envp, auxv).
#include "emu.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lx.h"

#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6

typedef struct {
  u8 ident[16];
  u16 type, machine;
  u32 version;
  u64 entry, phoff, shoff;
  u32 flags;
  u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} Ehdr;

typedef struct {
  u32 type, flags;
  u64 offset, vaddr, paddr, filesz, memsz, align;
} Phdr;

typedef struct {
  u64 base, entry, phdr, phnum, end;
  char interp[512];
} Loaded;

static int load_image(Mem *m, const u8 *data, u64 len, u64 base_hint, Loaded *out, char *err, size_t errlen) {
  if (len < sizeof(Ehdr)) return -ENOEXEC;
  Ehdr eh;
  memcpy(&eh, data, sizeof eh);
  if (memcmp(eh.ident, "\x7f" "ELF", 4) || eh.ident[4] != 2 || eh.ident[5] != 1) return -ENOEXEC;
  if (eh.machine != 62) {
    snprintf(err, errlen, "not an x86-64 executable (e_machine %u)", eh.machine);
    return -ENOEXEC;
  }
  if (eh.type != 2 && eh.type != 3) return -ENOEXEC;
  if (eh.phentsize != sizeof(Phdr) || eh.phoff > len || (u64)eh.phnum * sizeof(Phdr) > len - eh.phoff) return -ENOEXEC;
  const Phdr *ph = (const Phdr *)(void *)(data + eh.phoff);
  Phdr p0;
  u64 lo = ~0ull, hi = 0;
  out->interp[0] = 0;
  out->phdr = 0;
  for (int i = 0; i < eh.phnum; i++) {
    memcpy(&p0, ph + i, sizeof p0);
    if (p0.type == PT_LOAD) {
      if (p0.vaddr < lo) lo = p0.vaddr;
      if (p0.vaddr + p0.memsz > hi) hi = p0.vaddr + p0.memsz;
    } else if (p0.type == PT_INTERP) {
      if (p0.offset > len || p0.filesz > len - p0.offset || p0.filesz >= sizeof out->interp) return -ENOEXEC;
      memcpy(out->interp, data + p0.offset, p0.filesz);
      out->interp[p0.filesz] = 0;
    }
  }
  if (lo == ~0ull) return -ENOEXEC;
  u64 base = eh.type == 3 ? base_hint - (lo & ~PAGE_MASK) : 0;
  for (int i = 0; i < eh.phnum; i++) {
    memcpy(&p0, ph + i, sizeof p0);
    if (p0.type == PT_PHDR) out->phdr = base + p0.vaddr;
    if (p0.type != PT_LOAD) continue;
    if (p0.offset > len || p0.filesz > len - p0.offset || p0.filesz > p0.memsz) return -ENOEXEC;
    int prot = ((p0.flags & 4) ? PROT_R : 0) | ((p0.flags & 2) ? PROT_W : 0) | ((p0.flags & 1) ? PROT_X : 0);
    u64 start = (base + p0.vaddr) & ~PAGE_MASK, end = (base + p0.vaddr + p0.memsz + PAGE_MASK) & ~PAGE_MASK;
    for (u64 a = start; a < end; a += PAGE) {
      int old = mem_prot_of(m, a);
      if (old < 0) mem_map(m, a, PAGE, prot);
      else mem_protect(m, a, PAGE, old | prot);
    }
    if (p0.filesz && mem_write_force(m, base + p0.vaddr, data + p0.offset, p0.filesz)) return -ENOMEM;
    if (!out->phdr && eh.phoff >= p0.offset && eh.phoff < p0.offset + p0.filesz)
      out->phdr = base + p0.vaddr + (eh.phoff - p0.offset);
  }
  out->base = base;
  out->entry = base + eh.entry;
  out->phnum = eh.phnum;
  out->end = base + hi;
  return 0;
}

static int read_file(Proc *p, const char *path, const u8 **data, u64 *len, char *abs, int need_exec) {
  int rc = vfs_resolve(p->cwd, path, 1, abs, 1024);
  if (rc) return rc;
  VNode n;
  if (vfs_lookup(abs, &n)) return -ENOENT;
  VStat st;
  vfs_stat(&n, &st);
  if ((st.mode & S_IFMT_) == S_IFDIR_) return -EACCES;
  if ((st.mode & S_IFMT_) != S_IFREG_) return -EACCES;
  if (need_exec && !(st.mode & 0111)) return -EACCES;
  *data = vfs_data(&n, len);
  return 0;
}

static u64 push_bytes(Mem *m, u64 *sp, const void *b, u64 n) {
  *sp -= n;
  mem_write(m, *sp, b, n);
  return *sp;
}

int exec_load(Proc *p, const char *path, char **argv, char **envp, char *err, size_t errlen) {
  char abs[1024];
  const u8 *data;
  u64 len;
  char self[1024];
  if (!strcmp(path, "/proc/self/exe")) { // busybox re-executes itself this way
    snprintf(self, sizeof self, "%s", p->exe);
    path = self;
  }
  int rc = read_file(p, path, &data, &len, abs, 1);
  if (rc) return rc;
  // shebang: "#!interp [one-arg]"
  char *sargv[4];
  int depth = 0;
  char **use_argv = argv;
  char **heap_argv = NULL;
  char shbuf[2][256];
  while (len >= 2 && data[0] == '#' && data[1] == '!') {
    if (++depth > 4) return -ELOOP;
    u64 e = 2;
    while (e < len && e < 255 && data[e] != '\n') e++;
    char line[256];
    memcpy(line, data + 2, e - 2);
    line[e - 2] = 0;
    char *s = line;
    while (*s == ' ' || *s == '\t') s++;
    char *t = s;
    while (*t && *t != ' ' && *t != '\t') t++;
    char *arg = NULL;
    if (*t) {
      *t++ = 0;
      while (*t == ' ' || *t == '\t') t++;
      if (*t) {
        arg = t;
        char *z = arg + strlen(arg);
        while (z > arg && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\r')) *--z = 0;
      }
    }
    if (!*s) return -ENOEXEC;
    int n = 0;
    strcpy(shbuf[0], s);
    sargv[n++] = shbuf[0];
    if (arg) { strcpy(shbuf[1], arg); sargv[n++] = shbuf[1]; }
    int ac = 0;
    while (use_argv[ac]) ac++;
    char **nv = malloc(sizeof(char *) * (ac + n + 2));
    int k = 0;
    for (int i = 0; i < n; i++) nv[k++] = strdup(sargv[i]);
    nv[k++] = strdup(path);
    for (int i = 1; i < ac; i++) nv[k++] = strdup(use_argv[i]);
    nv[k] = NULL;
    if (heap_argv) { for (int i = 0; heap_argv[i]; i++) free(heap_argv[i]); free(heap_argv); }
    heap_argv = use_argv = nv;
    rc = read_file(p, shbuf[0], &data, &len, abs, 1);
    if (rc) goto out;
    path = use_argv[0];
  }
  Mem *m = mem_new();
  Loaded main_img, interp_img;
  rc = load_image(m, data, len, 0x555555554000ull, &main_img, err, errlen);
  if (rc) { mem_free(m); goto out; }
  u64 entry = main_img.entry, at_base = 0;
  if (main_img.interp[0]) {
    const u8 *idata;
    u64 ilen;
    char iabs[1024];
    rc = read_file(p, main_img.interp, &idata, &ilen, iabs, 0);
    if (rc) {
      snprintf(err, errlen, "interpreter %s not found in the rootfs", main_img.interp);
      mem_free(m);
      goto out;
    }
    rc = load_image(m, idata, ilen, 0x7ffff7fc3000ull, &interp_img, err, errlen);
    if (rc) { mem_free(m); goto out; }
    entry = interp_img.entry;
    at_base = interp_img.base;
  }
  m->brk_start = m->brk = (main_img.end + PAGE_MASK) & ~PAGE_MASK;
  if (!main_img.interp[0] && main_img.base) {
    // static-pie: keep the heap away from the image like Linux does
    m->brk_start = m->brk = m->brk + 0x10000;
  }
  // stack: 8 MiB reserved, zero-filled on demand
  u64 top = 0x7ffffffff000ull;
  mem_map(m, top - (8ull << 20), 8ull << 20, PROT_R | PROT_W);
  m->mmap_hint = 0x7ffff7ff0000ull - 0x100000ull;
  if (at_base) m->mmap_hint = at_base - 0x10000;
  u64 sp = top - 8;
  int argc = 0, envc = 0;
  while (use_argv[argc]) argc++;
  while (envp[envc]) envc++;
  u64 execfn = push_bytes(m, &sp, path, strlen(path) + 1);
  u64 *envaddr = malloc(sizeof(u64) * (envc + 1));
  u64 *argaddr = malloc(sizeof(u64) * (argc + 1));
  for (int i = envc - 1; i >= 0; i--) envaddr[i] = push_bytes(m, &sp, envp[i], strlen(envp[i]) + 1);
  for (int i = argc - 1; i >= 0; i--) argaddr[i] = push_bytes(m, &sp, use_argv[i], strlen(use_argv[i]) + 1);
  u64 platform = push_bytes(m, &sp, "x86_64", 7);
  u8 rnd[16];
  extern void host_random(void *, size_t);
  host_random(rnd, 16);
  sp &= ~15ull;
  u64 random = push_bytes(m, &sp, rnd, 16);
  u64 hwcap = 1u | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 15) | (1u << 19) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26);
  u64 aux[][2] = {
      {3, main_img.phdr}, {4, 56}, {5, main_img.phnum}, {6, 4096}, {7, at_base}, {8, 0}, {9, main_img.entry},
      {11, 0}, {12, 0}, {13, 0}, {14, 0}, {16, hwcap}, {17, 100}, {23, 0}, {25, random}, {26, 0},
      {31, execfn}, {15, platform}, {51, 2048}, {0, 0}};
  int naux = sizeof aux / sizeof aux[0];
  extern u32 guest_uid, guest_gid;
  for (int i = 0; i < naux; i++) {
    if (aux[i][0] == 11 || aux[i][0] == 12) aux[i][1] = guest_uid;
    if (aux[i][0] == 13 || aux[i][0] == 14) aux[i][1] = guest_gid;
  }
  u64 words = (u64)naux * 2 + (envc + 1) + (argc + 1) + 1;
  sp -= words * 8;
  sp &= ~15ull;
  u64 w = sp;
  u64 v = (u64)argc;
  mem_write(m, w, &v, 8); w += 8;
  for (int i = 0; i < argc; i++) { mem_write(m, w, &argaddr[i], 8); w += 8; }
  v = 0;
  mem_write(m, w, &v, 8); w += 8;
  for (int i = 0; i < envc; i++) { mem_write(m, w, &envaddr[i], 8); w += 8; }
  mem_write(m, w, &v, 8); w += 8;
  for (int i = 0; i < naux; i++) { mem_write(m, w, aux[i], 16); w += 16; }
  free(envaddr);
  free(argaddr);
  if (m->fault) { mem_free(m); rc = -ENOMEM; goto out; }
  // commit: replace the address space and CPU state
  if (p->mem) mem_free(p->mem);
  p->mem = m;
  cpu_reset(&p->cpu);
  p->cpu.r[4] = sp;
  p->cpu.rip = entry;
  strncpy(p->exe, abs, sizeof p->exe - 1);
  for (int i = 1; i < 65; i++) // handlers reset, ignored stay ignored
    if (p->sig[i].handler > 1) memset(&p->sig[i], 0, sizeof p->sig[i]);
  rc = 0;
out:
  if (heap_argv) { for (int i = 0; heap_argv[i]; i++) free(heap_argv[i]); free(heap_argv); }
  return rc;
}
