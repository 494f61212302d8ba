/* The verified spectrum on candidate points: local minimisers of gamma = tau (or max(tau,
 * |1 - |z||) for an isometry) at the scale of gamma, with the bound max gamma (see
 * include/solace/koopman.h). */
#include "solvers/koopman/koopman-impl.h"

#include <math.h>
#include <stdlib.h>

static const double NEIGHBOURHOOD = 5; /* radius of the minimiser test, in units of gamma */

/* gamma at every point: tau, raised to |1 - |z|| for an isometry. */
static void fill_gamma(int64_t nz, const double *z, const double *tau, int measure_preserving,
                       double *gamma) {
  for (int64_t a = 0; a < nz; a++) {
    gamma[a] = tau[a];
    if (measure_preserving) gamma[a] = fmax(gamma[a], fabs(1 - hypot(z[2 * a], z[2 * a + 1])));
  }
}

/* True when no point within NEIGHBOURHOOD gamma[a] of z_a has a smaller gamma. */
static int is_local_minimiser(int64_t nz, const double *z, const double *gamma, int64_t a) {
  double radius = NEIGHBOURHOOD * gamma[a];
  for (int64_t b = 0; b < nz; b++)
    if (gamma[b] < gamma[a] && hypot(z[2 * b] - z[2 * a], z[2 * b + 1] - z[2 * a + 1]) <= radius)
      return 0;
  return 1;
}

static int check_points(int64_t nz, const double *z, const double *tau, double eps) {
  SolaceCheck(nz >= 1, SOLACE_ERR_ARG, "nz = %lld < 1", (long long)nz);
  SolaceCheckNotNull(z);
  SolaceCheck(eps > 0 && isfinite(eps), SOLACE_ERR_ARG, "eps = %g is not positive", eps);
  for (int64_t a = 0; a < nz; a++) {
    SolaceCheck(isfinite(z[2 * a]) && isfinite(z[2 * a + 1]), SOLACE_ERR_ARG,
                "z[%lld] = (%g, %g) is not finite", (long long)a, z[2 * a], z[2 * a + 1]);
    SolaceCheck(!tau || (tau[a] >= 0 && isfinite(tau[a])), SOLACE_ERR_ARG,
                "tau[%lld] = %g is not a finite value >= 0", (long long)a, tau ? tau[a] : 0);
  }
  return SOLACE_SUCCESS;
}

int solace_koopman_verify_points(solace_koopman koopman, int64_t nz, const double *z,
                                 const double *tau, double eps, int measure_preserving,
                                 int64_t *count, int64_t *index, double *bound) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  SolaceCheckNotNull(count);
  SolaceCall(check_points(nz, z, tau, eps));
  double *gamma;
  SolaceCall(SolaceCalloc(nz, &gamma));
  int status = tau ? SOLACE_SUCCESS : solace_koopman_pseudospectrum(koopman, nz, z, gamma);
  if (status) return free(gamma), solace_error_trace(status, __func__);
  fill_gamma(nz, z, tau ? tau : gamma, measure_preserving, gamma);
  double worst = 0;
  *count = 0;
  for (int64_t a = 0; a < nz; a++)
    if (gamma[a] <= eps && is_local_minimiser(nz, z, gamma, a)) {
      if (index) index[*count] = a;
      (*count)++;
      worst = fmax(worst, gamma[a]);
    }
  if (bound) *bound = worst;
  free(gamma);
  return SOLACE_SUCCESS;
}
