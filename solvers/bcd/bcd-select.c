/* Block selection: cyclic, random, Lipschitz sampling and the greedy rules GS, GSL, GSD, GSQ
 * over fixed blocks, and their variable-block forms (top tau scores, the IHT approximation of
 * GSQ, greedy forest blocks). Greedy rules read the maintained full gradient. */
#include "solvers/bcd/bcd-impl.h"

#include "solace/rand.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void bcd_effective_gradient(solace_bcd s, double *e) {
  bcd_objective *o = s->obj;
  for (int64_t i = 0; i < o->n; i++) {
    if (s->penalty == SOLACE_BCD_PENALTY_NONE) {
      e[i] = o->g[i];
      continue;
    }
    double L = o->L[i] > 0 ? o->L[i] : 1.0;
    e[i] = L * (s->x[i] - bcd_prox(s->penalty, s->x[i] - o->g[i] / L, s->lambda / L));
  }
}

/* Block Lipschitz constants lambda_max(M_bb) and, for GSQ, Cholesky factors of M_bb. */
static int block_constants(solace_bcd s, int64_t q, double *M) {
  bcd_blocks *B = &s->blocks;
  int64_t nb = B->ptr[q + 1] - B->ptr[q];
  const int64_t *idx = B->idx + B->ptr[q];
  if (nb == 1)
    M[0] = s->obj->L[idx[0]]; /* the bound's diagonal: no Gram product needed */
  else
    SolaceCall(bcd_objective_block_bound(s->obj, nb, idx, M));
  if (s->rule == SOLACE_BCD_GSQ) {
    double *F = s->chol + s->cholptr[q], top = 0;
    memcpy(F, M, (size_t)(nb * nb) * sizeof(double));
    for (int64_t a = 0; a < nb; a++) top = fmax(top, F[a + a * nb]);
    for (int64_t a = 0; a < nb; a++) F[a + a * nb] += 1e-10 * top + 1e-300;
    int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (int)nb, F, (int)nb);
    if (info) return solace_error_lapack(info, "dpotrf", __func__);
  }
  if (nb == 1) {
    s->Lb[q] = M[0];
    return SOLACE_SUCCESS;
  }
  SolaceCall(bcd_lambda_max(nb, M, &s->Lb[q]));
  return SOLACE_SUCCESS;
}

/* lambda_max of the Hessian bound by power iteration (the IHT step of variable GSQ). */
static int bound_norm(solace_bcd s, double *lmax) {
  int64_t n = s->obj->n;
  double *v, *u;
  SolaceCall(SolaceCalloc(n, &v));
  SolaceCall(SolaceCalloc(n, &u));
  for (int64_t i = 0; i < n; i++) v[i] = 1.0 / sqrt((double)n);
  double lam = 0;
  int status = SOLACE_SUCCESS;
  for (int it = 0; it < 50 && !status; it++) {
    status = bcd_objective_bound_apply(s->obj, v, u);
    lam = cblas_dnrm2((int)n, u, 1);
    if (lam == 0) break;
    for (int64_t i = 0; i < n; i++) v[i] = u[i] / lam;
  }
  free(v), free(u);
  *lmax = lam * 1.01; /* the power iteration approaches from below */
  return status;
}

int bcd_select_setup(solace_bcd s) {
  bcd_objective *o = s->obj;
  SolaceCall(SolaceCalloc(o->n, &s->rowsum));
  SolaceCall(bcd_objective_bound_rowsums(o, s->rowsum));
  SolaceCall(SolaceCalloc(1, &s->Ladapt));
  s->Ladapt[0] = 1;
  if (s->partition == SOLACE_BCD_PART_VARIABLE || s->partition == SOLACE_BCD_PART_TREE) {
    if (s->rule == SOLACE_BCD_GSQ && s->partition == SOLACE_BCD_PART_VARIABLE)
      SolaceCall(bound_norm(s, &s->iht_mu));
    return SOLACE_SUCCESS;
  }
  SolaceCall(bcd_partition_fixed(s, &s->blocks));
  bcd_blocks *B = &s->blocks;
  int64_t maxb = 0, total = 0;
  for (int64_t q = 0; q < B->count; q++) {
    int64_t nb = B->ptr[q + 1] - B->ptr[q];
    maxb = nb > maxb ? nb : maxb, total += nb * nb;
  }
  free(s->Ladapt);
  SolaceCall(SolaceCalloc(B->count, &s->Ladapt));
  SolaceCall(SolaceCalloc(B->count, &s->Lb));
  for (int64_t q = 0; q < B->count; q++) s->Ladapt[q] = 1;
  if (s->rule == SOLACE_BCD_GSQ) {
    SolaceCall(SolaceCalloc(total, &s->chol));
    SolaceCall(SolaceCalloc(B->count + 1, &s->cholptr));
    for (int64_t q = 0; q < B->count; q++) {
      int64_t nb = B->ptr[q + 1] - B->ptr[q];
      s->cholptr[q + 1] = s->cholptr[q] + nb * nb;
    }
  }
  if (s->forest && s->rule != SOLACE_BCD_GSQ) { /* big forest blocks: Gershgorin, no dense M */
    for (int64_t q = 0; q < B->count; q++)
      for (int64_t p = B->ptr[q]; p < B->ptr[q + 1]; p++)
        s->Lb[q] = fmax(s->Lb[q], s->rowsum[B->idx[p]]);
    return SOLACE_SUCCESS;
  }
  double *M;
  SolaceCall(SolaceCalloc(maxb * maxb, &M));
  int status = SOLACE_SUCCESS;
  for (int64_t q = 0; q < B->count && !status; q++) status = block_constants(s, q, M);
  free(M);
  return status;
}

/* A uniform draw in (0,1) for iteration it. */
static double uniform(solace_bcd s, int64_t it) {
  double u = 0.5;
  solace_rand_uniform(s->seed, 0, (uint64_t)it, 1, &u);
  return u;
}

/* The greedy score of fixed block q from the effective gradients e. */
static double block_score(solace_bcd s, int64_t q, const double *e, double *tmp) {
  bcd_blocks *B = &s->blocks;
  int64_t lo = B->ptr[q], nb = B->ptr[q + 1] - lo;
  const int64_t *idx = B->idx + lo;
  double sum = 0;
  if (s->rule == SOLACE_BCD_GSD) {
    for (int64_t a = 0; a < nb; a++) sum += fabs(e[idx[a]]) / sqrt(s->obj->L[idx[a]] + 1e-300);
    return sum;
  }
  for (int64_t a = 0; a < nb; a++) tmp[a] = e[idx[a]], sum += tmp[a] * tmp[a];
  if (s->rule == SOLACE_BCD_GS) return sum;
  if (s->rule == SOLACE_BCD_GSL) return sum / (s->Lb[q] + 1e-300);
  const double *F = s->chol + s->cholptr[q]; /* GSQ: ||F^-1 e_b||^2 = e_b^T M_bb^-1 e_b */
  cblas_dtrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)nb, F, (int)nb, tmp, 1);
  return cblas_ddot((int)nb, tmp, 1, tmp, 1);
}

/* Lipschitz sampling: block q with probability Lb[q] / sum Lb. */
static int64_t lipschitz_draw(solace_bcd s, double u) {
  double total = 0, acc = 0;
  for (int64_t q = 0; q < s->blocks.count; q++) total += s->Lb[q];
  for (int64_t q = 0; q < s->blocks.count; q++)
    if ((acc += s->Lb[q]) >= u * total) return q;
  return s->blocks.count - 1;
}

/* Chooses a fixed block. */
static int select_fixed(solace_bcd s, int64_t it, bcd_work *w) {
  bcd_blocks *B = &s->blocks;
  int64_t q = 0;
  if (s->rule == SOLACE_BCD_CYCLIC)
    q = it % B->count;
  else if (s->rule == SOLACE_BCD_RANDOM)
    q = (int64_t)(uniform(s, it) * (double)B->count);
  else if (s->rule == SOLACE_BCD_LIPSCHITZ)
    q = lipschitz_draw(s, uniform(s, it));
  else {
    SolaceCall(bcd_objective_full_gradient(s->obj));
    bcd_effective_gradient(s, w->score);
    double best = -1;
    for (int64_t b = 0; b < B->count; b++) {
      double v = block_score(s, b, w->score, w->g);
      if (v > best) best = v, q = b;
    }
  }
  q = q < B->count ? q : B->count - 1;
  w->block = q, w->nb = B->ptr[q + 1] - B->ptr[q];
  memcpy(w->idx, B->idx + B->ptr[q], (size_t)w->nb * sizeof(int64_t));
  return SOLACE_SUCCESS;
}

/* IHT approximation of variable-block GSQ: d <- top_tau(d - mu (e + M d)), <= 10 steps. */
static int iht_block(solace_bcd s, const double *e, bcd_work *w) {
  int64_t n = s->obj->n;
  double *d, *Md, *mag;
  SolaceCall(SolaceCalloc(n, &d));
  SolaceCall(SolaceCalloc(n, &Md));
  SolaceCall(SolaceCalloc(n, &mag));
  int status = SOLACE_SUCCESS;
  for (int it = 0; it < 10 && !status; it++) {
    status = bcd_objective_bound_apply(s->obj, d, Md);
    for (int64_t i = 0; i < n; i++) d[i] -= (e[i] + Md[i]) / s->iht_mu, mag[i] = fabs(d[i]);
    if (!status) status = bcd_top_scores(n, mag, s->tau, w);
    memset(Md, 0, (size_t)n * sizeof(double));
    for (int64_t a = 0; a < w->nb; a++) Md[w->idx[a]] = d[w->idx[a]];
    memcpy(d, Md, (size_t)n * sizeof(double));
  }
  free(d), free(Md), free(mag);
  return status;
}

/* Chooses a variable block: the tau best coordinates under the rule. */
static int select_variable(solace_bcd s, int64_t it, bcd_work *w) {
  bcd_objective *o = s->obj;
  int64_t n = o->n;
  w->block = 0;
  if (s->rule == SOLACE_BCD_CYCLIC || s->rule == SOLACE_BCD_RANDOM ||
      s->rule == SOLACE_BCD_LIPSCHITZ) {
    for (int64_t i = 0; i < n; i++) /* random keys: a uniform tau-subset */
      solace_rand_uniform(s->seed, (uint64_t)it + 1, (uint64_t)i, 1, &w->score[i]);
    if (s->rule == SOLACE_BCD_LIPSCHITZ)
      for (int64_t i = 0; i < n; i++) w->score[i] = pow(w->score[i], 1.0 / (o->L[i] + 1e-300));
    if (s->partition == SOLACE_BCD_PART_TREE) return bcd_tree_block(s, w->score, w);
    return bcd_top_scores(n, w->score, s->tau, w);
  }
  SolaceCall(bcd_objective_full_gradient(o));
  bcd_effective_gradient(s, w->score);
  if (s->rule == SOLACE_BCD_GSQ && s->partition == SOLACE_BCD_PART_VARIABLE)
    return iht_block(s, w->score, w);
  for (int64_t i = 0; i < n; i++) {
    double a = fabs(w->score[i]);
    if (s->rule == SOLACE_BCD_GSL) a /= sqrt(o->L[i] + 1e-300);
    if (s->rule == SOLACE_BCD_GSD || s->rule == SOLACE_BCD_GSQ) a /= sqrt(s->rowsum[i] + 1e-300);
    w->score[i] = a;
  }
  if (s->partition == SOLACE_BCD_PART_TREE) return bcd_tree_block(s, w->score, w);
  return bcd_top_scores(n, w->score, s->tau, w);
}

int bcd_select(solace_bcd s, int64_t it, bcd_work *w) {
  if (s->partition == SOLACE_BCD_PART_VARIABLE || s->partition == SOLACE_BCD_PART_TREE)
    return select_variable(s, it, w);
  return select_fixed(s, it, w);
}
