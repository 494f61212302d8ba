/* Kernel EDMD (Williams, Rowley, Kevrekidis 2015): the Koopman matrix in the
 * feature space of a kernel from the Gram matrices of the data (see
 * solace_koopman_kernel_edmd in include/solace/koopman.h). */
#include "solvers/koopman/koopman-impl.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

/* Checks the arguments of solace_koopman_kernel_edmd(). */
static int check_args(int kernel, double param, int64_t d, int64_t m, const double *x, int64_t ldx,
                      const double *y, int64_t ldy, const double *weights, double rcond) {
  SolaceCheck(kernel == SOLACE_KOOPMAN_KERNEL_GAUSSIAN ||
                  kernel == SOLACE_KOOPMAN_KERNEL_POLYNOMIAL,
              SOLACE_ERR_ARG, "unknown kernel %d (GAUSSIAN = 0, POLYNOMIAL = 1)", kernel);
  if (kernel == SOLACE_KOOPMAN_KERNEL_GAUSSIAN)
    SolaceCheck(param > 0 && isfinite(param), SOLACE_ERR_ARG, "Gaussian width %g is not positive",
                param);
  else
    SolaceCheck(param >= 1 && param <= 64 && param == floor(param), SOLACE_ERR_ARG,
                "polynomial degree %g is not an integer in [1, 64]", param);
  SolaceCheck(d >= 1 && m >= 1 && ldx >= d && ldy >= d, SOLACE_ERR_ARG,
              "d = %lld, m = %lld, ldx = %lld, ldy = %lld", (long long)d, (long long)m,
              (long long)ldx, (long long)ldy);
  SolaceCheck(rcond >= 0 && rcond < 1, SOLACE_ERR_ARG, "rcond = %g is not in [0, 1)", rcond);
  double sum = 0;
  for (int64_t j = 0; j < m; j++) {
    for (int64_t i = 0; i < d; i++) {
      SolaceCheck(isfinite(x[i + j * ldx]), SOLACE_ERR_ARG, "x(%lld, %lld) is not finite",
                  (long long)i, (long long)j);
      SolaceCheck(isfinite(y[i + j * ldy]), SOLACE_ERR_ARG, "y(%lld, %lld) is not finite",
                  (long long)i, (long long)j);
    }
    if (weights)
      SolaceCheck(weights[j] >= 0 && isfinite(weights[j]), SOLACE_ERR_ARG,
                  "weight %lld = %g is negative or not finite", (long long)j, weights[j]);
    sum += weights ? weights[j] : 1;
  }
  SolaceCheck(sum > 0, SOLACE_ERR_ARG, "the weights sum to zero");
  return SOLACE_SUCCESS;
}

/* g (m x m) = sw_i sw_j k(u_i, x_j) for the columns u_i of u (leading dimension ldu). */
static void gram(int kernel, double param, int64_t d, int64_t m, const double *u, int64_t ldu,
                 const double *x, int64_t ldx, const double *sw, double *g) {
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)m, (int)m, (int)d, 1, u, (int)ldu, x,
              (int)ldx, 0, g, (int)m);
  for (int64_t j = 0; j < m; j++)
    for (int64_t i = 0; i < m; i++) {
      double v = g[i + j * m];
      if (kernel == SOLACE_KOOPMAN_KERNEL_POLYNOMIAL)
        v = pow(1 + v, param);
      else {
        double uu = cblas_ddot((int)d, u + i * ldu, 1, u + i * ldu, 1);
        double xx = cblas_ddot((int)d, x + j * ldx, 1, x + j * ldx, 1);
        v = exp(-fmax(uu + xx - 2 * v, 0) / (param * param));
      }
      g[i + j * m] = sw[i] * sw[j] * v;
    }
}

/* K = B^T A B with B = Q_r S_r^-1 from the eigen-decomposition of g (overwritten); *rank = r, k
 * (m x m room) holds K with leading dimension r. */
static int kernel_matrix(int64_t m, double *g, const double *a, double rcond, int64_t *rank,
                         double *k) {
  double *e, *t;
  SolaceCall(SolaceCalloc(m, &e));
  int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'U', (int)m, g, (int)m, e);
  if (info) return free(e), solace_error_lapack(info, "dsyevd", __func__);
  double smax = sqrt(fmax(e[m - 1], 0));
  int64_t r = 0;
  while (r < m && e[m - 1 - r] > 0 && sqrt(e[m - 1 - r]) > rcond * smax) r++;
  if (!r) return free(e), solace_error_set(SOLACE_ERR_ARG, __func__, "the kernel Gram vanishes");
  double *b = g + (m - r) * m; /* the r leading eigenvectors, scaled by S^-1 */
  for (int64_t j = 0; j < r; j++) cblas_dscal((int)m, 1 / sqrt(e[m - r + j]), b + j * m, 1);
  int status = SolaceCalloc(m * r, &t);
  if (!status) {
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)r, (int)m, 1, a, (int)m, b,
                (int)m, 0, t, (int)m);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)r, (int)r, (int)m, 1, b, (int)m, t,
                (int)m, 0, k, (int)r);
  }
  free(e), free(t);
  *rank = r;
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* The eigenvalues of the r x r matrix k (overwritten), sorted, into lambda. */
static int sorted_eigenvalues(int64_t r, double *k, double *lambda) {
  double *wr, *wi;
  solace_koopman_eig_entry *order;
  SolaceCall(SolaceCalloc(r, &wr));
  int status = SolaceCalloc(r, &wi);
  if (!status) status = SolaceCalloc(r, &order);
  int info = status ? 0
                    : LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'N', (int)r, k, (int)r, wr, wi, NULL, 1,
                                    NULL, 1);
  if (info) status = solace_error_lapack(info, "dgeev", __func__);
  for (int64_t j = 0; !status && j < r; j++) order[j] = (solace_koopman_eig_entry){wr[j], wi[j], j};
  if (!status) qsort(order, (size_t)r, sizeof *order, solace_koopman_eig_compare);
  for (int64_t a = 0; !status && a < r; a++)
    lambda[2 * a] = order[a].re, lambda[2 * a + 1] = order[a].im;
  free(wr), free(wi), free(order);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_koopman_kernel_edmd(int kernel, double param, int64_t d, int64_t m, const double *x,
                               int64_t ldx, const double *y, int64_t ldy, const double *weights,
                               double rcond, int64_t *rank, double *lambda) {
  solace_error_clear();
  SolaceCheckNotNull(x);
  SolaceCheckNotNull(y);
  SolaceCheckNotNull(rank);
  SolaceCheckNotNull(lambda);
  SolaceCall(check_args(kernel, param, d, m, x, ldx, y, ldy, weights, rcond));
  double *sw, *g = NULL, *a = NULL, *k = NULL;
  SolaceCall(SolaceCalloc(m, &sw));
  int status = SolaceCalloc(m * m, &g);
  if (!status) status = SolaceCalloc(m * m, &a);
  if (!status) status = SolaceCalloc(m * m, &k);
  for (int64_t j = 0; !status && j < m; j++) sw[j] = sqrt(weights ? weights[j] : 1.0 / m);
  if (!status) {
    gram(kernel, param, d, m, x, ldx, x, ldx, sw, g);
    gram(kernel, param, d, m, y, ldy, x, ldx, sw, a);
    status = kernel_matrix(m, g, a, rcond, rank, k);
  }
  if (!status) status = sorted_eigenvalues(*rank, k, lambda);
  free(sw), free(g), free(a), free(k);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
