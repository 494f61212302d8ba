/* SKR's sequence solver for non-PETSc codes: sorts a sequence of sparse systems given in CSR form
 * (or produced by a callback) and solves them in that order with one KSP "gcrodr", whose recycle
 * space carries over from each system to the next. */
#include "solace-impl.h"
#include "solace/petsc.h"
#include "solace/skr.h"

#include <math.h>
#include <petscksp.h>
#include <stdlib.h>
#include <string.h>

#if defined(PETSC_USE_COMPLEX) || !defined(PETSC_USE_REAL_DOUBLE)
#error "solace_skr needs a real double-precision PETSc"
#endif

enum {
  SKR_DEFAULT_RESTART = 40,
  SKR_DEFAULT_RECYCLE = 20,
  SKR_DEFAULT_MAX_IT = 10000,
  SKR_PC_NAME_CAPACITY = 256,
  SKR_EXTRA_SOLVES = 2 /* restarts from the current x when the true residual misses rtol */
};

struct solace_skr_s {
  int64_t restart, recycle, max_it; /* recycle < 0: min(20, m/2) */
  double rtol;
  char pc_type[SKR_PC_NAME_CAPACITY];
  int sort, warm_start;
  double *features;
  int64_t feature_count, feature_dim;
  /* PETSc objects, kept between solves while n and the settings stay the same */
  int stale;
  int64_t n;
  KSP ksp;
  Mat A;
  Vec b, x, r;
  int64_t *pattern; /* rowptr (n+1) then colidx of the matrix in A, or NULL */
  int64_t pattern_nnz;
  PetscInt *cols;
  int64_t cols_capacity;
  /* result of the last solve */
  int64_t *order, order_count, total_iterations;
  double sort_seconds, solve_seconds;
};

/* One system of a sequence, as given by the caller. */
typedef struct {
  int64_t nnz;
  const int64_t *rowptr, *colidx;
  const double *values, *rhs;
} skr_system;

/* Where the systems come from: CSR arrays or a callback. */
typedef struct {
  const int64_t *const *rowptr, *const *colidx;
  const double *const *values, *rhs;
  solace_skr_system_fn fn;
  void *ctx;
  double *rhs_buffer;
} skr_source;

/* Outputs of a solve (caller-owned; iterations and residuals may be NULL). */
typedef struct {
  double *solutions, *residuals;
  int64_t *iterations;
} skr_outputs;

/* First system that missed the tolerance, for the final message. */
typedef struct {
  int64_t failures, system, position;
  double residual;
  KSPConvergedReason reason;
} skr_failure;

/* The recycled dimension in effect. */
static int64_t effective_recycle(const struct solace_skr_s *skr) {
  if (skr->recycle >= 0) return skr->recycle;
  return skr->restart / 2 < SKR_DEFAULT_RECYCLE ? skr->restart / 2 : SKR_DEFAULT_RECYCLE;
}

/* Destroys the PETSc objects (skipped once PETSc is finalized) and forgets the pattern. */
static void release_petsc(struct solace_skr_s *skr) {
  PetscBool finalized = PETSC_TRUE;
  PetscFinalized(&finalized);
  if (!finalized) {
    KSPDestroy(&skr->ksp);
    MatDestroy(&skr->A);
    VecDestroy(&skr->b);
    VecDestroy(&skr->x);
    VecDestroy(&skr->r);
  }
  skr->ksp = NULL, skr->A = NULL, skr->b = skr->x = skr->r = NULL;
  free(skr->pattern);
  skr->pattern = NULL;
  skr->n = 0;
}

int solace_skr_create(solace_skr *skr) {
  solace_error_clear();
  SolaceCheckNotNull(skr);
  *skr = NULL;
  int initialized = 0;
  SolaceCall(solace_initialized(&initialized));
  SolaceCheck(initialized, SOLACE_ERR_STATE, "call solace_initialize() first");
  solace_skr s;
  SolaceCall(SolaceCalloc(1, &s));
  s->restart = SKR_DEFAULT_RESTART;
  s->recycle = -1;
  s->rtol = 1e-8;
  s->max_it = SKR_DEFAULT_MAX_IT;
  strcpy(s->pc_type, PCNONE);
  s->sort = SOLACE_SKR_SORT_AUTO;
  s->stale = 1;
  *skr = s;
  return SOLACE_SUCCESS;
}

int solace_skr_destroy(solace_skr *skr) {
  if (!skr || !*skr) return SOLACE_SUCCESS;
  release_petsc(*skr);
  free((*skr)->features);
  free((*skr)->cols);
  free((*skr)->order);
  free(*skr);
  *skr = NULL;
  return SOLACE_SUCCESS;
}

int solace_skr_set_restart(solace_skr skr, int64_t m) {
  solace_error_clear();
  SolaceCheckNotNull(skr);
  SolaceCheck(m >= 1 && m <= 100000, SOLACE_ERR_ARG, "restart m = %lld is not in [1, 100000]",
              (long long)m);
  skr->stale |= m != skr->restart;
  skr->restart = m;
  return SOLACE_SUCCESS;
}

int solace_skr_set_recycle(solace_skr skr, int64_t k) {
  solace_error_clear();
  SolaceCheckNotNull(skr);
  SolaceCheck(k >= 0, SOLACE_ERR_ARG, "recycle k = %lld must be >= 0", (long long)k);
  SolaceCheck(k < skr->restart, SOLACE_ERR_ARG,
              "recycle k = %lld must be smaller than the restart m = %lld "
              "(set the restart first)",
              (long long)k, (long long)skr->restart);
  skr->stale |= k != skr->recycle;
  skr->recycle = k;
  return SOLACE_SUCCESS;
}

int solace_skr_set_tolerance(solace_skr skr, double rtol, int64_t max_it) {
  solace_error_clear();
  SolaceCheckNotNull(skr);
  SolaceCheck(isfinite(rtol) && rtol > 0 && rtol < 1, SOLACE_ERR_ARG, "rtol = %g is not in (0, 1)",
              rtol);
  SolaceCheck(max_it >= 1 && max_it <= PETSC_MAX_INT, SOLACE_ERR_ARG,
              "max_it = %lld is not in [1, %d]", (long long)max_it, (int)PETSC_MAX_INT);
  skr->stale |= rtol != skr->rtol || max_it != skr->max_it;
  skr->rtol = rtol;
  skr->max_it = max_it;
  return SOLACE_SUCCESS;
}

/* Checks that PETSc knows the PC type `name`, giving PETSc's message as SOLACE_ERR_ARG if not. */
static int check_pc_type(const char *name) {
  PC pc;
  SolacePetscCall(PCCreate(PETSC_COMM_SELF, &pc));
  PetscErrorCode code = PCSetType(pc, name);
  SolacePetscCall(PCDestroy(&pc));
  if (!code) return SOLACE_SUCCESS;
  const char *text = NULL;
  char *specific = NULL;
  PetscErrorMessage(code, &text, &specific);
  return solace_error_set(SOLACE_ERR_ARG, __func__, "PC type '%s' is not available: PETSc: %s%s%s",
                          name, text ? text : "unknown error", specific ? ": " : "",
                          specific ? specific : "");
}

int solace_skr_set_pc(solace_skr skr, const char *pc_type) {
  solace_error_clear();
  SolaceCheckNotNull(skr);
  SolaceCheckNotNull(pc_type);
  SolaceCheck(pc_type[0] != '\0' && strlen(pc_type) < SKR_PC_NAME_CAPACITY, SOLACE_ERR_ARG,
              "pc_type '%.40s' is empty or longer than %d characters", pc_type,
              SKR_PC_NAME_CAPACITY - 1);
  SolaceCall(check_pc_type(pc_type));
  skr->stale |= strcmp(pc_type, skr->pc_type) != 0;
  strcpy(skr->pc_type, pc_type);
  return SOLACE_SUCCESS;
}

int solace_skr_set_sort(solace_skr skr, int method) {
  solace_error_clear();
  SolaceCheckNotNull(skr);
  SolaceCheck(method >= SOLACE_SKR_SORT_NONE && method <= SOLACE_SKR_SORT_AUTO, SOLACE_ERR_ARG,
              "method %d is not a solace_skr_sort_method", method);
  skr->sort = method;
  return SOLACE_SUCCESS;
}

int solace_skr_set_warm_start(solace_skr skr, int on) {
  solace_error_clear();
  SolaceCheckNotNull(skr);
  skr->warm_start = on != 0;
  return SOLACE_SUCCESS;
}

int solace_skr_set_features(solace_skr skr, const double *features, int64_t count, int64_t dim) {
  solace_error_clear();
  SolaceCheckNotNull(skr);
  free(skr->features);
  skr->features = NULL, skr->feature_count = skr->feature_dim = 0;
  if (!features) return SOLACE_SUCCESS;
  SolaceCheck(count >= 1 && dim >= 1, SOLACE_ERR_ARG, "count = %lld and dim = %lld must be >= 1",
              (long long)count, (long long)dim);
  SolaceCheck(count <= INT32_MAX && dim <= INT32_MAX, SOLACE_ERR_ARG, "count or dim exceeds 2^31");
  for (int64_t i = 0; i < count * dim; i++)
    SolaceCheck(isfinite(features[i]), SOLACE_ERR_ARG, "features[%lld] (system %lld) = %g",
                (long long)i, (long long)(i / dim), features[i]);
  SolaceCall(SolaceCalloc(count * dim, &skr->features));
  memcpy(skr->features, features, sizeof(double) * (size_t)(count * dim));
  skr->feature_count = count, skr->feature_dim = dim;
  return SOLACE_SUCCESS;
}

/* Checks one system: CSR structure, finite values and right-hand side. */
static int check_system(const skr_system *s, int64_t n, int64_t i) {
  const int64_t *p = s->rowptr;
  SolaceCheck(p, SOLACE_ERR_ARG, "system %lld: rowptr[%lld] is NULL", (long long)i, (long long)i);
  SolaceCheck(s->colidx, SOLACE_ERR_ARG, "system %lld: colidx[%lld] is NULL", (long long)i,
              (long long)i);
  SolaceCheck(s->values, SOLACE_ERR_ARG, "system %lld: values[%lld] is NULL", (long long)i,
              (long long)i);
  SolaceCheck(p[0] == 0, SOLACE_ERR_ARG, "system %lld: rowptr[%lld][0] = %lld, must be 0",
              (long long)i, (long long)i, (long long)p[0]);
  for (int64_t row = 0; row < n; row++)
    SolaceCheck(p[row + 1] >= p[row], SOLACE_ERR_ARG,
                "system %lld: rowptr is not monotone: rowptr[%lld][%lld] = %lld > "
                "rowptr[%lld][%lld] = %lld",
                (long long)i, (long long)i, (long long)row, (long long)p[row], (long long)i,
                (long long)(row + 1), (long long)p[row + 1]);
  SolaceCheck(p[n] == s->nnz, SOLACE_ERR_ARG, "system %lld: rowptr[%lld][n] = %lld but nnz = %lld",
              (long long)i, (long long)i, (long long)p[n], (long long)s->nnz);
  SolaceCheck(s->nnz <= PETSC_MAX_INT, SOLACE_ERR_UNSUPPORTED,
              "system %lld: %lld nonzeros exceed this PETSc's 32-bit indices", (long long)i,
              (long long)s->nnz);
  for (int64_t row = 0; row < n; row++)
    for (int64_t e = p[row]; e < p[row + 1]; e++) {
      SolaceCheck(s->colidx[e] >= 0 && s->colidx[e] < n, SOLACE_ERR_ARG,
                  "system %lld: column index colidx[%lld][%lld] = %lld (row %lld) is not in "
                  "[0, %lld)",
                  (long long)i, (long long)i, (long long)e, (long long)s->colidx[e], (long long)row,
                  (long long)n);
      SolaceCheck(isfinite(s->values[e]), SOLACE_ERR_ARG,
                  "system %lld: values[%lld][%lld] (row %lld, column %lld) = %g is not finite",
                  (long long)i, (long long)i, (long long)e, (long long)row, (long long)s->colidx[e],
                  s->values[e]);
    }
  for (int64_t row = 0; row < n; row++)
    SolaceCheck(isfinite(s->rhs[row]), SOLACE_ERR_ARG,
                "system %lld: right-hand side rhs[%lld*n + %lld] = %g is not finite", (long long)i,
                (long long)i, (long long)row, s->rhs[row]);
  return SOLACE_SUCCESS;
}

/* System i of a CSR source (no callback). */
static skr_system csr_system(const skr_source *src, int64_t n, int64_t i) {
  skr_system s = {0, src->rowptr[i], src->colidx[i], src->values[i], src->rhs + i * n};
  s.nnz = s.rowptr ? s.rowptr[n] : 0;
  return s;
}

/* Fetches system i: from the arrays, or from the callback (then checks it). */
static int fetch_system(const skr_source *src, int64_t n, int64_t i, skr_system *s) {
  if (!src->fn) {
    *s = csr_system(src, n, i);
    return SOLACE_SUCCESS;
  }
  memset(s, 0, sizeof *s);
  int status = src->fn(i, &s->nnz, &s->rowptr, &s->colidx, &s->values, src->rhs_buffer, src->ctx);
  if (status)
    return solace_error_set(status, __func__,
                            "the system callback returned %d (%s) for system %lld", status,
                            solace_status_string(status), (long long)i);
  s->rhs = src->rhs_buffer;
  SolaceCall(check_system(s, n, i));
  return SOLACE_SUCCESS;
}

/* True if system s has the sparsity pattern of the matrix in skr->A. */
static int same_pattern(const struct solace_skr_s *skr, const skr_system *s) {
  int64_t n = skr->n;
  return skr->pattern && skr->pattern_nnz == s->nnz &&
         !memcmp(skr->pattern, s->rowptr, sizeof(int64_t) * (size_t)(n + 1)) &&
         !memcmp(skr->pattern + n + 1, s->colidx, sizeof(int64_t) * (size_t)s->nnz);
}

/* Copies the pattern of s as the pattern of skr->A. */
static int remember_pattern(struct solace_skr_s *skr, const skr_system *s) {
  int64_t n = skr->n;
  free(skr->pattern);
  SolaceCall(SolaceCalloc(n + 1 + s->nnz, &skr->pattern));
  memcpy(skr->pattern, s->rowptr, sizeof(int64_t) * (size_t)(n + 1));
  memcpy(skr->pattern + n + 1, s->colidx, sizeof(int64_t) * (size_t)s->nnz);
  skr->pattern_nnz = s->nnz;
  return SOLACE_SUCCESS;
}

/* Adds the entries of s to skr->A row by row (duplicates sum) and assembles it. */
static int insert_values(struct solace_skr_s *skr, const skr_system *s) {
  if (s->nnz > skr->cols_capacity) {
    free(skr->cols);
    skr->cols_capacity = 0;
    SolaceCall(SolaceCalloc(s->nnz, &skr->cols));
    skr->cols_capacity = s->nnz;
  }
  for (int64_t e = 0; e < s->nnz; e++) skr->cols[e] = (PetscInt)s->colidx[e];
  for (PetscInt row = 0; row < (PetscInt)skr->n; row++) {
    int64_t start = s->rowptr[row], len = s->rowptr[row + 1] - start;
    if (len)
      SolacePetscCall(MatSetValues(skr->A, 1, &row, (PetscInt)len, skr->cols + start,
                                   s->values + start, ADD_VALUES));
  }
  SolacePetscCall(MatAssemblyBegin(skr->A, MAT_FINAL_ASSEMBLY));
  SolacePetscCall(MatAssemblyEnd(skr->A, MAT_FINAL_ASSEMBLY));
  return SOLACE_SUCCESS;
}

/* Creates a new MATSEQAIJ preallocated for the pattern of s. */
static int create_matrix(struct solace_skr_s *skr, const skr_system *s) {
  PetscInt n = (PetscInt)skr->n, *row_nnz;
  SolaceCall(SolaceCalloc(n, &row_nnz));
  for (PetscInt row = 0; row < n; row++)
    row_nnz[row] = (PetscInt)(s->rowptr[row + 1] - s->rowptr[row]);
  MatDestroy(&skr->A);
  int status = SOLACE_SUCCESS;
  SolacePetscCallGoto(status, done, MatCreateSeqAIJ(PETSC_COMM_SELF, n, n, 0, row_nnz, &skr->A));
done:
  free(row_nnz);
  return status;
}

/* Puts the matrix of s into skr->A: values replaced in place when the pattern is the same (so the
 * KSP sees the same Mat with a new state), a new Mat otherwise. */
static int load_matrix(struct solace_skr_s *skr, const skr_system *s) {
  if (same_pattern(skr, s)) {
    SolacePetscCall(MatZeroEntries(skr->A));
  } else {
    SolaceCall(create_matrix(skr, s));
    SolaceCall(remember_pattern(skr, s));
  }
  SolaceCall(insert_values(skr, s));
  SolacePetscCall(KSPSetOperators(skr->ksp, skr->A, skr->A));
  return SOLACE_SUCCESS;
}

/* Checks k < m of the KSP after the options were applied (they may override the settings). */
static int check_recycle_fits(KSP ksp) {
  PetscBool gcrodr = PETSC_FALSE;
  SolacePetscCall(PetscObjectTypeCompare((PetscObject)ksp, SOLACE_KSPGCRODR, &gcrodr));
  if (!gcrodr) return SOLACE_SUCCESS;
  PetscInt m, k;
  SolacePetscCall(SolaceKSPGCRODRGetRestart(ksp, &m));
  SolacePetscCall(SolaceKSPGCRODRGetRecycle(ksp, &k));
  SolaceCheck(k < m, SOLACE_ERR_ARG,
              "recycle k = %lld must be smaller than the restart m = %lld "
              "(solace_skr_set_recycle, solace_skr_set_restart or -skr_ksp_gcrodr_*)",
              (long long)k, (long long)m);
  return SOLACE_SUCCESS;
}

/* Creates the KSP with the settings, then lets "skr_"-prefixed PETSc options override them. */
static int create_ksp(struct solace_skr_s *skr) {
  PC pc;
  SolacePetscCall(KSPCreate(PETSC_COMM_SELF, &skr->ksp));
  SolacePetscCall(KSPSetType(skr->ksp, SOLACE_KSPGCRODR));
  SolacePetscCall(SolaceKSPGCRODRSetRestart(skr->ksp, (PetscInt)skr->restart));
  SolacePetscCall(SolaceKSPGCRODRSetRecycle(skr->ksp, (PetscInt)effective_recycle(skr)));
  SolacePetscCall(KSPSetPCSide(skr->ksp, PC_RIGHT));
  SolacePetscCall(
      KSPSetTolerances(skr->ksp, skr->rtol, PETSC_DEFAULT, PETSC_DEFAULT, (PetscInt)skr->max_it));
  SolacePetscCall(KSPGetPC(skr->ksp, &pc));
  SolacePetscCall(PCSetType(pc, skr->pc_type));
  SolacePetscCall(KSPSetOptionsPrefix(skr->ksp, "skr_"));
  SolacePetscCall(KSPSetFromOptions(skr->ksp));
  SolaceCall(check_recycle_fits(skr->ksp));
  return SOLACE_SUCCESS;
}

/* Makes the KSP and vectors for size n, re-creating them when n or the settings changed. */
static int prepare_solver(struct solace_skr_s *skr, int64_t n) {
  SolaceCheck(effective_recycle(skr) < skr->restart, SOLACE_ERR_ARG,
              "recycle k = %lld must be smaller than the restart m = %lld",
              (long long)effective_recycle(skr), (long long)skr->restart);
  if (skr->ksp && !skr->stale && skr->n == n) return SOLACE_SUCCESS;
  release_petsc(skr);
  skr->n = n;
  SolacePetscCall(VecCreateSeq(PETSC_COMM_SELF, (PetscInt)n, &skr->b));
  SolacePetscCall(VecDuplicate(skr->b, &skr->x));
  SolacePetscCall(VecDuplicate(skr->b, &skr->r));
  int status = create_ksp(skr);
  if (status) {
    release_petsc(skr);
    return solace_error_trace(status, __func__);
  }
  skr->stale = 0;
  return SOLACE_SUCCESS;
}

/* Writes ||b - A x|| / ||b|| (0 when b = 0). */
static int true_residual(struct solace_skr_s *skr, double bnorm, double *relative) {
  PetscReal rnorm;
  SolacePetscCall(MatMult(skr->A, skr->x, skr->r));
  SolacePetscCall(VecAYPX(skr->r, -1.0, skr->b));
  SolacePetscCall(VecNorm(skr->r, NORM_2, &rnorm));
  *relative = bnorm > 0 ? (double)rnorm / bnorm : (double)rnorm;
  return SOLACE_SUCCESS;
}

/* Solves the loaded system from the guess in x (warm) or zero; KSP restarts from the current x
 * while it reports convergence but the true residual misses rtol. */
static int solve_loaded(struct solace_skr_s *skr, int warm, int64_t *its, double *residual,
                        KSPConvergedReason *reason) {
  PetscReal bnorm;
  SolacePetscCall(VecNorm(skr->b, NORM_2, &bnorm));
  *its = 0, *residual = 0, *reason = KSP_CONVERGED_ATOL;
  if (bnorm == 0 || !warm) SolacePetscCall(VecSet(skr->x, 0.0));
  if (bnorm == 0) return SOLACE_SUCCESS; /* x = 0 exactly */
  for (int attempt = 0; attempt <= SKR_EXTRA_SOLVES; attempt++) {
    PetscInt n_its;
    SolacePetscCall(
        KSPSetInitialGuessNonzero(skr->ksp, warm || attempt ? PETSC_TRUE : PETSC_FALSE));
    SolacePetscCall(KSPSolve(skr->ksp, skr->b, skr->x));
    SolacePetscCall(KSPGetIterationNumber(skr->ksp, &n_its));
    SolacePetscCall(KSPGetConvergedReason(skr->ksp, reason));
    *its += n_its;
    SolaceCall(true_residual(skr, (double)bnorm, residual));
    if (*reason <= 0 || !isfinite(*residual) || *residual <= skr->rtol) break;
  }
  return SOLACE_SUCCESS;
}

/* Solves system s (system index i, solved at position k) and writes its outputs. */
static int solve_system(struct solace_skr_s *skr, const skr_system *s, int64_t i, int64_t k,
                        int warm, const skr_outputs *out, skr_failure *failure, int *finite) {
  int64_t n = skr->n, its = 0;
  double residual = NAN;
  KSPConvergedReason reason = KSP_CONVERGED_ITERATING;
  SolaceCall(load_matrix(skr, s));
  PetscScalar *b;
  SolacePetscCall(VecGetArrayWrite(skr->b, &b));
  memcpy(b, s->rhs, sizeof(double) * (size_t)n);
  SolacePetscCall(VecRestoreArrayWrite(skr->b, &b));
  SolaceCall(solve_loaded(skr, warm, &its, &residual, &reason));
  const PetscScalar *x;
  SolacePetscCall(VecGetArrayRead(skr->x, &x));
  memcpy(out->solutions + i * n, x, sizeof(double) * (size_t)n);
  SolacePetscCall(VecRestoreArrayRead(skr->x, &x));
  if (out->iterations) out->iterations[i] = its;
  if (out->residuals) out->residuals[i] = residual;
  skr->total_iterations += its;
  *finite = isfinite(residual);
  if (!(residual <= skr->rtol) && failure->failures++ == 0) {
    failure->system = i, failure->position = k;
    failure->residual = residual, failure->reason = reason;
  }
  return SOLACE_SUCCESS;
}

/* Default features of a CSR sequence: values then rhs of each system (one shared pattern). */
static int value_features(const skr_source *src, int64_t count, int64_t n, double **features,
                          int64_t *dim) {
  skr_system first = csr_system(src, n, 0);
  for (int64_t i = 1; i < count; i++) {
    skr_system s = csr_system(src, n, i);
    SolaceCheck(s.nnz == first.nnz &&
                    !memcmp(s.rowptr, first.rowptr, sizeof(int64_t) * (size_t)(n + 1)) &&
                    !memcmp(s.colidx, first.colidx, sizeof(int64_t) * (size_t)s.nnz),
                SOLACE_ERR_ARG,
                "cannot sort by matrix values: systems 0 and %lld have different sparsity "
                "patterns; give features with solace_skr_set_features() or use "
                "SOLACE_SKR_SORT_NONE",
                (long long)i);
  }
  *dim = first.nnz + n;
  SolaceCall(SolaceCalloc(count * *dim, features));
  for (int64_t i = 0; i < count; i++) {
    skr_system s = csr_system(src, n, i);
    memcpy(*features + i * *dim, s.values, sizeof(double) * (size_t)s.nnz);
    memcpy(*features + i * *dim + s.nnz, s.rhs, sizeof(double) * (size_t)n);
  }
  return SOLACE_SUCCESS;
}

/* Computes skr->order: by the given features, by the values (CSR source) or the identity. */
static int compute_order(struct solace_skr_s *skr, const skr_source *src, int64_t count,
                         int64_t n) {
  for (int64_t i = 0; i < count; i++) skr->order[i] = i;
  if (skr->sort == SOLACE_SKR_SORT_NONE || count == 1) return SOLACE_SUCCESS;
  if (skr->features) {
    SolaceCheck(skr->feature_count == count, SOLACE_ERR_ARG,
                "features were given for %lld systems but count = %lld",
                (long long)skr->feature_count, (long long)count);
    SolaceCall(solace_skr_sort(skr->features, count, skr->feature_dim, skr->sort, skr->order));
    return SOLACE_SUCCESS;
  }
  if (src->fn) return SOLACE_SUCCESS; /* a callback without features: the given order */
  double *features = NULL;
  int64_t dim = 0;
  SolaceCall(value_features(src, count, n, &features, &dim));
  int status = solace_skr_sort(features, count, dim, skr->sort, skr->order);
  free(features);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}

/* Checks the arguments shared by both solve functions. */
static int check_sequence_args(solace_skr skr, int64_t count, int64_t n, double *solutions) {
  SolaceCheckNotNull(skr);
  SolaceCheck(count >= 1, SOLACE_ERR_ARG, "count = %lld must be >= 1", (long long)count);
  SolaceCheck(n >= 1, SOLACE_ERR_ARG, "n = %lld must be >= 1", (long long)n);
  SolaceCheck(n <= PETSC_MAX_INT && count <= INT32_MAX, SOLACE_ERR_UNSUPPORTED,
              "n = %lld or count = %lld exceeds 2^31 (this PETSc's indices are 32-bit)",
              (long long)n, (long long)count);
  SolaceCheckNotNull(solutions);
  return SOLACE_SUCCESS;
}

/* Sorts, then solves every system in order; returns NOT_CONVERGED naming the first failure. */
static int run_sequence(solace_skr skr, int64_t count, int64_t n, const skr_source *src,
                        const skr_outputs *out) {
  free(skr->order);
  skr->order = NULL, skr->order_count = 0;
  skr->total_iterations = 0, skr->sort_seconds = skr->solve_seconds = 0;
  SolaceCall(prepare_solver(skr, n));
  int64_t *order;
  SolaceCall(SolaceCalloc(count, &order));
  skr->order = order;
  double start = solace_wtime();
  SolaceCall(compute_order(skr, src, count, n));
  skr->order_count = count;
  skr->sort_seconds = solace_wtime() - start;
  start = solace_wtime();
  skr_failure failure = {0, 0, 0, 0, KSP_CONVERGED_ITERATING};
  int status = SOLACE_SUCCESS, previous_finite = 0;
  for (int64_t k = 0; k < count && !status; k++) {
    skr_system s;
    status = fetch_system(src, n, order[k], &s);
    if (status) break;
    int warm = skr->warm_start && previous_finite;
    status = solve_system(skr, &s, order[k], k, warm, out, &failure, &previous_finite);
  }
  if (status == SOLACE_ERR_BACKEND) skr->stale = 1; /* the KSP may be unusable: rebuild it */
  skr->solve_seconds = solace_wtime() - start;
  SolaceCall(status);
  SolaceCheck(!failure.failures, SOLACE_ERR_NOT_CONVERGED,
              "%lld of %lld systems did not converge (all were solved and written); the first, "
              "system %lld (solve position %lld), stopped with %s at true relative residual %g > "
              "rtol %g (max_it %lld)",
              (long long)failure.failures, (long long)count, (long long)failure.system,
              (long long)failure.position, KSPConvergedReasons[failure.reason], failure.residual,
              skr->rtol, (long long)skr->max_it);
  return SOLACE_SUCCESS;
}

int solace_skr_solve_sequence(solace_skr skr, int64_t count, int64_t n,
                              const int64_t *const *rowptr, const int64_t *const *colidx,
                              const double *const *values, const double *rhs, double *solutions,
                              int64_t *iterations, double *residuals) {
  solace_error_clear();
  SolaceCall(check_sequence_args(skr, count, n, solutions));
  SolaceCheck(rowptr && colidx && values && rhs, SOLACE_ERR_ARG,
              "rowptr, colidx, values and rhs must not be NULL");
  skr_source src = {rowptr, colidx, values, rhs, NULL, NULL, NULL};
  for (int64_t i = 0; i < count; i++) {
    skr_system s = csr_system(&src, n, i);
    SolaceCall(check_system(&s, n, i));
  }
  skr_outputs out = {solutions, residuals, iterations};
  SolaceCall(run_sequence(skr, count, n, &src, &out));
  return SOLACE_SUCCESS;
}

int solace_skr_solve_sequence_fn(solace_skr skr, int64_t count, int64_t n, solace_skr_system_fn fn,
                                 void *ctx, double *solutions, int64_t *iterations,
                                 double *residuals) {
  solace_error_clear();
  SolaceCall(check_sequence_args(skr, count, n, solutions));
  SolaceCheck(fn != NULL, SOLACE_ERR_ARG, "fn (the system callback) is NULL");
  skr_source src = {NULL, NULL, NULL, NULL, fn, ctx, NULL};
  SolaceCall(SolaceCalloc(n, &src.rhs_buffer));
  skr_outputs out = {solutions, residuals, iterations};
  int status = run_sequence(skr, count, n, &src, &out);
  free(src.rhs_buffer);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}

int solace_skr_get_order(solace_skr skr, int64_t *order) {
  solace_error_clear();
  SolaceCheckNotNull(skr);
  SolaceCheckNotNull(order);
  SolaceCheck(skr->order_count > 0, SOLACE_ERR_STATE, "no sequence has been solved yet");
  memcpy(order, skr->order, sizeof(int64_t) * (size_t)skr->order_count);
  return SOLACE_SUCCESS;
}

int solace_skr_get_summary(solace_skr skr, double *sort_seconds, double *solve_seconds,
                           int64_t *total_iterations) {
  solace_error_clear();
  SolaceCheckNotNull(skr);
  SolaceCheck(skr->order_count > 0, SOLACE_ERR_STATE, "no sequence has been solved yet");
  if (sort_seconds) *sort_seconds = skr->sort_seconds;
  if (solve_seconds) *solve_seconds = skr->solve_seconds;
  if (total_iterations) *total_iterations = skr->total_iterations;
  return SOLACE_SUCCESS;
}
