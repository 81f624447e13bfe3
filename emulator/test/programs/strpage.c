// libc string routines (SSE2 paths in glibc) on every alignment, with strings
// ending right before an inaccessible page: they must neither fault nor misread.
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
  long pg = sysconf(_SC_PAGESIZE);
  char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED || mprotect(m + pg, pg, PROT_NONE)) return 1;
  unsigned long acc = 0;
  for (int len = 0; len < 80; len++) {
    for (int mis = 0; mis < 16; mis++) {
      char *s = m + pg - len - 1 - mis;
      for (int i = 0; i < len; i++) s[i] = (char)('A' + (i * 7 + mis) % 26);
      s[len] = 0;
      memset(s + len + 1, 'z', mis);
      acc = acc * 31 + strlen(s);
      acc = acc * 31 + (strchr(s, 'Q') ? (unsigned long)(strchr(s, 'Q') - s) : 999);
      acc = acc * 31 + (strrchr(s, 'B') ? (unsigned long)(strrchr(s, 'B') - s) : 999);
      acc = acc * 31 + (memchr(s, 'K', len) ? (unsigned long)((char *)memchr(s, 'K', len) - s) : 999);
      acc = acc * 31 + (unsigned long)(strcmp(s, "ABCDEF") + 1000);
      acc = acc * 31 + (unsigned long)(memcmp(s, m + pg - len - 1, len) != 0);
      acc = acc * 31 + strspn(s, "ABCDEFGHIJ") + strcspn(s, "XYZ");
      char copy[128];
      memcpy(copy, s, len + 1);
      acc = acc * 31 + (unsigned long)strcmp(copy, s);
      acc = acc * 31 + (strstr(s, "HO") ? (unsigned long)(strstr(s, "HO") - s) : 999);
    }
  }
  printf("acc %lx\n", acc);
  return 0;
}
