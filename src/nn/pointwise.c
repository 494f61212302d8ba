/* Layers without parameters: 2x2(x2) average pooling, nearest upsampling by 2, ReLU, tanh, and
 * the residual add. A 2D grid is handled as a 3D one of depth 1 (no pooling in depth). */
#include "nn/nn.h"

#include <math.h>
#include <string.h>

/* Grid sizes D, H, W of a tensor with 2 or 3 spatial dimensions. */
static void grid_of(const solace_nn_tensor *t, int64_t g[3]) {
  g[0] = t->ndim == 3 ? t->dims[0] : 1;
  g[1] = t->dims[t->ndim - 2];
  g[2] = t->dims[t->ndim - 1];
}

/* Checks a pooling (up = 0) or upsampling (up = 1) input and gives y the halved or doubled grid. */
static int resample_shape(const solace_nn_layer *layer, const solace_nn_tensor *x,
                          solace_nn_tensor *y, int up) {
  SolaceCheck(x->ndim == layer->ndim, SOLACE_ERR_ARG, "%s expects %d spatial dimensions, got %d",
              layer->ops->name, layer->ndim, x->ndim);
  *y = *x;
  y->data = NULL;
  y->capacity = 0;
  for (int k = 0; k < x->ndim; k++) {
    SolaceCheck(up || x->dims[k] % 2 == 0, SOLACE_ERR_ARG,
                "%s needs even sizes, dimension %d is %lld", layer->ops->name, k,
                (long long)x->dims[k]);
    y->dims[k] = up ? 2 * x->dims[k] : x->dims[k] / 2;
  }
  return SOLACE_SUCCESS;
}

static int pool_shape(const solace_nn_layer *layer, const solace_nn_tensor *x,
                      solace_nn_tensor *y) {
  return resample_shape(layer, x, y, 0);
}

static int up_shape(const solace_nn_layer *layer, const solace_nn_tensor *x, solace_nn_tensor *y) {
  return resample_shape(layer, x, y, 1);
}

/* Walks every fine point (fine grid f, coarse grid g, depth factor kd) of every channel and
 * either gathers coarse += scale * fine (to_coarse) or scatters fine = scale * coarse. */
static void resample(const int64_t f[3], int kd, int64_t planes, double scale, double *fine,
                     double *coarse, int to_coarse) {
  int64_t g[3] = {f[0] / kd, f[1] / 2, f[2] / 2}, fs = f[0] * f[1] * f[2], gs = g[0] * g[1] * g[2];
  if (to_coarse) memset(coarse, 0, sizeof(double) * planes * gs);
  for (int64_t p = 0; p < planes; p++)
    for (int64_t z = 0; z < f[0]; z++)
      for (int64_t y = 0; y < f[1]; y++) {
        double *frow = fine + p * fs + (z * f[1] + y) * f[2];
        double *grow = coarse + p * gs + ((z / kd) * g[1] + y / 2) * g[2];
        if (to_coarse)
          for (int64_t x = 0; x < f[2]; x++) grow[x / 2] += scale * frow[x];
        else
          for (int64_t x = 0; x < f[2]; x++) frow[x] = scale * grow[x / 2];
      }
}

/* Fine-grid sizes and the depth factor of a pooling / upsampling layer. */
static int fine_grid(const solace_nn_layer *layer, const solace_nn_tensor *fine, int64_t f[3]) {
  grid_of(fine, f);
  return layer->ndim == 3 ? 2 : 1;
}

static int pool_forward(solace_nn_layer *layer, const solace_nn_tensor *x, solace_nn_tensor *y) {
  int64_t f[3];
  int kd = fine_grid(layer, x, f);
  resample(f, kd, x->n * x->c, 1.0 / (4 * kd), x->data, y->data, 1);
  return SOLACE_SUCCESS;
}

static int pool_backward(solace_nn_layer *layer, const solace_nn_tensor *x,
                         const solace_nn_tensor *y, const solace_nn_tensor *dy,
                         solace_nn_tensor *dx) {
  (void)y;
  int64_t f[3];
  int kd = fine_grid(layer, x, f);
  if (dx) resample(f, kd, x->n * x->c, 1.0 / (4 * kd), dx->data, dy->data, 0);
  return SOLACE_SUCCESS;
}

/* The factor an upsampling layer multiplies by: layer->value, 0 meaning 1. */
static double up_gain(const solace_nn_layer *layer) {
  return layer->value != 0 ? layer->value : 1.0;
}

static int up_forward(solace_nn_layer *layer, const solace_nn_tensor *x, solace_nn_tensor *y) {
  int64_t f[3];
  int kd = fine_grid(layer, y, f);
  resample(f, kd, x->n * x->c, up_gain(layer), y->data, x->data, 0);
  return SOLACE_SUCCESS;
}

static int up_backward(solace_nn_layer *layer, const solace_nn_tensor *x, const solace_nn_tensor *y,
                       const solace_nn_tensor *dy, solace_nn_tensor *dx) {
  int64_t f[3];
  int kd = fine_grid(layer, y, f);
  if (dx) resample(f, kd, x->n * x->c, up_gain(layer), dy->data, dx->data, 1);
  return SOLACE_SUCCESS;
}

/* The two coarse taps of fine index i along an axis of coarse size n (cell-centred linear
 * interpolation): cell i / 2 with weight 3/4, its neighbour towards i (i / 2 - 1 for even i,
 * i / 2 + 1 for odd i) with 1/4, or 0 beyond the grid (zero outside, as at a Dirichlet wall). */
static void linear_taps(int64_t i, int64_t n, int64_t idx[2], double w[2]) {
  int64_t c = i / 2, o = i % 2 ? c + 1 : c - 1;
  int inside = o >= 0 && o < n;
  idx[0] = c, w[0] = 0.75;
  idx[1] = inside ? o : c, w[1] = inside ? 0.25 : 0.0;
}

/* Linear upsampling of every plane (fine grid f, depth factor kd): fine = gain * sum of the
 * weighted coarse taps, or, for the adjoint, coarse = gain * the transposed sums. */
static void interpolate(const int64_t f[3], int kd, int64_t planes, double gain, double *fine,
                        double *coarse, int adjoint) {
  int64_t g[3] = {f[0] / kd, f[1] / 2, f[2] / 2}, fs = f[0] * f[1] * f[2], gs = g[0] * g[1] * g[2];
  if (adjoint) memset(coarse, 0, sizeof(double) * planes * gs);
  for (int64_t p = 0; p < planes; p++)
    for (int64_t z = 0; z < f[0]; z++) {
      int64_t iz[2] = {z, z}, iy[2], ix[2];
      double wz[2] = {1.0, 0.0}, wy[2], wx[2];
      if (kd == 2) linear_taps(z, g[0], iz, wz);
      for (int64_t y = 0; y < f[1]; y++) {
        linear_taps(y, g[1], iy, wy);
        for (int64_t x = 0; x < f[2]; x++) {
          linear_taps(x, g[2], ix, wx);
          double *out = fine + p * fs + (z * f[1] + y) * f[2] + x, *c = coarse + p * gs, v = 0.0;
          for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
              for (int e = 0; e < 2; e++) {
                double w = gain * wz[a] * wy[b] * wx[e];
                int64_t k = (iz[a] * g[1] + iy[b]) * g[2] + ix[e];
                if (adjoint)
                  c[k] += w * *out;
                else
                  v += w * c[k];
              }
          if (!adjoint) *out = v;
        }
      }
    }
}

static int linear_forward(solace_nn_layer *layer, const solace_nn_tensor *x, solace_nn_tensor *y) {
  int64_t f[3];
  int kd = fine_grid(layer, y, f);
  interpolate(f, kd, x->n * x->c, up_gain(layer), y->data, x->data, 0);
  return SOLACE_SUCCESS;
}

static int linear_backward(solace_nn_layer *layer, const solace_nn_tensor *x,
                           const solace_nn_tensor *y, const solace_nn_tensor *dy,
                           solace_nn_tensor *dx) {
  int64_t f[3];
  int kd = fine_grid(layer, y, f);
  if (dx) interpolate(f, kd, x->n * x->c, up_gain(layer), dy->data, dx->data, 1);
  return SOLACE_SUCCESS;
}

static int same_shape(const solace_nn_layer *layer, const solace_nn_tensor *x,
                      solace_nn_tensor *y) {
  (void)layer;
  *y = *x;
  y->data = NULL;
  y->capacity = 0;
  return SOLACE_SUCCESS;
}

static int relu_forward(solace_nn_layer *layer, const solace_nn_tensor *x, solace_nn_tensor *y) {
  (void)layer;
  int64_t size = solace_nn_tensor_size(x);
  for (int64_t i = 0; i < size; i++) y->data[i] = x->data[i] > 0 ? x->data[i] : 0.0;
  return SOLACE_SUCCESS;
}

/* dx = dy where x > 0, else 0 (the subgradient 0 at x = 0). */
static int relu_backward(solace_nn_layer *layer, const solace_nn_tensor *x,
                         const solace_nn_tensor *y, const solace_nn_tensor *dy,
                         solace_nn_tensor *dx) {
  (void)layer, (void)y;
  int64_t size = solace_nn_tensor_size(x);
  if (dx)
    for (int64_t i = 0; i < size; i++) dx->data[i] = x->data[i] > 0 ? dy->data[i] : 0.0;
  return SOLACE_SUCCESS;
}

static int tanh_forward(solace_nn_layer *layer, const solace_nn_tensor *x, solace_nn_tensor *y) {
  (void)layer;
  int64_t size = solace_nn_tensor_size(x);
  for (int64_t i = 0; i < size; i++) y->data[i] = tanh(x->data[i]);
  return SOLACE_SUCCESS;
}

/* dx = dy (1 - y^2). */
static int tanh_backward(solace_nn_layer *layer, const solace_nn_tensor *x,
                         const solace_nn_tensor *y, const solace_nn_tensor *dy,
                         solace_nn_tensor *dx) {
  (void)layer;
  int64_t size = solace_nn_tensor_size(x);
  if (dx)
    for (int64_t i = 0; i < size; i++) dx->data[i] = dy->data[i] * (1 - y->data[i] * y->data[i]);
  return SOLACE_SUCCESS;
}

/* [n, c] -> [n, c + 1]. */
static int append_shape(const solace_nn_layer *layer, const solace_nn_tensor *x,
                        solace_nn_tensor *y) {
  (void)layer;
  SolaceCheck(x->ndim == 0, SOLACE_ERR_ARG, "append expects features [n, c], got %d spatial dims",
              x->ndim);
  *y = (solace_nn_tensor){.ndim = 0, .n = x->n, .c = x->c + 1, .dims = {1, 1, 1}};
  return SOLACE_SUCCESS;
}

static int append_forward(solace_nn_layer *layer, const solace_nn_tensor *x, solace_nn_tensor *y) {
  int64_t c = x->c;
  for (int64_t s = 0; s < x->n; s++) {
    memcpy(y->data + s * (c + 1), x->data + s * c, sizeof(double) * (size_t)c);
    y->data[s * (c + 1) + c] = layer->value;
  }
  return SOLACE_SUCCESS;
}

/* dx = dy without its last column. */
static int append_backward(solace_nn_layer *layer, const solace_nn_tensor *x,
                           const solace_nn_tensor *y, const solace_nn_tensor *dy,
                           solace_nn_tensor *dx) {
  (void)layer, (void)y;
  int64_t c = x->c;
  for (int64_t s = 0; dx && s < x->n; s++)
    memcpy(dx->data + s * c, dy->data + s * (c + 1), sizeof(double) * (size_t)c);
  return SOLACE_SUCCESS;
}

static const solace_nn_ops pool_ops[2] = {{"pool2d", pool_shape, pool_forward, pool_backward},
                                          {"pool3d", pool_shape, pool_forward, pool_backward}};
static const solace_nn_ops up_ops[2] = {{"up2d", up_shape, up_forward, up_backward},
                                        {"up3d", up_shape, up_forward, up_backward}};
static const solace_nn_ops linear_ops[2] = {{"lin2d", up_shape, linear_forward, linear_backward},
                                            {"lin3d", up_shape, linear_forward, linear_backward}};
static const solace_nn_ops relu_ops = {"relu", same_shape, relu_forward, relu_backward};
static const solace_nn_ops tanh_ops = {"tanh", same_shape, tanh_forward, tanh_backward};
static const solace_nn_ops append_ops = {"append", append_shape, append_forward, append_backward};

/* Creates a pooling or upsampling layer over ndim = 2 or 3 dimensions. */
static int create_resample(int ndim, const solace_nn_ops ops[2], solace_nn_layer **layer) {
  SolaceCheckNotNull(layer);
  SolaceCheck(ndim == 2 || ndim == 3, SOLACE_ERR_ARG, "%s: ndim = %d is not 2 or 3", ops[0].name,
              ndim);
  SolaceCall(solace_nn_layer_alloc(&ops[ndim - 2], 0, NULL, 0, layer));
  (*layer)->ndim = ndim;
  return SOLACE_SUCCESS;
}

int solace_nn_layer_create_pool(int ndim, solace_nn_layer **layer) {
  return create_resample(ndim, pool_ops, layer);
}

int solace_nn_layer_create_upsample(int ndim, solace_nn_layer **layer) {
  return create_resample(ndim, up_ops, layer);
}

int solace_nn_layer_create_upsample_linear(int ndim, solace_nn_layer **layer) {
  return create_resample(ndim, linear_ops, layer);
}

int solace_nn_layer_make_linear(solace_nn_layer *layer) {
  SolaceCheckNotNull(layer);
  SolaceCheck(layer->ops == &up_ops[0] || layer->ops == &up_ops[1], SOLACE_ERR_ARG,
              "a %s layer is no nearest upsampling", layer->ops->name);
  layer->ops = &linear_ops[layer->ndim - 2];
  return SOLACE_SUCCESS;
}

int solace_nn_layer_create_relu(solace_nn_layer **layer) {
  SolaceCheckNotNull(layer);
  return solace_nn_layer_alloc(&relu_ops, 0, NULL, 0, layer);
}

int solace_nn_layer_create_tanh(solace_nn_layer **layer) {
  SolaceCheckNotNull(layer);
  return solace_nn_layer_alloc(&tanh_ops, 0, NULL, 0, layer);
}

int solace_nn_layer_create_append(solace_nn_layer **layer) {
  SolaceCheckNotNull(layer);
  return solace_nn_layer_alloc(&append_ops, 0, NULL, 0, layer);
}

void solace_nn_add_forward(const solace_nn_tensor *x, const solace_nn_tensor *s,
                           solace_nn_tensor *y) {
  int64_t size = solace_nn_tensor_size(x);
  for (int64_t i = 0; i < size; i++) y->data[i] = x->data[i] + s->data[i];
}
