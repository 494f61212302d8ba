/* After solace_initialize a failing PETSc call comes back as SOLACE_ERR_BACKEND with PETSc's
 * message (through SolacePetscCall) instead of aborting the process. */
#include <petscmat.h>
#include <string.h>

#include "solace-impl.h"
#include "test-util.h"

/* Adds a 3-vector to a 4-vector: PETSc rejects the sizes. Cleans up on the error path. */
static int add_mismatched_vectors(void) {
  int status = SOLACE_SUCCESS;
  Vec x = NULL, y = NULL;
  SolacePetscCallGoto(status, done, VecCreateSeq(PETSC_COMM_SELF, 3, &x));
  SolacePetscCallGoto(status, done, VecCreateSeq(PETSC_COMM_SELF, 4, &y));
  SolacePetscCallGoto(status, done, VecAXPY(y, 1.0, x));
done:
  VecDestroy(&x);
  VecDestroy(&y);
  return status;
}

/* Multiplies a 2x3 matrix by a 2-vector: PETSc rejects the sizes. */
static int multiply_mismatched(void) {
  int status = SOLACE_SUCCESS;
  Mat A = NULL;
  Vec x = NULL, y = NULL;
  SolacePetscCallGoto(status, done, MatCreateSeqDense(PETSC_COMM_SELF, 2, 3, NULL, &A));
  SolacePetscCallGoto(status, done, MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  SolacePetscCallGoto(status, done, MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  SolacePetscCallGoto(status, done, VecCreateSeq(PETSC_COMM_SELF, 2, &x));
  SolacePetscCallGoto(status, done, VecCreateSeq(PETSC_COMM_SELF, 2, &y));
  SolacePetscCallGoto(status, done, MatMult(A, x, y));
done:
  MatDestroy(&A);
  VecDestroy(&x);
  VecDestroy(&y);
  return status;
}

/* The early-return form: an option whose value is not an integer. */
static int read_bad_integer_option(void) {
  PetscInt n = 0;
  PetscBool set = PETSC_FALSE;
  SolacePetscCall(PetscOptionsSetValue(NULL, "-solace_test_n", "abc"));
  SolacePetscCall(PetscOptionsGetInt(NULL, NULL, "-solace_test_n", &n, &set));
  return SOLACE_SUCCESS;
}

/* A failure is BACKEND, names PETSc, the failing function and call, and is not an abort. */
static void check_backend_error(int status, const char *func, const char *call) {
  const char *m = solace_error_message();
  TEST_ASSERT(status == SOLACE_ERR_BACKEND, "%s returned %s (%s)", func,
              solace_status_string(status), m);
  TEST_ASSERT(strstr(m, "PETSc") && strstr(m, func) && strstr(m, call),
              "message \"%s\" lacks PETSc, %s or %s", m, func, call);
  printf("%s\n", m); /* for the log */
  solace_error_clear();
}

int main(void) {
  TEST_CALL(solace_initialize(NULL, NULL));
  check_backend_error(add_mismatched_vectors(), "add_mismatched_vectors", "VecAXPY");
  check_backend_error(multiply_mismatched(), "multiply_mismatched", "MatMult");
  check_backend_error(read_bad_integer_option(), "read_bad_integer_option", "PetscOptionsGetInt");
  /* The process carries on and PETSc is still usable. */
  Vec v;
  PetscReal norm = 0;
  TEST_ASSERT(!VecCreateSeq(PETSC_COMM_SELF, 9, &v) && !VecSet(v, 1.0) &&
                  !VecNorm(v, NORM_2, &norm) && !VecDestroy(&v),
              "PETSc unusable after the errors");
  TEST_NEAR(norm, 3.0, 1e-14);
  TEST_CALL(solace_finalize());
  return test_finish("core-backend-petsc");
}
