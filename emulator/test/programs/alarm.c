// alarm/setitimer deliver SIGALRM to a handler while the process waits.
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>

static volatile int ticks;
static void on_alarm(int s) { ticks++; (void)s; }

int main(void) {
  signal(SIGALRM, on_alarm);
  struct itimerval it = {{0, 20000}, {0, 20000}};
  setitimer(ITIMER_REAL, &it, NULL);
  while (ticks < 3) pause();
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  printf("ticks %d\n", ticks);
  printf("alarm left %u\n", alarm(5));
  printf("alarm left %u\n", alarm(0) > 0);
  alarm(1);
  pause();
  printf("not reached\n");
  return 0;
}
