/* The user-callback dictionary: a callback giving the monomials 1, x, ..., x^6 reproduces the
 * built-in unscaled monomial dictionary on the logistic map x -> 3.7 x (1 - x) (eigenvalues,
 * residuals and eigenfunctions equal to 1e-13; measured 0); a callback that fails (returns 3) or
 * gives a NaN makes compute() return SOLACE_ERR_ARG with a message naming the failure; NULL fn and
 * n < 1 are refused. */
#include <string.h>

#include "test-util.h"

enum { M = 500, DEG = 6, N = DEG + 1 };

static int monomials(int64_t m, int64_t d, const double *x, int64_t ldx, int64_t n, double *psi,
                     int64_t ldpsi, void *ctx) {
  int *calls = ctx;
  (*calls)++;
  if (d != 1) return 1;
  for (int64_t j = 0; j < m; j++) {
    double v = 1;
    for (int64_t k = 0; k < n; k++) psi[j + k * ldpsi] = v, v *= x[j * ldx];
  }
  return 0;
}

static int failing(int64_t m, int64_t d, const double *x, int64_t ldx, int64_t n, double *psi,
                   int64_t ldpsi, void *ctx) {
  (void)m, (void)d, (void)x, (void)ldx, (void)n, (void)psi, (void)ldpsi, (void)ctx;
  return 3;
}

static int nan_values(int64_t m, int64_t d, const double *x, int64_t ldx, int64_t n, double *psi,
                      int64_t ldpsi, void *ctx) {
  int status = monomials(m, d, x, ldx, n, psi, ldpsi, ctx);
  psi[2 + 1 * ldpsi] = NAN;
  return status;
}

/* Eigenvalues, residuals and eigenfunctions at the data of one compute (fn NULL: built-in). */
static int run(const double *x, const double *y, solace_koopman_dictionary_fn fn, int *calls,
               double *lambda, double *res, double *phi) {
  solace_koopman k = NULL;
  double shift = 0, scale = 1;
  int64_t n, r;
  TEST_CALL(solace_koopman_create(&k));
  if (fn)
    TEST_CALL(solace_koopman_set_dictionary_fn(k, N, fn, calls));
  else {
    TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_MONOMIAL, DEG,
                                            SOLACE_KOOPMAN_TOTAL_DEGREE));
    TEST_CALL(solace_koopman_set_scaling(k, 1, &shift, &scale));
  }
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  TEST_CALL(solace_koopman_compute(k));
  TEST_CALL(solace_koopman_get_size(k, &n, &r));
  TEST_ASSERT(n == N && r == N, "N = %lld, r = %lld", (long long)n, (long long)r);
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  TEST_CALL(solace_koopman_eigenfunctions(k, M, x, 1, phi, M));
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

static double max_diff(int64_t n, const double *a, const double *b) {
  double d = 0;
  for (int64_t i = 0; i < n; i++) d = fmax(d, fabs(a[i] - b[i]));
  return d;
}

static int check_same(const double *x, const double *y) {
  static double l1[2 * N], l2[2 * N], r1[N], r2[N], p1[2 * M * N], p2[2 * M * N];
  int calls = 0;
  TEST_CALL(run(x, y, NULL, NULL, l1, r1, p1));
  TEST_CALL(run(x, y, monomials, &calls, l2, r2, p2));
  double dl = max_diff(2 * N, l1, l2), dr = max_diff(N, r1, r2), dp = max_diff(2 * M * N, p1, p2);
  printf("callback vs built-in monomials: eigenvalues %.3g, residuals %.3g, eigenfunctions %.3g "
         "(%d callback calls)\n",
         dl, dr, dp, calls);
  TEST_ASSERT(calls >= 3 && dl <= 1e-13 && dr <= 1e-13 && dp <= 1e-13,
              "calls %d, differences %g %g %g", calls, dl, dr, dp);
  return 0;
}

static int check_failure(const double *x, const double *y, solace_koopman_dictionary_fn fn,
                         const char *want) {
  solace_koopman k = NULL;
  int calls = 0;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary_fn(k, N, fn, &calls));
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  int status = solace_koopman_compute(k);
  const char *msg = solace_error_message();
  printf("failing callback: status %d, %s\n", status, msg);
  TEST_ASSERT(status == SOLACE_ERR_ARG && strstr(msg, want), "status %d, message %s", status, msg);
  TEST_ASSERT(solace_koopman_get_size(k, NULL, NULL) == SOLACE_ERR_STATE, "results after failure");
  TEST_ASSERT(solace_koopman_set_dictionary_fn(k, N, NULL, NULL) == SOLACE_ERR_ARG, "NULL fn");
  TEST_ASSERT(solace_koopman_set_dictionary_fn(k, 0, fn, NULL) == SOLACE_ERR_ARG, "n = 0");
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

int main(void) {
  static double x[M], y[M];
  x[0] = 0.3;
  for (int j = 0; j < M; j++) {
    y[j] = 3.7 * x[j] * (1 - x[j]);
    if (j + 1 < M) x[j + 1] = y[j];
  }
  if (check_same(x, y)) return 1;
  if (check_failure(x, y, failing, "callback failed (returned 3)")) return 1;
  if (check_failure(x, y, nan_values, "psi(2, 1) = nan")) return 1;
  return test_finish("koopman-callback");
}
