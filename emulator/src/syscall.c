// Linux x86-64 system calls on top of WASI: the guest file system (vfs.c),
// memory, processes (fork/exec/wait/pipes/signals) and time.
#include "emu.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include "lx.h"

#define E(x) (-(i64)(x))
#define RAXR 0
#define ARG0 c->r[7]
#define ARG1 c->r[6]
#define ARG2 c->r[2]
#define ARG3 c->r[10]
#define ARG4 c->r[8]
#define ARG5 c->r[9]
#define AT_FDCWD_ (-100)

u32 guest_uid = 0, guest_gid = 0;
int resched; // ask the interpreter loop to return to the scheduler after this syscall
int next_pid = 2;

static const char *sys_name(int n);

// ---------- guest memory helpers ----------
static int get_str(Proc *p, u64 a, char *buf, size_t n) {
  long l = mem_strlen(p->mem, a, (long)n);
  if (l < 0) { p->mem->fault = 0; return l == -1 && mem_is_mapped(p->mem, a) ? -ENAMETOOLONG : -EFAULT; }
  mem_read(p->mem, a, buf, (u64)l + 1);
  return 0;
}
static int put(Proc *p, u64 a, const void *b, u64 n) {
  if (mem_write(p->mem, a, b, n)) { p->mem->fault = 0; return -EFAULT; }
  return 0;
}
static int get(Proc *p, u64 a, void *b, u64 n) {
  if (mem_read(p->mem, a, b, n)) { p->mem->fault = 0; return -EFAULT; }
  return 0;
}

// ---------- fds ----------
static File *fd_get(Proc *p, i64 fd) {
  if (fd < 0 || fd >= 256) return NULL;
  return p->fds->fd[fd];
}
static int fd_install(Proc *p, File *f, int min, int cloexec) {
  for (int i = min; i < 256; i++)
    if (!p->fds->fd[i]) {
      p->fds->fd[i] = f;
      p->fds->cloexec[i] = (u8)cloexec;
      return i;
    }
  file_unref(f);
  return -EMFILE;
}
static void fd_close(Proc *p, int fd) {
  File *f = p->fds->fd[fd];
  if (!f) return;
  p->fds->fd[fd] = NULL;
  p->fds->cloexec[fd] = 0;
  file_unref(f);
}

// Resolves a path argument relative to a directory fd.
static int at_path(Proc *p, i64 dirfd, u64 upath, int follow, char *abs, char *raw) {
  char path[4096];
  int rc = get_str(p, upath, path, sizeof path);
  if (rc) return rc;
  if (raw) strcpy(raw, path);
  if (!path[0]) return -ENOENT;
  const char *base = p->cwd;
  if (path[0] != '/' && (i32)dirfd != AT_FDCWD_) {
    File *f = fd_get(p, (i32)dirfd);
    if (!f) return -EBADF;
    if (f->kind != FK_DIR) return -ENOTDIR;
    base = f->path;
  }
  if (!strncmp(path, "/proc/self/", 11)) {
    strcpy(abs, path);
    return 0;
  }
  return vfs_resolve(base, path, follow, abs, 1024);
}

static int proc_fd_num(const char *abs) {
  if (!strncmp(abs, "/proc/self/fd/", 14)) return atoi(abs + 14);
  return -1;
}

// ---------- stat ----------
static void host_stat_of(File *f, VStat *st) {
  memset(st, 0, sizeof *st);
  st->mode = (f->hostfd >= 0 && isatty(f->hostfd) ? S_IFCHR_ : S_IFIFO_) | 0620;
  st->nlink = 1;
  st->ino = 100 + (u64)f->hostfd;
  st->uid = guest_uid;
  st->gid = guest_gid;
}
static int file_stat(Proc *p, File *f, VStat *st) {
  (void)p;
  switch (f->kind) {
  case FK_REG: case FK_DIR: case FK_DEV: vfs_stat(&f->node, st); return 0;
  case FK_PIPE_R: case FK_PIPE_W:
    memset(st, 0, sizeof *st);
    st->mode = S_IFIFO_ | 0600;
    st->nlink = 1;
    st->ino = (u64)(uintptr_t)f->pipe;
    return 0;
  default: host_stat_of(f, st); return 0;
  }
}
// 512-byte blocks as ext4 reports them: 4 KiB allocation units; short symlinks
// live in the inode; devices and pipes take none.
static u64 st_blocks(const VStat *st) {
  u32 t = st->mode & S_IFMT_;
  if ((t == S_IFLNK_ && st->size < 60) || t == S_IFCHR_ || t == S_IFIFO_) return 0;
  return (st->size + 4095) / 4096 * 8;
}

static int put_stat(Proc *p, u64 a, VStat *st) {
  u8 b[144];
  memset(b, 0, sizeof b);
  u64 dev = 0x803, blksize = 4096, blocks = st_blocks(st);
  u64 nlink = st->nlink;
  memcpy(b, &dev, 8);
  memcpy(b + 8, &st->ino, 8);
  memcpy(b + 16, &nlink, 8);
  memcpy(b + 24, &st->mode, 4);
  memcpy(b + 28, &st->uid, 4);
  memcpy(b + 32, &st->gid, 4);
  memcpy(b + 40, &st->rdev, 8);
  memcpy(b + 48, &st->size, 8);
  memcpy(b + 56, &blksize, 8);
  memcpy(b + 64, &blocks, 8);
  u64 ns = st->mtime_nsec;
  for (int i = 0; i < 3; i++) {
    memcpy(b + 72 + 16 * i, &st->mtime, 8);
    memcpy(b + 80 + 16 * i, &ns, 8);
  }
  return put(p, a, b, sizeof b);
}
static int put_statx(Proc *p, u64 a, VStat *st) {
  u8 b[256];
  memset(b, 0, sizeof b);
  u32 mask = 0x7ff, blksize = 4096;
  u16 mode = (u16)st->mode;
  u64 blocks = st_blocks(st);
  memcpy(b, &mask, 4);
  memcpy(b + 4, &blksize, 4);
  memcpy(b + 16, &st->nlink, 4);
  memcpy(b + 20, &st->uid, 4);
  memcpy(b + 24, &st->gid, 4);
  memcpy(b + 28, &mode, 2);
  memcpy(b + 32, &st->ino, 8);
  memcpy(b + 40, &st->size, 8);
  memcpy(b + 48, &blocks, 8);
  for (int i = 0; i < 4; i++) {
    memcpy(b + 64 + 16 * i, &st->mtime, 8);
    memcpy(b + 72 + 16 * i, &st->mtime_nsec, 4);
  }
  u32 rmaj = (u32)(st->rdev >> 8), rmin = (u32)(st->rdev & 0xff), dmaj = 8, dmin = 3;
  memcpy(b + 128, &rmaj, 4);
  memcpy(b + 132, &rmin, 4);
  memcpy(b + 136, &dmaj, 4);
  memcpy(b + 140, &dmin, 4);
  return put(p, a, b, sizeof b);
}

// ---------- read / write ----------
static int pipe_cap = 65536;

static i64 file_read(Proc *p, File *f, u8 *buf, u64 n, i64 at) {
  switch (f->kind) {
  case FK_REG: {
    u64 len;
    const u8 *d = vfs_data(&f->node, &len);
    u64 off = at >= 0 ? (u64)at : f->off;
    if (off >= len) return 0;
    if (n > len - off) n = len - off;
    memcpy(buf, d + off, n);
    if (at < 0) f->off += n;
    return (i64)n;
  }
  case FK_DIR: return E(EISDIR);
  case FK_PIPE_R: {
    Pipe *pp = f->pipe;
    if (pp->len == 0) {
      if (pp->writers == 0) return 0;
      if (f->flags & O_NONBLOCK) return E(EAGAIN);
      return SYS_BLOCK;
    }
    if (n > pp->len) n = pp->len;
    for (u64 i = 0; i < n; i++) buf[i] = pp->buf[(pp->head + i) % pp->cap];
    pp->head = (pp->head + (u32)n) % pp->cap;
    pp->len -= (u32)n;
    return (i64)n;
  }
  case FK_PIPE_W: return E(EBADF);
  case FK_DEV:
    switch (f->dev) {
    case 1: return 0;
    case 2: case 5: memset(buf, 0, n); return (i64)n;
    case 3: { extern void host_random(void *, size_t); host_random(buf, n); return (i64)n; }
    default: { ssize_t r = read(0, buf, n); return r < 0 ? E(EIO) : r; }
    }
  case FK_HOST: {
    ssize_t r = read(f->hostfd, buf, n);
    return r < 0 ? E(EIO) : r;
  }
  }
  return E(EBADF);
}

static i64 file_write(Proc *p, File *f, const u8 *buf, u64 n, i64 at) {
  switch (f->kind) {
  case FK_REG: {
    if ((f->flags & 3) == O_RDONLY) return E(EBADF);
    OvNode *o = f->node.ov;
    if (f->node.kind != 2) return E(EBADF);
    u64 off = at >= 0 ? (u64)at : (f->flags & O_APPEND) ? o->size : f->off;
    if (vfs_ensure_writable_data(o, off + n)) return E(ENOSPC);
    memcpy(o->data + off, buf, n);
    if (off + n > o->size) o->size = off + n;
    o->mtime = (i64)(now_ns() / 1000000000ull);
    if (at < 0) f->off = off + n;
    return (i64)n;
  }
  case FK_PIPE_W: {
    Pipe *pp = f->pipe;
    if (pp->readers == 0) {
      p->sigpending |= 1ull << (13 - 1);
      return E(EPIPE);
    }
    u32 room = pp->cap - pp->len;
    if (room == 0 || (n <= 4096 && room < n)) {
      if (f->flags & O_NONBLOCK) return E(EAGAIN);
      return SYS_BLOCK;
    }
    if (n > room) n = room;
    for (u64 i = 0; i < n; i++) pp->buf[(pp->head + pp->len + i) % pp->cap] = buf[i];
    pp->len += (u32)n;
    return (i64)n;
  }
  case FK_DEV:
    if (f->dev == 5) return E(ENOSPC);
    if (f->dev == 4) { ssize_t r = write(2, buf, n); return r < 0 ? E(EIO) : r; }
    return (i64)n;
  case FK_HOST: {
    u64 done = 0;
    while (done < n) {
      ssize_t r = write(f->hostfd, buf + done, n - done);
      if (r < 0) return done ? (i64)done : E(EIO);
      done += (u64)r;
    }
    return (i64)n;
  }
  default: return E(EBADF);
  }
}

// ---------- processes ----------
Proc procs[MAX_PROC];
Proc *cur;

static Proc *find_proc(int pid) {
  for (int i = 0; i < MAX_PROC; i++)
    if (procs[i].state != P_FREE && procs[i].pid == pid) return &procs[i];
  return NULL;
}

static FdTable *fds_copy(FdTable *t) {
  FdTable *n = calloc(1, sizeof *n);
  n->refs = 1;
  for (int i = 0; i < 256; i++)
    if (t->fd[i]) {
      n->fd[i] = t->fd[i];
      n->cloexec[i] = t->cloexec[i];
      file_ref(t->fd[i]);
    }
  return n;
}
static void fds_release(FdTable *t) {
  if (--t->refs > 0) return;
  for (int i = 0; i < 256; i++)
    if (t->fd[i]) file_unref(t->fd[i]);
  free(t);
}

static void wake_vfork_parent(Proc *p) {
  if (!p->vfork_parent) return;
  Proc *pp = find_proc(p->vfork_parent);
  if (pp) pp->vfork_wait = 0;
  p->vfork_parent = 0;
}

extern int init_exit_code;
extern int init_done;

void exit_proc(Proc *p, int status_word) {
  if (p->state == P_ZOMBIE || p->state == P_FREE) return;
  if (p->clear_tid) {
    u32 z = 0;
    mem_write(p->mem, p->clear_tid, &z, 4);
    p->mem->fault = 0;
    extern int futex_wake_ext(Mem *, u64, int);
    futex_wake_ext(p->mem, p->clear_tid, 1); // pthread_join waits on this
  }
  wake_vfork_parent(p);
  fds_release(p->fds);
  p->fds = NULL;
  mem_free(p->mem);
  p->mem = NULL;
  p->exit_status = status_word;
  if (p->is_thread) { // threads leave no zombie and send no SIGCHLD
    p->state = P_FREE;
    return;
  }
  p->state = P_ZOMBIE;
  for (int i = 0; i < MAX_PROC; i++)
    if (procs[i].state != P_FREE && procs[i].ppid == p->pid) {
      procs[i].ppid = 1;
      if (procs[i].state == P_ZOMBIE && p->pid != 1) procs[i].state = P_FREE; // nobody will reap
    }
  Proc *parent = find_proc(p->ppid);
  if (parent && parent->state != P_ZOMBIE) parent->sigpending |= 1ull << (17 - 1);
  if (p->pid == 1) {
    init_done = 1;
    init_exit_code = (status_word & 0x7f) ? 128 + (status_word & 0x7f) : (status_word >> 8) & 0xff;
  }
  if (!parent || parent->state == P_ZOMBIE) {
    if (p->pid != 1) p->state = P_FREE;
  }
}

void kill_proc(Proc *p, int sig) { exit_proc(p, sig & 0x7f); }

// A fault raised by an instruction: run the guest's handler (which may fix
// things and return to retry the instruction) or terminate as Linux does when
// the signal is blocked, ignored or has no handler.
void fault_signal(Proc *p, int sig, int code, u64 addr) {
  SigAct *sa = &p->sig[sig];
  if (sa->handler <= 1 || (p->sigmask >> (sig - 1)) & 1) {
    kill_proc(p, sig);
    return;
  }
  p->fault_sig = (u64)sig | ((u64)(u32)code << 32);
  p->fault_addr = addr;
  p->sigpending |= 1ull << (sig - 1);
  deliver_signals(p);
}

static int sig_default_ignored(int sig) { return sig == 17 || sig == 18 || sig == 23 || sig == 28 || (sig >= 19 && sig <= 22); }

// Builds a signal frame and enters the handler; returns 1 when a handler was entered.
static int enter_handler(Proc *p, int sig) {
  Cpu *c = &p->cpu;
  SigAct *sa = &p->sig[sig];
  u64 sp = c->r[4] - 128; // skip the red zone
  sp -= 512 + 16;         // fxsave area
  sp &= ~63ull;
  u64 fpstate = sp;
  fxsave(c, p->mem, fpstate);
  // ucontext: flags, link, stack(24), gregs[23], fpregs ptr, reserved[8], sigmask
  u64 uc[5 + 23 + 1 + 8 + 1];
  memset(uc, 0, sizeof uc);
  u64 *g = uc + 5;
  static const int order[16] = {8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4};
  for (int i = 0; i < 16; i++) g[i] = c->r[order[i]];
  g[16] = c->rip;
  g[17] = cpu_get_flags(c);
  g[18] = 0x33;
  uc[28] = fpstate;
  uc[37] = p->in_suspend ? p->suspend_mask : p->sigmask;
  if (p->in_suspend) p->sigmask = p->suspend_mask;
  p->in_suspend = 0;
  u8 info[128];
  memset(info, 0, sizeof info);
  memcpy(info, &sig, 4);
  if ((int)(p->fault_sig & 0xffffffffu) == sig) { // si_code and si_addr of a synchronous fault
    int code = (int)(p->fault_sig >> 32);
    memcpy(info + 8, &code, 4);
    memcpy(info + 16, &p->fault_addr, 8);
    p->fault_sig = 0;
  }
  sp -= sizeof uc;
  sp &= ~15ull;
  u64 ucp = sp;
  sp -= sizeof info;
  u64 infop = sp;
  sp -= 8; // return address slot; keeps (sp+8) % 16 == 0 at entry
  if (put(p, ucp, uc, sizeof uc) || put(p, infop, info, sizeof info) || put(p, sp, &sa->restorer, 8)) return -1;
  c->r[4] = sp;
  c->r[7] = (u64)sig;
  c->r[6] = infop;
  c->r[2] = ucp;
  c->r[0] = 0;
  c->rip = sa->handler;
  p->sigmask |= sa->mask | ((sa->flags & 0x40000000u) ? 0 : 1ull << (sig - 1)); // SA_NODEFER
  if (sa->flags & 0x80000000u) sa->handler = 0; // SA_RESETHAND
  return 1;
}

static i64 sys_rt_sigreturn(Proc *p) {
  Cpu *c = &p->cpu;
  u64 ucp = c->r[4] + 128; // after the restorer popped the return address: info(128) precedes uc
  u64 uc[5 + 23 + 1 + 8 + 1];
  if (get(p, ucp, uc, sizeof uc)) { kill_proc(p, 11); return 0; }
  u64 *g = uc + 5;
  static const int order[16] = {8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4};
  for (int i = 0; i < 16; i++) c->r[order[i]] = g[i];
  c->rip = g[16];
  cpu_set_flags(c, (g[17] & 0x254dd5) | 0x202);
  if (uc[28]) fxrstor(c, p->mem, uc[28]);
  p->sigmask = uc[37] & ~((1ull << 8) | (1ull << 18));
  return c->r[0];
}

void deliver_signals(Proc *p) {
  while (p->state == P_RUN || p->state == P_BLOCKED) {
    u64 ready = p->sigpending & ~p->sigmask;
    ready |= p->sigpending & ((1ull << 8) | (1ull << 18)); // KILL, STOP unblockable
    if (!ready) return;
    int sig = __builtin_ctzll(ready) + 1;
    p->sigpending &= ~(1ull << (sig - 1));
    SigAct *sa = &p->sig[sig];
    if (sig == 9 || (sa->handler == 0 && !sig_default_ignored(sig))) {
      kill_proc(p, sig);
      return;
    }
    if (sa->handler == 1 || sa->handler == 0) continue; // ignored
    if (p->state == P_BLOCKED) {
      // interrupt the blocked syscall
      p->cpu.rip += 2;
      p->cpu.r[0] = (u64)E(EINTR);
      p->sleep_until = 0;
      p->futex_addr = 0;
      p->futex_woken = 0;
      p->state = P_RUN;
    }
    if (enter_handler(p, sig) < 0) { kill_proc(p, 11); return; }
  }
}

static i64 do_fork(Proc *p, u64 flags, u64 newsp, u64 ptid, u64 ctid, u64 tls) {
  int thread = (flags & 0x10000) != 0; // CLONE_THREAD: runs one at a time with the others
  if (thread && !(flags & 0x100)) return E(EINVAL);
  Proc *n = NULL;
  for (int i = 0; i < MAX_PROC; i++)
    if (procs[i].state == P_FREE) { n = &procs[i]; break; }
  if (!n) return E(EAGAIN);
  memset(n, 0, sizeof *n);
  *n = *p;
  n->pid = next_pid++;
  n->ppid = thread ? p->ppid : p->tgid;
  n->tgid = thread ? p->tgid : n->pid;
  n->is_thread = thread;
  n->futex_addr = 0;
  n->futex_woken = 0;
  n->sleep_until = 0;
  n->in_suspend = 0;
  n->alarm_at = n->alarm_interval = 0; // timers are not inherited by fork
  n->insns = 0;
  n->sigpending = 0;
  n->vfork_parent = 0;
  n->vfork_wait = 0;
  n->clear_tid = 0;
  if (flags & 0x100) { // CLONE_VM: share the address space
    n->mem = p->mem;
    p->mem->refs++;
    if (flags & 0x4000) { // CLONE_VFORK: the parent waits for exec or exit
      n->vfork_parent = p->pid;
      p->vfork_wait = n->pid;
    }
  } else {
    n->mem = mem_fork(p->mem);
  }
  if (flags & 0x400) { n->fds = p->fds; p->fds->refs++; } // CLONE_FILES
  else n->fds = fds_copy(p->fds);
  n->cpu.r[0] = 0;
  if (newsp) n->cpu.r[4] = newsp;
  if (flags & 0x80000) n->cpu.fsbase = tls; // CLONE_SETTLS
  u32 tid = (u32)n->pid;
  if (flags & 0x100000) { mem_write(p->mem, ptid, &tid, 4); p->mem->fault = 0; } // PARENT_SETTID
  if (flags & 0x1000000) { mem_write(n->mem, ctid, &tid, 4); n->mem->fault = 0; } // CHILD_SETTID
  if (flags & 0x200000) n->clear_tid = ctid;                                        // CHILD_CLEARTID
  n->state = P_RUN;
  return n->pid;
}

static int read_strv(Proc *p, u64 a, char ***out) {
  int cap = 16, n = 0;
  char **v = malloc(sizeof(char *) * cap);
  for (;;) {
    u64 ptr;
    if (get(p, a + 8ull * n, &ptr, 8)) goto fail;
    if (!ptr) break;
    long l = mem_strlen(p->mem, ptr, 1 << 20);
    if (l < 0) { p->mem->fault = 0; goto fail; }
    char *s = malloc((size_t)l + 1);
    mem_read(p->mem, ptr, s, (u64)l + 1);
    if (n + 1 >= cap) v = realloc(v, sizeof(char *) * (cap *= 2));
    v[n++] = s;
  }
  v[n] = NULL;
  *out = v;
  return n;
fail:
  for (int i = 0; i < n; i++) free(v[i]);
  free(v);
  return -EFAULT;
}
static void free_strv(char **v) {
  if (!v) return;
  for (int i = 0; v[i]; i++) free(v[i]);
  free(v);
}

static i64 sys_execve(Proc *p, i64 dirfd, u64 upath, u64 uargv, u64 uenvp) {
  char path[4096];
  int rc = get_str(p, upath, path, sizeof path);
  if (rc) return rc;
  if ((i32)dirfd != AT_FDCWD_ && path[0] != '/') {
    File *f = fd_get(p, (i32)dirfd);
    if (!f || f->kind != FK_DIR) return E(EBADF);
    char t[4096];
    snprintf(t, sizeof t, "%s/%s", f->path, path);
    strcpy(path, t);
  }
  char **argv = NULL, **envp = NULL;
  if (uargv && read_strv(p, uargv, &argv) < 0) return E(EFAULT);
  if (!uargv) { argv = malloc(sizeof(char *)); argv[0] = NULL; }
  if (uenvp && read_strv(p, uenvp, &envp) < 0) { free_strv(argv); return E(EFAULT); }
  if (!uenvp) { envp = malloc(sizeof(char *)); envp[0] = NULL; }
  char err[256] = "";
  Mem *old = p->mem;
  old->refs++; // keep it alive across the swap to test vfork sharing
  rc = exec_load(p, path, argv, envp, err, sizeof err);
  free_strv(argv);
  free_strv(envp);
  if (rc) {
    old->refs--;
    if (err[0] && trace_on) fprintf(stderr, "trellis-x86: execve %s: %s\n", path, err);
    return rc;
  }
  mem_free(old); // drop the extra reference
  wake_vfork_parent(p);
  for (int i = 0; i < MAX_PROC; i++) // other threads of the group end at exec
    if (&procs[i] != p && procs[i].tgid == p->tgid && (procs[i].state == P_RUN || procs[i].state == P_BLOCKED)) {
      procs[i].clear_tid = 0;
      exit_proc(&procs[i], 0);
    }
  for (int i = 0; i < 256; i++)
    if (p->fds->cloexec[i]) fd_close(p, i);
  p->sigpending &= 0;
  p->clear_tid = 0;
  return 0;
}

static i64 sys_wait4(Proc *p, i64 pid, u64 ustatus, i64 options, u64 rusage) {
  int have = 0;
  for (int i = 0; i < MAX_PROC; i++) {
    Proc *q = &procs[i];
    if (q->state == P_FREE || q->ppid != p->tgid || q == p || q->is_thread) continue;
    if (pid > 0 && q->pid != pid) continue;
    if (pid == 0 && q->pgid != p->pgid) continue;
    if (pid < -1 && q->pgid != -pid) continue;
    have = 1;
    if (q->state == P_ZOMBIE) {
      int st = q->exit_status;
      if (ustatus && put(p, ustatus, &st, 4)) return E(EFAULT);
      if (rusage) { u8 z[144]; memset(z, 0, sizeof z); put(p, rusage, z, sizeof z); }
      int qp = q->pid;
      q->state = P_FREE;
      return qp;
    }
  }
  if (!have) return E(ECHILD);
  if (options & 1) return 0; // WNOHANG
  return SYS_BLOCK;
}

static i64 sys_kill(Proc *p, i64 pid, i64 sig) {
  if (sig < 0 || sig > 64) return E(EINVAL);
  int found = 0;
  for (int i = 0; i < MAX_PROC; i++) {
    Proc *q = &procs[i];
    if (q->state != P_RUN && q->state != P_BLOCKED) continue;
    if (q->is_thread) continue;
    int match = pid > 0 ? q->pid == pid : pid == 0 ? q->pgid == p->pgid : pid == -1 ? q->pid != 1 || q == p : q->pgid == -pid;
    if (!match) continue;
    found = 1;
    if (sig) q->sigpending |= 1ull << (sig - 1);
  }
  return found ? 0 : E(ESRCH);
}

// ---------- memory ----------
static i64 sys_mmap(Proc *p, u64 addr, u64 len, i64 prot, i64 flags, i64 fd, u64 off) {
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

static i64 sys_brk(Proc *p, u64 addr) {
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

static i64 sys_mremap(Proc *p, u64 old, u64 olen, u64 nlen, i64 flags, u64 naddr) {
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

// ---------- files ----------
static File *open_node(Proc *p, const char *abs, VNode *n, int flags) {
  VStat st;
  vfs_stat(n, &st);
  File *f;
  switch (st.mode & S_IFMT_) {
  case S_IFDIR_: f = file_new(FK_DIR); break;
  case S_IFCHR_: f = file_new(FK_DEV); f->dev = n->kind == 2 ? n->ov->dev : 1; break;
  default: f = file_new(FK_REG);
  }
  f->node = *n;
  f->path = strdup(abs);
  f->flags = flags;
  (void)p;
  return f;
}

static i64 sys_openat(Proc *p, i64 dirfd, u64 upath, i64 flags, i64 mode) {
  char abs[1024];
  int follow = !(flags & O_NOFOLLOW) && !((flags & O_CREAT) && (flags & O_EXCL));
  int rc = at_path(p, dirfd, upath, follow, abs, NULL);
  if (rc) return rc;
  int pfd = proc_fd_num(abs);
  if (pfd >= 0) {
    File *f = fd_get(p, pfd);
    if (!f) return E(ENOENT);
    file_ref(f);
    return fd_install(p, f, 0, (flags & O_CLOEXEC) != 0);
  }
  if (!strncmp(abs, "/proc/", 6)) return E(ENOENT);
  VNode n;
  int acc = flags & 3;
  rc = vfs_lookup(abs, &n);
  if (rc == 0 && (flags & O_CREAT) && (flags & O_EXCL)) return E(EEXIST);
  if (rc) {
    if (!(flags & O_CREAT)) return rc;
    char parent[1024];
    strcpy(parent, abs);
    char *s = strrchr(parent, '/');
    if (s == parent) strcpy(parent, "/");
    else *s = 0;
    VNode pn;
    if (vfs_lookup(parent, &pn)) return E(ENOENT);
    if (!vfs_is_dir(&pn)) return E(ENOTDIR);
    OvNode *o = ov_create(abs, S_IFREG_ | ((u32)mode & 07777 & ~p->umask));
    o->uid = guest_uid;
    o->gid = guest_gid;
    n.kind = 2;
    n.ov = o;
  }
  VStat st;
  vfs_stat(&n, &st);
  int isdir = (st.mode & S_IFMT_) == S_IFDIR_;
  if ((st.mode & S_IFMT_) == S_IFLNK_) return E(ELOOP);
  if ((flags & O_DIRECTORY) && !isdir) return E(ENOTDIR);
  if (isdir && (acc != O_RDONLY || (flags & O_TRUNC))) return E(EISDIR);
  if ((st.mode & S_IFMT_) == S_IFREG_ && (acc != O_RDONLY || (flags & O_TRUNC))) {
    OvNode *o = ov_copy_up(abs, &n);
    n.kind = 2;
    n.ov = o;
    if (flags & O_TRUNC) o->size = 0;
  }
  File *f = open_node(p, abs, &n, (int)flags);
  return fd_install(p, f, 0, (flags & O_CLOEXEC) != 0);
}

static i64 sys_getdents64(Proc *p, i64 fd, u64 buf, u64 count) {
  File *f = fd_get(p, fd);
  if (!f) return E(EBADF);
  if (f->kind != FK_DIR) return E(ENOTDIR);
  if (!f->ents) f->nents = vfs_list(f->path, &f->node, &f->ents);
  u64 used = 0;
  u8 rec[300];
  while (f->off < (u64)f->nents) {
    DirEnt *e = &f->ents[f->off];
    size_t nl = strlen(e->name);
    u16 reclen = (u16)((19 + nl + 1 + 7) & ~7u);
    if (used + reclen > count) {
      if (!used) return E(EINVAL);
      break;
    }
    memset(rec, 0, reclen);
    i64 next = (i64)f->off + 1;
    memcpy(rec, &e->ino, 8);
    memcpy(rec + 8, &next, 8);
    memcpy(rec + 16, &reclen, 2);
    rec[18] = e->type;
    memcpy(rec + 19, e->name, nl);
    if (put(p, buf + used, rec, reclen)) return E(EFAULT);
    used += reclen;
    f->off++;
  }
  return (i64)used;
}

static i64 do_stat_path(Proc *p, i64 dirfd, u64 upath, int follow, VStat *st, int empty_ok, i64 flags) {
  char raw[4096];
  char path0[8];
  if (empty_ok && (flags & 0x1000)) { // AT_EMPTY_PATH
    if (get(p, upath, path0, 1)) return E(EFAULT);
    if (!path0[0]) {
      if ((i32)dirfd == AT_FDCWD_) {
        VNode n;
        if (vfs_lookup(p->cwd, &n)) return E(ENOENT);
        vfs_stat(&n, st);
        return 0;
      }
      File *f = fd_get(p, (i32)dirfd);
      if (!f) return E(EBADF);
      return file_stat(p, f, st);
    }
  }
  char abs[1024];
  int rc = at_path(p, dirfd, upath, follow, abs, raw);
  if (rc) return rc;
  int pfd = proc_fd_num(abs);
  if (pfd >= 0) {
    File *f = fd_get(p, pfd);
    if (!f) return E(ENOENT);
    return file_stat(p, f, st);
  }
  VNode n;
  rc = vfs_lookup(abs, &n);
  if (rc) return rc;
  vfs_stat(&n, st);
  return 0;
}

static i64 sys_readlinkat(Proc *p, i64 dirfd, u64 upath, u64 buf, u64 size) {
  char abs[1024];
  int rc = at_path(p, dirfd, upath, 0, abs, NULL);
  if (rc) return rc;
  if (!strcmp(abs, "/proc/self/exe")) {
    u64 l = strlen(p->exe);
    if (l > size) l = size;
    return put(p, buf, p->exe, l) ? E(EFAULT) : (i64)l;
  }
  int pfd = proc_fd_num(abs);
  if (pfd >= 0) {
    File *f = fd_get(p, pfd);
    if (!f) return E(ENOENT);
    char t[64];
    const char *s = f->path;
    if (!s) { snprintf(t, sizeof t, f->kind == FK_HOST ? "/dev/pts/0" : "pipe:[%u]", (unsigned)((uintptr_t)f->pipe & 0xffffff)); s = t; }
    u64 l = strlen(s);
    if (l > size) l = size;
    return put(p, buf, s, l) ? E(EFAULT) : (i64)l;
  }
  VNode n;
  rc = vfs_lookup(abs, &n);
  if (rc) return rc;
  VStat st;
  vfs_stat(&n, &st);
  if ((st.mode & S_IFMT_) != S_IFLNK_) return E(EINVAL);
  u64 l;
  const u8 *d = vfs_data(&n, &l);
  if (l > size) l = size;
  return put(p, buf, d, l) ? E(EFAULT) : (i64)l;
}

static int parent_ok(const char *abs) {
  char parent[1024];
  strcpy(parent, abs);
  char *s = strrchr(parent, '/');
  if (!s) return -ENOENT;
  if (s == parent) strcpy(parent, "/");
  else *s = 0;
  VNode pn;
  if (vfs_lookup(parent, &pn)) return -ENOENT;
  if (!vfs_is_dir(&pn)) return -ENOTDIR;
  return 0;
}

static i64 sys_mkdirat(Proc *p, i64 dirfd, u64 upath, i64 mode) {
  char abs[1024];
  int rc = at_path(p, dirfd, upath, 0, abs, NULL);
  if (rc) return rc;
  VNode n;
  if (!vfs_lookup(abs, &n)) return E(EEXIST);
  if ((rc = parent_ok(abs))) return rc;
  OvNode *o = ov_create(abs, S_IFDIR_ | ((u32)mode & 07777 & ~p->umask));
  o->uid = guest_uid;
  o->gid = guest_gid;
  return 0;
}

static i64 sys_unlinkat(Proc *p, i64 dirfd, u64 upath, i64 flags) {
  char abs[1024];
  int rc = at_path(p, dirfd, upath, 0, abs, NULL);
  if (rc) return rc;
  VNode n;
  if ((rc = vfs_lookup(abs, &n))) return rc;
  int isdir = vfs_is_dir(&n);
  if (flags & 0x200) { // AT_REMOVEDIR
    if (!isdir) return E(ENOTDIR);
    DirEnt *e;
    int k = vfs_list(abs, &n, &e);
    for (int i = 0; i < k; i++) free(e[i].name);
    free(e);
    if (k > 2) return E(ENOTEMPTY);
    if (!strcmp(abs, "/")) return E(EBUSY);
  } else if (isdir) return E(EISDIR);
  ov_remove(abs);
  return 0;
}

static i64 sys_symlinkat(Proc *p, u64 utarget, i64 dirfd, u64 upath) {
  char target[4096], abs[1024];
  int rc = get_str(p, utarget, target, sizeof target);
  if (rc) return rc;
  if ((rc = at_path(p, dirfd, upath, 0, abs, NULL))) return rc;
  VNode n;
  if (!vfs_lookup(abs, &n)) return E(EEXIST);
  if ((rc = parent_ok(abs))) return rc;
  OvNode *o = ov_create(abs, S_IFLNK_ | 0777);
  o->size = strlen(target);
  vfs_ensure_writable_data(o, o->size + 1);
  memcpy(o->data, target, o->size);
  return 0;
}

static i64 sys_linkat(Proc *p, i64 olddir, u64 uold, i64 newdir, u64 unew) {
  char a[1024], b[1024];
  int rc = at_path(p, olddir, uold, 0, a, NULL);
  if (rc) return rc;
  if ((rc = at_path(p, newdir, unew, 0, b, NULL))) return rc;
  VNode n;
  if ((rc = vfs_lookup(a, &n))) return rc;
  if (vfs_is_dir(&n)) return E(EPERM);
  VNode t;
  if (!vfs_lookup(b, &t)) return E(EEXIST);
  if ((rc = parent_ok(b))) return rc;
  // an overlay copy: later writes through one name are not seen through the other
  OvNode *src = ov_copy_up(a, &n);
  OvNode *o = ov_create(b, src->mode);
  vfs_ensure_writable_data(o, src->size);
  if (src->size) memcpy(o->data, src->data, src->size);
  o->size = src->size;
  o->ino = src->ino;
  return 0;
}

static i64 sys_renameat(Proc *p, i64 olddir, u64 uold, i64 newdir, u64 unew) {
  char a[1024], b[1024];
  int rc = at_path(p, olddir, uold, 0, a, NULL);
  if (rc) return rc;
  if ((rc = at_path(p, newdir, unew, 0, b, NULL))) return rc;
  if ((rc = parent_ok(b))) return rc;
  return vfs_rename(a, b);
}

static i64 sys_chdir_path(Proc *p, const char *abs) {
  VNode n;
  int rc = vfs_lookup(abs, &n);
  if (rc) return rc;
  if (!vfs_is_dir(&n)) return E(ENOTDIR);
  strncpy(p->cwd, abs, sizeof p->cwd - 1);
  return 0;
}

static i64 sys_pipe2(Proc *p, u64 ufds, i64 flags) {
  Pipe *pp = calloc(1, sizeof *pp);
  pp->cap = (u32)pipe_cap;
  pp->buf = malloc(pp->cap);
  pp->readers = pp->writers = 1;
  File *r = file_new(FK_PIPE_R), *w = file_new(FK_PIPE_W);
  r->pipe = w->pipe = pp;
  r->flags = O_RDONLY | ((int)flags & O_NONBLOCK);
  w->flags = O_WRONLY | ((int)flags & O_NONBLOCK);
  int cl = (flags & O_CLOEXEC) != 0;
  int a = fd_install(p, r, 0, cl);
  if (a < 0) { file_unref(w); return a; }
  int b = fd_install(p, w, 0, cl);
  if (b < 0) { fd_close(p, a); return b; }
  int v[2] = {a, b};
  if (put(p, ufds, v, 8)) return E(EFAULT);
  return 0;
}

static int file_ready(File *f, int wantw) {
  if (f->kind == FK_PIPE_R) return f->pipe->len > 0 || f->pipe->writers == 0;
  if (f->kind == FK_PIPE_W) return f->pipe->len < f->pipe->cap || f->pipe->readers == 0;
  (void)wantw;
  return 1;
}

static i64 sys_poll(Proc *p, u64 ufds, u64 n, i64 timeout) {
  if (n > 256) return E(EINVAL);
  int ready = 0;
  for (u64 i = 0; i < n; i++) {
    u8 e[8];
    if (get(p, ufds + 8 * i, e, 8)) return E(EFAULT);
    i32 fd;
    u16 ev, rev = 0;
    memcpy(&fd, e, 4);
    memcpy(&ev, e + 4, 2);
    if (fd >= 0) {
      File *f = fd_get(p, fd);
      if (!f) rev = 0x20; // POLLNVAL
      else {
        if ((ev & 1) && file_ready(f, 0)) rev |= 1;
        if ((ev & 4) && file_ready(f, 1)) rev |= 4;
        if (f->kind == FK_PIPE_R && f->pipe->writers == 0) rev |= 0x10; // POLLHUP
        if (f->kind == FK_PIPE_W && f->pipe->readers == 0) rev |= 8;    // POLLERR
      }
    }
    if (rev) ready++;
    memcpy(e + 6, &rev, 2);
    put(p, ufds + 8 * i, e, 8);
  }
  if (ready || timeout == 0) return ready;
  return SYS_BLOCK;
}

static i64 sys_select(Proc *p, i64 nfds, u64 rset, u64 wset, u64 eset, u64 tv, int ts_is_timespec) {
  (void)ts_is_timespec;
  if (nfds < 0 || nfds > 256) return E(EINVAL);
  u64 r[4] = {0}, w[4] = {0}, ro[4] = {0}, wo[4] = {0};
  if (rset && get(p, rset, r, (u64)(nfds + 7) / 8)) return E(EFAULT);
  if (wset && get(p, wset, w, (u64)(nfds + 7) / 8)) return E(EFAULT);
  int ready = 0;
  for (int i = 0; i < nfds; i++) {
    int rr = (r[i / 64] >> (i % 64)) & 1, ww = (w[i / 64] >> (i % 64)) & 1;
    if (!rr && !ww) continue;
    File *f = fd_get(p, i);
    if (!f) return E(EBADF);
    if (rr && file_ready(f, 0)) { ro[i / 64] |= 1ull << (i % 64); ready++; }
    if (ww && file_ready(f, 1)) { wo[i / 64] |= 1ull << (i % 64); ready++; }
  }
  int zero_timeout = 0;
  if (tv) {
    u64 t[2];
    if (get(p, tv, t, 16)) return E(EFAULT);
    zero_timeout = t[0] == 0 && t[1] == 0;
  }
  if (!ready && !zero_timeout) return SYS_BLOCK;
  if (rset) put(p, rset, ro, (u64)(nfds + 7) / 8);
  if (wset) put(p, wset, wo, (u64)(nfds + 7) / 8);
  if (eset) { u64 z[4] = {0}; put(p, eset, z, (u64)(nfds + 7) / 8); }
  return ready;
}

static void put_timespec(Proc *p, u64 a, u64 ns) {
  u64 t[2] = {ns / 1000000000ull, ns % 1000000000ull};
  put(p, a, t, 16);
}

// Sleeping blocks only this guest process: the scheduler runs the others and
// sleeps the host when every process waits (see main.c).
static i64 sys_nanosleep(Proc *p, u64 ureq, int abs_realtime) {
  u64 t[2];
  if (get(p, ureq, t, 16)) return E(EFAULT);
  if (t[1] >= 1000000000ull) return E(EINVAL);
  u64 now = mono_ns();
  if (!p->sleep_until) {
    u64 d = t[0] * 1000000000ull + t[1];
    if (abs_realtime) {
      u64 rt = now_ns();
      d = d > rt ? d - rt : 0;
    }
    p->sleep_until = now + d;
  }
  if (now >= p->sleep_until) {
    p->sleep_until = 0;
    return 0;
  }
  return SYS_BLOCK;
}

static i64 rw_vec(Proc *p, i64 fd, u64 iov, i64 cnt, i64 at, int write) {
  File *f = fd_get(p, fd);
  if (!f) return E(EBADF);
  if (cnt < 0 || cnt > 1024) return E(EINVAL);
  i64 total = 0;
  for (i64 i = 0; i < cnt; i++) {
    u64 v[2];
    if (get(p, iov + 16 * (u64)i, v, 16)) return E(EFAULT);
    if (!v[1]) continue;
    u8 *buf = malloc(v[1]);
    i64 r;
    if (write) {
      if (get(p, v[0], buf, v[1])) { free(buf); return total ? total : E(EFAULT); }
      r = file_write(p, f, buf, v[1], at >= 0 ? at + total : -1);
    } else {
      r = file_read(p, f, buf, v[1], at >= 0 ? at + total : -1);
      if (r > 0 && put(p, v[0], buf, (u64)r)) { free(buf); return E(EFAULT); }
    }
    free(buf);
    if (r == SYS_BLOCK) return total ? total : SYS_BLOCK;
    if (r < 0) return total ? total : r;
    total += r;
    if ((u64)r < v[1]) break;
  }
  return total;
}

static i64 sys_rw(Proc *p, i64 fd, u64 ubuf, u64 n, i64 at, int write) {
  File *f = fd_get(p, fd);
  if (!f) return E(EBADF);
  if (!write && (f->flags & 3) == O_WRONLY && f->kind == FK_REG) return E(EBADF);
  if (n > (1u << 30)) n = 1u << 30;
  if (!n) return 0;
  u8 stackbuf[8192];
  u8 *buf = n <= sizeof stackbuf ? stackbuf : malloc(n);
  i64 r;
  if (write) {
    if (get(p, ubuf, buf, n)) r = E(EFAULT);
    else r = file_write(p, f, buf, n, at);
  } else {
    r = file_read(p, f, buf, n, at);
    if (r > 0 && put(p, ubuf, buf, (u64)r)) r = E(EFAULT);
  }
  if (buf != stackbuf) free(buf);
  return r;
}

static i64 sys_sendfile(Proc *p, i64 outfd, i64 infd, u64 uoff, u64 count) {
  File *out = fd_get(p, outfd), *in = fd_get(p, infd);
  if (!out || !in) return E(EBADF);
  u64 n = count < 65536 ? count : 65536;
  if (out->kind == FK_PIPE_W) {
    if (out->pipe->readers == 0) { p->sigpending |= 1ull << 12; return E(EPIPE); }
    u64 room = out->pipe->cap - out->pipe->len;
    if (room == 0) return SYS_BLOCK;
    if (n > room) n = room;
  }
  if (!n) return 0;
  i64 off = -1;
  if (uoff && get(p, uoff, &off, 8)) return E(EFAULT);
  u8 *buf = malloc(n);
  i64 r = file_read(p, in, buf, n, off);
  if (r > 0) {
    i64 w = file_write(p, out, buf, (u64)r, -1);
    if (w < 0) r = w == SYS_BLOCK ? E(EAGAIN) : w;
    else if (uoff) { off += w; put(p, uoff, &off, 8); }
  }
  free(buf);
  return r;
}

// Futexes: threads run one at a time, so a waiter is a blocked syscall that is
// retried until a FUTEX_WAKE on the same address (in the same address space) marks it.
static int futex_wake(Mem *m, u64 addr, int n) {
  int woken = 0;
  for (int i = 0; i < MAX_PROC && woken < n; i++) {
    Proc *q = &procs[i];
    if ((q->state == P_RUN || q->state == P_BLOCKED) && q->mem == m && q->futex_addr == addr && !q->futex_woken) {
      q->futex_woken = 1;
      woken++;
    }
  }
  return woken;
}

static i64 sys_futex(Proc *p, u64 addr, int op, u32 val, u64 utime) {
  int cmd = op & 0x7f;
  switch (cmd) {
  case 0: case 9: { // WAIT, WAIT_BITSET
    if (p->futex_addr && p->futex_woken) {
      p->futex_addr = 0;
      p->futex_woken = 0;
      p->sleep_until = 0;
      return 0;
    }
    u32 v;
    if (get(p, addr, &v, 4)) return E(EFAULT);
    if (v != val) {
      p->futex_addr = 0;
      p->sleep_until = 0;
      return E(EAGAIN);
    }
    if (!p->futex_addr) {
      p->futex_addr = addr;
      p->futex_woken = 0;
      if (utime) {
        u64 t[2];
        if (get(p, utime, t, 16)) { p->futex_addr = 0; return E(EFAULT); }
        u64 ns = t[0] * 1000000000ull + t[1];
        if (cmd == 9) { // absolute, CLOCK_REALTIME when FUTEX_CLOCK_REALTIME else monotonic
          u64 nowc = (op & 256) ? now_ns() : mono_ns();
          ns = ns > nowc ? ns - nowc : 0;
        }
        p->sleep_until = mono_ns() + ns;
        if (!ns) p->sleep_until = 1;
      }
    } else if (p->sleep_until && mono_ns() >= p->sleep_until) {
      p->futex_addr = 0;
      p->sleep_until = 0;
      return E(ETIMEDOUT);
    }
    return SYS_BLOCK;
  }
  case 1: case 10: resched = 1; return futex_wake(p->mem, addr, (int)val); // WAKE, WAKE_BITSET
  case 3: case 4: { // REQUEUE / CMP_REQUEUE: wake them all instead (waiters re-check)
    if (cmd == 4) {
      u32 v;
      if (get(p, addr, &v, 4)) return E(EFAULT);
      if (v != (u32)p->cpu.r[8]) return E(EAGAIN);
    }
    return futex_wake(p->mem, addr, MAX_PROC);
  }
  default: return E(ENOSYS);
  }
}

int futex_wake_ext(Mem *m, u64 addr, int n) { return futex_wake(m, addr, n); }

static i64 sys_tkill(Proc *p, i64 tid, i64 sig) {
  Proc *q = find_proc((int)tid);
  if (!q || (q->state != P_RUN && q->state != P_BLOCKED)) return E(ESRCH);
  if (sig < 0 || sig > 64) return E(EINVAL);
  if (sig) q->sigpending |= 1ull << (sig - 1);
  (void)p;
  return 0;
}

static void exit_group(Proc *p, int status_word) {
  for (int i = 0; i < MAX_PROC; i++) {
    Proc *q = &procs[i];
    if (q != p && q->tgid == p->tgid && (q->state == P_RUN || q->state == P_BLOCKED)) {
      q->clear_tid = 0;
      exit_proc(q, status_word);
    }
  }
  exit_proc(p, status_word);
}

static i64 sys_copy_file_range(Proc *p, i64 infd, u64 uoffin, i64 outfd, u64 uoffout, u64 len) {
  File *in = fd_get(p, infd), *out = fd_get(p, outfd);
  if (!in || !out) return E(EBADF);
  if (in->kind != FK_REG || out->kind != FK_REG) return E(EINVAL);
  i64 offin = -1, offout = -1;
  if (uoffin && get(p, uoffin, &offin, 8)) return E(EFAULT);
  if (uoffout && get(p, uoffout, &offout, 8)) return E(EFAULT);
  u64 n = len < (1u << 20) ? len : (1u << 20);
  if (!n) return 0;
  u8 *buf = malloc(n);
  i64 r = file_read(p, in, buf, n, offin);
  if (r > 0) {
    i64 w = file_write(p, out, buf, (u64)r, offout);
    if (w < 0) r = w;
    else {
      if (uoffin) { offin += w; put(p, uoffin, &offin, 8); }
      else if (offin < 0) in->off = in->off - (u64)r + (u64)w;
      if (uoffout) { offout += w; put(p, uoffout, &offout, 8); }
      r = w;
    }
  }
  free(buf);
  return r;
}

static int logged[1024];

i64 do_syscall(Proc *p) {
  Cpu *c = &p->cpu;
  i64 nr = (i64)c->r[RAXR];
  i64 r;
  switch (nr) {
  case 0: r = sys_rw(p, (i32)ARG0, ARG1, ARG2, -1, 0); break;
  case 1: r = sys_rw(p, (i32)ARG0, ARG1, ARG2, -1, 1); break;
  case 2: r = sys_openat(p, AT_FDCWD_, ARG0, (i32)ARG1, (i32)ARG2); break;
  case 3: {
    File *f = fd_get(p, (i32)ARG0);
    if (!f) r = E(EBADF);
    else { fd_close(p, (i32)ARG0); r = 0; }
    break;
  }
  case 4: case 6: {
    VStat st;
    r = do_stat_path(p, AT_FDCWD_, ARG0, nr == 4, &st, 0, 0);
    if (!r) r = put_stat(p, ARG1, &st);
    break;
  }
  case 5: {
    File *f = fd_get(p, (i32)ARG0);
    VStat st;
    if (!f) r = E(EBADF);
    else { file_stat(p, f, &st); r = put_stat(p, ARG1, &st); }
    break;
  }
  case 7: r = sys_poll(p, ARG0, ARG1, (i32)ARG2); break;
  case 8: {
    File *f = fd_get(p, (i32)ARG0);
    if (!f) { r = E(EBADF); break; }
    if (f->kind == FK_PIPE_R || f->kind == FK_PIPE_W || f->kind == FK_HOST) { r = E(ESPIPE); break; }
    i64 off = (i64)ARG1, base = 0;
    int wh = (int)ARG2;
    if (wh == 1) base = (i64)f->off;
    else if (wh == 2) {
      if (f->kind == FK_DIR) { r = E(EINVAL); break; }
      VStat st;
      vfs_stat(&f->node, &st);
      base = (i64)st.size;
    } else if (wh != 0) { r = E(EINVAL); break; }
    if (base + off < 0) { r = E(EINVAL); break; }
    f->off = (u64)(base + off);
    if (f->kind == FK_DIR && f->off == 0 && f->ents) {
      for (int i = 0; i < f->nents; i++) free(f->ents[i].name);
      free(f->ents);
      f->ents = NULL;
      f->nents = 0;
    }
    r = (i64)f->off;
    break;
  }
  case 9: r = sys_mmap(p, ARG0, ARG1, (i32)ARG2, (i32)ARG3, (i32)ARG4, ARG5); break;
  case 10: r = mem_protect(p->mem, ARG0 & ~PAGE_MASK, ARG1 + (ARG0 & PAGE_MASK), (int)(ARG2 & 7)) ? E(ENOMEM) : 0; break;
  case 11: if (ARG0 & PAGE_MASK) r = E(EINVAL); else { mem_unmap(p->mem, ARG0, ARG1); r = 0; } break;
  case 12: r = sys_brk(p, ARG0); break;
  case 13: { // rt_sigaction
    int sig = (int)ARG0;
    if (sig < 1 || sig > 64 || sig == 9 || sig == 19) { r = E(EINVAL); break; }
    if (ARG2) {
      u64 o[4] = {p->sig[sig].handler, p->sig[sig].flags, p->sig[sig].restorer, p->sig[sig].mask};
      if (put(p, ARG2, o, 32)) { r = E(EFAULT); break; }
    }
    if (ARG1) {
      u64 n[4];
      if (get(p, ARG1, n, 32)) { r = E(EFAULT); break; }
      p->sig[sig].handler = n[0];
      p->sig[sig].flags = n[1];
      p->sig[sig].restorer = n[2];
      p->sig[sig].mask = n[3];
    }
    r = 0;
    break;
  }
  case 14: { // rt_sigprocmask
    u64 old = p->sigmask;
    if (ARG1) {
      u64 s;
      if (get(p, ARG1, &s, 8)) { r = E(EFAULT); break; }
      if (ARG0 == 0) p->sigmask |= s;
      else if (ARG0 == 1) p->sigmask &= ~s;
      else if (ARG0 == 2) p->sigmask = s;
      else { r = E(EINVAL); break; }
    }
    if (ARG2 && put(p, ARG2, &old, 8)) { r = E(EFAULT); break; }
    r = 0;
    break;
  }
  case 15: sys_rt_sigreturn(p); return 0;
  case 16: { // ioctl
    File *f = fd_get(p, (i32)ARG0);
    if (!f) { r = E(EBADF); break; }
    u32 req = (u32)ARG1;
    int tty = (f->kind == FK_HOST && isatty(f->hostfd)) || (f->kind == FK_DEV && f->dev == 4);
    if (req == 0x5401) { // TCGETS
      if (!tty) { r = E(ENOTTY); break; }
      // The kernel's struct termios (what TCGETS fills) is 36 bytes; libc's
      // larger struct is not the ABI, and writing past 36 smashes its stack.
      u8 t[36];
      memset(t, 0, sizeof t);
      u32 iflag = 0x500, oflag = 0x5, cflag = 0xbf, lflag = 0x8a3b;
      memcpy(t, &iflag, 4); memcpy(t + 4, &oflag, 4); memcpy(t + 8, &cflag, 4); memcpy(t + 12, &lflag, 4);
      r = put(p, ARG2, t, sizeof t);
    } else if (req == 0x5413) { // TIOCGWINSZ
      if (!tty) { r = E(ENOTTY); break; }
      u16 ws[4] = {24, 80, 0, 0};
      r = put(p, ARG2, ws, 8);
    } else if (req == 0x5402 || req == 0x5403 || req == 0x5404 || req == 0x540f || req == 0x5410) {
      r = tty ? 0 : E(ENOTTY);
    } else if (req == 0x541b) { // FIONREAD
      int n = f->kind == FK_PIPE_R ? (int)f->pipe->len : 0;
      r = put(p, ARG2, &n, 4);
    } else if (req == 0x5421 || req == 0x5451 || req == 0x5450) r = 0; // FIONBIO FIOCLEX FIONCLEX
    else r = E(ENOTTY);
    break;
  }
  case 17: r = sys_rw(p, (i32)ARG0, ARG1, ARG2, (i64)ARG3, 0); break;
  case 18: r = sys_rw(p, (i32)ARG0, ARG1, ARG2, (i64)ARG3, 1); break;
  case 19: r = rw_vec(p, (i32)ARG0, ARG1, (i64)ARG2, -1, 0); break;
  case 20: r = rw_vec(p, (i32)ARG0, ARG1, (i64)ARG2, -1, 1); break;
  case 295: r = rw_vec(p, (i32)ARG0, ARG1, (i64)ARG2, (i64)ARG3, 0); break;
  case 296: r = rw_vec(p, (i32)ARG0, ARG1, (i64)ARG2, (i64)ARG3, 1); break;
  case 21: case 269: case 439: { // access, faccessat, faccessat2
    VStat st;
    int at = nr != 21;
    r = do_stat_path(p, at ? (i32)ARG0 : AT_FDCWD_, at ? ARG1 : ARG0, 1, &st, 0, 0);
    if (!r) {
      i64 mode = at ? (i64)ARG2 : (i64)ARG1;
      if ((mode & 1) && !(st.mode & 0111) && (st.mode & S_IFMT_) != S_IFDIR_) r = E(EACCES);
      if (guest_uid != 0 && (mode & 2) && !(st.mode & 0222)) r = E(EACCES);
    }
    break;
  }
  case 22: r = sys_pipe2(p, ARG0, 0); break;
  case 293: r = sys_pipe2(p, ARG0, (i32)ARG1); break;
  case 23: r = sys_select(p, (i32)ARG0, ARG1, ARG2, ARG3, ARG4, 0); break;
  case 270: r = sys_select(p, (i32)ARG0, ARG1, ARG2, ARG3, ARG4, 1); break;
  case 271: r = sys_poll(p, ARG0, ARG1, ARG2 ? -1 : -1); if (ARG2 && r == SYS_BLOCK) { u64 t[2]; if (!get(p, ARG2, t, 16) && !t[0] && !t[1]) r = 0; } break;
  case 24: r = 0; resched = 1; break;
  case 25: r = sys_mremap(p, ARG0, ARG1, ARG2, (i32)ARG3, ARG4); break;
  case 26: case 28: case 74: case 75: case 73: r = 0; break; // msync madvise fsync fdatasync flock
  case 27: { // mincore: ENOMEM for unmapped pages (stack probes rely on it)
    if (ARG0 & PAGE_MASK) { r = E(EINVAL); break; }
    u64 n = (ARG1 + PAGE_MASK) / PAGE;
    u8 one = 1;
    r = 0;
    for (u64 i = 0; i < n && !r; i++)
      if (!mem_is_mapped(p->mem, ARG0 + i * PAGE)) r = E(ENOMEM);
    for (u64 i = 0; i < n && !r; i++) r = put(p, ARG2 + i, &one, 1);
    break;
  }
  case 221: r = 0; break; // fadvise64: advice only
  case 191: case 192: case 193: r = E(ENODATA); break; // getxattr family: no extended attributes
  case 194: case 195: case 196: r = 0; break;           // listxattr family: empty list
  case 51: case 52: case 55: r = E(ENOTSOCK); break;     // getsockname/getpeername/getsockopt on non-sockets
  case 32: {
    File *f = fd_get(p, (i32)ARG0);
    if (!f) { r = E(EBADF); break; }
    file_ref(f);
    r = fd_install(p, f, 0, 0);
    break;
  }
  case 33: case 292: {
    i32 a = (i32)ARG0, b = (i32)ARG1;
    File *f = fd_get(p, a);
    if (!f || b < 0 || b >= 256) { r = E(EBADF); break; }
    if (a == b) { r = nr == 33 ? b : E(EINVAL); break; }
    file_ref(f);
    fd_close(p, b);
    p->fds->fd[b] = f;
    p->fds->cloexec[b] = nr == 292 && (ARG2 & O_CLOEXEC);
    r = b;
    break;
  }
  case 34: r = SYS_BLOCK; break; // pause: until a signal
  case 35: r = sys_nanosleep(p, ARG0, 0); break;
  case 230: // clock_nanosleep: TIMER_ABSTIME on CLOCK_MONOTONIC is turned into a relative sleep here
    if ((ARG1 & 1) && ARG0 != 0 && !p->sleep_until) {
      u64 t[2];
      if (get(p, ARG2, t, 16)) { r = E(EFAULT); break; }
      u64 when = t[0] * 1000000000ull + t[1], now = mono_ns();
      p->sleep_until = when > now ? when : now;
    }
    r = sys_nanosleep(p, ARG2, (ARG1 & 1) && ARG0 == 0);
    break;
  case 436: { // close_range
    u32 lo = (u32)ARG0, hi = (u32)ARG1;
    if (lo > hi) { r = E(EINVAL); break; }
    for (u32 fd = lo; fd <= hi && fd < 256; fd++) {
      if (!p->fds->fd[fd]) continue;
      if (ARG2 & 4) p->fds->cloexec[fd] = 1;
      else fd_close(p, (int)fd);
    }
    r = 0;
    break;
  }
  case 37: { // alarm(seconds): returns the seconds left on the previous one
    u64 now = mono_ns();
    r = p->alarm_at > now ? (i64)((p->alarm_at - now + 999999999ull) / 1000000000ull) : 0;
    p->alarm_at = ARG0 ? now + ARG0 * 1000000000ull : 0;
    p->alarm_interval = 0;
    break;
  }
  case 36: case 38: { // getitimer / setitimer (ITIMER_REAL only)
    if ((int)ARG0 != 0) { r = E(EINVAL); break; }
    u64 now = mono_ns(), left = p->alarm_at > now ? p->alarm_at - now : 0;
    u64 old[4] = {p->alarm_interval / 1000000000ull, (p->alarm_interval % 1000000000ull) / 1000, left / 1000000000ull, (left % 1000000000ull) / 1000};
    u64 outp = nr == 36 ? ARG1 : ARG2;
    if (nr == 38 && ARG1) {
      u64 nv[4];
      if (get(p, ARG1, nv, 32)) { r = E(EFAULT); break; }
      u64 val = nv[2] * 1000000000ull + nv[3] * 1000ull;
      p->alarm_interval = nv[0] * 1000000000ull + nv[1] * 1000ull;
      p->alarm_at = val ? now + val : 0;
    }
    r = outp ? put(p, outp, old, 32) : 0;
    break;
  }
  case 39: r = p->tgid; break;
  case 110: r = p->ppid; break;
  case 186: r = p->pid; break;
  case 56: r = do_fork(p, ARG0, ARG1, ARG2, ARG3, ARG4); break;
  case 57: r = do_fork(p, 17, 0, 0, 0, 0); break;
  case 58: r = do_fork(p, 0x100 | 0x4000 | 17, 0, 0, 0, 0); break;
  case 435: { // clone3
    u64 a[11];
    memset(a, 0, sizeof a);
    if (ARG1 < 64 || get(p, ARG0, a, ARG1 < 88 ? ARG1 : 88)) { r = E(EINVAL); break; }
    r = do_fork(p, a[0] | (a[4] & 0xff), a[5] ? a[5] + a[6] : 0, a[3], a[2], a[7]);
    break;
  }
  case 59: r = sys_execve(p, AT_FDCWD_, ARG0, ARG1, ARG2); if (!r) return 0; break;
  case 322: r = sys_execve(p, (i32)ARG0, ARG1, ARG2, ARG3); if (!r) return 0; break;
  case 60: exit_proc(p, (int)((ARG0 & 0xff) << 8)); return 0;
  case 231: exit_group(p, (int)((ARG0 & 0xff) << 8)); return 0;
  case 61: r = sys_wait4(p, (i32)ARG0, ARG1, (i32)ARG2, ARG3); break;
  case 247: { // waitid(P_ALL/P_PID, id, infop, options)
    i64 pid = ARG0 == 0 ? -1 : ARG0 == 1 ? (i64)(i32)ARG1 : -(i64)(i32)ARG1;
    int st = 0;
    u64 tmp = 0;
    (void)tmp;
    r = sys_wait4(p, pid, 0, (ARG3 & 1) ? 1 : 0, 0);
    if (r > 0) {
      Proc dummy;
      (void)dummy;
      u8 info[128];
      memset(info, 0, sizeof info);
      int signo = 17, code = 1;
      memcpy(info, &signo, 4);
      memcpy(info + 8, &code, 4);
      i32 pid32 = (i32)r;
      memcpy(info + 16, &pid32, 4);
      memcpy(info + 24, &st, 4);
      if (ARG2) put(p, ARG2, info, sizeof info);
      r = 0;
    }
    break;
  }
  case 62: r = sys_kill(p, (i32)ARG0, (i32)ARG1); break;
  case 200: r = sys_tkill(p, (i32)ARG0, (i32)ARG1); break;
  case 234: r = sys_tkill(p, (i32)ARG1, (i32)ARG2); break;
  case 63: {
    u8 u[390];
    memset(u, 0, sizeof u);
    strcpy((char *)u, "Linux");
    strcpy((char *)u + 65, "trellis");
    strcpy((char *)u + 130, "6.1.0-trellis");
    strcpy((char *)u + 195, "#1 SMP PREEMPT_DYNAMIC");
    strcpy((char *)u + 260, "x86_64");
    strcpy((char *)u + 325, "(none)");
    r = put(p, ARG0, u, sizeof u);
    break;
  }
  case 72: { // fcntl
    i32 fd = (i32)ARG0;
    File *f = fd_get(p, fd);
    if (!f) { r = E(EBADF); break; }
    switch ((int)ARG1) {
    case 0: case 1030: file_ref(f); r = fd_install(p, f, (int)ARG2, ARG1 == 1030); break;
    case 1: r = p->fds->cloexec[fd]; break;
    case 2: p->fds->cloexec[fd] = ARG2 & 1; r = 0; break;
    case 3: r = f->flags & ~O_CLOEXEC; break;
    case 4: f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) | ((int)ARG2 & (O_APPEND | O_NONBLOCK)); r = 0; break;
    case 5: case 6: case 7: case 36: case 37: case 38: r = 0; break;
    case 1031: r = pipe_cap; break;
    case 1032: r = pipe_cap; break;
    default: r = E(EINVAL);
    }
    break;
  }
  case 76: case 77: { // truncate / ftruncate
    OvNode *o = NULL;
    if (nr == 77) {
      File *f = fd_get(p, (i32)ARG0);
      if (!f) { r = E(EBADF); break; }
      if (f->kind != FK_REG || f->node.kind != 2 || (f->flags & 3) == O_RDONLY) { r = E(EINVAL); break; }
      o = f->node.ov;
    } else {
      char abs[1024];
      VNode n;
      if ((r = at_path(p, AT_FDCWD_, ARG0, 1, abs, NULL)) || (r = vfs_lookup(abs, &n))) break;
      o = ov_copy_up(abs, &n);
    }
    if (vfs_ensure_writable_data(o, ARG1)) { r = E(ENOSPC); break; }
    if (ARG1 > o->size) memset(o->data + o->size, 0, ARG1 - o->size);
    o->size = ARG1;
    r = 0;
    break;
  }
  case 217: r = sys_getdents64(p, (i32)ARG0, ARG1, ARG2); break;
  case 79: {
    u64 l = strlen(p->cwd) + 1;
    if (ARG1 < l) { r = E(ERANGE); break; }
    r = put(p, ARG0, p->cwd, l) ? E(EFAULT) : (i64)l;
    break;
  }
  case 80: {
    char abs[1024];
    r = at_path(p, AT_FDCWD_, ARG0, 1, abs, NULL);
    if (!r) r = sys_chdir_path(p, abs);
    break;
  }
  case 81: {
    File *f = fd_get(p, (i32)ARG0);
    if (!f) r = E(EBADF);
    else if (f->kind != FK_DIR) r = E(ENOTDIR);
    else r = sys_chdir_path(p, f->path);
    break;
  }
  case 82: r = sys_renameat(p, AT_FDCWD_, ARG0, AT_FDCWD_, ARG1); break;
  case 264: r = sys_renameat(p, (i32)ARG0, ARG1, (i32)ARG2, ARG3); break;
  case 316: r = sys_renameat(p, (i32)ARG0, ARG1, (i32)ARG2, ARG3); break;
  case 83: r = sys_mkdirat(p, AT_FDCWD_, ARG0, (i32)ARG1); break;
  case 258: r = sys_mkdirat(p, (i32)ARG0, ARG1, (i32)ARG2); break;
  case 84: r = sys_unlinkat(p, AT_FDCWD_, ARG0, 0x200); break;
  case 85: r = sys_openat(p, AT_FDCWD_, ARG0, O_CREAT | O_WRONLY | O_TRUNC, (i32)ARG1); break;
  case 86: r = sys_linkat(p, AT_FDCWD_, ARG0, AT_FDCWD_, ARG1); break;
  case 265: r = sys_linkat(p, (i32)ARG0, ARG1, (i32)ARG2, ARG3); break;
  case 87: r = sys_unlinkat(p, AT_FDCWD_, ARG0, 0); break;
  case 263: r = sys_unlinkat(p, (i32)ARG0, ARG1, (i32)ARG2); break;
  case 88: r = sys_symlinkat(p, ARG0, AT_FDCWD_, ARG1); break;
  case 266: r = sys_symlinkat(p, ARG0, (i32)ARG1, ARG2); break;
  case 89: r = sys_readlinkat(p, AT_FDCWD_, ARG0, ARG1, ARG2); break;
  case 267: r = sys_readlinkat(p, (i32)ARG0, ARG1, ARG2, ARG3); break;
  case 90: case 91: case 268: case 92: case 93: case 94: case 260: case 132: case 235: case 280: {
    // chmod/chown/utimes: applied to the overlay copy
    char abs[1024];
    VNode n;
    r = 0;
    if (nr == 91 || nr == 93) {
      File *f = fd_get(p, (i32)ARG0);
      if (!f) { r = E(EBADF); break; }
      if (!f->path) break;
      strcpy(abs, f->path);
    } else if (nr == 280 && !ARG1) {
      File *f = fd_get(p, (i32)ARG0);
      if (!f || !f->path) { r = E(EBADF); break; }
      strcpy(abs, f->path);
    } else {
      int at = nr == 268 || nr == 260 || nr == 280;
      r = at_path(p, at ? (i32)ARG0 : AT_FDCWD_, at ? ARG1 : ARG0, nr != 94, abs, NULL);
      if (r) break;
    }
    if ((r = vfs_lookup(abs, &n))) break;
    OvNode *o = ov_copy_up(abs, &n);
    if (nr == 90) o->mode = (o->mode & S_IFMT_) | (ARG1 & 07777);
    else if (nr == 91) o->mode = (o->mode & S_IFMT_) | (ARG1 & 07777);
    else if (nr == 268) o->mode = (o->mode & S_IFMT_) | (ARG2 & 07777);
    else if (nr == 92 || nr == 93 || nr == 94) {
      if ((i32)ARG1 != -1) o->uid = (u32)ARG1;
      if ((i32)ARG2 != -1) o->gid = (u32)ARG2;
    } else if (nr == 260) {
      if ((i32)ARG2 != -1) o->uid = (u32)ARG2;
      if ((i32)ARG3 != -1) o->gid = (u32)ARG3;
    } else {
      o->mtime = (i64)(now_ns() / 1000000000ull);
    }
    break;
  }
  case 95: r = p->umask; p->umask = (u32)ARG0 & 0777; break;
  case 96: {
    if (ARG0) { u64 ns = now_ns(); u64 t[2] = {ns / 1000000000ull, (ns % 1000000000ull) / 1000}; r = put(p, ARG0, t, 16); }
    else r = 0;
    break;
  }
  case 201: { u64 t = now_ns() / 1000000000ull; if (ARG0) put(p, ARG0, &t, 8); r = (i64)t; break; }
  case 97: case 302: { // getrlimit / prlimit64
    u64 lim[2] = {~0ull, ~0ull};
    int res = nr == 97 ? (int)ARG0 : (int)ARG1;
    u64 out = nr == 97 ? ARG1 : ARG3;
    if (res == 3) { lim[0] = 8ull << 20; }           // stack
    if (res == 7) { lim[0] = 1024; lim[1] = 4096; }  // nofile
    if (res == 6) { lim[0] = lim[1] = MAX_PROC; }     // nproc
    r = 0;
    if (out) r = put(p, out, lim, 16);
    break;
  }
  case 160: r = 0; break;
  case 98: { u8 z[144]; memset(z, 0, sizeof z); r = put(p, ARG1, z, sizeof z); break; }
  case 99: {
    u8 s[112];
    memset(s, 0, sizeof s);
    u64 up = (mono_ns() / 1000000000ull) + 1, tot = 2ull << 30, fr = 1ull << 30;
    u16 np = 0;
    for (int i = 0; i < MAX_PROC; i++) if (procs[i].state != P_FREE) np++;
    u32 unit = 1;
    memcpy(s, &up, 8);
    memcpy(s + 32, &tot, 8);
    memcpy(s + 40, &fr, 8);
    memcpy(s + 80, &np, 2);
    memcpy(s + 104, &unit, 4);
    r = put(p, ARG0, s, sizeof s);
    break;
  }
  case 100: {
    u64 t = mono_ns() / 10000000ull;
    if (ARG0) { u64 v[4] = {t, 0, 0, 0}; put(p, ARG0, v, 32); }
    r = (i64)t;
    break;
  }
  case 102: case 107: r = guest_uid; break;
  case 104: case 108: r = guest_gid; break;
  case 105: case 106: case 113: case 114: case 117: case 119: case 116: case 122: case 123: r = 0; break;
  case 118: case 120: {
    u32 v = nr == 118 ? guest_uid : guest_gid;
    r = 0;
    u64 ptrs[3] = {ARG0, ARG1, ARG2};
    for (int i = 0; i < 3 && !r; i++) r = put(p, ptrs[i], &v, 4);
    break;
  }
  case 115: r = 0; break; // no supplementary groups
  case 109: {
    i32 pid = (i32)ARG0, pg = (i32)ARG1;
    Proc *q = pid ? find_proc(pid) : p;
    if (!q) { r = E(ESRCH); break; }
    q->pgid = pg ? pg : q->pid;
    r = 0;
    break;
  }
  case 111: r = p->pgid; break;
  case 121: { Proc *q = ARG0 ? find_proc((i32)ARG0) : p; r = q ? q->pgid : E(ESRCH); break; }
  case 112: p->sid = p->pgid = p->pid; r = p->pid; break;
  case 124: { Proc *q = ARG0 ? find_proc((i32)ARG0) : p; r = q ? q->sid : E(ESRCH); break; }
  case 127: r = put(p, ARG0, &p->sigpending, 8); break;
  case 130: { // rt_sigsuspend: wait with a temporary mask for a signal that does something
    u64 nm;
    if (get(p, ARG0, &nm, 8)) { r = E(EFAULT); break; }
    u64 ready = p->sigpending & ~nm, acting = 0;
    for (int s = 1; s <= 64; s++)
      if ((ready >> (s - 1)) & 1) {
        if (p->sig[s].handler > 1 || (p->sig[s].handler == 0 && !sig_default_ignored(s))) acting |= 1ull << (s - 1);
        else p->sigpending &= ~(1ull << (s - 1)); // ignored: consumed without waking
      }
    if (!acting) { r = SYS_BLOCK; break; }
    p->suspend_mask = p->sigmask;
    p->in_suspend = 1;
    p->sigmask = nm;
    r = E(EINTR);
    break;
  }
  case 131: r = ARG1 ? put(p, ARG1, (u64[3]){0, 2, 0}, 24) : 0; break;
  case 137: case 138: {
    u8 s[120];
    memset(s, 0, sizeof s);
    u64 type = 0x01021994, bsize = 4096, blocks = 1 << 20, nfree = 1 << 19, namelen = 255;
    memcpy(s, &type, 8); memcpy(s + 8, &bsize, 8); memcpy(s + 16, &blocks, 8);
    memcpy(s + 24, &nfree, 8); memcpy(s + 32, &nfree, 8); memcpy(s + 72, &namelen, 8); memcpy(s + 80, &bsize, 8);
    r = put(p, ARG1, s, sizeof s);
    break;
  }
  case 157: r = (ARG0 == 15 || ARG0 == 16) ? 0 : E(EINVAL); break; // PR_SET_NAME / GET_NAME
  case 158: // arch_prctl
    switch (ARG0) {
    case 0x1002: c->fsbase = ARG1; r = 0; break;
    case 0x1001: c->gsbase = ARG1; r = 0; break;
    case 0x1003: r = put(p, ARG1, &c->fsbase, 8); break;
    case 0x1004: r = put(p, ARG1, &c->gsbase, 8); break;
    default: r = E(EINVAL);
    }
    break;
  case 202: r = sys_futex(p, ARG0, (int)ARG1, (u32)ARG2, ARG3); break;
  case 204: { u64 mask = 1; r = ARG1 >= 8 ? (put(p, ARG2, &mask, 8) ? E(EFAULT) : 8) : E(EINVAL); break; }
  case 218: p->clear_tid = ARG0; r = p->pid; break;
  case 228: case 229: {
    u64 ns;
    int clk = (int)ARG0;
    if (nr == 229) { if (ARG1) put_timespec(p, ARG1, 1); r = 0; break; }
    if (clk == 0 || clk == 5 || clk == 8 || clk == 11) ns = now_ns();
    else if (clk == 2 || clk == 3) ns = mono_ns() - p->start_ns;
    else ns = mono_ns();
    put_timespec(p, ARG1, ns);
    r = 0;
    break;
  }
  case 273: case 284: case 290: r = nr == 273 ? 0 : E(ENOSYS); break;
  case 318: { // getrandom
    u64 n = ARG1 > (1 << 20) ? (1 << 20) : ARG1;
    u8 *b = malloc(n ? n : 1);
    extern void host_random(void *, size_t);
    host_random(b, n);
    r = put(p, ARG0, b, n) ? E(EFAULT) : (i64)n;
    free(b);
    break;
  }
  case 257: r = sys_openat(p, (i32)ARG0, ARG1, (i32)ARG2, (i32)ARG3); break;
  case 262: {
    VStat st;
    r = do_stat_path(p, (i32)ARG0, ARG1, !(ARG3 & 0x100), &st, 1, (i64)ARG3);
    if (!r) r = put_stat(p, ARG2, &st);
    break;
  }
  case 332: {
    VStat st;
    r = do_stat_path(p, (i32)ARG0, ARG1, !(ARG2 & 0x100), &st, 1, (i64)ARG2);
    if (!r) r = put_statx(p, ARG4, &st);
    break;
  }
  case 334: r = E(ENOSYS); break; // rseq
  case 40: r = sys_sendfile(p, (i32)ARG0, (i32)ARG1, ARG2, ARG3); break;
  case 326: r = sys_copy_file_range(p, (i32)ARG0, ARG1, (i32)ARG2, ARG3, ARG4); break;
  case 41: case 53: r = E(EAFNOSUPPORT); break;
  default:
    if (trace_on && nr >= 0 && nr < 1024 && !logged[nr]) {
      logged[nr] = 1;
      fprintf(stderr, "trellis-x86: unsupported syscall %lld (%s) -> ENOSYS\n", (long long)nr, sys_name((int)nr));
    }
    r = E(ENOSYS);
  }
  if (r == SYS_BLOCK) {
    p->state = P_BLOCKED;
    return SYS_BLOCK;
  }
  if (p->state == P_RUN) c->r[RAXR] = (u64)r;
  if (trace_on > 1) fprintf(stderr, "[%d] syscall %lld (%s) = %lld\n", p->pid, (long long)nr, sys_name((int)nr), (long long)r);
  if (p->state == P_RUN && (p->sigpending & ~p->sigmask)) deliver_signals(p);
  return r;
}

static const char *sys_name(int n) {
  static const struct { int n; const char *s; } t[] = {
      {0, "read"}, {1, "write"}, {2, "open"}, {3, "close"}, {4, "stat"}, {5, "fstat"}, {6, "lstat"}, {7, "poll"}, {8, "lseek"},
      {9, "mmap"}, {10, "mprotect"}, {11, "munmap"}, {12, "brk"}, {13, "rt_sigaction"}, {14, "rt_sigprocmask"}, {15, "rt_sigreturn"},
      {16, "ioctl"}, {17, "pread64"}, {18, "pwrite64"}, {19, "readv"}, {20, "writev"}, {21, "access"}, {22, "pipe"}, {23, "select"},
      {24, "sched_yield"}, {25, "mremap"}, {28, "madvise"}, {29, "shmget"}, {30, "shmat"}, {32, "dup"}, {33, "dup2"}, {35, "nanosleep"},
      {38, "setitimer"}, {39, "getpid"}, {40, "sendfile"}, {41, "socket"}, {42, "connect"}, {43, "accept"}, {44, "sendto"}, {45, "recvfrom"},
      {49, "bind"}, {50, "listen"}, {54, "setsockopt"}, {56, "clone"}, {57, "fork"}, {58, "vfork"}, {59, "execve"}, {60, "exit"}, {61, "wait4"},
      {62, "kill"}, {63, "uname"}, {72, "fcntl"}, {79, "getcwd"}, {80, "chdir"}, {83, "mkdir"}, {87, "unlink"}, {89, "readlink"},
      {96, "gettimeofday"}, {97, "getrlimit"}, {99, "sysinfo"}, {102, "getuid"}, {137, "statfs"}, {157, "prctl"}, {158, "arch_prctl"},
      {186, "gettid"}, {202, "futex"}, {203, "sched_setaffinity"}, {204, "sched_getaffinity"}, {213, "epoll_create"}, {217, "getdents64"},
      {218, "set_tid_address"}, {221, "fadvise64"}, {222, "timer_create"}, {228, "clock_gettime"}, {231, "exit_group"}, {232, "epoll_wait"},
      {233, "epoll_ctl"}, {257, "openat"}, {262, "newfstatat"}, {273, "set_robust_list"}, {275, "splice"}, {281, "epoll_pwait"},
      {283, "timerfd_create"}, {284, "eventfd"}, {285, "fallocate"}, {288, "accept4"}, {290, "eventfd2"}, {291, "epoll_create1"},
      {302, "prlimit64"}, {309, "getcpu"}, {318, "getrandom"}, {319, "memfd_create"}, {324, "membarrier"}, {326, "copy_file_range"},
      {332, "statx"}, {334, "rseq"}, {424, "pidfd_send_signal"}, {434, "pidfd_open"}, {435, "clone3"}, {436, "close_range"},
      {439, "faccessat2"}, {441, "epoll_pwait2"}};
  for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++)
    if (t[i].n == n) return t[i].s;
  return "?";
}
