/* Network container: parameter counts against the DCDM paper (3D, 16 channels: 97,457 for the
 * 4/6/4 model and 152,881 for 6/10/6) and the Fashion-MNIST MLP of the neural-ODE paper
 * (785 -> 100 -> 784: 157,784 by hand); seeded initialisation is reproducible and has the He
 * variance; a DCDM network maps a grid to a grid of the same shape; error paths (shapes, order,
 * NULL). Usage: t-net <case>. */
#include "nn-test.h"

static int counts(void) {
  solace_nn_net net;
  int64_t widths[3] = {785, 100, 784};
  TEST_CALL(solace_nn_net_create_dcdm(3, 16, 4, 6, 4, 1, &net));
  TEST_ASSERT(solace_nn_net_param_count(net) == 97457, "N=64 model: %lld parameters",
              (long long)solace_nn_net_param_count(net));
  solace_nn_net_destroy(&net);
  TEST_CALL(solace_nn_net_create_dcdm(3, 16, 6, 10, 6, 1, &net));
  TEST_ASSERT(solace_nn_net_param_count(net) == 152881, "N=128 model: %lld parameters",
              (long long)solace_nn_net_param_count(net));
  solace_nn_net_destroy(&net);
  /* 2-D, 16 channels, 4/6/4 with 3 coarse levels: conv 1->16 (160) + 1x1 16->1 (17) and
   * 4 + 3 x 6 + 3 x 4 = 34 residual 3x3 convs 16->16 (2320 each) */
  TEST_CALL(solace_nn_net_create_dcdm(2, 16, 4, 6, 4, 3, &net));
  TEST_ASSERT(solace_nn_net_param_count(net) == 160 + 17 + 34 * 2320, "3 levels: %lld parameters",
              (long long)solace_nn_net_param_count(net));
  solace_nn_net_destroy(&net);
  TEST_CALL(solace_nn_net_create_mlp(3, widths, 0, &net));
  TEST_ASSERT(solace_nn_net_param_count(net) == 157784, "MLP: %lld parameters",
              (long long)solace_nn_net_param_count(net));
  solace_nn_net_destroy(&net);
  return 0;
}

/* With 3 levels the residual convs start at He's variance over the number of residual blocks
 * (2 + 3 x (2 + 1) = 11), within 5% over all 11 x 2304 weights; the linear first conv keeps
 * Glorot's 2 / (9 + 144). */
static int init_levels(void) {
  solace_nn_net net;
  int nblocks;
  solace_nn_param **p;
  TEST_CALL(solace_nn_net_create_dcdm(2, 16, 2, 2, 1, 3, &net));
  TEST_CALL(solace_nn_net_init(net, 42));
  TEST_CALL(solace_nn_net_params(net, &nblocks, &p));
  TEST_ASSERT(nblocks == 2 * 13, "%d parameter blocks", nblocks);
  double sum2 = 0, first = 0;
  int64_t count = 0;
  for (int k = 2; k < nblocks - 2; k += 2) {
    for (int64_t i = 0; i < p[k]->count; i++) sum2 += p[k]->value[i] * p[k]->value[i];
    count += p[k]->count;
  }
  for (int64_t i = 0; i < p[0]->count; i++) first += p[0]->value[i] * p[0]->value[i];
  double var = sum2 / (double)count, want = 2.0 / 144 / 11;
  printf("3 levels: residual variance %.3e, expected %.3e; first conv %.3e, expected %.3e\n", var,
         want, first / 144, 2.0 / 153);
  TEST_ASSERT(fabs(var / want - 1) < 0.05, "residual variance %.4e, expected %.4e", var, want);
  TEST_ASSERT(fabs(first / 144 / (2.0 / 153) - 1) < 0.25, "first conv variance %.4e", first / 144);
  solace_nn_net_destroy(&net);
  return 0;
}

/* Same seed: identical weights; other seed: different; He variance 2 / fan_in within 5%. */
static int init(void) {
  solace_nn_net a, b;
  int na, nb;
  solace_nn_param **pa, **pb;
  TEST_CALL(solace_nn_net_create_dcdm(2, 16, 2, 2, 2, 1, &a));
  TEST_CALL(solace_nn_net_create_dcdm(2, 16, 2, 2, 2, 1, &b));
  TEST_CALL(solace_nn_net_init(a, 42));
  TEST_CALL(solace_nn_net_init(b, 42));
  TEST_CALL(solace_nn_net_params(a, &na, &pa));
  TEST_CALL(solace_nn_net_params(b, &nb, &pb));
  for (int k = 0; k < na; k++)
    TEST_ASSERT(!memcmp(pa[k]->value, pb[k]->value, sizeof(double) * pa[k]->count),
                "block %d differs under the same seed", k);
  TEST_CALL(solace_nn_net_init(b, 43));
  TEST_ASSERT(memcmp(pa[2]->value, pb[2]->value, sizeof(double) * pa[2]->count),
              "another seed gave the same weights");
  double sum2 = 0; /* block 2: a 16 -> 16 3x3 conv, He: variance 2 / 144 */
  for (int64_t i = 0; i < pa[2]->count; i++) sum2 += pa[2]->value[i] * pa[2]->value[i];
  double var = sum2 / pa[2]->count;
  printf("He variance %.5f, expected %.5f (%lld samples)\n", var, 2.0 / 144,
         (long long)pa[2]->count);
  TEST_ASSERT(fabs(var / (2.0 / 144) - 1) < 0.05, "variance %.5f", var);
  for (int64_t i = 0; i < pa[3]->count; i++) TEST_ASSERT(pa[3]->value[i] == 0, "bias not zero");
  solace_nn_net_destroy(&a);
  solace_nn_net_destroy(&b);
  return init_levels();
}

/* A DCDM network maps [n, 1, H, W] to [n, 1, H, W] at any even size (trained at one size, run at
 * another), and forward is deterministic. */
static int shapes(void) {
  solace_nn_net net;
  const solace_nn_tensor *y;
  int64_t g1[2] = {8, 12}, g2[2] = {32, 16};
  TEST_CALL(solace_nn_net_create_dcdm(2, 4, 1, 1, 1, 1, &net));
  TEST_CALL(solace_nn_net_init(net, 1));
  solace_nn_tensor *x1 = nn_test_tensor(2, 3, 1, g1, 1), *x2 = nn_test_tensor(2, 1, 1, g2, 2);
  TEST_CALL(solace_nn_net_forward(net, x1, &y));
  TEST_ASSERT(solace_nn_tensor_same_shape(x1, y), "output shape differs from input (8x12)");
  TEST_CALL(solace_nn_net_forward(net, x2, &y));
  TEST_ASSERT(solace_nn_tensor_same_shape(x2, y), "output shape differs from input (32x16)");
  solace_nn_net_destroy(&net);
  TEST_CALL(solace_nn_net_create_dcdm(2, 4, 1, 1, 1, 4, &net)); /* 32x16: pools to 2x1 */
  TEST_CALL(solace_nn_net_init(net, 1));
  TEST_CALL(solace_nn_net_forward(net, x2, &y));
  TEST_ASSERT(solace_nn_tensor_same_shape(x2, y), "4 levels: output shape differs (32x16)");
  TEST_FAILS_WITH(solace_nn_net_forward(net, x1, &y), SOLACE_ERR_ARG); /* 8x12: 12 / 8 odd */
  solace_nn_tensor_destroy(&x1);
  solace_nn_tensor_destroy(&x2);
  solace_nn_net_destroy(&net);
  return 0;
}

static int errors(void) {
  solace_nn_net net, empty;
  solace_nn_layer *l = NULL;
  const solace_nn_tensor *y;
  int64_t odd[2] = {6, 5}, g[2] = {8, 8};
  TEST_CALL(solace_nn_net_create_dcdm(2, 4, 1, 1, 1, 1, &net));
  solace_nn_tensor *x2 = nn_test_tensor(2, 1, 2, g, 1), *xo = nn_test_tensor(2, 1, 1, odd, 1);
  solace_nn_tensor *x = nn_test_tensor(2, 1, 1, g, 1);
  TEST_FAILS_WITH(solace_nn_net_backward(net, x, NULL), SOLACE_ERR_STATE); /* before forward */
  TEST_FAILS_WITH(solace_nn_net_forward(net, x2, &y), SOLACE_ERR_ARG);     /* 2 channels */
  TEST_ASSERT(strstr(solace_error_message(), "step 0"), "message lacks the step");
  TEST_FAILS_WITH(solace_nn_net_forward(net, xo, &y), SOLACE_ERR_ARG); /* odd size for pooling */
  TEST_FAILS_WITH(solace_nn_net_forward(net, NULL, &y), SOLACE_ERR_ARG);
  TEST_CALL(solace_nn_net_forward(net, x, &y));
  TEST_FAILS_WITH(solace_nn_net_backward(net, x2, NULL), SOLACE_ERR_ARG); /* dy shape */
  TEST_FAILS_WITH(solace_nn_net_backward(net, x, x2), SOLACE_ERR_ARG);    /* dx shape */
  TEST_FAILS_WITH(solace_nn_net_add_skip(net, 5), SOLACE_ERR_ARG);        /* never saved */
  TEST_FAILS_WITH(solace_nn_net_add_save(net, SOLACE_NN_MAX_SLOTS), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_layer_create_conv(2, 1, 1, 5, &l), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_layer_create_conv(4, 1, 1, 3, &l), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_layer_create_dense(0, 1, &l), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_layer_create_pool(1, &l), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_net_create_dcdm(2, 0, 1, 1, 1, 1, &empty), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_net_create_dcdm(2, 4, 1, 1, 1, 0, &empty), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "levels = 0"), "message lacks the levels");
  TEST_FAILS_WITH(solace_nn_net_create_dcdm(2, 4, 1, 1, 1, SOLACE_NN_DCDM_MAX_LEVELS + 1, &empty),
                  SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_net_create_mlp(1, g, 0, &empty), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_tensor_create(4, 1, 1, g, &xo), SOLACE_ERR_ARG);
  TEST_CALL(solace_nn_net_create(&empty));
  TEST_FAILS_WITH(solace_nn_net_forward(empty, x, &y), SOLACE_ERR_STATE);
  TEST_CALL(solace_nn_layer_create_dense(3, 2, &l)); /* dense on 64 features: refused */
  TEST_CALL(solace_nn_net_add_layer(empty, &l));
  TEST_ASSERT(l == NULL, "add_layer did not take the layer");
  TEST_FAILS_WITH(solace_nn_net_forward(empty, x, &y), SOLACE_ERR_ARG);
  solace_nn_net_destroy(&empty);
  solace_nn_net_destroy(&empty); /* NULL accepted */
  solace_nn_tensor_destroy(&x);
  solace_nn_tensor_destroy(&x2);
  solace_nn_tensor_destroy(&xo);
  solace_nn_net_destroy(&net);
  return 0;
}

/* Copies the parameters of a tied network with `levels` levels into an untied one of the same
 * shape: untied order conv0, fine, coarse x levels, after x levels, last; tied order conv0,
 * fine, coarse owners, after owners, last (two blocks per layer). */
static int untie(solace_nn_net tied, solace_nn_net plain, int fine, int coarse, int after,
                 int levels) {
  int nt, np;
  solace_nn_param **pt, **pp;
  TEST_CALL(solace_nn_net_params(tied, &nt, &pt));
  TEST_CALL(solace_nn_net_params(plain, &np, &pp));
  TEST_ASSERT(nt == 2 * (2 + fine + coarse + after), "tied: %d blocks", nt);
  TEST_ASSERT(np == 2 * (2 + fine + levels * (coarse + after)), "untied: %d blocks", np);
  for (int j = 0; j < np / 2; j++) {
    int k = j; /* the tied layer of untied layer j */
    int down = 1 + fine + levels * coarse, up = down + levels * after;
    if (j > fine && j < down)
      k = 1 + fine + (j - 1 - fine) % coarse;
    else if (j >= down && j < up)
      k = 1 + fine + coarse + (j - down) % after;
    else if (j >= up)
      k = nt / 2 - 1;
    for (int b = 0; b < 2; b++)
      memcpy(pp[2 * j + b]->value, pt[2 * k + b]->value, sizeof(double) * pp[2 * j + b]->count);
  }
  return 0;
}

/* A 2-level tied network tied whole to the 3-level one `a` (solace_nn_net_tie, as training over
 * several depths does): its output equals that of a separate 2-level network holding copies of
 * a's blocks, and its backward pass accumulates into a's gradients. */
static int tie_nets(solace_nn_net a, const solace_nn_tensor *x) {
  solace_nn_net shallow, copy;
  const solace_nn_tensor *y;
  int na, nc;
  solace_nn_param **pa, **pc;
  TEST_CALL(solace_nn_net_create_dcdm_tied(2, 16, 4, 6, 4, 2, &shallow));
  TEST_CALL(solace_nn_net_create_dcdm_tied(2, 16, 4, 6, 4, 2, &copy));
  TEST_CALL(solace_nn_net_tie(shallow, a));
  TEST_ASSERT(solace_nn_net_param_count(shallow) == 0, "a tied-whole network owns parameters");
  TEST_CALL(solace_nn_net_params(a, &na, &pa));
  TEST_CALL(solace_nn_net_params(copy, &nc, &pc));
  TEST_ASSERT(na == nc, "%d and %d blocks", na, nc);
  for (int k = 0; k < nc; k++) memcpy(pc[k]->value, pa[k]->value, sizeof(double) * pc[k]->count);
  TEST_CALL(solace_nn_net_forward(copy, x, &y));
  double *want = malloc(sizeof(double) * solace_nn_tensor_size(y));
  memcpy(want, y->data, sizeof(double) * solace_nn_tensor_size(y));
  TEST_CALL(solace_nn_net_forward(shallow, x, &y));
  for (int64_t i = 0; i < solace_nn_tensor_size(y); i++)
    TEST_ASSERT(y->data[i] == want[i], "tied-whole output %lld: %g, copy %g", (long long)i,
                y->data[i], want[i]);
  TEST_CALL(solace_nn_net_zero_grad(a));
  solace_nn_tensor dy = *y;
  dy.data = want, dy.capacity = 0;
  TEST_CALL(solace_nn_net_backward(shallow, &dy, NULL));
  for (int k = 0; k < na; k += 2) {
    double g = 0;
    for (int64_t i = 0; i < pa[k]->count; i++) g = fmax(g, fabs(pa[k]->grad[i]));
    TEST_ASSERT(g > 0, "block %d of the owner got no gradient", k);
  }
  solace_nn_net other;
  TEST_CALL(solace_nn_net_create_dcdm_tied(2, 16, 4, 6, 3, 2, &other));
  TEST_FAILS_WITH(solace_nn_net_tie(other, a), SOLACE_ERR_ARG); /* one after block fewer */
  solace_nn_net_destroy(&other);
  printf("tied whole: 2-level output equals the copy's exactly; owner gradients filled\n");
  free(want);
  solace_nn_net_destroy(&shallow);
  solace_nn_net_destroy(&copy);
  return 0;
}

/* Tied levels: the parameter count and the parameter order do not depend on the depth (the
 * residual convs' initial scale does, as in the untied network); the
 * forward pass equals that of an untied network holding the same blocks at every level (an
 * independent construction), at depths 1..4; the gradient of a tied block is checked against
 * finite differences in nn-grad-dcdm2d-tied3. Tying mismatched layers is refused. */
static int tied(void) {
  solace_nn_net a, b, plain;
  solace_nn_layer *conv = NULL, *other = NULL, *pool = NULL;
  const solace_nn_tensor *y;
  int64_t g[2] = {32, 16};
  solace_nn_tensor *x = nn_test_tensor(2, 2, 1, g, 1), *ya = NULL;
  TEST_CALL(solace_nn_net_create_dcdm_tied(2, 16, 4, 6, 4, 3, &a));
  TEST_ASSERT(solace_nn_net_param_count(a) == 160 + 17 + 14 * 2320, "tied: %lld parameters",
              (long long)solace_nn_net_param_count(a));
  TEST_CALL(solace_nn_net_init(a, 7));
  for (int levels = 1; levels <= 4; levels++) {
    TEST_CALL(solace_nn_net_create_dcdm_tied(2, 16, 4, 6, 4, levels, &b));
    TEST_ASSERT(solace_nn_net_param_count(b) == solace_nn_net_param_count(a),
                "%d levels: %lld parameters", levels, (long long)solace_nn_net_param_count(b));
    TEST_CALL(solace_nn_net_init(b, 7));
    int na, nb;
    solace_nn_param **pa, **pb;
    TEST_CALL(solace_nn_net_params(a, &na, &pa));
    TEST_CALL(solace_nn_net_params(b, &nb, &pb));
    for (int k = 0; k < nb; k += nb - 2) /* the first and last convs are not depth-scaled */
      TEST_ASSERT(na == nb && !memcmp(pa[k]->value, pb[k]->value, sizeof(double) * pa[k]->count),
                  "%d levels: block %d differs from 3 levels' under the same seed", levels, k);
    TEST_CALL(solace_nn_net_create_dcdm(2, 16, 4, 6, 4, levels, &plain));
    TEST_CALL(untie(b, plain, 4, 6, 4, levels));
    TEST_CALL(solace_nn_net_forward(b, x, &y));
    TEST_CALL(solace_nn_tensor_create(2, 2, 1, g, &ya));
    memcpy(ya->data, y->data, sizeof(double) * solace_nn_tensor_size(y));
    TEST_CALL(solace_nn_net_forward(plain, x, &y));
    double err = 0, norm = 0;
    for (int64_t i = 0; i < solace_nn_tensor_size(y); i++) {
      err = fmax(err, fabs(y->data[i] - ya->data[i]));
      norm = fmax(norm, fabs(y->data[i]));
    }
    printf("%d levels: tied vs untied copy, max difference %.1e (max |y| %.2e)\n", levels, err,
           norm);
    TEST_ASSERT(err == 0 && norm > 0, "%d levels: tied and untied outputs differ by %.3e", levels,
                err);
    solace_nn_tensor_destroy(&ya);
    solace_nn_net_destroy(&plain);
    solace_nn_net_destroy(&b);
  }
  if (tie_nets(a, x)) return 1;
  TEST_CALL(solace_nn_layer_create_conv(2, 4, 4, 3, &conv));
  TEST_CALL(solace_nn_layer_create_conv(2, 4, 8, 3, &other));
  TEST_CALL(solace_nn_layer_create_pool(2, &pool));
  TEST_FAILS_WITH(solace_nn_layer_tie(conv, other), SOLACE_ERR_ARG); /* 4 -> 8 */
  TEST_FAILS_WITH(solace_nn_layer_tie(pool, conv), SOLACE_ERR_ARG);  /* no parameters */
  TEST_FAILS_WITH(solace_nn_layer_tie(conv, conv), SOLACE_ERR_ARG);
  solace_nn_layer_destroy(&other);
  TEST_CALL(solace_nn_layer_create_conv(2, 4, 4, 3, &other));
  TEST_CALL(solace_nn_layer_tie(other, conv));
  TEST_ASSERT(solace_nn_layer_param_count(other) == 0, "a tied layer counts its parameters");
  TEST_FAILS_WITH(solace_nn_layer_tie(pool, other), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_layer_tie(conv, other), SOLACE_ERR_ARG); /* other is itself tied */
  solace_nn_layer_destroy(&other);                                   /* frees nothing of conv's */
  solace_nn_layer_destroy(&conv);
  solace_nn_layer_destroy(&pool);
  solace_nn_tensor_destroy(&x);
  solace_nn_net_destroy(&a);
  return 0;
}

int main(int argc, char **argv) {
  const char *c = argc > 1 ? argv[1] : "";
  int failed = !strcmp(c, "counts")   ? counts()
               : !strcmp(c, "init")   ? init()
               : !strcmp(c, "shapes") ? shapes()
               : !strcmp(c, "errors") ? errors()
               : !strcmp(c, "tied")   ? tied()
                                      : (fprintf(stderr, "unknown case '%s'\n", c), 1);
  return failed ? 1 : test_finish(c);
}
