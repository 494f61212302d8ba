/* Poisson -Laplacian u = f on the unit square with Dirichlet data u = g, f and g random degree-5
 * bivariate polynomials (the SKR benchmark); 5-point finite differences on the interior nodes. */
#include "pde-impl.h"

#include <math.h>
#include <stdlib.h>

/* Offset of sample i's 42 uniforms in Philox stream i (poisson draws no Gaussian field). */
enum { POISSON_RAND_OFFSET = 0 };

/* Evaluates the polynomial of coefficients c at every node (boundary_only: boundary nodes). */
static void fill_polynomial(int64_t n, const double *c, int boundary_only, double *field) {
  double h = 1.0 / (double)(n - 1);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++)
      if (!boundary_only || solace_on_boundary(n, i, j))
        field[solace_grid_index(n, i, j)] =
            solace_pde_polynomial(c, SOLACE_POISSON_DEGREE, (double)i * h, (double)j * h);
}

int solace_poisson_assemble(solace_pde pde, const double *f, const double *g) {
  double *ones;
  int64_t size = pde->n * pde->n;
  SolaceCall(SolaceCalloc(size, &ones));
  for (int64_t k = 0; k < size; k++) ones[k] = 1.0;
  int status = solace_darcy_assemble_matrix(pde->da, pde->n, ones, pde->A);
  if (!status) status = solace_darcy_assemble_rhs(pde->da, pde->n, ones, f, g, pde->b);
  free(ones);
  return status;
}

/* Draws the 42 coefficients U(-1,1) and evaluates the source f at the nodes. */
static int poisson_sample(solace_pde pde, uint64_t seed, int64_t index, double *input,
                          double *params) {
  SolaceCall(solace_rand_uniform(seed, (uint64_t)index, POISSON_RAND_OFFSET,
                                 2 * SOLACE_POISSON_NCOEFS, params));
  for (int k = 0; k < 2 * SOLACE_POISSON_NCOEFS; k++) params[k] = 2.0 * params[k] - 1.0;
  fill_polynomial(pde->n, params, 0, input);
  return SOLACE_SUCCESS;
}

/* The source field and the coefficients must be finite. */
static int poisson_check_input(solace_pde pde, const double *input, const double *params) {
  for (int64_t k = 0; k < pde->n * pde->n; k++)
    SolaceCheck(isfinite(input[k]), SOLACE_ERR_ARG,
                "source input[%lld] = %g at node (%lld, %lld) is not finite", (long long)k,
                input[k], (long long)(k % pde->n), (long long)(k / pde->n));
  for (int k = 0; k < 2 * SOLACE_POISSON_NCOEFS; k++)
    SolaceCheck(isfinite(params[k]), SOLACE_ERR_ARG, "params[%d] = %g is not finite", k, params[k]);
  return SOLACE_SUCCESS;
}

/* Assembles the Laplacian and f plus the boundary data g (params[21..41]) moved to the RHS. */
static int poisson_assemble(solace_pde pde, const double *input, const double *params) {
  fill_polynomial(pde->n, params + SOLACE_POISSON_NCOEFS, 1, pde->scratch);
  SolaceCall(solace_poisson_assemble(pde, input, pde->scratch));
  return SOLACE_SUCCESS;
}

/* The boundary of the output is the Dirichlet data g of params[21..41]. */
static int poisson_boundary(solace_pde pde, const double *input, const double *params,
                            double *output) {
  (void)input;
  fill_polynomial(pde->n, params + SOLACE_POISSON_NCOEFS, 1, output);
  return SOLACE_SUCCESS;
}

const solace_pde_ops solace_poisson_ops = {
    .name = "poisson",
    .discretization = "5-point finite differences, nodes x_i = i/(n-1), Dirichlet data on the "
                      "boundary nodes",
    .nparams = 2 * SOLACE_POISSON_NCOEFS,
    .sample = poisson_sample,
    .check_input = poisson_check_input,
    .assemble = poisson_assemble,
    .boundary = poisson_boundary,
};

/* Poisson has no family options. */
int solace_poisson_setup(solace_pde pde) {
  (void)pde;
  return SOLACE_SUCCESS;
}
