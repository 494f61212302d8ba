/* PDE families: creation, options, sampling and solving (generic over the family's operations). */
#include "pde-impl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The families Solace knows, with their option setup. */
static const struct {
  const solace_pde_ops *ops;
  int (*setup)(solace_pde);
} families[] = {{&solace_darcy_ops, solace_darcy_setup},
                {&solace_poisson_ops, solace_poisson_setup},
                {&solace_helmholtz_ops, solace_helmholtz_setup},
                {&solace_heat_ops, solace_heat_setup}};

int solace_options_insert(const char *options) {
  solace_error_clear();
  SolaceCheckNotNull(options);
  SolacePetscCall(PetscOptionsInsertString(NULL, options));
  return SOLACE_SUCCESS;
}

int solace_options_mark_used(const char *name) {
  solace_error_clear();
  SolaceCheck(name && name[0] == '-', SOLACE_ERR_ARG, "option name must start with '-'");
  PetscBool present;
  SolacePetscCall(PetscOptionsHasName(NULL, NULL, name, &present));
  return SOLACE_SUCCESS;
}

int solace_options_unused(char *buf, int64_t capacity, int64_t *count) {
  solace_error_clear();
  SolaceCheck(buf && capacity > 4 && count, SOLACE_ERR_ARG, "buf, capacity > 4 and count needed");
  PetscInt n;
  char **names, **values;
  SolacePetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  buf[0] = '\0';
  for (PetscInt k = 0; k < n; k++) {
    size_t used = strlen(buf), need = strlen(names[k]) + 2;
    if (used + need + 4 > (size_t)capacity) {
      snprintf(buf + used, (size_t)capacity - used, "...");
      break;
    }
    snprintf(buf + used, (size_t)capacity - used, "%s-%s", k ? " " : "", names[k]);
  }
  *count = n;
  SolacePetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  return SOLACE_SUCCESS;
}

int solace_pde_add_real(solace_pde pde, const char *name, double value) {
  SolaceCheck(pde->nreals < SOLACE_PDE_MAX_OPTIONS, SOLACE_ERR_STATE, "too many options");
  pde->reals[pde->nreals++] = (solace_pde_real_option){.name = name, .value = value};
  return SOLACE_SUCCESS;
}

/* Returns the slot of a named real option, or NULL. */
static solace_pde_real_option *find_real(solace_pde pde, const char *name) {
  for (int k = 0; k < pde->nreals; k++)
    if (strcmp(pde->reals[k].name, name) == 0) return &pde->reals[k];
  return NULL;
}

int solace_pde_real(solace_pde pde, const char *name, double *value) {
  solace_pde_real_option *option = find_real(pde, name);
  SolaceCheck(option, SOLACE_ERR_ARG, "family %s has no real option '%s'", pde->ops->name, name);
  *value = option->value;
  return SOLACE_SUCCESS;
}

/* Creates the DMDA of interior nodes, the matrix, vectors and the gather to a full field. */
static int create_grid(solace_pde pde) {
  PetscInt m = (PetscInt)(pde->n - 2);
  SolacePetscCall(DMDACreate2d(pde->comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, m,
                               m, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, &pde->da));
  SolacePetscCall(DMSetUp(pde->da));
  SolacePetscCall(DMCreateMatrix(pde->da, &pde->A));
  SolacePetscCall(DMCreateGlobalVector(pde->da, &pde->x));
  SolacePetscCall(VecDuplicate(pde->x, &pde->b));
  SolacePetscCall(VecDuplicate(pde->x, &pde->r));
  SolacePetscCall(DMDACreateNaturalVector(pde->da, &pde->natural));
  SolacePetscCall(VecScatterCreateToAll(pde->natural, &pde->to_all, &pde->gathered));
  return SOLACE_SUCCESS;
}

/* Creates the KSP: CG with ICC on one process, CG with block Jacobi across processes, rtol 1e-8
 * (indefinite families: GMRES(40) with right-preconditioned ILU, or block Jacobi + ILU across
 * processes, so that the stopping test is on the true residual); PETSc options given at creation
 * time override these defaults. */
static int create_solver(solace_pde pde) {
  PetscMPIInt size;
  PC pc;
  MPI_Comm_size(pde->comm, &size);
  SolacePetscCall(KSPCreate(pde->comm, &pde->ksp));
  int indefinite = pde->ops->indefinite;
  SolacePetscCall(KSPSetType(pde->ksp, indefinite ? KSPGMRES : KSPCG));
  if (indefinite) SolacePetscCall(KSPGMRESSetRestart(pde->ksp, 40));
  if (indefinite) SolacePetscCall(KSPSetPCSide(pde->ksp, PC_RIGHT));
  SolacePetscCall(KSPGetPC(pde->ksp, &pc));
  SolacePetscCall(PCSetType(pc, size == 1 ? (indefinite ? PCILU : PCICC) : PCBJACOBI));
  SolacePetscCall(KSPSetTolerances(pde->ksp, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 10000));
  SolacePetscCall(KSPSetOperators(pde->ksp, pde->A, pde->A));
  if (pde->prefix[0]) SolacePetscCall(KSPSetOptionsPrefix(pde->ksp, pde->prefix));
  if (pde->warm_start) SolacePetscCall(KSPSetInitialGuessNonzero(pde->ksp, PETSC_TRUE));
  SolacePetscCall(KSPSetFromOptions(pde->ksp));
  return SOLACE_SUCCESS;
}

double solace_pde_polynomial(const double *c, int degree, double x, double y) {
  double xp[9], yp[9], sum = 0.0;
  xp[0] = yp[0] = 1.0;
  for (int k = 1; k <= degree; k++) xp[k] = xp[k - 1] * x, yp[k] = yp[k - 1] * y;
  int k = 0;
  for (int d = 0; d <= degree; d++)
    for (int i = 0; i <= d; i++) sum += c[k++] * xp[i] * yp[d - i];
  return sum;
}

/* Looks up a family by name. */
static int find_family(const char *family, int *slot) {
  for (size_t k = 0; k < sizeof families / sizeof families[0]; k++)
    if (strcmp(families[k].ops->name, family) == 0) {
      *slot = (int)k;
      return SOLACE_SUCCESS;
    }
  char known[128] = "";
  for (size_t k = 0; k < sizeof families / sizeof families[0]; k++)
    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", k ? ", " : "",
             families[k].ops->name);
  return solace_error_set(SOLACE_ERR_ARG, __func__, "unknown family '%s' (known: %s)", family,
                          known);
}

int solace_pde_create(const char *family, int64_t n, solace_pde *pde) {
  solace_error_clear();
  SolaceCheckNotNull(pde);
  *pde = NULL;
  SolaceCheckNotNull(family);
  int slot = 0, initialized;
  SolaceCall(find_family(family, &slot));
  SolaceCheck(n >= 3 && n <= 65536, SOLACE_ERR_ARG, "grid size n = %lld is not in [3, 65536]",
              (long long)n);
  SolaceCall(solace_initialized(&initialized));
  SolaceCheck(initialized, SOLACE_ERR_STATE, "call solace_initialize() first");
  solace_pde p;
  SolaceCall(SolaceCalloc(1, &p));
  p->ops = families[slot].ops;
  p->n = n;
  p->comm = PETSC_COMM_SELF;
  int status;
  SolaceCallGoto(status, fail, families[slot].setup(p));
  SolaceCallGoto(status, fail, SolaceCalloc(n * n, &p->scratch));
  SolaceCallGoto(status, fail, create_grid(p));
  SolaceCallGoto(status, fail, create_solver(p));
  *pde = p;
  return SOLACE_SUCCESS;
fail:
  solace_pde_destroy(&p);
  return status;
}

/* Releases the PETSc objects of the grid and solver. */
static void destroy_petsc(solace_pde pde) {
  KSPDestroy(&pde->ksp);
  VecScatterDestroy(&pde->to_all);
  VecDestroy(&pde->gathered);
  VecDestroy(&pde->natural);
  VecDestroy(&pde->r);
  VecDestroy(&pde->b);
  VecDestroy(&pde->x);
  MatDestroy(&pde->A);
  DMDestroy(&pde->da);
}

int solace_pde_destroy(solace_pde *pde) {
  if (!pde || !*pde) return SOLACE_SUCCESS;
  destroy_petsc(*pde);
  solace_grf_destroy(&(*pde)->grf);
  free((*pde)->scratch);
  free(*pde);
  *pde = NULL;
  return SOLACE_SUCCESS;
}

int solace_pde_set_distributed(solace_pde pde, int distributed) {
  solace_error_clear();
  SolaceCheckNotNull(pde);
  MPI_Comm comm = distributed ? PETSC_COMM_WORLD : PETSC_COMM_SELF;
  if ((distributed != 0) == pde->distributed) return SOLACE_SUCCESS;
  destroy_petsc(pde);
  pde->comm = comm;
  pde->distributed = distributed != 0;
  SolaceCall(create_grid(pde));
  SolaceCall(create_solver(pde));
  return SOLACE_SUCCESS;
}

int solace_pde_set_warm_start(solace_pde pde, int on) {
  solace_error_clear();
  SolaceCheckNotNull(pde);
  pde->warm_start = on != 0;
  SolacePetscCall(KSPSetInitialGuessNonzero(pde->ksp, on ? PETSC_TRUE : PETSC_FALSE));
  if (on) SolacePetscCall(VecSet(pde->x, 0.0)); /* no stale solution from earlier solves */
  return SOLACE_SUCCESS;
}

int solace_pde_set_real(solace_pde pde, const char *name, double value) {
  solace_error_clear();
  SolaceCheck(pde && name, SOLACE_ERR_ARG, "pde and name must not be NULL");
  solace_pde_real_option *option = find_real(pde, name);
  SolaceCheck(option, SOLACE_ERR_ARG, "family %s has no real option '%s'", pde->ops->name, name);
  SolaceCheck(isfinite(value), SOLACE_ERR_ARG, "option %s = %g is not finite", name, value);
  option->value = value;
  SolaceCall(solace_grf_destroy(&pde->grf)); /* re-created with the new options when sampled */
  return SOLACE_SUCCESS;
}

int solace_pde_get_real(solace_pde pde, const char *name, double *value) {
  solace_error_clear();
  SolaceCheck(pde && name && value, SOLACE_ERR_ARG, "pde, name and value must not be NULL");
  SolaceCall(solace_pde_real(pde, name, value));
  return SOLACE_SUCCESS;
}

int solace_pde_set_string(solace_pde pde, const char *name, const char *value) {
  solace_error_clear();
  SolaceCheck(pde && name && value, SOLACE_ERR_ARG, "pde, name and value must not be NULL");
  /* a family has the option when its setup gave it a default (pde->coefficient non-empty) */
  SolaceCheck(strcmp(name, "coefficient") == 0 && pde->coefficient[0], SOLACE_ERR_ARG,
              "family %s has no string option '%s'", pde->ops->name, name);
  SolaceCheck(strcmp(value, "exp") == 0 || strcmp(value, "threshold") == 0, SOLACE_ERR_ARG,
              "coefficient '%s' is not 'exp' or 'threshold'", value);
  snprintf(pde->coefficient, sizeof pde->coefficient, "%s", value);
  return SOLACE_SUCCESS;
}

int solace_pde_get_grid(solace_pde pde, int *ndim, int64_t grid[3]) {
  solace_error_clear();
  SolaceCheck(pde && ndim && grid, SOLACE_ERR_ARG, "pde, ndim and grid must not be NULL");
  *ndim = 2;
  grid[0] = grid[1] = pde->n;
  grid[2] = 1;
  return SOLACE_SUCCESS;
}

int solace_pde_get_nparams(solace_pde pde, int64_t *nparams) {
  solace_error_clear();
  SolaceCheck(pde && nparams, SOLACE_ERR_ARG, "pde and nparams must not be NULL");
  *nparams = pde->ops->nparams;
  return SOLACE_SUCCESS;
}

/* Copies a string into a caller buffer of `capacity` bytes, refusing to truncate. */
static int copy_out(const char *value, char *buf, int64_t capacity, const char *what) {
  SolaceCheck(buf && capacity > 0, SOLACE_ERR_ARG, "%s buffer is NULL or has no room", what);
  SolaceCheck((int64_t)strlen(value) < capacity, SOLACE_ERR_ARG,
              "%s '%s' needs %zu bytes, capacity is %lld", what, value, strlen(value) + 1,
              (long long)capacity);
  memcpy(buf, value, strlen(value) + 1);
  return SOLACE_SUCCESS;
}

int solace_pde_get_family(solace_pde pde, char *buf, int64_t capacity) {
  solace_error_clear();
  SolaceCheckNotNull(pde);
  SolaceCall(copy_out(pde->ops->name, buf, capacity, "family"));
  return SOLACE_SUCCESS;
}

int solace_pde_set_options_prefix(solace_pde pde, const char *prefix) {
  solace_error_clear();
  SolaceCheck(pde && prefix, SOLACE_ERR_ARG, "pde and prefix must not be NULL");
  size_t length = strlen(prefix);
  SolaceCheck(length > 0 && length < 64 && !isdigit((unsigned char)prefix[0]), SOLACE_ERR_ARG,
              "options prefix '%s' must have 1 to 63 characters and not start with a digit",
              prefix);
  for (size_t i = 0; i < length; i++)
    SolaceCheck(isalnum((unsigned char)prefix[i]) || prefix[i] == '_', SOLACE_ERR_ARG,
                "options prefix '%s' may hold letters, digits and '_' only", prefix);
  SolacePetscCall(KSPSetOptionsPrefix(pde->ksp, prefix));
  SolacePetscCall(KSPSetFromOptions(pde->ksp));
  snprintf(pde->prefix, sizeof pde->prefix, "%s", prefix);
  return SOLACE_SUCCESS;
}

int solace_pde_get_solver(solace_pde pde, char *ksp_type, char *pc_type, int64_t capacity,
                          double *rtol) {
  solace_error_clear();
  SolaceCheck(pde && rtol, SOLACE_ERR_ARG, "pde and rtol must not be NULL");
  PetscReal relative;
  SolacePetscCall(KSPGetTolerances(pde->ksp, &relative, NULL, NULL, NULL));
  *rtol = relative;
  KSPType ktype;
  PCType ptype;
  PC pc;
  SolacePetscCall(KSPGetType(pde->ksp, &ktype));
  SolacePetscCall(KSPGetPC(pde->ksp, &pc));
  SolacePetscCall(PCGetType(pc, &ptype));
  SolaceCall(copy_out(ktype ? ktype : "none", ksp_type, capacity, "ksp_type"));
  SolaceCall(copy_out(ptype ? ptype : "none", pc_type, capacity, "pc_type"));
  return SOLACE_SUCCESS;
}

/* Creates the random-field sampler from the current options if it does not exist; families
 * without the field's options "alpha" and "tau" (poisson) draw no field and get none. */
static int ensure_grf(solace_pde pde) {
  if (pde->grf || !find_real(pde, "alpha") || !find_real(pde, "tau")) return SOLACE_SUCCESS;
  double alpha, tau;
  int64_t shape[2] = {pde->n, pde->n};
  SolaceCall(solace_pde_real(pde, "alpha", &alpha));
  SolaceCall(solace_pde_real(pde, "tau", &tau));
  SolaceCall(solace_grf_create(2, shape, alpha, tau, &pde->grf));
  return SOLACE_SUCCESS;
}

int solace_pde_sample(solace_pde pde, uint64_t seed, int64_t index, double *input, double *params) {
  solace_error_clear();
  SolaceCheck(pde && input, SOLACE_ERR_ARG, "pde and input must not be NULL");
  SolaceCheck(params || pde->ops->nparams == 0, SOLACE_ERR_ARG, "params is NULL");
  SolaceCheck(index >= 0, SOLACE_ERR_ARG, "sample index %lld is negative", (long long)index);
  SolaceCall(ensure_grf(pde));
  SolaceCall(pde->ops->sample(pde, seed, index, input, params));
  return SOLACE_SUCCESS;
}

int solace_pde_gather_solution(solace_pde pde, double *output) {
  const PetscScalar *values;
  PetscInt m = (PetscInt)(pde->n - 2);
  SolacePetscCall(DMDAGlobalToNaturalBegin(pde->da, pde->x, INSERT_VALUES, pde->natural));
  SolacePetscCall(DMDAGlobalToNaturalEnd(pde->da, pde->x, INSERT_VALUES, pde->natural));
  SolacePetscCall(
      VecScatterBegin(pde->to_all, pde->natural, pde->gathered, INSERT_VALUES, SCATTER_FORWARD));
  SolacePetscCall(
      VecScatterEnd(pde->to_all, pde->natural, pde->gathered, INSERT_VALUES, SCATTER_FORWARD));
  SolacePetscCall(VecGetArrayRead(pde->gathered, &values));
  for (PetscInt j = 0; j < m; j++)
    for (PetscInt i = 0; i < m; i++) output[(i + 1) + pde->n * (j + 1)] = values[i + m * j];
  SolacePetscCall(VecRestoreArrayRead(pde->gathered, &values));
  return SOLACE_SUCCESS;
}

/* The true relative residual ||b - A x|| / ||b|| of the current solution. */
static int true_residual(solace_pde pde, double *residual) {
  PetscReal rnorm, bnorm;
  SolacePetscCall(MatMult(pde->A, pde->x, pde->r));
  SolacePetscCall(VecAYPX(pde->r, -1.0, pde->b));
  SolacePetscCall(VecNorm(pde->r, NORM_2, &rnorm));
  SolacePetscCall(VecNorm(pde->b, NORM_2, &bnorm));
  *residual = bnorm > 0 ? rnorm / bnorm : rnorm;
  return SOLACE_SUCCESS;
}

int solace_pde_solve(solace_pde pde, const double *input, const double *params, double *output,
                     int64_t *iterations, double *residual) {
  solace_error_clear();
  SolaceCheck(pde && input && output, SOLACE_ERR_ARG, "pde, input and output must not be NULL");
  SolaceCheck(params || pde->ops->nparams == 0, SOLACE_ERR_ARG, "params is NULL");
  SolaceCall(pde->ops->check_input(pde, input, params));
  SolaceCall(pde->ops->assemble(pde, input, params));
  int code = KSPSolve(pde->ksp, pde->b, pde->x);
  if (code && pde->warm_start) VecSet(pde->x, 0.0); /* the next solve must not start from it */
  if (code) return solace_error_petsc(code, __func__, "KSPSolve(pde->ksp, pde->b, pde->x)");
  KSPConvergedReason reason;
  PetscInt its;
  double rel = NAN;
  SolacePetscCall(KSPGetConvergedReason(pde->ksp, &reason));
  SolacePetscCall(KSPGetIterationNumber(pde->ksp, &its));
  SolaceCall(true_residual(pde, &rel));
  SolaceCall(solace_pde_gather_solution(pde, output));
  SolaceCall(pde->ops->boundary(pde, input, params, output));
  if (iterations) *iterations = its;
  if (residual) *residual = rel;
  if (reason <= 0 && pde->warm_start) SolacePetscCall(VecSet(pde->x, 0.0));
  SolaceCheck(reason > 0, SOLACE_ERR_NOT_CONVERGED,
              "KSP stopped after %d iterations: %s (relative residual %.3g)", (int)its,
              KSPConvergedReasons[reason], rel);
  return SOLACE_SUCCESS;
}
