/* The language-neutral DCDM entry points (include/solace/dcdm.h). */
#include "dcdm-train.h"
#include "operators/pde/obstacle.h"
#include "solace/dcdm.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int solace_dcdm_train(const char *options, const char *path, int64_t *steps, double *first_loss,
                      double *last_loss) {
  SolaceCheckNotNull(options);
  SolaceCheckNotNull(path);
  solace_dcdm_train_config cfg;
  solace_dcdm_train_result res;
  solace_dcdm_train_defaults(&cfg);
  SolaceCall(solace_dcdm_train_parse(options, &cfg));
  SolaceCall(solace_dcdm_train_run(&cfg, path, &res));
  if (steps) *steps = res.steps;
  if (first_loss) *first_loss = res.first_loss;
  if (last_loss) *last_loss = res.last_loss;
  return SOLACE_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* Test problems                                                                              */

struct solace_dcdm_problem_s {
  solace_obstacle ob;
};

int solace_dcdm_problem_create(int ndim, int64_t n, const char *obstacle, uint64_t seed,
                               solace_dcdm_problem *problem) {
  SolaceCheckNotNull(problem);
  *problem = NULL;
  solace_dcdm_problem p;
  SolaceCall(SolaceCalloc(1, &p));
  int status = solace_obstacle_create(ndim, n, obstacle, seed, &p->ob);
  if (status) {
    free(p);
    return solace_error_trace(status, __func__);
  }
  *problem = p;
  return SOLACE_SUCCESS;
}

/* Visits the nonzero entries of the first `rows` rows of A (the DMDA's matrix also stores the
 * zeros of its stencil pattern: couplings to solid cells); row_start, columns, values may be
 * NULL (counting only). */
static int nonzero_csr(Mat A, int64_t rows, int64_t *nnz, int64_t *row_start, int64_t *columns,
                       double *values) {
  *nnz = 0;
  if (row_start) row_start[0] = 0;
  for (PetscInt row = 0; row < (PetscInt)rows; row++) {
    PetscInt ncols;
    const PetscInt *cols;
    const PetscScalar *vals;
    SolacePetscCall(MatGetRow(A, row, &ncols, &cols, &vals));
    for (PetscInt j = 0; j < ncols; j++) {
      if (vals[j] == 0.0 && cols[j] != row) continue;
      if (columns) columns[*nnz] = cols[j], values[*nnz] = vals[j];
      (*nnz)++;
    }
    if (row_start) row_start[row + 1] = *nnz;
    SolacePetscCall(MatRestoreRow(A, row, &ncols, &cols, &vals));
  }
  return SOLACE_SUCCESS;
}

int solace_dcdm_problem_get_size(solace_dcdm_problem problem, int64_t *rows, int64_t *nonzeros,
                                 int64_t *solid) {
  SolaceCheckNotNull(problem);
  if (rows) *rows = problem->ob->cells;
  if (solid) *solid = problem->ob->nsolid;
  if (nonzeros)
    SolaceCall(nonzero_csr(problem->ob->A, problem->ob->cells, nonzeros, NULL, NULL, NULL));
  return SOLACE_SUCCESS;
}

int solace_dcdm_problem_get_csr(solace_dcdm_problem problem, int64_t *row_start, int64_t *columns,
                                double *values) {
  SolaceCheckNotNull(problem);
  SolaceCheckNotNull(row_start);
  SolaceCheckNotNull(columns);
  SolaceCheckNotNull(values);
  int64_t nnz;
  SolaceCall(nonzero_csr(problem->ob->A, problem->ob->cells, &nnz, row_start, columns, values));
  return SOLACE_SUCCESS;
}

int solace_dcdm_problem_get_rhs(solace_dcdm_problem problem, uint64_t seed, int64_t index,
                                double *b) {
  SolaceCheckNotNull(problem);
  SolaceCheck(index >= 0, SOLACE_ERR_ARG, "index = %lld (need >= 0)", (long long)index);
  SolaceCall(solace_obstacle_rhs(problem->ob, seed, (uint64_t)index, b));
  return SOLACE_SUCCESS;
}

int solace_dcdm_problem_destroy(solace_dcdm_problem *problem) {
  if (!problem || !*problem) return SOLACE_SUCCESS;
  solace_obstacle_destroy(&(*problem)->ob);
  free(*problem);
  *problem = NULL;
  return SOLACE_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* Solving a CSR system                                                                       */

/* Checks the CSR arrays: monotone row starts from 0, columns in range, finite values. */
static int check_csr(int64_t rows, const int64_t *row_start, const int64_t *columns,
                     const double *values) {
  SolaceCheck(row_start[0] == 0, SOLACE_ERR_ARG, "row_start[0] = %lld (need 0)",
              (long long)row_start[0]);
  for (int64_t i = 0; i < rows; i++) {
    SolaceCheck(row_start[i + 1] >= row_start[i], SOLACE_ERR_ARG,
                "row_start[%lld] = %lld < row_start[%lld] = %lld", (long long)i + 1,
                (long long)row_start[i + 1], (long long)i, (long long)row_start[i]);
    for (int64_t k = row_start[i]; k < row_start[i + 1]; k++) {
      SolaceCheck(columns[k] >= 0 && columns[k] < rows, SOLACE_ERR_ARG,
                  "columns[%lld] = %lld is outside 0..%lld (row %lld)", (long long)k,
                  (long long)columns[k], (long long)rows - 1, (long long)i);
      SolaceCheck(isfinite(values[k]), SOLACE_ERR_ARG, "values[%lld] = %g is not finite",
                  (long long)k, values[k]);
    }
  }
  return SOLACE_SUCCESS;
}

/* Checks the grid against rows and, with a network, against its architecture. */
static int check_grid(const char *weights, int ndim, const int64_t *grid, int64_t rows) {
  SolaceCheck(ndim == 2 || ndim == 3, SOLACE_ERR_ARG, "ndim = %d (need 2 or 3)", ndim);
  int64_t cells = grid[0] * grid[1] * (ndim == 3 ? grid[2] : 1);
  for (int a = 0; a < ndim; a++)
    SolaceCheck(grid[a] >= 1, SOLACE_ERR_ARG, "grid[%d] = %lld (need >= 1)", a, (long long)grid[a]);
  SolaceCheck(cells == rows, SOLACE_ERR_ARG, "the grid has %lld cells but rows = %lld",
              (long long)cells, (long long)rows);
  if (!weights || !*weights) return SOLACE_SUCCESS;
  solace_dcdm_arch arch;
  solace_nn_net net = NULL;
  SolaceCall(solace_dcdm_net_load_for_grid(weights, ndim, grid, 0, &arch, &net));
  solace_nn_net_destroy(&net);
  SolaceCheck(arch.ndim == ndim, SOLACE_ERR_ARG, "the network of '%s' is %d-D, the grid %d-D",
              weights, arch.ndim, ndim);
  if (arch.tied) SolaceCall(solace_dcdm_grid_levels(ndim, grid, &arch.levels));
  int64_t unit = (int64_t)1 << arch.levels;
  for (int a = 0; a < ndim; a++)
    SolaceCheck(grid[a] % unit == 0, SOLACE_ERR_ARG,
                "grid[%d] = %lld is not divisible by %lld (the network of '%s' pools by 2 %d "
                "time(s))",
                a, (long long)grid[a], (long long)unit, weights, arch.levels);
  return SOLACE_SUCCESS;
}

/* A sequential AIJ matrix from checked CSR arrays. */
static PetscErrorCode csr_to_mat(int64_t rows, const int64_t *row_start, const int64_t *columns,
                                 const double *values, Mat *A) {
  PetscInt *nnz, *cols;
  PetscInt longest = 0;
  PetscFunctionBegin;
  PetscCall(PetscMalloc1(rows, &nnz));
  for (int64_t i = 0; i < rows; i++) {
    nnz[i] = (PetscInt)(row_start[i + 1] - row_start[i]);
    longest = PetscMax(longest, nnz[i]);
  }
  PetscCall(MatCreateSeqAIJ(PETSC_COMM_SELF, (PetscInt)rows, (PetscInt)rows, 0, nnz, A));
  PetscCall(PetscMalloc1(longest + 1, &cols));
  for (PetscInt i = 0; i < (PetscInt)rows; i++) {
    for (PetscInt k = 0; k < nnz[i]; k++) cols[k] = (PetscInt)columns[row_start[i] + k];
    PetscCall(MatSetValues(*A, 1, &i, nnz[i], cols, values + row_start[i], ADD_VALUES));
  }
  PetscCall(PetscFree(cols));
  PetscCall(PetscFree(nnz));
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* The solver options of solace_dcdm_solve_csr_opts. */
typedef struct {
  int64_t directions;    /* -directions k >= 1 (default 2) */
  int64_t deflate_block; /* -deflate_block b >= 0 (default -1: the weights file's, else none) */
  int64_t max_levels;    /* -max_levels L >= 0 (default 0: the file's cap) */
} csr_solve_options;

/* Reads "-name value" pairs of `options` into o; unknown names and malformed or out-of-range
 * values are SOLACE_ERR_ARG. */
static int parse_solve_options(const char *options, csr_solve_options *o) {
  static const char *const names[] = {"-directions", "-deflate_block", "-max_levels"};
  static const int64_t least[] = {1, 0, 0};
  int64_t *fields[] = {&o->directions, &o->deflate_block, &o->max_levels};
  *o = (csr_solve_options){2, -1, 0};
  const char *p = options;
  for (;;) {
    while (isspace((unsigned char)*p)) p++;
    if (!*p) return SOLACE_SUCCESS;
    size_t len = strcspn(p, " \t\n"), k = 0;
    while (k < 3 && (strlen(names[k]) != len || strncmp(p, names[k], len))) k++;
    SolaceCheck(k < 3, SOLACE_ERR_ARG,
                "unknown solver option '%.*s' in '%s' (known: -directions, -deflate_block, "
                "-max_levels)",
                (int)len, p, options);
    p += len;
    char *end;
    long long value = strtoll(p, &end, 10);
    SolaceCheck(end != p && (!*end || isspace((unsigned char)*end)) && value >= least[k] &&
                    value <= INT32_MAX,
                SOLACE_ERR_ARG, "solver option %s needs an integer %lld..%d in '%s'", names[k],
                (long long)least[k], INT32_MAX, options);
    *fields[k] = value;
    p = end;
  }
}

/* The dcdm KSP for A (without reading the options database). */
PetscErrorCode SolaceDCDMCreateKSP(Mat A, const char *weights, int ndim, const int64_t *grid,
                                   double rtol, int64_t max_it, KSP *ksp) {
  PetscFunctionBegin;
  PetscCall(KSPCreate(PETSC_COMM_SELF, ksp));
  PetscCall(KSPSetType(*ksp, SOLACE_KSPDCDM));
  PetscCall(KSPSetOperators(*ksp, A, A));
  PetscCall(SolaceKSPDCDMSetWeights(*ksp, weights && *weights ? weights : NULL));
  PetscCall(SolaceKSPDCDMSetGrid(*ksp, (PetscInt)grid[0], (PetscInt)grid[1],
                                 ndim == 3 ? (PetscInt)grid[2] : 0));
  PetscCall(KSPSetTolerances(*ksp, rtol, 0.0, PETSC_DEFAULT, (PetscInt)max_it));
  PetscCall(KSPSetNormType(*ksp, KSP_NORM_UNPRECONDITIONED));
  PetscFunctionReturn(0);
}

/* Applies the options of solace_dcdm_solve_csr_opts to a dcdm KSP. */
static PetscErrorCode apply_solve_options(KSP ksp, const csr_solve_options *o) {
  PetscFunctionBegin;
  PetscCall(SolaceKSPDCDMSetDirections(ksp, (PetscInt)o->directions));
  if (o->deflate_block >= 0)
    PetscCall(SolaceKSPDCDMSetDeflationBlock(ksp, (PetscInt)o->deflate_block));
  PetscCall(SolaceKSPDCDMSetMaxLevels(ksp, (PetscInt)o->max_levels));
  PetscFunctionReturn(0);
}

/* ||b - A x|| / ||b|| (||b - A x|| when b = 0), computed afresh. */
PetscErrorCode SolaceDCDMRelativeResidual(Mat A, Vec b, Vec x, double *residual) {
  Vec r;
  PetscReal rn, bn;
  PetscFunctionBegin;
  PetscCall(VecDuplicate(b, &r));
  PetscCall(MatMult(A, x, r));
  PetscCall(VecAYPX(r, -1.0, b));
  PetscCall(VecNorm(r, NORM_2, &rn));
  PetscCall(VecNorm(b, NORM_2, &bn));
  PetscCall(VecDestroy(&r));
  *residual = bn > 0.0 ? rn / bn : rn;
  PetscFunctionReturn(0);
}

typedef struct {
  Mat A;
  Vec b, x;
  KSP ksp;
} csr_solve;

static void csr_solve_release(csr_solve *s) {
  KSPDestroy(&s->ksp);
  VecDestroy(&s->b);
  VecDestroy(&s->x);
  MatDestroy(&s->A);
}

static int run_solve(const csr_solve_options *o, const char *weights, int ndim, const int64_t *grid,
                     int64_t rows, const int64_t *row_start, const int64_t *columns,
                     const double *values, const double *b, double *x, double rtol, int64_t max_it,
                     csr_solve *s, int64_t *iterations) {
  SolacePetscCall(csr_to_mat(rows, row_start, columns, values, &s->A));
  SolacePetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)rows, b, &s->b));
  SolacePetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)rows, x, &s->x));
  SolacePetscCall(SolaceDCDMCreateKSP(s->A, weights, ndim, grid, rtol, max_it, &s->ksp));
  SolacePetscCall(apply_solve_options(s->ksp, o));
  SolacePetscCall(VecZeroEntries(s->x));
  SolacePetscCall(KSPSolve(s->ksp, s->b, s->x));
  KSPConvergedReason reason;
  PetscInt its;
  SolacePetscCall(KSPGetConvergedReason(s->ksp, &reason));
  SolacePetscCall(KSPGetIterationNumber(s->ksp, &its));
  *iterations = its;
  SolaceCheck(reason > 0, SOLACE_ERR_NOT_CONVERGED,
              "DCDM stopped after %lld iterations short of rtol %g: %s", (long long)its, rtol,
              KSPConvergedReasons[reason]);
  return SOLACE_SUCCESS;
}

int solace_dcdm_solve_csr(const char *weights, int ndim, const int64_t *grid, int64_t rows,
                          const int64_t *row_start, const int64_t *columns, const double *values,
                          const double *b, double *x, double rtol, int64_t max_it,
                          int64_t *iterations, double *residual) {
  return solace_dcdm_solve_csr_opts("", weights, ndim, grid, rows, row_start, columns, values, b, x,
                                    rtol, max_it, iterations, residual);
}

int solace_dcdm_solve_csr_opts(const char *options, const char *weights, int ndim,
                               const int64_t *grid, int64_t rows, const int64_t *row_start,
                               const int64_t *columns, const double *values, const double *b,
                               double *x, double rtol, int64_t max_it, int64_t *iterations,
                               double *residual) {
  csr_solve_options o;
  SolaceCheckNotNull(options);
  SolaceCall(parse_solve_options(options, &o));
  SolaceCheckNotNull(grid);
  SolaceCheckNotNull(row_start);
  SolaceCheckNotNull(columns);
  SolaceCheckNotNull(values);
  SolaceCheckNotNull(b);
  SolaceCheckNotNull(x);
  SolaceCheck(rows >= 1 && rows <= INT32_MAX, SOLACE_ERR_ARG, "rows = %lld (need 1..%d)",
              (long long)rows, INT32_MAX);
  SolaceCheck(rtol > 0.0 && rtol < 1.0, SOLACE_ERR_ARG, "rtol = %g (need 0 < rtol < 1)", rtol);
  SolaceCheck(max_it >= 1 && max_it <= INT32_MAX, SOLACE_ERR_ARG, "max_it = %lld (need >= 1)",
              (long long)max_it);
  for (int64_t i = 0; i < rows; i++)
    SolaceCheck(isfinite(b[i]), SOLACE_ERR_ARG, "b[%lld] = %g is not finite", (long long)i, b[i]);
  SolaceCall(check_grid(weights, ndim, grid, rows));
  SolaceCall(check_csr(rows, row_start, columns, values));
  csr_solve s = {0};
  int64_t its = 0;
  double res = 0.0;
  int status = run_solve(&o, weights, ndim, grid, rows, row_start, columns, values, b, x, rtol,
                         max_it, &s, &its);
  int status_res = SOLACE_SUCCESS;
  if (s.x) SolacePetscCallGoto(status_res, done, SolaceDCDMRelativeResidual(s.A, s.b, s.x, &res));
done:
  csr_solve_release(&s);
  if (iterations) *iterations = its;
  if (residual) *residual = res;
  if (status) return solace_error_trace(status, __func__);
  return status_res;
}
