// Linux x86-64 system call dispatch: the table in syscall-table.h maps each
// number to its name and handler; the handlers live by subsystem in
// syscall-*.c. Also the guest memory copies every subsystem uses.
#include "syscall.h"

u32 guest_uid = 0, guest_gid = 0;
int resched;
int next_pid = 2;

int get_str(Proc *p, u64 a, char *buf, size_t n) {
  long l = mem_strlen(p->mem, a, (long)n);
  if (l < 0) { p->mem->fault = 0; return l == -1 && mem_is_mapped(p->mem, a) ? -ENAMETOOLONG : -EFAULT; }
  mem_read(p->mem, a, buf, (u64)l + 1);
  return 0;
}
int put(Proc *p, u64 a, const void *b, u64 n) {
  if (mem_write(p->mem, a, b, n)) { p->mem->fault = 0; return -EFAULT; }
  return 0;
}
int get(Proc *p, u64 a, void *b, u64 n) {
  if (mem_read(p->mem, a, b, n)) { p->mem->fault = 0; return -EFAULT; }
  return 0;
}

i64 sys_enosys(Proc *p) { return E(ENOSYS); }

typedef struct SysEntry {
  const char *name;
  SysFn *fn;
} SysEntry;

#define X(nr, name, fn) [nr] = {#name, fn},
static const SysEntry table[] = {
#include "syscall-table.h"
};
#undef X
#define NSYS ((i64)(sizeof table / sizeof table[0]))

static const char *sys_name(i64 nr) { return nr >= 0 && nr < NSYS && table[nr].name ? table[nr].name : "?"; }

static u8 logged[1024];

i64 do_syscall(Proc *p) {
  Cpu *c = &p->cpu;
  i64 nr = (i64)c->r[0];
  SysFn *fn = nr >= 0 && nr < NSYS && table[nr].fn ? table[nr].fn : sys_enosys;
  if (fn == sys_enosys && trace_on && nr >= 0 && nr < 1024 && !logged[nr]) {
    logged[nr] = 1;
    fprintf(stderr, "trellis-x86: unsupported syscall %lld (%s) -> ENOSYS\n", (long long)nr, sys_name(nr));
  }
  i64 r = fn(p);
  if (r == SYS_NORETURN) return 0;
  if (r == SYS_BLOCK) {
    p->state = P_BLOCKED;
    return SYS_BLOCK;
  }
  if (p->state == P_RUN) c->r[0] = (u64)r;
  if (trace_on > 1) fprintf(stderr, "[%d] syscall %lld (%s) = %lld\n", p->pid, (long long)nr, sys_name(nr), (long long)r);
  if (p->state == P_RUN && (p->sigpending & ~p->sigmask)) deliver_signals(p);
  return r;
}
