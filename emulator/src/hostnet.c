// Transport of the host network interface (hostnet.h, lib/image/HOST-NET.md).
#include "hostnet.h"
#include <string.h>
#include <wasi/api.h>

#define HOSTNET_FD 0x7ffffff0u // never a preopen or an opened fd
#define HOSTNET_MAGIC 0x54484e31u // "THN1"

// The block the host reads and answers in place (little-endian u32/i32 fields).
typedef struct HostReq {
  u32 magic;
  i32 op, a0, a1;
  u32 buf, len; // linear-memory address and size of the data buffer
  i32 result;
  u32 outlen; // bytes the host wrote into buf
} HostReq;

int hostnet_on;

#ifdef TRELLIS_REACTOR
i32 bridge_host_call(int op, i32 a0, i32 a1, void *buf, u32 len, u32 *outlen); // src/http/bridge.c
#endif

i32 hostnet_call(int op, i32 a0, i32 a1, void *buf, u32 len, u32 *outlen) {
#ifdef TRELLIS_REACTOR // the wasi:http component: the "host" is the bridge inside the core
  return bridge_host_call(op, a0, a1, buf, len, outlen);
#endif
  HostReq r = {HOSTNET_MAGIC, op, a0, a1, (u32)(uintptr_t)buf, len, -38, 0};
  __wasi_ciovec_t iov = {(const uint8_t *)&r, sizeof r};
  __wasi_size_t n = 0;
  if (__wasi_sock_send(HOSTNET_FD, &iov, 1, 0, &n) != 0 || n != sizeof r) return -38; // ENOSYS: no host network
  if (outlen) *outlen = r.outlen;
  return r.result;
}

int hostnet_init(void) {
  hostnet_on = hostnet_call(HN_HELLO, 0, 0, NULL, 0, NULL) == 1;
  return hostnet_on;
}
