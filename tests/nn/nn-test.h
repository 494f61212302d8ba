/* Helpers of the neural-network tests: random tensors and parameters, a tensor-owning net
 * forward. Test data come from Solace's Philox normals (stream chosen per use). */
#ifndef SOLACE_NN_TEST_H
#define SOLACE_NN_TEST_H

#include "nn/nn.h"
#include "solace/rand.h"
#include "test-util.h"

#include <string.h>

/* Fills v[0..n-1] with scale * N(0,1) from stream `stream` of seed 7. */
static inline void nn_test_normal(uint64_t stream, int64_t n, double scale, double *v) {
  solace_rand_normal(7, stream, 0, n, v);
  for (int64_t i = 0; i < n; i++) v[i] *= scale;
}

/* Creates a tensor of random normal values. */
static inline solace_nn_tensor *nn_test_tensor(int ndim, int64_t n, int64_t c, const int64_t *dims,
                                               uint64_t stream) {
  solace_nn_tensor *t = NULL;
  if (solace_nn_tensor_create(ndim, n, c, dims, &t)) return NULL;
  nn_test_normal(stream, solace_nn_tensor_size(t), 1.0, t->data);
  return t;
}

/* Initialises a network from `seed` and gives every bias small random values (so that bias
 * paths and ReLU patterns are not trivial). */
static inline int nn_test_init(solace_nn_net net, uint64_t seed) {
  int nblocks;
  solace_nn_param **blocks;
  int status = solace_nn_net_init(net, seed);
  if (!status) status = solace_nn_net_params(net, &nblocks, &blocks);
  for (int k = 0; !status && k < nblocks; k++)
    if (!strcmp(blocks[k]->name, "bias"))
      nn_test_normal(1000 + k, blocks[k]->count, 0.1, blocks[k]->value);
  return status;
}

#endif
