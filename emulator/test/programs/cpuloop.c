// CPU-bound loop: integer mixing, a small sieve and double arithmetic.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  unsigned long long h = 1469598103934665603ull;
  for (long i = 0; i < n; i++) {
    h ^= (unsigned long long)i;
    h *= 1099511628211ull;
    h = (h << 13) | (h >> 51);
  }
  int lim = 200000;
  char *sieve = calloc(lim, 1);
  int primes = 0;
  for (int i = 2; i < lim; i++) {
    if (sieve[i]) continue;
    primes++;
    for (long j = (long)i * i; j < lim; j += i) sieve[j] = 1;
  }
  double x = 0;
  for (long i = 1; i < n / 10; i++) x += 1.0 / ((double)i * i);
  printf("%llx %d %.12f\n", h, primes, x);
  return 0;
}
