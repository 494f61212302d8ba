/* KKT conditions of the quadratic program min 1/2 x^T Q x + c^T x s.t. E x = d, G x <= h, with
 * exact products in z = (x, nu, lambda) and in theta = (Q, c, E, d, G, h). */
#include "implicit-objectives.h"
#include "solvers/implicit/implicit-impl.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

struct qp {
  int64_t n, me, mi;
  double *slack; /* G x - h, m_ineq entries */
};

/* Views of theta and z. */
struct qp_data {
  const double *Q, *c, *E, *d, *G, *h;
};
struct qp_vars {
  const double *x, *nu, *lam;
};

static struct qp_data qp_data(const struct qp *qp, const double *theta) {
  const int64_t n = qp->n, me = qp->me;
  struct qp_data v;
  v.Q = theta;
  v.c = v.Q + n * n;
  v.E = v.c + n;
  v.d = v.E + me * n;
  v.G = v.d + me;
  v.h = v.G + qp->mi * n;
  return v;
}

static struct qp_vars qp_vars(const struct qp *qp, const double *z) {
  return (struct qp_vars){z, z + qp->n, z + qp->n + qp->me};
}

/* out = beta out + M in or M^T in, M rows x cols column-major (skipped when empty). */
static void gemv(int transpose, int64_t rows, int64_t cols, const double *M, const double *in,
                 double beta, double *out) {
  int64_t out_len = transpose ? cols : rows;
  if (rows == 0 || cols == 0) {
    for (int64_t i = 0; i < out_len; i++) out[i] *= beta;
    return;
  }
  cblas_dgemv(CblasColMajor, transpose ? CblasTrans : CblasNoTrans, (int)rows, (int)cols, 1.0, M,
              (int)rows, in, 1, beta, out, 1);
}

static void update_slack(struct qp *qp, struct qp_data D, const double *x) {
  gemv(0, qp->mi, qp->n, D.G, x, 0, qp->slack);
  for (int64_t i = 0; i < qp->mi; i++) qp->slack[i] -= D.h[i];
}

static int qp_map(int64_t n_z, int64_t p, const double *z, const double *theta, double *out,
                  void *ctx) {
  struct qp *qp = ctx;
  (void)n_z, (void)p;
  struct qp_data D = qp_data(qp, theta);
  struct qp_vars V = qp_vars(qp, z);
  const int64_t n = qp->n;
  memcpy(out, D.c, sizeof(double) * (size_t)n);
  gemv(0, n, n, D.Q, V.x, 1, out);
  gemv(1, qp->me, n, D.E, V.nu, 1, out);
  gemv(1, qp->mi, n, D.G, V.lam, 1, out);
  gemv(0, qp->me, n, D.E, V.x, 0, out + n);
  for (int64_t i = 0; i < qp->me; i++) out[n + i] -= D.d[i];
  update_slack(qp, D, V.x);
  for (int64_t i = 0; i < qp->mi; i++) out[n + qp->me + i] = V.lam[i] * qp->slack[i];
  return SOLACE_SUCCESS;
}

/* d_z F dz: (Q dx + E^T dnu + G^T dlam, E dx, dlam o (G x - h) + lam o G dx). */
static int qp_dz(int64_t n_z, int64_t p, const double *z, const double *theta, const double *in,
                 double *out, void *ctx) {
  struct qp *qp = ctx;
  (void)n_z, (void)p;
  struct qp_data D = qp_data(qp, theta);
  struct qp_vars V = qp_vars(qp, z), dV = qp_vars(qp, in);
  const int64_t n = qp->n;
  double *out3 = out + n + qp->me;
  gemv(0, n, n, D.Q, dV.x, 0, out);
  gemv(1, qp->me, n, D.E, dV.nu, 1, out);
  gemv(1, qp->mi, n, D.G, dV.lam, 1, out);
  gemv(0, qp->me, n, D.E, dV.x, 0, out + n);
  update_slack(qp, D, V.x);
  gemv(0, qp->mi, n, D.G, dV.x, 0, out3);
  for (int64_t i = 0; i < qp->mi; i++) out3[i] = V.lam[i] * out3[i] + dV.lam[i] * qp->slack[i];
  return SOLACE_SUCCESS;
}

/* d_z F^T v: (Q^T v1 + E^T v2 + G^T (lam o v3), E v1, G v1 + (G x - h) o v3). */
static int qp_dz_t(int64_t n_z, int64_t p, const double *z, const double *theta, const double *in,
                   double *out, void *ctx) {
  struct qp *qp = ctx;
  (void)n_z, (void)p;
  struct qp_data D = qp_data(qp, theta);
  struct qp_vars V = qp_vars(qp, z);
  const int64_t n = qp->n;
  const double *v1 = in, *v2 = in + n, *v3 = in + n + qp->me;
  double *out3 = out + n + qp->me;
  update_slack(qp, D, V.x);
  gemv(1, n, n, D.Q, v1, 0, out);
  gemv(1, qp->me, n, D.E, v2, 1, out);
  for (int64_t i = 0; i < qp->mi; i++) out3[i] = V.lam[i] * v3[i];
  gemv(1, qp->mi, n, D.G, out3, 1, out);
  gemv(0, qp->me, n, D.E, v1, 0, out + n);
  gemv(0, qp->mi, n, D.G, v1, 0, out3);
  for (int64_t i = 0; i < qp->mi; i++) out3[i] += qp->slack[i] * v3[i];
  return SOLACE_SUCCESS;
}

/* d_theta F t: (dQ x + dc + dE^T nu + dG^T lam, dE x - dd, lam o (dG x - dh)). */
static int qp_dtheta(int64_t n_z, int64_t p, const double *z, const double *theta, const double *in,
                     double *out, void *ctx) {
  struct qp *qp = ctx;
  (void)n_z, (void)p, (void)theta;
  struct qp_data dD = qp_data(qp, in);
  struct qp_vars V = qp_vars(qp, z);
  const int64_t n = qp->n;
  double *out3 = out + n + qp->me;
  memcpy(out, dD.c, sizeof(double) * (size_t)n);
  gemv(0, n, n, dD.Q, V.x, 1, out);
  gemv(1, qp->me, n, dD.E, V.nu, 1, out);
  gemv(1, qp->mi, n, dD.G, V.lam, 1, out);
  gemv(0, qp->me, n, dD.E, V.x, 0, out + n);
  for (int64_t i = 0; i < qp->me; i++) out[n + i] -= dD.d[i];
  gemv(0, qp->mi, n, dD.G, V.x, 0, out3);
  for (int64_t i = 0; i < qp->mi; i++) out3[i] = V.lam[i] * (out3[i] - dD.h[i]);
  return SOLACE_SUCCESS;
}

/* gM += a b^T for M rows x cols. */
static void outer(int64_t rows, int64_t cols, const double *a, const double *b, double *M) {
  for (int64_t j = 0; j < cols; j++)
    for (int64_t i = 0; i < rows; i++) M[i + j * rows] += a[i] * b[j];
}

/* d_theta F^T v: gQ = v1 x^T, gc = v1, gE = nu v1^T + v2 x^T, gd = -v2,
 * gG = lam v1^T + (lam o v3) x^T, gh = -lam o v3. */
static int qp_dtheta_t(int64_t n_z, int64_t p, const double *z, const double *theta,
                       const double *in, double *out, void *ctx) {
  struct qp *qp = ctx;
  (void)n_z, (void)theta;
  struct qp_vars V = qp_vars(qp, z);
  const int64_t n = qp->n, me = qp->me, mi = qp->mi;
  const double *v1 = in, *v2 = in + n, *v3 = in + n + me;
  memset(out, 0, sizeof(double) * (size_t)p);
  double *gQ = out, *gc = gQ + n * n, *gE = gc + n, *gd = gE + me * n, *gG = gd + me,
         *gh = gG + mi * n;
  outer(n, n, v1, V.x, gQ);
  memcpy(gc, v1, sizeof(double) * (size_t)n);
  outer(me, n, V.nu, v1, gE);
  outer(me, n, v2, V.x, gE);
  for (int64_t i = 0; i < me; i++) gd[i] = -v2[i];
  outer(mi, n, V.lam, v1, gG);
  for (int64_t i = 0; i < mi; i++) gh[i] = -V.lam[i] * v3[i];
  for (int64_t i = 0; i < mi; i++) {
    double w = V.lam[i] * v3[i];
    for (int64_t j = 0; j < n; j++) gG[i + j * mi] += w * V.x[j];
  }
  return SOLACE_SUCCESS;
}

static void release_qp(void *owned) {
  struct qp *qp = owned;
  if (!qp) return;
  free(qp->slack);
  free(qp);
}

int solace_implicit_qp_theta_size(int64_t n, int64_t m_eq, int64_t m_ineq, int64_t *p) {
  solace_error_clear();
  SolaceCheckNotNull(p);
  SolaceCheck(n >= 1 && m_eq >= 0 && m_ineq >= 0, SOLACE_ERR_ARG,
              "sizes n = %lld, m_eq = %lld, m_ineq = %lld are invalid", (long long)n,
              (long long)m_eq, (long long)m_ineq);
  *p = n * n + n + m_eq * (n + 1) + m_ineq * (n + 1);
  return SOLACE_SUCCESS;
}

int solace_implicit_create_qp(int64_t n, int64_t m_eq, int64_t m_ineq, solace_implicit *problem) {
  solace_error_clear();
  SolaceCheckNotNull(problem);
  *problem = NULL;
  int64_t p;
  SolaceCall(solace_implicit_qp_theta_size(n, m_eq, m_ineq, &p));
  struct qp *qp;
  SolaceCall(SolaceCalloc(1, &qp));
  *qp = (struct qp){n, m_eq, m_ineq, NULL};
  int status = SolaceCalloc(m_ineq + 1, &qp->slack);
  if (!status)
    status =
        solace_implicit_create(n + m_eq + m_ineq, p, SOLACE_IMPLICIT_ROOT, qp_map, qp, problem);
  if (!status)
    status = solace_implicit_set_products(*problem, qp_dz, qp_dz_t, qp_dtheta, qp_dtheta_t);
  if (status) {
    release_qp(qp);
    solace_implicit_destroy(problem);
    return solace_error_trace(status, __func__);
  }
  implicit_adopt_context(*problem, qp, release_qp);
  return SOLACE_SUCCESS;
}
