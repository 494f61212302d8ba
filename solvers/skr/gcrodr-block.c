/* Blocks of vectors stored side by side: the local parts of V, U, C and the next U, C form
 * column-major matrices (leading dimension = local size), so that the recycle-space update runs
 * as BLAS-3 on each rank plus one reduction, instead of one vector operation per column pair. */
#include "gcrodr-impl.h"

#include <cblas.h>

/* BLAS needs a leading dimension of at least 1, even on a rank that owns no rows. */
static int leading_dimension(const KSP_GCRODR *g) {
  return (int)PetscMax(g->nlocal, 1);
}

PetscErrorCode SolaceGCRODRBlockCreate(KSP ksp, PetscInt count, PetscScalar **array, Vec **vecs) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  Vec *model;
  PetscBool standard;
  PetscMPIInt size;
  PetscFunctionBegin;
  PetscCall(KSPCreateVecs(ksp, 1, &model, 0, NULL)); /* the layout of the solution */
  PetscCall(PetscObjectTypeCompareAny((PetscObject)model[0], &standard, VECSEQ, VECMPI, ""));
  PetscCheck(standard, PetscObjectComm((PetscObject)ksp), PETSC_ERR_SUP,
             "gcrodr needs standard (seq or mpi) vectors, not %s",
             ((PetscObject)model[0])->type_name);
  PetscCall(VecGetLocalSize(model[0], &g->nlocal));
  PetscCall(VecDestroyVecs(1, &model));
  PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)ksp), &size));
  PetscCall(PetscCalloc1(PetscMax(g->nlocal, 1) * count, array));
  PetscCall(PetscMalloc1(count, vecs));
  MPI_Comm comm = PetscObjectComm((PetscObject)ksp);
  for (PetscInt i = 0; i < count; i++) {
    PetscScalar *column = *array + i * g->nlocal;
    if (size == 1)
      PetscCall(VecCreateSeqWithArray(comm, 1, g->nlocal, column, &(*vecs)[i]));
    else
      PetscCall(VecCreateMPIWithArray(comm, 1, g->nlocal, PETSC_DECIDE, column, &(*vecs)[i]));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceGCRODRBlockDestroy(PetscInt count, PetscScalar **array, Vec **vecs) {
  PetscFunctionBegin;
  if (*vecs) PetscCall(VecDestroyVecs(count, vecs));
  PetscCall(PetscFree(*array));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceGCRODRBlockGram(KSP ksp, const PetscScalar *A, PetscInt na,
                                     const PetscScalar *B, PetscInt nb, PetscReal *out) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  int ld = leading_dimension(g);
  PetscFunctionBegin;
  if (na == 0 || nb == 0) PetscFunctionReturn(0);
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)na, (int)nb, (int)g->nlocal, 1.0, A, ld,
              B, ld, 0.0, out, (int)na);
  PetscCall(PetscLogFlops(2.0 * na * nb * g->nlocal));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, out, (PetscMPIInt)(na * nb), MPIU_REAL, MPIU_SUM,
                             PetscObjectComm((PetscObject)ksp)));
  PetscFunctionReturn(0);
}

/* Tells PETSc that the arrays of these vectors changed (cached norms are stale). */
static PetscErrorCode touch(Vec *vecs, PetscInt count) {
  PetscFunctionBegin;
  for (PetscInt i = 0; i < count; i++) PetscCall(PetscObjectStateIncrease((PetscObject)vecs[i]));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceGCRODRBlockCombine(KSP ksp, PetscScalar *out, Vec *outvecs, PetscInt nout,
                                        const PetscScalar *in, PetscInt nin, const PetscReal *coef,
                                        PetscInt ldc, PetscReal beta) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  int ld = leading_dimension(g);
  PetscFunctionBegin;
  if (nout == 0) PetscFunctionReturn(0);
  if (nin > 0) {
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)g->nlocal, (int)nout, (int)nin, 1.0,
                in, ld, coef, (int)ldc, beta, out, ld);
    PetscCall(PetscLogFlops(2.0 * nout * nin * g->nlocal));
  } else if (beta == 0.0) {
    PetscCall(PetscArrayzero(out, g->nlocal * nout));
  }
  PetscCall(touch(outvecs, nout));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceGCRODRBlockSolveUpper(KSP ksp, PetscScalar *block, Vec *vecs, PetscInt cols,
                                           const PetscReal *R) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscFunctionBegin;
  if (cols == 0) PetscFunctionReturn(0);
  cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, (int)g->nlocal,
              (int)cols, 1.0, R, (int)cols, block, leading_dimension(g));
  PetscCall(PetscLogFlops(1.0 * cols * cols * g->nlocal));
  PetscCall(touch(vecs, cols));
  PetscFunctionReturn(0);
}
