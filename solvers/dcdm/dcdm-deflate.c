/* Subdomain deflation for the dcdm KSP (-ksp_dcdm_deflate_block b). The grid is cut into blocks
 * of b (x b (x b)) cells; column j of Z is the indicator of the fluid cells of block j (blocks
 * without fluid cells have no column). With E = Z^T A Z (SPD, factored once per operator by a
 * coarse KSP with options prefix -ksp_dcdm_deflate_):
 *   x0 += Z E^-1 Z^T r0                 (so that Z^T r = 0 from then on)
 *   q  -= Z E^-1 Z^T A q                (every direction A-orthogonal to range(Z))
 * This is the deflated conjugate-gradient method of Nicolaides (SINUM 1987) and Saad, Yeung,
 * Erhel and Guyomarc'h (SISC 2000) with the direction map in the place of the preconditioner:
 * the coarse space takes the smoothest error, which a network trained on small grids resolves
 * least well on large ones. */
#include "dcdm-impl.h"

/* Grid coordinates (i, j, k) of local row `local`: a DMDA's own box, else the natural order. */
static void row_coordinates(const KSP_DCDM *d, const PetscInt box[6], PetscInt local,
                            PetscInt c[3]) {
  if (d->grid_from_dm) {
    c[0] = box[0] + local % box[3];
    c[1] = box[1] + (local / box[3]) % box[4];
    c[2] = box[2] + local / (box[3] * box[4]);
  } else {
    PetscInt row = d->rstart + local;
    c[0] = row % d->grid[0];
    c[1] = (row / d->grid[0]) % d->grid[1];
    c[2] = row / (d->grid[0] * d->grid[1]);
  }
}

/* The block of every local row (-1 for solid rows), in natural block order. */
static PetscErrorCode local_blocks(KSP ksp, PetscInt nblocks_dim[3], PetscInt *block) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscInt b = d->deflate_block, box[6] = {0, 0, 0, 1, 1, 1};
  PetscFunctionBegin;
  if (d->grid_from_dm) {
    PetscCall(DMDAGetCorners(ksp->dm, &box[0], &box[1], &box[2], &box[3], &box[4], &box[5]));
    PetscCheck(box[3] * box[4] * box[5] == d->nlocal, PetscObjectComm((PetscObject)ksp),
               PETSC_ERR_ARG_SIZ,
               "dcdm: deflation: rank %d owns %" PetscInt_FMT " matrix rows but %" PetscInt_FMT
               " DMDA cells; distribute them alike",
               d->rank, d->nlocal, box[3] * box[4] * box[5]);
  }
  for (int a = 0; a < 3; a++) nblocks_dim[a] = (d->grid[a] + b - 1) / b;
  for (PetscInt i = 0; i < d->nlocal; i++) {
    PetscInt c[3];
    row_coordinates(d, box, i, c);
    block[i] =
        d->solid[i] ? -1 : c[0] / b + nblocks_dim[0] * (c[1] / b + nblocks_dim[1] * (c[2] / b));
  }
  PetscFunctionReturn(0);
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
static PetscErrorCode assemble_space(KSP ksp, const PetscInt *block, const PetscInt *column,
                                     PetscInt m) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  PetscCall(MatCreate(PetscObjectComm((PetscObject)ksp), &d->Z));
  PetscCall(MatSetSizes(d->Z, d->nlocal, PETSC_DECIDE, d->n, m));
  PetscCall(MatSetType(d->Z, MATAIJ));
  PetscCall(MatSeqAIJSetPreallocation(d->Z, 1, NULL));
  PetscCall(MatMPIAIJSetPreallocation(d->Z, 1, NULL, 1, NULL));
  for (PetscInt i = 0; i < d->nlocal; i++) {
    if (block[i] < 0) continue;
    PetscInt row = d->rstart + i;
    PetscCall(MatSetValue(d->Z, row, column[block[i]], 1.0, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(d->Z, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(d->Z, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* The coarse solver of E: a direct solve (LU with nested dissection; on several ranks on every
 * rank redundantly) unless -ksp_dcdm_deflate_ options say otherwise. */
static PetscErrorCode create_coarse_solver(KSP ksp) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  const char *prefix;
  PC pc;
  PetscFunctionBegin;
  PetscCall(KSPCreate(PetscObjectComm((PetscObject)ksp), &d->coarse));
  PetscCall(PetscObjectIncrementTabLevel((PetscObject)d->coarse, (PetscObject)ksp, 1));
  PetscCall(KSPGetOptionsPrefix(ksp, &prefix));
  PetscCall(KSPSetOptionsPrefix(d->coarse, prefix));
  PetscCall(KSPAppendOptionsPrefix(d->coarse, "ksp_dcdm_deflate_"));
  PetscCall(KSPSetType(d->coarse, KSPPREONLY));
  PetscCall(KSPGetPC(d->coarse, &pc));
  PetscCall(PCSetType(pc, d->size > 1 ? PCREDUNDANT : PCLU));
  PetscCall(KSPSetOperators(d->coarse, d->E, d->E));
  PetscCall(KSPSetFromOptions(d->coarse));
  PetscCall(KSPSetUp(d->coarse));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceDCDMDeflationReset(KSP ksp) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  PetscCall(MatDestroy(&d->Z));
  PetscCall(MatDestroy(&d->E));
  PetscCall(KSPDestroy(&d->coarse));
  PetscCall(VecDestroy(&d->zt));
  PetscCall(VecDestroy(&d->zc));
  d->deflate_id = 0;
  d->deflate_size = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceDCDMDeflationSetUp(KSP ksp, Mat A) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  MPI_Comm comm = PetscObjectComm((PetscObject)ksp);
  PetscObjectId id;
  PetscObjectState state;
  PetscInt nblocks_dim[3], *block, *column, m;
  PetscFunctionBegin;
  PetscCall(PetscObjectGetId((PetscObject)A, &id));
  PetscCall(PetscObjectStateGet((PetscObject)A, &state));
  if (d->Z && id == d->deflate_id && state == d->deflate_state) PetscFunctionReturn(0);
  PetscCheck(d->grid_dim, comm, PETSC_ERR_ARG_WRONGSTATE,
             "dcdm: deflation (-ksp_dcdm_deflate_block) needs the grid: attach a DMDA "
             "(KSPSetDM) or give -ksp_dcdm_grid nx,ny[,nz]");
  PetscCall(SolaceDCDMDeflationReset(ksp));
  for (int a = 0; a < 3; a++)
    nblocks_dim[a] = (d->grid[a] + d->deflate_block - 1) / d->deflate_block;
  PetscInt nblocks = nblocks_dim[0] * nblocks_dim[1] * nblocks_dim[2];
  PetscCall(PetscMalloc2(d->nlocal, &block, nblocks, &column));
  PetscErrorCode status = local_blocks(ksp, nblocks_dim, block);
  if (!status) status = number_columns(comm, d->nlocal, block, nblocks, column, &m);
  if (!status && m > 0) status = assemble_space(ksp, block, column, m);
  PetscCall(PetscFree2(block, column));
  PetscCall(status);
  d->deflate_id = id, d->deflate_state = state, d->deflate_size = m;
  if (m == 0) PetscFunctionReturn(0); /* no fluid cell: nothing to deflate */
  PetscCall(MatPtAP(A, d->Z, MAT_INITIAL_MATRIX, PETSC_DEFAULT, &d->E));
  PetscCall(MatCreateVecs(d->E, &d->zc, &d->zt));
  PetscCall(create_coarse_solver(ksp));
  PetscFunctionReturn(0);
}

/* d->zc = E^-1 Z^T v. */
static PetscErrorCode coarse_solve(KSP_DCDM *d, Vec v) {
  KSPConvergedReason reason;
  PetscFunctionBegin;
  PetscCall(MatMultTranspose(d->Z, v, d->zt));
  PetscCall(KSPSolve(d->coarse, d->zt, d->zc));
  PetscCall(KSPGetConvergedReason(d->coarse, &reason));
  PetscCheck(reason >= 0, PetscObjectComm((PetscObject)d->coarse), PETSC_ERR_NOT_CONVERGED,
             "dcdm: the coarse solve of the deflation failed: %s", KSPConvergedReasons[reason]);
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceDCDMDeflationCorrect(KSP ksp, Vec r, Vec x) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  if (!d->Z) PetscFunctionReturn(0);
  PetscCall(coarse_solve(d, r));
  PetscCall(MatMultAdd(d->Z, d->zc, x, x));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceDCDMDeflationProject(KSP ksp, Mat A, Vec q, Vec work) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  if (!d->Z) PetscFunctionReturn(0);
  PetscCall(MatMult(A, q, work));
  PetscCall(coarse_solve(d, work));
  PetscCall(VecScale(d->zc, -1.0));
  PetscCall(MatMultAdd(d->Z, d->zc, q, q));
  PetscFunctionReturn(0);
}
