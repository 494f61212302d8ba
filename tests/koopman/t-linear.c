/* EDMD on linear maps x -> A x with the monomial dictionary {1, x_1, .., x_d},
 * which K leaves invariant: the eigenvalues are {1} and those of A, exactly
 * (tolerance 1e-10: the data are exact, so only rounding in a QR/SVD/eig of a 4
 * x 4 problem with condition ~10 remains), residuals are rounding-level,
 * eigenfunctions satisfy phi(A x) = lambda phi(x), the modes reconstruct x, and
 * log(lambda)/dt of a negative eigenvalue has imaginary part pi/dt. For a
 * normal A and data whitened so that G = I, the pseudospectrum function equals
 * the distance to the spectrum. */
#include <complex.h>
#include <lapacke.h>
#include <string.h>

#include "test-util.h"

enum { D = 3, M = 200, N = D + 1 };

/* Distance from z to the nearest of the n complex values in lambda
 * (interleaved). */
static double nearest(double complex z, const double *lambda, int64_t n) {
  double best = INFINITY;
  for (int64_t j = 0; j < n; j++)
    best = fmin(best, cabs(z - CMPLX(lambda[2 * j], lambda[2 * j + 1])));
  return best;
}

/* y = A x for the m columns of x (column-major A, d x d). */
static void apply(const double *a, const double *x, double *y, int64_t m) {
  for (int64_t j = 0; j < m; j++)
    for (int i = 0; i < D; i++) {
      y[i + j * D] = 0;
      for (int k = 0; k < D; k++) y[i + j * D] += a[i + k * D] * x[k + j * D];
    }
}

/* A = P B P^-1 with B = [0.9 rotation by 0.7; -0.5] and a fixed
 * well-conditioned P. */
static int check_nonnormal(void) {
  const double th = 0.7, rho = 0.9, dt = 0.1;
  double b[D * D] = {rho * cos(th), rho * sin(th), 0, -rho * sin(th), rho * cos(th), 0, 0, 0, -0.5};
  double p[D * D] = {1, 0.2, -0.1, 0.3, 1, 0.4, 0, -0.2, 1}, pinv[D * D], a[D * D], tmp[D * D];
  memcpy(pinv, p, sizeof p);
  lapack_int piv[D];
  TEST_ASSERT(!LAPACKE_dgetrf(LAPACK_COL_MAJOR, D, D, pinv, D, piv), "dgetrf");
  TEST_ASSERT(!LAPACKE_dgetri(LAPACK_COL_MAJOR, D, pinv, D, piv), "dgetri");
  apply(b, pinv, tmp, D);
  apply(p, tmp, a, D);
  double x[D * M], y[D * M];
  TEST_CALL(solace_rand_normal(11, 0, 0, D * M, x));
  apply(a, x, y, M);
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  /* residuals to eps need a QR path: AUTO takes the Gram path (residuals to ~1e-8) here */
  TEST_CALL(solace_koopman_set_qr(k, SOLACE_KOOPMAN_QR_HOUSEHOLDER));
  TEST_CALL(solace_koopman_set_data(k, D, M, x, D, M, y, D, NULL));
  TEST_CALL(solace_koopman_compute(k));
  int64_t n, r;
  TEST_CALL(solace_koopman_get_size(k, &n, &r));
  TEST_ASSERT(n == N && r == N, "N = %lld, r = %lld", (long long)n, (long long)r);
  double lambda[2 * N], res[N], mu[2 * N];
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  double complex exact[N] = {1, rho * cexp(I * th), rho * cexp(-I * th), -0.5};
  double err = 0, worst_res = 0;
  for (int j = 0; j < N; j++) err = fmax(err, nearest(exact[j], lambda, N));
  for (int j = 0; j < N; j++) worst_res = fmax(worst_res, res[j]);
  printf("linear map: max eigenvalue error %.3g, max residual %.3g\n", err, worst_res);
  TEST_ASSERT(err <= 1e-10, "eigenvalue error %g", err);
  TEST_ASSERT(worst_res <= 1e-10, "residual %g", worst_res);
  TEST_ASSERT(fabs(lambda[0] - 1) < 1e-10 && fabs(lambda[2 * N - 2] + 0.5) < 1e-10,
              "order by modulus: first %g, last %g", lambda[0], lambda[2 * N - 2]);
  /* continuous time: log(-0.5)/dt = (log 0.5 + i pi)/dt */
  TEST_CALL(solace_koopman_get_ct_eigenvalues(k, dt, mu));
  TEST_NEAR(mu[2 * N - 2], log(0.5) / dt, 1e-8);
  TEST_NEAR(fabs(mu[2 * N - 1]), 3.14159265358979323846 / dt, 1e-8);
  /* eigenfunctions at new points: phi(A x) = lambda phi(x); modes: sum_j
   * phi_j(x) v_j = x */
  enum { P = 7 };
  double xs[D * P], ys[D * P], phix[2 * P * N], phiy[2 * P * N], modes[2 * D * N];
  TEST_CALL(solace_rand_normal(12, 0, 0, D * P, xs));
  apply(a, xs, ys, P);
  TEST_CALL(solace_koopman_eigenfunctions(k, P, xs, D, phix, P));
  TEST_CALL(solace_koopman_eigenfunctions(k, P, ys, D, phiy, P));
  TEST_CALL(solace_koopman_get_modes(k, modes, D));
  double ef_err = 0, mode_err = 0;
  for (int j = 0; j < N; j++)
    for (int s = 0; s < P; s++) {
      double complex l = CMPLX(lambda[2 * j], lambda[2 * j + 1]);
      double complex fx = CMPLX(phix[2 * (s + j * P)], phix[2 * (s + j * P) + 1]);
      double complex fy = CMPLX(phiy[2 * (s + j * P)], phiy[2 * (s + j * P) + 1]);
      ef_err = fmax(ef_err, cabs(fy - l * fx));
    }
  for (int s = 0; s < P; s++)
    for (int i = 0; i < D; i++) {
      double complex sum = 0;
      for (int j = 0; j < N; j++)
        sum += CMPLX(phix[2 * (s + j * P)], phix[2 * (s + j * P) + 1]) *
               CMPLX(modes[2 * (i + j * D)], modes[2 * (i + j * D) + 1]);
      mode_err = fmax(mode_err, cabs(sum - xs[i + s * D]));
    }
  printf("linear map: eigenfunction error %.3g, mode reconstruction error %.3g\n", ef_err,
         mode_err);
  TEST_ASSERT(ef_err <= 1e-10, "phi(Ax) - lambda phi(x) = %g", ef_err);
  TEST_ASSERT(mode_err <= 1e-10, "mode reconstruction error %g", mode_err);
  /* eigenvectors have quadrature norm 1: sum_m w |phi(x_m)|^2 = 1 */
  double g[2 * N * N], phid[2 * M * N];
  TEST_CALL(solace_koopman_get_eigenvectors(k, g, N));
  TEST_CALL(solace_koopman_eigenfunctions(k, M, x, D, phid, M));
  for (int j = 0; j < N; j++) {
    double s2 = 0;
    for (int s = 0; s < M; s++)
      s2 += (pow(phid[2 * (s + j * M)], 2) + pow(phid[2 * (s + j * M) + 1], 2)) / M;
    TEST_NEAR(s2, 1, 1e-10);
    /* g_j: constant term of phi_j at x = 0 equals g_0j */
    double zero[D] = {0}, phi0[2 * N];
    TEST_CALL(solace_koopman_eigenfunctions(k, 1, zero, D, phi0, 1));
    TEST_NEAR(phi0[2 * j], g[2 * (0 + j * N)], 1e-12);
  }
  TEST_CALL(solace_koopman_destroy(&k));
  TEST_ASSERT(k == NULL, "destroy did not null the handle");
  return 0;
}

/* Normal A, whitened data (G = I): tau(z) = dist(z, {1} u spec(A)) on a grid.
 */
static int check_normal_pseudospectrum(void) {
  double q[D * D], tau_qr[D], a[D * D], t[D * D];
  TEST_CALL(solace_rand_normal(21, 0, 0, D * D, q));
  TEST_ASSERT(!LAPACKE_dgeqrf(LAPACK_COL_MAJOR, D, D, q, D, tau_qr), "dgeqrf");
  TEST_ASSERT(!LAPACKE_dorgqr(LAPACK_COL_MAJOR, D, D, D, q, D, tau_qr), "dorgqr");
  double b[D * D] = {0.6, 0.8 * 0.5, 0, -0.8 * 0.5, 0.6, 0, 0, 0, -0.3}; /* 0.6 +- 0.4i, -0.3 */
  apply(b, (double[D * D]){q[0], q[3], q[6], q[1], q[4], q[7], q[2], q[5], q[8]}, t, D); /* B Q^T */
  apply(q, t, a, D);
  double x[D * M], y[D * M], mean[D] = {0}, cov[D * D] = {0};
  TEST_CALL(solace_rand_normal(22, 0, 0, D * M, x));
  for (int j = 0; j < M; j++)
    for (int i = 0; i < D; i++) mean[i] += x[i + j * D] / M;
  for (int j = 0; j < M; j++)
    for (int i = 0; i < D; i++) x[i + j * D] -= mean[i];
  for (int j = 0; j < M; j++)
    for (int i = 0; i < D; i++)
      for (int l = 0; l < D; l++) cov[i + l * D] += x[i + j * D] * x[l + j * D] / M;
  TEST_ASSERT(!LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', D, cov, D), "dpotrf");
  TEST_ASSERT(!LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'L', 'N', 'N', D, M, cov, D, x, D), "dtrtrs");
  apply(a, x, y, M);
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_data(k, D, M, x, D, M, y, D, NULL));
  TEST_CALL(solace_koopman_compute(k));
  double spec[2 * N] = {1, 0, 0.6, 0.4, 0.6, -0.4, -0.3, 0};
  enum { G = 12 };
  double z[2 * G * G], tau[G * G], err = 0;
  for (int i = 0; i < G; i++)
    for (int j = 0; j < G; j++) {
      z[2 * (i + G * j)] = -1.5 + 3.0 * i / (G - 1);
      z[2 * (i + G * j) + 1] = -1.2 + 2.4 * j / (G - 1);
    }
  TEST_CALL(solace_koopman_pseudospectrum(k, G * G, z, tau));
  for (int s = 0; s < G * G; s++)
    err = fmax(err, fabs(tau[s] - nearest(CMPLX(z[2 * s], z[2 * s + 1]), spec, N)));
  printf("normal matrix: max |tau(z) - dist(z, spectrum)| = %.3g over %d points\n", err, G * G);
  TEST_ASSERT(err <= 1e-10, "pseudospectrum error %g", err);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

int main(void) {
  if (check_nonnormal() || check_normal_pseudospectrum()) test_failures++;
  return test_finish("koopman-linear");
}
