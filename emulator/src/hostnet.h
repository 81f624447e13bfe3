// The core's side of the host network interface (lib/image/HOST-NET.md): a
// request block handed to the host through WASI preview1 sock_send on a fd
// number no runtime hands out. A runtime without the interface answers that
// call with an error, and the guest keeps its in-guest network only.
#ifndef TRELLIS_HOSTNET_H
#define TRELLIS_HOSTNET_H
#include "emu.h"

enum {
  HN_HELLO = 1,   // -> interface version (1)
  HN_LISTEN = 2,  // a0 guest TCP port -> listener handle, -ENOENT (not published), -EADDRINUSE
  HN_ACCEPT = 3,  // a0 listener -> connection handle (data: peer IPv4 4 bytes + port 2 bytes BE) or -EAGAIN
  HN_RECV = 4,    // a0 conn, buffer -> bytes, 0 at EOF, -EAGAIN, -ECONNRESET
  HN_SEND = 5,    // a0 conn, buffer -> bytes taken, -EAGAIN (host buffer full), -EPIPE
  HN_SHUT = 6,    // a0 conn: no more writes (half-close)
  HN_CLOSE = 7,   // a0 handle
  HN_CONNECT = 8, // a0 IPv4 (host order), a1 port -> connection, -EACCES (not allowed), -ECONNREFUSED, -ENETUNREACH
  HN_WAIT = 9,    // a0 timeout ms (-1 forever): returns when the host has news for the core
};

int hostnet_init(void);     // 1 when the runtime implements the interface
extern int hostnet_on;
i32 hostnet_call(int op, i32 a0, i32 a1, void *buf, u32 len, u32 *outlen);
#endif
