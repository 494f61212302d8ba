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

int main(int argc, char **argv) {
  before_initialize();
  CALL(solace_initialize(&argc, &argv));
  singular();
  arguments();
  callbacks();
  return test_finish("implicit-errors");
}
