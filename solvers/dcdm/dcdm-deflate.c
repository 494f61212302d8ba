/* Subdomain deflation for DCDM (-ksp_dcdm_deflate_block b, and deflation-aware training). The
 * grid is cut into blocks of b (x b (x b)) cells; column j of Z is the indicator of the fluid
 * cells of block j (blocks without fluid cells have no column). With E = Z^T A Z (SPD, factored
 * once per operator by a coarse KSP):
 *   x0 += Z E^-1 Z^T r0                 (so that Z^T r = 0 from then on)
 *   q  -= Z E^-1 Z^T A q                (every direction A-orthogonal to range(Z))
 * This is the deflated conjugate-gradient method of Nicolaides (SINUM 1987) and Saad, Yeung,
 * Erhel and Guyomarc'h (SISC 2000) with the direction map in the place of the preconditioner:
 * the coarse space takes the smoothest error, which a network trained on small grids resolves
 * least well on large ones. */
#include "dcdm-impl.h"

/* Grid coordinates (i, j, k) of local row `local`: in the box (xs, ys, zs, xm, ym, zm) of a
 * DMDA, else in the natural order from global row rstart. */
static void row_coordinates(const PetscInt grid[3], const PetscInt *box, PetscInt rstart,
                            PetscInt local, PetscInt c[3]) {
  if (box) {
    c[0] = box[0] + local % box[3];
    c[1] = box[1] + (local / box[3]) % box[4];
    c[2] = box[2] + local / (box[3] * box[4]);
  } else {
    PetscInt row = rstart + local;
    c[0] = row % grid[0];
    c[1] = (row / grid[0]) % grid[1];
    c[2] = row / (grid[0] * grid[1]);
  }
}

/* Numbers the blocks holding fluid cells 0..m-1 (column[] = -1 for the others); *m their count. */
static PetscErrorCode number_columns(MPI_Comm comm, PetscInt nlocal, const PetscInt *block,
                                     PetscInt nblocks, PetscInt *column, PetscInt *m) {
  PetscFunctionBegin;
  PetscCall(PetscArrayzero(column, nblocks));
  for (PetscInt i = 0; i < nlocal; i++)
    if (block[i] >= 0) column[block[i]] = 1;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, column, (PetscMPIInt)nblocks, MPIU_INT, MPI_MAX, comm));
  *m = 0;
  for (PetscInt j = 0; j < nblocks; j++) column[j] = column[j] ? (*m)++ : -1;
  PetscFunctionReturn(0);
}

/* Z: one entry 1 per fluid row, in the column of its block. */
static PetscErrorCode assemble_space(solace_dcdm_deflation *df, Mat A, const PetscInt *block,
                                     const PetscInt *column, PetscInt m) {
  PetscInt n, nlocal, rstart;
  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &n, NULL));
  PetscCall(MatGetLocalSize(A, &nlocal, NULL));
  PetscCall(MatGetOwnershipRange(A, &rstart, NULL));
  PetscCall(MatCreate(PetscObjectComm((PetscObject)A), &df->Z));
  PetscCall(MatSetSizes(df->Z, nlocal, PETSC_DECIDE, n, m));
  PetscCall(MatSetType(df->Z, MATAIJ));
  PetscCall(MatSeqAIJSetPreallocation(df->Z, 1, NULL));
  PetscCall(MatMPIAIJSetPreallocation(df->Z, 1, NULL, 1, NULL));
  for (PetscInt i = 0; i < nlocal; i++)
    if (block[i] >= 0)
      PetscCall(MatSetValue(df->Z, rstart + i, column[block[i]], 1.0, INSERT_VALUES));
  PetscCall(MatAssemblyBegin(df->Z, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(df->Z, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* The coarse solver of E: a direct solve (LU with nested dissection; on several ranks on every
 * rank redundantly) unless options under `prefix` say otherwise. */
static PetscErrorCode create_coarse_solver(solace_dcdm_deflation *df, const char *prefix) {
  PetscMPIInt size;
  PC pc;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)df->E), &size));
  PetscCall(KSPCreate(PetscObjectComm((PetscObject)df->E), &df->coarse));
  if (prefix) PetscCall(KSPSetOptionsPrefix(df->coarse, prefix));
  PetscCall(KSPSetType(df->coarse, KSPPREONLY));
  PetscCall(KSPGetPC(df->coarse, &pc));
  PetscCall(PCSetType(pc, size > 1 ? PCREDUNDANT : PCLU));
  PetscCall(KSPSetOperators(df->coarse, df->E, df->E));
  if (prefix) PetscCall(KSPSetFromOptions(df->coarse));
  PetscCall(KSPSetUp(df->coarse));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceDCDMDeflationDestroy(solace_dcdm_deflation *df) {
  PetscFunctionBegin;
  PetscCall(MatDestroy(&df->Z));
  PetscCall(MatDestroy(&df->E));
  PetscCall(KSPDestroy(&df->coarse));
  PetscCall(VecDestroy(&df->zt));
  PetscCall(VecDestroy(&df->zc));
  PetscCall(VecDestroy(&df->work));
  PetscCall(VecDestroy(&df->work2));
  *df = (solace_dcdm_deflation){0};
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceDCDMDeflationBuild(Mat A, const PetscInt grid[3], const PetscInt *box,
                                        const PetscBool *solid, PetscInt b, const char *prefix,
                                        solace_dcdm_deflation *df) {
  MPI_Comm comm = PetscObjectComm((PetscObject)A);
  PetscInt nblocks_dim[3], *block, *column, m = 0, nlocal, rstart;
  PetscFunctionBegin;
  PetscCall(SolaceDCDMDeflationDestroy(df));
  PetscCheck(b >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "dcdm: deflation block %" PetscInt_FMT " < 1",
             b);
  PetscCall(MatGetLocalSize(A, &nlocal, NULL));
  PetscCall(MatGetOwnershipRange(A, &rstart, NULL));
  for (int a = 0; a < 3; a++) nblocks_dim[a] = (grid[a] + b - 1) / b;
  PetscInt nblocks = nblocks_dim[0] * nblocks_dim[1] * nblocks_dim[2];
  PetscCall(PetscMalloc2(nlocal, &block, nblocks, &column));
  for (PetscInt i = 0; i < nlocal; i++) {
    PetscInt c[3];
    row_coordinates(grid, box, rstart, i, c);
    block[i] = solid[i] ? -1 : c[0] / b + nblocks_dim[0] * (c[1] / b + nblocks_dim[1] * (c[2] / b));
  }
  PetscErrorCode status = number_columns(comm, nlocal, block, nblocks, column, &m);
  if (!status && m > 0) status = assemble_space(df, A, block, column, m);
  PetscCall(PetscFree2(block, column));
  PetscCall(status);
  df->block = b, df->size = m;
  PetscCall(PetscObjectGetId((PetscObject)A, &df->id));
  PetscCall(PetscObjectStateGet((PetscObject)A, &df->state));
  if (m == 0) PetscFunctionReturn(0); /* no fluid cell: nothing to deflate */
  PetscCall(MatPtAP(A, df->Z, MAT_INITIAL_MATRIX, PETSC_DEFAULT, &df->E));
  PetscCall(MatCreateVecs(df->E, &df->zc, &df->zt));
  PetscCall(MatCreateVecs(A, &df->work2, &df->work));
  PetscCall(create_coarse_solver(df, prefix));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceDCDMDeflationIsCurrent(const solace_dcdm_deflation *df, Mat A,
                                            PetscBool *current) {
  PetscObjectId id;
  PetscObjectState state;
  PetscFunctionBegin;
  PetscCall(PetscObjectGetId((PetscObject)A, &id));
  PetscCall(PetscObjectStateGet((PetscObject)A, &state));
  *current = df->block && id == df->id && state == df->state ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* df->zc = E^-1 Z^T v. */
static PetscErrorCode coarse_solve(solace_dcdm_deflation *df, Vec v) {
  KSPConvergedReason reason;
  PetscFunctionBegin;
  PetscCall(MatMultTranspose(df->Z, v, df->zt));
  PetscCall(KSPSolve(df->coarse, df->zt, df->zc));
  PetscCall(KSPGetConvergedReason(df->coarse, &reason));
  PetscCheck(reason >= 0, PetscObjectComm((PetscObject)df->coarse), PETSC_ERR_NOT_CONVERGED,
             "dcdm: the coarse solve of the deflation failed: %s", KSPConvergedReasons[reason]);
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceDCDMDeflationCorrect(solace_dcdm_deflation *df, Vec r, Vec x) {
  PetscFunctionBegin;
  if (!df->Z) PetscFunctionReturn(0);
  PetscCall(coarse_solve(df, r));
  PetscCall(MatMultAdd(df->Z, df->zc, x, x));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceDCDMDeflationProject(solace_dcdm_deflation *df, Mat A, Vec q) {
  PetscFunctionBegin;
  if (!df->Z) PetscFunctionReturn(0);
  PetscCall(MatMult(A, q, df->work));
  PetscCall(coarse_solve(df, df->work));
  PetscCall(VecScale(df->zc, -1.0));
  PetscCall(MatMultAdd(df->Z, df->zc, q, q));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceDCDMDeflationProjectTranspose(solace_dcdm_deflation *df, Mat A, Vec g) {
  PetscFunctionBegin;
  if (!df->Z) PetscFunctionReturn(0);
  PetscCall(coarse_solve(df, g));
  PetscCall(MatMult(df->Z, df->zc, df->work));
  PetscCall(MatMult(A, df->work, df->work2));
  PetscCall(VecAXPY(g, -1.0, df->work2));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceDCDMDeflationSetUp(KSP ksp, Mat A) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  MPI_Comm comm = PetscObjectComm((PetscObject)ksp);
  PetscInt box[6];
  PetscBool current;
  char prefix[256];
  const char *ksp_prefix;
  PetscFunctionBegin;
  PetscCall(SolaceDCDMDeflationIsCurrent(&d->deflation, A, &current));
  if (current && d->deflation.block == d->block) PetscFunctionReturn(0);
  PetscCheck(d->grid_dim, comm, PETSC_ERR_ARG_WRONGSTATE,
             "dcdm: deflation (-ksp_dcdm_deflate_block) needs the grid: attach a DMDA "
             "(KSPSetDM) or give -ksp_dcdm_grid nx,ny[,nz]");
  if (d->grid_from_dm) {
    PetscCall(DMDAGetCorners(ksp->dm, &box[0], &box[1], &box[2], &box[3], &box[4], &box[5]));
    PetscCheck(box[3] * box[4] * box[5] == d->nlocal, comm, PETSC_ERR_ARG_SIZ,
               "dcdm: deflation: rank %d owns %" PetscInt_FMT " matrix rows but %" PetscInt_FMT
               " DMDA cells; distribute them alike",
               d->rank, d->nlocal, box[3] * box[4] * box[5]);
  }
  PetscCall(KSPGetOptionsPrefix(ksp, &ksp_prefix));
  PetscCall(
      PetscSNPrintf(prefix, sizeof prefix, "%sksp_dcdm_deflate_", ksp_prefix ? ksp_prefix : ""));
  PetscCall(SolaceDCDMDeflationBuild(A, d->grid, d->grid_from_dm ? box : NULL, d->solid, d->block,
                                     prefix, &d->deflation));
  PetscFunctionReturn(0);
}
