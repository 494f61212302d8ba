/**
 * @file node.h
 * @brief Neural ODEs du/dt = f_theta(u, t) with adaptive explicit RK integration (SUNDIALS ARKODE,
 * Tsit5 by default) and training with the local error-estimate regularizer of Pal, Edelman &
 * Rackauckas (ICML 2023), the global one, or none.
 *
 * f_theta is an MLP on the state with time appended: widths (d + 1, hidden..., d), tanh or ReLU
 * between dense layers, a linear last layer; solace_node_set_time() appends t to the input of
 * every dense layer instead (the MNIST model of the paper). A classification model adds a linear
 * head d -> classes applied to u(t1). States cross the ABI as column-major d x n matrices (one
 * column per sample) with a leading dimension >= d; the batch is integrated as one ODE state.
 *
 * Typical use inside a simulation: solace_node_create_from_file(), solace_node_integrate() from the
 * current states, solace_node_get_nfe() for the cost. Training: solace_node_create(),
 * solace_node_set_training(), then solace_node_train_traj() (trajectories from arrays),
 * solace_node_train_file() (an HDF5 trajectory file) or solace_node_train_labels(), and
 * solace_node_save(). Weight files are Solace network files (docs/nn.md) with a /node group.
 */
#ifndef SOLACE_NODE_H
#define SOLACE_NODE_H

#include "solace/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque neural ODE: the vector field, an optional classifier head, solver and training setup. */
typedef struct solace_node_s *solace_node;

/** Explicit embedded RK methods of ERKStep. */
enum solace_node_method {
  SOLACE_NODE_TSIT5 = 0,  /**< Tsitouras 5(4), 7 stages, FSAL (the default) */
  SOLACE_NODE_DOPRI5 = 1, /**< Dormand-Prince 5(4), 7 stages, FSAL */
  SOLACE_NODE_ARKODE4 = 2 /**< ARKODE's default 4th-order ERK table (Zonneveld 5-3-4) */
};

/** Activations between the dense layers of f_theta. */
enum solace_node_activation {
  SOLACE_NODE_TANH = 0, /**< tanh */
  SOLACE_NODE_RELU = 1  /**< max(x, 0) */
};

/** Regularizers added to the task loss in training. */
enum solace_node_reg {
  SOLACE_NODE_REG_NONE = 0,     /**< the task loss alone */
  SOLACE_NODE_REG_UNBIASED = 1, /**< local: EEst h of one Tsit5 step at t1 ~ U(t0, T) */
  SOLACE_NODE_REG_BIASED = 2,   /**< local: t1 a uniformly drawn accepted step time */
  SOLACE_NODE_REG_GLOBAL = 3    /**< sum of EEst h over all accepted steps */
};

/** How training computes the task-loss gradient. */
enum solace_node_adjoint {
  SOLACE_NODE_ADJOINT_DISCRETE = 0, /**< reverse sweep over the recorded accepted steps (default) */
  SOLACE_NODE_ADJOINT_CVODES = 1    /**< CVODES continuous adjoint with checkpoints (long spans) */
};

/** The step size h of the local regularizer's fresh step at t1. */
enum solace_node_reg_step {
  SOLACE_NODE_REG_STEP_INITIAL = 0, /**< the automatic initial step there (the paper; default) */
  SOLACE_NODE_REG_STEP_SOLVER = 1   /**< the forward solve's accepted step size at t1 */
};

/** Where the time t enters f_theta. */
enum solace_node_time {
  SOLACE_NODE_TIME_INPUT = 0, /**< [u, t] at the input only: (d + 1) -> ... -> d (default) */
  SOLACE_NODE_TIME_LAYERS = 1 /**< t appended before every dense layer: (h + 1) -> ... */
};

/** Creates a neural ODE of state dimension d >= 1 with nhidden >= 1 hidden widths, seeded init. */
SOLACE_EXPORT int solace_node_create(int64_t d, int64_t nhidden, const int64_t *hidden,
                                     int activation, uint64_t seed, solace_node *node);

/** Creates a neural ODE from a weight file written by solace_node_save() (IO / FORMAT on error). */
SOLACE_EXPORT int solace_node_create_from_file(const char *path, solace_node *node);

/** Releases the neural ODE and sets *node to NULL; accepts NULL and a NULL handle. */
SOLACE_EXPORT int solace_node_destroy(solace_node *node);

/** Writes weights, architecture, head and solver settings to `path` (replaced atomically). */
SOLACE_EXPORT int solace_node_save(solace_node node, const char *path);

/** Writes the state dimension d and the number of classes (0 without a head). */
SOLACE_EXPORT int solace_node_get_sizes(solace_node node, int64_t *d, int64_t *classes);

/** Adds (or re-draws) a linear classifier head d -> classes >= 2, seeded. */
SOLACE_EXPORT int solace_node_set_classifier(solace_node node, int64_t classes, uint64_t seed);

/**
 * Chooses where t enters f_theta (a ::solace_node_time). Rebuilds the field with weights drawn
 * again from the creation seed (call it before training); saved with the weights.
 */
SOLACE_EXPORT int solace_node_set_time(solace_node node, int time);

/** Sets the relative and absolute tolerances (both > 0, finite; default 1e-6 and 1e-6). */
SOLACE_EXPORT int solace_node_set_tolerances(solace_node node, double rtol, double atol);

/** Chooses the RK method (a ::solace_node_method) and the step limit per solve (>= 1, default
 * 10000). */
SOLACE_EXPORT int solace_node_set_method(solace_node node, int method, int64_t max_steps);

/**
 * Integrates n >= 1 states u0 (d x n, column-major, leading dimension ldu0 >= d) from t0 and
 * writes the states at the ntimes increasing times (>= t0) into u: column k n + j (leading
 * dimension ldu >= d) is sample j at times[k]. Non-finite states are SOLACE_ERR_ARG.
 */
SOLACE_EXPORT int solace_node_integrate(solace_node node, int64_t n, const double *u0, int64_t ldu0,
                                        double t0, int64_t ntimes, const double *times, double *u,
                                        int64_t ldu);

/** Writes the f evaluations of the last integrate / classify / training step (incl. regularizer).
 */
SOLACE_EXPORT int solace_node_get_nfe(solace_node node, int64_t *nfe);

/**
 * Classifies n inputs x (d x n, column-major, ldx >= d): integrates from 0 to t1 > 0, applies the
 * head and writes the arg-max class (0-based) of each to labels[n]. Needs a classifier head.
 */
SOLACE_EXPORT int solace_node_classify(solace_node node, int64_t n, const double *x, int64_t ldx,
                                       double t1, int64_t *labels);

/**
 * Sets the training setup: regularizer (a ::solace_node_reg) with weight lambda(s) = lambda0
 * (lambda1 / lambda0)^(s / steps) (lambda0, lambda1 > 0 unless reg is NONE), Adam learning rate
 * lr > 0, minibatch size batch >= 1 and the seed of the minibatch and t1 draws.
 */
SOLACE_EXPORT int solace_node_set_training(solace_node node, int reg, double lambda0,
                                           double lambda1, double lr, int64_t batch, uint64_t seed);

/** Chooses the gradient method (a ::solace_node_adjoint); CVODES excludes the global regularizer.
 */
SOLACE_EXPORT int solace_node_set_adjoint(solace_node node, int adjoint);

/** Chooses the local regularizer's step size (a ::solace_node_reg_step). */
SOLACE_EXPORT int solace_node_set_reg_step(solace_node node, int step);

/**
 * Sets the number of t1 samples (1..64, default 1) of the local regularizer per training step:
 * R and its gradient are the mean over k fresh steps at k independently drawn t1 (8 f
 * evaluations each with the automatic step).
 */
SOLACE_EXPORT int solace_node_set_reg_samples(solace_node node, int64_t samples);

/**
 * Chooses the training outputs: history (loss, regularizer, NFE, seconds, accuracy per step) to
 * the HDF5 file `history` and the weights to `checkpoint` every `every` steps (NULL: none).
 */
SOLACE_EXPORT int solace_node_set_output(solace_node node, const char *history,
                                         const char *checkpoint, int64_t every);

/**
 * Trains on ntraj trajectories observed at ntimes >= 2 increasing times (times[0] is the initial
 * time): x is d x (ntimes ntraj) column-major with leading dimension ldx >= d, column k + j ntimes
 * being trajectory j at times[k]. Loss: mean squared error over times[1..]. Runs `steps` Adam
 * steps; *loss (may be NULL) receives the loss of the last step.
 */
SOLACE_EXPORT int solace_node_train_traj(solace_node node, int64_t ntraj, int64_t ntimes,
                                         const double *times, const double *x, int64_t ldx,
                                         int64_t steps, double *loss);

/** As solace_node_train_traj() with /trajectories/t and /trajectories/x of an HDF5 file. */
SOLACE_EXPORT int solace_node_train_file(solace_node node, const char *path, int64_t steps,
                                         double *loss);

/**
 * Trains a model with a classifier head on n inputs x (d x n, column-major, ldx >= d) with labels
 * in 0..classes-1, integrating from 0 to t1 > 0; loss: softmax cross-entropy of the head on u(t1).
 */
SOLACE_EXPORT int solace_node_train_labels(solace_node node, int64_t n, const double *x,
                                           int64_t ldx, const int64_t *labels, double t1,
                                           int64_t steps, double *loss);

/**
 * Writes trajectories in the layout of DESIGN.md: /trajectories/t [ntimes] and /trajectories/x
 * [ntraj, ntimes, d] (C order) from x, d x (ntimes ntraj) column-major (column k + j ntimes is
 * trajectory j at times[k]) with leading dimension ldx >= d. The file is replaced.
 */
SOLACE_EXPORT int solace_node_write_traj(const char *path, int64_t ntraj, int64_t ntimes,
                                         const double *times, int64_t d, const double *x,
                                         int64_t ldx);

/**
 * Spiral data du/dt = A u^3 (cube per component), A = [[-0.1, 2], [-2, -0.1]], by CVODE at rtol
 * 1e-10: trajectory 0 starts at (2, 0), the others at radius in [1.5, 2.5) and a uniform angle
 * (seeded). times[ntimes] receives the uniform grid of [0, tend]; x is 2 x (ntimes ntraj) with
 * leading dimension ldx >= 2, in the layout of solace_node_train_traj().
 */
SOLACE_EXPORT int solace_node_spiral_data(int64_t ntraj, int64_t ntimes, double tend, uint64_t seed,
                                          double *times, double *x, int64_t ldx);

/**
 * Reads up to max >= 1 Fashion-MNIST images of the training (test = 0) or test (test = 1) split
 * from the gzip idx files in `dir` (e.g. /usr/share/datasets/fashion-mnist): x is 784 x max
 * column-major (ldx >= 784), pixels scaled to [0, 1]; labels[max] in 0..9; *n the count read.
 * A missing file is SOLACE_ERR_IO, a malformed one SOLACE_ERR_FORMAT.
 */
SOLACE_EXPORT int solace_node_fashion_mnist(const char *dir, int test, int64_t max, double *x,
                                            int64_t ldx, int64_t *labels, int64_t *n);

#ifdef __cplusplus
}
#endif
#endif
