/* DCDM training: samples from Ritz vectors, the paper's loss and its gradient, Adam. */
#include "dcdm-train.h"

#include "operators/pde/obstacle.h"
#include "solace/rand.h"

#include <cblas.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LOSS_WINDOW = 20 };

int solace_dcdm_loss(Mat A, int64_t n, const double *b, const double *q, double *loss, double *grad,
                     double *work) {
  double *aq = work, *ar = work + n;
  SolaceCall(solace_dcdm_mat_apply(A, n, q, aq));
  double qb = cblas_ddot((int)n, q, 1, b, 1), qaq = cblas_ddot((int)n, q, 1, aq, 1);
  SolaceCheck(qaq > 0.0 && isfinite(qaq), SOLACE_ERR_ARG, "q.Aq = %g is not positive", qaq);
  double step = qb / qaq, sum = 0.0;
  for (int64_t i = 0; i < n; i++) {
    double r = b[i] - step * aq[i];
    sum += r * r;
    if (grad) grad[i] = r; /* keep r for the gradient */
  }
  *loss = sum;
  if (!grad) return SOLACE_SUCCESS;
  /* dL/dq = -2 (r.Aq) (b / qAq - 2 (q.b) Aq / qAq^2) - 2 (q.b / qAq) A r */
  double raq = cblas_ddot((int)n, grad, 1, aq, 1);
  SolaceCall(solace_dcdm_mat_apply(A, n, grad, ar));
  for (int64_t i = 0; i < n; i++)
    grad[i] = -2.0 * raq * (b[i] / qaq - 2.0 * qb * aq[i] / (qaq * qaq)) - 2.0 * step * ar[i];
  return SOLACE_SUCCESS;
}

void solace_dcdm_train_defaults(solace_dcdm_train_config *cfg) {
  *cfg = (solace_dcdm_train_config){.arch = {2, 16, 4, 6, 4, 1, 0, 0, 1, 0, 0, 0},
                                    .tied_depths = 1,
                                    .grid = 64,
                                    .obstacle = "empty",
                                    .obstacle_seed = 1,
                                    .operators = 1,
                                    .seed = 0,
                                    .lanczos = 1000,
                                    .low_fraction = 0.55,
                                    .low_weight = 9.0,
                                    .samples = 20000,
                                    .steps = 1000,
                                    .batch = 10,
                                    .lr = 1e-3,
                                    .checkpoint = 100,
                                    .max_seconds = 0.0,
                                    .progress = SOLACE_PROGRESS_AUTO,
                                    .validate_seed = 1000,
                                    .validate_rtol = 1e-6,
                                    .validate_max_it = 500};
}

/* ------------------------------------------------------------------------------------------ */
/* Options                                                                                    */

static PetscErrorCode get_int64(PetscOptions opts, const char *name, int64_t *value) {
  PetscInt v;
  PetscBool set;
  PetscFunctionBegin;
  PetscCall(PetscOptionsGetInt(opts, NULL, name, &v, &set));
  if (set) *value = v;
  PetscFunctionReturn(0);
}

static PetscErrorCode get_real(PetscOptions opts, const char *name, double *value) {
  PetscReal v;
  PetscBool set;
  PetscFunctionBegin;
  PetscCall(PetscOptionsGetReal(opts, NULL, name, &v, &set));
  if (set) *value = v;
  PetscFunctionReturn(0);
}

/* -validate_grid n1,n2,...: up to SOLACE_DCDM_MAX_VALIDATE sizes. */
static PetscErrorCode get_validate_grid(PetscOptions opts, solace_dcdm_train_config *c) {
  PetscInt sizes[SOLACE_DCDM_MAX_VALIDATE + 1], count = SOLACE_DCDM_MAX_VALIDATE + 1;
  PetscBool set;
  PetscFunctionBegin;
  PetscCall(PetscOptionsGetIntArray(opts, NULL, "-validate_grid", sizes, &count, &set));
  if (!set) PetscFunctionReturn(0);
  c->nvalidate = count;
  for (PetscInt k = 0; k < count && k < SOLACE_DCDM_MAX_VALIDATE; k++)
    c->validate_grid[k] = sizes[k];
  PetscFunctionReturn(0);
}

static PetscErrorCode read_options(PetscOptions opts, solace_dcdm_train_config *c) {
  int64_t ndim = c->arch.ndim, fine = c->arch.fine, coarse = c->arch.coarse, after = c->arch.after,
          levels = c->arch.levels, bias_free = c->arch.bias_free, tied = c->arch.tied,
          level_gain = c->arch.level_gain, linear_up = c->arch.linear_up,
          max_levels = c->arch.max_levels, seed = (int64_t)c->seed,
          oseed = (int64_t)c->obstacle_seed, progress = c->progress,
          vseed = (int64_t)c->validate_seed;
  PetscFunctionBegin;
  PetscCall(get_int64(opts, "-ndim", &ndim));
  PetscCall(get_int64(opts, "-channels", &c->arch.channels));
  PetscCall(get_int64(opts, "-fine", &fine));
  PetscCall(get_int64(opts, "-coarse", &coarse));
  PetscCall(get_int64(opts, "-after", &after));
  PetscCall(get_int64(opts, "-levels", &levels));
  PetscCall(get_int64(opts, "-bias_free", &bias_free));
  PetscCall(get_int64(opts, "-tied", &tied));
  PetscCall(get_int64(opts, "-level_gain", &level_gain));
  PetscCall(get_int64(opts, "-linear_up", &linear_up));
  PetscCall(get_int64(opts, "-max_levels", &max_levels));
  PetscCall(get_int64(opts, "-tied_depths", &c->tied_depths));
  PetscCall(PetscOptionsGetString(opts, NULL, "-init", c->init, sizeof c->init, NULL));
  PetscCall(get_int64(opts, "-grid", &c->grid));
  PetscCall(PetscOptionsGetString(opts, NULL, "-obstacle", c->obstacle, sizeof c->obstacle, NULL));
  PetscCall(get_int64(opts, "-obstacle_seed", &oseed));
  PetscCall(get_int64(opts, "-operators", &c->operators));
  PetscCall(get_int64(opts, "-seed", &seed));
  PetscCall(get_int64(opts, "-lanczos", &c->lanczos));
  PetscCall(get_real(opts, "-low_fraction", &c->low_fraction));
  PetscCall(get_real(opts, "-low_weight", &c->low_weight));
  PetscCall(get_int64(opts, "-samples", &c->samples));
  PetscCall(get_int64(opts, "-steps", &c->steps));
  PetscCall(get_int64(opts, "-batch", &c->batch));
  PetscCall(get_real(opts, "-lr", &c->lr));
  PetscCall(get_int64(opts, "-checkpoint", &c->checkpoint));
  PetscCall(get_real(opts, "-max_seconds", &c->max_seconds));
  PetscCall(get_int64(opts, "-progress", &progress));
  PetscCall(get_real(opts, "-lr_final", &c->lr_final));
  PetscCall(get_validate_grid(opts, c));
  PetscCall(get_int64(opts, "-validate_seed", &vseed));
  PetscCall(get_real(opts, "-validate_rtol", &c->validate_rtol));
  PetscCall(get_int64(opts, "-validate_max_it", &c->validate_max_it));
  PetscCall(get_int64(opts, "-deflate_block", &c->deflate_block));
  c->arch.ndim = (int)ndim, c->arch.fine = (int)fine, c->arch.coarse = (int)coarse;
  c->arch.after = (int)after, c->arch.levels = (int)levels, c->arch.bias_free = (int)bias_free;
  c->arch.tied = (int)tied, c->arch.level_gain = (int)level_gain;
  c->arch.linear_up = (int)linear_up, c->arch.max_levels = (int)max_levels;
  c->seed = (uint64_t)seed, c->obstacle_seed = (uint64_t)oseed, c->validate_seed = (uint64_t)vseed;
  c->progress = (int)progress;
  PetscFunctionReturn(0);
}

static const char *const option_names[] = {"ndim",          "channels",
                                           "fine",          "coarse",
                                           "after",         "levels",
                                           "grid",          "obstacle",
                                           "obstacle_seed", "operators",
                                           "seed",          "lanczos",
                                           "low_fraction",  "low_weight",
                                           "samples",       "steps",
                                           "batch",         "lr",
                                           "checkpoint",    "max_seconds",
                                           "progress",      "lr_final",
                                           "validate_grid", "validate_seed",
                                           "validate_rtol", "validate_max_it",
                                           "bias_free",     "init",
                                           "tied",          "level_gain",
                                           "tied_depths",   "linear_up",
                                           "max_levels",    "deflate_block"};

/* Fails naming the first word "-name" (name starting with a letter) that is no training option. */
static int check_names(const char *options) {
  const char *p = options;
  while ((p = strchr(p, '-'))) {
    size_t len = strcspn(p + 1, " \t\n");
    int known = !isalpha((unsigned char)p[1]) || (p > options && !isspace((unsigned char)p[-1]));
    for (size_t k = 0; !known && k < sizeof option_names / sizeof option_names[0]; k++)
      known = strlen(option_names[k]) == len && !strncmp(option_names[k], p + 1, len);
    SolaceCheck(known, SOLACE_ERR_ARG, "unknown training option '%.*s'", (int)len + 1, p);
    p += 1 + len;
  }
  return SOLACE_SUCCESS;
}

static int check_validation(const solace_dcdm_train_config *c) {
  SolaceCheck(c->nvalidate >= 0 && c->nvalidate <= SOLACE_DCDM_MAX_VALIDATE, SOLACE_ERR_ARG,
              "-validate_grid has %lld sizes (need at most %d)", (long long)c->nvalidate,
              SOLACE_DCDM_MAX_VALIDATE);
  /* a tied network takes the depth of each grid, so it needs even sizes only */
  int64_t unit = c->arch.tied ? 2 : (int64_t)1 << c->arch.levels;
  for (int64_t k = 0; k < c->nvalidate; k++)
    SolaceCheck(c->validate_grid[k] >= 4 && c->validate_grid[k] % unit == 0, SOLACE_ERR_ARG,
                "-validate_grid size %lld (need >= 4 and divisible by %lld%s)",
                (long long)c->validate_grid[k], (long long)unit, c->arch.tied ? "" : " = 2^levels");
  SolaceCheck(c->validate_rtol > 0.0 && c->validate_rtol < 1.0 && c->validate_max_it >= 1,
              SOLACE_ERR_ARG,
              "-validate_rtol %g -validate_max_it %lld (need 0 < rtol < 1, max_it >= 1)",
              c->validate_rtol, (long long)c->validate_max_it);
  SolaceCheck(c->nvalidate == 0 || c->checkpoint > 0, SOLACE_ERR_ARG,
              "-validate_grid needs -checkpoint > 0 (validation runs at every checkpoint)");
  return SOLACE_SUCCESS;
}

static int check_config(const solace_dcdm_train_config *c) {
  SolaceCheck(c->arch.ndim == 2 || c->arch.ndim == 3, SOLACE_ERR_ARG, "-ndim %d (need 2 or 3)",
              c->arch.ndim);
  SolaceCheck(c->arch.channels >= 1 && c->arch.fine >= 1 && c->arch.coarse >= 0 &&
                  c->arch.after >= 0,
              SOLACE_ERR_ARG, "bad architecture: channels %lld, fine %d, coarse %d, after %d",
              (long long)c->arch.channels, c->arch.fine, c->arch.coarse, c->arch.after);
  SolaceCheck(c->arch.levels >= 1 && c->arch.levels <= SOLACE_NN_DCDM_MAX_LEVELS, SOLACE_ERR_ARG,
              "-levels %d (need 1..%d)", c->arch.levels, SOLACE_NN_DCDM_MAX_LEVELS);
  SolaceCheck(c->arch.bias_free == 0 || c->arch.bias_free == 1, SOLACE_ERR_ARG,
              "-bias_free %d (need 0 or 1)", c->arch.bias_free);
  SolaceCheck(c->arch.tied == 0 || c->arch.tied == 1, SOLACE_ERR_ARG, "-tied %d (need 0 or 1)",
              c->arch.tied);
  SolaceCheck(c->arch.level_gain >= 1 && c->arch.level_gain <= 64, SOLACE_ERR_ARG,
              "-level_gain %d (need 1..64)", c->arch.level_gain);
  SolaceCheck(c->arch.linear_up == 0 || c->arch.linear_up == 1, SOLACE_ERR_ARG,
              "-linear_up %d (need 0 or 1)", c->arch.linear_up);
  SolaceCheck(c->arch.max_levels == 0 || (c->arch.tied && c->arch.max_levels >= c->arch.levels &&
                                          c->arch.max_levels <= SOLACE_NN_DCDM_MAX_LEVELS),
              SOLACE_ERR_ARG, "-max_levels %d (need 0, or with -tied 1 the training depth %d..%d)",
              c->arch.max_levels, c->arch.levels, SOLACE_NN_DCDM_MAX_LEVELS);
  SolaceCheck(c->tied_depths >= 1 && c->tied_depths <= c->arch.levels &&
                  (c->tied_depths == 1 || c->arch.tied),
              SOLACE_ERR_ARG,
              "-tied_depths %lld (need 1..levels = %d, and -tied 1 for more than 1)",
              (long long)c->tied_depths, c->arch.levels);
  int64_t unit = (int64_t)1 << c->arch.levels;
  SolaceCheck(c->grid >= 4 && c->grid % unit == 0, SOLACE_ERR_ARG,
              "-grid %lld (need >= 4 and divisible by 2^levels = %lld: the network pools by 2 "
              "-levels %d times)",
              (long long)c->grid, (long long)unit, c->arch.levels);
  SolaceCheck(c->operators >= 1 && c->operators <= 64, SOLACE_ERR_ARG,
              "-operators %lld (need 1..64)", (long long)c->operators);
  SolaceCheck(c->lanczos >= 1 && c->samples >= 1 && c->steps >= 0 && c->batch >= 1 &&
                  c->checkpoint >= 0,
              SOLACE_ERR_ARG,
              "-lanczos %lld -samples %lld -steps %lld -batch %lld -checkpoint %lld (need "
              "lanczos, samples, batch >= 1; steps, checkpoint >= 0)",
              (long long)c->lanczos, (long long)c->samples, (long long)c->steps,
              (long long)c->batch, (long long)c->checkpoint);
  SolaceCheck(c->lr > 0.0 && isfinite(c->lr) && c->low_fraction >= 0.0 && c->low_fraction <= 1.0 &&
                  c->low_weight > 0.0 && isfinite(c->low_weight) && c->max_seconds >= 0.0,
              SOLACE_ERR_ARG,
              "-lr %g -low_fraction %g -low_weight %g -max_seconds %g (need lr > 0, "
              "0 <= low_fraction <= 1, low_weight > 0, max_seconds >= 0)",
              c->lr, c->low_fraction, c->low_weight, c->max_seconds);
  SolaceCheck(c->deflate_block >= 0, SOLACE_ERR_ARG,
              "-deflate_block %lld (need >= 0; 0: no deflation)", (long long)c->deflate_block);
  SolaceCheck(c->lr_final >= 0.0 && isfinite(c->lr_final), SOLACE_ERR_ARG,
              "-lr_final %g (need >= 0; 0 keeps -lr constant)", c->lr_final);
  SolaceCall(check_validation(c));
  SolaceCheck(c->progress >= SOLACE_PROGRESS_AUTO && c->progress <= SOLACE_PROGRESS_SILENT,
              SOLACE_ERR_ARG, "-progress %d (need 0..3)", c->progress);
  return SOLACE_SUCCESS;
}

/* With -init: the architecture is the file's; an architecture option that contradicts it fails. */
static int arch_from_init(PetscOptions opts, solace_dcdm_train_config *c) {
  static const char *const names[] = {"-ndim",       "-channels",  "-fine",      "-coarse",
                                      "-after",      "-levels",    "-bias_free", "-tied",
                                      "-level_gain", "-linear_up", "-max_levels"};
  solace_dcdm_arch fa, *ca = &c->arch;
  solace_nn_net net = NULL;
  SolaceCall(solace_dcdm_net_load(c->init, &fa, &net));
  solace_nn_net_destroy(&net);
  int64_t mine[] = {ca->ndim,       ca->channels,  ca->fine,      ca->coarse,
                    ca->after,      ca->levels,    ca->bias_free, ca->tied,
                    ca->level_gain, ca->linear_up, ca->max_levels};
  int64_t file[] = {fa.ndim,      fa.channels, fa.fine,       fa.coarse,    fa.after,     fa.levels,
                    fa.bias_free, fa.tied,     fa.level_gain, fa.linear_up, fa.max_levels};
  PetscBool cap_set = PETSC_FALSE;
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    PetscBool set = PETSC_FALSE;
    if (fa.tied && !strcmp(names[k], "-levels")) continue; /* tied_levels() checks it */
    /* A tied network's depth cap shapes no parameter: an explicit -max_levels replaces it. */
    if (fa.tied && !strcmp(names[k], "-max_levels")) {
      if (PetscOptionsHasName(opts, NULL, names[k], &cap_set)) cap_set = PETSC_FALSE;
      continue;
    }
    if (PetscOptionsHasName(opts, NULL, names[k], &set)) set = PETSC_FALSE;
    SolaceCheck(!set || mine[k] == file[k], SOLACE_ERR_ARG,
                "%s %lld contradicts the -init file '%s' (%lld); the architecture comes from it",
                names[k], (long long)mine[k], c->init, (long long)file[k]);
  }
  int max_levels = ca->max_levels;
  *ca = fa;
  if (cap_set) ca->max_levels = max_levels;
  PetscBool block_set = PETSC_FALSE; /* without -deflate_block, train as the file was */
  if (PetscOptionsHasName(opts, NULL, "-deflate_block", &block_set)) block_set = PETSC_FALSE;
  if (!block_set) c->deflate_block = fa.deflate_block;
  return SOLACE_SUCCESS;
}

/* -tied 1: the depth follows the training grid; an explicit -levels must agree with it. */
static int tied_levels(PetscOptions opts, solace_dcdm_train_config *c) {
  int64_t grid[3] = {c->grid, c->grid, c->grid};
  int levels;
  PetscBool set = PETSC_FALSE;
  SolaceCheck(c->arch.ndim == 2 || c->arch.ndim == 3, SOLACE_ERR_ARG, "-ndim %d (need 2 or 3)",
              c->arch.ndim);
  SolaceCall(solace_dcdm_grid_levels(c->arch.ndim, grid, &levels));
  if (PetscOptionsHasName(opts, NULL, "-levels", &set)) set = PETSC_FALSE;
  SolaceCheck(!set || c->arch.levels == levels, SOLACE_ERR_ARG,
              "-levels %d contradicts -tied 1, whose depth follows the grid (-grid %lld: %d "
              "levels); drop -levels",
              c->arch.levels, (long long)c->grid, levels);
  c->arch.levels = levels;
  return SOLACE_SUCCESS;
}

int solace_dcdm_train_parse(const char *options, solace_dcdm_train_config *cfg) {
  SolaceCheckNotNull(options);
  SolaceCheckNotNull(cfg);
  SolaceCall(check_names(options));
  PetscOptions opts = NULL;
  int status = SOLACE_SUCCESS;
  SolacePetscCall(PetscOptionsCreate(&opts));
  SolacePetscCallGoto(status, done, PetscOptionsInsertString(opts, options));
  if (read_options(opts, cfg)) {
    status = solace_error_set(SOLACE_ERR_ARG, __func__, "malformed training options '%s'", options);
    goto done;
  }
  if (strlen(cfg->init) + 1 >= sizeof cfg->init) {
    status = solace_error_set(SOLACE_ERR_ARG, __func__, "-init path longer than %zu characters",
                              sizeof cfg->init - 2);
    goto done;
  }
  if (cfg->init[0]) SolaceCallGoto(status, done, arch_from_init(opts, cfg));
  if (cfg->arch.tied == 1) SolaceCallGoto(status, done, tied_levels(opts, cfg));
  SolaceCallGoto(status, done, check_config(cfg));
done:
  PetscOptionsDestroy(&opts);
  return status;
}

/* ------------------------------------------------------------------------------------------ */
/* Training data                                                                              */

typedef struct {
  solace_obstacle ob;
  solace_dcdm_ritz ritz;
  double *weight;                  /* per Ritz vector: low_weight for the lowest low_fraction,
                                      else 1 */
  solace_dcdm_deflation deflation; /* -deflate_block: its deflation space (block 0: none) */
} training_operator;

typedef struct {
  int64_t count;         /* operators */
  training_operator *op; /* operator j: obstacle seed obstacle_seed + j */
  double *coef;          /* the Ritz coefficients of one sample */
} training_data;

static void data_release(training_data *d) {
  for (int64_t j = 0; j < d->count && d->op; j++) {
    solace_obstacle_destroy(&d->op[j].ob);
    solace_dcdm_ritz_release(&d->op[j].ritz);
    free(d->op[j].weight);
    SolaceDCDMDeflationDestroy(&d->op[j].deflation);
  }
  free(d->op);
  free(d->coef);
}

/* The Lanczos start of operator j: normals on the fluid cells (stream 0 of seed + j). */
static int lanczos(const solace_dcdm_train_config *c, int64_t j, training_operator *op) {
  double *start;
  int64_t n = op->ob->cells, fluid = n - op->ob->nsolid;
  SolaceCall(SolaceCalloc(n, &start));
  int status = solace_rand_normal(c->seed + (uint64_t)j, 0, 0, n, start);
  for (int64_t i = 0; i < n; i++)
    if (op->ob->solid[i]) start[i] = 0.0;
  if (!status)
    status =
        solace_dcdm_lanczos(op->ob->A, c->lanczos < fluid ? c->lanczos : fluid, start, &op->ritz);
  free(start);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* -deflate_block: the operator's deflation space (as the dcdm KSP builds it). */
static PetscErrorCode deflation_create(const solace_dcdm_train_config *c, training_operator *op) {
  PetscInt grid[3] = {c->grid, c->grid, c->arch.ndim == 3 ? c->grid : 1};
  PetscBool *solid;
  PetscFunctionBegin;
  if (!c->deflate_block) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(op->ob->cells, &solid));
  for (int64_t i = 0; i < op->ob->cells; i++)
    solid[i] = op->ob->solid[i] ? PETSC_TRUE : PETSC_FALSE;
  PetscErrorCode status = SolaceDCDMDeflationBuild(op->ob->A, grid, NULL, solid, c->deflate_block,
                                                   NULL, &op->deflation);
  PetscCall(PetscFree(solid));
  PetscCall(status);
  PetscFunctionReturn(0);
}

int solace_dcdm_deflate_array(Mat A, solace_dcdm_deflation *df, int transpose, int64_t n,
                              double *v) {
  Vec u;
  if (!df || !df->Z) return SOLACE_SUCCESS;
  SolacePetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)n, v, &u));
  int status = SOLACE_SUCCESS;
  if (transpose)
    SolacePetscCallGoto(status, done, SolaceDCDMDeflationProjectTranspose(df, A, u));
  else
    SolacePetscCallGoto(status, done, SolaceDCDMDeflationProject(df, A, u));
done:
  VecDestroy(&u);
  return status;
}

int solace_dcdm_loss_deflated(Mat A, solace_dcdm_deflation *df, int64_t n, const double *b,
                              double *q, double *loss, double *grad, double *work) {
  SolaceCall(solace_dcdm_deflate_array(A, df, 0, n, q));
  SolaceCall(solace_dcdm_loss(A, n, b, q, loss, grad, work));
  if (grad) SolaceCall(solace_dcdm_deflate_array(A, df, 1, n, grad));
  return SOLACE_SUCCESS;
}

static int operator_create(const solace_dcdm_train_config *c, int64_t j, training_operator *op) {
  SolaceCall(solace_obstacle_create(c->arch.ndim, c->grid, c->obstacle,
                                    c->obstacle_seed + (uint64_t)j, &op->ob));
  SolaceCall(lanczos(c, j, op));
  SolacePetscCall(deflation_create(c, op));
  int64_t m = op->ritz.m, low = (int64_t)ceil(c->low_fraction * (double)m);
  SolaceCall(SolaceCalloc(m, &op->weight));
  for (int64_t i = 0; i < m; i++) op->weight[i] = i < low ? c->low_weight : 1.0;
  return SOLACE_SUCCESS;
}

static int data_create(const solace_dcdm_train_config *c, training_data *d) {
  SolaceCall(SolaceCalloc(c->operators, &d->op));
  d->count = c->operators;
  for (int64_t j = 0; j < d->count; j++) SolaceCall(operator_create(c, j, &d->op[j]));
  SolaceCall(SolaceCalloc(c->lanczos, &d->coef));
  return SOLACE_SUCCESS;
}

/* Sample `index` comes from operator index % count: b = sum_i w_i c_i v_i, c_i ~ N(0, 1)
 * (stream 1 + index of the seed), with -deflate_block the coarse-corrected residual P^T b (what
 * deflated DCDM feeds the network), unit norm. */
static int data_sample(const solace_dcdm_train_config *c, training_data *d, int64_t index,
                       double *b) {
  training_operator *op = &d->op[index % d->count];
  int64_t n = op->ritz.n, m = op->ritz.m;
  SolaceCall(solace_rand_normal(c->seed, 1 + (uint64_t)index, 0, m, d->coef));
  for (int64_t i = 0; i < m; i++) d->coef[i] *= op->weight[i];
  cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)m, 1.0, op->ritz.vectors, (int)n, d->coef,
              1, 0.0, b, 1);
  SolaceCall(solace_dcdm_deflate_array(op->ob->A, &op->deflation, 1, n, b));
  double norm = cblas_dnrm2((int)n, b, 1);
  SolaceCheck(norm > 0.0, SOLACE_ERR_STATE, "training sample %lld vanishes", (long long)index);
  cblas_dscal((int)n, 1.0 / norm, b, 1);
  return SOLACE_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* The training loop                                                                          */

typedef struct {
  solace_nn_net net;                                /* the trained network (depth levels) */
  solace_nn_net shallow[SOLACE_NN_DCDM_MAX_LEVELS]; /* -tied_depths: depth levels - 1 - k,
                                                       tied to net */
  solace_nn_adam adam;
  solace_nn_tensor *x, *dy;
  double *work;
  solace_progress progress;
  solace_dcdm_validation validation; /* held-out problems (count 0: none) */
  char *latest;                      /* with validation: path.latest, the latest state */
} trainer;

/* Moves the weight blocks to the front of `blocks` and returns their number. */
static int drop_biases(int nblocks, solace_nn_param **blocks) {
  int kept = 0;
  for (int k = 0; k < nblocks; k++)
    if (strcmp(blocks[k]->name, "bias")) blocks[kept++] = blocks[k];
  return kept;
}

static int trainer_create(const solace_dcdm_train_config *c, int64_t n, const char *path,
                          trainer *t) {
  int64_t dims[3] = {c->grid, c->grid, c->grid};
  int nblocks;
  solace_nn_param **blocks;
  SolaceCall(solace_dcdm_net_create(&c->arch, &t->net));
  SolaceCall(solace_nn_net_init(t->net, c->seed)); /* biases start at zero */
  if (c->init[0]) SolaceCall(solace_nn_net_load(t->net, c->init));
  for (int k = 0; k + 1 < c->tied_depths; k++) {
    solace_dcdm_arch shallow = c->arch;
    shallow.levels = c->arch.levels - 1 - k;
    SolaceCall(solace_dcdm_net_create(&shallow, &t->shallow[k]));
    SolaceCall(solace_nn_net_tie(t->shallow[k], t->net));
  }
  SolaceCall(solace_nn_net_params(t->net, &nblocks, &blocks));
  if (c->arch.bias_free) nblocks = drop_biases(nblocks, blocks); /* Adam never moves them */
  SolaceCall(solace_nn_adam_create(nblocks, blocks, c->lr, 0.9, 0.999, 1e-8, &t->adam));
  SolaceCall(solace_nn_tensor_create(c->arch.ndim, c->batch, 1, dims, &t->x));
  SolaceCall(solace_nn_tensor_create(c->arch.ndim, c->batch, 1, dims, &t->dy));
  SolaceCall(SolaceCalloc(2 * n, &t->work));
  SolaceCall(solace_dcdm_validation_create(c, &t->validation));
  if (c->nvalidate) {
    size_t len = strlen(path) + sizeof ".latest";
    SolaceCall(SolaceCalloc(len, &t->latest));
    snprintf(t->latest, len, "%s.latest", path);
  }
  SolaceCall(solace_progress_create("dcdm train", c->steps, 0, &t->progress));
  SolaceCall(solace_progress_set_mode(t->progress, c->progress, 10.0));
  return SOLACE_SUCCESS;
}

static void trainer_release(trainer *t) {
  for (int k = 0; k < SOLACE_NN_DCDM_MAX_LEVELS; k++) solace_nn_net_destroy(&t->shallow[k]);
  solace_nn_net_destroy(&t->net);
  solace_nn_adam_destroy(&t->adam);
  solace_nn_tensor_destroy(&t->x);
  solace_nn_tensor_destroy(&t->dy);
  free(t->work);
  solace_dcdm_validation_release(&t->validation);
  free(t->latest);
  solace_progress_destroy(&t->progress);
}

/* The rate of Adam step `step`: -lr, decaying exponentially to -lr_final at the last step. */
static double learning_rate(const solace_dcdm_train_config *c, int64_t step) {
  if (c->lr_final <= 0.0 || c->steps <= 1) return c->lr;
  return c->lr * pow(c->lr_final / c->lr, (double)step / (double)(c->steps - 1));
}

/* One Adam step on the batch of samples step * batch, ...; *loss gets its mean loss. */
static int train_step(const solace_dcdm_train_config *c, training_data *d, trainer *t, int64_t step,
                      double *loss) {
  int64_t n = d->op[0].ritz.n, nb = c->batch;
  const solace_nn_tensor *y;
  /* -tied_depths K: the steps cycle through depths levels, levels - 1, ..., levels - K + 1 */
  int64_t cycle = step % c->tied_depths;
  solace_nn_net net = cycle ? t->shallow[cycle - 1] : t->net;
  for (int64_t k = 0; k < nb; k++)
    SolaceCall(data_sample(c, d, (step * nb + k) % c->samples, t->x->data + k * n));
  SolaceCall(solace_nn_net_zero_grad(t->net));
  SolaceCall(solace_nn_net_forward(net, t->x, &y));
  *loss = 0.0;
  for (int64_t k = 0; k < nb; k++) {
    training_operator *op = &d->op[((step * nb + k) % c->samples) % d->count];
    solace_obstacle ob = op->ob;
    double *q = y->data + k * n, *g = t->dy->data + k * n, lk;
    for (int64_t i = 0; i < n; i++)
      if (ob->solid[i]) q[i] = 0.0; /* solid cells stay zero, as in the solver */
    /* the direction deflated DCDM takes is P q; dL/dq = P^T dL/d(P q) */
    SolaceCall(solace_dcdm_loss_deflated(ob->A, &op->deflation, n, t->x->data + k * n, q, &lk, g,
                                         t->work));
    for (int64_t i = 0; i < n; i++) g[i] = ob->solid[i] ? 0.0 : g[i] / (double)nb;
    *loss += lk / (double)nb;
  }
  SolaceCall(solace_nn_net_backward(net, t->dy, NULL));
  SolaceCall(solace_nn_adam_set_lr(t->adam, learning_rate(c, step)));
  SolaceCall(solace_nn_adam_step(t->adam));
  return SOLACE_SUCCESS;
}

static int save(const solace_dcdm_train_config *c, trainer *t, const char *path) {
  solace_dcdm_arch arch = c->arch;
  arch.deflate_block = (int)c->deflate_block; /* the solver's default for this network */
  SolaceCall(solace_dcdm_net_save(t->net, &arch, path));
  return SOLACE_SUCCESS;
}

/* Saves the state after `steps` steps. With validation: to path.latest, then scores it and
 * writes it to `path` too when it beats the best so far. */
static int checkpoint(const solace_dcdm_train_config *c, trainer *t, const char *path,
                      int64_t steps, solace_dcdm_train_result *res) {
  if (!c->nvalidate) return save(c, t, path);
  solace_dcdm_score score;
  SolaceCall(save(c, t, t->latest));
  SolaceCall(solace_dcdm_validation_run(&t->validation, c, t->latest, &score));
  int better = res->best_step < 0 || solace_dcdm_score_better(&score, &res->best);
  if (better) {
    SolaceCall(save(c, t, path));
    res->best = score, res->best_step = steps;
  }
  if (c->progress != SOLACE_PROGRESS_SILENT)
    fprintf(stderr,
            "dcdm train: step %lld: validation %lld iterations, %lld unconverged, worst residual "
            "%.2e%s\n",
            (long long)steps, (long long)score.iterations, (long long)score.unconverged,
            score.residual, better ? " (best so far)" : "");
  return SOLACE_SUCCESS;
}

static int train_loop(const solace_dcdm_train_config *c, training_data *d, trainer *t,
                      const char *path, solace_dcdm_train_result *res) {
  double window[LOSS_WINDOW], start = solace_wtime();
  char note[96];
  int64_t step;
  /* A run from -init scores its starting weights too, so it never keeps worse ones. */
  if (c->init[0] && c->nvalidate) SolaceCall(checkpoint(c, t, path, 0, res));
  for (step = 0; step < c->steps; step++) {
    if (c->max_seconds > 0.0 && solace_wtime() - start > c->max_seconds) break;
    double loss = 0.0;
    SolaceCall(train_step(c, d, t, step, &loss));
    SolaceCheck(isfinite(loss), SOLACE_ERR_NOT_CONVERGED, "training loss %g at step %lld", loss,
                (long long)step);
    window[step % LOSS_WINDOW] = loss;
    int64_t count = step + 1 < LOSS_WINDOW ? step + 1 : LOSS_WINDOW;
    double mean = 0.0;
    for (int64_t i = 0; i < count; i++) mean += window[i] / (double)count;
    if (step + 1 == count) res->first_loss = mean;
    res->last_loss = mean;
    snprintf(note, sizeof note, "loss %.4e", mean);
    SolaceCall(solace_progress_update(t->progress, step + 1, note));
    if (c->checkpoint && (step + 1) % c->checkpoint == 0)
      SolaceCall(checkpoint(c, t, path, step + 1, res));
  }
  SolaceCall(solace_progress_finish(t->progress));
  res->steps = step;
  int saved = (step > 0 && c->checkpoint && step % c->checkpoint == 0) ||
              (step == 0 && c->init[0] && c->nvalidate);
  if (!saved) SolaceCall(checkpoint(c, t, path, step, res));
  return SOLACE_SUCCESS;
}

int solace_dcdm_train_run(const solace_dcdm_train_config *cfg, const char *path,
                          solace_dcdm_train_result *result) {
  SolaceCheckNotNull(cfg);
  SolaceCheckNotNull(path);
  SolaceCheckNotNull(result);
  SolaceCall(check_config(cfg));
  *result = (solace_dcdm_train_result){.best_step = -1};
  training_data d = {0};
  trainer t = {0};
  double start = solace_wtime();
  int status = SOLACE_SUCCESS;
  SolaceCallGoto(status, done, data_create(cfg, &d));
  result->lanczos_time = solace_wtime() - start;
  result->ritz = d.op[0].ritz.m;
  SolaceCallGoto(status, done, trainer_create(cfg, d.op[0].ritz.n, path, &t));
  SolaceCallGoto(status, done, train_loop(cfg, &d, &t, path, result));
  result->seconds = solace_wtime() - start;
done:
  trainer_release(&t);
  data_release(&d);
  return status;
}
