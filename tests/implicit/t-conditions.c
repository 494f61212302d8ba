/* The catalogue's conditions against closed forms: lasso (proximal gradient) on its support,
 * a simplex-constrained QP by projected gradient (boundary solution) and by mirror descent
 * (interior solution), and a stationarity condition (logistic regression, Newton-solved)
 * against central differences of re-solved problems. */
#include "implicit-test.h"

enum { M = 20, N = 8 };

/* f = 1/2 ||X x - y||^2 with theta_f = y (M entries). */
static double X[M * N];

static int ls_grad(int64_t n, int64_t p, const double *x, const double *y, double *g, void *ctx) {
  (void)p, (void)ctx;
  double r[M];
  for (int i = 0; i < M; i++) {
    r[i] = -y[i];
    for (int j = 0; j < n; j++) r[i] += X[i + j * M] * x[j];
  }
  for (int j = 0; j < n; j++) g[j] = test_dot(X + j * M, r, M);
  return 0;
}

static int ls_hvp(int64_t n, int64_t p, const double *x, const double *y, const double *v,
                  double *out, void *ctx) {
  double zero[M] = {0};
  (void)x, (void)y;
  return ls_grad(n, p, v, zero, out, ctx); /* X^T X v */
}

static int ls_cross(int64_t n, int64_t p, const double *x, const double *y, const double *t,
                    double *out, void *ctx) {
  (void)p, (void)x, (void)y, (void)ctx;
  for (int j = 0; j < n; j++) out[j] = -test_dot(X + j * M, t, M);
  return 0;
}

static int ls_cross_t(int64_t n, int64_t p, const double *x, const double *y, const double *v,
                      double *out, void *ctx) {
  (void)p, (void)x, (void)y, (void)ctx;
  for (int i = 0; i < M; i++) {
    out[i] = 0;
    for (int j = 0; j < n; j++) out[i] -= X[i + j * M] * v[j];
  }
  return 0;
}

/* Lasso: ISTA to a fixed-point residual below 1e-14, then the implicit Jacobian against
 * dx_S / d(y, lambda) = (X_S^T X_S)^{-1} [X_S^T, -sign(x_S)] (zero off the support), within 1e-8
 * (the inner error times the conditioning, ~1e-12). */
static void lasso(void) {
  double theta[M + 1], x[N] = {0}, g[N], J[N * (M + 1)], step = 0;
  test_fill(X, M * N);
  test_fill(theta, M);
  theta[M] = 0.5;
  for (int j = 0; j < N; j++) step += test_dot(X + j * M, X + j * M, M);
  step = 1 / step; /* 1 / trace >= 1 / L */
  for (int it = 0, done = 0; it < 200000 && !done; it++) {
    double y[N], xn[N], diff = 0;
    ls_grad(N, M, x, theta, g, NULL);
    for (int j = 0; j < N; j++) y[j] = x[j] - step * g[j];
    CALL(solace_implicit_prox(SOLACE_IMPLICIT_PROX_LASSO, N, 1, y, theta + M, step, xn));
    for (int j = 0; j < N; j++) diff = fmax(diff, fabs(xn[j] - x[j])), x[j] = xn[j];
    done = diff < 1e-15;
  }
  solace_implicit pb = NULL;
  CALL(solace_implicit_create_prox_gradient(N, M, ls_grad, ls_hvp, ls_cross, ls_cross_t, NULL,
                                            SOLACE_IMPLICIT_PROX_LASSO, 1, 1.0, &pb));
  CALL(solace_implicit_jacobian(pb, x, theta, J, N));
  /* the reference */
  int S[N], k = 0;
  for (int j = 0; j < N; j++)
    if (x[j] != 0) S[k++] = j;
  double H[N * N], R[N * (M + 1)] = {0}, Jref[N * (M + 1)] = {0};
  for (int a = 0; a < k; a++) {
    for (int b = 0; b < k; b++) H[a + b * k] = test_dot(X + S[a] * M, X + S[b] * M, M);
    for (int i = 0; i < M; i++) R[a + i * k] = X[i + S[a] * M];
    R[a + M * k] = x[S[a]] > 0 ? -1 : 1;
  }
  LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', k, M + 1, H, k, R, k);
  for (int a = 0; a < k; a++)
    for (int c = 0; c <= M; c++) Jref[S[a] + c * N] = R[a + c * k];
  double err = test_rel_error(J, Jref, N * (M + 1)), res;
  CALL(solace_implicit_get_report(pb, &res, NULL, NULL, NULL));
  printf("lasso: support %d of %d, Jacobian max rel error %.2e, residual %.1e\n", k, N, err, res);
  CHECK(k > 0 && k < N, "the lasso support should be proper (%d of %d)", k, N);
  CHECK(err < 1e-8, "lasso Jacobian error %g", err);
  solace_implicit_destroy(&pb);
}

/* Quadratic f = 1/2 x^T Q x + c^T x with theta = c. */
static double Q[N * N];

static int q_grad(int64_t n, int64_t p, const double *x, const double *c, double *g, void *ctx) {
  (void)p, (void)ctx;
  for (int i = 0; i < n; i++) g[i] = c[i] + test_dot(Q + i * N, x, n); /* Q symmetric */
  return 0;
}

static int q_hvp(int64_t n, int64_t p, const double *x, const double *c, const double *v,
                 double *out, void *ctx) {
  double zero[N] = {0};
  (void)x, (void)c;
  return q_grad(n, p, v, zero, out, ctx);
}

static int q_cross(int64_t n, int64_t p, const double *x, const double *c, const double *t,
                   double *out, void *ctx) {
  (void)p, (void)x, (void)c, (void)ctx;
  memcpy(out, t, sizeof(double) * (size_t)n); /* d grad / dc = I, its own transpose */
  return 0;
}

/* min f over the simplex with a solution x* supported on the first `support` entries and
 * multiplier mu: c = mu 1 - Q x* there, and 0.5 above the threshold elsewhere. Closed-form
 * derivative: [Q_SS 1; 1^T 0] [dx_S; -dmu] = [-dc_S; 0]. */
static void simplex_problem(int support, double *x, double *c, double *Jref) {
  double A[N * N];
  test_fill(A, N * N);
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++) Q[i + j * N] = test_dot(A + i * N, A + j * N, N) + (i == j);
  double sum = 0;
  for (int i = 0; i < N; i++) sum += x[i] = i < support ? 1.5 + test_uniform() : 0;
  for (int i = 0; i < N; i++) x[i] /= sum;
  for (int i = 0; i < N; i++) c[i] = 0.3 - test_dot(Q + i * N, x, N) + (i < support ? 0 : 0.5);
  int k = support + 1;
  double K[(N + 1) * (N + 1)] = {0}, R[(N + 1) * N] = {0};
  for (int a = 0; a < support; a++) {
    for (int b = 0; b < support; b++) K[a + b * k] = Q[a + b * N];
    K[a + support * k] = K[support + a * k] = 1;
    R[a + a * k] = -1;
  }
  lapack_int piv[N + 1];
  LAPACKE_dgesv(LAPACK_COL_MAJOR, k, N, K, k, piv, R, k);
  memset(Jref, 0, sizeof(double) * N * N);
  for (int a = 0; a < support; a++)
    for (int j = 0; j < N; j++) Jref[a + j * N] = R[a + j * k];
}

/* Projected gradient onto the simplex (sum 1, theta_g = 1) at a boundary solution, and mirror
 * descent at an interior one: Jacobians d x / d c within 1e-10 of the closed form (x* exact). */
static void simplex(void) {
  double x[N], theta[N + 1], J[N * (N + 1)], Jref[N * N];
  solace_implicit pb = NULL;
  simplex_problem(5, x, theta, Jref);
  theta[N] = 1;
  CALL(solace_implicit_create_prox_gradient(N, N, q_grad, q_hvp, q_cross, q_cross, NULL,
                                            SOLACE_IMPLICIT_PROJ_SIMPLEX, 1, 0.05, &pb));
  CALL(solace_implicit_set_solver(pb, SOLACE_IMPLICIT_GMRES, 1e-13, 0));
  CALL(solace_implicit_jacobian(pb, x, theta, J, N));
  double err = test_rel_error(J, Jref, N * N), res;
  CALL(solace_implicit_get_report(pb, &res, NULL, NULL, NULL));
  printf("projected gradient (simplex): max rel error %.2e, residual %.1e\n", err, res);
  CHECK(err < 1e-10, "projected-gradient Jacobian error %g", err);
  CHECK(res < 1e-14, "the built solution has residual %g", res);
  solace_implicit_destroy(&pb);

  simplex_problem(N, x, theta, Jref);
  CALL(
      solace_implicit_create_mirror_descent(N, N, q_grad, q_hvp, q_cross, q_cross, NULL, 0.5, &pb));
  CALL(solace_implicit_jacobian(pb, x, theta, J, N));
  err = test_rel_error(J, Jref, N * N);
  CALL(solace_implicit_get_report(pb, &res, NULL, NULL, NULL));
  printf("mirror descent (simplex): max rel error %.2e, residual %.1e\n", err, res);
  CHECK(err < 1e-10, "mirror-descent Jacobian error %g", err);
  solace_implicit_destroy(&pb);
}

/* Logistic regression with an L2 penalty theta / 2 ||x||^2, labels +-1 from the sign of a
 * random linear model. */
static double A[M * N], B[M];

static double sigmoid(double t) {
  return 1 / (1 + exp(-t));
}

static int lr_grad(int64_t n, int64_t p, const double *x, const double *theta, double *g,
                   void *ctx) {
  (void)p, (void)ctx;
  for (int j = 0; j < n; j++) g[j] = theta[0] * x[j];
  for (int i = 0; i < M; i++) {
    double margin = 0;
    for (int j = 0; j < n; j++) margin += A[i + j * M] * x[j];
    double w = -B[i] * sigmoid(-B[i] * margin);
    for (int j = 0; j < n; j++) g[j] += w * A[i + j * M];
  }
  return 0;
}

static int lr_hvp(int64_t n, int64_t p, const double *x, const double *theta, const double *v,
                  double *out, void *ctx) {
  (void)p, (void)ctx;
  for (int j = 0; j < n; j++) out[j] = theta[0] * v[j];
  for (int i = 0; i < M; i++) {
    double margin = 0, av = 0;
    for (int j = 0; j < n; j++) margin += A[i + j * M] * x[j], av += A[i + j * M] * v[j];
    double s = sigmoid(margin);
    for (int j = 0; j < n; j++) out[j] += s * (1 - s) * av * A[i + j * M];
  }
  return 0;
}

/* Newton's method to ||grad|| < 1e-14 (Hessian formed with n products, dposv). */
static void lr_solve(double lambda, double *x) {
  double g[N], H[N * N], e[N] = {0};
  memset(x, 0, sizeof(double) * N);
  for (int it = 0; it < 50; it++) {
    lr_grad(N, 1, x, &lambda, g, NULL);
    if (sqrt(test_dot(g, g, N)) < 1e-14) break;
    for (int j = 0; j < N; j++) {
      e[j] = 1;
      lr_hvp(N, 1, x, &lambda, e, H + j * N, NULL);
      e[j] = 0;
    }
    LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', N, 1, H, N, g, N);
    for (int j = 0; j < N; j++) x[j] -= g[j];
  }
}

/* Stationarity with the mixed product left out (finite differences in theta, reported): dx/d
 * lambda within 1e-6 of central differences of re-solved problems (step 1e-4: truncation
 * ~1e-8, Newton error 1e-14 / 1e-4). */
static void stationarity(void) {
  double w[N], x[N], xp[N], xm[N], lambda = 0.3, dx[N], ref[N], t = 1, h = 1e-4;
  test_fill(A, M * N);
  test_fill(w, N);
  for (int i = 0; i < M; i++) {
    double s = 0;
    for (int j = 0; j < N; j++) s += A[i + j * M] * w[j];
    B[i] = s > 0 ? 1 : -1;
  }
  lr_solve(lambda, x);
  lr_solve(lambda + h, xp);
  lr_solve(lambda - h, xm);
  for (int j = 0; j < N; j++) ref[j] = (xp[j] - xm[j]) / (2 * h);
  solace_implicit pb = NULL;
  int fd;
  CALL(solace_implicit_create_stationarity(N, 1, lr_grad, lr_hvp, NULL, NULL, NULL, &pb));
  CALL(solace_implicit_set_solver(pb, SOLACE_IMPLICIT_DENSE_CHOLESKY, 1e-12, 0));
  CALL(solace_implicit_jvp(pb, x, &lambda, &t, dx));
  CALL(solace_implicit_get_report(pb, NULL, NULL, NULL, &fd));
  double err = test_rel_error(dx, ref, N);
  printf("stationarity (logistic): max rel error %.2e, fd bits %d\n", err, fd);
  CHECK(err < 1e-6, "stationarity derivative error %g", err);
  CHECK(fd == SOLACE_IMPLICIT_FD_JVP_THETA, "fd bits %d, expected the d_theta product only", fd);
  solace_implicit_destroy(&pb);
}

int main(int argc, char **argv) {
  CALL(solace_initialize(&argc, &argv));
  lasso();
  simplex();
  stationarity();
  return test_finish("implicit-conditions");
}
