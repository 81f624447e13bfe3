// Names like in a container: the hostname (uname, gethostname, /etc/hostname),
// /etc/hosts with localhost, getaddrinfo through the libc's own resolver (files,
// then DNS to the core's server), NXDOMAIN at once for other names, and a
// connection to "localhost" found that way. Run emulated only (with "nohosts"
// the names must come from the core's DNS server).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void lookup(const char *name, int family) {
  struct addrinfo hints = {0}, *res, *r;
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  long long t0 = now_ms();
  int rc = getaddrinfo(name, "80", &hints, &res);
  long long ms = now_ms() - t0;
  printf("%s (%s): ", name, family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : "any");
  if (rc) {
    printf("%s, %s\n", gai_strerror(rc), ms < 2000 ? "at once" : "SLOW");
    return;
  }
  char *v[16];
  int n = 0;
  for (r = res; r && n < 16; r = r->ai_next) {
    char ip[64];
    void *a = r->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)r->ai_addr)->sin_addr : (void *)&((struct sockaddr_in6 *)r->ai_addr)->sin6_addr;
    inet_ntop(r->ai_family, a, ip, sizeof ip);
    v[n++] = strdup(ip);
  }
  qsort(v, (size_t)n, sizeof *v, cmp);
  for (int i = 0; i < n; i++) printf("%s%s", i ? " " : "", v[i]);
  printf("\n");
  freeaddrinfo(res);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc > 1 && !strcmp(argv[1], "nohosts")) unlink("/etc/hosts"); // then only the core's DNS knows the names
  struct utsname u;
  uname(&u);
  char h[128];
  gethostname(h, sizeof h);
  FILE *f = fopen("/etc/hostname", "r");
  char fh[128] = "";
  if (f && fgets(fh, sizeof fh, f)) fh[strcspn(fh, "\n")] = 0;
  printf("uname %s, gethostname %s, /etc/hostname %s\n", u.nodename, h, fh);
  lookup("localhost", AF_INET);
  lookup("localhost", AF_INET6);
  lookup(h, AF_INET);
  lookup("no-such-host.example", AF_UNSPEC);
  lookup("nodots", AF_INET);
  struct hostent *he = gethostbyname("localhost");
  printf("gethostbyname localhost: %s\n", he ? inet_ntoa(*(struct in_addr *)he->h_addr_list[0]) : hstrerror(h_errno));

  // a server on localhost:PORT found by name
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {AF_INET, 0, {htonl(INADDR_LOOPBACK)}};
  bind(l, (void *)&a, sizeof a);
  listen(l, 1);
  socklen_t al = sizeof a;
  getsockname(l, (void *)&a, &al);
  char port[16];
  snprintf(port, sizeof port, "%d", ntohs(a.sin_port));
  if (fork() == 0) {
    struct addrinfo hints = {0}, *res;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo("localhost", port, &hints, &res)) _exit(2);
    int s = socket(res->ai_family, res->ai_socktype, 0);
    if (connect(s, res->ai_addr, res->ai_addrlen)) _exit(3);
    write(s, "hello by name", 13);
    _exit(0);
  }
  int c = accept(l, NULL, NULL);
  char b[32] = {0};
  read(c, b, sizeof b - 1);
  int st;
  wait(&st);
  printf("server got '%s', client status %d\n", b, WEXITSTATUS(st));
  return 0;
}
