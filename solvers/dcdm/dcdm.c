/* The dcdm KSP type: creation, options, setup (grid, network, solid cells), view and the public
 * setters. The iteration is in dcdm-solve.c, the weights files in dcdm-net.c. */
#include "dcdm-impl.h"

#include <string.h>

enum { DEFAULT_DIRECTIONS = 2 };

/* Frees what depends on the matrix size (KSPReset); the network stays (it depends on the
 * weights file only). The work vectors are ksp->work, freed by KSPReset itself. */
static PetscErrorCode KSPReset_DCDM(KSP ksp) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  PetscCall(PetscFree3(d->in, d->solid, d->diag));
  PetscCall(VecScatterDestroy(&d->gather));
  PetscCall(VecDestroy(&d->gathered));
  PetscCall(VecDestroy(&d->natural));
  PetscCall(PetscFree2(d->pAp, d->dots));
  PetscCall(PetscFree2(d->P, d->AP));
  PetscCall(SolaceDCDMDeflationDestroy(&d->deflation));
  d->r = d->w = NULL;
  d->n = d->nlocal = d->rstart = 0;
  d->nsolid = 0;
  d->mask_id = 0;
  d->grid_dim = 0;
  PetscFunctionReturn(0);
}

/* The grid in effect: from a DMDA attached to the KSP (one dof, 2 or 3 dimensions), else from
 * -ksp_dcdm_grid / SolaceKSPDCDMSetGrid; checked against the matrix size n. */
static PetscErrorCode resolve_grid(KSP ksp, PetscInt n) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  MPI_Comm comm = PetscObjectComm((PetscObject)ksp);
  PetscBool isda = PETSC_FALSE;
  PetscFunctionBegin;
  d->grid_dim = 0;
  d->grid_from_dm = PETSC_FALSE;
  if (ksp->dm) PetscCall(PetscObjectTypeCompare((PetscObject)ksp->dm, DMDA, &isda));
  if (isda) {
    PetscInt dim, M, N, P, dof;
    PetscCall(DMDAGetInfo(ksp->dm, &dim, &M, &N, &P, NULL, NULL, NULL, &dof, NULL, NULL, NULL, NULL,
                          NULL));
    PetscCheck((dim == 2 || dim == 3) && dof == 1, comm, PETSC_ERR_SUP,
               "dcdm: the DMDA attached to the KSP has %" PetscInt_FMT
               " dimensions and %" PetscInt_FMT " dof per node; dcdm needs a 2-D or 3-D DMDA "
               "with one dof",
               dim, dof);
    d->grid[0] = M, d->grid[1] = N, d->grid[2] = dim == 3 ? P : 1;
    d->grid_dim = dim;
    d->grid_from_dm = PETSC_TRUE;
  } else if (d->grid_user_dim) {
    for (int i = 0; i < 3; i++) d->grid[i] = i < d->grid_user_dim ? d->grid_user[i] : 1;
    d->grid_dim = d->grid_user_dim;
  }
  if (!d->grid_dim) PetscFunctionReturn(0);
  PetscInt cells = d->grid[0] * d->grid[1] * d->grid[2];
  PetscCheck(cells == n, comm, PETSC_ERR_ARG_SIZ,
             "dcdm: the grid %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT
             " (%s) has %" PetscInt_FMT " cells but the matrix has %" PetscInt_FMT " rows",
             d->grid[0], d->grid[1], d->grid[2],
             d->grid_from_dm ? "from the DMDA" : "from -ksp_dcdm_grid", cells, n);
  PetscFunctionReturn(0);
}

/* The depth of a tied network on the grid in effect (capped by -ksp_dcdm_max_levels, else by
 * the file's dcdm_max_levels); nonzero when the grid cannot be pooled (check_network_grid
 * refuses it). */
static int tied_depth(const KSP_DCDM *d, int *levels) {
  int64_t grid[3] = {d->grid[0], d->grid[1], d->grid[2]};
  int status = solace_dcdm_grid_levels((int)d->grid_dim, grid, levels);
  if (status) solace_error_clear();
  int cap = d->max_levels > 0 ? (int)d->max_levels : d->arch.max_levels;
  if (!status && cap > 0 && *levels > cap) *levels = cap;
  return status;
}

/* 1 if the loaded network fits the grid in effect: any untied one, a tied one (whose depth
 * follows the grid) only when built for this grid's depth. */
static int network_fits_grid(const KSP_DCDM *d) {
  int levels;
  if (!d->arch.tied || !d->grid_dim || tied_depth(d, &levels)) return 1;
  return levels == d->arch.levels;
}

/* Loads the network of d->weights if not loaded yet (again for a tied network whose depth the
 * new grid changes); errors name the file. */
static PetscErrorCode load_network(KSP ksp) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  MPI_Comm comm = PetscObjectComm((PetscObject)ksp);
  int64_t grid[3] = {d->grid[0], d->grid[1], d->grid[2]};
  PetscFunctionBegin;
  if (!d->weights || (d->net && network_fits_grid(d))) PetscFunctionReturn(0);
  solace_nn_net_destroy(&d->net);
  int status = d->grid_dim ? solace_dcdm_net_load_for_grid(d->weights, (int)d->grid_dim, grid,
                                                           (int)d->max_levels, &d->arch, &d->net)
                           : solace_dcdm_net_load(d->weights, &d->arch, &d->net);
  PetscCheck(status != SOLACE_ERR_IO, comm, PETSC_ERR_FILE_OPEN,
             "dcdm: cannot read the weights file '%s': %s", d->weights, solace_error_message());
  PetscCheck(status == SOLACE_SUCCESS, comm, PETSC_ERR_FILE_UNEXPECTED,
             "dcdm: the weights file '%s' is not a usable DCDM network: %s", d->weights,
             solace_error_message());
  PetscFunctionReturn(0);
}

/* Checks the grid against the network: dimensions agree and sizes are divisible by 2^levels. */
static PetscErrorCode check_network_grid(KSP ksp) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  MPI_Comm comm = PetscObjectComm((PetscObject)ksp);
  PetscFunctionBegin;
  PetscCheck(d->grid_dim, comm, PETSC_ERR_ARG_WRONGSTATE,
             "dcdm: the network of '%s' needs the grid: attach a DMDA (KSPSetDM) or give "
             "-ksp_dcdm_grid nx,ny[,nz]",
             d->weights);
  PetscCheck(d->grid_dim == d->arch.ndim, comm, PETSC_ERR_ARG_INCOMP,
             "dcdm: the network of '%s' is %d-D but the grid is %" PetscInt_FMT "-D", d->weights,
             d->arch.ndim, d->grid_dim);
  int64_t grid[3] = {d->grid[0], d->grid[1], d->grid[2]};
  int levels;
  PetscCheck(!d->arch.tied || !solace_dcdm_grid_levels((int)d->grid_dim, grid, &levels), comm,
             PETSC_ERR_ARG_SIZ, "dcdm: the network of '%s': %s", d->weights,
             solace_error_message());
  PetscInt unit = (PetscInt)1 << d->arch.levels;
  for (PetscInt i = 0; i < d->grid_dim; i++)
    PetscCheck(d->grid[i] % unit == 0, comm, PETSC_ERR_ARG_SIZ,
               "dcdm: the network pools by 2 %d time(s) (levels %d), so every grid size must be "
               "even and divisible by %" PetscInt_FMT "; size %" PetscInt_FMT
               " of the grid is %" PetscInt_FMT,
               d->arch.levels, d->arch.levels, unit, i, d->grid[i]);
  PetscFunctionReturn(0);
}

/* The network input as a borrowed tensor [1, 1, (nz,) ny, nx]. */
static void shape_input(KSP_DCDM *d) {
  solace_nn_tensor *t = &d->input;
  memset(t, 0, sizeof *t);
  t->ndim = (int)d->grid_dim;
  t->n = 1, t->c = 1;
  t->dims[0] = d->grid_dim == 3 ? d->grid[2] : d->grid[1];
  t->dims[1] = d->grid_dim == 3 ? d->grid[1] : d->grid[0];
  t->dims[2] = d->grid_dim == 3 ? d->grid[0] : 1;
  t->data = d->in;
}

/* Several ranks: the scatter that gathers the natural-ordered grid on rank 0. A DMDA's global
 * vectors are ordered by rank, so they go through its natural vector; a bare Mat's rows are
 * the natural ordering already. */
static PetscErrorCode create_gather(KSP ksp, Vec like) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  if (d->grid_from_dm) {
    PetscInt dm_local;
    Vec g;
    PetscCall(DMGetGlobalVector(ksp->dm, &g));
    PetscCall(VecGetLocalSize(g, &dm_local));
    PetscCall(DMRestoreGlobalVector(ksp->dm, &g));
    PetscMPIInt mismatch = dm_local != d->nlocal, any;
    PetscCallMPI(
        MPI_Allreduce(&mismatch, &any, 1, MPI_INT, MPI_MAX, PetscObjectComm((PetscObject)ksp)));
    PetscCheck(!any, PetscObjectComm((PetscObject)ksp), PETSC_ERR_ARG_SIZ,
               "dcdm: the matrix rows and the DMDA's cells are distributed differently (rank %d "
               "owns %" PetscInt_FMT " rows and %" PetscInt_FMT " cells); distribute them alike",
               d->rank, d->nlocal, dm_local);
    PetscCall(DMDACreateNaturalVector(ksp->dm, &d->natural));
    PetscCall(VecScatterCreateToZero(d->natural, &d->gather, &d->gathered));
  } else {
    PetscCall(VecScatterCreateToZero(like, &d->gather, &d->gathered));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPSetUp_DCDM(KSP ksp) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  MPI_Comm comm = PetscObjectComm((PetscObject)ksp);
  PetscBool none;
  Mat A;
  PetscInt n, k = d->directions;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &d->size));
  PetscCallMPI(MPI_Comm_rank(comm, &d->rank));
  PetscCall(PetscObjectTypeCompare((PetscObject)ksp->pc, PCNONE, &none));
  PetscCheck(none, comm, PETSC_ERR_SUP,
             "dcdm applies no preconditioner (its network plays that part): use -pc_type none");
  PetscCall(KSPGetOperators(ksp, &A, NULL));
  PetscCall(MatGetSize(A, &n, NULL));
  PetscCall(KSPReset_DCDM(ksp));
  d->n = n;
  PetscCall(MatGetLocalSize(A, &d->nlocal, NULL));
  PetscCall(MatGetOwnershipRange(A, &d->rstart, NULL));
  PetscCall(resolve_grid(ksp, n));
  PetscCall(load_network(ksp));
  PetscCall(KSPSetWorkVecs(ksp, 2 + 2 * (k + 1)));
  d->r = ksp->work[0], d->w = ksp->work[1];
  if (d->net) PetscCall(check_network_grid(ksp));
  d->block = d->deflate_block >= 0 ? d->deflate_block : d->net ? d->arch.deflate_block : 0;
  if (d->net || d->block)
    PetscCall(PetscCalloc3(d->net && d->rank == 0 ? n : 0, &d->in, d->nlocal, &d->solid, d->nlocal,
                           &d->diag));
  if (d->net) {
    shape_input(d);
    if (d->size > 1) PetscCall(create_gather(ksp, d->r));
  }
  PetscCall(PetscMalloc2(k + 1, &d->P, k + 1, &d->AP));
  for (PetscInt i = 0; i <= k; i++) d->P[i] = ksp->work[2 + i], d->AP[i] = ksp->work[3 + k + i];
  PetscCall(PetscCalloc2(k + 1, &d->pAp, k + 1, &d->dots));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDestroy_DCDM(KSP ksp) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  PetscCall(KSPReset_DCDM(ksp));
  solace_nn_net_destroy(&d->net);
  PetscCall(PetscFree(d->weights));
  const char *names[] = {"SolaceKSPDCDMSetDirections_C",     "SolaceKSPDCDMGetDirections_C",
                         "SolaceKSPDCDMSetWeights_C",        "SolaceKSPDCDMSetGrid_C",
                         "SolaceKSPDCDMSetDeflationBlock_C", "SolaceKSPDCDMSetMaxLevels_C"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    PetscCall(PetscObjectComposeFunction((PetscObject)ksp, names[i], NULL));
  PetscCall(PetscFree(ksp->data));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPView_DCDM(KSP ksp, PetscViewer viewer) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscBool ascii;
  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &ascii));
  if (!ascii) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer, "  directions k = %" PetscInt_FMT "\n", d->directions));
  if (d->grid_dim == 2)
    PetscCall(PetscViewerASCIIPrintf(viewer, "  grid %" PetscInt_FMT " x %" PetscInt_FMT " (%s)\n",
                                     d->grid[0], d->grid[1],
                                     d->grid_from_dm ? "DMDA" : "-ksp_dcdm_grid"));
  else if (d->grid_dim == 3)
    PetscCall(PetscViewerASCIIPrintf(
        viewer, "  grid %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT " (%s)\n",
        d->grid[0], d->grid[1], d->grid[2], d->grid_from_dm ? "DMDA" : "-ksp_dcdm_grid"));
  else if (d->grid_user_dim)
    PetscCall(PetscViewerASCIIPrintf(viewer,
                                     "  grid %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT
                                     " (-ksp_dcdm_grid, not set up)\n",
                                     d->grid_user[0], d->grid_user[1],
                                     d->grid_user_dim == 3 ? d->grid_user[2] : 1));
  else
    PetscCall(PetscViewerASCIIPrintf(viewer, "  grid: none\n"));
  if (d->net)
    PetscCall(PetscViewerASCIIPrintf(
        viewer,
        "  direction map: network '%s' (%d-D, %lld channels, fine %d, coarse %d, after %d, "
        "levels %d%s, %s upsampling, level gain %d%s; %lld parameters)\n",
        d->weights, d->arch.ndim, (long long)d->arch.channels, d->arch.fine, d->arch.coarse,
        d->arch.after, d->arch.levels,
        !d->arch.tied        ? ""
        : d->max_levels      ? " (tied, from the grid, -ksp_dcdm_max_levels)"
        : d->arch.max_levels ? " (tied, from the grid, the file's max_levels)"
                             : " (tied, from the grid)",
        d->arch.linear_up ? "linear" : "nearest", d->arch.level_gain,
        d->arch.bias_free ? ", bias-free" : "", (long long)solace_nn_net_param_count(d->net)));
  else if (d->weights)
    PetscCall(PetscViewerASCIIPrintf(viewer, "  direction map: network '%s' (not loaded yet)\n",
                                     d->weights));
  else
    PetscCall(PetscViewerASCIIPrintf(
        viewer, "  direction map: identity (conjugate directions: CG for SPD matrices)\n"));
  if (!d->block) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer,
                                   "  subdomain deflation: blocks of %" PetscInt_FMT
                                   " cells per dimension%s, %" PetscInt_FMT " coarse unknowns\n",
                                   d->block, d->deflate_block < 0 ? " (the weights file's)" : "",
                                   d->deflation.size));
  if (d->deflation.coarse) {
    PetscCall(PetscViewerASCIIPushTab(viewer));
    PetscCall(KSPView(d->deflation.coarse, viewer));
    PetscCall(PetscViewerASCIIPopTab(viewer));
  }
  PetscFunctionReturn(0);
}

/* A change of k, weights, grid or depth cap takes effect at the next KSPSetUp. */
static void setup_again(KSP ksp) {
  if (ksp->setupstage != KSP_SETUP_NEW) ksp->setupstage = KSP_SETUP_NEW;
}

static PetscErrorCode KSPSetFromOptions_DCDM(KSP ksp, PetscOptionItems *PetscOptionsObject) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscInt k = d->directions, grid[3] = {0, 0, 0}, ngrid = 3, max_levels = d->max_levels;
  PetscInt block = d->deflate_block;
  char path[PETSC_MAX_PATH_LEN] = "";
  PetscBool set_k, set_w, set_g, set_m, set_b;
  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "KSP DCDM options");
  PetscCall(PetscOptionsInt("-ksp_dcdm_directions", "Previous directions kept (k >= 1)",
                            "SolaceKSPDCDMSetDirections", k, &k, &set_k));
  PetscCall(PetscOptionsString("-ksp_dcdm_weights", "DCDM network weights file (HDF5)",
                               "SolaceKSPDCDMSetWeights", d->weights ? d->weights : "", path,
                               sizeof path, &set_w));
  PetscCall(PetscOptionsIntArray("-ksp_dcdm_grid", "Grid nx,ny[,nz] of a bare matrix",
                                 "SolaceKSPDCDMSetGrid", grid, &ngrid, &set_g));
  PetscCall(PetscOptionsInt("-ksp_dcdm_max_levels", "Most levels of a tied network (0: no cap)",
                            "SolaceKSPDCDMSetMaxLevels", max_levels, &max_levels, &set_m));
  PetscCall(PetscOptionsInt("-ksp_dcdm_deflate_block",
                            "Subdomain deflation with blocks of b cells per dimension (0: off; "
                            "default: the weights file's, else off)",
                            "SolaceKSPDCDMSetDeflationBlock", block, &block, &set_b));
  PetscOptionsHeadEnd();
  if (set_b) PetscCall(SolaceKSPDCDMSetDeflationBlock(ksp, block));
  if (set_m) PetscCall(SolaceKSPDCDMSetMaxLevels(ksp, max_levels));
  if (set_k) PetscCall(SolaceKSPDCDMSetDirections(ksp, k));
  if (set_w) PetscCall(SolaceKSPDCDMSetWeights(ksp, path[0] ? path : NULL));
  if (set_g) {
    PetscCheck(ngrid == 2 || ngrid == 3, PetscObjectComm((PetscObject)ksp), PETSC_ERR_ARG_WRONG,
               "dcdm: -ksp_dcdm_grid takes nx,ny or nx,ny,nz (%" PetscInt_FMT " values given)",
               ngrid);
    PetscCall(SolaceKSPDCDMSetGrid(ksp, grid[0], grid[1], ngrid == 3 ? grid[2] : 0));
  }
  PetscFunctionReturn(0);
}

/* Sets an integer setting (*field) that takes effect at the next KSPSetUp; value >= least, else
 * PETSC_ERR_ARG_OUTOFRANGE naming it (`what`, `meaning` of the least value or ""). */
static PetscErrorCode set_setting(KSP ksp, PetscInt *field, PetscInt value, PetscInt least,
                                  const char *what, const char *meaning) {
  PetscFunctionBegin;
  PetscCheck(value >= least, PetscObjectComm((PetscObject)ksp), PETSC_ERR_ARG_OUTOFRANGE,
             "dcdm: %s %" PetscInt_FMT " must be >= %" PetscInt_FMT "%s", what, value, least,
             meaning);
  if (value != *field) setup_again(ksp);
  *field = value;
  PetscFunctionReturn(0);
}

static PetscErrorCode SetDirections_DCDM(KSP ksp, PetscInt k) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  PetscCall(set_setting(ksp, &d->directions, k, 1, "the number of directions k =", ""));
  PetscFunctionReturn(0);
}

static PetscErrorCode GetDirections_DCDM(KSP ksp, PetscInt *k) {
  PetscFunctionBegin;
  *k = ((KSP_DCDM *)ksp->data)->directions;
  PetscFunctionReturn(0);
}

static PetscErrorCode SetWeights_DCDM(KSP ksp, const char *path) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  solace_nn_net_destroy(&d->net);
  PetscCall(PetscFree(d->weights));
  if (path && path[0]) PetscCall(PetscStrallocpy(path, &d->weights));
  setup_again(ksp);
  PetscFunctionReturn(0);
}

static PetscErrorCode SetGrid_DCDM(KSP ksp, PetscInt nx, PetscInt ny, PetscInt nz) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  PetscCheck(nx >= 1 && ny >= 1, PetscObjectComm((PetscObject)ksp), PETSC_ERR_ARG_OUTOFRANGE,
             "dcdm: grid sizes nx = %" PetscInt_FMT ", ny = %" PetscInt_FMT " must be positive", nx,
             ny);
  d->grid_user[0] = nx, d->grid_user[1] = ny, d->grid_user[2] = nz > 0 ? nz : 1;
  d->grid_user_dim = nz > 0 ? 3 : 2;
  setup_again(ksp);
  PetscFunctionReturn(0);
}

static PetscErrorCode SetMaxLevels_DCDM(KSP ksp, PetscInt max_levels) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  PetscCall(
      set_setting(ksp, &d->max_levels, max_levels, 0, "the depth cap", " (0: the file's cap)"));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetDeflationBlock_DCDM(KSP ksp, PetscInt b) {
  KSP_DCDM *d = (KSP_DCDM *)ksp->data;
  PetscFunctionBegin;
  PetscCall(set_setting(ksp, &d->deflate_block, b, 0, "the deflation block", " (0: no deflation)"));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPCreate_DCDM(KSP ksp) {
  KSP_DCDM *d;
  PC pc;
  PetscFunctionBegin;
  PetscCall(PetscNew(&d));
  d->directions = DEFAULT_DIRECTIONS;
  d->deflate_block = -1; /* unset: the network file's */
  ksp->data = d;
  PetscCall(KSPSetSupportedNorm(ksp, KSP_NORM_UNPRECONDITIONED, PC_LEFT, 3));
  PetscCall(KSPSetSupportedNorm(ksp, KSP_NORM_UNPRECONDITIONED, PC_RIGHT, 2));
  PetscCall(KSPGetPC(ksp, &pc));
  if (!((PetscObject)pc)->type_name) PetscCall(PCSetType(pc, PCNONE));
  ksp->ops->setup = KSPSetUp_DCDM;
  ksp->ops->solve = SolaceKSPSolve_DCDM;
  ksp->ops->reset = KSPReset_DCDM;
  ksp->ops->destroy = KSPDestroy_DCDM;
  ksp->ops->view = KSPView_DCDM;
  ksp->ops->setfromoptions = KSPSetFromOptions_DCDM;
  ksp->ops->buildsolution = KSPBuildSolutionDefault;
  ksp->ops->buildresidual = KSPBuildResidualDefault;
  PetscObject obj = (PetscObject)ksp;
  PetscCall(PetscObjectComposeFunction(obj, "SolaceKSPDCDMSetDirections_C", SetDirections_DCDM));
  PetscCall(PetscObjectComposeFunction(obj, "SolaceKSPDCDMGetDirections_C", GetDirections_DCDM));
  PetscCall(PetscObjectComposeFunction(obj, "SolaceKSPDCDMSetWeights_C", SetWeights_DCDM));
  PetscCall(PetscObjectComposeFunction(obj, "SolaceKSPDCDMSetGrid_C", SetGrid_DCDM));
  PetscCall(
      PetscObjectComposeFunction(obj, "SolaceKSPDCDMSetDeflationBlock_C", SetDeflationBlock_DCDM));
  PetscCall(PetscObjectComposeFunction(obj, "SolaceKSPDCDMSetMaxLevels_C", SetMaxLevels_DCDM));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPDCDMSetDirections(KSP ksp, PetscInt k) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscTryMethod(ksp, "SolaceKSPDCDMSetDirections_C", (KSP, PetscInt), (ksp, k));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPDCDMGetDirections(KSP ksp, PetscInt *k) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidIntPointer(k, 2);
  PetscUseMethod(ksp, "SolaceKSPDCDMGetDirections_C", (KSP, PetscInt *), (ksp, k));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPDCDMSetWeights(KSP ksp, const char *path) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscTryMethod(ksp, "SolaceKSPDCDMSetWeights_C", (KSP, const char *), (ksp, path));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPDCDMSetGrid(KSP ksp, PetscInt nx, PetscInt ny, PetscInt nz) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscTryMethod(ksp, "SolaceKSPDCDMSetGrid_C", (KSP, PetscInt, PetscInt, PetscInt),
                 (ksp, nx, ny, nz));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPDCDMSetDeflationBlock(KSP ksp, PetscInt b) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscTryMethod(ksp, "SolaceKSPDCDMSetDeflationBlock_C", (KSP, PetscInt), (ksp, b));
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceKSPDCDMSetMaxLevels(KSP ksp, PetscInt L) {
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscTryMethod(ksp, "SolaceKSPDCDMSetMaxLevels_C", (KSP, PetscInt), (ksp, L));
  PetscFunctionReturn(0);
}
