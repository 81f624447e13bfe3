// Self-modifying code and decode-cache invalidation: code written to an
// mmapped page, executed, rewritten (by stores, by read(2), by a new
// mapping at the same address, by itself), executed again; a page without
// PROT_EXEC faults; an instruction straddling two pages; fork keeps the
// child's rewrite away from the parent.
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

typedef int (*fn)(void);

// mov eax, imm32; ret
static void emit_ret_imm(unsigned char *p, int v) {
  p[0] = 0xb8;
  memcpy(p + 1, &v, 4);
  p[5] = 0xc3;
}

// A loop that sums 1..n in a register, n patched in as an immediate:
//   xor eax,eax; mov ecx,n; L: add eax,ecx; dec ecx; jnz L; ret
static void emit_sum(unsigned char *p, int n) {
  static const unsigned char code[] = {0x31, 0xc0, 0xb9, 0, 0, 0, 0, 0x01, 0xc8, 0xff, 0xc9, 0x75, 0xfa, 0xc3};
  memcpy(p, code, sizeof code);
  memcpy(p + 3, &n, 4);
}

static sigjmp_buf jb;
static volatile int last_code;
static void on_segv(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)uc;
  last_code = si->si_code;
  siglongjmp(jb, 1);
}

int main(void) {
  long pg = sysconf(_SC_PAGESIZE);
  unsigned char *rwx = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (rwx == MAP_FAILED) { perror("mmap"); return 1; }

  // 1. write, run, rewrite, run: the rewrite must be seen
  for (int i = 0; i < 5; i++) {
    emit_ret_imm(rwx, 100 + i);
    printf("ret_imm %d\n", ((fn)rwx)());
  }
  // 2. a loop body run many times, then patched (the cached block must go)
  for (int n = 10; n <= 1000; n *= 10) {
    emit_sum(rwx + 64, n);
    int s = 0;
    for (int k = 0; k < 3; k++) s += ((fn)(rwx + 64))();
    printf("sum %d x3 = %d\n", n, s);
  }
  // 3. only one byte changes (the opcode: add -> sub)
  emit_sum(rwx + 128, 50);
  int a = ((fn)(rwx + 128))();
  rwx[128 + 7] = 0x29; // sub eax, ecx
  int b = ((fn)(rwx + 128))();
  printf("add %d sub %d\n", a, b);

  // 4. code that rewrites the immediate of its own next instruction:
  //    mov byte [rip+1], 7; mov eax, 1; ret  -> returns 7
  {
    unsigned char *p = rwx + 256;
    static const unsigned char code[] = {0xc6, 0x05, 0x01, 0, 0, 0, 0x07, 0xb8, 0x01, 0, 0, 0, 0xc3};
    memcpy(p, code, sizeof code);
    printf("self-patch %d\n", ((fn)p)());
    printf("self-patch again %d\n", ((fn)p)());
  }

  // 5. read(2) into a code page (the kernel writes, not a store)
  {
    char path[] = "/tmp/smc-XXXXXX";
    int fd = mkstemp(path);
    unsigned char code[6];
    emit_ret_imm(code, 4242);
    if (write(fd, code, sizeof code) != sizeof code) return 2;
    emit_ret_imm(rwx + 512, 1);
    printf("before read %d\n", ((fn)(rwx + 512))());
    lseek(fd, 0, SEEK_SET);
    if (read(fd, rwx + 512, sizeof code) != sizeof code) return 3;
    printf("after read %d\n", ((fn)(rwx + 512))());
    close(fd);
    unlink(path);
  }

  // 6. W^X: write while RW, flip to RX, run; back to RW, rewrite, RX, run
  unsigned char *wx = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (int i = 0; i < 3; i++) {
    mprotect(wx, pg, PROT_READ | PROT_WRITE);
    emit_ret_imm(wx, 7 * i);
    mprotect(wx, pg, PROT_READ | PROT_EXEC);
    printf("wx %d\n", ((fn)wx)());
  }

  // 7. unmap and map again at the same address with other code
  munmap(wx, pg);
  unsigned char *again = mmap(wx, pg, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  emit_ret_imm(again, 31337);
  printf("remapped %d\n", ((fn)again)());

  // 8. executing a page without PROT_EXEC is a fault (SEGV_ACCERR)
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  mprotect(again, pg, PROT_READ | PROT_WRITE);
  if (sigsetjmp(jb, 1) == 0) {
    printf("nx ran %d\n", ((fn)again)());
  } else {
    printf("nx fault si_code=%d\n", last_code);
  }

  // 9. an instruction straddling two pages, rewritten on the second page
  {
    unsigned char *p = rwx + pg - 3; // mov eax, imm32 starts 3 bytes before the boundary
    emit_ret_imm(p, 0x11223344);
    printf("straddle %x\n", ((fn)p)());
    p[4] = 0x55; // second page
    printf("straddle %x\n", ((fn)p)());
  }

  // 10. fork: the child rewrites its copy; the parent's code is unchanged
  emit_ret_imm(rwx + 1024, 1);
  ((fn)(rwx + 1024))();
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    emit_ret_imm(rwx + 1024, 2);
    printf("child %d\n", ((fn)(rwx + 1024))());
    fflush(stdout);
    _exit(0);
  }
  int st;
  waitpid(pid, &st, 0);
  printf("parent %d\n", ((fn)(rwx + 1024))());
  return 0;
}
