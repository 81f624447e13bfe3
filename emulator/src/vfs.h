// Guest file system: the read-only packed rootfs (PACKED-ROOTFS.md v1) under a
// writable in-memory overlay, plus open file descriptions and pipes.
#ifndef TRELLIS_VFS_H
#define TRELLIS_VFS_H

#define S_IFMT_ 0170000
#define S_IFREG_ 0100000
#define S_IFDIR_ 0040000
#define S_IFLNK_ 0120000
#define S_IFCHR_ 0020000
#define S_IFIFO_ 0010000

typedef struct OvNode {
  char *path; // canonical absolute path ("/a/b")
  u32 mode, uid, gid;
  int whiteout;
  int dev;    // for character devices: 1 null, 2 zero, 3 urandom, 4 tty
  u8 *data;   // regular file content / symlink target
  u64 size, cap;
  i64 mtime;
  u64 ino;
  int nlink;
  struct OvNode *next;
} OvNode;

// A resolved file-system object.
typedef struct VNode {
  int kind; // 1 rootfs inode, 2 overlay node
  u32 ri;   // rootfs inode index
  OvNode *ov;
} VNode;

typedef struct VStat {
  u32 mode, uid, gid, nlink;
  u64 size, ino, rdev;
  i64 mtime;
  u32 mtime_nsec;
} VStat;

typedef struct Pipe {
  u8 *buf;
  u32 cap, head, len;
  int readers, writers;
  u32 gen_in, gen_out; // readiness changes seen by edge-triggered epoll: data or EOF arrived / room freed or reader gone
} Pipe;

typedef struct DirEnt {
  char *name;
  u64 ino;
  u8 type;
} DirEnt;

enum { FK_REG = 1, FK_DIR, FK_PIPE_R, FK_PIPE_W, FK_HOST, FK_DEV, FK_EVENTFD, FK_TIMERFD, FK_EPOLL, FK_SOCK };

typedef struct File {
  int refs;
  int kind;
  int flags;
  u64 off;
  VNode node;
  char *path;
  Pipe *pipe;
  int hostfd;
  int dev;
  DirEnt *ents;
  int nents;
  int owner; // F_SETOWN: kept and reported; SIGIO is not delivered (see syscall-fs.c)
  void *obj; // eventfd / timerfd / epoll instance / socket (syscall-events.c, syscall-net.c)
} File;

int vfs_resolve(const char *cwd, const char *path, int follow, char *out, int outlen);
int vfs_lookup(const char *abs, VNode *out);
void vfs_stat(const VNode *n, VStat *st);
// content of a regular file / symlink: pointer + length (rootfs or overlay)
const u8 *vfs_data(const VNode *n, u64 *len);
OvNode *ov_create(const char *abs, u32 mode);
OvNode *ov_copy_up(const char *abs, const VNode *n);
int ov_remove(const char *abs); // whiteout
int vfs_list(const char *abs, const VNode *n, DirEnt **out);
int vfs_is_dir(const VNode *n);
int vfs_rename(const char *from, const char *to);
void vfs_init_dev(void);
int vfs_ensure_writable_data(OvNode *o, u64 need);

File *file_new(int kind);
void file_ref(File *f);
void file_unref(File *f);
// syscall-events.c: frees the object of an eventfd/timerfd/epoll/socket file and
// drops the file from every epoll interest list
void file_release_obj(File *f);
#endif
