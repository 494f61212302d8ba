/**
 * @file implicit.h
 * @brief Implicit differentiation: derivatives of a root, fixed point or optimum x*(theta).
 *
 * A problem is F(x, theta) = 0 (root) or x = T(x, theta) (fixed point, F = T - x), with x of
 * size n and theta of size p. At a solution x* computed by any solver, with A = d_x F and
 * B = d_theta F, the implicit function theorem gives
 *   JVP (forward):  A u = -B t,  dx* = u               (solace_implicit_jvp())
 *   VJP (reverse):  A^T u = -v,  gradient = B^T u      (solace_implicit_vjp())
 *   Jacobian:       dx* / dtheta = -A^{-1} B  (n x p)    (solace_implicit_jacobian())
 * Only products with A, A^T, B and B^T are needed. The user gives F (or T) and any of the four
 * products of F (or T) as callbacks; a product left out is approximated by central finite
 * differences (A^T and B^T then from n or p products), and solace_implicit_get_report() says
 * which ones were. Every derivative comes with the optimality residual ||F(x*, theta)||_2: a
 * derivative is only as good as x*, and its error is proportional to that residual.
 *
 * Linear solvers: dense LU, Cholesky or QR (LAPACKE; A is formed with n products, for small n)
 * or matrix-free CG, GMRES, BiCGSTAB and CG on the normal equations through PETSc KSP on a
 * MatShell, options prefix "implicit_" (-implicit_ksp_type, -implicit_pc_type, ... override the
 * choice; PC types that need the diagonal get it from n products). Optional ridge (A + ridge I)
 * and iterative refinement against the unregularised A. The KSP path is sequential
 * (PETSC_COMM_SELF): each MPI rank differentiates its own problem; the KSP solvers need
 * solace_initialize(), the dense ones do not.
 *
 * Vectors are plain double arrays; matrices are column-major with an explicit leading dimension.
 * Callbacks return 0 on success; any other value stops the computation and is returned (a value
 * that is not a Solace status becomes ::SOLACE_ERR_BACKEND).
 *
 * The catalogue of optimality conditions (stationarity, proximal and projected gradient, mirror
 * descent, quadratic-program KKT) builds ready-made problems with exact derivative products;
 * the proximal operators and projections are also available on their own with their Jacobians.
 */
#ifndef SOLACE_IMPLICIT_H
#define SOLACE_IMPLICIT_H

#include "solace/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque implicit-differentiation problem: callbacks, linear-solver settings, last report. */
typedef struct solace_implicit_s *solace_implicit;

/** Evaluates out = F(x, theta) (root) or T(x, theta) (fixed point), n entries. */
typedef int (*solace_implicit_map_fn)(int64_t n, int64_t p, const double *x, const double *theta,
                                      double *out, void *ctx);

/**
 * A derivative product of F (root) or T (fixed point) at (x, theta): out = M in, where M is
 * d_x (in: n, out: n), d_x^T (n, n), d_theta (in: p, out: n) or d_theta^T (in: n, out: p).
 */
typedef int (*solace_implicit_product_fn)(int64_t n, int64_t p, const double *x,
                                          const double *theta, const double *in, double *out,
                                          void *ctx);

/** What the callbacks describe. */
enum solace_implicit_kind {
  SOLACE_IMPLICIT_ROOT = 0,       /**< F(x, theta) = 0 */
  SOLACE_IMPLICIT_FIXED_POINT = 1 /**< x = T(x, theta), i.e. F = T - x */
};

/** Linear solvers for A u = b and A^T u = b. */
enum solace_implicit_solver {
  SOLACE_IMPLICIT_DENSE_LU = 0,       /**< LAPACKE dgetrf/dgetrs on the formed A (default) */
  SOLACE_IMPLICIT_DENSE_CHOLESKY = 1, /**< dpotrf/dpotrs: A symmetric positive definite */
  SOLACE_IMPLICIT_DENSE_QR = 2,       /**< dgeqrf-based least squares (dgels) */
  SOLACE_IMPLICIT_CG = 3,             /**< KSP CG: A symmetric positive definite */
  SOLACE_IMPLICIT_GMRES = 4,          /**< KSP GMRES */
  SOLACE_IMPLICIT_BICGSTAB = 5,       /**< KSP BiCGSTAB (KSPBCGS) */
  SOLACE_IMPLICIT_NORMAL_CG = 6       /**< KSP CG on A^T A u = A^T b (any nonsingular A) */
};

/** Bits of the fd_products report: which products were finite-difference approximations. */
enum solace_implicit_fd_bits {
  SOLACE_IMPLICIT_FD_JVP_X = 1,     /**< d_x product */
  SOLACE_IMPLICIT_FD_VJP_X = 2,     /**< d_x^T product */
  SOLACE_IMPLICIT_FD_JVP_THETA = 4, /**< d_theta product */
  SOLACE_IMPLICIT_FD_VJP_THETA = 8  /**< d_theta^T product */
};

/**
 * Creates a problem of size n (x) and p (theta), n, p >= 1, of a ::solace_implicit_kind, with
 * the map F or T; every product is finite differences until solace_implicit_set_products().
 * Defaults: dense LU, rtol 1e-10, max_it 10 n, no ridge, no refinement.
 */
SOLACE_EXPORT int solace_implicit_create(int64_t n, int64_t p, int kind, solace_implicit_map_fn map,
                                         void *ctx, solace_implicit *problem);

/** Releases the problem and sets *problem to NULL; accepts NULL and a NULL handle. */
SOLACE_EXPORT int solace_implicit_destroy(solace_implicit *problem);

/**
 * Sets the derivative products of the map (F or T, not F for a fixed point): dx = d_x,
 * dx_t = d_x^T, dtheta = d_theta, dtheta_t = d_theta^T; NULL means finite differences (or, when
 * only the transposed partner is given, exact products with it column by column).
 */
SOLACE_EXPORT int solace_implicit_set_products(solace_implicit problem,
                                               solace_implicit_product_fn dx,
                                               solace_implicit_product_fn dx_t,
                                               solace_implicit_product_fn dtheta,
                                               solace_implicit_product_fn dtheta_t);

/**
 * Chooses the linear solver (::solace_implicit_solver), the Krylov relative tolerance rtol in
 * (0, 1) and iteration limit max_it >= 0 (0 keeps 10 n). Every solve, dense or iterative, must
 * also reach a true relative residual ||A u - b|| / ||b|| <= sqrt(rtol), else the derivative
 * fails with ::SOLACE_ERR_NOT_CONVERGED (a singular or numerically singular A).
 */
SOLACE_EXPORT int solace_implicit_set_solver(solace_implicit problem, int solver, double rtol,
                                             int64_t max_it);

/**
 * Solves with A + ridge I (ridge >= 0) and then `refinement` >= 0 steps of iterative
 * refinement u += solve(A + ridge I, b - A u) against the unregularised A.
 */
SOLACE_EXPORT int solace_implicit_set_regularization(solace_implicit problem, double ridge,
                                                     int64_t refinement);

/** Sets the relative step of the finite-difference products (default 1e-6; > 0, finite). */
SOLACE_EXPORT int solace_implicit_set_fd_step(solace_implicit problem, double step);

/**
 * Forward derivative: dx = (dx* / dtheta) t at the solution x (n) for theta (p); t has p entries,
 * dx n. Fails with ::SOLACE_ERR_NOT_CONVERGED (the message gives ||F(x, theta)||) when the
 * linear solve does not reach rtol, e.g. for a singular d_x F.
 */
SOLACE_EXPORT int solace_implicit_jvp(solace_implicit problem, const double *x, const double *theta,
                                      const double *t, double *dx);

/** Reverse derivative: g = (dx* / dtheta)^T v (v: n entries, g: p entries); as
 * solace_implicit_jvp().
 */
SOLACE_EXPORT int solace_implicit_vjp(solace_implicit problem, const double *x, const double *theta,
                                      const double *v, double *g);

/**
 * Full Jacobian dx* / dtheta into J (n x p, column-major, leading dimension ldj >= n), by p
 * forward solves (one factorization for the dense solvers).
 */
SOLACE_EXPORT int solace_implicit_jacobian(solace_implicit problem, const double *x,
                                           const double *theta, double *J, int64_t ldj);

/**
 * Reports on the last derivative: optimality residual ||F(x, theta)||_2, the largest relative
 * linear residual ||A u - b|| / ||b|| of its solves, the linear iterations (summed; 0 for dense),
 * and fd_products, an OR of ::solace_implicit_fd_bits. Any pointer may be NULL.
 */
SOLACE_EXPORT int solace_implicit_get_report(solace_implicit problem, double *residual,
                                             double *linear_residual, int64_t *iterations,
                                             int *fd_products);

/* ---- The catalogue: proximal operators and projections ---------------------------------- */

/**
 * Proximal operators prox_{eta g}(y, theta_g) and Euclidean projections (prox of an indicator;
 * eta is then ignored). theta holds the parameters listed (solace_implicit_prox_size()).
 */
enum solace_implicit_prox {
  SOLACE_IMPLICIT_PROX_LASSO = 0,        /**< g = l ||x||_1; theta_g = (l) */
  SOLACE_IMPLICIT_PROX_NONNEG_LASSO = 1, /**< g = l sum x + indicator(x >= 0); (l) */
  SOLACE_IMPLICIT_PROX_ELASTIC_NET = 2,  /**< g = l1 ||x||_1 + l2/2 ||x||^2; (l1, l2) */
  SOLACE_IMPLICIT_PROX_GROUP_LASSO = 3,  /**< g = l sum_groups ||x_G||_2, contiguous groups; (l) */
  SOLACE_IMPLICIT_PROX_RIDGE = 4,        /**< g = l/2 ||x||^2; (l) */
  SOLACE_IMPLICIT_PROJ_NONNEG = 5,       /**< x >= 0; no parameter */
  SOLACE_IMPLICIT_PROJ_BOX = 6,          /**< lo <= x <= hi; (lo[n], hi[n]) */
  SOLACE_IMPLICIT_PROJ_SIMPLEX = 7,      /**< x >= 0, sum x = s; (s) */
  SOLACE_IMPLICIT_PROJ_L1_BALL = 8,      /**< ||x||_1 <= r; (r) */
  SOLACE_IMPLICIT_PROJ_L2_BALL = 9,      /**< ||x||_2 <= r; (r) */
  SOLACE_IMPLICIT_PROJ_LINF_BALL = 10,   /**< ||x||_inf <= r; (r) */
  SOLACE_IMPLICIT_PROJ_HYPERPLANE = 11,  /**< a^T x = b; (a[n], b) */
  SOLACE_IMPLICIT_PROJ_HALFSPACE = 12,   /**< a^T x <= b; (a[n], b) */
  SOLACE_IMPLICIT_PROX_NONNEG_RIDGE = 13 /**< g = l/2 ||x||^2 + indicator(x >= 0); (l) */
};

/** Writes the number of parameters theta_g of a ::solace_implicit_prox for vectors of size n. */
SOLACE_EXPORT int solace_implicit_prox_size(int kind, int64_t n, int64_t *p_g);

/**
 * out = prox_{eta g}(y, theta) (n entries), theta the p_g parameters of g. group >= 1 splits y into
 * contiguous groups for the group lasso (n a multiple of it) and is ignored otherwise; eta > 0.
 */
SOLACE_EXPORT int solace_implicit_prox(int kind, int64_t n, int64_t group, const double *y,
                                       const double *theta, double eta, double *out);

/**
 * Jacobian-vector product of the prox at (y, theta): out = d_y prox dy + d_theta prox
 * dtheta (dtheta may be NULL for zero). Where the prox is not differentiable (a kink), the
 * generalized Jacobian with the kink counted as inactive is used.
 */
SOLACE_EXPORT int solace_implicit_prox_jvp(int kind, int64_t n, int64_t group, const double *y,
                                           const double *theta, double eta, const double *dy,
                                           const double *dtheta, double *out);

/** Transposed product: gy = d_y prox^T v (n), gtheta = d_theta prox^T v (p_g; may be NULL). */
SOLACE_EXPORT int solace_implicit_prox_vjp(int kind, int64_t n, int64_t group, const double *y,
                                           const double *theta, double eta, const double *v,
                                           double *gy, double *gtheta);

/* ---- The catalogue: optimality conditions ------------------------------------------------- */

/**
 * Stationarity grad_x f(x, theta) = 0 of a smooth objective: grad gives grad_x f (n), hvp the
 * Hessian product d_xx f v (the Hessian is symmetric, so it serves A and A^T), cross_jvp the
 * mixed product d_theta grad_x f t (p -> n) and cross_vjp its transpose (n -> p); either cross
 * product may be NULL (finite differences).
 */
SOLACE_EXPORT int solace_implicit_create_stationarity(int64_t n, int64_t p,
                                                      solace_implicit_map_fn grad,
                                                      solace_implicit_product_fn hvp,
                                                      solace_implicit_product_fn cross_jvp,
                                                      solace_implicit_product_fn cross_vjp,
                                                      void *ctx, solace_implicit *problem);

/**
 * Proximal-gradient fixed point x = prox_{eta g}(x - eta grad_x f(x, theta_f), theta_g) with a
 * ::solace_implicit_prox (a projection gives projected gradient). theta = (theta_f, theta_g):
 * p_f entries for f, then solace_implicit_prox_size() entries for g. grad, hvp, cross_jvp and
 * cross_vjp are those of f as in solace_implicit_create_stationarity() (sizes n and p_f; hvp
 * required, cross products may be NULL when p_f = 0 or for finite differences). eta > 0.
 */
SOLACE_EXPORT int solace_implicit_create_prox_gradient(
    int64_t n, int64_t p_f, solace_implicit_map_fn grad, solace_implicit_product_fn hvp,
    solace_implicit_product_fn cross_jvp, solace_implicit_product_fn cross_vjp, void *ctx, int prox,
    int64_t group_size, double eta, solace_implicit *problem);

/**
 * Mirror-descent fixed point on the probability simplex with the entropy mirror map:
 * x = softmax(log x - eta grad_x f(x, theta)), x > 0. Arguments as for
 * solace_implicit_create_stationarity(); eta > 0.
 */
SOLACE_EXPORT int solace_implicit_create_mirror_descent(
    int64_t n, int64_t p, solace_implicit_map_fn grad, solace_implicit_product_fn hvp,
    solace_implicit_product_fn cross_jvp, solace_implicit_product_fn cross_vjp, void *ctx,
    double eta, solace_implicit *problem);

/**
 * KKT conditions of the quadratic program min 1/2 x^T Q x + c^T x s.t. E x = d, G x <= h with
 * x in R^n, m_eq equalities and m_ineq inequalities (either may be 0). The unknown is
 * z = (x, nu, lambda) (n + m_eq + m_ineq) and theta = (Q, c, E, d, G, h) with Q n x n, E m_eq x n
 * and G m_ineq x n column-major (leading dimensions n, m_eq, m_ineq), so p = n^2 + n +
 * m_eq (n + 1) + m_ineq (n + 1). F = (Q x + c + E^T nu + G^T lambda, E x - d,
 * lambda o (G x - h)); every product is exact.
 */
SOLACE_EXPORT int solace_implicit_create_qp(int64_t n, int64_t m_eq, int64_t m_ineq,
                                            solace_implicit *problem);

/** Writes the size p of theta of the quadratic program of solace_implicit_create_qp(). */
SOLACE_EXPORT int solace_implicit_qp_theta_size(int64_t n, int64_t m_eq, int64_t m_ineq,
                                                int64_t *p);

#ifdef __cplusplus
}
#endif
#endif
