/* Gradient checks: the VJP of every layer kind, of small DCDM-shaped networks (2D and 3D) and of
 * an MLP against central finite differences of L = sum_i w_i y_i (w fixed random).
 *
 * Tolerance: max |fd - vjp| <= 1e-6 max |vjp| per block, with step h = 1e-6. In double precision
 * the central difference's rounding error is about eps |L| / h ~ 1e-10 |L| (|L| is O(1)-O(10)
 * here) and its truncation error h^2 |L'''| / 6 ~ 1e-13; the piecewise-linear layers (conv,
 * pooling, ReLU away from its kink) have no truncation error at all. A wrong index, transpose or
 * missing term gives errors of order 1. The check also verifies that parameter gradients
 * accumulate: a second backward doubles them. Usage: t-grad <case> [tile columns]. */
#include "nn-test.h"

#define STEP       1e-6
#define TOL        1e-6
#define MAX_CHECKS 48 /* entries checked per block (all when fewer; else a fixed stride) */

/* L = <w, net(x)>. */
static int loss(solace_nn_net net, const solace_nn_tensor *x, const double *w, double *value) {
  const solace_nn_tensor *y;
  int status = solace_nn_net_forward(net, x, &y);
  if (status) return status;
  double sum = 0;
  for (int64_t i = 0; i < solace_nn_tensor_size(y); i++) sum += w[i] * y->data[i];
  *value = sum;
  return SOLACE_SUCCESS;
}

/* Compares analytic[i] with central differences of L in v[i] for a sample of i; returns the
 * relative error max |fd - an| / max |an|. */
static double check_block(solace_nn_net net, const solace_nn_tensor *x, const double *w, double *v,
                          const double *analytic, int64_t count) {
  double max_err = 0, max_an = 1e-300;
  int64_t stride = count > MAX_CHECKS ? count / MAX_CHECKS : 1;
  for (int64_t i = 0; i < count; i++) max_an = fmax(max_an, fabs(analytic[i]));
  for (int64_t i = stride / 2; i < count; i += stride) {
    double save = v[i], lp = 0, lm = 0;
    v[i] = save + STEP;
    if (loss(net, x, w, &lp)) return INFINITY;
    v[i] = save - STEP;
    if (loss(net, x, w, &lm)) return INFINITY;
    v[i] = save;
    max_err = fmax(max_err, fabs((lp - lm) / (2 * STEP) - analytic[i]));
  }
  return max_err / max_an;
}

/* Runs forward + backward with dy = w, then checks dL/dx and every parameter block. */
static int check_net(const char *name, solace_nn_net net, solace_nn_tensor *x) {
  const solace_nn_tensor *y;
  solace_nn_tensor *dx = NULL;
  int nblocks;
  solace_nn_param **blocks;
  TEST_CALL(nn_test_init(net, 3));
  TEST_CALL(solace_nn_net_forward(net, x, &y));
  solace_nn_tensor dy = *y;
  double *w = malloc(sizeof(double) * solace_nn_tensor_size(y));
  nn_test_normal(99, solace_nn_tensor_size(y), 1.0, w);
  dy.data = w;
  dy.capacity = 0;
  TEST_CALL(solace_nn_tensor_create(x->ndim, x->n, x->c, x->dims, &dx));
  TEST_CALL(solace_nn_net_zero_grad(net));
  TEST_CALL(solace_nn_net_backward(net, &dy, dx));
  double err = check_block(net, x, w, x->data, dx->data, solace_nn_tensor_size(x));
  printf("%s: input [%lld values] relative error %.2e\n", name, (long long)solace_nn_tensor_size(x),
         err);
  TEST_ASSERT(err <= TOL, "%s: input gradient error %.3e > %.1e", name, err, TOL);
  TEST_CALL(solace_nn_net_params(net, &nblocks, &blocks));
  for (int k = 0; k < nblocks; k++) {
    solace_nn_param *p = blocks[k];
    err = check_block(net, x, w, p->value, p->grad, p->count);
    printf("%s: block %d (%s, %lld values) relative error %.2e\n", name, k, p->name,
           (long long)p->count, err);
    TEST_ASSERT(err <= TOL, "%s: block %d gradient error %.3e > %.1e", name, k, err, TOL);
  }
  solace_nn_tensor_destroy(&dx);
  free(w);
  return 0;
}

/* Checks that parameter gradients accumulate over two backward passes (2x to rounding). */
static int check_accumulate(solace_nn_net net, solace_nn_tensor *x) {
  const solace_nn_tensor *y;
  int nblocks;
  solace_nn_param **blocks;
  TEST_CALL(solace_nn_net_forward(net, x, &y));
  solace_nn_tensor dy = *y;
  double *w = malloc(sizeof(double) * solace_nn_tensor_size(y));
  nn_test_normal(98, solace_nn_tensor_size(y), 1.0, w);
  dy.data = w;
  dy.capacity = 0;
  TEST_CALL(solace_nn_net_params(net, &nblocks, &blocks));
  TEST_CALL(solace_nn_net_zero_grad(net));
  TEST_CALL(solace_nn_net_backward(net, &dy, NULL));
  double **once = calloc(nblocks + 1, sizeof(double *));
  for (int k = 0; k < nblocks; k++) {
    once[k] = malloc(sizeof(double) * blocks[k]->count);
    memcpy(once[k], blocks[k]->grad, sizeof(double) * blocks[k]->count);
  }
  TEST_CALL(solace_nn_net_backward(net, &dy, NULL));
  for (int k = 0; k < nblocks; k++) {
    /* rounding of the accumulating GEMMs: relative to the block's largest entry, since an
     * entry that is a sum with cancellation carries the error of its largest terms */
    double scale = 0;
    for (int64_t i = 0; i < blocks[k]->count; i++) scale = fmax(scale, fabs(once[k][i]));
    for (int64_t i = 0; i < blocks[k]->count; i++)
      TEST_NEAR(blocks[k]->grad[i], 2 * once[k][i], 1e-12 * scale);
    free(once[k]);
  }
  free(once);
  free(w);
  return 0;
}

/* Builds a one-layer network. */
static solace_nn_net single(solace_nn_layer *layer) {
  solace_nn_net net = NULL;
  if (solace_nn_net_create(&net) || solace_nn_net_add_layer(net, &layer)) return NULL;
  return net;
}

/* Builds the network of a case and its input. */
static int build(const char *c, solace_nn_net *net, solace_nn_tensor **x) {
  int64_t d2[2] = {6, 8}, d3[3] = {4, 6, 4}, g2[2] = {8, 8}, g3[3] = {8, 8, 8};
  solace_nn_layer *l = NULL;
  if (!strcmp(c, "dense")) {
    TEST_CALL(solace_nn_layer_create_dense(7, 5, &l));
    *x = nn_test_tensor(0, 3, 7, NULL, 1);
  } else if (!strcmp(c, "dense-flatten")) {
    TEST_CALL(solace_nn_layer_create_dense(2 * 6 * 8, 3, &l));
    *x = nn_test_tensor(2, 2, 2, d2, 1);
  } else if (!strncmp(c, "conv", 4)) {
    int nd = c[4] - '0', k = strstr(c, "k1") ? 1 : 3;
    TEST_CALL(solace_nn_layer_create_conv(nd, 3, 4, k, &l));
    *x = nn_test_tensor(nd, 2, 3, nd == 2 ? d2 : d3, 1);
  } else if (!strncmp(c, "pool", 4) || !strncmp(c, "up", 2)) {
    int nd = strchr(c, '2') ? 2 : 3;
    TEST_CALL(c[0] == 'p' ? solace_nn_layer_create_pool(nd, &l)
                          : solace_nn_layer_create_upsample(nd, &l));
    if (strstr(c, "-gain")) l->value = 2.5; /* up2d-gain: y = 2.5 up(x) */
    if (strstr(c, "-linear")) TEST_CALL(solace_nn_layer_make_linear(l)); /* up2d-linear */
    *x = nn_test_tensor(nd, 2, 2, nd == 2 ? d2 : d3, 1);
  } else if (!strcmp(c, "relu") || !strcmp(c, "tanh")) {
    TEST_CALL(c[0] == 'r' ? solace_nn_layer_create_relu(&l) : solace_nn_layer_create_tanh(&l));
    *x = nn_test_tensor(2, 2, 3, d2, 1);
    for (int64_t i = 0; c[0] == 'r' && *x && i < solace_nn_tensor_size(*x); i++)
      (*x)->data[i] += (*x)->data[i] >= 0 ? 0.1 : -0.1; /* keep FD steps off the kink */
  } else if (!strcmp(c, "add")) { /* a = relu(conv(a)) + a: SAVE, conv, relu, ADD */
    TEST_CALL(solace_nn_net_create(net));
    TEST_CALL(solace_nn_net_add_save(*net, 2));
    TEST_CALL(solace_nn_layer_create_conv(2, 3, 3, 3, &l));
    TEST_CALL(solace_nn_net_add_layer(*net, &l));
    TEST_CALL(solace_nn_layer_create_relu(&l));
    TEST_CALL(solace_nn_net_add_layer(*net, &l));
    TEST_CALL(solace_nn_net_add_skip(*net, 2));
    TEST_CALL(solace_nn_net_add_skip(*net, 2)); /* a slot added twice: gradients sum */
    *x = nn_test_tensor(2, 2, 3, d2, 1);
    return 0;
  } else if (!strncmp(c, "dcdm", 4) && (c[4] == '2' || c[4] == '3')) {
    /* dcdm2d, dcdm3d: one coarse level; dcdm2d-levels3 (16x8), dcdm3d-levels2: a hierarchy;
     * dcdm2d-tied3, dcdm3d-tied2: the same with the levels' parameters tied, so each tied
     * block's gradient sums the contributions of every level */
    const char *lv = strstr(c, "-levels"), *td = strstr(c, "-tied");
    int nd = c[4] - '0', levels = lv ? atoi(lv + 7) : td ? atoi(td + 5) : 1;
    int64_t w2[2] = {16, 8};
    TEST_CALL(td ? solace_nn_net_create_dcdm_tied(nd, 4, 2, 2, 1, levels, net)
                 : solace_nn_net_create_dcdm(nd, 4, 2, 2, 1, levels, net));
    *x = nn_test_tensor(nd, 2, 1, nd == 3 ? g3 : levels > 1 ? w2 : g2, 1);
    return 0;
  } else if (!strcmp(c, "mlp")) {
    int64_t widths[4] = {5, 16, 12, 5};
    TEST_CALL(solace_nn_net_create_mlp(4, widths, 0, net));
    *x = nn_test_tensor(0, 4, 5, NULL, 1);
    return 0;
  } else {
    fprintf(stderr, "unknown case '%s'\n", c);
    return 1;
  }
  *net = single(l);
  return *net && *x ? 0 : 1;
}

int main(int argc, char **argv) {
  solace_nn_net net = NULL;
  solace_nn_tensor *x = NULL;
  if (argc < 2) return fprintf(stderr, "usage: t-grad <case>\n"), 1;
  if (build(argv[1], &net, &x) || !net || !x) return fprintf(stderr, "cannot build case\n"), 1;
  if (argc > 2) TEST_CALL(solace_nn_net_set_tile(net, atoll(argv[2]))); /* im2col tile columns */
  if (check_net(argv[1], net, x)) return 1;
  if (check_accumulate(net, x)) return 1;
  solace_nn_net_destroy(&net);
  solace_nn_tensor_destroy(&x);
  return test_finish(argv[1]);
}
