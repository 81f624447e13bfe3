// Start-up snapshots (lib/compile/startup-snapshot.ts): the compile step runs
// an artifact once with TRELLIS_SNAPSHOT=1; the core runs the guest until its
// first system call that reaches or depends on the world outside the guest
// (snap_stops below), and there writes the core's linear memory to stdout
// instead of making the call. The dump leaves out the decode cache (zeroed,
// then freed: a resumed run decodes again) and every guest page that still
// holds, whole, the rootfs bytes an exec or mmap copied into it: such a page
// is a link (its address, the rootfs address) that the core copies at a
// resume. The compile step puts that dump in the artifact: the ranges above
// the embedded rootfs as data segments at their addresses, the static data,
// the heap below it, the links and the small ranges in a blob past everything
// else, which `trellis_snap` points at, and makes the rootfs a passive
// segment with a loader: instantiation leaves the rootfs range empty, and the
// core copies it in (snap_rootfs_ready) before a normal start, or at a resumed
// run's first file access (vfs_set_pending); the links come from it directly.
//
// A later run starts the core as usual (pristine data segments), builds the
// same inputs key (guest argv, environment, workdir, user, hostname, the CPU level cpuid reports, HTTP
// port, which of fds 0-2 are terminals) and, when it equals the dump's, copies
// the blob over the core's static data and low heap and resumes the scheduler:
// the guest retries the system call it stopped at. Any difference means a
// normal start, untouched by the snapshot.
//
// What a restored run shares with the snapshot run, by design: the clock
// readings and random bytes the guest took before the stop (AT_RANDOM, so the
// stack canary and pointer guard; getrandom and /dev/urandom, so e.g. glibc's
// tcache key and Python's hash secret). CLOCK_MONOTONIC continues from its
// value at the stop; CLOCK_REALTIME jumps to the real time.
#include "emu.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>
#include <wasi/libc-environ.h>
#include <wasi/libc.h>
#include "hostnet.h"
#include "syscall.h"

// Patched by lib/compile/startup-snapshot.ts (found by its magic).
struct SnapDesc {
  char magic[16];
  u32 version;
  u32 blob_addr, blob_len;
  u32 loader;      // table slot of loader(dst, offset, len): memory.init of the passive rootfs segment; 0: none
  u32 reserved[2];
};

// Copies from the rootfs into guest memory while a snapshot is being taken
// (mem_write_force): where snap_take looks for pages it can link.
typedef struct Note {
  u64 addr, len;
  const u8 *src;
} Note;
static Note *notes;
static u32 nnotes, notes_cap;
__attribute__((used)) volatile struct SnapDesc trellis_snap = {{'T', 'R', 'E', 'L', 'L', 'I', 'S', '-', 'S', 'N', 'A', 'P', '-', 'V', '1', 0}, 1, 0, 0, 0, {0, 0x50414e53u}}; // non-zero last word: kept whole in the data segment

// The dump (and the blob in the artifact): this header, the key, then runs of
// (u32 addr, u32 len, bytes).
typedef struct SnapHdr {
  char magic[16]; // "TRELLIS-SNAPDUMP"
  u32 version;
  u32 mem_end;    // linear memory size when it was taken
  u32 key_len;
  u32 nruns;      // in the dump: all runs; in the artifact's blob: the ones the core copies (the first ncopy and the small ones)
  u64 mono;       // mono_ns() at the stop
  u64 insns;      // guest instructions PID 1 had executed
  u32 stop_nr;    // the system call it stopped at
  u32 ncopy;      // the first ncopy runs (static data, the heap below the
                  // embedded data) are the core's to copy at a resume; the
                  // rest lie where a fresh start never allocates (claim_embedded_region
                  // keeps it out up to the blob's end), so the artifact places
                  // them as data segments of their own
  u32 nlinks;     // links after the key: pages the core copies from the rootfs at a resume
  u32 rootfs_addr, rootfs_len; // the embedded rootfs, which the artifact makes a passive segment
  u32 reserved;
} SnapHdr;

// A page whose bytes equal the embedded rootfs's at src (a file page the core
// copied into guest memory at an exec or mmap): restored by copying, not dumped.
typedef struct Link {
  u32 dst, src, len;
} Link;

static const char DUMP_MAGIC[16] = {'T', 'R', 'E', 'L', 'L', 'I', 'S', '-', 'S', 'N', 'A', 'P', 'D', 'U', 'M', 'P'};

int snap_armed;          // taking one in this run
static char *snap_key;   // this run's inputs key (snap_make_key)
static u32 snap_key_len;
extern i64 mono_shift;   // main.c: added to the host's monotonic clock

typedef struct Buf {
  char *b;
  u32 n, cap;
} Buf;
static void buf_add(Buf *k, const void *s, u32 n) {
  if (k->n + n > k->cap) {
    k->cap = (k->n + n) * 2 + 64;
    k->b = realloc(k->b, k->cap);
  }
  memcpy(k->b + k->n, s, n);
  k->n += n;
}
static void buf_str(Buf *k, const char *s) { buf_add(k, s, (u32)strlen(s) + 1); }

// Everything the guest can see of this run before a stop point, besides the
// rootfs (the artifact's own) and the clock and random bytes (shared).
void snap_make_key(char **args, char **env, const char *workdir) {
  Buf k = {0};
  buf_str(&k, "args");
  for (char **a = args; *a; a++) buf_str(&k, *a);
  buf_str(&k, "env");
  for (char **e = env; *e; e++) buf_str(&k, *e);
  extern u16 http_bridge_port;
  char t[160];
  snprintf(t, sizeof t, "workdir"); buf_str(&k, t);
  buf_str(&k, workdir);
  snprintf(t, sizeof t, "uid %u gid %u port %u tty %d%d%d cpu %s", guest_uid, guest_gid, http_bridge_port, isatty(0), isatty(1), isatty(2), cpu_reports_v3() ? "x86-64-v3" : "x86-64-v2");
  buf_str(&k, t);
  buf_str(&k, guest_hostname);
  free(snap_key);
  snap_key = k.b;
  snap_key_len = k.n;
}

// An fd whose reads or writes reach the host: fds 0-2 and /dev/tty (and /dev
// nodes the core reads from stdin).
int sock_fd_unix(Proc *p, i64 fd); // syscall-net.c
static int host_fd(Proc *p, i64 fd) {
  File *f = fd_get(p, fd);
  return f && (f->kind == FK_HOST || (f->kind == FK_DEV && f->dev != 1 && f->dev != 2 && f->dev != 3 && f->dev != 5));
}

// The system calls a snapshot stops before: I/O on host fds, waiting on time
// or readiness, timers, signals between processes, the network (the host's or
// the guest's own, except AF_UNIX: published ports and peers are the run's),
// and PID 1's exit (its status leaves the guest). Everything else the core answers from the rootfs,
// the overlay and the key's inputs. Metadata calls on fds 0-2 (fstat, ioctl,
// lseek) depend only on isatty, which is in the key.
int snap_stops(Proc *p) {
  i64 nr = (i64)p->cpu.r[0];
  switch (nr) {
  case 0: case 1: case 17: case 18: case 19: case 20: case 295: case 296: case 327: case 328: // read write pread pwrite readv writev preadv pwritev preadv2 pwritev2
    return host_fd(p, (i64)ARG0);
  case 40: return host_fd(p, (i64)ARG0) || host_fd(p, (i64)ARG1); // sendfile
  case 326: return host_fd(p, (i64)ARG0) || host_fd(p, (i64)ARG2); // copy_file_range
  case 275: case 276: case 278: // splice tee vmsplice
  case 7: case 23: case 232: case 270: case 271: case 281: case 441: // poll select epoll_wait pselect6 ppoll epoll_pwait epoll_pwait2
  case 34: case 35: case 37: case 38: case 130: case 230: // pause nanosleep alarm setitimer rt_sigsuspend clock_nanosleep
  case 283: case 286: case 287: // timerfd_create timerfd_settime timerfd_gettime
  case 62: case 200: case 234: // kill tkill tgkill
  case 41: return ARG0 != 1;  // socket: AF_UNIX ones stay in the guest (glibc asks nscd's through one)
  case 53: return 0;          // socketpair: AF_UNIX only
  case 42: case 43: case 44: case 45: case 46: case 47: case 48: case 49: case 50: case 51: case 52: case 54: case 55: case 288: case 299: case 307: // the other socket calls
    return !sock_fd_unix(p, (i64)ARG0);
    return 1;
  case 60: case 231: return p->tgid == 1; // exit, exit_group of PID 1: its status leaves the guest (a child's goes to its parent)
  }
  return 0;
}

static void write_all(const void *b, size_t n) {
  const u8 *q = b;
  while (n) {
    ssize_t w = write(1, q, n);
    if (w <= 0) fatal("start-up snapshot: writing the dump failed");
    q += w;
    n -= (size_t)w;
  }
}

typedef struct Run {
  u32 addr, len;
} Run;

void embedded_rootfs(uintptr_t *lo, uintptr_t *hi); // main.c

void snap_note_copy(u64 addr, const void *src, u64 len) {
  uintptr_t lo, hi, s = (uintptr_t)src;
  embedded_rootfs(&lo, &hi);
  if (s < lo || s + len > hi || len < 4096) return; // only the rootfs stays the same in every run
  if (nnotes == notes_cap) {
    notes_cap = notes_cap * 2 + 64;
    notes = realloc(notes, sizeof(Note) * notes_cap);
  }
  notes[nnotes++] = (Note){addr, len, src};
}

static int link_cmp(const void *a, const void *b) {
  u32 x = ((const Link *)a)->dst, y = ((const Link *)b)->dst;
  return x < y ? -1 : x > y;
}

// The guest pages of every live address space that still hold, whole, the
// rootfs bytes they were copied from. Content decides, so a note that went
// stale (the range unmapped, remapped or written) links nothing wrong.
static Link *snap_links(u32 *count) {
  u32 n = 0, cap = 1024;
  Link *l = malloc(sizeof(Link) * cap);
  for (int i = 0; i < MAX_PROC; i++) {
    Mem *m = procs[i].mem;
    if (procs[i].state == P_FREE || !m) continue;
    for (u32 j = 0; j < nnotes; j++) {
      Note *t = &notes[j];
      // the page-aligned pages inside the copied range
      u64 first = (t->addr + 4095) & ~4095ull;
      for (u64 a = first; a + 4096 <= t->addr + t->len; a += 4096) {
        PageBuf *b = mem_page_buf(m, a);
        const u8 *src = t->src + (a - t->addr);
        if (!b || memcmp(b->data, src, 4096)) continue;
        if (n == cap) l = realloc(l, sizeof(Link) * (cap *= 2));
        l[n++] = (Link){(u32)(uintptr_t)b->data, (u32)(uintptr_t)src, 4096};
      }
    }
  }
  qsort(l, n, sizeof(Link), link_cmp);
  u32 k = 0;
  for (u32 i = 0; i < n; i++) // a buffer shared after fork, or noted twice
    if (!k || l[k - 1].dst != l[i].dst) l[k++] = l[i];
  *count = k;
  return l;
}

// The ranges a restore must bring back: the static data, the heap below the
// embedded config/rootfs (all of it: a fresh start leaves its own allocations
// there), and the non-zero bytes above the embedded data that no link covers
// (zero gaps under 64 bytes stay inside a run).
static int snap_runs(Run *out, int max, u32 lo, u32 hi, u32 end, const Link *links, u32 nlinks) {
  extern char __global_base, __data_end, __heap_base;
  int n = 0;
  out[n++] = (Run){(u32)(uintptr_t)&__global_base, (u32)((uintptr_t)&__data_end - (uintptr_t)&__global_base)};
  u32 hb = (u32)(uintptr_t)&__heap_base;
  if (lo > hb) out[n++] = (Run){hb, lo - hb};
  int fixed = n;
  u32 li = 0;
  for (u32 a = (hi + 3) & ~3u; a < end;) {
    while (li < nlinks && links[li].dst + links[li].len <= a) li++;
    if (li < nlinks && links[li].dst <= a) {
      a = links[li].dst + links[li].len;
      continue;
    }
    u32 stop = li < nlinks && links[li].dst < end ? links[li].dst : end;
    while (a < stop) {
      if (!(a & 4095) && a + 4096 <= stop) { // a zero page at once
        const u64 *w = (const u64 *)(uintptr_t)a;
        int zero = 1;
        for (int i = 0; i < 512; i++)
          if (w[i]) { zero = 0; break; }
        if (zero) { a += 4096; continue; }
      }
      if (*(const u32 *)(uintptr_t)a) {
        if (n > fixed && out[n - 1].addr + out[n - 1].len + 64 > a) out[n - 1].len = a + 4 - out[n - 1].addr;
        else if (n < max) out[n++] = (Run){a, 4};
        else return -1;
      }
      a += 4;
    }
  }
  return n;
}

// The embedded range (cfg, rootfs, translations' table) that no run covers.
void embedded_range(uintptr_t *lo, uintptr_t *hi); // main.c

// Takes the snapshot before the system call p is about to make (its rip is at
// the syscall instruction) and ends the run.
void snap_take(Proc *p) {
  uintptr_t lo, hi;
  embedded_range(&lo, &hi);
  u32 end = (u32)(__builtin_wasm_memory_size(0) * 65536);
  int max = 1 << 18;
  Run *runs = malloc(sizeof(Run) * (size_t)max); // before measuring: the allocation may grow memory
  SnapHdr h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, DUMP_MAGIC, 16);
  h.version = 4;
  h.key_len = snap_key_len;
  h.mono = mono_ns();
  h.insns = procs[0].insns;
  h.stop_nr = (u32)p->cpu.r[0];
  size_t decoded = 0;
  for (int i = 0; i < MAX_PROC; i++) // decoded blocks are quick to rebuild and large to carry
    if (procs[i].state != P_FREE && procs[i].mem) decoded += code_scrub(procs[i].mem);
  u32 nlinks;
  Link *links = snap_links(&nlinks);
  end = (u32)(__builtin_wasm_memory_size(0) * 65536); // after the last allocation before the dump
  int n = snap_runs(runs, max, (u32)lo, (u32)hi, end, links, nlinks);
  if (n < 0) fatal("start-up snapshot: the heap is too fragmented to dump");
  h.nruns = (u32)n;
  h.nlinks = nlinks;
  h.mem_end = end;
  {
    uintptr_t rlo, rhi;
    embedded_rootfs(&rlo, &rhi);
    h.rootfs_addr = (u32)rlo;
    h.rootfs_len = (u32)(rhi - rlo);
  }
  extern char __heap_base;
  h.ncopy = (u32)(lo > (uintptr_t)&__heap_base ? 2 : 1); // snap_runs' first ones
  u64 bytes = 0;
  for (int i = 0; i < n; i++) bytes += runs[i].len;
  // The header and run list are written first, so nothing written after
  // them changes memory the runs cover (stdio is not used).
  write_all(&h, sizeof h);
  write_all(snap_key, snap_key_len);
  write_all(links, sizeof(Link) * nlinks);
  for (int i = 0; i < n; i++) {
    write_all(&runs[i], sizeof runs[i]);
    write_all((const void *)(uintptr_t)runs[i].addr, runs[i].len);
  }
  fprintf(stderr, "trellis-x86: start-up snapshot before syscall %u after %llu instructions: %d ranges, %llu bytes of %u; %u pages copied from the rootfs at a resume; %zu bytes of decoded blocks dropped\n", h.stop_nr,
          (unsigned long long)h.insns, n, (unsigned long long)bytes, end, nlinks, decoded);
  _Exit(0);
}

// Where the artifact's blob is, for claim_embedded_region (main.c).
void snap_blob_range(uintptr_t *lo, uintptr_t *hi) {
  *lo = trellis_snap.blob_addr;
  *hi = trellis_snap.blob_len ? (uintptr_t)trellis_snap.blob_addr + trellis_snap.blob_len : 0;
}

// The artifact's rootfs is a passive segment when it carries a snapshot
// (startup-snapshot.ts): instantiation leaves that range empty, and the core
// copies it in with the appended loader, at once for a normal start, at the
// first file access for a resumed run.
static void rootfs_load(u32 dst, u32 off, u32 len) { ((void (*)(u32, u32, u32))(uintptr_t)trellis_snap.loader)(dst, off, len); }
static int rootfs_in;
void snap_rootfs_ready(void) {
  if (!trellis_snap.loader || rootfs_in) return;
  uintptr_t lo, hi;
  embedded_rootfs(&lo, &hi);
  rootfs_load((u32)lo, 0, (u32)(hi - lo));
  rootfs_in = 1;
}

// 1 when the run resumed from the artifact's snapshot (the key matched), 0
// when it starts normally. TRELLIS_SNAPSHOT=0 refuses it.
int snap_restore(void) {
  if (!trellis_snap.blob_len || !snap_key) return 0;
  const char *v = getenv("TRELLIS_SNAPSHOT");
  if (v && !strcmp(v, "0")) return 0;
  const u8 *blob = (const u8 *)(uintptr_t)trellis_snap.blob_addr;
  SnapHdr h;
  memcpy(&h, blob, sizeof h);
  if (memcmp(h.magic, DUMP_MAGIC, 16) || h.version != 4 || h.mem_end > trellis_snap.blob_addr) return 0;
  if (h.key_len != snap_key_len || memcmp(blob + sizeof h, snap_key, snap_key_len)) {
    if (trace_on) fprintf(stderr, "trellis-x86: start-up snapshot not used: this run's arguments or environment differ from its own\n");
    return 0;
  }
  int trace = trace_on;
  struct SnapDesc desc;
  memcpy(&desc, (const void *)&trellis_snap, sizeof desc); // the runs bring back the snapshot run's own descriptor
  const u8 *lk = blob + sizeof h + h.key_len;
  const u8 *q = lk + sizeof(Link) * h.nlinks;
  for (u32 i = 0; i < h.nruns; i++) { // from here on only locals, the blob and the rootfs are read
    Run r;
    memcpy(&r, q, sizeof r);
    memcpy((void *)(uintptr_t)r.addr, q + sizeof r, r.len);
    q += sizeof r + r.len;
  }
  memcpy((void *)&trellis_snap, &desc, sizeof desc);
  for (u32 i = 0; i < h.nlinks; i++) {
    Link l;
    memcpy(&l, lk + sizeof(Link) * i, sizeof l);
    if (trellis_snap.loader) rootfs_load(l.dst, l.src - h.rootfs_addr, l.len); // straight from the passive segment
    else memcpy((void *)(uintptr_t)l.dst, (const void *)(uintptr_t)l.src, l.len);
  }
  if (trellis_snap.loader) vfs_set_pending(snap_rootfs_ready); // the rootfs comes in at the guest's first file access
  // The snapshot's heap and static data are live now. What belongs to this
  // run rather than the snapshot run: its environment (TRELLIS_* settings;
  // the guest's part is in the key), its preopens (the snapshot run had
  // none), the host network, the monotonic clock.
  __wasilibc_deinitialize_environ();
  __wasilibc_initialize_environ();
  for (int fd = 3;; fd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps) != 0) break;
    if (ps.tag != __WASI_PREOPENTYPE_DIR) continue;
    char *name = calloc(1, ps.u.dir.pr_name_len + 1);
    if (__wasi_fd_prestat_dir_name(fd, (u8 *)name, ps.u.dir.pr_name_len) == 0) __wasilibc_register_preopened_fd(fd, name);
    free(name);
  }
  trace_on = trace;
  snap_armed = 0; // the snapshot run's, copied back
  rootfs_in = 0;  // this instance's rootfs range is still empty
  mono_shift = 0;
  mono_shift = (i64)(h.mono - mono_ns());
  aot_init();
  hostnet_init();
  if (trace_on) fprintf(stderr, "trellis-x86: resumed from the start-up snapshot (taken before syscall %u after %llu instructions)\n", h.stop_nr, (unsigned long long)h.insns);
  return 1;
}
