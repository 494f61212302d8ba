/* Spectral measures against analytic answers.
 * Rotation theta -> theta + 1 (4000 grid points, Fourier degree 5: an invariant span, exact
 * quadrature) and g = 0.3 + cos x + 0.5 sin 2x: mu_g has atoms 0.09 at 0, 0.25 at +-1 and
 * 0.0625 at +-2, so c_n = sum_k m_k e^{i n k} and
 *  - the moment form equals (1/2pi) sum_{|n| <= N} phi(|n|/N) c_n e^{-i n theta} for each
 *    filter (N = 20), and
 *  - the resolvent form equals sum_k m_k P_rho(theta - k), rho = 1/(1 + eps), eps = 0.1 and 0.02,
 * at 64 angles, tolerance 1e-10 (rounding only: the data are exact).
 * Arnold's cat map (x1, x2) -> (2 x1 + x2, x1 + x2) mod 2 pi, a mixing map with Lebesgue
 * spectrum: for g = cos x1 the frequency orbit never returns, mu_g is 0.5 dtheta / 2pi (flat),
 * and with a tensor Fourier dictionary of degree 2 on a 32 x 32 grid (exact quadrature) the
 * Galerkin resolvent form is exactly flat for every eps (tolerance 1e-10).
 * Error paths: NULL, NaN g, n_moments < 1, a bad filter, eps <= 0, a NaN angle, before
 * compute. */
#include <complex.h>

#include "test-util.h"

#define TWO_PI 6.28318530717958647692
enum { M = 4000, NT = 64, NMOM = 20, CAT = 32 };

static const double ATOM_AT[5] = {0, 1, -1, 2, -2},
                    ATOM_MASS[5] = {0.09, 0.25, 0.25, 0.0625, 0.0625};

static double filter(int kind, double x) {
  switch (kind) {
  case SOLACE_KOOPMAN_FILTER_FEJER:
    return 1 - x;
  case SOLACE_KOOPMAN_FILTER_COSINE:
    return 0.5 * (1 + cos(TWO_PI / 2 * x));
  case SOLACE_KOOPMAN_FILTER_VANDEVEN: { /* 1 - 140 int_0^x t^3 (1-t)^3 dt, composite Simpson */
    const int steps = 2000;
    double a = 0;
    for (int s = 0; s < steps; s++) {
      double t0 = x * s / steps, t1 = x * (s + 1) / steps, tm = 0.5 * (t0 + t1);
      a += (t1 - t0) / 6 *
           (pow(t0 * (1 - t0), 3) + 4 * pow(tm * (1 - tm), 3) + pow(t1 * (1 - t1), 3));
    }
    return 1 - 140 * a;
  }
  default:
    return x >= 1 ? 0 : exp(1 - 1 / (1 - x * x));
  }
}

/* (1/2pi) sum_{|n| <= N} phi(|n|/N) c_n e^{-i n theta} from the atoms. */
static double moment_exact(int kind, double theta) {
  double complex sum = 0;
  for (int n = -NMOM; n <= NMOM; n++) {
    double complex c = 0;
    for (int a = 0; a < 5; a++) c += ATOM_MASS[a] * cexp(I * n * ATOM_AT[a]);
    sum += filter(kind, fabs((double)n) / NMOM) * c * cexp(-I * n * theta);
  }
  return creal(sum) / TWO_PI;
}

static double poisson_exact(double eps, double theta) {
  double rho = 1 / (1 + eps), sum = 0;
  for (int a = 0; a < 5; a++)
    sum += ATOM_MASS[a] * (1 - rho * rho) / (1 - 2 * rho * cos(theta - ATOM_AT[a]) + rho * rho);
  return sum / TWO_PI;
}

static int check_rotation(const double *theta) {
  static double x[M], y[M], g[M];
  double density[NT];
  for (int j = 0; j < M; j++) {
    x[j] = TWO_PI * (j + 0.5) / M, y[j] = fmod(x[j] + 1, TWO_PI);
    g[j] = 0.3 + cos(x[j]) + 0.5 * sin(2 * x[j]);
  }
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_FOURIER, 5,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  TEST_CALL(solace_koopman_compute(k));
  for (int kind = 0; kind <= SOLACE_KOOPMAN_FILTER_BUMP; kind++) {
    TEST_CALL(solace_koopman_measure_moments(k, g, NMOM, kind, NT, theta, density));
    double err = 0;
    for (int j = 0; j < NT; j++) err = fmax(err, fabs(density[j] - moment_exact(kind, theta[j])));
    printf("rotation, moment form, filter %d: max error %.3g\n", kind, err);
    TEST_ASSERT(err <= 1e-10, "filter %d: error %g", kind, err);
  }
  const double eps[2] = {0.1, 0.02};
  for (int e = 0; e < 2; e++) {
    TEST_CALL(solace_koopman_measure_resolvent(k, g, eps[e], NT, theta, density));
    double err = 0;
    for (int j = 0; j < NT; j++)
      err = fmax(err, fabs(density[j] - poisson_exact(eps[e], theta[j])));
    printf("rotation, resolvent form, eps %g: max error %.3g\n", eps[e], err);
    TEST_ASSERT(err <= 1e-10, "eps %g: error %g", eps[e], err);
  }
  solace_koopman_destroy(&k);
  return 0;
}

static int check_cat_map(const double *theta) {
  static double x[2 * CAT * CAT], y[2 * CAT * CAT], g[CAT * CAT];
  double density[NT];
  for (int a = 0; a < CAT; a++)
    for (int b = 0; b < CAT; b++) {
      int j = a + CAT * b;
      x[2 * j] = TWO_PI * a / CAT, x[2 * j + 1] = TWO_PI * b / CAT;
      y[2 * j] = fmod(2 * x[2 * j] + x[2 * j + 1], TWO_PI);
      y[2 * j + 1] = fmod(x[2 * j] + x[2 * j + 1], TWO_PI);
      g[j] = cos(x[2 * j]);
    }
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(
      solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_FOURIER, 2, SOLACE_KOOPMAN_TENSOR));
  TEST_CALL(solace_koopman_set_data(k, 2, CAT * CAT, x, 2, CAT * CAT, y, 2, NULL));
  TEST_CALL(solace_koopman_compute(k));
  const double eps[2] = {0.1, 0.01};
  for (int e = 0; e < 2; e++) {
    TEST_CALL(solace_koopman_measure_resolvent(k, g, eps[e], NT, theta, density));
    double err = 0;
    for (int j = 0; j < NT; j++) err = fmax(err, fabs(density[j] - 0.5 / TWO_PI));
    printf("cat map, resolvent form, eps %g: max deviation from 0.5/2pi %.3g\n", eps[e], err);
    TEST_ASSERT(err <= 1e-10, "eps %g: error %g", eps[e], err);
  }
  solace_koopman_destroy(&k);
  return 0;
}

static int check_errors(const double *theta) {
  static double x[M], y[M], g[M];
  double density[NT], bad_theta[1] = {NAN};
  for (int j = 0; j < M; j++) x[j] = TWO_PI * j / M, y[j] = fmod(x[j] + 1, TWO_PI), g[j] = 1;
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_FAILS_WITH(solace_koopman_measure_moments(k, g, 4, 0, NT, theta, density), SOLACE_ERR_STATE);
  TEST_FAILS_WITH(solace_koopman_measure_resolvent(k, g, 0.1, NT, theta, density),
                  SOLACE_ERR_STATE);
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  TEST_CALL(solace_koopman_compute(k));
  TEST_FAILS_WITH(solace_koopman_measure_moments(NULL, g, 4, 0, NT, theta, density),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_measure_moments(k, NULL, 4, 0, NT, theta, density),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_measure_moments(k, g, 0, 0, NT, theta, density), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_measure_moments(k, g, 4, 4, NT, theta, density), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_measure_moments(k, g, 4, 0, 0, theta, density), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_measure_moments(k, g, 4, 0, 1, bad_theta, density),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_measure_resolvent(k, g, 0, NT, theta, density), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_measure_resolvent(k, g, NAN, NT, theta, density), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_measure_resolvent(k, g, 0.1, NT, theta, NULL), SOLACE_ERR_ARG);
  g[7] = NAN;
  TEST_FAILS_WITH(solace_koopman_measure_resolvent(k, g, 0.1, NT, theta, density), SOLACE_ERR_ARG);
  solace_koopman_destroy(&k);
  return 0;
}

int main(void) {
  double theta[NT];
  for (int j = 0; j < NT; j++) theta[j] = -TWO_PI / 2 + TWO_PI * (j + 0.25) / NT;
  if (check_rotation(theta) || check_cat_map(theta) || check_errors(theta)) return 1;
  return test_finish("koopman-measure");
}
