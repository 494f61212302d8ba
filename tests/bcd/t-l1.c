/* Non-negative L1 and L1 least squares: the solution satisfies the KKT conditions recomputed
 * here from the data (|g_j + lambda s_j| <= 1e-7 on the support, the sign condition off it;
 * the scale of g is ~100, so this is a relative 1e-9), the support settles after finitely many
 * iterations, and with Newton (two-metric projection) updates on variable blocks that cover
 * the support (50 >= its size) the solve then terminates: the duality gap falls to 1e-12 F(0)
 * within a few iterations of the settling. Proximal-gradient updates reach the same point. */
#include "bcd-test.h"

#define M 60
#define N 150

/* The largest KKT violation of x for penalty pen with weight lambda. */
static double kkt(const double *X, const double *y, const double *x, int pen, double lambda) {
  double r[M], worst = 0;
  for (int i = 0; i < M; i++) {
    r[i] = -y[i];
    for (int j = 0; j < N; j++) r[i] += X[i + j * M] * x[j];
  }
  for (int j = 0; j < N; j++) {
    double g = 0;
    for (int i = 0; i < M; i++) g += X[i + j * M] * r[i];
    double v;
    if (x[j] != 0)
      v = fabs(g + lambda * (x[j] > 0 ? 1 : -1));
    else if (pen == SOLACE_BCD_PENALTY_L1_POS)
      v = fmax(0, -(g + lambda));
    else
      v = fmax(0, fabs(g) - lambda);
    worst = fmax(worst, v);
  }
  return worst;
}

static int run(solace_bcd bcd, const double *X, const double *y, int pen, int upd, int rule,
               int part, int64_t tau) {
  double lmax, x[N], F, gap;
  int64_t settled, support, iters;
  TEST_CALL(solace_bcd_get_lambda_max(bcd, pen, &lmax));
  TEST_CALL(solace_bcd_set_penalty(bcd, pen, 0.2 * lmax));
  TEST_CALL(solace_bcd_set_partition(bcd, part, tau));
  TEST_CALL(solace_bcd_set_rule(bcd, rule));
  TEST_CALL(solace_bcd_set_update(bcd, upd));
  TEST_CALL(solace_bcd_set_stop(bcd, 50000, 1e-12));
  TEST_CALL(solace_bcd_solve(bcd));
  TEST_CALL(solace_bcd_get_solution(bcd, x));
  TEST_CALL(solace_bcd_get_support(bcd, &settled, &support));
  TEST_CALL(solace_bcd_get_iterations(bcd, &iters));
  TEST_CALL(solace_bcd_get_result(bcd, &F, &gap));
  double v = kkt(X, y, x, pen, 0.2 * lmax);
  printf("penalty %d update %d rule %d: support %lld settled at %lld of %lld iterations, gap "
         "%.3g, KKT %.3g\n",
         pen, upd, rule, (long long)support, (long long)settled, (long long)iters, gap, v);
  TEST_ASSERT(v <= 1e-7, "KKT violation %.3g", v);
  TEST_ASSERT(support > 0 && support < N, "support %lld", (long long)support);
  TEST_ASSERT(settled <= iters && (settled < iters / 2 || iters - settled <= 5),
              "support settled at %lld, last iteration %lld", (long long)settled, (long long)iters);
  if (upd == SOLACE_BCD_NEWTON && part == SOLACE_BCD_PART_VARIABLE)
    TEST_ASSERT(iters - settled <= 5, "Newton took %lld iterations after the support settled",
                (long long)(iters - settled));
  return 0;
}

int main(void) {
  double X[M * N], y[M];
  bcd_test_data(5, M, N, X, y);
  solace_bcd bcd;
  TEST_CALL(solace_bcd_create(&bcd));
  TEST_CALL(solace_bcd_set_dense(bcd, SOLACE_BCD_LEAST_SQUARES, M, N, X, M, y, 0));
  for (int pen = SOLACE_BCD_PENALTY_L1; pen <= SOLACE_BCD_PENALTY_L1_POS; pen++) {
    if (run(bcd, X, y, pen, SOLACE_BCD_NEWTON, SOLACE_BCD_GS, SOLACE_BCD_PART_VARIABLE, 50) ||
        run(bcd, X, y, pen, SOLACE_BCD_NEWTON_ARMIJO, SOLACE_BCD_GSQ, SOLACE_BCD_PART_SORT, 20) ||
        run(bcd, X, y, pen, SOLACE_BCD_GRADIENT, SOLACE_BCD_GSL, SOLACE_BCD_PART_SORT, 20) ||
        run(bcd, X, y, pen, SOLACE_BCD_ADAPTIVE, SOLACE_BCD_CYCLIC, SOLACE_BCD_PART_ORDER, 20))
      return 1;
  }
  solace_bcd_destroy(&bcd);
  return test_finish("bcd-l1");
}
