/* Dense kernels of one GCRO-DR cycle: Givens reduction of G, the triangular solve, harmonic Ritz
 * vectors (the generalized eigenproblem reduced to a standard one with the cycle's own QR of G,
 * then LAPACKE_dgeev) and a thin QR by dgeqrf/dorgqr. All matrices are column-major. */
#include "gcrodr-impl.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>

PetscReal SolaceGCRODRRotate(KSP_GCRODR *g, PetscInt kcur, PetscInt col) {
  PetscInt ld = g->restart + 1;
  const PetscReal *gcol = g->G + col * ld;
  PetscReal *rcol = g->R + col * ld;
  for (PetscInt i = 0; i <= col + 1; i++) rcol[i] = gcol[i];
  for (PetscInt i = kcur; i < col; i++) {
    PetscReal a = rcol[i], b = rcol[i + 1];
    rcol[i] = g->cs[i] * a + g->sn[i] * b;
    rcol[i + 1] = -g->sn[i] * a + g->cs[i] * b;
  }
  PetscReal a = rcol[col], b = rcol[col + 1], h = hypot(a, b);
  g->cs[col] = h > 0 ? a / h : 1.0;
  g->sn[col] = h > 0 ? b / h : 0.0;
  rcol[col] = h;
  rcol[col + 1] = 0.0;
  PetscReal ra = g->rhs[col], rb = g->rhs[col + 1];
  g->rhs[col] = g->cs[col] * ra + g->sn[col] * rb;
  g->rhs[col + 1] = -g->sn[col] * ra + g->cs[col] * rb;
  return fabs(g->rhs[col + 1]);
}

PetscBool SolaceGCRODRBackSolve(KSP_GCRODR *g, PetscInt n) {
  PetscInt ld = g->restart + 1;
  PetscReal largest = 0.0;
  for (PetscInt i = 0; i < n; i++) largest = fmax(largest, fabs(g->R[i + i * ld]));
  for (PetscInt i = n - 1; i >= 0; i--) {
    PetscReal diagonal = g->R[i + i * ld], sum = g->rhs[i];
    if (!(fabs(diagonal) > 1e-14 * largest)) return PETSC_FALSE;
    for (PetscInt l = i + 1; l < n; l++) sum -= g->R[i + l * ld] * g->y[l];
    g->y[i] = sum / diagonal;
  }
  return PETSC_TRUE;
}

/* |lambda_j| of the pencil, or -1 where it is infinite or not a number (G rank deficient). */
static PetscReal eigenvalue_modulus(const KSP_GCRODR *g, PetscInt j) {
  PetscReal top = hypot(g->alphar[j], g->alphai[j]), bottom = fabs(g->beta[j]);
  if (!(bottom > 1e-300) || !isfinite(top)) return -1.0;
  return top / bottom;
}

/* Lists the eigenvalue "units" (a real eigenvalue, or a complex pair starting at its first
 * index) in g->units by decreasing modulus; returns their number. */
static PetscInt order_units(KSP_GCRODR *g, PetscInt n, PetscReal *modulus) {
  PetscInt count = 0;
  for (PetscInt j = 0; j < n; j++) {
    PetscReal mod = eigenvalue_modulus(g, j);
    PetscInt at = count++;
    while (at > 0 && modulus[at - 1] < mod) {
      modulus[at] = modulus[at - 1];
      g->units[at] = g->units[at - 1];
      at--;
    }
    modulus[at] = mod;
    g->units[at] = j;
    if (g->alphai[j] != 0.0) j++; /* the conjugate follows its partner */
  }
  return count;
}

/* M = R_n^-1 (Q_G^T W)[0:n, :] in g->eigA (n x n), with Q_G^T the Givens rotations of the cycle
 * (columns kcur..n-1) and R_n the triangle they made of G. Since G = Q_G [R_n; 0], the pencil
 * (G^T W, G^T G) = R_n^T ((Q_G^T W)[0:n, :], R_n): its eigenpairs are those of M. */
static PetscBool reduce_pencil(KSP_GCRODR *g, PetscInt kcur, PetscInt n) {
  PetscInt ld = g->restart + 1;
  for (PetscInt col = 0; col < n; col++) {
    PetscReal *w = g->W + col * ld, *out = g->eigA + col * n;
    for (PetscInt i = kcur; i < n; i++) {
      PetscReal a = w[i], b = w[i + 1];
      w[i] = g->cs[i] * a + g->sn[i] * b;
      w[i + 1] = -g->sn[i] * a + g->cs[i] * b;
    }
    for (PetscInt i = 0; i < n; i++) out[i] = w[i];
  }
  for (PetscInt i = 0; i < n; i++)
    if (!(fabs(g->R[i + i * ld]) > 0.0)) return PETSC_FALSE;
  cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, (int)n, (int)n, 1.0,
              g->R, (int)ld, g->eigA, (int)n);
  return PETSC_TRUE;
}

PetscErrorCode SolaceGCRODRHarmonicRitz(KSP_GCRODR *g, PetscInt kcur, PetscInt n, PetscInt want,
                                        PetscInt limit, PetscInt *kept) {
  PetscFunctionBegin;
  *kept = 0;
  if (!reduce_pencil(g, kcur, n)) PetscFunctionReturn(0);
  lapack_int info = LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'V', (lapack_int)n, g->eigA, (lapack_int)n,
                                  g->alphar, g->alphai, NULL, 1, g->eigVR, (lapack_int)n);
  if (info != 0) {
    PetscCall(PetscInfo(NULL, "gcrodr: dgeev returned %d; recycle space not updated\n", (int)info));
    PetscFunctionReturn(0);
  }
  for (PetscInt j = 0; j < n; j++) g->beta[j] = 1.0;
  PetscReal *modulus = g->dots; /* n <= m + 1 entries */
  PetscInt units = order_units(g, n, modulus);
  for (PetscInt u = 0; u < units && *kept < want; u++) {
    PetscInt j = g->units[u], size = g->alphai[j] != 0.0 ? 2 : 1;
    if (modulus[u] < 0 || *kept + size > limit) break;
    for (PetscInt s = 0; s < size; s++, (*kept)++)
      PetscCall(PetscArraycpy(g->P + *kept * g->restart, g->eigVR + (j + s) * n, n));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SolaceGCRODRQR(KSP_GCRODR *g, PetscInt rows, PetscInt cols, PetscReal *Rfactor,
                              PetscBool *full_rank) {
  lapack_int ld = (lapack_int)(g->restart + 1);
  PetscFunctionBegin;
  *full_rank = PETSC_FALSE;
  lapack_int info =
      LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)rows, (lapack_int)cols, g->GP, ld, g->tau);
  if (info != 0) PetscFunctionReturn(0);
  PetscReal largest = 0.0;
  for (PetscInt l = 0; l < cols; l++)
    for (PetscInt i = 0; i < cols; i++) {
      Rfactor[i + l * cols] = i <= l ? g->GP[i + l * ld] : 0.0;
      if (i == l) largest = fmax(largest, fabs(Rfactor[i + l * cols]));
    }
  for (PetscInt l = 0; l < cols; l++)
    if (!(fabs(Rfactor[l + l * cols]) > 1e-12 * largest)) PetscFunctionReturn(0);
  info = LAPACKE_dorgqr(LAPACK_COL_MAJOR, (lapack_int)rows, (lapack_int)cols, (lapack_int)cols,
                        g->GP, ld, g->tau);
  *full_rank = info == 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}
