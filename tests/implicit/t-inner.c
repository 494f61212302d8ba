/* A derivative is only as good as x*: for ridge regression solved by k gradient-descent steps,
 * the implicit dx/dlambda at xhat_k has error exactly H^{-1} (xhat_k - x*) (F is linear in x), so
 * it must shrink with the inner error, stay below ||H^{-1}|| ||xhat_k - x*||, and the reported
 * optimality residual must shrink with it. */
#include "implicit-test.h"

enum { M = 30, N = 10 };

int main(int argc, char **argv) {
  CALL(solace_initialize(&argc, &argv));
  double X[M * N], theta[1 + M], xstar[N], J[N * (M + 1)], H[N * N], w[N];
  test_fill(X, M * N);
  test_fill(theta + 1, M);
  theta[0] = 1.0;
  struct ridge r = {M, N, X};
  ridge_closed_form(&r, theta, xstar, J);
  ridge_hessian(&r, theta[0], H);
  lapack_int found;
  double lmin, lmax, Hc[N * N];
  memcpy(Hc, H, sizeof H);
  LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'N', 'A', 'L', N, Hc, N, 0, 0, 0, 0, 0, &found, w, NULL, N,
                 (lapack_int[2 * N]){0});
  lmin = w[0], lmax = w[N - 1];
  solace_implicit pb = ridge_problem(&r, 1);
  double x[N] = {0}, g[N], t[1 + M] = {1}, dx[N], prev_err = INFINITY, prev_res = INFINITY;
  int steps = 0;
  for (int k = 1; k <= 5; k++) {
    for (; steps < 25 * k; steps++) { /* gradient descent with step 1 / lambda_max */
      ridge_map(N, 1 + M, x, theta, g, &r);
      for (int j = 0; j < N; j++) x[j] -= g[j] / lmax;
    }
    double diff[N], res;
    for (int j = 0; j < N; j++) diff[j] = x[j] - xstar[j];
    CALL(solace_implicit_jvp(pb, x, theta, t, dx));
    CALL(solace_implicit_get_report(pb, &res, NULL, NULL, NULL));
    double err = 0, inner = sqrt(test_dot(diff, diff, N));
    for (int j = 0; j < N; j++) err += pow(dx[j] - J[j], 2);
    err = sqrt(err);
    printf("%3d steps: ||xhat - x*|| %.2e, residual %.2e, derivative error %.2e, bound %.2e\n",
           steps, inner, res, err, inner / lmin);
    CHECK(err <= inner / lmin * (1 + 1e-8) + 1e-14, "error %g above the bound %g", err,
          inner / lmin);
    CHECK(err < 0.5 * prev_err && res < 0.5 * prev_res, "no shrinking at %d steps", steps);
    prev_err = err, prev_res = res;
  }
  solace_implicit_destroy(&pb);
  return test_finish("implicit-inner");
}
