/* The GCRO-DR iteration (Parks, de Sturler, Mackey, Johnson, Maiti, SISC 2006): restarted cycles
 * of Arnoldi with (I - C C^T) Ahat, minimal residual over [U, V], and a recycle space U of
 * harmonic Ritz vectors that is carried from one cycle and one system to the next. */
#include "gcrodr-impl.h"

#include <cblas.h>
#include <lapacke.h>

/* out = Ahat in: M^-1 A in (left) or A M^-1 in (right). */
static PetscErrorCode apply_operator(KSP ksp, Vec in, Vec out) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscFunctionBegin;
  PetscCall(KSP_PCApplyBAorAB(ksp, in, out, g->work));
  PetscFunctionReturn(0);
}

/* Sets KSP_DIVERGED_NANORINF (or PC_FAILED) when `value` is not finite; the caller checks
 * ksp->reason. */
static PetscErrorCode check_norm(KSP ksp, PetscReal value) {
  PetscFunctionBegin;
  KSPCheckNorm(ksp, value);
  PetscFunctionReturn(0);
}

/* The identity and state of the operators and the preconditioning side. */
static PetscErrorCode operator_signature(KSP ksp, PetscObjectId ids[2], PetscObjectState s[2]) {
  Mat Amat, Pmat;
  PetscFunctionBegin;
  PetscCall(KSPGetOperators(ksp, &Amat, &Pmat));
  PetscCall(PetscObjectGetId((PetscObject)Amat, &ids[0]));
  PetscCall(PetscObjectGetId((PetscObject)Pmat, &ids[1]));
  PetscCall(PetscObjectStateGet((PetscObject)Amat, &s[0]));
  PetscCall(PetscObjectStateGet((PetscObject)Pmat, &s[1]));
  PetscFunctionReturn(0);
}

/* Records that C = Ahat U holds for the current operators. */
static PetscErrorCode remember_operator(KSP ksp) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscObjectId ids[2];
  PetscObjectState states[2];
  PetscFunctionBegin;
  PetscCall(operator_signature(ksp, ids, states));
  g->amat_id = ids[0], g->pmat_id = ids[1];
  g->amat_state = states[0], g->pmat_state = states[1];
  g->side = ksp->pc_side;
  PetscFunctionReturn(0);
}

/* True when the operators or the side changed since C = Ahat U was computed. */
static PetscErrorCode operator_changed(KSP ksp, PetscBool *changed) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscObjectId ids[2];
  PetscObjectState states[2];
  PetscFunctionBegin;
  PetscCall(operator_signature(ksp, ids, states));
  *changed = (ids[0] != g->amat_id || ids[1] != g->pmat_id || states[0] != g->amat_state ||
              states[1] != g->pmat_state || ksp->pc_side != g->side)
                 ? PETSC_TRUE
                 : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* Orthonormalizes C in place by two passes of classical Gram-Schmidt, applying the same column
 * operations to U so that Ahat U = C keeps holding; drops columns that are (numerically)
 * dependent or not finite. */
static PetscErrorCode orthonormalize_recycle_space(KSP_GCRODR *g) {
  PetscInt kept = 0;
  PetscFunctionBegin;
  for (PetscInt i = 0; i < g->kcur; i++) {
    PetscReal norm0, norm;
    PetscCall(VecNorm(g->C[i], NORM_2, &norm0));
    for (int pass = 0; pass < 2 && kept > 0; pass++) {
      PetscCall(VecMDot(g->C[i], kept, g->C, g->dots));
      for (PetscInt l = 0; l < kept; l++) g->dots[l] = -g->dots[l];
      PetscCall(VecMAXPY(g->C[i], kept, g->dots, g->C));
      PetscCall(VecMAXPY(g->U[i], kept, g->dots, g->U));
    }
    PetscCall(VecNorm(g->C[i], NORM_2, &norm));
    if (!(norm > 1e-10 * norm0) || PetscIsInfOrNanReal(norm)) continue;
    PetscCall(VecScale(g->C[i], 1.0 / norm));
    PetscCall(VecScale(g->U[i], 1.0 / norm));
    if (kept != i) PetscCall(VecCopy(g->C[i], g->C[kept]));
    if (kept != i) PetscCall(VecCopy(g->U[i], g->U[kept]));
    kept++;
  }
  if (kept < g->kcur)
    PetscCall(PetscInfo(NULL, "gcrodr: %d of %d recycle vectors were dependent and dropped\n",
                        (int)(g->kcur - kept), (int)g->kcur));
  g->kcur = kept;
  PetscFunctionReturn(0);
}

/* Orthonormalizes C (and maps U along) by two passes of Cholesky QR: R = chol(C^T C),
 * C = C R^-1, U = U R^-1, all BLAS-3. *done is false when C is too ill-conditioned for it (the
 * caller then falls back to Gram-Schmidt, which drops dependent columns). */
static PetscErrorCode cholesky_qr(KSP ksp, PetscBool *done) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscInt k = g->kcur;
  PetscFunctionBegin;
  *done = PETSC_FALSE;
  for (int pass = 0; pass < 2; pass++) {
    PetscCall(SolaceGCRODRBlockGram(ksp, g->Ca, k, g->Ca, k, g->gram));
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)k, g->gram, (lapack_int)k);
    if (info != 0) PetscFunctionReturn(0);
    PetscReal largest = 0.0, smallest = PETSC_MAX_REAL;
    for (PetscInt i = 0; i < k; i++) {
      largest = PetscMax(largest, PetscAbsReal(g->gram[i + i * k]));
      smallest = PetscMin(smallest, PetscAbsReal(g->gram[i + i * k]));
    }
    if (!(smallest > 1e-7 * largest)) PetscFunctionReturn(0); /* nearly dependent columns */
    PetscCall(SolaceGCRODRBlockSolveUpper(ksp, g->Ca, g->C, k, g->gram));
    PetscCall(SolaceGCRODRBlockSolveUpper(ksp, g->Ua, g->U, k, g->gram));
  }
  *done = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* For a new operator: C = Ahat U, then [Q, R] = qr(C), C = Q, U = U R^-1. */
static PetscErrorCode refresh_recycle_space(KSP ksp) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscBool changed = PETSC_TRUE;
  PetscFunctionBegin;
  if (g->kcur == 0) PetscFunctionReturn(0);
  PetscCall(operator_changed(ksp, &changed));
  if (!changed) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(SOLACE_GCRODR_Refresh, ksp, 0, 0, 0));
  for (PetscInt i = 0; i < g->kcur; i++) PetscCall(apply_operator(ksp, g->U[i], g->C[i]));
  PetscBool done;
  PetscCall(cholesky_qr(ksp, &done));
  if (!done) PetscCall(orthonormalize_recycle_space(g));
  PetscCall(remember_operator(ksp));
  PetscCall(PetscLogEventEnd(SOLACE_GCRODR_Refresh, ksp, 0, 0, 0));
  g->refreshes++;
  PetscFunctionReturn(0);
}

/* Starts a cycle: r = (preconditioned) b - A x, then the projection x += U C^T r (collected in
 * g->corr), r -= C C^T r; writes ||r|| and the column scales D = 1/||u_i||. */
static PetscErrorCode start_cycle(KSP ksp, PetscReal *beta) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscInt k = g->kcur;
  PetscFunctionBegin;
  PetscCall(KSPInitialResidual(ksp, ksp->vec_sol, g->work, g->corr, g->r, ksp->vec_rhs));
  PetscCall(VecSet(g->corr, 0.0));
  if (k > 0) {
    PetscCall(VecMDot(g->r, k, g->C, g->dots));
    PetscCall(VecMAXPY(g->corr, k, g->dots, g->U));
    for (PetscInt i = 0; i < k; i++) g->dots[i] = -g->dots[i];
    PetscCall(VecMAXPY(g->r, k, g->dots, g->C));
    for (PetscInt i = 0; i < k; i++) PetscCall(VecNormBegin(g->U[i], NORM_2, &g->dscale[i]));
    for (PetscInt i = 0; i < k; i++) PetscCall(VecNormEnd(g->U[i], NORM_2, &g->dscale[i]));
    for (PetscInt i = 0; i < k; i++) g->dscale[i] = 1.0 / g->dscale[i];
  }
  PetscCall(VecNorm(g->r, NORM_2, beta));
  PetscFunctionReturn(0);
}

/* Subtracts from w its components along `count` orthonormal vectors, adding them to coef. */
static PetscErrorCode orthogonalize_against(KSP_GCRODR *g, Vec w, PetscInt count, Vec *basis,
                                            PetscReal *coef) {
  PetscFunctionBegin;
  if (count == 0) PetscFunctionReturn(0);
  PetscCall(VecMDot(w, count, basis, g->dots));
  for (PetscInt l = 0; l < count; l++) coef[l] += g->dots[l], g->dots[l] = -g->dots[l];
  PetscCall(VecMAXPY(w, count, g->dots, basis));
  PetscFunctionReturn(0);
}

/* Arnoldi step t of (I - C C^T) Ahat: V[t+1] from V[t], filling column kcur + t of G (B above,
 * Hbar below), by classical Gram-Schmidt against [C, V] with the refinement of g->refinement
 * (a second pass when asked, or when the first one cancelled more than 30% of the norm:
 * Daniel-Gragg-Kaufman-Stewart). *breakdown: the new vector vanished. */
static PetscErrorCode arnoldi_step(KSP ksp, PetscInt t, PetscBool *breakdown) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscInt k = g->kcur, col = k + t;
  PetscReal *gcol = g->G + col * (g->restart + 1), before = 0.0, norm = 0.0, removed = 0.0;
  Vec w = g->V[t + 1];
  PetscFunctionBegin;
  *breakdown = PETSC_FALSE;
  PetscCall(apply_operator(ksp, g->V[t], w));
  if (g->refinement == KSP_GMRES_CGS_REFINE_IFNEEDED) PetscCall(VecNorm(w, NORM_2, &before));
  PetscCall(PetscArrayzero(gcol, col + 2));
  for (int pass = 0; pass < 2; pass++) {
    PetscCall(orthogonalize_against(g, w, k, g->C, gcol));
    PetscCall(orthogonalize_against(g, w, t + 1, g->V, gcol + k));
    PetscCall(VecNorm(w, NORM_2, &norm));
    if (g->refinement == KSP_GMRES_CGS_REFINE_NEVER) break;
    if (g->refinement == KSP_GMRES_CGS_REFINE_IFNEEDED && norm > 0.7 * before) break;
    before = norm;
  }
  PetscCall(check_norm(ksp, norm));
  if (ksp->reason) PetscFunctionReturn(0);
  for (PetscInt l = 0; l <= col; l++) removed += gcol[l] * gcol[l];
  gcol[col + 1] = norm;
  /* ||Ahat v_t||^2 = removed + norm^2 for an orthonormal [C, V]. */
  if (!(norm > 1e-14 * PetscSqrtReal(removed + norm * norm))) {
    *breakdown = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  PetscCall(VecScale(w, 1.0 / norm));
  PetscFunctionReturn(0);
}

/* Reports iteration ksp->its with residual estimate `res` and runs the convergence test. */
static PetscErrorCode report_iteration(KSP ksp, PetscReal res) {
  PetscFunctionBegin;
  ksp->rnorm = res;
  PetscCall(KSPLogResidualHistory(ksp, res));
  PetscCall(KSPMonitor(ksp, ksp->its, res));
  PetscCall((*ksp->converged)(ksp, ksp->its, res, &ksp->reason, ksp->cnvP));
  PetscFunctionReturn(0);
}

/* Puts D on the diagonal of the first kcur columns of G and R and beta at rhs[kcur]. */
static PetscErrorCode prepare_cycle(KSP_GCRODR *g, PetscReal beta) {
  PetscInt ld = g->restart + 1, k = g->kcur;
  PetscFunctionBegin;
  PetscCall(PetscArrayzero(g->rhs, ld));
  g->rhs[k] = beta;
  for (PetscInt i = 0; i < k; i++) {
    PetscCall(PetscArrayzero(g->G + i * ld, ld));
    g->G[i + i * ld] = g->dscale[i];
    PetscCall(PetscArraycpy(g->R + i * ld, g->G + i * ld, ld));
  }
  PetscCall(VecScale(g->V[0], 1.0 / beta));
  PetscFunctionReturn(0);
}

/* Runs the Arnoldi steps of one cycle from V[0] = r / beta until convergence, m - kcur steps,
 * max_it or breakdown; writes the number of steps to *steps. */
static PetscErrorCode run_cycle(KSP ksp, PetscReal beta, PetscInt *steps) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscInt k = g->kcur, length = g->restart - k;
  PetscBool breakdown = PETSC_FALSE;
  PetscReal res = beta;
  PetscFunctionBegin;
  *steps = 0;
  PetscCall(VecCopy(g->r, g->V[0]));
  PetscCall(prepare_cycle(g, beta));
  while (*steps < length && !ksp->reason && !breakdown) {
    if (ksp->its >= ksp->max_it) {
      ksp->reason = KSP_DIVERGED_ITS;
      break;
    }
    PetscCall(arnoldi_step(ksp, *steps, &breakdown));
    if (ksp->reason) PetscFunctionReturn(0); /* not a number */
    res = SolaceGCRODRRotate(g, k, k + *steps);
    (*steps)++;
    ksp->its++;
    PetscCall(report_iteration(ksp, res));
  }
  /* An invariant subspace that did not yield the solution: the method cannot progress. */
  if (breakdown && !ksp->reason && res >= beta * (1.0 - 1e-12))
    ksp->reason = KSP_DIVERGED_BREAKDOWN;
  PetscFunctionReturn(0);
}

/* Adds the cycle's correction to x: corr (left) or M^-1 corr (right). */
static PetscErrorCode apply_correction(KSP ksp) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscFunctionBegin;
  if (ksp->pc_side == PC_RIGHT) {
    PetscCall(KSP_PCApply(ksp, g->corr, g->work));
    PetscCall(VecAXPY(ksp->vec_sol, 1.0, g->work));
  } else {
    PetscCall(VecAXPY(ksp->vec_sol, 1.0, g->corr));
  }
  PetscFunctionReturn(0);
}

/* corr += [U D, V_j] y with y the least-squares solution of the cycle. */
static PetscErrorCode add_minimizer(KSP_GCRODR *g, PetscInt steps) {
  PetscInt k = g->kcur;
  PetscFunctionBegin;
  if (k > 0) {
    for (PetscInt i = 0; i < k; i++) g->dots[i] = g->dscale[i] * g->y[i];
    PetscCall(VecMAXPY(g->corr, k, g->dots, g->U));
  }
  PetscCall(VecMAXPY(g->corr, steps, g->y + k, g->V));
  PetscFunctionReturn(0);
}

/* W = What^T Vhat with What = [C, V_{j+1}], Vhat = [U D, V_j]: ((k+j+1) x (k+j)). */
static PetscErrorCode assemble_w(KSP ksp, PetscInt steps) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscInt ld = g->restart + 1, k = g->kcur, n = k + steps;
  PetscReal *ctu = g->gram, *vtu = g->gram + k * k;
  PetscFunctionBegin;
  for (PetscInt col = 0; col < n; col++) PetscCall(PetscArrayzero(g->W + col * ld, n + 1));
  PetscCall(SolaceGCRODRBlockGram(ksp, g->Ca, k, g->Ua, k, ctu));
  PetscCall(SolaceGCRODRBlockGram(ksp, g->Va, steps + 1, g->Ua, k, vtu));
  for (PetscInt i = 0; i < k; i++) {
    PetscReal *wcol = g->W + i * ld;
    for (PetscInt l = 0; l < k; l++) wcol[l] = ctu[l + i * k] * g->dscale[i];
    for (PetscInt l = 0; l <= steps; l++) wcol[k + l] = vtu[l + i * (steps + 1)] * g->dscale[i];
  }
  for (PetscInt t = 0; t < steps; t++) g->W[(k + t) + (k + t) * ld] = 1.0;
  PetscFunctionReturn(0);
}

/* Cnew = What Q = C Q_top + V_{j+1} Q_bottom, with Q in g->GP. */
static PetscErrorCode build_new_c(KSP ksp, PetscInt steps, PetscInt kept) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscInt ld = g->restart + 1, k = g->kcur;
  PetscFunctionBegin;
  PetscCall(SolaceGCRODRBlockCombine(ksp, g->Cnewa, g->Cnew, kept, g->Ca, k, g->GP, ld, 0.0));
  PetscCall(SolaceGCRODRBlockCombine(ksp, g->Cnewa, g->Cnew, kept, g->Va, steps + 1, g->GP + k, ld,
                                     k > 0 ? 1.0 : 0.0));
  PetscFunctionReturn(0);
}

/* Unew = Vhat P = U D P_top + V_j P_bottom, with P in g->P (whose top rows are scaled by D). */
static PetscErrorCode build_new_u(KSP ksp, PetscInt steps, PetscInt kept) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscInt k = g->kcur;
  PetscFunctionBegin;
  for (PetscInt l = 0; l < kept; l++)
    for (PetscInt i = 0; i < k; i++) g->P[i + l * g->restart] *= g->dscale[i];
  PetscCall(
      SolaceGCRODRBlockCombine(ksp, g->Unewa, g->Unew, kept, g->Ua, k, g->P, g->restart, 0.0));
  PetscCall(SolaceGCRODRBlockCombine(ksp, g->Unewa, g->Unew, kept, g->Va, steps, g->P + k,
                                     g->restart, k > 0 ? 1.0 : 0.0));
  PetscFunctionReturn(0);
}

/* Makes the new U (and, when `with_c`, the new C) the current recycle space. */
static void swap_spaces(KSP_GCRODR *g, PetscBool with_c) {
  Vec *vecs = g->U;
  PetscScalar *array = g->Ua;
  g->U = g->Unew, g->Unew = vecs;
  g->Ua = g->Unewa, g->Unewa = array;
  if (!with_c) return;
  vecs = g->C, array = g->Ca;
  g->C = g->Cnew, g->Cnew = vecs;
  g->Ca = g->Cnewa, g->Cnewa = array;
}

/* After the cycle that solved the system, only U is needed: the next solve rebuilds C = Ahat U
 * (and orthonormalizes it) for its operator, so Cnew and R^-1 are skipped. */
static PetscErrorCode keep_final_space(KSP ksp, PetscInt steps, PetscInt kept) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscFunctionBegin;
  PetscCall(build_new_u(ksp, steps, kept));
  swap_spaces(g, PETSC_FALSE);
  g->kcur = kept;
  g->side = (PCSide)-2; /* C no longer matches U: rebuild it at the next solve */
  PetscFunctionReturn(0);
}

/* The new recycle space: P = harmonic Ritz vectors of the cycle, [Q, R] = qr(G P),
 * C = What Q, U = Vhat P R^-1. Keeps the old space when the new one would be degenerate. */
static PetscErrorCode update_recycle_space(KSP ksp, PetscInt steps) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscInt ld = g->restart + 1, k = g->kcur, n = k + steps, kept;
  PetscInt limit = PetscMin(PetscMin(g->capacity, n), g->restart - 1);
  PetscBool full_rank;
  PetscFunctionBegin;
  if (g->recycle == 0 || steps == 0 || limit < 1) PetscFunctionReturn(0);
  PetscCall(assemble_w(ksp, steps));
  PetscCall(SolaceGCRODRHarmonicRitz(g, k, n, PetscMin(g->recycle, limit), limit, &kept));
  if (kept == 0) PetscFunctionReturn(0);
  if (ksp->reason > 0) {
    PetscCall(keep_final_space(ksp, steps, kept));
    PetscFunctionReturn(0);
  }
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)(n + 1), (int)kept, (int)n, 1.0, g->G,
              (int)ld, g->P, (int)g->restart, 0.0, g->GP, (int)ld);
  PetscCall(SolaceGCRODRQR(g, n + 1, kept, g->Rqr, &full_rank));
  if (!full_rank) {
    PetscCall(PetscInfo(ksp, "gcrodr: G P is rank deficient; recycle space not updated\n"));
    PetscFunctionReturn(0);
  }
  PetscCall(build_new_c(ksp, steps, kept));
  PetscCall(build_new_u(ksp, steps, kept));
  PetscCall(SolaceGCRODRBlockSolveUpper(ksp, g->Unewa, g->Unew, kept, g->Rqr));
  swap_spaces(g, PETSC_TRUE);
  g->kcur = kept;
  PetscCall(remember_operator(ksp));
  PetscFunctionReturn(0);
}

/* Ends a cycle of `steps` Arnoldi steps: least squares, solution update, new recycle space. */
static PetscErrorCode finish_cycle(KSP ksp, PetscInt steps) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscFunctionBegin;
  if (steps > 0) {
    if (!SolaceGCRODRBackSolve(g, g->kcur + steps)) {
      ksp->reason = KSP_DIVERGED_BREAKDOWN;
      PetscCall(apply_correction(ksp));
      PetscFunctionReturn(0);
    }
    PetscCall(add_minimizer(g, steps));
  }
  PetscCall(apply_correction(ksp));
  PetscCall(PetscLogEventBegin(SOLACE_GCRODR_Update, ksp, 0, 0, 0));
  PetscCall(update_recycle_space(ksp, steps));
  PetscCall(PetscLogEventEnd(SOLACE_GCRODR_Update, ksp, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Tests the residual at the start of a cycle (and reports iteration 0 of the solve). */
static PetscErrorCode test_cycle_start(KSP ksp, PetscReal beta) {
  PetscFunctionBegin;
  if (ksp->its == 0) {
    PetscCall(report_iteration(ksp, beta));
  } else {
    ksp->rnorm = beta;
    PetscCall((*ksp->converged)(ksp, ksp->its, beta, &ksp->reason, ksp->cnvP));
  }
  if (!ksp->reason && beta == 0.0) ksp->reason = KSP_CONVERGED_ATOL;
  if (!ksp->reason && ksp->its >= ksp->max_it) ksp->reason = KSP_DIVERGED_ITS;
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPSolve_GCRODR(KSP ksp) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscBool guess_zero = ksp->guess_zero;
  PetscFunctionBegin;
  PetscCheck(ksp->pc_side == PC_LEFT || ksp->pc_side == PC_RIGHT, PetscObjectComm((PetscObject)ksp),
             PETSC_ERR_SUP, "gcrodr supports left and right preconditioning, not %s",
             PCSides[ksp->pc_side]);
  ksp->its = 0;
  ksp->reason = KSP_CONVERGED_ITERATING;
  if (g->drop_next || g->drop_each_solve) PetscCall(SolaceGCRODRDrop(g));
  g->drop_next = PETSC_FALSE;
  g->solves++;
  PetscCall(refresh_recycle_space(ksp));
  while (!ksp->reason) {
    PetscReal beta;
    PetscInt steps = 0;
    PetscCall(start_cycle(ksp, &beta));
    PetscCall(check_norm(ksp, beta));
    if (!ksp->reason) PetscCall(test_cycle_start(ksp, beta));
    if (!ksp->reason) PetscCall(run_cycle(ksp, beta, &steps));
    if (ksp->reason == KSP_DIVERGED_NANORINF || ksp->reason == KSP_DIVERGED_PC_FAILED) break;
    PetscCall(finish_cycle(ksp, steps));
    ksp->guess_zero = PETSC_FALSE; /* later cycles start from the updated x */
  }
  ksp->guess_zero = guess_zero;
  /* A recycle space built from non-finite data would poison the next system. */
  if (ksp->reason == KSP_DIVERGED_NANORINF || ksp->reason == KSP_DIVERGED_PC_FAILED)
    PetscCall(SolaceGCRODRDrop(g));
  PetscFunctionReturn(0);
}
