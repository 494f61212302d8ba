/* Proximal operators of separable penalties (lasso, non-negative lasso, elastic net, ridge,
 * non-negative ridge) and
 * the separable projections (non-negative orthant, box, Linf ball), with their Jacobians; the
 * public prox entry points dispatch to these or to implicit-projection.c. */
#include "implicit-objectives.h"

#include <math.h>
#include <string.h>

int prox_is_separable(int kind) {
  return kind == SOLACE_IMPLICIT_PROX_LASSO || kind == SOLACE_IMPLICIT_PROX_NONNEG_LASSO ||
         kind == SOLACE_IMPLICIT_PROX_ELASTIC_NET || kind == SOLACE_IMPLICIT_PROX_RIDGE ||
         kind == SOLACE_IMPLICIT_PROX_NONNEG_RIDGE || kind == SOLACE_IMPLICIT_PROJ_NONNEG ||
         kind == SOLACE_IMPLICIT_PROJ_BOX || kind == SOLACE_IMPLICIT_PROJ_LINF_BALL;
}

static void set_param(struct prox_entry *e, int64_t index, double derivative) {
  e->index[e->count] = index;
  e->dtheta[e->count++] = derivative;
}

/* Soft thresholding at s: sign(y) max(|y| - s, 0); d/ds = -sign(y) where active. */
static void soft_threshold(double y, double s, double *value, double *dy, double *ds) {
  int active = fabs(y) > s;
  double sign = y > 0 ? 1 : -1;
  *value = active ? y - s * sign : 0;
  *dy = active;
  *ds = active ? -sign : 0;
}

static void lasso_entry(const struct prox_point *pp, double y, struct prox_entry *e) {
  double ds;
  soft_threshold(y, pp->eta * pp->theta[0], &e->value, &e->dy, &ds);
  set_param(e, 0, pp->eta * ds);
}

static void nonneg_lasso_entry(const struct prox_point *pp, double y, struct prox_entry *e) {
  double s = pp->eta * pp->theta[0];
  int active = y > s;
  e->value = active ? y - s : 0;
  e->dy = active;
  set_param(e, 0, active ? -pp->eta : 0);
}

static void elastic_net_entry(const struct prox_point *pp, double y, struct prox_entry *e) {
  double soft, dsoft, ds, scale = 1 / (1 + pp->eta * pp->theta[1]);
  soft_threshold(y, pp->eta * pp->theta[0], &soft, &dsoft, &ds);
  e->value = soft * scale;
  e->dy = dsoft * scale;
  set_param(e, 0, pp->eta * ds * scale);
  set_param(e, 1, -pp->eta * soft * scale * scale);
}

static void ridge_entry(const struct prox_point *pp, double y, struct prox_entry *e) {
  double scale = 1 / (1 + pp->eta * pp->theta[0]);
  e->value = y * scale;
  e->dy = scale;
  set_param(e, 0, -pp->eta * y * scale * scale);
}

/* Clipping to [lo, hi]; the parameters lo, hi sit at theta[ilo], theta[ihi] (sign for Linf). */
static void clip_entry(double y, double lo, double hi, int64_t ilo, int64_t ihi, double slo,
                       struct prox_entry *e) {
  if (y < lo) {
    e->value = lo, e->dy = 0;
    set_param(e, ilo, slo);
  } else if (y > hi) {
    e->value = hi, e->dy = 0;
    set_param(e, ihi, 1);
  } else
    e->value = y, e->dy = 1;
}

void prox_separable_entry(const struct prox_point *pp, int64_t i, struct prox_entry *e) {
  const double y = pp->y[i];
  memset(e, 0, sizeof *e);
  switch (pp->kind) {
  case SOLACE_IMPLICIT_PROX_LASSO:
    lasso_entry(pp, y, e);
    break;
  case SOLACE_IMPLICIT_PROX_NONNEG_LASSO:
    nonneg_lasso_entry(pp, y, e);
    break;
  case SOLACE_IMPLICIT_PROX_ELASTIC_NET:
    elastic_net_entry(pp, y, e);
    break;
  case SOLACE_IMPLICIT_PROX_RIDGE:
    ridge_entry(pp, y, e);
    break;
  case SOLACE_IMPLICIT_PROX_NONNEG_RIDGE: /* the ridge prox of max(y, 0) */
    ridge_entry(pp, y > 0 ? y : 0, e);
    e->dy *= y > 0;
    break;
  case SOLACE_IMPLICIT_PROJ_NONNEG:
    e->value = y > 0 ? y : 0;
    e->dy = y > 0;
    break;
  case SOLACE_IMPLICIT_PROJ_BOX:
    clip_entry(y, pp->theta[i], pp->theta[pp->n + i], i, pp->n + i, 1, e);
    break;
  default: /* Linf ball of radius r = theta[0]: clip to [-r, r] */
    clip_entry(y, -pp->theta[0], pp->theta[0], 0, 0, -1, e);
  }
}

int solace_implicit_prox_size(int kind, int64_t n, int64_t *p_g) {
  solace_error_clear();
  SolaceCheckNotNull(p_g);
  SolaceCheck(n >= 1, SOLACE_ERR_ARG, "n = %lld must be >= 1", (long long)n);
  switch (kind) {
  case SOLACE_IMPLICIT_PROJ_NONNEG:
    *p_g = 0;
    break;
  case SOLACE_IMPLICIT_PROX_ELASTIC_NET:
    *p_g = 2;
    break;
  case SOLACE_IMPLICIT_PROJ_BOX:
    *p_g = 2 * n;
    break;
  case SOLACE_IMPLICIT_PROJ_HYPERPLANE:
  case SOLACE_IMPLICIT_PROJ_HALFSPACE:
    *p_g = n + 1;
    break;
  default:
    SolaceCheck(kind >= SOLACE_IMPLICIT_PROX_LASSO && kind <= SOLACE_IMPLICIT_PROX_NONNEG_RIDGE,
                SOLACE_ERR_ARG, "unknown prox kind %d", kind);
    *p_g = 1;
  }
  return SOLACE_SUCCESS;
}

/* Parameters that must be non-negative (penalties, radii, the simplex sum) or ordered. */
static int check_parameters(const struct prox_point *pp, int64_t p_g, const char *func) {
  const int kind = pp->kind;
  if (kind == SOLACE_IMPLICIT_PROJ_BOX) {
    for (int64_t i = 0; i < pp->n; i++)
      if (pp->theta[i] > pp->theta[pp->n + i])
        return solace_error_set(SOLACE_ERR_ARG, func,
                                "box: lower bound %g > upper bound %g at %lld", pp->theta[i],
                                pp->theta[pp->n + i], (long long)i);
  } else if (kind == SOLACE_IMPLICIT_PROJ_HYPERPLANE || kind == SOLACE_IMPLICIT_PROJ_HALFSPACE) {
    double a2 = 0;
    for (int64_t i = 0; i < pp->n; i++) a2 += pp->theta[i] * pp->theta[i];
    if (a2 == 0) return solace_error_set(SOLACE_ERR_ARG, func, "the normal vector a is zero");
  } else
    for (int64_t k = 0; k < p_g; k++)
      if (pp->theta[k] < 0)
        return solace_error_set(SOLACE_ERR_ARG, func, "parameter theta[%lld] = %g must be >= 0",
                                (long long)k, pp->theta[k]);
  return SOLACE_SUCCESS;
}

int prox_check(const struct prox_point *pp, const char *func) {
  int64_t p_g;
  SolaceCall(solace_implicit_prox_size(pp->kind, pp->n, &p_g));
  if (!pp->y) return solace_error_set(SOLACE_ERR_ARG, func, "y is NULL");
  if (p_g && !pp->theta) return solace_error_set(SOLACE_ERR_ARG, func, "theta is NULL");
  if (!(pp->eta > 0 && isfinite(pp->eta)))
    return solace_error_set(SOLACE_ERR_ARG, func, "eta = %g must be finite and > 0", pp->eta);
  if (pp->kind == SOLACE_IMPLICIT_PROX_GROUP_LASSO && (pp->group < 1 || pp->n % pp->group))
    return solace_error_set(SOLACE_ERR_ARG, func, "group size %lld does not divide n = %lld",
                            (long long)pp->group, (long long)pp->n);
  for (int64_t i = 0; i < pp->n; i++)
    if (!isfinite(pp->y[i]))
      return solace_error_set(SOLACE_ERR_ARG, func, "y[%lld] = %g is not finite", (long long)i,
                              pp->y[i]);
  for (int64_t k = 0; k < p_g; k++)
    if (!isfinite(pp->theta[k]))
      return solace_error_set(SOLACE_ERR_ARG, func, "theta[%lld] = %g is not finite", (long long)k,
                              pp->theta[k]);
  SolaceCall(check_parameters(pp, p_g, func));
  return SOLACE_SUCCESS;
}

int solace_implicit_prox(int kind, int64_t n, int64_t group, const double *y, const double *theta,
                         double eta, double *out) {
  solace_error_clear();
  struct prox_point pp = {kind, n, group, y, theta, eta};
  SolaceCall(prox_check(&pp, __func__));
  SolaceCheckNotNull(out);
  if (!prox_is_separable(kind)) return prox_coupled_value(&pp, out);
  struct prox_entry e;
  for (int64_t i = 0; i < n; i++) {
    prox_separable_entry(&pp, i, &e);
    out[i] = e.value;
  }
  return SOLACE_SUCCESS;
}

int solace_implicit_prox_jvp(int kind, int64_t n, int64_t group, const double *y,
                             const double *theta, double eta, const double *dy,
                             const double *dtheta, double *out) {
  solace_error_clear();
  struct prox_point pp = {kind, n, group, y, theta, eta};
  SolaceCall(prox_check(&pp, __func__));
  SolaceCheckNotNull(dy);
  SolaceCheckNotNull(out);
  if (!prox_is_separable(kind)) return prox_coupled_jvp(&pp, dy, dtheta, out);
  struct prox_entry e;
  for (int64_t i = 0; i < n; i++) {
    prox_separable_entry(&pp, i, &e);
    out[i] = e.dy * dy[i];
    for (int k = 0; dtheta && k < e.count; k++) out[i] += e.dtheta[k] * dtheta[e.index[k]];
  }
  return SOLACE_SUCCESS;
}

int solace_implicit_prox_vjp(int kind, int64_t n, int64_t group, const double *y,
                             const double *theta, double eta, const double *v, double *gy,
                             double *gtheta) {
  solace_error_clear();
  struct prox_point pp = {kind, n, group, y, theta, eta};
  SolaceCall(prox_check(&pp, __func__));
  SolaceCheckNotNull(v);
  SolaceCheckNotNull(gy);
  if (!prox_is_separable(kind)) return prox_coupled_vjp(&pp, v, gy, gtheta);
  int64_t p_g;
  SolaceCall(solace_implicit_prox_size(kind, n, &p_g));
  if (gtheta) memset(gtheta, 0, sizeof(double) * (size_t)p_g);
  struct prox_entry e;
  for (int64_t i = 0; i < n; i++) {
    prox_separable_entry(&pp, i, &e);
    gy[i] = e.dy * v[i];
    for (int k = 0; gtheta && k < e.count; k++) gtheta[e.index[k]] += e.dtheta[k] * v[i];
  }
  return SOLACE_SUCCESS;
}
