// File and file-system system calls: descriptors, reads and writes, the path
// calls on the overlay (vfs.c), pipes.
#include <unistd.h>
#include "syscall.h"

// ---------- fds ----------
File *fd_get(Proc *p, i64 fd) {
  if (fd < 0 || fd >= 256) return NULL;
  return p->fds->fd[fd];
}
int fd_install(Proc *p, File *f, int min, int cloexec) {
  for (int i = min; i < 256; i++)
    if (!p->fds->fd[i]) {
      p->fds->fd[i] = f;
      p->fds->cloexec[i] = (u8)cloexec;
      return i;
    }
  file_unref(f);
  return -EMFILE;
}
void fd_close(Proc *p, int fd) {
  File *f = p->fds->fd[fd];
  if (!f) return;
  p->fds->fd[fd] = NULL;
  p->fds->cloexec[fd] = 0;
  file_unref(f);
}

// Resolves a path argument relative to a directory fd.
int at_path(Proc *p, i64 dirfd, u64 upath, int follow, char *abs, char *raw) {
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
  case FK_EVENTFD: case FK_TIMERFD: case FK_EPOLL: case FK_SOCK: // anonymous inodes; sockets say so
    memset(st, 0, sizeof *st);
    st->mode = f->kind == FK_SOCK ? 0140777 : 0600;
    st->nlink = 1;
    st->ino = 5000 + ((u64)(uintptr_t)f->obj & 0xfffff);
    st->uid = guest_uid;
    st->gid = guest_gid;
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
int pipe_cap = 65536;

i64 file_read(Proc *p, File *f, u8 *buf, u64 n, i64 at) {
  if (f->flags & O_PATH_) return E(EBADF);
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
    pp->gen_out++;
    return (i64)n;
  }
  case FK_PIPE_W: return E(EBADF);
  case FK_EVENTFD: case FK_TIMERFD: return event_read(p, f, buf, n);
  case FK_SOCK: return sock_read(p, f, buf, n);
  case FK_DEV:
    switch (f->dev) {
    case 1: return 0;
    case 2: case 5: memset(buf, 0, n); return (i64)n;
    case 3: host_random(buf, n); return (i64)n;
    default: { ssize_t r = read(0, buf, n); return r < 0 ? E(EIO) : r; }
    }
  case FK_HOST: {
    ssize_t r = read(f->hostfd, buf, n);
    return r < 0 ? E(EIO) : r;
  }
  }
  return E(EBADF);
}

i64 file_write(Proc *p, File *f, const u8 *buf, u64 n, i64 at) {
  if (f->flags & O_PATH_) return E(EBADF);
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
    pp->gen_in++;
    return (i64)n;
  }
  case FK_EVENTFD: return event_write(p, f, buf, n);
  case FK_SOCK: return sock_write(p, f, buf, n);
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

FdTable *fds_copy(FdTable *t) {
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
void fds_release(FdTable *t) {
  if (--t->refs > 0) return;
  for (int i = 0; i < 256; i++)
    if (t->fd[i]) file_unref(t->fd[i]);
  free(t);
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

static i64 do_openat(Proc *p, i64 dirfd, u64 upath, i64 flags, i64 mode) {
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
  if ((st.mode & S_IFMT_) == S_IFLNK_ && !(flags & O_PATH_)) return E(ELOOP); // O_PATH|O_NOFOLLOW names the link itself
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

static i64 do_getdents64(Proc *p, i64 fd, u64 buf, u64 count) {
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

static i64 do_readlinkat(Proc *p, i64 dirfd, u64 upath, u64 buf, u64 size) {
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

static i64 do_mkdirat(Proc *p, i64 dirfd, u64 upath, i64 mode) {
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

static i64 do_unlinkat(Proc *p, i64 dirfd, u64 upath, i64 flags) {
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

static i64 do_symlinkat(Proc *p, u64 utarget, i64 dirfd, u64 upath) {
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

static i64 do_linkat(Proc *p, i64 olddir, u64 uold, i64 newdir, u64 unew) {
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

static i64 do_renameat(Proc *p, i64 olddir, u64 uold, i64 newdir, u64 unew) {
  char a[1024], b[1024];
  int rc = at_path(p, olddir, uold, 0, a, NULL);
  if (rc) return rc;
  if ((rc = at_path(p, newdir, unew, 0, b, NULL))) return rc;
  if ((rc = parent_ok(b))) return rc;
  return vfs_rename(a, b);
}

static i64 chdir_path(Proc *p, const char *abs) {
  VNode n;
  int rc = vfs_lookup(abs, &n);
  if (rc) return rc;
  if (!vfs_is_dir(&n)) return E(ENOTDIR);
  strncpy(p->cwd, abs, sizeof p->cwd - 1);
  return 0;
}

static i64 do_pipe2(Proc *p, u64 ufds, i64 flags) {
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

static i64 do_rw(Proc *p, i64 fd, u64 ubuf, u64 n, i64 at, int write) {
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

static i64 do_sendfile(Proc *p, i64 outfd, i64 infd, u64 uoff, u64 count) {
  File *out = fd_get(p, outfd), *in = fd_get(p, infd);
  if (!out || !in) return E(EBADF);
  // Linux needs an in_fd it could mmap; a pipe or a tty could not give back bytes the output did not take
  if (in->kind != FK_REG && in->kind != FK_DEV) return E(EINVAL);
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
    // A socket may take fewer bytes than were read (or none, and block): the caller's offset, or the
    // file's own, moves by what was sent, so the rest goes out on the next call instead of being lost.
    i64 w = file_write(p, out, buf, (u64)r, -1);
    i64 sent = w < 0 ? 0 : w;
    if (uoff) {
      if (sent) { off += sent; put(p, uoff, &off, 8); }
    } else if (in->kind == FK_REG) {
      in->off -= (u64)(r - sent);
    }
    r = w < 0 ? w : sent;
  }
  free(buf);
  return r;
}

// Futexes: threads run one at a time, so a waiter is a blocked syscall that is
// retried until a FUTEX_WAKE on the same address (in the same address space) marks it.
static i64 do_copy_file_range(Proc *p, i64 infd, u64 uoffin, i64 outfd, u64 uoffout, u64 len) {
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


// ---------- handlers ----------
i64 sys_read(Proc *p) { return do_rw(p, (i32)ARG0, ARG1, ARG2, -1, 0); }
i64 sys_write(Proc *p) { return do_rw(p, (i32)ARG0, ARG1, ARG2, -1, 1); }
i64 sys_pread64(Proc *p) { return do_rw(p, (i32)ARG0, ARG1, ARG2, (i64)ARG3, 0); }
i64 sys_pwrite64(Proc *p) { return do_rw(p, (i32)ARG0, ARG1, ARG2, (i64)ARG3, 1); }
i64 sys_readv(Proc *p) { return rw_vec(p, (i32)ARG0, ARG1, (i64)ARG2, -1, 0); }
i64 sys_writev(Proc *p) { return rw_vec(p, (i32)ARG0, ARG1, (i64)ARG2, -1, 1); }
i64 sys_preadv(Proc *p) { return rw_vec(p, (i32)ARG0, ARG1, (i64)ARG2, (i64)ARG3, 0); }
i64 sys_pwritev(Proc *p) { return rw_vec(p, (i32)ARG0, ARG1, (i64)ARG2, (i64)ARG3, 1); }
i64 sys_sendfile(Proc *p) { return do_sendfile(p, (i32)ARG0, (i32)ARG1, ARG2, ARG3); }
i64 sys_copy_file_range(Proc *p) { return do_copy_file_range(p, (i32)ARG0, ARG1, (i32)ARG2, ARG3, ARG4); }

i64 sys_open(Proc *p) { return do_openat(p, AT_FDCWD_, ARG0, (i32)ARG1, (i32)ARG2); }
i64 sys_openat(Proc *p) { return do_openat(p, (i32)ARG0, ARG1, (i32)ARG2, (i32)ARG3); }
i64 sys_creat(Proc *p) { return do_openat(p, AT_FDCWD_, ARG0, O_CREAT | O_WRONLY | O_TRUNC, (i32)ARG1); }

i64 sys_close(Proc *p) {
  if (!fd_get(p, (i32)ARG0)) return E(EBADF);
  fd_close(p, (i32)ARG0);
  return 0;
}

i64 sys_close_range(Proc *p) {
  u32 lo = (u32)ARG0, hi = (u32)ARG1;
  if (lo > hi) return E(EINVAL);
  for (u32 fd = lo; fd <= hi && fd < 256; fd++) {
    if (!p->fds->fd[fd]) continue;
    if (ARG2 & 4) p->fds->cloexec[fd] = 1;
    else fd_close(p, (int)fd);
  }
  return 0;
}

static i64 stat_path(Proc *p, int follow) {
  VStat st;
  i64 r = do_stat_path(p, AT_FDCWD_, ARG0, follow, &st, 0, 0);
  return r ? r : put_stat(p, ARG1, &st);
}
i64 sys_stat(Proc *p) { return stat_path(p, 1); }
i64 sys_lstat(Proc *p) { return stat_path(p, 0); }

i64 sys_fstat(Proc *p) {
  File *f = fd_get(p, (i32)ARG0);
  VStat st;
  if (!f) return E(EBADF);
  file_stat(p, f, &st);
  return put_stat(p, ARG1, &st);
}

i64 sys_newfstatat(Proc *p) {
  VStat st;
  i64 r = do_stat_path(p, (i32)ARG0, ARG1, !(ARG3 & 0x100), &st, 1, (i64)ARG3);
  return r ? r : put_stat(p, ARG2, &st);
}

i64 sys_statx(Proc *p) {
  VStat st;
  i64 r = do_stat_path(p, (i32)ARG0, ARG1, !(ARG2 & 0x100), &st, 1, (i64)ARG2);
  return r ? r : put_statx(p, ARG4, &st);
}

static i64 access_at(Proc *p, i64 dirfd, u64 upath, i64 mode) {
  VStat st;
  i64 r = do_stat_path(p, dirfd, upath, 1, &st, 0, 0);
  if (r) return r;
  if ((mode & 1) && !(st.mode & 0111) && (st.mode & S_IFMT_) != S_IFDIR_) r = E(EACCES);
  if (guest_uid != 0 && (mode & 2) && !(st.mode & 0222)) r = E(EACCES);
  return r;
}
i64 sys_access(Proc *p) { return access_at(p, AT_FDCWD_, ARG0, (i64)ARG1); }
i64 sys_faccessat(Proc *p) { return access_at(p, (i32)ARG0, ARG1, (i64)ARG2); }
i64 sys_faccessat2(Proc *p) { return access_at(p, (i32)ARG0, ARG1, (i64)ARG2); }

i64 sys_lseek(Proc *p) {
  File *f = fd_get(p, (i32)ARG0);
  if (!f) return E(EBADF);
  if (f->kind == FK_PIPE_R || f->kind == FK_PIPE_W || f->kind == FK_HOST) return E(ESPIPE);
  i64 off = (i64)ARG1, base = 0;
  int wh = (int)ARG2;
  if (wh == 1) base = (i64)f->off;
  else if (wh == 2) {
    if (f->kind == FK_DIR) return E(EINVAL);
    VStat st;
    vfs_stat(&f->node, &st);
    base = (i64)st.size;
  } else if (wh != 0) return E(EINVAL);
  if (base + off < 0) return E(EINVAL);
  f->off = (u64)(base + off);
  if (f->kind == FK_DIR && f->off == 0 && f->ents) {
    for (int i = 0; i < f->nents; i++) free(f->ents[i].name);
    free(f->ents);
    f->ents = NULL;
    f->nents = 0;
  }
  return (i64)f->off;
}

i64 sys_ioctl(Proc *p) {
  File *f = fd_get(p, (i32)ARG0);
  if (!f) return E(EBADF);
  u32 req = (u32)ARG1;
  int tty = (f->kind == FK_HOST && isatty(f->hostfd)) || (f->kind == FK_DEV && f->dev == 4);
  if (req == 0x5401) { // TCGETS
    if (!tty) return E(ENOTTY);
    // The kernel's struct termios (what TCGETS fills) is 36 bytes; libc's
    // larger struct is not the ABI, and writing past 36 smashes its stack.
    u8 t[36];
    memset(t, 0, sizeof t);
    u32 iflag = 0x500, oflag = 0x5, cflag = 0xbf, lflag = 0x8a3b;
    memcpy(t, &iflag, 4); memcpy(t + 4, &oflag, 4); memcpy(t + 8, &cflag, 4); memcpy(t + 12, &lflag, 4);
    return put(p, ARG2, t, sizeof t);
  }
  if (req == 0x5413) { // TIOCGWINSZ
    if (!tty) return E(ENOTTY);
    u16 ws[4] = {24, 80, 0, 0};
    return put(p, ARG2, ws, 8);
  }
  if (req == 0x5402 || req == 0x5403 || req == 0x5404 || req == 0x540f || req == 0x5410) return tty ? 0 : E(ENOTTY);
  if (req == 0x541b) { // FIONREAD
    int n = f->kind == FK_PIPE_R ? (int)f->pipe->len : f->kind == FK_SOCK ? sock_pending(f) : 0;
    return put(p, ARG2, &n, 4);
  }
  if (req == 0x5421) { // FIONBIO
    int on;
    if (get(p, ARG2, &on, 4)) return E(EFAULT);
    f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
    return 0;
  }
  if (req == 0x5452) { // FIOASYNC: nginx's master sets it on its worker channels
    int on;
    if (get(p, ARG2, &on, 4)) return E(EFAULT);
    f->flags = on ? f->flags | O_ASYNC_ : f->flags & ~O_ASYNC_;
    return 0;
  }
  if (req == 0x5451) { p->fds->cloexec[(i32)ARG0] = 1; return 0; } // FIOCLEX
  if (req == 0x5450) { p->fds->cloexec[(i32)ARG0] = 0; return 0; } // FIONCLEX
  return E(ENOTTY);
}

i64 sys_fcntl(Proc *p) {
  i32 fd = (i32)ARG0;
  File *f = fd_get(p, fd);
  if (!f) return E(EBADF);
  switch ((int)ARG1) {
  case 0: case 1030: file_ref(f); return fd_install(p, f, (int)ARG2, ARG1 == 1030); // F_DUPFD(_CLOEXEC)
  case 1: return p->fds->cloexec[fd];
  case 2: p->fds->cloexec[fd] = ARG2 & 1; return 0;
  case 3: return f->flags & ~O_CLOEXEC;
  case 4: f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK | O_ASYNC_)) | ((int)ARG2 & (O_APPEND | O_NONBLOCK | O_ASYNC_)); return 0;
  // O_ASYNC and the owner are kept and reported back, but no SIGIO is sent:
  // the servers seen (nginx) only note the signal and read their fds by epoll
  case 8: f->owner = (int)ARG2; return 0;  // F_SETOWN
  case 9: return f->owner;                 // F_GETOWN
  case 5: case 6: case 7: case 36: case 37: case 38: return 0; // locks
  case 1031: case 1032: return pipe_cap; // F_SETPIPE_SZ / F_GETPIPE_SZ
  default: return E(EINVAL);
  }
}

i64 sys_dup(Proc *p) {
  File *f = fd_get(p, (i32)ARG0);
  if (!f) return E(EBADF);
  file_ref(f);
  return fd_install(p, f, 0, 0);
}

static i64 dup_to(Proc *p, int three) {
  i32 a = (i32)ARG0, b = (i32)ARG1;
  File *f = fd_get(p, a);
  if (!f || b < 0 || b >= 256) return E(EBADF);
  if (a == b) return three ? E(EINVAL) : b;
  file_ref(f);
  fd_close(p, b);
  p->fds->fd[b] = f;
  p->fds->cloexec[b] = three && (ARG2 & O_CLOEXEC);
  return b;
}
i64 sys_dup2(Proc *p) { return dup_to(p, 0); }
i64 sys_dup3(Proc *p) { return dup_to(p, 1); }

i64 sys_pipe(Proc *p) { return do_pipe2(p, ARG0, 0); }
i64 sys_pipe2(Proc *p) { return do_pipe2(p, ARG0, (i32)ARG1); }

static i64 truncate_node(OvNode *o, u64 len) {
  if (vfs_ensure_writable_data(o, len)) return E(ENOSPC);
  if (len > o->size) memset(o->data + o->size, 0, len - o->size);
  o->size = len;
  return 0;
}
i64 sys_truncate(Proc *p) {
  char abs[1024];
  VNode n;
  i64 r;
  if ((r = at_path(p, AT_FDCWD_, ARG0, 1, abs, NULL)) || (r = vfs_lookup(abs, &n))) return r;
  return truncate_node(ov_copy_up(abs, &n), ARG1);
}
i64 sys_ftruncate(Proc *p) {
  File *f = fd_get(p, (i32)ARG0);
  if (!f) return E(EBADF);
  if (f->kind != FK_REG || f->node.kind != 2 || (f->flags & 3) == O_RDONLY) return E(EINVAL);
  return truncate_node(f->node.ov, ARG1);
}

i64 sys_getdents64(Proc *p) { return do_getdents64(p, (i32)ARG0, ARG1, ARG2); }

i64 sys_getcwd(Proc *p) {
  u64 l = strlen(p->cwd) + 1;
  if (ARG1 < l) return E(ERANGE);
  return put(p, ARG0, p->cwd, l) ? E(EFAULT) : (i64)l;
}
i64 sys_chdir(Proc *p) {
  char abs[1024];
  i64 r = at_path(p, AT_FDCWD_, ARG0, 1, abs, NULL);
  return r ? r : chdir_path(p, abs);
}
i64 sys_fchdir(Proc *p) {
  File *f = fd_get(p, (i32)ARG0);
  if (!f) return E(EBADF);
  if (f->kind != FK_DIR) return E(ENOTDIR);
  return chdir_path(p, f->path);
}

i64 sys_rename(Proc *p) { return do_renameat(p, AT_FDCWD_, ARG0, AT_FDCWD_, ARG1); }
i64 sys_renameat(Proc *p) { return do_renameat(p, (i32)ARG0, ARG1, (i32)ARG2, ARG3); }
i64 sys_renameat2(Proc *p) { return do_renameat(p, (i32)ARG0, ARG1, (i32)ARG2, ARG3); }
i64 sys_mkdir(Proc *p) { return do_mkdirat(p, AT_FDCWD_, ARG0, (i32)ARG1); }
i64 sys_mkdirat(Proc *p) { return do_mkdirat(p, (i32)ARG0, ARG1, (i32)ARG2); }
i64 sys_rmdir(Proc *p) { return do_unlinkat(p, AT_FDCWD_, ARG0, 0x200); }
i64 sys_unlink(Proc *p) { return do_unlinkat(p, AT_FDCWD_, ARG0, 0); }
i64 sys_unlinkat(Proc *p) { return do_unlinkat(p, (i32)ARG0, ARG1, (i32)ARG2); }
i64 sys_link(Proc *p) { return do_linkat(p, AT_FDCWD_, ARG0, AT_FDCWD_, ARG1); }
i64 sys_linkat(Proc *p) { return do_linkat(p, (i32)ARG0, ARG1, (i32)ARG2, ARG3); }
i64 sys_symlink(Proc *p) { return do_symlinkat(p, ARG0, AT_FDCWD_, ARG1); }
i64 sys_symlinkat(Proc *p) { return do_symlinkat(p, ARG0, (i32)ARG1, ARG2); }
i64 sys_readlink(Proc *p) { return do_readlinkat(p, AT_FDCWD_, ARG0, ARG1, ARG2); }
i64 sys_readlinkat(Proc *p) { return do_readlinkat(p, (i32)ARG0, ARG1, ARG2, ARG3); }

// chmod/chown/utimes are applied to the overlay copy of the node.
enum { ATTR_MODE, ATTR_OWNER, ATTR_TIME };
static i64 set_attr(Proc *p, const char *abs, int what, u64 a, u64 b) {
  VNode n;
  i64 r = vfs_lookup(abs, &n);
  if (r) return r;
  OvNode *o = ov_copy_up(abs, &n);
  if (what == ATTR_MODE) o->mode = (o->mode & S_IFMT_) | (a & 07777);
  else if (what == ATTR_OWNER) {
    if ((i32)a != -1) o->uid = (u32)a;
    if ((i32)b != -1) o->gid = (u32)b;
  } else o->mtime = (i64)(now_ns() / 1000000000ull);
  return 0;
}
static i64 attr_fd(Proc *p, i64 fd, int what, u64 a, u64 b) {
  File *f = fd_get(p, (i32)fd);
  if (!f) return E(EBADF);
  if (!f->path) return 0;
  return set_attr(p, f->path, what, a, b);
}
static i64 attr_path(Proc *p, i64 dirfd, u64 upath, int follow, int what, u64 a, u64 b) {
  char abs[1024];
  i64 r = at_path(p, dirfd, upath, follow, abs, NULL);
  if (r) return r;
  int pfd = proc_fd_num(abs); // /proc/self/fd/N: glibc's fchmodat(AT_SYMLINK_NOFOLLOW) chmods its O_PATH fd so
  return pfd >= 0 ? attr_fd(p, pfd, what, a, b) : set_attr(p, abs, what, a, b);
}
i64 sys_chmod(Proc *p) { return attr_path(p, AT_FDCWD_, ARG0, 1, ATTR_MODE, ARG1, 0); }
i64 sys_fchmod(Proc *p) { return attr_fd(p, ARG0, ATTR_MODE, ARG1, 0); }
i64 sys_fchmodat(Proc *p) { return attr_path(p, (i32)ARG0, ARG1, 1, ATTR_MODE, ARG2, 0); }
i64 sys_chown(Proc *p) { return attr_path(p, AT_FDCWD_, ARG0, 1, ATTR_OWNER, ARG1, ARG2); }
i64 sys_fchown(Proc *p) { return attr_fd(p, ARG0, ATTR_OWNER, ARG1, ARG2); }
i64 sys_lchown(Proc *p) { return attr_path(p, AT_FDCWD_, ARG0, 0, ATTR_OWNER, ARG1, ARG2); }
i64 sys_fchownat(Proc *p) { return attr_path(p, (i32)ARG0, ARG1, 1, ATTR_OWNER, ARG2, ARG3); }
i64 sys_utime(Proc *p) { return attr_path(p, AT_FDCWD_, ARG0, 1, ATTR_TIME, 0, 0); }
i64 sys_utimes(Proc *p) { return attr_path(p, AT_FDCWD_, ARG0, 1, ATTR_TIME, 0, 0); }
i64 sys_utimensat(Proc *p) {
  if (ARG1) return attr_path(p, (i32)ARG0, ARG1, 1, ATTR_TIME, 0, 0);
  File *f = fd_get(p, (i32)ARG0);
  if (!f || !f->path) return E(EBADF);
  return set_attr(p, f->path, ATTR_TIME, 0, 0);
}

i64 sys_umask(Proc *p) {
  i64 r = p->umask;
  p->umask = (u32)ARG0 & 0777;
  return r;
}

static i64 statfs_out(Proc *p) {
  u8 s[120];
  memset(s, 0, sizeof s);
  u64 type = 0x01021994, bsize = 4096, blocks = 1 << 20, nfree = 1 << 19, namelen = 255;
  memcpy(s, &type, 8); memcpy(s + 8, &bsize, 8); memcpy(s + 16, &blocks, 8);
  memcpy(s + 24, &nfree, 8); memcpy(s + 32, &nfree, 8); memcpy(s + 72, &namelen, 8); memcpy(s + 80, &bsize, 8);
  return put(p, ARG1, s, sizeof s);
}
i64 sys_statfs(Proc *p) { return statfs_out(p); }
i64 sys_fstatfs(Proc *p) { return statfs_out(p); }

i64 sys_no_xattr(Proc *p) { return E(ENODATA); } // getxattr family: no extended attributes
