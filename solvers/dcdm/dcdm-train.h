/* DCDM training (Kaneda et al. 2023, section 3.3): Ritz vectors of the training operator by
 * Lanczos, spectrum-weighted random combinations of them as samples, the loss
 * ||b - (q.b / q.Aq) A q||^2 of q = f(b), Adam. Internal to the library. */
#ifndef SOLACE_DCDM_TRAIN_H
#define SOLACE_DCDM_TRAIN_H

#include "dcdm-impl.h"

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

/* What `solace-dcdm train` and solace_dcdm_train() read (defaults in brackets). */
typedef struct {
  solace_dcdm_arch arch;  /* -ndim [2] -channels [16] -fine [4] -coarse [6] -after [4]
                             -levels [1] */
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
  int64_t checkpoint;     /* -checkpoint: save every this many steps, 0: at the end [100] */
  double max_seconds;     /* -max_seconds: stop (and save) after this wall time, 0: never [0] */
  int progress;           /* -progress: solace_progress_mode [AUTO = 0] */
} solace_dcdm_train_config;

/* Figures of a training run. */
typedef struct {
  int64_t steps;       /* Adam steps done */
  int64_t ritz;        /* Ritz vectors of operator 0 */
  double first_loss;   /* mean loss of the first min(steps, 20) steps */
  double last_loss;    /* mean loss of the last min(steps, 20) steps */
  double seconds;      /* wall time */
  double lanczos_time; /* wall time of the Lanczos part */
} solace_dcdm_train_result;

/* Fills the defaults. */
SOLACE_INTERN void solace_dcdm_train_defaults(solace_dcdm_train_config *cfg);

/* Reads PETSc-style options ("-grid 32 -steps 200 ...") into cfg (unknown or malformed options
 * are SOLACE_ERR_ARG naming them). */
SOLACE_INTERN int solace_dcdm_train_parse(const char *options, solace_dcdm_train_config *cfg);

/* Trains a network and writes the DCDM weights file `path` (atomically; also at checkpoints). */
SOLACE_INTERN int solace_dcdm_train_run(const solace_dcdm_train_config *cfg, const char *path,
                                        solace_dcdm_train_result *result);

#endif
