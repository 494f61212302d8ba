/* The pseudospectrum function against an independent reference: the smallest eigenvalue of
 * the generalized Hermitian problem (L - z A^* - conj(z) A + |z|^2 G) g = tau^2 G g built here
 * from the dictionary matrices (LAPACK zhegv), on a 14 x 14 grid and at the EDMD eigenvalues.
 * Data: a random non-normal 12 x 12 map A (spectral radius ~1) plus a small nonlinearity
 * 0.05 sin(x) that leaves the span of the monomials of total degree <= 2 (N = 91, so E != 0
 * and Lanczos stops before N steps). Tolerance 1e-9 + 1e-7 tau: the
 * reference's own error is about eps ||L|| / tau (< 1e-12 for tau > 1e-3) and the library's
 * squared form is accurate to r eps / 2e-6 relative (1e-9 at r = 91, koopman.h). With the
 * exact linear data y = A x the span is invariant, tau(lambda) is 0, the squared form
 * alone would give ~1e-8 (sqrt(eps)), and the SVD fallback gives <= 1e-10 (asserted).
 * Run on 1 and on 2 MPI ranks (the points are split and gathered): every rank checks the
 * whole array. */
#include <complex.h>
#include <lapacke.h>
#include <string.h>

#include "test-util.h"

enum { D = 12, M = 3000, N = 1 + D + D * (D + 1) / 2, G = 14, NZ = G * G + N };

/* y = A x (+ 0.05 sin(x) when nonlinear) for the M columns of x. */
static void apply(const double *a, const double *x, double *y, int nonlinear) {
  for (int j = 0; j < M; j++)
    for (int i = 0; i < D; i++) {
      double s = nonlinear ? 0.05 * sin(x[i + j * D]) : 0;
      for (int k = 0; k < D; k++) s += a[i + k * D] * x[k + j * D];
      y[i + j * D] = s;
    }
}

/* The monomials of total degree <= 2 at x (D entries): 1, x_i, x_i x_j (i <= j), in any order
 * (tau does not depend on it). */
static void monomials(const double *x, double *psi) {
  int n = 0;
  psi[n++] = 1;
  for (int i = 0; i < D; i++) psi[n++] = x[i];
  for (int i = 0; i < D; i++)
    for (int j = i; j < D; j++) psi[n++] = x[i] * x[j];
}

/* Gram matrices of the monomials: g = PsiX^T PsiX / M, ca = PsiX^T PsiY / M, l = PsiY^T
 * PsiY / M (N x N). */
static void gram(const double *x, const double *y, double *g, double *ca, double *l) {
  memset(g, 0, sizeof(double) * N * N), memset(ca, 0, sizeof(double) * N * N);
  memset(l, 0, sizeof(double) * N * N);
  for (int m = 0; m < M; m++) {
    double px[N], py[N];
    monomials(x + m * D, px), monomials(y + m * D, py);
    for (int j = 0; j < N; j++)
      for (int i = 0; i < N; i++) {
        g[i + j * N] += px[i] * px[j] / M;
        ca[i + j * N] += px[i] * py[j] / M;
        l[i + j * N] += py[i] * py[j] / M;
      }
  }
}

/* tau(z)^2 = smallest eigenvalue of (L - z A^T - conj(z) A + |z|^2 G, G), by zhegv. */
static double reference_tau(const double *g, const double *ca, const double *l, double complex z) {
  static double complex mz[N * N], gz[N * N];
  double w[N];
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++) {
      mz[i + j * N] = l[i + j * N] - z * ca[j + i * N] - conj(z) * ca[i + j * N] +
                      creal(z * conj(z)) * g[i + j * N];
      gz[i + j * N] = g[i + j * N];
    }
  if (LAPACKE_zhegv(LAPACK_COL_MAJOR, 1, 'N', 'L', N, mz, N, gz, N, w)) return NAN;
  return sqrt(fmax(w[0], 0));
}

/* EDMD of (x, y), then tau on the grid and at the eigenvalues; z gets the points. */
static int compute_tau(const double *x, const double *y, double *z, double *tau) {
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  /* residuals to eps need a QR path: AUTO takes the Gram path (residuals to ~1e-8) here */
  TEST_CALL(solace_koopman_set_qr(k, SOLACE_KOOPMAN_QR_HOUSEHOLDER));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_MONOMIAL, 2,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_data(k, D, M, x, D, M, y, D, NULL));
  TEST_CALL(solace_koopman_compute(k));
  for (int b = 0; b < G; b++)
    for (int a = 0; a < G; a++)
      z[2 * (a + G * b)] = -1.5 + 3.0 * a / (G - 1),
                     z[2 * (a + G * b) + 1] = -1.5 + 3.0 * b / (G - 1);
  TEST_CALL(solace_koopman_get_eigenvalues(k, z + 2 * G * G));
  TEST_CALL(solace_koopman_pseudospectrum(k, NZ, z, tau));
  solace_koopman_destroy(&k);
  return 0;
}

static int check(const double *a, const double *x, int nonlinear, int rank) {
  static double y[D * M], g[N * N], ca[N * N], l[N * N];
  double z[2 * NZ], tau[NZ];
  apply(a, x, y, nonlinear);
  if (compute_tau(x, y, z, tau)) return 1;
  gram(x, y, g, ca, l);
  double worst = 0, worst_eig = 0;
  for (int p = 0; p < NZ; p++) {
    double ref = reference_tau(g, ca, l, CMPLX(z[2 * p], z[2 * p + 1]));
    if (p >= G * G && !nonlinear) {
      worst_eig = fmax(worst_eig, tau[p]);
      continue; /* the reference is only sqrt(eps)-accurate there */
    }
    double err = fabs(tau[p] - ref);
    worst = fmax(worst, err / (1e-9 + 1e-7 * ref));
    TEST_ASSERT(err <= 1e-9 + 1e-7 * ref, "z = (%g, %g): tau %.17g, reference %.17g", z[2 * p],
                z[2 * p + 1], tau[p], ref);
  }
  printf("rank %d, %s data: max error / tolerance %.3g", rank, nonlinear ? "nonlinear" : "linear",
         worst);
  if (!nonlinear) printf(", max tau at the eigenvalues %.3g", worst_eig);
  printf("\n");
  TEST_ASSERT(nonlinear || worst_eig <= 1e-10, "tau at an eigenvalue %g", worst_eig);
  return 0;
}

int main(int argc, char **argv) {
  TEST_CALL(solace_initialize(&argc, &argv));
  int rank, size;
  TEST_CALL(solace_mpi_rank(&rank));
  TEST_CALL(solace_mpi_size(&size));
  static double a[D * D], x[D * M];
  TEST_CALL(solace_rand_normal(21, 0, 0, D * D, a));
  for (int i = 0; i < D * D; i++) a[i] /= sqrt(D);
  TEST_CALL(solace_rand_normal(22, 0, 0, D * M, x));
  if (check(a, x, 1, rank) || check(a, x, 0, rank)) return 1;
  int status = test_finish(size > 1 ? "koopman-pseudospectrum-mpi" : "koopman-pseudospectrum");
  TEST_CALL(solace_finalize());
  return status;
}
