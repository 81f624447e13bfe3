// Packed rootfs reader, in-memory overlay, path resolution and directory
// listing. The rootfs is read by pointer arithmetic over one buffer; the
// overlay is a hash of canonical paths (new files, copied-up files, whiteouts).
#include "emu.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lx.h"

static const u8 *rfs;
static u64 rfs_size;
static u32 n_entries, n_inodes;
static u64 idx_off, ino_off, str_off, data_off;

static u32 le32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static u64 le64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }

int rootfs_init(const u8 *base, u64 size) {
  if (size < 64 || memcmp(base, "TRLSROFS", 8) != 0) return -1;
  if (le32(base + 8) != 1 || le32(base + 12) != 64) return -2;
  n_entries = le32(base + 16);
  n_inodes = le32(base + 20);
  idx_off = le64(base + 24);
  ino_off = le64(base + 32);
  str_off = le64(base + 40);
  data_off = le64(base + 48);
  if (le64(base + 56) != size) return -3;
  if (idx_off > size || (u64)n_entries * 16 > size - idx_off) return -3;
  if (ino_off > size || (u64)n_inodes * 64 > size - ino_off) return -3;
  if (str_off > size || data_off > size || n_entries == 0) return -3;
  // validate every entry and inode once so later reads need no checks
  for (u32 i = 0; i < n_entries; i++) {
    const u8 *e = base + idx_off + 16ull * i;
    u64 po = str_off + le32(e), pl = le32(e + 4);
    if (po > size || pl > size - po || le32(e + 8) >= n_inodes || le32(e + 12) > pl) return -4;
  }
  for (u32 i = 0; i < n_inodes; i++) {
    const u8 *n = base + ino_off + 64ull * i;
    u32 mode = le32(n);
    u64 sz = le64(n + 16), d = le64(n + 24);
    u64 bytes = (mode & S_IFMT_) == S_IFDIR_ ? sz * 4 : sz;
    if ((mode & S_IFMT_) == S_IFDIR_ && sz > n_entries) return -5;
    if (bytes && (d > size || bytes > size - d)) return -5;
    if ((mode & S_IFMT_) == S_IFDIR_)
      for (u64 k = 0; k < sz; k++)
        if (le32(base + d + 4 * k) >= n_entries) return -5;
  }
  rfs = base;
  rfs_size = size;
  return 0;
}

// A run resumed from a start-up snapshot gets the rootfs bytes at its first
// access (snapshot.c): every access starts with an entry or an inode.
static void (*rfs_pending)(void);
void vfs_set_pending(void (*fill)(void)) { rfs_pending = fill; }
static inline void rfs_need(void) {
  if (__builtin_expect(rfs_pending != NULL, 0)) {
    void (*f)(void) = rfs_pending;
    rfs_pending = NULL;
    f();
  }
}
static const u8 *r_entry(u32 i) { rfs_need(); return rfs + idx_off + 16ull * i; }
static const u8 *r_inode(u32 i) { rfs_need(); return rfs + ino_off + 64ull * i; }

// path without leading '/'
static int r_find(const char *p, u32 len, u32 *ino) {
  if (!rfs) return -1;
  u32 lo = 0, hi = n_entries;
  while (lo < hi) {
    u32 mid = (lo + hi) / 2;
    const u8 *e = r_entry(mid);
    u32 pl = le32(e + 4);
    const u8 *ps = rfs + str_off + le32(e);
    u32 n = pl < len ? pl : len;
    int c = memcmp(ps, p, n);
    if (c == 0) c = pl < len ? -1 : pl > len ? 1 : 0;
    if (c == 0) {
      *ino = le32(e + 8);
      return 0;
    }
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

// ---- overlay ----
#define OV_BUCKETS 1024
static OvNode *ov[OV_BUCKETS];
static u64 ov_ino = 1u << 30;

static u32 hash(const char *s) {
  u32 h = 2166136261u;
  while (*s) h = (h ^ (u8)*s++) * 16777619u;
  return h;
}

static OvNode *ov_find(const char *abs) {
  for (OvNode *n = ov[hash(abs) % OV_BUCKETS]; n; n = n->next)
    if (!strcmp(n->path, abs)) return n;
  return NULL;
}

static OvNode *ov_put(const char *abs) {
  OvNode *n = ov_find(abs);
  if (n) {
    free(n->data);
    n->data = NULL;
    n->size = n->cap = 0;
    n->whiteout = 0;
    n->dev = 0;
    return n;
  }
  n = calloc(1, sizeof *n);
  n->path = strdup(abs);
  n->ino = ov_ino++;
  n->nlink = 1;
  u32 h = hash(abs) % OV_BUCKETS;
  n->next = ov[h];
  ov[h] = n;
  return n;
}

OvNode *ov_create(const char *abs, u32 mode) {
  OvNode *n = ov_put(abs);
  n->mode = mode;
  n->mtime = (i64)(now_ns() / 1000000000ull);
  if ((mode & S_IFMT_) == S_IFDIR_) n->nlink = 2;
  return n;
}

int vfs_ensure_writable_data(OvNode *o, u64 need) {
  if (need <= o->cap) return 0;
  u64 nc = o->cap ? o->cap : 4096;
  while (nc < need) nc *= 2;
  u8 *d = realloc(o->data, nc);
  if (!d) return -ENOMEM;
  memset(d + o->cap, 0, nc - o->cap);
  o->data = d;
  o->cap = nc;
  return 0;
}

OvNode *ov_copy_up(const char *abs, const VNode *n) {
  if (n->kind == 2) return n->ov;
  VStat st;
  vfs_stat(n, &st);
  u64 len;
  const u8 *src = vfs_data(n, &len);
  OvNode *o = ov_put(abs);
  o->mode = st.mode;
  o->uid = st.uid;
  o->gid = st.gid;
  o->mtime = st.mtime;
  o->ino = st.ino;
  if ((st.mode & S_IFMT_) == S_IFDIR_) o->nlink = 2;
  if (src && len) {
    vfs_ensure_writable_data(o, len);
    memcpy(o->data, src, len);
    o->size = len;
  }
  return o;
}

int ov_remove(const char *abs) {
  OvNode *n = ov_put(abs);
  n->whiteout = 1;
  return 0;
}

void vfs_init_dev(void) {
  static const struct { const char *p; int dev; } devs[] = {
      {"/dev/null", 1}, {"/dev/zero", 2}, {"/dev/urandom", 3}, {"/dev/random", 3}, {"/dev/tty", 4}, {"/dev/full", 5}};
  VNode v;
  if (vfs_lookup("/dev", &v)) ov_create("/dev", S_IFDIR_ | 0755);
  for (unsigned i = 0; i < sizeof devs / sizeof devs[0]; i++) {
    OvNode *n = ov_create(devs[i].p, S_IFCHR_ | 0666);
    n->dev = devs[i].dev;
  }
  static const struct { const char *p, *t; } links[] = {
      {"/dev/stdin", "/proc/self/fd/0"}, {"/dev/stdout", "/proc/self/fd/1"}, {"/dev/stderr", "/proc/self/fd/2"}, {"/dev/fd", "/proc/self/fd"}};
  for (unsigned i = 0; i < sizeof links / sizeof links[0]; i++) {
    OvNode *n = ov_create(links[i].p, S_IFLNK_ | 0777);
    n->size = strlen(links[i].t);
    vfs_ensure_writable_data(n, n->size);
    memcpy(n->data, links[i].t, n->size);
  }
  if (vfs_lookup("/tmp", &v)) ov_create("/tmp", S_IFDIR_ | 01777);
  if (vfs_lookup("/proc", &v)) ov_create("/proc", S_IFDIR_ | 0555);
}

int vfs_lookup(const char *abs, VNode *out) {
  OvNode *o = ov_find(abs);
  if (o) {
    if (o->whiteout) return -ENOENT;
    out->kind = 2;
    out->ov = o;
    return 0;
  }
  u32 ino;
  const char *p = abs[0] == '/' ? abs + 1 : abs;
  if (r_find(p, (u32)strlen(p), &ino)) return -ENOENT;
  out->kind = 1;
  out->ri = ino;
  out->ov = NULL;
  return 0;
}

void vfs_stat(const VNode *n, VStat *st) {
  memset(st, 0, sizeof *st);
  if (n->kind == 2) {
    OvNode *o = n->ov;
    st->mode = o->mode;
    st->uid = o->uid;
    st->gid = o->gid;
    st->nlink = o->nlink;
    st->size = (o->mode & S_IFMT_) == S_IFDIR_ ? 4096 : o->size;
    st->ino = o->ino;
    st->mtime = o->mtime;
    if (o->dev) st->rdev = o->dev == 1 ? 0x103 : o->dev == 2 ? 0x105 : o->dev == 3 ? 0x109 : 0x500;
    return;
  }
  const u8 *r = r_inode(n->ri);
  st->mode = le32(r);
  st->uid = le32(r + 4);
  st->gid = le32(r + 8);
  st->nlink = le32(r + 12);
  st->size = (st->mode & S_IFMT_) == S_IFDIR_ ? 4096 : le64(r + 16);
  st->ino = n->ri + 1;
  st->mtime = (i64)le64(r + 32);
  st->mtime_nsec = le32(r + 40);
}

int vfs_is_dir(const VNode *n) {
  VStat st;
  vfs_stat(n, &st);
  return (st.mode & S_IFMT_) == S_IFDIR_;
}

const u8 *vfs_data(const VNode *n, u64 *len) {
  if (n->kind == 2) {
    *len = n->ov->size;
    return n->ov->data;
  }
  const u8 *r = r_inode(n->ri);
  if ((le32(r) & S_IFMT_) == S_IFDIR_) { *len = 0; return NULL; }
  *len = le64(r + 16);
  u64 d = le64(r + 24);
  return *len ? rfs + d : (const u8 *)"";
}

// Canonicalises `path` relative to `cwd`, following symlinks inside the
// rootfs (all but the last component, and the last when `follow`).
int vfs_resolve(const char *cwd, const char *path, int follow, char *out, int outlen) {
  char work[4096];
  char res[4096];
  int hops = 0;
  if (!path[0]) return -ENOENT;
  if (strlen(path) >= sizeof work - 1) return -ENAMETOOLONG;
  strcpy(work, path);
  if (path[0] == '/') res[0] = 0;
  else {
    if (strlen(cwd) >= sizeof res) return -ENAMETOOLONG;
    strcpy(res, strcmp(cwd, "/") ? cwd : "");
  }
  char *p = work;
  for (;;) {
    while (*p == '/') p++;
    if (!*p) break;
    char *e = strchr(p, '/');
    int last;
    size_t cl = e ? (size_t)(e - p) : strlen(p);
    {
      char *q = p + cl;
      while (*q == '/') q++;
      last = *q == 0;
    }
    if (cl == 1 && p[0] == '.') { p += cl; continue; }
    if (cl == 2 && p[0] == '.' && p[1] == '.') {
      char *s = strrchr(res, '/');
      if (s) *s = 0;
      p += cl;
      continue;
    }
    size_t rl = strlen(res);
    if (rl + cl + 2 >= sizeof res) return -ENAMETOOLONG;
    res[rl] = '/';
    memcpy(res + rl + 1, p, cl);
    res[rl + 1 + cl] = 0;
    p += cl;
    VNode n;
    int rc = vfs_lookup(res, &n);
    if (rc) {
      if (last) break;
      return -ENOENT;
    }
    VStat st;
    vfs_stat(&n, &st);
    if ((st.mode & S_IFMT_) == S_IFLNK_ && (!last || follow)) {
      if (++hops > 40) return -ELOOP;
      u64 tl;
      const u8 *t = vfs_data(&n, &tl);
      char rest[4096];
      if (strlen(p) + tl + 2 >= sizeof rest) return -ENAMETOOLONG;
      memcpy(rest, t, tl);
      rest[tl] = 0;
      strcat(rest, p);
      strcpy(work, rest);
      p = work;
      // /proc/self/fd links are resolved by the caller
      if (!strncmp(work, "/proc/self/", 11)) {
        if (strlen(work) >= (size_t)outlen) return -ENAMETOOLONG;
        strcpy(out, work);
        return 0;
      }
      res[rl] = 0; // drop the link component
      if (t && tl && t[0] == '/') res[0] = 0;
      continue;
    }
    if (!last && (st.mode & S_IFMT_) != S_IFDIR_) return -ENOTDIR;
  }
  if (!res[0]) strcpy(res, "/");
  if ((int)strlen(res) >= outlen) return -ENAMETOOLONG;
  strcpy(out, res);
  return 0;
}

static int ent_cmp(const void *a, const void *b) {
  return strcmp(((const DirEnt *)a)->name, ((const DirEnt *)b)->name);
}

static u8 dtype(u32 mode) {
  switch (mode & S_IFMT_) {
  case S_IFDIR_: return 4;
  case S_IFLNK_: return 10;
  case S_IFCHR_: return 2;
  case S_IFIFO_: return 1;
  default: return 8;
  }
}

// Snapshot of a directory's entries: ".", "..", rootfs children not hidden by
// the overlay, and overlay children.
int vfs_list(const char *abs, const VNode *n, DirEnt **out) {
  int cap = 64, cnt = 0;
  DirEnt *v = malloc(sizeof(DirEnt) * cap);
  VStat st;
  vfs_stat(n, &st);
  v[cnt++] = (DirEnt){strdup("."), st.ino, 4};
  v[cnt++] = (DirEnt){strdup(".."), st.ino, 4};
  size_t al = strlen(abs);
  int isroot = !strcmp(abs, "/");
  char child[4096];
  // rootfs children of the rootfs directory of this path
  u32 ri;
  const char *rp = abs[0] == '/' ? abs + 1 : abs;
  if (!r_find(rp, (u32)strlen(rp), &ri) && (le32(r_inode(ri)) & S_IFMT_) == S_IFDIR_) {
    const u8 *r = r_inode(ri);
    u64 k = le64(r + 16), d = le64(r + 24);
    for (u64 i = 0; i < k; i++) {
      const u8 *e = r_entry(le32(rfs + d + 4 * i));
      u32 pl = le32(e + 4), no = le32(e + 12);
      const char *ps = (const char *)rfs + str_off + le32(e);
      const char *name = ps + no;
      u32 nl = pl - no;
      if (al + nl + 2 > sizeof child) continue;
      if (isroot) { child[0] = '/'; memcpy(child + 1, name, nl); child[nl + 1] = 0; }
      else { memcpy(child, abs, al); child[al] = '/'; memcpy(child + al + 1, name, nl); child[al + 1 + nl] = 0; }
      if (ov_find(child)) continue; // overlay decides
      if (cnt == cap) v = realloc(v, sizeof(DirEnt) * (cap *= 2));
      char *nm = malloc(nl + 1);
      memcpy(nm, name, nl);
      nm[nl] = 0;
      u32 ci = le32(e + 8);
      v[cnt++] = (DirEnt){nm, ci + 1, dtype(le32(r_inode(ci)))};
    }
  }
  for (int b = 0; b < OV_BUCKETS; b++)
    for (OvNode *o = ov[b]; o; o = o->next) {
      if (o->whiteout) continue;
      const char *s = strrchr(o->path, '/');
      if (!s || s == o->path + strlen(o->path) - 1) continue;
      size_t pl = (size_t)(s - o->path);
      int match = isroot ? pl == 0 : (pl == al && !memcmp(o->path, abs, al));
      if (!match) continue;
      if (cnt == cap) v = realloc(v, sizeof(DirEnt) * (cap *= 2));
      v[cnt++] = (DirEnt){strdup(s + 1), o->ino, dtype(o->mode)};
    }
  qsort(v + 2, cnt - 2, sizeof(DirEnt), ent_cmp);
  *out = v;
  return cnt;
}

// Moves one path (and, for overlay directories, everything under it).
int vfs_rename(const char *from, const char *to) {
  VNode n;
  if (vfs_lookup(from, &n)) return -ENOENT;
  if (!strcmp(from, to)) return 0;
  size_t fl = strlen(from);
  if (!strncmp(to, from, fl) && to[fl] == '/') return -EINVAL;
  VNode t;
  if (!vfs_lookup(to, &t)) {
    if (vfs_is_dir(&t) && !vfs_is_dir(&n)) return -EISDIR;
    if (!vfs_is_dir(&t) && vfs_is_dir(&n)) return -ENOTDIR;
    if (vfs_is_dir(&t)) {
      DirEnt *e;
      int k = vfs_list(to, &t, &e);
      for (int i = 0; i < k; i++) free(e[i].name);
      free(e);
      if (k > 2) return -ENOTEMPTY;
    }
  }
  if (vfs_is_dir(&n)) {
    // move children first (recursively), then the directory itself
    DirEnt *e;
    int k = vfs_list(from, &n, &e);
    OvNode *o = ov_copy_up(to, &n);
    (void)o;
    OvNode *dn = ov_find(to);
    VStat st;
    vfs_stat(&n, &st);
    dn->mode = st.mode;
    for (int i = 2; i < k; i++) {
      char a[4096], b[4096];
      snprintf(a, sizeof a, "%s/%s", from, e[i].name);
      snprintf(b, sizeof b, "%s/%s", to, e[i].name);
      vfs_rename(a, b);
      free(e[i].name);
    }
    free(e[0].name);
    free(e[1].name);
    free(e);
    ov_remove(from);
    return 0;
  }
  VStat st;
  vfs_stat(&n, &st);
  u64 len;
  const u8 *src = vfs_data(&n, &len);
  u8 *copy = NULL;
  if (len) { copy = malloc(len); memcpy(copy, src, len); }
  OvNode *o = ov_put(to);
  o->mode = st.mode;
  o->uid = st.uid;
  o->gid = st.gid;
  o->mtime = st.mtime;
  o->ino = st.ino;
  if (n.kind == 2) o->dev = n.ov->dev;
  o->data = copy;
  o->size = o->cap = len;
  ov_remove(from);
  return 0;
}

File *file_new(int kind) {
  File *f = calloc(1, sizeof *f);
  f->refs = 1;
  f->kind = kind;
  f->hostfd = -1;
  return f;
}
void file_ref(File *f) { f->refs++; }
void file_unref(File *f) {
  if (--f->refs > 0) return;
  file_release_obj(f);
  if (f->kind == FK_PIPE_R) { f->pipe->readers--; f->pipe->gen_out++; }
  if (f->kind == FK_PIPE_W) { f->pipe->writers--; f->pipe->gen_in++; }
  if (f->pipe && f->pipe->readers == 0 && f->pipe->writers == 0) {
    free(f->pipe->buf);
    free(f->pipe);
  }
  for (int i = 0; i < f->nents; i++) free(f->ents[i].name);
  free(f->ents);
  free(f->path);
  free(f);
}
