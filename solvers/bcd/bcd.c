/* The solace_bcd handle: creation, problem and rule setters, result getters. */
#include "solvers/bcd/bcd-impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int solace_bcd_create(solace_bcd *bcd) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  solace_bcd s;
  SolaceCall(SolaceCalloc(1, &s));
  s->tau = 1, s->max_iter = 500, s->rule = SOLACE_BCD_CYCLIC, s->update = SOLACE_BCD_GRADIENT;
  s->partition = SOLACE_BCD_PART_ORDER;
  *bcd = s;
  return SOLACE_SUCCESS;
}

/* Releases what a solve set up and its result. */
void bcd_release(solace_bcd s) {
  bcd_blocks_free(&s->blocks);
  free(s->Lb), free(s->Ladapt), free(s->chol), free(s->cholptr), free(s->rowsum);
  free(s->x), free(s->hist_f), free(s->hist_gap), free(s->hist_t);
  s->Lb = s->Ladapt = s->chol = s->rowsum = s->x = s->hist_f = s->hist_gap = s->hist_t = NULL;
  s->cholptr = NULL;
  s->solved = 0;
}

int solace_bcd_destroy(solace_bcd *bcd) {
  if (!bcd || !*bcd) return SOLACE_SUCCESS;
  bcd_release(*bcd);
  bcd_objective_destroy(&(*bcd)->obj);
  free((*bcd)->x0);
  free(*bcd);
  *bcd = NULL;
  return SOLACE_SUCCESS;
}

/* Replaces the problem (a new objective invalidates the start point and the result). */
static int set_objective(solace_bcd s, bcd_objective *o) {
  bcd_release(s);
  bcd_objective_destroy(&s->obj);
  free(s->x0);
  s->x0 = NULL;
  s->obj = o;
  s->lattice[0] = s->lattice[1] = 0;
  return SOLACE_SUCCESS;
}

int solace_bcd_set_dense(solace_bcd bcd, int problem, int64_t m, int64_t n, const double *X,
                         int64_t ld, const double *y, int64_t n_classes) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  bcd_matrix A;
  bcd_objective *o;
  SolaceCall(bcd_matrix_from_dense(m, n, X, ld, &A));
  SolaceCall(bcd_objective_glm(problem, A, y, n_classes, &o));
  return set_objective(bcd, o);
}

int solace_bcd_set_csr(solace_bcd bcd, int problem, int64_t m, int64_t n, const int64_t *rowptr,
                       const int64_t *colind, const double *values, const double *y,
                       int64_t n_classes) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  bcd_matrix A;
  bcd_objective *o;
  SolaceCall(bcd_matrix_from_csr(m, n, rowptr, colind, values, &A));
  SolaceCall(bcd_objective_glm(problem, A, y, n_classes, &o));
  return set_objective(bcd, o);
}

int solace_bcd_set_quadratic(solace_bcd bcd, int64_t n, const int64_t *rowptr,
                             const int64_t *colind, const double *values, const double *c) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  bcd_objective *o;
  SolaceCall(bcd_objective_quadratic(n, rowptr, colind, values, c, &o));
  return set_objective(bcd, o);
}

int solace_bcd_set_label_propagation(solace_bcd bcd, int64_t n_nodes, const int64_t *rowptr,
                                     const int64_t *colind, const double *weights,
                                     int64_t n_labelled, const int64_t *labelled,
                                     const double *values) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCheck(colind && weights && labelled && values, SOLACE_ERR_ARG,
              "colind, weights, labelled or values is NULL");
  bcd_objective *o;
  SolaceCall(bcd_objective_label_propagation(n_nodes, rowptr, colind, weights, n_labelled, labelled,
                                             values, &o));
  return set_objective(bcd, o);
}

int solace_bcd_set_lattice(solace_bcd bcd, int64_t rows, int64_t cols) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCheck(bcd->obj && bcd->obj->node, SOLACE_ERR_STATE,
              "set a label-propagation problem before its lattice");
  SolaceCheck(rows >= 2 && cols >= 2, SOLACE_ERR_ARG, "lattice %lld x %lld", (long long)rows,
              (long long)cols);
  int64_t last = bcd->obj->node[bcd->obj->n - 1];
  SolaceCheck(last < rows * cols, SOLACE_ERR_ARG, "node %lld is outside a %lld x %lld lattice",
              (long long)last, (long long)rows, (long long)cols);
  bcd->lattice[0] = rows, bcd->lattice[1] = cols;
  return SOLACE_SUCCESS;
}

int solace_bcd_set_callbacks(solace_bcd bcd, int64_t n, solace_bcd_value_fn value,
                             solace_bcd_block_gradient_fn gradient,
                             solace_bcd_block_hessvec_fn hessvec, const double *lipschitz,
                             void *ctx) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  bcd_objective *o;
  SolaceCall(bcd_objective_callback(n, value, gradient, hessvec, lipschitz, ctx, &o));
  return set_objective(bcd, o);
}

int solace_bcd_set_dataset(solace_bcd bcd, int dataset, uint64_t seed, int64_t m, int64_t n) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  bcd_objective *o;
  double lambda = 0;
  int64_t lattice[2] = {0, 0};
  SolaceCall(bcd_dataset_build(dataset, seed, m, n, &o, &lambda, lattice));
  SolaceCall(set_objective(bcd, o));
  bcd->lattice[0] = lattice[0], bcd->lattice[1] = lattice[1];
  if (dataset == SOLACE_BCD_DATA_L1) bcd->penalty = SOLACE_BCD_PENALTY_L1_POS, bcd->lambda = lambda;
  return SOLACE_SUCCESS;
}

int solace_bcd_set_penalty(solace_bcd bcd, int penalty, double lambda) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCheck(penalty >= SOLACE_BCD_PENALTY_NONE && penalty <= SOLACE_BCD_PENALTY_L1_POS,
              SOLACE_ERR_ARG, "penalty %d is not a solace_bcd_penalty", penalty);
  SolaceCheck(lambda >= 0 && isfinite(lambda), SOLACE_ERR_ARG, "lambda = %g is not >= 0", lambda);
  bcd->penalty = penalty, bcd->lambda = lambda;
  return SOLACE_SUCCESS;
}

int solace_bcd_get_lambda_max(solace_bcd bcd, int penalty, double *lambda_max) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCheckNotNull(lambda_max);
  SolaceCheck(bcd->obj, SOLACE_ERR_STATE, "no problem set");
  bcd_objective *o = bcd->obj;
  double *zero;
  SolaceCall(SolaceCalloc(o->n, &zero));
  o->x = zero;
  int status = bcd_objective_reset(o, zero);
  if (!status) status = bcd_objective_full_gradient(o);
  double worst = 0;
  for (int64_t j = 0; !status && j < o->n; j++)
    worst = fmax(worst, penalty == SOLACE_BCD_PENALTY_L1_POS ? -o->g[j] : fabs(o->g[j]));
  free(zero);
  o->x = NULL;
  if (status) return solace_error_trace(status, __func__);
  *lambda_max = worst;
  return SOLACE_SUCCESS;
}

int solace_bcd_set_partition(solace_bcd bcd, int partition, int64_t block_size) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCheck(partition >= SOLACE_BCD_PART_ORDER && partition <= SOLACE_BCD_PART_TREE,
              SOLACE_ERR_ARG, "partition %d is not a solace_bcd_partition", partition);
  SolaceCheck(block_size >= 1, SOLACE_ERR_ARG, "block size %lld < 1", (long long)block_size);
  SolaceCheck(!bcd->obj || block_size <= bcd->obj->n, SOLACE_ERR_ARG,
              "block size %lld is larger than the %lld variables", (long long)block_size,
              (long long)bcd->obj->n);
  bcd->partition = partition, bcd->tau = block_size;
  return SOLACE_SUCCESS;
}

int solace_bcd_set_rule(solace_bcd bcd, int rule) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCheck(rule >= SOLACE_BCD_CYCLIC && rule <= SOLACE_BCD_GSQ, SOLACE_ERR_ARG,
              "rule %d is not a solace_bcd_rule", rule);
  bcd->rule = rule;
  return SOLACE_SUCCESS;
}

int solace_bcd_set_update(solace_bcd bcd, int update) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCheck(update >= SOLACE_BCD_GRADIENT && update <= SOLACE_BCD_NEWTON_ARMIJO, SOLACE_ERR_ARG,
              "update %d is not a solace_bcd_update", update);
  bcd->update = update;
  return SOLACE_SUCCESS;
}

int solace_bcd_set_stop(solace_bcd bcd, int64_t max_iterations, double tol) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCheck(max_iterations >= 1, SOLACE_ERR_ARG, "max_iterations = %lld < 1",
              (long long)max_iterations);
  SolaceCheck(tol >= 0 && isfinite(tol), SOLACE_ERR_ARG, "tol = %g is not >= 0", tol);
  bcd->max_iter = max_iterations, bcd->tol = tol;
  return SOLACE_SUCCESS;
}

int solace_bcd_set_seed(solace_bcd bcd, uint64_t seed) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  bcd->seed = seed;
  return SOLACE_SUCCESS;
}

int solace_bcd_set_working_set(solace_bcd bcd, int on) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  bcd->working_set = on != 0;
  return SOLACE_SUCCESS;
}

int solace_bcd_set_start(solace_bcd bcd, int64_t n, const double *x0) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCheckNotNull(x0);
  SolaceCheck(bcd->obj, SOLACE_ERR_STATE, "set a problem before the start point");
  SolaceCheck(n == bcd->obj->n, SOLACE_ERR_ARG, "start point of %lld values for %lld variables",
              (long long)n, (long long)bcd->obj->n);
  for (int64_t i = 0; i < n; i++)
    SolaceCheck(isfinite(x0[i]), SOLACE_ERR_ARG, "x0[%lld] = %g is not finite", (long long)i,
                x0[i]);
  if (!bcd->x0) SolaceCall(SolaceCalloc(n, &bcd->x0));
  memcpy(bcd->x0, x0, (size_t)n * sizeof(double));
  return SOLACE_SUCCESS;
}

int solace_bcd_get_size(solace_bcd bcd, int64_t *n) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCheckNotNull(n);
  SolaceCheck(bcd->obj, SOLACE_ERR_STATE, "no problem set");
  *n = bcd->obj->n;
  return SOLACE_SUCCESS;
}

/* Checks that a solve has produced a result. */
static int check_solved(solace_bcd bcd) {
  SolaceCheckNotNull(bcd);
  SolaceCheck(bcd->solved, SOLACE_ERR_STATE, "call solace_bcd_solve() first");
  return SOLACE_SUCCESS;
}

int solace_bcd_get_solution(solace_bcd bcd, double *x) {
  solace_error_clear();
  SolaceCall(check_solved(bcd));
  SolaceCheckNotNull(x);
  memcpy(x, bcd->x, (size_t)bcd->obj->n * sizeof(double));
  return SOLACE_SUCCESS;
}

int solace_bcd_get_iterations(solace_bcd bcd, int64_t *iterations) {
  solace_error_clear();
  SolaceCall(check_solved(bcd));
  SolaceCheckNotNull(iterations);
  *iterations = bcd->iters;
  return SOLACE_SUCCESS;
}

int solace_bcd_get_history(solace_bcd bcd, double *objective, double *gap, double *seconds) {
  solace_error_clear();
  SolaceCall(check_solved(bcd));
  size_t bytes = (size_t)(bcd->iters + 1) * sizeof(double);
  if (objective) memcpy(objective, bcd->hist_f, bytes);
  if (gap) memcpy(gap, bcd->hist_gap, bytes);
  if (seconds) memcpy(seconds, bcd->hist_t, bytes);
  return SOLACE_SUCCESS;
}

int solace_bcd_get_result(solace_bcd bcd, double *objective, double *gap) {
  solace_error_clear();
  SolaceCall(check_solved(bcd));
  if (objective) *objective = bcd->hist_f[bcd->iters];
  if (gap) *gap = bcd->hist_gap[bcd->iters];
  return SOLACE_SUCCESS;
}

int solace_bcd_get_support(solace_bcd bcd, int64_t *settled_iteration, int64_t *support_size) {
  solace_error_clear();
  SolaceCall(check_solved(bcd));
  SolaceCheck(bcd->penalty != SOLACE_BCD_PENALTY_NONE, SOLACE_ERR_STATE,
              "the support is tracked for L1 penalties only");
  if (settled_iteration) *settled_iteration = bcd->settled;
  if (support_size) *support_size = bcd->support;
  return SOLACE_SUCCESS;
}
