/* Gaussian random fields on the periodic unit cube, sampled by FFT.
 *
 * Covariance C = sigma^2 (-Laplacian + tau^2 I)^(-alpha), sigma = tau^(alpha - ndim/2). Its
 * eigenfunctions on [0,1)^ndim are e^{2 pi i k.x}, k integer, with eigenvalues
 *   lambda_k = sigma^2 (4 pi^2 |k|^2 + tau^2)^(-alpha)   (k != 0),   lambda_0 = 0 (mode removed).
 * On a grid of shape (n_x, n_y, n_z), N = n_x n_y n_z points x_j, the sampler draws the
 * Karhunen-Loeve expansion truncated to the grid's wavenumbers, frequency index j of an axis of n
 * points meaning wavenumber j if j <= n/2, else j - n:
 *   u(x_j) = sum_k sqrt(lambda_k) xi_k e^{2 pi i k.x_j},
 * xi_k standard complex Gaussians (E|xi_k|^2 = 1) with xi_{-k} = conj(xi_k) (real for the
 * self-conjugate Nyquist modes), so E[u(x_j)^2] = sum_{k != 0} lambda_k.
 *
 * Method and exact scaling. White noise w_j = solace_rand_normal(seed, stream = index, offset 0)
 * at the N points (x fastest); its unnormalized DFT W_k = sum_j w_j e^{-2 pi i k.x_j} (FFTW r2c)
 * satisfies W_{-k} = conj(W_k) and E|W_k|^2 = N, so xi_k = W_k / sqrt(N). The coefficients
 * sqrt(lambda_k / N) W_k go through FFTW's unnormalized backward c2r transform
 * (sum_k c_k e^{+2 pi i k.x_j}), which gives u exactly as above. Because the multiplier depends
 * only on |k|^2, it preserves the Hermitian symmetry; k = 0 is multiplied by 0, so the spatial
 * mean of every sample is 0 up to rounding.
 *
 * solace_grf_eigenvalue accepts any integer k (not only the grid's range) and gives 0 at k = 0.
 *
 * Threads: FFTW's planner is not thread-safe, so solace_grf_create and solace_grf_destroy must not
 * run concurrently with each other or with other FFTW planning. solace_grf_sample uses the
 * object's own buffers: one object may be used by one thread at a time.
 */
#include "rand/rand-impl.h"

#include <fftw3.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solace/rand.h"

#define SOLACE_FOUR_PI_SQ 39.478417604357434475337963999505 /* 4 pi^2 */

struct solace_grf_s {
  int ndim;
  int64_t shape[3];       /* n_x, n_y, n_z (1 for unused axes) */
  int64_t npoints;        /* n_x n_y n_z */
  int64_t ncomplex;       /* (n_x/2 + 1) n_y n_z: r2c half spectrum, x fastest */
  double alpha, tau;      /* covariance parameters */
  double log_sigma2;      /* (2 alpha - ndim) ln tau */
  double *real;           /* npoints doubles (fftw_malloc) */
  fftw_complex *spectrum; /* ncomplex coefficients (fftw_malloc) */
  double *multiplier;     /* sqrt(lambda_k / N) per half-spectrum coefficient, 0 at k = 0 */
  fftw_plan forward, backward;
};

/* Wavenumber of frequency index j on an axis of n points (symmetric range). */
static int64_t wavenumber(int64_t j, int64_t n) {
  return j <= n / 2 ? j : j - n;
}

/* lambda_k for |k|^2 = k2, computed in logarithms so that large alpha cannot overflow sigma^2. */
static double eigenvalue_k2(const struct solace_grf_s *g, double k2) {
  if (k2 == 0.0) return 0.0;
  return exp(g->log_sigma2 - g->alpha * log(SOLACE_FOUR_PI_SQ * k2 + g->tau * g->tau));
}

/* Checks the grid shape: each size in [2, INT_MAX] and the point count far from overflow. */
static int check_shape(int ndim, const int64_t *shape) {
  int64_t total = 1;
  for (int d = 0; d < ndim; d++) {
    SolaceCheck(shape[d] >= 2 && shape[d] <= INT_MAX, SOLACE_ERR_ARG,
                "shape[%d] = %lld must be in [2, %d]", d, (long long)shape[d], INT_MAX);
    SolaceCheck(total <= INT64_MAX / 16 / shape[d], SOLACE_ERR_ARG,
                "the grid of shape[0..%d] has too many points", d);
    total *= shape[d];
  }
  return SOLACE_SUCCESS;
}

/* Checks the arguments of solace_grf_create. */
static int check_create_args(int ndim, const int64_t *shape, double alpha, double tau) {
  SolaceCheck(ndim >= 1 && ndim <= 3, SOLACE_ERR_ARG, "ndim = %d must be 1, 2 or 3", ndim);
  SolaceCheckNotNull(shape);
  SolaceCall(check_shape(ndim, shape));
  SolaceCheck(
      isfinite(alpha) && alpha > 0.5 * ndim, SOLACE_ERR_ARG,
      "alpha = %g must be finite and > ndim/2 = %g (else the field is not square-integrable)",
      alpha, 0.5 * ndim);
  SolaceCheck(isfinite(tau) && tau > 0.0, SOLACE_ERR_ARG, "tau = %g must be finite and > 0", tau);
  return SOLACE_SUCCESS;
}

/* Fills g->multiplier with sqrt(lambda_k / N) over the r2c half spectrum (x fastest). */
static void fill_multiplier(struct solace_grf_s *g) {
  const int64_t nx = g->shape[0], ny = g->shape[1], nz = g->shape[2], nxh = nx / 2 + 1;
  for (int64_t iz = 0; iz < nz; iz++)
    for (int64_t iy = 0; iy < ny; iy++)
      for (int64_t ix = 0; ix < nxh; ix++) {
        double kx = (double)wavenumber(ix, nx), ky = (double)wavenumber(iy, ny);
        double kz = (double)wavenumber(iz, nz);
        double lambda = eigenvalue_k2(g, kx * kx + ky * ky + kz * kz);
        g->multiplier[ix + nxh * (iy + ny * iz)] = sqrt(lambda / (double)g->npoints);
      }
}

/* Allocates the FFT buffers and plans (FFTW dims are slowest first: n_z, n_y, n_x). */
static int setup_fft(struct solace_grf_s *g) {
  g->real = fftw_malloc(sizeof(double) * (size_t)g->npoints);
  g->spectrum = fftw_malloc(sizeof(fftw_complex) * (size_t)g->ncomplex);
  g->multiplier = fftw_malloc(sizeof(double) * (size_t)g->ncomplex);
  SolaceCheck(g->real && g->spectrum && g->multiplier, SOLACE_ERR_MEM,
              "cannot allocate FFT buffers for %lld points", (long long)g->npoints);
  int n[3];
  for (int d = 0; d < g->ndim; d++) n[d] = (int)g->shape[g->ndim - 1 - d];
  g->forward = fftw_plan_dft_r2c(g->ndim, n, g->real, g->spectrum, FFTW_ESTIMATE);
  g->backward = fftw_plan_dft_c2r(g->ndim, n, g->spectrum, g->real, FFTW_ESTIMATE);
  SolaceCheck(g->forward && g->backward, SOLACE_ERR_BACKEND, "FFTW could not plan a %d-D transform",
              g->ndim);
  return SOLACE_SUCCESS;
}

/* Validates, then builds the sampler: FFT buffers and plans, and the multiplier table. */
int solace_grf_create(int ndim, const int64_t *shape, double alpha, double tau, solace_grf *grf) {
  SolaceCheckNotNull(grf);
  *grf = NULL;
  SolaceCall(check_create_args(ndim, shape, alpha, tau));
  solace_grf g;
  SolaceCall(SolaceCalloc(1, &g));
  g->ndim = ndim;
  g->npoints = 1;
  for (int d = 0; d < 3; d++) {
    g->shape[d] = d < ndim ? shape[d] : 1;
    g->npoints *= g->shape[d];
  }
  g->ncomplex = (g->shape[0] / 2 + 1) * g->shape[1] * g->shape[2];
  g->alpha = alpha;
  g->tau = tau;
  g->log_sigma2 = (2.0 * alpha - ndim) * log(tau);
  int status = setup_fft(g);
  if (status) {
    solace_grf_destroy(&g);
    return solace_error_trace(status, __func__);
  }
  fill_multiplier(g);
  *grf = g;
  return SOLACE_SUCCESS;
}

/* White noise of stream `index`, r2c, times sqrt(lambda_k / N), c2r: see the file comment. */
int solace_grf_sample(solace_grf grf, uint64_t seed, uint64_t index, double *field) {
  SolaceCheckNotNull(grf);
  SolaceCheckNotNull(field);
  SolaceCall(solace_rand_normal(seed, index, 0, grf->npoints, grf->real));
  fftw_execute(grf->forward);
  for (int64_t i = 0; i < grf->ncomplex; i++) {
    grf->spectrum[i][0] *= grf->multiplier[i];
    grf->spectrum[i][1] *= grf->multiplier[i];
  }
  fftw_execute(grf->backward);
  memcpy(field, grf->real, sizeof(double) * (size_t)grf->npoints);
  return SOLACE_SUCCESS;
}

/* lambda_k of the sampled field (0 at k = 0) for any integer k. */
int solace_grf_eigenvalue(solace_grf grf, const int64_t *k, double *lambda) {
  SolaceCheckNotNull(grf);
  SolaceCheckNotNull(k);
  SolaceCheckNotNull(lambda);
  double k2 = 0.0;
  for (int d = 0; d < grf->ndim; d++) k2 += (double)k[d] * (double)k[d];
  *lambda = eigenvalue_k2(grf, k2);
  return SOLACE_SUCCESS;
}

/* Frees plans, buffers and the object; NULL and a NULL handle are fine. */
int solace_grf_destroy(solace_grf *grf) {
  if (!grf || !*grf) return SOLACE_SUCCESS;
  solace_grf g = *grf;
  if (g->forward) fftw_destroy_plan(g->forward);
  if (g->backward) fftw_destroy_plan(g->backward);
  fftw_free(g->real);
  fftw_free(g->spectrum);
  fftw_free(g->multiplier);
  free(g);
  *grf = NULL;
  return SOLACE_SUCCESS;
}
