/* Internals of the implicit-differentiation catalogue: proximal operators and projections with
 * their Jacobians. Not installed. */
#ifndef SOLACE_IMPLICIT_OBJECTIVES_H
#define SOLACE_IMPLICIT_OBJECTIVES_H

#include "solace-impl.h"
#include "solace/implicit.h"

/* One evaluation point of a prox: kind, size, group size, y, theta_g and the step eta. */
struct prox_point {
  int kind;
  int64_t n, group;
  const double *y, *theta;
  double eta;
};

/* One entry of a separable prox: its value, d/dy, and up to two parameter derivatives. */
struct prox_entry {
  double value, dy;
  int count;        /* parameters this entry depends on (0..2) */
  int64_t index[2]; /* their positions in theta_g */
  double dtheta[2]; /* the derivatives */
};

/* Whether a kind is separable (prox_separable_entry applies), and that entry. */
SOLACE_INTERN int prox_is_separable(int kind);
SOLACE_INTERN void prox_separable_entry(const struct prox_point *pp, int64_t i,
                                        struct prox_entry *e);

/* Value, JVP and VJP of the non-separable projections and the group lasso (implicit-projection.c).
 * gtheta may be NULL in the VJP; dtheta may be NULL in the JVP. */
SOLACE_INTERN int prox_coupled_value(const struct prox_point *pp, double *out);
SOLACE_INTERN int prox_coupled_jvp(const struct prox_point *pp, const double *dy,
                                   const double *dtheta, double *out);
SOLACE_INTERN int prox_coupled_vjp(const struct prox_point *pp, const double *v, double *gy,
                                   double *gtheta);

/* Checks a prox call's arguments (kind, sizes, finite y and theta, eta > 0, parameters valid). */
SOLACE_INTERN int prox_check(const struct prox_point *pp, const char *func);

#endif
