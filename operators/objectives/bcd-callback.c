/* A user objective of BCD through callbacks: value, block gradient, block Hessian-vector
 * product and coordinate Lipschitz bounds. There is no model state to keep: the full gradient
 * is asked for when a rule needs it, the value after each step. */
#include "operators/objectives/bcd-objective.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Calls a user callback; a non-zero return stops with SOLACE_ERR_BACKEND naming it. */
#define UserCall(name, expr)                                                                       \
  do {                                                                                             \
    int user_status_ = (expr);                                                                     \
    SolaceCheck(user_status_ == 0, SOLACE_ERR_BACKEND, "the %s callback returned %d", name,        \
                user_status_);                                                                     \
  } while (0)

static int cb_value(bcd_objective *o) {
  UserCall("value", o->value_fn(o->n, o->x, &o->f, o->ctx));
  SolaceCheck(isfinite(o->f), SOLACE_ERR_ARG, "the value callback gave f = %g", o->f);
  return SOLACE_SUCCESS;
}

static int cb_reset(bcd_objective *o, const double *x) {
  (void)x;
  o->g_valid = 0;
  return cb_value(o);
}

static int cb_full_gradient(bcd_objective *o) {
  UserCall("gradient", o->grad_fn(o->n, o->x, o->n, o->rows, o->g, o->ctx));
  o->g_valid = 1;
  return SOLACE_SUCCESS;
}

static int cb_block_gradient(bcd_objective *o, int64_t nb, const int64_t *idx, double *g) {
  if (o->g_valid) {
    for (int64_t a = 0; a < nb; a++) g[a] = o->g[idx[a]];
    return SOLACE_SUCCESS;
  }
  UserCall("gradient", o->grad_fn(o->n, o->x, nb, idx, g, o->ctx));
  return SOLACE_SUCCESS;
}

static int cb_update(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d) {
  (void)nb, (void)idx, (void)d;
  o->g_valid = 0;
  return cb_value(o);
}

static int cb_trial(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d,
                    double *f_new) {
  double *xt;
  SolaceCall(SolaceCalloc(o->n, &xt));
  memcpy(xt, o->x, (size_t)o->n * sizeof(double));
  for (int64_t a = 0; a < nb; a++) xt[idx[a]] += d[a];
  int user = o->value_fn(o->n, xt, f_new, o->ctx);
  free(xt);
  UserCall("value", user);
  return SOLACE_SUCCESS;
}

static int cb_block_hessian(bcd_objective *o, int64_t nb, const int64_t *idx, double *H) {
  SolaceCheck(o->hv_fn, SOLACE_ERR_UNSUPPORTED, "Newton updates need a Hessian-vector callback");
  double *e;
  SolaceCall(SolaceCalloc(nb, &e));
  int user = 0;
  for (int64_t a = 0; !user && a < nb; a++) {
    e[a] = 1;
    user = o->hv_fn(o->n, o->x, nb, idx, e, H + a * nb, o->ctx);
    e[a] = 0;
  }
  free(e);
  UserCall("hessvec", user);
  return SOLACE_SUCCESS;
}

static int cb_block_bound(bcd_objective *o, int64_t nb, const int64_t *idx, double *M) {
  memset(M, 0, (size_t)(nb * nb) * sizeof(double));
  for (int64_t a = 0; a < nb; a++) M[a + a * nb] = o->L[idx[a]];
  return SOLACE_SUCCESS;
}

static int cb_rowsums(bcd_objective *o, double *out) {
  memcpy(out, o->L, (size_t)o->n * sizeof(double));
  return SOLACE_SUCCESS;
}

static int cb_bound_apply(bcd_objective *o, const double *v, double *out) {
  for (int64_t i = 0; i < o->n; i++) out[i] = o->L[i] * v[i];
  return SOLACE_SUCCESS;
}

static const bcd_objective_ops cb_ops = {
    cb_reset,         cb_full_gradient, cb_block_gradient, cb_update,      cb_trial,
    cb_block_hessian, cb_block_bound,   cb_rowsums,        cb_bound_apply, NULL};

int bcd_objective_callback(int64_t n, solace_bcd_value_fn value, solace_bcd_block_gradient_fn grad,
                           solace_bcd_block_hessvec_fn hv, const double *L, void *ctx,
                           bcd_objective **obj) {
  SolaceCheck(n >= 1, SOLACE_ERR_ARG, "n = %lld variables", (long long)n);
  SolaceCheck(value && grad, SOLACE_ERR_ARG, "the value and gradient callbacks are required");
  SolaceCheckNotNull(L);
  for (int64_t i = 0; i < n; i++)
    SolaceCheck(L[i] > 0 && isfinite(L[i]), SOLACE_ERR_ARG, "lipschitz[%lld] = %g is not > 0",
                (long long)i, L[i]);
  bcd_objective *o;
  SolaceCall(SolaceCalloc(1, &o));
  o->ops = &cb_ops, o->problem = SOLACE_BCD_CALLBACK, o->n = o->nf = n, o->k = 1;
  o->value_fn = value, o->grad_fn = grad, o->hv_fn = hv, o->ctx = ctx;
  int status = SolaceCalloc(n, &o->g);
  if (!status) status = SolaceCalloc(n, &o->L);
  if (!status) status = SolaceCalloc(n, &o->rows);
  if (status) {
    bcd_objective_destroy(&o);
    return status;
  }
  memcpy(o->L, L, (size_t)n * sizeof(double));
  for (int64_t i = 0; i < n; i++) o->rows[i] = i; /* the index list of the full gradient */
  *obj = o;
  return SOLACE_SUCCESS;
}
