/**
 * @file petsc.h
 * @brief Solace's PETSc types, for programs that use PETSc directly.
 *
 * Not part of the language-neutral ABI (solace.h does not include it): these functions take
 * PETSc objects and return PetscErrorCode, like PETSc's own.
 *
 * KSP type "gcrodr": GCRO-DR(m, k) (Parks, de Sturler, Mackey, Johnson and Maiti, SIAM J. Sci.
 * Comput. 28(5), 2006), restarted GMRES that carries a k-dimensional recycle space of harmonic
 * Ritz vectors from each cycle to the next and from each solve to the next. Solving a sequence
 * of related systems with one KSP (KSPSetOperators with each new matrix of the same layout, then
 * KSPSolve) reuses the space: at the first solve with a new operator the recycle space U is
 * re-projected (C = Ahat U, [Q, R] = qr(C), C = Q, U = U R^-1) and the residual is projected
 * onto it before any Arnoldi step. Ahat is the preconditioned operator: left (the default,
 * preconditioned residual norm) or right (unpreconditioned residual norm) preconditioning, any
 * PC. Runs on any communicator. Options:
 *  - `-ksp_gcrodr_restart m`: dimension of the search space of one cycle (default 40);
 *  - `-ksp_gcrodr_recycle k`: recycled dimension, 0 <= k < m (default min(20, m/2)); k = 0 is
 *    GMRES(m);
 *  - `-ksp_gcrodr_reset`: drop the recycle space at the start of every solve (recycling then
 *    only works across the restarts of one solve).
 *
 * The iteration count is the number of Arnoldi steps (one operator application each); the
 * re-projection of the recycle space costs k more applications per new operator. Breakdown
 * (KSP_DIVERGED_BREAKDOWN), a non-finite residual (KSP_DIVERGED_NANORINF, after which the
 * recycle space is dropped), a failed PC and max_it (KSP_DIVERGED_ITS) end the solve through its
 * KSPConvergedReason.
 */
#ifndef SOLACE_PETSC_H
#define SOLACE_PETSC_H

#include "solace/base.h"

#include <petscksp.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The KSP type name of GCRO-DR. */
#define SOLACE_KSPGCRODR "gcrodr"

/** Registers Solace's KSP types with PETSc (solace_initialize() calls it); idempotent. */
SOLACE_EXPORT PetscErrorCode SolacePetscRegisterAll(void);

/** Sets the restart m >= 1 of a gcrodr KSP (other KSP types ignore the call). */
SOLACE_EXPORT PetscErrorCode SolaceKSPGCRODRSetRestart(KSP ksp, PetscInt m);

/** Writes the restart m of a gcrodr KSP. */
SOLACE_EXPORT PetscErrorCode SolaceKSPGCRODRGetRestart(KSP ksp, PetscInt *m);

/** Sets the recycled dimension k >= 0 of a gcrodr KSP; k < m is checked at KSPSetUp(). */
SOLACE_EXPORT PetscErrorCode SolaceKSPGCRODRSetRecycle(KSP ksp, PetscInt k);

/** Writes the recycled dimension k of a gcrodr KSP (min(20, m/2) unless set). */
SOLACE_EXPORT PetscErrorCode SolaceKSPGCRODRGetRecycle(KSP ksp, PetscInt *k);

/** Drops the recycle space of a gcrodr KSP now, e.g. before an unrelated system. */
SOLACE_EXPORT PetscErrorCode SolaceKSPGCRODRDropRecycle(KSP ksp);

/** Writes the number of recycle vectors a gcrodr KSP holds (0 before the first solve). */
SOLACE_EXPORT PetscErrorCode SolaceKSPGCRODRGetRecycleSize(KSP ksp, PetscInt *size);

#ifdef __cplusplus
}
#endif
#endif
