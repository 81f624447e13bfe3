// fork, exec, pipe, wait, kill.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int got;
static void on_usr1(int s) { got = s; }

int main(void) {
  int p[2];
  if (pipe(p)) return 1;
  pid_t c = fork();
  if (c == 0) {
    close(p[0]);
    for (int i = 0; i < 1000; i++) dprintf(p[1], "line %d\n", i);
    _exit(7);
  }
  close(p[1]);
  char buf[512];
  long total = 0;
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) total += n;
  int st;
  waitpid(c, &st, 0);
  printf("read %ld exited %d code %d\n", total, WIFEXITED(st), WEXITSTATUS(st));
  fflush(stdout);
  // exec through a pipe: child runs busybox echo with stdout into the pipe
  pipe(p);
  c = fork();
  if (c == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    execl("/bin/busybox", "echo", "from", "exec", (char *)0);
    _exit(127);
  }
  close(p[1]);
  n = read(p[0], buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  waitpid(c, &st, 0);
  printf("exec said: %s", buf);
  printf("exec status %d\n", WEXITSTATUS(st));
  fflush(stdout);
  // signals
  c = fork();
  if (c == 0) {
    pause();
    _exit(0);
  }
  kill(c, SIGTERM);
  waitpid(c, &st, 0);
  printf("killed %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
  signal(SIGUSR1, on_usr1);
  raise(SIGUSR1);
  printf("handler got %d\n", got);
  // several children, reaped in any order
  for (int i = 0; i < 5; i++)
    if (fork() == 0) _exit(10 + i);
  int sum = 0;
  for (int i = 0; i < 5; i++) {
    wait(&st);
    sum += WEXITSTATUS(st);
  }
  printf("children sum %d\n", sum);
  printf("wait with none: %d\n", wait(&st));
  // system() uses /bin/sh
  fflush(stdout);
  int rc = system("echo via system; exit 3");
  printf("system %d\n", WEXITSTATUS(rc));
  return 0;
}
