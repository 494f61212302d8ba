/* Label propagation on a 12 x 12 lattice (dataset D's construction, 7 labels): every forest
 * partition with Newton (message-passing) updates converges to the dense Cholesky solution of
 * Q x = c (LAPACK dposv); tolerance 1e-9 relative: Q is a well-conditioned M-matrix here and
 * the stop asks for a gradient 1e-13 below its start. Forest solves on the blocks of the
 * greedy forest partition equal dense solves of the same blocks to 1e-12 (both are direct
 * solves of systems with condition < 100). */
#include "bcd-test.h"
#include "solvers/bcd/bcd-impl.h"

#define SIDE 12

/* Dense Q and c of the problem (internal objective state). */
static void dense_q(const bcd_objective *o, double *Q) {
  int64_t n = o->n;
  memset(Q, 0, sizeof(double) * (size_t)(n * n));
  for (int64_t i = 0; i < n; i++)
    for (int64_t p = o->qptr[i]; p < o->qptr[i + 1]; p++) Q[i + o->qind[p] * n] += o->qval[p];
}

/* Forest solve == dense solve on each block of the greedy forest partition. */
static int check_forest_solves(solace_bcd bcd, const double *Q) {
  bcd_objective *o = bcd->obj;
  int64_t n = o->n;
  bcd->partition = SOLACE_BCD_PART_FOREST, bcd->tau = 40;
  bcd_blocks B = {0};
  TEST_CALL(bcd_partition_fixed(bcd, &B));
  TEST_ASSERT(B.count >= 2, "greedy forests: %lld blocks", (long long)B.count);
  double worst = 0;
  for (int64_t q = 0; q < B.count; q++) {
    int64_t nb = B.ptr[q + 1] - B.ptr[q], *idx = B.idx + B.ptr[q];
    double *Qb = malloc(sizeof(double) * (size_t)(nb * nb)),
           *r = malloc(sizeof(double) * (size_t)nb);
    double *d = malloc(sizeof(double) * (size_t)nb), *ref = malloc(sizeof(double) * (size_t)nb);
    for (int64_t a = 0; a < nb; a++) {
      r[a] = ref[a] = sin(1.0 + (double)(a * 7 + q));
      for (int64_t b = 0; b < nb; b++) Qb[a + b * nb] = Q[idx[a] + idx[b] * n];
    }
    TEST_CALL(bcd_forest_solve(o->rows, o->qptr, o->qind, o->qval, nb, idx, r, d));
    TEST_ASSERT(LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (int)nb, 1, Qb, (int)nb, ref, (int)nb) == 0,
                "dposv");
    worst = fmax(worst, bcd_test_relerr(nb, d, ref));
    free(Qb), free(r), free(d), free(ref);
  }
  printf("forest solves vs dense solves on %lld blocks: max relative error %.3g\n",
         (long long)B.count, worst);
  TEST_ASSERT(worst <= 1e-12, "forest solve error %.3g", worst);
  /* a block with a cycle (a 2 x 2 square of the lattice) is refused */
  int64_t square[4] = {0, 1, 2, 3}, cyc = 0;
  for (int64_t v = 0; v < n && !cyc; v++) /* find four unlabelled nodes forming a square */
    if (o->node[v] % SIDE < SIDE - 1 && v + 1 < n && o->node[v + 1] == o->node[v] + 1)
      for (int64_t u = v + 2; u + 1 < n; u++)
        if (o->node[u] == o->node[v] + SIDE && o->node[u + 1] == o->node[v] + SIDE + 1) {
          square[0] = v, square[1] = v + 1, square[2] = u, square[3] = u + 1, cyc = 1;
          break;
        }
  double r4[4] = {1, 2, 3, 4}, d4[4];
  TEST_ASSERT(cyc, "no unlabelled square found");
  TEST_FAILS_WITH(bcd_forest_solve(o->rows, o->qptr, o->qind, o->qval, 4, square, r4, d4),
                  SOLACE_ERR_ARG);
  bcd_blocks_free(&B);
  return 0;
}

int main(void) {
  solace_bcd bcd;
  TEST_CALL(solace_bcd_create(&bcd));
  TEST_CALL(solace_bcd_set_dataset(bcd, SOLACE_BCD_DATA_D, 3, SIDE, 0));
  int64_t n;
  TEST_CALL(solace_bcd_get_size(bcd, &n));
  double *Q = malloc(sizeof(double) * (size_t)(n * n)), *ref = malloc(sizeof(double) * (size_t)n);
  double *x = malloc(sizeof(double) * (size_t)n), *Qf = malloc(sizeof(double) * (size_t)(n * n));
  dense_q(bcd->obj, Q);
  memcpy(Qf, Q, sizeof(double) * (size_t)(n * n));
  memcpy(ref, bcd->obj->c, sizeof(double) * (size_t)n);
  TEST_ASSERT(LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (int)n, 1, Qf, (int)n, ref, (int)n) == 0,
              "dposv");
  int parts[] = {SOLACE_BCD_PART_REDBLACK, SOLACE_BCD_PART_COMB, SOLACE_BCD_PART_FOREST,
                 SOLACE_BCD_PART_TREE, SOLACE_BCD_PART_ORDER};
  const char *names[] = {"red-black", "two combs", "greedy forests", "greedy tree", "order"};
  for (int k = 0; k < 5; k++) {
    TEST_CALL(solace_bcd_set_partition(bcd, parts[k], k >= 2 ? 30 : 1));
    TEST_CALL(solace_bcd_set_rule(bcd, k == 3 ? SOLACE_BCD_GS : SOLACE_BCD_CYCLIC));
    TEST_CALL(solace_bcd_set_update(bcd, SOLACE_BCD_NEWTON));
    TEST_CALL(solace_bcd_set_stop(bcd, 20000, 1e-13));
    TEST_CALL(solace_bcd_solve(bcd));
    TEST_CALL(solace_bcd_get_solution(bcd, x));
    int64_t it;
    TEST_CALL(solace_bcd_get_iterations(bcd, &it));
    double err = bcd_test_relerr(n, x, ref);
    printf("%-15s %6lld iterations, error %.3g\n", names[k], (long long)it, err);
    TEST_ASSERT(err <= 1e-9, "%s: error %.3g", names[k], err);
  }
  if (check_forest_solves(bcd, Q)) return 1;
  free(Q), free(ref), free(x), free(Qf);
  solace_bcd_destroy(&bcd);
  return test_finish("bcd-labelprop");
}
