/* Dictionaries against exact answers.
 *  - Hermite functions on the plane rotation x -> R(omega) x: the products
 *    h_a(x1) h_b(x2) with a + b = n span an eigenspace of the 2-D harmonic
 *    oscillator, which commutes with rotations, so the total-degree-DEG space
 *    is invariant and K acts on degree n with eigenvalues exp(i l omega),
 *    l = -n, -n + 2, .., n. EDMD returns exactly these, with their
 *    multiplicities (floor((DEG - |l|) / 2) + 1), and zero residuals:
 *    tolerance 1e-10 (exact data; K is unitary in the L2 inner product, so the
 *    repeated eigenvalues stay well conditioned).
 *  - Gaussian RBFs on a cyclic permutation of P distinct points: k-means with
 *    P centres puts one centre on each point, the RBFs span every function on
 *    the points (the Gaussian kernel matrix is positive definite), and K is the
 *    permutation matrix: eigenvalues the P-th roots of unity, residuals 0
 *    (tolerance 1e-10; the kernel matrix has condition ~1e3).
 *  - k-means on C well-separated clusters: the centres are the cluster means
 *    and the RBF scale the mean distance to them (1e-12); with the identity map
 *    every EDMD eigenvalue is 1 with residual 0 (1e-10). */
#include <complex.h>
#include <stdlib.h>
#include <string.h>

#include "solvers/koopman/koopman-impl.h"
#include "test-util.h"

#define PI 3.14159265358979323846

static int check_hermite_rotation(void) {
  enum { DEG = 6, M = 500, N = (DEG + 1) * (DEG + 2) / 2 };
  const double omega = 0.7;
  double x[2 * M], y[2 * M];
  TEST_CALL(solace_rand_normal(31, 0, 0, 2 * M, x));
  for (int j = 0; j < M; j++) {
    x[2 * j] *= 1.5, x[2 * j + 1] *= 1.5;
    y[2 * j] = cos(omega) * x[2 * j] - sin(omega) * x[2 * j + 1];
    y[2 * j + 1] = sin(omega) * x[2 * j] + cos(omega) * x[2 * j + 1];
  }
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  /* residuals to eps need a QR path: AUTO takes the Gram path (residuals to ~1e-8) here */
  TEST_CALL(solace_koopman_set_qr(k, SOLACE_KOOPMAN_QR_HOUSEHOLDER));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_HERMITE, DEG,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_data(k, 2, M, x, 2, M, y, 2, NULL));
  TEST_CALL(solace_koopman_compute(k));
  int64_t n, r;
  TEST_CALL(solace_koopman_get_size(k, &n, &r));
  TEST_ASSERT(n == N && r == N, "N = %lld, r = %lld", (long long)n, (long long)r);
  if (r != N) return 1;
  double lambda[2 * N], res[N], err = 0, worst = 0;
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  for (int j = 0; j < N; j++) { /* each eigenvalue is some exp(i l omega), |l| <= DEG */
    double best = INFINITY;
    for (int l = -DEG; l <= DEG; l++)
      best = fmin(best, cabs(CMPLX(lambda[2 * j], lambda[2 * j + 1]) - cexp(I * l * omega)));
    err = fmax(err, best), worst = fmax(worst, res[j]);
  }
  for (int l = -DEG; l <= DEG; l++) { /* with multiplicity floor((DEG - |l|) / 2) + 1 */
    int count = 0;
    for (int j = 0; j < N; j++)
      count += cabs(CMPLX(lambda[2 * j], lambda[2 * j + 1]) - cexp(I * l * omega)) < 1e-6;
    TEST_ASSERT(count == (DEG - abs(l)) / 2 + 1, "exp(i %d omega) found %d times", l, count);
  }
  printf("Hermite, rotation: max |lambda - exp(i l omega)| = %.3g, max residual %.3g (N = %d)\n",
         err, worst, N);
  TEST_ASSERT(err <= 1e-10, "eigenvalue error %g", err);
  TEST_ASSERT(worst <= 1e-10, "residual %g", worst);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

static int check_rbf_permutation(void) {
  enum { P = 9 };
  double x[2 * P], y[2 * P];
  for (int j = 0; j < P; j++) { /* points on a circle of radius 1.3, shuffled order */
    int s = (4 * j) % P;
    x[2 * j] = 1.3 * cos(2 * PI * s / P), x[2 * j + 1] = 1.3 * sin(2 * PI * s / P);
  }
  for (int j = 0; j < P; j++) /* F(x_j) = x_{j+1 mod P}: one P-cycle */
    memcpy(y + 2 * j, x + 2 * ((j + 1) % P), sizeof(double) * 2);
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_RBF, P, 0));
  TEST_CALL(solace_koopman_set_data(k, 2, P, x, 2, P, y, 2, NULL));
  TEST_CALL(solace_koopman_compute(k));
  int64_t n, r;
  TEST_CALL(solace_koopman_get_size(k, &n, &r));
  TEST_ASSERT(n == P && r == P, "N = %lld, r = %lld", (long long)n, (long long)r);
  if (r != P) return 1;
  double centre_err = 0; /* every point is a centre */
  for (int j = 0; j < P; j++) {
    double best = INFINITY;
    for (int a = 0; a < P; a++)
      best = fmin(best, hypot(x[2 * j] - k->dict.centres[2 * a],
                              x[2 * j + 1] - k->dict.centres[2 * a + 1]));
    centre_err = fmax(centre_err, best);
  }
  double lambda[2 * P], res[P], err = 0, worst = 0;
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  for (int m = 0; m < P; m++) {
    double best = INFINITY;
    for (int j = 0; j < P; j++)
      best = fmin(best, cabs(CMPLX(lambda[2 * j], lambda[2 * j + 1]) - cexp(2 * PI * I * m / P)));
    err = fmax(err, best), worst = fmax(worst, res[m]);
  }
  printf("RBF, %d-cycle: centres off the points by %.3g, max |lambda - root of unity| = %.3g, max "
         "residual %.3g\n",
         P, centre_err, err, worst);
  TEST_ASSERT(centre_err == 0, "a point is not a centre (%g)", centre_err);
  TEST_ASSERT(err <= 1e-10, "eigenvalue error %g", err);
  TEST_ASSERT(worst <= 1e-10, "residual %g", worst);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

static int check_kmeans_clusters(void) {
  enum { C = 4, S = 50, M = C * S };
  const double centre[2 * C] = {0, 0, 5, 0, 0, 5, 5, 5};
  double x[2 * M], mean[2 * C] = {0};
  TEST_CALL(solace_rand_normal(41, 0, 0, 2 * M, x));
  for (int c = 0; c < C; c++)
    for (int s = 0; s < S; s++)
      for (int i = 0; i < 2; i++) {
        double *v = x + 2 * (c * S + s) + i;
        *v = centre[2 * c + i] + 0.3 * *v;
        mean[2 * c + i] += *v / S;
      }
  double width = 0;
  for (int c = 0; c < C; c++)
    for (int s = 0; s < S; s++)
      width +=
          hypot(x[2 * (c * S + s)] - mean[2 * c], x[2 * (c * S + s) + 1] - mean[2 * c + 1]) / M;
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_RBF, C, 0));
  TEST_CALL(solace_koopman_set_data(k, 2, M, x, 2, M, x, 2, NULL)); /* the identity map */
  TEST_CALL(solace_koopman_compute(k));
  double centre_err = 0;
  for (int c = 0; c < C; c++) {
    double best = INFINITY;
    for (int a = 0; a < C; a++)
      best = fmin(best, hypot(mean[2 * c] - k->dict.centres[2 * a],
                              mean[2 * c + 1] - k->dict.centres[2 * a + 1]));
    centre_err = fmax(centre_err, best);
  }
  double lambda[2 * C], res[C], err = 0, worst = 0;
  int64_t r;
  TEST_CALL(solace_koopman_get_size(k, NULL, &r));
  TEST_ASSERT(r == C, "r = %lld", (long long)r);
  TEST_CALL(solace_koopman_get_eigenvalues(k, lambda));
  TEST_CALL(solace_koopman_get_residuals(k, res));
  for (int j = 0; j < r && j < C; j++)
    err = fmax(err, cabs(CMPLX(lambda[2 * j], lambda[2 * j + 1]) - 1)), worst = fmax(worst, res[j]);
  printf("k-means, %d clusters: centre error %.3g, width error %.3g; identity map: max |lambda - "
         "1| = %.3g, max residual %.3g\n",
         C, centre_err, fabs(k->dict.width - width), err, worst);
  TEST_ASSERT(centre_err <= 1e-12, "centres off the cluster means by %g", centre_err);
  TEST_NEAR(k->dict.width, width, 1e-12);
  TEST_ASSERT(err <= 1e-10 && worst <= 1e-10, "identity map: %g, %g", err, worst);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

int main(void) {
  if (check_hermite_rotation()) test_failures++;
  if (check_rbf_permutation()) test_failures++;
  if (check_kmeans_clusters()) test_failures++;
  return test_finish("koopman-dictionaries");
}
