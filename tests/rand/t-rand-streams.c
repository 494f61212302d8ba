/* Random streams: determinism, prefix consistency, independence of streams and seeds, argument
 * checks (case "determinism"), and the statistics of 10^6 uniforms ("uniform") and normals
 * ("normal").
 *
 * Statistical checks compare a sample statistic with its exact expectation within 5 standard
 * errors (a false alarm probability ~6e-7 per check for a good generator); goodness of fit uses
 * chi-square (1000 bins) and Kolmogorov-Smirnov at p ~ 1e-9. The values are a pure function of the
 * fixed seed and stream, so each check is deterministic: it cannot flake, it can only catch a
 * change of the generator that breaks the distribution. */
#include "test-util.h"

#include <stdint.h>
#include <string.h>

enum { NDRAW = 1000000, NBINS = 1000, NWINDOW = 1000 };

typedef int (*fill_fn)(uint64_t seed, uint64_t stream, uint64_t offset, int64_t n, double *out);

/* Checks that windows at offset o + j equal the tail of a window at offset o (odd and even o). */
static int check_prefix(fill_fn fill, const char *name) {
  static double whole[NWINDOW], part[NWINDOW], again[NWINDOW];
  const uint64_t offsets[] = {0, 1, 12345, 0xfffffffffffull};
  for (int t = 0; t < 4; t++) {
    TEST_CALL(fill(99, 5, offsets[t], NWINDOW, whole));
    TEST_CALL(fill(99, 5, offsets[t], NWINDOW, again));
    TEST_ASSERT(memcmp(whole, again, sizeof whole) == 0, "%s: two calls differ", name);
    for (int j = 1; j < 8; j++) {
      TEST_CALL(fill(99, 5, offsets[t] + (uint64_t)j, NWINDOW - j, part));
      TEST_ASSERT(memcmp(part, whole + j, sizeof(double) * (NWINDOW - j)) == 0,
                  "%s: offset %llu + %d is not a suffix", name, (unsigned long long)offsets[t], j);
    }
  }
  return 0;
}

/* Checks that positions wrap modulo 2^64: [2^64 - 2, 2^64 + 2) = [2^64 - 2, 2^64) then [0, 2). */
static int check_wrap(fill_fn fill, const char *name) {
  double across[4], tail[2], head[2];
  TEST_CALL(fill(3, 4, UINT64_MAX - 1, 4, across));
  TEST_CALL(fill(3, 4, UINT64_MAX - 1, 2, tail));
  TEST_CALL(fill(3, 4, 0, 2, head));
  TEST_ASSERT(memcmp(across, tail, sizeof tail) == 0 && memcmp(across + 2, head, sizeof head) == 0,
              "%s: positions do not wrap modulo 2^64", name);
  return 0;
}

/* Counts equal values between the windows of (seed, stream) pairs that should be independent. */
static int check_distinct(fill_fn fill, const char *name) {
  static double a[NWINDOW], b[NWINDOW], c[NWINDOW];
  TEST_CALL(fill(1, 0, 0, NWINDOW, a));
  TEST_CALL(fill(1, 1, 0, NWINDOW, b));
  TEST_CALL(fill(2, 0, 0, NWINDOW, c));
  int same_stream = 0, same_seed = 0;
  for (int i = 0; i < NWINDOW; i++) {
    same_stream += a[i] == b[i];
    same_seed += a[i] == c[i];
  }
  TEST_ASSERT(same_stream == 0 && same_seed == 0,
              "%s: %d values equal across streams, %d across seeds", name, same_stream, same_seed);
  return 0;
}

/* Checks the argument errors of a fill function (and that n = 0 with NULL is allowed). */
static int check_args(fill_fn fill) {
  double x;
  TEST_CALL(fill(1, 2, 3, 0, NULL));
  TEST_FAILS_WITH(fill(1, 2, 3, -1, &x), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(fill(1, 2, 3, 1, NULL), SOLACE_ERR_ARG);
  return 0;
}

/* Runs the determinism checks on both distributions. */
static int test_determinism(void) {
  fill_fn fills[2] = {solace_rand_uniform, solace_rand_normal};
  const char *names[2] = {"uniform", "normal"};
  for (int f = 0; f < 2; f++) {
    if (check_prefix(fills[f], names[f]) || check_wrap(fills[f], names[f])) return 1;
    if (check_distinct(fills[f], names[f]) || check_args(fills[f])) return 1;
  }
  return 0;
}

/* Checks that a sample mean `value` of n draws equals `expected` within 5 standard errors. */
static void check_mean(const char *what, double value, double expected, double var, int64_t n) {
  double se = sqrt(var / (double)n);
  TEST_ASSERT(fabs(value - expected) <= 5 * se, "%s = %.8g, expected %.8g, 5 SE = %.3g", what,
              value, expected, 5 * se);
}

/* Mean of f(x[i]) over the n values. */
static double mean_of(const double *x, int64_t n, double (*f)(double)) {
  double s = 0.0;
  for (int64_t i = 0; i < n; i++) s += f(x[i]);
  return s / (double)n;
}

/* Functions whose means are the moments checked below. */
static double identity(double x) {
  return x;
}
static double centered_sq(double u) {
  return (u - 0.5) * (u - 0.5);
}
static double square(double x) {
  return x * x;
}
static double fourth(double x) {
  return x * x * x * x;
}
static double normal_cdf(double x) {
  return 0.5 * erfc(-x / sqrt(2.0));
}

/* Lag-`lag` product mean of centered values (0 for independent draws; variance var^2 / n). */
static double lag_product(const double *x, int64_t n, int64_t lag, int64_t step, double center) {
  double s = 0.0;
  int64_t count = 0;
  for (int64_t i = 0; i + lag < n; i += step, count++) s += (x[i] - center) * (x[i + lag] - center);
  return s / (double)count;
}

/* Chi-square of u (in (0,1)) over NBINS equal bins, checked against the Wilson-Hilferty
 * quantiles of chi^2(NBINS - 1) at z = +-6 (two-sided p ~ 2e-9). */
static void check_chi_square(const double *u, int64_t n, const char *what) {
  static int64_t count[NBINS];
  memset(count, 0, sizeof count);
  for (int64_t i = 0; i < n; i++) count[u[i] < 1.0 ? (int)(u[i] * NBINS) : NBINS - 1]++;
  double expected = (double)n / NBINS, chi2 = 0.0, dof = NBINS - 1;
  for (int b = 0; b < NBINS; b++) chi2 += pow((double)count[b] - expected, 2) / expected;
  double h = 2.0 / (9.0 * dof), lo = dof * pow(1 - h - 6 * sqrt(h), 3),
         hi = dof * pow(1 - h + 6 * sqrt(h), 3);
  TEST_ASSERT(chi2 > lo && chi2 < hi, "%s: chi^2 = %.1f outside [%.1f, %.1f] (dof %g)", what, chi2,
              lo, hi, dof);
}

/* qsort order of doubles. */
static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Kolmogorov-Smirnov of u against U(0,1): sqrt(n) D < 3.27, i.e. p = 2 exp(-2 3.27^2) ~ 1e-9. */
static void check_ks(double *u, int64_t n, const char *what) {
  qsort(u, (size_t)n, sizeof(double), compare_doubles);
  double d = 0.0;
  for (int64_t i = 0; i < n; i++) {
    double below = u[i] - (double)i / (double)n, above = (double)(i + 1) / (double)n - u[i];
    d = fmax(d, fmax(below, above));
  }
  TEST_ASSERT(sqrt((double)n) * d < 3.27, "%s: KS sqrt(n) D = %.3f", what, sqrt((double)n) * d);
}

/* Uniform statistics: range, mean 1/2, variance 1/12, lag-1 correlation, chi-square, KS. */
static int test_uniform(double *u) {
  TEST_CALL(solace_rand_uniform(20240501, 17, 0, NDRAW, u));
  int64_t outside = 0;
  for (int64_t i = 0; i < NDRAW; i++) outside += !(u[i] > 0.0 && u[i] < 1.0);
  TEST_ASSERT(outside == 0, "%lld uniforms outside (0,1)", (long long)outside);
  check_mean("uniform mean", mean_of(u, NDRAW, identity), 0.5, 1.0 / 12, NDRAW);
  check_mean("uniform variance", mean_of(u, NDRAW, centered_sq), 1.0 / 12, 1.0 / 180, NDRAW);
  check_mean("uniform lag-1 product", lag_product(u, NDRAW, 1, 1, 0.5), 0.0, 1.0 / 144, NDRAW);
  check_chi_square(u, NDRAW, "uniform");
  check_ks(u, NDRAW, "uniform");
  return 0;
}

/* Normal statistics: moments 0, 1, 3 (variances 1, 2, 96), correlation within a Box-Muller pair
 * and across pairs, chi-square and KS of Phi(x). */
static int test_normal(double *x) {
  TEST_CALL(solace_rand_normal(20240501, 18, 0, NDRAW, x));
  check_mean("normal mean", mean_of(x, NDRAW, identity), 0.0, 1.0, NDRAW);
  check_mean("normal second moment", mean_of(x, NDRAW, square), 1.0, 2.0, NDRAW);
  check_mean("normal fourth moment", mean_of(x, NDRAW, fourth), 3.0, 96.0, NDRAW);
  check_mean("normal pair product", lag_product(x, NDRAW, 1, 2, 0.0), 0.0, 1.0, NDRAW / 2);
  check_mean("normal cross-pair product", lag_product(x + 1, NDRAW - 1, 1, 2, 0.0), 0.0, 1.0,
             NDRAW / 2 - 1);
  for (int64_t i = 0; i < NDRAW; i++) x[i] = normal_cdf(x[i]);
  check_chi_square(x, NDRAW, "Phi(normal)");
  check_ks(x, NDRAW, "Phi(normal)");
  return 0;
}

/* Runs the case named by the first argument. */
int main(int argc, char **argv) {
  const char *which = argc > 1 ? argv[1] : "determinism";
  double *buffer = malloc(sizeof(double) * NDRAW);
  if (!buffer) return 1;
  int failed = 0;
  if (!strcmp(which, "determinism"))
    failed = test_determinism();
  else if (!strcmp(which, "uniform"))
    failed = test_uniform(buffer);
  else if (!strcmp(which, "normal"))
    failed = test_normal(buffer);
  else
    TEST_ASSERT(0, "unknown case %s", which);
  free(buffer);
  return failed ? 1 : test_finish(which);
}
