/* Convolutions over 2 or 3 spatial dimensions, kernel 3 ("same" zero padding) or 1, stride 1,
 * with bias. W [out, in, k, k(, k)] is, row-major, the matrix [out, in * K] (K = k^ndim).
 * Kernel 3: im2col + GEMM on tiles of whole grid lines (a line is one row of W points):
 *   forward   Y[:, tile]  = W Col(x, tile) + b
 *   backward  dW += dY[:, tile] Col(x, tile)^T,  db += row sums of dY,
 *             dX += col2im(W^T dY[:, tile])
 * Kernel 1: the same products with Col = X, one GEMM per sample. A 2D grid is a 3D grid of
 * depth 1 with a kernel of depth 1. */
#include "nn/nn.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

/* Default target columns of one tile: with 16 input channels and a 3x3 kernel the column buffer
 * is 144 x 1024 doubles (1.2 MB; 3.5 MB for 3x3x3). bench-conv -tile found 256..1024 equally fast
 * and 2048..8192 slower (the buffer leaves the L2 cache). */
#define CONV_TILE_DEFAULT 1024

/* Geometry of one convolution on one input shape. */
typedef struct {
  int64_t g[3];   /* grid D, H, W */
  int64_t k[3];   /* kernel extent per dimension (depth 1 in 2D) */
  int64_t lines;  /* D * H */
  int64_t points; /* D * H * W */
  int64_t rows;   /* in * K: rows of the column matrix */
  int64_t tile_lines;
} conv_geom;

static void conv_geometry(const solace_nn_layer *layer, const solace_nn_tensor *x, conv_geom *q) {
  q->g[0] = x->ndim == 3 ? x->dims[0] : 1;
  q->g[1] = x->dims[x->ndim - 2];
  q->g[2] = x->dims[x->ndim - 1];
  q->k[0] = x->ndim == 3 ? layer->kernel : 1;
  q->k[1] = q->k[2] = layer->kernel;
  q->lines = q->g[0] * q->g[1];
  q->points = q->lines * q->g[2];
  q->rows = layer->in * q->k[0] * q->k[1] * q->k[2];
  q->tile_lines = layer->tile / q->g[2];
  if (q->tile_lines < 1) q->tile_lines = 1;
  if (q->tile_lines > q->lines) q->tile_lines = q->lines;
}

static int conv_shape(const solace_nn_layer *layer, const solace_nn_tensor *x,
                      solace_nn_tensor *y) {
  SolaceCheck(x->ndim == layer->ndim, SOLACE_ERR_ARG, "%s expects %d spatial dimensions, got %d",
              layer->ops->name, layer->ndim, x->ndim);
  SolaceCheck(x->c == layer->in, SOLACE_ERR_ARG, "%s expects %lld input channels, got %lld",
              layer->ops->name, (long long)layer->in, (long long)x->c);
  SolaceCheck(solace_nn_tensor_spatial(x) <= INT32_MAX, SOLACE_ERR_ARG,
              "%s: %lld grid points exceed the BLAS integer range", layer->ops->name,
              (long long)solace_nn_tensor_spatial(x));
  *y = *x;
  y->data = NULL;
  y->capacity = 0;
  y->c = layer->out;
  return SOLACE_SUCCESS;
}

/* Makes the layer's column buffer hold at least `size` doubles. */
static int conv_work(solace_nn_layer *layer, int64_t size) {
  if (layer->work_size >= size) return SOLACE_SUCCESS;
  free(layer->work);
  layer->work = NULL;
  layer->work_size = 0;
  SolaceCall(SolaceCalloc(size, &layer->work));
  layer->work_size = size;
  return SOLACE_SUCCESS;
}

/* Copies (add = 0) a shifted line src into dst, zero outside, or adds (add = 1) dst back into
 * src at the shift: the line kernel of im2col and col2im. */
static void shift_line(double *dst, double *src, int64_t w, int64_t shift, int add) {
  int64_t lo = shift < 0 ? -shift : 0, hi = shift > 0 ? w - shift : w; /* dst x in [lo, hi) */
  if (add) {
    for (int64_t x = lo; x < hi; x++) src[x + shift] += dst[x];
    return;
  }
  for (int64_t x = 0; x < lo; x++) dst[x] = 0.0;
  if (hi > lo) memcpy(dst + lo, src + lo + shift, sizeof(double) * (size_t)(hi - lo));
  for (int64_t x = hi > lo ? hi : lo; x < w; x++) dst[x] = 0.0;
}

/* im2col (add = 0): col[r, (l - l0) W + x] = x[ci, z + kz - 1, y + ky - 1, x + kx - 1] for the
 * lines l0..l1-1 of one sample, r = (ci, kz, ky, kx); col2im (add = 1) adds col back into x. */
static void im2col(const conv_geom *q, double *x, int64_t in, int64_t l0, int64_t l1, double *col,
                   int add) {
  int64_t w = q->g[2], t = (l1 - l0) * w, r = 0;
  int64_t pz = q->k[0] / 2, py = q->k[1] / 2, px = q->k[2] / 2;
  for (int64_t ci = 0; ci < in; ci++)
    for (int64_t kz = 0; kz < q->k[0]; kz++)
      for (int64_t ky = 0; ky < q->k[1]; ky++)
        for (int64_t kx = 0; kx < q->k[2]; kx++, r++)
          for (int64_t l = l0; l < l1; l++) {
            int64_t zz = l / q->g[1] + kz - pz, yy = l % q->g[1] + ky - py;
            double *dst = col + r * t + (l - l0) * w;
            if (zz < 0 || zz >= q->g[0] || yy < 0 || yy >= q->g[1]) {
              if (!add) memset(dst, 0, sizeof(double) * (size_t)w);
              continue;
            }
            shift_line(dst, x + ci * q->points + (zz * q->g[1] + yy) * w, w, kx - px, add);
          }
}

static int conv_forward(solace_nn_layer *layer, const solace_nn_tensor *x, solace_nn_tensor *y) {
  conv_geom q;
  conv_geometry(layer, x, &q);
  int out = (int)layer->out, rows = (int)q.rows, p = (int)q.points;
  const double *w = layer->params[0].value, *b = layer->params[1].value;
  if (layer->kernel == 3) SolaceCall(conv_work(layer, q.rows * q.tile_lines * q.g[2]));
  for (int64_t s = 0; s < x->n; s++) {
    double *xs = x->data + s * layer->in * q.points, *ys = y->data + s * layer->out * q.points;
    for (int o = 0; o < out; o++)
      for (int64_t i = 0; i < q.points; i++) ys[o * q.points + i] = b[o];
    if (layer->kernel == 1) {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, out, p, rows, 1.0, w, rows, xs, p, 1.0,
                  ys, p);
      continue;
    }
    for (int64_t l0 = 0; l0 < q.lines; l0 += q.tile_lines) {
      int64_t l1 = l0 + q.tile_lines < q.lines ? l0 + q.tile_lines : q.lines;
      int t = (int)((l1 - l0) * q.g[2]);
      im2col(&q, xs, layer->in, l0, l1, layer->work, 0);
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, out, t, rows, 1.0, w, rows,
                  layer->work, t, 1.0, ys + l0 * q.g[2], p);
    }
  }
  return SOLACE_SUCCESS;
}

/* Backward of one tile (lines l0..l1-1) of sample xs / dys into dW and, unless dxs is NULL, dxs.
 */
static void conv_backward_tile(solace_nn_layer *layer, const conv_geom *q, double *xs,
                               const double *dys, double *dxs, int64_t l0, int64_t l1) {
  int out = (int)layer->out, rows = (int)q->rows, p = (int)q->points;
  int t = (int)((l1 - l0) * q->g[2]);
  double *col = layer->work;
  im2col(q, xs, layer->in, l0, l1, col, 0);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, out, rows, t, 1.0, dys + l0 * q->g[2], p,
              col, t, 1.0, layer->params[0].grad, rows);
  if (!dxs) return;
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, rows, t, out, 1.0, layer->params[0].value,
              rows, dys + l0 * q->g[2], p, 0.0, col, t);
  im2col(q, dxs, layer->in, l0, l1, col, 1);
}

/* Backward of one sample. */
static void conv_backward_sample(solace_nn_layer *layer, const conv_geom *q, double *xs,
                                 const double *dys, double *dxs) {
  int out = (int)layer->out, rows = (int)q->rows, p = (int)q->points;
  double *db = layer->params[1].grad;
  for (int o = 0; o < out; o++)
    for (int64_t i = 0; i < q->points; i++) db[o] += dys[o * q->points + i];
  if (layer->kernel == 1) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, out, rows, p, 1.0, dys, p, xs, p, 1.0,
                layer->params[0].grad, rows);
    if (dxs)
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, rows, p, out, 1.0,
                  layer->params[0].value, rows, dys, p, 0.0, dxs, p);
    return;
  }
  if (dxs) memset(dxs, 0, sizeof(double) * (size_t)(layer->in * q->points));
  for (int64_t l0 = 0; l0 < q->lines; l0 += q->tile_lines)
    conv_backward_tile(layer, q, xs, dys, dxs, l0,
                       l0 + q->tile_lines < q->lines ? l0 + q->tile_lines : q->lines);
}

static int conv_backward(solace_nn_layer *layer, const solace_nn_tensor *x,
                         const solace_nn_tensor *y, const solace_nn_tensor *dy,
                         solace_nn_tensor *dx) {
  (void)y;
  conv_geom q;
  conv_geometry(layer, x, &q);
  if (layer->kernel == 3) SolaceCall(conv_work(layer, q.rows * q.tile_lines * q.g[2]));
  for (int64_t s = 0; s < x->n; s++)
    conv_backward_sample(layer, &q, x->data + s * layer->in * q.points,
                         dy->data + s * layer->out * q.points,
                         dx ? dx->data + s * layer->in * q.points : NULL);
  return SOLACE_SUCCESS;
}

static const solace_nn_ops conv_ops[2] = {{"conv2d", conv_shape, conv_forward, conv_backward},
                                          {"conv3d", conv_shape, conv_forward, conv_backward}};

int solace_nn_layer_create_conv(int ndim, int64_t in, int64_t out, int kernel,
                                solace_nn_layer **layer) {
  SolaceCheckNotNull(layer);
  SolaceCheck(ndim == 2 || ndim == 3, SOLACE_ERR_ARG, "conv: ndim = %d is not 2 or 3", ndim);
  SolaceCheck(kernel == 1 || kernel == 3, SOLACE_ERR_ARG, "conv: kernel = %d is not 1 or 3",
              kernel);
  SolaceCheck(in >= 1 && out >= 1 && in <= 65536 && out <= 65536, SOLACE_ERR_ARG,
              "conv: channels in = %lld, out = %lld must be in 1..65536", (long long)in,
              (long long)out);
  int64_t shape[5] = {out, in, kernel, kernel, kernel};
  SolaceCall(solace_nn_layer_alloc(&conv_ops[ndim - 2], ndim + 2, shape, out, layer));
  (*layer)->ndim = ndim;
  (*layer)->in = in;
  (*layer)->out = out;
  (*layer)->kernel = kernel;
  (*layer)->tile = CONV_TILE_DEFAULT;
  (*layer)->init = SOLACE_NN_INIT_HE;
  return SOLACE_SUCCESS;
}
