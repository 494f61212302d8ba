/* Darcy discretization against a manufactured solution: the max-norm error must fall at second
 * order. u = sin(pi x) sin(pi y) + x y (non-zero Dirichlet data), a = exp(sin(2 pi x) cos(pi y) /
 * 2), f = -div(a grad u) evaluated analytically; each grid is solved by PETSc's direct LU so that
 * only the discretization error remains. Reference: the analytic solution. */
#include "operators/pde/pde-impl.h"
#include "mms-util.h"
#include "test-util.h"

static const double pi = 3.14159265358979323846;

static double exact_u(double x, double y) {
  return sin(pi * x) * sin(pi * y) + x * y;
}

/* f = -(a_x u_x + a_y u_y + a (u_xx + u_yy)) */
static double source(double x, double y) {
  double ax, ay, a = mms_coefficient(x, y, &ax, &ay);
  double ux = pi * cos(pi * x) * sin(pi * y) + y, uy = pi * sin(pi * x) * cos(pi * y) + x;
  double lap = -2 * pi * pi * sin(pi * x) * sin(pi * y);
  return -(ax * ux + ay * uy + a * lap);
}

/* Solves on an n x n node grid and returns the max-norm error at the nodes. */
static int max_error(int64_t n, double *error) {
  solace_pde pde;
  double *a = malloc(sizeof(double) * n * n), *f = malloc(sizeof(double) * n * n);
  double *g = malloc(sizeof(double) * n * n), *u = malloc(sizeof(double) * n * n);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++) {
      double x = (double)i / (n - 1), y = (double)j / (n - 1);
      a[i + n * j] = mms_coefficient(x, y, NULL, NULL);
      f[i + n * j] = source(x, y);
      g[i + n * j] = u[i + n * j] = exact_u(x, y);
    }
  TEST_CALL(solace_pde_create("darcy", n, &pde));
  TEST_CALL(solace_darcy_assemble_matrix(pde->da, n, a, pde->A));
  TEST_CALL(solace_darcy_assemble_rhs(pde->da, n, a, f, g, pde->b));
  TEST_ASSERT(KSPSolve(pde->ksp, pde->b, pde->x) == 0, "LU solve failed");
  TEST_CALL(solace_pde_gather_solution(pde, u)); /* interior only: boundary keeps g */
  *error = 0;
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++)
      *error = fmax(*error, fabs(u[i + n * j] - exact_u((double)i / (n - 1), (double)j / (n - 1))));
  PetscBool symmetric = PETSC_FALSE;
  MatIsSymmetric(pde->A, 0.0, &symmetric);
  TEST_ASSERT(symmetric, "the n = %lld operator is not exactly symmetric", (long long)n);
  solace_pde_destroy(&pde);
  free(a), free(f), free(g), free(u);
  return 0;
}

int main(void) {
  TEST_CALL(solace_initialize(NULL, NULL));
  if (mms_check_second_order(max_error)) return 1;
  TEST_CALL(solace_finalize());
  return test_finish("pde-darcy-mms");
}
