/* Proximal operators and projections: each value against its optimality conditions, each
 * Jacobian (in y and in the parameters) against central differences, and VJP against JVP. */
#include "implicit-test.h"

enum { N = 12, GROUP = 3 };
static const double ETA = 0.7;

static const char *names[] = {"lasso",     "nonneg lasso", "elastic net", "group lasso", "ridge",
                              "nonneg",    "box",          "simplex",     "L1 ball",     "L2 ball",
                              "Linf ball", "hyperplane",   "halfspace",   "nonneg ridge"};

/* Parameters inside the valid range for each kind (radii smaller than |y| so the sets bind). */
static void parameters(int kind, double *theta) {
  switch (kind) {
  case SOLACE_IMPLICIT_PROX_ELASTIC_NET:
    theta[0] = 0.4, theta[1] = 0.8;
    break;
  case SOLACE_IMPLICIT_PROJ_BOX:
    for (int i = 0; i < N; i++) theta[i] = -0.5 + 0.2 * test_uniform(), theta[N + i] = 0.5;
    break;
  case SOLACE_IMPLICIT_PROJ_HYPERPLANE:
  case SOLACE_IMPLICIT_PROJ_HALFSPACE:
    test_fill(theta, N);
    theta[N] = -0.3;
    break;
  case SOLACE_IMPLICIT_PROX_GROUP_LASSO:
    theta[0] = 1.0;
    break;
  default:
    theta[0] = 0.6;
  }
}

/* Central difference of the prox along (dy, dtheta), step 1e-6. */
static void fd_jvp(int kind, const double *y, const double *theta, int64_t p_g, const double *dy,
                   const double *dtheta, double *out) {
  double yp[N], ym[N], tp[2 * N + 1], tm[2 * N + 1], fp[N], fm[N], h = 1e-6;
  for (int i = 0; i < N; i++) yp[i] = y[i] + h * dy[i], ym[i] = y[i] - h * dy[i];
  for (int k = 0; k < p_g; k++) tp[k] = theta[k] + h * dtheta[k], tm[k] = theta[k] - h * dtheta[k];
  CALL(solace_implicit_prox(kind, N, GROUP, yp, tp, ETA, fp));
  CALL(solace_implicit_prox(kind, N, GROUP, ym, tm, ETA, fm));
  for (int i = 0; i < N; i++) out[i] = (fp[i] - fm[i]) / (2 * h);
}

/* Jacobians: JVP vs differences within 1e-6 (central differences of a piecewise smooth map away
 * from kinks: truncation ~1e-12, rounding ~1e-10); v^T (J d) = (J^T v)^T d within 1e-12. */
static void check_jacobians(int kind, const double *y, const double *theta, int64_t p_g) {
  double dy[N], dtheta[2 * N + 1] = {0}, v[N], jvp[N], fd[N], gy[N], gtheta[2 * N + 1];
  test_fill(dy, N);
  test_fill(dtheta, p_g);
  test_fill(v, N);
  CALL(solace_implicit_prox_jvp(kind, N, GROUP, y, theta, ETA, dy, dtheta, jvp));
  fd_jvp(kind, y, theta, p_g, dy, dtheta, fd);
  double err = test_rel_error(jvp, fd, N);
  CALL(solace_implicit_prox_vjp(kind, N, GROUP, y, theta, ETA, v, gy, gtheta));
  double lhs = test_dot(v, jvp, N), rhs = test_dot(gy, dy, N) + test_dot(gtheta, dtheta, p_g);
  double gap = fabs(lhs - rhs) / fmax(1, fabs(lhs));
  printf("%-13s JVP vs differences %.1e, VJP consistency %.1e\n", names[kind], err, gap);
  CHECK(err < 1e-6, "%s: JVP differs from differences by %g", names[kind], err);
  CHECK(gap < 1e-12, "%s: v^T J d = %.15g but (J^T v)^T d = %.15g", names[kind], lhs, rhs);
}

/* 1/2 ||z - y||^2 + eta g(z) for the penalties (projections: feasibility is checked instead). */
static double prox_objective(int kind, const double *z, const double *y, const double *theta) {
  double fit = 0, l1 = 0, l2 = 0, groups = 0, neg = 0;
  for (int i = 0; i < N; i++) {
    fit += 0.5 * (z[i] - y[i]) * (z[i] - y[i]);
    l1 += fabs(z[i]), l2 += z[i] * z[i], neg += z[i] < 0;
  }
  for (int g = 0; g < N; g += GROUP) groups += sqrt(test_dot(z + g, z + g, GROUP));
  switch (kind) {
  case SOLACE_IMPLICIT_PROX_LASSO:
    return fit + ETA * theta[0] * l1;
  case SOLACE_IMPLICIT_PROX_NONNEG_LASSO:
    return neg ? INFINITY : fit + ETA * theta[0] * l1;
  case SOLACE_IMPLICIT_PROX_ELASTIC_NET:
    return fit + ETA * (theta[0] * l1 + 0.5 * theta[1] * l2);
  case SOLACE_IMPLICIT_PROX_GROUP_LASSO:
    return fit + ETA * theta[0] * groups;
  case SOLACE_IMPLICIT_PROX_NONNEG_RIDGE:
    return neg ? INFINITY : fit + ETA * 0.5 * theta[0] * l2;
  default:
    return fit + ETA * 0.5 * theta[0] * l2; /* ridge */
  }
}

/* Membership in the set of a projection, with slack tol. */
static int feasible(int kind, const double *z, const double *theta, double tol) {
  double l1 = 0, l2 = 0, linf = 0, sum = 0, ok = 1;
  for (int i = 0; i < N; i++) {
    l1 += fabs(z[i]), l2 += z[i] * z[i], linf = fmax(linf, fabs(z[i])), sum += z[i];
    if ((kind == SOLACE_IMPLICIT_PROJ_NONNEG || kind == SOLACE_IMPLICIT_PROJ_SIMPLEX) &&
        z[i] < -tol)
      ok = 0;
    if (kind == SOLACE_IMPLICIT_PROJ_BOX && (z[i] < theta[i] - tol || z[i] > theta[N + i] + tol))
      ok = 0;
  }
  double plane = test_dot(theta, z, N) - theta[N];
  switch (kind) {
  case SOLACE_IMPLICIT_PROJ_SIMPLEX:
    return ok && fabs(sum - theta[0]) < tol;
  case SOLACE_IMPLICIT_PROJ_L1_BALL:
    return l1 <= theta[0] + tol;
  case SOLACE_IMPLICIT_PROJ_L2_BALL:
    return sqrt(l2) <= theta[0] + tol;
  case SOLACE_IMPLICIT_PROJ_LINF_BALL:
    return linf <= theta[0] + tol;
  case SOLACE_IMPLICIT_PROJ_HYPERPLANE:
    return fabs(plane) < tol;
  case SOLACE_IMPLICIT_PROJ_HALFSPACE:
    return plane < tol;
  default:
    return ok;
  }
}

/* Values: a prox beats 2000 random nearby points on its objective; a projection is feasible and
 * closer to y than 2000 random feasible points near it (projections of perturbations). */
static void check_value(int kind, const double *y, const double *theta) {
  double out[N], z[N], zp[N];
  CALL(solace_implicit_prox(kind, N, GROUP, y, theta, ETA, out));
  int projection = kind >= SOLACE_IMPLICIT_PROJ_NONNEG && kind <= SOLACE_IMPLICIT_PROJ_HALFSPACE;
  int worse = 0;
  if (projection) CHECK(feasible(kind, out, theta, 1e-12), "%s: result infeasible", names[kind]);
  double best = projection ? 0 : prox_objective(kind, out, y, theta);
  for (int t = 0; t < 2000; t++) {
    for (int i = 0; i < N; i++) z[i] = out[i] + 1e-2 * test_uniform();
    if (projection) {
      CALL(solace_implicit_prox(kind, N, GROUP, z, theta, ETA, zp));
      double dz = 0, dout = 0;
      for (int i = 0; i < N; i++) dz += pow(zp[i] - y[i], 2), dout += pow(out[i] - y[i], 2);
      worse += dz < dout - 1e-12;
    } else
      worse += prox_objective(kind, z, y, theta) < best - 1e-12;
  }
  CHECK(worse == 0, "%s: %d nearby points do better than the prox", names[kind], worse);
}

static void bad_input(void) {
  double y[N] = {0}, theta[2 * N + 1] = {0}, out[N];
  theta[0] = -1;
  CHECK(solace_implicit_prox(SOLACE_IMPLICIT_PROX_LASSO, N, 1, y, theta, ETA, out) ==
            SOLACE_ERR_ARG,
        "negative penalty accepted");
  theta[0] = NAN;
  CHECK(solace_implicit_prox(SOLACE_IMPLICIT_PROJ_L2_BALL, N, 1, y, theta, ETA, out) ==
            SOLACE_ERR_ARG,
        "NaN radius accepted");
  theta[0] = 1;
  CHECK(solace_implicit_prox(SOLACE_IMPLICIT_PROX_GROUP_LASSO, N, 5, y, theta, ETA, out) ==
            SOLACE_ERR_ARG,
        "group size not dividing n accepted");
  CHECK(solace_implicit_prox(99, N, 1, y, theta, ETA, out) == SOLACE_ERR_ARG, "kind 99 accepted");
  CHECK(solace_implicit_prox(SOLACE_IMPLICIT_PROX_LASSO, N, 1, y, theta, 0, out) == SOLACE_ERR_ARG,
        "eta 0 accepted");
  double zero_normal[N + 1] = {0};
  CHECK(solace_implicit_prox(SOLACE_IMPLICIT_PROJ_HYPERPLANE, N, 1, y, zero_normal, ETA, out) ==
            SOLACE_ERR_ARG,
        "zero normal accepted");
  printf("bad input: %s\n", solace_error_message());
}

int main(void) {
  for (int kind = SOLACE_IMPLICIT_PROX_LASSO; kind <= SOLACE_IMPLICIT_PROX_NONNEG_RIDGE; kind++) {
    double y[N], theta[2 * N + 1] = {0};
    int64_t p_g;
    CALL(solace_implicit_prox_size(kind, N, &p_g));
    test_fill(y, N);
    for (int i = 0; i < N; i++) y[i] *= 2;
    parameters(kind, theta);
    check_jacobians(kind, y, theta, p_g);
    check_value(kind, y, theta);
  }
  bad_input();
  return test_finish("implicit-prox");
}
