/* The gcrodr KSP type: creation, options, setup, view and the public setters. The iteration is
 * in gcrodr-solve.c, its dense kernels in gcrodr-dense.c. */
#include "gcrodr-impl.h"

enum { DEFAULT_RESTART = 40, DEFAULT_RECYCLE = 20 };

/* The recycled dimension in effect: the user's, or min(20, m/2). */
static PetscInt effective_recycle(const KSP_GCRODR *g, PetscInt user) {
  return user >= 0 ? user : PetscMin(DEFAULT_RECYCLE, g->restart / 2);
}

PetscErrorCode SolaceGCRODRDrop(KSP_GCRODR *g) {
  PetscFunctionBegin;
  if (g->kcur > 0) g->dropped++;
  g->kcur = 0;
  PetscFunctionReturn(0);
}

/* Frees the vectors and dense work arrays (KSPReset). */
static PetscErrorCode KSPReset_GCRODR(KSP ksp) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscFunctionBegin;
  PetscCall(SolaceGCRODRBlockDestroy(g->restart + 1, &g->Va, &g->V));
  PetscCall(SolaceGCRODRBlockDestroy(g->capacity, &g->Ua, &g->U));
  PetscCall(SolaceGCRODRBlockDestroy(g->capacity, &g->Ca, &g->C));
  PetscCall(SolaceGCRODRBlockDestroy(g->capacity, &g->Unewa, &g->Unew));
  PetscCall(SolaceGCRODRBlockDestroy(g->capacity, &g->Cnewa, &g->Cnew));
  PetscCall(VecDestroy(&g->r));
  PetscCall(VecDestroy(&g->corr));
  PetscCall(VecDestroy(&g->work));
  PetscCall(PetscFree5(g->G, g->R, g->rhs, g->cs, g->sn));
  PetscCall(PetscFree4(g->y, g->dscale, g->dots, g->W));
  PetscCall(PetscFree6(g->eigA, g->eigB, g->eigVR, g->alphar, g->alphai, g->beta));
  PetscCall(PetscFree6(g->P, g->GP, g->tau, g->Rqr, g->units, g->gram));
  g->kcur = 0;
  g->capacity = 0;
  PetscFunctionReturn(0);
}

/* Allocates the dense work of a cycle for restart m and capacity cap. */
static PetscErrorCode allocate_dense(KSP_GCRODR *g) {
  PetscInt m = g->restart, ld = m + 1, cap = g->capacity;
  PetscFunctionBegin;
  PetscCall(PetscCalloc5(ld * m, &g->G, ld * m, &g->R, ld, &g->rhs, ld, &g->cs, ld, &g->sn));
  PetscCall(PetscCalloc4(m, &g->y, cap, &g->dscale, ld, &g->dots, ld * m, &g->W));
  PetscCall(PetscCalloc6(m * m, &g->eigA, m * m, &g->eigB, m * m, &g->eigVR, m, &g->alphar, m,
                         &g->alphai, m, &g->beta));
  PetscCall(PetscCalloc6(m * cap, &g->P, ld * cap, &g->GP, cap, &g->tau, cap * cap, &g->Rqr, ld,
                         &g->units, ld * cap, &g->gram));
  PetscFunctionReturn(0);
}

/* Checks m and k and allocates the Arnoldi basis, the recycle space and the dense work. */
static PetscErrorCode KSPSetUp_GCRODR(KSP ksp) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscFunctionBegin;
  g->recycle = effective_recycle(g, g->recycle_user);
  PetscCheck(g->recycle < g->restart, PetscObjectComm((PetscObject)ksp), PETSC_ERR_ARG_OUTOFRANGE,
             "gcrodr: the recycled dimension k = %" PetscInt_FMT
             " must be smaller than the restart m = %" PetscInt_FMT,
             g->recycle, g->restart);
  g->capacity = g->recycle + 1;
  PetscCall(SolaceGCRODRBlockCreate(ksp, g->restart + 1, &g->Va, &g->V));
  PetscCall(SolaceGCRODRBlockCreate(ksp, g->capacity, &g->Ua, &g->U));
  PetscCall(SolaceGCRODRBlockCreate(ksp, g->capacity, &g->Ca, &g->C));
  PetscCall(SolaceGCRODRBlockCreate(ksp, g->capacity, &g->Unewa, &g->Unew));
  PetscCall(SolaceGCRODRBlockCreate(ksp, g->capacity, &g->Cnewa, &g->Cnew));
  PetscCall(VecDuplicate(g->V[0], &g->r));
  PetscCall(VecDuplicate(g->V[0], &g->corr));
  PetscCall(VecDuplicate(g->V[0], &g->work));
  PetscCall(allocate_dense(g));
  g->kcur = 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDestroy_GCRODR(KSP ksp) {
  PetscFunctionBegin;
  PetscCall(KSPReset_GCRODR(ksp));
  const char *names[] = {"SolaceKSPGCRODRSetRestart_C",  "SolaceKSPGCRODRGetRestart_C",
                         "SolaceKSPGCRODRSetRecycle_C",  "SolaceKSPGCRODRGetRecycle_C",
                         "SolaceKSPGCRODRDropRecycle_C", "SolaceKSPGCRODRGetRecycleSize_C"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    PetscCall(PetscObjectComposeFunction((PetscObject)ksp, names[i], NULL));
  PetscCall(PetscFree(ksp->data));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPView_GCRODR(KSP ksp, PetscViewer viewer) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscBool ascii;
  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &ascii));
  if (!ascii) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(
      viewer,
      "  restart m = %" PetscInt_FMT ", recycle k = %" PetscInt_FMT
      ", Gram-Schmidt refinement %s%s\n",
      g->restart, effective_recycle(g, g->recycle_user), KSPGMRESCGSRefinementTypes[g->refinement],
      g->drop_each_solve ? ", recycle space dropped before each solve" : ""));
  PetscCall(PetscViewerASCIIPrintf(viewer,
                                   "  recycle space: %" PetscInt_FMT " vectors%s; %" PetscInt_FMT
                                   " solves, %" PetscInt_FMT " re-projections onto a new "
                                   "operator, %" PetscInt_FMT " drops\n",
                                   g->kcur, g->kcur ? "" : " (empty)", g->solves, g->refreshes,
                                   g->dropped));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPSetFromOptions_GCRODR(KSP ksp, PetscOptionItems *PetscOptionsObject) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscInt m = g->restart, k = effective_recycle(g, g->recycle_user);
  PetscBool set_m, set_k, reset = g->drop_each_solve;
  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "KSP GCRO-DR options");
  PetscCall(PetscOptionsInt("-ksp_gcrodr_restart", "Search-space dimension of one cycle (m)",
                            "SolaceKSPGCRODRSetRestart", m, &m, &set_m));
  PetscCall(PetscOptionsInt("-ksp_gcrodr_recycle", "Recycled dimension (k < m)",
                            "SolaceKSPGCRODRSetRecycle", k, &k, &set_k));
  PetscCall(PetscOptionsBool("-ksp_gcrodr_reset", "Drop the recycle space before each solve",
                             "SolaceKSPGCRODRDropRecycle", reset, &reset, NULL));
  PetscCall(PetscOptionsEnum("-ksp_gcrodr_cgs_refinement_type",
                             "Second Gram-Schmidt pass (as -ksp_gmres_cgs_refinement_type)",
                             "KSPGMRESSetCGSRefinementType", KSPGMRESCGSRefinementTypes,
                             (PetscEnum)g->refinement, (PetscEnum *)&g->refinement, NULL));
  PetscOptionsHeadEnd();
  if (set_m) PetscCall(SolaceKSPGCRODRSetRestart(ksp, m));
  if (set_k) PetscCall(SolaceKSPGCRODRSetRecycle(ksp, k));
  g->drop_each_solve = reset;
  PetscFunctionReturn(0);
}

/* Changing m or k after setup reallocates at the next KSPSetUp (dropping the recycle space). */
static PetscErrorCode resize_later(KSP ksp) {
  PetscFunctionBegin;
  if (ksp->setupstage != KSP_SETUP_NEW) {
    PetscCall(KSPReset_GCRODR(ksp));
    ksp->setupstage = KSP_SETUP_NEW;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode SetRestart_GCRODR(KSP ksp, PetscInt m) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscFunctionBegin;
  PetscCheck(m >= 1, PetscObjectComm((PetscObject)ksp), PETSC_ERR_ARG_OUTOFRANGE,
             "gcrodr: the restart m = %" PetscInt_FMT " must be at least 1", m);
  if (m != g->restart) PetscCall(resize_later(ksp));
  g->restart = m;
  PetscFunctionReturn(0);
}

static PetscErrorCode GetRestart_GCRODR(KSP ksp, PetscInt *m) {
  PetscFunctionBegin;
  *m = ((KSP_GCRODR *)ksp->data)->restart;
  PetscFunctionReturn(0);
}

static PetscErrorCode SetRecycle_GCRODR(KSP ksp, PetscInt k) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscFunctionBegin;
  PetscCheck(k >= 0, PetscObjectComm((PetscObject)ksp), PETSC_ERR_ARG_OUTOFRANGE,
             "gcrodr: the recycled dimension k = %" PetscInt_FMT " must not be negative", k);
  if (k != effective_recycle(g, g->recycle_user)) PetscCall(resize_later(ksp));
  g->recycle_user = k;
  PetscFunctionReturn(0);
}

static PetscErrorCode GetRecycle_GCRODR(KSP ksp, PetscInt *k) {
  KSP_GCRODR *g = (KSP_GCRODR *)ksp->data;
  PetscFunctionBegin;
  *k = effective_recycle(g, g->recycle_user);
  PetscFunctionReturn(0);
}

static PetscErrorCode DropRecycle_GCRODR(KSP ksp) {
  PetscFunctionBegin;
  PetscCall(SolaceGCRODRDrop((KSP_GCRODR *)ksp->data));
  PetscFunctionReturn(0);
}

static PetscErrorCode GetRecycleSize_GCRODR(KSP ksp, PetscInt *size) {
  PetscFunctionBegin;
  *size = ((KSP_GCRODR *)ksp->data)->kcur;
  PetscFunctionReturn(0);
}

/* Registered constructor of KSP type "gcrodr". */
static PetscErrorCode KSPCreate_GCRODR(KSP ksp) {
  KSP_GCRODR *g;
  PetscFunctionBegin;
  PetscCall(PetscNew(&g));
  g->restart = DEFAULT_RESTART;
  g->recycle_user = -1;
  g->refinement = KSP_GMRES_CGS_REFINE_NEVER;
  ksp->data = g;
  PetscCall(KSPSetSupportedNorm(ksp, KSP_NORM_PRECONDITIONED, PC_LEFT, 3));
  PetscCall(KSPSetSupportedNorm(ksp, KSP_NORM_UNPRECONDITIONED, PC_RIGHT, 2));
  ksp->ops->setup = KSPSetUp_GCRODR;
  ksp->ops->solve = SolaceKSPSolve_GCRODR;
  ksp->ops->reset = KSPReset_GCRODR;
  ksp->ops->destroy = KSPDestroy_GCRODR;
  ksp->ops->view = KSPView_GCRODR;
  ksp->ops->setfromoptions = KSPSetFromOptions_GCRODR;
  ksp->ops->buildsolution = KSPBuildSolutionDefault;
  ksp->ops->buildresidual = KSPBuildResidualDefault;
  PetscObject obj = (PetscObject)ksp;
  PetscCall(PetscObjectComposeFunction(obj, "SolaceKSPGCRODRSetRestart_C", SetRestart_GCRODR));
  PetscCall(PetscObjectComposeFunction(obj, "SolaceKSPGCRODRGetRestart_C", GetRestart_GCRODR));
  PetscCall(PetscObjectComposeFunction(obj, "SolaceKSPGCRODRSetRecycle_C", SetRecycle_GCRODR));
  PetscCall(PetscObjectComposeFunction(obj, "SolaceKSPGCRODRGetRecycle_C", GetRecycle_GCRODR));
  PetscCall(PetscObjectComposeFunction(obj, "SolaceKSPGCRODRDropRecycle_C", DropRecycle_GCRODR));
  PetscCall(
      PetscObjectComposeFunction(obj, "SolaceKSPGCRODRGetRecycleSize_C", GetRecycleSize_GCRODR));
  PetscFunctionReturn(0);
}

PetscLogEvent SOLACE_GCRODR_Update, SOLACE_GCRODR_Refresh;

PetscErrorCode SolaceGCRODRRegister(void) {
  PetscFunctionBegin;
  PetscCall(KSPRegister(SOLACE_KSPGCRODR, KSPCreate_GCRODR));
  PetscCall(PetscLogEventRegister("GCRODRUpdate", KSP_CLASSID, &SOLACE_GCRODR_Update));
  PetscCall(PetscLogEventRegister("GCRODRRefresh", KSP_CLASSID, &SOLACE_GCRODR_Refresh));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPGCRODRSetRestart(KSP ksp, PetscInt m) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscTryMethod(ksp, "SolaceKSPGCRODRSetRestart_C", (KSP, PetscInt), (ksp, m));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPGCRODRGetRestart(KSP ksp, PetscInt *m) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidIntPointer(m, 2);
  PetscUseMethod(ksp, "SolaceKSPGCRODRGetRestart_C", (KSP, PetscInt *), (ksp, m));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPGCRODRSetRecycle(KSP ksp, PetscInt k) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscTryMethod(ksp, "SolaceKSPGCRODRSetRecycle_C", (KSP, PetscInt), (ksp, k));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPGCRODRGetRecycle(KSP ksp, PetscInt *k) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidIntPointer(k, 2);
  PetscUseMethod(ksp, "SolaceKSPGCRODRGetRecycle_C", (KSP, PetscInt *), (ksp, k));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPGCRODRDropRecycle(KSP ksp) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscTryMethod(ksp, "SolaceKSPGCRODRDropRecycle_C", (KSP), (ksp));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPGCRODRGetRecycleSize(KSP ksp, PetscInt *size) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidIntPointer(size, 2);
  PetscUseMethod(ksp, "SolaceKSPGCRODRGetRecycleSize_C", (KSP, PetscInt *), (ksp, size));
  PetscFunctionReturn(0);
}
