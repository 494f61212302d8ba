/**
 * @file skr.h
 * @brief SKR: sorting and Krylov subspace recycling for long sequences of related systems.
 *
 * Systems whose parameters are close have close matrices and solutions, so solving them in an
 * order where neighbours are similar lets a recycled Krylov subspace (GCRO-DR) and a warm start
 * carry over from one to the next.
 *
 * Part 1: the sorting step, solace_skr_sort(). Part 2: the sequence solver, a ::solace_skr handle
 * that sorts and then solves a sequence of sparse systems given in CSR form (or produced one at
 * a time by a callback) with PETSc's KSP type "gcrodr", for codes that do not use PETSc
 * themselves (C, Fortran through ISO_C_BINDING, Julia through ccall).
 */
#ifndef SOLACE_SKR_H
#define SOLACE_SKR_H

#include "solace/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How solace_skr_sort() orders the systems. */
enum solace_skr_sort_method {
  SOLACE_SKR_SORT_NONE = 0,    /**< identity order 0..N-1 */
  SOLACE_SKR_SORT_GREEDY = 1,  /**< exact greedy nearest neighbour from system 0, O(N^2 dim) */
  SOLACE_SKR_SORT_HILBERT = 2, /**< projection + PCA + Hilbert curve + greedy in windows */
  SOLACE_SKR_SORT_AUTO = 3     /**< GREEDY up to 4096 systems, HILBERT beyond */
};

/**
 * Orders `count` systems so that consecutive ones have close features.
 * @param features the features of system i at features[i*dim .. i*dim + dim-1] (a column-major
 *                 dim x count matrix with leading dimension dim), e.g. its coefficient field;
 *                 distances are Euclidean (the Frobenius norm of the field difference); finite
 * @param count    number of systems, >= 1
 * @param dim      features per system, >= 1
 * @param method   a ::solace_skr_sort_method
 * @param[out] order count entries: order[k] is the system solved k-th, a permutation of
 *                   0..count-1 starting with system 0
 *
 * GREEDY starts at system 0 and always moves to the nearest system not yet visited (the SKR
 * paper's method). HILBERT, for 10^4..10^6 systems: features are projected to at most 64
 * dimensions by a fixed Gaussian random projection (distances kept within a few percent), reduced
 * to the principal components (at most 7) that hold 99% of the variance, quantized and ordered
 * along a Hilbert curve in that many dimensions (rotated to start at system 0), then refined by a
 * greedy walk along the curve that moves to the nearest (in projected distance) of the next 2048
 * systems not yet visited; time O(count (64 dim + 2048 * 64 + log count)), memory O(64 count).
 */
SOLACE_EXPORT int solace_skr_sort(const double *features, int64_t count, int64_t dim, int method,
                                  int64_t *order);

/** Writes the length of the path through the features in `order`: sum of ||f_{k+1} - f_k||. */
SOLACE_EXPORT int solace_skr_path_length(const double *features, int64_t count, int64_t dim,
                                         const int64_t *order, double *length);

/** Opaque SKR sequence solver: settings, one GCRO-DR KSP and the result of the last solve. */
typedef struct solace_skr_s *solace_skr;

/**
 * Creates a sequence solver; solace_initialize() must have been called (else ::SOLACE_ERR_STATE).
 * Defaults: restart m = 40, recycle k = 20 (min(20, m/2) while k is not set explicitly), rtol
 * 1e-8, max_it 10000, PC "none", sort ::SOLACE_SKR_SORT_AUTO, warm start off. Preconditioning is
 * on the right, so a converged system has true relative residual ||b - A x|| / ||b|| <= rtol.
 */
SOLACE_EXPORT int solace_skr_create(solace_skr *skr);

/** Sets the GCRO-DR restart m >= 1 (Arnoldi steps per cycle). */
SOLACE_EXPORT int solace_skr_set_restart(solace_skr skr, int64_t m);

/**
 * Sets the recycled dimension k >= 0 (k = 0 is GMRES(m)); k must be smaller than the restart m:
 * k >= m is ::SOLACE_ERR_ARG here if m is already known to be too small, else at the next solve.
 */
SOLACE_EXPORT int solace_skr_set_recycle(solace_skr skr, int64_t k);

/** Sets the relative tolerance rtol in (0, 1) of ||b - A x|| / ||b|| and max_it >= 1 per system. */
SOLACE_EXPORT int solace_skr_set_tolerance(solace_skr skr, double rtol, int64_t max_it);

/**
 * Sets the preconditioner by PETSc PC type name ("none", "jacobi", "sor", "ilu", "icc",
 * "bjacobi", "asm", ...); a name this PETSc does not know is ::SOLACE_ERR_ARG with PETSc's
 * message. The name is copied.
 */
SOLACE_EXPORT int solace_skr_set_pc(solace_skr skr, const char *pc_type);

/** Sets how the systems are ordered before solving (a ::solace_skr_sort_method). */
SOLACE_EXPORT int solace_skr_set_sort(solace_skr skr, int method);

/**
 * Turns the warm start on (on != 0) or off: the initial guess of each system is then the solution
 * of the system solved just before it (in the solve order), else zero.
 */
SOLACE_EXPORT int solace_skr_set_warm_start(solace_skr skr, int on);

/**
 * Gives the features used to sort the next solves (optional; features = NULL forgets them).
 * @param features the features of system i at features[i*dim .. i*dim + dim-1] (column-major
 *                 dim x count, leading dimension dim); finite; copied
 * @param count    number of systems, >= 1: a later solve must have this count
 * @param dim      features per system, >= 1
 *
 * Without features, solace_skr_solve_sequence() sorts by the matrix values concatenated with the
 * right-hand side, which needs all matrices to share one sparsity pattern (else
 * ::SOLACE_ERR_ARG asking for features), and solace_skr_solve_sequence_fn() cannot sort: it
 * solves in the given order 0..count-1.
 */
SOLACE_EXPORT int solace_skr_set_features(solace_skr skr, const double *features, int64_t count,
                                          int64_t dim);

/**
 * Sorts and solves `count` sparse systems A_i x_i = b_i of size n on this process.
 * @param count     number of systems, >= 1
 * @param n         rows and columns of every matrix, >= 1
 * @param rowptr    rowptr[i]: n+1 row offsets of system i, 0-based, rowptr[i][0] = 0,
 *                  non-decreasing
 * @param colidx    colidx[i]: rowptr[i][n] 0-based column indices in [0, n), row by row (any
 *                  order within a row; repeated entries are summed)
 * @param values    values[i]: rowptr[i][n] finite values matching colidx[i]
 * @param rhs       right-hand sides, b_i at rhs[i*n .. i*n + n-1] (column-major n x count); finite
 * @param[out] solutions  x_i at solutions[i*n ..] (column-major n x count, leading dimension n)
 * @param[out] iterations iterations[i]: GCRO-DR iterations of system i; may be NULL
 * @param[out] residuals  residuals[i]: true relative residual ||b_i - A_i x_i|| / ||b_i|| (0 when
 *                        b_i = 0); may be NULL
 * @return ::SOLACE_SUCCESS; ::SOLACE_ERR_ARG for invalid input (nothing is solved; the message
 *         names the system and the entry); ::SOLACE_ERR_NOT_CONVERGED when some system missed rtol
 *         within max_it: every system is still solved and its outputs written, and the message
 *         names the first failing one in solve order.
 *
 * The systems are ordered (solace_skr_set_sort(), solace_skr_set_features(); see
 * solace_skr_get_order()) and solved in that order by one KSP "gcrodr", whose recycle space
 * carries over from each system to the next (and to the next call while the settings and n stay
 * the same). Consecutive systems with the same sparsity pattern update one PETSc matrix in place.
 * PETSc options with prefix "skr_" (-skr_ksp_monitor, -skr_pc_type, -skr_ksp_gcrodr_recycle, ...)
 * override the settings. Everything runs on PETSC_COMM_SELF: under MPI, each rank may call this
 * on its own sequence.
 */
SOLACE_EXPORT int solace_skr_solve_sequence(solace_skr skr, int64_t count, int64_t n,
                                            const int64_t *const *rowptr,
                                            const int64_t *const *colidx,
                                            const double *const *values, const double *rhs,
                                            double *solutions, int64_t *iterations,
                                            double *residuals);

/**
 * Produces system `index` (0-based) for solace_skr_solve_sequence_fn(): sets *nnz and the CSR
 * arrays *rowptr (n+1 entries), *colidx and *values (*nnz entries each), conventions as in
 * solace_skr_solve_sequence(), which must stay valid until the next call; fills rhs, a buffer of n
 * doubles owned by Solace. A non-zero return stops the solve, which returns that value.
 */
typedef int (*solace_skr_system_fn)(int64_t index, int64_t *nnz, const int64_t **rowptr,
                                    const int64_t **colidx, const double **values, double *rhs,
                                    void *ctx);

/**
 * As solace_skr_solve_sequence(), with system i produced by fn(i, ..., ctx) when it is its turn
 * (each system is requested once, in solve order), so that the whole sequence never has to be in
 * memory. Without features (solace_skr_set_features()) the systems are solved in the order
 * 0..count-1. Each system is checked when it arrives: invalid input is ::SOLACE_ERR_ARG, with the
 * systems solved before it already written.
 */
SOLACE_EXPORT int solace_skr_solve_sequence_fn(solace_skr skr, int64_t count, int64_t n,
                                               solace_skr_system_fn fn, void *ctx,
                                               double *solutions, int64_t *iterations,
                                               double *residuals);

/**
 * Writes the solve order of the last solve: order[k] is the system solved k-th (count entries, a
 * permutation of 0..count-1 starting with 0). ::SOLACE_ERR_STATE before any solve.
 */
SOLACE_EXPORT int solace_skr_get_order(solace_skr skr, int64_t *order);

/**
 * Writes the last solve's wall-clock seconds spent sorting (including building features) and
 * solving (including matrix assembly), and its total iterations; any pointer may be NULL.
 * ::SOLACE_ERR_STATE before any solve.
 */
SOLACE_EXPORT int solace_skr_get_summary(solace_skr skr, double *sort_seconds,
                                         double *solve_seconds, int64_t *total_iterations);

/** Releases the solver and sets *skr to NULL; accepts NULL and a NULL handle. */
SOLACE_EXPORT int solace_skr_destroy(solace_skr *skr);

#ifdef __cplusplus
}
#endif
#endif
