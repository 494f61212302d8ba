/* The public neural-ODE object: creation, settings, integration from given states, the
 * classifier head and classification. */
#include "node-object.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int node_check_matrix(const char *name, const double *x, int64_t d, int64_t n, int64_t ld,
                      int finite, const char *func) {
  if (!x) return solace_error_set(SOLACE_ERR_ARG, func, "%s is NULL", name);
  if (ld < d)
    return solace_error_set(SOLACE_ERR_ARG, func, "leading dimension of %s is %lld < d = %lld",
                            name, (long long)ld, (long long)d);
  for (int64_t j = 0; finite && j < n; j++)
    for (int64_t i = 0; i < d; i++)
      if (!isfinite(x[j * ld + i]))
        return solace_error_set(SOLACE_ERR_ARG, func, "%s(%lld, %lld) = %g is not finite", name,
                                (long long)i, (long long)j, x[j * ld + i]);
  return SOLACE_SUCCESS;
}

int solace_node_create(int64_t d, int64_t nhidden, const int64_t *hidden, int activation,
                       uint64_t seed, solace_node *node) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  *node = NULL;
  SolaceCheck(nhidden >= 1 && nhidden <= NODE_MAX_HIDDEN, SOLACE_ERR_ARG,
              "nhidden = %lld must be in 1..%d", (long long)nhidden, NODE_MAX_HIDDEN);
  SolaceCheck(activation == SOLACE_NODE_TANH || activation == SOLACE_NODE_RELU, SOLACE_ERR_ARG,
              "activation %d is not SOLACE_NODE_TANH or SOLACE_NODE_RELU", activation);
  SolaceCheckNotNull(hidden);
  solace_node n;
  SolaceCall(SolaceCalloc(1, &n));
  n->d = d, n->nhidden = nhidden, n->activation = activation;
  memcpy(n->hidden, hidden, sizeof(int64_t) * (size_t)nhidden);
  n->reg = SOLACE_NODE_REG_NONE, n->lambda0 = n->lambda1 = 1, n->lr = 1e-3, n->batch = 64;
  n->seed = n->init_seed = seed, n->reg_samples = 1;
  int status =
      node_field_create(d, (int)nhidden, hidden, activation == SOLACE_NODE_RELU, 0, &n->field);
  if (!status) status = solace_nn_net_init(n->field->net, seed);
  if (!status) status = node_solver_init(&n->solver, n->field, SOLACE_NODE_TSIT5, 1e-6, 1e-6);
  if (status) {
    solace_node_destroy(&n);
    return solace_error_trace(status, __func__);
  }
  *node = n;
  return SOLACE_SUCCESS;
}

int solace_node_destroy(solace_node *node) {
  if (!node || !*node) return SOLACE_SUCCESS;
  solace_node n = *node;
  node_solver_free(&n->solver);
  node_field_destroy(&n->field);
  solace_nn_net_destroy(&n->head);
  free(n->history), free(n->checkpoint);
  free(n);
  *node = NULL;
  return SOLACE_SUCCESS;
}

int solace_node_get_sizes(solace_node node, int64_t *d, int64_t *classes) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  if (d) *d = node->d;
  if (classes) *classes = node->classes;
  return SOLACE_SUCCESS;
}

int node_create_head(solace_node node, int64_t classes, uint64_t seed) {
  solace_nn_layer *dense = NULL;
  solace_nn_net_destroy(&node->head);
  node->classes = 0;
  SolaceCall(solace_nn_net_create(&node->head));
  SolaceCall(solace_nn_layer_create_dense(node->d, classes, &dense));
  SolaceCall(solace_nn_net_add_layer(node->head, &dense));
  SolaceCall(solace_nn_net_init(node->head, seed ^ 0x5eedULL));
  node->classes = classes;
  return SOLACE_SUCCESS;
}

int solace_node_set_classifier(solace_node node, int64_t classes, uint64_t seed) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(classes >= 2, SOLACE_ERR_ARG, "classes = %lld must be >= 2", (long long)classes);
  SolaceCall(node_create_head(node, classes, seed));
  return SOLACE_SUCCESS;
}

int solace_node_set_time(solace_node node, int time) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(time == SOLACE_NODE_TIME_INPUT || time == SOLACE_NODE_TIME_LAYERS, SOLACE_ERR_ARG,
              "time %d is not a solace_node_time (0 input, 1 every layer)", time);
  node_field *field = NULL;
  SolaceCall(node_field_create(node->d, (int)node->nhidden, node->hidden,
                               node->activation == SOLACE_NODE_RELU, time, &field));
  int status = solace_nn_net_init(field->net, node->init_seed);
  if (status) {
    node_field_destroy(&field);
    return solace_error_trace(status, __func__);
  }
  node_field_destroy(&node->field);
  node->field = node->solver.field = field;
  node->time = time;
  return SOLACE_SUCCESS;
}

int solace_node_set_tolerances(solace_node node, double rtol, double atol) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(isfinite(rtol) && isfinite(atol) && rtol > 0 && atol > 0, SOLACE_ERR_ARG,
              "rtol = %g and atol = %g must be finite and > 0", rtol, atol);
  node->solver.rtol = rtol, node->solver.atol = atol;
  return SOLACE_SUCCESS;
}

int solace_node_set_method(solace_node node, int method, int64_t max_steps) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(max_steps >= 1, SOLACE_ERR_ARG, "max_steps = %lld must be >= 1",
              (long long)max_steps);
  SolaceCall(node_table_get(method, &node->solver.table));
  node->solver.method = method, node->solver.max_steps = max_steps;
  return SOLACE_SUCCESS;
}

int solace_node_get_nfe(solace_node node, int64_t *nfe) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheckNotNull(nfe);
  *nfe = node->nfe;
  return SOLACE_SUCCESS;
}

/* Copies n columns of a d x n matrix with leading dimension ld into packed storage and back. */
static void pack(int64_t d, int64_t n, const double *x, int64_t ld, double *packed) {
  for (int64_t j = 0; j < n; j++) memcpy(packed + j * d, x + j * ld, sizeof(double) * (size_t)d);
}
static void unpack(int64_t d, int64_t n, const double *packed, double *x, int64_t ld) {
  for (int64_t j = 0; j < n; j++) memcpy(x + j * ld, packed + j * d, sizeof(double) * (size_t)d);
}

/* Integrates packed states; outputs packed (ntimes n d). */
static int integrate_packed(solace_node node, int64_t n, const double *u0, double t0,
                            int64_t ntimes, const double *times, double *out) {
  node->field->nfe = 0;
  int status =
      node_solve(&node->solver, n * node->d, t0, u0, ntimes, times, out, NULL, 0, NULL, NULL);
  node->nfe = node->field->nfe;
  return status;
}

int solace_node_integrate(solace_node node, int64_t n, const double *u0, int64_t ldu0, double t0,
                          int64_t ntimes, const double *times, double *u, int64_t ldu) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(n >= 1 && ntimes >= 1, SOLACE_ERR_ARG, "n = %lld and ntimes = %lld must be >= 1",
              (long long)n, (long long)ntimes);
  SolaceCheckNotNull(times);
  SolaceCall(node_check_matrix("u0", u0, node->d, n, ldu0, 1, __func__));
  SolaceCall(node_check_matrix("u", u, node->d, n * ntimes, ldu, 0, __func__));
  int64_t N = n * node->d;
  double *packed = NULL, *out = NULL;
  int status = SolaceCalloc(N, &packed);
  if (!status) status = SolaceCalloc(N * ntimes, &out);
  if (!status) {
    pack(node->d, n, u0, ldu0, packed);
    status = integrate_packed(node, n, packed, t0, ntimes, times, out);
  }
  if (!status) unpack(node->d, n * ntimes, out, u, ldu);
  free(packed), free(out);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int node_head_forward(solace_node node, int64_t n, double *u, const solace_nn_tensor **y,
                      solace_nn_tensor *x) {
  *x = (solace_nn_tensor){.ndim = 0, .n = n, .c = node->d, .dims = {1, 1, 1}, .data = u};
  return solace_nn_net_forward(node->head, x, y);
}

/* Arg-max of each row of the logits. */
static void argmax_rows(const solace_nn_tensor *y, int64_t *labels) {
  for (int64_t s = 0; s < y->n; s++) {
    int64_t best = 0;
    for (int64_t c = 1; c < y->c; c++)
      if (y->data[s * y->c + c] > y->data[s * y->c + best]) best = c;
    labels[s] = best;
  }
}

int solace_node_classify(solace_node node, int64_t n, const double *x, int64_t ldx, double t1,
                         int64_t *labels) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(node->classes >= 2, SOLACE_ERR_STATE, "the neural ODE has no classifier head");
  SolaceCheck(n >= 1 && isfinite(t1) && t1 > 0, SOLACE_ERR_ARG,
              "n = %lld must be >= 1 and t1 = %g > 0", (long long)n, t1);
  SolaceCheckNotNull(labels);
  SolaceCall(node_check_matrix("x", x, node->d, n, ldx, 1, __func__));
  double *packed = NULL, *out = NULL;
  int status = SolaceCalloc(n * node->d, &packed);
  if (!status) status = SolaceCalloc(n * node->d, &out);
  if (!status) {
    pack(node->d, n, x, ldx, packed);
    status = integrate_packed(node, n, packed, 0.0, 1, &t1, out);
  }
  const solace_nn_tensor *y;
  solace_nn_tensor xt;
  if (!status) status = node_head_forward(node, n, out, &y, &xt);
  if (!status) argmax_rows(y, labels);
  free(packed), free(out);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_node_set_training(solace_node node, int reg, double lambda0, double lambda1, double lr,
                             int64_t batch, uint64_t seed) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(reg >= SOLACE_NODE_REG_NONE && reg <= SOLACE_NODE_REG_GLOBAL, SOLACE_ERR_ARG,
              "reg = %d is not a solace_node_reg (0 none, 1 unbiased, 2 biased, 3 global)", reg);
  SolaceCheck(reg == SOLACE_NODE_REG_NONE ||
                  (isfinite(lambda0) && isfinite(lambda1) && lambda0 > 0 && lambda1 > 0),
              SOLACE_ERR_ARG, "lambda0 = %g and lambda1 = %g must be finite and > 0", lambda0,
              lambda1);
  SolaceCheck(isfinite(lr) && lr > 0 && batch >= 1, SOLACE_ERR_ARG,
              "lr = %g must be > 0 and batch = %lld >= 1", lr, (long long)batch);
  node->reg = reg, node->lambda0 = lambda0, node->lambda1 = lambda1, node->lr = lr;
  node->batch = batch, node->seed = seed;
  return SOLACE_SUCCESS;
}

int solace_node_set_adjoint(solace_node node, int adjoint) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(adjoint == SOLACE_NODE_ADJOINT_DISCRETE || adjoint == SOLACE_NODE_ADJOINT_CVODES,
              SOLACE_ERR_ARG, "adjoint %d is not a solace_node_adjoint (0 discrete, 1 cvodes)",
              adjoint);
  node->adjoint = adjoint;
  return SOLACE_SUCCESS;
}

int solace_node_set_reg_step(solace_node node, int step) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(step == SOLACE_NODE_REG_STEP_INITIAL || step == SOLACE_NODE_REG_STEP_SOLVER,
              SOLACE_ERR_ARG, "step %d is not a solace_node_reg_step (0 initial, 1 solver)", step);
  node->reg_step = step;
  return SOLACE_SUCCESS;
}

int solace_node_set_reg_samples(solace_node node, int64_t samples) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(samples >= 1 && samples <= NODE_MAX_REG_SAMPLES, SOLACE_ERR_ARG,
              "samples = %lld must be in 1..%d", (long long)samples, NODE_MAX_REG_SAMPLES);
  node->reg_samples = samples;
  return SOLACE_SUCCESS;
}

/* Replaces a string copy (NULL clears). */
static int set_string(char **dst, const char *src) {
  free(*dst);
  *dst = NULL;
  if (!src) return SOLACE_SUCCESS;
  *dst = strdup(src);
  SolaceCheck(*dst, SOLACE_ERR_MEM, "cannot copy '%s'", src);
  return SOLACE_SUCCESS;
}

int solace_node_set_output(solace_node node, const char *history, const char *checkpoint,
                           int64_t every) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheck(!checkpoint || every >= 1, SOLACE_ERR_ARG, "every = %lld must be >= 1",
              (long long)every);
  SolaceCall(set_string(&node->history, history));
  SolaceCall(set_string(&node->checkpoint, checkpoint));
  node->every = every;
  return SOLACE_SUCCESS;
}
