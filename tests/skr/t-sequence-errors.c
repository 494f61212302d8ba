/* Error paths of the SKR sequence solver: each bad call returns the documented code and a message
 * that names the offending argument, system or entry. Reference: the documented contract of
 * skr.h. Also checks that a non-converged system still gets its solution and residual. */
#include <string.h>

#include "test-util.h"

enum { N = 4, COUNT = 2, NNZ = 3 * N - 2 };

/* Checks that the last message contains `what`. */
#define TEST_MESSAGE_HAS(what)                                                                     \
  TEST_ASSERT(strstr(solace_error_message(), (what)) != NULL, "message \"%s\" lacks \"%s\"",       \
              solace_error_message(), (what))

/* Two tridiagonal systems (4 on the diagonal, -1 beside it) in CSR form. */
typedef struct {
  int64_t rowptr[COUNT][N + 1], colidx[COUNT][NNZ];
  double values[COUNT][NNZ], rhs[COUNT * N], x[COUNT * N], res[COUNT];
  int64_t its[COUNT];
  const int64_t *rp[COUNT], *ci[COUNT];
  const double *va[COUNT];
} sequence;

/* Fills s with the valid sequence. */
static void make_sequence(sequence *s) {
  for (int i = 0; i < COUNT; i++) {
    int64_t e = 0;
    s->rowptr[i][0] = 0;
    for (int row = 0; row < N; row++) {
      for (int col = row - 1; col <= row + 1; col++) {
        if (col < 0 || col >= N) continue;
        s->colidx[i][e] = col, s->values[i][e++] = col == row ? 4 + i : -1;
      }
      s->rowptr[i][row + 1] = e;
      s->rhs[i * N + row] = 1 + row;
    }
    s->rp[i] = s->rowptr[i], s->ci[i] = s->colidx[i], s->va[i] = s->values[i];
  }
}

/* Solves s with skr. */
static int solve(solace_skr skr, sequence *s) {
  return solace_skr_solve_sequence(skr, COUNT, N, s->rp, s->ci, s->va, s->rhs, s->x, s->its,
                                   s->res);
}

/* Callback that fails with a distinctive status for system 1. */
static int failing_fn(int64_t index, int64_t *nnz, const int64_t **rowptr, const int64_t **colidx,
                      const double **values, double *rhs, void *ctx) {
  sequence *s = ctx;
  if (index == 1) return SOLACE_ERR_IO;
  *nnz = NNZ, *rowptr = s->rowptr[index], *colidx = s->colidx[index];
  *values = s->values[index];
  memcpy(rhs, s->rhs + index * N, sizeof(double) * N);
  return 0;
}

/* Callback that gives a column out of range for system 1. */
static int bad_column_fn(int64_t index, int64_t *nnz, const int64_t **rowptr,
                         const int64_t **colidx, const double **values, double *rhs, void *ctx) {
  sequence *s = ctx;
  static int64_t bad[NNZ];
  failing_fn(0, nnz, rowptr, colidx, values, rhs, ctx);
  memcpy(bad, s->colidx[index], sizeof bad);
  bad[2] = -1;
  *colidx = index == 1 ? bad : s->colidx[index];
  return 0;
}

/* NULL handle, NULL arrays, count 0, n 0. */
static int check_arguments(solace_skr skr, sequence *s) {
  TEST_FAILS_WITH(solace_skr_create(NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solve(NULL, s), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("skr is NULL");
  TEST_FAILS_WITH(solace_skr_set_restart(NULL, 10), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_skr_get_order(NULL, s->its), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_skr_get_order(skr, s->its), SOLACE_ERR_STATE);
  TEST_MESSAGE_HAS("no sequence");
  TEST_FAILS_WITH(solace_skr_get_summary(skr, NULL, NULL, NULL), SOLACE_ERR_STATE);
  TEST_FAILS_WITH(
      solace_skr_solve_sequence(skr, COUNT, N, NULL, s->ci, s->va, s->rhs, s->x, NULL, NULL),
      SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("rowptr");
  TEST_FAILS_WITH(
      solace_skr_solve_sequence(skr, COUNT, N, s->rp, s->ci, s->va, NULL, s->x, NULL, NULL),
      SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("rhs");
  TEST_FAILS_WITH(
      solace_skr_solve_sequence(skr, COUNT, N, s->rp, s->ci, s->va, s->rhs, NULL, NULL, NULL),
      SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("solutions");
  s->va[1] = NULL;
  TEST_FAILS_WITH(solve(skr, s), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("values[1] is NULL");
  s->va[1] = s->values[1];
  TEST_FAILS_WITH(
      solace_skr_solve_sequence(skr, 0, N, s->rp, s->ci, s->va, s->rhs, s->x, NULL, NULL),
      SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("count = 0");
  TEST_FAILS_WITH(
      solace_skr_solve_sequence(skr, COUNT, 0, s->rp, s->ci, s->va, s->rhs, s->x, NULL, NULL),
      SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("n = 0");
  TEST_FAILS_WITH(solace_skr_solve_sequence_fn(skr, COUNT, N, NULL, s, s->x, NULL, NULL),
                  SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("callback");
  return 0;
}

/* Settings: m < 1, k >= m (at set time and at solve time), tolerance, sort, PC, features. */
static int check_settings(solace_skr skr, sequence *s) {
  TEST_FAILS_WITH(solace_skr_set_restart(skr, 0), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("restart m = 0");
  TEST_FAILS_WITH(solace_skr_set_recycle(skr, -1), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("recycle k = -1");
  TEST_FAILS_WITH(solace_skr_set_recycle(skr, 40), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("recycle k = 40 must be smaller than the restart m = 40");
  TEST_CALL(solace_skr_set_recycle(skr, 20));
  TEST_CALL(solace_skr_set_restart(skr, 10));
  TEST_FAILS_WITH(solve(skr, s), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("recycle k = 20 must be smaller than the restart m = 10");
  TEST_CALL(solace_skr_set_recycle(skr, 5));
  TEST_FAILS_WITH(solace_skr_set_tolerance(skr, NAN, 100), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("rtol");
  TEST_FAILS_WITH(solace_skr_set_tolerance(skr, 1e-8, 0), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("max_it = 0");
  TEST_FAILS_WITH(solace_skr_set_sort(skr, 17), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("method 17");
  TEST_FAILS_WITH(solace_skr_set_pc(skr, "nosuchpc"), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("nosuchpc");
  TEST_FAILS_WITH(solace_skr_set_pc(skr, NULL), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("pc_type");
  TEST_CALL(solace_skr_set_pc(skr, "jacobi"));
  double features[COUNT + 1] = {0, NAN, 1};
  TEST_FAILS_WITH(solace_skr_set_features(skr, features, COUNT, 1), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("features[1]");
  features[1] = 0.5;
  TEST_CALL(solace_skr_set_features(skr, features, COUNT + 1, 1));
  TEST_FAILS_WITH(solve(skr, s), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("features were given for 3 systems but count = 2");
  TEST_CALL(solace_skr_set_features(skr, NULL, 0, 0));
  TEST_CALL(solve(skr, s));
  return 0;
}

/* Bad CSR content: each message names system 1 and the entry. */
static int check_csr(solace_skr skr, sequence *s) {
  s->rowptr[1][2] = 9; /* 0, 2, 9, 8, 10 */
  TEST_FAILS_WITH(solve(skr, s), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("system 1: rowptr is not monotone");
  make_sequence(s);
  s->rowptr[1][0] = 1;
  TEST_FAILS_WITH(solve(skr, s), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("rowptr[1][0] = 1, must be 0");
  make_sequence(s);
  s->colidx[1][3] = N;
  TEST_FAILS_WITH(solve(skr, s), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("system 1: column index colidx[1][3] = 4");
  make_sequence(s);
  s->values[1][4] = NAN;
  TEST_FAILS_WITH(solve(skr, s), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("system 1: values[1][4]");
  make_sequence(s);
  s->rhs[N + 2] = INFINITY;
  TEST_FAILS_WITH(solve(skr, s), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("system 1: right-hand side rhs[1*n + 2]");
  make_sequence(s);
  /* sorting by values needs one pattern: system 1 loses its last entry */
  s->rowptr[1][N] = NNZ - 1;
  TEST_CALL(solace_skr_set_sort(skr, SOLACE_SKR_SORT_GREEDY));
  TEST_FAILS_WITH(solve(skr, s), SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("solace_skr_set_features");
  TEST_CALL(solace_skr_set_sort(skr, SOLACE_SKR_SORT_NONE));
  TEST_CALL(solve(skr, s)); /* different patterns solve fine unsorted */
  make_sequence(s);
  return 0;
}

/* The callback's status propagates; its bad data is caught; max_it gives NOT_CONVERGED. */
static int check_callback_and_convergence(solace_skr skr, sequence *s) {
  TEST_FAILS_WITH(solace_skr_solve_sequence_fn(skr, COUNT, N, failing_fn, s, s->x, NULL, NULL),
                  SOLACE_ERR_IO);
  TEST_MESSAGE_HAS("callback returned -3 (SOLACE_ERR_IO) for system 1");
  TEST_FAILS_WITH(solace_skr_solve_sequence_fn(skr, COUNT, N, bad_column_fn, s, s->x, NULL, NULL),
                  SOLACE_ERR_ARG);
  TEST_MESSAGE_HAS("system 1: column index colidx[1][2] = -1");
  TEST_CALL(solace_skr_set_pc(skr, "none"));
  TEST_CALL(solace_skr_set_tolerance(skr, 1e-12, 1));
  for (int i = 0; i < COUNT; i++) s->res[i] = -1;
  TEST_FAILS_WITH(solve(skr, s), SOLACE_ERR_NOT_CONVERGED);
  TEST_MESSAGE_HAS("the first, system 0");
  for (int i = 0; i < COUNT; i++)
    TEST_ASSERT(s->res[i] > 1e-12 && s->its[i] >= 1, "system %d: residual %g, %lld iterations", i,
                s->res[i], (long long)s->its[i]);
  int64_t order[COUNT];
  TEST_CALL(solace_skr_get_order(skr, order));
  return 0;
}

int main(int argc, char **argv) {
  solace_skr skr = NULL;
  TEST_FAILS_WITH(solace_skr_create(&skr), SOLACE_ERR_STATE);
  TEST_MESSAGE_HAS("solace_initialize");
  TEST_ASSERT(skr == NULL, "a handle without initialization");
  TEST_CALL(solace_initialize(&argc, &argv));
  TEST_CALL(solace_skr_create(&skr));
  sequence *s = calloc(1, sizeof *s);
  make_sequence(s);
  if (check_arguments(skr, s) || check_settings(skr, s) || check_csr(skr, s) ||
      check_callback_and_convergence(skr, s))
    return 1;
  TEST_CALL(solace_skr_destroy(&skr));
  TEST_CALL(solace_skr_destroy(&skr));
  TEST_CALL(solace_skr_destroy(NULL));
  free(s);
  TEST_CALL(solace_finalize());
  return test_finish("skr-sequence-errors");
}
