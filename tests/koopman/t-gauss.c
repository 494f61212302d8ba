/* The Gauss iterated map F(x) = exp(-2 x^2) - 1 - exp(-2) on [-1, 0] (the ResDMD paper's
 * example), 40 Legendre functions, snapshots at the Gauss-Legendre nodes with their weights
 * (Golub-Welsch here, LAPACK dstev):
 *  - the bundled map equals the formula (1e-15);
 *  - lambda = 1 (the constants) with residual <= 1e-10;
 *  - an independent Galerkin reference built here (Legendre three-term recurrence, G = PsiX^T
 *    W PsiX, A = PsiX^T W PsiY, eigenvalues of G^-1 A by dgesv + dgeev): every Solace eigenvalue
 *    with residual <= 1e-3 (well conditioned) is within 1e-8 of a reference eigenvalue;
 *  - quadrature convergence: with 200 Gauss points those eigenvalues move by <= 1e-8 (100
 *    points resolve the integrals of degree-39 polynomials composed with the analytic F);
 *  - the residuals separate the pairs: at least 10 eigenvalues have residual > 0.01 while at
 *    least 5 have residual <= 1e-3. */
#include <complex.h>
#include <lapacke.h>
#include <string.h>

#include "test-util.h"

enum { N = 40, P_MAX = 200 };

/* Gauss-Legendre nodes and weights on [-1, 0] (weights sum to 1). */
static int gauss_legendre(int p, double *x, double *w) {
  double d[P_MAX] = {0}, e[P_MAX], z[P_MAX * P_MAX];
  for (int k = 1; k < p; k++) e[k - 1] = k / sqrt(4.0 * k * k - 1);
  if (LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', p, d, e, z, p)) return 1;
  for (int j = 0; j < p; j++) x[j] = (d[j] - 1) / 2, w[j] = z[j * p] * z[j * p];
  return 0;
}

/* Normalised Legendre values sqrt(n + 1/2) P_n(2 x + 1), n < N, by the recurrence. */
static void legendre(double x, double *v) {
  double u = 2 * x + 1, p0 = 1, p1 = u;
  v[0] = sqrt(0.5), v[1] = sqrt(1.5) * u;
  for (int n = 1; n + 1 < N; n++) {
    double p2 = ((2 * n + 1) * u * p1 - n * p0) / (n + 1);
    v[n + 1] = sqrt(n + 1.5) * p2, p0 = p1, p1 = p2;
  }
}

/* Eigenvalues of G^-1 A (interleaved) from the p snapshots. */
static int reference(int p, const double *x, const double *y, const double *w, double *lambda) {
  static double g[N * N], a[N * N], vl[1], vr[1];
  double px[N], py[N], wr[N], wi[N];
  lapack_int piv[N];
  memset(g, 0, sizeof g), memset(a, 0, sizeof a);
  for (int m = 0; m < p; m++) {
    legendre(x[m], px), legendre(y[m], py);
    for (int j = 0; j < N; j++)
      for (int i = 0; i < N; i++)
        g[i + j * N] += w[m] * px[i] * px[j], a[i + j * N] += w[m] * px[i] * py[j];
  }
  if (LAPACKE_dgesv(LAPACK_COL_MAJOR, N, N, g, N, piv, a, N)) return 1;
  if (LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'N', N, a, N, wr, wi, vl, 1, vr, 1)) return 1;
  for (int j = 0; j < N; j++) lambda[2 * j] = wr[j], lambda[2 * j + 1] = wi[j];
  return 0;
}

/* Solace EDMD at p Gauss points: eigenvalues and residuals. */
static int solace_edmd(int p, const double *x, const double *w, double *y, double *lambda,
                       double *res) {
  static double traj[2 * P_MAX];
  TEST_CALL(solace_koopman_simulate("gauss", NULL, 0, 1.0, p, 2, x, traj));
  for (int m = 0; m < p; m++) y[m] = traj[2 * m + 1];
  double shift = -0.5, scale = 0.5;
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_LEGENDRE, N - 1,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_scaling(k, 1, &shift, &scale));
  TEST_CALL(solace_koopman_set_data(k, 1, p, x, 1, p, y, 1, w));
  TEST_CALL(solace_koopman_compute(k));
  int64_t r;
  TEST_CALL(solace_koopman_get_size(k, NULL, &r));
  TEST_ASSERT(r == N, "rank %lld", (long long)r);
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  solace_koopman_destroy(&k);
  return 0;
}

static double nearest(const double *l, int j, const double *set) {
  double best = INFINITY;
  for (int i = 0; i < N; i++)
    best = fmin(best, hypot(l[2 * j] - set[2 * i], l[2 * j + 1] - set[2 * i + 1]));
  return best;
}

int main(void) {
  static double x[P_MAX], w[P_MAX], y[P_MAX], x2[P_MAX], w2[P_MAX], y2[P_MAX];
  double lambda[2 * N], res[N], lambda2[2 * N], res2[N], ref[2 * N];
  TEST_ASSERT(!gauss_legendre(100, x, w) && !gauss_legendre(200, x2, w2), "dstev");
  if (solace_edmd(100, x, w, y, lambda, res) || solace_edmd(200, x2, w2, y2, lambda2, res2))
    return 1;
  double map_err = 0;
  for (int m = 0; m < 100; m++)
    map_err = fmax(map_err, fabs(y[m] - (exp(-2 * x[m] * x[m]) - 1 - exp(-2))));
  TEST_ASSERT(map_err <= 1e-15, "map error %g", map_err);
  TEST_ASSERT(!reference(100, x, y, w, ref), "reference LAPACK failure");
  double one = INFINITY, one_res = 0, ref_err = 0, conv = 0;
  int good = 0, bad = 0;
  for (int j = 0; j < N; j++) {
    if (hypot(lambda[2 * j] - 1, lambda[2 * j + 1]) < one)
      one = hypot(lambda[2 * j] - 1, lambda[2 * j + 1]), one_res = res[j];
    if (res[j] > 0.01) bad++;
    if (res[j] > 1e-3) continue;
    good++;
    ref_err = fmax(ref_err, nearest(lambda, j, ref));
    conv = fmax(conv, nearest(lambda, j, lambda2));
  }
  printf("gauss map: lambda = 1 to %.3g (residual %.3g); %d eigenvalues with residual <= 1e-3: "
         "max distance to the reference %.3g, to the 200-point result %.3g; %d with residual > "
         "0.01\n",
         one, one_res, good, ref_err, conv, bad);
  TEST_ASSERT(one <= 1e-12 && one_res <= 1e-10, "lambda = 1 off by %g, residual %g", one, one_res);
  TEST_ASSERT(good >= 5 && bad >= 10, "%d well-resolved, %d with large residuals", good, bad);
  TEST_ASSERT(ref_err <= 1e-8, "reference distance %g", ref_err);
  TEST_ASSERT(conv <= 1e-8, "quadrature convergence %g", conv);
  return test_finish("koopman-gauss");
}
