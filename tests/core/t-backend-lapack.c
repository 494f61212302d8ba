/* solace_error_lapack maps real LAPACKE results: info > 0 (a singular matrix) is
 * SOLACE_ERR_BACKEND naming the routine and the index, info < 0 (an illegal argument) is
 * SOLACE_ERR_ARG naming the argument. */
#include <lapacke.h>
#include <string.h>

#include "solace-impl.h"
#include "test-util.h"

/* Solves with a 3x3 matrix (column-major) whose second column is zero: LU meets an exactly zero
 * pivot in column 2, so dgesv returns info = 2. */
static int solve_singular(int *info) {
  double a[9] = {1, 3, 5, 0, 0, 0, 2, 4, 7}, b[3] = {1, 1, 1};
  lapack_int ipiv[3];
  *info = LAPACKE_dgesv(LAPACK_COL_MAJOR, 3, 1, a, 3, ipiv, b, 3);
  return *info ? solace_error_lapack(*info, "LAPACKE_dgesv", __func__) : SOLACE_SUCCESS;
}

/* Passes an invalid matrix layout: LAPACKE returns info = -1 (it prints a one-line notice). */
static int solve_bad_layout(int *info) {
  double a[1] = {1}, b[1] = {1};
  lapack_int ipiv[1];
  *info = LAPACKE_dgesv(12345, 1, 1, a, 1, ipiv, b, 1);
  return *info ? solace_error_lapack(*info, "LAPACKE_dgesv", __func__) : SOLACE_SUCCESS;
}

int main(void) {
  int info = 0, status = solve_singular(&info);
  const char *m = solace_error_message();
  TEST_ASSERT(info == 2, "dgesv info = %d, expected 2", info);
  TEST_ASSERT(status == SOLACE_ERR_BACKEND, "singular: got %s", solace_status_string(status));
  TEST_ASSERT(strstr(m, "solve_singular") && strstr(m, "LAPACKE_dgesv") && strstr(m, "2"),
              "message \"%s\"", m);

  status = solve_bad_layout(&info);
  TEST_ASSERT(info == -1, "dgesv info = %d, expected -1", info);
  TEST_ASSERT(status == SOLACE_ERR_ARG, "bad layout: got %s", solace_status_string(status));
  TEST_ASSERT(strstr(m, "solve_bad_layout") && strstr(m, "LAPACKE_dgesv") &&
                  strstr(m, "argument 1"),
              "message \"%s\"", m);
  return test_finish("core-backend-lapack");
}
