/* Circle rotation theta -> theta + omega (a unitary Koopman operator on L2 of
 * the uniform measure). Fourier dictionary of degree 5 on a uniform grid (the
 * trapezoid rule is exact for these products): the EDMD eigenvalues are exactly
 * exp(i k omega), |k| <= 5 (tolerance 1e-10, rounding only). Legendre
 * dictionary of degree 12 in theta (not invariant: the wrap-around is a jump):
 * plain EDMD gives spurious eigenvalues well inside the unit disc, while every
 * eigenvalue kept by the verified filter (residual <= 0.1) lies within its
 * residual (+ 1e-3 for the quadrature error of the jump on 4000 points) of the
 * spectrum, the unit circle (omega / 2 pi irrational). */
#include <complex.h>

#include "test-util.h"

#define TWO_PI 6.28318530717958647692

enum { M = 4000 };

static int check_fourier(const double *x, const double *y, double omega) {
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  /* residuals to eps need a QR path: AUTO takes the Gram path (residuals to ~1e-8) here */
  TEST_CALL(solace_koopman_set_qr(k, SOLACE_KOOPMAN_QR_HOUSEHOLDER));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_FOURIER, 5,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  TEST_CALL(solace_koopman_compute(k));
  int64_t n, r;
  TEST_CALL(solace_koopman_get_size(k, &n, &r));
  TEST_ASSERT(n == 11 && r == 11, "N = %lld, r = %lld", (long long)n, (long long)r);
  double lambda[22], res[11], err = 0, worst = 0;
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  for (int kk = -5; kk <= 5; kk++) {
    double best = INFINITY;
    for (int j = 0; j < 11; j++)
      best = fmin(best, cabs(cexp(I * kk * omega) - CMPLX(lambda[2 * j], lambda[2 * j + 1])));
    err = fmax(err, best);
  }
  for (int j = 0; j < 11; j++) worst = fmax(worst, res[j]);
  printf("rotation, Fourier: max |lambda - exp(i k omega)| = %.3g, max "
         "residual %.3g\n",
         err, worst);
  TEST_ASSERT(err <= 1e-10 && worst <= 1e-10, "error %g, residual %g", err, worst);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

static int check_spurious(const double *x, const double *y) {
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_LEGENDRE, 12,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  TEST_CALL(solace_koopman_compute(k));
  int64_t r, count, index[13];
  double lambda[26], res[13], bound, spurious = 0;
  TEST_CALL(solace_koopman_get_size(k, NULL, &r));
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  for (int j = 0; j < r; j++)
    spurious = fmax(spurious, fabs(1 - hypot(lambda[2 * j], lambda[2 * j + 1])));
  TEST_CALL(solace_koopman_get_verified(k, 0.1, &count, index, &bound));
  printf("rotation, Legendre: %lld eigenvalues, farthest from the unit circle "
         "by %.3g; %lld kept "
         "with bound %.3g\n",
         (long long)r, spurious, (long long)count, bound);
  TEST_ASSERT(spurious > 0.2, "plain EDMD has no spurious eigenvalue (%g)", spurious);
  TEST_ASSERT(count >= 1 && count < r && bound <= 0.1, "kept %lld of %lld, bound %g",
              (long long)count, (long long)r, bound);
  for (int64_t a = 0; a < count; a++) {
    int64_t j = index[a];
    double dist = fabs(1 - hypot(lambda[2 * j], lambda[2 * j + 1]));
    printf("  kept lambda = %.6f %+.6fi, residual %.3g, distance to the "
           "spectrum %.3g\n",
           lambda[2 * j], lambda[2 * j + 1], res[j], dist);
    TEST_ASSERT(dist <= res[j] + 1e-3, "kept eigenvalue %lld off the spectrum by %g > %g",
                (long long)j, dist, res[j]);
  }
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

int main(void) {
  static double x[M], y[M];
  double omega = 1.0;
  for (int j = 0; j < M; j++) x[j] = TWO_PI * (j + 0.5) / M;
  static double traj[2 * M];
  TEST_CALL(solace_koopman_simulate("rotation", &omega, 1, 1.0, M, 2, x, traj));
  for (int j = 0; j < M; j++) {
    y[j] = traj[2 * j + 1];
    TEST_NEAR(y[j], fmod(x[j] + omega, TWO_PI), 1e-14);
  }
  if (check_fourier(x, y, omega) || check_spurious(x, y)) test_failures++;
  return test_finish("koopman-rotation");
}
