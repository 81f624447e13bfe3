// Start-up snapshot pages (lib/compile/startup-snapshot.test.ts): a file page
// written before the snapshot's stop must come back written, pages still equal
// to the file come back from the rootfs, and a page written after the stop is
// the run's own. Prints the bytes it changed and a hash of each page.
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
  int fd = open("/app/pages.bin", O_RDONLY);
  if (fd < 0) return 2;
  unsigned char *p = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) return 3;
  p[4096 + 7] ^= 0x5a; // before the stop: in the dump, not linked
  if (write(1, "ready\n", 6) != 6) return 4; // the stop
  p[2 * 4096 + 9] ^= 0xa5; // after it
  unsigned long h[3] = {0, 0, 0};
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < 4096; i++) h[k] = h[k] * 131 + p[k * 4096 + i];
  printf("%d %d %d %lx %lx %lx\n", p[7], p[4096 + 7], p[2 * 4096 + 9], h[0], h[1], h[2]);
  return 0;
}
