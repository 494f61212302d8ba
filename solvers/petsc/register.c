/* SolacePetscRegisterAll: makes every PETSc type of Solace's kernels known to PETSc. Each kernel
 * registers its own types; this file only gathers them, so no kernel reaches into another. */
#include "solace/petsc.h"

#include <petsc/private/kspimpl.h>

/* The kernels' registration functions (solvers/skr, solvers/dcdm). */
PETSC_INTERN PetscErrorCode SolaceGCRODRRegister(void);
PETSC_INTERN PetscErrorCode SolaceKSPCreate_DCDM(KSP ksp);

static PetscBool registered = PETSC_FALSE;

/* PETSc empties its KSP list at PetscFinalize; register again after a new PetscInitialize. */
static PetscErrorCode forget_registration(void) {
  PetscFunctionBegin;
  registered = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode SolacePetscRegisterAll(void) {
  PetscFunctionBegin;
  if (registered) PetscFunctionReturn(0);
  PetscCall(KSPInitializePackage());
  PetscCall(SolaceGCRODRRegister());
  PetscCall(KSPRegister(SOLACE_KSPDCDM, SolaceKSPCreate_DCDM));
  PetscCall(PetscRegisterFinalize(forget_registration));
  registered = PETSC_TRUE;
  PetscFunctionReturn(0);
}
