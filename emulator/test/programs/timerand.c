// Time and randomness: values differ run to run, so print properties.
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  time_t t0 = 0, t1 = 1700000000;
  char b[64];
  strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S %a %j", gmtime(&t0));
  printf("%s\n", b);
  strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S %A", gmtime(&t1));
  printf("%s\n", b);
  struct tm tm = {.tm_year = 124, .tm_mon = 1, .tm_mday = 29, .tm_hour = 12};
  printf("timegm %lld\n", (long long)timegm(&tm));
  struct timespec a, c;
  clock_gettime(CLOCK_MONOTONIC, &a);
  volatile unsigned x = 0;
  for (int i = 0; i < 200000; i++) x += i;
  clock_gettime(CLOCK_MONOTONIC, &c);
  printf("monotonic ok %d\n", (c.tv_sec > a.tv_sec) || (c.tv_sec == a.tv_sec && c.tv_nsec >= a.tv_nsec));
  struct timeval tv;
  gettimeofday(&tv, NULL);
  printf("after 2020 %d\n", tv.tv_sec > 1577836800);
  printf("time ok %d\n", time(NULL) > 1577836800);
  unsigned char r1[32], r2[32];
  ssize_t n1 = getrandom(r1, sizeof r1, 0), n2 = getrandom(r2, sizeof r2, 0);
  printf("getrandom %zd %zd differ %d\n", n1, n2, memcmp(r1, r2, 32) != 0);
  struct timespec req = {0, 1000000};
  printf("nanosleep %d\n", nanosleep(&req, NULL));
  return 0;
}
