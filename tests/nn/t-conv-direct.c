/* Convolution forward (im2col + GEMM, default and one-line tiles) against a direct loop written
 * here: y[s,o,z,y,x] = b[o] + sum W[o,i,kz,ky,kx] x[s,i,z+kz-p,y+ky-p,x+kx-p], zero outside.
 * Both sum the same products in different orders: agreement to 1e-13 relative. Cases: 2D and
 * 3D, kernels 3 and 1, odd and non-square grids, channels 3 -> 5. Usage: t-conv-direct <case>. */
#include "nn-test.h"

/* The direct convolution of one layer on x into y (2D as depth 1). */
static void direct(const solace_nn_layer *l, const solace_nn_tensor *x, double *y) {
  int64_t g[3] = {x->ndim == 3 ? x->dims[0] : 1, x->dims[x->ndim - 2], x->dims[x->ndim - 1]};
  int64_t kd = x->ndim == 3 ? l->kernel : 1, k = l->kernel, pd = kd / 2, p = k / 2;
  int64_t pts = g[0] * g[1] * g[2];
  const double *w = l->params[0].value, *b = l->params[1].value;
  for (int64_t s = 0; s < x->n; s++)
    for (int64_t o = 0; o < l->out; o++)
      for (int64_t z = 0; z < g[0]; z++)
        for (int64_t r = 0; r < g[1]; r++)
          for (int64_t c = 0; c < g[2]; c++) {
            double sum = b[o];
            for (int64_t i = 0; i < l->in; i++)
              for (int64_t a = 0; a < kd; a++)
                for (int64_t e = 0; e < k; e++)
                  for (int64_t f = 0; f < k; f++) {
                    int64_t zz = z + a - pd, rr = r + e - p, cc = c + f - p;
                    if (zz < 0 || zz >= g[0] || rr < 0 || rr >= g[1] || cc < 0 || cc >= g[2])
                      continue;
                    sum += w[(((o * l->in + i) * kd + a) * k + e) * k + f] *
                           x->data[(s * l->in + i) * pts + (zz * g[1] + rr) * g[2] + cc];
                  }
            y[((s * l->out + o) * g[0] + z) * g[1] * g[2] + r * g[2] + c] = sum;
          }
}

int main(int argc, char **argv) {
  if (argc < 2)
    return fprintf(stderr, "usage: t-conv-direct conv2d|conv3d|conv2d-k1|conv3d-k1\n"), 1;
  int nd = argv[1][4] - '0', k = strstr(argv[1], "k1") ? 1 : 3;
  int64_t d2[2] = {7, 9}, d3[3] = {5, 6, 7};
  solace_nn_layer *layer;
  solace_nn_net net;
  const solace_nn_tensor *y;
  TEST_CALL(solace_nn_net_create(&net));
  TEST_CALL(solace_nn_layer_create_conv(nd, 3, 5, k, &layer));
  solace_nn_layer *l = layer;
  TEST_CALL(solace_nn_net_add_layer(net, &layer));
  TEST_CALL(nn_test_init(net, 11));
  solace_nn_tensor *x = nn_test_tensor(nd, 2, 3, nd == 2 ? d2 : d3, 5);
  int64_t size = 2 * 5 * solace_nn_tensor_spatial(x);
  double *ref = malloc(sizeof(double) * size), scale = 0;
  direct(l, x, ref);
  for (int64_t i = 0; i < size; i++) scale = fmax(scale, fabs(ref[i]));
  int64_t tiles[3] = {2048, 1, 20}; /* default, one line, two lines (2D) / partial */
  for (int t = 0; t < 3; t++) {
    TEST_CALL(solace_nn_net_set_tile(net, tiles[t]));
    TEST_CALL(solace_nn_net_forward(net, x, &y));
    TEST_ASSERT(solace_nn_tensor_size(y) == size, "output size %lld", (long long)size);
    double err = 0;
    for (int64_t i = 0; i < size; i++) err = fmax(err, fabs(y->data[i] - ref[i]));
    printf("%s tile %lld: max |im2col - direct| = %.2e (max |y| = %.2f)\n", argv[1],
           (long long)tiles[t], err, scale);
    TEST_ASSERT(err <= 1e-13 * scale, "tile %lld: error %.3e", (long long)tiles[t], err);
  }
  free(ref);
  solace_nn_tensor_destroy(&x);
  solace_nn_net_destroy(&net);
  return test_finish(argv[1]);
}
