/* Optimality conditions built on a smooth objective f(x, theta_f) given by its gradient, Hessian
 * product and mixed products: stationarity, the proximal-gradient (and projected-gradient)
 * fixed point, and the entropic mirror-descent fixed point on the simplex. */
#include "implicit-objectives.h"
#include "solvers/implicit/implicit-impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The smooth part f and the fixed-point map's settings. */
struct smooth_condition {
  int64_t n, p_f;
  solace_implicit_map_fn grad;
  solace_implicit_product_fn hvp, cross_jvp, cross_vjp;
  void *ctx;
  int prox; /* a solace_implicit_prox (proximal gradient) */
  int64_t group;
  double eta;
  double *y, *w, *h; /* workspaces of n entries */
};

static void release_condition(void *owned) {
  struct smooth_condition *c = owned;
  if (!c) return;
  free(c->y);
  free(c);
}

static int create_condition(int64_t n, int64_t p_f, solace_implicit_map_fn grad,
                            solace_implicit_product_fn hvp, solace_implicit_product_fn cross_jvp,
                            solace_implicit_product_fn cross_vjp, void *ctx, double eta,
                            struct smooth_condition **out) {
  SolaceCheckNotNull(grad);
  SolaceCheckNotNull(hvp);
  SolaceCheck(n >= 1 && p_f >= 0, SOLACE_ERR_ARG, "sizes n = %lld, p_f = %lld are invalid",
              (long long)n, (long long)p_f);
  SolaceCheck(isfinite(eta) && eta > 0, SOLACE_ERR_ARG, "eta = %g must be finite and > 0", eta);
  struct smooth_condition *c;
  SolaceCall(SolaceCalloc(1, &c));
  int status = SolaceCalloc(3 * n, &c->y);
  if (status) {
    free(c);
    return solace_error_trace(status, __func__);
  }
  *c = (struct smooth_condition){n, p_f, grad, hvp,  cross_jvp, cross_vjp,   ctx,
                                 0, 1,   eta,  c->y, c->y + n,  c->y + 2 * n};
  *out = c;
  return SOLACE_SUCCESS;
}

static int call_product(struct smooth_condition *c, solace_implicit_product_fn f, const double *x,
                        const double *theta, const double *in, double *out, const char *what) {
  return implicit_callback_status(f(c->n, c->p_f, x, theta, in, out, c->ctx), what, __func__);
}

/* y = x - eta grad f(x, theta_f). */
static int gradient_step(struct smooth_condition *c, const double *x, const double *theta) {
  SolaceCall(implicit_callback_status(c->grad(c->n, c->p_f, x, theta, c->y, c->ctx), "gradient",
                                      __func__));
  for (int64_t i = 0; i < c->n; i++) c->y[i] = x[i] - c->eta * c->y[i];
  return SOLACE_SUCCESS;
}

/* out = v - eta H v (the Jacobian of the gradient step). */
static int step_jacobian(struct smooth_condition *c, const double *x, const double *theta,
                         const double *v, double *out) {
  SolaceCall(call_product(c, c->hvp, x, theta, v, c->h, "Hessian product"));
  for (int64_t i = 0; i < c->n; i++) out[i] = v[i] - c->eta * c->h[i];
  return SOLACE_SUCCESS;
}

/* ---- proximal gradient: T = prox(x - eta grad f(x, theta_f), theta_g) ---- */

static const double *prox_theta(const struct smooth_condition *c, const double *theta) {
  return theta + c->p_f;
}

static int pg_map(int64_t n, int64_t p, const double *x, const double *theta, double *out,
                  void *ctx) {
  struct smooth_condition *c = ctx;
  (void)p;
  SolaceCall(gradient_step(c, x, theta));
  SolaceCall(solace_implicit_prox(c->prox, n, c->group, c->y, prox_theta(c, theta), c->eta, out));
  return SOLACE_SUCCESS;
}

static int pg_dx(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                 double *out, void *ctx) {
  struct smooth_condition *c = ctx;
  (void)p;
  SolaceCall(gradient_step(c, x, theta));
  SolaceCall(step_jacobian(c, x, theta, in, c->w));
  SolaceCall(solace_implicit_prox_jvp(c->prox, n, c->group, c->y, prox_theta(c, theta), c->eta,
                                      c->w, NULL, out));
  return SOLACE_SUCCESS;
}

static int pg_dx_t(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                   double *out, void *ctx) {
  struct smooth_condition *c = ctx;
  (void)p;
  SolaceCall(gradient_step(c, x, theta));
  SolaceCall(solace_implicit_prox_vjp(c->prox, n, c->group, c->y, prox_theta(c, theta), c->eta, in,
                                      c->w, NULL));
  SolaceCall(step_jacobian(c, x, theta, c->w, out));
  return SOLACE_SUCCESS;
}

static int pg_dtheta(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                     double *out, void *ctx) {
  struct smooth_condition *c = ctx;
  (void)p;
  SolaceCall(gradient_step(c, x, theta));
  memset(c->w, 0, sizeof(double) * (size_t)n);
  if (c->p_f) SolaceCall(call_product(c, c->cross_jvp, x, theta, in, c->w, "mixed product"));
  for (int64_t i = 0; i < n; i++) c->w[i] *= -c->eta;
  SolaceCall(solace_implicit_prox_jvp(c->prox, n, c->group, c->y, prox_theta(c, theta), c->eta,
                                      c->w, in + c->p_f, out));
  return SOLACE_SUCCESS;
}

static int pg_dtheta_t(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                       double *out, void *ctx) {
  struct smooth_condition *c = ctx;
  (void)p;
  SolaceCall(gradient_step(c, x, theta));
  SolaceCall(solace_implicit_prox_vjp(c->prox, n, c->group, c->y, prox_theta(c, theta), c->eta, in,
                                      c->w, out + c->p_f));
  if (!c->p_f) return SOLACE_SUCCESS;
  for (int64_t i = 0; i < n; i++) c->w[i] *= -c->eta;
  SolaceCall(call_product(c, c->cross_vjp, x, theta, c->w, out, "transposed mixed product"));
  return SOLACE_SUCCESS;
}

/* Creates the problem over a condition it then owns; exact theta products when f has them. */
static int adopt(struct smooth_condition *c, int64_t p, solace_implicit_map_fn map,
                 solace_implicit_product_fn products[4], solace_implicit *problem) {
  int has_cross = c->p_f == 0 || (c->cross_jvp && c->cross_vjp);
  int status = solace_implicit_create(c->n, p, SOLACE_IMPLICIT_FIXED_POINT, map, c, problem);
  if (!status)
    status = solace_implicit_set_products(*problem, products[0], products[1],
                                          has_cross ? products[2] : NULL,
                                          has_cross ? products[3] : NULL);
  if (status) {
    release_condition(c);
    solace_implicit_destroy(problem);
    return solace_error_trace(status, __func__);
  }
  implicit_adopt_context(*problem, c, release_condition);
  return SOLACE_SUCCESS;
}

int solace_implicit_create_prox_gradient(int64_t n, int64_t p_f, solace_implicit_map_fn grad,
                                         solace_implicit_product_fn hvp,
                                         solace_implicit_product_fn cross_jvp,
                                         solace_implicit_product_fn cross_vjp, void *ctx, int prox,
                                         int64_t group, double eta, solace_implicit *problem) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  *problem = NULL;
  int64_t p_g;
  SolaceCall(solace_implicit_prox_size(prox, n, &p_g));
  SolaceCheck(prox != SOLACE_IMPLICIT_PROX_GROUP_LASSO || (group >= 1 && n % group == 0),
              SOLACE_ERR_ARG, "group size %lld does not divide n = %lld", (long long)group,
              (long long)n);
  struct smooth_condition *c;
  SolaceCall(create_condition(n, p_f, grad, hvp, cross_jvp, cross_vjp, ctx, eta, &c));
  c->prox = prox;
  c->group = prox == SOLACE_IMPLICIT_PROX_GROUP_LASSO ? group : 1;
  solace_implicit_product_fn products[4] = {pg_dx, pg_dx_t, pg_dtheta, pg_dtheta_t};
  SolaceCall(adopt(c, p_f + p_g, pg_map, products, problem));
  return SOLACE_SUCCESS;
}

/* ---- mirror descent: T = softmax(log x - eta grad f(x, theta)) ---- */

/* y = log x - eta grad f, then the softmax s into out. */
static int md_softmax(struct smooth_condition *c, const double *x, const double *theta,
                      double *out) {
  for (int64_t i = 0; i < c->n; i++)
    SolaceCheck(x[i] > 0, SOLACE_ERR_ARG, "mirror descent needs x > 0; x[%lld] = %g", (long long)i,
                x[i]);
  SolaceCall(gradient_step(c, x, theta)); /* y = x - eta g */
  double top = -INFINITY, sum = 0;
  for (int64_t i = 0; i < c->n; i++) {
    c->y[i] += log(x[i]) - x[i];
    top = fmax(top, c->y[i]);
  }
  for (int64_t i = 0; i < c->n; i++) sum += out[i] = exp(c->y[i] - top);
  for (int64_t i = 0; i < c->n; i++) out[i] /= sum;
  return SOLACE_SUCCESS;
}

/* out = J_softmax in = s o in - s (s^T in), in place allowed. */
static void softmax_jacobian(const double *s, int64_t n, const double *in, double *out) {
  double st = 0;
  for (int64_t i = 0; i < n; i++) st += s[i] * in[i];
  for (int64_t i = 0; i < n; i++) out[i] = s[i] * (in[i] - st);
}

static int md_map(int64_t n, int64_t p, const double *x, const double *theta, double *out,
                  void *ctx) {
  (void)n, (void)p;
  SolaceCall(md_softmax(ctx, x, theta, out));
  return SOLACE_SUCCESS;
}

/* s = T(x) into the condition's w workspace (kept apart from y and h). */
static int md_point(struct smooth_condition *c, const double *x, const double *theta, double *s) {
  SolaceCall(md_softmax(c, x, theta, s));
  return SOLACE_SUCCESS;
}

static int md_dx(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                 double *out, void *ctx) {
  struct smooth_condition *c = ctx;
  (void)p;
  SolaceCall(md_point(c, x, theta, c->w));
  SolaceCall(call_product(c, c->hvp, x, theta, in, out, "Hessian product"));
  for (int64_t i = 0; i < n; i++) out[i] = in[i] / x[i] - c->eta * out[i];
  softmax_jacobian(c->w, n, out, out);
  return SOLACE_SUCCESS;
}

static int md_dx_t(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                   double *out, void *ctx) {
  struct smooth_condition *c = ctx;
  (void)p;
  SolaceCall(md_point(c, x, theta, c->w));
  softmax_jacobian(c->w, n, in, c->w);
  SolaceCall(call_product(c, c->hvp, x, theta, c->w, out, "Hessian product"));
  for (int64_t i = 0; i < n; i++) out[i] = c->w[i] / x[i] - c->eta * out[i];
  return SOLACE_SUCCESS;
}

static int md_dtheta(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                     double *out, void *ctx) {
  struct smooth_condition *c = ctx;
  (void)p;
  SolaceCall(md_point(c, x, theta, c->w));
  SolaceCall(call_product(c, c->cross_jvp, x, theta, in, out, "mixed product"));
  for (int64_t i = 0; i < n; i++) out[i] *= -c->eta;
  softmax_jacobian(c->w, n, out, out);
  return SOLACE_SUCCESS;
}

static int md_dtheta_t(int64_t n, int64_t p, const double *x, const double *theta, const double *in,
                       double *out, void *ctx) {
  struct smooth_condition *c = ctx;
  (void)p;
  SolaceCall(md_point(c, x, theta, c->w));
  softmax_jacobian(c->w, n, in, c->w);
  for (int64_t i = 0; i < n; i++) c->w[i] *= -c->eta;
  SolaceCall(call_product(c, c->cross_vjp, x, theta, c->w, out, "transposed mixed product"));
  return SOLACE_SUCCESS;
}

int solace_implicit_create_mirror_descent(int64_t n, int64_t p, solace_implicit_map_fn grad,
                                          solace_implicit_product_fn hvp,
                                          solace_implicit_product_fn cross_jvp,
                                          solace_implicit_product_fn cross_vjp, void *ctx,
                                          double eta, solace_implicit *problem) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  *problem = NULL;
  SolaceCheck(p >= 1, SOLACE_ERR_ARG, "p = %lld must be >= 1", (long long)p);
  struct smooth_condition *c;
  SolaceCall(create_condition(n, p, grad, hvp, cross_jvp, cross_vjp, ctx, eta, &c));
  solace_implicit_product_fn products[4] = {md_dx, md_dx_t, md_dtheta, md_dtheta_t};
  SolaceCall(adopt(c, p, md_map, products, problem));
  return SOLACE_SUCCESS;
}

/* ---- stationarity: F = grad f; the Hessian serves A and A^T ---- */

int solace_implicit_create_stationarity(int64_t n, int64_t p, solace_implicit_map_fn grad,
                                        solace_implicit_product_fn hvp,
                                        solace_implicit_product_fn cross_jvp,
                                        solace_implicit_product_fn cross_vjp, void *ctx,
                                        solace_implicit *problem) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  *problem = NULL;
  SolaceCheckNotNull(hvp);
  SolaceCall(solace_implicit_create(n, p, SOLACE_IMPLICIT_ROOT, grad, ctx, problem));
  SolaceCall(solace_implicit_set_products(*problem, hvp, hvp, cross_jvp, cross_vjp));
  return SOLACE_SUCCESS;
}
