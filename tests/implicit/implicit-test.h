/* Helpers of the implicit-differentiation tests: checks, random data, a ridge problem with its
 * closed-form derivatives. */
#ifndef SOLACE_IMPLICIT_TEST_H
#define SOLACE_IMPLICIT_TEST_H

#include "solace.h"
#include "solace/implicit.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures = 0;

#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      test_failures++;                                                                             \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                         \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fprintf(stderr, "\n");                                                                       \
    }                                                                                              \
  } while (0)

#define CALL(expr)                                                                                 \
  do {                                                                                             \
    int call_status_ = (expr);                                                                     \
    CHECK(call_status_ == 0, "%s -> %s: %s", #expr, solace_status_string(call_status_),            \
          solace_error_message());                                                                 \
  } while (0)

/* Uniform numbers in [-1, 1) from a fixed-seed 64-bit LCG. */
static inline double test_uniform(void) {
  static uint64_t state = 0x9e3779b97f4a7c15ULL;
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(state >> 11) / 4503599627370496.0 - 1.0;
}

static inline void test_fill(double *v, int64_t n) {
  for (int64_t i = 0; i < n; i++) v[i] = test_uniform();
}

/* max |a - b| / max |b| over n entries. */
static inline double test_rel_error(const double *a, const double *b, int64_t n) {
  double num = 0, den = 0;
  for (int64_t i = 0; i < n; i++) {
    num = fmax(num, fabs(a[i] - b[i]));
    den = fmax(den, fabs(b[i]));
  }
  return den > 0 ? num / den : num;
}

static inline double test_dot(const double *a, const double *b, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* Ridge regression x*(lambda, y) = argmin 1/2 ||X x - y||^2 + lambda/2 ||x||^2 with X m x n
 * (column-major), theta = (lambda, y[m]); F = X^T (X x - y) + lambda x. */
struct ridge {
  int64_t m, n;
  double *X;
};

static inline void ridge_xtx(const struct ridge *r, const double *v, double *out) {
  double *xv = calloc((size_t)r->m, sizeof(double));
  for (int64_t j = 0; j < r->n; j++)
    for (int64_t i = 0; i < r->m; i++) xv[i] += r->X[i + j * r->m] * v[j];
  for (int64_t j = 0; j < r->n; j++) out[j] = test_dot(r->X + j * r->m, xv, r->m);
  free(xv);
}

static inline int ridge_map(int64_t n, int64_t p, const double *x, const double *theta, double *out,
                            void *ctx) {
  const struct ridge *r = ctx;
  (void)p;
  ridge_xtx(r, x, out);
  for (int64_t j = 0; j < n; j++)
    out[j] += theta[0] * x[j] - test_dot(r->X + j * r->m, theta + 1, r->m);
  return 0;
}

static inline int ridge_jvp_x(int64_t n, int64_t p, const double *x, const double *theta,
                              const double *in, double *out, void *ctx) {
  (void)p, (void)x;
  ridge_xtx(ctx, in, out);
  for (int64_t j = 0; j < n; j++) out[j] += theta[0] * in[j];
  return 0;
}

static inline int ridge_jvp_theta(int64_t n, int64_t p, const double *x, const double *theta,
                                  const double *in, double *out, void *ctx) {
  const struct ridge *r = ctx;
  (void)p, (void)theta;
  for (int64_t j = 0; j < n; j++) out[j] = in[0] * x[j] - test_dot(r->X + j * r->m, in + 1, r->m);
  return 0;
}

static inline int ridge_vjp_theta(int64_t n, int64_t p, const double *x, const double *theta,
                                  const double *in, double *out, void *ctx) {
  const struct ridge *r = ctx;
  (void)p, (void)theta;
  out[0] = test_dot(x, in, n);
  for (int64_t i = 0; i < r->m; i++) {
    out[1 + i] = 0;
    for (int64_t j = 0; j < n; j++) out[1 + i] -= r->X[i + j * r->m] * in[j];
  }
  return 0;
}

/* H = X^T X + lambda I (n x n). */
static inline void ridge_hessian(const struct ridge *r, double lambda, double *H) {
  for (int64_t j = 0; j < r->n; j++)
    for (int64_t k = 0; k < r->n; k++)
      H[k + j * r->n] = test_dot(r->X + k * r->m, r->X + j * r->m, r->m) + (j == k ? lambda : 0);
}

/* The solution x* and the closed-form Jacobian J = H^{-1} [-x*, X^T] (n x (1 + m)). */
static inline void ridge_closed_form(const struct ridge *r, const double *theta, double *x,
                                     double *J) {
  const int64_t n = r->n, m = r->m;
  double *H = calloc((size_t)(n * n), sizeof(double));
  double *rhs = calloc((size_t)(n * (m + 2)), sizeof(double));
  ridge_hessian(r, theta[0], H);
  for (int64_t j = 0; j < n; j++) rhs[j] = test_dot(r->X + j * m, theta + 1, m);
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) rhs[j + (2 + i) * n] = r->X[i + j * m];
  LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (lapack_int)n, 1, H, (lapack_int)n, rhs, (lapack_int)n);
  memcpy(x, rhs, sizeof(double) * (size_t)n);
  for (int64_t j = 0; j < n; j++) rhs[n + j] = -x[j];
  ridge_hessian(r, theta[0], H);
  LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (lapack_int)n, (lapack_int)(m + 1), H, (lapack_int)n,
                rhs + n, (lapack_int)n);
  memcpy(J, rhs + n, sizeof(double) * (size_t)(n * (m + 1)));
  free(H);
  free(rhs);
}

/* A ridge problem with exact products (or none when exact is 0, i.e. finite differences). */
static inline solace_implicit ridge_problem(struct ridge *r, int exact) {
  solace_implicit pb = NULL;
  CALL(solace_implicit_create(r->n, 1 + r->m, SOLACE_IMPLICIT_ROOT, ridge_map, r, &pb));
  if (exact)
    CALL(solace_implicit_set_products(pb, ridge_jvp_x, ridge_jvp_x, ridge_jvp_theta,
                                      ridge_vjp_theta));
  return pb;
}

static inline int test_finish(const char *name) {
  if (test_failures)
    fprintf(stderr, "%s: %d failure(s)\n", name, test_failures);
  else
    printf("%s: all checks passed\n", name);
  solace_finalize();
  return test_failures ? 1 : 0;
}

#endif
