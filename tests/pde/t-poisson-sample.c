/* The Poisson family through the public API: reproducible samples, the input and the output's
 * boundary are the polynomials of params, and the solution satisfies the 5-point equations,
 * checked by a residual recomputed here independently of the PETSc assembly. */
#include "mms-util.h"

#include <string.h>

enum { N = 33, NN = N * N, NP = 42 };
static const double h = 1.0 / (N - 1);

/* sum c_k x^i y^j, k over (i, j) by increasing i + j, then increasing i, evaluated with pow. */
static double poly(const double *c, double x, double y) {
  double sum = 0;
  int k = 0;
  for (int d = 0; d <= 5; d++)
    for (int i = 0; i <= d; i++) sum += c[k++] * pow(x, i) * pow(y, d - i);
  return sum;
}

/* Max |field - poly(c)| over all nodes (boundary_only: the boundary nodes). */
static double poly_error(const double *field, const double *c, int boundary_only) {
  double error = 0;
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++)
      if (!boundary_only || i == 0 || j == 0 || i == N - 1 || j == N - 1)
        error = fmax(error, fabs(field[i + N * j] - poly(c, i * h, j * h)));
  return error;
}

/* ||b - A u|| / ||b|| over the interior, b = f plus the boundary values / h^2, and a bound on
 * the rounding of that recomputation relative to ||b||. */
static void residual(const double *f, const double *u, double *rel, double *rounding) {
  double rr = 0, bb = 0, ss = 0, h2 = h * h;
  for (int j = 1; j < N - 1; j++)
    for (int i = 1; i < N - 1; i++) {
      int k = i + N * j, nb[4] = {k - 1, k + 1, k - N, k + N};
      double b = f[k], au = 4 * u[k] / h2, size = fabs(f[k]) + 4 * fabs(u[k]) / h2;
      for (int s = 0; s < 4; s++) {
        int ni = nb[s] % N, nj = nb[s] / N;
        int boundary = ni == 0 || nj == 0 || ni == N - 1 || nj == N - 1;
        if (boundary)
          b += u[nb[s]] / h2;
        else
          au -= u[nb[s]] / h2;
        size += fabs(u[nb[s]]) / h2;
      }
      rr += (b - au) * (b - au), bb += b * b, ss += size * size;
    }
  *rel = sqrt(rr / bb);
  *rounding = 16 * 2.220446049250313e-16 * sqrt(ss / bb);
}

/* Sampling: parameter count, reproducibility, input = polynomial of params[0..20]. */
static int check_sample(solace_pde pde) {
  static double in1[NN], in2[NN], in3[NN];
  double p1[NP], p2[NP], p3[NP];
  int64_t nparams;
  TEST_CALL(solace_pde_get_nparams(pde, &nparams));
  TEST_ASSERT(nparams == NP, "nparams = %lld", (long long)nparams);
  TEST_CALL(solace_pde_sample(pde, 7, 3, in1, p1));
  TEST_CALL(solace_pde_sample(pde, 7, 4, in3, p3));
  TEST_CALL(solace_pde_sample(pde, 7, 3, in2, p2));
  TEST_ASSERT(!memcmp(in1, in2, sizeof in1) && !memcmp(p1, p2, sizeof p1), "not reproducible");
  TEST_ASSERT(memcmp(p1, p3, sizeof p1) && memcmp(in1, in3, sizeof in1), "samples 3, 4 equal");
  for (int k = 0; k < NP; k++)
    TEST_ASSERT(p1[k] > -1 && p1[k] < 1 && p1[k] != p3[k], "params[%d] = %g", k, p1[k]);
  double error = poly_error(in1, p1, 0);
  printf("input vs polynomial of params[0..20]: %.3e\n", error);
  TEST_ASSERT(error <= 1e-14, "input is not the source polynomial: %.3e", error);
  return 0;
}

/* Solves sample 3; the output's boundary is g, the interior satisfies the equations within
 * `bound` (relative to ||b||) and the reported residual agrees with the one recomputed here. */
static int check_solve(solace_pde pde, double bound, const char *what) {
  static double in[NN], out[NN];
  double p[NP], reported, rel, rounding;
  int64_t its;
  TEST_CALL(solace_pde_sample(pde, 7, 3, in, p));
  TEST_CALL(solace_pde_solve(pde, in, p, out, &its, &reported));
  double error = poly_error(out, p + 21, 1);
  TEST_ASSERT(error <= 1e-14, "output boundary is not g: %.3e", error);
  residual(in, out, &rel, &rounding);
  printf("%s: %lld its, residual %.3e (reported %.3e, rounding bound %.1e, bound %.3e)\n", what,
         (long long)its, rel, reported, rounding, bound);
  TEST_ASSERT(rel <= bound + rounding, "%s: residual %.3e above %.3e", what, rel, bound);
  TEST_ASSERT(fabs(rel - reported) <= 1e-3 * reported + rounding, "%s: %.6e vs reported %.6e", what,
              rel, reported);
  return 0;
}

/* Bad input: a clear SOLACE_ERR_ARG. */
static int check_bad_input(solace_pde pde) {
  static double in[NN], out[NN];
  double p[NP];
  TEST_CALL(solace_pde_sample(pde, 1, 0, in, p));
  TEST_FAILS_WITH(solace_pde_sample(pde, 1, 0, in, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_solve(pde, in, NULL, out, NULL, NULL), SOLACE_ERR_ARG);
  in[37] = NAN;
  TEST_FAILS_WITH(solace_pde_solve(pde, in, p, out, NULL, NULL), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "input[37]"), "%s", solace_error_message());
  in[37] = 0, p[30] = INFINITY;
  TEST_FAILS_WITH(solace_pde_solve(pde, in, p, out, NULL, NULL), SOLACE_ERR_ARG);
  check_fieldless_family(pde, "poisson");
  return 0;
}

int main(void) {
  TEST_CALL(solace_initialize(NULL, NULL));
  solace_pde pde, unpreconditioned;
  TEST_CALL(solace_pde_create("poisson", N, &pde));
  char family[16];
  TEST_CALL(solace_pde_get_family(pde, family, sizeof family));
  TEST_ASSERT(!strcmp(family, "poisson"), "family %s", family);
  if (check_sample(pde) || check_bad_input(pde)) return 1;
  /* Default CG + ICC stops on the preconditioned residual: ||r|| <= rtol cond(M) ||b||; the
   * check takes cond(A) = cot^2(pi h / 2) as the stand-in for the ICC preconditioner's cond(M). */
  double cond = pow(1.0 / tan(3.14159265358979323846 * h / 2), 2);
  if (check_solve(pde, 1e-8 * cond, "cg+icc (preconditioned norm)")) return 1;
  /* With the unpreconditioned norm the stopping test is ||r|| <= rtol ||b|| itself. */
  TEST_CALL(solace_options_insert("-ksp_norm_type unpreconditioned"));
  TEST_CALL(solace_pde_create("poisson", N, &unpreconditioned));
  if (check_solve(unpreconditioned, 1e-8, "cg+icc (unpreconditioned norm)")) return 1;
  TEST_CALL(solace_pde_destroy(&unpreconditioned));
  TEST_CALL(solace_pde_destroy(&pde));
  TEST_CALL(solace_finalize());
  return test_finish("pde-poisson-sample");
}
