// Network system calls. No socket family is implemented yet: socket() and
// socketpair() answer EAFNOSUPPORT, and the socket queries on other fds ENOTSOCK.
#include "syscall.h"

i64 sys_socket(Proc *p) { return E(EAFNOSUPPORT); }
i64 sys_socketpair(Proc *p) { return E(EAFNOSUPPORT); }
i64 sys_getsockname(Proc *p) { return E(ENOTSOCK); }
i64 sys_getpeername(Proc *p) { return E(ENOTSOCK); }
i64 sys_getsockopt(Proc *p) { return E(ENOTSOCK); }
