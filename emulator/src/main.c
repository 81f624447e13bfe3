// Entry point of the Trellis x86-64 core: finds the rootfs and run config
// (embedded by lib/compile/native-artifact.ts, or given on the command line),
// starts the entrypoint as guest PID 1 and schedules guest processes until
// PID 1 exits; its status becomes the module's exit code.
#include "emu.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lx.h"
#include <wasi/api.h>

int trace_on;
int init_done, init_exit_code;
extern u32 guest_uid, guest_gid;
extern char guest_hostname[65];
void net_init_names(void);
int net_pump(void);
int net_host_active(void);
#include "hostnet.h"

// Patched in the artifact by lib/compile/native-artifact.ts, which finds the
// magic in the data section. Offsets are linear-memory addresses.
struct Embed {
  char magic[16];
  u32 version;
  u32 cfg_addr, cfg_len;
  u32 rootfs_addr, rootfs_len;
  u32 reserved[3];
};
__attribute__((used)) volatile struct Embed trellis_embed = {{'T', 'R', 'E', 'L', 'L', 'I', 'S', '-', 'E', 'M', 'B', 'E', 'D', '-', 'V', '1'}, 1, 0, 0, 0, 0, {0, 0, 0x21444e45u}}; // last word non-zero so the linker keeps the whole struct in the data segment

void fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "trellis-x86: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(125);
}

u64 now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}
i64 mono_shift; // a run resumed from a start-up snapshot continues the snapshot's monotonic clock (snapshot.c)
u64 mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec + (u64)mono_shift;
}
void host_random(void *buf, size_t n) {
  u8 *b = buf;
  while (n) {
    size_t k = n > 256 ? 256 : n;
    if (getentropy(b, k)) memset(b, 0x5a, k);
    b += k;
    n -= k;
  }
}

typedef struct StrList {
  char **v;
  int n, cap;
} StrList;
static void sl_add(StrList *l, const char *s) {
  if (l->n + 2 > l->cap) {
    l->cap = l->cap ? l->cap * 2 : 16;
    l->v = realloc(l->v, sizeof(char *) * l->cap);
  }
  l->v[l->n++] = strdup(s);
  l->v[l->n] = NULL;
}
static void env_set(StrList *l, const char *kv) {
  const char *eq = strchr(kv, '=');
  size_t k = eq ? (size_t)(eq - kv) : strlen(kv);
  for (int i = 0; i < l->n; i++)
    if (!strncmp(l->v[i], kv, k) && l->v[i][k] == '=') {
      free(l->v[i]);
      l->v[i] = strdup(kv);
      return;
    }
  sl_add(l, kv);
}

static u8 *load_file(const char *path, u64 *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (n < 0) { fclose(f); return NULL; }
  u8 *b = malloc((size_t)n + 1);
  if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) { fclose(f); free(b); return NULL; }
  fclose(f);
  *len = (u64)n;
  return b;
}

static int find_in_path(Proc *p, const char *name, const char *pathvar, char *out, size_t outlen) {
  if (strchr(name, '/')) {
    snprintf(out, outlen, "%s", name);
    return 0;
  }
  const char *s = pathvar ? pathvar : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (*s) {
    const char *e = strchr(s, ':');
    size_t l = e ? (size_t)(e - s) : strlen(s);
    char cand[1024], abs[1024];
    snprintf(cand, sizeof cand, "%.*s/%s", (int)l, s, name);
    VNode n;
    if (!vfs_resolve(p->cwd, cand, 1, abs, sizeof abs) && !vfs_lookup(abs, &n)) {
      VStat st;
      vfs_stat(&n, &st);
      if ((st.mode & S_IFMT_) == S_IFREG_ && (st.mode & 0111)) {
        snprintf(out, outlen, "%s", cand);
        return 0;
      }
    }
    if (!e) break;
    s = e + 1;
  }
  return -ENOENT;
}

// The embedded config and rootfs sit in linear memory past the core's original
// end, which wasi-libc's allocator regards as free heap (it starts at
// __heap_base and runs to the memory size). Take that range out of the heap
// with one allocation that is never freed, before anything else allocates.
void embedded_range(uintptr_t *plo, uintptr_t *phi) {
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  if (trellis_embed.cfg_len) {
    lo = trellis_embed.cfg_addr;
    hi = (uintptr_t)trellis_embed.cfg_addr + trellis_embed.cfg_len;
  }
  if (trellis_embed.rootfs_len) {
    if (trellis_embed.rootfs_addr < lo) lo = trellis_embed.rootfs_addr;
    if ((uintptr_t)trellis_embed.rootfs_addr + trellis_embed.rootfs_len > hi) hi = (uintptr_t)trellis_embed.rootfs_addr + trellis_embed.rootfs_len;
  }
  extern void aot_table_range(uintptr_t *lo, uintptr_t *hi);
  uintptr_t alo, ahi;
  aot_table_range(&alo, &ahi); // translations' lookup table (aot-run.c), placed before the config
  if (ahi) {
    if (alo < lo) lo = alo;
    if (ahi > hi) hi = ahi;
  }
  *plo = lo;
  *phi = hi;
}
// The embedded rootfs alone: never written, so a snapshot may copy from it.
void embedded_rootfs(uintptr_t *lo, uintptr_t *hi) {
  *lo = trellis_embed.rootfs_addr;
  *hi = (uintptr_t)trellis_embed.rootfs_addr + trellis_embed.rootfs_len;
}
static void claim_embedded_region(void) {
  uintptr_t lo, hi, slo, shi;
  embedded_range(&lo, &hi);
  extern void snap_blob_range(uintptr_t *lo, uintptr_t *hi);
  snap_blob_range(&slo, &shi); // a start-up snapshot, placed past everything else
  if (shi) {
    if (slo < lo) lo = slo;
    if (shi > hi) hi = shi;
  }
  if (!hi) return;
  void *probe = malloc(1);
  uintptr_t at = (uintptr_t)probe;
  free(probe);
  if (at >= hi) return; // the heap already lies above the data
  void *claim = malloc(hi - at);
  if (!claim || (uintptr_t)claim > lo || (uintptr_t)claim + (hi - at) < hi)
    fatal("the embedded rootfs overlaps the heap (claim %p for [%p, %p))", claim, (void *)lo, (void *)hi);
}

#ifdef TRELLIS_REACTOR // the component's host allocates arguments (cabi_realloc) before any export runs
__attribute__((constructor)) static void claim_early(void) { claim_embedded_region(); }
#endif

static void usage(void) {
  fprintf(stderr,
          "usage: trellis-x86 --rootfs FILE [--workdir DIR] [--user UID[:GID]] [--hostname NAME] [-e K=V]... [--] PROGRAM [ARGS...]\n"
          "(artifacts built by `trellis compile` carry their rootfs and config inside)\n");
  exit(125);
}

u16 http_bridge_port; // `t:` record: the guest port the wasi:http component serves (src/http/)

// Sets up the guest from the embedded config or the command line and makes the
// entrypoint PID 1. Returns -1 when it is ready to run, else the exit code.
int core_boot(int argc, char **argv) {
  const char *tr = getenv("TRELLIS_TRACE");
  trace_on = tr ? atoi(tr) : 0;
#ifdef TRELLIS_TRANSLATOR
  extern int aot_translate_main(int argc, char **argv);
  if (argc > 1 && !strcmp(argv[1], "--translate")) return aot_translate_main(argc - 1, argv + 1);
#endif
  claim_embedded_region();
  aot_init();
  StrList entry = {0}, cmd = {0}, env = {0}, args = {0};
  char workdir[1024] = "/";
  const char *rootfs_path = NULL;
  const u8 *rfs = NULL;
  u64 rfs_len = 0;
  int have_cfg = trellis_embed.cfg_len != 0 || trellis_embed.rootfs_len != 0;
  if (have_cfg) {
    const char *cfg = (const char *)(uintptr_t)trellis_embed.cfg_addr;
    u32 n = trellis_embed.cfg_len, i = 0;
    while (i < n) {
      const char *rec = cfg + i;
      size_t l = strnlen(rec, n - i);
      if (l >= 2 && rec[1] == ':') {
        char *v = strndup(rec + 2, l - 2);
        switch (rec[0]) {
        case 'p': sl_add(&entry, v); break;
        case 'c': sl_add(&cmd, v); break;
        case 'e': env_set(&env, v); break;
        case 'w': snprintf(workdir, sizeof workdir, "%s", v); break;
        case 'u': guest_uid = (u32)strtoul(v, NULL, 10); guest_gid = strchr(v, ':') ? (u32)strtoul(strchr(v, ':') + 1, NULL, 10) : guest_uid; break;
        case 'r': rootfs_path = strdup(v); break;
        case 'h': snprintf(guest_hostname, sizeof guest_hostname, "%s", v); break;
        case 't': http_bridge_port = (u16)strtoul(v, NULL, 10); break;
        }
        free(v);
      }
      i += (u32)l + 1;
    }
    if (trellis_embed.rootfs_len) {
      rfs = (const u8 *)(uintptr_t)trellis_embed.rootfs_addr;
      rfs_len = trellis_embed.rootfs_len;
    }
    // run-time arguments replace the image's CMD, as `docker run IMAGE ARGS` does
    if (argc > 1) {
      for (int i = 0; i < cmd.n; i++) free(cmd.v[i]);
      cmd.n = 0;
      int start = 1;
      if (!strcmp(argv[1], "--")) start = 2;
      for (int i = start; i < argc; i++) sl_add(&cmd, argv[i]);
    }
    extern char **environ; // a component's too: a platform's environment settings (spin.toml, wadm config) reach the guest
    for (char **e = environ; e && *e; e++)
      if (strncmp(*e, "TRELLIS_", 8)) env_set(&env, *e);
    for (int i = 0; i < entry.n; i++) sl_add(&args, entry.v[i]);
    for (int i = 0; i < cmd.n; i++) sl_add(&args, cmd.v[i]);
  } else {
    int i = 1;
    for (; i < argc; i++) {
      if (!strcmp(argv[i], "--rootfs") && i + 1 < argc) rootfs_path = argv[++i];
      else if (!strcmp(argv[i], "--workdir") && i + 1 < argc) snprintf(workdir, sizeof workdir, "%s", argv[++i]);
      else if (!strcmp(argv[i], "--user") && i + 1 < argc) {
        const char *v = argv[++i];
        guest_uid = (u32)strtoul(v, NULL, 10);
        guest_gid = strchr(v, ':') ? (u32)strtoul(strchr(v, ':') + 1, NULL, 10) : guest_uid;
      } else if (!strcmp(argv[i], "-e") && i + 1 < argc) env_set(&env, argv[++i]);
      else if (!strcmp(argv[i], "--hostname") && i + 1 < argc) snprintf(guest_hostname, sizeof guest_hostname, "%s", argv[++i]);
      else if (!strcmp(argv[i], "--")) { i++; break; }
      else if (argv[i][0] == '-') usage();
      else break;
    }
    for (; i < argc; i++) sl_add(&args, argv[i]);
  }
  if (!rfs) {
    if (!rootfs_path) usage();
    u8 *b = load_file(rootfs_path, &rfs_len);
    if (!b) fatal("cannot read rootfs %s: %s", rootfs_path, strerror(errno));
    rfs = b;
  }
  if (args.n == 0) fatal("no program to run (the image has neither ENTRYPOINT nor CMD)");
  if (!env.n) sl_add(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  const char *snap = getenv("TRELLIS_SNAPSHOT");
  int take = snap && !strcmp(snap, "1");
  if (take || have_cfg) {
    snap_make_key(args.v, env.v, workdir);
    if (!take && snap_restore()) return -1;
  }
  snap_rootfs_ready(); // an artifact with a snapshot keeps its rootfs in a passive segment
  int rc = rootfs_init(rfs, rfs_len);
  if (rc) fatal("the rootfs is not a valid packed rootfs v1 (code %d)", rc);
  vfs_init_dev();
  net_init_names();

  if (take) { // lib/compile/startup-snapshot.ts: run to the first stop point, dump there (snapshot.c); armed before the exec, whose file copies it notes
    __wasi_prestat_t ps;
    if (!trellis_embed.rootfs_len) fatal("a start-up snapshot needs the rootfs embedded in the artifact");
    if (__wasi_fd_prestat_get(3, &ps) == 0) fatal("a start-up snapshot is taken with no preopened directories");
    snap_armed = 1;
  }

  Proc *p = &procs[0];
  memset(p, 0, sizeof *p);
  p->pid = p->pgid = p->sid = p->tgid = 1;
  p->ppid = 0;
  p->umask = 022;
  p->start_ns = mono_ns();
  char abs[1024];
  if (vfs_resolve("/", workdir, 1, abs, sizeof abs) == 0) {
    VNode n;
    if (vfs_lookup(abs, &n) == 0 && vfs_is_dir(&n)) snprintf(p->cwd, sizeof p->cwd, "%s", abs);
    else snprintf(p->cwd, sizeof p->cwd, "/");
  } else snprintf(p->cwd, sizeof p->cwd, "/");
  p->fds = calloc(1, sizeof(FdTable));
  p->fds->refs = 1;
  for (int i = 0; i < 3; i++) {
    File *f = file_new(FK_HOST);
    f->hostfd = i;
    f->flags = i == 0 ? 0 : 1;
    p->fds->fd[i] = f;
  }
  const char *pathvar = NULL;
  for (int i = 0; i < env.n; i++)
    if (!strncmp(env.v[i], "PATH=", 5)) pathvar = env.v[i] + 5;
  char prog[1024];
  if (find_in_path(p, args.v[0], pathvar, prog, sizeof prog)) {
    fprintf(stderr, "trellis-x86: %s: executable file not found in $PATH\n", args.v[0]);
    return 127;
  }
  char err[256] = "";
  rc = exec_load(p, prog, args.v, env.v, err, sizeof err);
  if (rc) {
    fprintf(stderr, "trellis-x86: cannot execute %s: %s\n", prog, err[0] ? err : rc == -ENOENT ? "no such file" : rc == -EACCES ? "permission denied" : rc == -ENOEXEC ? "exec format error" : "error");
    return rc == -ENOENT ? 127 : 126;
  }
  p->state = P_RUN;
  hostnet_init();
  return -1;
}

u64 insns_all; // guest instructions of every process so far

// One pass of the scheduler over the guest processes: how much happened (0:
// every process waits), or -1 when no process is left.
i64 sched_pass(void) {
  u64 progress = (u64)net_pump();
  int alive = 0;
  for (int i = 0; i < MAX_PROC && !init_done; i++) {
    Proc *q = &procs[i];
    if (q->state != P_RUN && q->state != P_BLOCKED) continue;
    if (q->vfork_wait) {
      Proc *child = NULL;
      for (int j = 0; j < MAX_PROC; j++)
        if (procs[j].state != P_FREE && procs[j].pid == q->vfork_wait) child = &procs[j];
      if (child && child->state != P_ZOMBIE && child->vfork_parent == q->pid) { alive++; continue; }
      q->vfork_wait = 0;
    }
    alive++;
    cur = q;
    if (q->alarm_at && mono_ns() >= q->alarm_at) { // ITIMER_REAL expired
      q->sigpending |= 1ull << (14 - 1);
      q->alarm_at = q->alarm_interval ? q->alarm_at + q->alarm_interval : 0;
      progress++;
    }
    deliver_signals(q); // a handled signal interrupts a blocked syscall (EINTR) first
    if (q->state == P_BLOCKED) q->state = P_RUN; // then retry whatever still blocks
    if (q->state != P_RUN) { progress++; continue; }
    u64 before = q->insns;
    cpu_run(q, 500000);
    progress += q->insns - before;
    insns_all += q->insns - before;
    if (q->state != P_RUN && q->state != P_BLOCKED) progress++;
  }
  return alive ? (i64)progress : -1;
}

// The earliest deadline a waiting guest process has (sleep, alarm, timerfd), 0 for none.
u64 sched_next_wake(void) {
  u64 wake = 0;
  for (int i = 0; i < MAX_PROC; i++) {
    if (procs[i].state == P_BLOCKED && procs[i].sleep_until && (!wake || procs[i].sleep_until < wake)) wake = procs[i].sleep_until;
    if ((procs[i].state == P_BLOCKED || procs[i].state == P_RUN) && procs[i].alarm_at && (!wake || procs[i].alarm_at < wake)) wake = procs[i].alarm_at;
  }
  extern u64 timers_next_deadline(void);
  u64 tw = timers_next_deadline();
  if (tw && (!wake || tw < wake)) wake = tw;
  return wake;
}

#ifndef TRELLIS_REACTOR // the wasi:http component (src/http/) drives the scheduler itself
// TRELLIS_STOP_AFTER=N[,CPU_MS[,WALL_MS]]: stop the whole run once the guest
// processes have executed N instructions, or the host process has used CPU_MS
// ms of CPU time, or WALL_MS ms have passed (a guest that sleeps uses no CPU),
// writing the block profile as an exit would: the compile step profiles
// servers, which never exit, with a smoke run (lib/compile/aot-smoke.ts). CPU
// time, not wall time, so a loaded machine cuts that profile no shorter than an
// idle one. 0 or absent: no limit of that kind.
static u64 stop_insns, stop_cpu_ns, stop_at_ns, cpu_checked_at;
static int stopped;

// The host process's CPU time (every thread: V8's compiler and GC count too);
// where the runtime has no such clock, wall time since the start stands in.
static u64 cpu_ns(void) {
  static u64 start;
  struct timespec ts;
  if (!clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)) return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
  if (!start) start = mono_ns();
  return mono_ns() - start;
}

static void stop_init(void) {
  const char *v = getenv("TRELLIS_STOP_AFTER");
  if (!v || !*v) return;
  char *end;
  stop_insns = strtoull(v, &end, 10);
  if (*end != ',') return;
  stop_cpu_ns = strtoull(end + 1, &end, 10) * 1000000ull;
  if (*end == ',') {
    u64 ms = strtoull(end + 1, NULL, 10);
    if (ms) stop_at_ns = mono_ns() + ms * 1000000ull;
  }
}
static int stop_due(void) {
  if ((stop_insns && insns_all >= stop_insns) || (stop_at_ns && mono_ns() >= stop_at_ns)) stopped = 1;
  // the CPU clock is a host call and a getrusage: read it at most every 10 ms of wall time
  if (!stopped && stop_cpu_ns) {
    u64 now = mono_ns();
    if (now - cpu_checked_at >= 10000000ull) {
      cpu_checked_at = now;
      if (cpu_ns() >= stop_cpu_ns) stopped = 1;
    }
  }
  return stopped;
}

// Writes the block profile of the address spaces still alive and the
// summary lines; `rc` is the run's exit code.
static int finish_run(int rc) {
  fflush(stdout);
  if (aot_profiling()) {
    for (int i = 0; i < MAX_PROC; i++)
      if (procs[i].state != P_FREE && procs[i].mem) {
        Mem *m = procs[i].mem;
        procs[i].mem = NULL;
        for (int j = i + 1; j < MAX_PROC; j++) // threads and vfork children share it
          if (procs[j].mem == m) procs[j].mem = NULL;
        code_free(m);
      }
    aot_profile_close();
  }
  if (stop_insns || stop_at_ns) // read by lib/compile/aot-smoke.ts
    fprintf(stderr, "trellis-x86: run %s after %llu instructions (exit %d)\n", stopped ? "stopped" : rc == 125 && !init_done ? "waiting" : "ended", (unsigned long long)insns_all, rc);
  if (trace_on) {
    fprintf(stderr, "trellis-x86: pid 1 executed %llu instructions\n", (unsigned long long)procs[0].insns);
    aot_report();
  }
  return rc;
}

int main(int argc, char **argv) {
  int rc = core_boot(argc, argv);
  if (rc >= 0) return rc;
  stop_init();
  while (!init_done) {
    i64 progress = sched_pass();
    if (progress < 0) break;
    if (stop_due()) return finish_run(124);
    if (!progress && !init_done) {
      u64 wake = sched_next_wake();
      if (!wake && !net_host_active()) {
        fprintf(stderr, "trellis-x86: all guest processes are blocked (deadlock)\n");
        return finish_run(125);
      }
      if (stop_at_ns && (!wake || wake > stop_at_ns)) wake = stop_at_ns;
      u64 now = mono_ns();
      if (hostnet_on) { // sleep in the host until a deadline or a network event
        i64 ms = !wake ? -1 : wake > now ? (i64)((wake - now + 999999) / 1000000) : 0;
        if (ms != 0) hostnet_call(HN_WAIT, (i32)(ms > 60000 ? 60000 : ms), 0, NULL, 0, NULL);
      } else if (wake > now) {
        struct timespec ts = {(time_t)((wake - now) / 1000000000ull), (long)((wake - now) % 1000000000ull)};
        nanosleep(&ts, NULL);
      }
    }
  }
  return finish_run(init_exit_code);
}
#endif
