/* The Cholesky QR path of solace_koopman_compute() against the Householder one on the same data.
 * The circle map x -> x + 1 + 0.3 sin x (mod 2 pi) from 20000 pseudo-random points, Fourier
 * dictionary of degree 20 (N = 41; rank-deficient [PsiX PsiY]: both hold the constant), and a 2-D
 * polynomial map with a total-degree-6 Legendre dictionary (N = 28): the eigenvalues agree to 1e-11
 * and the residuals to 1e-11 (absolute; measured 1.6e-14 and 2.6e-13), and the Cholesky path really
 * ran (asked for explicitly: AUTO takes the Gram path on such tall well-conditioned data, see
 * t-gram.c). Monomials of degree 14 on [0, 1] unscaled (cond ~ 1e10) make the Cholesky path fall
 * back to Householder, with results identical to a Householder run. Bad QR kinds and get_qr before
 * a compute are errors. */
#include <complex.h>
#include <string.h>

#include "test-util.h"

#define TWO_PI 6.28318530717958647692

enum { M = 20000 };

static double uniform(unsigned long long *state) {
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) / 9007199254740992.0;
}

/* Eigenvalues and residuals of one compute with the given QR; *used: the QR that ran. */
static int run(int d, const double *x, const double *y, int kind, int64_t degree, int qr,
               int scaled, double *lambda, double *res, int64_t *r, int *used) {
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, kind, degree, SOLACE_KOOPMAN_TOTAL_DEGREE));
  if (!scaled) {
    double shift[2] = {0, 0}, scale[2] = {1, 1};
    TEST_CALL(solace_koopman_set_scaling(k, d, shift, scale));
  }
  TEST_CALL(solace_koopman_set_qr(k, qr));
  TEST_CALL(solace_koopman_set_data(k, d, M, x, d, M, y, d, NULL));
  TEST_CALL(solace_koopman_compute(k));
  TEST_CALL(solace_koopman_get_size(k, NULL, r));
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  TEST_CALL(solace_koopman_get_qr(k, used));
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

/* Largest differences of the eigenvalues (each Cholesky one to the nearest Householder one,
 * eigenpairs with residual <= 0.5) and of all residuals (same sorted order). */
static void compare(int64_t r, const double *lc, const double *rc, const double *lh,
                    const double *rh, double *dl, double *dr) {
  *dl = 0, *dr = 0;
  for (int64_t a = 0; a < r; a++) {
    double best = INFINITY;
    for (int64_t b = 0; b < r; b++)
      best = fmin(best, hypot(lc[2 * a] - lh[2 * b], lc[2 * a + 1] - lh[2 * b + 1]));
    if (rc[a] <= 0.5) *dl = fmax(*dl, best);
    *dr = fmax(*dr, fabs(rc[a] - rh[a]));
  }
}

static int check_case(const char *name, int d, const double *x, const double *y, int kind,
                      int64_t degree, int64_t n) {
  double lc[2 * 41], lh[2 * 41], rc[41], rh[41], dl, dr;
  int64_t r1, r2;
  int used1, used2;
  TEST_CALL(run(d, x, y, kind, degree, SOLACE_KOOPMAN_QR_CHOLESKY, 1, lc, rc, &r1, &used1));
  TEST_CALL(run(d, x, y, kind, degree, SOLACE_KOOPMAN_QR_HOUSEHOLDER, 1, lh, rh, &r2, &used2));
  TEST_ASSERT(used1 == SOLACE_KOOPMAN_QR_CHOLESKY && used2 == SOLACE_KOOPMAN_QR_HOUSEHOLDER,
              "%s: QR used %d and %d", name, used1, used2);
  TEST_ASSERT(r1 == n && r2 == n, "%s: rank %lld and %lld", name, (long long)r1, (long long)r2);
  compare(n, lc, rc, lh, rh, &dl, &dr);
  double smallest = INFINITY;
  for (int64_t a = 0; a < n; a++) smallest = fmin(smallest, rh[a]);
  printf("%s: Cholesky vs Householder: eigenvalues %.3g, residuals %.3g (smallest residual "
         "%.3g)\n",
         name, dl, dr, smallest);
  TEST_ASSERT(dl <= 1e-11 && dr <= 1e-11, "%s: eigenvalues differ by %g, residuals by %g", name, dl,
              dr);
  return 0;
}

static int check_fallback(const double *x, const double *y) {
  double lc[30], lh[30], rc[15], rh[15];
  int64_t r1, r2;
  int used1, used2;
  TEST_CALL(run(1, x, y, SOLACE_KOOPMAN_DICT_MONOMIAL, 14, SOLACE_KOOPMAN_QR_CHOLESKY, 0, lc, rc,
                &r1, &used1));
  TEST_CALL(run(1, x, y, SOLACE_KOOPMAN_DICT_MONOMIAL, 14, SOLACE_KOOPMAN_QR_HOUSEHOLDER, 0, lh, rh,
                &r2, &used2));
  printf("monomials of degree 14 on [0, 1]: QR used %s, rank %lld\n",
         used1 == SOLACE_KOOPMAN_QR_CHOLESKY ? "Cholesky" : "Householder", (long long)r1);
  TEST_ASSERT(used1 == SOLACE_KOOPMAN_QR_HOUSEHOLDER,
              "no fallback on an ill-conditioned dictionary");
  TEST_ASSERT(r1 == r2 && !memcmp(lc, lh, sizeof(double) * 2 * r1) &&
                  !memcmp(rc, rh, sizeof(double) * r1),
              "the fallback differs from Householder");
  return 0;
}

static int check_errors(void) {
  solace_koopman k = NULL;
  int used;
  TEST_CALL(solace_koopman_create(&k));
  TEST_ASSERT(solace_koopman_set_qr(k, 4) == SOLACE_ERR_ARG, "QR kind 4 accepted");
  TEST_ASSERT(solace_koopman_set_qr(k, -1) == SOLACE_ERR_ARG, "QR kind -1 accepted");
  TEST_ASSERT(solace_koopman_set_qr(NULL, 0) == SOLACE_ERR_ARG, "NULL handle accepted");
  TEST_ASSERT(solace_koopman_get_qr(k, &used) == SOLACE_ERR_STATE, "get_qr before compute");
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

int main(void) {
  static double x[2 * M], y[2 * M], x1[M], y1[M];
  unsigned long long state = 12345;
  for (int j = 0; j < M; j++) {
    double t = TWO_PI * uniform(&state);
    x1[j] = t, y1[j] = fmod(t + 1 + 0.3 * sin(t), TWO_PI);
  }
  if (check_case("circle map, Fourier 20", 1, x1, y1, SOLACE_KOOPMAN_DICT_FOURIER, 20, 41))
    return 1;
  for (int j = 0; j < M; j++) {
    double a = 2 * uniform(&state) - 1, b = 2 * uniform(&state) - 1;
    x[2 * j] = a, x[2 * j + 1] = b;
    y[2 * j] = 0.9 * a - 0.2 * b * b, y[2 * j + 1] = 0.5 * b + 0.3 * a * a;
  }
  if (check_case("polynomial map, Legendre 6", 2, x, y, SOLACE_KOOPMAN_DICT_LEGENDRE, 6, 28))
    return 1;
  for (int j = 0; j < M; j++) x1[j] = uniform(&state), y1[j] = 0.8 * x1[j] * (1 - 0.5 * x1[j]);
  if (check_fallback(x1, y1)) return 1;
  if (check_errors()) return 1;
  return test_finish("koopman-cholqr");
}
