// A guest service for the published-port tests: asks the host (through an
// allowed peer) for a greeting, tries a peer that is not allowed, then serves
// N connections on port 80: reads one line, answers "echo <line> (<greeting>)"
// (or 4 MiB for the line "big").
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int dial(const char *ip, int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {AF_INET, htons((unsigned short)port), {0}};
  inet_pton(AF_INET, ip, &a.sin_addr);
  if (connect(s, (struct sockaddr *)&a, sizeof a)) {
    int e = errno;
    close(s);
    errno = e;
    return -1;
  }
  return s;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  int n = argc > 1 ? atoi(argv[1]) : 1, hostport = argc > 2 ? atoi(argv[2]) : 0;
  char greeting[64] = "no host";
  if (hostport) {
    int h = dial("10.88.0.1", hostport);
    if (h < 0) printf("host peer: %s\n", strerror(errno));
    else {
      ssize_t k = read(h, greeting, sizeof greeting - 1);
      greeting[k > 0 ? k : 0] = 0;
      greeting[strcspn(greeting, "\n")] = 0;
      printf("host peer says: %s\n", greeting);
      close(h);
    }
    int x = dial("192.0.2.1", 80);
    printf("not allowed peer: %d %s\n", x, x < 0 ? strerror(errno) : "connected?!");
  }
  int l = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {AF_INET, htons(80), {htonl(INADDR_ANY)}};
  if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 64)) {
    printf("listen: %s\n", strerror(errno));
    return 1;
  }
  printf("listening\n");
  for (int i = 0; i < n; i++) {
    struct sockaddr_in peer;
    socklen_t pl = sizeof peer;
    int c = accept(l, (struct sockaddr *)&peer, &pl);
    if (c < 0) { printf("accept: %s\n", strerror(errno)); return 1; }
    char line[256];
    size_t got = 0;
    while (got < sizeof line - 1) {
      ssize_t k = read(c, line + got, sizeof line - 1 - got);
      if (k <= 0) break;
      got += (size_t)k;
      if (memchr(line, '\n', got)) break;
    }
    line[got] = 0;
    line[strcspn(line, "\n")] = 0;
    if (!strcmp(line, "big")) { // 4 MiB to a client that reads late: the writes wait, nothing is lost
      static char chunk[65536];
      for (int k = 0; k < 64; k++) {
        memset(chunk, 'a' + k % 26, sizeof chunk);
        size_t off = 0;
        while (off < sizeof chunk) {
          ssize_t w = write(c, chunk + off, sizeof chunk - off);
          if (w <= 0) { printf("write: %s\n", strerror(errno)); return 1; }
          off += (size_t)w;
        }
      }
      close(c);
      continue;
    }
    char out[512];
    int m = snprintf(out, sizeof out, "echo %s (%s) from %s\n", line, greeting, peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) ? "127.0.0.1" : "elsewhere");
    write(c, out, (size_t)m);
    close(c);
  }
  printf("served %d\n", n);
  return 0;
}
