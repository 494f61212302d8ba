/* Steady heat conduction -Laplacian u = 0 on the unit square with an insulated slot (the SKR
 * thermal benchmark, structured-grid analogue): random Dirichlet temperatures g on the four walls,
 * a degree-3 bivariate polynomial; the slot's nodes are removed from the domain (identity rows)
 * and the faces between a fluid node and a slot node are omitted (zero-flux walls). */
#include "pde-impl.h"

#include <math.h>
#include <stdlib.h>

/* Offset of sample i's 10 uniforms in Philox stream i (heat draws no Gaussian field). */
enum { HEAT_RAND_OFFSET = 0 };

int solace_heat_in_slot(int64_t n, int64_t i, int64_t j) {
  int64_t m = n - 1, d = 2 * i - m;
  if (d < 0) d = -d;
  return 5 * d <= m && 10 * j >= 3 * m && 10 * j <= 7 * m;
}

/* Whether the slot is on (option "slot" != 0). */
static int slot_on(solace_pde pde, int *on) {
  double slot;
  SolaceCall(solace_pde_real(pde, "slot", &slot));
  *on = slot != 0.0;
  return SOLACE_SUCCESS;
}

/* The mask: 1 at domain nodes, 0 at slot nodes (none when the slot is off). */
static void fill_mask(int64_t n, int slot, double *mask) {
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++)
      mask[solace_grid_index(n, i, j)] = slot && solace_heat_in_slot(n, i, j) ? 0.0 : 1.0;
}

/* Draws the 10 coefficients of g, U(-1,1); the input is the mask. */
static int heat_sample(solace_pde pde, uint64_t seed, int64_t index, double *input,
                       double *params) {
  int slot = 1;
  SolaceCall(slot_on(pde, &slot));
  SolaceCall(
      solace_rand_uniform(seed, (uint64_t)index, HEAT_RAND_OFFSET, SOLACE_HEAT_NCOEFS, params));
  for (int k = 0; k < SOLACE_HEAT_NCOEFS; k++) params[k] = 2.0 * params[k] - 1.0;
  fill_mask(pde->n, slot, input);
  return SOLACE_SUCCESS;
}

/* The input must be the mask of the current slot option; the params must be finite. */
static int heat_check_input(solace_pde pde, const double *input, const double *params) {
  int slot = 1;
  SolaceCall(slot_on(pde, &slot));
  for (int k = 0; k < SOLACE_HEAT_NCOEFS; k++)
    SolaceCheck(isfinite(params[k]), SOLACE_ERR_ARG, "params[%d] = %g is not finite", k, params[k]);
  int64_t n = pde->n;
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++) {
      double expected = slot && solace_heat_in_slot(n, i, j) ? 0.0 : 1.0;
      SolaceCheck(input[solace_grid_index(n, i, j)] == expected, SOLACE_ERR_ARG,
                  "mask input[%lld] = %g at node (%lld, %lld) is not %g (slot option %d)",
                  (long long)solace_grid_index(n, i, j), input[solace_grid_index(n, i, j)],
                  (long long)i, (long long)j, expected, slot);
    }
  return SOLACE_SUCCESS;
}

/* 5-point rows with face coefficient 1/h^2 between domain nodes, faces to slot nodes omitted,
 * Dirichlet data g moved to the right-hand side; slot nodes get identity rows, rhs 0. */
static int heat_assemble(solace_pde pde, const double *input, const double *params) {
  (void)input;
  int slot = 1;
  SolaceCall(slot_on(pde, &slot));
  int64_t n = pde->n;
  double h = 1.0 / (double)(n - 1), coef = 1.0 / (h * h);
  const int64_t di[4] = {-1, 1, 0, 0}, dj[4] = {0, 0, -1, 1};
  PetscInt xs, ys, xm, ym;
  PetscScalar **rhs;
  SolacePetscCall(DMDAGetCorners(pde->da, &xs, &ys, NULL, &xm, &ym, NULL));
  SolacePetscCall(MatZeroEntries(pde->A));
  SolacePetscCall(DMDAVecGetArray(pde->da, pde->b, &rhs));
  for (PetscInt jj = ys; jj < ys + ym; jj++)
    for (PetscInt ii = xs; ii < xs + xm; ii++) {
      int64_t i = ii + 1, j = jj + 1;
      MatStencil me = {.i = ii, .j = jj}, cols[5];
      PetscScalar vals[5];
      PetscInt ncols = 1;
      double value = 0.0, diag = 0.0;
      cols[0] = me;
      if (!(slot && solace_heat_in_slot(n, i, j))) {
        for (int s = 0; s < 4; s++) {
          int64_t ni = i + di[s], nj = j + dj[s];
          if (slot && solace_heat_in_slot(n, ni, nj)) continue; /* insulated face */
          diag += coef;
          if (solace_on_boundary(n, ni, nj)) {
            value += coef * solace_pde_polynomial(params, SOLACE_HEAT_DEGREE, (double)ni * h,
                                                  (double)nj * h);
          } else {
            cols[ncols] = (MatStencil){.i = (PetscInt)ni - 1, .j = (PetscInt)nj - 1};
            vals[ncols++] = -coef;
          }
        }
      } else {
        diag = 1.0;
      }
      vals[0] = diag;
      rhs[jj][ii] = value;
      SolacePetscCall(MatSetValuesStencil(pde->A, 1, &me, ncols, cols, vals, INSERT_VALUES));
    }
  SolacePetscCall(DMDAVecRestoreArray(pde->da, pde->b, &rhs));
  SolacePetscCall(MatAssemblyBegin(pde->A, MAT_FINAL_ASSEMBLY));
  SolacePetscCall(MatAssemblyEnd(pde->A, MAT_FINAL_ASSEMBLY));
  SolacePetscCall(MatSetOption(pde->A, MAT_SPD, PETSC_TRUE));
  return SOLACE_SUCCESS;
}

/* The output's boundary is g; slot nodes are exactly 0. */
static int heat_boundary(solace_pde pde, const double *input, const double *params,
                         double *output) {
  (void)input;
  int slot = 1;
  SolaceCall(slot_on(pde, &slot));
  int64_t n = pde->n;
  double h = 1.0 / (double)(n - 1);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++)
      if (solace_on_boundary(n, i, j))
        output[solace_grid_index(n, i, j)] =
            solace_pde_polynomial(params, SOLACE_HEAT_DEGREE, (double)i * h, (double)j * h);
      else if (slot && solace_heat_in_slot(n, i, j))
        output[solace_grid_index(n, i, j)] = 0.0;
  return SOLACE_SUCCESS;
}

const solace_pde_ops solace_heat_ops = {
    .name = "heat",
    .discretization = "5-point finite differences, nodes x_i = i/(n-1), Dirichlet data on the "
                      "boundary nodes, insulated slot 5|2i-(n-1)| <= n-1, 3(n-1) <= 10j <= "
                      "7(n-1): identity rows, fluid-slot faces omitted",
    .nparams = SOLACE_HEAT_NCOEFS,
    .sample = heat_sample,
    .check_input = heat_check_input,
    .assemble = heat_assemble,
    .boundary = heat_boundary,
};

/* One option: "slot" = 1 (insulated slot present) or 0 (plain square). */
int solace_heat_setup(solace_pde pde) {
  SolaceCall(solace_pde_add_real(pde, "slot", 1.0));
  return SOLACE_SUCCESS;
}
