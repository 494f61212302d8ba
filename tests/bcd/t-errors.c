/* Bad input gives a clear status and message, never a crash: empty data, NaN, block larger
 * than n, labels out of range, unknown enums, NULL handles, wrong state, bad graphs. */
#include "bcd-test.h"

int main(void) {
  double X[6] = {1, 2, 3, 4, 5, 6}, y[3] = {1, -1, 1}, bad[6] = {1, 2, NAN, 4, 5, 6};
  double ybad[3] = {1, 0, 1}, ysm[3] = {0, 1, 3};
  int64_t ptr[4] = {0, 1, 2, 3}, ind[3] = {0, 1, 5}, n;
  solace_bcd bcd;
  TEST_FAILS_WITH(solace_bcd_create(NULL), SOLACE_ERR_ARG);
  TEST_CALL(solace_bcd_create(&bcd));
  TEST_FAILS_WITH(solace_bcd_solve(bcd), SOLACE_ERR_STATE);
  TEST_FAILS_WITH(solace_bcd_get_size(bcd, &n), SOLACE_ERR_STATE);
  TEST_FAILS_WITH(solace_bcd_set_dense(bcd, SOLACE_BCD_LEAST_SQUARES, 0, 2, X, 3, y, 0),
                  SOLACE_ERR_ARG); /* empty */
  TEST_FAILS_WITH(solace_bcd_set_dense(bcd, SOLACE_BCD_LEAST_SQUARES, 3, 2, bad, 3, y, 0),
                  SOLACE_ERR_ARG); /* NaN */
  TEST_FAILS_WITH(solace_bcd_set_dense(bcd, SOLACE_BCD_LEAST_SQUARES, 3, 2, X, 2, y, 0),
                  SOLACE_ERR_ARG); /* ld < m */
  TEST_FAILS_WITH(solace_bcd_set_dense(bcd, SOLACE_BCD_LOGISTIC, 3, 2, X, 3, ybad, 0),
                  SOLACE_ERR_ARG); /* label 0 */
  TEST_FAILS_WITH(solace_bcd_set_dense(bcd, SOLACE_BCD_SOFTMAX, 3, 2, X, 3, ysm, 3),
                  SOLACE_ERR_ARG); /* label 3 of 3 classes */
  TEST_FAILS_WITH(solace_bcd_set_dense(bcd, SOLACE_BCD_SOFTMAX, 3, 2, X, 3, ysm, 1),
                  SOLACE_ERR_ARG); /* one class */
  TEST_FAILS_WITH(solace_bcd_set_dense(bcd, 17, 3, 2, X, 3, y, 0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_csr(bcd, SOLACE_BCD_LEAST_SQUARES, 3, 2, ptr, ind, X, y, 0),
                  SOLACE_ERR_ARG); /* column 5 of 2 */
  TEST_CALL(solace_bcd_set_dense(bcd, SOLACE_BCD_LEAST_SQUARES, 3, 2, X, 3, y, 0));
  TEST_FAILS_WITH(solace_bcd_set_partition(bcd, SOLACE_BCD_PART_ORDER, 3), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_partition(bcd, SOLACE_BCD_PART_ORDER, 0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_partition(bcd, 99, 1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_rule(bcd, -1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_update(bcd, 4), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_penalty(bcd, SOLACE_BCD_PENALTY_L1, NAN), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_penalty(bcd, 5, 1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_stop(bcd, 0, 0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_stop(bcd, 10, -1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_start(bcd, 3, X), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_start(bcd, 2, bad + 1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_get_solution(bcd, X), SOLACE_ERR_STATE);
  TEST_FAILS_WITH(solace_bcd_write_history(bcd, "never.h5"), SOLACE_ERR_STATE);
  TEST_FAILS_WITH(solace_bcd_set_lattice(bcd, 2, 2), SOLACE_ERR_STATE);
  TEST_CALL(solace_bcd_set_partition(bcd, SOLACE_BCD_PART_REDBLACK, 1));
  TEST_FAILS_WITH(solace_bcd_solve(bcd), SOLACE_ERR_UNSUPPORTED); /* graph partition, LS data */
  TEST_CALL(solace_bcd_set_partition(bcd, SOLACE_BCD_PART_ORDER, 1));
  TEST_CALL(solace_bcd_set_working_set(bcd, 1));
  TEST_FAILS_WITH(solace_bcd_solve(bcd), SOLACE_ERR_UNSUPPORTED); /* no penalty */
  TEST_CALL(solace_bcd_set_working_set(bcd, 0));
  TEST_CALL(solace_bcd_solve(bcd));
  TEST_FAILS_WITH(solace_bcd_get_support(bcd, NULL, NULL), SOLACE_ERR_STATE);
  TEST_FAILS_WITH(solace_bcd_write_history(bcd, "/nonexistent-dir/h.h5"), SOLACE_ERR_IO);
  TEST_FAILS_WITH(solace_bcd_set_dataset(bcd, 9, 1, 0, 0), SOLACE_ERR_ARG);
  /* label propagation: a self-loop, a label outside the graph, no labels */
  int64_t gp[4] = {0, 1, 3, 4}, gi[4] = {1, 0, 2, 1}, gself[4] = {1, 1, 2, 1}, lab = 0, far = 7;
  double w[4] = {1, 1, 1, 1}, one = 1;
  TEST_FAILS_WITH(solace_bcd_set_label_propagation(bcd, 3, gp, gself, w, 1, &lab, &one),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_label_propagation(bcd, 3, gp, gi, w, 1, &far, &one),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_bcd_set_label_propagation(bcd, 3, gp, gi, w, 0, &lab, &one),
                  SOLACE_ERR_ARG);
  TEST_CALL(solace_bcd_set_label_propagation(bcd, 3, gp, gi, w, 1, &lab, &one));
  TEST_CALL(solace_bcd_set_partition(bcd, SOLACE_BCD_PART_COMB, 1));
  TEST_FAILS_WITH(solace_bcd_solve(bcd), SOLACE_ERR_STATE); /* no lattice */
  double L[2] = {1, -1};
  TEST_FAILS_WITH(solace_bcd_set_callbacks(bcd, 2, NULL, NULL, NULL, L, NULL), SOLACE_ERR_ARG);
  TEST_CALL(solace_bcd_destroy(&bcd));
  TEST_ASSERT(bcd == NULL, "destroy did not clear the handle");
  TEST_CALL(solace_bcd_destroy(&bcd));
  TEST_CALL(solace_bcd_destroy(NULL));
  return test_finish("bcd-errors");
}
