/* solace_mpi_rank/size give 0 and 1 without MPI, MPI_COMM_WORLD's rank and size between
 * solace_initialize and solace_finalize (run on 2 ranks), and 0 and 1 again after it. */
#include <mpi.h>

#include "test-util.h"

/* Checks solace_mpi_rank/size against the expected values. */
static void check_rank_size(int rank, int size, const char *when) {
  int r = -1, s = -1;
  TEST_ASSERT(solace_mpi_rank(&r) == SOLACE_SUCCESS && solace_mpi_size(&s) == SOLACE_SUCCESS,
              "solace_mpi_rank/size failed %s", when);
  TEST_ASSERT(r == rank && s == size, "%s: rank %d size %d, expected %d and %d", when, r, s, rank,
              size);
}

int main(void) {
  int rank = -1, size = -1, rank_sum = -1;
  check_rank_size(0, 1, "before MPI");
  TEST_CALL(solace_initialize(NULL, NULL));
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  TEST_ASSERT(size == 2, "run on %d ranks, this test expects 2", size);
  check_rank_size(rank, size, "with MPI");
  /* The two ranks are told apart: 0 + 1. */
  int solace_rank = -1;
  solace_mpi_rank(&solace_rank);
  MPI_Allreduce(&solace_rank, &rank_sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  TEST_ASSERT(rank_sum == 1, "ranks sum to %d", rank_sum);
  TEST_CALL(solace_finalize());
  check_rank_size(0, 1, "after MPI_Finalize");
  TEST_FAILS_WITH(solace_mpi_rank(NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_mpi_size(NULL), SOLACE_ERR_ARG);
  return test_finish("core-mpi-rank");
}
