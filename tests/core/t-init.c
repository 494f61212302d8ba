/* solace_initialize(NULL, NULL) in a program that has not started MPI starts MPI and PETSc, a
 * second call is harmless, and solace_finalize finalizes both. */
#include <mpi.h>
#include <petscsys.h>

#include "test-util.h"

/* Reads the three "is it running" flags: Solace, MPI and PETSc. */
static void get_state(int *solace, int *mpi, int *petsc) {
  PetscBool petsc_flag = PETSC_FALSE;
  TEST_ASSERT(solace_initialized(solace) == SOLACE_SUCCESS, "solace_initialized failed");
  MPI_Initialized(mpi);
  PetscInitialized(&petsc_flag);
  *petsc = petsc_flag == PETSC_TRUE;
}

int main(void) {
  int solace, mpi, petsc, mpi_done = 0;
  get_state(&solace, &mpi, &petsc);
  TEST_ASSERT(!solace && !mpi && !petsc, "before: solace %d, MPI %d, PETSc %d", solace, mpi, petsc);

  TEST_CALL(solace_initialize(NULL, NULL));
  get_state(&solace, &mpi, &petsc);
  TEST_ASSERT(solace && mpi && petsc, "after initialize: solace %d, MPI %d, PETSc %d", solace, mpi,
              petsc);

  /* A second call changes nothing (and a later single finalize still finalizes everything). */
  TEST_CALL(solace_initialize(NULL, NULL));
  get_state(&solace, &mpi, &petsc);
  TEST_ASSERT(solace && mpi && petsc, "after a second initialize: solace %d, MPI %d, PETSc %d",
              solace, mpi, petsc);

  TEST_CALL(solace_finalize());
  get_state(&solace, &mpi, &petsc);
  MPI_Finalized(&mpi_done);
  TEST_ASSERT(!solace && !petsc && mpi_done, "after finalize: solace %d, PETSc %d, MPI done %d",
              solace, petsc, mpi_done);

  /* Finalizing again is harmless too. */
  TEST_CALL(solace_finalize());
  return test_finish("core-init");
}
