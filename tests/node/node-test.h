/* Helpers of the neural-ODE tests: fields with known dynamics, random parameters, and a replay of
 * recorded steps (the discrete map the adjoint differentiates) written from the step function. */
#ifndef SOLACE_NODE_TEST_H
#define SOLACE_NODE_TEST_H

#include "solvers/node/node-impl.h"
#include "test-util.h"

#include <string.h>

/* f(u) = A u exactly, through ReLU: W1 = [I; -I] (time column 0), W2 = [A, -A]. d <= 4. */
static inline int node_test_linear_field(int64_t d, const double *A, node_field **field) {
  int64_t hidden = 2 * d;
  int nblocks;
  solace_nn_param **blocks;
  int status = node_field_create(d, 1, &hidden, 1, 0, field);
  if (!status) status = solace_nn_net_params((*field)->net, &nblocks, &blocks);
  if (status) return status;
  double *w1 = blocks[0]->value, *w2 = blocks[2]->value;
  memset(w1, 0, sizeof(double) * (size_t)blocks[0]->count);
  memset(blocks[1]->value, 0, sizeof(double) * (size_t)blocks[1]->count);
  memset(blocks[3]->value, 0, sizeof(double) * (size_t)blocks[3]->count);
  for (int64_t i = 0; i < d; i++) {
    w1[i * (d + 1) + i] = 1, w1[(d + i) * (d + 1) + i] = -1;
    for (int64_t j = 0; j < d; j++)
      w2[i * 2 * d + j] = A[i * d + j], w2[i * 2 * d + d + j] = -A[i * d + j];
  }
  return SOLACE_SUCCESS;
}

/* A tanh MLP field (d + 1 -> hidden -> hidden -> d, or t appended at every layer when
 * time_layers) with seeded weights and small random biases. */
static inline int node_test_random_field(int64_t d, int64_t hidden, uint64_t seed, int time_layers,
                                         node_field **field) {
  int64_t widths[2] = {hidden, hidden};
  int nblocks;
  solace_nn_param **blocks;
  int status = node_field_create(d, 2, widths, 0, time_layers, field);
  if (!status) status = solace_nn_net_init((*field)->net, seed);
  if (!status) status = solace_nn_net_params((*field)->net, &nblocks, &blocks);
  for (int k = 0; !status && k < nblocks; k++)
    if (!strcmp(blocks[k]->name, "bias")) {
      solace_rand_normal(seed, 100 + k, 0, blocks[k]->count, blocks[k]->value);
      for (int64_t i = 0; i < blocks[k]->count; i++) blocks[k]->value[i] *= 0.2;
    }
  return status;
}

/* Replays the recorded steps from u0 with the current parameters: out (nout N) receives the
 * states at the outputs, *greg the sum of EEst h over the steps. */
static inline int node_test_replay(node_field *field, const node_table *tab, const node_record *rec,
                                   double atol, double rtol, const double *u0, double *out,
                                   double *greg) {
  int64_t N = rec->N, s = tab->stages;
  double *y = calloc((size_t)N, sizeof(double)), *y1 = calloc((size_t)N, sizeof(double));
  double *k = calloc((size_t)(s * N), sizeof(double)), *work = calloc((size_t)N, sizeof(double));
  int status = (!y || !y1 || !k || !work) ? SOLACE_ERR_MEM : SOLACE_SUCCESS;
  if (!status) memcpy(y, u0, sizeof(double) * (size_t)N);
  *greg = 0;
  for (int64_t n = 0; !status && n <= rec->nsteps; n++) {
    for (int64_t o = 0; o < rec->nout; o++)
      if (rec->out_step[o] == n) memcpy(out + o * N, y, sizeof(double) * (size_t)N);
    if (n == rec->nsteps) break;
    status = node_step_forward(field, tab, N, rec->t[n], rec->h[n], y, NULL, k, y1, work);
    *greg += rec->h[n] * node_error_estimate(tab, N, rec->h[n], atol, rtol, y, y1, k);
    memcpy(y, y1, sizeof(double) * (size_t)N);
  }
  free(y), free(y1), free(k), free(work);
  return status;
}

#endif
