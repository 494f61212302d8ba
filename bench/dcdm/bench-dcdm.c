/* bench-dcdm: DCDM with the shipped weights against CG, ICC(0)-PCG and deflated PCG (PETSc's
 * PCDEFLATION: the 16 lowest Ritz vectors of a 128-step Lanczos; its additional PC is
 * PETSc's default, none) on the obstacle
 * pressure-Poisson problems (blobs, held-out obstacle seed 101), one process. Every solver starts
 * from x = 0 and stops on the TRUE relative residual ||b - A x|| / ||b|| <= 1e-6; a monitor
 * notes the iteration and time where it first reaches 1e-4. Prints iterations, seconds, ratios
 * against ICC-PCG and the final true residual.
 *
 * With -deflate_block b > 0 (default 8) three more rows use subdomain deflation with blocks of
 * b^ndim cells (one coarse vector per block: the indicator of its fluid cells): bdefl-cg and
 * bdefl-icc are PETSc's CG with PCDEFLATION on that space (additional PC none, and ICC(0) with
 * the coarse correction, P M^-1 + Q, the robust A-DEF2 form of Tang et al. 2009), and
 * bdefl-dcdm is the dcdm KSP with -ksp_dcdm_deflate_block b. Their ratios are against bdefl-icc.
 *
 *   bench-dcdm [-quick] [-sizes2d 64,128,256,512] [-sizes3d 32,64,128] [-reps R]
 *              [-weights2d FILE] [-weights3d FILE] [-dcdm_max_cells N]
 *              [-defl_max_cells N] [-dcdm_max_it N] [-deflate_block b] [-methods m1,m2,...]
 *              [-ksp_dcdm_max_levels L]
 *
 * -methods runs only the methods named (default: all); the ratios need their reference row.
 * DCDM runs only on problems of at most -dcdm_max_cells cells (default 40000: 64^2, 128^2 and
 * 32^3; on this CPU one DCDM iteration at 256^2 costs over a second), deflated CG on at most
 * -defl_max_cells (default 70000: up to 256^2 and 32^3; PETSc 3.18's PCDEFLATION applications
 * cost tens of milliseconds here). CG and ICC-PCG run at every size. -dcdm_max_it (default
 * 100000) stops DCDM early; such a row ends its residual with '!', and an its@1e-4 of -1 means
 * 1e-4 was not reached. Options -ksp_dcdm_* go to the dcdm KSP (-ksp_dcdm_max_levels caps the
 * depth of a tied network).
 */
#include "bench-util.h"

#include "operators/pde/obstacle.h"
#include "solace/petsc.h"
#include "solvers/dcdm/dcdm-train.h"

#include <petscksp.h>

#ifndef SOLACE_DCDM_DATA
#define SOLACE_DCDM_DATA "data/dcdm"
#endif

enum { METHODS = 7, MAX_SIZES = 8, DEFLATION_VECTORS = 16, DEFLATION_LANCZOS = 128 };
enum { CG, ICC, RITZ_DEFL, DCDM, BLOCK_CG, BLOCK_ICC, BLOCK_DCDM };
static const char *const method_names[METHODS] = {"cg",       "icc-pcg",   "defl-pcg",  "dcdm",
                                                  "bdefl-cg", "bdefl-icc", "bdefl-dcdm"};
static const double LOOSE = 1e-4, TIGHT = 1e-6;

typedef struct {
  double t0, bnorm;
  PetscInt its_loose;
  double time_loose;
} monitor_ctx;

typedef struct {
  PetscInt its[2];
  double seconds[2], residual, setup;
  int converged;
} outcome;

static PetscErrorCode note_loose(KSP ksp, PetscInt it, PetscReal rnorm, void *ctx) {
  monitor_ctx *m = ctx;
  (void)ksp;
  if (m->its_loose < 0 && rnorm <= LOOSE * m->bnorm)
    m->its_loose = it, m->time_loose = solace_wtime() - m->t0;
  return 0;
}

/* The deflation space: the lowest Ritz vectors of a short Lanczos run, as a dense Mat. */
static PetscErrorCode deflation_space(solace_obstacle ob, Mat *W) {
  solace_dcdm_ritz ritz;
  double *start, *w;
  PetscFunctionBegin;
  PetscCall(PetscMalloc1(ob->cells, &start));
  for (int64_t i = 0; i < ob->cells; i++) start[i] = ob->solid[i] ? 0.0 : 1.0 + 0.5 * sin(0.37 * i);
  PetscCheck(!solace_dcdm_lanczos(ob->A, DEFLATION_LANCZOS, start, &ritz), PETSC_COMM_SELF,
             PETSC_ERR_LIB, "Lanczos: %s", solace_error_message());
  PetscCall(MatCreateSeqDense(PETSC_COMM_SELF, (PetscInt)ob->cells, DEFLATION_VECTORS, NULL, W));
  PetscCall(MatDenseGetArray(*W, &w));
  memcpy(w, ritz.vectors, sizeof(double) * (size_t)(ob->cells * DEFLATION_VECTORS));
  PetscCall(MatDenseRestoreArray(*W, &w));
  /* PETSc 3.18's PCDEFLATION forms W^T A W with products that need an AIJ W */
  PetscCall(MatConvert(*W, MATSEQAIJ, MAT_INPLACE_MATRIX, W));
  solace_dcdm_ritz_release(&ritz);
  PetscCall(PetscFree(start));
  PetscFunctionReturn(0);
}

/* The subdomain deflation space of bdefl-cg and bdefl-icc: one column per block of b^ndim cells
 * holding fluid cells, the indicator of those cells (what -ksp_dcdm_deflate_block b builds). */
static PetscErrorCode block_space(solace_obstacle ob, PetscInt b, Mat *W) {
  PetscInt nb = (PetscInt)((ob->n + b - 1) / b), nblocks = ob->ndim == 3 ? nb * nb * nb : nb * nb;
  PetscInt *column, m = 0;
  PetscFunctionBegin;
  PetscCall(PetscMalloc1(nblocks, &column));
  for (PetscInt j = 0; j < nblocks; j++) column[j] = -1;
  PetscCall(MatCreateSeqAIJ(PETSC_COMM_SELF, (PetscInt)ob->cells, nblocks, 1, NULL, W));
  for (int64_t cell = 0; cell < ob->cells; cell++) {
    if (ob->solid[cell]) continue;
    int64_t i = cell % ob->n, j = (cell / ob->n) % ob->n, k = cell / (ob->n * ob->n);
    PetscInt block = (PetscInt)(i / b + nb * (j / b + nb * (k / b)));
    if (column[block] < 0) column[block] = m++;
    PetscCall(MatSetValue(*W, (PetscInt)cell, column[block], 1.0, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(*W, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*W, MAT_FINAL_ASSEMBLY));
  if (m < nblocks) { /* drop the columns of blocks without fluid cells */
    IS rows, cols;
    Mat Wm;
    PetscCall(ISCreateStride(PETSC_COMM_SELF, (PetscInt)ob->cells, 0, 1, &rows));
    PetscCall(ISCreateStride(PETSC_COMM_SELF, m, 0, 1, &cols));
    PetscCall(MatCreateSubMatrix(*W, rows, cols, MAT_INITIAL_MATRIX, &Wm));
    PetscCall(ISDestroy(&rows));
    PetscCall(ISDestroy(&cols));
    PetscCall(MatDestroy(W));
    *W = Wm;
  }
  PetscCall(PetscFree(column));
  PetscFunctionReturn(0);
}

static PetscErrorCode configure(KSP ksp, solace_obstacle ob, int method, const char *weights,
                                PetscInt dcdm_max_it, PetscInt block) {
  PC pc;
  Mat W = NULL;
  PetscFunctionBegin;
  PetscCall(KSPSetOperators(ksp, ob->A, ob->A));
  PetscCall(KSPGetPC(ksp, &pc));
  if (method == DCDM || method == BLOCK_DCDM) {
    PetscCall(KSPSetType(ksp, SOLACE_KSPDCDM));
    PetscCall(KSPSetDM(ksp, ob->da));
    PetscCall(KSPSetDMActive(ksp, PETSC_FALSE));
    PetscCall(SolaceKSPDCDMSetWeights(ksp, weights));
    PetscCall(KSPSetFromOptions(ksp)); /* -ksp_dcdm_* options, e.g. -ksp_dcdm_max_levels */
    PetscCall(SolaceKSPDCDMSetDeflationBlock(ksp, method == BLOCK_DCDM ? block : 0));
  } else {
    PetscCall(KSPSetType(ksp, KSPCG));
    PetscCall(PCSetType(pc, method == CG ? PCNONE : method == ICC ? PCICC : PCDEFLATION));
  }
  if (method == RITZ_DEFL) PetscCall(deflation_space(ob, &W));
  if (method == BLOCK_CG || method == BLOCK_ICC) PetscCall(block_space(ob, block, &W));
  if (W) {
    PetscCall(PCDeflationSetSpace(pc, W, PETSC_FALSE));
    PetscCall(MatDestroy(&W));
  }
  if (method == BLOCK_ICC) { /* the additional PC through PCDEFLATION's options */
    PetscCall(KSPSetOptionsPrefix(ksp, "bench_bicc_"));
    PetscCall(PetscOptionsSetValue(NULL, "-bench_bicc_deflation_pc_pc_type", "icc"));
    PetscCall(PetscOptionsSetValue(NULL, "-bench_bicc_pc_deflation_correction", "true"));
    PetscCall(PCSetFromOptions(pc));
  }
  PetscCall(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(ksp, TIGHT, 0.0, PETSC_DEFAULT,
                             method == DCDM || method == BLOCK_DCDM ? dcdm_max_it : 100000));
  PetscFunctionReturn(0);
}

static PetscErrorCode true_residual(Mat A, Vec b, Vec x, double *res) {
  Vec r;
  PetscReal rn, bn;
  PetscFunctionBegin;
  PetscCall(VecDuplicate(b, &r));
  PetscCall(MatMult(A, x, r));
  PetscCall(VecAYPX(r, -1.0, b));
  PetscCall(VecNorm(r, NORM_2, &rn));
  PetscCall(VecNorm(b, NORM_2, &bn));
  *res = rn / bn;
  PetscCall(VecDestroy(&r));
  PetscFunctionReturn(0);
}

/* One solve of one method; setup (factorisation, deflation space, network load) timed apart. */
static PetscErrorCode run(solace_obstacle ob, Vec b, int method, const char *weights,
                          PetscInt dcdm_max_it, PetscInt block, outcome *out) {
  KSP ksp;
  Vec x;
  monitor_ctx m = {0, 0, -1, 0};
  KSPConvergedReason reason;
  PetscFunctionBegin;
  PetscCall(VecDuplicate(b, &x));
  PetscCall(VecNorm(b, NORM_2, &m.bnorm));
  PetscCall(KSPCreate(PETSC_COMM_SELF, &ksp));
  double t = solace_wtime();
  PetscCall(configure(ksp, ob, method, weights, dcdm_max_it, block));
  PetscCall(KSPSetUp(ksp));
  out->setup = solace_wtime() - t;
  PetscCall(KSPMonitorSet(ksp, note_loose, &m, NULL));
  m.t0 = solace_wtime();
  PetscCall(KSPSolve(ksp, b, x));
  out->seconds[1] = solace_wtime() - m.t0;
  PetscCall(KSPGetIterationNumber(ksp, &out->its[1]));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  out->converged = reason > 0;
  out->its[0] = m.its_loose, out->seconds[0] = m.time_loose;
  PetscCall(true_residual(ob->A, b, x, &out->residual));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(VecDestroy(&x));
  PetscFunctionReturn(0);
}

typedef struct {
  int quick, reps, nsizes[2];
  int64_t dcdm_max_cells; /* DCDM is skipped on larger problems (too slow on CPUs) */
  int64_t defl_max_cells; /* so is deflated CG (its PETSc coarse solves are slow here) */
  int64_t dcdm_max_it;    /* DCDM's iteration limit (a solve stopped there is marked '!') */
  int64_t deflate_block;  /* subdomain deflation block size of the bdefl rows, 0: no such rows */
  int selected[METHODS];  /* -methods: 1 for the methods to run */
  int64_t sizes[2][MAX_SIZES];
  const char *weights[2];
} options;

static int parse_list(const char *text, int64_t *sizes, int *count) {
  char *end;
  *count = 0;
  while (*text && *count < MAX_SIZES) {
    sizes[(*count)++] = strtoll(text, &end, 10);
    if (end == text) return 1;
    text = *end == ',' ? end + 1 : end;
  }
  return 0;
}

/* -methods m1,m2,...: marks the methods named; 1 for an unknown name. */
static int parse_methods(const char *text, int selected[METHODS]) {
  for (int k = 0; k < METHODS; k++) selected[k] = 0;
  while (*text) {
    size_t len = strcspn(text, ",");
    int found = 0;
    for (int k = 0; k < METHODS; k++)
      if (strlen(method_names[k]) == len && !strncmp(text, method_names[k], len))
        selected[k] = found = 1;
    if (!found) return 1;
    text += len + (text[len] == ',');
  }
  return 0;
}

static int parse(int argc, char **argv, options *o) {
  *o = (options){.quick = 0,
                 .reps = 1,
                 .nsizes = {4, 3},
                 .dcdm_max_cells = 40000,
                 .defl_max_cells = 70000,
                 .dcdm_max_it = 100000,
                 .deflate_block = 8,
                 .sizes = {{64, 128, 256, 512}, {32, 64, 128}},
                 .weights = {SOLACE_DCDM_DATA "/dcdm-2d.h5", SOLACE_DCDM_DATA "/dcdm-3d.h5"}};
  for (int k = 0; k < METHODS; k++) o->selected[k] = 1;
  for (int i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : "";
    if (!strcmp(argv[i], "-quick")) {
      o->quick = 1, o->nsizes[0] = 1, o->nsizes[1] = 0, o->sizes[0][0] = 64;
      continue;
    }
    if (!strcmp(argv[i], "-sizes2d") && !parse_list(v, o->sizes[0], &o->nsizes[0]))
      i++;
    else if (!strcmp(argv[i], "-sizes3d") && !parse_list(v, o->sizes[1], &o->nsizes[1]))
      i++;
    else if (!strcmp(argv[i], "-reps") && atoi(v) >= 1)
      o->reps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-defl_max_cells") && *v)
      o->defl_max_cells = strtoll(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "-dcdm_max_cells") && *v)
      o->dcdm_max_cells = strtoll(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "-dcdm_max_it") && atoll(v) >= 1)
      o->dcdm_max_it = strtoll(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "-deflate_block") && atoll(v) >= 0 && *v)
      o->deflate_block = strtoll(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "-methods") && *v && !parse_methods(v, o->selected))
      i++;
    else if (!strcmp(argv[i], "-weights2d") && *v)
      o->weights[0] = argv[++i];
    else if (!strcmp(argv[i], "-weights3d") && *v)
      o->weights[1] = argv[++i];
    else if (!strncmp(argv[i], "-ksp_dcdm_", 10) && *v)
      i++; /* read by the dcdm KSP from the options database */
    else
      return fprintf(stderr, "bench-dcdm: bad option %s\n", argv[i]), 1;
  }
  return 0;
}

/* Runs every method reps times (alternating) and keeps the median times. */
static PetscErrorCode bench_case(solace_obstacle ob, Vec b, const char *weights, const options *o,
                                 const int enabled[METHODS], outcome res[METHODS]) {
  int reps = o->reps;
  double t[METHODS][2][16];
  PetscFunctionBegin;
  for (int rep = 0; rep < reps && rep < 16; rep++)
    for (int k = 0; k < METHODS; k++) {
      if (enabled[k] <= 0) continue;
      PetscCall(
          run(ob, b, k, weights, (PetscInt)o->dcdm_max_it, (PetscInt)o->deflate_block, &res[k]));
      t[k][0][rep] = res[k].seconds[0], t[k][1][rep] = res[k].seconds[1];
    }
  for (int k = 0; k < METHODS; k++)
    for (int j = 0; j < 2 && enabled[k] > 0; j++)
      res[k].seconds[j] = bench_median(t[k][j], reps < 16 ? reps : 16);
  PetscFunctionReturn(0);
}

static void print_case(int ndim, int64_t n, int64_t nsolid, const int enabled[METHODS],
                       const outcome res[METHODS]) {
  for (int k = 0; k < METHODS; k++) {
    if (enabled[k] < 0) continue; /* not selected, or no deflation block */
    if (!enabled[k]) {
      printf("%dD %4lld^%d %7lld | %-10s | skipped (above -%s_max_cells)\n", ndim, (long long)n,
             ndim, (long long)nsolid, method_names[k], k == RITZ_DEFL ? "defl" : "dcdm");
      continue;
    }
    int ref = k >= BLOCK_CG ? BLOCK_ICC : ICC;
    const outcome *r = &res[k], *icc = &res[ref];
    printf("%dD %4lld^%d %7lld | %-10s | %5lld %8.3f | %5lld %8.3f | %7.3f | %.1e%s", ndim,
           (long long)n, ndim, (long long)nsolid, method_names[k], (long long)r->its[0],
           r->seconds[0], (long long)r->its[1], r->seconds[1], r->setup, r->residual,
           r->converged ? "" : "!");
    if (enabled[ref] > 0)
      printf(" | %5.2f %6.2f | %5.2f %6.2f\n", (double)r->its[0] / (double)icc->its[0],
             r->seconds[0] / icc->seconds[0], (double)r->its[1] / (double)icc->its[1],
             r->seconds[1] / icc->seconds[1]);
    else
      printf(" | (no %s row)\n", method_names[ref]);
  }
  fflush(stdout);
}

static PetscErrorCode bench_size(int ndim, int64_t n, const char *weights, const options *o) {
  solace_obstacle ob;
  Vec b;
  double *bv;
  outcome res[METHODS];
  PetscFunctionBegin;
  memset(res, 0, sizeof res);
  PetscCheck(!solace_obstacle_create(ndim, n, "blobs", 101, &ob), PETSC_COMM_SELF, PETSC_ERR_LIB,
             "%s", solace_error_message());
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, (PetscInt)ob->cells, &b));
  PetscCall(VecGetArray(b, &bv));
  PetscCheck(!solace_obstacle_rhs(ob, 11, 0, bv), PETSC_COMM_SELF, PETSC_ERR_LIB, "%s",
             solace_error_message());
  PetscCall(VecRestoreArray(b, &bv));
  int block = o->deflate_block > 0 ? 1 : -1;
  int enabled[METHODS] = {1,
                          1,
                          ob->cells <= o->defl_max_cells,
                          ob->cells <= o->dcdm_max_cells,
                          block,
                          block,
                          block > 0 && ob->cells <= o->dcdm_max_cells};
  for (int k = 0; k < METHODS; k++)
    if (!o->selected[k]) enabled[k] = -1;
  PetscCall(bench_case(ob, b, weights, o, enabled, res));
  print_case(ndim, n, ob->nsolid, enabled, res);
  PetscCall(VecDestroy(&b));
  solace_obstacle_destroy(&ob);
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  options o;
  if (parse(argc, argv, &o)) return 2;
  int pargc = 1;
  char **pargv = argv;
  if (solace_initialize(&pargc, &pargv)) return fprintf(stderr, "%s\n", solace_error_message()), 1;
  for (int i = 1; i + 1 < argc; i++) /* the dcdm KSP's options, for KSPSetFromOptions */
    if (!strncmp(argv[i], "-ksp_dcdm_", 10) && PetscOptionsSetValue(NULL, argv[i], argv[i + 1]))
      return fprintf(stderr, "bench-dcdm: cannot set %s\n", argv[i]), 1;
  solace_set_blas_threads(1);
  bench_print_machine();
  printf("obstacles: blobs (seed 101, held out), rhs seed 11; x0 = 0; true relative residual; "
         "%d repetition(s), median times\n",
         o.reps);
  printf("case          solid | method     | its@1e-4  s@1e-4 | its@1e-6  s@1e-6 | setup s | "
         "residual | its/ref s/ref @1e-4 | its/ref s/ref @1e-6\n");
  printf("ref: icc-pcg, and bdefl-icc for the bdefl rows (subdomain deflation, blocks of %lld "
         "cells per side)\n",
         (long long)o.deflate_block);
  int status = 0;
  for (int d = 0; d < 2 && !status; d++)
    for (int i = 0; i < o.nsizes[d] && !status; i++)
      status = (int)bench_size(d + 2, o.sizes[d][i], o.weights[d], &o);
  if (status) {
    const char *text = NULL;
    PetscErrorMessage(status, &text, NULL);
    fprintf(stderr, "bench-dcdm failed: PETSc error %d (%s) %s\n", status, text ? text : "",
            solace_error_message());
  }
  solace_finalize();
  return status ? 1 : 0;
}
