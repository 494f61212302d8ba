/* The heat family through the public API: reproducible samples, the input is the slot mask
 * (recomputed here from |x - 0.5| <= 0.1, 0.3 <= y <= 0.7), the output is 0 at the slot nodes
 * and equals the params' degree-3 polynomial on the boundary, and the interior satisfies the
 * 5-point equations with the slot faces omitted, checked by a residual recomputed here. Bad input
 * (non-finite params, a wrong mask) is SOLACE_ERR_ARG. */
#include "mms-util.h"

#include <string.h>

enum { N = 33, NN = N * N, NP = 10 };
static const double h = 1.0 / (N - 1);

static int in_slot(int i, int j) {
  double x = i * h, y = j * h;
  return fabs(x - 0.5) <= 0.1 + 1e-9 && y >= 0.3 - 1e-9 && y <= 0.7 + 1e-9;
}

/* sum c_k x^i y^j over i + j <= 3, k by increasing i + j, then increasing i, with pow. */
static double poly(const double *c, double x, double y) {
  double sum = 0;
  int k = 0;
  for (int d = 0; d <= 3; d++)
    for (int i = 0; i <= d; i++) sum += c[k++] * pow(x, i) * pow(y, d - i);
  return sum;
}

/* ||b - A u|| / ||b|| over the interior nodes (slot rows: identity, b = 0), and a rounding bound.
 */
static void residual(const double *u, double *rel, double *rounding) {
  double rr = 0, bb = 0, ss = 0, h2 = h * h;
  for (int j = 1; j < N - 1; j++)
    for (int i = 1; i < N - 1; i++) {
      int k = i + N * j;
      double b = 0, au = 0, size = 0;
      if (in_slot(i, j)) {
        au = u[k], size = fabs(u[k]);
      } else {
        const int di[4] = {-1, 1, 0, 0}, dj[4] = {0, 0, -1, 1};
        for (int s = 0; s < 4; s++) {
          int ni = i + di[s], nj = j + dj[s], nk = ni + N * nj;
          if (in_slot(ni, nj)) continue;
          au += u[k] / h2;
          if (ni == 0 || nj == 0 || ni == N - 1 || nj == N - 1)
            b += u[nk] / h2;
          else
            au -= u[nk] / h2;
          size += (fabs(u[k]) + fabs(u[nk])) / h2;
        }
      }
      rr += (b - au) * (b - au), bb += b * b, ss += size * size;
    }
  *rel = sqrt(rr / bb);
  *rounding = 16 * 2.220446049250313e-16 * sqrt(ss / bb);
}

static int check_sample(solace_pde pde) {
  static double in1[NN], in2[NN], in3[NN];
  double p1[NP], p2[NP], p3[NP], slot;
  int64_t nparams;
  TEST_CALL(solace_pde_get_nparams(pde, &nparams));
  TEST_ASSERT(nparams == NP, "nparams = %lld", (long long)nparams);
  TEST_CALL(solace_pde_get_real(pde, "slot", &slot));
  TEST_ASSERT(slot == 1.0, "default slot %g", slot);
  TEST_CALL(solace_pde_sample(pde, 7, 3, in1, p1));
  TEST_CALL(solace_pde_sample(pde, 7, 4, in3, p3));
  TEST_CALL(solace_pde_sample(pde, 7, 3, in2, p2));
  TEST_ASSERT(!memcmp(in1, in2, sizeof in1) && !memcmp(p1, p2, sizeof p1), "not reproducible");
  TEST_ASSERT(memcmp(p1, p3, sizeof p1), "samples 3, 4 equal");
  for (int k = 0; k < NP; k++)
    TEST_ASSERT(p1[k] > -1 && p1[k] < 1 && p1[k] != p3[k], "params[%d] = %g", k, p1[k]);
  int nslot = 0;
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++) {
      nslot += in_slot(i, j);
      TEST_ASSERT(in1[i + N * j] == (in_slot(i, j) ? 0.0 : 1.0), "mask at (%d, %d) = %g", i, j,
                  in1[i + N * j]);
    }
  printf("slot nodes on n = %d: %d\n", N, nslot);
  TEST_ASSERT(nslot == 7 * 13, "slot has %d nodes, expected 7 x 13", nslot);
  return 0;
}

static int check_solve(solace_pde pde, double bound, const char *what) {
  static double in[NN], out[NN], again[NN];
  double p[NP], reported, rel, rounding, error = 0;
  int64_t its;
  TEST_CALL(solace_pde_sample(pde, 7, 3, in, p));
  TEST_CALL(solace_pde_solve(pde, in, p, out, &its, &reported));
  TEST_CALL(solace_pde_solve(pde, in, p, again, NULL, NULL));
  TEST_ASSERT(!memcmp(out, again, sizeof out), "%s: solve not reproducible", what);
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++) {
      if (i == 0 || j == 0 || i == N - 1 || j == N - 1)
        error = fmax(error, fabs(out[i + N * j] - poly(p, i * h, j * h)));
      if (in_slot(i, j)) TEST_ASSERT(out[i + N * j] == 0.0, "slot (%d, %d) = %g", i, j, out[i]);
    }
  TEST_ASSERT(error <= 1e-14, "output boundary is not g: %.3e", error);
  residual(out, &rel, &rounding);
  printf("%s: %lld its, residual %.3e (reported %.3e, rounding %.1e, bound %.3e), boundary "
         "error %.1e\n",
         what, (long long)its, rel, reported, rounding, bound, error);
  TEST_ASSERT(rel <= bound + rounding, "%s: residual %.3e above %.3e", what, rel, bound);
  TEST_ASSERT(fabs(rel - reported) <= 1e-3 * reported + rounding, "%s: %.6e vs reported %.6e", what,
              rel, reported);
  return 0;
}

static int check_bad_input(solace_pde pde) {
  static double in[NN], out[NN];
  double p[NP];
  TEST_CALL(solace_pde_sample(pde, 1, 0, in, p));
  TEST_FAILS_WITH(solace_pde_solve(pde, in, NULL, out, NULL, NULL), SOLACE_ERR_ARG);
  p[4] = NAN;
  TEST_FAILS_WITH(solace_pde_solve(pde, in, p, out, NULL, NULL), SOLACE_ERR_ARG);
  TEST_ASSERT(strstr(solace_error_message(), "params[4]"), "%s", solace_error_message());
  p[4] = 0.5;
  int slot = (N / 2) + N * (N / 2);
  in[slot] = 1.0; /* a slot node marked as domain */
  TEST_FAILS_WITH(solace_pde_solve(pde, in, p, out, NULL, NULL), SOLACE_ERR_ARG);
  in[slot] = 0.0, in[0] = NAN;
  TEST_FAILS_WITH(solace_pde_solve(pde, in, p, out, NULL, NULL), SOLACE_ERR_ARG);
  in[0] = 1.0;
  TEST_CALL(solace_pde_solve(pde, in, p, out, NULL, NULL));
  check_fieldless_family(pde, "heat");
  return 0;
}

int main(void) {
  TEST_CALL(solace_initialize(NULL, NULL));
  solace_pde pde, unpreconditioned;
  TEST_CALL(solace_pde_create("heat", N, &pde));
  char family[16], ksp[32], pc[32];
  double rtol;
  TEST_CALL(solace_pde_get_family(pde, family, sizeof family));
  TEST_ASSERT(!strcmp(family, "heat"), "family %s", family);
  TEST_CALL(solace_pde_get_solver(pde, ksp, pc, sizeof ksp, &rtol));
  TEST_ASSERT(!strcmp(ksp, "cg") && !strcmp(pc, "icc"), "solver %s + %s", ksp, pc);
  if (check_sample(pde) || check_bad_input(pde)) return 1;
  /* CG + ICC stops on the preconditioned residual; cot^2(pi h / 2) stands in for cond(M) as in
   * the poisson test (the slot rows are identity rows, scale 1 against 4/h^2). */
  double cond = pow(1.0 / tan(3.14159265358979323846 * h / 2), 2);
  if (check_solve(pde, 1e-8 * cond, "cg+icc (preconditioned norm)")) return 1;
  TEST_CALL(solace_options_insert("-ksp_norm_type unpreconditioned"));
  TEST_CALL(solace_pde_create("heat", N, &unpreconditioned));
  if (check_solve(unpreconditioned, 1e-8, "cg+icc (unpreconditioned norm)")) return 1;
  TEST_CALL(solace_pde_destroy(&unpreconditioned));
  TEST_CALL(solace_pde_destroy(&pde));
  TEST_CALL(solace_finalize());
  return test_finish("pde-heat-sample");
}
