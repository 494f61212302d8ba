/* Conversion of PETSc, HDF5, LAPACK and SUNDIALS failures into Solace status codes. */
#include "solace-impl.h"

#include <hdf5.h>
#include <petscsys.h>
#include <string.h>

int solace_error_petsc(int petsc_code, const char *func, const char *expr) {
  const char *text = NULL;
  char *specific = NULL;
  PetscErrorMessage((PetscErrorCode)petsc_code, &text, &specific);
  return solace_error_set(SOLACE_ERR_BACKEND, func, "PETSc error %d in %s: %s%s%s", petsc_code,
                          expr, text ? text : "unknown error", specific ? ": " : "",
                          specific ? specific : "");
}

/* Remembers the innermost (first) entry of the HDF5 error stack. */
static herr_t keep_innermost(unsigned n, const H5E_error2_t *entry, void *data) {
  char *out = data;
  if (n == 0 && entry->desc)
    snprintf(out, 512, "%s (%s)", entry->desc, entry->func_name ? entry->func_name : "?");
  return 0;
}

int solace_error_hdf5(int code, const char *func, const char *what) {
  char innermost[512] = "no HDF5 message";
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, innermost);
  H5Eclear2(H5E_DEFAULT);
  return solace_error_set(code, func, "%s: HDF5: %s", what, innermost);
}

int solace_error_lapack(int info, const char *routine, const char *func) {
  if (info < 0)
    return solace_error_set(SOLACE_ERR_ARG, func, "%s: argument %d had an illegal value", routine,
                            -info);
  return solace_error_set(SOLACE_ERR_BACKEND, func,
                          "%s: info = %d (singular factor or no convergence at index %d)", routine,
                          info, info);
}

int solace_error_sundials(int flag, const char *flag_name, const char *func) {
  return solace_error_set(SOLACE_ERR_BACKEND, func, "SUNDIALS returned %d (%s)", flag,
                          flag_name ? flag_name : "unknown flag");
}
