// A small HTTP server for the wasi:http component's tests: the request path
// picks how the connection is answered (well, or badly). PID 1 accepts on port
// 8080 and forks a child per connection; it counts the connections it
// accepted, so a good answer shows that the guest kept its state.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen.h"

// Writes all of it, as servers do: a socket may take part of a write.
static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w, n -= (size_t)w;
  }
  return 0;
}

static void say(int fd, const char *s) { (void)write_all(fd, s, strlen(s)); }

static void answer(int fd, int status, const char *body) {
  char head[256];
  snprintf(head, sizeof head, "HTTP/1.1 %d X\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n", status, strlen(body));
  say(fd, head);
  say(fd, body);
}

static void serve(int fd, int count) {
  char req[4096];
  ssize_t n = read(fd, req, sizeof req - 1);
  if (n <= 0) _exit(0);
  req[n] = 0;
  char *path = strchr(req, ' ');
  path = path ? path + 1 : req;
  char body[512];
  if (!strncmp(path, "/ok ", 4)) {
    snprintf(body, sizeof body, "connection %d to pid %d\n", count, (int)getppid());
    answer(fd, 200, body);
  } else if (!strncmp(path, "/chunked ", 9)) {
    say(fd, "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-Kind: chunks\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n");
  } else if (!strncmp(path, "/until-close ", 13)) {
    say(fd, "HTTP/1.0 200 OK\r\n\r\nread until the server closes\n");
  } else if (!strncmp(path, "/echo ", 6)) {
    char *b = strstr(req, "\r\n\r\n");
    answer(fd, 200, b ? b + 4 : "");
  } else if (!strncmp(path, "/connect ", 9)) { // the component has no network beyond the guest
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8081)};
    inet_pton(AF_INET, "10.88.0.1", &a.sin_addr);
    int rc = connect(s, (struct sockaddr *)&a, sizeof a);
    snprintf(body, sizeof body, "connect: %s\n", rc ? strerror(errno) : "connected");
    answer(fd, 200, body);
  } else if (!strncmp(path, "/big ", 5) || !strncmp(path, "/cut ", 5)) {
    // 4 MiB, more than the bridge holds at once: it streams. /cut closes at 1 MiB.
    say(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 4194304\r\n\r\n");
    static char block[65536];
    int blocks = path[1] == 'c' ? 16 : 64;
    for (int i = 0; i < blocks; i++) {
      memset(block, 'a' + i % 26, sizeof block);
      if (write_all(fd, block, sizeof block) < 0) break;
    }
  } else if (!strncmp(path, "/big-chunked ", 13)) { // 2 MiB in 8 KiB chunks, then a trailer
    say(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    static char chunk[8192 + 16];
    for (int i = 0; i < 256; i++) {
      int n = snprintf(chunk, sizeof chunk, "2000\r\n");
      memset(chunk + n, 'a' + i % 26, 8192);
      memcpy(chunk + n + 8192, "\r\n", 2);
      if (write_all(fd, chunk, (size_t)n + 8194) < 0) break;
    }
    say(fd, "0\r\nX-Done: yes\r\n\r\n");
  } else if (!strncmp(path, "/garbage ", 9)) {
    say(fd, "HELLO THERE\r\n\r\n");
  } else if (!strncmp(path, "/close ", 7)) {
    // closes without a word
  } else if (!strncmp(path, "/partial ", 9)) {
    say(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
  } else if (!strncmp(path, "/silent ", 8)) {
    for (;;) pause(); // holds the connection and never answers
  } else if (!strncmp(path, "/spin ", 6)) {
    for (volatile unsigned long i = 0;; i++) {
    }
  } else if (!strncmp(path, "/exit ", 6)) {
    kill(getppid(), SIGUSR1); // PID 1 goes, and the guest with it
    for (;;) pause();
  } else {
    answer(fd, 404, "no such case\n");
  }
  _exit(0);
}

static void leave(int sig) { _exit(3); }

int main(void) {
  signal(SIGCHLD, SIG_IGN);
  signal(SIGUSR1, leave);
  int l = listen_tcp(8080);
  for (int count = 1;; count++) {
    int fd = accept(l, NULL, NULL);
    if (fd < 0) continue;
    if (fork() == 0) {
      close(l);
      serve(fd, count);
    }
    close(fd);
  }
}
