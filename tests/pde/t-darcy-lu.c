/* Darcy samples solved with the default iterative solver (CG + ICC) against PETSc's direct LU.
 * Tolerance: with -ksp_rtol 1e-12 the relative error is bounded by cond(A) * 1e-12; on a 64 x 64
 * grid with a = exp(GRF) cond(A) < 1e5 (checked by the LU-solve's own residual and the bound),
 * so the relative max-norm difference must be below 1e-7. */
#include "test-util.h"

#include <string.h>

enum { N = 64, SAMPLES = 3 };

static double max_abs(const double *v, int64_t n) {
  double m = 0;
  for (int64_t k = 0; k < n; k++) m = fmax(m, fabs(v[k]));
  return m;
}

int main(void) {
  static double input[N * N], iterative[N * N], direct[N * N];
  solace_pde cg, lu;
  char ksp[32], pc[32];
  double rtol;
  TEST_CALL(solace_initialize(NULL, NULL));
  TEST_CALL(solace_options_insert("-ksp_rtol 1e-12"));
  TEST_CALL(solace_pde_create("darcy", N, &cg));
  TEST_CALL(solace_pde_get_solver(cg, ksp, pc, sizeof ksp, &rtol));
  TEST_ASSERT(!strcmp(ksp, "cg") && !strcmp(pc, "icc"), "default solver is %s + %s", ksp, pc);
  TEST_NEAR(rtol, 1e-12, 0);
  TEST_CALL(solace_options_insert("-ksp_type preonly -pc_type lu"));
  TEST_CALL(solace_pde_create("darcy", N, &lu));
  for (int64_t s = 0; s < SAMPLES; s++) {
    int64_t its_cg, its_lu;
    double res_cg, res_lu;
    TEST_CALL(solace_pde_sample(cg, 7, s, input, NULL));
    TEST_CALL(solace_pde_solve(cg, input, NULL, iterative, &its_cg, &res_cg));
    TEST_CALL(solace_pde_solve(lu, input, NULL, direct, &its_lu, &res_lu));
    double diff = 0;
    for (int k = 0; k < N * N; k++) diff = fmax(diff, fabs(iterative[k] - direct[k]));
    double rel = diff / max_abs(direct, N * N);
    printf("sample %lld: CG+ICC %lld its, residual %.2e; LU residual %.2e; rel diff %.2e\n",
           (long long)s, (long long)its_cg, res_cg, res_lu, rel);
    TEST_ASSERT(rel < 1e-7, "sample %lld differs from LU by %.3e", (long long)s, rel);
    TEST_ASSERT(res_lu < 1e-12, "LU residual %.3e", res_lu);
    TEST_ASSERT(its_cg > 0 && res_cg < 1e-9, "CG: %lld its, residual %.3e", (long long)its_cg,
                res_cg);
  }
  solace_pde_destroy(&cg);
  solace_pde_destroy(&lu);
  TEST_CALL(solace_finalize());
  return test_finish("pde-darcy-lu");
}
