/* A Darcy system spread over 2 ranks (DMDA split, CG + block Jacobi) against the same system
 * solved whole on each rank (CG + ICC). Both at rtol 1e-12; the bound cond(A) * rtol < 1e-7
 * (see t-darcy-lu.c) gives the tolerance on the relative max-norm difference. */
#include "test-util.h"

enum { N = 48 };

int main(int argc, char **argv) {
  static double input[N * N], whole[N * N], split[N * N];
  solace_pde serial, distributed;
  int size;
  TEST_CALL(solace_initialize(&argc, &argv));
  TEST_CALL(solace_mpi_size(&size));
  TEST_ASSERT(size == 2, "run with 2 ranks, got %d", size);
  TEST_CALL(solace_options_insert("-ksp_rtol 1e-12"));
  TEST_CALL(solace_pde_create("darcy", N, &serial));
  TEST_CALL(solace_pde_create("darcy", N, &distributed));
  TEST_CALL(solace_pde_set_distributed(distributed, 1));
  TEST_CALL(solace_pde_sample(serial, 3, 11, input, NULL));
  TEST_CALL(solace_pde_solve(serial, input, NULL, whole, NULL, NULL));
  TEST_CALL(solace_pde_solve(distributed, input, NULL, split, NULL, NULL));
  double diff = 0, scale = 0;
  for (int k = 0; k < N * N; k++) {
    diff = fmax(diff, fabs(whole[k] - split[k]));
    scale = fmax(scale, fabs(whole[k]));
  }
  TEST_ASSERT(diff / scale < 1e-7, "distributed solve differs by %.3e", diff / scale);
  solace_pde_destroy(&serial);
  solace_pde_destroy(&distributed);
  TEST_CALL(solace_finalize());
  return test_finish("pde-darcy-distributed");
}
