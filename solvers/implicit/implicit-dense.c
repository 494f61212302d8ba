/* Dense back end: forms A (+ ridge I) with n products and solves with LAPACKE LU, Cholesky or
 * QR (least squares), all right-hand sides at once. For small n. */
#include "implicit-impl.h"

#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

/* M = A + ridge I (n x n, column-major) from products with the unit vectors. */
static int form_matrix(const struct implicit_point *pt, double *M) {
  const int64_t n = pt->problem->n;
  double *e;
  SolaceCall(SolaceCalloc(n, &e));
  int status = SOLACE_SUCCESS;
  for (int64_t j = 0; !status && j < n; j++) {
    e[j] = 1;
    status = implicit_apply_a(pt, 0, e, M + j * n);
    M[j + j * n] += pt->problem->ridge;
    e[j] = 0;
  }
  free(e);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}

/* Maps a LAPACK info: > 0 is a singular (or not positive definite) A, reported as such. */
static int lapack_status(lapack_int info, const char *routine, const char *what, const char *func) {
  if (info > 0)
    return solace_error_set(SOLACE_ERR_NOT_CONVERGED, func,
                            "%s: d_x F is %s (info = %d): no derivative", routine, what, (int)info);
  if (info < 0) return solace_error_lapack(info, routine, func);
  return SOLACE_SUCCESS;
}

static int solve_lu(double *M, int transpose, lapack_int n, lapack_int nrhs, double *u) {
  lapack_int *pivots;
  SolaceCall(SolaceCalloc(n, &pivots));
  lapack_int info = LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, M, n, pivots);
  int status = lapack_status(info, "dgetrf", "singular", __func__);
  if (!status) {
    info = LAPACKE_dgetrs(LAPACK_COL_MAJOR, transpose ? 'T' : 'N', n, nrhs, M, n, pivots, u, n);
    status = lapack_status(info, "dgetrs", "singular", __func__);
  }
  free(pivots);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}

static int solve_cholesky(double *M, lapack_int n, lapack_int nrhs, double *u) {
  lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', n, M, n);
  SolaceCall(lapack_status(info, "dpotrf", "not symmetric positive definite", __func__));
  info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', n, nrhs, M, n, u, n);
  SolaceCall(lapack_status(info, "dpotrs", "not positive definite", __func__));
  return SOLACE_SUCCESS;
}

static int solve_qr(double *M, int transpose, lapack_int n, lapack_int nrhs, double *u) {
  lapack_int info = LAPACKE_dgels(LAPACK_COL_MAJOR, transpose ? 'T' : 'N', n, n, nrhs, M, n, u, n);
  SolaceCall(lapack_status(info, "dgels", "rank deficient", __func__));
  return SOLACE_SUCCESS;
}

int implicit_solve_dense(const struct implicit_point *pt, int transpose, int64_t nrhs,
                         const double *rhs, double *u) {
  const int64_t n = pt->problem->n;
  double *M;
  SolaceCall(SolaceCalloc(n * n, &M));
  int status = form_matrix(pt, M);
  memcpy(u, rhs, sizeof(double) * (size_t)(n * nrhs));
  if (!status) switch (pt->problem->solver) {
    case SOLACE_IMPLICIT_DENSE_CHOLESKY:
      status = solve_cholesky(M, (lapack_int)n, (lapack_int)nrhs, u);
      break;
    case SOLACE_IMPLICIT_DENSE_QR:
      status = solve_qr(M, transpose, (lapack_int)n, (lapack_int)nrhs, u);
      break;
    default:
      status = solve_lu(M, transpose, (lapack_int)n, (lapack_int)nrhs, u);
    }
  free(M);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}
