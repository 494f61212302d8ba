/* Error paths of the generate.h and pde.h getters: a clear status and message, never a crash;
 * a job run without an output file, or over a foreign file, fails on every rank alike. */
#include <string.h>

#include "test-util.h"

/* Bad arguments to the job's setters. */
static int check_job_arguments(solace_pde pde) {
  solace_generate gen = NULL;
  TEST_FAILS_WITH(solace_generate_create(pde, 0, 1, &gen), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_create(pde, -4, 1, &gen), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_create(NULL, 4, 1, &gen), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_create(pde, 4, 1, NULL), SOLACE_ERR_ARG);
  TEST_ASSERT(gen == NULL, "a failed create left a handle");
  TEST_CALL(solace_generate_create(pde, 3, 1, &gen));
  TEST_FAILS_WITH(solace_generate_set_output(gen, NULL, SOLACE_STORE_CREATE), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_output(gen, "", SOLACE_STORE_CREATE), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_output(gen, "x.h5", 7), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_progress(gen, 9), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_compression(gen, 10), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_compression(gen, -1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_sort(gen, 4), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_sort(NULL, SOLACE_SKR_SORT_GREEDY), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_solver(gen, 2), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_solver(gen, -1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_solver(NULL, SOLACE_GENERATE_SOLVER_SKR), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_warm_start(NULL, 1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_set_keep_unconverged(NULL, 1), SOLACE_ERR_ARG);
  int64_t unconverged = -1;
  TEST_FAILS_WITH(solace_generate_get_unconverged(NULL, &unconverged), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_get_unconverged(gen, NULL), SOLACE_ERR_ARG);
  TEST_CALL(solace_generate_get_unconverged(gen, &unconverged));
  TEST_ASSERT(unconverged == 0, "a job that never ran reports %lld unconverged",
              (long long)unconverged);
  TEST_FAILS_WITH(solace_generate_run(gen), SOLACE_ERR_STATE); /* no output file yet */
  TEST_FAILS_WITH(solace_generate_run(NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_generate_get_summary(NULL, NULL, NULL, NULL, NULL, NULL), SOLACE_ERR_ARG);
  /* a foreign file is refused and the job reports it */
  FILE *f = fopen("generate-args-foreign.h5", "w");
  fputs("not HDF5\n", f), fclose(f);
  TEST_CALL(solace_generate_set_output(gen, "generate-args-foreign.h5", SOLACE_STORE_RESUME));
  TEST_CALL(solace_generate_set_progress(gen, SOLACE_PROGRESS_SILENT));
  TEST_FAILS_WITH(solace_generate_run(gen), SOLACE_ERR_FORMAT);
  remove("generate-args-foreign.h5");
  TEST_CALL(solace_generate_destroy(&gen));
  TEST_CALL(solace_generate_destroy(&gen));
  TEST_CALL(solace_generate_destroy(NULL));
  return 0;
}

/* Bad arguments to the family's getters and the options database. */
static int check_pde_getters(solace_pde pde) {
  char small[3], name[32], pc[32];
  int ndim;
  int64_t grid[3], nparams;
  double rtol;
  TEST_FAILS_WITH(solace_options_insert(NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_options_mark_used(NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_options_mark_used("count"), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_options_unused(NULL, 8, &nparams), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_options_unused(name, 2, &nparams), SOLACE_ERR_ARG);
  TEST_CALL(solace_options_insert("-never_read_option 1"));
  TEST_CALL(solace_options_unused(name, sizeof name, &nparams));
  TEST_ASSERT(nparams >= 1 && strstr(name, "-never_read_option"), "unused: %lld '%s'",
              (long long)nparams, name);
  TEST_CALL(solace_options_mark_used("-never_read_option"));
  TEST_FAILS_WITH(solace_pde_get_family(pde, small, sizeof small), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_get_family(pde, NULL, 8), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_get_grid(pde, NULL, grid), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_get_nparams(NULL, &nparams), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_get_solver(pde, name, pc, sizeof name, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_get_solver(pde, small, pc, sizeof small, &rtol), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_get_real(pde, "alpha", NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_get_real(pde, "beta", &rtol), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_set_distributed(NULL, 1), SOLACE_ERR_ARG);
  TEST_CALL(solace_pde_get_family(pde, name, sizeof name));
  TEST_CALL(solace_pde_get_grid(pde, &ndim, grid));
  TEST_ASSERT(!strcmp(name, "darcy") && ndim == 2 && grid[0] == 9 && grid[1] == 9 && grid[2] == 1,
              "family %s, grid %d: %lld %lld %lld", name, ndim, (long long)grid[0],
              (long long)grid[1], (long long)grid[2]);
  return 0;
}

int main(int argc, char **argv) {
  solace_pde pde;
  TEST_CALL(solace_initialize(&argc, &argv));
  TEST_CALL(solace_pde_create("darcy", 9, &pde));
  if (check_job_arguments(pde) || check_pde_getters(pde)) return 1;
  TEST_CALL(solace_pde_destroy(&pde));
  TEST_CALL(solace_finalize());
  return test_finish("generate-args");
}
