/* Data-fitting objectives of BCD: least squares, logistic and softmax on z = X W. The state is
 * z, h = dphi/dz and (tracked) g = X^T h; a block step changes z on the rows its columns touch,
 * and g by X^T of the change of h on those rows only. */
#include "operators/objectives/bcd-objective.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* log(1 + exp(t)) without overflow. */
static double log1pexp(double t) {
  return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

/* 1 / (1 + exp(-t)). */
static double sigmoid(double t) {
  if (t >= 0) return 1.0 / (1.0 + exp(-t));
  double e = exp(t);
  return e / (1.0 + e);
}

/* The loss of row i at the model values z (m x k); writes dphi/dz_ic into h when h != NULL. */
static double row_phi(const bcd_objective *o, const double *z, int64_t i, double *h) {
  int64_t m = o->X.m;
  double yi = o->y[i];
  if (o->problem == SOLACE_BCD_LEAST_SQUARES) {
    double r = z[i] - yi;
    if (h) h[i] = r;
    return 0.5 * r * r;
  }
  if (o->problem == SOLACE_BCD_LOGISTIC) {
    if (h) h[i] = -yi * sigmoid(-yi * z[i]);
    return log1pexp(-yi * z[i]);
  }
  double zmax = z[i];
  for (int64_t c = 1; c < o->k; c++) zmax = fmax(zmax, z[i + c * m]);
  double s = 0;
  for (int64_t c = 0; c < o->k; c++) s += exp(z[i + c * m] - zmax);
  double lse = zmax + log(s);
  int64_t label = (int64_t)yi;
  if (h)
    for (int64_t c = 0; c < o->k; c++) h[i + c * m] = exp(z[i + c * m] - lse) - (c == label);
  return lse - z[i + label * m];
}

/* Second derivative of the loss of row i (k = 1). */
static double row_curvature(const bcd_objective *o, int64_t i) {
  if (o->problem == SOLACE_BCD_LEAST_SQUARES) return 1.0;
  double s = sigmoid(o->y[i] * o->z[i]);
  return s * (1.0 - s);
}

/* The Hessian-bound scale of classes (c1, c2): 1 (LS), 1/4 (logistic), (delta - 1/k)/2. */
static double class_scale(const bcd_objective *o, int64_t c1, int64_t c2) {
  if (o->problem == SOLACE_BCD_LEAST_SQUARES) return 1.0;
  if (o->problem == SOLACE_BCD_LOGISTIC) return 0.25;
  return 0.5 * ((c1 == c2) - 1.0 / (double)o->k);
}

/* Copies z into target on the rows the block's columns touch and adds X_b d there. Touched
 * rows are listed in o->rows (*nrows; all rows for dense data, rows stays unmarked). */
static void touch(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d, double *target,
                  int64_t *nrows) {
  int64_t m = o->X.m, nf = o->nf;
  *nrows = 0;
  if (!o->X.sparse) {
    memcpy(target, o->z, (size_t)(m * o->k) * sizeof(double));
    for (int64_t a = 0; a < nb; a++)
      bcd_matrix_col_axpy(&o->X, idx[a] % nf, d[a], target + (idx[a] / nf) * m, NULL, NULL, NULL);
    return;
  }
  for (int64_t a = 0; a < nb; a++) {
    int64_t j = idx[a] % nf;
    for (int64_t p = o->X.colptr[j]; p < o->X.colptr[j + 1]; p++) {
      int64_t i = o->X.rowind[p];
      if (o->mark[i]) continue;
      o->mark[i] = 1, o->rows[(*nrows)++] = i;
      for (int64_t c = 0; c < o->k; c++) target[i + c * m] = o->z[i + c * m];
    }
  }
  for (int64_t a = 0; a < nb; a++)
    bcd_matrix_col_axpy(&o->X, idx[a] % nf, d[a], target + (idx[a] / nf) * m, NULL, NULL, NULL);
}

/* Clears the touched-row marks. */
static void untouch(bcd_objective *o, int64_t nrows) {
  for (int64_t r = 0; r < nrows; r++) o->mark[o->rows[r]] = 0;
}

/* A column step of the one-output problems in one pass over the column's rows: z += d X_j,
 * h and f follow (least squares: f changes by delta (h + delta / 2), delta = d x_ij); dz
 * collects the change of h for the gradient. */
static void column_step(bcd_objective *o, int64_t j, double dj, int64_t *nrows) {
  const bcd_matrix *X = &o->X;
  if (!X->sparse && o->problem == SOLACE_BCD_LEAST_SQUARES) { /* dense: BLAS level 1 */
    int m = (int)X->m;
    const double *col = X->dense + j * X->m;
    o->f += dj * cblas_ddot(m, col, 1, o->h, 1) + 0.5 * dj * dj * o->L[j];
    cblas_daxpy(m, dj, col, 1, o->h, 1);
    cblas_daxpy(m, dj, col, 1, o->z, 1);
    if (o->track) cblas_daxpy(m, dj, col, 1, o->dz, 1);
    return;
  }
  int64_t lo = X->sparse ? X->colptr[j] : 0, hi = X->sparse ? X->colptr[j + 1] : X->m;
  const double *col = X->sparse ? X->cval : X->dense + j * X->m;
  int ls = o->problem == SOLACE_BCD_LEAST_SQUARES;
  double change = 0;
  for (int64_t p = lo; p < hi; p++) {
    int64_t i = X->sparse ? X->rowind[p] : p;
    double delta = dj * col[p], h_old = o->h[i];
    if (ls) {
      change += delta * (h_old + 0.5 * delta);
      o->h[i] += delta, o->z[i] += delta;
    } else {
      change -= row_phi(o, o->z, i, NULL);
      o->z[i] += delta;
      change += row_phi(o, o->z, i, o->h);
    }
    if (!o->track) continue;
    o->dz[i] += o->h[i] - h_old;
    if (X->sparse && !o->mark[i]) o->mark[i] = 1, o->rows[(*nrows)++] = i;
  }
  o->f += change;
}

static int single_update(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d) {
  int64_t nrows = 0, m = o->X.m;
  int tracked = o->track && o->g_valid;
  for (int64_t a = 0; a < nb; a++)
    if (d[a] != 0) column_step(o, idx[a], d[a], &nrows);
  if (!o->track) {
    o->g_valid = 0;
    return SOLACE_SUCCESS;
  }
  if (tracked) bcd_matrix_tmatvec_rows(&o->X, o->dz, o->X.sparse ? o->rows : NULL, nrows, o->g);
  o->g_valid = tracked;
  if (!o->X.sparse) memset(o->dz, 0, (size_t)m * sizeof(double));
  for (int64_t r = 0; r < nrows; r++) o->dz[o->rows[r]] = 0, o->mark[o->rows[r]] = 0;
  return SOLACE_SUCCESS;
}

/* f after z += d X_j (one-output problems), without changing the state. */
static int column_trial(bcd_objective *o, int64_t j, double dj, double *f_new) {
  const bcd_matrix *X = &o->X;
  int64_t lo = X->sparse ? X->colptr[j] : 0, hi = X->sparse ? X->colptr[j + 1] : X->m;
  const double *col = X->sparse ? X->cval : X->dense + j * X->m;
  double change = 0;
  for (int64_t p = lo; p < hi; p++) {
    int64_t i = X->sparse ? X->rowind[p] : p;
    double z = o->z[i];
    change -= row_phi(o, o->z, i, NULL);
    o->z[i] = z + dj * col[p];
    change += row_phi(o, o->z, i, NULL);
    o->z[i] = z;
  }
  *f_new = o->f + change;
  return SOLACE_SUCCESS;
}

void bcd_objective_row_curvatures(const bcd_objective *o, double *D) {
  for (int64_t i = 0; i < o->X.m; i++) {
    double s = -o->y[i] * o->h[i]; /* sigma(-y z) */
    D[i] = o->problem == SOLACE_BCD_LEAST_SQUARES ? 1.0 : s * (1.0 - s);
  }
}

/* The exact second derivative of f along coordinate j (one-output problems). */
double bcd_objective_curvature(bcd_objective *o, int64_t j) {
  if (o->problem == SOLACE_BCD_LEAST_SQUARES || o->k != 1) return o->L[j];
  const bcd_matrix *X = &o->X;
  int64_t lo = X->sparse ? X->colptr[j] : 0, hi = X->sparse ? X->colptr[j + 1] : X->m;
  const double *col = X->sparse ? X->cval : X->dense + j * X->m;
  double c = 0;
  for (int64_t p = lo; p < hi; p++) {
    int64_t i = X->sparse ? X->rowind[p] : p;
    double s = -o->y[i] * o->h[i]; /* sigma(-y z) */
    c += col[p] * col[p] * s * (1.0 - s);
  }
  return c;
}

static int glm_trial(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d,
                     double *f_new) {
  if (o->problem == SOLACE_BCD_LEAST_SQUARES && nb == 1) { /* d g_j + d^2 ||X_j||^2 / 2 */
    int64_t j = idx[0];
    *f_new = o->f + d[0] * bcd_matrix_col_dot(&o->X, j, o->h) + 0.5 * d[0] * d[0] * o->L[j];
    return SOLACE_SUCCESS;
  }
  if (o->k == 1 && nb == 1) return column_trial(o, idx[0], d[0], f_new);
  int64_t nrows, count;
  touch(o, nb, idx, d, o->zt, &nrows);
  count = o->X.sparse ? nrows : o->X.m;
  double delta = 0;
  for (int64_t r = 0; r < count; r++) {
    int64_t i = o->X.sparse ? o->rows[r] : r;
    delta += row_phi(o, o->zt, i, NULL) - row_phi(o, o->z, i, NULL);
  }
  untouch(o, nrows);
  *f_new = o->f + delta;
  return SOLACE_SUCCESS;
}

static int glm_update(bcd_objective *o, int64_t nb, const int64_t *idx, const double *d) {
  if (o->problem == SOLACE_BCD_LEAST_SQUARES || (o->k == 1 && nb == 1))
    return single_update(o, nb, idx, d);
  int64_t m = o->X.m, k = o->k, nrows, count;
  touch(o, nb, idx, d, o->zt, &nrows);
  count = o->X.sparse ? nrows : m;
  for (int64_t r = 0; r < count; r++) {
    int64_t i = o->X.sparse ? o->rows[r] : r;
    o->f -= row_phi(o, o->z, i, NULL);
    for (int64_t c = 0; c < k; c++) {
      o->z[i + c * m] = o->zt[i + c * m];
      o->dz[i + c * m] = -o->h[i + c * m];
    }
    o->f += row_phi(o, o->z, i, o->h);
    for (int64_t c = 0; c < k; c++) o->dz[i + c * m] += o->h[i + c * m];
  }
  if (o->track && o->g_valid)
    for (int64_t c = 0; c < k; c++)
      bcd_matrix_tmatvec_rows(&o->X, o->dz + c * m, o->X.sparse ? o->rows : NULL, nrows,
                              o->g + c * o->nf);
  else
    o->g_valid = 0;
  for (int64_t r = 0; r < count; r++) /* dz is zero between updates (column steps add to it) */
    for (int64_t c = 0; c < k; c++) o->dz[(o->X.sparse ? o->rows[r] : r) + c * m] = 0;
  untouch(o, nrows);
  return SOLACE_SUCCESS;
}

static int glm_full_gradient(bcd_objective *o) {
  memset(o->g, 0, (size_t)o->n * sizeof(double));
  for (int64_t c = 0; c < o->k; c++)
    bcd_matrix_tmatvec_rows(&o->X, o->h + c * o->X.m, NULL, 0, o->g + c * o->nf);
  o->g_valid = 1;
  return SOLACE_SUCCESS;
}

static int glm_reset(bcd_objective *o, const double *x) {
  int64_t m = o->X.m;
  memset(o->z, 0, (size_t)(m * o->k) * sizeof(double));
  for (int64_t v = 0; v < o->n; v++)
    if (x[v] != 0)
      bcd_matrix_col_axpy(&o->X, v % o->nf, x[v], o->z + (v / o->nf) * m, NULL, NULL, NULL);
  o->f = 0;
  for (int64_t i = 0; i < m; i++) o->f += row_phi(o, o->z, i, o->h);
  o->g_valid = 0;
  return o->track ? glm_full_gradient(o) : SOLACE_SUCCESS;
}

static int glm_block_gradient(bcd_objective *o, int64_t nb, const int64_t *idx, double *g) {
  for (int64_t a = 0; a < nb; a++)
    g[a] = o->g_valid ? o->g[idx[a]]
                      : bcd_matrix_col_dot(&o->X, idx[a] % o->nf, o->h + (idx[a] / o->nf) * o->X.m);
  return SOLACE_SUCCESS;
}

/* Feature indices of a block of variables (scratch of nb entries). */
static int block_features(const bcd_objective *o, int64_t nb, const int64_t *idx, int64_t **feat) {
  SolaceCall(SolaceCalloc(nb, feat));
  for (int64_t a = 0; a < nb; a++) (*feat)[a] = idx[a] % o->nf;
  return SOLACE_SUCCESS;
}

static int glm_block_bound(bcd_objective *o, int64_t nb, const int64_t *idx, double *M) {
  int64_t *feat;
  SolaceCall(block_features(o, nb, idx, &feat));
  int status = bcd_matrix_gram(&o->X, nb, feat, NULL, M);
  for (int64_t a = 0; !status && a < nb; a++)
    for (int64_t b = 0; b < nb; b++)
      M[a + b * nb] *= class_scale(o, idx[a] / o->nf, idx[b] / o->nf);
  free(feat);
  return status;
}

static int glm_block_hessian(bcd_objective *o, int64_t nb, const int64_t *idx, double *H) {
  if (o->problem != SOLACE_BCD_LOGISTIC) return glm_block_bound(o, nb, idx, H);
  double *w;
  SolaceCall(SolaceCalloc(o->X.m, &w));
  for (int64_t i = 0; i < o->X.m; i++) w[i] = row_curvature(o, i);
  int status = bcd_matrix_gram(&o->X, nb, idx, w, H);
  free(w);
  return status;
}

static int glm_rowsums(bcd_objective *o, double *out) {
  SolaceCall(bcd_matrix_abs_rowsums(&o->X, out));
  double s = o->problem == SOLACE_BCD_SOFTMAX ? 1.0 - 1.0 / (double)o->k : class_scale(o, 0, 0);
  for (int64_t c = 0; c < o->k; c++)
    for (int64_t j = 0; j < o->nf; j++) out[j + c * o->nf] = s * out[j];
  return SOLACE_SUCCESS;
}

static int glm_bound_apply(bcd_objective *o, const double *v, double *out) {
  int64_t m = o->X.m, k = o->k, nf = o->nf;
  double *U, *T;
  SolaceCall(SolaceCalloc(m * k, &U));
  int status = SolaceCalloc(m * k, &T);
  if (status) {
    free(U);
    return status;
  }
  for (int64_t q = 0; q < o->n; q++)
    if (v[q] != 0) bcd_matrix_col_axpy(&o->X, q % nf, v[q], U + (q / nf) * m, NULL, NULL, NULL);
  for (int64_t c = 0; c < k; c++)
    for (int64_t c2 = 0; c2 < k; c2++) {
      double s = class_scale(o, c, c2);
      for (int64_t i = 0; i < m; i++) T[i + c * m] += s * U[i + c2 * m];
    }
  memset(out, 0, (size_t)o->n * sizeof(double));
  for (int64_t c = 0; c < k; c++) bcd_matrix_tmatvec_rows(&o->X, T + c * m, NULL, 0, out + c * nf);
  free(U), free(T);
  return SOLACE_SUCCESS;
}

/* x log x with 0 log 0 = 0. */
static double xlogx(double x) {
  return x > 0 ? x * log(x) : 0.0;
}

/* The conjugate phi_i^*(w) of row i's loss (LS, logistic). */
static double conjugate(const bcd_objective *o, int64_t i, double w) {
  if (o->problem == SOLACE_BCD_LEAST_SQUARES) return 0.5 * w * w + w * o->y[i];
  double t = -w * o->y[i];
  if (t < 0 || t > 1) return INFINITY; /* outside the conjugate's domain */
  return xlogx(t) + xlogx(1.0 - t);
}

/* The duality gap f + sum_i phi_i^*(s r_i) + lambda l1 at the dual point s r (o->f current). */
static double gap_at(const bcd_objective *o, const double *r, double s, double lambda, double l1) {
  double fstar = 0;
  for (int64_t i = 0; i < o->X.m; i++) fstar += conjugate(o, i, s * r[i]);
  return isfinite(fstar) ? o->f + fstar + lambda * l1 : INFINITY;
}

int bcd_objective_dual_gap_at(bcd_objective *o, int penalty, double lambda, double l1,
                              const double *r, int64_t nb, const int64_t *idx, double *gap) {
  double worst = 0;
  for (int64_t a = 0; a < (idx ? nb : o->nf); a++) {
    double v = bcd_matrix_col_dot(&o->X, idx ? idx[a] : a, r);
    worst = fmax(worst, penalty == SOLACE_BCD_PENALTY_L1 ? fabs(v) : -v);
  }
  *gap = gap_at(o, r, worst > lambda ? lambda / worst : 1.0, lambda, l1);
  return SOLACE_SUCCESS;
}

int bcd_objective_dual_gap(bcd_objective *o, int penalty, double lambda, double l1, double *gap) {
  if (o->problem != SOLACE_BCD_LEAST_SQUARES && o->problem != SOLACE_BCD_LOGISTIC)
    return SOLACE_ERR_UNSUPPORTED;
  SolaceCall(bcd_objective_full_gradient(o));
  double worst = 0;
  for (int64_t j = 0; j < o->n; j++)
    worst = fmax(worst, penalty == SOLACE_BCD_PENALTY_L1 ? fabs(o->g[j]) : -o->g[j]);
  double s = worst > lambda ? lambda / worst : 1.0;
  if (penalty == SOLACE_BCD_PENALTY_NONE) s = 1.0;
  double f = 0;
  for (int64_t i = 0; i < o->X.m; i++) f += row_phi(o, o->z, i, NULL);
  o->f = f;
  /* without a penalty there is no dual of the smooth problem: report the gradient norm */
  *gap = penalty == SOLACE_BCD_PENALTY_NONE ? worst : gap_at(o, o->h, s, lambda, l1);
  return SOLACE_SUCCESS;
}

/* Checks the targets of the problem; n_classes for softmax. */
static int check_targets(int problem, int64_t m, const double *y, int64_t k) {
  SolaceCheckNotNull(y);
  for (int64_t i = 0; i < m; i++) {
    SolaceCheck(isfinite(y[i]), SOLACE_ERR_ARG, "y[%lld] = %g is not finite", (long long)i, y[i]);
    if (problem == SOLACE_BCD_LOGISTIC)
      SolaceCheck(y[i] == 1.0 || y[i] == -1.0, SOLACE_ERR_ARG,
                  "logistic label y[%lld] = %g is not -1 or +1", (long long)i, y[i]);
    if (problem == SOLACE_BCD_SOFTMAX)
      SolaceCheck(y[i] == floor(y[i]) && y[i] >= 0 && y[i] < (double)k, SOLACE_ERR_ARG,
                  "softmax label y[%lld] = %g is not an integer in 0..%lld", (long long)i, y[i],
                  (long long)k - 1);
  }
  return SOLACE_SUCCESS;
}

/* Allocates the state arrays of a GLM objective. */
static int glm_alloc(bcd_objective *o) {
  int64_t m = o->X.m, mk = m * o->k;
  SolaceCall(SolaceCalloc(m, &o->y));
  SolaceCall(SolaceCalloc(mk, &o->z));
  SolaceCall(SolaceCalloc(mk, &o->h));
  SolaceCall(SolaceCalloc(mk, &o->zt));
  SolaceCall(SolaceCalloc(mk, &o->dz));
  SolaceCall(SolaceCalloc(m, &o->rows));
  SolaceCall(SolaceCalloc(m, &o->mark));
  SolaceCall(SolaceCalloc(o->n, &o->g));
  SolaceCall(SolaceCalloc(o->n, &o->L));
  return SOLACE_SUCCESS;
}

/* Coordinate bounds L = M_ii. */
static void glm_lipschitz(bcd_objective *o) {
  for (int64_t j = 0; j < o->nf; j++) {
    double s = 0;
    if (o->X.sparse)
      for (int64_t p = o->X.colptr[j]; p < o->X.colptr[j + 1]; p++)
        s += o->X.cval[p] * o->X.cval[p];
    else
      for (int64_t i = 0; i < o->X.m; i++)
        s += o->X.dense[i + j * o->X.m] * o->X.dense[i + j * o->X.m];
    for (int64_t c = 0; c < o->k; c++) o->L[j + c * o->nf] = s * class_scale(o, c, c);
  }
}

static void glm_refresh(bcd_objective *o) {
  double f = 0;
  for (int64_t i = 0; i < o->X.m; i++) f += row_phi(o, o->z, i, NULL);
  o->f = f;
}

static const bcd_objective_ops glm_ops = {
    glm_reset,         glm_full_gradient, glm_block_gradient, glm_update,      glm_trial,
    glm_block_hessian, glm_block_bound,   glm_rowsums,        glm_bound_apply, glm_refresh};

int bcd_objective_glm(int problem, bcd_matrix X, const double *y, int64_t k, bcd_objective **obj) {
  if (problem != SOLACE_BCD_SOFTMAX) k = 1;
  int status =
      problem >= SOLACE_BCD_LEAST_SQUARES && problem <= SOLACE_BCD_SOFTMAX
          ? SOLACE_SUCCESS
          : solace_error_set(SOLACE_ERR_ARG, __func__, "problem %d is not a data fit", problem);
  if (!status && problem == SOLACE_BCD_SOFTMAX && k < 2)
    status = solace_error_set(SOLACE_ERR_ARG, __func__, "softmax needs n_classes >= 2, got %lld",
                              (long long)k);
  if (!status) status = check_targets(problem, X.m, y, k);
  bcd_objective *o = NULL;
  if (!status) status = SolaceCalloc(1, &o);
  if (status) {
    bcd_matrix_free(&X);
    return status;
  }
  o->ops = &glm_ops, o->problem = problem, o->X = X, o->k = k, o->nf = X.n, o->n = X.n * k;
  status = glm_alloc(o);
  if (!status) {
    memcpy(o->y, y, (size_t)X.m * sizeof(double));
    glm_lipschitz(o);
    status = glm_reset(o, o->g); /* g is zero: x = 0 */
  }
  if (status) bcd_objective_destroy(&o);
  *obj = o;
  return status;
}
