/* Internals of the implicit-differentiation kernel: the problem object, its derivative products
 * with finite-difference fallbacks, and the dense and KSP linear solvers. Not installed. */
#ifndef SOLACE_IMPLICIT_IMPL_H
#define SOLACE_IMPLICIT_IMPL_H

#include "solace-impl.h"
#include "solace/implicit.h"

/* The four products of the map, in the order of the SOLACE_IMPLICIT_FD_* bits. */
enum implicit_product {
  IMPLICIT_JVP_X = 0,
  IMPLICIT_VJP_X,
  IMPLICIT_JVP_THETA,
  IMPLICIT_VJP_THETA
};

struct solace_implicit_s {
  int64_t n, p;
  int kind;
  solace_implicit_map_fn map;
  void *ctx;
  solace_implicit_product_fn products[4];
  int solver;
  double rtol, ridge, fd_step;
  int64_t max_it, refinement;
  void *owned; /* a catalogue condition's context, released by destroy */
  void (*release)(void *);
  double residual, linear_residual; /* the report of the last derivative */
  int64_t iterations;
  int fd_products;
};

/* A problem evaluated at one point (x, theta). */
struct implicit_point {
  solace_implicit problem;
  const double *x, *theta;
};

/* Lets `problem` own a catalogue context: release(owned) runs at destroy. */
SOLACE_INTERN void implicit_adopt_context(solace_implicit problem, void *owned,
                                          void (*release)(void *));

/* Maps a callback's non-zero return to a Solace status with a message naming `what`. */
SOLACE_INTERN int implicit_callback_status(int status, const char *what, const char *func);

/* out = F(x, theta) (n entries; T - x for a fixed point). */
SOLACE_INTERN int implicit_residual(const struct implicit_point *pt, double *out);

/* out = A in (transpose 0) or A^T in (transpose 1), A = d_x F, without ridge. */
SOLACE_INTERN int implicit_apply_a(const struct implicit_point *pt, int transpose, const double *in,
                                   double *out);

/* out = B in (p -> n, transpose 0) or B^T in (n -> p, transpose 1), B = d_theta F. */
SOLACE_INTERN int implicit_apply_b(const struct implicit_point *pt, int transpose, const double *in,
                                   double *out);

/* Solves op(A + ridge I) U = Bm for nrhs columns (n x nrhs, column-major, leading dimension n)
 * with the problem's solver and refinement; updates the report's linear residual/iterations. */
SOLACE_INTERN int implicit_solve(const struct implicit_point *pt, int transpose, int64_t nrhs,
                                 const double *rhs, double *u);

/* The dense and KSP back ends of implicit_solve (one refinement-free solve of all columns). */
SOLACE_INTERN int implicit_solve_dense(const struct implicit_point *pt, int transpose, int64_t nrhs,
                                       const double *rhs, double *u);
SOLACE_INTERN int implicit_solve_ksp(const struct implicit_point *pt, int transpose, int64_t nrhs,
                                     const double *rhs, double *u);

/* Checks that `count` doubles are finite; names `what` in the message. */
SOLACE_INTERN int implicit_check_finite(const double *v, int64_t count, const char *what,
                                        const char *func);

#endif
