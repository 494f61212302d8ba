/* A nonlinear, nonsymmetric root problem F(x, theta) = K x + 0.1 sin(x) o (C theta) - D theta:
 * v^T (J t) = (J^T v)^T t for every solver that handles a nonsymmetric d_x F, each solver's
 * Jacobian against the dense LU one, and the Jacobian's columns against JVPs. */
#include "implicit-test.h"

enum { N = 15, P = 4 };
static double K[N * N], C[N * P], D[N * P];

static void times(const double *M, int64_t cols, const double *v, double *out) {
  for (int i = 0; i < N; i++) {
    out[i] = 0;
    for (int j = 0; j < cols; j++) out[i] += M[i + j * N] * v[j];
  }
}

static int map(int64_t n, int64_t p, const double *x, const double *theta, double *out, void *ctx) {
  double kx[N], ct[N], dt[N];
  (void)p, (void)ctx;
  times(K, N, x, kx), times(C, P, theta, ct), times(D, P, theta, dt);
  for (int i = 0; i < n; i++) out[i] = kx[i] + 0.1 * sin(x[i]) * ct[i] - dt[i];
  return 0;
}

static int dx(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
              double *out, void *ctx) {
  double ct[N];
  (void)p, (void)ctx;
  times(K, N, in, out), times(C, P, theta, ct);
  for (int i = 0; i < n; i++) out[i] += 0.1 * cos(x[i]) * ct[i] * in[i];
  return 0;
}

static int dx_t(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                double *out, void *ctx) {
  double ct[N];
  (void)p, (void)ctx;
  times(C, P, theta, ct);
  for (int j = 0; j < n; j++) out[j] = 0.1 * cos(x[j]) * ct[j] * in[j];
  for (int j = 0; j < n; j++)
    for (int i = 0; i < N; i++) out[j] += K[i + j * N] * in[i];
  return 0;
}

static int dtheta(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                  double *out, void *ctx) {
  double ct[N], dt[N];
  (void)p, (void)ctx, (void)theta;
  times(C, P, in, ct), times(D, P, in, dt);
  for (int i = 0; i < n; i++) out[i] = 0.1 * sin(x[i]) * ct[i] - dt[i];
  return 0;
}

static int dtheta_t(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                    double *out, void *ctx) {
  (void)ctx, (void)theta;
  for (int k = 0; k < p; k++) {
    out[k] = 0;
    for (int i = 0; i < n; i++) out[k] += (0.1 * sin(x[i]) * C[i + k * N] - D[i + k * N]) * in[i];
  }
  return 0;
}

static const char *names[] = {"dense LU", "dense Cholesky", "dense QR", "CG",
                              "GMRES",    "BiCGSTAB",       "normal CG"};

int main(int argc, char **argv) {
  CALL(solace_initialize(&argc, &argv));
  test_fill(K, N * N);
  for (int i = 0; i < N; i++) K[i + i * N] += 6; /* nonsymmetric, well conditioned */
  test_fill(C, N * P), test_fill(D, N * P);
  double x[N], theta[P], t[P], v[N], jt[N], jv[P], J[N * P], Jlu[N * P];
  test_fill(x, N), test_fill(theta, P), test_fill(t, P), test_fill(v, N);
  solace_implicit pb = NULL;
  CALL(solace_implicit_create(N, P, SOLACE_IMPLICIT_ROOT, map, NULL, &pb));
  CALL(solace_implicit_set_products(pb, dx, dx_t, dtheta, dtheta_t));
  CALL(solace_implicit_jacobian(pb, x, theta, Jlu, N));
  /* Consistency to 1e-12 relative for the dense solvers and 1e-9 for KSP at rtol 1e-13; each
   * Jacobian within 1e-10 of LU's. Cholesky and CG need a symmetric A and are skipped. */
  int solvers[] = {SOLACE_IMPLICIT_DENSE_LU, SOLACE_IMPLICIT_DENSE_QR, SOLACE_IMPLICIT_GMRES,
                   SOLACE_IMPLICIT_BICGSTAB, SOLACE_IMPLICIT_NORMAL_CG};
  for (int k = 0; k < 5; k++) {
    int s = solvers[k];
    CALL(solace_implicit_set_solver(pb, s, 1e-13, 0));
    CALL(solace_implicit_jvp(pb, x, theta, t, jt));
    CALL(solace_implicit_vjp(pb, x, theta, v, jv));
    CALL(solace_implicit_jacobian(pb, x, theta, J, N));
    double lhs = test_dot(v, jt, N), rhs = test_dot(jv, t, P);
    double gap = fabs(lhs - rhs) / fabs(lhs), err = test_rel_error(J, Jlu, N * P), col[N];
    for (int i = 0; i < N; i++) {
      col[i] = 0;
      for (int j = 0; j < P; j++) col[i] += J[i + j * N] * t[j];
    }
    double cols = test_rel_error(col, jt, N);
    printf("%-10s v^T(Jt) - (J^T v)^T t: %.1e, Jacobian vs LU %.1e, J t vs JVP %.1e\n", names[s],
           gap, err, cols);
    CHECK(gap < (s <= SOLACE_IMPLICIT_DENSE_QR ? 1e-12 : 1e-9), "%s: gap %g", names[s], gap);
    CHECK(err < 1e-10, "%s: Jacobian differs from LU's by %g", names[s], err);
    CHECK(cols < 1e-10, "%s: J t differs from the JVP by %g", names[s], cols);
  }
  /* Finite-difference products (A^T and B^T from n and p difference columns): consistent to
   * 1e-7 and within 1e-7 of the exact Jacobian (step 1e-6: truncation ~1e-12, rounding ~1e-10). */
  CALL(solace_implicit_set_products(pb, NULL, NULL, NULL, NULL));
  CALL(solace_implicit_set_solver(pb, SOLACE_IMPLICIT_DENSE_LU, 1e-10, 0));
  CALL(solace_implicit_jvp(pb, x, theta, t, jt));
  CALL(solace_implicit_vjp(pb, x, theta, v, jv));
  int fd;
  CALL(solace_implicit_get_report(pb, NULL, NULL, NULL, &fd));
  CALL(solace_implicit_jacobian(pb, x, theta, J, N));
  double gap = fabs(test_dot(v, jt, N) - test_dot(jv, t, P)) / fabs(test_dot(v, jt, N));
  double err = test_rel_error(J, Jlu, N * P);
  printf("finite differences: gap %.1e, Jacobian vs exact %.1e, fd bits %d\n", gap, err, fd);
  CHECK(gap < 1e-7 && err < 1e-7, "finite differences: gap %g, error %g", gap, err);
  CHECK(fd == 15, "the VJP should report all four products as differences (%d)", fd);
  solace_implicit_destroy(&pb);
  return test_finish("implicit-consistency");
}
