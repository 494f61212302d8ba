/* Held-out validation of DCDM training: the solver's iterations on obstacle problems that no
 * training operator saw, used to pick the checkpoint a run writes. */
#include "dcdm-train.h"

#include <math.h>
#include <stdlib.h>

int solace_dcdm_validation_create(const solace_dcdm_train_config *c, solace_dcdm_validation *v) {
  *v = (solace_dcdm_validation){0};
  for (int64_t k = 0; k < c->nvalidate; k++) {
    solace_obstacle ob;
    SolaceCall(solace_obstacle_create(c->arch.ndim, c->validate_grid[k], c->obstacle,
                                      c->validate_seed, &ob));
    v->ob[k] = ob;
    v->count = k + 1;
    SolaceCall(SolaceCalloc(ob->cells, &v->b[k]));
    SolaceCall(solace_obstacle_rhs(ob, c->validate_seed, 0, v->b[k]));
  }
  return SOLACE_SUCCESS;
}

void solace_dcdm_validation_release(solace_dcdm_validation *v) {
  for (int64_t k = 0; k < v->count; k++) {
    solace_obstacle_destroy(&v->ob[k]);
    free(v->b[k]);
  }
  *v = (solace_dcdm_validation){0};
}

/* One DCDM solve of problem ob with right-hand side b from x = 0 (deflation blocks of
 * deflate_block cells, 0: none). */
static PetscErrorCode solve_one(solace_obstacle ob, const double *b, const char *weights,
                                int64_t deflate_block, double rtol, int64_t max_it, PetscInt *its,
                                KSPConvergedReason *reason, double *residual) {
  KSP ksp;
  Vec vb, x;
  int64_t grid[3] = {ob->n, ob->n, ob->n};
  PetscFunctionBegin;
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)ob->cells, b, &vb));
  PetscCall(VecDuplicate(vb, &x));
  PetscCall(SolaceDCDMCreateKSP(ob->A, weights, ob->ndim, grid, rtol, max_it, &ksp));
  PetscCall(SolaceKSPDCDMSetDeflationBlock(ksp, (PetscInt)deflate_block));
  PetscCall(KSPSolve(ksp, vb, x));
  PetscCall(KSPGetIterationNumber(ksp, its));
  PetscCall(KSPGetConvergedReason(ksp, reason));
  PetscCall(SolaceDCDMRelativeResidual(ob->A, vb, x, residual));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&vb));
  PetscFunctionReturn(0);
}

int solace_dcdm_validation_run(const solace_dcdm_validation *v, const solace_dcdm_train_config *c,
                               const char *weights, solace_dcdm_score *score) {
  *score = (solace_dcdm_score){0};
  for (int64_t k = 0; k < v->count; k++) {
    PetscInt its = 0;
    KSPConvergedReason reason = KSP_CONVERGED_ITERATING;
    double residual = INFINITY;
    SolacePetscCall(solve_one(v->ob[k], v->b[k], weights, c->deflate_block, c->validate_rtol,
                              c->validate_max_it, &its, &reason, &residual));
    /* breakdown (q.Aq <= 0, NaN) scores as unconverged with an infinite residual */
    if (reason < 0 && reason != KSP_DIVERGED_ITS) residual = INFINITY;
    score->unconverged += reason <= 0;
    score->iterations += its;
    score->residual = fmax(score->residual, isnan(residual) ? INFINITY : residual);
  }
  return SOLACE_SUCCESS;
}

int solace_dcdm_score_better(const solace_dcdm_score *a, const solace_dcdm_score *b) {
  if (a->unconverged != b->unconverged) return a->unconverged < b->unconverged;
  if (a->unconverged == 0 && a->iterations != b->iterations) return a->iterations < b->iterations;
  return a->residual < b->residual;
}
