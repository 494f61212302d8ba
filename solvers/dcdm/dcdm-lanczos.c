/* Lanczos with full reorthogonalisation on a sequential PETSc Mat: the Ritz pairs that make
 * DCDM's training data (Kaneda et al. 2023, section 3.3). */
#include "dcdm-train.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

/* y = A x for arrays of the matrix size n (wrapped as sequential Vecs). */
int solace_dcdm_mat_apply(Mat A, int64_t n, const double *x, double *y) {
  Vec vx = NULL, vy = NULL;
  int status = SOLACE_SUCCESS;
  SolacePetscCallGoto(status, done, VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)n, x, &vx));
  SolacePetscCallGoto(status, done, VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)n, y, &vy));
  SolacePetscCallGoto(status, done, MatMult(A, vx, vy));
done:
  VecDestroy(&vx);
  VecDestroy(&vy);
  return status;
}

/* w -= V[:, 0..j] (V[:, 0..j]^T w), twice (classical Gram-Schmidt, reorthogonalised). */
static void reorthogonalise(int64_t n, int64_t j, const double *V, double *w, double *h) {
  for (int pass = 0; pass < 2; pass++) {
    cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)(j + 1), 1.0, V, (int)n, w, 1, 0.0, h, 1);
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)(j + 1), -1.0, V, (int)n, h, 1, 1.0, w,
                1);
  }
}

/* Runs up to `steps` Lanczos steps into V (n x (steps + 1)); alpha, beta the tridiagonal;
 * *done the steps taken (fewer when an invariant subspace is found). */
static int lanczos_basis(Mat A, int64_t n, int64_t steps, double *V, double *alpha, double *beta,
                         double *h, int64_t *done) {
  *done = 0;
  for (int64_t j = 0; j < steps; j++) {
    double *v = V + j * n, *w = V + (j + 1) * n;
    SolaceCall(solace_dcdm_mat_apply(A, n, v, w));
    alpha[j] = cblas_ddot((int)n, v, 1, w, 1);
    reorthogonalise(n, j, V, w, h);
    beta[j] = cblas_dnrm2((int)n, w, 1);
    *done = j + 1;
    if (!(beta[j] > 1e-10 * fabs(alpha[0]))) break;
    cblas_dscal((int)n, 1.0 / beta[j], w, 1);
  }
  return SOLACE_SUCCESS;
}

/* Ritz values (ascending) and vectors Y = V Z of the tridiagonal (alpha, beta) of order m. */
static int ritz_pairs(int64_t n, int64_t m, const double *V, double *alpha, double *beta,
                      double *Y) {
  double *Z;
  SolaceCall(SolaceCalloc(m * m, &Z));
  lapack_int info =
      LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', (lapack_int)m, alpha, beta, Z, (lapack_int)m);
  if (info) {
    free(Z);
    return solace_error_lapack((int)info, "dstev", __func__);
  }
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m, (int)m, 1.0, V, (int)n, Z,
              (int)m, 0.0, Y, (int)n);
  free(Z);
  return SOLACE_SUCCESS;
}

static int lanczos_run(Mat A, int64_t n, int64_t steps, const double *start, double *V,
                       double *beta, double *h, solace_dcdm_ritz *ritz) {
  double norm = cblas_dnrm2((int)n, start, 1);
  SolaceCheck(norm > 0.0 && isfinite(norm), SOLACE_ERR_ARG, "the start vector has norm %g", norm);
  for (int64_t i = 0; i < n; i++) V[i] = start[i] / norm;
  SolaceCall(lanczos_basis(A, n, steps, V, ritz->theta, beta, h, &ritz->m));
  SolaceCall(SolaceCalloc(n * ritz->m, &ritz->vectors));
  SolaceCall(ritz_pairs(n, ritz->m, V, ritz->theta, beta, ritz->vectors));
  return SOLACE_SUCCESS;
}

int solace_dcdm_lanczos(Mat A, int64_t steps, const double *start, solace_dcdm_ritz *ritz) {
  SolaceCheckNotNull(start);
  SolaceCheckNotNull(ritz);
  *ritz = (solace_dcdm_ritz){0};
  PetscInt rows;
  SolacePetscCall(MatGetSize(A, &rows, NULL));
  int64_t n = rows;
  SolaceCheck(steps >= 1 && steps <= n, SOLACE_ERR_ARG, "Lanczos steps = %lld (need 1..%lld)",
              (long long)steps, (long long)n);
  double *V = NULL, *beta = NULL, *h = NULL;
  int status = SOLACE_SUCCESS;
  SolaceCallGoto(status, done, SolaceCalloc(n * (steps + 1), &V));
  SolaceCallGoto(status, done, SolaceCalloc(steps + 1, &beta));
  SolaceCallGoto(status, done, SolaceCalloc(steps + 1, &h));
  SolaceCallGoto(status, done, SolaceCalloc(steps + 1, &ritz->theta));
  ritz->n = n;
  SolaceCallGoto(status, done, lanczos_run(A, n, steps, start, V, beta, h, ritz));
done:
  free(V);
  free(beta);
  free(h);
  if (status) solace_dcdm_ritz_release(ritz);
  return status;
}

void solace_dcdm_ritz_release(solace_dcdm_ritz *ritz) {
  if (!ritz) return;
  free(ritz->theta);
  free(ritz->vectors);
  *ritz = (solace_dcdm_ritz){0};
}
