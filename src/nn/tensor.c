/* Tensors and the common part of layers: allocation, shapes, parameter blocks. */
#include "nn/nn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t solace_nn_tensor_spatial(const solace_nn_tensor *t) {
  int64_t p = 1;
  for (int k = 0; k < t->ndim; k++) p *= t->dims[k];
  return p;
}

int64_t solace_nn_tensor_size(const solace_nn_tensor *t) {
  return t->n * t->c * solace_nn_tensor_spatial(t);
}

int solace_nn_tensor_same_shape(const solace_nn_tensor *a, const solace_nn_tensor *b) {
  if (a->ndim != b->ndim || a->n != b->n || a->c != b->c) return 0;
  for (int k = 0; k < a->ndim; k++)
    if (a->dims[k] != b->dims[k]) return 0;
  return 1;
}

const char *solace_nn_tensor_shape_string(const solace_nn_tensor *t, char *buf, size_t size) {
  int used = snprintf(buf, size, "[%lld, %lld", (long long)t->n, (long long)t->c);
  for (int k = 0; k < t->ndim && used > 0 && (size_t)used < size; k++)
    used += snprintf(buf + used, size - (size_t)used, ", %lld", (long long)t->dims[k]);
  if (used > 0 && (size_t)used < size) snprintf(buf + used, size - (size_t)used, "]");
  return buf;
}

/* Checks ndim, n, c, dims and fills the shape fields of t. */
static int set_shape(int ndim, int64_t n, int64_t c, const int64_t *dims, solace_nn_tensor *t) {
  SolaceCheck(ndim >= 0 && ndim <= 3, SOLACE_ERR_ARG, "ndim = %d is not in 0..3", ndim);
  SolaceCheck(n >= 1 && c >= 1, SOLACE_ERR_ARG, "n = %lld, c = %lld must be >= 1", (long long)n,
              (long long)c);
  SolaceCheck(ndim == 0 || dims, SOLACE_ERR_ARG, "dims is NULL with ndim = %d", ndim);
  t->ndim = ndim;
  t->n = n;
  t->c = c;
  for (int k = 0; k < 3; k++) {
    t->dims[k] = k < ndim ? dims[k] : 1;
    SolaceCheck(t->dims[k] >= 1, SOLACE_ERR_ARG, "dims[%d] = %lld must be >= 1", k,
                (long long)t->dims[k]);
  }
  return SOLACE_SUCCESS;
}

int solace_nn_tensor_create(int ndim, int64_t n, int64_t c, const int64_t *dims,
                            solace_nn_tensor **t) {
  SolaceCheckNotNull(t);
  solace_nn_tensor shape = {0};
  SolaceCall(set_shape(ndim, n, c, dims, &shape));
  SolaceCall(SolaceCalloc(1, t));
  **t = shape;
  int status = solace_nn_tensor_reshape(*t, &shape);
  if (status) solace_nn_tensor_destroy(t);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

void solace_nn_tensor_release(solace_nn_tensor *t) {
  if (t->capacity) free(t->data);
  memset(t, 0, sizeof *t);
}

void solace_nn_tensor_destroy(solace_nn_tensor **t) {
  if (!t || !*t) return;
  solace_nn_tensor_release(*t);
  free(*t);
  *t = NULL;
}

int solace_nn_tensor_reshape(solace_nn_tensor *t, const solace_nn_tensor *shape) {
  SolaceCheck(t->capacity > 0 || !t->data, SOLACE_ERR_STATE, "cannot reshape a borrowed tensor");
  int64_t size = solace_nn_tensor_size(shape);
  if (size > t->capacity) {
    double *data;
    SolaceCall(SolaceCalloc(size, &data));
    free(t->data);
    t->data = data;
    t->capacity = size;
  }
  double *data = t->data;
  int64_t capacity = t->capacity;
  *t = *shape;
  t->data = data;
  t->capacity = capacity;
  return SOLACE_SUCCESS;
}

/* Allocates one parameter block of the given shape. */
static int param_alloc(const char *name, int rank, const int64_t *shape, solace_nn_param *p) {
  p->name = name;
  p->rank = rank;
  p->count = 1;
  for (int k = 0; k < rank; k++) p->count *= (p->shape[k] = shape[k]);
  SolaceCall(SolaceCalloc(p->count, &p->value));
  SolaceCall(SolaceCalloc(p->count, &p->grad));
  return SOLACE_SUCCESS;
}

int solace_nn_layer_alloc(const solace_nn_ops *ops, int wrank, const int64_t *wshape, int64_t bias,
                          solace_nn_layer **layer) {
  SolaceCall(SolaceCalloc(1, layer));
  (*layer)->ops = ops;
  if (!wrank) return SOLACE_SUCCESS;
  (*layer)->nparams = 2;
  int status = param_alloc("weight", wrank, wshape, &(*layer)->params[0]);
  if (!status) status = param_alloc("bias", 1, &bias, &(*layer)->params[1]);
  if (status) solace_nn_layer_destroy(layer);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_nn_layer_tie(solace_nn_layer *layer, const solace_nn_layer *owner) {
  SolaceCheckNotNull(layer);
  SolaceCheckNotNull(owner);
  SolaceCheck(layer != owner && layer->nparams == 2 && owner->nparams == 2 && !owner->tied &&
                  layer->ops == owner->ops && layer->ndim == owner->ndim &&
                  layer->in == owner->in && layer->out == owner->out &&
                  layer->kernel == owner->kernel,
              SOLACE_ERR_ARG,
              "cannot tie a %s layer (%lld -> %lld, kernel %d, %d parameter blocks) to a %s layer "
              "(%lld -> %lld, kernel %d, %d parameter blocks%s)",
              layer->ops->name, (long long)layer->in, (long long)layer->out, layer->kernel,
              layer->nparams, owner->ops->name, (long long)owner->in, (long long)owner->out,
              owner->kernel, owner->nparams, owner->tied ? ", itself tied" : "");
  for (int k = 0; k < 2; k++) {
    free(layer->params[k].value);
    free(layer->params[k].grad);
    layer->params[k] = owner->params[k];
  }
  layer->nparams = 0;
  layer->tied = 1;
  return SOLACE_SUCCESS;
}

void solace_nn_layer_destroy(solace_nn_layer **layer) {
  if (!layer || !*layer) return;
  for (int k = 0; k < 2 && !(*layer)->tied; k++) {
    free((*layer)->params[k].value);
    free((*layer)->params[k].grad);
  }
  free((*layer)->work);
  free(*layer);
  *layer = NULL;
}

int64_t solace_nn_layer_param_count(const solace_nn_layer *layer) {
  int64_t count = 0;
  for (int k = 0; k < layer->nparams; k++) count += layer->params[k].count;
  return count;
}
