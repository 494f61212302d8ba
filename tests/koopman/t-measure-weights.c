/* The spectral measure of mpEDMD as atoms (solace_koopman_measure_weights).
 * - Rotation theta -> theta + 1, Fourier degree 5 (an invariant span, exact quadrature on 4000
 *   grid points), g = 0.3 + cos x + 0.5 sin 2x: the atoms are 0.09 at 0, 0.25 at +-1 and 0.0625
 *   at +-2, the other six weights 0; tolerance 1e-12 (rounding only).
 * - Rotation with Legendre degree 12 in theta (not invariant, mpEDMD eigenvalues not e^{ik}),
 *   g = cos x + 0.2 x: the weights sum to c_0, obtained independently as the integral of the
 *   moment-form density (trapezoid rule on 64 angles, exact for its trigonometric polynomial of
 *   degree 20), and the Fejer-filtered density rebuilt from the atoms, (1/2pi) [sum w + 2 sum_n
 *   phi(n/N) (sum_j w_j cos(n theta_j)) cos(n theta)], equals measure_moments to 1e-12 relative
 *   (the moments b^T U^n b against the eigen-decomposition of U: rounding only).
 * - Angles sorted in (-pi, pi], weights >= 0; NULL, NaN g and a call before compute fail. */
#include "test-util.h"

#define TWO_PI 6.28318530717958647692
enum { M = 4000, NT = 64, NMOM = 20 };

static int setup(solace_koopman k, int kind, int degree, double *x, double *y) {
  for (int j = 0; j < M; j++) x[j] = TWO_PI * (j + 0.5) / M, y[j] = fmod(x[j] + 1, TWO_PI);
  TEST_CALL(solace_koopman_set_dictionary(k, kind, degree, SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  TEST_CALL(solace_koopman_compute(k));
  return 0;
}

static int check_atoms(void) {
  static double x[M], y[M], g[M];
  double theta[11], w[11], err = 0;
  const double at[5] = {0, 1, -1, 2, -2}, mass[5] = {0.09, 0.25, 0.25, 0.0625, 0.0625};
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  if (setup(k, SOLACE_KOOPMAN_DICT_FOURIER, 5, x, y)) return 1;
  for (int j = 0; j < M; j++) g[j] = 0.3 + cos(x[j]) + 0.5 * sin(2 * x[j]);
  TEST_CALL(solace_koopman_measure_weights(k, g, theta, w));
  for (int j = 0; j < 11; j++) {
    double want = 0;
    for (int a = 0; a < 5; a++)
      if (fabs(remainder(theta[j] - at[a], TWO_PI)) < 1e-8) want = mass[a];
    err = fmax(err, fabs(w[j] - want));
    TEST_ASSERT(j == 0 || theta[j] >= theta[j - 1], "angles not sorted at %d", j);
  }
  printf("rotation, Fourier 5: atoms 0.09, 0.25, 0.0625 at 0, +-1, +-2, others 0: error %.3g\n",
         err);
  TEST_ASSERT(err <= 1e-12, "weights off by %g", err);
  solace_koopman_destroy(&k);
  return 0;
}

static int check_moments(void) {
  static double x[M], y[M], g[M];
  double theta[13], w[13], angle[NT], density[NT], c0 = 0, sum = 0, err = 0, scale = 0;
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_method(k, SOLACE_KOOPMAN_MPEDMD));
  if (setup(k, SOLACE_KOOPMAN_DICT_LEGENDRE, 12, x, y)) return 1;
  for (int j = 0; j < M; j++) g[j] = cos(x[j]) + 0.2 * x[j];
  for (int j = 0; j < NT; j++) angle[j] = -TWO_PI / 2 + TWO_PI * j / NT;
  TEST_CALL(solace_koopman_measure_weights(k, g, theta, w));
  TEST_CALL(
      solace_koopman_measure_moments(k, g, NMOM, SOLACE_KOOPMAN_FILTER_FEJER, NT, angle, density));
  for (int j = 0; j < NT; j++) c0 += density[j] * TWO_PI / NT;
  for (int j = 0; j < 13; j++) {
    sum += w[j];
    TEST_ASSERT(w[j] >= 0 && theta[j] > -TWO_PI / 2 - 1e-15 && theta[j] <= TWO_PI / 2,
                "atom %d: theta %g, weight %g", j, theta[j], w[j]);
  }
  for (int j = 0; j < NT; j++) {
    double rho = sum;
    for (int n = 1; n <= NMOM; n++) {
      double cn = 0;
      for (int a = 0; a < 13; a++) cn += w[a] * cos(n * theta[a]);
      rho += 2 * (1 - (double)n / NMOM) * cn * cos(n * angle[j]);
    }
    err = fmax(err, fabs(rho / TWO_PI - density[j])), scale = fmax(scale, fabs(density[j]));
  }
  printf("rotation, Legendre 12, mpEDMD: sum of weights %.15g, c_0 from the density %.15g; "
         "density from the atoms vs measure_moments: %.3g relative\n",
         sum, c0, err / scale);
  TEST_ASSERT(fabs(sum - c0) <= 1e-12 * c0 && err <= 1e-12 * scale, "sum %g vs %g, density %g", sum,
              c0, err / scale);
  solace_koopman_destroy(&k);
  return 0;
}

static int check_errors(void) {
  static double x[M], y[M], g[M];
  double theta[13], w[13];
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_FAILS_WITH(solace_koopman_measure_weights(k, g, theta, w), SOLACE_ERR_STATE);
  if (setup(k, SOLACE_KOOPMAN_DICT_LEGENDRE, 4, x, y)) return 1;
  TEST_FAILS_WITH(solace_koopman_measure_weights(k, NULL, theta, w), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_measure_weights(k, g, theta, NULL), SOLACE_ERR_ARG);
  g[7] = NAN;
  TEST_FAILS_WITH(solace_koopman_measure_weights(k, g, theta, w), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "g[7]"), "message: %s", solace_error_message());
  TEST_FAILS_WITH(solace_koopman_measure_weights(NULL, g, theta, w), SOLACE_ERR_ARG);
  printf("errors: %s\n", solace_error_message());
  solace_koopman_destroy(&k);
  return 0;
}

int main(void) {
  if (check_atoms() || check_moments() || check_errors()) return 1;
  return test_finish("koopman-measure-weights");
}
