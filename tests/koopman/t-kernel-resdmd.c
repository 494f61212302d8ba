/* Kernelized ResDMD (solace_koopman_set_dictionary_kernel): a dictionary learned by kernel EDMD on
 * one set of snapshot pairs, then EDMD and ResDMD residuals on another.
 * - The quadratic map x -> (0.9 x1 - 0.2 x2 + 0.1 x2^2, 0.1 x1 + 0.7 x2 - 0.2 x1 x2) with the
 *   polynomial kernel of degree 2 and all r = 6 eigenvectors kept: the learned span is that of the
 *   monomials of total degree <= 2, so eigenvalues and residuals equal those of plain EDMD with
 *   these monomials on the same verification data, to 1e-10 (rounding only; the residuals are
 *   far from zero since the span is not invariant).
 * - The linear map x -> A x (A = [0.9 -0.2; 0.1 0.7], mu = 0.8 +- 0.1i), polynomial kernel of
 *   degree 3 (r = 10), n = 2: the conjugate pair is completed (N = 3) and the dictionary spans
 *   the eigenfunctions of {1, mu, conj mu}: eigenvalues to 1e-10 and residuals below 1e-10.
 * - The Laplacian kernel exp(-|x - y| / s), s = 1, on the rotation by 1 of the unit circle in R^2
 *   (100 learning points, 400 others; a unitary Koopman operator with eigenvalues e^{ik}): 20
 *   eigenvectors kept (21 functions); e^{ik}, |k| <= 2, to 1e-3 with residuals <= 1e-3 (the kernel
 *   span only approximates the Fourier modes: measured 7e-5 and 4.7e-4), and every eigenvalue with
 *   residual <= 0.1 within its residual (+1e-6) of the circle, as ResDMD guarantees for a normal
 *   operator.
 * - Bad arguments: errors with the settings kept; data of another dimension. */
#include <complex.h>

#include "test-util.h"

enum { ML = 200, MV = 400 };

static double uniform(unsigned long long *state) {
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) / 9007199254740992.0;
}

/* Pseudo-random points of [-1, 1]^2 and their images under the linear (q = 0) or quadratic map. */
static void sample(unsigned long long seed, int m, double q, double *x, double *y) {
  for (int j = 0; j < m; j++) {
    double a = 2 * uniform(&seed) - 1, b = 2 * uniform(&seed) - 1;
    x[2 * j] = a, x[2 * j + 1] = b;
    y[2 * j] = 0.9 * a - 0.2 * b + q * 0.1 * b * b;
    y[2 * j + 1] = 0.1 * a + 0.7 * b - q * 0.2 * a * b;
  }
}

/* EDMD on the verification data with k's dictionary: r, eigenvalues, residuals. Householder QR,
 * so that residuals of exactly closed spans are at rounding level (the Gram path that AUTO takes
 * for tall data gives them to ~1e-8 only). */
static int run(solace_koopman k, const double *x, const double *y, int64_t *r, double *lambda,
               double *res) {
  TEST_CALL(solace_koopman_set_qr(k, SOLACE_KOOPMAN_QR_HOUSEHOLDER));
  TEST_CALL(solace_koopman_set_data(k, 2, MV, x, 2, MV, y, 2, NULL));
  TEST_CALL(solace_koopman_compute(k));
  TEST_CALL(solace_koopman_get_size(k, NULL, r));
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  return 0;
}

/* Index of the eigenvalue nearest to z. */
static int64_t nearest(int64_t r, const double *lambda, double complex z) {
  int64_t best = 0;
  for (int64_t b = 1; b < r; b++)
    if (cabs(z - CMPLX(lambda[2 * b], lambda[2 * b + 1])) <
        cabs(z - CMPLX(lambda[2 * best], lambda[2 * best + 1])))
      best = b;
  return best;
}

static int check_against_monomials(void) {
  static double xl[2 * ML], yl[2 * ML], xv[2 * MV], yv[2 * MV];
  double lk[12], rk[6], le[12], re[6], shift[2] = {0, 0}, scale[2] = {1, 1}, el = 0, er = 0;
  int64_t n, rkn, ren;
  sample(11, ML, 1, xl, yl), sample(12, MV, 1, xv, yv);
  solace_koopman k = NULL, e = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary_kernel(k, SOLACE_KOOPMAN_KERNEL_POLYNOMIAL, 2, 2, ML, xl,
                                                 2, yl, 2, NULL, 1e-6, 6, &n));
  TEST_ASSERT(n == 6, "%lld learned functions, not 6", (long long)n);
  if (run(k, xv, yv, &rkn, lk, rk)) return 1;
  TEST_CALL(solace_koopman_create(&e));
  TEST_CALL(solace_koopman_set_dictionary(e, SOLACE_KOOPMAN_DICT_MONOMIAL, 2,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_scaling(e, 2, shift, scale));
  if (run(e, xv, yv, &ren, le, re)) return 1;
  TEST_ASSERT(rkn == 6 && ren == 6, "sizes %lld, %lld", (long long)rkn, (long long)ren);
  double minres = INFINITY;
  for (int64_t a = 0; a < 6; a++) { /* matched by value: ties in modulus may order differently */
    int64_t b = nearest(6, lk, CMPLX(le[2 * a], le[2 * a + 1]));
    el = fmax(el, cabs(CMPLX(le[2 * a] - lk[2 * b], le[2 * a + 1] - lk[2 * b + 1])));
    er = fmax(er, fabs(re[a] - rk[b])), minres = fmin(minres, re[a]);
  }
  printf("polynomial kernel degree 2 vs monomials of degree 2 (quadratic map): eigenvalues %.3g, "
         "residuals %.3g (residuals from %.3g)\n",
         el, er, minres);
  TEST_ASSERT(el <= 1e-10 && er <= 1e-10, "eigenvalues %g, residuals %g", el, er);
  solace_koopman_destroy(&k), solace_koopman_destroy(&e);
  return 0;
}

static int check_linear(int kernel, double param, int64_t n_keep, int64_t n_want, double tol_res) {
  static double xl[2 * ML], yl[2 * ML], xv[2 * MV], yv[2 * MV], lambda[2 * MV], res[MV];
  const double complex want[3] = {1, CMPLX(0.8, 0.1), CMPLX(0.8, -0.1)};
  int64_t n, r;
  sample(21, ML, 0, xl, yl), sample(22, MV, 0, xv, yv);
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary_kernel(k, kernel, param, 2, ML, xl, 2, yl, 2, NULL, 1e-6,
                                                 n_keep, &n));
  if (run(k, xv, yv, &r, lambda, res)) return 1;
  double err = 0, worst = 0;
  for (int a = 0; a < 3; a++) {
    int64_t b = nearest(r, lambda, want[a]);
    err = fmax(err, cabs(want[a] - CMPLX(lambda[2 * b], lambda[2 * b + 1])));
    worst = fmax(worst, res[b]);
  }
  printf("kernel %d (param %g), n = %lld: %lld functions, error of 1, mu, conj mu %.3g, their "
         "residuals <= %.3g\n",
         kernel, param, (long long)n_keep, (long long)n, err, worst);
  TEST_ASSERT(n == n_want && err <= tol_res && worst <= tol_res,
              "N = %lld (want %lld), error %g, residual %g", (long long)n, (long long)n_want, err,
              worst);
  solace_koopman_destroy(&k);
  return 0;
}

/* The rotation by 1 of the unit circle embedded in R^2, nl points at angles 2 pi (j + off) / nl. */
static void circle(int m, double off, double *x, double *y) {
  for (int j = 0; j < m; j++) {
    double t = 2 * 3.14159265358979323846 * (j + off) / m;
    x[2 * j] = cos(t), x[2 * j + 1] = sin(t), y[2 * j] = cos(t + 1), y[2 * j + 1] = sin(t + 1);
  }
}

static int check_laplacian(void) {
  enum { MC = 100 };
  static double xl[2 * MC], yl[2 * MC], xv[2 * MV], yv[2 * MV], lambda[2 * MV], res[MV];
  int64_t n, r, kept = 0;
  circle(MC, 0.25, xl, yl), circle(MV, 0.5, xv, yv);
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary_kernel(k, SOLACE_KOOPMAN_KERNEL_LAPLACIAN, 1, 2, MC, xl,
                                                 2, yl, 2, NULL, 1e-6, 20, &n));
  if (run(k, xv, yv, &r, lambda, res)) return 1;
  double err = 0, worst = 0, off = -INFINITY;
  for (int q = -2; q <= 2; q++) {
    int64_t b = nearest(r, lambda, cexp(I * q));
    err = fmax(err, cabs(cexp(I * q) - CMPLX(lambda[2 * b], lambda[2 * b + 1])));
    worst = fmax(worst, res[b]);
  }
  for (int64_t b = 0; b < r; b++)
    if (res[b] <= 0.1)
      kept++, off = fmax(off, fabs(hypot(lambda[2 * b], lambda[2 * b + 1]) - 1) - res[b]);
  printf("Laplacian kernel on the rotation: %lld functions, e^{ik}, |k| <= 2: error %.3g, residual "
         "<= %.3g; %lld with residual <= 0.1, distance to the circle - residual <= %.3g\n",
         (long long)n, err, worst, (long long)kept, off);
  TEST_ASSERT(err <= 1e-3 && worst <= 1e-3 && kept >= 5 && off <= 1e-6,
              "error %g, residual %g, kept %lld, off %g", err, worst, (long long)kept, off);
  solace_koopman_destroy(&k);
  return 0;
}

static int check_errors(void) {
  static double x[2 * ML], y[2 * ML], bad[4] = {0, 0, NAN, 0}, x3[3 * ML];
  sample(5, ML, 0, x, y);
  const int poly = SOLACE_KOOPMAN_KERNEL_POLYNOMIAL, lap = SOLACE_KOOPMAN_KERNEL_LAPLACIAN;
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_ASSERT(solace_koopman_set_dictionary_kernel(NULL, poly, 1, 2, ML, x, 2, y, 2, NULL, 0, 3,
                                                   NULL) == SOLACE_ERR_ARG,
              "NULL handle accepted");
  TEST_ASSERT(solace_koopman_set_dictionary_kernel(k, poly, 1, 2, ML, x, 2, y, 2, NULL, 0, 0,
                                                   NULL) == SOLACE_ERR_ARG,
              "n = 0 accepted");
  TEST_ASSERT(solace_koopman_set_dictionary_kernel(k, lap, -1, 2, ML, x, 2, y, 2, NULL, 0, 3,
                                                   NULL) == SOLACE_ERR_ARG,
              "negative Laplacian width accepted");
  TEST_ASSERT(solace_koopman_set_dictionary_kernel(k, 9, 1, 2, ML, x, 2, y, 2, NULL, 0, 3, NULL) ==
                  SOLACE_ERR_ARG,
              "kernel 9 accepted");
  TEST_ASSERT(solace_koopman_set_dictionary_kernel(k, poly, 1, 2, 2, bad, 2, y, 2, NULL, 0, 3,
                                                   NULL) == SOLACE_ERR_ARG,
              "NaN accepted");
  printf("bad arguments: %s\n", solace_error_message());
  TEST_CALL(solace_koopman_set_dictionary_kernel(k, poly, 1, 2, ML, x, 2, y, 2, NULL, 0, 3, NULL));
  for (int j = 0; j < 3 * ML; j++) x3[j] = x[j % (2 * ML)];
  TEST_CALL(solace_koopman_set_data(k, 3, ML, x3, 3, ML, x3, 3, NULL));
  TEST_ASSERT(solace_koopman_compute(k) == SOLACE_ERR_ARG &&
                  strstr(solace_error_message(), "learned in dimension 2"),
              "3-D data accepted: %s", solace_error_message());
  printf("other dimension: %s\n", solace_error_message());
  /* switching back to a built-in dictionary releases the learned one (checked under ASan) */
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_MONOMIAL, 1,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_compute(k));
  solace_koopman_destroy(&k);
  return 0;
}

int main(void) {
  if (check_against_monomials()) return 1;
  if (check_linear(SOLACE_KOOPMAN_KERNEL_POLYNOMIAL, 3, 2, 3, 1e-10)) return 1;
  if (check_laplacian()) return 1;
  check_errors();
  return test_finish("koopman-kernel-resdmd");
}
