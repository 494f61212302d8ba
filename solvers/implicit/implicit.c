/* The implicit-differentiation problem: creation, settings, and the JVP, VJP and Jacobian of
 * x*(theta) from the implicit function theorem (A = d_x F, B = d_theta F). */
#include "implicit-impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int solace_implicit_create(int64_t n, int64_t p, int kind, solace_implicit_map_fn map, void *ctx,
                           solace_implicit *problem) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  *problem = NULL;
  SolaceCheckNotNull(map);
  SolaceCheck(n >= 1 && p >= 1, SOLACE_ERR_ARG, "sizes n = %lld and p = %lld must be >= 1",
              (long long)n, (long long)p);
  SolaceCheck(kind == SOLACE_IMPLICIT_ROOT || kind == SOLACE_IMPLICIT_FIXED_POINT, SOLACE_ERR_ARG,
              "unknown problem kind %d", kind);
  struct solace_implicit_s *pb;
  SolaceCall(SolaceCalloc(1, &pb));
  pb->n = n;
  pb->p = p;
  pb->kind = kind;
  pb->map = map;
  pb->ctx = ctx;
  pb->solver = SOLACE_IMPLICIT_DENSE_LU;
  pb->rtol = 1e-10;
  pb->max_it = 10 * n;
  pb->fd_step = 1e-6;
  *problem = pb;
  return SOLACE_SUCCESS;
}

int solace_implicit_destroy(solace_implicit *problem) {
  if (!problem || !*problem) return SOLACE_SUCCESS;
  if ((*problem)->release) (*problem)->release((*problem)->owned);
  free(*problem);
  *problem = NULL;
  return SOLACE_SUCCESS;
}

void implicit_adopt_context(solace_implicit problem, void *owned, void (*release)(void *)) {
  problem->owned = owned;
  problem->release = release;
}

int solace_implicit_set_products(solace_implicit problem, solace_implicit_product_fn jvp_x,
                                 solace_implicit_product_fn vjp_x,
                                 solace_implicit_product_fn jvp_theta,
                                 solace_implicit_product_fn vjp_theta) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  problem->products[IMPLICIT_JVP_X] = jvp_x;
  problem->products[IMPLICIT_VJP_X] = vjp_x;
  problem->products[IMPLICIT_JVP_THETA] = jvp_theta;
  problem->products[IMPLICIT_VJP_THETA] = vjp_theta;
  return SOLACE_SUCCESS;
}

int solace_implicit_set_solver(solace_implicit problem, int solver, double rtol, int64_t max_it) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  SolaceCheck(solver >= SOLACE_IMPLICIT_DENSE_LU && solver <= SOLACE_IMPLICIT_NORMAL_CG,
              SOLACE_ERR_ARG, "unknown linear solver %d", solver);
  SolaceCheck(rtol > 0 && rtol < 1, SOLACE_ERR_ARG, "rtol = %g must lie in (0, 1)", rtol);
  SolaceCheck(max_it >= 0, SOLACE_ERR_ARG, "max_it = %lld must be >= 0", (long long)max_it);
  problem->solver = solver;
  problem->rtol = rtol;
  problem->max_it = max_it ? max_it : 10 * problem->n;
  return SOLACE_SUCCESS;
}

int solace_implicit_set_regularization(solace_implicit problem, double ridge, int64_t refinement) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  SolaceCheck(isfinite(ridge) && ridge >= 0, SOLACE_ERR_ARG, "ridge = %g must be finite and >= 0",
              ridge);
  SolaceCheck(refinement >= 0, SOLACE_ERR_ARG, "refinement = %lld must be >= 0",
              (long long)refinement);
  problem->ridge = ridge;
  problem->refinement = refinement;
  return SOLACE_SUCCESS;
}

int solace_implicit_set_fd_step(solace_implicit problem, double step) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  SolaceCheck(isfinite(step) && step > 0, SOLACE_ERR_ARG, "step = %g must be finite and > 0", step);
  problem->fd_step = step;
  return SOLACE_SUCCESS;
}

int solace_implicit_get_report(solace_implicit problem, double *residual, double *linear_residual,
                               int64_t *iterations, int *fd_products) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  if (residual) *residual = problem->residual;
  if (linear_residual) *linear_residual = problem->linear_residual;
  if (iterations) *iterations = problem->iterations;
  if (fd_products) *fd_products = problem->fd_products;
  return SOLACE_SUCCESS;
}

int implicit_check_finite(const double *v, int64_t count, const char *what, const char *func) {
  for (int64_t i = 0; i < count; i++)
    if (!isfinite(v[i]))
      return solace_error_set(SOLACE_ERR_ARG, func, "%s[%lld] = %g is not finite", what,
                              (long long)i, v[i]);
  return SOLACE_SUCCESS;
}

/* Checks the arguments, resets the report and stores ||F(x, theta)|| in it. */
static int begin_derivative(const struct implicit_point *pt, const double *seed, int64_t seed_size,
                            const void *out) {
  solace_implicit pb = pt->problem;
  SolaceCheckNotNull(pt->x);
  SolaceCheckNotNull(pt->theta);
  SolaceCheckNotNull(seed);
  SolaceCheckNotNull(out);
  SolaceCall(implicit_check_finite(pt->x, pb->n, "x", __func__));
  SolaceCall(implicit_check_finite(pt->theta, pb->p, "theta", __func__));
  SolaceCall(implicit_check_finite(seed, seed_size, "the seed vector", __func__));
  pb->linear_residual = 0;
  pb->iterations = 0;
  pb->fd_products = 0;
  double *f;
  SolaceCall(SolaceCalloc(pb->n, &f));
  int status = implicit_residual(pt, f);
  double sum = 0;
  for (int64_t i = 0; !status && i < pb->n; i++) sum += f[i] * f[i];
  free(f);
  SolaceCall(status);
  pb->residual = sqrt(sum);
  SolaceCheck(isfinite(pb->residual), SOLACE_ERR_ARG, "F(x, theta) is not finite");
  return SOLACE_SUCCESS;
}

/* Appends the optimality residual to a failed solve's message. */
static int explain_failure(int status, solace_implicit pb, const char *func) {
  if (status == SOLACE_ERR_NOT_CONVERGED) {
    char cause[768];
    snprintf(cause, sizeof cause, "%s", solace_error_message());
    return solace_error_set(status, func, "%s (optimality residual ||F(x, theta)|| = %.3e)", cause,
                            pb->residual);
  }
  return solace_error_trace(status, func);
}

/* Solves op(A) U = -rhs and checks the result is finite. */
static int solve_negated(const struct implicit_point *pt, int transpose, int64_t nrhs, double *rhs,
                         double *u) {
  solace_implicit pb = pt->problem;
  for (int64_t i = 0; i < pb->n * nrhs; i++) rhs[i] = -rhs[i];
  int status = implicit_solve(pt, transpose, nrhs, rhs, u);
  if (status) return explain_failure(status, pb, __func__);
  SolaceCall(implicit_check_finite(u, pb->n * nrhs, "the derivative", __func__));
  return SOLACE_SUCCESS;
}

int solace_implicit_jvp(solace_implicit problem, const double *x, const double *theta,
                        const double *t, double *dx) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  struct implicit_point pt = {problem, x, theta};
  SolaceCall(begin_derivative(&pt, t, problem->p, dx));
  double *b;
  SolaceCall(SolaceCalloc(problem->n, &b));
  int status = implicit_apply_b(&pt, 0, t, b);
  if (!status) status = solve_negated(&pt, 0, 1, b, dx);
  free(b);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}

int solace_implicit_vjp(solace_implicit problem, const double *x, const double *theta,
                        const double *v, double *g) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  struct implicit_point pt = {problem, x, theta};
  SolaceCall(begin_derivative(&pt, v, problem->n, g));
  double *rhs, *u;
  SolaceCall(SolaceCalloc(problem->n, &rhs));
  int status = SolaceCalloc(problem->n, &u);
  if (!status) {
    memcpy(rhs, v, sizeof(double) * (size_t)problem->n);
    status = solve_negated(&pt, 1, 1, rhs, u);
  }
  if (!status) status = implicit_apply_b(&pt, 1, u, g);
  free(rhs);
  free(u);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}

int solace_implicit_jacobian(solace_implicit problem, const double *x, const double *theta,
                             double *J, int64_t ldj) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  SolaceCheck(ldj >= problem->n, SOLACE_ERR_ARG, "ldj = %lld is smaller than n = %lld",
              (long long)ldj, (long long)problem->n);
  struct implicit_point pt = {problem, x, theta};
  const int64_t n = problem->n, p = problem->p;
  SolaceCall(begin_derivative(&pt, theta, p, J));
  double *b, *e, *u;
  SolaceCall(SolaceCalloc(n * p, &b));
  int status = SolaceCalloc(p, &e);
  if (!status) status = SolaceCalloc(n * p, &u);
  for (int64_t j = 0; !status && j < p; j++) {
    e[j] = 1;
    status = implicit_apply_b(&pt, 0, e, b + j * n);
    e[j] = 0;
  }
  if (!status) status = solve_negated(&pt, 0, p, b, u);
  for (int64_t j = 0; !status && j < p; j++)
    memcpy(J + j * ldj, u + j * n, sizeof(double) * (size_t)n);
  free(b);
  free(e);
  free(u);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}
