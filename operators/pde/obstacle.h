/* Pressure-Poisson test problems like those of smoke simulation (the DCDM benchmark systems):
 * the unit square (cube) split into n^d cells, x fastest, Dirichlet walls and solid obstacles.
 *
 * Operator (cell-centred 5- / 7-point finite differences, scaled by h^2): a fluid cell's row has
 * -1 for each fluid neighbour, and its diagonal counts 1 per fluid neighbour and 2 per face on
 * the domain wall (the ghost value -p puts p = 0 on the wall face); faces between a fluid and a
 * solid cell carry no flux (Neumann). A solid cell's row is the diagonal 1 alone, so the matrix
 * is symmetric and positive definite once every fluid pocket touches a wall: fluid cells that
 * the obstacles cut off from the walls are made solid.
 *
 * Obstacle kinds: "empty" (no obstacle); "sphere" (a circle / sphere of radius 0.15 centred at
 * (0.5, 0.6[, 0.5]), as in flow past an obstacle); "blobs" (8 circles / spheres, centres
 * U(0.15, 0.85), radii U(0.04, 0.12), from Philox stream 0 of the seed). A cell is solid when its
 * centre lies inside an obstacle.
 *
 * Right-hand sides: a Gaussian random field (alpha 2.5, tau 7, solace_grf) drawn from
 * (seed, index), zero on solid cells, scaled to unit 2-norm.
 *
 * One process (PETSC_COMM_SELF); the DMDA (one dof, star stencil) carries the grid, so a dcdm KSP
 * given the DM finds it. Internal to the library. */
#ifndef SOLACE_OBSTACLE_H
#define SOLACE_OBSTACLE_H

#include "solace-impl.h"

#include <petscdmda.h>

typedef struct solace_obstacle_s {
  int ndim;             /* 2 or 3 */
  int64_t n;            /* cells per side */
  int64_t cells;        /* n^ndim */
  int64_t nsolid;       /* solid cells */
  unsigned char *solid; /* cells long: 1 for solid cells */
  DM da;                /* n x n (x n) grid, one dof */
  Mat A;                /* the operator, assembled */
} * solace_obstacle;

/* Builds the problem of obstacle kind `kind` ("empty", "sphere", "blobs") on n^ndim cells
 * (ndim 2 or 3, 4 <= n <= 4096 (2D) or 512 (3D)); `seed` places the blobs. */
SOLACE_INTERN int solace_obstacle_create(int ndim, int64_t n, const char *kind, uint64_t seed,
                                         solace_obstacle *ob);

/* Writes right-hand side `index` under `seed` into b (cells long). */
SOLACE_INTERN int solace_obstacle_rhs(solace_obstacle ob, uint64_t seed, uint64_t index, double *b);

/* Releases the problem and sets *ob to NULL; accepts NULL. */
SOLACE_INTERN void solace_obstacle_destroy(solace_obstacle *ob);

#endif
