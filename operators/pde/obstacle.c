/* Pressure-Poisson systems with Dirichlet walls and solid obstacles (obstacle.h). */
#include "obstacle.h"

#include "solace/rand.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { BLOB_COUNT = 8 };
static const double SPHERE_RADIUS = 0.15, BLOB_RMIN = 0.04, BLOB_RMAX = 0.12;
static const double GRF_ALPHA = 2.5, GRF_TAU = 7.0;

/* Splits a cell index into per-axis indices (x fastest). */
static void cell_coords(const solace_obstacle ob, int64_t cell, int64_t ijk[3]) {
  ijk[0] = cell % ob->n;
  ijk[1] = (cell / ob->n) % ob->n;
  ijk[2] = ob->ndim == 3 ? cell / (ob->n * ob->n) : 0;
}

/* Marks every cell whose centre lies in the ball (centre c, radius r) solid. */
static void mark_ball(solace_obstacle ob, const double c[3], double r) {
  double h = 1.0 / (double)ob->n;
  for (int64_t cell = 0; cell < ob->cells; cell++) {
    int64_t ijk[3];
    double dist2 = 0.0;
    cell_coords(ob, cell, ijk);
    for (int a = 0; a < ob->ndim; a++) {
      double x = ((double)ijk[a] + 0.5) * h - c[a];
      dist2 += x * x;
    }
    if (dist2 < r * r) ob->solid[cell] = 1;
  }
}

/* Places the obstacles of `kind`. */
static int mark_obstacles(solace_obstacle ob, const char *kind, uint64_t seed) {
  if (!strcmp(kind, "empty")) return SOLACE_SUCCESS;
  if (!strcmp(kind, "sphere")) {
    mark_ball(ob, (const double[3]){0.5, 0.6, 0.5}, SPHERE_RADIUS);
    return SOLACE_SUCCESS;
  }
  SolaceCheck(!strcmp(kind, "blobs"), SOLACE_ERR_ARG,
              "unknown obstacle kind '%s' (use empty, sphere or blobs)", kind);
  double u[4 * BLOB_COUNT];
  SolaceCall(solace_rand_uniform(seed, 0, 0, 4 * BLOB_COUNT, u));
  for (int k = 0; k < BLOB_COUNT; k++) {
    double c[3];
    for (int a = 0; a < 3; a++) c[a] = 0.15 + 0.7 * u[4 * k + a];
    mark_ball(ob, c, BLOB_RMIN + (BLOB_RMAX - BLOB_RMIN) * u[4 * k + 3]);
  }
  return SOLACE_SUCCESS;
}

/* Writes the neighbour of `cell` across face f (axis f/2, side f%2) or -1 beyond the wall. */
static int64_t neighbour(const solace_obstacle ob, int64_t cell, int f) {
  int64_t ijk[3], stride = 1;
  cell_coords(ob, cell, ijk);
  for (int a = 0; a < f / 2; a++) stride *= ob->n;
  int64_t step = f % 2 ? 1 : -1, moved = ijk[f / 2] + step;
  return moved < 0 || moved >= ob->n ? -1 : cell + step * stride;
}

/* Makes solid every fluid cell with no fluid path to a wall (its block would be singular). */
static int fill_enclosed(solace_obstacle ob) {
  int64_t *queue, head = 0, tail = 0;
  unsigned char *reached;
  SolaceCall(SolaceCalloc(ob->cells, &queue));
  if (solace_calloc((size_t)ob->cells, 1, &reached)) {
    free(queue);
    return solace_error_trace(SOLACE_ERR_MEM, __func__);
  }
  for (int64_t cell = 0; cell < ob->cells; cell++)
    for (int f = 0; f < 2 * ob->ndim && !ob->solid[cell] && !reached[cell]; f++)
      if (neighbour(ob, cell, f) < 0) reached[cell] = 1, queue[tail++] = cell;
  while (head < tail) {
    int64_t cell = queue[head++];
    for (int f = 0; f < 2 * ob->ndim; f++) {
      int64_t next = neighbour(ob, cell, f);
      if (next >= 0 && !ob->solid[next] && !reached[next]) reached[next] = 1, queue[tail++] = next;
    }
  }
  ob->nsolid = 0;
  for (int64_t cell = 0; cell < ob->cells; cell++) {
    if (!reached[cell]) ob->solid[cell] = 1;
    ob->nsolid += ob->solid[cell];
  }
  free(queue);
  free(reached);
  return SOLACE_SUCCESS;
}

/* Inserts the row of one cell (see obstacle.h). */
static PetscErrorCode set_row(solace_obstacle ob, PetscInt cell) {
  PetscInt cols[7];
  PetscScalar vals[7], diag = 0.0;
  int count = 1;
  PetscFunctionBegin;
  if (ob->solid[cell]) diag = 1.0;
  for (int f = 0; f < 2 * ob->ndim && !ob->solid[cell]; f++) {
    int64_t next = neighbour(ob, cell, f);
    if (next < 0)
      diag += 2.0;
    else if (!ob->solid[next])
      diag += 1.0, cols[count] = (PetscInt)next, vals[count++] = -1.0;
  }
  cols[0] = cell, vals[0] = diag;
  PetscCall(MatSetValues(ob->A, 1, &cell, count, cols, vals, INSERT_VALUES));
  PetscFunctionReturn(0);
}

static PetscErrorCode assemble(solace_obstacle ob) {
  PetscInt n = (PetscInt)ob->n;
  PetscFunctionBegin;
  if (ob->ndim == 2)
    PetscCall(DMDACreate2d(PETSC_COMM_SELF, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR,
                           n, n, 1, 1, 1, 1, NULL, NULL, &ob->da));
  else
    PetscCall(DMDACreate3d(PETSC_COMM_SELF, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE,
                           DMDA_STENCIL_STAR, n, n, n, 1, 1, 1, 1, 1, NULL, NULL, NULL, &ob->da));
  PetscCall(DMSetUp(ob->da));
  PetscCall(DMCreateMatrix(ob->da, &ob->A));
  PetscCall(MatSetOption(ob->A, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  for (PetscInt cell = 0; cell < (PetscInt)ob->cells; cell++) PetscCall(set_row(ob, cell));
  PetscCall(MatAssemblyBegin(ob->A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(ob->A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatSetOption(ob->A, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(MatSetOption(ob->A, MAT_SPD, PETSC_TRUE));
  PetscFunctionReturn(0);
}

static int build(solace_obstacle ob, const char *kind, uint64_t seed) {
  SolaceCall(SolaceCalloc(ob->cells, &ob->solid));
  SolaceCall(mark_obstacles(ob, kind, seed));
  SolaceCall(fill_enclosed(ob));
  SolacePetscCall(assemble(ob));
  return SOLACE_SUCCESS;
}

int solace_obstacle_create(int ndim, int64_t n, const char *kind, uint64_t seed,
                           solace_obstacle *ob) {
  SolaceCheckNotNull(ob);
  *ob = NULL;
  SolaceCheckNotNull(kind);
  SolaceCheck(ndim == 2 || ndim == 3, SOLACE_ERR_ARG, "ndim = %d (need 2 or 3)", ndim);
  SolaceCheck(n >= 4 && n <= (ndim == 2 ? 4096 : 512), SOLACE_ERR_ARG,
              "n = %lld cells per side (need 4..%d in %dD)", (long long)n, ndim == 2 ? 4096 : 512,
              ndim);
  solace_obstacle p;
  SolaceCall(SolaceCalloc(1, &p));
  p->ndim = ndim, p->n = n, p->cells = ndim == 2 ? n * n : n * n * n;
  int status = build(p, kind, seed);
  if (status) {
    solace_obstacle_destroy(&p);
    return solace_error_trace(status, __func__);
  }
  *ob = p;
  return SOLACE_SUCCESS;
}

int solace_obstacle_rhs(solace_obstacle ob, uint64_t seed, uint64_t index, double *b) {
  SolaceCheckNotNull(ob);
  SolaceCheckNotNull(b);
  int64_t shape[3] = {ob->n, ob->n, ob->n};
  solace_grf grf = NULL;
  SolaceCall(solace_grf_create(ob->ndim, shape, GRF_ALPHA, GRF_TAU, &grf));
  int status = solace_grf_sample(grf, seed, index, b);
  solace_grf_destroy(&grf);
  if (status) return solace_error_trace(status, __func__);
  double norm2 = 0.0;
  for (int64_t cell = 0; cell < ob->cells; cell++) {
    if (ob->solid[cell]) b[cell] = 0.0;
    norm2 += b[cell] * b[cell];
  }
  SolaceCheck(norm2 > 0.0, SOLACE_ERR_STATE, "the right-hand side vanishes on the fluid cells");
  for (int64_t cell = 0; cell < ob->cells; cell++) b[cell] /= sqrt(norm2);
  return SOLACE_SUCCESS;
}

void solace_obstacle_destroy(solace_obstacle *ob) {
  if (!ob || !*ob) return;
  MatDestroy(&(*ob)->A);
  DMDestroy(&(*ob)->da);
  free((*ob)->solid);
  free(*ob);
  *ob = NULL;
}
