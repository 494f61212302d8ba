/* The KSP path honours PETSc options with the prefix implicit_: -implicit_pc_type jacobi turns a
 * badly scaled diagonal system into a one-iteration CG solve, -implicit_ksp_max_it 1 makes GMRES
 * give up (NOT_CONVERGED), -implicit_ksp_type preonly overrides GMRES (and is rejected). */
#include "implicit-test.h"

#include <petscsys.h>

enum { N = 40 };

/* F = diag(d) x - theta 1, d_i = 10^(4 i / N): CG without a preconditioner needs many
 * iterations, Jacobi solves it exactly in one. */
static int diagonal_map(int64_t n, int64_t p, const double *x, const double *theta, double *out,
                        void *ctx) {
  (void)p, (void)ctx;
  for (int i = 0; i < n; i++) out[i] = pow(10, 4.0 * i / N) * x[i] - theta[0];
  return 0;
}

static int diagonal_dx(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                       double *out, void *ctx) {
  (void)p, (void)ctx, (void)x, (void)theta;
  for (int i = 0; i < n; i++) out[i] = pow(10, 4.0 * i / N) * in[i];
  return 0;
}

static int64_t solve(solace_implicit pb, const char *option, const char *value, int expected) {
  double x[N] = {0}, theta = 1, t = 1, dx[N];
  int64_t its = -1;
  if (option) PetscOptionsSetValue(NULL, option, value);
  int status = solace_implicit_jvp(pb, x, &theta, &t, dx);
  if (option) PetscOptionsClearValue(NULL, option);
  CHECK(status == expected, "%s %s: %s (%s)", option ? option : "defaults", value ? value : "",
        solace_status_string(status), solace_error_message());
  if (status) printf("%-22s %-6s %s\n", option, value, solace_error_message());
  CALL(solace_implicit_get_report(pb, NULL, NULL, &its, NULL));
  if (status) return its;
  double err = 0; /* dx_i = 1 / d_i exactly */
  for (int i = 0; i < N; i++) err = fmax(err, fabs(dx[i] * pow(10, 4.0 * i / N) - 1));
  CHECK(err < 1e-8, "%s: relative error %g", option ? option : "defaults", err);
  printf("%-22s %-6s %lld iterations, max rel error %.1e\n", option ? option : "defaults",
         value ? value : "", (long long)its, err);
  return its;
}

int main(int argc, char **argv) {
  CALL(solace_initialize(&argc, &argv));
  solace_implicit pb = NULL;
  CALL(solace_implicit_create(N, 1, SOLACE_IMPLICIT_ROOT, diagonal_map, NULL, &pb));
  CALL(solace_implicit_set_products(pb, diagonal_dx, diagonal_dx, NULL, NULL));
  CALL(solace_implicit_set_solver(pb, SOLACE_IMPLICIT_CG, 1e-12, 0));
  int64_t plain = solve(pb, NULL, NULL, 0);
  int64_t jacobi = solve(pb, "-implicit_pc_type", "jacobi", 0);
  CHECK(plain > 5 && jacobi == 1, "CG: %lld iterations plain, %lld with Jacobi (expected 1)",
        (long long)plain, (long long)jacobi);
  CALL(solace_implicit_set_solver(pb, SOLACE_IMPLICIT_GMRES, 1e-12, 0));
  solve(pb, "-implicit_ksp_max_it", "1", SOLACE_ERR_NOT_CONVERGED);
  /* preonly with no preconditioner returns the right-hand side: the residual check rejects it,
   * where the GMRES setting alone converges. */
  solve(pb, "-implicit_ksp_type", "preonly", SOLACE_ERR_NOT_CONVERGED);
  solve(pb, NULL, NULL, 0);
  solace_implicit_destroy(&pb);
  return test_finish("implicit-options");
}
