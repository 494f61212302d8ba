/* Prediction by the Koopman mode decomposition: x_s(x0) ~ Re sum_j v_j lambda_j^s phi_j(x0). */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "koopman-impl.h"

/* Checks the arguments of solace_koopman_predict. */
static int check_predict_args(solace_koopman koopman, int64_t m, const double *x0, int64_t ldx,
                              int64_t steps, const double *xout, int64_t ldout) {
  SolaceCall(solace_koopman_check_computed(koopman, "solace_koopman_predict"));
  SolaceCheckNotNull(x0);
  SolaceCheckNotNull(xout);
  int64_t d = koopman->d;
  SolaceCheck(m >= 1 && steps >= 0 && ldx >= d && ldout >= d, SOLACE_ERR_ARG,
              "m = %lld, steps = %lld, ldx = %lld, ldout = %lld (d = %lld)", (long long)m,
              (long long)steps, (long long)ldx, (long long)ldout, (long long)d);
  return SOLACE_SUCCESS;
}

/* Adds the real part of v lambda^s phi for s = 0..steps to the d-vectors out + s ldout. */
static void add_mode(int64_t d, const double *v, double complex lambda, double complex phi,
                     int64_t steps, double *out, int64_t ldout) {
  double complex c = phi;
  for (int64_t s = 0; s <= steps; s++, c *= lambda)
    for (int64_t i = 0; i < d; i++) out[i + s * ldout] += creal(CMPLX(v[2 * i], v[2 * i + 1]) * c);
}

int solace_koopman_predict(solace_koopman koopman, int64_t m, const double *x0, int64_t ldx,
                           int64_t steps, double *xout, int64_t ldout) {
  solace_error_clear();
  SolaceCall(check_predict_args(koopman, m, x0, ldx, steps, xout, ldout));
  int64_t d = koopman->d, r = koopman->r;
  double *phi = NULL, *modes = NULL;
  int status = SolaceCalloc(2 * m * r, &phi);
  if (!status) status = SolaceCalloc(2 * d * r, &modes);
  if (!status) status = solace_koopman_eigenfunctions(koopman, m, x0, ldx, phi, m);
  if (!status) status = solace_koopman_get_modes(koopman, modes, d);
  for (int64_t k = 0; !status && k < m; k++) {
    double *out = xout + k * (steps + 1) * ldout;
    for (int64_t s = 0; s <= steps; s++) memset(out + s * ldout, 0, sizeof(double) * d);
    for (int64_t j = 0; j < r; j++)
      add_mode(d, modes + 2 * d * j, CMPLX(koopman->lambda[2 * j], koopman->lambda[2 * j + 1]),
               CMPLX(phi[2 * (k + j * m)], phi[2 * (k + j * m) + 1]), steps, out, ldout);
  }
  free(phi), free(modes);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
