/* Poisson discretization against manufactured solutions. u = exp(x) sin(2y) + x^2 y with
 * f = -Laplacian u = 3 exp(x) sin(2y) - 2y and g = u on the boundary: the max-norm error must fall
 * at second order (each grid solved by PETSc's direct LU). u = 2x^2 + xy - y^2 + 3 (f = -2), whose
 * 5-point Laplacian is exact, must be reproduced to rounding through the public solve with its
 * boundary coefficients in params. Reference: the analytic solutions. */
#include "operators/pde/pde-impl.h"
#include "mms-util.h"
#include "test-util.h"

static double exact_u(double x, double y) {
  return exp(x) * sin(2 * y) + x * x * y;
}

/* f = -(u_xx + u_yy) = -(e^x sin 2y + 2y - 4 e^x sin 2y) */
static double source(double x, double y) {
  return 3 * exp(x) * sin(2 * y) - 2 * y;
}

/* Solves on an n x n node grid and returns the max-norm error at the nodes. */
static int max_error(int64_t n, double *error) {
  solace_pde pde;
  double *f = malloc(sizeof(double) * n * n), *g = malloc(sizeof(double) * n * n);
  double *u = malloc(sizeof(double) * n * n);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++) {
      double x = (double)i / (n - 1), y = (double)j / (n - 1);
      f[i + n * j] = source(x, y);
      g[i + n * j] = u[i + n * j] = exact_u(x, y);
    }
  TEST_CALL(solace_pde_create("poisson", n, &pde));
  TEST_CALL(solace_poisson_assemble(pde, f, g));
  TEST_ASSERT(KSPSolve(pde->ksp, pde->b, pde->x) == 0, "LU solve failed");
  TEST_CALL(solace_pde_gather_solution(pde, u)); /* interior only: boundary keeps g */
  *error = 0;
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++)
      *error = fmax(*error, fabs(u[i + n * j] - exact_u((double)i / (n - 1), (double)j / (n - 1))));
  solace_pde_destroy(&pde);
  free(f), free(g), free(u);
  return 0;
}

/* The quadratic u = 2x^2 + xy - y^2 + 3 through solace_pde_solve: f = -2 as input, g's
 * coefficients (order (0,0), (0,1), (1,0), (0,2), (1,1), (2,0), ...) in params[21..41]. */
static int quadratic(int64_t n) {
  solace_pde pde;
  double *f = malloc(sizeof(double) * n * n), *u = malloc(sizeof(double) * n * n);
  double params[42] = {0};
  double *g = params + 21;
  g[0] = 3, g[3] = -1, g[4] = 1, g[5] = 2; /* 3 - y^2 + xy + 2x^2 */
  for (int64_t k = 0; k < n * n; k++) f[k] = -2.0;
  TEST_CALL(solace_pde_create("poisson", n, &pde));
  TEST_CALL(solace_pde_solve(pde, f, params, u, NULL, NULL));
  double error = 0;
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++) {
      double x = (double)i / (n - 1), y = (double)j / (n - 1);
      error = fmax(error, fabs(u[i + n * j] - (2 * x * x + x * y - y * y + 3)));
    }
  printf("quadratic n = %lld: max error %.3e\n", (long long)n, error);
  TEST_ASSERT(error <= 1e-10, "quadratic not reproduced: max error %.3e", error);
  solace_pde_destroy(&pde);
  free(f), free(u);
  return 0;
}

int main(void) {
  TEST_CALL(solace_initialize(NULL, NULL));
  if (mms_check_second_order(max_error)) return 1;
  if (quadratic(17) || quadratic(64)) return 1;
  TEST_CALL(solace_finalize());
  return test_finish("pde-poisson-mms");
}
