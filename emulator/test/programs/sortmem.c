// qsort, malloc/free churn, string functions.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  unsigned seed = 12345;
  int n = 20000;
  int *v = malloc(sizeof(int) * n);
  for (int i = 0; i < n; i++) { seed = seed * 1103515245u + 12345u; v[i] = (int)(seed >> 8) % 100000 - 50000; }
  qsort(v, n, sizeof(int), cmp_int);
  long long sum = 0;
  for (int i = 0; i < n; i++) sum += (long long)v[i] * (i % 7);
  printf("sorted %d %d %d sum %lld\n", v[0], v[n / 2], v[n - 1], sum);
  // churn: many sizes, random frees, realloc
  void *slots[512] = {0};
  size_t total = 0;
  for (int r = 0; r < 40000; r++) {
    seed = seed * 1103515245u + 12345u;
    int k = (seed >> 4) % 512;
    if (slots[k]) { free(slots[k]); slots[k] = NULL; }
    else {
      size_t sz = (seed >> 12) % 3000 + 1;
      if ((seed & 3) == 0) sz *= 100;
      slots[k] = malloc(sz);
      memset(slots[k], k & 0xff, sz);
      total += sz;
      if ((seed & 15) == 1) { slots[k] = realloc(slots[k], sz * 2 + 7); total += sz; }
    }
  }
  for (int k = 0; k < 512; k++) free(slots[k]);
  printf("churn total %zu\n", total);
  const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "apple pie", "Zebra", "zebra", "10", "9"};
  int wn = sizeof words / sizeof words[0];
  char **w = malloc(sizeof(char *) * wn);
  for (int i = 0; i < wn; i++) w[i] = strdup(words[i]);
  qsort(w, wn, sizeof(char *), cmp_str);
  for (int i = 0; i < wn; i++) printf("%s%s", w[i], i + 1 < wn ? "," : "\n");
  char buf[200];
  snprintf(buf, sizeof buf, "%s-%s-%d", w[0], w[wn - 1], wn);
  printf("%s len=%zu chr=%s rchr=%s str=%s\n", buf, strlen(buf), strchr(buf, '-'), strrchr(buf, '-'), strstr(buf, "ze"));
  char tok[] = "a,b;;c,d e";
  for (char *t = strtok(tok, ",; "); t; t = strtok(NULL, ",; ")) printf("[%s]", t);
  printf("\n");
  char up[64];
  strcpy(up, "Hello, World 123");
  for (char *p = up; *p; p++) *p = (char)toupper((unsigned char)*p);
  printf("%s %d %d %d\n", up, memcmp("abc", "abd", 3) < 0, strncmp("hello", "help", 3), (int)strspn("aaabbc", "ab"));
  char big[100000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  memmove(big + 1, big, 5000);
  printf("%zu %ld\n", strlen(big), strtol("-0x7fffffff", NULL, 16));
  return 0;
}
