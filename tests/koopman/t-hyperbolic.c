/* The hyperbolic-cross truncation (SOLACE_KOOPMAN_HYPERBOLIC): prod_i (1 + n_i) <= degree + 1 over
 * the per-coordinate degrees n_i (a Fourier degree k is the pair cos(k u), sin(k u)).
 * - The number of functions N against a brute-force count of the multi-indices, for every family
 *   in one and two dimensions (degrees 0..12), three dimensions (degrees 0..7) and Fourier x
 *   Hermite x Legendre (degrees 0..7): exact. In 15 dimensions (4^15 candidates: the pruned
 *   enumeration never visits them) against closed forms: hyperbolic degree 3 (151), total
 *   degree 2 (136).
 * - The pendulum theta'' = -sin theta, dt 0.5 (one CVODE step from the 64 x 112 trapezoid grid of
 *   koopman-pendulum), Fourier (angle) x Hermite (momentum) under the hyperbolic cross of degree
 *   24: the Koopman operator is unitary, so every eigenvalue with residual <= 0.1 lies within
 *   its residual (+1e-6 for quadrature and integration) of the unit circle; at least 4 such, the
 *   eigenvalue 1 (within 1e-3, residual <= 1e-2). */
#include <complex.h>
#include <stdlib.h>

#include "test-util.h"

#define PI 3.14159265358979323846

/* Brute force: the functions of the hyperbolic cross of `degree` for the d families `kinds`. */
static int64_t brute_count(int d, const int64_t *kinds, int64_t degree) {
  int64_t count = 0, idx[3] = {0, 0, 0};
  for (idx[0] = 0; idx[0] <= degree; idx[0]++)
    for (idx[1] = 0; idx[1] <= (d > 1 ? degree : 0); idx[1]++)
      for (idx[2] = 0; idx[2] <= (d > 2 ? degree : 0); idx[2]++) {
        int64_t prod = 1, functions = 1;
        for (int i = 0; i < d; i++) {
          prod *= 1 + idx[i];
          if (kinds[i] == SOLACE_KOOPMAN_DICT_FOURIER && idx[i] > 0) functions *= 2;
        }
        if (prod <= degree + 1) count += functions;
      }
  return count;
}

/* N of the library's truncation on MC random points of [-1, 1]^d (identity map), d <= 15. */
static int library_size(int d, const int64_t *kinds, int64_t degree, int truncation, int64_t *n) {
  enum { MC = 3000 };
  static double x[15 * MC];
  unsigned long long s = 99;
  for (int j = 0; j < d * MC; j++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    x[j] = 2 * (double)(s >> 11) / 9007199254740992.0 - 1;
  }
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, (int)kinds[0], degree, truncation));
  TEST_CALL(solace_koopman_set_dictionary_kinds(k, d, kinds));
  TEST_CALL(solace_koopman_set_data(k, d, MC, x, d, MC, x, d, NULL));
  TEST_CALL(solace_koopman_compute(k));
  TEST_CALL(solace_koopman_get_size(k, n, NULL));
  solace_koopman_destroy(&k);
  return 0;
}

static int check_counts(void) {
  int cases = 0, wrong = 0;
  for (int d = 1; d <= 3; d++)
    for (int64_t kind = 0; kind <= SOLACE_KOOPMAN_DICT_FOURIER + 1; kind++) {
      int64_t kinds[3] = {kind, kind, kind};
      if (kind > SOLACE_KOOPMAN_DICT_FOURIER) { /* mixed: Fourier x Hermite x Legendre */
        if (d == 1) continue;
        kinds[0] = SOLACE_KOOPMAN_DICT_FOURIER, kinds[1] = SOLACE_KOOPMAN_DICT_HERMITE;
        kinds[2] = SOLACE_KOOPMAN_DICT_LEGENDRE;
      }
      for (int64_t degree = 0; degree <= (d == 3 ? 7 : 12); degree++) {
        int64_t n = -1, want = brute_count(d, kinds, degree);
        if (library_size(d, kinds, degree, SOLACE_KOOPMAN_HYPERBOLIC, &n)) return 1;
        cases++, wrong += n != want;
        TEST_ASSERT(n == want,
                    "d %d, kinds %lld %lld %lld, degree %lld: N = %lld, brute force %lld", d,
                    (long long)kinds[0], (long long)kinds[1], (long long)kinds[2],
                    (long long)degree, (long long)n, (long long)want);
      }
    }
  printf("hyperbolic cross: N equals the brute-force count in %d of %d cases\n", cases - wrong,
         cases);
  /* 15 coordinates (3-D states with 4 delays): 4^15 candidate multi-indices, few admissible.
   * Hyperbolic degree 3: prod (1 + n_i) <= 4 allows 0, one n_i in 1..3 (45) or two n_i = 1
   * (105): 151; total degree 2: C(17, 2) = 136. */
  int64_t kinds15[15], nh = -1, nt = -1;
  for (int i = 0; i < 15; i++) kinds15[i] = SOLACE_KOOPMAN_DICT_LEGENDRE;
  if (library_size(15, kinds15, 3, SOLACE_KOOPMAN_HYPERBOLIC, &nh) ||
      library_size(15, kinds15, 2, SOLACE_KOOPMAN_TOTAL_DEGREE, &nt))
    return 1;
  printf("15 coordinates: hyperbolic cross of degree 3 N = %lld (151), total degree 2 N = %lld "
         "(136)\n",
         (long long)nh, (long long)nt);
  TEST_ASSERT(nh == 151 && nt == 136, "N = %lld, %lld", (long long)nh, (long long)nt);
  return 0;
}

enum { NT = 64, NP = 112, M = NT * NP, DEG = 24 };

/* The pendulum data of koopman-pendulum: x (2 x 2 x M: state, one step), trapezoid weights w. */
static int pendulum_data(double *x, double *w) {
  static double x0[2 * M];
  const double pmax = 8, hp = 2 * pmax / (NP - 1);
  for (int i = 0; i < NT; i++)
    for (int j = 0; j < NP; j++) {
      int s = i * NP + j;
      x0[2 * s] = -PI + 2 * PI * i / NT, x0[2 * s + 1] = -pmax + hp * j;
      w[s] = (2 * PI / NT) * hp * ((j == 0 || j == NP - 1) ? 0.5 : 1);
    }
  TEST_CALL(solace_koopman_simulate("pendulum", NULL, 0, 0.5, M, 2, x0, x));
  return 0;
}

static int check_pendulum(void) {
  static double x[4 * M], w[M], lambda[2 * M], res[M];
  if (pendulum_data(x, w)) return 1;
  solace_koopman k = NULL;
  int64_t kinds[2] = {SOLACE_KOOPMAN_DICT_FOURIER, SOLACE_KOOPMAN_DICT_HERMITE}, n, r, kept = 0;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_FOURIER, DEG,
                                          SOLACE_KOOPMAN_HYPERBOLIC));
  TEST_CALL(solace_koopman_set_dictionary_kinds(k, 2, kinds));
  TEST_CALL(solace_koopman_set_data(k, 2, M, x, 4, M, x + 2, 4, w));
  TEST_CALL(solace_koopman_compute(k));
  TEST_CALL(solace_koopman_get_size(k, &n, &r));
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  double excess = -INFINITY, spread = 0, one = INFINITY, res_one = INFINITY;
  for (int64_t a = 0; a < r; a++) {
    double off = fabs(hypot(lambda[2 * a], lambda[2 * a + 1]) - 1);
    spread = fmax(spread, off);
    if (res[a] <= 0.1) kept++, excess = fmax(excess, off - res[a]);
    double d1 = cabs(CMPLX(lambda[2 * a], lambda[2 * a + 1]) - 1);
    if (d1 < one) one = d1, res_one = res[a];
  }
  printf("pendulum, Fourier x Hermite hyperbolic cross %d: N = %lld (tensor: %d), EDMD up to "
         "%.3g off the circle; %lld with residual <= 0.1, max (||lambda| - 1| - residual) = %.3g; "
         "eigenvalue 1 at %.3g, residual %.3g\n",
         DEG, (long long)n, (2 * DEG + 1) * (DEG + 1), spread, (long long)kept, excess, one,
         res_one);
  TEST_ASSERT(n == brute_count(2, kinds, DEG), "N = %lld", (long long)n);
  TEST_ASSERT(kept >= 4 && excess <= 1e-6, "kept %lld, excess %g", (long long)kept, excess);
  TEST_ASSERT(one <= 1e-3 && res_one <= 1e-2, "eigenvalue 1: %g, residual %g", one, res_one);
  solace_koopman_destroy(&k);
  return 0;
}

int main(void) {
  if (check_counts() || check_pendulum()) return 1;
  TEST_FAILS_WITH(solace_koopman_set_dictionary(NULL, 0, 1, SOLACE_KOOPMAN_HYPERBOLIC),
                  SOLACE_ERR_ARG);
  return test_finish("koopman-hyperbolic");
}
