/* A sequence of slowly varying nonsymmetric systems for the gcrodr tests: 2-D convection-diffusion
 * -Laplacian u + c(p) . grad u = f on a g x g interior grid (5-point Laplacian, central
 * convection), c(p) = p (cos 0.3p, sin 0.3p), f a fixed smooth field. Rows are in natural order
 * (x fastest) and each rank assembles the rows it owns, so the same code builds sequential and
 * distributed matrices. */
#ifndef SOLACE_GCRODR_UTIL_H
#define SOLACE_GCRODR_UTIL_H

#include <petscksp.h>

#include "solace/petsc.h"
#include "test-petsc.h"

/* Assembles the convection-diffusion matrix of parameter p into A (g^2 x g^2, preallocated). */
static inline PetscErrorCode gcrodr_test_matrix(Mat A, PetscInt g, PetscReal p) {
  PetscInt first, end;
  PetscReal h = 1.0 / (g + 1), cx = p * cos(0.3 * p), cy = p * sin(0.3 * p);
  PetscFunctionBegin;
  PetscCall(MatGetOwnershipRange(A, &first, &end));
  for (PetscInt row = first; row < end; row++) {
    PetscInt i = row % g, j = row / g, cols[5], n = 0;
    PetscScalar vals[5];
    cols[n] = row, vals[n++] = 4.0 / (h * h);
    if (i > 0) cols[n] = row - 1, vals[n++] = -1.0 / (h * h) - cx / (2 * h);
    if (i < g - 1) cols[n] = row + 1, vals[n++] = -1.0 / (h * h) + cx / (2 * h);
    if (j > 0) cols[n] = row - g, vals[n++] = -1.0 / (h * h) - cy / (2 * h);
    if (j < g - 1) cols[n] = row + g, vals[n++] = -1.0 / (h * h) + cy / (2 * h);
    PetscCall(MatSetValues(A, 1, &row, n, cols, vals, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* Creates an AIJ matrix on comm for a g x g grid. */
static inline PetscErrorCode gcrodr_test_create(MPI_Comm comm, PetscInt g, Mat *A) {
  PetscFunctionBegin;
  PetscCall(MatCreateAIJ(comm, PETSC_DECIDE, PETSC_DECIDE, g * g, g * g, 5, NULL, 2, NULL, A));
  PetscCall(MatSetOption(*A, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  PetscFunctionReturn(0);
}

/* The right-hand side f(x, y) = sin(pi x) (1 + y) + x^2 at the grid nodes. */
static inline PetscErrorCode gcrodr_test_rhs(Vec b, PetscInt g) {
  PetscInt first, end;
  PetscFunctionBegin;
  PetscCall(VecGetOwnershipRange(b, &first, &end));
  for (PetscInt row = first; row < end; row++) {
    PetscReal x = (row % g + 1.0) / (g + 1), y = (row / g + 1.0) / (g + 1);
    PetscCall(VecSetValue(b, row, sin(PETSC_PI * x) * (1 + y) + x * x, INSERT_VALUES));
  }
  PetscCall(VecAssemblyBegin(b));
  PetscCall(VecAssemblyEnd(b));
  PetscFunctionReturn(0);
}

/* The parameter of system i of the sequence: slowly varying. */
static inline PetscReal gcrodr_test_parameter(PetscInt i) {
  return 20.0 + 0.7 * (PetscReal)i;
}

#endif
