/* The Koopman estimator handle: creation, settings and data. */
#include "solvers/koopman/koopman-impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void solace_koopman_results_free(solace_koopman k) {
  free(k->lambda), free(k->res), free(k->kr), free(k->e), free(k->c), free(k->g), free(k->proj);
  free(k->basis);
  k->lambda = k->res = k->kr = k->e = k->c = k->g = k->proj = k->basis = NULL;
  solace_koopman_dict_free(&k->dict);
  k->computed = 0, k->r = k->q = 0;
}

int solace_koopman_create(solace_koopman *koopman) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  *koopman = NULL;
  solace_koopman k;
  SolaceCall(SolaceCalloc(1, &k));
  k->kind = SOLACE_KOOPMAN_DICT_MONOMIAL, k->degree = 1;
  k->truncation = SOLACE_KOOPMAN_TOTAL_DEGREE, k->rcond = 1e-12;
  k->method = SOLACE_KOOPMAN_EDMD;
  *koopman = k;
  return SOLACE_SUCCESS;
}

int solace_koopman_destroy(solace_koopman *koopman) {
  solace_error_clear();
  if (!koopman || !*koopman) return SOLACE_SUCCESS;
  solace_koopman k = *koopman;
  solace_koopman_results_free(k);
  solace_koopman_kdict_free(&k->kdict);
  free(k->kinds), free(k->shift), free(k->scale), free(k->x), free(k->y), free(k->w);
  free(k);
  *koopman = NULL;
  return SOLACE_SUCCESS;
}

int solace_koopman_set_dictionary(solace_koopman koopman, int kind, int64_t degree,
                                  int truncation) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  SolaceCheck(kind >= SOLACE_KOOPMAN_DICT_MONOMIAL && kind <= SOLACE_KOOPMAN_DICT_RBF,
              SOLACE_ERR_ARG, "unknown dictionary kind %d", kind);
  SolaceCheck(truncation >= SOLACE_KOOPMAN_TOTAL_DEGREE && truncation <= SOLACE_KOOPMAN_HYPERBOLIC,
              SOLACE_ERR_ARG,
              "unknown truncation %d (TOTAL_DEGREE = 0, TENSOR = 1, HYPERBOLIC = 2)", truncation);
  SolaceCheck(degree >= (kind == SOLACE_KOOPMAN_DICT_RBF ? 1 : 0), SOLACE_ERR_ARG,
              "degree (or number of RBF centres) %lld is too small", (long long)degree);
  solace_koopman_results_free(koopman);
  koopman->kind = kind, koopman->degree = degree, koopman->truncation = truncation;
  koopman->fn = NULL, koopman->fn_ctx = NULL, koopman->fn_n = 0;
  solace_koopman_kdict_free(&koopman->kdict);
  return SOLACE_SUCCESS;
}

int solace_koopman_set_dictionary_fn(solace_koopman koopman, int64_t n,
                                     solace_koopman_dictionary_fn fn, void *ctx) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  SolaceCheckNotNull(fn);
  SolaceCheck(n >= 1, SOLACE_ERR_ARG, "n = %lld dictionary functions", (long long)n);
  solace_koopman_results_free(koopman);
  koopman->fn = fn, koopman->fn_ctx = ctx, koopman->fn_n = n;
  solace_koopman_kdict_free(&koopman->kdict);
  return SOLACE_SUCCESS;
}

int solace_koopman_set_dictionary_kinds(solace_koopman koopman, int64_t d, const int64_t *kinds) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  SolaceCheck(d >= 0 && (d == 0 || kinds), SOLACE_ERR_ARG, "d = %lld with kinds %p", (long long)d,
              (const void *)kinds);
  for (int64_t i = 0; i < d; i++)
    SolaceCheck(kinds[i] >= SOLACE_KOOPMAN_DICT_MONOMIAL && kinds[i] <= SOLACE_KOOPMAN_DICT_FOURIER,
                SOLACE_ERR_ARG, "kinds[%lld] = %lld is not a product family", (long long)i,
                (long long)kinds[i]);
  int64_t *copy = NULL;
  if (d) {
    SolaceCall(SolaceCalloc(d, &copy));
    memcpy(copy, kinds, sizeof(int64_t) * d);
  }
  solace_koopman_results_free(koopman);
  free(koopman->kinds);
  koopman->kinds = copy, koopman->n_kinds = d;
  return SOLACE_SUCCESS;
}

int solace_koopman_set_scaling(solace_koopman koopman, int64_t d, const double *shift,
                               const double *scale) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  SolaceCheck((!shift) == (!scale), SOLACE_ERR_ARG, "give both shift and scale, or neither");
  if (shift) {
    SolaceCheck(d >= 1, SOLACE_ERR_ARG, "d = %lld", (long long)d);
    for (int64_t i = 0; i < d; i++)
      SolaceCheck(isfinite(shift[i]) && isfinite(scale[i]) && scale[i] > 0, SOLACE_ERR_ARG,
                  "shift[%lld] = %g, scale[%lld] = %g", (long long)i, shift[i], (long long)i,
                  scale[i]);
  }
  solace_koopman_results_free(koopman);
  free(koopman->shift), free(koopman->scale);
  koopman->shift = koopman->scale = NULL, koopman->n_scaling = 0;
  if (!shift) return SOLACE_SUCCESS;
  SolaceCall(SolaceCalloc(d, &koopman->shift));
  SolaceCall(SolaceCalloc(d, &koopman->scale));
  memcpy(koopman->shift, shift, sizeof(double) * d);
  memcpy(koopman->scale, scale, sizeof(double) * d);
  koopman->n_scaling = d;
  return SOLACE_SUCCESS;
}

int solace_koopman_set_rcond(solace_koopman koopman, double rcond) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  SolaceCheck(rcond >= 0 && rcond < 1, SOLACE_ERR_ARG, "rcond = %g is not in [0, 1)", rcond);
  solace_koopman_results_free(koopman);
  koopman->rcond = rcond;
  return SOLACE_SUCCESS;
}

int solace_koopman_set_method(solace_koopman koopman, int method) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  SolaceCheck(method == SOLACE_KOOPMAN_EDMD || method == SOLACE_KOOPMAN_MPEDMD, SOLACE_ERR_ARG,
              "unknown method %d (SOLACE_KOOPMAN_EDMD = 0 or SOLACE_KOOPMAN_MPEDMD = 1)", method);
  solace_koopman_results_free(koopman);
  koopman->method = method;
  return SOLACE_SUCCESS;
}

int solace_koopman_set_qr(solace_koopman koopman, int qr) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  SolaceCheck(qr >= SOLACE_KOOPMAN_QR_AUTO && qr <= SOLACE_KOOPMAN_QR_GRAM, SOLACE_ERR_ARG,
              "unknown QR %d (SOLACE_KOOPMAN_QR_AUTO = 0, _HOUSEHOLDER = 1, _CHOLESKY = 2 or "
              "_GRAM = 3)",
              qr);
  solace_koopman_results_free(koopman);
  koopman->qr = qr;
  return SOLACE_SUCCESS;
}

int solace_koopman_get_qr(solace_koopman koopman, int *qr) {
  solace_error_clear();
  SolaceCall(solace_koopman_check_computed(koopman, __func__));
  SolaceCheckNotNull(qr);
  *qr = koopman->qr_used;
  return SOLACE_SUCCESS;
}

/* Copies a d x m matrix (leading dimension ld) into a dense one, checking every
 * entry. */
static int copy_finite(const char *name, int64_t d, int64_t m, const double *a, int64_t ld,
                       double *out) {
  for (int64_t j = 0; j < m; j++)
    for (int64_t i = 0; i < d; i++) {
      double v = a[i + j * ld];
      SolaceCheck(isfinite(v), SOLACE_ERR_ARG, "%s(%lld, %lld) = %g is not finite", name,
                  (long long)i, (long long)j, v);
      out[i + j * d] = v;
    }
  return SOLACE_SUCCESS;
}

/* Replaces the data by fresh zeroed buffers for d x m snapshots. */
static int data_alloc(solace_koopman k, int64_t d, int64_t m) {
  solace_koopman_results_free(k);
  free(k->x), free(k->y), free(k->w);
  k->x = k->y = k->w = NULL, k->d = k->m = 0;
  SolaceCall(SolaceCalloc(d * m, &k->x));
  SolaceCall(SolaceCalloc(d * m, &k->y));
  SolaceCall(SolaceCalloc(m, &k->w));
  k->d = d, k->m = m;
  return SOLACE_SUCCESS;
}

int solace_koopman_set_data(solace_koopman koopman, int64_t d, int64_t mx, const double *x,
                            int64_t ldx, int64_t my, const double *y, int64_t ldy,
                            const double *weights) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  SolaceCheckNotNull(x);
  SolaceCheckNotNull(y);
  SolaceCheck(d >= 1 && mx >= 1, SOLACE_ERR_ARG, "d = %lld, mx = %lld", (long long)d,
              (long long)mx);
  SolaceCheck(mx == my, SOLACE_ERR_ARG, "X has %lld snapshots but Y has %lld", (long long)mx,
              (long long)my);
  SolaceCheck(ldx >= d && ldy >= d, SOLACE_ERR_ARG, "ldx = %lld, ldy = %lld < d = %lld",
              (long long)ldx, (long long)ldy, (long long)d);
  double sum = 0;
  for (int64_t j = 0; weights && j < mx; j++) {
    SolaceCheck(isfinite(weights[j]) && weights[j] >= 0, SOLACE_ERR_ARG, "weights[%lld] = %g",
                (long long)j, weights[j]);
    sum += weights[j];
  }
  SolaceCheck(!weights || sum > 0, SOLACE_ERR_ARG, "the weights sum to 0");
  SolaceCall(data_alloc(koopman, d, mx));
  int status = copy_finite("X", d, mx, x, ldx, koopman->x);
  if (!status) status = copy_finite("Y", d, mx, y, ldy, koopman->y);
  if (status) {
    koopman->m = 0; /* no usable data */
    return solace_error_trace(status, __func__);
  }
  for (int64_t j = 0; j < mx; j++) koopman->w[j] = weights ? weights[j] : 1.0 / mx;
  return SOLACE_SUCCESS;
}

/* Delay-embedded states of one trajectory: column c of out is (x_t, x_{t-1}, .., x_{t-n_delays})
 * (d entries each) with t = first + c, c = 0..count-1. */
static void embed(int64_t d, const double *traj, int64_t n_delays, int64_t first, int64_t count,
                  double *out) {
  int64_t dim = d * (n_delays + 1);
  for (int64_t c = 0; c < count; c++)
    for (int64_t lag = 0; lag <= n_delays; lag++)
      memcpy(out + dim * c + d * lag, traj + d * (first + c - lag), sizeof(double) * d);
}

int solace_koopman_set_delay_trajectories(solace_koopman koopman, int64_t d, int64_t n_traj,
                                          int64_t n_steps, const double *x, int64_t n_delays) {
  solace_error_clear();
  SolaceCheckNotNull(koopman);
  SolaceCheckNotNull(x);
  SolaceCheck(d >= 1 && n_traj >= 1 && n_delays >= 0 && n_steps >= n_delays + 2, SOLACE_ERR_ARG,
              "d = %lld, n_traj = %lld, n_steps = %lld, n_delays = %lld (d, n_traj >= 1, "
              "n_delays >= 0, n_steps >= n_delays + 2 needed)",
              (long long)d, (long long)n_traj, (long long)n_steps, (long long)n_delays);
  for (int64_t j = 0; j < n_traj; j++)
    for (int64_t i = 0; i < d * n_steps; i++)
      SolaceCheck(isfinite(x[d * n_steps * j + i]), SOLACE_ERR_ARG,
                  "trajectory %lld: x(%lld, %lld) = %g is not finite", (long long)j,
                  (long long)(i % d), (long long)(i / d), x[d * n_steps * j + i]);
  int64_t per = n_steps - 1 - n_delays, m = n_traj * per, dim = d * (n_delays + 1);
  SolaceCall(data_alloc(koopman, dim, m));
  for (int64_t j = 0; j < n_traj; j++) {
    const double *traj = x + d * n_steps * j;
    embed(d, traj, n_delays, n_delays, per, koopman->x + dim * per * j);
    embed(d, traj, n_delays, n_delays + 1, per, koopman->y + dim * per * j);
  }
  for (int64_t j = 0; j < m; j++) koopman->w[j] = 1.0 / m;
  return SOLACE_SUCCESS;
}

int solace_koopman_set_trajectories(solace_koopman koopman, int64_t d, int64_t n_traj,
                                    int64_t n_steps, const double *x) {
  SolaceCall(solace_koopman_set_delay_trajectories(koopman, d, n_traj, n_steps, x, 0));
  return SOLACE_SUCCESS;
}
