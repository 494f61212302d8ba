/* The nonlinear pendulum theta'' = -sin theta, sampled at dt = 0.5: a Hamiltonian
 * flow, so the Koopman operator is unitary on L2 of Lebesgue measure on the
 * cylinder and its spectrum is the unit circle (continuous, plus the
 * eigenvalue 1 of the energy functions). Data: one step of
 * solace_koopman_simulate() (CVODE, rtol 1e-10) from a tensor grid of NT x NP =
 * 64 x 112 points on [-pi, pi) x [-8, 8] with trapezoid weights (the Hermite
 * functions are negligible at |p| = 8); dictionary: Fourier in the angle x
 * Hermite functions in the momentum, tensor degree 10 (231 functions).
 * Checks (for a normal operator an eigenpair with residual eps lies within eps
 * of the spectrum):
 *  - plain EDMD has spurious eigenvalues (some ||lambda| - 1| >= 0.1; measured
 *    up to 1);
 *  - at least 8 eigenpairs have residual <= TOL = 0.1 (measured 10, bound
 *    0.082), and each satisfies ||lambda| - 1| <= residual + SLACK, SLACK = 1e-6
 *    for the quadrature and integration errors (measured: the distance is below
 *    the residual by at least 2e-8);
 *  - an eigenvalue within 1e-3 of 1 with residual <= 1e-2 (measured 3e-11 and
 *    2e-8);
 *  - the pseudospectrum function at six points off the circle: tau(z) >=
 *    |1 - |z|| - SLACK (measured deficit 2.7e-9), and tau(lambda) <=
 *    res(lambda) at a verified eigenvalue. */
#include <complex.h>
#include <stdlib.h>

#include "test-util.h"

#define PI 3.14159265358979323846

enum { NT = 64, NP = 112, M = NT * NP, DEG = 10 };
static const double PMAX = 8, DT = 0.5, TOL = 0.1, SLACK = 1e-6;

int main(void) {
  double *x0 = malloc(sizeof(double) * 2 * M), *x = malloc(sizeof(double) * 4 * M);
  double *w = malloc(sizeof(double) * M);
  TEST_ASSERT(x0 && x && w, "out of memory");
  if (!x0 || !x || !w) return 1;
  double hp = 2 * PMAX / (NP - 1);
  for (int i = 0; i < NT; i++)
    for (int j = 0; j < NP; j++) {
      int s = i * NP + j;
      x0[2 * s] = -PI + 2 * PI * i / NT;
      x0[2 * s + 1] = -PMAX + hp * j;
      w[s] = (2 * PI / NT) * hp * ((j == 0 || j == NP - 1) ? 0.5 : 1);
    }
  TEST_CALL(solace_koopman_simulate("pendulum", NULL, 0, DT, M, 2, x0, x));
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(
      solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_FOURIER, DEG, SOLACE_KOOPMAN_TENSOR));
  int64_t kinds[2] = {SOLACE_KOOPMAN_DICT_FOURIER, SOLACE_KOOPMAN_DICT_HERMITE};
  TEST_CALL(solace_koopman_set_dictionary_kinds(k, 2, kinds));
  /* X = x(:, 0, s), Y = x(:, 1, s): leading dimension 4 */
  TEST_CALL(solace_koopman_set_data(k, 2, M, x, 4, M, x + 2, 4, w));
  TEST_CALL(solace_koopman_compute(k));
  int64_t n, r;
  TEST_CALL(solace_koopman_get_size(k, &n, &r));
  TEST_ASSERT(n == (2 * DEG + 1) * (DEG + 1), "N = %lld", (long long)n);
  double *lambda = malloc(sizeof(double) * 2 * r), *res = malloc(sizeof(double) * r);
  int64_t *index = malloc(sizeof(int64_t) * r), count = 0;
  double bound = 0;
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  TEST_CALL(solace_koopman_get_verified(k, TOL, &count, index, &bound));
  double worst_excess = -INFINITY, max_offset = 0, min_offset = INFINITY, near_one = INFINITY;
  double res_one = INFINITY;
  for (int64_t a = 0; a < r; a++) {
    double offset = fabs(hypot(lambda[2 * a], lambda[2 * a + 1]) - 1);
    max_offset = fmax(max_offset, offset), min_offset = fmin(min_offset, offset);
    double dist1 = cabs(CMPLX(lambda[2 * a], lambda[2 * a + 1]) - 1);
    if (dist1 < near_one) near_one = dist1, res_one = res[a];
  }
  for (int64_t v = 0; v < count; v++) {
    int64_t a = index[v];
    double offset = fabs(hypot(lambda[2 * a], lambda[2 * a + 1]) - 1);
    worst_excess = fmax(worst_excess, offset - res[a]);
  }
  printf("pendulum: N = %lld, r = %lld; EDMD ||lambda| - 1| in [%.2g, %.2g]; %lld verified "
         "(residual <= %g, bound %.3g), max (||lambda| - 1| - residual) = %.3g\n",
         (long long)n, (long long)r, min_offset, max_offset, (long long)count, TOL, bound,
         worst_excess);
  printf("pendulum: nearest eigenvalue to 1 at distance %.3g, residual %.3g\n", near_one, res_one);
  TEST_ASSERT(count >= 8, "only %lld eigenpairs with residual <= %g", (long long)count, TOL);
  TEST_ASSERT(worst_excess <= SLACK,
              "a verified eigenvalue is %.3g farther from the circle than "
              "its residual",
              worst_excess);
  TEST_ASSERT(bound <= TOL, "bound %g", bound);
  TEST_ASSERT(max_offset >= 0.1, "plain EDMD had no spurious eigenvalue (max offset %g)",
              max_offset);
  TEST_ASSERT(near_one <= 1e-3 && res_one <= 1e-2, "eigenvalue 1: distance %g, residual %g",
              near_one, res_one);
  /* pseudospectrum: tau(z) >= |1 - |z|| - SLACK off the circle, tau(lambda) <= res */
  enum { NZ = 6 };
  double z[2 * NZ] = {0, 0, 0.5, 0.2, -0.3, 0.6, 1.4, 0, 0, -1.3, 0.7, -0.7}, tau[NZ];
  TEST_CALL(solace_koopman_pseudospectrum(k, NZ, z, tau));
  double worst_tau = -INFINITY;
  for (int a = 0; a < NZ; a++)
    worst_tau = fmax(worst_tau, fabs(1 - hypot(z[2 * a], z[2 * a + 1])) - tau[a]);
  printf("pendulum: max (|1 - |z|| - tau(z)) over %d points = %.3g\n", NZ, worst_tau);
  TEST_ASSERT(worst_tau <= SLACK, "tau below the distance to the circle by %g", worst_tau);
  if (count) {
    double t1;
    int64_t a = index[count - 1];
    TEST_CALL(solace_koopman_pseudospectrum(k, 1, lambda + 2 * a, &t1));
    TEST_ASSERT(t1 <= res[a] * (1 + 1e-8) + 1e-14, "tau(lambda) = %g > residual %g", t1, res[a]);
  }
  TEST_CALL(solace_koopman_destroy(&k));
  free(x0), free(x), free(w), free(lambda), free(res), free(index);
  return test_finish("koopman-pendulum");
}
