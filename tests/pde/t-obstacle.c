/* Obstacle pressure-Poisson problems (operators/pde/obstacle.c, through the public
 * solace_dcdm_problem_* functions). One case per run, chosen by argv[1]:
 *  - spectrum: without obstacles the matrix is the Kronecker sum of 1-D cell-centred Dirichlet
 *    Laplacians, whose eigenvalues are 4 sin^2(k pi / 2n), k = 1..n; LAPACK's dsyev on the
 *    dense matrix (8^2 and 4^3 cells) matches the sums to 1e-12 (backward-stable, |lambda| <= 24);
 *  - structure: exact symmetry; solid rows hold the diagonal 1 alone and no fluid row couples to
 *    a solid cell; each fluid row sums to 2 x its wall faces (counted from the coordinates); the
 *    sphere's solid cells match its volume within one perimeter (surface) layer; Cholesky
 *    (dpotrf) succeeds and the smallest eigenvalue is positive for 20 seeds of blobs; right-hand
 *    sides are zero on solids, of unit norm (1e-14), reproducible, and differ by index;
 *  - solve: CG + ICC(0) at rtol 1e-12 and DCDM's identity map (CG) at rtol 1e-10 through
 *    solace_dcdm_solve_csr agree with PETSc's LU to 1e-8 and 1e-6 relative (error <= cond x rtol,
 *    cond ~ 2e3 at 64^2), as does deflated CG (solace_dcdm_solve_csr_opts, "-deflate_block 8"),
 *    in fewer iterations than CG; the LU residual is below 1e-12;
 *  - errors: bad dimension, size, kind, NULL handles and bad CSR input give SOLACE_ERR_ARG, as
 *    does a 3-D network on a 2-D grid or a 2-level network on a 2 x 2 grid (not divisible by
 *    2^2), and unknown or malformed solver options; a missing weights file SOLACE_ERR_IO, a file
 *    that is not
 *    HDF5 SOLACE_ERR_FORMAT, an indefinite matrix SOLACE_ERR_NOT_CONVERGED. */
#include <lapacke.h>
#include <string.h>

#include <petscksp.h>

#include "solace/dcdm.h"
#include "test-petsc.h"

#include "operators/pde/obstacle.h"

static const double PI = 3.14159265358979323846;

#ifndef SOLACE_DCDM_DATA
#define SOLACE_DCDM_DATA "data/dcdm"
#endif

typedef struct {
  int64_t rows, nnz, solid, *start, *cols;
  double *vals;
} csr;

static int get_csr(int ndim, int64_t n, const char *kind, uint64_t seed, csr *m) {
  solace_dcdm_problem p = NULL;
  TEST_CALL(solace_dcdm_problem_create(ndim, n, kind, seed, &p));
  TEST_CALL(solace_dcdm_problem_get_size(p, &m->rows, &m->nnz, &m->solid));
  m->start = malloc(sizeof(int64_t) * (size_t)(m->rows + 1));
  m->cols = malloc(sizeof(int64_t) * (size_t)m->nnz);
  m->vals = malloc(sizeof(double) * (size_t)m->nnz);
  TEST_CALL(solace_dcdm_problem_get_csr(p, m->start, m->cols, m->vals));
  TEST_CALL(solace_dcdm_problem_destroy(&p));
  TEST_ASSERT(p == NULL, "destroy did not null the handle");
  return 0;
}

static void free_csr(csr *m) {
  free(m->start), free(m->cols), free(m->vals);
}

static double *dense(const csr *m) {
  double *a = calloc((size_t)(m->rows * m->rows), sizeof(double));
  for (int64_t i = 0; i < m->rows; i++)
    for (int64_t k = m->start[i]; k < m->start[i + 1]; k++)
      a[i + m->rows * m->cols[k]] = m->vals[k];
  return a;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int check_spectrum(int ndim, int64_t n) {
  csr m;
  if (get_csr(ndim, n, "empty", 0, &m)) return 1;
  double *a = dense(&m), *w = calloc((size_t)m.rows, sizeof(double));
  double *ref = calloc((size_t)m.rows, sizeof(double));
  TEST_ASSERT(
      LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'U', (lapack_int)m.rows, a, (lapack_int)m.rows, w) == 0,
      "dsyev failed");
  for (int64_t c = 0; c < m.rows; c++) {
    int64_t k[3] = {c % n + 1, (c / n) % n + 1, c / (n * n) + 1};
    ref[c] = 0.0;
    for (int d = 0; d < ndim; d++) {
      double s = sin((double)k[d] * PI / (2.0 * (double)n));
      ref[c] += 4.0 * s * s;
    }
  }
  qsort(ref, (size_t)m.rows, sizeof(double), compare_doubles);
  double worst = 0.0;
  for (int64_t c = 0; c < m.rows; c++) worst = fmax(worst, fabs(w[c] - ref[c]));
  printf("spectrum %dD n = %lld: max |lambda - analytic| = %.2e\n", ndim, (long long)n, worst);
  TEST_ASSERT(worst <= 1e-12, "eigenvalues differ by %.3e", worst);
  free(a), free(w), free(ref), free_csr(&m);
  return 0;
}

static int test_spectrum(void) {
  return check_spectrum(2, 8) || check_spectrum(3, 4);
}

/* Value of entry (i, j), 0 if not stored. */
static double entry(const csr *m, int64_t i, int64_t j) {
  for (int64_t k = m->start[i]; k < m->start[i + 1]; k++)
    if (m->cols[k] == j) return m->vals[k];
  return 0.0;
}

static int wall_faces(int ndim, int64_t n, int64_t cell) {
  int64_t ijk[3] = {cell % n, (cell / n) % n, cell / (n * n)};
  int count = 0;
  for (int d = 0; d < ndim; d++) count += (ijk[d] == 0) + (ijk[d] == n - 1);
  return count;
}

/* Symmetry, solid rows, row sums. */
static void check_rows(int ndim, int64_t n, const csr *m) {
  int bad_sym = 0, bad_solid = 0, bad_sum = 0;
  for (int64_t i = 0; i < m->rows; i++) {
    int solid = m->start[i + 1] - m->start[i] == 1 && m->cols[m->start[i]] == i;
    double sum = 0.0;
    for (int64_t k = m->start[i]; k < m->start[i + 1]; k++) {
      int64_t j = m->cols[k];
      sum += m->vals[k];
      bad_sym += entry(m, j, i) != m->vals[k];
      if (j != i && m->start[j + 1] - m->start[j] == 1) bad_solid++;
    }
    if (solid)
      bad_solid += m->vals[m->start[i]] != 1.0;
    else
      bad_sum += sum != 2.0 * wall_faces(ndim, n, i);
  }
  TEST_ASSERT(bad_sym == 0, "%d entries without their symmetric twin", bad_sym);
  TEST_ASSERT(bad_solid == 0, "%d solid-row defects", bad_solid);
  TEST_ASSERT(bad_sum == 0, "%d fluid rows whose sum is not 2 x wall faces", bad_sum);
}

static int check_spd(int ndim, int64_t n, uint64_t seed, double *lambda_min) {
  csr m;
  if (get_csr(ndim, n, "blobs", seed, &m)) return 1;
  check_rows(ndim, n, &m);
  double *a = dense(&m), *w = calloc((size_t)m.rows, sizeof(double));
  double *chol = malloc(sizeof(double) * (size_t)(m.rows * m.rows));
  memcpy(chol, a, sizeof(double) * (size_t)(m.rows * m.rows));
  TEST_ASSERT(LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)m.rows, chol, (lapack_int)m.rows) ==
                  0,
              "Cholesky failed for seed %llu", (unsigned long long)seed);
  TEST_ASSERT(
      LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'U', (lapack_int)m.rows, a, (lapack_int)m.rows, w) == 0,
      "dsyev failed");
  *lambda_min = w[0];
  TEST_ASSERT(w[0] > 1e-8, "seed %llu: smallest eigenvalue %g", (unsigned long long)seed, w[0]);
  free(a), free(w), free(chol), free_csr(&m);
  return 0;
}

static int check_sphere(int ndim, int64_t n) {
  csr m;
  if (get_csr(ndim, n, "sphere", 0, &m)) return 1;
  check_rows(ndim, n, &m);
  double r = 0.15 * (double)n;
  double volume = ndim == 2 ? PI * r * r : 4.0 / 3.0 * PI * r * r * r;
  double layer = ndim == 2 ? 2.0 * PI * r : 4.0 * PI * r * r;
  printf("sphere %dD n = %lld: %lld solid cells, volume %.1f\n", ndim, (long long)n,
         (long long)m.solid, volume);
  TEST_ASSERT(fabs((double)m.solid - volume) <= layer, "solid %lld, volume %.1f",
              (long long)m.solid, volume);
  free_csr(&m);
  return 0;
}

static int check_rhs(void) {
  solace_dcdm_problem p = NULL;
  int64_t rows, solid;
  TEST_CALL(solace_dcdm_problem_create(2, 48, "blobs", 4, &p));
  TEST_CALL(solace_dcdm_problem_get_size(p, &rows, NULL, &solid));
  TEST_ASSERT(solid > 0, "blobs left no solid cell");
  double *b0 = malloc(sizeof(double) * (size_t)rows), *b1 = malloc(sizeof(double) * (size_t)rows),
         *b2 = malloc(sizeof(double) * (size_t)rows);
  TEST_CALL(solace_dcdm_problem_get_rhs(p, 9, 0, b0));
  TEST_CALL(solace_dcdm_problem_get_rhs(p, 9, 0, b1));
  TEST_CALL(solace_dcdm_problem_get_rhs(p, 9, 1, b2));
  csr m;
  if (get_csr(2, 48, "blobs", 4, &m)) return 1;
  double norm = 0.0, diff = 0.0;
  int same = 1, nonzero_solid = 0;
  for (int64_t i = 0; i < rows; i++) {
    norm += b0[i] * b0[i], diff += fabs(b0[i] - b2[i]), same &= b0[i] == b1[i];
    if (m.start[i + 1] - m.start[i] == 1) nonzero_solid += b0[i] != 0.0;
  }
  TEST_NEAR(sqrt(norm), 1.0, 1e-14);
  TEST_ASSERT(same, "the same (seed, index) gave another right-hand side");
  TEST_ASSERT(diff > 0.1, "index 0 and 1 give nearly the same right-hand side (%g)", diff);
  TEST_ASSERT(nonzero_solid == 0, "%d solid cells with b != 0", nonzero_solid);
  free(b0), free(b1), free(b2), free_csr(&m);
  TEST_CALL(solace_dcdm_problem_destroy(&p));
  return 0;
}

static int test_structure(void) {
  double lmin = INFINITY, l;
  for (uint64_t seed = 1; seed <= 20; seed++) {
    if (check_spd(2, 16, seed, &l)) return 1;
    lmin = fmin(lmin, l);
  }
  if (check_spd(3, 8, 3, &l)) return 1;
  printf("blobs: smallest eigenvalue over 20 2-D seeds %.3e, 3-D %.3e\n", lmin, l);
  return check_sphere(2, 64) || check_sphere(3, 32) || check_rhs();
}

/* x = A^-1 b by PETSc's LU (or CG + ICC when lu is false) at rtol 1e-12. */
static int petsc_solve(solace_obstacle ob, const double *b, double *x, PetscBool lu) {
  KSP ksp;
  PC pc;
  Vec vb, vx;
  CHECK(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)ob->cells, b, &vb));
  CHECK(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)ob->cells, x, &vx));
  CHECK(KSPCreate(PETSC_COMM_SELF, &ksp));
  CHECK(KSPSetOperators(ksp, ob->A, ob->A));
  CHECK(KSPSetType(ksp, lu ? KSPPREONLY : KSPCG));
  CHECK(KSPGetPC(ksp, &pc));
  CHECK(PCSetType(pc, lu ? PCLU : PCICC));
  CHECK(KSPSetTolerances(ksp, 1e-12, 0.0, PETSC_DEFAULT, 10000));
  CHECK(KSPSolve(ksp, vb, vx));
  KSPConvergedReason reason;
  CHECK(KSPGetConvergedReason(ksp, &reason));
  TEST_ASSERT(reason > 0, "PETSc solve failed: %s", KSPConvergedReasons[reason]);
  CHECK(KSPDestroy(&ksp));
  CHECK(VecDestroy(&vb));
  CHECK(VecDestroy(&vx));
  return 0;
}

static double rel_diff(int64_t n, const double *x, const double *y) {
  double d = 0.0, s = 0.0;
  for (int64_t i = 0; i < n; i++) d += (x[i] - y[i]) * (x[i] - y[i]), s += y[i] * y[i];
  return sqrt(d / s);
}

static double dot(int64_t n, const double *x, const double *y) {
  double s = 0.0;
  for (int64_t i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

static int test_solve(void) {
  solace_obstacle ob;
  csr m;
  TEST_CALL(solace_obstacle_create(2, 64, "blobs", 2, &ob));
  if (get_csr(2, 64, "blobs", 2, &m)) return 1;
  int64_t n = ob->cells, grid[3] = {64, 64, 1}, its;
  double *b = malloc(sizeof(double) * (size_t)n), *xlu = malloc(sizeof(double) * (size_t)n),
         *xic = malloc(sizeof(double) * (size_t)n), *xcg = malloc(sizeof(double) * (size_t)n),
         *r = malloc(sizeof(double) * (size_t)n), res;
  TEST_CALL(solace_obstacle_rhs(ob, 5, 0, b));
  if (petsc_solve(ob, b, xlu, PETSC_TRUE) || petsc_solve(ob, b, xic, PETSC_FALSE)) return 1;
  double *xdcg = malloc(sizeof(double) * (size_t)n), dcg_res;
  int64_t dcg_its;
  TEST_CALL(solace_dcdm_solve_csr_opts("-deflate_block 8", NULL, 2, grid, n, m.start, m.cols,
                                       m.vals, b, xdcg, 1e-10, 10000, &dcg_its, &dcg_res));
  TEST_CALL(solace_dcdm_solve_csr(NULL, 2, grid, n, m.start, m.cols, m.vals, b, xcg, 1e-10, 10000,
                                  &its, &res));
  for (int64_t i = 0; i < n; i++) {
    r[i] = b[i];
    for (int64_t k = m.start[i]; k < m.start[i + 1]; k++) r[i] -= m.vals[k] * xlu[m.cols[k]];
  }
  double lu_res = sqrt(dot(n, r, r));
  printf("solve 64^2 blobs: |ICC-CG - LU| %.2e, |DCDM identity - LU| %.2e (%lld its, residual "
         "%.2e), LU residual %.2e\n",
         rel_diff(n, xic, xlu), rel_diff(n, xcg, xlu), (long long)its, res, lu_res);
  TEST_ASSERT(lu_res <= 1e-12, "LU residual %g", lu_res);
  TEST_ASSERT(rel_diff(n, xic, xlu) <= 1e-8, "ICC-CG differs from LU by %g", rel_diff(n, xic, xlu));
  TEST_ASSERT(rel_diff(n, xcg, xlu) <= 1e-6, "DCDM (identity) differs from LU by %g",
              rel_diff(n, xcg, xlu));
  TEST_ASSERT(res <= 1e-10, "reported residual %g", res);
  printf("deflated CG (blocks of 8 x 8): %lld iterations (CG %lld), |x - LU| %.2e\n",
         (long long)dcg_its, (long long)its, rel_diff(n, xdcg, xlu));
  TEST_ASSERT(rel_diff(n, xdcg, xlu) <= 1e-6 && dcg_res <= 1e-10 && dcg_its < its,
              "deflated CG: %.3g from LU, residual %g, %lld iterations (CG %lld)",
              rel_diff(n, xdcg, xlu), dcg_res, (long long)dcg_its, (long long)its);
  free(b), free(xlu), free(xic), free(xcg), free(xdcg), free(r), free_csr(&m);
  solace_obstacle_destroy(&ob);
  return 0;
}

static int test_errors(void) {
  solace_dcdm_problem p = NULL;
  TEST_FAILS_WITH(solace_dcdm_problem_create(4, 16, "blobs", 0, &p), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_dcdm_problem_create(2, 2, "blobs", 0, &p), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_dcdm_problem_create(3, 1024, "blobs", 0, &p), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_dcdm_problem_create(2, 16, "bunny", 0, &p), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "bunny") != NULL, "message: %s",
              solace_error_message());
  TEST_FAILS_WITH(solace_dcdm_problem_create(2, 16, NULL, 0, &p), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_dcdm_problem_create(2, 16, "empty", 0, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_dcdm_problem_get_size(NULL, NULL, NULL, NULL), SOLACE_ERR_ARG);
  TEST_CALL(solace_dcdm_problem_destroy(NULL));
  TEST_CALL(solace_dcdm_problem_destroy(&p));
  TEST_CALL(solace_dcdm_problem_create(2, 8, "empty", 0, &p));
  TEST_FAILS_WITH(solace_dcdm_problem_get_rhs(p, 0, -1, (double[64]){0}), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_dcdm_problem_get_csr(p, NULL, NULL, NULL), SOLACE_ERR_ARG);
  TEST_CALL(solace_dcdm_problem_destroy(&p));
  /* a 2 x 2 grid: [2 -1; -1 2] twice */
  int64_t start[5] = {0, 2, 4, 6, 8}, cols[8] = {0, 1, 0, 1, 2, 3, 2, 3}, grid[3] = {2, 2, 1};
  double vals[8] = {2, -1, -1, 2, 2, -1, -1, 2}, b[4] = {1, 1, 1, 1}, x[4];
  TEST_CALL(solace_dcdm_solve_csr("", 2, grid, 4, start, cols, vals, b, x, 1e-12, 10, NULL, NULL));
  TEST_NEAR(x[0], 1.0, 1e-12);
  int64_t its = 0; /* blocks of one cell: the coarse correction is the whole solve */
  TEST_CALL(solace_dcdm_solve_csr_opts(" -deflate_block 1  -directions 3 ", "", 2, grid, 4, start,
                                       cols, vals, b, x, 1e-12, 10, &its, NULL));
  TEST_NEAR(x[3], 1.0, 1e-12);
  TEST_ASSERT(its == 1, "blocks of one cell: %lld iterations", (long long)its);
  const char *bad_options[] = {
      "-deflate_block", "-deflate_block -1", "-deflate_block 2x", "-directions 0",
      "-max_levels -2", "-restart 5",        "deflate_block 2",   "-deflate_block 99999999999"};
  for (size_t k = 0; k < sizeof bad_options / sizeof bad_options[0]; k++) {
    TEST_FAILS_WITH(solace_dcdm_solve_csr_opts(bad_options[k], NULL, 2, grid, 4, start, cols, vals,
                                               b, x, 1e-8, 10, NULL, NULL),
                    SOLACE_ERR_ARG);
    TEST_ASSERT(strstr(solace_error_message(), "option"), "'%s': %s", bad_options[k],
                solace_error_message());
  }
  TEST_FAILS_WITH(solace_dcdm_solve_csr_opts(NULL, NULL, 2, grid, 4, start, cols, vals, b, x, 1e-8,
                                             10, NULL, NULL),
                  SOLACE_ERR_ARG);
  start[0] = 1;
  TEST_FAILS_WITH(
      solace_dcdm_solve_csr(NULL, 2, grid, 4, start, cols, vals, b, x, 1e-8, 10, NULL, NULL),
      SOLACE_ERR_ARG);
  start[0] = 0, cols[3] = 4;
  TEST_FAILS_WITH(
      solace_dcdm_solve_csr(NULL, 2, grid, 4, start, cols, vals, b, x, 1e-8, 10, NULL, NULL),
      SOLACE_ERR_ARG);
  cols[3] = 1, vals[2] = NAN;
  TEST_FAILS_WITH(
      solace_dcdm_solve_csr(NULL, 2, grid, 4, start, cols, vals, b, x, 1e-8, 10, NULL, NULL),
      SOLACE_ERR_ARG);
  vals[2] = -1, b[1] = NAN;
  TEST_FAILS_WITH(
      solace_dcdm_solve_csr(NULL, 2, grid, 4, start, cols, vals, b, x, 1e-8, 10, NULL, NULL),
      SOLACE_ERR_ARG);
  b[1] = 1;
  TEST_FAILS_WITH(
      solace_dcdm_solve_csr(NULL, 2, grid, 4, start, cols, vals, b, x, 0.0, 10, NULL, NULL),
      SOLACE_ERR_ARG);
  grid[0] = 3;
  TEST_FAILS_WITH(
      solace_dcdm_solve_csr(NULL, 2, grid, 4, start, cols, vals, b, x, 1e-8, 10, NULL, NULL),
      SOLACE_ERR_ARG);
  grid[0] = 2;
  TEST_FAILS_WITH(solace_dcdm_solve_csr("no-such-weights.h5", 2, grid, 4, start, cols, vals, b, x,
                                        1e-8, 10, NULL, NULL),
                  SOLACE_ERR_IO);
  TEST_FAILS_WITH(solace_dcdm_solve_csr(SOLACE_DCDM_DATA "/dcdm-3d.h5", 2, grid, 4, start, cols,
                                        vals, b, x, 1e-8, 10, NULL, NULL),
                  SOLACE_ERR_ARG); /* a 3-D network on a 2-D grid */
  TEST_CALL(solace_dcdm_train("-grid 8 -levels 2 -channels 2 -steps 0 -lanczos 5 -progress 3",
                              "levels2-weights.h5", NULL, NULL, NULL));
  TEST_FAILS_WITH(solace_dcdm_solve_csr("levels2-weights.h5", 2, grid, 4, start, cols, vals, b, x,
                                        1e-8, 10, NULL, NULL),
                  SOLACE_ERR_ARG); /* 2 x 2 grid, a network pooling twice */
  TEST_ASSERT(strstr(solace_error_message(), "not divisible by 4"), "message: %s",
              solace_error_message());
  remove("levels2-weights.h5");
  FILE *f = fopen("not-weights.h5", "w");
  TEST_ASSERT(f != NULL, "cannot write not-weights.h5");
  if (f) fputs("not an HDF5 file\n", f), fclose(f);
  TEST_FAILS_WITH(solace_dcdm_solve_csr("not-weights.h5", 2, grid, 4, start, cols, vals, b, x, 1e-8,
                                        10, NULL, NULL),
                  SOLACE_ERR_FORMAT);
  remove("not-weights.h5");
  vals[0] = -2, vals[3] = -2; /* indefinite: CG breaks down */
  TEST_FAILS_WITH(
      solace_dcdm_solve_csr(NULL, 2, grid, 4, start, cols, vals, b, x, 1e-8, 10, NULL, NULL),
      SOLACE_ERR_NOT_CONVERGED);
  return 0;
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"spectrum", test_spectrum},
                                    {"structure", test_structure},
                                    {"solve", test_solve},
                                    {"errors", test_errors}};
  return test_run_case(argc, argv, "t-obstacle", cases, (int)(sizeof cases / sizeof cases[0]));
}
