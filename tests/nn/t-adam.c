/* Adam on the convex quadratic f(x) = 1/2 sum_i a_i (x_i - c_i)^2 (condition number 100):
 * (1) the first step moves every coordinate by lr g / (|g| + eps) against the gradient (bias
 * correction makes m_hat = g and v_hat = g^2 exactly, up to rounding); (2) 3000 steps with a
 * decaying rate reach the minimizer c to 1e-6; (3) bad hyper-parameters are refused. */
#include "nn-test.h"

#define N 10

static void gradient(const double *a, const double *c, solace_nn_param *p) {
  for (int i = 0; i < N; i++) p->grad[i] = a[i] * (p->value[i] - c[i]);
}

int main(void) {
  double a[N], c[N], x0[N], value[N], grad[N], lr = 0.05, eps = 1e-8;
  solace_nn_param p = {
      .name = "x", .rank = 1, .shape = {N}, .count = N, .value = value, .grad = grad};
  solace_nn_param *blocks[1] = {&p};
  solace_nn_adam adam;
  for (int i = 0; i < N; i++) {
    a[i] = pow(100.0, (double)i / (N - 1)); /* 1 .. 100 */
    c[i] = sin(i + 1.0);
    x0[i] = value[i] = 2.0 * cos(3.0 * i);
  }
  TEST_CALL(solace_nn_adam_create(1, blocks, lr, 0.9, 0.999, eps, &adam));
  gradient(a, c, &p);
  TEST_CALL(solace_nn_adam_step(adam));
  for (int i = 0; i < N; i++) {
    double g = a[i] * (x0[i] - c[i]);
    TEST_NEAR(value[i] - x0[i], -lr * g / (fabs(g) + eps), 1e-15);
  }
  for (int t = 1; t < 3000; t++) {
    if (t % 500 == 0) TEST_CALL(solace_nn_adam_set_lr(adam, lr *= 0.3));
    gradient(a, c, &p);
    TEST_CALL(solace_nn_adam_step(adam));
  }
  double err = 0;
  for (int i = 0; i < N; i++) err = fmax(err, fabs(value[i] - c[i]));
  printf("adam: max |x - x*| after 3000 steps = %.2e\n", err);
  TEST_ASSERT(err < 1e-6, "Adam did not reach the minimizer: error %.3e", err);
  solace_nn_adam_destroy(&adam);
  solace_nn_adam_destroy(&adam); /* NULL is accepted */
  TEST_FAILS_WITH(solace_nn_adam_create(1, blocks, -1, 0.9, 0.999, eps, &adam), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_adam_create(1, blocks, lr, 1.0, 0.999, eps, &adam), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_adam_create(1, blocks, lr, 0.9, 0.999, 0, &adam), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_adam_create(1, NULL, lr, 0.9, 0.999, eps, &adam), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_nn_adam_set_lr(NULL, lr), SOLACE_ERR_ARG);
  return test_finish("nn-adam");
}
