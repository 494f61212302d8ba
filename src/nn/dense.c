/* Dense (fully connected) layer: y = W x + b per sample, the batch as one GEMM.
 * x [n, in] (a spatial input is flattened per sample), W [out, in] row-major, y [n, out]. */
#include "nn/nn.h"

#include <cblas.h>
#include <string.h>

static int dense_shape(const solace_nn_layer *layer, const solace_nn_tensor *x,
                       solace_nn_tensor *y) {
  int64_t features = x->c * solace_nn_tensor_spatial(x);
  SolaceCheck(features == layer->in, SOLACE_ERR_ARG,
              "dense layer expects %lld input features, got %lld", (long long)layer->in,
              (long long)features);
  *y = (solace_nn_tensor){.ndim = 0, .n = x->n, .c = layer->out, .dims = {1, 1, 1}};
  return SOLACE_SUCCESS;
}

/* Y = X W^T + 1 b^T. */
static int dense_forward(solace_nn_layer *layer, const solace_nn_tensor *x, solace_nn_tensor *y) {
  const double *w = layer->params[0].value, *b = layer->params[1].value;
  int in = (int)layer->in, out = (int)layer->out, n = (int)x->n;
  for (int s = 0; s < n; s++) memcpy(y->data + (int64_t)s * out, b, sizeof(double) * out);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in, 1.0, x->data, in, w, in, 1.0,
              y->data, out);
  return SOLACE_SUCCESS;
}

/* dW += dY^T X, db += column sums of dY, dX = dY W. */
static int dense_backward(solace_nn_layer *layer, const solace_nn_tensor *x,
                          const solace_nn_tensor *y, const solace_nn_tensor *dy,
                          solace_nn_tensor *dx) {
  (void)y;
  int in = (int)layer->in, out = (int)layer->out, n = (int)x->n;
  double *db = layer->params[1].grad;
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, n, 1.0, dy->data, out, x->data, in,
              1.0, layer->params[0].grad, in);
  for (int s = 0; s < n; s++)
    for (int o = 0; o < out; o++) db[o] += dy->data[(int64_t)s * out + o];
  if (dx)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, in, out, 1.0, dy->data, out,
                layer->params[0].value, in, 0.0, dx->data, in);
  return SOLACE_SUCCESS;
}

static const solace_nn_ops dense_ops = {"dense", dense_shape, dense_forward, dense_backward};

int solace_nn_layer_create_dense(int64_t in, int64_t out, solace_nn_layer **layer) {
  SolaceCheckNotNull(layer);
  SolaceCheck(in >= 1 && out >= 1 && in <= INT32_MAX && out <= INT32_MAX, SOLACE_ERR_ARG,
              "dense sizes in = %lld, out = %lld must be in 1..2^31-1", (long long)in,
              (long long)out);
  int64_t shape[2] = {out, in};
  SolaceCall(solace_nn_layer_alloc(&dense_ops, 2, shape, out, layer));
  (*layer)->in = in;
  (*layer)->out = out;
  (*layer)->init = SOLACE_NN_INIT_GLOROT;
  return SOLACE_SUCCESS;
}
