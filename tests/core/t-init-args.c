/* solace_initialize rejects an argc without argv and an argv without argc, and starts nothing. */
#include <mpi.h>
#include <string.h>

#include "test-util.h"

int main(int argc, char **argv) {
  int mpi = 0, solace = 0;
  TEST_FAILS_WITH(solace_initialize(NULL, &argv), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "solace_initialize"), "message \"%s\"",
              solace_error_message());
  TEST_FAILS_WITH(solace_initialize(&argc, NULL), SOLACE_ERR_ARG);

  /* The failed calls left nothing half-started. */
  MPI_Initialized(&mpi);
  TEST_CALL(solace_initialized(&solace));
  TEST_ASSERT(!mpi && !solace, "after failures: MPI %d, solace %d", mpi, solace);
  return test_finish("core-init-args");
}
