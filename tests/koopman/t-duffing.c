/* Duffing x'' = -delta x' + x - x^3 with delta = 0.5, sampled at dt = 0.25 by
 * solace_koopman_simulate(). The equilibrium (1, 0) is a stable focus with
 * linearisation eigenvalues mu = -0.25 +- i sqrt(2 - 1/16) = -0.25 +- 1.392i;
 * in its basin the Koopman operator has the eigenvalues exp((k mu + l conj(mu))
 * dt), k, l >= 0, with analytic eigenfunctions (Poincare linearisation), so a
 * polynomial-type dictionary of moderate degree resolves the leading ones.
 * Data: NTRAJ trajectories of NSTEPS states from initial states in the disc of
 * radius 0.6 about (1, 0) with energy p^2/2 - x^2/2 + x^4/4 < -0.02 (so they
 * stay in the right well). Dictionaries: Hermite functions and Legendre
 * polynomials, total degree 8 (45 functions).
 * Each target exp(k mu dt) is matched to the nearest EDMD eigenvalue:
 *  - lambda = 1 (the constants are in both spans up to Hermite's Gaussian
 *    weight): 1e-6;
 *  - exp(mu dt), exp(conj(mu) dt), exp(2 Re(mu) dt): 2e-3, the truncation error
 *    of the degree-8 dictionary for these eigenfunctions (measured 1.5e-4 to
 *    5e-4, and the matched residuals are of the same size, < 1e-2);
 *  - continuous time, log(lambda) / dt against mu: 1e-2 (the 2e-3 above over
 *    |lambda| dt ~ 0.23).
 * Higher products (k + l >= 2 other than |exp(mu dt)|^2) are left out: degree 8
 * resolves them only to ~2e-2. */
#include <complex.h>
#include <stdlib.h>

#include "test-util.h"

enum { NTRAJ = 100, NSTEPS = 20, DEG = 8 };
static const double DT = 0.25, RADIUS = 0.6;

/* Initial states: uniform in the disc, rejected unless in the right well. */
static int initial_states(double *x0) {
  int j = 0;
  for (uint64_t q = 0; j < NTRAJ; q++) {
    double u[2];
    TEST_CALL(solace_rand_uniform(7, 0, 2 * q, 2, u));
    double a = 1 + RADIUS * (2 * u[0] - 1), b = RADIUS * (2 * u[1] - 1);
    if (hypot(a - 1, b) > RADIUS || b * b / 2 - a * a / 2 + a * a * a * a / 4 > -0.02) continue;
    x0[2 * j] = a, x0[2 * j + 1] = b, j++;
  }
  return 0;
}

/* EDMD with one dictionary; matches the targets. */
static int check(const char *name, int kind, const double *x) {
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, kind, DEG, SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_trajectories(k, 2, NTRAJ, NSTEPS, x));
  TEST_CALL(solace_koopman_compute(k));
  int64_t n, r;
  TEST_CALL(solace_koopman_get_size(k, &n, &r));
  TEST_ASSERT(n == 45 && r == 45, "%s: N = %lld, r = %lld", name, (long long)n, (long long)r);
  if (r != 45) return 1;
  double lambda[90], mu[90], res[45];
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_ct_eigenvalues(k, DT, mu));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  const double complex m1 = CMPLX(-0.25, sqrt(2 - 1.0 / 16));
  const double complex target[4] = {1, cexp(m1 * DT), cexp(conj(m1) * DT),
                                    cexp(2 * creal(m1) * DT)};
  const double tol[4] = {1e-6, 2e-3, 2e-3, 2e-3};
  for (int t = 0; t < 4; t++) {
    int best = 0;
    for (int j = 1; j < 45; j++)
      if (cabs(CMPLX(lambda[2 * j], lambda[2 * j + 1]) - target[t]) <
          cabs(CMPLX(lambda[2 * best], lambda[2 * best + 1]) - target[t]))
        best = j;
    double err = cabs(CMPLX(lambda[2 * best], lambda[2 * best + 1]) - target[t]);
    printf("duffing, %s: target %.5f%+.5fi, eigenvalue %.5f%+.5fi, error %.2e, residual %.2e\n",
           name, creal(target[t]), cimag(target[t]), lambda[2 * best], lambda[2 * best + 1], err,
           res[best]);
    TEST_ASSERT(err <= tol[t], "%s: target %d error %g > %g", name, t, err, tol[t]);
    TEST_ASSERT(res[best] <= 1e-2, "%s: target %d residual %g", name, t, res[best]);
    if (t == 1 || t == 2) {
      double ct = cabs(CMPLX(mu[2 * best], mu[2 * best + 1]) - (t == 1 ? m1 : conj(m1)));
      printf("duffing, %s: |log(lambda)/dt - mu| = %.2e\n", name, ct);
      TEST_ASSERT(ct <= 1e-2, "%s: continuous-time error %g", name, ct);
    }
  }
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

int main(void) {
  double x0[2 * NTRAJ], *x = malloc(sizeof(double) * 2 * NTRAJ * NSTEPS);
  TEST_ASSERT(x, "out of memory");
  if (!x || initial_states(x0)) return 1;
  TEST_CALL(solace_koopman_simulate("duffing", NULL, 0, DT, NTRAJ, NSTEPS, x0, x));
  if (check("Hermite", SOLACE_KOOPMAN_DICT_HERMITE, x)) test_failures++;
  if (check("Legendre", SOLACE_KOOPMAN_DICT_LEGENDRE, x)) test_failures++;
  free(x);
  return test_finish("koopman-duffing");
}
