/* The incrementally maintained state (model values, objective, full gradient) after many block
 * steps of mixed sizes equals the state recomputed from scratch at the same x, for least
 * squares, logistic and softmax on dense and CSR data and for the quadratic: relative 1e-10
 * (hundreds of rank-one updates accumulate rounding of order 1e-14 relative). */
#include "bcd-test.h"
#include "solvers/bcd/bcd-impl.h"

#define M 40
#define N 15
#define K 3

/* Random block steps on o (tracked gradient), then a comparison with a fresh reset. */
static int exercise(bcd_objective *o, const char *name) {
  int64_t n = o->n, idx[7];
  double *x = calloc((size_t)n, sizeof(double)), *g = malloc(sizeof(double) * (size_t)n), d[7];
  o->x = x, o->track = 1;
  TEST_CALL(bcd_objective_reset(o, x));
  for (int step = 0; step < 300; step++) {
    int64_t nb = 1 + step % 7;
    for (int64_t a = 0; a < nb; a++) {
      double u[2];
      solace_rand_uniform(9, (uint64_t)step, 2 * (uint64_t)a, 2, u);
      idx[a] = (int64_t)(u[0] * (double)n) % n;
      for (int64_t b = 0; b < a; b++)
        if (idx[b] == idx[a]) idx[a] = (idx[a] + 1) % n, b = -1;
      d[a] = 0.2 * (u[1] - 0.5);
      x[idx[a]] += d[a];
    }
    TEST_CALL(bcd_objective_update(o, nb, idx, d));
  }
  double f_inc = o->f;
  TEST_CALL(bcd_objective_full_gradient(o));
  memcpy(g, o->g, sizeof(double) * (size_t)n);
  TEST_CALL(bcd_objective_reset(o, x));
  TEST_CALL(bcd_objective_full_gradient(o));
  double gerr = bcd_test_relerr(n, g, o->g), ferr = fabs(f_inc - o->f) / fmax(1, fabs(o->f));
  printf("%-16s gradient error %.3g, objective error %.3g\n", name, gerr, ferr);
  TEST_ASSERT(gerr <= 1e-10 && ferr <= 1e-10, "%s: gradient %.3g, objective %.3g", name, gerr,
              ferr);
  o->x = NULL;
  free(x), free(g);
  return 0;
}

int main(void) {
  double X[M * N], y[M], ylog[M], ysm[M], val[M * N];
  int64_t ptr[M + 1], ind[M * N];
  bcd_test_data(21, M, N, X, y);
  for (int i = 0; i < M; i++) {
    ylog[i] = y[i] > 0 ? 1 : -1;
    ysm[i] = (double)(i % K);
    for (int j = 0; j < N; j++) /* some zeros for the CSR form */
      if ((i + 2 * j) % 5 == 0) X[i + j * M] = 0;
  }
  bcd_test_csr(M, N, X, ptr, ind, val);
  const int problems[] = {SOLACE_BCD_LEAST_SQUARES, SOLACE_BCD_LOGISTIC, SOLACE_BCD_SOFTMAX};
  const double *targets[] = {y, ylog, ysm};
  const char *names[] = {"least squares", "logistic", "softmax"};
  for (int p = 0; p < 3; p++)
    for (int sparse = 0; sparse < 2; sparse++) {
      bcd_matrix A;
      bcd_objective *o;
      char name[64];
      if (sparse)
        TEST_CALL(bcd_matrix_from_csr(M, N, ptr, ind, val, &A));
      else
        TEST_CALL(bcd_matrix_from_dense(M, N, X, M, &A));
      TEST_CALL(bcd_objective_glm(problems[p], A, targets[p], K, &o));
      snprintf(name, sizeof name, "%s %s", names[p], sparse ? "csr" : "dense");
      if (exercise(o, name)) return 1;
      bcd_objective_destroy(&o);
    }
  solace_bcd bcd;
  TEST_CALL(solace_bcd_create(&bcd));
  TEST_CALL(solace_bcd_set_dataset(bcd, SOLACE_BCD_DATA_D, 2, 8, 0));
  if (exercise(bcd->obj, "quadratic")) return 1;
  solace_bcd_destroy(&bcd);
  return test_finish("bcd-incremental");
}
