/* Working-set proximal coordinate descent for L1 least squares and logistic regression: an
 * outer loop checks the duality gap on all coordinates and chooses a working set (the support
 * and the coordinates nearest to violating |grad_j| <= lambda, doubling in size), an inner loop
 * runs cyclic proximal coordinate Newton steps on it until its own gap falls below a fraction of
 * the outer one. One history entry per outer iteration. */
#include "solvers/bcd/bcd-impl.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WS_START       10
#define INNER_FRACTION 0.3
#define INNER_EPOCHS   2000
#define GAP_EVERY      10
#define ANDERSON_K     5
#define STALL_FACTOR   0.3

/* How far coordinate j is from entering the support: (lambda - |g_j|) / ||X_j||; the support
 * itself scores -inf so that it always stays in the set. */
static double distance(solace_bcd s, int64_t j) {
  bcd_objective *o = s->obj;
  if (s->x[j] != 0) return -INFINITY;
  double v = s->penalty == SOLACE_BCD_PENALTY_L1 ? fabs(o->g[j]) : -o->g[j];
  return (s->lambda - v) / sqrt(o->L[j] + 1e-300);
}

/* The working set: the ws coordinates of smallest distance, into w->idx. */
static int choose(solace_bcd s, int64_t ws, bcd_work *w) {
  int64_t n = s->obj->n;
  for (int64_t j = 0; j < n; j++) w->score[j] = -distance(s, j);
  return bcd_top_scores(n, w->score, ws, w);
}

/* Anderson weights c[0..K-1] (sum 1) of K + 1 iterates v[0..K] of length len (K = ANDERSON_K):
 * c = argmin ||sum_k c_k (v[k+1] - v[k])||. Returns 0, or -1 for a singular history. */
static int anderson_weights(const double *const *v, int64_t len, double *c) {
  double C[ANDERSON_K * ANDERSON_K], sum = 0, trace = 0;
  for (int a = 0; a < ANDERSON_K; a++)
    for (int b = 0; b < ANDERSON_K; b++) {
      double t = 0;
      for (int64_t i = 0; i < len; i++) t += (v[a + 1][i] - v[a][i]) * (v[b + 1][i] - v[b][i]);
      C[a + b * ANDERSON_K] = t;
    }
  for (int a = 0; a < ANDERSON_K; a++) trace += C[a + a * ANDERSON_K], c[a] = 1;
  for (int a = 0; a < ANDERSON_K; a++) C[a + a * ANDERSON_K] += 1e-10 * trace + 1e-300;
  if (LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', ANDERSON_K, 1, C, ANDERSON_K, c, ANDERSON_K)) return -1;
  for (int a = 0; a < ANDERSON_K; a++) sum += c[a];
  for (int a = 0; a < ANDERSON_K; a++) c[a] /= sum;
  return isfinite(sum) && sum != 0 ? 0 : -1;
}

/* The last ANDERSON_K + 1 residuals (dphi/dz) of an inner solve (per epoch or step), a ring of
 * m-vectors, and the extrapolated residual r (dual extrapolation: Massias, Gramfort, Salmon,
 * celer). */
typedef struct {
  double *R, *r;
  int64_t count;
} dual_points;

static void remember(const bcd_objective *o, dual_points *dp) {
  int64_t m = o->X.m;
  memcpy(dp->R + (dp->count++ % (ANDERSON_K + 1)) * m, o->h, (size_t)m * sizeof(double));
}

/* The gap at the extrapolated dual point, scaled by the listed columns (all when idx == NULL);
 * +inf until ANDERSON_K + 1 residuals are stored. o->f must be current. */
static int extrapolated_gap(solace_bcd s, dual_points *dp, int64_t nb, const int64_t *idx,
                            double *gap) {
  bcd_objective *o = s->obj;
  int64_t m = o->X.m;
  const double *v[ANDERSON_K + 1];
  double c[ANDERSON_K];
  *gap = INFINITY;
  if (dp->count < ANDERSON_K + 1) return SOLACE_SUCCESS;
  for (int k = 0; k <= ANDERSON_K; k++) /* oldest first */
    v[k] = dp->R + ((dp->count + k) % (ANDERSON_K + 1)) * m;
  if (anderson_weights(v, m, c)) return SOLACE_SUCCESS;
  memset(dp->r, 0, (size_t)m * sizeof(double));
  for (int k = 0; k < ANDERSON_K; k++) cblas_daxpy((int)m, c[k], v[k + 1], 1, dp->r, 1);
  return bcd_objective_dual_gap_at(o, s->penalty, s->lambda, s->l1, dp->r, nb, idx, gap);
}

/* The duality gap of the subproblem at the residual rescaled by the set's gradient. */
static int residual_gap(solace_bcd s, bcd_work *w, double *gap) {
  bcd_objective *o = s->obj;
  SolaceCall(bcd_objective_block_gradient(o, w->nb, w->idx, w->g));
  double l1 = 0;
  for (int64_t a = 0; a < w->nb; a++) l1 += fabs(s->x[w->idx[a]]);
  /* the dual point is scaled by the set's gradient only: hand the gap the set's entries */
  memset(o->g, 0, (size_t)o->n * sizeof(double));
  for (int64_t a = 0; a < w->nb; a++) o->g[w->idx[a]] = w->g[a];
  o->g_valid = 1;
  SolaceCall(bcd_objective_dual_gap(o, s->penalty, s->lambda, l1, gap));
  o->g_valid = 0;
  return SOLACE_SUCCESS;
}

/* The duality gap of the subproblem restricted to the working set: the smaller of the gaps at
 * the rescaled residual and at the extrapolated one (both dual feasible). */
static int inner_gap(solace_bcd s, bcd_work *w, dual_points *dp, double *gap) {
  double extrapolated;
  SolaceCall(residual_gap(s, w, gap));
  SolaceCall(extrapolated_gap(s, dp, w->nb, w->idx, &extrapolated));
  *gap = fmin(*gap, extrapolated);
  return SOLACE_SUCCESS;
}

/* One proximal Newton step on coordinate j (exact curvature; for least squares the exact
 * coordinate minimiser), with backtracking on F until it decreases by 1e-2 of the model's
 * predicted change (Tseng and Yun's rule). */
static int coordinate_step(solace_bcd s, int64_t it, int64_t j) {
  bcd_objective *o = s->obj;
  double g, L = o->L[j];
  if (!(L > 0)) return SOLACE_SUCCESS; /* an empty column: x_j stays 0 */
  SolaceCall(bcd_objective_block_gradient(o, 1, &j, &g));
  double H = fmax(bcd_objective_curvature(o, j), 1e-10 * L), x = s->x[j];
  double d = bcd_prox(s->penalty, x - g / H, s->lambda / H) - x;
  if (d == 0) return SOLACE_SUCCESS;
  if (o->problem != SOLACE_BCD_LEAST_SQUARES) {
    double model = g * d + s->lambda * (fabs(x + d) - fabs(x)), f_new;
    for (int k = 0; k < 30; k++, d *= 0.5, model *= 0.5) {
      SolaceCall(bcd_objective_trial(o, 1, &j, &d, &f_new));
      if (f_new - o->f + s->lambda * (fabs(x + d) - fabs(x)) <= 1e-2 * model) break;
    }
  }
  bcd_apply_l1(s, it, 1, &j, &d);
  SolaceCall(bcd_objective_update(o, 1, &j, &d));
  return SOLACE_SUCCESS;
}

/* Scratch of the proximal Newton step of logistic regression on the working set. */
typedef struct {
  double *D, *v, *Hd, *d, *g;
} newton_scratch;

/* Coordinate descent epochs on the quadratic model of F around x, restricted to the set:
 * g^T d + (X d)^T D (X d) / 2 + lambda ||x + d||_1, keeping v = D .* (X d). */
static void model_epochs(solace_bcd s, bcd_work *w, newton_scratch *ns) {
  const bcd_matrix *X = &s->obj->X;
  for (int epoch = 0; epoch < 10; epoch++) {
    double biggest = 0;
    for (int64_t a = 0; a < w->nb; a++) {
      int64_t j = w->idx[a];
      double H = ns->Hd[a];
      if (!(H > 0)) continue;
      double x = s->x[j] + ns->d[a], gm = ns->g[a] + bcd_matrix_col_dot(X, j, ns->v);
      double step = bcd_prox(s->penalty, x - gm / H, s->lambda / H) - x;
      if (step == 0) continue;
      ns->d[a] += step;
      bcd_matrix_col_axpy_weighted(X, j, step, ns->D, ns->v);
      biggest = fmax(biggest, H * step * step);
    }
    if (biggest < 1e-12) break;
  }
}

/* One proximal Newton step on the set with a backtracking line search (Tseng and Yun). */
static int newton_set_step(solace_bcd s, int64_t it, bcd_work *w, newton_scratch *ns) {
  bcd_objective *o = s->obj;
  int64_t m = o->X.m;
  bcd_objective_row_curvatures(o, ns->D);
  SolaceCall(bcd_objective_block_gradient(o, w->nb, w->idx, ns->g));
  memset(ns->v, 0, (size_t)m * sizeof(double));
  for (int64_t a = 0; a < w->nb; a++)
    ns->d[a] = 0, ns->Hd[a] = fmax(bcd_matrix_col_wnorm2(&o->X, w->idx[a], ns->D), 1e-12);
  model_epochs(s, w, ns);
  double delta = 0, pen = 0, f_new;
  for (int64_t a = 0; a < w->nb; a++) {
    double x = s->x[w->idx[a]];
    delta += ns->g[a] * ns->d[a] + s->lambda * (fabs(x + ns->d[a]) - fabs(x));
  }
  if (delta >= 0) return SOLACE_SUCCESS;
  for (int k = 0; k < 30; k++, delta *= 0.5) {
    SolaceCall(bcd_objective_trial(o, w->nb, w->idx, ns->d, &f_new));
    pen = 0;
    for (int64_t a = 0; a < w->nb; a++)
      pen += fabs(s->x[w->idx[a]] + ns->d[a]) - fabs(s->x[w->idx[a]]);
    if (f_new - o->f + s->lambda * pen <= 1e-2 * delta) break;
    for (int64_t a = 0; a < w->nb; a++) ns->d[a] *= 0.5;
  }
  bcd_apply_l1(s, it, w->nb, w->idx, ns->d);
  SolaceCall(bcd_objective_update(o, w->nb, w->idx, ns->d));
  return SOLACE_SUCCESS;
}

/* Proximal Newton steps on the set until its gap is below target (logistic regression). */
static int inner_newton(solace_bcd s, int64_t it, bcd_work *w, dual_points *dp, double target) {
  int64_t m = s->obj->X.m, nb = w->nb;
  newton_scratch ns = {0};
  int status = SolaceCalloc(m, &ns.D);
  if (!status) status = SolaceCalloc(m, &ns.v);
  if (!status) status = SolaceCalloc(nb, &ns.Hd);
  if (!status) status = SolaceCalloc(nb, &ns.d);
  if (!status) status = SolaceCalloc(nb, &ns.g);
  for (int k = 0; k < 100 && !status; k++) {
    double gap;
    status = newton_set_step(s, it, w, &ns);
    remember(s->obj, dp);
    if (!status) status = inner_gap(s, w, dp, &gap);
    if (!status && gap <= target) break;
  }
  free(ns.D), free(ns.v), free(ns.Hd), free(ns.d), free(ns.g);
  return status;
}

/* Anderson extrapolation of the last ANDERSON_K + 1 epoch iterates x^0..x^K of the set:
 * x_e = sum_k c_k x^{k+1}; the step to x_e is taken only if it lowers F (and keeps x >= 0 for
 * the non-negative penalty). */
static int extrapolate(solace_bcd s, bcd_work *w, const double *hist, double *d) {
  int64_t nb = w->nb;
  const double *v[ANDERSON_K + 1];
  double z[ANDERSON_K];
  for (int k = 0; k <= ANDERSON_K; k++) v[k] = hist + k * nb;
  if (anderson_weights(v, nb, z)) return SOLACE_SUCCESS; /* no extrapolation */
  double pen = 0, f_new;
  for (int64_t i = 0; i < nb; i++) {
    double xe = 0, x = s->x[w->idx[i]];
    for (int a = 0; a < ANDERSON_K; a++) xe += z[a] * hist[(a + 1) * nb + i];
    if (s->penalty == SOLACE_BCD_PENALTY_L1_POS && xe < 0) xe = 0;
    d[i] = xe - x, pen += fabs(xe) - fabs(x);
  }
  SolaceCall(bcd_objective_trial(s->obj, nb, w->idx, d, &f_new));
  if (f_new - s->obj->f + s->lambda * pen >= 0) return SOLACE_SUCCESS;
  bcd_apply_l1(s, s->iters, nb, w->idx, d);
  SolaceCall(bcd_objective_update(s->obj, nb, w->idx, d));
  return SOLACE_SUCCESS;
}

/* The mean number of stored entries of a column (m for dense data). */
static int64_t column_length(const bcd_matrix *X) {
  return X->sparse ? X->colptr[X->n] / X->n : X->m;
}

/* The next working-set size: max(WS_START, 2 |support|) (celer, skglm), at least doubled when
 * the last outer iteration did not reduce the gap by STALL_FACTOR; never above n. */
static int64_t set_size(solace_bcd s, int64_t ws, double gap, double last_gap) {
  int64_t n = s->obj->n, size = 2 * s->support > WS_START ? 2 * s->support : WS_START;
  if (gap > STALL_FACTOR * last_gap && 4 * ws > size) size = 4 * ws;
  return size < n ? size : n;
}

/* Cyclic epochs over the working set, Anderson-extrapolated every ANDERSON_K + 1 epochs, until
 * the set's gap is below target. */
static int epochs(solace_bcd s, int64_t it, bcd_work *w, dual_points *dp, double target,
                  double *hist, double *d) {
  int64_t nb = w->nb;
  /* the residual of every epoch when copying it costs under a tenth of the epoch */
  int each = column_length(&s->obj->X) * nb >= 10 * s->obj->X.m;
  for (int64_t epoch = 1; epoch <= INNER_EPOCHS; epoch++) {
    for (int64_t a = 0; a < nb; a++) SolaceCall(coordinate_step(s, it, w->idx[a]));
    if (each || epoch % GAP_EVERY == 0) remember(s->obj, dp);
    int slot = (int)((epoch - 1) % (ANDERSON_K + 1));
    for (int64_t a = 0; a < nb; a++) hist[slot * nb + a] = s->x[w->idx[a]];
    if (slot == ANDERSON_K) SolaceCall(extrapolate(s, w, hist, d));
    if (epoch % GAP_EVERY) continue;
    double gap;
    SolaceCall(inner_gap(s, w, dp, &gap));
    if (gap <= target) break;
  }
  return SOLACE_SUCCESS;
}

/* G = X_W^T X_W of the working set (dense: gathered columns and one dsyrk). */
static int set_gram(bcd_objective *o, bcd_work *w, double *G) {
  const bcd_matrix *X = &o->X;
  int64_t m = X->m, nb = w->nb;
  if (X->sparse) return bcd_matrix_gram(X, nb, w->idx, NULL, G);
  double *XW;
  SolaceCall(SolaceCalloc(m * nb, &XW));
  for (int64_t a = 0; a < nb; a++)
    memcpy(XW + a * m, X->dense + w->idx[a] * m, (size_t)m * sizeof(double));
  cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, (int)nb, (int)m, 1.0, XW, (int)m, 0.0, G,
              (int)nb);
  for (int64_t a = 0; a < nb; a++)
    for (int64_t b = a + 1; b < nb; b++) G[a + b * nb] = G[b + a * nb];
  free(XW);
  return SOLACE_SUCCESS;
}

/* Scratch of the Gram-matrix epochs. */
typedef struct {
  double *G, *q, *delta;
} gram_scratch;

/* Applies the accumulated change of the set to x and the residual; refreshes q = X_W^T h. */
static int flush(solace_bcd s, int64_t it, bcd_work *w, gram_scratch *gs) {
  bcd_apply_l1(s, it, w->nb, w->idx, gs->delta);
  SolaceCall(bcd_objective_update(s->obj, w->nb, w->idx, gs->delta));
  memset(gs->delta, 0, (size_t)w->nb * sizeof(double));
  return bcd_objective_block_gradient(s->obj, w->nb, w->idx, gs->q);
}

/* Least squares with many more rows than set coordinates: cyclic coordinate descent on the
 * Gram matrix, keeping q = X_W^T (X x - y) in O(|W|) per step (covariance updates); the change
 * reaches the residual before each gap check. */
static int gram_epochs(solace_bcd s, int64_t it, bcd_work *w, dual_points *dp, double target,
                       gram_scratch *gs) {
  int64_t nb = w->nb;
  SolaceCall(set_gram(s->obj, w, gs->G));
  SolaceCall(bcd_objective_block_gradient(s->obj, nb, w->idx, gs->q));
  for (int64_t epoch = 1; epoch <= INNER_EPOCHS; epoch++) {
    for (int64_t a = 0; a < nb; a++) {
      double L = gs->G[a + a * nb], x = s->x[w->idx[a]] + gs->delta[a];
      if (!(L > 0)) continue;
      double d = bcd_prox(s->penalty, x - gs->q[a] / L, s->lambda / L) - x;
      if (d == 0) continue;
      gs->delta[a] += d;
      cblas_daxpy((int)nb, d, gs->G + a * nb, 1, gs->q, 1);
    }
    if (epoch % GAP_EVERY) continue;
    double gap;
    SolaceCall(flush(s, it, w, gs));
    remember(s->obj, dp);
    SolaceCall(inner_gap(s, w, dp, &gap));
    if (gap <= target) return SOLACE_SUCCESS;
  }
  return flush(s, it, w, gs);
}

static int inner_gram(solace_bcd s, int64_t it, bcd_work *w, dual_points *dp, double target) {
  gram_scratch gs = {0};
  int status = SolaceCalloc(w->nb * w->nb, &gs.G);
  if (!status) status = SolaceCalloc(w->nb, &gs.q);
  if (!status) status = SolaceCalloc(w->nb, &gs.delta);
  if (!status) status = gram_epochs(s, it, w, dp, target, &gs);
  free(gs.G), free(gs.q), free(gs.delta);
  return status;
}

static int inner_solve(solace_bcd s, int64_t it, bcd_work *w, dual_points *dp, double target) {
  double *hist, *d;
  SolaceCall(SolaceCalloc((ANDERSON_K + 1) * w->nb, &hist));
  int status = SolaceCalloc(w->nb, &d);
  if (!status) status = epochs(s, it, w, dp, target, hist, d);
  free(hist), free(d);
  return status;
}

/* The inner solver of the problem and data on the set, to the subproblem gap target. */
static int inner(solace_bcd s, int64_t it, bcd_work *w, dual_points *dp, double target) {
  bcd_objective *o = s->obj;
  dp->count = 0;
  if (o->problem == SOLACE_BCD_LOGISTIC) return inner_newton(s, it, w, dp, target);
  if (column_length(&o->X) >= 4 * w->nb) /* a step costs O(|W|) instead of O(m_j) */
    return inner_gram(s, it, w, dp, target);
  return inner_solve(s, it, w, dp, target);
}

/* The outer duality gap: at the rescaled residual, or, unless that already meets the target,
 * at the inner solve's extrapolated dual point rescaled by all columns when that is smaller. */
static int outer_gap(solace_bcd s, dual_points *dp, double target, double *gap) {
  double extrapolated;
  s->obj->g_valid = 0;
  SolaceCall(bcd_gap(s, gap));
  if (*gap <= target) return SOLACE_SUCCESS;
  SolaceCall(extrapolated_gap(s, dp, 0, NULL, &extrapolated));
  *gap = fmin(*gap, extrapolated);
  return SOLACE_SUCCESS;
}

static int outer_loop(solace_bcd s, bcd_work *w, dual_points *dp, double t0) {
  int64_t ws = 0;
  double gap, scale, last_gap = INFINITY;
  SolaceCall(outer_gap(s, dp, 0, &gap));
  bcd_record(s, 0, gap, t0);
  scale = s->hist_f[0];
  for (int64_t it = 0; it < s->max_iter; it++) {
    if (gap <= s->tol * scale) break;
    ws = set_size(s, ws, gap, last_gap);
    last_gap = gap;
    SolaceCall(choose(s, ws, w));
    SolaceCall(inner(s, it, w, dp, INNER_FRACTION * gap));
    SolaceCall(outer_gap(s, dp, s->tol * scale, &gap));
    bcd_record(s, it + 1, gap, t0);
  }
  return SOLACE_SUCCESS;
}

int bcd_solve_working_set(solace_bcd s) {
  double t0 = solace_wtime();
  int64_t n = s->obj->n;
  bcd_work w = {0};
  int status = SolaceCalloc(n, &w.idx);
  if (!status) status = SolaceCalloc(n, &w.g);
  if (!status) status = SolaceCalloc(n, &w.score);
  if (!status) status = SolaceCalloc(n, &w.order);
  dual_points dp = {0};
  int64_t m = s->obj->X.m;
  if (!status) status = SolaceCalloc((ANDERSON_K + 1) * m, &dp.R);
  if (!status) status = SolaceCalloc(m, &dp.r);
  s->obj->track = 0;
  if (!status) status = outer_loop(s, &w, &dp, t0);
  free(w.idx), free(w.g), free(w.score), free(w.order), free(dp.R), free(dp.r);
  return status;
}
