/* Weight files: save/load round trip is bit-exact (values and outputs) and has the documented
 * layout; loading refuses another network (shape, kind, layer count) with SOLACE_ERR_FORMAT and
 * a message naming the layer and both shapes, leaving the values unchanged; a missing file is
 * SOLACE_ERR_IO and a non-HDF5 file SOLACE_ERR_FORMAT. Usage: t-weights <case>. */
#include "nn-test.h"

#include <hdf5.h>
#include <unistd.h>

/* Copies all parameter values of a network into a new array. */
static double *snapshot(solace_nn_net net, int64_t *count) {
  int nblocks;
  solace_nn_param **blocks;
  *count = solace_nn_net_param_count(net);
  double *v = malloc(sizeof(double) * (*count + 1)), *q = v;
  if (solace_nn_net_params(net, &nblocks, &blocks)) return v;
  for (int k = 0; k < nblocks; k++, q += blocks[k - 1]->count)
    memcpy(q, blocks[k]->value, sizeof(double) * blocks[k]->count);
  return v;
}

static int roundtrip(void) {
  solace_nn_net a, b;
  const solace_nn_tensor *ya, *yb;
  int64_t g[2] = {8, 8}, na, nb;
  TEST_CALL(solace_nn_net_create_dcdm(2, 4, 1, 1, 1, 1, &a));
  TEST_CALL(solace_nn_net_create_dcdm(2, 4, 1, 1, 1, 1, &b));
  TEST_CALL(nn_test_init(a, 1));
  TEST_CALL(solace_nn_net_init(b, 2));
  TEST_CALL(solace_nn_net_save(a, "nn-weights-roundtrip.h5"));
  TEST_CALL(solace_nn_net_load(b, "nn-weights-roundtrip.h5"));
  double *va = snapshot(a, &na), *vb = snapshot(b, &nb);
  TEST_ASSERT(na == nb && !memcmp(va, vb, sizeof(double) * na), "loaded values differ");
  solace_nn_tensor *x = nn_test_tensor(2, 2, 1, g, 4);
  TEST_CALL(solace_nn_net_forward(a, x, &ya));
  TEST_CALL(solace_nn_net_forward(b, x, &yb));
  TEST_ASSERT(!memcmp(ya->data, yb->data, sizeof(double) * solace_nn_tensor_size(ya)),
              "outputs differ after the round trip");
  /* layout: /layers/000_conv2d ... with kind and float64 weight [4, 1, 3, 3] */
  hid_t f = H5Fopen("nn-weights-roundtrip.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
  TEST_ASSERT(H5Lexists(f, "/layers/000_conv2d", H5P_DEFAULT) > 0, "no /layers/000_conv2d");
  TEST_ASSERT(H5Lexists(f, "/layers/004_conv2d", H5P_DEFAULT) > 0, "no /layers/004_conv2d");
  hid_t d = H5Dopen2(f, "/layers/000_conv2d/weight", H5P_DEFAULT), s = H5Dget_space(d);
  hsize_t dims[4] = {0};
  TEST_ASSERT(H5Sget_simple_extent_dims(s, dims, NULL) == 4 && dims[0] == 4 && dims[1] == 1 &&
                  dims[2] == 3 && dims[3] == 3,
              "weight shape [%llu, %llu, %llu, %llu]", (unsigned long long)dims[0],
              (unsigned long long)dims[1], (unsigned long long)dims[2],
              (unsigned long long)dims[3]);
  H5Sclose(s);
  H5Dclose(d);
  H5Fclose(f);
  free(va);
  free(vb);
  solace_nn_tensor_destroy(&x);
  solace_nn_net_destroy(&a);
  solace_nn_net_destroy(&b);
  return 0;
}

/* The file of refused(): one per case, since ctest runs the cases side by side. */
static char refused_path[64] = "nn-weights-refused.h5";

/* Saves `a`, loads into `b`: expects FORMAT, the given message fragments, unchanged values. */
static int refused(solace_nn_net a, solace_nn_net b, const char *f1, const char *f2) {
  int64_t n0, n1;
  TEST_CALL(solace_nn_net_init(a, 1));
  TEST_CALL(solace_nn_net_init(b, 2));
  TEST_CALL(solace_nn_net_save(a, refused_path));
  double *before = snapshot(b, &n0);
  TEST_FAILS_WITH(solace_nn_net_load(b, refused_path), SOLACE_ERR_FORMAT);
  unlink(refused_path);
  const char *msg = solace_error_message();
  printf("message: %s\n", msg);
  TEST_ASSERT(strstr(msg, f1) && strstr(msg, f2), "message lacks '%s' or '%s'", f1, f2);
  double *after = snapshot(b, &n1);
  TEST_ASSERT(!memcmp(before, after, sizeof(double) * n0), "a refused load changed the values");
  free(before);
  free(after);
  solace_nn_net_destroy(&a);
  solace_nn_net_destroy(&b);
  return 0;
}

int main(int argc, char **argv) {
  solace_nn_net a = NULL, b = NULL;
  solace_nn_layer *l;
  const char *c = argc > 1 ? argv[1] : "";
  snprintf(refused_path, sizeof refused_path, "nn-weights-refused-%.30s.h5", c);
  if (!strcmp(c, "roundtrip")) {
    if (roundtrip()) return 1;
  } else if (!strcmp(c, "shape")) { /* 8 channels saved, 4 expected: the first conv differs */
    TEST_CALL(solace_nn_net_create_dcdm(2, 8, 1, 1, 1, 1, &a));
    TEST_CALL(solace_nn_net_create_dcdm(2, 4, 1, 1, 1, 1, &b));
    if (refused(a, b, "000_conv2d", "[8, 1, 3, 3] in the file, [4, 1, 3, 3] in the network"))
      return 1;
  } else if (!strcmp(c, "kind")) { /* a dense layer's file loaded into a conv2d network */
    TEST_CALL(solace_nn_net_create(&a));
    TEST_CALL(solace_nn_layer_create_dense(9, 2, &l));
    TEST_CALL(solace_nn_net_add_layer(a, &l));
    TEST_CALL(solace_nn_net_create(&b));
    TEST_CALL(solace_nn_layer_create_conv(2, 1, 2, 3, &l));
    TEST_CALL(solace_nn_net_add_layer(b, &l));
    if (refused(a, b, "000_dense", "a dense in the file, a conv2d in the network")) return 1;
  } else if (!strcmp(c, "count")) { /* one residual block more in the file */
    TEST_CALL(solace_nn_net_create_dcdm(3, 2, 2, 1, 1, 1, &a));
    TEST_CALL(solace_nn_net_create_dcdm(3, 2, 1, 1, 1, 1, &b));
    if (refused(a, b, "holds 6 layers", "the network 5")) return 1;
  } else if (!strcmp(c, "missing")) {
    TEST_CALL(solace_nn_net_create_dcdm(2, 4, 1, 1, 1, 1, &a));
    unlink("nn-weights-missing.h5");
    TEST_FAILS_WITH(solace_nn_net_load(a, "nn-weights-missing.h5"), SOLACE_ERR_IO);
    TEST_ASSERT(strstr(solace_error_message(), "nn-weights-missing.h5"), "message lacks the path");
    FILE *f = fopen("nn-weights-text.h5", "w");
    fputs("not hdf5\n", f);
    fclose(f);
    TEST_FAILS_WITH(solace_nn_net_load(a, "nn-weights-text.h5"), SOLACE_ERR_FORMAT);
    TEST_FAILS_WITH(solace_nn_net_save(a, "no-such-dir/w.h5"), SOLACE_ERR_IO);
    TEST_FAILS_WITH(solace_nn_net_load(a, NULL), SOLACE_ERR_ARG);
    solace_nn_net_destroy(&a);
  } else {
    return fprintf(stderr, "usage: t-weights roundtrip|shape|kind|count|missing\n"), 1;
  }
  return test_finish(c);
}
