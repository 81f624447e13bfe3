// printf/scanf of float, double and long double; libm basics.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  double d = 3.14159265358979, e = 1e-300, big = 1.7976931348623157e308;
  float f = 2.5f / 3.0f;
  long double ld = 1.0L / 3.0L, ld2 = 12345678901234567890.125L;
  printf("%f %.15g %e %a\n", d, d, e, d);
  printf("%g %g %.3f %10.4f|%-10.2e|\n", big, -0.0, f, (double)f, 6.02214076e23);
  printf("%Lf %.20Lg %La %Le\n", ld, ld, ld, ld2);
  printf("%.30Lf\n", 2.0L / 7.0L);
  printf("%g %g %g\n", sqrt(2.0), floor(-2.5), fmod(10.5, 3.0));
  printf("nan:%f inf:%f -inf:%f\n", NAN, INFINITY, -INFINITY);
  long double acc = 0;
  for (int i = 1; i <= 1000; i++) acc += 1.0L / ((long double)i * i);
  printf("basel %.18Lf\n", acc);
  double dacc = 0;
  for (int i = 1; i <= 100000; i++) dacc += 1.0 / i;
  printf("harmonic %.17g\n", dacc);
  const char *in = "2.718281828459045 1.5e10 -0.125 3.3621031431120935063e-4932";
  double a, b;
  float c;
  long double l;
  if (sscanf(in, "%lf %lf %f %Lg", &a, &b, &c, &l) == 4) printf("scan %.17g %.17g %.9g %Lg\n", a, b, c, l);
  printf("strtod %.17g %.17g\n", strtod("0.1", NULL), strtod("123456789e-5", NULL));
  printf("strtold %.21Lg\n", strtold("0.1", NULL));
  char line[256];
  while (fgets(line, sizeof line, stdin)) {
    double v;
    if (sscanf(line, "%lf", &v) == 1) printf("in %.6f %.3e %lld\n", v, v * v, (long long)llround(v));
  }
  return 0;
}
