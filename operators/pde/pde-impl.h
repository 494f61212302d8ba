/* Internal view of a PDE family: the family's operations and the PETSc objects of its grid. */
#ifndef SOLACE_PDE_IMPL_H
#define SOLACE_PDE_IMPL_H

#include "solace-impl.h"
#include "solace/pde.h"
#include "solace/rand.h"

#include <petscdmda.h>
#include <petscksp.h>

/* What a family provides; the generic code in pde.c does the rest. */
typedef struct {
  const char *name;
  const char *discretization; /* one line, stored as the dataset's `discretization` attribute */
  int64_t nparams;
  /* Draws the random input and params of one sample. */
  int (*sample)(solace_pde pde, uint64_t seed, int64_t index, double *input, double *params);
  /* Rejects an input the family cannot solve (non-finite, non-positive coefficient, ...). */
  int (*check_input)(solace_pde pde, const double *input, const double *params);
  /* Assembles the matrix and right-hand side of one input into pde->A and pde->b. */
  int (*assemble)(solace_pde pde, const double *input, const double *params);
  /* Writes the boundary values of the solution field (interior values come from the solve). */
  int (*boundary)(solace_pde pde, const double *input, const double *params, double *output);
  /* 0: symmetric positive definite systems, default solver CG + ICC (block Jacobi across
   * processes); 1: indefinite systems, default GMRES(40) + ILU (block Jacobi + ILU across
   * processes), right-preconditioned so that convergence means a true residual below rtol (left
   * ILU on a strongly indefinite matrix can stop with a true residual near 1). PETSc options
   * override either. */
  int indefinite;
} solace_pde_ops;

/* Named real options of a family, with their values. */
enum { SOLACE_PDE_MAX_OPTIONS = 8 };
typedef struct {
  const char *name;
  double value;
} solace_pde_real_option;

struct solace_pde_s {
  const solace_pde_ops *ops;
  int64_t n;       /* nodes per side, boundary included */
  int distributed; /* 1: systems spread over MPI_COMM_WORLD */
  int warm_start;  /* 1: each solve starts from the previous solution */
  solace_pde_real_option reals[SOLACE_PDE_MAX_OPTIONS];
  int nreals;
  char coefficient[16]; /* darcy: "exp" or "threshold" */
  char prefix[64];      /* options prefix of the solver, "" for none */
  solace_grf grf;       /* random-field sampler (created on first use) */
  double *scratch;      /* n*n work array */
  MPI_Comm comm;
  DM da; /* interior unknowns, (n-2) x (n-2) */
  Mat A;
  Vec x, b, r, natural, gathered; /* solution, right-hand side, residual, full field */
  VecScatter to_all;
  KSP ksp;
};

/* Looks up a real option by name; SOLACE_ERR_ARG if the family has none of that name. */
SOLACE_INTERN int solace_pde_real(solace_pde pde, const char *name, double *value);

/* Declares a real option with its default (used by a family's setup). */
SOLACE_INTERN int solace_pde_add_real(solace_pde pde, const char *name, double value);

/* Darcy family operations and its option setup. */
SOLACE_INTERN extern const solace_pde_ops solace_darcy_ops;
SOLACE_INTERN int solace_darcy_setup(solace_pde pde);

/* Assembles -div(a grad u) with harmonic-mean face coefficients over the DMDA of interior nodes
 * of an n x n node grid; `a` holds all n*n node values. */
SOLACE_INTERN int solace_darcy_assemble_matrix(DM da, int64_t n, const double *a, Mat A);

/* Assembles the right-hand side f (node values) plus the Dirichlet data g (node values, only
 * boundary nodes read) moved to the right-hand side. */
SOLACE_INTERN int solace_darcy_assemble_rhs(DM da, int64_t n, const double *a, const double *f,
                                            const double *g, Vec b);

/* Poisson family operations and its (empty) option setup. Params: the SOLACE_POISSON_NCOEFS
 * coefficients of f, then those of g, monomials x^i y^j ordered by i + j, then by i. */
enum { SOLACE_POISSON_DEGREE = 5, SOLACE_POISSON_NCOEFS = 21 };
SOLACE_INTERN extern const solace_pde_ops solace_poisson_ops;
SOLACE_INTERN int solace_poisson_setup(solace_pde pde);

/* Assembles -Laplacian (5-point) into pde->A and f (node values) plus the Dirichlet data g (node
 * values, only boundary nodes read) into pde->b. */
SOLACE_INTERN int solace_poisson_assemble(solace_pde pde, const double *f, const double *g);

/* Helmholtz family operations and its option setup (darcy's options plus "kmax"). Params: k. */
SOLACE_INTERN extern const solace_pde_ops solace_helmholtz_ops;
SOLACE_INTERN int solace_helmholtz_setup(solace_pde pde);

/* Heat family operations and its option setup ("slot" = 1). Params: the SOLACE_HEAT_NCOEFS
 * coefficients of the Dirichlet data g, monomials x^i y^j ordered by i + j, then by i. */
enum { SOLACE_HEAT_DEGREE = 3, SOLACE_HEAT_NCOEFS = 10 };
SOLACE_INTERN extern const solace_pde_ops solace_heat_ops;
SOLACE_INTERN int solace_heat_setup(solace_pde pde);

/* 1 if node (i, j) of the n x n node grid lies in the heat family's slot:
 * 5 |2i - (n-1)| <= n-1 and 3 (n-1) <= 10 j <= 7 (n-1), i.e. |x - 0.5| <= 0.1, 0.3 <= y <= 0.7. */
SOLACE_INTERN int solace_heat_in_slot(int64_t n, int64_t i, int64_t j);

/* Index of node (i, j) of an n x n node grid, x fastest. */
static inline int64_t solace_grid_index(int64_t n, int64_t i, int64_t j) {
  return i + n * j;
}

/* True if node (i, j) lies on the boundary of the n x n node grid. */
static inline int solace_on_boundary(int64_t n, int64_t i, int64_t j) {
  return i == 0 || j == 0 || i == n - 1 || j == n - 1;
}

/* The bivariate polynomial sum c_k x^i y^j over i + j <= degree (<= 8), its coefficients ordered
 * by increasing i + j, then increasing i: (0,0), (0,1), (1,0), (0,2), (1,1), (2,0), ... */
SOLACE_INTERN double solace_pde_polynomial(const double *c, int degree, double x, double y);

/* Copies the solution (interior unknowns) of pde->x into a full n x n field on every rank. */
SOLACE_INTERN int solace_pde_gather_solution(solace_pde pde, double *output);

#endif
