/* Kernel EDMD on the linear map x -> A x, A = [0.9 -0.2; 0.1 0.7] (eigenvalues 0.8 +- 0.1i), 200
 * pseudo-random points of [-1, 1]^2. The polynomial kernel (1 + x . y)^p spans the monomials of
 * total degree <= p, on which the Koopman operator of a linear map acts exactly: degree 1 gives
 * rank 3 and {1, mu, conj(mu)}, degree 2 rank 6 and the products mu^a conj(mu)^b, a + b <= 2, to
 * 1e-10; degree 3 agrees with plain EDMD on unscaled monomials of total degree 3 to 1e-10. The
 * Gaussian kernel recovers 1 and mu among its eigenvalues to 1e-5
 * (measured 3.8e-7; the polynomial cases 1.3e-15, against EDMD 3e-15). Bad arguments are errors. */
#include <complex.h>

#include "test-util.h"

enum { M = 200 };

static double uniform(unsigned long long *state) {
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) / 9007199254740992.0;
}

/* Largest distance from each wanted value to the nearest of the r eigenvalues. */
static double match(int64_t nw, const double complex *want, int64_t r, const double *lambda) {
  double err = 0;
  for (int64_t a = 0; a < nw; a++) {
    double best = INFINITY;
    for (int64_t b = 0; b < r; b++)
      best = fmin(best, cabs(want[a] - CMPLX(lambda[2 * b], lambda[2 * b + 1])));
    err = fmax(err, best);
  }
  return err;
}

static int check_polynomial(const double *x, const double *y) {
  static double lambda[2 * M];
  const double complex mu = CMPLX(0.8, 0.1), mc = conj(mu);
  const double complex want[6] = {1, mu, mc, mu * mu, mc * mc, mu * mc};
  int64_t rank;
  for (int p = 1; p <= 2; p++) {
    TEST_CALL(solace_koopman_kernel_edmd(SOLACE_KOOPMAN_KERNEL_POLYNOMIAL, p, 2, M, x, 2, y, 2,
                                         NULL, 1e-6, &rank, lambda));
    int64_t n = p == 1 ? 3 : 6;
    double err = match(n, want, rank, lambda);
    printf("polynomial kernel, degree %d: rank %lld, eigenvalue error %.3g\n", p, (long long)rank,
           err);
    TEST_ASSERT(rank == n && err <= 1e-10, "degree %d: rank %lld, error %g", p, (long long)rank,
                err);
  }
  return 0;
}

static int check_against_edmd(const double *x, const double *y) {
  static double lk[2 * M], le[20];
  int64_t rank, n, r;
  TEST_CALL(solace_koopman_kernel_edmd(SOLACE_KOOPMAN_KERNEL_POLYNOMIAL, 3, 2, M, x, 2, y, 2, NULL,
                                       1e-6, &rank, lk));
  solace_koopman k = NULL;
  double shift[2] = {0, 0}, scale[2] = {1, 1}, err = 0;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_MONOMIAL, 3,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_scaling(k, 2, shift, scale));
  TEST_CALL(solace_koopman_set_data(k, 2, M, x, 2, M, y, 2, NULL));
  TEST_CALL(solace_koopman_compute(k));
  TEST_CALL(solace_koopman_get_size(k, &n, &r));
  TEST_CALL(solace_koopman_get_eigenvalues(k, le));
  TEST_CALL(solace_koopman_destroy(&k));
  double complex want[10]; /* equal moduli make the sorted orders differ: match instead */
  for (int64_t a = 0; a < r && a < 10; a++) want[a] = CMPLX(le[2 * a], le[2 * a + 1]);
  err = match(r < 10 ? r : 10, want, rank, lk);
  printf("polynomial kernel of degree 3 vs EDMD on %lld monomials: ranks %lld, %lld, difference "
         "%.3g\n",
         (long long)n, (long long)rank, (long long)r, err);
  TEST_ASSERT(rank == 10 && r == 10 && err <= 1e-10, "ranks %lld, %lld, difference %g",
              (long long)rank, (long long)r, err);
  return 0;
}

static int check_gaussian(const double *x, const double *y) {
  static double lambda[2 * M];
  const double complex want[3] = {1, CMPLX(0.8, 0.1), CMPLX(0.8, -0.1)};
  int64_t rank;
  TEST_CALL(solace_koopman_kernel_edmd(SOLACE_KOOPMAN_KERNEL_GAUSSIAN, 2, 2, M, x, 2, y, 2, NULL,
                                       1e-7, &rank, lambda));
  double err = match(3, want, rank, lambda);
  printf("Gaussian kernel, width 2: rank %lld, error of 1 and mu %.3g\n", (long long)rank, err);
  TEST_ASSERT(rank >= 3 && err <= 1e-5, "rank %lld, error %g", (long long)rank, err);
  return 0;
}

static int check_errors(const double *x, const double *y) {
  double lambda[2 * M], bad[4] = {0, 0, NAN, 0};
  int64_t rank;
  const int poly = SOLACE_KOOPMAN_KERNEL_POLYNOMIAL, gauss = SOLACE_KOOPMAN_KERNEL_GAUSSIAN;
  TEST_ASSERT(solace_koopman_kernel_edmd(7, 1, 2, M, x, 2, y, 2, NULL, 0, &rank, lambda) ==
                  SOLACE_ERR_ARG,
              "kernel 7 accepted");
  TEST_ASSERT(solace_koopman_kernel_edmd(poly, 1.5, 2, M, x, 2, y, 2, NULL, 0, &rank, lambda) ==
                  SOLACE_ERR_ARG,
              "degree 1.5 accepted");
  TEST_ASSERT(solace_koopman_kernel_edmd(gauss, 0, 2, M, x, 2, y, 2, NULL, 0, &rank, lambda) ==
                  SOLACE_ERR_ARG,
              "width 0 accepted");
  TEST_ASSERT(solace_koopman_kernel_edmd(gauss, 1, 2, 2, bad, 2, y, 2, NULL, 0, &rank, lambda) ==
                  SOLACE_ERR_ARG,
              "NaN data accepted");
  TEST_ASSERT(solace_koopman_kernel_edmd(gauss, 1, 2, 0, x, 2, y, 2, NULL, 0, &rank, lambda) ==
                  SOLACE_ERR_ARG,
              "m = 0 accepted");
  TEST_ASSERT(solace_koopman_kernel_edmd(gauss, 1, 2, M, x, 1, y, 2, NULL, 0, &rank, lambda) ==
                  SOLACE_ERR_ARG,
              "ldx < d accepted");
  TEST_ASSERT(solace_koopman_kernel_edmd(gauss, 1, 2, M, x, 2, y, 2, NULL, 0, NULL, lambda) ==
                  SOLACE_ERR_ARG,
              "NULL rank accepted");
  printf("bad arguments: %s\n", solace_error_message());
  return 0;
}

int main(void) {
  static double x[2 * M], y[2 * M];
  unsigned long long state = 777;
  for (int j = 0; j < M; j++) {
    double a = 2 * uniform(&state) - 1, b = 2 * uniform(&state) - 1;
    x[2 * j] = a, x[2 * j + 1] = b;
    y[2 * j] = 0.9 * a - 0.2 * b, y[2 * j + 1] = 0.1 * a + 0.7 * b;
  }
  if (check_polynomial(x, y) || check_against_edmd(x, y) || check_gaussian(x, y)) return 1;
  check_errors(x, y);
  return test_finish("koopman-kernel");
}
