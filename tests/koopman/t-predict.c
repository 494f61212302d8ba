/* Prediction by the Koopman mode decomposition against direct iteration of the map, where the
 * coordinates lie in a Koopman-invariant span of the dictionary, so that the prediction is exact
 * up to rounding:
 * - a non-normal linear map x -> A x with monomials of degree 1 (the span {1, x} is invariant);
 * - the nonlinear map (x1, x2) -> (0.9 x1, 0.5 x2 + 0.3 x1^2) with monomials of total degree 2:
 *   {x1, x2, x1^2} is invariant (eigenvalues 0.9, 0.5, 0.81), the other three functions are not.
 * Tolerance 1e-9 relative to max |x|: the eigenvalues and modes come from O(10) x O(10) dense
 * problems of condition <= 1e3 on exact data, and 30 powers of |lambda| <= 1 do not amplify. Both
 * the default (Gram, for these tall data) and the Householder path are checked. Bad arguments
 * give SOLACE_ERR_ARG or SOLACE_ERR_STATE. */
#include <string.h>

#include "test-util.h"

enum { M = 400, STEPS = 30, STARTS = 3 };

typedef void (*map_fn)(const double *x, double *y);

static void linear_map(const double *x, double *y) {
  y[0] = 0.8 * x[0] - 0.4 * x[1] + 0.1 * x[2];
  y[1] = 0.5 * x[0] + 0.7 * x[1];
  y[2] = 0.2 * x[1] - 0.6 * x[2];
}

static void quadratic_map(const double *x, double *y) {
  y[0] = 0.9 * x[0];
  y[1] = 0.5 * x[1] + 0.3 * x[0] * x[0];
}

/* Deterministic points in [-1, 1]^d. */
static void fill_points(int64_t d, int64_t m, double *x, double seed) {
  for (int64_t k = 0; k < d * m; k++) x[k] = sin(seed * (double)(k + 1) + 0.3 * (double)k * k);
}

/* EDMD on M pairs of `map`, predicts STEPS steps from STARTS points, compares with iteration. */
static int check_map(const char *name, map_fn map, int64_t d, int64_t degree, int qr) {
  static double x[3 * M], y[3 * M], x0[3 * STARTS], pred[3 * STARTS * (STEPS + 1)];
  fill_points(d, M, x, 0.71);
  for (int64_t k = 0; k < M; k++) map(x + d * k, y + d * k);
  fill_points(d, STARTS, x0, 1.37);
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_CALL(solace_koopman_set_dictionary(k, SOLACE_KOOPMAN_DICT_MONOMIAL, degree,
                                          SOLACE_KOOPMAN_TOTAL_DEGREE));
  TEST_CALL(solace_koopman_set_qr(k, qr));
  TEST_CALL(solace_koopman_set_data(k, d, M, x, d, M, y, d, NULL));
  TEST_CALL(solace_koopman_compute(k));
  int used;
  TEST_CALL(solace_koopman_get_qr(k, &used));
  TEST_CALL(solace_koopman_predict(k, STARTS, x0, d, STEPS, pred, d));
  double err = 0, scale = 0, state[3], next[3];
  for (int64_t s = 0; s < STARTS; s++) {
    memcpy(state, x0 + d * s, sizeof(double) * d);
    for (int64_t t = 0; t <= STEPS; t++) {
      for (int64_t i = 0; i < d; i++) {
        err = fmax(err, fabs(pred[i + d * (t + (STEPS + 1) * s)] - state[i]));
        scale = fmax(scale, fabs(state[i]));
      }
      map(state, next), memcpy(state, next, sizeof(double) * d);
    }
  }
  printf("%s (path %d): max error of %d-step predictions %.2e (scale %.2f)\n", name, used, STEPS,
         err, scale);
  TEST_ASSERT(err <= 1e-9 * scale, "%s: prediction error %.3e", name, err);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

static int check_errors(void) {
  double x0[2] = {0.1, 0.2}, out[8], x[2 * M], y[2 * M];
  solace_koopman k = NULL;
  TEST_CALL(solace_koopman_create(&k));
  TEST_FAILS_WITH(solace_koopman_predict(k, 1, x0, 2, 3, out, 2), SOLACE_ERR_STATE);
  fill_points(2, M, x, 0.71);
  for (int64_t j = 0; j < M; j++) quadratic_map(x + 2 * j, y + 2 * j);
  TEST_CALL(solace_koopman_set_data(k, 2, M, x, 2, M, y, 2, NULL));
  TEST_CALL(solace_koopman_compute(k));
  TEST_FAILS_WITH(solace_koopman_predict(k, 0, x0, 2, 3, out, 2), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_predict(k, 1, x0, 2, -1, out, 2), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_predict(k, 1, x0, 1, 3, out, 2), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_predict(k, 1, x0, 2, 3, out, 1), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_koopman_predict(k, 1, NULL, 2, 3, out, 2), SOLACE_ERR_ARG);
  x0[1] = NAN;
  TEST_FAILS_WITH(solace_koopman_predict(k, 1, x0, 2, 3, out, 2), SOLACE_ERR_ARG);
  TEST_CALL(solace_koopman_destroy(&k));
  return 0;
}

int main(int argc, char **argv) {
  TEST_CALL(solace_initialize(&argc, &argv));
  for (int qr = 0; qr < 2; qr++) {
    int path = qr ? SOLACE_KOOPMAN_QR_HOUSEHOLDER : SOLACE_KOOPMAN_QR_AUTO;
    if (check_map("linear map, monomials 1", linear_map, 3, 1, path)) return 1;
    if (check_map("quadratic map, monomials 2", quadratic_map, 2, 2, path)) return 1;
  }
  if (check_errors()) return 1;
  TEST_CALL(solace_finalize());
  return test_finish("koopman-predict");
}
