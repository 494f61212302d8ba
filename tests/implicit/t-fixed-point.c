/* A plain fixed point x = T(x, theta) = tanh(W x + U theta) with ||W|| < 1 (a contraction, as in
 * a deep-equilibrium layer): the implicit Jacobian, with exact products of T and with none
 * (finite differences), against central differences of fixed points re-solved by iteration. */
#include "implicit-test.h"

enum { N = 10, P = 3 };
static double W[N * N], U[N * P];

/* z = W x + U theta. */
static void pre(const double *x, const double *theta, double *z) {
  for (int i = 0; i < N; i++) {
    z[i] = 0;
    for (int j = 0; j < N; j++) z[i] += W[i + j * N] * x[j];
    for (int k = 0; k < P; k++) z[i] += U[i + k * N] * theta[k];
  }
}

static int map(int64_t n, int64_t p, const double *x, const double *theta, double *out, void *ctx) {
  (void)n, (void)p, (void)ctx;
  pre(x, theta, out);
  for (int i = 0; i < N; i++) out[i] = tanh(out[i]);
  return 0;
}

/* d tanh(z) = (1 - tanh^2 z) dz; the products below scale W v, W^T, U t, U^T by it. */
static void slope(const double *x, const double *theta, double *s) {
  pre(x, theta, s);
  for (int i = 0; i < N; i++) s[i] = 1 - tanh(s[i]) * tanh(s[i]);
}

/* out = diag(s) M v (M is N x cols) or, transposed, out = M^T diag(s) v: the products of T
 * with the slope s of tanh at (x, theta). */
static void scaled_product(const double *M, int cols, int transposed, const double *x,
                           const double *theta, const double *v, double *out) {
  double s[N];
  slope(x, theta, s);
  for (int k = 0; k < (transposed ? cols : N); k++) out[k] = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < cols; j++) {
      if (transposed)
        out[j] += M[i + j * N] * s[i] * v[i];
      else
        out[i] += s[i] * M[i + j * N] * v[j];
    }
}

static int dx(int64_t n, int64_t p, const double *x, const double *theta, const double *v,
              double *out, void *ctx) {
  (void)n, (void)p, (void)ctx;
  scaled_product(W, N, 0, x, theta, v, out);
  return 0;
}

static int dx_t(int64_t n, int64_t p, const double *x, const double *theta, const double *v,
                double *out, void *ctx) {
  (void)n, (void)p, (void)ctx;
  scaled_product(W, N, 1, x, theta, v, out);
  return 0;
}

static int dtheta(int64_t n, int64_t p, const double *x, const double *theta, const double *t,
                  double *out, void *ctx) {
  (void)n, (void)p, (void)ctx;
  scaled_product(U, P, 0, x, theta, t, out);
  return 0;
}

static int dtheta_t(int64_t n, int64_t p, const double *x, const double *theta, const double *v,
                    double *out, void *ctx) {
  (void)n, (void)p, (void)ctx;
  scaled_product(U, P, 1, x, theta, v, out);
  return 0;
}

/* Fixed-point iteration to a step change below 1e-15 (contraction factor <= 0.5). */
static void iterate(const double *theta, double *x) {
  double next[N];
  memset(x, 0, sizeof(double) * N);
  for (int it = 0; it < 1000; it++) {
    map(N, P, x, theta, next, NULL);
    double change = 0;
    for (int i = 0; i < N; i++) change = fmax(change, fabs(next[i] - x[i])), x[i] = next[i];
    if (change < 1e-15) break;
  }
}

int main(int argc, char **argv) {
  CALL(solace_initialize(&argc, &argv));
  test_fill(W, N * N), test_fill(U, N * P);
  for (int k = 0; k < N * N; k++) W[k] *= 0.5 / N; /* ||W||_2 <= ||W||_F <= 0.5 */
  double theta[P], x[N], J[N * P], Jfd[N * P], xp[N], xm[N], h = 1e-5;
  test_fill(theta, P);
  iterate(theta, x);
  for (int k = 0; k < P; k++) { /* step 1e-5: truncation ~1e-10, iteration error 1e-15 / h */
    double tp[P], tm[P];
    memcpy(tp, theta, sizeof tp), memcpy(tm, theta, sizeof tm);
    tp[k] += h, tm[k] -= h;
    iterate(tp, xp), iterate(tm, xm);
    for (int i = 0; i < N; i++) Jfd[i + k * N] = (xp[i] - xm[i]) / (2 * h);
  }
  solace_implicit pb = NULL;
  CALL(solace_implicit_create(N, P, SOLACE_IMPLICIT_FIXED_POINT, map, NULL, &pb));
  for (int exact = 1; exact >= 0; exact--) {
    if (exact)
      CALL(solace_implicit_set_products(pb, dx, dx_t, dtheta, dtheta_t));
    else
      CALL(solace_implicit_set_products(pb, NULL, NULL, NULL, NULL));
    for (int s = 0; s < 2; s++) {
      CALL(solace_implicit_set_solver(pb, s ? SOLACE_IMPLICIT_GMRES : SOLACE_IMPLICIT_DENSE_LU,
                                      1e-13, 0));
      CALL(solace_implicit_jacobian(pb, x, theta, J, N));
      double err = test_rel_error(J, Jfd, N * P), res;
      CALL(solace_implicit_get_report(pb, &res, NULL, NULL, NULL));
      printf("%s products, %s: max rel error %.2e, residual ||T(x) - x|| %.1e\n",
             exact ? "exact" : "finite-difference", s ? "GMRES" : "dense LU", err, res);
      CHECK(err < 1e-8, "fixed-point Jacobian error %g (tolerance 1e-8: differences ~1e-10)", err);
    }
  }
  solace_implicit_destroy(&pb);
  return test_finish("implicit-fixed-point");
}
