/* Bad input: a singular d_x F gets SOLACE_ERR_NOT_CONVERGED with the optimality residual in the
 * message (dense and KSP), bad sizes, NULL, NaN, failing callbacks, and the KSP path before
 * solace_initialize(); none may crash or hang. */
#include "implicit-test.h"

/* F = (x0 - theta, 2 x0 + fail): d_x F = [1 0; 2 0] is singular and -B t = (t, 0) is not in its
 * range, so no solver can succeed. ctx points to an int the callback returns (0 = success). */
static int singular_map(int64_t n, int64_t p, const double *x, const double *theta, double *out,
                        void *ctx) {
  (void)n, (void)p;
  out[0] = x[0] - theta[0];
  out[1] = 2 * x[0] + (ctx && *(int *)ctx == 99 ? NAN : 0);
  return ctx && *(int *)ctx != 99 ? *(int *)ctx : 0;
}

static int singular_dx(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                       double *out, void *ctx) {
  (void)n, (void)p, (void)x, (void)theta, (void)ctx;
  out[0] = in[0], out[1] = 2 * in[0];
  return 0;
}

static void expect(int status, int code, const char *what) {
  CHECK(status == code, "%s: got %s, expected %s (%s)", what, solace_status_string(status),
        solace_status_string(code), solace_error_message());
  if (status == code)
    printf("%-28s %s: %s\n", what, solace_status_string(status), solace_error_message());
}

static void singular(void) {
  solace_implicit pb = NULL;
  double x[2] = {0.25, 0}, theta = 0.25, t = 1, dx[2]; /* F = (0, 0.5) */
  CALL(solace_implicit_create(2, 1, SOLACE_IMPLICIT_ROOT, singular_map, NULL, &pb));
  CALL(solace_implicit_set_products(pb, singular_dx, NULL, NULL, NULL));
  for (int s = SOLACE_IMPLICIT_DENSE_LU; s <= SOLACE_IMPLICIT_NORMAL_CG; s++) {
    CALL(solace_implicit_set_solver(pb, s, 1e-10, 200));
    int status = solace_implicit_jvp(pb, x, &theta, &t, dx);
    expect(status, SOLACE_ERR_NOT_CONVERGED, "singular d_x F");
    CHECK(strstr(solace_error_message(), "optimality residual ||F(x, theta)|| = 5.000e-01") != NULL,
          "solver %d: the message should give the residual 0.5: %s", s, solace_error_message());
  }
  solace_implicit_destroy(&pb);
}

static void arguments(void) {
  solace_implicit pb = NULL;
  double x[2] = {0.5, 0}, theta = 0.25, t = 1, dx[2], J[2];
  expect(solace_implicit_create(0, 1, SOLACE_IMPLICIT_ROOT, singular_map, NULL, &pb),
         SOLACE_ERR_ARG, "n = 0");
  expect(solace_implicit_create(2, 1, 7, singular_map, NULL, &pb), SOLACE_ERR_ARG, "kind 7");
  expect(solace_implicit_create(2, 1, SOLACE_IMPLICIT_ROOT, NULL, NULL, &pb), SOLACE_ERR_ARG,
         "NULL map");
  CALL(solace_implicit_create(2, 1, SOLACE_IMPLICIT_ROOT, singular_map, NULL, &pb));
  expect(solace_implicit_set_solver(pb, 42, 1e-8, 0), SOLACE_ERR_ARG, "solver 42");
  expect(solace_implicit_set_solver(pb, SOLACE_IMPLICIT_CG, 2, 0), SOLACE_ERR_ARG, "rtol 2");
  expect(solace_implicit_set_regularization(pb, NAN, 0), SOLACE_ERR_ARG, "ridge NaN");
  expect(solace_implicit_set_fd_step(pb, -1), SOLACE_ERR_ARG, "fd step -1");
  expect(solace_implicit_jacobian(pb, x, &theta, J, 1), SOLACE_ERR_ARG, "ldj < n");
  expect(solace_implicit_jvp(pb, NULL, &theta, &t, dx), SOLACE_ERR_ARG, "NULL x");
  x[1] = NAN;
  expect(solace_implicit_jvp(pb, x, &theta, &t, dx), SOLACE_ERR_ARG, "NaN in x");
  x[1] = 0, theta = INFINITY;
  expect(solace_implicit_vjp(pb, x, &theta, dx, &t), SOLACE_ERR_ARG, "Inf in theta");
  theta = 0.25, t = NAN;
  expect(solace_implicit_jvp(pb, x, &theta, &t, dx), SOLACE_ERR_ARG, "NaN in t");
  solace_implicit_destroy(&pb);
  CHECK(pb == NULL, "destroy should NULL the handle");
  CALL(solace_implicit_destroy(&pb));
  CALL(solace_implicit_destroy(NULL));
}

/* A callback's non-zero return stops the computation and comes back (foreign codes as
 * BACKEND); a NaN from the map is an argument error. */
static void callbacks(void) {
  solace_implicit pb = NULL;
  int code = 7;
  double x[2] = {0.5, 0}, theta = 0.25, t = 1, dx[2];
  CALL(solace_implicit_create(2, 1, SOLACE_IMPLICIT_ROOT, singular_map, &code, &pb));
  expect(solace_implicit_jvp(pb, x, &theta, &t, dx), SOLACE_ERR_BACKEND, "callback returns 7");
  code = SOLACE_ERR_IO;
  expect(solace_implicit_jvp(pb, x, &theta, &t, dx), SOLACE_ERR_IO, "callback returns IO");
  code = 99;
  expect(solace_implicit_jvp(pb, x, &theta, &t, dx), SOLACE_ERR_ARG, "map returns NaN");
  solace_implicit_destroy(&pb);
}

static void before_initialize(void) {
  solace_implicit pb = NULL;
  double x[2] = {0.5, 0}, theta = 0.25, t = 1, dx[2];
  CALL(solace_implicit_create(2, 1, SOLACE_IMPLICIT_ROOT, singular_map, NULL, &pb));
  CALL(solace_implicit_set_solver(pb, SOLACE_IMPLICIT_GMRES, 1e-8, 0));
  expect(solace_implicit_jvp(pb, x, &theta, &t, dx), SOLACE_ERR_STATE, "KSP before initialize");
  solace_implicit_destroy(&pb);
}

static int unit_grad(int64_t n, int64_t p, const double *x, const double *theta, double *g,
                     void *ctx) {
  (void)p, (void)theta, (void)ctx;
  for (int64_t i = 0; i < n; i++) g[i] = x[i] - 1.0 / (double)n;
  return 0;
}

static int unit_hvp(int64_t n, int64_t p, const double *x, const double *theta, const double *v,
                    double *out, void *ctx) {
  (void)p, (void)x, (void)theta, (void)ctx;
  memcpy(out, v, sizeof(double) * (size_t)n);
  return 0;
}

/* The catalogue's error paths. */
static void catalogue(void) {
  solace_implicit pb = NULL;
  int64_t p;
  double y[4] = {1, 2, 3, 4}, theta[2] = {0.5, 0.5}, out[4], x[2] = {0.5, -0.5}, t = 1;
  expect(solace_implicit_set_products(NULL, NULL, NULL, NULL, NULL), SOLACE_ERR_ARG,
         "set_products on NULL");
  expect(solace_implicit_get_report(NULL, NULL, NULL, NULL, NULL), SOLACE_ERR_ARG,
         "get_report on NULL");
  expect(solace_implicit_prox_size(77, 4, &p), SOLACE_ERR_ARG, "prox_size kind 77");
  expect(solace_implicit_prox_jvp(SOLACE_IMPLICIT_PROX_LASSO, 4, 1, y, theta, 1, NULL, NULL, out),
         SOLACE_ERR_ARG, "prox_jvp NULL dy");
  expect(solace_implicit_prox_vjp(SOLACE_IMPLICIT_PROJ_L2_BALL, 0, 1, y, theta, 1, y, out, NULL),
         SOLACE_ERR_ARG, "prox_vjp n = 0");
  expect(solace_implicit_create_stationarity(2, 1, unit_grad, NULL, NULL, NULL, NULL, &pb),
         SOLACE_ERR_ARG, "stationarity without hvp");
  expect(solace_implicit_create_prox_gradient(4, 0, unit_grad, unit_hvp, NULL, NULL, NULL,
                                              SOLACE_IMPLICIT_PROX_GROUP_LASSO, 3, 1, &pb),
         SOLACE_ERR_ARG, "group size 3 for n = 4");
  expect(solace_implicit_create_prox_gradient(4, 0, unit_grad, unit_hvp, NULL, NULL, NULL,
                                              SOLACE_IMPLICIT_PROX_LASSO, 1, -1, &pb),
         SOLACE_ERR_ARG, "prox gradient eta -1");
  expect(solace_implicit_create_prox_gradient(4, 0, unit_grad, unit_hvp, NULL, NULL, NULL,
                                              SOLACE_IMPLICIT_PROJ_NONNEG, 1, 1, &pb),
         SOLACE_ERR_ARG, "no parameter at all (p = 0)");
  expect(solace_implicit_create_qp(2, -1, 0, &pb), SOLACE_ERR_ARG, "QP m_eq = -1");
  expect(solace_implicit_qp_theta_size(0, 0, 0, &p), SOLACE_ERR_ARG, "QP n = 0");
  CALL(solace_implicit_create_mirror_descent(2, 1, unit_grad, unit_hvp, NULL, NULL, NULL, 1, &pb));
  expect(solace_implicit_jvp(pb, x, &t, &t, out), SOLACE_ERR_ARG, "mirror descent at x <= 0");
  solace_implicit_destroy(&pb);
  CHECK(pb == NULL, "destroy should NULL the handle");
}

int main(int argc, char **argv) {
  before_initialize();
  CALL(solace_initialize(&argc, &argv));
  singular();
  arguments();
  callbacks();
  catalogue();
  return test_finish("implicit-errors");
}
