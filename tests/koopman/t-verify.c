/* The grid verified spectrum (solace_koopman_verify_points) on the circle rotation by omega = 1
 * with a Legendre dictionary of degree 12 in theta (not invariant: the wrap-around is a jump), so
 * plain EDMD has spurious eigenvalues well inside the unit disc. The spectrum is the unit circle
 * (omega / 2 pi irrational). On a 61 x 61 grid over [-1.3, 1.3]^2 with eps = 0.2:
 *  - every kept point z lies within gamma(z) (+ 1e-3 for the quadrature error of the jump on
 *    4000 points, as in koopman-rotation) of the circle, and the bound is max gamma <= eps;
 *  - no kept point lies within 0.15 of a spurious eigenvalue (farther than 0.3 from the circle);
 *  - points are kept (the circle is found) in each quadrant, and fewer than 1/10 of the points
 *    with gamma <= eps (the minimiser test thins the sublevel set to points near the circle);
 *  - with measure_preserving the same holds and gamma(z) >= |1 - |z|| is used;
 * plus the error paths (NULL, nz < 1, eps <= 0 or NaN, NaN point, negative tau, before
 * compute). Given tau and tau = NULL (evaluated inside) give the same set. */
#include <complex.h>
#include <string.h>

#include "test-util.h"

#define TWO_PI 6.28318530717958647692
enum { M = 4000, G = 61, NZ = G * G, R = 13 };

static void grid(double *z) {
  for (int b = 0; b < G; b++)
    for (int a = 0; a < G; a++)
      z[2 * (a + G * b)] = -1.3 + 2.6 * a / (G - 1),
                     z[2 * (a + G * b) + 1] = -1.3 + 2.6 * b / (G - 1);
}

/* Checks one verified set: the guarantee, no point near a spurious eigenvalue, all quadrants. */
static void check_set(const char *what, const double *z, const double *tau, int mp,
                      const double *lambda, int64_t r, int64_t count, const int64_t *index,
                      double bound) {
  double worst = 0, closest_spurious = INFINITY;
  int quadrants[4] = {0};
  int64_t below = 0; /* points with gamma <= eps: the minimiser test keeps far fewer */
  for (int64_t p = 0; p < NZ; p++)
    below += (mp ? fmax(tau[p], fabs(1 - hypot(z[2 * p], z[2 * p + 1]))) : tau[p]) <= 0.2;
  for (int64_t c = 0; c < count; c++) {
    int64_t p = index[c];
    double re = z[2 * p], im = z[2 * p + 1], mod = hypot(re, im);
    double gamma = mp ? fmax(tau[p], fabs(1 - mod)) : tau[p];
    worst = fmax(worst, fabs(1 - mod) - gamma);
    TEST_ASSERT(fabs(1 - mod) <= gamma + 1e-3, "%s: point (%g, %g) off the circle by %g > %g", what,
                re, im, fabs(1 - mod), gamma);
    TEST_ASSERT(gamma <= bound + 1e-15, "%s: gamma %g above the bound %g", what, gamma, bound);
    quadrants[(re < 0) + 2 * (im < 0)] = 1;
    for (int64_t j = 0; j < r; j++)
      if (fabs(1 - hypot(lambda[2 * j], lambda[2 * j + 1])) > 0.3)
        closest_spurious =
            fmin(closest_spurious, hypot(re - lambda[2 * j], im - lambda[2 * j + 1]));
  }
  printf("%s: %lld of %lld points below eps kept, bound %.3g; max (distance - gamma) %.3g; nearest "
         "spurious "
         "eigenvalue at %.3g\n",
         what, (long long)count, (long long)below, bound, worst, closest_spurious);
  TEST_ASSERT(bound <= 0.2, "%s: bound %g > eps", what, bound);
  TEST_ASSERT(count >= 4 && 10 * count < below, "%s: kept %lld of the %lld points below eps", what,
              (long long)count, (long long)below);
  TEST_ASSERT(closest_spurious > 0.15, "%s: a kept point %g from a spurious eigenvalue", what,
              closest_spurious);
  TEST_ASSERT(quadrants[0] && quadrants[1] && quadrants[2] && quadrants[3],
              "%s: the circle is not found in every quadrant", what);
}

static int check_errors(solace_koopman k, const double *z, const double *tau) {
  int64_t count, index[NZ];
  double bad[2] = {NAN, 0}, neg[1] = {-1};
  TEST_FAILS_WITH(solace_koopman_verify_points(NULL, NZ, z, tau, 0.2, 0, &count, index, NULL),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_verify_points(k, 0, z, tau, 0.2, 0, &count, index, NULL),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_verify_points(k, NZ, NULL, tau, 0.2, 0, &count, index, NULL),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_verify_points(k, NZ, z, tau, 0.2, 0, NULL, index, NULL),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_verify_points(k, NZ, z, tau, 0, 0, &count, index, NULL),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_verify_points(k, NZ, z, tau, NAN, 0, &count, index, NULL),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_verify_points(k, 1, bad, NULL, 0.2, 0, &count, index, NULL),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_verify_points(k, 1, z, neg, 0.2, 0, &count, index, NULL),
                  SOLACE_ERR_ARG);
  solace_koopman fresh = NULL;
  TEST_CALL(solace_koopman_create(&fresh));
  TEST_FAILS_WITH(solace_koopman_verify_points(fresh, NZ, z, tau, 0.2, 0, &count, index, NULL),
                  SOLACE_ERR_STATE);
  solace_koopman_destroy(&fresh);
  return 0;
}

int main(void) {
  static double x[M], y[M], z[2 * NZ], tau[NZ];
  static int64_t index[NZ], index2[NZ];
  for (int j = 0; j < M; j++) x[j] = TWO_PI * (j + 0.5) / M, y[j] = fmod(x[j] + 1, TWO_PI);
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_LEGENDRE, 12,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  TEST_CALL(solace_koopman_compute(k));
  int64_t r, count, count2;
  double lambda[2 * R], bound, bound2, spurious = 0;
  TEST_CALL(solace_koopman_get_size(k, NULL, &r));
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  for (int64_t j = 0; j < r; j++)
    spurious = fmax(spurious, fabs(1 - hypot(lambda[2 * j], lambda[2 * j + 1])));
  printf("plain EDMD: %lld eigenvalues, farthest from the circle by %.3g\n", (long long)r,
         spurious);
  TEST_ASSERT(spurious > 0.3, "plain EDMD has no spurious eigenvalue (%g)", spurious);
  grid(z);
  TEST_CALL(solace_koopman_pseudospectrum(k, NZ, z, tau));
  for (int mp = 0; mp <= 1; mp++) {
    TEST_CALL(solace_koopman_verify_points(k, NZ, z, tau, 0.2, mp, &count, index, &bound));
    check_set(mp ? "measure-preserving" : "general", z, tau, mp, lambda, r, count, index, bound);
    TEST_CALL(solace_koopman_verify_points(k, NZ, z, NULL, 0.2, mp, &count2, index2, &bound2));
    TEST_ASSERT(count2 == count && bound2 == bound &&
                    !memcmp(index, index2, sizeof(int64_t) * (size_t)count),
                "tau = NULL gives another set (%lld vs %lld points)", (long long)count2,
                (long long)count);
  }
  if (check_errors(k, z, tau)) return 1;
  solace_koopman_destroy(&k);
  return test_finish("koopman-verify");
}
