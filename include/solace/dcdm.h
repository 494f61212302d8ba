/**
 * @file dcdm.h
 * @brief DCDM: the deep conjugate-direction method (Kaneda, Akar, Chen, Kala and Teran, ICML
 * 2023), a conjugate-direction solver for symmetric positive definite grid systems whose search
 * directions come from a trained convolutional network.
 *
 * Systems live on a grid of nx x ny (x nz) cells in natural order (x fastest). Rows holding only
 * a diagonal entry are solid cells (obstacles): they are solved exactly and stay out of the
 * network. A network is a DCDM weights file (HDF5, docs/dcdm.md) written by solace_dcdm_train().
 * The PETSc KSP type "dcdm" (solace/petsc.h) is the same solver for PETSc programs.
 *
 * Matrices cross this ABI in compressed sparse row form with 0-based int64_t indices: row i holds
 * the entries values[row_start[i] .. row_start[i+1]-1] in the columns columns[...]; row_start has
 * rows + 1 entries. The test problems (pressure-Poisson systems with Dirichlet walls and
 * obstacles, solace_dcdm_problem_*) are given in that form too.
 */
#ifndef SOLACE_DCDM_H
#define SOLACE_DCDM_H

#include "solace/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Trains a DCDM network and writes it to the weights file `path` (replaced atomically; also
 * written at checkpoints). `options` are PETSc-style ("-ndim 2 -grid 64 -steps 2000 -seed 0";
 * docs/dcdm.md lists them with defaults; "" takes every default). With "-validate_grid n,..."
 * `path` receives the checkpoint that solves held-out problems in the fewest iterations and
 * `path`.latest the latest state. "-bias_free 1" trains a network without biases (its output
 * scales with its input); "-init file.h5" starts from that file's weights and architecture, and
 * with validation its start is scored too. Writes, where not NULL, the
 * Adam steps done and the mean loss of the first and of the last 20 steps. Unknown or bad
 * options: ::SOLACE_ERR_ARG; a non-finite loss: ::SOLACE_ERR_NOT_CONVERGED. Requires
 * solace_initialize().
 */
SOLACE_EXPORT int solace_dcdm_train(const char *options, const char *path, int64_t *steps,
                                    double *first_loss, double *last_loss);

/** Opaque handle of a test problem: a pressure-Poisson system on a grid with obstacles. */
typedef struct solace_dcdm_problem_s *solace_dcdm_problem;

/**
 * Builds a test problem on n^ndim cells (ndim 2 or 3; 4 <= n <= 4096 in 2-D, 512 in 3-D):
 * cell-centred 5- / 7-point Laplacian scaled by h^2, Dirichlet walls, no flux into obstacles,
 * solid cells as rows holding the diagonal 1 alone (docs/dcdm.md). `obstacle` is "empty",
 * "sphere" (radius 0.15 at (0.5, 0.6[, 0.5])) or "blobs" (8 random balls placed by `seed`).
 * Fluid cells cut off from the walls become solid, so the matrix is SPD.
 */
SOLACE_EXPORT int solace_dcdm_problem_create(int ndim, int64_t n, const char *obstacle,
                                             uint64_t seed, solace_dcdm_problem *problem);

/** Writes the number of rows (n^ndim), of nonzero entries and of solid cells (each may be NULL).
 */
SOLACE_EXPORT int solace_dcdm_problem_get_size(solace_dcdm_problem problem, int64_t *rows,
                                               int64_t *nonzeros, int64_t *solid);

/** Copies the matrix in CSR form: row_start (rows + 1), columns and values (nonzeros each). */
SOLACE_EXPORT int solace_dcdm_problem_get_csr(solace_dcdm_problem problem, int64_t *row_start,
                                              int64_t *columns, double *values);

/** Writes right-hand side `index` under `seed` into b (rows values): a smooth Gaussian random
 * field, zero on solid cells, of unit 2-norm. */
SOLACE_EXPORT int solace_dcdm_problem_get_rhs(solace_dcdm_problem problem, uint64_t seed,
                                              int64_t index, double *b);

/** Releases a problem and sets *problem to NULL; accepts NULL. */
SOLACE_EXPORT int solace_dcdm_problem_destroy(solace_dcdm_problem *problem);

/**
 * Solves A x = b (A SPD, CSR as described above, rows = nx ny (nz)) by DCDM from x = 0 until
 * ||b - A x|| <= rtol ||b|| (0 < rtol < 1) or max_it iterations. `weights` is a DCDM weights
 * file, or NULL or "" for the identity map (then DCDM is CG); a network trained for subdomain
 * deflation (its file's dcdm_deflate_block, as the shipped ones) deflates with it. grid[0..2] =
 * nx, ny, nz (nz unused when ndim = 2) in natural order, x fastest; with a network ndim must be the
 * network's and the sizes divisible by 2^L (L: the network's coarse levels, 1 in the paper).
 * Writes x (rows values), and where not NULL the iterations and the true relative residual.
 * Bad sizes, indices or non-finite values: ::SOLACE_ERR_ARG; an unreadable
 * or foreign weights file: ::SOLACE_ERR_IO or ::SOLACE_ERR_FORMAT; max_it reached or breakdown:
 * ::SOLACE_ERR_NOT_CONVERGED (x holds the last iterate).
 */
SOLACE_EXPORT int solace_dcdm_solve_csr(const char *weights, int ndim, const int64_t *grid,
                                        int64_t rows, const int64_t *row_start,
                                        const int64_t *columns, const double *values,
                                        const double *b, double *x, double rtol, int64_t max_it,
                                        int64_t *iterations, double *residual);

/**
 * solace_dcdm_solve_csr() with solver options: `options` holds "-name value" pairs ("" for the
 * defaults): "-directions k" (previous directions kept, k >= 1, default 2), "-deflate_block b"
 * (subdomain deflation with blocks of b cells per dimension: one coarse vector per block, the
 * indicator of its fluid cells, solved exactly; 0: off; default: the block the network was
 * trained for, its file's dcdm_deflate_block, else off; docs/dcdm.md) and "-max_levels L"
 * (most levels of a tied network, L >= 0, default 0: the file's cap). With deflation iteration 1
 * is the coarse correction. Unknown names or bad values: ::SOLACE_ERR_ARG; otherwise as
 * solace_dcdm_solve_csr().
 */
SOLACE_EXPORT int solace_dcdm_solve_csr_opts(const char *options, const char *weights, int ndim,
                                             const int64_t *grid, int64_t rows,
                                             const int64_t *row_start, const int64_t *columns,
                                             const double *values, const double *b, double *x,
                                             double rtol, int64_t max_it, int64_t *iterations,
                                             double *residual);

#ifdef __cplusplus
}
#endif
#endif
