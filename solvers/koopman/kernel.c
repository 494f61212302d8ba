/* Kernel EDMD (Williams, Rowley, Kevrekidis 2015): the Koopman matrix in the
 * feature space of a kernel from the Gram matrices of the data (see
 * solace_koopman_kernel_edmd in include/solace/koopman.h), and the dictionary
 * of kernelized ResDMD learned from it (solace_koopman_set_dictionary_kernel). */
#include "solvers/koopman/koopman-impl.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Checks the arguments of solace_koopman_kernel_edmd(). */
static int check_args(int kernel, double param, int64_t d, int64_t m, const double *x, int64_t ldx,
                      const double *y, int64_t ldy, const double *weights, double rcond) {
  SolaceCheck(kernel >= SOLACE_KOOPMAN_KERNEL_GAUSSIAN && kernel <= SOLACE_KOOPMAN_KERNEL_LAPLACIAN,
              SOLACE_ERR_ARG, "unknown kernel %d (GAUSSIAN = 0, POLYNOMIAL = 1, LAPLACIAN = 2)",
              kernel);
  if (kernel != SOLACE_KOOPMAN_KERNEL_POLYNOMIAL)
    SolaceCheck(param > 0 && isfinite(param), SOLACE_ERR_ARG, "kernel width %g is not positive",
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

/* The kernel from the dot product uv = u.x and the squared norms uu, xx. */
static double kernel_value(int kernel, double param, double uv, double uu, double xx) {
  if (kernel == SOLACE_KOOPMAN_KERNEL_POLYNOMIAL) return pow(1 + uv, param);
  double r2 = fmax(uu + xx - 2 * uv, 0);
  if (kernel == SOLACE_KOOPMAN_KERNEL_LAPLACIAN) return exp(-sqrt(r2) / param);
  return exp(-r2 / (param * param));
}

/* g (mu x m, leading dimension ldg) = su_i sx_j k(u_i, x_j) for the columns u_i of u (leading
 * dimension ldu) and x_j of x; su, sx may be NULL for ones. */
static void gram(int kernel, double param, int64_t d, int64_t mu, const double *u, int64_t ldu,
                 int64_t m, const double *x, int64_t ldx, const double *su, const double *sx,
                 double *g, int64_t ldg) {
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)mu, (int)m, (int)d, 1, u, (int)ldu, x,
              (int)ldx, 0, g, (int)ldg);
  for (int64_t j = 0; j < m; j++) {
    double xx = cblas_ddot((int)d, x + j * ldx, 1, x + j * ldx, 1);
    for (int64_t i = 0; i < mu; i++) {
      double uu = cblas_ddot((int)d, u + i * ldu, 1, u + i * ldu, 1);
      double v = kernel_value(kernel, param, g[i + j * ldg], uu, xx);
      g[i + j * ldg] = (su ? su[i] : 1) * (sx ? sx[j] : 1) * v;
    }
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
    gram(kernel, param, d, m, x, ldx, m, x, ldx, sw, sw, g, m);
    gram(kernel, param, d, m, y, ldy, m, x, ldx, sw, sw, a, m);
    status = kernel_matrix(m, g, a, rcond, rank, k);
  }
  if (!status) status = sorted_eigenvalues(*rank, k, lambda);
  free(sw), free(g), free(a), free(k);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

void solace_koopman_kdict_free(solace_koopman_kdict **kd) {
  if (!kd || !*kd) return;
  free((*kd)->centres), free((*kd)->coef), free(*kd);
  *kd = NULL;
}

/* solace_koopman_dictionary_fn of a learned kernel dictionary: kernel rows by blocks of points,
 * times the coefficients. */
static int kdict_eval(int64_t m, int64_t d, const double *x, int64_t ldx, int64_t n, double *psi,
                      int64_t ldpsi, void *ctx) {
  const solace_koopman_kdict *kd = ctx;
  enum { BLOCK = 256 };
  if (d != kd->d || n != kd->n) return 1;
  double *kb = malloc(sizeof(double) * BLOCK * (size_t)kd->m);
  if (!kb) return 2;
  for (int64_t j0 = 0; j0 < m; j0 += BLOCK) {
    int64_t nb = m - j0 < BLOCK ? m - j0 : BLOCK;
    gram(kd->kernel, kd->param, d, nb, x + j0 * ldx, ldx, kd->m, kd->centres, d, NULL, NULL, kb,
         nb);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)nb, (int)n, (int)kd->m, 1, kb,
                (int)nb, kd->coef, (int)kd->m, 0, psi + j0, (int)ldpsi);
  }
  free(kb);
  return 0;
}

/* Real columns spanning the eigenvectors of the n eigenvalues of largest modulus of the r x r
 * matrix k (overwritten), conjugate pairs whole: v (r x r room) gets *nv columns. */
static int dominant_vectors(int64_t r, double *k, int64_t n, double *v, int64_t *nv) {
  double *wr = NULL, *wi = NULL, *vr = NULL;
  solace_koopman_eig_entry *order = NULL;
  char *used = NULL;
  int status = SolaceCalloc(r, &wr);
  if (!status) status = SolaceCalloc(r, &wi);
  if (!status) status = SolaceCalloc(r * r, &vr);
  if (!status) status = SolaceCalloc(r, &order);
  if (!status) status = SolaceCalloc(r, &used);
  int info = status ? 0
                    : LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'V', (int)r, k, (int)r, wr, wi, NULL, 1,
                                    vr, (int)r);
  if (info) status = solace_error_lapack(info, "dgeev", __func__);
  for (int64_t j = 0; !status && j < r; j++) order[j] = (solace_koopman_eig_entry){wr[j], wi[j], j};
  if (!status) qsort(order, (size_t)r, sizeof *order, solace_koopman_eig_compare);
  *nv = 0;
  for (int64_t a = 0; !status && a < r && *nv < n; a++) {
    int64_t j = order[a].j, first = wi[j] < 0 ? j - 1 : j, count = wi[j] != 0 ? 2 : 1;
    if (used[first]) continue; /* the partner of a pair already taken */
    used[first] = 1;
    memcpy(v + *nv * r, vr + first * r, sizeof(double) * (size_t)(r * count));
    *nv += count;
  }
  free(wr), free(wi), free(vr), free(order), free(used);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Orthonormalises the r x nv matrix v in place (Householder QR, then the explicit Q). */
static int orthonormalise(int64_t r, int64_t nv, double *v) {
  double *tau;
  SolaceCall(SolaceCalloc(nv, &tau));
  int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)r, (int)nv, v, (int)r, tau);
  if (!info) info = LAPACKE_dorgqr(LAPACK_COL_MAJOR, (int)r, (int)nv, (int)nv, v, (int)r, tau);
  free(tau);
  return info ? solace_error_lapack(info, "dgeqrf/dorgqr", __func__) : SOLACE_SUCCESS;
}

/* The coefficients of the learned dictionary: kd->coef = diag(sw) B V with B = Q_r S_r^-1 (m x r,
 * left by kernel_matrix in g) and V the orthonormalised dominant eigenvectors of K. */
static int learn_coefficients(solace_koopman_kdict *kd, const double *sw, double *g,
                              const double *a, double rcond, int64_t n) {
  int64_t m = kd->m, r;
  double *k = NULL, *v = NULL;
  int status = SolaceCalloc(m * m, &k);
  if (!status) status = kernel_matrix(m, g, a, rcond, &r, k);
  if (!status) status = SolaceCalloc(r * r, &v);
  if (!status) status = dominant_vectors(r, k, n, v, &kd->n);
  if (!status) status = orthonormalise(r, kd->n, v);
  if (!status) status = SolaceCalloc(m * kd->n, &kd->coef);
  if (!status) {
    const double *b = g + (m - r) * m;
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)kd->n, (int)r, 1, b, (int)m,
                v, (int)r, 0, kd->coef, (int)m);
    for (int64_t c = 0; c < kd->n; c++)
      for (int64_t i = 0; i < m; i++) kd->coef[i + c * m] *= sw[i];
  }
  free(k), free(v);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Kernel EDMD on the learning pairs and the dictionary of its n dominant eigenvectors. */
static int learn(solace_koopman_kdict *kd, const double *x, int64_t ldx, const double *y,
                 int64_t ldy, const double *weights, double rcond, int64_t n) {
  int64_t d = kd->d, m = kd->m;
  double *sw = NULL, *g = NULL, *a = NULL;
  int status = SolaceCalloc(m, &sw);
  if (!status) status = SolaceCalloc(m * m, &g);
  if (!status) status = SolaceCalloc(m * m, &a);
  if (!status) status = SolaceCalloc(d * m, &kd->centres);
  double sum = 0;
  for (int64_t j = 0; !status && j < m; j++) sum += weights ? weights[j] : 1;
  for (int64_t j = 0; !status && j < m; j++) {
    sw[j] = sqrt(weights ? weights[j] / sum : 1.0 / m);
    memcpy(kd->centres + j * d, x + j * ldx, sizeof(double) * (size_t)d);
  }
  if (!status) {
    gram(kd->kernel, kd->param, d, m, x, ldx, m, x, ldx, sw, sw, g, m);
    gram(kd->kernel, kd->param, d, m, y, ldy, m, x, ldx, sw, sw, a, m);
    status = learn_coefficients(kd, sw, g, a, rcond, n);
  }
  free(sw), free(g), free(a);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_koopman_set_dictionary_kernel(solace_koopman koopman, int kernel, double param,
                                         int64_t d, int64_t m, const double *x, int64_t ldx,
                                         const double *y, int64_t ldy, const double *weights,
                                         double rcond, int64_t n, int64_t *n_functions) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  SolaceCheckNotNull(x);
  SolaceCheckNotNull(y);
  SolaceCheck(n >= 1, SOLACE_ERR_ARG, "n = %lld eigenvectors: at least 1", (long long)n);
  SolaceCall(check_args(kernel, param, d, m, x, ldx, y, ldy, weights, rcond));
  solace_koopman_kdict *kd;
  SolaceCall(SolaceCalloc(1, &kd));
  kd->kernel = kernel, kd->param = param, kd->d = d, kd->m = m;
  int status = learn(kd, x, ldx, y, ldy, weights, rcond, n);
  if (status) return solace_koopman_kdict_free(&kd), solace_error_trace(status, __func__);
  solace_koopman_results_free(koopman);
  solace_koopman_kdict_free(&koopman->kdict);
  koopman->kdict = kd, koopman->fn = kdict_eval, koopman->fn_ctx = kd, koopman->fn_n = kd->n;
  if (n_functions) *n_functions = kd->n;
  return SOLACE_SUCCESS;
}
