/* The DCDM iteration (Kaneda, Akar, Chen, Kala, Teran, ICML 2023) with k previous directions:
 *   q = f(r / ||r||); q -= sum_i p_i (q . A p_i) / (p_i . A p_i)   (the last k directions)
 *   p = q; x += p (p . r) / (p . A p); r = b - A x                   (the true residual)
 * With subdomain deflation (dcdm-deflate.c) iteration 1 is the coarse correction
 * x += Z E^-1 Z^T r, and every q is made A-orthogonal to range(Z) before the k directions.
 * f is the identity (a conjugate-direction method: CG's iterates for SPD A) or a DCDM network
 * applied to the residual on the grid, with solid cells (rows holding only a diagonal entry)
 * zero in its input and in q. */
#include "dcdm-impl.h"

/* Marks the solid rows of A (only a nonzero diagonal entry) and keeps their diagonal; cached
 * for the matrix's id and state. */
static PetscErrorCode find_solid_cells(KSP ksp, Mat A) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscObjectId id;
  PetscObjectState state;
  PetscFunctionBegin;
  PetscCall(PetscObjectGetId((PetscObject)A, &id));
  PetscCall(PetscObjectStateGet((PetscObject)A, &state));
  if (id == d->mask_id && state == d->mask_state) PetscFunctionReturn(0);
  d->nsolid = 0;
  for (PetscInt row = d->rstart; row < d->rstart + d->nlocal; row++) {
    PetscInt ncols;
    const PetscInt *cols;
    const PetscScalar *vals;
    PetscScalar diag = 0.0;
    PetscBool off = PETSC_FALSE;
    PetscCall(MatGetRow(A, row, &ncols, &cols, &vals));
    for (PetscInt j = 0; j < ncols; j++) {
      if (cols[j] == row)
        diag = vals[j];
      else if (vals[j] != 0.0)
        off = PETSC_TRUE;
    }
    PetscCall(MatRestoreRow(A, row, &ncols, &cols, &vals));
    PetscInt i = row - d->rstart;
    d->solid[i] = !off && diag != 0.0 ? PETSC_TRUE : PETSC_FALSE;
    d->diag[i] = diag;
    d->nsolid += d->solid[i];
  }
  d->mask_id = id, d->mask_state = state;
  PetscFunctionReturn(0);
}

/* Solves the decoupled solid rows exactly: x_i = b_i / a_ii (so that q = 0 there keeps them). */
static PetscErrorCode solve_solid_cells(KSP ksp, Vec b, Vec x) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  const PetscScalar *bv;
  PetscScalar *xv;
  PetscFunctionBegin;
  if (!d->nsolid) PetscFunctionReturn(0);
  PetscCall(VecGetArrayRead(b, &bv));
  PetscCall(VecGetArray(x, &xv));
  for (PetscInt i = 0; i < d->nlocal; i++)
    if (d->solid[i]) xv[i] = bv[i] / d->diag[i];
  PetscCall(VecRestoreArray(x, &xv));
  PetscCall(VecRestoreArrayRead(b, &bv));
  PetscFunctionReturn(0);
}

/* Applies the network to d->in (the whole grid, on rank 0 only when several ranks share the
 * KSP) and copies its output to out; every rank learns whether it failed. */
static PetscErrorCode apply_network(KSP ksp, PetscScalar *out) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  MPI_Comm comm = PetscObjectComm((PetscObject)ksp);
  const solace_nn_tensor *y;
  int status = SOLACE_SUCCESS;
  PetscFunctionBegin;
  if (d->rank == 0) {
    status = solace_nn_net_forward(d->net, &d->input, &y);
    if (!status) PetscCall(PetscArraycpy(out, y->data, d->n));
  }
  if (d->size > 1) PetscCallMPI(MPI_Bcast(&status, 1, MPI_INT, 0, comm));
  PetscCheck(status == SOLACE_SUCCESS, comm, PETSC_ERR_LIB, "dcdm: the network of '%s' failed: %s",
             d->weights, d->rank == 0 ? solace_error_message() : "(see rank 0)");
  PetscFunctionReturn(0);
}

/* Several ranks: w (the masked input, global ordering) is gathered on rank 0 in natural
 * ordering, the network runs there, and its output is scattered back into q. */
static PetscErrorCode direction_gathered(KSP ksp, Vec w, Vec q) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  Vec src = d->natural ? d->natural : w;
  PetscScalar *g;
  PetscFunctionBegin;
  if (d->natural) {
    PetscCall(DMDAGlobalToNaturalBegin(ksp->dm, w, INSERT_VALUES, d->natural));
    PetscCall(DMDAGlobalToNaturalEnd(ksp->dm, w, INSERT_VALUES, d->natural));
  }
  PetscCall(VecScatterBegin(d->gather, src, d->gathered, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(d->gather, src, d->gathered, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetArray(d->gathered, &g));
  if (d->rank == 0) PetscCall(PetscArraycpy(d->in, g, d->n));
  PetscErrorCode applied = apply_network(ksp, g);
  PetscCall(VecRestoreArray(d->gathered, &g));
  PetscCall(applied);
  PetscCall(VecScatterBegin(d->gather, d->gathered, src, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(VecScatterEnd(d->gather, d->gathered, src, INSERT_VALUES, SCATTER_REVERSE));
  if (d->natural) {
    PetscCall(DMDANaturalToGlobalBegin(ksp->dm, d->natural, INSERT_VALUES, q));
    PetscCall(DMDANaturalToGlobalEnd(ksp->dm, d->natural, INSERT_VALUES, q));
  } else {
    PetscCall(VecCopy(w, q));
  }
  PetscFunctionReturn(0);
}

/* q = f(r / rnorm), zero on solid cells. */
static PetscErrorCode direction(KSP ksp, Vec r, PetscReal rnorm, Vec q) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  const PetscScalar *rv;
  PetscScalar *in, *qv;
  PetscFunctionBegin;
  if (!d->net) {
    PetscCall(VecAXPBY(q, 1.0 / rnorm, 0.0, r));
    PetscFunctionReturn(0);
  }
  PetscCall(VecGetArrayRead(r, &rv));
  if (d->size > 1)
    PetscCall(VecGetArray(d->w, &in));
  else
    in = d->in;
  for (PetscInt i = 0; i < d->nlocal; i++) in[i] = d->solid[i] ? 0.0 : rv[i] / rnorm;
  PetscCall(VecRestoreArrayRead(r, &rv));
  if (d->size > 1) {
    PetscCall(VecRestoreArray(d->w, &in));
    PetscCall(direction_gathered(ksp, d->w, q));
  } else {
    PetscCall(VecGetArray(q, &qv));
    PetscErrorCode applied = apply_network(ksp, qv);
    PetscCall(VecRestoreArray(q, &qv));
    PetscCall(applied);
  }
  PetscCall(VecGetArray(q, &qv));
  for (PetscInt i = 0; i < d->nlocal; i++)
    if (d->solid[i]) qv[i] = 0.0;
  PetscCall(VecRestoreArray(q, &qv));
  PetscFunctionReturn(0);
}

/* r = b - A x; *rnorm = ||r||. */
static PetscErrorCode true_residual(Mat A, Vec b, Vec x, Vec r, PetscReal *rnorm) {
  PetscFunctionBegin;
  PetscCall(MatMult(A, x, r));
  PetscCall(VecAYPX(r, -1.0, b));
  PetscCall(VecNorm(r, NORM_2, rnorm));
  PetscFunctionReturn(0);
}

/* Reports iteration ksp->its with residual norm rnorm and runs the convergence test. */
static PetscErrorCode report(KSP ksp, PetscReal rnorm) {
  PetscFunctionBegin;
  PetscCall(PetscObjectSAWsTakeAccess((PetscObject)ksp));
  ksp->rnorm = rnorm;
  PetscCall(PetscObjectSAWsGrantAccess((PetscObject)ksp));
  if (PetscIsInfOrNanReal(rnorm)) {
    ksp->reason = KSP_DIVERGED_NANORINF;
    PetscFunctionReturn(0);
  }
  PetscCall(KSPLogResidualHistory(ksp, rnorm));
  PetscCall(KSPMonitor(ksp, ksp->its, rnorm));
  PetscCall((*ksp->converged)(ksp, ksp->its, rnorm, &ksp->reason, ksp->cnvP));
  PetscFunctionReturn(0);
}

/* Keeps the new direction (spare slot k) as the newest of at most k; *m is the count kept. */
static void push_direction(KSP_DCDM *d, PetscInt *m, PetscReal pAp) {
  PetscInt k = d->directions;
  Vec p = d->P[k], ap = d->AP[k];
  if (*m == k) { /* drop the oldest: shift down, its vectors become the spare */
    d->P[k] = d->P[0], d->AP[k] = d->AP[0];
    for (PetscInt i = 0; i + 1 < k; i++)
      d->P[i] = d->P[i + 1], d->AP[i] = d->AP[i + 1], d->pAp[i] = d->pAp[i + 1];
    d->P[k - 1] = p, d->AP[k - 1] = ap, d->pAp[k - 1] = pAp;
  } else {
    d->P[k] = d->P[*m], d->AP[k] = d->AP[*m];
    d->P[*m] = p, d->AP[*m] = ap, d->pAp[*m] = pAp;
    (*m)++;
  }
}

PetscErrorCode SolaceKSPSolve_DCDM(KSP ksp) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  Vec x = ksp->vec_sol, b = ksp->vec_rhs, r = d->r;
  PetscInt k = d->directions, m = 0;
  PetscReal rnorm;
  Mat A;
  PetscFunctionBegin;
  PetscCheck(!ksp->transpose_solve, PetscObjectComm((PetscObject)ksp), PETSC_ERR_SUP,
             "dcdm: KSPSolveTranspose is not supported");
  PetscCall(KSPGetOperators(ksp, &A, NULL));
  ksp->its = 0;
  ksp->reason = KSP_CONVERGED_ITERATING;
  if (ksp->guess_zero) PetscCall(VecSet(x, 0.0));
  if (d->net || d->block) { /* solid cells: out of the network and of Z */
    PetscCall(find_solid_cells(ksp, A));
    PetscCall(solve_solid_cells(ksp, b, x));
  }
  PetscCall(true_residual(A, b, x, r, &rnorm));
  PetscCall(report(ksp, rnorm)); /* the guess's residual: the convergence test's reference */
  if (d->block && !ksp->reason && ksp->max_it > 0) { /* iteration 1: coarse correction */
    PetscCall(SolaceDCDMDeflationSetUp(ksp, A));
    PetscCall(SolaceDCDMDeflationCorrect(&d->deflation, r, x));
    PetscCall(true_residual(A, b, x, r, &rnorm));
    PetscCall(PetscObjectSAWsTakeAccess((PetscObject)ksp));
    ksp->its++;
    PetscCall(PetscObjectSAWsGrantAccess((PetscObject)ksp));
    PetscCall(report(ksp, rnorm));
  }
  while (!ksp->reason) {
    if (ksp->its >= ksp->max_it) {
      ksp->reason = KSP_DIVERGED_ITS;
      break;
    }
    if (rnorm == 0.0) { /* a custom convergence test that did not accept r = 0 */
      ksp->reason = KSP_CONVERGED_ATOL;
      break;
    }
    Vec q = d->P[k], aq = d->AP[k];
    PetscReal qaq, qr;
    PetscCall(direction(ksp, r, rnorm, q));
    if (d->block) PetscCall(SolaceDCDMDeflationProject(&d->deflation, A, q));
    if (m > 0) { /* A-orthogonalise against the kept directions (classical Gram-Schmidt) */
      PetscCall(VecMDot(q, m, d->AP, d->dots));
      for (PetscInt i = 0; i < m; i++) d->dots[i] = -d->dots[i] / d->pAp[i];
      PetscCall(VecMAXPY(q, m, d->dots, d->P));
    }
    PetscCall(MatMult(A, q, aq));
    PetscCall(VecDot(q, aq, &qaq));
    PetscCall(VecDot(q, r, &qr));
    if (PetscIsInfOrNanReal(qaq) || PetscIsInfOrNanReal(qr)) {
      ksp->reason = KSP_DIVERGED_NANORINF;
      break;
    }
    if (qaq <= 0.0) {
      PetscCall(PetscInfo(ksp, "dcdm: q.Aq = %g <= 0 at iteration %" PetscInt_FMT "\n", (double)qaq,
                          ksp->its));
      ksp->reason = KSP_DIVERGED_INDEFINITE_MAT;
      break;
    }
    PetscCall(VecAXPY(x, qr / qaq, q));
    push_direction(d, &m, qaq);
    PetscCall(true_residual(A, b, x, r, &rnorm));
    PetscCall(PetscObjectSAWsTakeAccess((PetscObject)ksp));
    ksp->its++;
    PetscCall(PetscObjectSAWsGrantAccess((PetscObject)ksp));
    PetscCall(report(ksp, rnorm));
  }
  PetscFunctionReturn(0);
}
