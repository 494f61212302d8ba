/* Assertion helper for tests that call PETSc directly. */
#ifndef SOLACE_TEST_PETSC_H
#define SOLACE_TEST_PETSC_H

#include <petscsys.h>

#include "test-util.h"

/* Fails the test and returns 1 from the calling function if a PETSc call fails. */
#define CHECK(expr)                                                                                \
  do {                                                                                             \
    PetscErrorCode check_code_ = (expr);                                                           \
    if (check_code_) {                                                                             \
      fprintf(stderr, "%s:%d: %s failed with PETSc error %d\n", __FILE__, __LINE__, #expr,         \
              (int)check_code_);                                                                   \
      test_failures++;                                                                             \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

#endif
