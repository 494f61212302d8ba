/* Internal state of the GCRO-DR Krylov solver (KSP type "gcrodr"): the recycle space, the
 * Arnoldi basis of the current cycle and the small dense matrices of the cycle. */
#ifndef SOLACE_GCRODR_IMPL_H
#define SOLACE_GCRODR_IMPL_H

#include "solace/petsc.h"

#include <petsc/private/kspimpl.h>

#if defined(PETSC_USE_COMPLEX)
#error "the gcrodr KSP supports real PETSc builds only"
#endif

/* Notation (Parks et al. 2006): Ahat is the preconditioned operator (M^-1 A left, A M^-1 right);
 * U holds the recycle space, C = Ahat U with orthonormal columns; one cycle runs j Arnoldi steps
 * of (I - C C^T) Ahat, giving Ahat [U D, V_j] = [C, V_{j+1}] G with G = [D B; 0 Hbar]. */
typedef struct {
  PetscInt restart;                     /* m: dimension of the search space of one cycle */
  PetscInt recycle;                     /* k in effect (set at KSPSetUp) */
  PetscInt recycle_user;                /* k given by the user, -1: min(20, m/2) */
  PetscBool drop_next;                  /* drop the recycle space at the start of the next solve */
  PetscBool drop_each_solve;            /* -ksp_gcrodr_reset: recycle within a solve only */
  KSPGMRESCGSRefinementType refinement; /* second Gram-Schmidt pass: never, ifneeded, always */
  PetscInt capacity; /* allocated U/C columns: k + 1 (a complex pair may need one more) */

  PetscInt kcur;                             /* columns of U and C now held */
  Vec *U, *C;                                /* recycle space and its image, capacity each */
  Vec *Unew, *Cnew;                          /* the next recycle space while it is built */
  Vec *V;                                    /* Arnoldi basis, m + 1 */
  PetscScalar *Ua, *Ca, *Unewa, *Cnewa, *Va; /* their local parts, side by side */
  PetscInt nlocal;                           /* local length of each vector */
  Vec r, corr, work; /* residual, this cycle's correction (before M^-1 when right) */
  PetscObjectId amat_id, pmat_id;
  PetscObjectState amat_state, pmat_state;
  PCSide side; /* operator for which C = Ahat U holds */

  /* dense work of one cycle, sized for n = m columns */
  PetscReal *G;       /* (m+1) x m, column-major, leading dimension m+1 */
  PetscReal *R;       /* G reduced to triangular form by Givens rotations */
  PetscReal *rhs;     /* rotated right-hand side, m+1 */
  PetscReal *cs, *sn; /* Givens rotations */
  PetscReal *y;       /* least-squares solution, m */
  PetscReal *dscale;  /* D: 1/||u_i||, capacity */
  PetscReal *dots;    /* scratch for VecMDot, m+1 */
  PetscReal *W;       /* What^T Vhat, (m+1) x m */
  PetscReal *eigA, *eigB, *eigVR, *alphar, *alphai, *beta; /* harmonic Ritz pencil, m x m */
  PetscReal *P, *GP, *tau; /* selected eigenvectors m x cap, G P (m+1) x cap, QR factors */
  PetscReal *Rqr;          /* R of qr(G P), cap x cap */
  PetscReal *gram;         /* [C, V]^T U, (m+1) x cap */
  PetscInt *units;         /* eigenvalue order */

  /* statistics, shown by KSPView */
  PetscInt solves, refreshes, dropped;
} KSP_GCRODR;

/* Log events: the recycle-space update after a cycle and its re-projection on a new operator. */
PETSC_INTERN PetscLogEvent SOLACE_GCRODR_Update, SOLACE_GCRODR_Refresh;

/* Registers the KSP type "gcrodr" and its log events (called by SolacePetscRegisterAll). */
PETSC_INTERN PetscErrorCode SolaceGCRODRRegister(void);

/* Solves one system (KSPSolve's ops->solve). */
PETSC_INTERN PetscErrorCode SolaceKSPSolve_GCRODR(KSP ksp);

/* Forgets the recycle space. */
PETSC_INTERN PetscErrorCode SolaceGCRODRDrop(KSP_GCRODR *g);

/* Vector blocks (gcrodr-block.c) ---------------------------------------------------------- */

/* Creates `count` vectors of the solution's layout whose local parts lie side by side in
 * *array (standard seq/mpi vectors only). */
PETSC_INTERN PetscErrorCode SolaceGCRODRBlockCreate(KSP ksp, PetscInt count, PetscScalar **array,
                                                    Vec **vecs);

/* Destroys a block made by SolaceGCRODRBlockCreate(). */
PETSC_INTERN PetscErrorCode SolaceGCRODRBlockDestroy(PetscInt count, PetscScalar **array,
                                                     Vec **vecs);

/* out = A^T B (na x nb, column-major) over the KSP's communicator, A and B blocks of na and nb
 * vectors. */
PETSC_INTERN PetscErrorCode SolaceGCRODRBlockGram(KSP ksp, const PetscScalar *A, PetscInt na,
                                                  const PetscScalar *B, PetscInt nb,
                                                  PetscReal *out);

/* out = beta out + in coef: out a block of nout vectors (outvecs), in a block of nin vectors,
 * coef nin x nout with leading dimension ldc. */
PETSC_INTERN PetscErrorCode SolaceGCRODRBlockCombine(KSP ksp, PetscScalar *out, Vec *outvecs,
                                                     PetscInt nout, const PetscScalar *in,
                                                     PetscInt nin, const PetscReal *coef,
                                                     PetscInt ldc, PetscReal beta);

/* block = block R^-1 with R upper triangular, cols x cols. */
PETSC_INTERN PetscErrorCode SolaceGCRODRBlockSolveUpper(KSP ksp, PetscScalar *block, Vec *vecs,
                                                        PetscInt cols, const PetscReal *R);

/* Dense kernels (gcrodr-dense.c) ------------------------------------------------------------ */

/* Applies the rotations of columns kcur..col-1 to column col of R (rows kcur..), makes a new
 * rotation that zeroes R[col+1, col], applies it to rhs and returns |rhs[col+1]|. */
PETSC_INTERN PetscReal SolaceGCRODRRotate(KSP_GCRODR *g, PetscInt kcur, PetscInt col);

/* Solves the n x n upper-triangular system R y = rhs; PETSC_FALSE if R is singular. */
PETSC_INTERN PetscBool SolaceGCRODRBackSolve(KSP_GCRODR *g, PetscInt n);

/* Selects the harmonic Ritz vectors of the cycle: the eigenvectors z of the pencil
 * (G^T W, G^T G) (n x n; lambda = 1/theta, theta the harmonic Ritz values) with the `want`
 * largest |lambda|, a complex pair kept whole (as its real and imaginary parts; at most `limit`
 * vectors). Uses the Givens QR of G built during the cycle (columns kcur..n-1) and overwrites W.
 * Writes them to g->P (n x *kept); *kept = 0 when the problem is singular or LAPACK fails. */
PETSC_INTERN PetscErrorCode SolaceGCRODRHarmonicRitz(KSP_GCRODR *g, PetscInt kcur, PetscInt n,
                                                     PetscInt want, PetscInt limit, PetscInt *kept);

/* Thin QR of g->GP (rows x cols, leading dimension m+1): overwrites g->GP with Q and writes R
 * (cols x cols, column-major) to Rfactor; *full_rank is PETSC_FALSE when a diagonal entry of R
 * is negligible (1e-12 relative to the largest). */
PETSC_INTERN PetscErrorCode SolaceGCRODRQR(KSP_GCRODR *g, PetscInt rows, PetscInt cols,
                                           PetscReal *Rfactor, PetscBool *full_rank);

#endif
