/* Library initialization: MPI and PETSc are started (and later finalized) only if the caller has
 * not started them, and PETSc's error handler is made to return instead of abort. */
#include "solace-impl.h"
#include "solace/petsc.h"

#include <cblas.h>
#include <mpi.h>
#include <petscsys.h>
#include <time.h>

static int owns_mpi, owns_petsc, is_initialized;

/* PETSc must never abort or print on Solace's behalf: errors come back as codes. */
static int quiet_petsc_errors(void) {
  SolacePetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  return SOLACE_SUCCESS;
}

static int start_mpi(int *argc, char ***argv) {
  int mpi_started = 0;
  MPI_Initialized(&mpi_started);
  if (mpi_started) return SOLACE_SUCCESS;
  int code = (argc && argv) ? MPI_Init(argc, argv) : MPI_Init(NULL, NULL);
  SolaceCheck(code == MPI_SUCCESS, SOLACE_ERR_BACKEND, "MPI_Init failed with code %d", code);
  owns_mpi = 1;
  return SOLACE_SUCCESS;
}

static int start_petsc(int *argc, char ***argv) {
  PetscBool petsc_started = PETSC_FALSE;
  SolacePetscCall(PetscInitialized(&petsc_started));
  if (petsc_started) return SOLACE_SUCCESS;
  /* A library must leave the caller's signal handlers alone. */
  SolacePetscCall(PetscOptionsSetValue(NULL, "-no_signal_handler", NULL));
  int code =
      (argc && argv) ? PetscInitialize(argc, argv, NULL, NULL) : PetscInitializeNoArguments();
  SolaceCheck(code == 0, SOLACE_ERR_BACKEND, "PetscInitialize failed with code %d", code);
  owns_petsc = 1;
  return SOLACE_SUCCESS;
}

int solace_initialize(int *argc, char ***argv) {
  solace_error_clear();
  if (is_initialized) return SOLACE_SUCCESS;
  SolaceCheck((argc == NULL) == (argv == NULL), SOLACE_ERR_ARG,
              "argc and argv must both be NULL or both be given");
  SolaceCall(start_mpi(argc, argv));
  SolaceCall(start_petsc(argc, argv));
  SolaceCall(quiet_petsc_errors());
  SolacePetscCall(SolacePetscRegisterAll());
  is_initialized = 1;
  return SOLACE_SUCCESS;
}

int solace_finalize(void) {
  solace_error_clear();
  if (!is_initialized) return SOLACE_SUCCESS;
  PetscPopErrorHandler();
  is_initialized = 0;
  if (owns_petsc) {
    owns_petsc = 0;
    SolacePetscCall(PetscFinalize());
  }
  if (owns_mpi) {
    owns_mpi = 0;
    int code = MPI_Finalize();
    SolaceCheck(code == MPI_SUCCESS, SOLACE_ERR_BACKEND, "MPI_Finalize failed with code %d", code);
  }
  return SOLACE_SUCCESS;
}

int solace_initialized(int *initialized) {
  SolaceCheckNotNull(initialized);
  *initialized = is_initialized;
  return SOLACE_SUCCESS;
}

/* True while MPI can be called (initialized and not finalized). */
static int mpi_usable(void) {
  int started = 0, finished = 0;
  MPI_Initialized(&started);
  MPI_Finalized(&finished);
  return started && !finished;
}

int solace_mpi_rank(int *rank) {
  SolaceCheckNotNull(rank);
  *rank = 0;
  if (mpi_usable()) MPI_Comm_rank(MPI_COMM_WORLD, rank);
  return SOLACE_SUCCESS;
}

int solace_mpi_size(int *size) {
  SolaceCheckNotNull(size);
  *size = 1;
  if (mpi_usable()) MPI_Comm_size(MPI_COMM_WORLD, size);
  return SOLACE_SUCCESS;
}

int solace_version(int *major, int *minor, int *patch) {
  SolaceCheck(major && minor && patch, SOLACE_ERR_ARG, "major, minor and patch must not be NULL");
  *major = SOLACE_VERSION_MAJOR;
  *minor = SOLACE_VERSION_MINOR;
  *patch = SOLACE_VERSION_PATCH;
  return SOLACE_SUCCESS;
}

double solace_wtime(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

int solace_set_blas_threads(int threads) {
  solace_error_clear();
  SolaceCheck(threads >= 1, SOLACE_ERR_ARG, "BLAS threads = %d must be at least 1", threads);
  openblas_set_num_threads(threads);
  return SOLACE_SUCCESS;
}
