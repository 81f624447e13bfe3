// An HTTP client for the wasi:http component's outgoing tests. `client fetch
// HOST PORT PATH` resolves HOST with getaddrinfo, sends a GET and then a POST
// on one keep-alive connection, and prints what came back; `client resolve
// NAME` prints what getaddrinfo says; `client loop HOST PORT N` sends N GETs
// of / on one keep-alive connection (for the bench). Without arguments it
// serves those as /fetch?HOST&PORT&PATH, /resolve?NAME, /wget?URL (busybox
// wget), /curl?URL (Debian's curl) and /loop?HOST&PORT&N on port 8080, so a request to the component runs
// the client inside the guest.
#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "listen.h"

static char out[65536];
static size_t outn;

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out + outn, sizeof out - outn, fmt, ap);
  va_end(ap);
  if (n > 0) outn += (size_t)n < sizeof out - outn ? (size_t)n : sizeof out - outn - 1;
}

static void resolve(const char *name) {
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
  int rc = getaddrinfo(name, "80", &hints, &res);
  if (rc) {
    emit("%s: %s\n", name, gai_strerror(rc));
    return;
  }
  char ip[64];
  inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip, sizeof ip);
  emit("%s: %s\n", name, ip);
  freeaddrinfo(res);
}

// Reads one response: the head up to the blank line, then Content-Length bytes
// (or until the server closes). Prints the status code, content-type and body.
static int read_response(int s) {
  static char b[65536];
  size_t n = 0;
  char *end = NULL;
  while (!end) {
    ssize_t r = read(s, b + n, sizeof b - 1 - n);
    if (r <= 0) return emit("  closed before a response head\n"), -1;
    n += (size_t)r;
    b[n] = 0;
    end = strstr(b, "\r\n\r\n");
  }
  size_t head = (size_t)(end - b) + 4;
  long len = -1;
  char type[128] = "(none)";
  for (char *l = strstr(b, "\r\n") + 2; l < end; l = strstr(l, "\r\n") + 2) {
    if (!strncasecmp(l, "content-length:", 15)) len = strtol(l + 15, NULL, 10);
    if (!strncasecmp(l, "content-type:", 13)) sscanf(l + 13, " %127[^\r]", type);
  }
  while (len < 0 || n - head < (size_t)len) {
    ssize_t r = read(s, b + n, sizeof b - 1 - n);
    if (r <= 0) break;
    n += (size_t)r;
  }
  b[n] = 0;
  emit("  status %.3s, content-type %s, body '%.*s'\n", b + 9, type, (int)(len < 0 ? (long)(n - head) : len), b + head);
  return 0;
}

static void fetch(const char *host, const char *port, const char *path) {
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc) {
    emit("fetch %s: %s\n", host, gai_strerror(rc));
    return;
  }
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(s, res->ai_addr, res->ai_addrlen)) {
    emit("fetch %s: connect: %m\n", host);
    freeaddrinfo(res);
    return;
  }
  freeaddrinfo(res);
  char req[1024];
  snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nX-Test: one\r\n\r\n", path, host);
  (void)!write(s, req, strlen(req));
  emit("GET %s\n", path);
  if (read_response(s)) return;
  const char *body = "[{\"a\":1,\"b\":\"x\"}]";
  snprintf(req, sizeof req, "POST %s HTTP/1.1\r\nHost: %s\r\nX-Test: two\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", path, host, strlen(body), body);
  emit("POST %s (same connection)\n", path);
  if (write(s, req, strlen(req)) < 0) {
    emit("  write: %m\n");
    close(s);
    return;
  }
  if (read_response(s)) return;
  char c;
  emit("  then %s\n", read(s, &c, 1) == 0 ? "EOF" : "more bytes");
  close(s);
}

// N keep-alive GETs; prints how many answers came back 200 and how long they took.
static void loop(const char *host, const char *port, const char *count) {
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
  if (getaddrinfo(host, port, &hints, &res)) {
    emit("loop %s: no address\n", host);
    return;
  }
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(s, res->ai_addr, res->ai_addrlen)) {
    emit("loop %s: connect: %m\n", host);
    freeaddrinfo(res);
    return;
  }
  freeaddrinfo(res);
  long n = strtol(count, NULL, 10), ok = 0;
  char req[256];
  snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", host);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++) {
    if (write(s, req, strlen(req)) < 0) break;
    size_t before = outn;
    if (read_response(s)) break;
    ok += !strncmp(out + before, "  status 200", 12);
    outn = before; // only the count is reported
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  close(s);
  emit("loop %ld/%ld ok in %.0f us\n", ok, n, (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3);
}

// Runs busybox wget (or Debian's curl) on url; prints its exit status and output.
static void fetch_tool(const char *tool, const char *url) {
  int p[2];
  if (pipe(p)) return;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    dup2(p[1], 2);
    close(p[0]);
    if (!strcmp(tool, "curl")) execl("/usr/bin/curl", "curl", "-s", "-S", url, (char *)NULL);
    else execl("/bin/busybox", "wget", "-q", "-O", "-", url, (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  char b[8192];
  size_t n = 0;
  ssize_t r;
  while (n < sizeof b - 1 && (r = read(p[0], b + n, sizeof b - 1 - n)) > 0) n += (size_t)r;
  close(p[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  emit("%s %s: exit %d, output '%.*s'\n", tool, url, WIFEXITED(st) ? WEXITSTATUS(st) : -1, (int)n, b);
}

// /fetch?HOST&PORT&PATH, /resolve?NAME, /wget?URL
static void serve(int fd) {
  char req[4096];
  ssize_t n = read(fd, req, sizeof req - 1);
  if (n <= 0) _exit(0);
  req[n] = 0;
  char *target = strchr(req, ' ');
  if (!target) _exit(0);
  target++;
  *strchr(target, ' ') = 0;
  char *q = strchr(target, '?');
  char *arg[3] = {0};
  if (q) {
    *q++ = 0;
    for (int i = 0; i < 3 && q; i++) {
      arg[i] = q;
      q = i < 2 ? strchr(q, '&') : NULL;
      if (q) *q++ = 0;
    }
  }
  if (!strcmp(target, "/fetch") && arg[2]) fetch(arg[0], arg[1], arg[2]);
  else if (!strcmp(target, "/resolve") && arg[0]) resolve(arg[0]);
  else if (!strcmp(target, "/wget") && arg[0]) fetch_tool("wget", arg[0]);
  else if (!strcmp(target, "/curl") && arg[0]) fetch_tool("curl", arg[0]);
  else if (!strcmp(target, "/loop") && arg[2]) loop(arg[0], arg[1], arg[2]);
  else emit("no such case\n");
  char head[128];
  snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n", outn);
  (void)!write(fd, head, strlen(head));
  (void)!write(fd, out, outn);
  _exit(0);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN); // a peer that closed shows as EPIPE, not a dead client
  if (argc == 5 && !strcmp(argv[1], "fetch")) fetch(argv[2], argv[3], argv[4]);
  else if (argc == 3 && !strcmp(argv[1], "resolve")) resolve(argv[2]);
  else if (argc == 3 && (!strcmp(argv[1], "wget") || !strcmp(argv[1], "curl"))) fetch_tool(argv[1], argv[2]);
  else if (argc == 5 && !strcmp(argv[1], "loop")) loop(argv[2], argv[3], argv[4]);
  if (argc > 1) return fwrite(out, 1, outn, stdout) != outn;
  signal(SIGCHLD, SIG_DFL);
  int l = listen_tcp(8080);
  for (;;) {
    int fd = accept(l, NULL, NULL);
    if (fd < 0) continue;
    pid_t pid = fork();
    if (pid == 0) {
      close(l);
      serve(fd);
    }
    close(fd);
    waitpid(pid, NULL, 0);
  }
}
