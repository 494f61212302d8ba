/* Average pooling, nearest and linear upsampling (forward and backward) against values computed by
 * hand (exact: sums of small integers and quarters / eighths). */
#include "nn-test.h"

/* Runs one layer forward on x (values given), writing into y; then backward of dy into dx. */
static int run(solace_nn_layer *l, solace_nn_tensor *x, solace_nn_tensor *y, const double *dy_v,
               solace_nn_tensor *dx) {
  solace_nn_tensor shape, dy;
  TEST_CALL(l->ops->shape(l, x, &shape));
  TEST_ASSERT(solace_nn_tensor_same_shape(&shape, y), "output shape");
  TEST_CALL(l->ops->forward(l, x, y));
  dy = *y;
  dy.data = (double *)dy_v;
  dy.capacity = 0;
  TEST_CALL(l->ops->backward(l, x, y, &dy, dx));
  return 0;
}

static void expect(const char *what, const double *have, const double *want, int n) {
  for (int i = 0; i < n; i++)
    TEST_ASSERT(have[i] == want[i], "%s[%d] = %g, expected %g", what, i, have[i], want[i]);
}

int main(void) {
  solace_nn_layer *pool2, *up2, *pool3;
  solace_nn_tensor *x, *y, *dx, *u, *uy, *udx, *x3, *y3, *dx3;
  int64_t d4[2] = {4, 4}, d2[2] = {2, 2}, d3[3] = {2, 2, 4}, d3c[3] = {1, 1, 2};
  TEST_CALL(solace_nn_layer_create_pool(2, &pool2));
  TEST_CALL(solace_nn_layer_create_upsample(2, &up2));
  TEST_CALL(solace_nn_layer_create_pool(3, &pool3));
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, d4, &x));
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, d2, &y));
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, d4, &dx));
  for (int i = 0; i < 16; i++) x->data[i] = i + 1; /* rows 1..4, 5..8, 9..12, 13..16 */
  /* pool: block means (1+2+5+6)/4 = 3.5 ...; backward spreads dy / 4 over each block */
  double dy[4] = {1, 2, 3, 4}, pool_y[4] = {3.5, 5.5, 11.5, 13.5};
  double pool_dx[16] = {.25, .25, .5, .5, .25, .25, .5, .5, .75, .75, 1, 1, .75, .75, 1, 1};
  if (run(pool2, x, y, dy, dx)) return 1;
  expect("pool2d y", y->data, pool_y, 4);
  expect("pool2d dx", dx->data, pool_dx, 16);
  /* upsample [[1,2],[3,4]]: each value fills a 2x2 block; backward sums each block of dy */
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, d2, &u));
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, d4, &uy));
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, d2, &udx));
  for (int i = 0; i < 4; i++) u->data[i] = i + 1;
  double up_y[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, up_dx[4] = {14, 22, 46, 54};
  if (run(up2, u, uy, x->data, udx)) return 1;
  expect("up2d y", uy->data, up_y, 16);
  expect("up2d dx", udx->data, up_dx, 4);
  /* linear upsample of [[1,2],[3,4]]: P C P^T with the 1-D cell-centred interpolation
   * P = [[3/4, 0], [3/4, 1/4], [1/4, 3/4], [0, 3/4]] (zero beyond the grid); backward P^T dY P
   * (dY = 1..16 by rows): exact in binary (multiples of 1/16) */
  solace_nn_layer *lin2;
  TEST_CALL(solace_nn_layer_create_upsample_linear(2, &lin2));
  double lin_y[16] = {.5625, .9375, 1.3125, 1.125, 1.125,  1.75,   2.25,   1.875,
                      1.875, 2.75,  3.25,   2.625, 1.6875, 2.4375, 2.8125, 2.25};
  double lin_dx[4] = {14, 18.8125, 33.25, 38.0625};
  if (run(lin2, u, uy, x->data, udx)) return 1;
  expect("lin2d y", uy->data, lin_y, 16);
  expect("lin2d dx", udx->data, lin_dx, 4);
  solace_nn_layer_destroy(&lin2);
  /* 3D [1,1,2,2,4] = 1..16: blocks {1,2,5,6,9,10,13,14} -> 7.5 and {3,4,7,8,11,12,15,16} -> 9.5 */
  TEST_CALL(solace_nn_tensor_create(3, 1, 1, d3, &x3));
  TEST_CALL(solace_nn_tensor_create(3, 1, 1, d3c, &y3));
  TEST_CALL(solace_nn_tensor_create(3, 1, 1, d3, &dx3));
  for (int i = 0; i < 16; i++) x3->data[i] = i + 1;
  double dy3[2] = {8, 16}, pool3_y[2] = {7.5, 9.5};
  double pool3_dx[16] = {1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2};
  if (run(pool3, x3, y3, dy3, dx3)) return 1;
  expect("pool3d y", y3->data, pool3_y, 2);
  expect("pool3d dx", dx3->data, pool3_dx, 16);
  /* odd sizes are refused */
  int64_t odd[2] = {3, 4};
  solace_nn_tensor *xo, shape;
  TEST_CALL(solace_nn_tensor_create(2, 1, 1, odd, &xo));
  TEST_FAILS_WITH(pool2->ops->shape(pool2, xo, &shape), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(pool3->ops->shape(pool3, xo, &shape), SOLACE_ERR_ARG);
  solace_nn_tensor *ts[] = {x, y, dx, u, uy, udx, x3, y3, dx3, xo};
  for (int i = 0; i < 10; i++) solace_nn_tensor_destroy(&ts[i]);
  solace_nn_layer_destroy(&pool2);
  solace_nn_layer_destroy(&up2);
  solace_nn_layer_destroy(&pool3);
  return test_finish("nn-resample");
}
