/* Logistic regression (dense and CSR) converges under gradient, adaptive, Newton and
 * Newton-Armijo block updates to the optimum of an independent full Newton iteration (LAPACK
 * dposv on the full Hessian, run to a gradient norm of 1e-12). Tolerance 1e-6 relative on x:
 * the BCD stop asks for a gradient 1e-11 below f(0) ~ 55 and the Hessian's smallest eigenvalue
 * is ~0.5, so the distance to x* is below 1e-8. */
#include "bcd-test.h"

#define M 120
#define N 10

/* Full Newton on sum log(1 + exp(-y_i x_i^T w)). */
static int newton_reference(const double *X, const double *y, double *w) {
  memset(w, 0, sizeof(double) * N);
  for (int it = 0; it < 100; it++) {
    double g[N] = {0}, H[N * N] = {0}, gnorm = 0;
    for (int i = 0; i < M; i++) {
      double z = 0;
      for (int j = 0; j < N; j++) z += X[i + j * M] * w[j];
      double s = 1.0 / (1.0 + exp(y[i] * z)); /* sigma(-y z) */
      for (int j = 0; j < N; j++) {
        g[j] -= y[i] * s * X[i + j * M];
        for (int k = 0; k < N; k++) H[j + k * N] += s * (1 - s) * X[i + j * M] * X[i + k * M];
      }
    }
    for (int j = 0; j < N; j++) gnorm = fmax(gnorm, fabs(g[j]));
    if (gnorm < 1e-12) return 0;
    if (LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', N, 1, H, N, g, N)) return 1;
    for (int j = 0; j < N; j++) w[j] -= g[j];
  }
  return 1;
}

int main(void) {
  double X[M * N], y[M], ref[N], x[N], val[M * N];
  int64_t ptr[M + 1], ind[M * N];
  bcd_test_data(11, M, N, X, y);
  for (int i = 0; i < M; i++) { /* labels from a noisy linear model: not separable */
    double z = 0;
    for (int j = 0; j < N; j++) z += 0.1 * X[i + j * M] * (j % 3 - 1);
    y[i] = z + y[i] > 0 ? 1 : -1;
  }
  TEST_ASSERT(newton_reference(X, y, ref) == 0, "the reference Newton did not converge");
  bcd_test_csr(M, N, X, ptr, ind, val);
  solace_bcd bcd;
  TEST_CALL(solace_bcd_create(&bcd));
  for (int sparse = 0; sparse < 2; sparse++) {
    if (sparse)
      TEST_CALL(solace_bcd_set_csr(bcd, SOLACE_BCD_LOGISTIC, M, N, ptr, ind, val, y, 0));
    else
      TEST_CALL(solace_bcd_set_dense(bcd, SOLACE_BCD_LOGISTIC, M, N, X, M, y, 0));
    for (int upd = SOLACE_BCD_GRADIENT; upd <= SOLACE_BCD_NEWTON_ARMIJO; upd++) {
      int rule = upd % 2 ? SOLACE_BCD_GSQ : SOLACE_BCD_GSL;
      TEST_CALL(solace_bcd_set_partition(bcd, SOLACE_BCD_PART_SORT, 3));
      TEST_CALL(solace_bcd_set_rule(bcd, sparse ? SOLACE_BCD_CYCLIC : rule));
      TEST_CALL(solace_bcd_set_update(bcd, upd));
      TEST_CALL(solace_bcd_set_stop(bcd, 100000, 1e-13));
      TEST_CALL(solace_bcd_solve(bcd));
      TEST_CALL(solace_bcd_get_solution(bcd, x));
      double err = bcd_test_relerr(N, x, ref);
      printf("%s update %d: error %.3g\n", sparse ? "csr" : "dense", upd, err);
      TEST_ASSERT(err <= 1e-6, "%s update %d: error %.3g", sparse ? "csr" : "dense", upd, err);
    }
  }
  solace_bcd_destroy(&bcd);
  return test_finish("bcd-logistic");
}
