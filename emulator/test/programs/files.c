// File I/O and a sorted directory walk of the working directory's data/ tree.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void walk(const char *dir, int depth) {
  DIR *d = opendir(dir);
  if (!d) { printf("opendir %s: %s\n", dir, strerror(errno)); return; }
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof(char *), cmp);
  for (int i = 0; i < n; i++) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, names[i]);
    struct stat st;
    lstat(p, &st);
    printf("%*s%s %s %lld\n", depth * 2, "", names[i], S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "link" : "file",
           S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
    if (S_ISDIR(st.st_mode)) walk(p, depth + 1);
    free(names[i]);
  }
}

int main(void) {
  walk("data", 0);
  mkdir("out", 0755);
  FILE *f = fopen("out/numbers.txt", "w");
  if (!f) { perror("fopen"); return 1; }
  for (int i = 0; i < 1000; i++) fprintf(f, "%d %x\n", i, i * i);
  fclose(f);
  f = fopen("out/numbers.txt", "r");
  long sum = 0;
  int a, b;
  while (fscanf(f, "%d %x", &a, &b) == 2) sum += a + b;
  fseek(f, 0, SEEK_END);
  printf("sum %ld size %ld\n", sum, ftell(f));
  fclose(f);
  int fd = open("out/raw.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
  char buf[4096];
  for (int i = 0; i < 4096; i++) buf[i] = (char)(i * 7);
  for (int i = 0; i < 10; i++) write(fd, buf, sizeof buf);
  lseek(fd, 5000, SEEK_SET);
  char r[8];
  read(fd, r, 8);
  pwrite(fd, "HELLO", 5, 100);
  pread(fd, r, 5, 100);
  printf("raw %d %.5s size %ld\n", (unsigned char)r[0], r, (long)lseek(fd, 0, SEEK_END));
  close(fd);
  printf("rename %d unlink %d exists %d\n", rename("out/raw.bin", "out/raw2.bin"), unlink("out/numbers.txt"), access("out/numbers.txt", F_OK));
  printf("open missing: %s\n", fopen("nope/x", "r") ? "yes" : strerror(errno));
  printf("mkdir again: %d %s\n", mkdir("out", 0755), strerror(errno));
  printf("rmdir nonempty: %d %s\n", rmdir("out"), strerror(errno));
  char cwd[256];
  printf("cwd ends with work: %d\n", getcwd(cwd, sizeof cwd) && strstr(cwd, "work") != NULL);
  walk("out", 0);
  FILE *in = fopen("data/lines.txt", "r");
  char line[256];
  int ln = 0;
  while (in && fgets(line, sizeof line, in)) ln++;
  printf("lines %d\n", ln);
  return 0;
}
