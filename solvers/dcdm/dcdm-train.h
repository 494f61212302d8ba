/* DCDM training (Kaneda et al. 2023, section 3.3): Ritz vectors of the training operator by
 * Lanczos, spectrum-weighted random combinations of them as samples, the loss
 * ||b - (q.b / q.Aq) A q||^2 of q = f(b), Adam. Internal to the library. */
#ifndef SOLACE_DCDM_TRAIN_H
#define SOLACE_DCDM_TRAIN_H

#include "dcdm-impl.h"
#include "operators/pde/obstacle.h"

/* Ritz pairs: theta[0..m-1] ascending, vectors n x m column-major. */
typedef struct {
  int64_t n, m;
  double *theta, *vectors;
} solace_dcdm_ritz;

/* y = A x for arrays of the matrix size n (sequential Mat). */
SOLACE_INTERN int solace_dcdm_mat_apply(Mat A, int64_t n, const double *x, double *y);

/* Runs up to `steps` (1..n) Lanczos steps with full reorthogonalisation on the symmetric
 * sequential matrix A from `start` (n values, any nonzero norm) and writes the Ritz pairs
 * (fewer than `steps` if an invariant subspace is reached). Release with ..._ritz_release. */
SOLACE_INTERN int solace_dcdm_lanczos(Mat A, int64_t steps, const double *start,
                                      solace_dcdm_ritz *ritz);
SOLACE_INTERN void solace_dcdm_ritz_release(solace_dcdm_ritz *ritz);

/* The training loss of one sample, L = ||b - (q.b / q.Aq) A q||^2, and (grad not NULL) dL/dq.
 * work: 2 n values. q.Aq <= 0 is SOLACE_ERR_ARG. */
SOLACE_INTERN int solace_dcdm_loss(Mat A, int64_t n, const double *b, const double *q, double *loss,
                                   double *grad, double *work);

/* v = P v (transpose 0: v -= Z E^-1 Z^T A v) or P^T v (1: v -= A Z E^-1 Z^T v) for an array
 * of n values and the deflation space df of the sequential A; no-op for df NULL or empty. */
SOLACE_INTERN int solace_dcdm_deflate_array(Mat A, solace_dcdm_deflation *df, int transpose,
                                            int64_t n, double *v);

/* The loss of the direction deflated DCDM takes from q, L(P q) (solace_dcdm_loss), and (grad not
 * NULL) dL/dq = P^T dL/d(P q); q is overwritten with P q. df NULL or empty: solace_dcdm_loss. */
SOLACE_INTERN int solace_dcdm_loss_deflated(Mat A, solace_dcdm_deflation *df, int64_t n,
                                            const double *b, double *q, double *loss, double *grad,
                                            double *work);

enum { SOLACE_DCDM_MAX_VALIDATE = 4 };

/* What `solace-dcdm train` and solace_dcdm_train() read (defaults in brackets). */
typedef struct {
  solace_dcdm_arch arch;  /* -ndim [2] -channels [16] -fine [4] -coarse [6] -after [4]
                             -levels [1] -bias_free [0] -tied [0] (with -tied 1, levels follow
                             -grid) -level_gain [1] -linear_up [0] -max_levels [0: no cap];
                             with -init, those of its file */
  char init[1024];        /* -init: start from the weights of this DCDM file [none: seeded] */
  int64_t tied_depths;    /* -tied_depths K: with -tied 1, the Adam steps cycle through the
                             depths levels .. levels - K + 1 of the same parameters [1] */
  int64_t grid;           /* -grid: training cells per side [64] */
  char obstacle[16];      /* -obstacle: training operator's obstacles [empty] */
  uint64_t obstacle_seed; /* -obstacle_seed [1]: seed of operator 0 (operator j: + j) */
  int64_t operators;      /* -operators: training operators, samples alternate [1] */
  uint64_t seed;          /* -seed: network init, Lanczos start, samples [0] */
  int64_t lanczos;        /* -lanczos: Lanczos steps [1000, at most the fluid cells] */
  double low_fraction;    /* -low_fraction: share of the lowest Ritz values weighted [0.55] */
  double low_weight;      /* -low_weight: their weight [9] */
  int64_t samples;        /* -samples: size of the data set, reused cyclically [20000] */
  int64_t steps;          /* -steps: Adam steps [1000] */
  int64_t batch;          /* -batch [10] */
  double lr;              /* -lr [1e-3] */
  double lr_final;        /* -lr_final: rate at the last step, exponential decay from lr; 0: the
                             constant lr [0] */
  int64_t checkpoint;     /* -checkpoint: save every this many steps, 0: at the end [100] */
  double max_seconds;     /* -max_seconds: stop (and save) after this wall time, 0: never [0] */
  int progress;           /* -progress: solace_progress_mode [AUTO = 0] */
  int64_t validate_grid[SOLACE_DCDM_MAX_VALIDATE]; /* -validate_grid n1,n2,..: held-out
                                                      problems, cells per side [none] */
  int64_t nvalidate;                               /* how many (0: no validation) */
  uint64_t validate_seed;  /* -validate_seed: their obstacle and right-hand side seed [1000] */
  double validate_rtol;    /* -validate_rtol [1e-6] */
  int64_t validate_max_it; /* -validate_max_it [500] */
  int64_t deflate_block;   /* -deflate_block b: train for DCDM with subdomain deflation (blocks of
                              b cells): samples are coarse-corrected residuals P^T b, the loss
                              takes the deflated direction P f(b), validation deflates [0: no] */
} solace_dcdm_train_config;

/* A validation score: DCDM from x = 0 on every held-out problem. Lower is better: fewer
 * unconverged solves, then fewer iterations in all, then a smaller worst residual. */
typedef struct {
  int64_t unconverged; /* solves that missed validate_rtol within validate_max_it */
  int64_t iterations;  /* summed over the problems */
  double residual;     /* largest true relative residual reached */
} solace_dcdm_score;

/* The held-out problems of a training run: obstacle kind -obstacle at each -validate_grid size,
 * obstacle seed and right-hand side (index 0) from -validate_seed. */
typedef struct {
  int64_t count;
  solace_obstacle ob[SOLACE_DCDM_MAX_VALIDATE];
  double *b[SOLACE_DCDM_MAX_VALIDATE];
} solace_dcdm_validation;

/* Builds the held-out problems of cfg (count 0 when cfg has none). */
SOLACE_INTERN int solace_dcdm_validation_create(const solace_dcdm_train_config *cfg,
                                                solace_dcdm_validation *v);

/* Solves every held-out problem with the network of the weights file and scores it. */
SOLACE_INTERN int solace_dcdm_validation_run(const solace_dcdm_validation *v,
                                             const solace_dcdm_train_config *cfg,
                                             const char *weights, solace_dcdm_score *score);

/* 1 when a is a better score than b. */
SOLACE_INTERN int solace_dcdm_score_better(const solace_dcdm_score *a, const solace_dcdm_score *b);

SOLACE_INTERN void solace_dcdm_validation_release(solace_dcdm_validation *v);

/* Figures of a training run. */
typedef struct {
  int64_t steps;          /* Adam steps done */
  int64_t ritz;           /* Ritz vectors of operator 0 */
  double first_loss;      /* mean loss of the first min(steps, 20) steps */
  double last_loss;       /* mean loss of the last min(steps, 20) steps */
  double seconds;         /* wall time */
  double lanczos_time;    /* wall time of the Lanczos part */
  int64_t best_step;      /* with validation: the step of the checkpoint written to the path */
  solace_dcdm_score best; /* and its score */
} solace_dcdm_train_result;

/* Fills the defaults. */
SOLACE_INTERN void solace_dcdm_train_defaults(solace_dcdm_train_config *cfg);

/* Reads PETSc-style options ("-grid 32 -steps 200 ...") into cfg (unknown or malformed options
 * are SOLACE_ERR_ARG naming them). */
SOLACE_INTERN int solace_dcdm_train_parse(const char *options, solace_dcdm_train_config *cfg);

/* Trains a network and writes the DCDM weights file `path` (atomically; also at checkpoints).
 * With validation, `path` holds the checkpoint of the best score and `path`.latest the latest
 * state. */
SOLACE_INTERN int solace_dcdm_train_run(const solace_dcdm_train_config *cfg, const char *path,
                                        solace_dcdm_train_result *result);

#endif
