/* The public ABI: a saved and reloaded model integrates and classifies bit-for-bit like the
 * original (same weights, same solver settings, so the same arithmetic; also with t appended at
 * every layer, which must integrate differently from the input-only model), the trajectory file
 * round trip, and every error path: NULLs, bad sizes, NaN states, bad times, missing and foreign
 * files, missing dataset files, a model without a head. */
#include "test-util.h"

#include <string.h>

/* A model with t at every layer reloads as one (the file records the mode). */
static int roundtrip_layers(void) {
  solace_node a = NULL, b = NULL;
  int64_t hidden[2] = {8, 6};
  double u0[4] = {0.5, -0.2, 1.0, 0.3}, times[2] = {0.5, 1.0}, ua[8], ub[8], uc[8];
  TEST_CALL(solace_node_create(2, 2, hidden, SOLACE_NODE_TANH, 4, &a));
  TEST_CALL(solace_node_integrate(a, 2, u0, 2, 0.0, 2, times, uc, 2));
  TEST_CALL(solace_node_set_time(a, SOLACE_NODE_TIME_LAYERS));
  TEST_CALL(solace_node_save(a, "node-abi-layers.h5"));
  TEST_CALL(solace_node_create_from_file("node-abi-layers.h5", &b));
  TEST_CALL(solace_node_integrate(a, 2, u0, 2, 0.0, 2, times, ua, 2));
  TEST_CALL(solace_node_integrate(b, 2, u0, 2, 0.0, 2, times, ub, 2));
  TEST_ASSERT(!memcmp(ua, ub, sizeof ua), "reloaded time-layers model integrates differently");
  TEST_ASSERT(memcmp(ua, uc, sizeof ua), "time-layers model integrates like the input-only one");
  TEST_CALL(solace_node_set_time(a, SOLACE_NODE_TIME_INPUT));
  TEST_CALL(solace_node_integrate(a, 2, u0, 2, 0.0, 2, times, ub, 2));
  TEST_ASSERT(!memcmp(ub, uc, sizeof ub), "back to input-only: not the creation weights");
  solace_node_destroy(&a), solace_node_destroy(&b);
  return 0;
}

static int roundtrip(void) {
  solace_node a = NULL, b = NULL;
  int64_t hidden[2] = {8, 6}, nfe_a, nfe_b, la[3], lb[3];
  double u0[6] = {0.5, -0.2, 1.0, 0.3, -0.7, 0.1}, times[3] = {0.2, 0.5, 1.0}, ua[18], ub[18];
  TEST_CALL(solace_node_create(2, 2, hidden, SOLACE_NODE_RELU, 4, &a));
  TEST_CALL(solace_node_set_tolerances(a, 1e-7, 1e-8));
  TEST_CALL(solace_node_set_method(a, SOLACE_NODE_DOPRI5, 5000));
  TEST_CALL(solace_node_set_classifier(a, 3, 2));
  TEST_CALL(solace_node_save(a, "node-abi.h5"));
  TEST_CALL(solace_node_create_from_file("node-abi.h5", &b));
  TEST_CALL(solace_node_integrate(a, 3, u0, 2, 0.0, 3, times, ua, 2));
  TEST_CALL(solace_node_get_nfe(a, &nfe_a));
  TEST_CALL(solace_node_integrate(b, 3, u0, 2, 0.0, 3, times, ub, 2));
  TEST_CALL(solace_node_get_nfe(b, &nfe_b));
  TEST_ASSERT(!memcmp(ua, ub, sizeof ua), "reloaded model integrates differently");
  TEST_ASSERT(nfe_a == nfe_b && nfe_a > 0, "nfe %lld vs %lld", (long long)nfe_a, (long long)nfe_b);
  TEST_CALL(solace_node_classify(a, 3, u0, 2, 1.0, la));
  TEST_CALL(solace_node_classify(b, 3, u0, 2, 1.0, lb));
  TEST_ASSERT(!memcmp(la, lb, sizeof la), "reloaded head classifies differently");
  int64_t d, classes;
  TEST_CALL(solace_node_get_sizes(b, &d, &classes));
  TEST_ASSERT(d == 2 && classes == 3, "sizes %lld %lld", (long long)d, (long long)classes);
  /* Trajectories written by the ABI train through solace_node_train_file. */
  double t[4], x[2 * 4 * 3], loss = -1;
  TEST_CALL(solace_node_spiral_data(3, 4, 0.5, 1, t, x, 2));
  TEST_CALL(solace_node_write_traj("node-traj.h5", 3, 4, t, 2, x, 2));
  TEST_CALL(solace_node_set_training(a, SOLACE_NODE_REG_BIASED, 1, 0.5, 1e-3, 2, 1));
  TEST_CALL(solace_node_set_output(a, "node-history.h5", "node-ckpt.h5", 1));
  TEST_CALL(solace_node_train_file(a, "node-traj.h5", 2, &loss));
  TEST_ASSERT(loss > 0 && isfinite(loss), "loss %g", loss);
  solace_node_destroy(&a);
  solace_node_destroy(&b);
  TEST_CALL(solace_node_create_from_file("node-ckpt.h5", &a));
  solace_node_destroy(&a);
  TEST_ASSERT(a == NULL, "destroy did not null the handle");
  TEST_CALL(solace_node_destroy(NULL));
  return roundtrip_layers();
}

static int errors(void) {
  solace_node node = NULL, other = NULL;
  int64_t hidden = 4, labels[2] = {0, 5}, n;
  double u0[4] = {0.1, 0.2, 0.3, 0.4}, times[2] = {0.5, 1.0}, back[2] = {1.0, 0.5}, u[8];
  double img[784];
  TEST_FAILS_WITH(solace_node_create(2, 0, &hidden, 0, 1, &node), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_create(0, 1, &hidden, 0, 1, &node), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_create(2, 1, &hidden, 7, 1, &node), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_create(2, 1, &hidden, 0, 1, NULL), SOLACE_ERR_ARG);
  TEST_CALL(solace_node_create(2, 1, &hidden, SOLACE_NODE_TANH, 1, &node));
  TEST_FAILS_WITH(solace_node_integrate(NULL, 2, u0, 2, 0, 2, times, u, 2), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_integrate(node, 2, u0, 1, 0, 2, times, u, 2), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_integrate(node, 2, u0, 2, 0, 2, times, u, 1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_integrate(node, 0, u0, 2, 0, 2, times, u, 2), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_integrate(node, 2, u0, 2, 0, 2, back, u, 2), SOLACE_ERR_ARG);
  u0[3] = NAN;
  TEST_FAILS_WITH(solace_node_integrate(node, 2, u0, 2, 0, 2, times, u, 2), SOLACE_ERR_ARG);
  u0[3] = 0.4;
  double far[1] = {50.0};
  TEST_CALL(solace_node_set_method(node, SOLACE_NODE_TSIT5, 2));
  TEST_FAILS_WITH(solace_node_integrate(node, 2, u0, 2, 0, 1, far, u, 2), SOLACE_ERR_NOT_CONVERGED);
  TEST_CALL(solace_node_set_method(node, SOLACE_NODE_TSIT5, 10000));
  TEST_FAILS_WITH(solace_node_set_tolerances(node, -1, 1e-6), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_tolerances(node, NAN, 1e-6), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_method(node, 9, 100), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_training(node, 7, 1, 1, 1e-3, 4, 1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_training(node, 1, -1, 1, 1e-3, 4, 1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_adjoint(node, 5), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_reg_step(node, 2), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_reg_step(NULL, 0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_time(node, 2), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_time(NULL, 0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_reg_samples(node, 0), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_reg_samples(node, 65), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_set_reg_samples(NULL, 2), SOLACE_ERR_ARG);
  TEST_CALL(solace_node_set_adjoint(node, SOLACE_NODE_ADJOINT_CVODES));
  TEST_CALL(solace_node_set_training(node, SOLACE_NODE_REG_GLOBAL, 1, 1, 1e-3, 2, 1));
  TEST_FAILS_WITH(solace_node_train_traj(node, 1, 2, times, u0, 2, 1, NULL),
                  SOLACE_ERR_UNSUPPORTED);
  TEST_CALL(solace_node_set_adjoint(node, SOLACE_NODE_ADJOINT_DISCRETE));
  TEST_FAILS_WITH(solace_node_classify(node, 2, u0, 2, 1.0, labels), SOLACE_ERR_STATE);
  TEST_FAILS_WITH(solace_node_train_labels(node, 2, u0, 2, labels, 1.0, 1, NULL), SOLACE_ERR_STATE);
  TEST_CALL(solace_node_set_classifier(node, 3, 1));
  TEST_FAILS_WITH(solace_node_train_labels(node, 2, u0, 2, labels, 1.0, 1, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_train_traj(node, 2, 1, times, u0, 2, 1, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_train_traj(node, 1, 2, back, u0, 2, 1, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_create_from_file("node-missing.h5", &other), SOLACE_ERR_IO);
  TEST_ASSERT(strstr(solace_error_message(), "node-missing.h5"), "message: %s",
              solace_error_message());
  FILE *f = fopen("node-not-hdf5.h5", "w");
  if (f) fputs("not hdf5", f), fclose(f);
  TEST_FAILS_WITH(solace_node_create_from_file("node-not-hdf5.h5", &other), SOLACE_ERR_FORMAT);
  double t[2] = {0, 1}, x3[3 * 2] = {0};
  TEST_CALL(solace_node_write_traj("node-traj3.h5", 1, 2, t, 3, x3, 3));
  TEST_FAILS_WITH(solace_node_create_from_file("node-traj3.h5", &other), SOLACE_ERR_FORMAT);
  TEST_FAILS_WITH(solace_node_train_file(node, "node-traj3.h5", 1, NULL), SOLACE_ERR_FORMAT);
  TEST_FAILS_WITH(solace_node_train_file(node, "node-missing.h5", 1, NULL), SOLACE_ERR_IO);
  TEST_FAILS_WITH(solace_node_fashion_mnist("/nonexistent-dir", 0, 2, img, 784, labels, &n),
                  SOLACE_ERR_IO);
  TEST_ASSERT(strstr(solace_error_message(), "dataset-fashion-mnist"), "message: %s",
              solace_error_message());
  TEST_FAILS_WITH(solace_node_fashion_mnist(".", 0, 1, img, 100, labels, &n), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_node_spiral_data(0, 4, 1, 1, t, x3, 2), SOLACE_ERR_ARG);
  solace_node_destroy(&node);
  return 0;
}

int main(int argc, char **argv) {
  const char *which = argc > 1 ? argv[1] : "roundtrip";
  int status = !strcmp(which, "roundtrip") ? roundtrip() : errors();
  return status ? status : test_finish("node-abi");
}
