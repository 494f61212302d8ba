/**
 * @file pde.h
 * @brief Parametric PDE families whose random instances make neural-operator datasets.
 *
 * A family draws the random input of sample i (a coefficient or source field, and scalar
 * parameters) as a pure function of (seed, i), assembles the PETSc system on a DMDA and solves it
 * with a KSP configured from the PETSc options database (so `-ksp_type`, `-pc_type`,
 * `-ksp_rtol`, ... apply; see solace_options_insert()).
 *
 * Family "darcy": -div(a grad u) = f on the unit square, u = 0 on the boundary, f = 1 (option
 * "source"), on an n x n grid of nodes x_i = i/(n-1) including the boundary. The coefficient is
 * a = exp(g) (option "coefficient" = "exp", default) or the two-valued FNO variant
 * a = coef_high where g >= 0 and coef_low elsewhere ("threshold"), g a Gaussian random field with
 * options "alpha" (2.5) and "tau" (7). Discretized by conservative 5-point finite differences with
 * harmonic-mean face coefficients (symmetric positive definite). Input and output are n x n node
 * fields in natural order (x fastest); the output includes the boundary values.
 *
 * Family "poisson": -Laplacian u = f on the unit square, u = g on the boundary, on the same node
 * grid, discretized by 5-point finite differences on the (n-2)^2 interior nodes (symmetric
 * positive definite; the matrix is the same for every sample). f and g are random degree-5
 * polynomials sum_{i+j<=5} c_ij x^i y^j with coefficients U(-1,1) (the SKR benchmark): 42 params,
 * f's 21 coefficients then g's 21, each ordered by increasing i+j, then increasing i:
 * (0,0), (0,1), (1,0), (0,2), (1,1), (2,0), ..., (5,0). Sample i's params are 2 U - 1 for the
 * uniforms at positions 0..41 of Philox stream i. Input: f at the nodes; the solve takes f from
 * the input and g from params[21..41]; the output's boundary values are g. No options.
 *
 * Family "helmholtz": -div(a grad u) - k^2 u = f on the unit square, u = 0 on the boundary, f = 1,
 * the coefficient a drawn exactly as darcy draws it (same options and random positions) and the
 * Darcy discretization minus k^2 on the diagonal (symmetric, indefinite once k^2 exceeds the
 * smallest Darcy eigenvalue, about 2 pi^2 min(a)). One param, k = kmax U with option "kmax"
 * (default 1, the SKR benchmark's k ~ U(0, 1)) and U the uniform at position 2 n^2 of Philox
 * stream i (the field's normals use uniforms 0..n^2 only). Default solver GMRES(40) with
 * right-preconditioned ILU (block Jacobi + ILU across processes), rtol 1e-8 on the true residual;
 * for large k it may stop with ::SOLACE_ERR_NOT_CONVERGED.
 *
 * Family "heat": steady heat conduction -Laplacian u = 0 on the unit square with an insulated
 * slot, u = g on the four walls, on the same node grid. The slot is the nodes (i, j) with
 * 5 |2i - (n-1)| <= n-1 and 3 (n-1) <= 10 j <= 7 (n-1) (|x - 0.5| <= 0.1, 0.3 <= y <= 0.7, exact
 * in integers); slot nodes get identity rows (rhs 0, output exactly 0) and the faces between a
 * domain node and a slot node are omitted (zero flux through the slot walls). 5-point finite
 * differences elsewhere; symmetric positive definite, default solver CG + ICC. g is a random
 * degree-3 polynomial: 10 params, ordered as poisson's, 2 U - 1 for the uniforms at positions
 * 0..9 of Philox stream i. Input: the mask, 1 at domain nodes and 0 at slot nodes; the solve
 * requires it to equal the mask of the current options. Real option "slot" (default 1; 0: no
 * slot).
 */
#ifndef SOLACE_PDE_H
#define SOLACE_PDE_H

#include "solace/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of a PDE family on one grid, with its assembled system and solver. */
typedef struct solace_pde_s *solace_pde;

/** Adds options to PETSc's options database, e.g. "-ksp_type cg -pc_type gamg". */
SOLACE_EXPORT int solace_options_insert(const char *options);

/** Marks option `name` (e.g. "-count") as used, for a program that reads it itself. */
SOLACE_EXPORT int solace_options_mark_used(const char *name);

/**
 * Writes the options in PETSc's database that nothing has read (typos, options of a solver
 * that is not in use) to buf as a space-separated list (capacity bytes; truncated with "..."),
 * and their number to *count.
 */
SOLACE_EXPORT int solace_options_unused(char *buf, int64_t capacity, int64_t *count);

/**
 * Creates family `family` ("darcy", "poisson", "helmholtz" or "heat") on an n x n grid (n >= 3).
 * Systems are solved on one process (PETSC_COMM_SELF) unless solace_pde_set_distributed() is
 * called. Requires solace_initialize().
 */
SOLACE_EXPORT int solace_pde_create(const char *family, int64_t n, solace_pde *pde);

/** Sets a real option of the family (darcy: "alpha", "tau", "source", "coef_high", "coef_low";
 * helmholtz: those and "kmax"; heat: "slot"). */
SOLACE_EXPORT int solace_pde_set_real(solace_pde pde, const char *name, double value);

/** Sets a string option of the family (darcy, helmholtz: "coefficient" = "exp" or "threshold"). */
SOLACE_EXPORT int solace_pde_set_string(solace_pde pde, const char *name, const char *value);

/** Reads a real option of the family into *value. */
SOLACE_EXPORT int solace_pde_get_real(solace_pde pde, const char *name, double *value);

/**
 * With distributed = 1, each system is spread over all ranks of MPI_COMM_WORLD (a DMDA split);
 * solve calls become collective and every rank gets the whole output. Default 0: one process.
 */
SOLACE_EXPORT int solace_pde_set_distributed(solace_pde pde, int distributed);

/**
 * With on = 1, each solve starts from the previous solve's solution (a warm start; useful when
 * consecutive systems are similar) instead of zero. A solve that fails leaves the next one
 * starting from zero. Default 0.
 */
SOLACE_EXPORT int solace_pde_set_warm_start(solace_pde pde, int on);

/** Writes the grid: *ndim and grid[0..2] (nx, ny, nz; unused entries 1). */
SOLACE_EXPORT int solace_pde_get_grid(solace_pde pde, int *ndim, int64_t grid[3]);

/** Writes the number of scalar parameters per sample (darcy 0, poisson 42, helmholtz 1, heat 10).
 */
SOLACE_EXPORT int solace_pde_get_nparams(solace_pde pde, int64_t *nparams);

/** Writes the family name into buf (capacity bytes). */
SOLACE_EXPORT int solace_pde_get_family(solace_pde pde, char *buf, int64_t capacity);

/**
 * Draws the random input of sample `index` under `seed`: input (grid values) and params
 * (nparams values; may be NULL when nparams = 0). Depends only on (seed, index, options).
 */
SOLACE_EXPORT int solace_pde_sample(solace_pde pde, uint64_t seed, int64_t index, double *input,
                                    double *params);

/**
 * Solves the system of one input; writes the solution field to output (grid values) and, when
 * not NULL, the KSP iteration count and the true relative residual ||b - A x|| / ||b||.
 * Non-finite or non-positive coefficients (darcy, helmholtz), a non-finite or negative k
 * (helmholtz), non-finite sources or params (poisson), non-finite params or an input that is not
 * the slot mask (heat) are
 * ::SOLACE_ERR_ARG; a KSP that stops short of its tolerance is ::SOLACE_ERR_NOT_CONVERGED
 * (output then holds the last iterate).
 */
SOLACE_EXPORT int solace_pde_solve(solace_pde pde, const double *input, const double *params,
                                   double *output, int64_t *iterations, double *residual);

/**
 * Makes the solver read its PETSc options under `prefix` (e.g. "fast_" reads -fast_ksp_type,
 * -fast_pc_type, ...) and applies them now, so that several families in one program can carry
 * different solvers. Non-empty, letters, digits and '_' only, not starting with a digit.
 */
SOLACE_EXPORT int solace_pde_set_options_prefix(solace_pde pde, const char *prefix);

/** Writes the KSP and PC type names (buffers of `capacity` bytes) and the relative tolerance. */
SOLACE_EXPORT int solace_pde_get_solver(solace_pde pde, char *ksp_type, char *pc_type,
                                        int64_t capacity, double *rtol);

/** Releases the family and sets *pde to NULL; accepts NULL. */
SOLACE_EXPORT int solace_pde_destroy(solace_pde *pde);

#ifdef __cplusplus
}
#endif
#endif
