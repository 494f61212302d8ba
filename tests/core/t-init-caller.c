/* When the caller started MPI and PETSc itself, solace_initialize uses them and solace_finalize
 * leaves them running for the caller to finalize. */
#include <mpi.h>
#include <petscvec.h>

#include "test-util.h"

int main(int argc, char **argv) {
  PetscBool petsc = PETSC_FALSE;
  int mpi = 0, mpi_done = 1, solace = 0;
  MPI_Init(&argc, &argv);
  if (PetscInitialize(&argc, &argv, NULL, NULL)) return 1;

  TEST_CALL(solace_initialize(&argc, &argv));
  TEST_CALL(solace_initialized(&solace));
  TEST_ASSERT(solace == 1, "solace_initialized gives %d", solace);
  TEST_CALL(solace_finalize());

  /* Solace is finalized; PETSc and MPI are still the caller's and still running. */
  TEST_CALL(solace_initialized(&solace));
  PetscInitialized(&petsc);
  MPI_Initialized(&mpi);
  MPI_Finalized(&mpi_done);
  TEST_ASSERT(solace == 0, "solace_initialized gives %d after finalize", solace);
  TEST_ASSERT(petsc == PETSC_TRUE, "solace_finalize finalized the caller's PETSc");
  TEST_ASSERT(mpi && !mpi_done, "solace_finalize finalized the caller's MPI");

  /* PETSc still works for the caller. */
  Vec v;
  PetscReal norm = 0;
  TEST_ASSERT(!VecCreateSeq(PETSC_COMM_SELF, 4, &v) && !VecSet(v, 2.0) &&
                  !VecNorm(v, NORM_2, &norm) && !VecDestroy(&v),
              "PETSc unusable after solace_finalize");
  TEST_NEAR(norm, 4.0, 1e-14);

  int failed = test_finish("core-init-caller");
  PetscFinalize();
  MPI_Finalize();
  return failed;
}
