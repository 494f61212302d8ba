/* One explicit RK step, its reverse mode, its embedded error estimate (with reverse mode) and the
 * automatic initial step: the pieces shared by the discrete adjoint and the regularizers. */
#include "node-impl.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* work = y + h sum_{j < i} A[i][j] k_j: the input of stage i. */
static void stage_input(const node_table *tab, int64_t N, int i, double h, const double *y,
                        const double *k, double *work) {
  memcpy(work, y, sizeof(double) * (size_t)N);
  for (int j = 0; j < i; j++)
    if (tab->A[i][j] != 0) cblas_daxpy((int)N, h * tab->A[i][j], k + j * N, 1, work, 1);
}

int node_step_forward(node_field *field, const node_table *tab, int64_t N, double t, double h,
                      const double *y, const double *k1, double *k, double *y1, double *work) {
  for (int i = 0; i < tab->stages; i++) {
    if (i == 0 && k1) {
      memcpy(k, k1, sizeof(double) * (size_t)N);
      continue;
    }
    stage_input(tab, N, i, h, y, k, work);
    SolaceCall(node_field_eval(field, t + tab->c[i] * h, work, k + i * N));
  }
  memcpy(y1, y, sizeof(double) * (size_t)N);
  for (int i = 0; i < tab->stages; i++)
    if (tab->b[i] != 0) cblas_daxpy((int)N, h * tab->b[i], k + i * N, 1, y1, 1);
  return SOLACE_SUCCESS;
}

/* 1 if a later stage's input depends on stage i (then its cotangent may be non-zero). */
static int later_stage_uses(const node_table *tab, int i) {
  for (int l = i + 1; l < tab->stages; l++)
    if (tab->A[l][i] != 0) return 1;
  return 0;
}

int node_step_vjp(node_field *field, const node_table *tab, int64_t N, double t, double h,
                  const double *y, const double *k, const double *ybar1, double *kbar,
                  int first_const, double *ybar, double *work) {
  int s = tab->stages;
  double *sbar = work, *input = work + N, *kb = kbar ? kbar : work + 2 * N;
  if (!kbar) memset(kb, 0, sizeof(double) * (size_t)(s * N));
  for (int i = 0; i < s; i++)
    if (tab->b[i] != 0) cblas_daxpy((int)N, h * tab->b[i], ybar1, 1, kb + i * N, 1);
  if (ybar) cblas_daxpy((int)N, 1.0, ybar1, 1, ybar, 1);
  for (int i = s - 1; i >= (first_const ? 1 : 0); i--) {
    if (!kbar && tab->b[i] == 0 && !later_stage_uses(tab, i)) continue; /* kb[i] is zero */
    memset(sbar, 0, sizeof(double) * (size_t)N);
    stage_input(tab, N, i, h, y, k, input);
    SolaceCall(node_field_vjp(field, t + tab->c[i] * h, input, kb + i * N, sbar));
    if (ybar) cblas_daxpy((int)N, 1.0, sbar, 1, ybar, 1);
    for (int j = 0; j < i; j++)
      if (tab->A[i][j] != 0) cblas_daxpy((int)N, h * tab->A[i][j], sbar, 1, kb + j * N, 1);
  }
  return SOLACE_SUCCESS;
}

/* Error scale of component m: atol + rtol max(|y_m|, |y1_m|). */
static double scale(double atol, double rtol, double y, double y1) {
  return atol + rtol * fmax(fabs(y), fabs(y1));
}

/* Embedded error utilde_m = h sum (b_i - d_i) k_i,m. */
static double utilde(const node_table *tab, int64_t N, double h, const double *k, int64_t m) {
  double e = 0;
  for (int i = 0; i < tab->stages; i++) e += (tab->b[i] - tab->d[i]) * k[i * N + m];
  return h * e;
}

double node_error_estimate(const node_table *tab, int64_t N, double h, double atol, double rtol,
                           const double *y, const double *y1, const double *k) {
  double sum = 0;
  for (int64_t m = 0; m < N; m++) {
    double e = utilde(tab, N, h, k, m) / scale(atol, rtol, y[m], y1[m]);
    sum += e * e;
  }
  return sqrt(sum / (double)N);
}

void node_error_estimate_vjp(const node_table *tab, int64_t N, double h, double atol, double rtol,
                             const double *y, const double *y1, const double *k, double w,
                             double *kbar, double *y1bar, double *ybar) {
  double eest = node_error_estimate(tab, N, h, atol, rtol, y, y1, k);
  if (eest == 0 || w == 0) return;
  for (int64_t m = 0; m < N; m++) {
    double sc = scale(atol, rtol, y[m], y1[m]), e = utilde(tab, N, h, k, m) / sc;
    double de = w * e / ((double)N * eest); /* dL/de_m */
    for (int i = 0; i < tab->stages; i++) kbar[i * N + m] += de * h * (tab->b[i] - tab->d[i]) / sc;
    double dsc = -de * e / sc; /* dL/dsc_m */
    if (fabs(y1[m]) >= fabs(y[m]))
      y1bar[m] += dsc * rtol * (y1[m] >= 0 ? 1.0 : -1.0);
    else if (ybar)
      ybar[m] += dsc * rtol * (y[m] >= 0 ? 1.0 : -1.0);
  }
}

/* Weighted RMS norm with weights 1 / (atol + rtol |y|). */
static double wrms(int64_t N, const double *v, const double *y, double atol, double rtol) {
  double sum = 0;
  for (int64_t m = 0; m < N; m++) {
    double e = v[m] / (atol + rtol * fabs(y[m]));
    sum += e * e;
  }
  return sqrt(sum / (double)N);
}

int node_initial_step(node_field *field, int q, int64_t N, double t0, double tspan, double atol,
                      double rtol, const double *y, const double *f0, double *h, double *work) {
  double d0 = wrms(N, y, y, atol, rtol), d1 = wrms(N, f0, y, atol, rtol);
  double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
  h0 = fmin(h0, tspan);
  double *y1 = work, *f1 = work + N;
  memcpy(y1, y, sizeof(double) * (size_t)N);
  cblas_daxpy((int)N, h0, f0, 1, y1, 1);
  SolaceCall(node_field_eval(field, t0 + h0, y1, f1));
  cblas_daxpy((int)N, -1.0, f0, 1, f1, 1);
  double d2 = wrms(N, f1, y, atol, rtol) / h0, dmax = fmax(d1, d2);
  double h1 = dmax <= 1e-15 ? fmax(1e-6, h0 * 1e-3) : pow(0.01 / dmax, 1.0 / (q + 1));
  *h = fmin(fmin(100 * h0, h1), tspan);
  return SOLACE_SUCCESS;
}
