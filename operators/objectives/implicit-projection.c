/* Coupled proximal operators with their Jacobians: projections onto the simplex, the L1 and L2
 * balls, a hyperplane and a halfspace, and the group-lasso prox. The Jacobians in y are
 * symmetric (a prox is the gradient of a convex function), so one formula serves JVP and VJP. */
#include "implicit-objectives.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double dot(const double *a, const double *b, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

static int descending(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

/* The threshold tau of the simplex projection max(y - tau, 0) onto {x >= 0, sum x = s}. */
static int simplex_threshold(const double *y, int64_t n, double s, double *tau) {
  double *sorted;
  SolaceCall(SolaceCalloc(n, &sorted));
  memcpy(sorted, y, sizeof(double) * (size_t)n);
  qsort(sorted, (size_t)n, sizeof(double), descending);
  double cumulative = 0, best = (sorted[0] - s);
  for (int64_t k = 0; k < n; k++) {
    cumulative += sorted[k];
    double candidate = (cumulative - s) / (double)(k + 1);
    if (sorted[k] - candidate > 0) best = candidate;
  }
  free(sorted);
  *tau = best;
  return SOLACE_SUCCESS;
}

/* Simplex projection of y (sum s) and, if wanted, the support size. */
static int simplex_value(const double *y, int64_t n, double s, double *out, int64_t *support) {
  double tau = 0;
  SolaceCall(simplex_threshold(y, n, s, &tau));
  int64_t count = 0;
  for (int64_t i = 0; i < n; i++) {
    out[i] = y[i] > tau ? y[i] - tau : 0;
    count += out[i] > 0;
  }
  if (support) *support = count;
  return SOLACE_SUCCESS;
}

/* out = J_y dy + J_s ds at the projection w: on the support S, dy - mean_S(dy) + ds / |S|. */
static void simplex_jvp(const double *w, int64_t n, int64_t support, const double *dy, double ds,
                        double *out) {
  double mean = 0;
  for (int64_t i = 0; i < n; i++)
    if (w[i] > 0) mean += dy[i];
  mean = support ? (mean - ds) / (double)support : 0;
  for (int64_t i = 0; i < n; i++) out[i] = w[i] > 0 ? dy[i] - mean : 0;
}

/* gy = J_y v (symmetric); gs = sum_S v / |S|. */
static double simplex_vjp(const double *w, int64_t n, int64_t support, const double *v,
                          double *gy) {
  double mean = 0;
  for (int64_t i = 0; i < n; i++)
    if (w[i] > 0) mean += v[i];
  mean = support ? mean / (double)support : 0;
  for (int64_t i = 0; i < n; i++) gy[i] = w[i] > 0 ? v[i] - mean : 0;
  return mean;
}

static double l1_norm(const double *y, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += fabs(y[i]);
  return s;
}

/* The L1-ball projection outside the ball: sign(y) o simplex(|y|, r); w gets simplex(|y|). */
static int l1_ball_parts(const struct prox_point *pp, double *w, double *sign, int64_t *support) {
  for (int64_t i = 0; i < pp->n; i++) {
    sign[i] = pp->y[i] >= 0 ? 1 : -1;
    w[i] = fabs(pp->y[i]);
  }
  SolaceCall(simplex_value(w, pp->n, pp->theta[0], w, support));
  return SOLACE_SUCCESS;
}

/* The L1 ball's JVP or VJP (forward chooses), through the simplex at |y|. */
static int l1_ball_derivative(const struct prox_point *pp, int forward, const double *in,
                              const double *dtheta, double *out, double *gtheta) {
  const int64_t n = pp->n;
  if (l1_norm(pp->y, n) <= pp->theta[0]) {
    memcpy(out, in, sizeof(double) * (size_t)n);
    if (gtheta) gtheta[0] = 0;
    return SOLACE_SUCCESS;
  }
  double *w, *sign;
  int64_t support;
  SolaceCall(SolaceCalloc(2 * n, &w));
  sign = w + n;
  int status = l1_ball_parts(pp, w, sign, &support);
  if (!status) {
    for (int64_t i = 0; i < n; i++) out[i] = sign[i] * in[i];
    if (forward)
      simplex_jvp(w, n, support, out, dtheta ? dtheta[0] : 0, out);
    else {
      double gr = simplex_vjp(w, n, support, out, out);
      if (gtheta) gtheta[0] = gr;
    }
    for (int64_t i = 0; i < n; i++) out[i] *= sign[i];
  }
  free(w);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}

/* Group lasso on one group: out = max(1 - s / r, 0) y_G with r = ||y_G||, s = eta l. */
static void group_value(const double *y, int64_t m, double s, double *out) {
  double r = sqrt(dot(y, y, m));
  for (int64_t i = 0; i < m; i++) out[i] = r > s ? (1 - s / r) * y[i] : 0;
}

/* J v = (1 - s/r) v + s/r^3 y (y^T v); d/dl = -eta y / r (zero outside the active groups). */
static void group_derivative(const struct prox_point *pp, int forward, const double *in,
                             const double *dtheta, double *out, double *gtheta) {
  const double s = pp->eta * pp->theta[0];
  if (gtheta) gtheta[0] = 0;
  for (int64_t g = 0; g < pp->n; g += pp->group) {
    const double *y = pp->y + g, *v = in + g;
    double r = sqrt(dot(y, y, pp->group)), yv = dot(y, v, pp->group);
    for (int64_t i = 0; i < pp->group; i++)
      out[g + i] = r > s ? (1 - s / r) * v[i] + s / (r * r * r) * y[i] * yv : 0;
    if (r <= s) continue;
    if (forward && dtheta)
      for (int64_t i = 0; i < pp->group; i++) out[g + i] -= pp->eta * dtheta[0] * y[i] / r;
    if (!forward && gtheta) gtheta[0] -= pp->eta * yv / r;
  }
}

/* L2 ball: outside, out = r y / rho; J v = r/rho (v - y y^T v / rho^2), d/dr = y / rho. */
static void l2_ball_derivative(const struct prox_point *pp, int forward, const double *in,
                               const double *dtheta, double *out, double *gtheta) {
  const int64_t n = pp->n;
  const double r = pp->theta[0], rho = sqrt(dot(pp->y, pp->y, n)), yv = dot(pp->y, in, n);
  if (rho <= r) {
    memcpy(out, in, sizeof(double) * (size_t)n);
    if (gtheta) gtheta[0] = 0;
    return;
  }
  for (int64_t i = 0; i < n; i++) out[i] = r / rho * (in[i] - pp->y[i] * yv / (rho * rho));
  if (forward && dtheta)
    for (int64_t i = 0; i < n; i++) out[i] += dtheta[0] * pp->y[i] / rho;
  if (!forward && gtheta) gtheta[0] = yv / rho;
}

/* Whether the halfspace/hyperplane projection moves y: always for the hyperplane. */
static int plane_active(const struct prox_point *pp) {
  const double *a = pp->theta, b = pp->theta[pp->n];
  return pp->kind == SOLACE_IMPLICIT_PROJ_HYPERPLANE || dot(a, pp->y, pp->n) > b;
}

/* out = y - c a, c = (a^T y - b) / |a|^2, when active. Forward: out = J_y dy + J_a da + J_b db;
 * reverse: gy = J_y^T v, ga = -(a^T v)(y - 2 c a) / |a|^2 - c v, gb = a^T v / |a|^2. */
static void plane_derivative(const struct prox_point *pp, int forward, const double *in,
                             const double *dtheta, double *out, double *gtheta) {
  const int64_t n = pp->n;
  const double *a = pp->theta, b = pp->theta[n], a2 = dot(a, a, n);
  if (!plane_active(pp)) {
    memcpy(out, in, sizeof(double) * (size_t)n);
    if (gtheta) memset(gtheta, 0, sizeof(double) * (size_t)(n + 1));
    return;
  }
  const double c = (dot(a, pp->y, n) - b) / a2, av = dot(a, in, n);
  for (int64_t i = 0; i < n; i++) out[i] = in[i] - a[i] * av / a2;
  if (forward && dtheta) {
    const double *da = dtheta, db = dtheta[n];
    double dc = (dot(da, pp->y, n) - db) / a2 - 2 * c * dot(a, da, n) / a2;
    for (int64_t i = 0; i < n; i++) out[i] -= dc * a[i] + c * da[i];
  }
  if (!forward && gtheta) {
    for (int64_t i = 0; i < n; i++) gtheta[i] = -av * (pp->y[i] - 2 * c * a[i]) / a2 - c * in[i];
    gtheta[n] = av / a2;
  }
}

int prox_coupled_value(const struct prox_point *pp, double *out) {
  const int64_t n = pp->n;
  switch (pp->kind) {
  case SOLACE_IMPLICIT_PROX_GROUP_LASSO:
    for (int64_t g = 0; g < n; g += pp->group)
      group_value(pp->y + g, pp->group, pp->eta * pp->theta[0], out + g);
    return SOLACE_SUCCESS;
  case SOLACE_IMPLICIT_PROJ_SIMPLEX:
    return simplex_value(pp->y, n, pp->theta[0], out, NULL);
  case SOLACE_IMPLICIT_PROJ_L1_BALL: {
    if (l1_norm(pp->y, n) <= pp->theta[0]) break;
    double *sign;
    int64_t support;
    SolaceCall(SolaceCalloc(n, &sign));
    int status = l1_ball_parts(pp, out, sign, &support);
    for (int64_t i = 0; i < n; i++) out[i] *= sign[i];
    free(sign);
    return status;
  }
  case SOLACE_IMPLICIT_PROJ_L2_BALL: {
    double rho = sqrt(dot(pp->y, pp->y, n)), scale = rho > pp->theta[0] ? pp->theta[0] / rho : 1;
    for (int64_t i = 0; i < n; i++) out[i] = scale * pp->y[i];
    return SOLACE_SUCCESS;
  }
  default: { /* hyperplane, halfspace */
    if (!plane_active(pp)) break;
    const double *a = pp->theta, c = (dot(a, pp->y, n) - pp->theta[n]) / dot(a, a, n);
    for (int64_t i = 0; i < n; i++) out[i] = pp->y[i] - c * a[i];
    return SOLACE_SUCCESS;
  }
  }
  memcpy(out, pp->y, sizeof(double) * (size_t)n);
  return SOLACE_SUCCESS;
}

/* One JVP (forward) or VJP of a coupled prox. */
static int coupled_derivative(const struct prox_point *pp, int forward, const double *in,
                              const double *dtheta, double *out, double *gtheta) {
  switch (pp->kind) {
  case SOLACE_IMPLICIT_PROX_GROUP_LASSO:
    group_derivative(pp, forward, in, dtheta, out, gtheta);
    return SOLACE_SUCCESS;
  case SOLACE_IMPLICIT_PROJ_SIMPLEX: {
    int64_t support;
    double *w;
    SolaceCall(SolaceCalloc(pp->n, &w));
    int status = simplex_value(pp->y, pp->n, pp->theta[0], w, &support);
    if (status) {
      free(w);
      return solace_error_trace(status, __func__);
    }
    if (forward)
      simplex_jvp(w, pp->n, support, in, dtheta ? dtheta[0] : 0, out);
    else {
      double gs = simplex_vjp(w, pp->n, support, in, out);
      if (gtheta) gtheta[0] = gs;
    }
    free(w);
    return SOLACE_SUCCESS;
  }
  case SOLACE_IMPLICIT_PROJ_L1_BALL:
    return l1_ball_derivative(pp, forward, in, dtheta, out, gtheta);
  case SOLACE_IMPLICIT_PROJ_L2_BALL:
    l2_ball_derivative(pp, forward, in, dtheta, out, gtheta);
    return SOLACE_SUCCESS;
  default:
    plane_derivative(pp, forward, in, dtheta, out, gtheta);
    return SOLACE_SUCCESS;
  }
}

int prox_coupled_jvp(const struct prox_point *pp, const double *dy, const double *dtheta,
                     double *out) {
  SolaceCall(coupled_derivative(pp, 1, dy, dtheta, out, NULL));
  return SOLACE_SUCCESS;
}

int prox_coupled_vjp(const struct prox_point *pp, const double *v, double *gy, double *gtheta) {
  SolaceCall(coupled_derivative(pp, 0, v, NULL, gy, gtheta));
  return SOLACE_SUCCESS;
}
