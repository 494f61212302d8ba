/* mpEDMD (solace_koopman_set_method(SOLACE_KOOPMAN_MPEDMD)): the Koopman
 * matrix is the unitary polar factor of the whitened cross matrix, so its
 * eigenvalues lie on the unit circle.
 *  - Circle rotation by omega = 1, Fourier dictionary of degree 5 on a uniform
 *    grid of 4000 points (the trapezoid rule is exact): the eigenvalues are
 *    exactly exp(i k omega), |k| <= 5 (tolerance 1e-10, rounding only).
 *  - The same rotation with Legendre functions of degree 12 (not invariant):
 *    plain EDMD has eigenvalues well inside the disc (> 0.2 off the circle),
 *    every mpEDMD eigenvalue has modulus 1 to 1e-12.
 *  - The pendulum (dt = 0.5, 32 x 48 trapezoid grid on [-pi, pi) x [-8, 8],
 *    Fourier x Hermite of tensor degree 6, 91 functions): every mpEDMD
 *    eigenvalue has modulus 1 to 1e-12, the eigenvalue 1 (the constants) is
 *    found to 1e-8, and the pseudospectrum does not depend on the method (the
 *    same tau at three points to 1e-14).
 *  - Bad method values (-1, 2) and a NULL handle: SOLACE_ERR_ARG, the setting
 *    unchanged; setting the method forgets the last compute (SOLACE_ERR_STATE).
 */
#include <complex.h>
#include <stdlib.h>

#include "test-util.h"

#define PI     3.14159265358979323846
#define TWO_PI 6.28318530717958647692

enum { M = 4000 };

/* Largest ||lambda| - 1| over the r eigenvalues of a computed estimator. */
static double circle_offset(solace_koopman k, int64_t *r_out, double **lambda_out) {
  int64_t r = 0;
  if (solace_koopman_get_size(k, NULL, &r)) return INFINITY;
  double *lambda = malloc(sizeof(double) * 2 * r), worst = 0;
  if (!lambda || solace_koopman_get_eigenvalues(k, lambda)) return free(lambda), INFINITY;
  for (int64_t a = 0; a < r; a++)
    worst = fmax(worst, fabs(hypot(lambda[2 * a], lambda[2 * a + 1]) - 1));
  *r_out = r;
  if (lambda_out)
    *lambda_out = lambda;
  else
    free(lambda);
  return worst;
}

static int check_rotation(const double *x, const double *y, double omega) {
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_method(k, SOLACE_KOOPMAN_MPEDMD));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_FOURIER, 5,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  TEST_CALL(solace_koopman_compute(k));
  int64_t r = 0;
  double *lambda = NULL, offset = circle_offset(k, &r, &lambda), err = 0;
  TEST_ASSERT(r == 11 && lambda, "r = %lld", (long long)r);
  if (!lambda) return 1;
  for (int kk = -5; kk <= 5; kk++) {
    double best = INFINITY;
    for (int64_t j = 0; j < r; j++)
      best = fmin(best, cabs(cexp(I * kk * omega) - CMPLX(lambda[2 * j], lambda[2 * j + 1])));
    err = fmax(err, best);
  }
  printf("rotation, Fourier, mpEDMD: max |lambda - exp(i k omega)| = %.3g, max ||lambda| - 1| = "
         "%.3g\n",
         err, offset);
  TEST_ASSERT(err <= 1e-10, "eigenvalue error %g", err);
  TEST_ASSERT(offset <= 1e-12, "||lambda| - 1| = %g", offset);
  free(lambda);

  /* Legendre: EDMD is spurious, mpEDMD stays on the circle. */
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_LEGENDRE, 12,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_method(k, SOLACE_KOOPMAN_EDMD));
  TEST_CALL(solace_koopman_compute(k));
  double edmd_offset = circle_offset(k, &r, NULL);
  TEST_CALL(solace_koopman_set_method(k, SOLACE_KOOPMAN_MPEDMD));
  TEST_CALL(solace_koopman_compute(k));
  offset = circle_offset(k, &r, NULL);
  printf("rotation, Legendre: EDMD max ||lambda| - 1| = %.3g, mpEDMD %.3g (%lld eigenvalues)\n",
         edmd_offset, offset, (long long)r);
  TEST_ASSERT(edmd_offset > 0.2, "EDMD has no spurious eigenvalue (%g)", edmd_offset);
  TEST_ASSERT(offset <= 1e-12, "mpEDMD ||lambda| - 1| = %g", offset);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

static int check_pendulum(void) {
  enum { NT = 32, NP = 48, MP = NT * NP, DEG = 6, NZ = 3 };
  const double pmax = 8, hp = 2 * pmax / (NP - 1);
  double *x0 = malloc(sizeof(double) * 2 * MP), *x = malloc(sizeof(double) * 4 * MP);
  double *w = malloc(sizeof(double) * MP);
  TEST_ASSERT(x0 && x && w, "out of memory");
  if (!x0 || !x || !w) return free(x0), free(x), free(w), 1;
  for (int i = 0; i < NT; i++)
    for (int j = 0; j < NP; j++) {
      int s = i * NP + j;
      x0[2 * s] = -PI + 2 * PI * i / NT, x0[2 * s + 1] = -pmax + hp * j;
      w[s] = (2 * PI / NT) * hp * ((j == 0 || j == NP - 1) ? 0.5 : 1);
    }
  TEST_CALL(solace_koopman_simulate("pendulum", NULL, 0, 0.5, MP, 2, x0, x));
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(
      solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_FOURIER, DEG, SOLACE_KOOPMAN_TENSOR));
  int64_t kinds[2] = {SOLACE_KOOPMAN_DICT_FOURIER, SOLACE_KOOPMAN_DICT_HERMITE};
  TEST_CALL(solace_koopman_set_dictionary_kinds(k, 2, kinds));
  TEST_CALL(solace_koopman_set_data(k, 2, MP, x, 4, MP, x + 2, 4, w));
  double z[2 * NZ] = {0.5, 0.2, 1.3, 0, -0.2, -1.1}, tau_edmd[NZ], tau_mp[NZ];
  TEST_CALL(solace_koopman_compute(k));
  int64_t r = 0;
  double edmd_offset = circle_offset(k, &r, NULL);
  TEST_CALL(solace_koopman_pseudospectrum(k, NZ, z, tau_edmd));
  TEST_CALL(solace_koopman_set_method(k, SOLACE_KOOPMAN_MPEDMD));
  TEST_CALL(solace_koopman_compute(k));
  double *lambda = NULL, offset = circle_offset(k, &r, &lambda), near_one = INFINITY;
  TEST_ASSERT(r == (2 * DEG + 1) * (DEG + 1) && lambda, "r = %lld", (long long)r);
  if (!lambda) return 1;
  for (int64_t a = 0; a < r; a++)
    near_one = fmin(near_one, cabs(CMPLX(lambda[2 * a], lambda[2 * a + 1]) - 1));
  TEST_CALL(solace_koopman_pseudospectrum(k, NZ, z, tau_mp));
  double tau_diff = 0;
  for (int a = 0; a < NZ; a++) tau_diff = fmax(tau_diff, fabs(tau_mp[a] - tau_edmd[a]));
  printf("pendulum: r = %lld; EDMD max ||lambda| - 1| = %.3g, mpEDMD %.3g; mpEDMD nearest to 1 at "
         "%.3g; tau difference %.3g\n",
         (long long)r, edmd_offset, offset, near_one, tau_diff);
  TEST_ASSERT(offset <= 1e-12, "mpEDMD ||lambda| - 1| = %g", offset);
  TEST_ASSERT(near_one <= 1e-8, "no eigenvalue 1 (distance %g)", near_one);
  TEST_ASSERT(tau_diff <= 1e-14, "the pseudospectrum depends on the method (%g)", tau_diff);
  TEST_CALL(solace_koopman_destroy(&k));
  free(x0), free(x), free(w), free(lambda);
  return 0;
}

static int check_errors(const double *x, const double *y) {
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_FAILS_WITH(solace_koopman_set_method(NULL, SOLACE_KOOPMAN_MPEDMD), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_set_method(k, -1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_set_method(k, 2), SOLACE_ERR_ARG);
  /* the setting is unchanged (EDMD): the Legendre rotation keeps its spurious eigenvalues */
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_LEGENDRE, 12,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_data(k, 1, M, x, 1, M, y, 1, NULL));
  TEST_CALL(solace_koopman_compute(k));
  int64_t r;
  TEST_ASSERT(circle_offset(k, &r, NULL) > 0.2, "a bad method value changed the method");
  TEST_FAILS_WITH(solace_koopman_set_method(k, 7), SOLACE_ERR_ARG);
  double lambda[2 * 13];
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda)); /* a refused setting keeps the results */
  TEST_CALL(solace_koopman_set_method(k, SOLACE_KOOPMAN_MPEDMD));
  TEST_FAILS_WITH(solace_koopman_get_eigenvalues(k, lambda), SOLACE_ERR_STATE);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

int main(void) {
  static double x[M], y[M], traj[2 * M];
  double omega = 1.0;
  for (int j = 0; j < M; j++) x[j] = TWO_PI * (j + 0.5) / M;
  TEST_CALL(solace_koopman_simulate("rotation", &omega, 1, 1.0, M, 2, x, traj));
  for (int j = 0; j < M; j++) y[j] = traj[2 * j + 1];
  if (check_rotation(x, y, omega) || check_pendulum() || check_errors(x, y)) test_failures++;
  return test_finish("koopman-mpedmd");
}
