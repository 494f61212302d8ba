/* Helmholtz discretization against a manufactured solution: the max-norm error must fall at
 * second order. u = sin(pi x) sin(pi y) (1 + x y) (zero on the boundary), a = exp(sin(2 pi x)
 * cos(pi y) / 2), k = 5 (k^2 = 25 is of the size of the smallest eigenvalue of -div(a grad),
 * about 2 pi^2 times a typical a, so the shift matters and may make the system indefinite), f =
 * -div(a grad u) - k^2 u evaluated analytically. The family's own assembly (darcy matrix minus k^2
 * I) is used with this f on the right-hand side; each grid is solved by PETSc's direct LU so that
 * only the discretization error remains. Reference: the analytic solution. */
#include "operators/pde/pde-impl.h"
#include "mms-util.h"
#include "test-util.h"

static const double pi = 3.14159265358979323846;
static const double K = 5.0;

static double exact_u(double x, double y) {
  return sin(pi * x) * sin(pi * y) * (1 + x * y);
}

/* f = -(a_x u_x + a_y u_y + a (u_xx + u_yy)) - k^2 u */
static double source(double x, double y) {
  double ax, ay, a = mms_coefficient(x, y, &ax, &ay);
  double s = sin(pi * x) * sin(pi * y), w = 1 + x * y;
  double cs = cos(pi * x) * sin(pi * y), sc = sin(pi * x) * cos(pi * y);
  double ux = pi * cs * w + s * y, uy = pi * sc * w + s * x;
  double uxx = -pi * pi * s * w + 2 * pi * cs * y, uyy = -pi * pi * s * w + 2 * pi * sc * x;
  return -(ax * ux + ay * uy + a * (uxx + uyy)) - K * K * s * w;
}

/* Solves on an n x n node grid and returns the max-norm error at the nodes. */
static int max_error(int64_t n, double *error) {
  solace_pde pde;
  double *a = malloc(sizeof(double) * n * n), *f = malloc(sizeof(double) * n * n);
  double *u = malloc(sizeof(double) * n * n), params[1] = {K};
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++) {
      double x = (double)i / (n - 1), y = (double)j / (n - 1);
      a[i + n * j] = mms_coefficient(x, y, NULL, NULL);
      f[i + n * j] = source(x, y);
    }
  TEST_CALL(solace_pde_create("helmholtz", n, &pde));
  TEST_CALL(pde->ops->check_input(pde, a, params));
  TEST_CALL(pde->ops->assemble(pde, a, params)); /* the family's matrix (f = 1 right-hand side) */
  TEST_CALL(solace_darcy_assemble_rhs(pde->da, n, a, f, NULL, pde->b)); /* replaced by this f */
  TEST_ASSERT(KSPSolve(pde->ksp, pde->b, pde->x) == 0, "LU solve failed");
  TEST_CALL(solace_pde_gather_solution(pde, u));
  TEST_CALL(pde->ops->boundary(pde, a, params, u));
  *error = 0;
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++)
      *error = fmax(*error, fabs(u[i + n * j] - exact_u((double)i / (n - 1), (double)j / (n - 1))));
  PetscBool symmetric = PETSC_FALSE, spd_set = PETSC_TRUE, spd = PETSC_TRUE;
  MatIsSymmetric(pde->A, 0.0, &symmetric);
  TEST_ASSERT(symmetric, "the n = %lld operator is not exactly symmetric", (long long)n);
  TEST_ASSERT(MatIsSPDKnown(pde->A, &spd_set, &spd) == 0, "MatIsSPDKnown failed");
  TEST_ASSERT(!(spd_set && spd), "the n = %lld operator is flagged SPD", (long long)n);
  solace_pde_destroy(&pde);
  free(a), free(f), free(u);
  return 0;
}

int main(void) {
  TEST_CALL(solace_initialize(NULL, NULL));
  if (mms_check_second_order(max_error)) return 1;
  TEST_CALL(solace_finalize());
  return test_finish("pde-helmholtz-mms");
}
