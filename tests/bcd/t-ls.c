/* Least squares on dense and CSR data converges, under every rule and update, to the LAPACK
 * (dgels) solution. Tolerance 1e-7 relative: the problem is well conditioned (cond ~ 30), so
 * a gradient norm of 1e-9 (the stopping test) bounds the solution error near 1e-8. */
#include "bcd-test.h"

#define M 80
#define N 24

static double worst_error = 0;

static int solve_and_compare(solace_bcd bcd, const double *ref, const char *what, double tol) {
  double x[N];
  TEST_CALL(solace_bcd_solve(bcd));
  TEST_CALL(solace_bcd_get_solution(bcd, x));
  double err = bcd_test_relerr(N, x, ref);
  worst_error = fmax(worst_error, err);
  TEST_ASSERT(err <= tol, "%s: error %.3g > %.3g", what, err, tol);
  return 0;
}

/* Runs one configuration and compares with the reference. */
static int check(solace_bcd bcd, const double *ref, const char *data, int part, int rule, int upd) {
  static const char *rules[] = {"cyclic", "random", "lipschitz", "gs", "gsl", "gsd", "gsq"};
  static const char *updates[] = {"gradient", "adaptive", "newton", "newton-armijo"};
  char what[128];
  snprintf(what, sizeof what, "%s partition %d %s %s", data, part, rules[rule], updates[upd]);
  TEST_CALL(solace_bcd_set_partition(bcd, part, 5));
  TEST_CALL(solace_bcd_set_rule(bcd, rule));
  TEST_CALL(solace_bcd_set_update(bcd, upd));
  TEST_CALL(solace_bcd_set_stop(bcd, 100000, 1e-12));
  return solve_and_compare(bcd, ref, what, 1e-7);
}

int main(void) {
  double X[M * N], y[M], ref[N], val[M * N];
  int64_t ptr[M + 1], ind[M * N];
  bcd_test_data(7, M, N, X, y);
  TEST_ASSERT(bcd_test_lstsq(M, N, X, y, ref) == 0, "dgels failed");
  bcd_test_csr(M, N, X, ptr, ind, val);
  solace_bcd bcd;
  TEST_CALL(solace_bcd_create(&bcd));
  TEST_CALL(solace_bcd_set_dense(bcd, SOLACE_BCD_LEAST_SQUARES, M, N, X, M, y, 0));
  /* every rule with every update on fixed blocks sorted by L_i */
  for (int rule = SOLACE_BCD_CYCLIC; rule <= SOLACE_BCD_GSQ; rule++)
    for (int upd = SOLACE_BCD_GRADIENT; upd <= SOLACE_BCD_NEWTON_ARMIJO; upd++)
      if (check(bcd, ref, "dense", SOLACE_BCD_PART_SORT, rule, upd)) return 1;
  /* the other partitions (variable blocks: the greedy rules and uniform random subsets; Lipschitz
   * sampling of variable blocks almost never picks the light coordinates and is left out) */
  int parts[] = {SOLACE_BCD_PART_ORDER, SOLACE_BCD_PART_AVG, SOLACE_BCD_PART_ROWSUM,
                 SOLACE_BCD_PART_VARIABLE};
  for (int p = 0; p < 4; p++)
    for (int rule = SOLACE_BCD_CYCLIC; rule <= SOLACE_BCD_GSQ; rule++)
      if (rule != SOLACE_BCD_LIPSCHITZ || parts[p] != SOLACE_BCD_PART_VARIABLE)
        if (check(bcd, ref, "dense", parts[p], rule,
                  rule % 2 ? SOLACE_BCD_NEWTON : SOLACE_BCD_GRADIENT))
          return 1;
  TEST_CALL(solace_bcd_set_csr(bcd, SOLACE_BCD_LEAST_SQUARES, M, N, ptr, ind, val, y, 0));
  for (int rule = SOLACE_BCD_CYCLIC; rule <= SOLACE_BCD_GSQ; rule++)
    if (check(bcd, ref, "csr", SOLACE_BCD_PART_SORT, rule, rule % 4)) return 1;
  printf("largest relative error against dgels over all runs: %.3g\n", worst_error);
  solace_bcd_destroy(&bcd);
  return test_finish("bcd-ls");
}
