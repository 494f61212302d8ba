/* Darcy flow -div(a grad u) = f on the unit square, Dirichlet boundary, conservative 5-point
 * finite differences with harmonic-mean face coefficients (symmetric positive definite). */
#include "pde-impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Harmonic mean of two positive node coefficients: the face coefficient between them. */
static inline double face(double a, double b) {
  return 2.0 * a * b / (a + b);
}

/* One row of the operator at interior node (i, j): neighbours, their face coefficients. */
typedef struct {
  int64_t ni[4], nj[4];
  double coef[4];
} darcy_row;

static void darcy_row_at(int64_t n, const double *a, int64_t i, int64_t j, darcy_row *row) {
  const int64_t di[4] = {-1, 1, 0, 0}, dj[4] = {0, 0, -1, 1};
  double h2 = 1.0 / (double)((n - 1) * (n - 1));
  double center = a[solace_grid_index(n, i, j)];
  for (int s = 0; s < 4; s++) {
    row->ni[s] = i + di[s];
    row->nj[s] = j + dj[s];
    row->coef[s] = face(center, a[solace_grid_index(n, row->ni[s], row->nj[s])]) / h2;
  }
}

int solace_darcy_assemble_matrix(DM da, int64_t n, const double *a, Mat A) {
  PetscInt xs, ys, xm, ym;
  SolacePetscCall(DMDAGetCorners(da, &xs, &ys, NULL, &xm, &ym, NULL));
  SolacePetscCall(MatZeroEntries(A));
  for (PetscInt jj = ys; jj < ys + ym; jj++) {
    for (PetscInt ii = xs; ii < xs + xm; ii++) {
      darcy_row row;
      darcy_row_at(n, a, ii + 1, jj + 1, &row);
      MatStencil me = {.i = ii, .j = jj}, cols[5];
      PetscScalar vals[5];
      PetscInt ncols = 1;
      cols[0] = me;
      vals[0] = row.coef[0] + row.coef[1] + row.coef[2] + row.coef[3];
      for (int s = 0; s < 4; s++) {
        if (solace_on_boundary(n, row.ni[s], row.nj[s])) continue;
        cols[ncols] = (MatStencil){.i = (PetscInt)row.ni[s] - 1, .j = (PetscInt)row.nj[s] - 1};
        vals[ncols++] = -row.coef[s];
      }
      SolacePetscCall(MatSetValuesStencil(A, 1, &me, ncols, cols, vals, INSERT_VALUES));
    }
  }
  SolacePetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  SolacePetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  SolacePetscCall(MatSetOption(A, MAT_SPD, PETSC_TRUE));
  return SOLACE_SUCCESS;
}

int solace_darcy_assemble_rhs(DM da, int64_t n, const double *a, const double *f, const double *g,
                              Vec b) {
  PetscInt xs, ys, xm, ym;
  PetscScalar **rhs;
  SolacePetscCall(DMDAGetCorners(da, &xs, &ys, NULL, &xm, &ym, NULL));
  SolacePetscCall(DMDAVecGetArray(da, b, &rhs));
  for (PetscInt jj = ys; jj < ys + ym; jj++) {
    for (PetscInt ii = xs; ii < xs + xm; ii++) {
      darcy_row row;
      darcy_row_at(n, a, ii + 1, jj + 1, &row);
      double value = f[solace_grid_index(n, ii + 1, jj + 1)];
      for (int s = 0; s < 4; s++)
        if (g && solace_on_boundary(n, row.ni[s], row.nj[s]))
          value += row.coef[s] * g[solace_grid_index(n, row.ni[s], row.nj[s])];
      rhs[jj][ii] = value;
    }
  }
  SolacePetscCall(DMDAVecRestoreArray(da, b, &rhs));
  return SOLACE_SUCCESS;
}

/* Draws a = exp(g) or the two-valued threshold of g, g a Gaussian random field. */
static int darcy_sample(solace_pde pde, uint64_t seed, int64_t index, double *input,
                        double *params) {
  (void)params;
  double high, low;
  SolaceCall(solace_pde_real(pde, "coef_high", &high));
  SolaceCall(solace_pde_real(pde, "coef_low", &low));
  SolaceCall(solace_grf_sample(pde->grf, seed, (uint64_t)index, input));
  int threshold = strcmp(pde->coefficient, "threshold") == 0;
  for (int64_t k = 0; k < pde->n * pde->n; k++)
    input[k] = threshold ? (input[k] >= 0 ? high : low) : exp(input[k]);
  return SOLACE_SUCCESS;
}

/* The coefficient must be finite and positive at every node. */
static int darcy_check_input(solace_pde pde, const double *input, const double *params) {
  (void)params;
  for (int64_t k = 0; k < pde->n * pde->n; k++)
    SolaceCheck(isfinite(input[k]) && input[k] > 0, SOLACE_ERR_ARG,
                "coefficient input[%lld] = %g at node (%lld, %lld) is not finite and positive",
                (long long)k, input[k], (long long)(k % pde->n), (long long)(k / pde->n));
  return SOLACE_SUCCESS;
}

static int darcy_assemble(solace_pde pde, const double *input, const double *params) {
  (void)params;
  double source;
  SolaceCall(solace_pde_real(pde, "source", &source));
  for (int64_t k = 0; k < pde->n * pde->n; k++) pde->scratch[k] = source;
  SolaceCall(solace_darcy_assemble_matrix(pde->da, pde->n, input, pde->A));
  SolaceCall(solace_darcy_assemble_rhs(pde->da, pde->n, input, pde->scratch, NULL, pde->b));
  return SOLACE_SUCCESS;
}

/* Homogeneous Dirichlet data: the boundary of the output is zero. */
static int darcy_boundary(solace_pde pde, const double *input, const double *params,
                          double *output) {
  (void)input, (void)params;
  for (int64_t j = 0; j < pde->n; j++)
    for (int64_t i = 0; i < pde->n; i++)
      if (solace_on_boundary(pde->n, i, j)) output[solace_grid_index(pde->n, i, j)] = 0.0;
  return SOLACE_SUCCESS;
}

const solace_pde_ops solace_darcy_ops = {
    .name = "darcy",
    .discretization = "conservative 5-point finite differences, harmonic-mean face "
                      "coefficients, nodes x_i = i/(n-1)",
    .nparams = 0,
    .sample = darcy_sample,
    .check_input = darcy_check_input,
    .assemble = darcy_assemble,
    .boundary = darcy_boundary,
};

int solace_darcy_setup(solace_pde pde) {
  SolaceCall(solace_pde_add_real(pde, "alpha", 2.5));
  SolaceCall(solace_pde_add_real(pde, "tau", 7.0));
  SolaceCall(solace_pde_add_real(pde, "source", 1.0));
  SolaceCall(solace_pde_add_real(pde, "coef_high", 12.0));
  SolaceCall(solace_pde_add_real(pde, "coef_low", 3.0));
  snprintf(pde->coefficient, sizeof pde->coefficient, "exp");
  return SOLACE_SUCCESS;
}
