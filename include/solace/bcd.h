/**
 * @file bcd.h
 * @brief Block coordinate descent (BCD): greedy block rules, Newton blocks, message passing on
 * forest blocks, proximal BCD with active-set identification, working sets for the Lasso.
 *
 * Minimises F(x) = f(x) + g(x) over x in R^n, f smooth, g = 0, lambda ||x||_1 or
 * lambda sum(x) + indicator(x >= 0) (non-negative L1). Each iteration picks a block b of
 * coordinates (a partition rule and a selection rule) and updates x_b <- x_b + d (an update
 * rule). Problems (f):
 *  - least squares 1/2 ||X x - y||^2 (X m x n, dense column-major or CSR);
 *  - logistic sum_i log(1 + exp(-y_i x_i^T w)), y_i in {-1, +1};
 *  - multiclass softmax sum_i [log sum_c exp((X W)_ic) - (X W)_{i y_i}], y_i in {0..k-1},
 *    W n x k column-major (n k variables, variable j + n c is W_jc);
 *  - a quadratic 1/2 x^T Q x - c^T x (Q symmetric positive definite, CSR), and label
 *    propagation on a weighted graph (the quadratic of the unlabelled nodes);
 *  - a user objective through callbacks.
 * The gradient is maintained incrementally: the model values X x (or Q x) are updated with each
 * block step, and the full gradient, when a greedy rule needs it, by X^T of the change only.
 *
 * The history (objective, gap, seconds after each iteration) is kept and can be written to
 * HDF5 (/history/objective, /history/gap, /history/seconds). The gap is the duality gap for the
 * L1 least-squares and logistic problems and, elsewhere, the KKT violation
 * max_i |x_i - prox(x_i - grad_i f / L_i)| L_i (the gradient's max-norm when g = 0).
 */
#ifndef SOLACE_BCD_H
#define SOLACE_BCD_H

#include "solace/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque BCD solver: the problem, the chosen rules and the result of the last solve. */
typedef struct solace_bcd_s *solace_bcd;

/** The smooth part f. */
enum solace_bcd_problem {
  SOLACE_BCD_LEAST_SQUARES = 0, /**< 1/2 ||X x - y||^2 */
  SOLACE_BCD_LOGISTIC = 1,      /**< sum_i log(1 + exp(-y_i (X x)_i)), y_i = +-1 */
  SOLACE_BCD_SOFTMAX = 2,       /**< multinomial logistic, labels 0..k-1 */
  SOLACE_BCD_QUADRATIC = 3,     /**< 1/2 x^T Q x - c^T x (also label propagation) */
  SOLACE_BCD_CALLBACK = 4       /**< user callbacks */
};

/** The non-smooth part g. */
enum solace_bcd_penalty {
  SOLACE_BCD_PENALTY_NONE = 0,  /**< g = 0 */
  SOLACE_BCD_PENALTY_L1 = 1,    /**< lambda ||x||_1 */
  SOLACE_BCD_PENALTY_L1_POS = 2 /**< lambda sum(x) with x >= 0 */
};

/** How coordinates are grouped into blocks. */
enum solace_bcd_partition {
  SOLACE_BCD_PART_ORDER = 0,    /**< fixed contiguous blocks 0..tau-1, tau..2tau-1, ... */
  SOLACE_BCD_PART_SORT = 1,     /**< fixed blocks of coordinates sorted by L_i */
  SOLACE_BCD_PART_AVG = 2,      /**< fixed blocks alternately taking the smallest/largest L_i */
  SOLACE_BCD_PART_ROWSUM = 3,   /**< as SORT, scored by row sums of |Hessian bound| */
  SOLACE_BCD_PART_VARIABLE = 4, /**< variable blocks: the tau best coordinates by the rule */
  SOLACE_BCD_PART_REDBLACK = 5, /**< two colour classes of a bipartite graph (tau unused) */
  SOLACE_BCD_PART_COMB = 6,     /**< two comb-shaped forests of a lattice (tau unused) */
  SOLACE_BCD_PART_FOREST = 7,   /**< greedy partition of the graph into forests */
  SOLACE_BCD_PART_TREE = 8      /**< variable forest block grown greedily by |grad_i| */
};

/** How the block of an iteration is selected. */
enum solace_bcd_rule {
  SOLACE_BCD_CYCLIC = 0,    /**< blocks in turn */
  SOLACE_BCD_RANDOM = 1,    /**< uniformly at random */
  SOLACE_BCD_LIPSCHITZ = 2, /**< at random with probability proportional to L_b */
  SOLACE_BCD_GS = 3,        /**< max ||grad_b|| */
  SOLACE_BCD_GSL = 4,       /**< max ||grad_b|| / sqrt(L_b) */
  SOLACE_BCD_GSD = 5,       /**< max sum_i |grad_i| / sqrt(L_i) */
  SOLACE_BCD_GSQ = 6        /**< max grad_b^T M_b^-1 grad_b (variable blocks: IHT approx.) */
};

/** How the block is updated. With an L1 penalty, GRADIENT and ADAPTIVE are proximal-gradient
 * steps and NEWTON / NEWTON_ARMIJO are two-metric-projection steps. */
enum solace_bcd_update {
  SOLACE_BCD_GRADIENT = 0,     /**< x_b -= grad_b / L_b, L_b = lambda_max(M_bb) */
  SOLACE_BCD_ADAPTIVE = 1,     /**< as GRADIENT with L_b found by doubling from 1 */
  SOLACE_BCD_NEWTON = 2,       /**< matrix update d = -M_bb^-1 grad_b with the Hessian bound M (the
                                  Hessian for quadratics and callbacks) by Cholesky, or by elimination
                                  on forest blocks */
  SOLACE_BCD_NEWTON_ARMIJO = 3 /**< exact Newton direction with an Armijo backtracking search */
};

/** The paper's synthetic datasets (reference/bcd.md). */
enum solace_bcd_dataset {
  SOLACE_BCD_DATA_A = 0, /**< sparse least squares 1000 x 10000 */
  SOLACE_BCD_DATA_B = 1, /**< logistic on the design of A */
  SOLACE_BCD_DATA_C = 2, /**< softmax 1000 x 1000, 50 classes */
  SOLACE_BCD_DATA_D = 3, /**< label propagation on a 50 x 50 lattice, 100 labels */
  SOLACE_BCD_DATA_E = 4, /**< label propagation on two moons, 2000 points, 5-NN graph */
  SOLACE_BCD_DATA_L1 = 5 /**< non-negative L1 least squares on A, lambda = 50000 */
};

/** Returns f(x) for the n-vector x in *f, or a non-zero status to stop the solve. */
typedef int (*solace_bcd_value_fn)(int64_t n, const double *x, double *f, void *ctx);

/** Writes grad_i f(x) for the nb indices idx into g[0..nb-1]; non-zero stops the solve. */
typedef int (*solace_bcd_block_gradient_fn)(int64_t n, const double *x, int64_t nb,
                                            const int64_t *idx, double *g, void *ctx);

/** Writes (H_bb v) for the block idx (nb entries) of the Hessian at x into hv; non-zero stops. */
typedef int (*solace_bcd_block_hessvec_fn)(int64_t n, const double *x, int64_t nb,
                                           const int64_t *idx, const double *v, double *hv,
                                           void *ctx);

/** Creates a solver with the defaults: ORDER partition, block size 1, CYCLIC, GRADIENT, no
 * penalty, 500 iterations, tolerance 0 (run all iterations), seed 0, no problem. */
SOLACE_EXPORT int solace_bcd_create(solace_bcd *bcd);

/** Releases the solver and sets *bcd to NULL; accepts NULL. */
SOLACE_EXPORT int solace_bcd_destroy(solace_bcd *bcd);

/**
 * Sets a data-fitting problem on the dense column-major m x n matrix X (leading dimension
 * ld >= m) and the m targets y (LEAST_SQUARES: real; LOGISTIC: +-1; SOFTMAX: 0..n_classes-1).
 * n_classes is used by SOFTMAX only (>= 2). Data are copied; NaN or infinite entries are errors.
 */
SOLACE_EXPORT int solace_bcd_set_dense(solace_bcd bcd, int problem, int64_t m, int64_t n,
                                       const double *X, int64_t ld, const double *y,
                                       int64_t n_classes);

/** As solace_bcd_set_dense() for a CSR matrix X (rowptr[m + 1], colind/values[rowptr[m]],
 * zero-based column indices < n). Data are copied. */
SOLACE_EXPORT int solace_bcd_set_csr(solace_bcd bcd, int problem, int64_t m, int64_t n,
                                     const int64_t *rowptr, const int64_t *colind,
                                     const double *values, const double *y, int64_t n_classes);

/** Sets f = 1/2 x^T Q x - c^T x with Q symmetric positive definite in CSR (both triangles,
 * diagonal present and positive) and c of length n. Data are copied. */
SOLACE_EXPORT int solace_bcd_set_quadratic(solace_bcd bcd, int64_t n, const int64_t *rowptr,
                                           const int64_t *colind, const double *values,
                                           const double *c);

/**
 * Sets label propagation on a graph of n_nodes nodes (symmetric CSR weights w_ij > 0, no
 * self-loops): f(x) = 1/2 sum_{edges ij} w_ij (x_i - x_j)^2 over the unlabelled nodes' values
 * x, the n_labelled nodes labelled[] held at values[]. Variables are the unlabelled nodes in
 * increasing order. Every unlabelled component must reach a labelled node.
 */
SOLACE_EXPORT int solace_bcd_set_label_propagation(solace_bcd bcd, int64_t n_nodes,
                                                   const int64_t *rowptr, const int64_t *colind,
                                                   const double *weights, int64_t n_labelled,
                                                   const int64_t *labelled, const double *values);

/** Declares that the graph nodes form a rows x cols lattice numbered row by row (node
 * i cols + j); needed by the COMB partition. */
SOLACE_EXPORT int solace_bcd_set_lattice(solace_bcd bcd, int64_t rows, int64_t cols);

/**
 * Sets a user objective on n variables: value, block gradient, block Hessian-vector product
 * (may be NULL: no Newton updates) and coordinate-wise Lipschitz bounds L[0..n-1] > 0 (copied).
 */
SOLACE_EXPORT int solace_bcd_set_callbacks(solace_bcd bcd, int64_t n, solace_bcd_value_fn value,
                                           solace_bcd_block_gradient_fn gradient,
                                           solace_bcd_block_hessvec_fn hessvec,
                                           const double *lipschitz, void *ctx);

/** Generates one of the paper's datasets (::solace_bcd_dataset) from `seed` and sets it as the
 * problem; m, n > 0 override the sizes (rows/features, lattice side for D, points for E), 0
 * keeps the paper's. */
SOLACE_EXPORT int solace_bcd_set_dataset(solace_bcd bcd, int dataset, uint64_t seed, int64_t m,
                                         int64_t n);

/** Sets the penalty (::solace_bcd_penalty) with weight lambda >= 0 (quadratic and data
 * problems, softmax included). */
SOLACE_EXPORT int solace_bcd_set_penalty(solace_bcd bcd, int penalty, double lambda);

/** Writes lambda_max = ||grad f(0)||_inf (L1) or max(-grad f(0)) (non-negative L1): the smallest
 * lambda with solution 0. A problem must be set. */
SOLACE_EXPORT int solace_bcd_get_lambda_max(solace_bcd bcd, int penalty, double *lambda_max);

/** Sets the partition (::solace_bcd_partition) and the block size tau (1 <= tau <= n). */
SOLACE_EXPORT int solace_bcd_set_partition(solace_bcd bcd, int partition, int64_t block_size);

/** Sets the selection rule (::solace_bcd_rule). */
SOLACE_EXPORT int solace_bcd_set_rule(solace_bcd bcd, int rule);

/** Sets the update rule (::solace_bcd_update). */
SOLACE_EXPORT int solace_bcd_set_update(solace_bcd bcd, int update);

/** Sets the iteration limit (>= 1) and the stopping tolerance tol >= 0: stop when the gap is
 * <= tol F(x0) (tol times the initial gap when F(x0) <= 0); 0 runs all iterations. */
SOLACE_EXPORT int solace_bcd_set_stop(solace_bcd bcd, int64_t max_iterations, double tol);

/** Sets the seed of the random rules (Philox stream 0 of `seed`). */
SOLACE_EXPORT int solace_bcd_set_seed(solace_bcd bcd, uint64_t seed);

/**
 * Turns the working-set strategy on (1) or off (0), for L1 problems with block size 1: the
 * solver alternates a duality-gap check on all coordinates with cyclic coordinate descent on a
 * growing working set of the coordinates closest to violating their optimality condition.
 */
SOLACE_EXPORT int solace_bcd_set_working_set(solace_bcd bcd, int on);

/** Sets the starting point (n values, copied); the default is x0 = 0. */
SOLACE_EXPORT int solace_bcd_set_start(solace_bcd bcd, int64_t n, const double *x0);

/** Runs the solve. Reaching the iteration limit before tol > 0 is not an error. */
SOLACE_EXPORT int solace_bcd_solve(solace_bcd bcd);

/** Writes the number of variables n of the problem set. */
SOLACE_EXPORT int solace_bcd_get_size(solace_bcd bcd, int64_t *n);

/** Copies the solution of the last solve into x[0..n-1]. */
SOLACE_EXPORT int solace_bcd_get_solution(solace_bcd bcd, double *x);

/** Writes the number of iterations of the last solve (the history has iterations + 1 entries). */
SOLACE_EXPORT int solace_bcd_get_iterations(solace_bcd bcd, int64_t *iterations);

/** Copies the history (iterations + 1 entries each, entry 0 at x0) into caller buffers; any
 * may be NULL. */
SOLACE_EXPORT int solace_bcd_get_history(solace_bcd bcd, double *objective, double *gap,
                                         double *seconds);

/** Writes F(x) and the gap at the end of the last solve. */
SOLACE_EXPORT int solace_bcd_get_result(solace_bcd bcd, double *objective, double *gap);

/** Writes the first iteration after which the support (nonzero set) of x never changed in the
 * last solve, and the support's size (L1 penalties only). */
SOLACE_EXPORT int solace_bcd_get_support(solace_bcd bcd, int64_t *settled_iteration,
                                         int64_t *support_size);

/** Writes the history of the last solve to a new HDF5 file: /history/objective, /history/gap,
 * /history/seconds (iterations + 1 values each) and attributes naming the rules. */
SOLACE_EXPORT int solace_bcd_write_history(solace_bcd bcd, const char *path);

#ifdef __cplusplus
}
#endif
#endif
