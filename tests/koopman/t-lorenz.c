/* Lorenz (10, 28, 8/3), dt 0.05, one CVODE trajectory of 2000 states after a transient of 100
 * steps, observed through x1 only and delay-embedded with 4 delays (5 delay coordinates);
 * monomials of total degree 2 in them (21 functions).
 *  - the embedding: pair m is ((x1_t, .., x1_{t-4}), (x1_{t+1}, .., x1_{t-3})) exactly
 *    (checked through eigenfunction-free identities below and the sizes);
 *  - lambda = 1 (the constants, exactly invariant) with residual <= 1e-8;
 *  - g = x1_t lies in the span, so the resolvent-form measure (eps = 0.5) has the exact
 *    Fourier coefficients of the Poisson-smoothed Galerkin measure: int rho dtheta = c_0 =
 *    (1/M) sum g(x_m)^2 and int rho cos(theta) dtheta = c_1 / (1 + eps), c_1 = (1/M) sum
 *    g(y_m) g(x_m) (the lag-1 autocorrelation of the data), computed here from the trajectory;
 *    256 trapezoid angles (aliasing ~ (1 + eps)^-256); tolerance 1e-9 relative.
 *  - mixing: the lag-1 autocorrelation is below c_0 (|c_1| < c_0) and every eigenvalue other than
 *    1 lies strictly inside the unit disc (|lambda| < 1 - 1e-3): no second invariant function.
 * Bad input: n_steps < n_delays + 2, n_delays < 0, NaN in a trajectory. */
#include <complex.h>

#include "test-util.h"

#define TWO_PI 6.28318530717958647692
enum { SPIN = 100, T = 2000, DELAYS = 4, NT = 256 };

int main(void) {
  static double traj[3 * (SPIN + T)], x1[T];
  double x0[3] = {1, 1, 1};
  TEST_CALL(solace_koopman_simulate("lorenz", NULL, 0, 0.05, 1, SPIN + T, x0, traj));
  for (int t = 0; t < T; t++) x1[t] = traj[3 * (SPIN + t)];
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_MONOMIAL, 2,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  double scale[DELAYS + 1], shift[DELAYS + 1];
  for (int i = 0; i <= DELAYS; i++) shift[i] = 0, scale[i] = 20;
  TEST_CALL(solace_koopman_set_scaling(k, DELAYS + 1, shift, scale));
  TEST_CALL(solace_koopman_set_delay_trajectories(k, 1, 1, T, x1, DELAYS));
  TEST_CALL(solace_koopman_compute(k));
  int64_t n, r;
  TEST_CALL(solace_koopman_get_size(k, &n, &r));
  TEST_ASSERT(n == 21 && r == 21, "N = %lld, r = %lld", (long long)n, (long long)r);
  double lambda[42], res[21], one_res = INFINITY, inside = 0;
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  int64_t at_one = -1;
  for (int64_t j = 0; j < r; j++)
    if (cabs(CMPLX(lambda[2 * j] - 1, lambda[2 * j + 1])) < 1e-8) at_one = j, one_res = res[j];
  for (int64_t j = 0; j < r; j++)
    if (j != at_one) inside = fmax(inside, hypot(lambda[2 * j], lambda[2 * j + 1]));
  printf("lorenz: lambda = 1 found (residual %.3g); largest other modulus %.6f\n", one_res, inside);
  TEST_ASSERT(at_one >= 0 && one_res <= 1e-8, "lambda = 1 missing or residual %g", one_res);
  TEST_ASSERT(inside < 1 - 1e-3, "another eigenvalue of modulus %g", inside);
  /* the observable g = x1_t at the snapshots: pair m = t - DELAYS has x = x1_t, y = x1_{t+1} */
  int64_t m = T - 1 - DELAYS;
  static double g[T];
  double c0 = 0, c1 = 0;
  for (int64_t j = 0; j < m; j++) {
    g[j] = x1[j + DELAYS];
    c0 += g[j] * g[j] / m, c1 += x1[j + DELAYS + 1] * g[j] / m;
  }
  double theta[NT], rho[NT], eps = 0.5, int0 = 0, int1 = 0;
  for (int j = 0; j < NT; j++) theta[j] = -TWO_PI / 2 + TWO_PI * j / NT;
  TEST_CALL(solace_koopman_measure_resolvent(k, g, eps, NT, theta, rho));
  for (int j = 0; j < NT; j++)
    int0 += rho[j] * TWO_PI / NT, int1 += rho[j] * cos(theta[j]) * TWO_PI / NT;
  printf("lorenz: c0 %.12g (measure %.12g), c1/(1+eps) %.12g (measure %.12g)\n", c0, int0,
         c1 / (1 + eps), int1);
  TEST_ASSERT(fabs(int0 - c0) <= 1e-9 * c0, "int rho = %.15g, c0 = %.15g", int0, c0);
  TEST_ASSERT(fabs(int1 - c1 / (1 + eps)) <= 1e-9 * c0, "int rho cos = %.15g, c1/(1+eps) = %.15g",
              int1, c1 / (1 + eps));
  TEST_ASSERT(fabs(c1) < c0, "lag-1 autocorrelation %g >= c0 %g", c1, c0);
  /* bad input */
  TEST_FAILS_WITH(solace_koopman_set_delay_trajectories(k, 1, 1, 5, x1, 4), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_set_delay_trajectories(k, 1, 1, T, x1, -1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_set_delay_trajectories(k, 1, 1, T, NULL, 2), SOLACE_ERR_ARG);
  x1[17] = NAN;
  TEST_FAILS_WITH(solace_koopman_set_delay_trajectories(k, 1, 1, T, x1, 2), SOLACE_ERR_ARG);
  solace_koopman_destroy(&k);
  return test_finish("koopman-lorenz");
}
