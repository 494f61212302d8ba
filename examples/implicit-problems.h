/* The bundled problems of solace-implicit and bench/implicit: lasso with ISTA, and a 2-D binary
 * soft-sphere mixture minimised with FIRE, each with its derivative products for implicit
 * differentiation and a forward-mode unrolled solver (tangents carried through the iterations).
 * Header-only (static functions) so the driver and the benchmark share one copy. */
#ifndef SOLACE_IMPLICIT_PROBLEMS_H
#define SOLACE_IMPLICIT_PROBLEMS_H

#include "solace.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Uniform numbers in [0, 1) from a 64-bit LCG with the given state. */
static inline double problems_uniform(uint64_t *state) {
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) / 9007199254740992.0;
}

static inline double problems_dot(const double *a, const double *b, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* ---- lasso: min 1/2 ||X x - y||^2 + lambda ||x||_1 ------------------------------------- */

struct lasso {
  int64_t m, n;
  double *X, *y; /* X m x n column-major */
  double *r;     /* workspace, m entries */
};

/* Random X (entries N(0,1)-like, uniform in [-1, 1)) and y = X w + noise with a sparse w. */
static inline int lasso_create(int64_t m, int64_t n, uint64_t seed, struct lasso *ls) {
  ls->m = m, ls->n = n;
  ls->X = calloc((size_t)(m * n + 2 * m), sizeof(double));
  if (!ls->X) return SOLACE_ERR_MEM;
  ls->y = ls->X + m * n, ls->r = ls->y + m;
  for (int64_t k = 0; k < m * n; k++) ls->X[k] = 2 * problems_uniform(&seed) - 1;
  for (int64_t i = 0; i < m; i++) {
    ls->y[i] = 0.1 * (2 * problems_uniform(&seed) - 1);
    for (int64_t j = 0; j < n / 4; j++) ls->y[i] += ls->X[i + j * m] * (j % 2 ? 1.0 : -2.0);
  }
  return SOLACE_SUCCESS;
}

static inline void lasso_destroy(struct lasso *ls) {
  free(ls->X);
}

/* g = X^T (X x - y) (theta_f is empty: the only parameter, lambda, belongs to the prox). */
static int lasso_grad(int64_t n, int64_t p, const double *x, const double *theta, double *g,
                      void *ctx) {
  struct lasso *ls = ctx;
  (void)p, (void)theta;
  for (int64_t i = 0; i < ls->m; i++) ls->r[i] = -ls->y[i];
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < ls->m; i++) ls->r[i] += ls->X[i + j * ls->m] * x[j];
  for (int64_t j = 0; j < n; j++) g[j] = problems_dot(ls->X + j * ls->m, ls->r, ls->m);
  return 0;
}

/* X^T X v. */
static int lasso_hvp(int64_t n, int64_t p, const double *x, const double *theta, const double *v,
                     double *out, void *ctx) {
  struct lasso *ls = ctx;
  (void)p, (void)x, (void)theta;
  memset(ls->r, 0, sizeof(double) * (size_t)ls->m);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < ls->m; i++) ls->r[i] += ls->X[i + j * ls->m] * v[j];
  for (int64_t j = 0; j < n; j++) out[j] = problems_dot(ls->X + j * ls->m, ls->r, ls->m);
  return 0;
}

/* A step 1 / L with L >= ||X^T X|| (the Frobenius norm bound). */
static inline double lasso_step(const struct lasso *ls) {
  double f = 0;
  for (int64_t j = 0; j < ls->n; j++)
    for (int64_t k = 0; k < ls->n; k++) {
      double g = problems_dot(ls->X + j * ls->m, ls->X + k * ls->m, ls->m);
      f += g * g;
    }
  return 1 / sqrt(f);
}

/* ISTA from x (warm start) until max |x_{k+1} - x_k| <= tol or max_it; with dx non-NULL, also
 * carries the tangent dx = dx/dlambda through every iteration (forward-mode unrolling).
 * Returns the iterations done. */
static inline int64_t lasso_ista(struct lasso *ls, double lambda, double eta, double tol,
                                 int64_t max_it, double *x, double *dx) {
  const int64_t n = ls->n;
  double *g = calloc((size_t)(4 * n), sizeof(double)), *y = g + n, *hv = y + n, *t = hv + n;
  int64_t it = 0;
  for (double change = INFINITY; it < max_it && change > tol; it++) {
    lasso_grad(n, 0, x, NULL, g, ls);
    for (int64_t j = 0; j < n; j++) y[j] = x[j] - eta * g[j];
    if (dx) { /* dy = dx - eta H dx, then dx' = J_y dy + J_lambda */
      double one = 1;
      lasso_hvp(n, 0, x, NULL, dx, hv, ls);
      for (int64_t j = 0; j < n; j++) t[j] = dx[j] - eta * hv[j];
      solace_implicit_prox_jvp(SOLACE_IMPLICIT_PROX_LASSO, n, 1, y, &lambda, eta, t, &one, dx);
    }
    solace_implicit_prox(SOLACE_IMPLICIT_PROX_LASSO, n, 1, y, &lambda, eta, g);
    change = 0;
    for (int64_t j = 0; j < n; j++) change = fmax(change, fabs(g[j] - x[j])), x[j] = g[j];
  }
  free(g);
  return it;
}

/* The lasso's proximal-gradient fixed point with theta = (lambda). */
static inline int lasso_problem(struct lasso *ls, double eta, solace_implicit *pb) {
  return solace_implicit_create_prox_gradient(ls->n, 0, lasso_grad, lasso_hvp, NULL, NULL, ls,
                                              SOLACE_IMPLICIT_PROX_LASSO, 1, eta, pb);
}

/* ---- soft spheres: E = sum_{i<j} 1/2 (1 - r_ij / s_ij)^2 for r_ij < s_ij, periodic box ------ */

struct md {
  int64_t count; /* particles; coordinates x[2 i], x[2 i + 1] */
  double box;    /* side of the periodic square */
  double large;  /* diameter of the large particles (the small one is theta) */
  int *small;    /* 1 for the small particles */
  int *rattler;  /* particles without contacts at the last md_find_rattlers() */
  double lift;   /* weight of the translation projector added to the Hessian */
};

/* count particles, half small (diameter theta), half large (1.4 theta_0), at packing fraction
 * phi for small diameter 1, random positions. */
static inline int md_create(int64_t count, double phi, uint64_t seed, struct md *md, double *x) {
  md->count = count, md->large = 1.4, md->lift = 1;
  md->small = calloc((size_t)(2 * count), sizeof(int));
  if (!md->small) return SOLACE_ERR_MEM;
  md->rattler = md->small + count;
  double area = 0;
  for (int64_t i = 0; i < count; i++) {
    md->small[i] = i % 2 == 0;
    double d = md->small[i] ? 1 : md->large;
    area += 0.7853981633974483 * d * d; /* pi d^2 / 4 */
  }
  md->box = sqrt(area / phi);
  for (int64_t k = 0; k < 2 * count; k++) x[k] = md->box * problems_uniform(&seed);
  return SOLACE_SUCCESS;
}

static inline void md_destroy(struct md *md) {
  free(md->small);
}

/* Pair geometry: minimum-image separation d = x_i - x_j, r = |d|, s = sigma_ij and ds/dtheta. */
struct md_pair {
  double d[2], r, s, ds;
};

static inline int md_pair_of(const struct md *md, const double *x, double theta, int64_t i,
                             int64_t j, struct md_pair *p) {
  for (int k = 0; k < 2; k++) {
    double d = x[2 * i + k] - x[2 * j + k];
    p->d[k] = d - md->box * nearbyint(d / md->box);
  }
  double si = md->small[i] ? theta : md->large, sj = md->small[j] ? theta : md->large;
  p->s = 0.5 * (si + sj);
  p->ds = 0.5 * (md->small[i] + md->small[j]);
  p->r = sqrt(p->d[0] * p->d[0] + p->d[1] * p->d[1]);
  return p->r < p->s && p->r > 0;
}

/* The gradient of E (minus the forces); theta = (small diameter). */
static int md_grad(int64_t n, int64_t p, const double *x, const double *theta, double *g,
                   void *ctx) {
  const struct md *md = ctx;
  struct md_pair q;
  (void)p;
  memset(g, 0, sizeof(double) * (size_t)n);
  for (int64_t i = 0; i < md->count; i++)
    for (int64_t j = i + 1; j < md->count; j++) {
      if (!md_pair_of(md, x, theta[0], i, j, &q)) continue;
      double dphi = -(1 - q.r / q.s) / q.s; /* phi'(r) */
      for (int k = 0; k < 2; k++) {
        g[2 * i + k] += dphi * q.d[k] / q.r;
        g[2 * j + k] -= dphi * q.d[k] / q.r;
      }
    }
  return 0;
}

/* out = H v, the Hessian of E at x. */
static inline void md_hessian(const struct md *md, const double *x, double theta, const double *v,
                              double *out) {
  struct md_pair q;
  memset(out, 0, sizeof(double) * (size_t)(2 * md->count));
  for (int64_t i = 0; i < md->count; i++)
    for (int64_t j = i + 1; j < md->count; j++) {
      if (!md_pair_of(md, x, theta, i, j, &q)) continue;
      double u[2] = {q.d[0] / q.r, q.d[1] / q.r}, dv[2], d2 = 1 / (q.s * q.s);
      double d1r = -(1 - q.r / q.s) / q.s / q.r; /* phi'(r) / r */
      for (int k = 0; k < 2; k++) dv[k] = v[2 * i + k] - v[2 * j + k];
      double ud = u[0] * dv[0] + u[1] * dv[1];
      for (int k = 0; k < 2; k++) {
        double kv = d2 * u[k] * ud + d1r * (dv[k] - u[k] * ud);
        out[2 * i + k] += kv, out[2 * j + k] -= kv;
      }
    }
}

/* (H + lift P + R) v: the Hessian, the projector P onto rigid translations (lifting their zero
 * eigenvalues to `lift`) and the identity R on rattlers' coordinates (which the Hessian leaves
 * zero). The right-hand sides are orthogonal to translations and vanish on rattlers, so the
 * solution is the derivative with fixed centre of mass and unmoved rattlers. */
static int md_hvp(int64_t n, int64_t p, const double *x, const double *theta, const double *v,
                  double *out, void *ctx) {
  const struct md *md = ctx;
  double mean[2] = {0, 0};
  (void)p, (void)n;
  md_hessian(md, x, theta[0], v, out);
  for (int64_t i = 0; i < md->count; i++)
    for (int k = 0; k < 2; k++) mean[k] += v[2 * i + k] / (double)md->count;
  for (int64_t i = 0; i < md->count; i++)
    for (int k = 0; k < 2; k++)
      out[2 * i + k] += md->lift * mean[k] + (md->rattler[i] ? v[2 * i + k] : 0);
  return 0;
}

/* d/dtheta of phi'(r) u for one pair, per unit of theta: (1 - 2 r / s) / s^2 ds. */
static inline double md_cross_factor(const struct md_pair *q) {
  return (1 - 2 * q->r / q->s) / (q->s * q->s) * q->ds;
}

/* d_theta grad E t (theta -> coordinates). */
static int md_cross(int64_t n, int64_t p, const double *x, const double *theta, const double *t,
                    double *out, void *ctx) {
  const struct md *md = ctx;
  struct md_pair q;
  (void)p;
  memset(out, 0, sizeof(double) * (size_t)n);
  for (int64_t i = 0; i < md->count; i++)
    for (int64_t j = i + 1; j < md->count; j++) {
      if (!md_pair_of(md, x, theta[0], i, j, &q)) continue;
      double c = md_cross_factor(&q) * t[0];
      for (int k = 0; k < 2; k++)
        out[2 * i + k] += c * q.d[k] / q.r, out[2 * j + k] -= c * q.d[k] / q.r;
    }
  return 0;
}

/* Its transpose: (d_theta grad E)^T v. */
static int md_cross_t(int64_t n, int64_t p, const double *x, const double *theta, const double *v,
                      double *out, void *ctx) {
  const struct md *md = ctx;
  struct md_pair q;
  (void)p, (void)n;
  out[0] = 0;
  for (int64_t i = 0; i < md->count; i++)
    for (int64_t j = i + 1; j < md->count; j++) {
      if (!md_pair_of(md, x, theta[0], i, j, &q)) continue;
      double c = md_cross_factor(&q);
      for (int k = 0; k < 2; k++) out[0] += c * q.d[k] / q.r * (v[2 * i + k] - v[2 * j + k]);
    }
  return 0;
}

/* Marks the particles without any contact at x; returns how many. */
static inline int64_t md_find_rattlers(struct md *md, const double *x, double theta) {
  struct md_pair q;
  int64_t count = 0;
  for (int64_t i = 0; i < md->count; i++) md->rattler[i] = 1;
  for (int64_t i = 0; i < md->count; i++)
    for (int64_t j = i + 1; j < md->count; j++)
      if (md_pair_of(md, x, theta, i, j, &q)) md->rattler[i] = md->rattler[j] = 0;
  for (int64_t i = 0; i < md->count; i++) count += md->rattler[i];
  return count;
}

static inline double md_max_abs(const double *v, int64_t n) {
  double m = 0;
  for (int64_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
  return m;
}

/* The state of a FIRE minimisation, with the tangents of forward-mode unrolling (dx non-NULL). */
struct fire {
  const struct md *md;
  int64_t n, positive;
  double theta, dt, alpha;
  double *x, *f, *v, *fn;         /* positions, forces, velocities, new forces */
  double *dx, *dv, *df, *dfn, *w; /* their tangents d/dtheta, and a workspace */
};

/* f = -grad E(x) and, with tangents, df = -(H dx + d_theta grad E). */
static inline void fire_forces(struct fire *s, double *f, double *df) {
  const double one = 1;
  md_grad(s->n, 1, s->x, &s->theta, f, (void *)s->md);
  for (int64_t k = 0; k < s->n; k++) f[k] = -f[k];
  if (!s->dx) return;
  md_hessian(s->md, s->x, s->theta, s->dx, df);
  md_cross(s->n, 1, s->x, &s->theta, &one, s->w, (void *)s->md);
  for (int64_t k = 0; k < s->n; k++) df[k] = -df[k] - s->w[k];
}

/* One velocity-Verlet step (unit masses) of positions, velocities and their tangents. */
static inline void fire_verlet(struct fire *s) {
  const double dt = s->dt;
  for (int64_t k = 0; k < s->n; k++) s->x[k] += dt * s->v[k] + 0.5 * dt * dt * s->f[k];
  for (int64_t k = 0; s->dx && k < s->n; k++) s->dx[k] += dt * s->dv[k] + 0.5 * dt * dt * s->df[k];
  fire_forces(s, s->fn, s->dfn);
  for (int64_t k = 0; k < s->n; k++) s->v[k] += 0.5 * dt * (s->f[k] + s->fn[k]), s->f[k] = s->fn[k];
  for (int64_t k = 0; s->dx && k < s->n; k++)
    s->dv[k] += 0.5 * dt * (s->df[k] + s->dfn[k]), s->df[k] = s->dfn[k];
}

/* The FIRE mixing v = (1 - a) v + a |v| f / |f| and its tangent. */
static inline void fire_mix(struct fire *s, double fnorm, double vnorm) {
  const int64_t n = s->n;
  const double a = s->alpha;
  if (fnorm == 0) return;
  if (s->dx && vnorm > 0) {
    double dvn = problems_dot(s->v, s->dv, n) / vnorm, fdf = problems_dot(s->f, s->df, n);
    for (int64_t k = 0; k < n; k++)
      s->dv[k] = (1 - a) * s->dv[k] +
                 a * (dvn * s->f[k] / fnorm +
                      vnorm * (s->df[k] / fnorm - s->f[k] * fdf / (fnorm * fnorm * fnorm)));
  }
  for (int64_t k = 0; k < n; k++) s->v[k] = (1 - a) * s->v[k] + a * vnorm * s->f[k] / fnorm;
}

/* Time step and mixing adaptation; a restart (power <= 0) zeroes v and its tangent. */
static inline void fire_adapt(struct fire *s, double power) {
  const double dt_max = 0.1, f_inc = 1.1, f_dec = 0.5, alpha_start = 0.1, f_alpha = 0.99;
  if (power > 0) {
    if (++s->positive > 5) s->dt = fmin(s->dt * f_inc, dt_max), s->alpha *= f_alpha;
    return;
  }
  s->positive = 0, s->dt *= f_dec, s->alpha = alpha_start;
  memset(s->v, 0, sizeof(double) * (size_t)s->n);
  if (s->dx) memset(s->dv, 0, sizeof(double) * (size_t)s->n);
}

/* FIRE (Bitzek et al. 2006; velocity Verlet, unit masses, dt 0.02 to 0.1) from x until the
 * largest force component is <= ftol or max_steps. With dx non-NULL, forward-mode unrolling: the
 * tangents (dx, dv) = d(x, v)/dtheta follow every step with the step's discrete choices (dt,
 * alpha, restarts) held fixed. Returns the steps taken (negative if max_steps was reached). */
static inline int64_t md_fire(const struct md *md, double theta, double ftol, int64_t max_steps,
                              double *x, double *dx) {
  const int64_t n = 2 * md->count;
  double *work = calloc((size_t)(8 * n), sizeof(double));
  struct fire s = {md,
                   n,
                   0,
                   theta,
                   0.02,
                   0.1,
                   x,
                   work,
                   work + n,
                   work + 2 * n,
                   dx,
                   work + 3 * n,
                   work + 4 * n,
                   work + 5 * n,
                   work + 6 * n};
  int64_t step = 0;
  fire_forces(&s, s.f, s.df);
  for (; md_max_abs(s.f, n) > ftol && step < max_steps; step++) {
    fire_verlet(&s);
    double fnorm = sqrt(problems_dot(s.f, s.f, n)), vnorm = sqrt(problems_dot(s.v, s.v, n));
    double power = problems_dot(s.f, s.v, n);
    fire_mix(&s, fnorm, vnorm);
    fire_adapt(&s, power);
  }
  int reached = md_max_abs(s.f, n) <= ftol;
  free(work);
  return reached ? step : -step;
}

/* Removes the mean (rigid translation) of each coordinate of a displacement field. */
static inline void md_remove_translation(int64_t count, double *dx) {
  for (int k = 0; k < 2; k++) {
    double mean = 0;
    for (int64_t i = 0; i < count; i++) mean += dx[2 * i + k] / (double)count;
    for (int64_t i = 0; i < count; i++) dx[2 * i + k] -= mean;
  }
}

/* The stationarity problem grad E(x; theta) = 0 with the lifted Hessian (md_hvp). */
static inline int md_problem(struct md *md, solace_implicit *pb) {
  return solace_implicit_create_stationarity(2 * md->count, 1, md_grad, md_hvp, md_cross,
                                             md_cross_t, md, pb);
}

#endif
