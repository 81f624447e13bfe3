// fchmodat(AT_SYMLINK_NOFOLLOW): on a symlink Linux answers EOPNOTSUPP
// (glibc opens it with O_PATH|O_NOFOLLOW and checks the type; GNU tar
// extracting a symlink depends on it), on a file it changes the mode.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
  char dir[] = "/tmp/fchmodat-XXXXXX";
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
  char file[64], link[64];
  snprintf(file, sizeof file, "%s/f", dir);
  snprintf(link, sizeof link, "%s/l", dir);
  close(open(file, O_CREAT | O_WRONLY, 0600));
  if (symlink("f", link)) { perror("symlink"); return 1; }
  struct stat st;
  int r = fchmodat(AT_FDCWD, link, 0644, AT_SYMLINK_NOFOLLOW);
  printf("symlink, nofollow: %d %s\n", r, r ? strerror(errno) : "ok");
  stat(file, &st);
  printf("target mode %o\n", st.st_mode & 0777);
  r = fchmodat(AT_FDCWD, file, 0640, AT_SYMLINK_NOFOLLOW);
  stat(file, &st);
  printf("file, nofollow: %d mode %o\n", r, st.st_mode & 0777);
  r = fchmodat(AT_FDCWD, link, 0604, 0);
  stat(file, &st);
  printf("symlink, follow: %d mode %o\n", r, st.st_mode & 0777);
  int fd = open(link, O_PATH | O_NOFOLLOW);
  printf("O_PATH|O_NOFOLLOW on a symlink: %s", fd >= 0 ? "fd" : strerror(errno));
  if (fd >= 0) {
    fstat(fd, &st);
    printf(", fstat says %s", S_ISLNK(st.st_mode) ? "symlink" : "not a symlink");
    char b[8];
    printf(", read: %s\n", read(fd, b, sizeof b) < 0 ? strerror(errno) : "data");
    close(fd);
  } else printf("\n");
  fd = open(link, O_RDONLY | O_NOFOLLOW);
  printf("O_NOFOLLOW on a symlink: %s\n", fd >= 0 ? "fd" : strerror(errno));
  unlink(link);
  unlink(file);
  rmdir(dir);
  return 0;
}
