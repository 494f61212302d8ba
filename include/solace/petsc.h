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
 *
 * KSP type "dcdm": the deep conjugate-direction method (Kaneda, Akar, Chen, Kala and Teran, ICML
 * 2023). Each iteration maps the unit residual to a direction q = f(r / ||r||), A-orthogonalises
 * q against the last k directions, steps x += q (q.r)/(q.Aq) and recomputes the true residual
 * r = b - A x, whose 2-norm (KSP_NORM_UNPRECONDITIONED) goes to the convergence test and the
 * monitors. Without a weights file f is the identity, and for SPD A the iterates are CG's (in
 * exact arithmetic, any k >= 1). With a weights file f is a DCDM network (docs/dcdm.md: the file
 * carries its architecture) applied to the residual on the grid; solid cells (rows holding only a
 * diagonal entry) are solved exactly first, are zero in the network input and stay zero in q.
 * The grid comes from a 2-D or 3-D DMDA with one dof attached to the KSP (KSPSetDM), else from
 * `-ksp_dcdm_grid`; natural ordering, x fastest. No preconditioner is applied (the KSP's PC
 * defaults to and must be "none"). Any number of ranks: the vector work is distributed and the
 * network runs on rank 0 on the gathered grid (a DMDA and the matrix must be distributed alike,
 * else PETSC_ERR_ARG_SIZ). A non-finite q.Aq or residual ends with KSP_DIVERGED_NANORINF, q.Aq <= 0
 * (including q = 0) with KSP_DIVERGED_INDEFINITE_MAT, max_it with KSP_DIVERGED_ITS. Options:
 *  - `-ksp_dcdm_directions k`: previous directions kept, k >= 1 (default 2);
 *  - `-ksp_dcdm_weights file.h5`: the network (default: none, identity map);
 *  - `-ksp_dcdm_grid nx,ny[,nz]`: the grid of a bare matrix (ignored when a DMDA is attached);
 *  - `-ksp_dcdm_max_levels L`: most levels of a tied network (default 0: the file's cap);
 *  - `-ksp_dcdm_deflate_block b`: subdomain deflation with blocks of b cells per dimension
 *    (0: off; default: the weights file's dcdm_deflate_block, the block its network was trained
 *    for, else off). Column j of Z is the indicator of the fluid cells of block j; with
 *    E = Z^T A Z (solved by a KSP with prefix `-ksp_dcdm_deflate_`, by default LU, redundant on
 *    several ranks) iteration 1 is the coarse correction x += Z E^-1 Z^T r and every q is made
 *    A-orthogonal to range(Z) (q -= Z E^-1 Z^T A q) before the k directions: with the identity
 *    map this is deflated CG (Nicolaides 1987; Saad, Yeung, Erhel and Guyomarc'h 2000).
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

/** The KSP type name of DCDM. */
#define SOLACE_KSPDCDM "dcdm"

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

/** Sets the number k >= 1 of previous directions a dcdm KSP A-orthogonalises against
 * (default 2; other KSP types ignore the call). */
SOLACE_EXPORT PetscErrorCode SolaceKSPDCDMSetDirections(KSP ksp, PetscInt k);

/** Writes the number of previous directions k of a dcdm KSP. */
SOLACE_EXPORT PetscErrorCode SolaceKSPDCDMGetDirections(KSP ksp, PetscInt *k);

/** Sets the DCDM weights file of a dcdm KSP (NULL or "": the identity map). The file is read at
 * KSPSetUp, where a missing file (PETSC_ERR_FILE_OPEN) or a file that is not a DCDM network or
 * whose shapes do not match its architecture (PETSC_ERR_FILE_UNEXPECTED) is an error naming it. */
SOLACE_EXPORT PetscErrorCode SolaceKSPDCDMSetWeights(KSP ksp, const char *path);

/** Sets the grid nx x ny (nz <= 0) or nx x ny x nz of a dcdm KSP whose matrix has no DMDA;
 * nx ny nz must equal the matrix size (checked at KSPSetUp, PETSC_ERR_ARG_SIZ). */
SOLACE_EXPORT PetscErrorCode SolaceKSPDCDMSetGrid(KSP ksp, PetscInt nx, PetscInt ny, PetscInt nz);

/** Turns on subdomain deflation in a dcdm KSP with blocks of b cells per grid dimension (b >= 1;
 * 0 turns it off; unset, the KSP follows its weights file's dcdm_deflate_block, else none): the
 * fluid cells of each block span one coarse vector, the initial guess takes the coarse solution and
 * every direction is made A-orthogonal to the coarse space (PETSC_ERR_ARG_OUTOFRANGE for b < 0; the
 * grid is needed at KSPSolve). */
SOLACE_EXPORT PetscErrorCode SolaceKSPDCDMSetDeflationBlock(KSP ksp, PetscInt b);

/** Caps the depth of a tied DCDM network at L levels in a dcdm KSP (L >= 0; 0, the default,
 * leaves the file's dcdm_max_levels in force; PETSC_ERR_ARG_OUTOFRANGE for L < 0). */
SOLACE_EXPORT PetscErrorCode SolaceKSPDCDMSetMaxLevels(KSP ksp, PetscInt L);

#ifdef __cplusplus
}
#endif
#endif
