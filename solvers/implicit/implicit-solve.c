/* Linear solves with A = d_x F: dispatch to the dense or KSP back end, iterative refinement,
 * and the check of the true residual that every derivative reports. */
#include "implicit-impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_dense(int solver) {
  return solver <= SOLACE_IMPLICIT_DENSE_QR;
}

/* One solve of op(A + ridge I) U = rhs by the chosen back end. */
static int solve_once(const struct implicit_point *pt, int transpose, int64_t nrhs,
                      const double *rhs, double *u) {
  if (is_dense(pt->problem->solver)) return implicit_solve_dense(pt, transpose, nrhs, rhs, u);
  return implicit_solve_ksp(pt, transpose, nrhs, rhs, u);
}

/* r = rhs - op(A + ridge I) u for one column; ridge is 0 for the unregularised operator. */
static int column_residual(const struct implicit_point *pt, int transpose, double ridge,
                           const double *rhs, const double *u, double *r) {
  const int64_t n = pt->problem->n;
  SolaceCall(implicit_apply_a(pt, transpose, u, r));
  for (int64_t i = 0; i < n; i++) r[i] = rhs[i] - r[i] - ridge * u[i];
  return SOLACE_SUCCESS;
}

static double norm2(const double *v, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += v[i] * v[i];
  return sqrt(s);
}

/* Refinement steps u += solve(A + ridge I, rhs - A u) on every column. */
static int refine(const struct implicit_point *pt, int transpose, int64_t nrhs, const double *rhs,
                  double *u, double *r, double *du) {
  const int64_t n = pt->problem->n;
  for (int64_t step = 0; step < pt->problem->refinement; step++) {
    for (int64_t j = 0; j < nrhs; j++)
      SolaceCall(column_residual(pt, transpose, 0, rhs + j * n, u + j * n, r + j * n));
    SolaceCall(solve_once(pt, transpose, nrhs, r, du));
    for (int64_t i = 0; i < n * nrhs; i++) u[i] += du[i];
  }
  return SOLACE_SUCCESS;
}

/* Records the largest relative true residual; fails when it exceeds sqrt(rtol). */
static int check_residuals(const struct implicit_point *pt, int transpose, int64_t nrhs,
                           const double *rhs, const double *u, double *r) {
  solace_implicit pb = pt->problem;
  const double ridge = pb->refinement ? 0 : pb->ridge;
  const int64_t n = pb->n;
  double worst = 0;
  for (int64_t j = 0; j < nrhs; j++) {
    SolaceCall(column_residual(pt, transpose, ridge, rhs + j * n, u + j * n, r));
    double bnorm = norm2(rhs + j * n, n), rnorm = norm2(r, n);
    double rel = bnorm > 0 ? rnorm / bnorm : rnorm;
    worst = isnan(rel) ? INFINITY : fmax(worst, rel);
  }
  pb->linear_residual = fmax(pb->linear_residual, worst);
  SolaceCheck(worst <= sqrt(pb->rtol), SOLACE_ERR_NOT_CONVERGED,
              "the linear solve reached a relative residual of %.3e only (limit sqrt(rtol) = "
              "%.3e): d_x F is singular or ill-conditioned",
              worst, sqrt(pb->rtol));
  return SOLACE_SUCCESS;
}

int implicit_solve(const struct implicit_point *pt, int transpose, int64_t nrhs, const double *rhs,
                   double *u) {
  const int64_t n = pt->problem->n;
  double *r, *du;
  SolaceCall(SolaceCalloc(n * nrhs, &r));
  int status = SolaceCalloc(n * nrhs, &du);
  if (!status) status = solve_once(pt, transpose, nrhs, rhs, u);
  if (!status) status = refine(pt, transpose, nrhs, rhs, u, r, du);
  if (!status) status = check_residuals(pt, transpose, nrhs, rhs, u, r);
  free(r);
  free(du);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}
