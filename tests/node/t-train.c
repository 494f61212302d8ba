/* Training through the public ABI.
 *   spiral-<reg>, spiral-cvodes (unbiased, CVODES adjoint): 4 spiral trajectories (CVODE data), a
 * tanh MLP 3 -> 16 -> 2, 60 Adam steps (lr 0.02): the mean squared error of solace_node_integrate
 * against the data, computed here independently of the training loss, must fall to below half its
 * initial value. labels: two separable classes in d = 3 (label = [x_0 > 0]), 60 steps: the accuracy
 * of solace_node_classify on the training points must reach 0.9 (the untrained head is at chance
 * level). nfe: one training step from the same seed with and without the local regularizer: the
 *     forward solves take the same steps, so the NFE must differ by exactly the regularizer step's
 *     8 evaluations (k1, one for the initial step size, stages 2..7; 7 with the solver's step),
 *     plus, for the unbiased sampler, the one evaluation of f at the end of the step containing
 *     t1 that ARKODE's dense output u(t1) needs; the global regularizer adds none (it reuses the
 *     accepted steps). With k samples the local regularizer adds k times that (three unbiased
 *     samples, in three different steps here: 27; two biased: 16). */
#include "test-util.h"

#include <string.h>

#define NTRAJ 4
#define NT    10

static double times[NT], x[2 * NT * NTRAJ];

/* Mean squared error of the model's trajectories against the data. */
static int spiral_mse(solace_node node, double *mse) {
  double u0[2 * NTRAJ], u[2 * NTRAJ * NT];
  for (int j = 0; j < NTRAJ; j++) u0[2 * j] = x[2 * j * NT], u0[2 * j + 1] = x[2 * j * NT + 1];
  TEST_CALL(solace_node_integrate(node, NTRAJ, u0, 2, times[0], NT - 1, times + 1, u, 2));
  *mse = 0;
  for (int k = 1; k < NT; k++)
    for (int j = 0; j < NTRAJ; j++)
      for (int i = 0; i < 2; i++) {
        double r = u[((k - 1) * NTRAJ + j) * 2 + i] - x[(j * NT + k) * 2 + i];
        *mse += r * r / (2.0 * NTRAJ * (NT - 1));
      }
  return SOLACE_SUCCESS;
}

static int spiral_case(int reg, int adjoint) {
  solace_node node = NULL;
  int64_t hidden = 16;
  double before, after, loss;
  TEST_CALL(solace_node_spiral_data(NTRAJ, NT, 1.0, 5, times, x, 2));
  TEST_CALL(solace_node_create(2, 1, &hidden, SOLACE_NODE_TANH, 3, &node));
  TEST_CALL(solace_node_set_training(node, reg, 0.1, 0.01, 0.02, NTRAJ, 9));
  TEST_CALL(solace_node_set_adjoint(node, adjoint));
  TEST_CALL(spiral_mse(node, &before));
  TEST_CALL(solace_node_train_traj(node, NTRAJ, NT, times, x, 2, 60, &loss));
  TEST_CALL(spiral_mse(node, &after));
  printf("spiral reg %d adjoint %d: mse %.4g -> %.4g (last training loss %.4g)\n", reg, adjoint,
         before, after, loss);
  TEST_ASSERT(after < 0.5 * before, "mse %g -> %g did not halve", before, after);
  solace_node_destroy(&node);
  return 0;
}

/* 64 points in d = 3 with label [x_0 > 0]. */
static int labels_case(void) {
  enum { n = 64 };
  double pts[3 * n];
  int64_t labels[n], predicted[n], hidden = 16, correct = 0;
  solace_node node = NULL;
  TEST_CALL(solace_rand_normal(4, 0, 0, 3 * n, pts));
  for (int j = 0; j < n; j++) labels[j] = pts[3 * j] > 0;
  TEST_CALL(solace_node_create(3, 1, &hidden, SOLACE_NODE_TANH, 3, &node));
  TEST_CALL(solace_node_set_classifier(node, 2, 3));
  TEST_CALL(solace_node_set_training(node, SOLACE_NODE_REG_UNBIASED, 0.1, 0.01, 0.02, 32, 9));
  TEST_CALL(solace_node_train_labels(node, n, pts, 3, labels, 1.0, 60, NULL));
  TEST_CALL(solace_node_classify(node, n, pts, 3, 1.0, predicted));
  for (int j = 0; j < n; j++) correct += predicted[j] == labels[j];
  printf("labels: training accuracy %.3f\n", correct / (double)n);
  TEST_ASSERT(correct >= 0.9 * n, "accuracy %g", correct / (double)n);
  solace_node_destroy(&node);
  return 0;
}

/* NFE of one training step with regularizer `reg` and local step choice `step`. */
static int one_step_nfe(int reg, int step, int64_t samples, int64_t *nfe) {
  solace_node node = NULL;
  int64_t hidden = 16;
  TEST_CALL(solace_node_spiral_data(NTRAJ, NT, 1.0, 5, times, x, 2));
  TEST_CALL(solace_node_create(2, 1, &hidden, SOLACE_NODE_TANH, 3, &node));
  TEST_CALL(solace_node_set_training(node, reg, 0.1, 0.01, 0.02, NTRAJ, 9));
  TEST_CALL(solace_node_set_reg_step(node, step));
  TEST_CALL(solace_node_set_reg_samples(node, samples));
  TEST_CALL(solace_node_train_traj(node, NTRAJ, NT, times, x, 2, 1, NULL));
  TEST_CALL(solace_node_get_nfe(node, nfe));
  solace_node_destroy(&node);
  return 0;
}

static int nfe_case(void) {
  int64_t none, unbiased, biased, global, solver, unbiased3, biased2;
  if (one_step_nfe(SOLACE_NODE_REG_NONE, 0, 1, &none) ||
      one_step_nfe(SOLACE_NODE_REG_UNBIASED, 0, 1, &unbiased) ||
      one_step_nfe(SOLACE_NODE_REG_BIASED, 0, 1, &biased) ||
      one_step_nfe(SOLACE_NODE_REG_GLOBAL, 0, 1, &global) ||
      one_step_nfe(SOLACE_NODE_REG_UNBIASED, SOLACE_NODE_REG_STEP_SOLVER, 1, &solver) ||
      one_step_nfe(SOLACE_NODE_REG_UNBIASED, 0, 3, &unbiased3) ||
      one_step_nfe(SOLACE_NODE_REG_BIASED, 0, 2, &biased2))
    return 1;
  printf("with samples: unbiased x3 %lld, biased x2 %lld\n", (long long)unbiased3,
         (long long)biased2);
  TEST_ASSERT(unbiased3 == none + 27 && biased2 == none + 16, "unexpected NFE with samples");
  printf("nfe of one step: none %lld, unbiased %lld, biased %lld, global %lld, unbiased with the "
         "solver's step %lld\n",
         (long long)none, (long long)unbiased, (long long)biased, (long long)global,
         (long long)solver);
  TEST_ASSERT(none > 0 && unbiased == none + 9 && biased == none + 8 && global == none &&
                  solver == none + 8,
              "unexpected NFE accounting");
  return 0;
}

int main(int argc, char **argv) {
  const char *which = argc > 1 ? argv[1] : "spiral-none";
  int status = 0;
  if (!strcmp(which, "spiral-none")) status = spiral_case(SOLACE_NODE_REG_NONE, 0);
  if (!strcmp(which, "spiral-unbiased")) status = spiral_case(SOLACE_NODE_REG_UNBIASED, 0);
  if (!strcmp(which, "spiral-biased")) status = spiral_case(SOLACE_NODE_REG_BIASED, 0);
  if (!strcmp(which, "spiral-global")) status = spiral_case(SOLACE_NODE_REG_GLOBAL, 0);
  if (!strcmp(which, "spiral-cvodes")) status = spiral_case(SOLACE_NODE_REG_UNBIASED, 1);
  if (!strcmp(which, "labels")) status = labels_case();
  if (!strcmp(which, "nfe")) status = nfe_case();
  return status ? status : test_finish("node-train");
}
