// Guest signal handlers for synchronous faults: SIGSEGV (fixed up with
// mprotect, then the access retried), SIGFPE from a division by zero
// (skipped with siglongjmp) and SIGILL.
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char *page;
static volatile int segvs;
static sigjmp_buf jb;

static volatile long last_off;
static volatile int last_code;
static void on_segv(int s, siginfo_t *si, void *uc) {
  (void)s; (void)uc;
  segvs++;
  last_off = (char *)si->si_addr - page;
  last_code = si->si_code;
  if (last_off == 100) mprotect(page, 4096, PROT_READ | PROT_WRITE);
  else siglongjmp(jb, 2);
}
static void on_fpe(int s, siginfo_t *si, void *uc) {
  (void)uc;
  printf("fpe sig %d code %d\n", s, si->si_code);
  siglongjmp(jb, 1);
}

int main(int argc, char **argv) {
  (void)argv;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_flags = SA_SIGINFO;
  sa.sa_sigaction = on_segv;
  sigaction(SIGSEGV, &sa, NULL);
  sa.sa_sigaction = on_fpe;
  sigaction(SIGFPE, &sa, NULL);
  page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (sigsetjmp(jb, 1) == 0) {
    ((volatile char *)page)[100] = 42; // faults once, the handler makes the page writable, the store is retried
    printf("write after fixup %d segvs %d code %d\n", page[100], segvs, last_code);
  } else printf("unexpected fault at page%+ld code %d\n", (long)last_off, last_code);
  if (sigsetjmp(jb, 1) == 0) {
    volatile int zero = argc - 1;
    printf("quotient %d\n", 10 / zero);
  }
  if (sigsetjmp(jb, 1) == 0) {
    *(volatile int *)16 = 1;
  } else printf("null write caught, segvs %d\n", segvs);
  printf("done\n");
  fflush(stdout);
  signal(SIGSEGV, SIG_DFL);
  *(volatile int *)8 = 1; // default action: killed by SIGSEGV (status 139)
  return 0;
}
