/* Matrix-free back end: PETSc KSP on a MatShell applying A + ridge I (or its transpose, or the
 * normal operator), sequential, options prefix "implicit_". */
#include "implicit-impl.h"

#include <petscksp.h>
#include <stdlib.h>

struct shell {
  const struct implicit_point *pt;
  int transpose; /* apply op(M) = M^T instead of M, M = A + ridge I */
  int normal;    /* apply op(M)^T op(M) */
  int status;    /* the first failed callback's Solace status */
  double *work;
};

/* y = op(M) x, or op(M)^T x when flip is set. */
static int apply_m(struct shell *s, int flip, const double *x, double *y) {
  SolaceCall(implicit_apply_a(s->pt, s->transpose ^ flip, x, y));
  for (int64_t i = 0; i < s->pt->problem->n; i++) y[i] += s->pt->problem->ridge * x[i];
  return SOLACE_SUCCESS;
}

/* y = K x with K the shell's operator (flip: its transpose). */
static int apply_operator(struct shell *s, int flip, const double *x, double *y) {
  if (!s->normal) return apply_m(s, flip, x, y);
  SolaceCall(apply_m(s, 0, x, s->work));
  SolaceCall(apply_m(s, 1, s->work, y));
  return SOLACE_SUCCESS;
}

static PetscErrorCode shell_apply(Mat A, Vec x, Vec y, int flip) {
  struct shell *s;
  const PetscScalar *xa;
  PetscScalar *ya;
  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(A, &s));
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArrayWrite(y, &ya));
  int status = s->status ? s->status : apply_operator(s, flip, xa, ya);
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscCall(VecRestoreArrayWrite(y, &ya));
  if (status && !s->status) s->status = status;
  PetscCheck(!status, PETSC_COMM_SELF, PETSC_ERR_USER, "a derivative product failed");
  PetscFunctionReturn(0);
}

static PetscErrorCode shell_mult(Mat A, Vec x, Vec y) {
  return shell_apply(A, x, y, 0);
}

static PetscErrorCode shell_mult_transpose(Mat A, Vec x, Vec y) {
  return shell_apply(A, x, y, 1);
}

/* The diagonal from n products with unit vectors (for Jacobi-type preconditioners). */
static PetscErrorCode shell_diagonal(Mat A, Vec d) {
  struct shell *s;
  PetscScalar *da;
  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(A, &s));
  const int64_t n = s->pt->problem->n;
  double *e = calloc((size_t)n, sizeof(double)), *col = calloc((size_t)n, sizeof(double));
  PetscCheck(e && col, PETSC_COMM_SELF, PETSC_ERR_MEM, "no memory for the diagonal");
  PetscCall(VecGetArrayWrite(d, &da));
  int status = s->status;
  for (int64_t i = 0; !status && i < n; i++) {
    e[i] = 1;
    status = apply_operator(s, 0, e, col);
    da[i] = col[i];
    e[i] = 0;
  }
  PetscCall(VecRestoreArrayWrite(d, &da));
  free(e);
  free(col);
  if (status && !s->status) s->status = status;
  PetscCheck(!status, PETSC_COMM_SELF, PETSC_ERR_USER, "a derivative product failed");
  PetscFunctionReturn(0);
}

static KSPType ksp_type_of(int solver) {
  switch (solver) {
  case SOLACE_IMPLICIT_GMRES:
    return KSPGMRES;
  case SOLACE_IMPLICIT_BICGSTAB:
    return KSPBCGS;
  default:
    return KSPCG;
  }
}

/* The shell matrix and a KSP over it, with the problem's settings, then the options. */
static int create_solver(solace_implicit pb, struct shell *s, Mat *A, KSP *ksp) {
  PC pc;
  const PetscInt n = (PetscInt)pb->n;
  SolacePetscCall(MatCreateShell(PETSC_COMM_SELF, n, n, n, n, s, A));
  SolacePetscCall(MatShellSetOperation(*A, MATOP_MULT, (void (*)(void))shell_mult));
  SolacePetscCall(
      MatShellSetOperation(*A, MATOP_MULT_TRANSPOSE, (void (*)(void))shell_mult_transpose));
  SolacePetscCall(MatShellSetOperation(*A, MATOP_GET_DIAGONAL, (void (*)(void))shell_diagonal));
  SolacePetscCall(KSPCreate(PETSC_COMM_SELF, ksp));
  SolacePetscCall(KSPSetOperators(*ksp, *A, *A));
  SolacePetscCall(KSPSetType(*ksp, ksp_type_of(pb->solver)));
  SolacePetscCall(
      KSPSetTolerances(*ksp, pb->rtol, PETSC_DEFAULT, PETSC_DEFAULT, (PetscInt)pb->max_it));
  SolacePetscCall(KSPGetPC(*ksp, &pc));
  SolacePetscCall(PCSetType(pc, PCNONE));
  SolacePetscCall(KSPSetOptionsPrefix(*ksp, "implicit_"));
  SolacePetscCall(KSPSetFromOptions(*ksp));
  return SOLACE_SUCCESS;
}

/* Solves one column: K u = rhs (rhs already multiplied by op(M)^T for the normal equations). */
static int solve_column(solace_implicit pb, struct shell *s, KSP ksp, double *rhs, double *u) {
  Vec b, x;
  KSPConvergedReason reason;
  PetscInt its;
  int status = SOLACE_SUCCESS;
  SolacePetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)pb->n, rhs, &b));
  SolacePetscCallGoto(status, done_b,
                      VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)pb->n, u, &x));
  int code = (int)KSPSolve(ksp, b, x);
  if (s->status)
    status = solace_error_trace(s->status, __func__);
  else if (code)
    status = solace_error_petsc(code, __func__, "KSPSolve");
  if (!status) SolacePetscCallGoto(status, done, KSPGetConvergedReason(ksp, &reason));
  if (!status) SolacePetscCallGoto(status, done, KSPGetIterationNumber(ksp, &its));
  KSPType type;
  if (!status) SolacePetscCallGoto(status, done, KSPGetType(ksp, &type));
  if (!status) {
    pb->iterations += its;
    SolaceCheckGoto(reason > 0, status, done, SOLACE_ERR_NOT_CONVERGED,
                    "KSP %s stopped without converging (%s after %d iterations)", type,
                    KSPConvergedReasons[reason], (int)its);
  }
done:
  VecDestroy(&x);
done_b:
  VecDestroy(&b);
  return status;
}

static int solve_columns(solace_implicit pb, struct shell *s, KSP ksp, int64_t nrhs,
                         const double *rhs, double *u, double *column) {
  const int64_t n = pb->n;
  for (int64_t j = 0; j < nrhs; j++) {
    if (s->normal)
      SolaceCall(apply_m(s, 1, rhs + j * n, column));
    else
      for (int64_t i = 0; i < n; i++) column[i] = rhs[i + j * n];
    SolaceCall(solve_column(pb, s, ksp, column, u + j * n));
  }
  return SOLACE_SUCCESS;
}

int implicit_solve_ksp(const struct implicit_point *pt, int transpose, int64_t nrhs,
                       const double *rhs, double *u) {
  PetscBool initialized;
  SolacePetscCall(PetscInitialized(&initialized));
  SolaceCheck(initialized, SOLACE_ERR_STATE,
              "the KSP solvers need PETSc: call solace_initialize() first");
  solace_implicit pb = pt->problem;
  struct shell s = {pt, transpose, pb->solver == SOLACE_IMPLICIT_NORMAL_CG, 0, NULL};
  double *column = NULL;
  Mat A = NULL;
  KSP ksp = NULL;
  int status = SolaceCalloc(pb->n, &s.work);
  if (!status) status = SolaceCalloc(pb->n, &column);
  if (!status) status = create_solver(pb, &s, &A, &ksp);
  if (!status) status = solve_columns(pb, &s, ksp, nrhs, rhs, u, column);
  KSPDestroy(&ksp);
  MatDestroy(&A);
  free(s.work);
  free(column);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}
