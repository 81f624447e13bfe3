// Shared by the system call subsystems (syscall-*.c): argument access, guest
// memory copies, file descriptor tables and the handler prototypes that
// syscall-table.h names.
#ifndef TRELLIS_SYSCALL_H
#define TRELLIS_SYSCALL_H
#include "emu.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lx.h"

#define E(x) (-(i64)(x))
#define ARG0 p->cpu.r[7]
#define ARG1 p->cpu.r[6]
#define ARG2 p->cpu.r[2]
#define ARG3 p->cpu.r[10]
#define ARG4 p->cpu.r[8]
#define ARG5 p->cpu.r[9]
#define AT_FDCWD_ (-100)
// A handler that already set up the registers (sigreturn, a successful exec,
// exit): the dispatcher leaves rax alone and delivers no signals.
#define SYS_NORETURN (-100001)

typedef i64 SysFn(Proc *p);
#define X(nr, name, fn) SysFn fn;
#include "syscall-table.h"
#undef X
SysFn sys_enosys;

extern u32 guest_uid, guest_gid;
extern char guest_hostname[65]; // uname's nodename, /etc/hostname, the name the in-core DNS answers
extern int resched; // ask the interpreter loop to return to the scheduler after this syscall
extern int next_pid;
extern int pipe_cap;

// guest memory: 0 or -EFAULT (-ENAMETOOLONG for strings)
int get_str(Proc *p, u64 a, char *buf, size_t n);
int put(Proc *p, u64 a, const void *b, u64 n);
int get(Proc *p, u64 a, void *b, u64 n);

// fds
File *fd_get(Proc *p, i64 fd);
int fd_install(Proc *p, File *f, int min, int cloexec);
void fd_close(Proc *p, int fd);
FdTable *fds_copy(FdTable *t);
void fds_release(FdTable *t);
int at_path(Proc *p, i64 dirfd, u64 upath, int follow, char *abs, char *raw);
i64 file_read(Proc *p, File *f, u8 *buf, u64 n, i64 at);
i64 file_write(Proc *p, File *f, const u8 *buf, u64 n, i64 at);

// readiness (syscall-events.c) and sockets (syscall-net.c)
#define POLLIN_ 0x1
#define POLLPRI_ 0x2
#define POLLOUT_ 0x4
#define POLLERR_ 0x8
#define POLLHUP_ 0x10
#define POLLNVAL_ 0x20
#define POLLRDNORM_ 0x40
#define POLLWRNORM_ 0x100
#define POLLRDHUP_ 0x2000
u32 file_poll(File *f);                   // current readiness, POLL* bits
void file_gens(File *f, u32 *in, u32 *out); // change counters for edge-triggered epoll
i64 event_read(Proc *p, File *f, u8 *buf, u64 n);
i64 event_write(Proc *p, File *f, const u8 *buf, u64 n);
i64 sock_read(Proc *p, File *f, u8 *buf, u64 n);
i64 sock_write(Proc *p, File *f, const u8 *buf, u64 n);
int sock_pending(File *f);
u32 sock_poll(File *f);
void sock_gens(File *f, u32 *in, u32 *out);
void sock_release(File *f);
u64 timers_next_deadline(void); // earliest armed timerfd expiry (monotonic ns), 0 when none

// processes
Proc *find_proc(int pid);
int futex_wake(Mem *m, u64 addr, int n);
int sig_default_ignored(int sig);
void put_timespec(Proc *p, u64 a, u64 ns);
void host_random(void *buf, size_t n);

#endif
