/* Bad input to the PDE interface: a clear status and message, never a crash. */
#include <string.h>

#include "test-util.h"

enum { N = 16 };

int main(void) {
  static double input[N * N], output[N * N];
  solace_pde pde = NULL;
  TEST_FAILS_WITH(solace_pde_create("darcy", N, &pde), SOLACE_ERR_STATE); /* not initialized */
  TEST_CALL(solace_initialize(NULL, NULL));
  TEST_FAILS_WITH(solace_pde_create("navier-stokes", N, &pde), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_create(NULL, N, &pde), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_create("darcy", 2, &pde), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_create("darcy", -64, &pde), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_create("darcy", 0, &pde), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_create("darcy", N, NULL), SOLACE_ERR_ARG);
  TEST_ASSERT(pde == NULL, "failed create left a handle");
  TEST_CALL(solace_pde_create("darcy", N, &pde));
  TEST_FAILS_WITH(solace_pde_set_real(pde, "viscosity", 1.0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_set_real(pde, "alpha", NAN), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_set_string(pde, "coefficient", "lognormal"), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_sample(pde, 1, -1, input, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_sample(pde, 1, 0, NULL, NULL), SOLACE_ERR_ARG);
  /* alpha = 0.5 makes the random field not square-integrable: refused when sampling. */
  TEST_CALL(solace_pde_set_real(pde, "alpha", 0.5));
  TEST_FAILS_WITH(solace_pde_sample(pde, 1, 0, input, NULL), SOLACE_ERR_ARG);
  TEST_CALL(solace_pde_set_real(pde, "alpha", 2.5));
  TEST_CALL(solace_pde_sample(pde, 1, 0, input, NULL));
  input[37] = NAN;
  TEST_FAILS_WITH(solace_pde_solve(pde, input, NULL, output, NULL, NULL), SOLACE_ERR_ARG);
  input[37] = 0.0;
  TEST_FAILS_WITH(solace_pde_solve(pde, input, NULL, output, NULL, NULL), SOLACE_ERR_ARG);
  input[37] = -1.0;
  TEST_FAILS_WITH(solace_pde_solve(pde, input, NULL, output, NULL, NULL), SOLACE_ERR_ARG);
  input[37] = INFINITY;
  TEST_FAILS_WITH(solace_pde_solve(pde, input, NULL, output, NULL, NULL), SOLACE_ERR_ARG);
  input[37] = 1.0;
  TEST_FAILS_WITH(solace_pde_solve(pde, input, NULL, NULL, NULL, NULL), SOLACE_ERR_ARG);
  TEST_CALL(solace_pde_solve(pde, input, NULL, output, NULL, NULL));
  /* A KSP capped at 2 iterations: not converged, reported, not fatal. */
  solace_pde capped;
  TEST_CALL(solace_options_insert("-ksp_max_it 2"));
  TEST_CALL(solace_pde_create("darcy", N, &capped));
  TEST_FAILS_WITH(solace_pde_solve(capped, input, NULL, output, NULL, NULL),
                  SOLACE_ERR_NOT_CONVERGED);
  TEST_CALL(solace_pde_destroy(&capped));
  /* options prefix and warm start */
  TEST_FAILS_WITH(solace_pde_set_options_prefix(NULL, "a_"), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_set_options_prefix(pde, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_set_options_prefix(pde, ""), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_set_options_prefix(pde, "9lives_"), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_set_options_prefix(pde, "a-b"), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "a-b") != NULL, "%s", solace_error_message());
  TEST_FAILS_WITH(solace_pde_set_warm_start(NULL, 1), SOLACE_ERR_ARG);
  TEST_CALL(solace_options_insert("-quick_ksp_type gmres"));
  TEST_CALL(solace_pde_set_options_prefix(pde, "quick_"));
  char ksp[32], pc[32];
  double rtol;
  TEST_CALL(solace_pde_get_solver(pde, ksp, pc, sizeof ksp, &rtol));
  TEST_ASSERT(!strcmp(ksp, "gmres"), "prefixed -quick_ksp_type gave %s", ksp);
  TEST_CALL(solace_pde_destroy(&pde));
  TEST_ASSERT(pde == NULL, "destroy did not clear the handle");
  TEST_CALL(solace_pde_destroy(&pde));
  TEST_CALL(solace_pde_destroy(NULL));
  TEST_CALL(solace_finalize());
  return test_finish("pde-darcy-bad-input");
}
