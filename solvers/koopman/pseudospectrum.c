/* The pseudospectrum function tau(z) = sigma_min([K_r - z I; E]) on many points.
 *
 * Per point the QR formulation costs one SVD of a (r + q) x r complex matrix, about 24 r^3 real
 * flops. Here a one-time product C0 = K_r^T K_r + E^T E turns each point into the Hermitian
 * matrix M(z) = [K_r - z; E]^* [K_r - z; E] = C0 - z K_r^T - conj(z) K_r + |z|^2 I (O(r^2) to
 * form), whose smallest eigenvalue is tau(z)^2: a Cholesky factorisation (4 r^3 / 3 flops) and
 * Lanczos on M(z)^-1 (two triangular solves per step) give it. Squaring loses accuracy where
 * tau is tiny: M(z) carries rounding errors of order r eps ||M(z)||, so tau(z)^2 below
 * SQUARED_FLOOR * s(z), s(z) = (||[K_r; E]||_2 + |z|)^2 >= ||M(z)||_2, is recomputed by the SVD
 * (zgesvd); so is a point where the Cholesky factorisation fails or Lanczos does not converge.
 * The relative error of tau from the squared form is then at most about r eps / (2
 * SQUARED_FLOOR) (5.5e-8 at r = 1000). With MPI initialised and more than one rank in
 * MPI_COMM_WORLD the points are split into contiguous blocks, one per rank, and gathered. */
#include "solvers/koopman/koopman-impl.h"

#include <complex.h>
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

enum { LANCZOS_MAX_STEPS = 120, NORM_POWER_STEPS = 60, RITZ_EVERY = 4 };
static const double SQUARED_FLOOR = 1e-6; /* tau^2 / s(z) below this: SVD */
static const double LANCZOS_RTOL = 1e-12; /* estimated relative error of the Ritz value */

/* Scratch of one evaluation, freed together. */
typedef struct {
  int64_t r, q, kmax;
  const double *kr, *e;
  double *c0, norm;                      /* C0 (r x r), ||[K_r; E]||_2 (estimate from above) */
  double complex *m, *basis, *w, *h;     /* M(z), Lanczos vectors r x (kmax + 1), work */
  double *alpha, *beta, *d, *sub, *ritz; /* tridiagonal T, its copies for dstevr */
  double complex *a_svd;                 /* [K_r - z; E] for the SVD */
  double *s, *superb;
  int64_t n_svd; /* points computed by the SVD */
} ps_work;

static void work_free(ps_work *w) {
  free(w->c0), free(w->m), free(w->basis), free(w->w), free(w->h), free(w->alpha), free(w->beta);
  free(w->d), free(w->sub), free(w->ritz), free(w->a_svd), free(w->s), free(w->superb);
}

/* Largest eigenvalue of the symmetric positive semidefinite r x r matrix c by power iteration,
 * times a safety factor 1.1 (the iteration approaches it from below). */
static double norm_estimate(int64_t r, const double *c, double *v, double *cv) {
  for (int64_t i = 0; i < r; i++) v[i] = 1 + 0.5 * cos(1.7 * (double)i);
  double lambda = 0;
  for (int step = 0; step < NORM_POWER_STEPS; step++) {
    double nv = cblas_dnrm2((int)r, v, 1);
    if (nv == 0) break;
    cblas_dscal((int)r, 1 / nv, v, 1);
    cblas_dsymv(CblasColMajor, CblasLower, (int)r, 1, c, (int)r, v, 1, 0, cv, 1);
    lambda = cblas_ddot((int)r, v, 1, cv, 1);
    memcpy(v, cv, sizeof(double) * r);
  }
  return 1.1 * sqrt(fmax(lambda, 0));
}

/* Allocates the scratch and forms C0 = K_r^T K_r + E^T E and the norm estimate. */
static int work_setup(solace_koopman k, ps_work *w) {
  int64_t r = k->r, q = k->q, kmax = r < LANCZOS_MAX_STEPS ? r : LANCZOS_MAX_STEPS;
  *w = (ps_work){.r = r, .q = q, .kmax = kmax, .kr = k->kr, .e = k->e};
  SolaceCall(SolaceCalloc(r * r, &w->c0));
  SolaceCall(SolaceCalloc(r * r, &w->m));
  SolaceCall(SolaceCalloc(r * (kmax + 1), &w->basis));
  SolaceCall(SolaceCalloc(r, &w->w));
  SolaceCall(SolaceCalloc(kmax + 1 > r ? kmax + 1 : r, &w->h));
  SolaceCall(SolaceCalloc(kmax + 1, &w->alpha));
  SolaceCall(SolaceCalloc(kmax + 1, &w->beta));
  SolaceCall(SolaceCalloc(kmax + 1, &w->d));
  SolaceCall(SolaceCalloc(kmax + 1, &w->sub));
  SolaceCall(SolaceCalloc(kmax + 1, &w->ritz));
  SolaceCall(SolaceCalloc((r + q) * r, &w->a_svd));
  SolaceCall(SolaceCalloc(r, &w->s));
  SolaceCall(SolaceCalloc(r, &w->superb));
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)r, (int)r, (int)r, 1, w->kr, (int)r,
              w->kr, (int)r, 0, w->c0, (int)r);
  if (q)
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)r, (int)r, (int)q, 1, w->e, (int)q,
                w->e, (int)q, 1, w->c0, (int)r);
  w->norm = norm_estimate(r, w->c0, w->s, w->superb);
  return SOLACE_SUCCESS;
}

/* tau(z) by the SVD of [K_r - z I; E] (zgesvd, singular values only). */
static int tau_svd(ps_work *w, double complex z, double *tau) {
  int64_t r = w->r, q = w->q, rows = r + q;
  for (int64_t j = 0; j < r; j++) {
    for (int64_t i = 0; i < r; i++) w->a_svd[i + j * rows] = w->kr[i + j * r];
    w->a_svd[j + j * rows] -= z;
    for (int64_t i = 0; i < q; i++) w->a_svd[r + i + j * rows] = w->e[i + j * q];
  }
  int info = LAPACKE_zgesvd(LAPACK_COL_MAJOR, 'N', 'N', (int)rows, (int)r, w->a_svd, (int)rows,
                            w->s, NULL, 1, NULL, 1, w->superb);
  if (info) return solace_error_lapack(info, "zgesvd", __func__);
  *tau = w->s[r - 1];
  w->n_svd++;
  return SOLACE_SUCCESS;
}

/* The lower triangle of M(z) = C0 - z K_r^T - conj(z) K_r + |z|^2 I. */
static void form_shifted(ps_work *w, double complex z) {
  int64_t r = w->r;
  double z2 = creal(z) * creal(z) + cimag(z) * cimag(z);
  for (int64_t j = 0; j < r; j++) {
    for (int64_t i = j; i < r; i++)
      w->m[i + j * r] = w->c0[i + j * r] - z * w->kr[j + i * r] - conj(z) * w->kr[i + j * r];
    w->m[j + j * r] += z2;
  }
}

/* The two largest eigenvalues of the Lanczos tridiagonal matrix of order n (theta[1] = -inf
 * when n = 1) and the size of the last component of the eigenvector of the largest (dstevr on
 * copies). */
static int ritz_largest(ps_work *w, int64_t n, double theta[2], double *last) {
  memcpy(w->d, w->alpha, sizeof(double) * n);
  memcpy(w->sub, w->beta, sizeof(double) * n);
  lapack_int found, support[4], lo = n > 1 ? (lapack_int)n - 1 : 1;
  double vec[2 * (LANCZOS_MAX_STEPS + 1)];
  int info = LAPACKE_dstevr(LAPACK_COL_MAJOR, 'V', 'I', (int)n, w->d, w->sub, 0, 0, lo, (int)n, 0,
                            &found, w->ritz, vec, (int)n, support);
  if (info) return solace_error_lapack(info, "dstevr", __func__);
  theta[0] = w->ritz[found - 1], theta[1] = found > 1 ? w->ritz[0] : -INFINITY;
  *last = fabs(vec[(found - 1) * n + n - 1]);
  return SOLACE_SUCCESS;
}

/* One Lanczos step on M^-1 (M Cholesky-factored in w->m): w->w = M^-1 v_j made orthogonal to
 * v_0..v_j (classical Gram-Schmidt, twice), alpha_j, beta_j. */
static int lanczos_step(ps_work *w, int64_t j) {
  int64_t r = w->r;
  const double complex one = 1, minus_one = -1, zero = 0;
  double complex *v = w->basis + r * j, dot;
  memcpy(w->w, v, sizeof(double complex) * r); /* M^-1 v = L^-H L^-1 v (no NaN scan per step) */
  cblas_ztrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)r, w->m, (int)r, w->w, 1);
  cblas_ztrsv(CblasColMajor, CblasLower, CblasConjTrans, CblasNonUnit, (int)r, w->m, (int)r, w->w,
              1);
  cblas_zdotc_sub((int)r, v, 1, w->w, 1, &dot);
  w->alpha[j] = creal(dot);
  for (int pass = 0; pass < 2; pass++) {
    cblas_zgemv(CblasColMajor, CblasConjTrans, (int)r, (int)(j + 1), &one, w->basis, (int)r, w->w,
                1, &zero, w->h, 1);
    cblas_zgemv(CblasColMajor, CblasNoTrans, (int)r, (int)(j + 1), &minus_one, w->basis, (int)r,
                w->h, 1, &one, w->w, 1);
  }
  w->beta[j] = cblas_dznrm2((int)r, w->w, 1);
  return SOLACE_SUCCESS;
}

/* Smallest eigenvalue of the Cholesky-factored M by Lanczos on M^-1 from a fixed start vector
 * with no zero component. Converged when the Ritz residual rho of the largest Ritz value
 * theta_1 gives the a-posteriori error estimate rho^2 / (theta_1 - theta_2) <= LANCZOS_RTOL
 * theta_1 (the second Ritz value standing in for the gap) and rho <= 1e-3 theta_1; *converged
 * is 0 when LANCZOS_MAX_STEPS steps were not enough. theta_1 never exceeds the largest
 * eigenvalue of M^-1, so an early stop errs on the side of a larger tau. */
static int lanczos_smallest(ps_work *w, double *lambda, int *converged) {
  int64_t r = w->r;
  for (int64_t i = 0; i < r; i++)
    w->basis[i] = cexp(I * 0.7 * (double)i) * (1 + 0.3 * cos(1.3 * (double)i));
  cblas_zdscal((int)r, 1 / cblas_dznrm2((int)r, w->basis, 1), w->basis, 1);
  double theta[2] = {0, 0}, last = 0;
  *converged = 0;
  for (int64_t j = 0; j < w->kmax && !*converged; j++) {
    SolaceCall(lanczos_step(w, j));
    int check = (j + 1) % RITZ_EVERY == 0 || j + 1 == w->kmax || j + 1 == r ||
                w->beta[j] <= 1e-14 * fabs(w->alpha[j]); /* every few steps, and at breakdown */
    if (check) {
      SolaceCall(ritz_largest(w, j + 1, theta, &last));
      double rho = w->beta[j] * last, gap = theta[0] - theta[1];
      *converged = j + 1 == r || rho <= LANCZOS_RTOL * theta[0] ||
                   (rho <= 1e-3 * theta[0] && rho * rho <= LANCZOS_RTOL * theta[0] * gap);
    }
    if (!*converged && j + 1 < w->kmax) {
      memcpy(w->basis + r * (j + 1), w->w, sizeof(double complex) * r);
      cblas_zdscal((int)r, 1 / w->beta[j], w->basis + r * (j + 1), 1);
    }
  }
  *lambda = theta[0] > 0 ? 1 / theta[0] : 0;
  return SOLACE_SUCCESS;
}

/* tau(z): the squared form when it is accurate, else the SVD. */
static int tau_at(ps_work *w, double complex z, double *tau) {
  form_shifted(w, z);
  int info = LAPACKE_zpotrf(LAPACK_COL_MAJOR, 'L', (int)w->r, w->m, (int)w->r);
  if (info > 0) return tau_svd(w, z, tau); /* M(z) numerically singular */
  if (info < 0) return solace_error_lapack(info, "zpotrf", __func__);
  double lambda, scale = (w->norm + cabs(z)) * (w->norm + cabs(z));
  int converged;
  SolaceCall(lanczos_smallest(w, &lambda, &converged));
  if (!converged || lambda < SQUARED_FLOOR * scale) return tau_svd(w, z, tau);
  *tau = sqrt(lambda);
  return SOLACE_SUCCESS;
}

/* This rank's contiguous block [first, first + count) of nz points, and the world size. */
static void rank_block(int64_t nz, int64_t *first, int64_t *count, int *size) {
  int rank = 0;
  *size = 1;
  solace_mpi_size(size);
  solace_mpi_rank(&rank);
  *first = nz * rank / *size;
  *count = nz * (rank + 1) / *size - *first;
}

/* Gathers every rank's block of tau into the whole array (in place); a failure on any rank
 * fails every rank. */
static int gather_blocks(int64_t nz, int size, int status, double *tau) {
  int worst = status;
  if (MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
    return solace_error_set(SOLACE_ERR_BACKEND, __func__, "MPI_Allreduce failed");
  if (worst)
    return status ? status
                  : solace_error_set(worst, __func__, "the pseudospectrum failed on another rank");
  int *counts, *displs;
  SolaceCall(SolaceCalloc(size, &counts));
  if (SolaceCalloc(size, &displs))
    return free(counts), solace_error_trace(SOLACE_ERR_MEM, __func__);
  for (int p = 0; p < size; p++) {
    displs[p] = (int)(nz * p / size);
    counts[p] = (int)(nz * (p + 1) / size) - displs[p];
  }
  int code = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, tau, counts, displs, MPI_DOUBLE,
                            MPI_COMM_WORLD);
  free(counts), free(displs);
  if (code != MPI_SUCCESS)
    return solace_error_set(SOLACE_ERR_BACKEND, __func__, "MPI_Allgatherv failed (code %d)", code);
  return SOLACE_SUCCESS;
}

int solace_koopman_pseudospectrum(solace_koopman koopman, int64_t nz, const double *z,
                                  double *tau) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  SolaceCheck(nz >= 0, SOLACE_ERR_ARG, "nz = %lld", (long long)nz);
  if (!nz) return SOLACE_SUCCESS;
  SolaceCheckNotNull(z);
  SolaceCheckNotNull(tau);
  for (int64_t a = 0; a < nz; a++)
    SolaceCheck(isfinite(z[2 * a]) && isfinite(z[2 * a + 1]), SOLACE_ERR_ARG,
                "z[%lld] = (%g, %g) is not finite", (long long)a, z[2 * a], z[2 * a + 1]);
  int64_t first, count;
  int size;
  rank_block(nz, &first, &count, &size);
  ps_work w;
  int status = work_setup(koopman, &w);
  for (int64_t a = first; !status && a < first + count; a++)
    status = tau_at(&w, CMPLX(z[2 * a], z[2 * a + 1]), tau + a);
  solace_log(SOLACE_LOG_DEBUG, "koopman: pseudospectrum at %lld points, %lld by the SVD",
             (long long)count, (long long)w.n_svd);
  work_free(&w);
  if (size > 1) status = gather_blocks(nz, size, status, tau);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
