/* Helmholtz -div(a grad u) - k^2 u = f on the unit square, u = 0 on the boundary (the SKR
 * benchmark): the Darcy coefficient field and discretization minus k^2 on the diagonal, k drawn
 * U(0, kmax) per sample. Symmetric; indefinite once k^2 exceeds the smallest eigenvalue of the
 * Darcy operator, so the family's default solver is GMRES(40) + ILU, not CG + ICC. */
#include "pde-impl.h"

#include <math.h>

/* Position of sample i's uniform for k in Philox stream i. The Gaussian field's N = n*n normals
 * use the uniforms at positions 0..N (Box-Muller pairs); starting at 2 N keeps k's draw disjoint
 * from them with room to spare. */
static uint64_t k_offset(int64_t n) {
  return 2 * (uint64_t)n * (uint64_t)n;
}

/* The coefficient exactly as darcy draws it (same field, options and stream positions), then
 * k = kmax U(0,1). */
static int helmholtz_sample(solace_pde pde, uint64_t seed, int64_t index, double *input,
                            double *params) {
  double kmax, u;
  SolaceCall(solace_pde_real(pde, "kmax", &kmax));
  SolaceCheck(kmax >= 0, SOLACE_ERR_ARG, "option kmax = %g is negative", kmax);
  SolaceCall(solace_darcy_ops.sample(pde, seed, index, input, NULL));
  SolaceCall(solace_rand_uniform(seed, (uint64_t)index, k_offset(pde->n), 1, &u));
  params[0] = kmax * u;
  return SOLACE_SUCCESS;
}

/* A finite positive coefficient field (darcy's check) and a finite k >= 0. */
static int helmholtz_check_input(solace_pde pde, const double *input, const double *params) {
  SolaceCheck(isfinite(params[0]) && params[0] >= 0, SOLACE_ERR_ARG,
              "wavenumber params[0] = k = %g is not finite and non-negative", params[0]);
  SolaceCall(solace_darcy_ops.check_input(pde, input, NULL));
  return SOLACE_SUCCESS;
}

/* The Darcy system, then A - k^2 I on the interior unknowns; the SPD flag the Darcy assembly
 * sets is withdrawn (the matrix stays exactly symmetric). */
static int helmholtz_assemble(solace_pde pde, const double *input, const double *params) {
  double k = params[0];
  SolaceCall(solace_darcy_ops.assemble(pde, input, NULL));
  SolacePetscCall(MatShift(pde->A, -k * k));
  SolacePetscCall(MatSetOption(pde->A, MAT_SYMMETRIC, PETSC_TRUE));
  SolacePetscCall(MatSetOption(pde->A, MAT_SPD, PETSC_FALSE));
  return SOLACE_SUCCESS;
}

/* Homogeneous Dirichlet data, as darcy. */
static int helmholtz_boundary(solace_pde pde, const double *input, const double *params,
                              double *output) {
  (void)params;
  SolaceCall(solace_darcy_ops.boundary(pde, input, NULL, output));
  return SOLACE_SUCCESS;
}

const solace_pde_ops solace_helmholtz_ops = {
    .name = "helmholtz",
    .discretization = "conservative 5-point finite differences, harmonic-mean face "
                      "coefficients, minus k^2 on the diagonal, nodes x_i = i/(n-1)",
    .nparams = 1,
    .sample = helmholtz_sample,
    .check_input = helmholtz_check_input,
    .assemble = helmholtz_assemble,
    .boundary = helmholtz_boundary,
    .indefinite = 1,
};

/* Darcy's options ("alpha", "tau", "source", "coef_high", "coef_low", "coefficient"), plus
 * "kmax" = 1 (the SKR paper's k ~ U(0, 1)). */
int solace_helmholtz_setup(solace_pde pde) {
  SolaceCall(solace_darcy_setup(pde));
  SolaceCall(solace_pde_add_real(pde, "kmax", 1.0));
  return SOLACE_SUCCESS;
}
