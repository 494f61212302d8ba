/* Heat family discretization checks through the public solve (CG + ICC, -ksp_rtol 1e-13 with the
 * unpreconditioned norm). (a) Without the slot (option "slot" = 0) a linear temperature
 * u = c0 + c1 x + c2 y, whose 5-point Laplacian is exact, is reproduced to 1e-10. (b) With the
 * slot and g = x on all walls, the discrete solution: is 0 at the slot nodes; obeys the maximum
 * principle 0 <= u <= 1 (to 1e-12); balances the 5-point fluxes at every domain node with the
 * slot faces omitted (max |sum (u_nb - u)| <= 1e-9); has zero net flux out of a box two nodes
 * around the slot (face fluxes summed here, |net| <= 1e-9); conserves heat over the walls
 * (|F_left + F_right + F_bottom + F_top| <= 1e-8 |F_left|); and differs from x (the slot matters,
 * max |u - x| > 1e-3). Slot rule recomputed here: |x - 0.5| <= 0.1, 0.3 <= y <= 0.7 (with a 1e-9
 * margin in floating point). */
#include "test-util.h"

#include <string.h>

static int in_slot(int64_t n, int64_t i, int64_t j) {
  double x = (double)i / (n - 1), y = (double)j / (n - 1);
  return fabs(x - 0.5) <= 0.1 + 1e-9 && y >= 0.3 - 1e-9 && y <= 0.7 + 1e-9;
}

/* (a) u = c0 + c1 x + c2 y with the slot off. */
static int linear(int64_t n) {
  solace_pde pde;
  double *in = malloc(sizeof(double) * n * n), *u = malloc(sizeof(double) * n * n);
  double p[10] = {0};
  p[0] = 0.3, p[1] = -0.7, p[2] = 1.1; /* 0.3 - 0.7 y + 1.1 x */
  TEST_CALL(solace_pde_create("heat", n, &pde));
  TEST_CALL(solace_pde_set_real(pde, "slot", 0.0));
  for (int64_t k = 0; k < n * n; k++) in[k] = 1.0;
  TEST_CALL(solace_pde_solve(pde, in, p, u, NULL, NULL));
  double error = 0;
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++) {
      double x = (double)i / (n - 1), y = (double)j / (n - 1);
      error = fmax(error, fabs(u[i + n * j] - (0.3 - 0.7 * y + 1.1 * x)));
    }
  printf("linear, no slot, n = %lld: max error %.3e\n", (long long)n, error);
  TEST_ASSERT(error <= 1e-10, "linear not reproduced: max error %.3e", error);
  solace_pde_destroy(&pde);
  free(in), free(u);
  return 0;
}

/* (b) g = x with the slot. */
static int slotted(int64_t n) {
  solace_pde pde;
  double *in = malloc(sizeof(double) * n * n), *u = malloc(sizeof(double) * n * n);
  double p[10] = {0};
  p[2] = 1.0; /* g = x */
  TEST_CALL(solace_pde_create("heat", n, &pde));
  int64_t nslot = 0, i0 = n, i1 = -1, j0 = n, j1 = -1;
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++) {
      int s = in_slot(n, i, j);
      in[i + n * j] = s ? 0.0 : 1.0;
      if (s) {
        nslot++;
        i0 = i < i0 ? i : i0, i1 = i > i1 ? i : i1, j0 = j < j0 ? j : j0, j1 = j > j1 ? j : j1;
      }
    }
  TEST_ASSERT(nslot == (i1 - i0 + 1) * (j1 - j0 + 1) && i0 > 2 && j0 > 2 && i1 < n - 3 &&
                  j1 < n - 3,
              "slot is not an interior rectangle");
  TEST_CALL(solace_pde_solve(pde, in, p, u, NULL, NULL));
  double lo = 1e300, hi = -1e300, balance = 0, dev = 0;
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < n; i++) {
      int64_t k = i + n * j;
      if (in_slot(n, i, j)) {
        TEST_ASSERT(u[k] == 0.0, "slot node (%lld, %lld) = %g", (long long)i, (long long)j, u[k]);
        continue;
      }
      lo = fmin(lo, u[k]), hi = fmax(hi, u[k]);
      dev = fmax(dev, fabs(u[k] - (double)i / (n - 1)));
      if (i == 0 || j == 0 || i == n - 1 || j == n - 1) continue;
      const int64_t di[4] = {-1, 1, 0, 0}, dj[4] = {0, 0, -1, 1};
      double sum = 0;
      for (int s = 0; s < 4; s++)
        if (!in_slot(n, i + di[s], j + dj[s])) sum += u[(i + di[s]) + n * (j + dj[s])] - u[k];
      balance = fmax(balance, fabs(sum));
    }
  /* net outward flux of the box [i0-2, i1+2] x [j0-2, j1+2]: faces crossing its edges */
  double net = 0;
  int64_t a0 = i0 - 2, a1 = i1 + 2, b0 = j0 - 2, b1 = j1 + 2;
  for (int64_t j = b0; j <= b1; j++)
    net += (u[a0 + n * j] - u[a0 - 1 + n * j]) + (u[a1 + n * j] - u[a1 + 1 + n * j]);
  for (int64_t i = a0; i <= a1; i++)
    net += (u[i + n * b0] - u[i + n * (b0 - 1)]) + (u[i + n * b1] - u[i + n * (b1 + 1)]);
  /* inward flux through each wall: sum over its faces (corners excluded) of u_b - u_inner */
  double left = 0, right = 0, bottom = 0, top = 0;
  for (int64_t j = 1; j < n - 1; j++) {
    left += u[0 + n * j] - u[1 + n * j];
    right += u[n - 1 + n * j] - u[n - 2 + n * j];
  }
  for (int64_t i = 1; i < n - 1; i++) {
    bottom += u[i] - u[i + n];
    top += u[i + n * (n - 1)] - u[i + n * (n - 2)];
  }
  double total = left + right + bottom + top;
  printf("slot n = %lld: %lld slot nodes i in [%lld, %lld] j in [%lld, %lld]; u in [%.3e, %.6f]; "
         "max balance %.2e; box net flux %.2e; walls L %.6f R %.6f B %.6f T %.6f, sum %.2e "
         "(rel %.2e); max |u - x| %.4f\n",
         (long long)n, (long long)nslot, (long long)i0, (long long)i1, (long long)j0, (long long)j1,
         lo, hi, balance, net, left, right, bottom, top, total, fabs(total / left), dev);
  TEST_ASSERT(lo >= -1e-12 && hi <= 1 + 1e-12, "maximum principle: [%g, %g]", lo, hi);
  TEST_ASSERT(balance <= 1e-9, "flux balance %.3e", balance);
  TEST_ASSERT(fabs(net) <= 1e-9, "net flux around the slot %.3e", net);
  TEST_ASSERT(fabs(total) <= 1e-8 * fabs(left), "wall fluxes do not balance: %.3e", total);
  TEST_ASSERT(dev > 1e-3, "slot has no effect: max |u - x| = %.3e", dev);
  solace_pde_destroy(&pde);
  free(in), free(u);
  return 0;
}

int main(void) {
  TEST_CALL(solace_initialize(NULL, NULL));
  TEST_CALL(solace_options_insert("-ksp_rtol 1e-13 -ksp_norm_type unpreconditioned"));
  if (linear(17) || linear(64)) return 1;
  if (slotted(33) || slotted(64) || slotted(65)) return 1;
  TEST_CALL(solace_finalize());
  return test_finish("pde-heat-mms");
}
