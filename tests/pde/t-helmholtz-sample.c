/* The Helmholtz family through the public API: one param k in [0, kmax], reproducible and scaled
 * by kmax, the coefficient drawn exactly as darcy draws it, the default solver GMRES + ILU (darcy
 * keeps CG + ICC), and solutions that satisfy the discrete equations -div(a grad u) - k^2 u = 1,
 * checked by a residual recomputed here independently of the PETSc assembly, including an
 * indefinite sample (kmax = 40 on n = 33; indefiniteness shown by Rayleigh quotients). */
#include "test-util.h"

#include <string.h>

enum { N = 33, NN = N * N };
static const double pi = 3.14159265358979323846;

/* out = (A u) at the interior nodes (zero elsewhere), A the harmonic-mean 5-point operator of a
 * minus k^2, u zero on the boundary. */
static void apply(const double *a, double k, const double *u, double *out) {
  double h2 = 1.0 / ((N - 1.0) * (N - 1.0));
  memset(out, 0, sizeof(double) * NN);
  for (int j = 1; j < N - 1; j++)
    for (int i = 1; i < N - 1; i++) {
      int c = i + N * j, nb[4] = {c - 1, c + 1, c - N, c + N};
      double value = -k * k * u[c];
      for (int s = 0; s < 4; s++) {
        double face = 2 * a[c] * a[nb[s]] / (a[c] + a[nb[s]]) / h2;
        value += face * (u[c] - u[nb[s]]); /* boundary u[nb] = 0 */
      }
      out[c] = value;
    }
}

/* Rayleigh quotient v^T A v / v^T v of the grid mode sin(p pi x) sin(p pi y). */
static double rayleigh(const double *a, double k, int p) {
  static double v[NN], av[NN];
  double num = 0, den = 0;
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++)
      v[i + N * j] = sin(p * pi * i / (N - 1.0)) * sin(p * pi * j / (N - 1.0));
  apply(a, k, v, av);
  for (int c = 0; c < NN; c++) num += v[c] * av[c], den += v[c] * v[c];
  return num / den;
}

/* ||1 - A u|| / ||1|| over the interior, and a bound on the rounding of that recomputation. */
static void residual(const double *a, double k, const double *u, double *rel, double *rounding) {
  static double au[NN];
  double rr = 0, ss = 0, h2 = 1.0 / ((N - 1.0) * (N - 1.0)), amax = 0;
  apply(a, k, u, au);
  for (int c = 0; c < NN; c++) amax = fmax(amax, a[c]);
  for (int j = 1; j < N - 1; j++)
    for (int i = 1; i < N - 1; i++) {
      int c = i + N * j;
      double size = 1 + (8 * amax / h2 + k * k) * fabs(u[c]);
      rr += (1 - au[c]) * (1 - au[c]), ss += size * size;
    }
  double bb = (N - 2.0) * (N - 2.0);
  *rel = sqrt(rr / bb);
  *rounding = 16 * 2.220446049250313e-16 * sqrt(ss / bb);
}

/* Default solvers: GMRES + ILU for helmholtz, CG + ICC still for darcy. */
static int check_defaults(solace_pde helm, solace_pde darcy) {
  char ksp[32], pc[32];
  double rtol;
  TEST_CALL(solace_pde_get_solver(helm, ksp, pc, sizeof ksp, &rtol));
  printf("helmholtz default solver %s + %s, rtol %g\n", ksp, pc, rtol);
  TEST_ASSERT(!strcmp(ksp, "gmres") && !strcmp(pc, "ilu"), "helmholtz: %s + %s", ksp, pc);
  TEST_NEAR(rtol, 1e-8, 0);
  TEST_CALL(solace_pde_get_solver(darcy, ksp, pc, sizeof ksp, &rtol));
  TEST_ASSERT(!strcmp(ksp, "cg") && !strcmp(pc, "icc"), "darcy: %s + %s", ksp, pc);
  return 0;
}

/* Sampling: nparams, reproducibility, k in [0, kmax], kmax scales k, a as darcy draws it. */
static int check_sample(solace_pde pde, solace_pde darcy) {
  static double in1[NN], in2[NN], in3[NN], ind[NN], in40[NN];
  double p1, p2, p3, p40, kmax;
  int64_t nparams;
  TEST_CALL(solace_pde_get_nparams(pde, &nparams));
  TEST_ASSERT(nparams == 1, "nparams = %lld", (long long)nparams);
  TEST_CALL(solace_pde_get_real(pde, "kmax", &kmax));
  TEST_NEAR(kmax, 1.0, 0);
  TEST_CALL(solace_pde_sample(pde, 7, 3, in1, &p1));
  TEST_CALL(solace_pde_sample(pde, 7, 4, in3, &p3));
  TEST_CALL(solace_pde_sample(pde, 7, 3, in2, &p2));
  TEST_ASSERT(!memcmp(in1, in2, sizeof in1) && p1 == p2, "not reproducible");
  TEST_ASSERT(p1 != p3 && memcmp(in1, in3, sizeof in1), "samples 3, 4 equal");
  TEST_CALL(solace_pde_sample(darcy, 7, 3, ind, NULL));
  TEST_ASSERT(!memcmp(in1, ind, sizeof in1), "coefficient differs from darcy's sample");
  for (int64_t s = 0; s < 20; s++) {
    double k;
    TEST_CALL(solace_pde_sample(pde, 11, s, in2, &k));
    TEST_ASSERT(k >= 0 && k <= 1, "sample %lld: k = %g not in [0, 1]", (long long)s, k);
  }
  TEST_CALL(solace_pde_set_real(pde, "kmax", 40.0));
  TEST_CALL(solace_pde_sample(pde, 7, 3, in40, &p40));
  printf("sample 3: k = %.6f (kmax 1), %.6f (kmax 40)\n", p1, p40);
  TEST_ASSERT(p40 == 40 * p1, "kmax 40 gives k = %.17g, 40 * %.17g expected", p40, p1);
  TEST_ASSERT(!memcmp(in1, in40, sizeof in1), "kmax changed the coefficient");
  TEST_CALL(solace_pde_set_real(pde, "kmax", 1.0));
  return 0;
}

/* Solves sample `index`; the interior satisfies the equations within `bound` (relative to ||b||),
 * the boundary is zero, and the reported residual agrees with the one recomputed here. */
static int check_solve(solace_pde pde, int64_t index, double bound, const char *what) {
  static double in[NN], out[NN];
  double k, reported, rel, rounding;
  int64_t its;
  TEST_CALL(solace_pde_sample(pde, 7, index, in, &k));
  TEST_CALL(solace_pde_solve(pde, in, &k, out, &its, &reported));
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++)
      if (i == 0 || j == 0 || i == N - 1 || j == N - 1)
        TEST_ASSERT(out[i + N * j] == 0, "boundary (%d, %d) = %g", i, j, out[i + N * j]);
  residual(in, k, out, &rel, &rounding);
  printf("%s: sample %lld, k = %.4f, Rayleigh quotients %.3g (mode 1), %.3g (mode %d): %lld its, "
         "residual %.3e (reported %.3e, rounding bound %.1e, bound %.1e)\n",
         what, (long long)index, k, rayleigh(in, k, 1), rayleigh(in, k, N - 2), N - 2,
         (long long)its, rel, reported, rounding, bound);
  TEST_ASSERT(rel <= bound + rounding, "%s: residual %.3e above %.3e", what, rel, bound);
  TEST_ASSERT(fabs(rel - reported) <= 1e-3 * reported + rounding, "%s: %.6e vs reported %.6e", what,
              rel, reported);
  return 0;
}

/* The first sample index under seed 7 whose k^2 lies above the smallest eigenvalue: the mode-1
 * Rayleigh quotient is negative (and the highest mode's positive), so A is indefinite. */
static int indefinite_index(solace_pde pde, int64_t *index) {
  static double in[NN];
  double k;
  for (int64_t s = 0; s < 50; s++) {
    TEST_CALL(solace_pde_sample(pde, 7, s, in, &k));
    if (rayleigh(in, k, 1) < 0 && rayleigh(in, k, N - 2) > 0) {
      *index = s;
      return 0;
    }
  }
  TEST_ASSERT(0, "no indefinite sample among 50 with kmax 40");
  return 1;
}

/* Bad input: a clear SOLACE_ERR_ARG. */
static int check_bad_input(solace_pde pde) {
  static double in[NN], out[NN];
  double k;
  TEST_CALL(solace_pde_sample(pde, 1, 0, in, &k));
  TEST_FAILS_WITH(solace_pde_sample(pde, 1, 0, in, NULL), SOLACE_ERR_ARG);
  TEST_FAILS_WITH(solace_pde_solve(pde, in, NULL, out, NULL, NULL), SOLACE_ERR_ARG);
  double bad[3] = {NAN, INFINITY, -1.0};
  for (int b = 0; b < 3; b++) {
    TEST_FAILS_WITH(solace_pde_solve(pde, in, &bad[b], out, NULL, NULL), SOLACE_ERR_ARG);
    TEST_ASSERT(strstr(solace_error_message(), "params[0]"), "%s", solace_error_message());
  }
  double saved = in[40];
  in[40] = 0;
  TEST_FAILS_WITH(solace_pde_solve(pde, in, &k, out, NULL, NULL), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "input[40]"), "%s", solace_error_message());
  in[40] = NAN;
  TEST_FAILS_WITH(solace_pde_solve(pde, in, &k, out, NULL, NULL), SOLACE_ERR_ARG);
  in[40] = saved;
  TEST_CALL(solace_pde_solve(pde, in, &k, out, NULL, NULL));
  TEST_CALL(solace_pde_set_real(pde, "kmax", -1.0));
  TEST_FAILS_WITH(solace_pde_sample(pde, 1, 0, in, &k), SOLACE_ERR_ARG);
  TEST_CALL(solace_pde_set_real(pde, "kmax", 1.0));
  return 0;
}

/* Strongly indefinite (k = 40 on sample 1's coefficient): GMRES(40) + right ILU does not reach
 * rtol within 10000 iterations or breaks down; the documented behaviour is a clean
 * SOLACE_ERR_NOT_CONVERGED whose reported residual is the true one, above rtol. */
static int check_not_converged(solace_pde pde) {
  static double in[NN], out[NN];
  double k, reported, rel, rounding;
  int64_t its = -1;
  TEST_CALL(solace_pde_sample(pde, 7, 1, in, &k));
  k = 40;
  TEST_FAILS_WITH(solace_pde_solve(pde, in, &k, out, &its, &reported), SOLACE_ERR_NOT_CONVERGED);
  residual(in, k, out, &rel, &rounding);
  printf("k = 40: not converged after %lld its, residual %.3e (reported %.3e): %s\n",
         (long long)its, rel, reported, solace_error_message());
  TEST_ASSERT(rel > 1e-8 && fabs(rel - reported) <= 1e-3 * reported + rounding,
              "residual %.3e, reported %.3e", rel, reported);
  return 0;
}

int main(void) {
  TEST_CALL(solace_initialize(NULL, NULL));
  solace_pde pde, darcy;
  TEST_CALL(solace_pde_create("helmholtz", N, &pde));
  TEST_CALL(solace_pde_create("darcy", N, &darcy));
  char family[16];
  TEST_CALL(solace_pde_get_family(pde, family, sizeof family));
  TEST_ASSERT(!strcmp(family, "helmholtz"), "family %s", family);
  if (check_defaults(pde, darcy) || check_sample(pde, darcy) || check_bad_input(pde)) return 1;
  /* Default GMRES + right ILU tests the true residual: ||r|| <= rtol ||b||, rtol 1e-8. */
  if (check_solve(pde, 3, 1e-8, "gmres+ilu, kmax 1")) return 1;
  /* Indefinite: kmax 40 on n = 33, the first sample with a negative Rayleigh quotient; GMRES(40) +
   * ILU converges there (documented behaviour for moderate k). */
  int64_t index = 0;
  TEST_CALL(solace_pde_set_real(pde, "kmax", 40.0));
  if (indefinite_index(pde, &index)) return 1;
  if (check_solve(pde, index, 1e-8, "gmres+ilu, kmax 40 (indefinite)")) return 1;
  if (check_not_converged(pde)) return 1;
  TEST_CALL(solace_pde_destroy(&darcy));
  TEST_CALL(solace_pde_destroy(&pde));
  TEST_CALL(solace_finalize());
  return test_finish("pde-helmholtz-sample");
}
