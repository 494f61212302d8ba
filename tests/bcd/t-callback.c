/* A user objective through callbacks (least squares written by hand here) converges to the
 * LAPACK dgels solution with gradient, Newton (Hessian-vector callback) and greedy rules,
 * tolerance 1e-7 relative as in t-ls.c; a failing callback stops the solve with its status. */
#include "bcd-test.h"

#define M 50
#define N 12

typedef struct {
  double X[M * N], y[M];
  int fail_after;
  int calls;
} problem;

static void residual(const problem *p, const double *x, double *r) {
  for (int i = 0; i < M; i++) {
    r[i] = -p->y[i];
    for (int j = 0; j < N; j++) r[i] += p->X[i + j * M] * x[j];
  }
}

static int value(int64_t n, const double *x, double *f, void *ctx) {
  problem *p = ctx;
  double r[M];
  (void)n;
  if (p->fail_after && ++p->calls > p->fail_after) return 42;
  residual(p, x, r);
  *f = 0;
  for (int i = 0; i < M; i++) *f += 0.5 * r[i] * r[i];
  return 0;
}

static int gradient(int64_t n, const double *x, int64_t nb, const int64_t *idx, double *g,
                    void *ctx) {
  problem *p = ctx;
  double r[M];
  (void)n;
  residual(p, x, r);
  for (int64_t a = 0; a < nb; a++) {
    g[a] = 0;
    for (int i = 0; i < M; i++) g[a] += p->X[i + idx[a] * M] * r[i];
  }
  return 0;
}

static int hessvec(int64_t n, const double *x, int64_t nb, const int64_t *idx, const double *v,
                   double *hv, void *ctx) {
  problem *p = ctx;
  (void)n, (void)x;
  for (int64_t a = 0; a < nb; a++) {
    hv[a] = 0;
    for (int64_t b = 0; b < nb; b++)
      for (int i = 0; i < M; i++) hv[a] += p->X[i + idx[a] * M] * p->X[i + idx[b] * M] * v[b];
  }
  return 0;
}

int main(void) {
  problem p = {0};
  double ref[N], x[N], L[N];
  bcd_test_data(3, M, N, p.X, p.y);
  TEST_ASSERT(bcd_test_lstsq(M, N, p.X, p.y, ref) == 0, "dgels failed");
  for (int j = 0; j < N; j++) {
    L[j] = 0;
    for (int i = 0; i < M; i++) L[j] += p.X[i + j * M] * p.X[i + j * M];
  }
  solace_bcd bcd;
  TEST_CALL(solace_bcd_create(&bcd));
  TEST_CALL(solace_bcd_set_callbacks(bcd, N, value, gradient, hessvec, L, &p));
  int rules[] = {SOLACE_BCD_CYCLIC, SOLACE_BCD_GSL, SOLACE_BCD_GS};
  int updates[] = {SOLACE_BCD_ADAPTIVE, SOLACE_BCD_NEWTON, SOLACE_BCD_NEWTON_ARMIJO};
  for (int k = 0; k < 3; k++) {
    TEST_CALL(solace_bcd_set_partition(bcd, SOLACE_BCD_PART_ORDER, 4));
    TEST_CALL(solace_bcd_set_rule(bcd, rules[k]));
    TEST_CALL(solace_bcd_set_update(bcd, updates[k]));
    TEST_CALL(solace_bcd_set_stop(bcd, 20000, 1e-12));
    TEST_CALL(solace_bcd_solve(bcd));
    TEST_CALL(solace_bcd_get_solution(bcd, x));
    double err = bcd_test_relerr(N, x, ref);
    printf("callbacks, rule %d update %d: error %.3g\n", rules[k], updates[k], err);
    TEST_ASSERT(err <= 1e-7, "rule %d update %d: error %.3g", rules[k], updates[k], err);
  }
  p.fail_after = 5;
  TEST_FAILS_WITH(solace_bcd_solve(bcd), SOLACE_ERR_BACKEND);
  solace_bcd_destroy(&bcd);
  return test_finish("bcd-callback");
}
