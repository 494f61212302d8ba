/* Derivative products of F at a point: the user's callbacks, else the transposed callback
 * column by column, else central finite differences of the map. */
#include "implicit-impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *product_names[4] = {"d_x product", "d_x^T product", "d_theta product",
                                       "d_theta^T product"};

int implicit_callback_status(int status, const char *what, const char *func) {
  if (!status) return SOLACE_SUCCESS;
  int is_solace = status <= SOLACE_ERR_ARG && status >= SOLACE_ERR_UNSUPPORTED;
  /* A Solace status with a message (the catalogue's own callbacks) keeps it as the cause. */
  if (is_solace && solace_error_message()[0]) return solace_error_trace(status, func);
  return solace_error_set(is_solace ? status : SOLACE_ERR_BACKEND, func,
                          "the %s callback returned %d", what, status);
}

/* out = map(x, theta) (T or F as given by the user). */
static int evaluate_map(solace_implicit pb, const double *x, const double *theta, double *out) {
  return implicit_callback_status(pb->map(pb->n, pb->p, x, theta, out, pb->ctx), "map", __func__);
}

int implicit_residual(const struct implicit_point *pt, double *out) {
  solace_implicit pb = pt->problem;
  SolaceCall(evaluate_map(pb, pt->x, pt->theta, out));
  if (pb->kind == SOLACE_IMPLICIT_FIXED_POINT)
    for (int64_t i = 0; i < pb->n; i++) out[i] -= pt->x[i];
  return SOLACE_SUCCESS;
}

static double max_abs(const double *v, int64_t n) {
  double m = 0;
  for (int64_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
  return m;
}

/* Central difference of the map along `dir` in x (wrt_theta 0, n entries) or theta (1, p). */
static int fd_product(const struct implicit_point *pt, int wrt_theta, const double *dir,
                      double *out) {
  solace_implicit pb = pt->problem;
  const double *base = wrt_theta ? pt->theta : pt->x;
  const int64_t m = wrt_theta ? pb->p : pb->n;
  const double dnorm = max_abs(dir, m);
  if (dnorm == 0) {
    memset(out, 0, sizeof(double) * (size_t)pb->n);
    return SOLACE_SUCCESS;
  }
  const double h = pb->fd_step * (1 + max_abs(base, m)) / dnorm;
  double *shifted, *minus;
  SolaceCall(SolaceCalloc(m, &shifted));
  int status = SolaceCalloc(pb->n, &minus);
  for (int side = 0; !status && side < 2; side++) {
    for (int64_t i = 0; i < m; i++) shifted[i] = base[i] + (side ? -h : h) * dir[i];
    status = evaluate_map(pb, wrt_theta ? pt->x : shifted, wrt_theta ? shifted : pt->theta,
                          side ? minus : out);
  }
  for (int64_t i = 0; !status && i < pb->n; i++) out[i] = (out[i] - minus[i]) / (2 * h);
  free(shifted);
  free(minus);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}

static int64_t input_size(solace_implicit pb, int which) {
  return which == IMPLICIT_JVP_THETA ? pb->p : pb->n;
}

static int64_t output_size(solace_implicit pb, int which) {
  return which == IMPLICIT_VJP_THETA ? pb->p : pb->n;
}

/* The forward product (no transpose) of `which`'s pair from a callback or finite differences. */
static int forward_product(const struct implicit_point *pt, int forward, const double *in,
                           double *out) {
  solace_implicit pb = pt->problem;
  if (pb->products[forward])
    return implicit_callback_status(
        pb->products[forward](pb->n, pb->p, pt->x, pt->theta, in, out, pb->ctx),
        product_names[forward], __func__);
  pb->fd_products |= 1 << forward;
  SolaceCall(fd_product(pt, forward == IMPLICIT_JVP_THETA, in, out));
  return SOLACE_SUCCESS;
}

/* out_i = e_i^T M in through products with M^T e_i (or M e_i for a missing transpose). */
static int product_by_columns(const struct implicit_point *pt, int which, const double *in,
                              double *out) {
  solace_implicit pb = pt->problem;
  const int other = which ^ 1; /* the transposed product of the pair */
  const int64_t m = output_size(pb, which), k = input_size(pb, which);
  double *e, *column;
  SolaceCall(SolaceCalloc(m, &e));
  int status = SolaceCalloc(pb->n > pb->p ? pb->n : pb->p, &column);
  for (int64_t i = 0; !status && i < m; i++) {
    e[i] = 1;
    if (pb->products[other])
      status = implicit_callback_status(
          pb->products[other](pb->n, pb->p, pt->x, pt->theta, e, column, pb->ctx),
          product_names[other], __func__);
    else
      status = forward_product(pt, other, e, column);
    e[i] = 0;
    double dot = 0;
    for (int64_t j = 0; j < k; j++) dot += column[j] * in[j];
    out[i] = dot;
  }
  free(e);
  free(column);
  SolaceCall(status);
  return SOLACE_SUCCESS;
}

/* out = M in for one of the four products of the map. */
static int map_product(const struct implicit_point *pt, int which, const double *in, double *out) {
  solace_implicit pb = pt->problem;
  if (pb->products[which])
    return implicit_callback_status(
        pb->products[which](pb->n, pb->p, pt->x, pt->theta, in, out, pb->ctx), product_names[which],
        __func__);
  if (which == IMPLICIT_JVP_X || which == IMPLICIT_JVP_THETA) {
    if (!pb->products[which ^ 1]) return forward_product(pt, which, in, out);
  } else if (!pb->products[which ^ 1])
    pb->fd_products |= 1 << which;
  SolaceCall(product_by_columns(pt, which, in, out));
  return SOLACE_SUCCESS;
}

int implicit_apply_a(const struct implicit_point *pt, int transpose, const double *in,
                     double *out) {
  solace_implicit pb = pt->problem;
  SolaceCall(map_product(pt, transpose ? IMPLICIT_VJP_X : IMPLICIT_JVP_X, in, out));
  if (pb->kind == SOLACE_IMPLICIT_FIXED_POINT)
    for (int64_t i = 0; i < pb->n; i++) out[i] -= in[i];
  return SOLACE_SUCCESS;
}

int implicit_apply_b(const struct implicit_point *pt, int transpose, const double *in,
                     double *out) {
  SolaceCall(map_product(pt, transpose ? IMPLICIT_VJP_THETA : IMPLICIT_JVP_THETA, in, out));
  return SOLACE_SUCCESS;
}
