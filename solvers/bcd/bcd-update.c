/* Block updates: proximal gradient with 1/L_b or an adaptive L_b, Newton (matrix) steps by
 * Cholesky or by elimination on forest blocks, Newton with an Armijo line search, and the
 * two-metric projection (Newton on the free variables, projected on the orthant) for L1. */
#include "solvers/bcd/bcd-impl.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ARMIJO_C      1e-4
#define MAX_HALVINGS  50
#define MAX_DOUBLINGS 80

double bcd_prox(int penalty, double v, double t) {
  if (penalty == SOLACE_BCD_PENALTY_NONE) return v;
  if (v > t) return v - t;
  if (penalty == SOLACE_BCD_PENALTY_L1 && v < -t) return v + t;
  return 0.0;
}

int bcd_lambda_max(int64_t nb, double *M, double *lmax) {
  double *ev;
  SolaceCall(SolaceCalloc(nb, &ev));
  int info = LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'L', (int)nb, M, (int)nb, ev);
  *lmax = ev[nb - 1];
  free(ev);
  if (info) return solace_error_lapack(info, "dsyev", __func__);
  return SOLACE_SUCCESS;
}

int bcd_spd_solve(int64_t nb, double *M, double *r) {
  double top = 0;
  for (int64_t a = 0; a < nb; a++) top = fmax(top, M[a + a * nb]);
  for (int64_t a = 0; a < nb; a++) M[a + a * nb] += 1e-12 * top + 1e-300;
  int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (int)nb, M, (int)nb);
  if (!info) info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (int)nb, 1, M, (int)nb, r, (int)nb);
  if (info) return solace_error_lapack(info, "dpotrf/dpotrs", __func__);
  return SOLACE_SUCCESS;
}

/* The change of lambda * ||x||_1 under x_b += d. */
static double penalty_change(solace_bcd s, const bcd_work *w, const double *d) {
  if (s->penalty == SOLACE_BCD_PENALTY_NONE) return 0;
  double delta = 0;
  for (int64_t a = 0; a < w->nb; a++) delta += fabs(w->xt[a] + d[a]) - fabs(w->xt[a]);
  return s->lambda * delta;
}

/* d = prox(x_b - g_b / L, lambda / L) - x_b. */
static void prox_step(solace_bcd s, bcd_work *w, double L) {
  for (int64_t a = 0; a < w->nb; a++)
    w->d[a] = bcd_prox(s->penalty, w->xt[a] - w->g[a] / L, s->lambda / L) - w->xt[a];
}

/* The block's Lipschitz constant: precomputed (fixed blocks) or lambda_max(M_bb). */
static int block_lipschitz(solace_bcd s, bcd_work *w, double *L) {
  if (s->Lb) {
    *L = s->Lb[w->block];
    return SOLACE_SUCCESS;
  }
  if (s->forest) { /* Gershgorin over the block */
    *L = 0;
    for (int64_t a = 0; a < w->nb; a++) *L = fmax(*L, s->rowsum[w->idx[a]]);
    return SOLACE_SUCCESS;
  }
  SolaceCall(bcd_objective_block_bound(s->obj, w->nb, w->idx, w->H));
  SolaceCall(bcd_lambda_max(w->nb, w->H, L));
  return SOLACE_SUCCESS;
}

static int gradient_update(solace_bcd s, bcd_work *w) {
  double L;
  SolaceCall(block_lipschitz(s, w, &L));
  prox_step(s, w, L > 0 ? L : 1.0);
  return SOLACE_SUCCESS;
}

/* Adaptive L: doubled until f(x + d) <= f(x) + g^T d + L/2 ||d||^2. */
static int adaptive_update(solace_bcd s, bcd_work *w) {
  double *L = &s->Ladapt[s->blocks.count ? w->block : 0];
  for (int k = 0; k < MAX_DOUBLINGS; k++, *L *= 2) {
    prox_step(s, w, *L);
    double f_new, gd = 0, dd = 0;
    SolaceCall(bcd_objective_trial(s->obj, w->nb, w->idx, w->d, &f_new));
    for (int64_t a = 0; a < w->nb; a++) gd += w->g[a] * w->d[a], dd += w->d[a] * w->d[a];
    if (f_new <= s->obj->f + gd + 0.5 * *L * dd + 1e-12 * fabs(s->obj->f)) return SOLACE_SUCCESS;
  }
  return solace_error_set(SOLACE_ERR_NOT_CONVERGED, __func__,
                          "no L up to 2^%d gives sufficient decrease", MAX_DOUBLINGS);
}

/* Solves H_FF dF = -rF on the free positions free[0..nf-1] of the block. */
static int newton_direction(solace_bcd s, bcd_work *w, int64_t nf, const int64_t *free_pos,
                            const double *rF, double *dF) {
  bcd_objective *o = s->obj;
  int64_t *sub;
  SolaceCall(SolaceCalloc(nf, &sub));
  for (int64_t a = 0; a < nf; a++) sub[a] = w->idx[free_pos[a]];
  int status;
  if (s->forest && o->problem == SOLACE_BCD_QUADRATIC) {
    status = bcd_forest_solve(o->rows, o->qptr, o->qind, o->qval, nf, sub, rF, dF);
  } else {
    /* NEWTON is the paper's matrix update with the Hessian bound M_bb (a majorizer: every
     * step decreases f); NEWTON_ARMIJO uses the exact Hessian with the line search */
    int bound = s->update == SOLACE_BCD_NEWTON && o->problem != SOLACE_BCD_CALLBACK;
    status = bound ? bcd_objective_block_bound(o, nf, sub, w->H)
                   : bcd_objective_block_hessian(o, nf, sub, w->H);
    if (!status) memcpy(dF, rF, (size_t)nf * sizeof(double));
    if (!status) status = bcd_spd_solve(nf, w->H, dF);
  }
  for (int64_t a = 0; a < nf; a++) dF[a] = -dF[a];
  free(sub);
  return status;
}

/* Free set and signs of the two-metric projection; rF = g_F + lambda sign_F. */
static int64_t free_set(solace_bcd s, bcd_work *w, int64_t *pos, double *sign, double *rF) {
  int64_t nf = 0;
  for (int64_t a = 0; a < w->nb; a++) {
    double x = w->xt[a], g = w->g[a], sg;
    if (s->penalty == SOLACE_BCD_PENALTY_NONE)
      sg = 0;
    else if (s->penalty == SOLACE_BCD_PENALTY_L1_POS)
      sg = (x > 0 || g + s->lambda < 0) ? 1 : 0;
    else
      sg = x != 0 ? (x > 0 ? 1 : -1) : (g > s->lambda ? -1 : (g < -s->lambda ? 1 : 0));
    if (s->penalty != SOLACE_BCD_PENALTY_NONE && sg == 0) continue;
    pos[nf] = a, sign[nf] = sg, rF[nf] = g + s->lambda * sg, nf++;
  }
  return nf;
}

/* The projected trial step x_F + t dF (zero where it leaves the orthant) into w->d. */
static void projected_step(solace_bcd s, bcd_work *w, int64_t nf, const int64_t *pos,
                           const double *sign, const double *dF, double t) {
  memset(w->d, 0, (size_t)w->nb * sizeof(double));
  for (int64_t a = 0; a < nf; a++) {
    double x = w->xt[pos[a]], xn = x + t * dF[a];
    if (s->penalty != SOLACE_BCD_PENALTY_NONE && sign[a] * xn < 0) xn = 0;
    w->d[pos[a]] = xn - x;
  }
}

/* Backtracks t from 1 until F(x + d(t)) <= F(x) + c r^T d(t); *ok = 0 if none is found. */
static int armijo(solace_bcd s, bcd_work *w, int64_t nf, const int64_t *pos, const double *sign,
                  const double *rF, const double *dF, int *ok) {
  double t = 1;
  *ok = 0;
  for (int k = 0; k < MAX_HALVINGS; k++, t *= 0.5) {
    projected_step(s, w, nf, pos, sign, dF, t);
    double f_new, slope = 0;
    SolaceCall(bcd_objective_trial(s->obj, w->nb, w->idx, w->d, &f_new));
    for (int64_t a = 0; a < nf; a++) slope += rF[a] * w->d[pos[a]];
    double change = f_new - s->obj->f + penalty_change(s, w, w->d);
    if (change <= ARMIJO_C * slope + 1e-14 * fabs(s->obj->f)) {
      *ok = 1;
      return SOLACE_SUCCESS;
    }
  }
  return SOLACE_SUCCESS;
}

static int newton_update(solace_bcd s, bcd_work *w) {
  int64_t nb = w->nb, *pos;
  double *sign, *rF, *dF;
  SolaceCall(SolaceCalloc(nb, &pos));
  int status = SolaceCalloc(nb, &sign);
  if (!status) status = SolaceCalloc(nb, &rF);
  if (!status) status = SolaceCalloc(nb, &dF);
  int64_t nf = status ? 0 : free_set(s, w, pos, sign, rF);
  int ok = 1, plain = s->update == SOLACE_BCD_NEWTON && s->penalty == SOLACE_BCD_PENALTY_NONE;
  if (!status && nf) status = newton_direction(s, w, nf, pos, rF, dF);
  if (!status && plain)
    projected_step(s, w, nf, pos, sign, dF, 1.0);
  else if (!status)
    status = armijo(s, w, nf, pos, sign, rF, dF, &ok);
  if (!status && (!ok || !nf)) status = gradient_update(s, w); /* safeguard */
  free(pos), free(sign), free(rF), free(dF);
  return status;
}

int bcd_step(solace_bcd s, bcd_work *w) {
  SolaceCall(bcd_objective_block_gradient(s->obj, w->nb, w->idx, w->g));
  for (int64_t a = 0; a < w->nb; a++) w->xt[a] = s->x[w->idx[a]];
  switch (s->update) {
  case SOLACE_BCD_GRADIENT:
    SolaceCall(gradient_update(s, w));
    break;
  case SOLACE_BCD_ADAPTIVE:
    SolaceCall(adaptive_update(s, w));
    break;
  default:
    SolaceCall(newton_update(s, w));
    break;
  }
  return SOLACE_SUCCESS;
}
