/* Quadratic programs: the implicit Jacobian of the KKT point z = (x, nu, lambda) with respect to
 * all data (Q, c, E, d, G, h) against central differences of the closed-form solution (the KKT
 * system of the active constraints, solved with dgesv), for an equality-constrained QP and for
 * one with active and inactive inequalities (strict complementarity). */
#include "implicit-test.h"

enum { N = 5, ME = 1, MI = 4, MAXZ = N + ME + MI, MAXP = N * N + N + (ME + MI) * (N + 1) };

/* The KKT point of the QP in theta with the inequalities of `active` as equalities. */
static void closed_form(int64_t me, int64_t mi, const int *active, const double *theta, double *z) {
  const double *Q = theta, *c = Q + N * N, *E = c + N, *d = E + me * N, *G = d + me,
               *h = G + mi * N;
  int rows[MAXZ], m = 0;
  double K[MAXZ * MAXZ] = {0}, rhs[MAXZ];
  for (int i = 0; i < me; i++) rows[m++] = i;
  for (int i = 0; i < mi; i++)
    if (active[i]) rows[m++] = (int)me + i;
  const int k = N + m;
  for (int j = 0; j < N; j++) {
    rhs[j] = -c[j];
    for (int i = 0; i < N; i++) K[i + j * k] = Q[i + j * N];
  }
  for (int r = 0; r < m; r++) {
    int eq = rows[r] < me, i = eq ? rows[r] : rows[r] - (int)me;
    for (int j = 0; j < N; j++) {
      double a = eq ? E[i + j * me] : G[i + j * mi];
      K[N + r + j * k] = a, K[j + (N + r) * k] = a;
    }
    rhs[N + r] = eq ? d[i] : h[i];
  }
  lapack_int piv[MAXZ];
  LAPACKE_dgesv(LAPACK_COL_MAJOR, k, 1, K, k, piv, rhs, k);
  memset(z, 0, sizeof(double) * (size_t)(N + me + mi));
  memcpy(z, rhs, sizeof(double) * (size_t)N);
  for (int r = 0; r < m; r++) z[N + rows[r]] = rhs[N + r];
}

/* A QP with known solution: Q = A^T A + I, x*, nu random; inequalities 0, 1 active with
 * lambda 0.7, 1.3 and the others slack by 0.5 (so small perturbations keep the active set). */
static void build(int64_t me, int64_t mi, int *active, double *theta, double *z) {
  double A[N * N], *Q = theta, *c = Q + N * N, *E = c + N, *d = E + me * N, *G = d + me,
                   *h = G + mi * N, *x = z, *nu = z + N, *lam = z + N + me;
  test_fill(A, N * N);
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++) Q[i + j * N] = test_dot(A + i * N, A + j * N, N) + (i == j);
  test_fill(x, N);
  test_fill(nu, me);
  test_fill(E, me * N);
  test_fill(G, mi * N);
  for (int i = 0; i < me; i++) {
    d[i] = 0;
    for (int j = 0; j < N; j++) d[i] += E[i + j * me] * x[j];
  }
  for (int i = 0; i < mi; i++) {
    active[i] = i < 2;
    lam[i] = active[i] ? 0.7 + 0.6 * i : 0;
    h[i] = active[i] ? 0 : 0.5;
    for (int j = 0; j < N; j++) h[i] += G[i + j * mi] * x[j];
  }
  for (int j = 0; j < N; j++) {
    c[j] = -test_dot(Q + j * N, x, N);
    for (int i = 0; i < me; i++) c[j] -= E[i + j * me] * nu[i];
    for (int i = 0; i < mi; i++) c[j] -= G[i + j * mi] * lam[i];
  }
}

/* Jacobian by central differences of the closed form, step 1e-6 (exact for the linear data c, d,
 * h; O(1e-12) truncation for Q, E, G). */
static void fd_jacobian(int64_t me, int64_t mi, const int *active, const double *theta, int64_t p,
                        double *J) {
  const int64_t nz = N + me + mi;
  double tp[MAXP], zp[MAXZ], zm[MAXZ], h = 1e-6;
  memcpy(tp, theta, sizeof(double) * (size_t)p);
  for (int64_t k = 0; k < p; k++) {
    tp[k] = theta[k] + h;
    closed_form(me, mi, active, tp, zp);
    tp[k] = theta[k] - h;
    closed_form(me, mi, active, tp, zm);
    tp[k] = theta[k];
    for (int64_t i = 0; i < nz; i++) J[i + k * nz] = (zp[i] - zm[i]) / (2 * h);
  }
}

/* Implicit Jacobian (dense LU and GMRES) within 1e-7 of the differences (their own error ~1e-9
 * relative); the KKT point itself within 1e-12 of the closed form; JVP/VJP consistent to 1e-12. */
static void check_qp(const char *name, int64_t me, int64_t mi) {
  int active[MI];
  double theta[MAXP], z[MAXZ], zc[MAXZ], J[MAXZ * MAXP], Jfd[MAXZ * MAXP];
  int64_t p, nz = N + me + mi;
  CALL(solace_implicit_qp_theta_size(N, me, mi, &p));
  build(me, mi, active, theta, z);
  closed_form(me, mi, active, theta, zc);
  CHECK(test_rel_error(zc, z, nz) < 1e-12, "%s: closed form misses the built solution", name);
  fd_jacobian(me, mi, active, theta, p, Jfd);
  solace_implicit pb = NULL;
  CALL(solace_implicit_create_qp(N, me, mi, &pb));
  for (int s = 0; s < 2; s++) {
    CALL(solace_implicit_set_solver(pb, s ? SOLACE_IMPLICIT_GMRES : SOLACE_IMPLICIT_DENSE_LU, 1e-13,
                                    0));
    CALL(solace_implicit_jacobian(pb, z, theta, J, nz));
    double err = test_rel_error(J, Jfd, nz * p), res;
    CALL(solace_implicit_get_report(pb, &res, NULL, NULL, NULL));
    printf("%s (%s): Jacobian %lld x %lld, max rel error %.2e, KKT residual %.1e\n", name,
           s ? "GMRES" : "dense LU", (long long)nz, (long long)p, err, res);
    CHECK(err < 1e-7, "%s: Jacobian error %g", name, err);
  }
  double t[MAXP], v[MAXZ], jt[MAXZ], jv[MAXP];
  test_fill(t, p);
  test_fill(v, nz);
  CALL(solace_implicit_jvp(pb, z, theta, t, jt));
  CALL(solace_implicit_vjp(pb, z, theta, v, jv));
  double lhs = test_dot(v, jt, nz), rhs = test_dot(jv, t, p);
  CHECK(fabs(lhs - rhs) < 1e-10 * fmax(1, fabs(lhs)), "%s: v^T J t = %.15g, (J^T v)^T t = %.15g",
        name, lhs, rhs);
  solace_implicit_destroy(&pb);
}

int main(int argc, char **argv) {
  CALL(solace_initialize(&argc, &argv));
  check_qp("equality QP", ME, 0);
  check_qp("inequality QP", ME, MI);
  return test_finish("implicit-qp");
}
